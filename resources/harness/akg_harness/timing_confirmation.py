"""Judging the candidate's in-process median against measurements it cannot touch.

Torch-free: runs in the supervisor, which holds the clock.

Wall clock: the supervisor notes its monotonic clock, tells the executor to run
`calls` forward calls back to back on the same buffers (no refresh, no cache
flush, one synchronize at the end), and notes the clock when the executor says it
is done. Per call that window holds one forward call with its launch overhead, on
warm caches, plus 1/calls of a pipe round trip (tens of microseconds; `calls` is
sized so the window is about WINDOW_S, which makes it under 0.5 %). The in-process
median is one call's device time after a cache flush, launch overhead hidden. So
an honest candidate's external time per call is at most its median (warm caches)
plus launch overhead; a median the candidate faked lower than its real time shows
as an external time above it. Confirmed when the best of ROUNDS windows is within
LIMIT of the median. Launch-bound GPU kernels (host launch cost above device time)
cannot be confirmed this way: ncu can.

ncu: kernel durations per forward read by Nsight Compute from outside the
candidate's process (`gpu__time_duration.sum` summed over the kernels of one
forward, cache flushed by ncu). Confirmed when that sum is within LIMIT of the
median. Either method confirming, with the confirmation output correct, confirms.
"""

import math

# How far above the in-process median an external measurement may be (10 %).
LIMIT = 1.10
# Seconds of back-to-back calls per round: long enough to amortise a pipe round trip
# (~50 us) to < 0.5 %, short enough to cost little per candidate (5 rounds: 0.1 s).
WINDOW_S = 0.02
# The best round counts: a busy machine only ever adds time to a window, so more short
# rounds find a quiet one more often than fewer long ones. At least MIN_ROUNDS; more, up
# to MAX_ROUNDS, only while the best is still above the limit (0.06 to 0.2 s).
MIN_ROUNDS, MAX_ROUNDS = 3, 10
# Beyond this ratio after MIN_ROUNDS, more rounds cannot close the gap (a busy machine adds
# tens of percent to a window, not multiples): a launch-bound kernel or a faked median, which
# ncu tells apart. Stopping there saved 0.3 s per launch-bound candidate on an H200.
FAR = 2.0


def settled(median_ms: float, calls: int, windows_s: list) -> bool:
    """Whether the confirmation needs no further round."""
    if len(windows_s) >= MAX_ROUNDS:
        return True
    if len(windows_s) < MIN_ROUNDS:
        return False
    ratio = wall_clock_ratio(median_ms, calls, windows_s)
    return ratio <= LIMIT or ratio >= FAR


MIN_CALLS, MAX_CALLS = 3, 2000


def planned_calls(median_ms: float) -> int:
    return int(min(MAX_CALLS, max(MIN_CALLS, math.ceil(WINDOW_S * 1000.0 / median_ms))))


def valid_median(value) -> bool:
    return (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )


def wall_clock_ratio(median_ms: float, calls: int, windows_s: list) -> float:
    """The best round's time per call over the in-process median."""
    return min(windows_s) * 1000.0 / calls / median_ms


def judge_wall_clock(median_ms: float, calls: int, windows_s: list, output: dict) -> dict:
    best = min(windows_s) * 1000.0 / calls
    ratio = wall_clock_ratio(median_ms, calls, windows_s)
    within = ratio <= LIMIT
    confirmed = within and bool(output.get("correct"))
    if not within:
        detail = (
            f"{calls} back-to-back calls took {best:.4g} ms each on the supervisor's clock "
            f"(best of {len(windows_s)}), {ratio:.2f}x the in-process median of "
            f"{median_ms:.4g} ms (limit {LIMIT:.2f}x): the in-process number is not "
            "supported (or the kernel is launch-bound: see ncu)"
        )
    elif not confirmed:
        detail = output.get("detail") or "the confirmation output was not checked"
    else:
        detail = (
            f"{calls} back-to-back calls took {best:.4g} ms each on the supervisor's clock "
            f"(best of {len(windows_s)}), {ratio:.2f}x the in-process median"
        )
    return {
        "method": "wall_clock",
        "calls": calls,
        "rounds": len(windows_s),
        "external_ms_per_call": best,
        "in_process_median_ms": median_ms,
        "ratio": ratio,
        "limit": LIMIT,
        "confirmed": confirmed,
        "detail": detail,
    }


def judge_ncu(median_ms: float, ncu: dict, output: dict) -> dict:
    total = (ncu or {}).get("total") or {}
    kernel_ms = total.get("duration_ms")
    if not valid_median(kernel_ms):
        return {
            "method": "ncu",
            "confirmed": False,
            "detail": (ncu or {}).get("error") or "ncu measured no kernel time",
        }
    if not output.get("correct"):
        return {
            "method": "ncu",
            "confirmed": False,
            "kernel_ms_per_forward": kernel_ms,
            "detail": "ncu: " + (output.get("detail") or "the measured forward's output was not checked"),
        }
    ratio = kernel_ms / median_ms
    confirmed = ratio <= LIMIT
    return {
        "method": "ncu",
        "kernel_ms_per_forward": kernel_ms,
        "in_process_median_ms": median_ms,
        "ratio": ratio,
        "limit": LIMIT,
        "confirmed": confirmed,
        "detail": (
            f"ncu: {kernel_ms:.4g} ms of kernels per forward, {ratio:.2f}x the in-process "
            f"median (limit {LIMIT:.2f}x)"
        ),
    }


def summary(methods: list) -> dict:
    confirmed = any(method.get("confirmed") for method in methods)
    return {"confirmed": confirmed, "methods": methods}
