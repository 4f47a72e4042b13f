"""Verification cost on a GPU: builds, searches, first candidate, tuner evaluations.

  python3 bench/verification.py --out DIR [--budget 280]

Writes DIR/verification.json and DIR/verification.md. Sections (each skipped, and said so,
when the time budget is spent):
  builds       CUDA-C build of three candidates (elementwise, reduction, tiled matmul): torch's
               plain load_inline in a temp dir (before) against the harness's build path (after):
               the precompiled header once, cold, a kernel-body-only change, an unchanged import;
  search_cuda  a 20-candidate CUDA-C search (THREADS varied): builds ahead in parallel
               (precompile) while a warm worker verifies, candidates per minute;
  search_triton the same with 20 Triton variants (BLOCK x num_warps), cold and warm JIT cache;
  first        the first candidate of a new task in a warm worker (baselines cold) and the second;
  tuner        wall time per evaluation of a tuner's configurations, full protocol (before) and
               search protocol (after), on a large elementwise task (GELU 4096 x 65536 fp32).
               With --device cpu, this section alone, on the CPU: a chunked NumPy ReLU on
               4096 x 8192 fp32 (the same comparison where no GPU is at hand).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.dirname(HERE)
TASKS = os.path.join(HARNESS, "..", "tasks", "level1")
CANDIDATES = os.path.join(HERE, "candidates")
sys.path.insert(0, HARNESS)

# (name, candidate, task, kernel-body-only change: (old, new))
BUILDS = [
    ("elementwise", "relu_cuda.py", "19_ReLU.py", ("#define THREADS 256", "#define THREADS 512")),
    (
        "reduction",
        "sum_cuda.py",
        "47_Sum_reduction_over_a_dimension.py",
        ("#define ROWS 8", "#define ROWS 16"),
    ),
    (
        "tiled_matmul",
        "matmul_tiled_cuda.py",
        "1_Square_matrix_multiplication_.py",
        ("constexpr int BM = 64, BN = 64, BK = 16", "constexpr int BM = 64, BN = 64, BK = 8"),
    ),
]

PLAIN = r"""
import importlib.util, json, os, resource, sys, time
start = time.monotonic()
spec = importlib.util.spec_from_file_location("candidate", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": round(time.monotonic() - start, 2),
                  "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2)}))
"""

FAST = r"""
import json, os, resource, sys, time
from akg_harness.cache import cache_dir
from akg_harness.dsl import extension
from akg_harness.loading import load_candidate
from akg_harness.tunables import Tunables
start = time.monotonic()
extension.install()
extension.STATE.build_root = cache_dir("build")
extension.STATE.tunables = Tunables(None)
extension.STATE.dsl = "cuda_c"
extension.STATE.candidate_path = sys.argv[1]
load_candidate(sys.argv[1])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": round(time.monotonic() - start, 2),
                  "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
                  "builds": extension.STATE.builds}, default=str))
