"""The optimize step with and without Nsight Compute facts, replayed from hand-written answers.

No model runs here. For each task a hand-written first correct candidate ("start") is verified
with ncu, as the optimize workflow's Verifier does; then two hand-written answers to the
optimize step are timed: "generic", the change the roofline-only prompt's levers suggest for
the start's bound (bigger blocks, more warps), and "targeted", the change the ncu facts point at
(the top stall, the DRAM traffic against the minimum, the hot line). Both answers were written
by hand for this benchmark, so the comparison shows what the facts make visible and what acting
on them is worth, not what a model does with them.

Also measured: the wall time of ncu collection per candidate (the harness's `ncu` stage), a
second collection of the same candidate (served from the cache), and the raw ncu output kept as
test fixtures under OUT/ncu-fixtures/<task>/.

    python3 bench/gpu/optimize/bench_optimize.py OUT            # on the GPU machine
    AKG_BENCH_SMALL=1 TRITON_INTERPRET=1 python3 bench/gpu/optimize/bench_optimize.py OUT --device cpu
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "resources", "harness"))

from akg_harness.api import Worker  # noqa: E402

TASKS = os.path.join(HERE, "tasks")
CANDIDATES = os.path.join(HERE, "candidates")

# task -> (task file, start, generic, targeted); a variant is (candidate file, params).
CASES = {
    "vector_add": (
        os.path.join(ROOT, "resources", "tasks", "level1", "101_Vector_add_large.py"),
        ("vadd.py", {}),
        ("vadd.py", {"BLOCK": 1024}),
        ("vadd.py", {"BLOCK": 4096, "NUM_WARPS": 8}),
    ),
    "softmax": (
        os.path.join(TASKS, "softmax_large.py"),
        ("softmax_three_pass.py", {}),
        ("softmax_three_pass.py", {"BLOCK": 4096}),
        ("softmax_one_pass.py", {}),
    ),
    "column_sum": (
        os.path.join(TASKS, "colsum_large.py"),
        ("colsum_per_column.py", {}),
        ("colsum_per_column.py", {"BLOCK_R": 512}),
        ("colsum_tiled.py", {}),
    ),
    "matmul_fp16": (
        os.path.join(TASKS, "matmul_fp16.py"),
        ("matmul.py", {}),
        ("matmul.py", {"BLOCK_M": 64, "BLOCK_N": 64, "NUM_STAGES": 3}),
        (
            "matmul.py",
            {"BLOCK_M": 128, "BLOCK_N": 128, "BLOCK_K": 64, "GROUP_M": 8, "NUM_WARPS": 8, "NUM_STAGES": 3},
        ),
    ),
    "gelu": (
        os.path.join(TASKS, "gelu_large.py"),
        ("gelu.py", {}),
        ("gelu.py", {"BLOCK": 1024}),
        ("gelu.py", {"BLOCK": 4096, "NUM_WARPS": 8}),
    ),
    "rms_norm": (
        os.path.join(TASKS, "rownorm_large.py"),
        ("rownorm_two_pass.py", {}),
        ("rownorm_two_pass.py", {"BLOCK": 2048}),
        ("rownorm_one_pass.py", {}),
    ),
}


def summary(doc: dict) -> dict:
    timing = doc.get("timing") or {}
    ncu = doc.get("ncu") or {}
    return {
        "status": doc.get("status"),
        "median_ms": (timing.get("candidate") or {}).get("median_ms"),
        "eager_ms": (timing.get("eager") or {}).get("median_ms"),
        "speedup_vs_eager": timing.get("speedup_vs_eager"),
        "ncu_stage_s": (doc.get("durations") or {}).get("ncu"),
        "ncu_collection_s": ncu.get("collection_s"),
        "ncu_cached": ncu.get("cached"),
        "ncu_error": ncu.get("error"),
        "baseline_error": (ncu.get("baseline") or {}).get("error"),
        "source_lines": len((ncu.get("source") or {}).get("lines") or []),
        "error": (doc.get("error") or {}).get("message", "")[:300] or None,
    }


def keep_fixtures(doc: dict, folder: str) -> None:
    """ncu's raw output from the verdict's ncu section, as the files the parser tests read."""
    ncu = doc.get("ncu") or {}
    files = {
        "candidate-raw.csv": ncu.get("raw_csv"),
        "reference-raw.csv": (ncu.get("baseline") or {}).get("raw_csv"),
        "candidate-source.csv": (ncu.get("source") or {}).get("raw_csv"),
    }
    for file, text in files.items():
        if text:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, file), "w") as handle:
                handle.write(text)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--tasks", default=",".join(CASES))
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "verdicts"), exist_ok=True)
    gpu = args.device.startswith("cuda")
    # The ncu section then carries ncu's own CSV output, written out below as test fixtures.
    os.environ["AKG_NCU_RAW"] = "1"
    results = {}
    started = time.monotonic()
    with Worker(warm_device=args.device if gpu else "") as worker:
        for name in args.tasks.split(","):
            task, start, generic, targeted = CASES[name]
            entry = results[name] = {}
            for label, (candidate, params) in (
                ("start", start),
                ("generic", generic),
                ("targeted", targeted),
            ):
                with_ncu = gpu and label in ("start", "targeted")
                t0 = time.monotonic()
                doc = worker.evaluate(
                    task=task,
                    candidate=os.path.join(CANDIDATES, candidate),
                    dsl="triton",
                    device=args.device,
                    params=params or None,
                    ncu=with_ncu,
                    profile=gpu,
                    timing=gpu,
                    timeout=300,
                )
                keep_fixtures(doc, os.path.join(args.out, "ncu-fixtures", name, label))
                entry[label] = dict(
                    summary(doc), candidate=candidate, params=params, wall_s=round(time.monotonic() - t0, 2)
                )
                with open(os.path.join(args.out, "verdicts", f"{name}-{label}.json"), "w") as handle:
                    json.dump(doc, handle, indent=1)
                print(
                    f"{name:12s} {label:8s} {entry[label]['status']:14s} "
                    f"{entry[label]['median_ms']} ms  ncu {entry[label]['ncu_stage_s']} s",
                    flush=True,
                )
            if gpu:
                # The same candidate again: the ncu section comes from the cache.
                t0 = time.monotonic()
                candidate, params = start
                doc = worker.evaluate(
                    task=task,
                    candidate=os.path.join(CANDIDATES, candidate),
                    dsl="triton",
                    device=args.device,
                    params=params or None,
                    ncu=True,
                    timing=False,
                    timeout=300,
                )
                entry["start_again"] = dict(summary(doc), wall_s=round(time.monotonic() - t0, 2))
            with open(os.path.join(args.out, "optimize.json"), "w") as handle:  # kept if the cap stops us
                json.dump(results, handle, indent=1)
    results["_meta"] = {"wall_s": round(time.monotonic() - started, 1), "device": args.device}
    with open(os.path.join(args.out, "optimize.json"), "w") as handle:
        json.dump(results, handle, indent=1)
    print(json.dumps(results["_meta"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
