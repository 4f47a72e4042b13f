"""Wall time per candidate in a warm worker: the supervised verdict against the in-process path.

    PYTHONPATH=resources/harness python3 resources/harness/bench/verdict_cost.py \
        --task T.py --candidate C.py --dsl triton --device cuda --count 6 --out cost.json

`supervised`: api.Worker (the serve path): a fresh executor per candidate from the
warm spare, outputs handed over as files, compared by the reference process, baselines
timed there, the median confirmed on the supervisor's clock. `in_process`: the same
pipeline in one long-lived process with nothing of that (the old executor's work, minus
its pipe), which is what "before" measures. The first candidate of each mode warms
caches and is not counted; every later one is, back to back, the way a tuner calls.
The same options for both (a fixed trial count, so both time the same number of calls).
"""

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def supervised(args, options: dict) -> list:
    from akg_harness.api import Worker

    times, documents = [], []
    with Worker(warm_device=args.device) as worker:
        for _ in range(args.count):
            started = time.perf_counter()
            documents.append(
                worker.evaluate(args.task, args.candidate, args.dsl, device=args.device, **options)
            )
            times.append(time.perf_counter() - started)
            time.sleep(args.gap)
    return times, documents


def in_process(args, options: dict) -> list:
    from akg_harness.api import evaluate

    times, documents = [], []
    for _ in range(args.count):
        started = time.perf_counter()
        documents.append(
            evaluate(args.task, args.candidate, args.dsl, device=args.device, isolate=False, **options)
        )
        times.append(time.perf_counter() - started)
        time.sleep(args.gap)
    return times, documents


def summary(times: list, documents: list) -> dict:
    counted = times[1:] or times
    last = documents[-1]
    return {
        "seconds_per_candidate": statistics.median(counted),
        "all_seconds": times,
        "status": [d["status"] for d in documents],
        "durations_last": last.get("durations"),
        "executor_start_last": (last.get("environment") or {}).get("executor_start_seconds"),
        "executor_wait_all": [(d.get("durations") or {}).get("executor_wait") for d in documents],
        "confirmation_last": (last.get("timing") or {}).get("confirmation"),
        # Per candidate: which clocks confirmed the median, and the ncu stage's seconds (an
        # automatic ncu confirmation shows here when the wall clock could not confirm).
        "confirmed_by_all": [
            [
                m.get("method")
                for m in (((d.get("timing") or {}).get("confirmation") or {}).get("methods") or [])
                if m.get("confirmed")
            ]
            for d in documents
        ],
        "ncu_seconds_all": [(d.get("durations") or {}).get("ncu") for d in documents],
        "flags_last": [f["name"] for f in last.get("flags", [])],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", required=True)
    parser.add_argument("--candidate", required=True)
    parser.add_argument("--dsl", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--timing-trials", type=int, default=20)
    parser.add_argument(
        "--gap", type=float, default=0.0, help="seconds between candidates (a model writing the next one)"
    )
    parser.add_argument("--modes", default="in_process,supervised")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.device == "cpu":
        os.environ.setdefault("TRITON_INTERPRET", "1")
    options = {
        "timing_trials": args.timing_trials,
        "warmup": 2,
        "correctness_trials": 5,
        "baselines": "eager",
    }
    report = {
        "task": args.task,
        "candidate": args.candidate,
        "dsl": args.dsl,
        "device": args.device,
        "count": args.count,
        "gap_s": args.gap,
        "options": options,
    }
    for mode in args.modes.split(","):
        times, documents = {"supervised": supervised, "in_process": in_process}[mode](args, options)
        report[mode] = summary(times, documents)
        print(mode, json.dumps(report[mode]["all_seconds"]), report[mode]["status"][-1], flush=True)
    if "supervised" in report and "in_process" in report:
        report["added_seconds_per_candidate"] = (
            report["supervised"]["seconds_per_candidate"] - report["in_process"]["seconds_per_candidate"]
        )
        print("added per candidate:", round(report["added_seconds_per_candidate"], 3), "s")
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
