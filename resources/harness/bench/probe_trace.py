"""Print what torch.profiler's trace holds for a Triton launch and an aten op on this
machine (categories, launch names, stream ids): the profiler-based checks rely on it."""

import collections
import json
import tempfile

import torch
import triton
import triton.language as tl

from akg_harness import profiling


@triton.jit
def copy_kernel(x_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(y_ptr + offsets, tl.load(x_ptr + offsets, mask=offsets < n), mask=offsets < n)


def main():
    x = torch.randn(1 << 20, device="cuda")
    y = torch.empty_like(x)
    copy_kernel[(1024,)](x, y, x.numel(), BLOCK=1024)
    torch.cuda.synchronize()
    side = torch.cuda.Stream()

    def run_once(_):
        with torch.profiler.record_function("akg.dsl::probe"):
            copy_kernel[(1024,)](x, y, x.numel(), BLOCK=1024)
        torch.relu(x)
        with torch.cuda.stream(side):
            torch.relu(x)
        torch.cuda.synchronize()

    trace = profiling.capture(
        run_once, [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA], 1
    )
    print("kernels:", [(k["name"][:40], k["stream"], k["args"].get("correlation")) for k in trace.kernels])
    print("launches:", collections.Counter(v["name"] for v in trace.launches.values()))
    print("annotations:", [a["name"] for a in trace.annotations])
    print("cpu ops:", collections.Counter(op["name"] for op in trace.cpu_ops).most_common(8))
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
    ) as profiler:
        run_once(0)
    path = tempfile.mktemp(suffix=".json")
    profiler.export_chrome_trace(path)
    events = json.load(open(path))["traceEvents"]
    print(
        "categories:",
        collections.Counter(
            (e.get("cat"), e.get("name", "")[:30]) for e in events if e.get("cat") not in ("cpu_op", None)
        ),
    )


if __name__ == "__main__":
    main()
