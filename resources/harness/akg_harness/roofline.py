"""FLOPs and bytes of the task, the device's ceilings, and the speed-of-light check.

FLOPs come from torch's FlopCounterMode over the reference (matrix products,
convolutions, attention; element-wise ops count as zero). Bytes are the least
any implementation must move: every input and parameter read once, every
output written once. A candidate faster than both ceilings allow is flagged.
"""

import re

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
        parameters = sum(
            t.numel() * t.element_size()
            for t in list(ctx.reference.parameters()) + list(ctx.reference.buffers())
        )
    moved = nbytes(ctx.sample_inputs) + nbytes(outputs) + parameters
    floating = [t for t in ctx.sample_inputs if isinstance(t, torch.Tensor) and t.dtype.is_floating_point]
    dtype = str(floating[0].dtype).replace("torch.", "") if floating else "float32"
    return {"flops": flops, "bytes": moved, "dtype": dtype}


# Source markers of TF32 arithmetic in a candidate (any DSL). Triton's tl.dot on fp32
# inputs is TF32 by default, so a tl.dot counts unless the source asks for "ieee".
TF32_SOURCE = re.compile(
    r"input_precision\s*=\s*['\"]tf32|allow_tf32\s*=\s*True|"
    r"set_float32_matmul_precision\(\s*['\"](high|medium)|"
    r"precision::tf32|\.tf32\b|__float_to_tf32|CUBLAS_TF32|"
    r"TF32_TENSOR_OP"
)
IEEE_DOT = re.compile(r"input_precision\s*=\s*['\"]ieee|allow_tf32\s*=\s*False")


def tf32_evidence(source: str, dsl: str, torch_allows_tf32: bool):
    """Why the candidate's fp32 math may run as TF32, or None when nothing says so."""
    match = TF32_SOURCE.search(source or "")
    if match:
        return f"the source uses TF32 ({match.group(0).strip()!r})"
    if dsl == "triton" and "tl.dot(" in (source or "") and not IEEE_DOT.search(source):
        return 'tl.dot without input_precision="ieee" (Triton\'s default for fp32 is TF32)'
    if torch_allows_tf32:
        return (
            "torch allows TF32 matrix products while the candidate runs "
            "(torch.backends.cuda.matmul.allow_tf32 / float32_matmul_precision)"
        )
    return None


def torch_allows_tf32() -> bool:
    try:
        return (
            bool(torch.backends.cuda.matmul.allow_tf32) or torch.get_float32_matmul_precision() != "highest"
        )
    except Exception:
        return False


def peak_tflops_for(peaks: dict, dtype: str, tf32: bool = False):
    """(TFLOP/s, basis): the peak of the arithmetic the kernel may use for `dtype`."""
    table = (peaks or {}).get("peak_tflops") or {}
    if dtype == "float32":
        if tf32 and table.get("tf32"):
            return table["tf32"], "tf32"
        return table.get("fp32"), "fp32"
    if dtype in ("float16", "bfloat16"):
        key = "fp16" if dtype == "float16" else "bf16"
        return table.get(key), key
    if dtype == "float64":
        return table.get("fp64"), "fp64"
    for key in ("fp8", "int8"):
        if table.get(key):
            return table[key], key
    return None, None


def floor_tflops(peaks: dict, dtype: str):
    """The most permissive ceiling for `dtype` (fp32: TF32 too): the speed-of-light
    floor must hold whatever arithmetic the kernel secretly used."""
    table = (peaks or {}).get("peak_tflops") or {}
    values = [peak_tflops_for(peaks, dtype, tf32)[0] for tf32 in (False, True)]
    if dtype not in ("float32", "float16", "bfloat16", "float64"):
        values += [table.get("fp8"), table.get("int8")]
    values = [v for v in values if v]
    return max(values) if values else None


def section(work: dict, peaks: dict, median_ms, tf32_reason=None) -> dict:
    bandwidth = (peaks or {}).get("peak_bandwidth_gbs")
    peak_flops, basis = peak_tflops_for(peaks, work["dtype"], tf32=tf32_reason is not None)
    table = (peaks or {}).get("peak_tflops") or {}
    result = {
        "flops": work["flops"],
        "bytes": work["bytes"],
        "dtype": work["dtype"],
        "peak_flops": peak_flops * 1e12 if peak_flops else None,
        "peak_tflops": peak_flops,
        "peak_basis": basis,
        "peak_basis_reason": (
            tf32_reason
            if basis == "tf32"
            else "no sign of TF32 in the source or torch's settings: IEEE fp32"
            if work["dtype"] == "float32"
            else None
        ),
        "peak_tflops_fp32": table.get("fp32") if work["dtype"] == "float32" else None,
        "peak_tflops_tf32": table.get("tf32") if work["dtype"] == "float32" else None,
        "peak_bandwidth_gbs": bandwidth,
        "arithmetic_intensity": work["flops"] / work["bytes"] if work["flops"] and work["bytes"] else None,
        "achieved_tflops": None,
        "achieved_bandwidth_gbs": None,
        "percent_of_peak": None,
        "floor_ms": None,
        "floor_peak_tflops": floor_tflops(peaks, work["dtype"]),
        "peaks_source": (peaks or {}).get("source"),
        "peak_sources": (peaks or {}).get("sources"),
        "peaks_remeasured_because": (peaks or {}).get("remeasured_because"),
    }
    if median_ms:
        seconds = median_ms / 1e3
        if work["flops"]:
            result["achieved_tflops"] = work["flops"] / seconds / 1e12
            if peak_flops:
                result["percent_of_peak"] = 100 * result["achieved_tflops"] / peak_flops
        result["achieved_bandwidth_gbs"] = work["bytes"] / seconds / 1e9
    floors = []
    if bandwidth:
        floors.append(work["bytes"] / (bandwidth * 1e9) * 1e3)
    if result["floor_peak_tflops"] and work["flops"]:
        floors.append(work["flops"] / (result["floor_peak_tflops"] * 1e12) * 1e3)
    if floors:
        result["floor_ms"] = max(floors)
    return result


def speed_of_light(doc, roofline: dict, median_ms) -> None:
    floor = roofline.get("floor_ms")
    if floor and median_ms and median_ms < floor:
        doc.flag(
            "speed_of_light",
            (
                f"{median_ms:.4g} ms is below the device's floor of {floor:.4g} ms for this task "
                f"({roofline['bytes']} bytes at {roofline['peak_bandwidth_gbs']} GB/s"
                + (
                    f", {roofline['flops']} FLOPs at {roofline['floor_peak_tflops']} TFLOP/s"
                    if roofline.get("flops")
                    else ""
                )
                + "): the kernel skips work, reuses a cached result, or the timing misses work"
            ),
        )
