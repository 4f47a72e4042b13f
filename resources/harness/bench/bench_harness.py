"""Harness benchmarks for docs/benchmarks/harness.md, run on the GPU machine.

  python3 bench/bench_harness.py --out bench.json

1. overhead: warm worker vs a fresh process per candidate (ours, and KernelBench-style)
   on KernelBench level 1 19_ReLU with a Triton candidate;
2. repeat: the same kernel timed in five evaluations (median spread);
3. ncu: the harness's median vs Nsight Compute's kernel duration;
4. cached cuda_c: load time of an already-built candidate in a fresh process.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.dirname(HERE)
TASKS = os.path.join(HARNESS, "..", "tasks", "level1")
sys.path.insert(0, HARNESS)

from akg_harness.api import Worker  # noqa: E402

RELU_TASK = os.path.join(TASKS, "19_ReLU.py")
ADD_TASK = os.path.join(TASKS, "101_Vector_add_large.py")
RELU = os.path.join(HERE, "candidates", "relu_triton.py")
ADD = os.path.join(HERE, "candidates", "add_triton.py")
ADD_CUDA = os.path.join(HERE, "candidates", "add_cuda.py")


def environment():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HARNESS, env.get("PYTHONPATH", "")])
    return env


def trial_gpu_ms(result) -> float:
    """GPU time of the calls the evaluation made (timed, warm-up, correctness, checks)."""
    timing = result["timing"]
    median = timing["candidate"]["median_ms"]
    calls = timing["candidate"]["trials"] + timing["warmup"] + 2  # + plan's estimate calls
    calls += result["correctness"]["trials"] + 1 + 4 + 1 + 8  # trials, rescaled, checks, profile
    gpu = calls * median
    for name in ("eager", "compile"):
        if timing.get("baseline_cache", {}).get(name) == "miss" and timing.get(name):
            gpu += (timing[name]["trials"] + timing["warmup"]) * timing[name]["median_ms"]
    return gpu


def one_shot(task, candidate, dsl, out, extra=()):
    started = time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "akg_harness",
            "evaluate",
            "--task",
            task,
            "--candidate",
            candidate,
            "--dsl",
            dsl,
            "--device",
            "cuda",
            "--out",
            out,
            "--baselines",
            "eager",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=environment(),
        cwd=HARNESS,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-2000:])
    with open(out) as handle:
        return wall, json.load(handle)


def overhead(worker, report, runs):
    warm = []
    worker.evaluate(RELU_TASK, RELU, "triton", device="cuda", baselines=["eager"])
    for _ in range(runs):
        started = time.perf_counter()
        result = worker.evaluate(RELU_TASK, RELU, "triton", device="cuda", baselines=["eager"])
        wall = time.perf_counter() - started
        warm.append(
            {
                "wall_s": wall,
                "gpu_s": trial_gpu_ms(result) / 1e3,
                "median_ms": result["timing"]["candidate"]["median_ms"],
                "status": result["status"],
                "durations": result["durations"],
            }
        )
    fresh = []
    for index in range(runs):
        wall, result = one_shot(RELU_TASK, RELU, "triton", f"/tmp/akg-bench-{index}.json")
        fresh.append({"wall_s": wall, "status": result["status"]})
    kernelbench = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, os.path.join(HERE, "kernelbench_style.py"), RELU_TASK, RELU],
            capture_output=True,
            text=True,
            env=environment(),
        )
        kernelbench.append(
            {"wall_s": time.perf_counter() - started, "output": completed.stdout.strip()[-200:]}
        )
    report["overhead"] = {
        "task": "level1/19_ReLU.py (16 x 16384 fp32)",
        "candidate": "bench/candidates/relu_triton.py",
        "warm": warm,
        "fresh_process_harness": fresh,
        "fresh_process_kernelbench_style": kernelbench,
        "warm_wall_median_s": statistics.median(r["wall_s"] for r in warm),
        "warm_overhead_median_s": statistics.median(r["wall_s"] - r["gpu_s"] for r in warm),
        "fresh_wall_median_s": statistics.median(r["wall_s"] for r in fresh),
        "kernelbench_wall_median_s": statistics.median(r["wall_s"] for r in kernelbench),
    }


def repeat(worker, report, runs):
    medians = []
    for _ in range(runs):
        result = worker.evaluate(ADD_TASK, ADD, "triton", device="cuda", baselines=["eager"])
        timing = result["timing"]["candidate"]
        medians.append(
            {"median_ms": timing["median_ms"], "iqr_ms": timing["iqr_ms"], "trials": timing["trials"]}
        )
    values = [m["median_ms"] for m in medians]
    report["repeat"] = {
        "task": "level1/101_Vector_add_large.py (2 x 32M fp32)",
        "runs": medians,
        "spread_pct": 100 * (max(values) - min(values)) / statistics.median(values),
        "stdev_pct": 100 * statistics.stdev(values) / statistics.mean(values),
    }


def ncu(worker, report):
    result = worker.evaluate(ADD_TASK, ADD, "triton", device="cuda", baselines=["eager"], ncu=True)
    section = result.get("ncu") or {}
    entry = {"harness_median_ms": result["timing"]["candidate"]["median_ms"], "ncu": section}
    if section.get("total"):
        entry["ncu_duration_ms"] = section["total"]["duration_ms"]
        entry["difference_pct"] = (
            100 * (entry["harness_median_ms"] - entry["ncu_duration_ms"]) / entry["ncu_duration_ms"]
        )
    report["ncu"] = entry


def cached_cuda(report, runs):
    loads = []
    for index in range(runs):
        wall, result = one_shot(ADD_TASK, ADD_CUDA, "cuda_c", f"/tmp/akg-bench-cuda-{index}.json")
        loads.append(
            {
                "wall_s": wall,
                "compile_stage_s": result["durations"].get("compile"),
                "build": result["build"],
                "status": result["status"],
            }
        )
    report["cuda_c_cache"] = {
        "runs": loads,
        "build_s": loads[0]["build"]["extensions"][0].get("built_seconds"),
        "cached_load_median_s": statistics.median(r["compile_stage_s"] for r in loads[1:]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report = {"started": time.strftime("%Y-%m-%d %H:%M:%S")}
    steps = [
        ("cached_cuda", lambda w: cached_cuda(report, 3)),
        ("overhead", lambda w: overhead(w, report, args.runs)),
        ("repeat", lambda w: repeat(w, report, args.runs)),
        ("ncu", lambda w: ncu(w, report)),
    ]
    with Worker(warm_device="cuda") as worker:
        for name, step in steps:
            try:
                step(worker)
            except Exception as error:  # report what ran, say what did not
                report[name] = {"error": f"{type(error).__name__}: {error}"}
            with open(args.out, "w") as handle:
                json.dump(report, handle, indent=1, default=str)
    summary = {
        "warm wall per candidate (s)": report.get("overhead", {}).get("warm_wall_median_s"),
        "warm overhead beyond GPU time (s)": report.get("overhead", {}).get("warm_overhead_median_s"),
        "fresh harness process (s)": report.get("overhead", {}).get("fresh_wall_median_s"),
        "fresh KernelBench-style process (s)": report.get("overhead", {}).get("kernelbench_wall_median_s"),
        "repeat spread of medians (%)": report.get("repeat", {}).get("spread_pct"),
        "harness vs ncu duration (%)": report.get("ncu", {}).get("difference_pct"),
        "cached cuda_c load (s)": report.get("cuda_c_cache", {}).get("cached_load_median_s"),
    }
    for key, value in summary.items():
        print(f"{key:40s} {value}")
    for name in ("overhead", "repeat", "ncu", "cuda_c_cache"):
        if "error" in report.get(name, {}):
            print(f"{name}: {report[name]['error'][:500]}")


if __name__ == "__main__":
    main()
