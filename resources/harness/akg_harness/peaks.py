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
    (
        ("h200",),
        {
            "peak_bandwidth_gbs": 4800,
            "sm_count": 132,
            "peak_tflops": {
                "fp64": 67,
                "fp32": 67,
                "tf32": 494.7,
                "bf16": 989.4,
                "fp16": 989.4,
                "fp8": 1978.9,
                "int8": 1978.9,
            },
        },
    ),
    (
        ("h100", "pcie"),
        {
            "peak_bandwidth_gbs": 2000,
            "sm_count": 114,
            "peak_tflops": {
                "fp64": 51,
                "fp32": 51,
                "tf32": 378,
                "bf16": 756,
                "fp16": 756,
                "fp8": 1513,
                "int8": 1513,
            },
        },
    ),
    (
        ("h100",),
        {
            "peak_bandwidth_gbs": 3350,
            "sm_count": 132,
            "peak_tflops": {
                "fp64": 67,
                "fp32": 67,
                "tf32": 494.7,
                "bf16": 989.4,
                "fp16": 989.4,
                "fp8": 1978.9,
                "int8": 1978.9,
            },
        },
    ),
    (
        ("a100", "80gb", "pcie"),
        {
            "peak_bandwidth_gbs": 1935,
            "sm_count": 108,
            "peak_tflops": {"fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624},
        },
    ),
    (
        ("a100", "80gb"),
        {
            "peak_bandwidth_gbs": 2039,
            "sm_count": 108,
            "peak_tflops": {"fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624},
        },
    ),
    (
        ("a100",),
        {
            "peak_bandwidth_gbs": 1555,
            "sm_count": 108,
            "peak_tflops": {"fp64": 19.5, "fp32": 19.5, "tf32": 156, "bf16": 312, "fp16": 312, "int8": 624},
        },
    ),
    (
        ("l40s",),
        {
            "peak_bandwidth_gbs": 864,
            "sm_count": 142,
            "peak_tflops": {"fp32": 91.6, "tf32": 183, "bf16": 362, "fp16": 362, "fp8": 733, "int8": 733},
        },
    ),
    (
        ("4090",),
        {
            "peak_bandwidth_gbs": 1008,
            "sm_count": 128,
            "peak_tflops": {
                "fp32": 82.6,
                "tf32": 82.6,
                "bf16": 165.2,
                "fp16": 165.2,
                "fp8": 330.3,
                "int8": 660.6,
            },
        },
    ),
    # Approximate public figures for the Ascend 910B family (varies by SKU: B1-B4).
    (
        ("910b",),
        {
            "peak_bandwidth_gbs": 1600,
            "peak_tflops": {"fp32": 94, "bf16": 320, "fp16": 320, "int8": 640},
            "approximate": True,
        },
    ),
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
    dtypes = (
        {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
        if gpu
        else {"fp32": torch.float32}
    )
    for label, dtype in dtypes.items():
        a = torch.randn(size, size, device=device, dtype=dtype)
        b = torch.randn(size, size, device=device, dtype=dtype)
        seconds = _seconds(lambda: a @ b, 5, synchronize)
        tflops[label] = round(2 * size**3 / seconds / 1e12, 3)
    return {"peak_bandwidth_gbs": round(bandwidth, 1), "peak_tflops": tflops, "source": "measured"}


def _cache_path(backend) -> str:
    return f"{cache_dir('peaks')}/{digest(backend.name(), backend.kind, torch.__version__)[:32]}.json"


def _measure_and_store(backend) -> dict:
    measured = measure(backend.torch_device, backend.synchronize)
    measured["measured_at"] = time.time()
    write_json_atomic(_cache_path(backend), measured)
    return measured


def peaks_for(backend, allow_measure: bool = True):
    """Peaks of the backend's device: table, cached measurement, or a new measurement."""
    known = from_table(backend.name())
    if known:
        return known
    cached = read_json(_cache_path(backend))
    if cached:
        return dict(cached, source="measured (cached)")
    if not allow_measure:
        return None
    return _measure_and_store(backend)


def sanity_floor(backend):
    """Peaks no device of this kind can be below, from the hardware knowledge sheets:
    a CPU has at least two DDR4-3200 channels' worth of bandwidth (2 x 25.6 GB/s, a
    single desktop core reaches 10-20 GB/s) and per core at least one 4-lane FMA
    port at 2 GHz (16 GFLOP/s fp32). GPUs and NPUs in use are in the table."""
    if backend.kind != "cpu":
        return None
    import os

    cores = os.cpu_count() or 1
    return {
        "peak_bandwidth_gbs": 51.2,
        "peak_tflops": {"fp32": round(cores * 0.016, 3)},
        "source": "sanity floor (hardware sheet: 2 DDR4-3200 channels, 16 GFLOP/s per core)",
    }


def _labels(peaks: dict) -> dict:
    return {"bandwidth": peaks.get("peak_bandwidth_gbs"), **(peaks.get("peak_tflops") or {})}


def _exceeded(peaks: dict, observed: list) -> list:
    """Observed rates above the peaks: [(label, side, value, peak)]."""
    table = _labels(peaks)
    found = []
    for side, label, value in observed:
        peak = table.get(label)
        if value and peak and value > peak:
            found.append((label, side, value, peak))
    return found


def checked_peaks(backend, observed: list) -> dict:
    """The peaks, never below what was observed on this device.

    `observed`: [(side, label, rate)] with label "bandwidth" (GB/s) or a dtype key
    (TFLOP/s) and side "candidate", "eager" or "compile". Table peaks (datasheets) stand
    as they are. A measured peak that any side exceeded is measured again; then each
    value is raised to the sanity floor and to what the trusted sides (eager, compile:
    torch's own code) reached. The candidate never raises a peak: beating the device is
    what the speed-of-light flag is for. `sources` says where each value came from."""
    peaks = peaks_for(backend) or {}
    if not peaks or peaks.get("source") == "table":
        if peaks:
            peaks = dict(peaks, sources={label: "table (datasheet)" for label in _labels(peaks)})
        return peaks
    peaks = dict(peaks, peak_tflops=dict(peaks.get("peak_tflops") or {}))
    base = peaks.get("source")
    sources = {label: base for label in _labels(peaks)}
    exceeded = _exceeded(peaks, observed)
    if exceeded:
        fresh = _measure_and_store(backend)
        why = ", ".join(
            f"{side} reached {value:.4g} over {label} {peak:.4g}" for label, side, value, peak in exceeded
        )
        peaks = dict(fresh, peak_tflops=dict(fresh.get("peak_tflops") or {}), remeasured_because=why)
        sources = {label: f"re-measured ({why})" for label in _labels(peaks)}
    floor = sanity_floor(backend) or {}
    lifts = [(label, floor["source"], value) for label, value in _labels(floor).items()]
    lifts += [
        (label, f"observed: {side} reached it", value)
        for side, label, value in observed
        if side != "candidate"
    ]
    for label, source, value in lifts:
        current = _labels(peaks).get(label)
        if value and (current is None or value > current):
            if label == "bandwidth":
                peaks["peak_bandwidth_gbs"] = round(value, 3)
            else:
                peaks["peak_tflops"][label] = round(value, 4)
            sources[label] = source
    peaks["sources"] = sources
    return peaks
