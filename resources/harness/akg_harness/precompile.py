"""Build cpp / cuda_c candidates in parallel CPU processes, ahead of the GPU.

Each candidate is imported in its own sandboxed process through the same build hook
the executor uses; this (trusted) process then keeps the build for that candidate file
(candidate_cache), where the executor finds it and loads it in well under a second.
No device is needed: give --arch for cuda_c where no GPU is visible.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time

from . import candidate_cache
from .sandbox import Sandbox
from .supervisor import executor_environment


def precompile(
    candidates: list, dsl: str, build_dir=None, jobs: int = 0, arch=None, params=None, timeout: float = 1800.0
) -> dict:
    jobs = jobs or max(1, min(len(candidates), os.cpu_count() or 1))
    environment = executor_environment()
    if arch:
        environment["TORCH_CUDA_ARCH_LIST"] = arch
    # Each build runs ninja with MAX_JOBS workers; split the cores between builds.
    environment.setdefault("MAX_JOBS", str(max(1, (os.cpu_count() or 1) // jobs)))

    def build(path: str) -> dict:
        sandbox = Sandbox("cpu")
        try:
            return sandboxed_build(sandbox, path)
        finally:
            sandbox.close()

    def sandboxed_build(sandbox: Sandbox, path: str) -> dict:
        start = time.monotonic()
        staged = sandbox.stage(path, "candidate")
        candidate_cache.seed(sandbox, staged, build_dir)
        spec = json.dumps({"candidate": staged, "dsl": dsl, "build_dir": sandbox.build_dir, "params": params})
        command = sandbox.command([sys.executable, "-m", "akg_harness.precompile_one", spec])
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=sandbox.environment(environment),
                **sandbox.popen_arguments(),
            )
        except subprocess.TimeoutExpired:
            return {
                "candidate": path,
                "ok": False,
                "error": f"timed out after {timeout:.0f} s",
                "seconds": round(time.monotonic() - start, 2),
            }
        candidate_cache.promote(sandbox, staged, build_dir)
        lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
        report = (
            json.loads(lines[-1])
            if lines
            else {"ok": False, "error": (completed.stderr or completed.stdout)[-4000:]}
        )
        report.update(candidate=path, seconds=round(time.monotonic() - start, 2))
        return report

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(build, candidates))
    # Headers the builds asked for (pch.py) are what makes the next batch's builds fast: this
    # process is about to exit, so it waits for them.
    from . import pch

    pch.wait_for_builders(timeout)
    return {"dsl": dsl, "jobs": jobs, "seconds": round(time.monotonic() - start, 2), "candidates": results}
