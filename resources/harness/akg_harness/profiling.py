"""torch.profiler traces of forward calls, parsed from the Chrome trace export.

The Chrome trace is the one format that carries, in every torch 2.x, what the
checks need: CPU op intervals per thread, our annotations, device kernels with
their stream, and the correlation id that ties a kernel to the CPU call that
launched it.
"""

import json
import os
import tempfile
from contextlib import nullcontext

import torch

from .dsl.base import ANNOTATION_PREFIX

FORWARD_PREFIX = "akg.forward::"
MARKER = "akg.marker"
KERNEL_CATEGORIES = ("kernel", "gpu_memcpy", "gpu_memset")
LAUNCH_NAMES = ("LaunchKernel", "cuLaunch", "cudaMemcpy", "cudaMemset", "cuMemcpy", "cuMemset")
# Host calls through which one stream (or the host) waits for another's work: a join.
WAIT_NAMES = (
    "StreamWaitEvent",
    "StreamSynchronize",
    "DeviceSynchronize",
    "EventSynchronize",
    "cuCtxSynchronize",
)
# Ops that allocate or re-view memory without computing anything.
FREE_OPS = frozenset(
    (
        "aten::empty",
        "aten::empty_like",
        "aten::empty_strided",
        "aten::new_empty",
        "aten::new_empty_strided",
        "aten::view",
        "aten::reshape",
        "aten::_reshape_alias",
        "aten::_unsafe_view",
        "aten::as_strided",
        "aten::t",
        "aten::transpose",
        "aten::permute",
        "aten::expand",
        "aten::unsqueeze",
        "aten::squeeze",
        "aten::select",
        "aten::slice",
        "aten::narrow",
        "aten::detach",
        "aten::alias",
        "aten::contiguous",
        "aten::to",
        "aten::lift_fresh",
        "aten::resolve_conj",
        "aten::resolve_neg",
        "aten::size",
        "aten::stride",
        "aten::numel",
        "aten::dim",
        "aten::is_contiguous",
        "aten::set_",
        "aten::resize_",
        "aten::split",
        "aten::chunk",
        "aten::unbind",
        "aten::flatten",
        "aten::unflatten",
        "aten::view_as",
        "aten::expand_as",
        "aten::item",
        "aten::_local_scalar_dense",
        "aten::result_type",
        "aten::detach_",
        # The autograd layer's own record of a detach, nested in aten::detach: no compute.
        "detach",
        "detach_",
    )
)
# Initialising an output is not the task's work; a cheater cannot compute with it.
FILL_OPS = frozenset(
    (
        "aten::zero_",
        "aten::fill_",
        "aten::zeros",
        "aten::ones",
        "aten::full",
        "aten::zeros_like",
        "aten::ones_like",
        "aten::full_like",
    )
)


class Trace:
    def __init__(self, events: list):
        self.cpu_ops, self.annotations, self.kernels, self.launches = [], [], [], {}
        self.waits = []
        for event in events:
            if event.get("ph") != "X":
                continue
            category = event.get("cat", "")
            start = float(event.get("ts", 0))
            item = {
                "name": event.get("name", ""),
                "start": start,
                "end": start + float(event.get("dur", 0)),
                "tid": event.get("tid"),
                "args": event.get("args") or {},
            }
            if category == "cpu_op":
                self.cpu_ops.append(item)
            elif category == "user_annotation":
                self.annotations.append(item)
            elif category in KERNEL_CATEGORIES:
                item["stream"] = item["args"].get("stream")
                item["category"] = category
                self.kernels.append(item)
            elif category in ("cuda_runtime", "cuda_driver"):
                if any(marker in item["name"] for marker in WAIT_NAMES):
                    self.waits.append(item)
                elif any(marker in item["name"] for marker in LAUNCH_NAMES):
                    correlation = item["args"].get("correlation")
                    if correlation is not None:
                        self.launches[correlation] = item

    def windows(self, prefix: str) -> list:
        return [a for a in self.annotations if a["name"].startswith(prefix)]

    def launch_of(self, kernel):
        return self.launches.get(kernel["args"].get("correlation"))


def capture(run_once, activities, runs: int = 3) -> Trace:
    """Profile `runs` calls of run_once(index) and parse the trace."""
    handle, path = tempfile.mkstemp(suffix=".json", prefix="akg-trace-")
    os.close(handle)
    try:
        with torch.profiler.profile(activities=activities) as profiler:
            for index in range(runs):
                run_once(index)
        profiler.export_chrome_trace(path)
        with open(path) as stream:
            data = json.load(stream)
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    events = data.get("traceEvents", []) if isinstance(data, dict) else data
    return Trace(events)


def forward_window(side: str):
    return torch.profiler.record_function(FORWARD_PREFIX + side)


def inside(point: float, interval: dict) -> bool:
    return interval["start"] <= point <= interval["end"]


def innermost_op(trace: Trace, point: float, tid) -> dict:
    best = None
    for op in trace.cpu_ops:
        if op["tid"] == tid and inside(point, op):
            if best is None or op["start"] >= best["start"]:
                best = op
    return best


def outermost_ops(ops: list) -> list:
    """Ops not nested in another op of the list (same thread)."""
    ordered = sorted(ops, key=lambda op: (op["tid"], op["start"], -op["end"]))
    result, open_end, open_tid = [], None, None
    for op in ordered:
        if open_tid == op["tid"] and open_end is not None and op["end"] <= open_end:
            continue
        result.append(op)
        open_end, open_tid = op["end"], op["tid"]
    return result


def dsl_annotations(trace: Trace) -> list:
    return [a for a in trace.annotations if a["name"].startswith(ANNOTATION_PREFIX)]


def kernel_table(trace: Trace, windows: list, is_dsl) -> dict:
    """Kernels (device) launched inside the windows, grouped by name, with times in ms."""
    rows = {}
    for kernel in trace.kernels:
        launch = trace.launch_of(kernel)
        point = launch["start"] if launch else kernel["start"]
        if windows and not any(inside(point, w) for w in windows):
            continue
        row = rows.setdefault(
            kernel["name"], {"name": kernel["name"], "calls": 0, "total_ms": 0.0, "dsl": is_dsl(kernel)}
        )
        row["calls"] += 1
        row["total_ms"] += (kernel["end"] - kernel["start"]) / 1e3
    ordered = sorted(rows.values(), key=lambda r: -r["total_ms"])
    for row in ordered:
        row["mean_ms"] = row["total_ms"] / row["calls"]
    return {"kernels": ordered, "total_ms": sum(r["total_ms"] for r in ordered)}


def op_table(trace: Trace, windows: list) -> dict:
    """CPU view: top-level torch ops and DSL calls inside the windows, times in ms."""
    candidates = [
        op for op in trace.cpu_ops + dsl_annotations(trace) if any(inside(op["start"], w) for w in windows)
    ]
    rows = {}
    for op in outermost_ops(candidates):
        row = rows.setdefault(
            op["name"],
            {
                "name": op["name"],
                "calls": 0,
                "total_ms": 0.0,
                "dsl": op["name"].startswith(ANNOTATION_PREFIX),
            },
        )
        row["calls"] += 1
        row["total_ms"] += (op["end"] - op["start"]) / 1e3
    ordered = sorted(rows.values(), key=lambda r: -r["total_ms"])
    for row in ordered:
        row["mean_ms"] = row["total_ms"] / row["calls"]
    return {"kernels": ordered, "total_ms": sum(r["total_ms"] for r in ordered)}


def maybe_window(side, enabled=True):
    return forward_window(side) if enabled else nullcontext()
