"""GPU checks of the candidate sandbox (run by bench/gpu/sandbox.sh; writes JSON to argv[1]).

1. bwrap alone: wall time of `bwrap <the harness's arguments> /bin/true`, 20 times.
2. Inside the sandbox on the GPU: a Triton JIT candidate, a cuda_c candidate built with
   load_inline (then loaded again from the candidate cache), CUDA-event timing, `--ncu`
   (ncu running inside the sandbox, as the executor starts it).
3. ncu from outside: `ncu ... <sandbox tool> ... python -m akg_harness.ncu_target`, with the
   network namespace and without (ncu talks to its target over a local socket).
4. Cost: wall time per candidate in a warm worker, sandboxed and unsandboxed
   (AKG_SANDBOX_TOOL=none + AKG_ALLOW_UNSANDBOXED=1), same candidates.
5. CUDA under an address-space limit (AKG_SANDBOX_MEMORY_MB): does the context start?
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(ROOT, "resources", "harness")
sys.path.insert(0, HARNESS)
TASKS = os.path.join(ROOT, "resources", "tasks", "level1")
BENCH = os.path.join(HARNESS, "bench", "candidates")
VECTOR_ADD = os.path.join(HARNESS, "tests", "fixtures", "tasks", "vector_add.py")
RELU = (os.path.join(TASKS, "19_ReLU.py"), os.path.join(BENCH, "relu_triton.py"), "triton")
ADD_CUDA = (VECTOR_ADD, os.path.join(BENCH, "add_cuda.py"), "cuda_c")


def summary(result: dict) -> dict:
    timing = result.get("timing") or {}
    ncu = result.get("ncu") or {}
    return {
        "status": result.get("status"),
        "error": (result.get("error") or {}).get("message", "")[-800:],
        "flags": [f["name"] for f in result.get("flags", [])],
        "median_ms": (timing.get("candidate") or {}).get("median_ms"),
        "clock": timing.get("clock"),
        "build": [
            (e.get("cached"), e.get("source")) for e in (result.get("build") or {}).get("extensions", [])
        ],
        "ncu_kernels": len(ncu.get("kernels", [])),
        "ncu_error": str(ncu.get("error"))[:800] if ncu.get("error") else None,
    }


def bwrap_start(report: dict) -> None:
    from akg_harness.sandbox import Sandbox

    sandbox = Sandbox("cuda")
    try:
        command = sandbox.command(["/bin/true"])
        times = []
        for _ in range(20):
            start = time.perf_counter()
            subprocess.run(command, check=True, env=sandbox.environment(), **sandbox.popen_arguments())
            times.append((time.perf_counter() - start) * 1000)
        report["bwrap_true_ms"] = {
            "median": round(statistics.median(times), 2),
            "min": round(min(times), 2),
            "max": round(max(times), 2),
        }
        report["bwrap_command"] = command
        report["process_limit"] = sandbox.process_limit
    finally:
        sandbox.close()


def inside(report: dict) -> None:
    from akg_harness.api import Worker

    checks = {}
    with Worker(warm_device="cuda:0") as worker:
        run = worker.evaluate
        checks["triton_jit"] = summary(
            run(RELU[0], RELU[1], "triton", device="cuda", baselines=["eager"], timeout=240)
        )
        checks["cuda_c_build"] = summary(
            run(*ADD_CUDA[:2], "cuda_c", device="cuda", baselines=["eager"], timeout=400)
        )
        checks["cuda_c_cached"] = summary(
            run(*ADD_CUDA[:2], "cuda_c", device="cuda", baselines=["eager"], timeout=240)
        )
        checks["ncu_inside"] = summary(
            run(RELU[0], RELU[1], "triton", device="cuda", baselines=[], ncu=True, timeout=300)
        )
    report["inside"] = checks


def ncu_outside(report: dict) -> None:
    from akg_harness.ncu import METRICS, RANGE, parse_csv
    from akg_harness.options import EvaluateOptions
    from akg_harness.sandbox import Sandbox
    from akg_harness.supervisor import executor_environment

    results = {}
    for share_network in (False, True):
        sandbox = Sandbox("cuda")
        try:
            options = EvaluateOptions(
                task=sandbox.stage(RELU[0], "task"),
                candidate=sandbox.stage(RELU[1], "candidate"),
                dsl="triton",
                device="cuda",
                build_dir=sandbox.build_dir,
            ).validate()
            spec = os.path.join(sandbox.scratch, "spec.json")
            with open(spec, "w") as handle:
                json.dump(
                    {"options": options.to_dict(), "names": os.path.join(sandbox.scratch, "names.json")},
                    handle,
                )
            os.chmod(spec, 0o666)
            inner = sandbox.command(
                [sys.executable, "-m", "akg_harness.ncu_target", spec], share_network=share_network
            )
            command = [
                "ncu",
                "--clock-control",
                "none",
                "--target-processes",
                "all",
                "--nvtx",
                "--nvtx-include",
                f"{RANGE}/",
                "--metrics",
                ",".join(METRICS),
                "--csv",
                "--page",
                "raw",
                "--print-units",
                "base",
                *inner,
            ]
            start = time.perf_counter()
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=180,
                env=sandbox.environment(executor_environment(None, False)),
                **sandbox.popen_arguments(),
            )
            kernels = parse_csv(completed.stdout)
            results["shared_network" if share_network else "own_network"] = {
                "exit": completed.returncode,
                "kernels": len(kernels),
                "seconds": round(time.perf_counter() - start, 2),
                "tail": (completed.stdout + completed.stderr)[-1500:] if not kernels else "",
            }
        except Exception as error:  # report, never stop the other checks
            results["shared_network" if share_network else "own_network"] = {
                "error": f"{type(error).__name__}: {error}"
            }
        finally:
            sandbox.close()
    report["ncu_outside"] = results


def cost(report: dict) -> None:
    """Per-candidate wall time in a warm worker, sandboxed vs not (a fresh executor each)."""
    from akg_harness.api import Worker

    out = {}
    for mode in ("sandboxed", "unsandboxed"):
        saved = {name: os.environ.get(name) for name in ("AKG_SANDBOX_TOOL", "AKG_ALLOW_UNSANDBOXED")}
        if mode == "unsandboxed":
            os.environ.update(AKG_SANDBOX_TOOL="none", AKG_ALLOW_UNSANDBOXED="1")
        from akg_harness import sandbox as sandbox_module

        sandbox_module.status.cache_clear()
        walls = {"relu_triton": [], "add_cuda": []}
        flags = set()
        with Worker(warm_device="cuda:0") as worker:
            for name, (task, candidate, dsl) in (("relu_triton", RELU), ("add_cuda", ADD_CUDA)):
                for _ in range(4):
                    start = time.perf_counter()
                    result = worker.evaluate(
                        task,
                        candidate,
                        dsl,
                        device="cuda",
                        baselines=["eager"],
                        timing_trials=30,
                        timeout=300,
                    )
                    walls[name].append(round(time.perf_counter() - start, 3))
                    flags.update(f["name"] for f in result.get("flags", []))
        out[mode] = {
            name: {"walls_s": values[1:], "median_s": statistics.median(values[1:])}
            for name, values in walls.items()
        }
        out[mode]["flags"] = sorted(flags)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        sandbox_module.status.cache_clear()
    report["cost"] = out


def address_space_limit(report: dict) -> None:
    code = "import torch; torch.zeros(1, device='cuda'); print('cuda ok')"
    from akg_harness.sandbox import Sandbox

    results = {}
    for megabytes in (8192, 65536):
        os.environ["AKG_SANDBOX_MEMORY_MB"] = str(megabytes)
        sandbox = Sandbox("cpu")  # the CPU default applies the cap; force it on a CUDA start
        try:
            completed = subprocess.run(
                sandbox.command([sys.executable, "-c", code]),
                capture_output=True,
                text=True,
                timeout=120,
                env=sandbox.environment(),
                **sandbox.popen_arguments(),
            )
            results[f"{megabytes}MB"] = (completed.stdout + completed.stderr)[-400:]
        finally:
            sandbox.close()
    os.environ.pop("AKG_SANDBOX_MEMORY_MB", None)
    report["cuda_under_address_space_limit"] = results


def main(out_path: str) -> int:
    from akg_harness.sandbox import status

    report = {"status": status()}
    for step in (bwrap_start, inside, ncu_outside, cost, address_space_limit):
        start = time.perf_counter()
        try:
            step(report)
        except Exception as error:
            report[f"{step.__name__}_error"] = f"{type(error).__name__}: {error}"
        report.setdefault("seconds", {})[step.__name__] = round(time.perf_counter() - start, 1)
        with open(out_path, "w") as handle:
            json.dump(report, handle, indent=2, default=str)
    print(json.dumps(report, indent=2, default=str)[-6000:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else tempfile.mktemp(suffix=".json")))
