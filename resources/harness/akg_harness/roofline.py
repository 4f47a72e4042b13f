"""FLOPs and bytes of the task, the device's ceilings, and the speed-of-light check.

FLOPs come from torch's FlopCounterMode over the reference (matrix products,
convolutions, attention; element-wise ops count as zero). Bytes are the least
any implementation must move: every input and parameter read once, every
output written once. A candidate faster than both ceilings allow is flagged.
"""

import torch

from .compare import flatten_outputs
from .inputs import clone, nbytes


def estimate(ctx) -> dict:
    inputs = clone(ctx.sample_inputs)
    flops = None
    try:
        from torch.utils.flop_counter import FlopCounterMode

        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            outputs = flatten_outputs(ctx.reference(*inputs))
        flops = int(counter.get_total_flops()) or None
    except Exception:
        outputs = flatten_outputs(ctx.call_reference(inputs))
    parameters = 0
    if isinstance(ctx.reference, torch.nn.Module):
        parameters = sum(t.numel() * t.element_size() for t in
                         list(ctx.reference.parameters()) + list(ctx.reference.buffers()))
    moved = nbytes(ctx.sample_inputs) + nbytes(outputs) + parameters
    floating = [t for t in ctx.sample_inputs if isinstance(t, torch.Tensor)
                and t.dtype.is_floating_point]
    dtype = str(floating[0].dtype).replace("torch.", "") if floating else "float32"
    return {"flops": flops, "bytes": moved, "dtype": dtype}


def peak_tflops_for(peaks: dict, dtype: str):
    table = (peaks or {}).get("peak_tflops") or {}
    if dtype == "float32":
        # The most permissive fp32 ceiling: a kernel may legitimately use TF32.
        values = [table.get("fp32"), table.get("tf32")]
    elif dtype in ("float16", "bfloat16"):
        values = [table.get("fp16" if dtype == "float16" else "bf16")]
    elif dtype == "float64":
        values = [table.get("fp64")]
    else:
        values = [table.get("fp8"), table.get("int8")]
    values = [v for v in values if v]
    return max(values) if values else None


def section(work: dict, peaks: dict, median_ms) -> dict:
    bandwidth = (peaks or {}).get("peak_bandwidth_gbs")
    peak_flops = peak_tflops_for(peaks, work["dtype"])
    result = {
        "flops": work["flops"], "bytes": work["bytes"], "dtype": work["dtype"],
        "peak_flops": peak_flops * 1e12 if peak_flops else None,
        "peak_tflops": peak_flops, "peak_bandwidth_gbs": bandwidth,
        "arithmetic_intensity": work["flops"] / work["bytes"] if work["flops"] and work["bytes"]
        else None,
        "achieved_tflops": None, "achieved_bandwidth_gbs": None, "floor_ms": None,
        "peaks_source": (peaks or {}).get("source"),
    }
    if median_ms:
        seconds = median_ms / 1e3
        if work["flops"]:
            result["achieved_tflops"] = work["flops"] / seconds / 1e12
        result["achieved_bandwidth_gbs"] = work["bytes"] / seconds / 1e9
    floors = []
    if bandwidth:
        floors.append(work["bytes"] / (bandwidth * 1e9) * 1e3)
    if peak_flops and work["flops"]:
        floors.append(work["flops"] / (peak_flops * 1e12) * 1e3)
    if floors:
        result["floor_ms"] = max(floors)
    return result


def speed_of_light(doc, roofline: dict, median_ms) -> None:
    floor = roofline.get("floor_ms")
    if floor and median_ms and median_ms < floor:
        doc.flag("speed_of_light", (
            f"{median_ms:.4g} ms is below the device's floor of {floor:.4g} ms for this task "
            f"({roofline['bytes']} bytes at {roofline['peak_bandwidth_gbs']} GB/s"
            + (f", {roofline['flops']} FLOPs at {roofline['peak_tflops']} TFLOP/s"
               if roofline.get("flops") else "")
            + "): the kernel skips work, reuses a cached result, or the timing misses work"))
