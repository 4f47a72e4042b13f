"""Behaviour across calls: cached results (rejected) and races (flagged).

`no_cached_result`: call, then overwrite the same input buffers in place with new
values (same pointers, same shapes, every element changed) and call again. A
result keyed by pointer, shape or a few sampled values comes back stale.
`nondeterministic` (flag): two calls on identical inputs must agree bit for bit.
"""

from ..compare import bitwise_equal, compare_outputs, flatten_outputs
from ..inputs import clone, draw, refresh


def _values(outputs, backend) -> list:
    flat = flatten_outputs(outputs)
    backend.synchronize()
    return [t.detach().clone() for t in flat]


def _truth_clears(ctx, inputs: list, outputs: list, references: list, tolerance: tuple) -> bool:
    """A miss against the judging reference goes to the fp64 truth, as in every trial."""
    from ..precision import arbitrate

    try:
        return bool(
            arbitrate(ctx.reference, clone(inputs), outputs, references, tolerance, ctx.reference_precision)[
                "passed"
            ]
        )
    except Exception:  # a model that cannot run in fp64 keeps the verdict
        return False


def cached_result_check(ctx, seeds: list) -> None:
    doc, device = ctx.doc, ctx.backend.torch_device
    first = draw(ctx.task, seeds[0], device)
    second = draw(ctx.task, seeds[1], device)
    buffers = clone(first)
    out_first = _values(ctx.call_candidate(buffers), ctx.backend)
    refresh(buffers, second)
    out_second = _values(ctx.call_candidate(buffers), ctx.backend)
    ctx.backend.synchronize()
    ctx.hand_over("cached-second", out_second, second)
    ref_second = _values(ctx.call_reference(clone(second)), ctx.backend)
    tolerance = (ctx.options.tolerance, ctx.options.atol, ctx.options.rtol)
    comparison = compare_outputs(out_second, ref_second, *tolerance)
    stale = not comparison.passed and bitwise_equal(out_second, out_first)
    if not comparison.passed and not stale and _truth_clears(ctx, second, out_second, ref_second, tolerance):
        comparison.passed = True  # the reference missed (TF32 and the like); the fp64 truth decided
    if comparison.passed:
        doc.check(
            "no_cached_result",
            True,
            "correct after the inputs were rewritten in place (same pointers and shapes)",
        )
    else:
        doc.check(
            "no_cached_result",
            False,
            (
                "after the input buffers were rewritten in place with new values, the call "
                + (
                    "returned the previous call's output unchanged"
                    if stale
                    else f"returned a wrong output ({comparison.summary()})"
                )
                + ": a result cached by pointer, shape or sampled values"
            ),
        )
        return

    again = _values(ctx.call_candidate(clone(second)), ctx.backend)
    ctx.backend.synchronize()
    if not bitwise_equal(again, out_second):
        differs = compare_outputs(again, out_second, *tolerance)
        doc.flag(
            "nondeterministic",
            (
                "two calls on identical inputs gave different bits (max abs difference "
                f"{differs.max_abs_error:.3g}, {'within' if differs.passed else 'beyond'} "
                "tolerance): a race, atomics in varying order, or uninitialised reads"
            ),
        )
