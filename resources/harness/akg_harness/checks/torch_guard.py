"""Reverse knock-out: torch's compute operators made unavailable during forward().

The profiler-based torch share can be dodged by a candidate that behaves differently
while torch.profiler is on (it can ask). This check does not use the profiler: a
TorchDispatchMode sees every aten operator the candidate's forward dispatches, from
Python or from inside a C++ extension, and
  block   raises for compute operators outside the allow-list (allocation, views,
          copies and fills stay): a candidate that still returns the right output
          computes it in its DSL;
  time    times every operator (device synchronised around each one), so the torch
          compute time of the candidate can be set against the reference's whole
          forward, timed the same way.
A candidate that needs torch's compute operators is rejected when it makes every compute
call the reference makes (the same operators on tensors of the same shapes: torch computes
the output, and timing noise on a tiny operator cannot hide it), or when their time is at
least half the reference's.
The correctness trials run the candidate under `record`, so what they verify is what
the candidate does with a dispatch mode present, the same as under `block` and `time`.
"""

import collections
import time

from torch.utils._python_dispatch import TorchDispatchMode

# aten operators that move, allocate, fill or describe memory without computing values
# from other values (overload packet names).
ALLOWED = frozenset(
    """
empty empty_like empty_strided empty_permuted new_empty new_empty_strided zeros zeros_like
new_zeros ones ones_like new_ones full full_like new_full fill fill_ zero zero_ copy copy_
clone contiguous _to_copy to detach detach_ alias lift_fresh lift_fresh_copy resize_
resize_as_ set_ view view_as _reshape_alias reshape _unsafe_view as_strided as_strided_
expand expand_as permute transpose transpose_ t t_ squeeze squeeze_ unsqueeze unsqueeze_
flatten unflatten narrow slice select split split_with_sizes chunk unbind movedim
_local_scalar_dense item is_nonzero sym_size sym_stride sym_numel sym_storage_offset
record_stream _pin_memory is_pinned cat stack arange _has_compatible_shallow_copy_type
is_same_size _copy_from _copy_from_and_resize index_select_backward
""".split()
)

# The reference's share (dispatch-timed) above which torch, not the DSL, did the work.
SHARE_LIMIT = 0.5


class ComputeBlocked(RuntimeError):
    """A torch compute operator was called while torch compute is knocked out."""


def is_compute(func) -> bool:
    """An aten operator that computes values (profiler annotations and other
    namespaces, such as a candidate's own torch.library kernels, are not torch's)."""
    if getattr(func, "namespace", "aten") != "aten":
        return False
    packet = func.overloadpacket.__name__
    return packet not in ALLOWED and not getattr(func, "is_view", False)


class TorchGuard(TorchDispatchMode):
    def __init__(self, mode: str, synchronize=None):
        super().__init__()
        self.mode = mode
        self.synchronize = synchronize or (lambda: None)
        self.compute = collections.Counter()
        # (operator, shapes of its tensor arguments) of every compute call
        self.signatures = collections.Counter()
        self.compute_ms = 0.0
        self.all_ms = 0.0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        compute = is_compute(func)
        if compute:
            self.compute[func.overloadpacket.__name__] += 1
            self.signatures[signature(func, args)] += 1
            if self.mode == "block":
                raise ComputeBlocked(
                    f"torch compute operator aten.{func.overloadpacket.__name__} is knocked out"
                )
        if self.mode != "time":
            return func(*args, **kwargs)
        self.synchronize()
        start = time.perf_counter()
        result = func(*args, **kwargs)
        self.synchronize()
        elapsed = (time.perf_counter() - start) * 1e3
        self.all_ms += elapsed
        if compute:
            self.compute_ms += elapsed
        return result

    def reproduces(self, reference: "TorchGuard"):
        """The reference's compute calls when this forward makes every one of them (the same
        operators on tensors of the same shapes), else None: torch then computes the output
        itself, however long it takes, which no timing noise can hide."""
        if not reference.signatures:
            return None
        missing = reference.signatures - self.signatures
        return None if missing else reference.signatures

    def summary(self, limit: int = 8) -> str:
        return ", ".join(f"aten.{name} x{count}" for name, count in self.compute.most_common(limit)) or "none"


def signature(func, args) -> tuple:
    import torch

    shapes = tuple(tuple(a.shape) for a in args if isinstance(a, torch.Tensor))
    return func.overloadpacket.__name__, shapes


