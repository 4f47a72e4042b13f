"""Build cpp / cuda_c candidates in parallel CPU processes, ahead of the GPU.

Each candidate is imported in its own process through the same build hook the
executor uses, so its extension lands in the shared build cache; the executor
then loads it in well under a second. No device is needed: give --arch for
cuda_c where no GPU is visible.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time

from .supervisor import executor_environment


def precompile(candidates: list, dsl: str, build_dir=None, jobs: int = 0, arch=None,
               params=None, timeout: float = 1800.0) -> dict:
    jobs = jobs or max(1, min(len(candidates), os.cpu_count() or 1))
    environment = executor_environment()
    if arch:
        environment["TORCH_CUDA_ARCH_LIST"] = arch
    # Each build runs ninja with MAX_JOBS workers; split the cores between builds.
    environment.setdefault("MAX_JOBS", str(max(1, (os.cpu_count() or 1) // jobs)))

    def build(path: str) -> dict:
        start = time.monotonic()
        spec = json.dumps({"candidate": os.path.abspath(path), "dsl": dsl,
                           "build_dir": build_dir, "params": params})
        try:
            completed = subprocess.run([sys.executable, "-m", "akg_harness.precompile_one", spec],
                                       capture_output=True, text=True, timeout=timeout,
                                       env=environment)
        except subprocess.TimeoutExpired:
            return {"candidate": path, "ok": False, "error": f"timed out after {timeout:.0f} s",
                    "seconds": round(time.monotonic() - start, 2)}
        lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
        report = json.loads(lines[-1]) if lines else {
            "ok": False, "error": (completed.stderr or completed.stdout)[-4000:]}
        report.update(candidate=path, seconds=round(time.monotonic() - start, 2))
        return report

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(build, candidates))
    return {"dsl": dsl, "jobs": jobs, "seconds": round(time.monotonic() - start, 2),
            "candidates": results}
