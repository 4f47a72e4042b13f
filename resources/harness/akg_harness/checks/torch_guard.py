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
        self.compute_ms = 0.0
        self.all_ms = 0.0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        compute = is_compute(func)
        if compute:
            self.compute[func.overloadpacket.__name__] += 1
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

    def summary(self, limit: int = 8) -> str:
        return ", ".join(f"aten.{name} x{count}" for name, count in self.compute.most_common(limit)) or "none"


def paired_share(ctx, inputs, runs: int = 5):
    """(median torch-compute ms of the candidate, median all-ops ms of the reference, median
    of the per-pair shares, guard of the candidate's last run). Candidate and reference
    calls alternate, and each share compares a pair of neighbouring calls, so a machine
    that gets busier or quieter during the check moves both sides of a share alike."""
    from ..inputs import clone

    candidate = lambda b: ctx.call_candidate(b)  # noqa: E731
    reference = lambda b: ctx.call_reference(b)  # noqa: E731
    for call in (candidate, reference):  # warm: lazy initialisation, autotuning
        call(clone(inputs))
    ctx.backend.synchronize()
    compute, totals, shares, guard = [], [], [], None
    for _ in range(runs):
        timed = []
        for call in (candidate, reference):
            buffers = clone(inputs)
            ctx.backend.synchronize()
            measuring = TorchGuard("time", ctx.backend.synchronize)
            with measuring:
                call(buffers)
            timed.append(measuring)
        guard = timed[0]
        compute.append(timed[0].compute_ms)
        totals.append(timed[1].all_ms)
        shares.append(timed[0].compute_ms / timed[1].all_ms if timed[1].all_ms > 0 else 0.0)
    middle = runs // 2
    return sorted(compute)[middle], sorted(totals)[middle], sorted(shares)[middle], guard


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
    compute_ms, reference_ms, share, used = paired_share(ctx, ctx.sample_inputs)
    detail = (
        f"reverse knock-out: without torch's compute operators {how}; the forward "
        f"uses {used.summary()}: {compute_ms:.4g} ms, {100 * share:.3g}% of the "
        f"reference's {reference_ms:.4g} ms (each operator timed through the dispatcher, "
        f"no profiler; limit {100 * SHARE_LIMIT:.0f}%)"
    )
    if share >= SHARE_LIMIT:
        return False, detail + ": torch computes the output, whatever the profiler shows"
    return True, detail
