"""Why µs-scale GPU timings were noisy: the same kernels timed under the old per-call
protocol and the new one, side by side in one process (trusted code, no candidate).

  old:   10 warm-up calls; per call: flush the L2, start event, call, end event
  +warm: the same after at least 50 ms of warm-up calls
  sync:  +warm, and the device drained (synchronize) between the flush and the start event
         (the launch always inside the window, as KernelBench's evaluator times it)
  hold:  +warm, and a spin kernel of 1.5x the call's host launch time + 20 us between the
         flush and the start event (the whole call queued before its window opens), which
         is the harness's protocol 5 (resources/harness/akg_harness/timing.py)

Writes OUT/timing_probe.json and prints a table: median, IQR % of the median and p95/median
per kernel, protocol and round. Usage: python3 bench/gpu/trust/timing_probe.py OUT"""

import json
import os
import statistics
import sys
import time

import torch
import triton
import triton.language as tl


@triton.jit
def relu_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(out_ptr + offsets, tl.maximum(tl.load(x_ptr + offsets, mask=mask), 0.0), mask=mask)


def triton_relu(x):
    out = torch.empty_like(x)
    relu_kernel[(triton.cdiv(x.numel(), 1024),)](x, out, x.numel(), BLOCK=1024)
    return out


def kernels(device):
    small = torch.randn(16, 16384, device=device)
    rows = torch.randn(8, 96, device=device)
    conv = torch.nn.Conv2d(3, 16, 3).to(device)
    image = torch.randn(128, 3, 32, 32, device=device)
    big = torch.randn(4096, 4096, device=device)
    return {
        "eager relu 16x16384": lambda: torch.relu(small),
        "triton relu 16x16384": lambda: triton_relu(small),
        "eager softmax 8x96": lambda: torch.softmax(rows, dim=1),
        "eager conv+relu 128x3x32x32": lambda: torch.relu(conv(image)),
        "eager matmul 4096^2 fp32": lambda: big @ big,
    }


def percentile(ordered, fraction):
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def spin_rate():
    torch.cuda._sleep(200_000)
    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    begin.record()
    torch.cuda._sleep(200_000)
    end.record()
    torch.cuda.synchronize()
    return 200_000 / (begin.elapsed_time(end) / 1000.0)


def time_calls(call, flush, protocol, trials=100):
    hosts = []
    for _ in range(10):
        started = time.perf_counter()
        call()
        hosts.append(time.perf_counter() - started)
    torch.cuda.synchronize()
    if protocol != "old":
        started = time.perf_counter()
        while time.perf_counter() - started < 0.05:
            for _ in range(10):
                call()
            torch.cuda.synchronize()
    hold = int((1.5 * statistics.median(hosts) + 20e-6) * spin_rate()) if protocol == "hold" else 0
    events = [
        (torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(trials)
    ]
    for begin, end in events:
        flush()
        if protocol == "sync":
            torch.cuda.synchronize()
        if hold:
            torch.cuda._sleep(hold)
        begin.record()
        call()
        end.record()
    torch.cuda.synchronize()
    samples = sorted(begin.elapsed_time(end) for begin, end in events)
    median = statistics.median(samples)
    return {
        "host_us": 1e6 * statistics.median(hosts),
        "median_ms": median,
        "iqr_percent": 100 * (percentile(samples, 0.75) - percentile(samples, 0.25)) / median,
        "p95_ratio": percentile(samples, 0.95) / median,
    }


def main(out):
    device = torch.device("cuda")
    l2 = getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 50 << 20)
    buffer = torch.ones(max(2 * l2, 64 << 20) // 4, dtype=torch.int32, device=device)
    sink = torch.empty((), dtype=torch.int32, device=device)

    def flush():
        torch.amax(buffer, dim=0, out=sink)

    results = []
    for name, call in kernels(device).items():
        for round_ in range(3):
            for protocol in ("old", "+warm", "sync", "hold"):
                row = dict(
                    kernel=name, protocol=protocol, round=round_ + 1, **time_calls(call, flush, protocol)
                )
                results.append(row)
                print(
                    f"{name:30s} {protocol:6s} round {round_ + 1}: median {row['median_ms'] * 1000:8.1f} us "
                    f"IQR {row['iqr_percent']:5.1f}%  p95/median {row['p95_ratio']:.2f}  host {row['host_us']:.0f} us"
                    + ("  NOISY" if row["iqr_percent"] > 10 or row["p95_ratio"] > 3 else ""),
                    flush=True,
                )
    with open(os.path.join(out, "timing_probe.json"), "w") as handle:
        json.dump({"device": torch.cuda.get_device_name(0), "rows": results}, handle, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
