"""Is the work done by the DSL? (check `work_in_dsl`; side streams for `no_async_work`)

Two independent tests, both measured rather than read from the code:
  knock-out  run a fresh instance with the DSL's kernels skipped (extension calls
             return NaN); if the output is still right, the kernels did not do the work.
  torch share  profile candidate and reference; time in torch compute ops (kernels
             launched by aten ops on a GPU, aten op time on a CPU) inside the
             candidate's forward must stay under SHARE_LIMIT of the reference's whole
             forward. Allocation, views and output initialisation do not count.
On CUDA the same profile shows kernels on streams other than the calling one that
were still running when the calling stream moved on (work a timer would miss).
"""

import torch

from .. import profiling
from ..compare import compare_outputs, flatten_outputs
from ..context import poisoned_memory
from ..dsl.base import RECORDER
from ..inputs import clone

# Half of what the whole reference costs, spent in torch ops, is "the heavy work".
SHARE_LIMIT = 0.5
PROFILE_RUNS = 3


def knockout_check(ctx):
    """(passed, detail) of the knock-out test."""
    if ctx.near_constant:
        return True, "knock-out skipped: zeros or a constant pass this task"
    model = ctx.new_candidate()
    try:
        with poisoned_memory():
            RECORDER.reset()
            RECORDER.active, RECORDER.knockout = True, True
            try:
                outputs = flatten_outputs(ctx.call_candidate(clone(ctx.sample_inputs), model))
                ctx.backend.synchronize()
            except Exception:
                return True, "knock-out: without its DSL kernels the forward fails"
            finally:
                RECORDER.active, RECORDER.knockout = False, False
        tolerance = (ctx.options.tolerance, ctx.options.atol, ctx.options.rtol)
        if [tuple(o.shape) for o in outputs] == [
            tuple(r.shape) for r in ctx.sample_reference
        ] and compare_outputs(outputs, ctx.sample_reference, *tolerance).passed:
            return False, (
                f"knock-out: the output is still correct with every {ctx.adapter.name} kernel "
                f"skipped ({RECORDER.total()} launch(es) knocked out): the result is computed "
                "by something else (torch ops, a cached or captured result)"
            )
        return True, "knock-out: the output is wrong without the DSL kernels"
    finally:
        del model


class Marker:
    """The first thing the calling stream does after forward() returns.

    On CUDA a 4-byte copy from pinned host memory: it runs on a copy engine, so it
    starts the moment the calling stream is idle, not when SMs busy with another
    stream's kernel free up (a kernel marker would queue behind those blocks)."""

    def __init__(self, backend):
        self.cuda = backend.kind == "cuda"
        self.device = torch.zeros(1, device=backend.torch_device)
        self.host = torch.ones(1, pin_memory=True) if self.cuda else torch.ones(1)

    def mark(self) -> None:
        with torch.profiler.record_function(profiling.MARKER):
            self.device.copy_(self.host, non_blocking=self.cuda)


def _profile(ctx, side: str, model_call, inputs=None, runs: int = PROFILE_RUNS):
    inputs = ctx.sample_inputs if inputs is None else inputs
    marker = Marker(ctx.backend)

    def run_once(_index):
        buffers = clone(inputs)
        ctx.backend.synchronize()
        with profiling.forward_window(side):
            model_call(buffers)
        marker.mark()
        ctx.backend.synchronize()

    RECORDER.active = True
    try:
        model_call(clone(inputs))  # warm (autotuning, lazy init) outside the profile
        ctx.backend.synchronize()
        return profiling.capture(run_once, ctx.backend.profiler_activities(), runs)
    finally:
        RECORDER.active = False


def stream_probe(ctx, inputs) -> bool:
    """CUDA: one profiled call before the trials; False (and `no_async_work` failed)
    when kernels on other streams outlive the calling stream's work."""
    trace = _profile(ctx, "probe", lambda b: ctx.call_candidate(b), inputs, runs=1)
    windows = trace.windows(profiling.FORWARD_PREFIX + "probe")
    return _side_streams(ctx, trace, windows)


def dsl_kernel_filter(trace: profiling.Trace, adapter):
    ranges = profiling.dsl_annotations(trace)
    names = {n for n in adapter.kernel_names() if n}

    def is_dsl(kernel) -> bool:
        launch = trace.launch_of(kernel)
        if launch is None:
            return any(name in kernel["name"] for name in names)
        enclosing = [r for r in ranges if r["tid"] == launch["tid"] and profiling.inside(launch["start"], r)]
        if not enclosing:
            return False
        innermost = max(enclosing, key=lambda r: r["start"])
        op = profiling.innermost_op(trace, launch["start"], launch["tid"])
        if op is None or op["start"] < innermost["start"]:
            return True  # launched by the DSL call itself, not by a torch op inside it
        return adapter.torch_inside_launch_is_dsl

    return is_dsl


def _torch_gpu_ms(trace, windows, is_dsl) -> float:
    total = 0.0
    for kernel in trace.kernels:
        launch = trace.launch_of(kernel)
        point = launch["start"] if launch else kernel["start"]
        if not any(profiling.inside(point, w) for w in windows) or is_dsl(kernel):
            continue
        op = profiling.innermost_op(trace, point, launch["tid"]) if launch else None
        if op is not None and (op["name"] in profiling.FILL_OPS or op["name"] in profiling.FREE_OPS):
            continue
        total += (kernel["end"] - kernel["start"]) / 1e3
    return total