"""


class Budget:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


def environment(extra=None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([HARNESS, env.get("PYTHONPATH", "")])
    env.update(extra or {})
    return env


def run_json(code: str, path: str, env: dict, timeout: float) -> dict:
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, path], capture_output=True, text=True, env=env, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "seconds": round(timeout, 1)}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (done.stderr or done.stdout)[-2000:], "seconds": round(time.monotonic() - start, 2)}
    return json.loads(lines[-1])


def variant(source_path: str, old: str, new: str, folder: str, name: str) -> str:
    with open(source_path) as handle:
        text = handle.read()
    assert old in text, f"{old!r} not in {source_path}"
    path = os.path.join(folder, name)
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))
    return path


def arch() -> str:
    import torch

    from akg_harness.dsl.cuda_c import arch_for

    return arch_for(torch.cuda.get_device_capability())


def bench_builds(work: str, budget: Budget) -> dict:
    """Before: each candidate built by torch's load_inline in its own empty TORCH_EXTENSIONS_DIR,
    the three at once (separate processes, the machine's cores shared). After: the harness's
    path with an empty cache, one build at a time."""
    arch_list = arch()
    out = {"arch": arch_list, "cores": os.cpu_count(), "before": {}, "after": {}}
    before_env = environment({"TORCH_CUDA_ARCH_LIST": arch_list})
    processes = {}
    for name, candidate, _task, _change in BUILDS:
        folder = tempfile.mkdtemp(prefix=f"plain-{name}-", dir=work)
        env = dict(before_env, TORCH_EXTENSIONS_DIR=folder)
        processes[name] = subprocess.Popen(
            [sys.executable, "-c", PLAIN, os.path.join(CANDIDATES, candidate)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for name, process in processes.items():
        try:
            stdout, stderr = process.communicate(timeout=max(30, budget.left() - 150))
            lines = [line for line in stdout.splitlines() if line.startswith("{")]
            out["before"][name] = json.loads(lines[-1]) if lines else {"error": stderr[-2000:]}
        except subprocess.TimeoutExpired:
            process.kill()
            out["before"][name] = {"error": "timed out"}
    out["before"]["note"] = (
        "torch's load_inline, cold, the three builds at once in separate "
        "processes; a kernel-body change renames torch's module "
        "(TORCH_EXTENSION_NAME changes), so both objects rebuild: the "
        "same cost again"
    )
    cache = tempfile.mkdtemp(prefix="akg-cache-", dir=work)
    env = environment({"AKG_CACHE_DIR": cache, "TORCH_CUDA_ARCH_LIST": arch_list, "AKG_PCH": "1"})
    # The precompiled header is built once per compiler, torch version and binding flags: the
    # first build pays for it; measured alone here so the per-candidate numbers exclude it.
    first = variant(
        os.path.join(CANDIDATES, "relu_cuda.py"),
        "#define THREADS 256",
        "#define THREADS 128",
        work,
        "pch_warmup.py",
    )
    out["after"]["first_build_with_pch"] = run_json(FAST, first, env, 600)
    for name, candidate, _task, (old, new) in BUILDS:
        if budget.left() < 60:
            out["after"][name] = {"skipped": "time budget spent"}
            continue
        path = os.path.join(CANDIDATES, candidate)
        changed = variant(path, old, new, work, f"changed_{candidate}")
        out["after"][name] = {
            "cold": run_json(FAST, path, env, 600),
            "kernel_body_change": run_json(FAST, changed, env, 600),
            "unchanged": run_json(FAST, path, env, 600),
        }
    return out


def evaluate_many(worker, task: str, paths: list, dsl: str, **options) -> list:
    rows = []
    for path in paths:
        start = time.monotonic()
        result = worker.evaluate(task, path, dsl, device="cuda", baselines="none", **options)
        rows.append(
            {
                "candidate": os.path.basename(path),
                "status": result["status"],
                "seconds": round(time.monotonic() - start, 2),
                "durations": result.get("durations"),
                "median_ms": ((result.get("timing") or {}).get("candidate") or {}).get("median_ms"),
            }
        )
    return rows


def bench_search_cuda(work: str, budget: Budget) -> dict:
    from akg_harness.api import Worker

    folder = tempfile.mkdtemp(prefix="search-cuda-", dir=work)
    source = os.path.join(CANDIDATES, "relu_cuda.py")
    paths = [
        variant(source, "#define THREADS 256", f"#define THREADS {32 * k}", folder, f"relu_{32 * k}.py")
        for k in range(2, 22)
    ]
    task = os.path.join(TASKS, "19_ReLU.py")
    jobs = max(1, min(len(paths), (os.cpu_count() or 2) // 2))
    start = time.monotonic()
    # Builds run ahead on the CPU cores (the runner's precompile); the worker verifies each
    # candidate as soon as its build is in the cache (it waits on the build's lock otherwise).
    builder = subprocess.Popen(
        [sys.executable, "-m", "akg_harness", "precompile", "--dsl", "cuda_c", "--jobs", str(jobs), *paths],
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    with Worker(warm_device="cuda") as worker:
        rows = evaluate_many(worker, task, paths, "cuda_c", timing_trials=50)
    builder.communicate(timeout=max(10, budget.left()))
    seconds = time.monotonic() - start
    return {
        "candidates": len(paths),
        "seconds": round(seconds, 1),
        "candidates_per_minute": round(60 * len(paths) / seconds, 1),
        "precompile_jobs": jobs,
        "rows": rows,
    }


def triton_variants(folder: str) -> list:
    with open(os.path.join(CANDIDATES, "relu_triton.py")) as handle:
        text = handle.read()
    paths = []
    for block in (256, 512, 1024, 2048, 4096):
        for warps in (1, 2, 4, 8):
            source = text.replace("BLOCK = 2048", f"BLOCK = {block}")
            source = source.replace("BLOCK_SIZE=BLOCK)", f"BLOCK_SIZE=BLOCK, num_warps={warps})")
            path = os.path.join(folder, f"relu_{block}_{warps}.py")
            with open(path, "w") as handle:
                handle.write(source)
            paths.append(path)
    return paths


def bench_search_triton(work: str, budget: Budget) -> dict:
    from akg_harness.api import Worker

    folder = tempfile.mkdtemp(prefix="search-triton-", dir=work)
    paths = triton_variants(folder)
    task = os.path.join(TASKS, "19_ReLU.py")
    out = {"candidates": len(paths)}
    for label in ("cold_jit_cache", "warm_jit_cache"):
        if budget.left() < 30:
            out[label] = {"skipped": "time budget spent"}
            continue
        start = time.monotonic()
        with Worker(warm_device="cuda") as worker:
            rows = evaluate_many(worker, task, paths, "triton", timing_trials=50)
        seconds = time.monotonic() - start
        out[label] = {
            "seconds": round(seconds, 1),
            "candidates_per_minute": round(60 * len(paths) / seconds, 1),
            "rows": rows,
        }
    return out


def bench_first(work: str, budget: Budget) -> dict:
    from akg_harness.api import Worker

    # A task file no earlier run has seen, so its baselines are not in the cache.
    task = os.path.join(work, "relu_fresh_task.py")
    with open(os.path.join(TASKS, "19_ReLU.py")) as handle:
        text = handle.read()
    with open(task, "w") as handle:
        handle.write(text + f"\n# fresh {time.time()}\n")
    candidate = os.path.join(CANDIDATES, "relu_triton.py")
    with Worker(warm_device="cuda") as worker:
        worker.evaluate(
            os.path.join(TASKS, "101_Vector_add_large.py"),
            os.path.join(CANDIDATES, "add_triton.py"),
            "triton",
            device="cuda",
            baselines="none",
        )  # the worker is warm: torch, CUDA and Triton loaded
        rows = []
        for label in ("first", "second"):
            start = time.monotonic()
            result = worker.evaluate(task, candidate, "triton", device="cuda")
            rows.append(
                {
                    "candidate": label,
                    "status": result["status"],
                    "seconds": round(time.monotonic() - start, 2),
                    "durations": result["durations"],
                    "baseline_cache": (result.get("timing") or {}).get("baseline_cache"),
                }
            )
    return {"rows": rows}


GELU_TASK = """import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.nn.functional.gelu(x)


batch_size = 4096
dim = 65536


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
"""

GELU_TRITON = """import torch
import torch.nn as nn
import triton
import triton.language as tl

BLOCK = 1024  # akg:tune [512, 1024, 2048, 4096]
TUNABLES = {"BLOCK": [512, 1024, 2048, 4096]}


@triton.jit
def gelu_kernel(x_ptr, out_ptr, n, BLOCK_SIZE: tl.constexpr):
    offsets = tl.program_id(0).to(tl.int64) * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    y = 0.5 * x * (1.0 + tl.erf(x * 0.7071067811865476))
    tl.store(out_ptr + offsets, y, mask=mask)


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        out = torch.empty_like(x)
        n = x.numel()
        gelu_kernel[(triton.cdiv(n, BLOCK),)](x, out, n, BLOCK_SIZE=BLOCK)
        return out
"""


RELU_NUMPY = """import numpy as np
import torch
import torch.nn as nn

CHUNK = 65536  # akg:tune [65536, 262144, 1048576, 4194304]


class ModelNew(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        flat = x.detach().contiguous().numpy().reshape(-1)
        out = np.empty_like(flat)
        for start in range(0, flat.size, CHUNK):
            np.maximum(flat[start : start + CHUNK], 0, out=out[start : start + CHUNK])
        return torch.from_numpy(out.reshape(x.shape))
"""


def bench_tuner(work: str, budget: Budget, device: str = "cuda") -> dict:
    """The requests the tuner sends for its configurations: before, the full protocol (five
    trials and every check) each time; after, the search protocol. No baselines either way.
    On the CPU (`--device cpu`): a chunked NumPy ReLU on 4096 x 8192 fp32 (128 MiB).
    Each row is printed as it is measured."""
    from akg_harness.api import Worker

    if device == "cpu":
        task_text = GELU_TASK.replace("dim = 65536", "dim = 8192").replace(
            "torch.nn.functional.gelu(x)", "torch.relu(x)"
        )
        candidate_text, dsl, key, values = RELU_NUMPY, "numpy", "CHUNK", [65536, 262144, 1048576, 4194304]
        described = "ReLU 4096 x 8192 fp32 (128 MiB input), a chunked NumPy candidate, on the CPU"
    else:
        task_text, candidate_text, dsl, key, values = (
            GELU_TASK,
            GELU_TRITON,
            "triton",
            "BLOCK",
            [512, 1024, 2048, 4096],
        )
        described = (
            "GELU 4096 x 65536 fp32 (1 GiB input; KernelBench's 4096 x 393216 is 6 GiB "
            "per tensor and would not fit this script's time budget)"
        )
    task = os.path.join(work, "tuner_task.py")
    candidate = os.path.join(work, "tuner_candidate.py")
    for path, text in ((task, task_text), (candidate, candidate_text)):
        with open(path, "w") as handle:
            handle.write(text)
    out = {"task": described}
    with Worker(warm_device=device) as worker:
        worker.evaluate(
            task, candidate, dsl, device=device, baselines="none", protocol="search", timing_trials=20
        )  # compile and cache warm-up
        for label, protocol in (("after_search", "search"), ("before_full", "full")):
            if budget.left() < 20:
                out[label] = {"skipped": "time budget spent"}
                continue
            rows = []
            for value in values:
                if budget.left() < 20:
                    break
                start = time.monotonic()
                result = worker.evaluate(
                    task,
                    candidate,
                    dsl,
                    device=device,
                    baselines="none",
                    params={key: value},
                    protocol=protocol,
                    timing_trials=20,
                )
                rows.append(
                    {
                        key: value,
                        "status": result["status"],
                        "seconds": round(time.monotonic() - start, 2),
                        "durations": result["durations"],
                    }
                )
                print(label, json.dumps(rows[-1]), flush=True)
            out[label] = {
                "rows": rows,
                "seconds_per_evaluation": round(sum(r["seconds"] for r in rows) / max(len(rows), 1), 2),
            }
    return out


def markdown(report: dict) -> str:
    lines = ["# Verification cost (bench/verification.py)", "", f"{report['environment']}", ""]
    builds = report.get("builds") or {}
    if builds.get("before"):
        lines += [
            "## CUDA-C builds",
            "",
            f"arch {builds.get('arch')}, {builds.get('cores')} cores",
            "",
            "| candidate | before: torch load_inline, cold (s) | after: cold (s) | "
            "after: kernel-body change (s) | after: unchanged (s) |",
            "|---|---|---|---|---|",
        ]
        for name, *_ in BUILDS:
            before = builds["before"].get(name, {})
            after = builds["after"].get(name, {})
            lines.append(
                f"| {name} | {before.get('seconds', before.get('error', '-'))} | "
                f"{(after.get('cold') or {}).get('seconds', '-')} | "
                f"{(after.get('kernel_body_change') or {}).get('seconds', '-')} | "
                f"{(after.get('unchanged') or {}).get('seconds', '-')} |"
            )
        first = builds["after"].get("first_build_with_pch") or {}
        lines += [
            "",
            f"First build on this toolchain (precompiled header included): {first.get('seconds')} s",
            "",
        ]
    for key in ("search_cuda", "search_triton", "first", "tuner"):
        if key in report:
            lines += [f"## {key}", "", "```", json.dumps(report[key], indent=1)[:6000], "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--budget", type=float, default=280.0)
    parser.add_argument("--only", help="comma list of sections")
    parser.add_argument("--device", default="cuda", help="cpu: the tuner section only, on the CPU")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    budget = Budget(args.budget)
    work = tempfile.mkdtemp(prefix="akg-verification-")
    os.environ.setdefault("AKG_CACHE_DIR", os.path.join(work, "cache"))
    import torch

    if args.device == "cpu":
        args.only = "tuner"
    device_name = torch.cuda.get_device_name() if args.device != "cpu" else f"CPU, {os.cpu_count()} cores"
    report = {
        "environment": f"{device_name}, torch {torch.__version__}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    }
    sections = [
        ("builds", bench_builds, 120),
        ("search_cuda", bench_search_cuda, 60),
        ("search_triton", bench_search_triton, 30),
        ("first", bench_first, 20),
        ("tuner", lambda work, budget: bench_tuner(work, budget, args.device), 25),
    ]
    only = set(args.only.split(",")) if args.only else None
    for name, function, needs in sections:
        if only and name not in only:
            continue
        if budget.left() < needs:
            report[name] = {"skipped": f"time budget spent ({budget.left():.0f} s left)"}
            continue
        start = time.monotonic()
        try:
            report[name] = function(work, budget)
        except Exception as error:  # one section failing must not lose the others
            report[name] = {"error": f"{type(error).__name__}: {error}"}
        report.setdefault("section_seconds", {})[name] = round(time.monotonic() - start, 1)
        with open(os.path.join(args.out, "verification.json"), "w") as handle:
            json.dump(report, handle, indent=1, default=str)
    with open(os.path.join(args.out, "verification.md"), "w") as handle:
        handle.write(markdown(report))
    print(markdown(report)[:3000])
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
