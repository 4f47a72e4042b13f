"""`--ncu`: Nsight Compute metrics for the candidate's kernels.

ncu runs a separate process (ncu_target) that loads the same task and candidate
through the same adapters and build cache, warms up, and calls forward() once
inside an NVTX range; only kernels in that range are profiled. Clocks are left
as the card has them (`--clock-control none`).
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

METRICS = {
    "gpu__time_duration.sum": "duration_ns",
    "dram__throughput.avg.pct_of_peak_sustained_elapsed": "dram_throughput_pct",
    "sm__throughput.avg.pct_of_peak_sustained_elapsed": "sm_throughput_pct",
    "sm__warps_active.avg.pct_of_peak_sustained_active": "achieved_occupancy_pct",
    "launch__registers_per_thread": "registers_per_thread",
    "launch__shared_mem_per_block_static": "shared_mem_static_bytes",
    "launch__shared_mem_per_block_dynamic": "shared_mem_dynamic_bytes",
    "dram__bytes_read.sum": "dram_bytes_read",
    "dram__bytes_write.sum": "dram_bytes_write",
    "launch__grid_size": "grid_size",
    "launch__block_size": "block_size",
    "sm__sass_thread_inst_executed_op_ffma_pred_on.sum": "ffma",
    "sm__sass_thread_inst_executed_op_fadd_pred_on.sum": "fadd",
    "sm__sass_thread_inst_executed_op_fmul_pred_on.sum": "fmul",
    "sm__sass_thread_inst_executed_op_hfma_pred_on.sum": "hfma",
    "sm__sass_thread_inst_executed_op_hadd_pred_on.sum": "hadd",
    "sm__sass_thread_inst_executed_op_hmul_pred_on.sum": "hmul",
    "sm__sass_thread_inst_executed_op_dfma_pred_on.sum": "dfma",
    "sm__sass_thread_inst_executed_op_dadd_pred_on.sum": "dadd",
    "sm__sass_thread_inst_executed_op_dmul_pred_on.sum": "dmul",
}
RANGE = "akg_ncu"


def _number(text: str):
    text = (text or "").replace(",", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def parse_csv(output: str) -> list:
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('"ID"')), None)
    if start is None:
        return []
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    header, body = rows[0], [r for r in rows[1:] if r and r[0].strip().isdigit()]
    kernels = []
    for row in body:
        record = dict(zip(header, row))
        kernel = {"name": record.get("Kernel Name", "")}
        for metric, key in METRICS.items():
            kernel[key] = _number(record.get(metric))
        ops = [kernel.get(k) or 0 for k in ("ffma", "hfma", "dfma")]
        singles = [kernel.get(k) or 0 for k in ("fadd", "fmul", "hadd", "hmul", "dadd", "dmul")]
        kernel["flops"] = 2 * sum(ops) + sum(singles)
        kernel["duration_ms"] = (kernel.pop("duration_ns") or 0) / 1e6
        kernel["shared_mem_bytes"] = (kernel.get("shared_mem_static_bytes") or 0) + \
            (kernel.get("shared_mem_dynamic_bytes") or 0)
        kernel["dram_bytes"] = (kernel.get("dram_bytes_read") or 0) + \
            (kernel.get("dram_bytes_write") or 0)
        kernels.append(kernel)
    return kernels


def run_ncu(options, timeout: float) -> dict:
    """{"kernels": [...], "total": {...}} or {"error": ...}; never raises."""
    if shutil.which("ncu") is None:
        return {"error": "ncu is not on PATH"}
    workdir = tempfile.mkdtemp(prefix="akg-ncu-")
    spec_path = os.path.join(workdir, "spec.json")
    names_path = os.path.join(workdir, "names.json")
    with open(spec_path, "w") as handle:
        json.dump({"options": options.to_dict(), "names": names_path}, handle)
    command = ["ncu", "--clock-control", "none", "--target-processes", "all", "--nvtx",
               "--nvtx-include", f"{RANGE}/", "--metrics", ",".join(METRICS), "--csv",
               "--page", "raw", "--print-units", "base",
               sys.executable, "-m", "akg_harness.ncu_target", spec_path]
    from .supervisor import executor_environment

    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                   env=executor_environment())
    except subprocess.TimeoutExpired:
        return {"error": f"ncu did not finish within {timeout:.0f} s"}
    kernels = parse_csv(completed.stdout)
    if not kernels:
        tail = (completed.stdout + completed.stderr)[-3000:]
        return {"error": f"ncu produced no kernel rows (exit {completed.returncode}): {tail}"}
    names = set()
    try:
        with open(names_path) as handle:
            names = set(json.load(handle))
    except (OSError, ValueError):
        pass
    for kernel in kernels:
        kernel["dsl"] = any(name in kernel["name"] for name in names)
    total = {
        "duration_ms": sum(k["duration_ms"] for k in kernels),
        "dsl_duration_ms": sum(k["duration_ms"] for k in kernels if k["dsl"]),
        "dram_bytes": sum(k["dram_bytes"] for k in kernels),
        "flops": sum(k["flops"] for k in kernels),
    }
    shutil.rmtree(workdir, ignore_errors=True)
    return {"kernels": kernels, "total": total, "clock_control": "none",
            "command": " ".join(command[:14]) + " ..."}