def _torch_cpu_ms(trace, windows, adapter) -> float:
    dsl_ranges = profiling.dsl_annotations(trace)
    ops = []
    for op in trace.cpu_ops:
        if op["name"] in profiling.FREE_OPS or op["name"] in profiling.FILL_OPS:
            continue
        if not any(profiling.inside(op["start"], w) for w in windows):
            continue
        if adapter.torch_inside_launch_is_dsl and any(profiling.inside(op["start"], r) for r in dsl_ranges):
            continue
        ops.append(op)
    return sum((op["end"] - op["start"]) / 1e3 for op in profiling.outermost_ops(ops))


def _reference_ms(trace, windows, gpu: bool) -> float:
    if gpu:
        return profiling.kernel_table(trace, windows, lambda k: False)["total_ms"]
    ops = [op for op in trace.cpu_ops if any(profiling.inside(op["start"], w) for w in windows)]
    return sum((op["end"] - op["start"]) / 1e3 for op in profiling.outermost_ops(ops))


def share_and_streams_check(ctx) -> dict:
    """Profiles both sides; returns the share verdict, records no_async_work on CUDA."""
    doc, adapter = ctx.doc, ctx.adapter
    gpu = ctx.backend.has_profiler_kernels
    cand = _profile(ctx, "candidate", lambda b: ctx.call_candidate(b))
    ref = _profile(ctx, "reference", lambda b: ctx.call_reference(b))
    cand_windows = cand.windows(profiling.FORWARD_PREFIX + "candidate")
    ref_windows = ref.windows(profiling.FORWARD_PREFIX + "reference")
    is_dsl = dsl_kernel_filter(cand, adapter)
    torch_ms = (
        _torch_gpu_ms(cand, cand_windows, is_dsl) if gpu else _torch_cpu_ms(cand, cand_windows, adapter)
    )
    reference_ms = _reference_ms(ref, ref_windows, gpu)
    share = torch_ms / reference_ms if reference_ms > 0 else 0.0
    unit = "device kernel time" if gpu else "CPU op time"
    detail = (
        f"torch compute ops in the candidate's forward: {torch_ms:.4g} ms, "
        f"{100 * share:.3g}% of the reference's {reference_ms:.4g} ms ({unit}, "
        f"{PROFILE_RUNS} runs; limit {100 * SHARE_LIMIT:.0f}%)"
    )
    share_passed = share < SHARE_LIMIT
    if not share_passed:
        detail += ": the heavy work is done by torch, not by the DSL"
    if gpu:
        table = profiling.kernel_table(cand, cand_windows, is_dsl)
        dsl_kernels = [row for row in table["kernels"] if row["dsl"]]
        doc.check(
            "dsl_kernel_launched",
            bool(dsl_kernels),
            f"device kernels from the DSL: {', '.join(r['name'][:60] for r in dsl_kernels)}"
            if dsl_kernels
            else "launches were counted but no DSL kernel ran on the device (profiler)",
        )
        _side_streams(ctx, cand, cand_windows)
    return {
        "candidate": cand,
        "reference": ref,
        "is_dsl": is_dsl,
        "share": (share_passed, detail),
        "torch_share": share,
    }


# Skew allowed between two device timestamps, and between device and host timestamps
# (kineto aligns the clocks to within a few microseconds), in trace microseconds.
STREAM_SLACK_US = 2.0
HOST_SLACK_US = 10.0


def _side_streams(ctx, trace, windows) -> bool:
    markers = sorted(trace.windows(profiling.MARKER), key=lambda m: m["start"])
    late, other = [], set()
    for kernel in trace.kernels:
        launch = trace.launch_of(kernel)
        if launch is None:
            continue
        window = next((w for w in windows if profiling.inside(launch["start"], w)), None)
        if window is None:
            continue
        marker = next((m for m in markers if m["start"] >= window["end"]), None)
        marker_kernel = _kernel_launched_in(trace, marker) if marker else None
        if marker_kernel is None or kernel["stream"] == marker_kernel["stream"]:
            continue
        other.add(kernel["stream"])
        # Device evidence: still running when the calling stream's next work started.
        outlived_marker = kernel["end"] > marker_kernel["start"] + STREAM_SLACK_US
        # Host evidence: still running when forward() returned, and nothing in forward()
        # after its launch waited for it (no stream-wait or synchronize call). This one
        # does not depend on how fast the host reaches the marker.
        joined = any(launch["start"] <= wait["start"] <= window["end"] for wait in trace.waits)
        unjoined = not joined and kernel["end"] > window["end"] + HOST_SLACK_US
        if outlived_marker or unjoined:
            late.append(kernel["name"][:60])
    if late:
        ctx.doc.check(
            "no_async_work",
            False,
            (
                f"kernel(s) {', '.join(sorted(set(late)))} ran on stream(s) {sorted(other)} and were "
                "still running after forward() returned and the calling stream went idle: a timer "
                "on the calling stream misses them"
            ),
        )
        return False
    if other:
        ctx.doc.flag(
            "side_stream",
            f"kernels ran on stream(s) {sorted(other)} besides the "
            "calling stream, joined before forward() returned",
        )
    return True


def _kernel_launched_in(trace, window):
    for kernel in trace.kernels:
        launch = trace.launch_of(kernel)
        if launch is not None and profiling.inside(launch["start"], window):
            return kernel
    return None