def paired_share(ctx, inputs, runs: int = 5):
    """(candidate's torch-compute ms, reference's torch-compute ms, their share, guard of the
    candidate's last run, guard of the reference's), each side's time the least of `runs` calls. Compute against
    compute: on a small input the per-operator overhead of the allocations and views around
    the work would otherwise decide the share. The calls alternate,
    candidate then reference, so both sides are sampled over the same stretch of time; the
    least is taken because interference (other processes, thread wake-ups: a tiny op's time
    is bimodal on a busy machine, 10x apart) only ever adds time, and a median of one side
    on the slow mode against the other on the fast one decided this check by chance."""
    from ..inputs import clone

    def candidate(buffers):
        return ctx.call_candidate(buffers)

    def reference(buffers):
        return ctx.call_reference(buffers)

    import torch

    threads = torch.get_num_threads()
    # One intra-op thread while timing: a CPU operator's time is then its work, not how long
    # a sleeping thread pool took to wake (milliseconds against microseconds on a small
    # input, and different for two calls of the same operator on the same input). On a GPU
    # the operators' time is the device's and this changes nothing.
    torch.set_num_threads(1)
    try:
        for call in (candidate, reference):  # warm: lazy initialisation, autotuning
            call(clone(inputs))
        ctx.backend.synchronize()
        compute, totals, guard, reference_guard = [], [], None, None
        for run in range(runs):
            timed = {}
            # Which side goes first alternates too: the call right after the other side's
            # (a Triton launch, the interpreter's copies) runs on colder caches.
            order = ("candidate", "reference") if run % 2 == 0 else ("reference", "candidate")
            for side in order:
                buffers = clone(inputs)
                ctx.backend.synchronize()
                measuring = TorchGuard("time", ctx.backend.synchronize)
                with measuring:
                    (candidate if side == "candidate" else reference)(buffers)
                timed[side] = measuring
            guard, reference_guard = timed["candidate"], timed["reference"]
            compute.append(timed["candidate"].compute_ms)
            totals.append(timed["reference"].compute_ms)
    finally:
        torch.set_num_threads(threads)
    compute_ms, reference_ms = min(compute), min(totals)
    share = compute_ms / reference_ms if reference_ms > 0 else 0.0
    return compute_ms, reference_ms, share, guard, reference_guard


def reverse_knockout_check(ctx):
    """(passed, detail): the candidate with torch's compute operators knocked out; when
    its output needs them, their dispatch-timed cost against the reference's."""
    from ..compare import compare_outputs, flatten_outputs
    from ..context import poisoned_memory
    from ..inputs import clone

    if ctx.near_constant:
        return True, "reverse knock-out skipped: zeros or a constant pass this task"
    tolerance = (ctx.options.tolerance, ctx.options.atol, ctx.options.rtol)
    model = ctx.new_candidate()
    guard = TorchGuard("block")
    try:
        with poisoned_memory():
            with guard:
                outputs = flatten_outputs(ctx.call_candidate(clone(ctx.sample_inputs), model))
            ctx.backend.synchronize()
        survived = [tuple(o.shape) for o in outputs] == [
            tuple(r.shape) for r in ctx.sample_reference
        ] and compare_outputs(outputs, ctx.sample_reference, *tolerance).passed
        how = "the output is wrong"
    except Exception as error:
        survived, how = False, f"forward() failed ({type(error).__name__}: {str(error)[:120]})"
    finally:
        del model
    if survived:
        return True, (
            "reverse knock-out: with torch's compute operators unavailable the output is still right"
        )
    compute_ms, reference_ms, share, used, reference_used = paired_share(ctx, ctx.sample_inputs)
    detail = (
        f"reverse knock-out: without torch's compute operators {how}; the forward "
        f"uses {used.summary()}: {compute_ms:.4g} ms, {100 * share:.3g}% of the "
        f"reference's compute operators' {reference_ms:.4g} ms (each operator timed through the dispatcher, least of 5 calls, the two sides alternating, "
        f"no profiler; limit {100 * SHARE_LIMIT:.0f}%)"
    )
    same = used.reproduces(reference_used)
    if same:
        calls = ", ".join(f"aten.{name} on {list(map(list, shapes))}" for name, shapes in list(same)[:4])
        return False, (
            detail + f"; it makes every compute call of the reference ({calls}): torch computes "
            "the output, whatever the profiler shows"
        )
    if share >= SHARE_LIMIT:
        return False, detail + ": torch computes the output, whatever the profiler shows"
    return True, detail
