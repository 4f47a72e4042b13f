"""Peak memory bandwidth and dense FLOP/s: a table for known chips, measured otherwise.

Table values are the vendors' datasheet figures for dense math (no sparsity).
Devices missing from the table are measured once (a large copy; a large matrix
product per dtype) and cached under the cache root, keyed by device and torch.
"""

import time

import torch

from .cache import cache_dir, digest, read_json, write_json_atomic

# name fragments (lower case, all must match) -> peaks
KNOWN = [
    (("h200",), {"peak_bandwidth_gbs": 4800, "sm_count": 132, "peak_tflops": {
        "fp64": 67, "fp32": 67, "tf32": 494.7, "bf16": 989.4, "fp16": 989.4, "fp8": 1978.9,
        "int8": 1978.9}}),
    (("h100", "pcie"), {"peak_bandwidth_gbs": 2000, "sm_count": 114, "peak_tflops": {
        "fp64": 51, "fp32": 51, "tf32": 378, "bf16": 756, "fp16": 756, "fp8": 1513,
        "int8": 1513}}),
    (("h100",), {"peak_bandwidth_gbs": 3350, "sm_count": 132, "peak_tflops": {
        "fp64": 67, "fp32": 67, "tf32": 494.7, "bf16": 989.4, "fp16": 989.4, "fp8": 1978.9,
        "int8": 1978.9}}),
    (("a100", "80gb", "pcie"), {"peak_bandwidth_gbs": 1935, "sm_count": 108, "peak_tflops": {
        "fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624}}),
    (("a100", "80gb"), {"peak_bandwidth_gbs": 2039, "sm_count": 108, "peak_tflops": {
        "fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624}}),
    (("a100",), {"peak_bandwidth_gbs": 1555, "sm_count": 108, "peak_tflops": {
        "fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624}}),
    (("l40s",), {"peak_bandwidth_gbs": 864, "sm_count": 142, "peak_tflops": {
        "fp32": 91.6, "tf32": 183, "bf16": 362, "fp16": 362, "fp8": 733, "int8": 733}}),
    (("4090",), {"peak_bandwidth_gbs": 1008, "sm_count": 128, "peak_tflops": {
        "fp32": 82.6, "tf32": 82.6, "bf16": 165.2, "fp16": 165.2, "fp8": 330.3, "int8": 660.6}}),
    # Approximate public figures for the Ascend 910B family (varies by SKU: B1-B4).
    (("910b",), {"peak_bandwidth_gbs": 1600, "peak_tflops": {
        "fp32": 94, "bf16": 320, "fp16": 320, "int8": 640}, "approximate": True}),
]


def from_table(name: str):
    lowered = name.lower().replace("-", " ")
    for fragments, peaks in KNOWN:
        if all(fragment in lowered for fragment in fragments):
            return dict(peaks, source="table")
    return None


def _seconds(function, repeats: int, synchronize) -> float:
    function()
    synchronize()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def measure(device: torch.device, synchronize) -> dict:
    """Copy bandwidth (bytes read + written) and matmul rate per dtype."""
    gpu = device.type != "cpu"
    elements = (256 << 20) // 4 if gpu else (64 << 20) // 4
    buffers = [torch.empty(elements, dtype=torch.float32, device=device).uniform_()]
    buffers.append(torch.empty_like(buffers[0]))
    seconds = _seconds(lambda: buffers[1].copy_(buffers[0]), 5, synchronize)
    bandwidth = 2 * elements * 4 / seconds / 1e9
    buffers.clear()
    tflops = {}
    size = 4096 if gpu else 512
    dtypes = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16} if gpu \
        else {"fp32": torch.float32}
    for label, dtype in dtypes.items():
        a = torch.randn(size, size, device=device, dtype=dtype)
        b = torch.randn(size, size, device=device, dtype=dtype)
        seconds = _seconds(lambda: a @ b, 5, synchronize)
        tflops[label] = round(2 * size ** 3 / seconds / 1e12, 3)
    return {"peak_bandwidth_gbs": round(bandwidth, 1), "peak_tflops": tflops,
            "source": "measured"}


def peaks_for(backend, allow_measure: bool = True):
    """Peaks of the backend's device: table, cached measurement, or a new measurement."""
    name = backend.name()
    known = from_table(name)
    if known:
        return known
    path = f"{cache_dir('peaks')}/{digest(name, backend.kind, torch.__version__)[:32]}.json"
    cached = read_json(path)
    if cached:
        return dict(cached, source="measured (cached)")
    if not allow_measure:
        return None
    measured = measure(backend.torch_device, backend.synchronize)
    measured["measured_at"] = time.time()
    write_json_atomic(path, measured)
    return measured
