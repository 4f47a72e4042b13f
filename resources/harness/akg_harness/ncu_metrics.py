"""The curated Nsight Compute metric set and the parser of ncu's raw CSV page.

One `ncu --metrics` pass per kernel (kernel replay) collects what an optimiser reads first:
speed of light (compute and memory), achieved and theoretical occupancy with the per-resource
block limits that set it, warp stall reasons, L1/L2 hit rates, DRAM bytes, tensor-pipe use,
registers and local-memory spills, and the FP instruction counts the roofline uses.
Names are ncu 2023-2025 metric names (`ncu --query-metrics` lists them on a machine).
"""

import csv
import io

# Metric -> short key in the result document.
CORE = {
    "gpu__time_duration.sum": "duration_ns",
    "sm__throughput.avg.pct_of_peak_sustained_elapsed": "sm_throughput_pct",
    "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed": "memory_throughput_pct",
    "dram__throughput.avg.pct_of_peak_sustained_elapsed": "dram_throughput_pct",
    "sm__warps_active.avg.pct_of_peak_sustained_active": "achieved_occupancy_pct",
    "sm__maximum_warps_per_active_cycle_pct": "theoretical_occupancy_pct",
    "launch__occupancy_limit_registers": "block_limit_registers",
    "launch__occupancy_limit_shared_mem": "block_limit_shared_mem",
    "launch__occupancy_limit_warps": "block_limit_warps",
    "launch__occupancy_limit_blocks": "block_limit_blocks",
    "launch__waves_per_multiprocessor": "waves_per_sm",
    "launch__registers_per_thread": "registers_per_thread",
    "launch__shared_mem_per_block_static": "shared_mem_static_bytes",
    "launch__shared_mem_per_block_dynamic": "shared_mem_dynamic_bytes",
    "launch__grid_size": "grid_size",
    "launch__block_size": "block_size",
    "l1tex__t_sector_hit_rate.pct": "l1_hit_rate_pct",
    "lts__t_sector_hit_rate.pct": "l2_hit_rate_pct",
    "dram__bytes_read.sum": "dram_bytes_read",
    "dram__bytes_write.sum": "dram_bytes_write",
    "sm__pipe_tensor_cycles_active.avg.pct_of_peak_sustained_active": "tensor_pipe_pct",
    "smsp__sass_inst_executed_op_local_ld.sum": "local_load_inst",
    "smsp__sass_inst_executed_op_local_st.sum": "local_store_inst",
    "smsp__issue_active.avg.pct_of_peak_sustained_active": "issue_active_pct",
}

FLOP_COUNTS = {
    f"sm__sass_thread_inst_executed_op_{op}_pred_on.sum": op
    for op in ("ffma", "fadd", "fmul", "hfma", "hadd", "hmul", "dfma", "dadd", "dmul")
}

# Warp stall reasons: average warps stalled per issued instruction (the Warp State section's
# unit), so the reasons add up to the cycles between two issues of a warp.
STALL_REASONS = (
    "long_scoreboard",
    "short_scoreboard",
    "wait",
    "mio_throttle",
    "lg_throttle",
    "barrier",
    "math_pipe_throttle",
    "dispatch_stall",
    "no_instruction",
    "not_selected",
    "branch_resolving",
    "membar",
    "drain",
    "imc_miss",
    "tex_throttle",
    "sleeping",
)
STALLS = {
    f"smsp__average_warps_issue_stalled_{reason}_per_issue_active.ratio": reason for reason in STALL_REASONS
}

METRICS = {**CORE, **FLOP_COUNTS, **{name: f"stall_{reason}" for name, reason in STALLS.items()}}


def _number(text):
    text = (text or "").replace(",", "").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def occupancy_limiter(kernel: dict):
    """The resource that caps resident blocks per SM (the smallest launch__occupancy_limit_*)."""
    limits = {
        name: kernel.get(f"block_limit_{name}") for name in ("registers", "shared_mem", "warps", "blocks")
    }
    known = {name: value for name, value in limits.items() if isinstance(value, (int, float))}
    if not known:
        return None
    return min(known, key=lambda name: (known[name], name != "registers"))


def kernel_record(record: dict) -> dict:
    kernel = {"name": record.get("Kernel Name", "")}
    for metric, key in CORE.items():
        kernel[key] = _number(record.get(metric))
    ops = {key: _number(record.get(metric)) or 0 for metric, key in FLOP_COUNTS.items()}
    kernel["flops"] = 2 * (ops["ffma"] + ops["hfma"] + ops["dfma"]) + sum(
        ops[k] for k in ("fadd", "fmul", "hadd", "hmul", "dadd", "dmul")
    )
    stalls = {reason: _number(record.get(metric)) for metric, reason in STALLS.items()}
    kernel["stalls"] = {reason: value for reason, value in stalls.items() if value is not None}
    kernel["duration_ms"] = (kernel.pop("duration_ns") or 0) / 1e6
    kernel["shared_mem_bytes"] = (kernel.get("shared_mem_static_bytes") or 0) + (
        kernel.get("shared_mem_dynamic_bytes") or 0
    )
    kernel["dram_bytes"] = (kernel.get("dram_bytes_read") or 0) + (kernel.get("dram_bytes_write") or 0)
    local = (kernel.get("local_load_inst") or 0) + (kernel.get("local_store_inst") or 0)
    kernel["spills"] = local if kernel.get("local_load_inst") is not None else None
    kernel["occupancy_limiter"] = occupancy_limiter(kernel)
    return kernel


def parse_csv(output: str) -> list:
    """Kernels of `ncu --csv --page raw` output: one row per profiled kernel, a units row after
    the header. Lines before the header (ncu's ==PROF== log) are skipped."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('"ID"')), None)
    if start is None:
        return []
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    header, body = rows[0], [r for r in rows[1:] if r and r[0].strip().isdigit()]
    return [kernel_record(dict(zip(header, row))) for row in body]


def totals(kernels: list) -> dict:
    return {
        "duration_ms": sum(k["duration_ms"] for k in kernels),
        "dsl_duration_ms": sum(k["duration_ms"] for k in kernels if k.get("dsl")),
        "dram_bytes": sum(k["dram_bytes"] for k in kernels),
        "flops": sum(k["flops"] for k in kernels),
    }


def unknown_metrics(text: str) -> list:
    """Our metric names that ncu's error output names as not found on this GPU or version."""
    return [
        name
        for name in METRICS
        if name in text
        and (
            "not found" in text.lower()
            or "failed to find" in text.lower()
            or "invalid" in text.lower()
            or "not available" in text.lower()
        )
    ]
