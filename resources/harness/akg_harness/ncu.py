"""`--ncu`: Nsight Compute metrics for the candidate's kernels and for the eager baseline.

ncu runs a separate process (ncu_target) that loads the same task and candidate
through the same adapters and build cache, warms up, and calls forward() once
inside an NVTX range; only kernels in that range are profiled. The same target run
with `side: reference` profiles the task's own Model (the eager baseline). Clocks
are left as the card has them (`--clock-control none`).

Both sides are cached on disk: the candidate by its source, params, task and device;
the baseline by task and device, so a run profiles the eager model once. A metric this
ncu or GPU does not know is dropped and the collection retried, so one unknown name
never costs the whole section.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .ncu_metrics import METRICS, parse_csv, totals, unknown_metrics

RANGE = "akg_ncu"
# Bump when the metric set or the document shape changes, so old cache entries are not reused.
CACHE_VERSION = 3  # 3: the source page read from the cuda,sass view (2025 layout)


def _command(spec_path: str, metrics: list, report: str = None) -> list:
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
        ",".join(metrics),
    ]
    if report:
        # Source counters (per-line stall samples) ride in the same replayed pass.
        command += [
            "--section",
            "SourceCounters",
            "--import-source",
            "yes",
            "--export",
            report,
            "--force-overwrite",
        ]
    else:
        command += ["--csv", "--page", "raw", "--print-units", "base"]
    return command + [sys.executable, "-m", "akg_harness.ncu_target", spec_path]


def _run(command: list, timeout: float):
    # This runs in the executor, inside its sandbox: its environment is already the
    # allow-listed one, with home, temp and caches pointing inside the sandbox.
    environment = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            filter(
                None,
                [
                    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    os.environ.get("PYTHONPATH", ""),
                ],
            )
        ),
    )
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)


def _raw_page(report: str, timeout: float) -> subprocess.CompletedProcess:
    return _run(["ncu", "--import", report, "--csv", "--page", "raw", "--print-units", "base"], timeout)


def collect(options, side: str, timeout: float, workdir: str, with_source: bool, handover=None) -> dict:
    """One side's kernels: {"kernels", "total", "collection_s", ...} or {"error"}; never raises.
    `handover`: a folder where the target leaves the measured forward's output (file `ncu`)."""
    spec_path = os.path.join(workdir, f"spec-{side}.json")
    names_path = os.path.join(workdir, f"names-{side}.json")
    with open(spec_path, "w") as handle:
        json.dump(
            {"options": options.to_dict(), "names": names_path, "side": side, "handover": handover}, handle
        )
    metrics = list(METRICS)
    dropped = []
    started = time.monotonic()
    report = os.path.join(workdir, f"{side}") if with_source else None
    for _attempt in range(3):
        command = _command(spec_path, metrics, report)
        try:
            completed = _run(command, max(1.0, timeout - (time.monotonic() - started)))
            output = completed.stdout
            if report and completed.returncode == 0:
                page = _raw_page(report + ".ncu-rep", max(1.0, timeout - (time.monotonic() - started)))
                output = page.stdout
                completed = subprocess.CompletedProcess(
                    command, page.returncode, page.stdout, completed.stderr + page.stderr
                )
        except subprocess.TimeoutExpired:
            return {"error": f"ncu did not finish within {timeout:.0f} s"}
        kernels = parse_csv(output)
        if kernels:
            break
        unknown = unknown_metrics(completed.stdout + completed.stderr)
        if not unknown:
            tail = (completed.stdout + completed.stderr)[-3000:]
            return {"error": f"ncu produced no kernel rows (exit {completed.returncode}): {tail}"}
        dropped += unknown
        metrics = [name for name in metrics if name not in unknown]
    else:
        return {"error": f"ncu rejected metrics repeatedly: {', '.join(dropped)}"}
    names = set()
    try:
        with open(names_path) as handle:
            names = set(json.load(handle))
    except (OSError, ValueError):
        pass
    for kernel in kernels:
        kernel["dsl"] = side == "candidate" and any(name in kernel["name"] for name in names)
    result = {
        "kernels": kernels,
        "total": totals(kernels),
        "collection_s": round(time.monotonic() - started, 3),
        "command": " ".join(command[:9]) + " ...",
    }
    if dropped:
        result["metrics_unavailable"] = dropped
    if raw_copy(output) is not None:
        result["raw_csv"] = raw_copy(output)
    if report and os.path.exists(report + ".ncu-rep"):
        from .ncu_source import source_hot_spots

        result["source"] = source_hot_spots(
            report + ".ncu-rep", options.candidate, timeout=max(5.0, timeout - (time.monotonic() - started))
        )
    return result


# ncu's own output kept in the section (AKG_NCU_RAW=1), cut to this size: the benchmark stores
# it as test fixtures, and the sandbox gives the executor no folder outside itself to write to.
RAW_LIMIT = 200_000


def raw_copy(text: str):
    return text[:RAW_LIMIT] if os.environ.get("AKG_NCU_RAW") == "1" else None


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def _device_name(options) -> str:
    try:
        import torch

        index = int(options.device.split(":")[1]) if ":" in options.device else 0
        return torch.cuda.get_device_name(index)
    except Exception:
        return options.device


def _cached(kind: str, key: str, produce):
    from .cache import cache_dir, read_json, write_json_atomic

    path = os.path.join(cache_dir("ncu"), f"{kind}-{key[:40]}.json")
    hit = read_json(path)
    if isinstance(hit, dict) and hit.get("kernels"):
        return dict(hit, cached=True)
    value = produce()
    if value.get("kernels"):
        write_json_atomic(path, value)
    return dict(value, cached=False)


def run_ncu(options, timeout: float, handover=None, metrics: bool = True) -> dict:
    """{"kernels": [...], "total": {...}, "baseline": {...}, ...} or {"error": ...}; never raises.
    With `handover` (a timing confirmation) the candidate side is measured afresh, never taken
    from the cache, and its measured forward's output is left there for the reference process.
    `metrics=False` (a confirmation alone): no source counters and no baseline side."""
    if shutil.which("ncu") is None:
        return {"error": "ncu is not on PATH"}
    from .cache import digest

    workdir = tempfile.mkdtemp(prefix="akg-ncu-")
    try:
        device = _device_name(options)
        task = _read_text(options.task)
        budget = timeout / 2
        with_source = metrics and os.environ.get("AKG_NCU_SOURCE", "1") != "0"
        candidate_key = digest(
            CACHE_VERSION,
            "candidate",
            _read_text(options.candidate),
            options.params or {},
            task,
            device,
            options.dsl,
            with_source,
        )
        if handover:
            candidate = dict(
                collect(options, "candidate", budget, workdir, with_source, handover), cached=False
            )
        else:
            candidate = _cached(
                "candidate",
                candidate_key,
                lambda: collect(options, "candidate", budget, workdir, with_source),
            )
        if "error" in candidate and with_source:
            # Source counters need line info and a writable report; the metrics alone still help.
            source_error = candidate["error"]
            candidate = collect(options, "candidate", budget, workdir, False)
            candidate["source"] = {"error": source_error[-600:]}
        if "error" in candidate:
            return candidate
        if not metrics:
            return {**candidate, "purpose": "confirmation", "clock_control": "none", "device_name": device}
        baseline_key = digest(CACHE_VERSION, "reference", task, device)
        baseline = _cached(
            "reference", baseline_key, lambda: collect(options, "reference", budget, workdir, False)
        )
        return {**candidate, "baseline": baseline, "clock_control": "none", "device_name": device}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
