"""Timing protocol, identical for the candidate and the baselines.

Per timed call: refresh the input buffers' contents from one of K pre-drawn sets
(same pointers, new values; outside the timed region), flush the L2 (GPU) or the
last-level cache (CPU), then time the call alone with device events on the
calling stream (GPU) or the monotonic clock (CPU). Warm-up calls come first.
Median and spread are reported; one timed call's output, picked at random, is
checked against the reference afterwards (`timed_output_correct`).
"""

import random
import statistics
import time

from .compare import flatten_outputs
from .inputs import clone, draw, nbytes, refresh

DEFAULTS = {"gpu": {"trials": 100, "warmup": 10}, "cpu": {"trials": 20, "warmup": 2}}
# Auto trial counts keep one side's timing near this many seconds.
TIME_BUDGET_S = 8.0
MIN_AUTO_TRIALS = 5
MAX_INPUT_SETS = 3


# A measurement is `noisy` (too spread to trust its median) when its IQR exceeds this
# fraction of the median: a quiet GPU stays under 2%, a CPU kernel on an idle core
# under 5%; beyond 10% the median moves by more than a kernel change worth reporting.
NOISY_IQR_FRACTION = 0.10
# ... or when the slowest 5% take this many times the median: preemption or frequency
# changes hit a large share of the calls, not one outlier (which the median ignores).
NOISY_P95_RATIO = 3.0
# CPU only: a noisy measurement is repeated in rounds of the planned trial count, up to
# this many times the plan, within the side's time budget; samples accumulate.
MAX_TRIAL_FACTOR = 4


def _percentile(ordered: list, fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def noise(stats: dict):
    """A sentence saying why a stats object is too noisy to trust, or None."""
    median = stats.get("median_ms") or 0.0
    if median <= 0:
        return None
    iqr_ms = stats.get("p75_ms", 0.0) - stats.get("p25_ms", 0.0) if "p75_ms" in stats \
        else stats.get("iqr_ms", 0.0)
    reasons = []
    if iqr_ms / median > NOISY_IQR_FRACTION:
        reasons.append(f"IQR {100 * iqr_ms / median:.0f}% of the median "
                       f"(limit {100 * NOISY_IQR_FRACTION:.0f}%)")
    if "p95_ms" in stats and stats["p95_ms"] / median > NOISY_P95_RATIO:
        reasons.append(f"p95 {stats['p95_ms'] / median:.1f}x the median "
                       f"(limit {NOISY_P95_RATIO:g}x)")
    return "; ".join(reasons) or None


def summarize(samples: list) -> dict:
    ordered = sorted(samples)
    count = len(ordered)
    p25, p75 = _percentile(ordered, 0.25), _percentile(ordered, 0.75)
    stats = {
        "median_ms": statistics.median(ordered), "mean_ms": statistics.fmean(ordered),
        "min_ms": ordered[0], "max_ms": ordered[-1], "iqr_ms": p75 - p25,
        "std_ms": statistics.stdev(ordered) if count > 1 else 0.0, "trials": count,
        "p05_ms": _percentile(ordered, 0.05), "p25_ms": p25, "p75_ms": p75,
        "p95_ms": _percentile(ordered, 0.95),
    }
    stats["noisy"] = noise(stats) is not None
    return stats


def measure_robust(ctx, call, sets: list, trials: int, warmup: int, kind: str,
                   keep: bool = False):
    """measure(), then on the CPU with an automatic trial count, more rounds while the
    samples are noisy: up to MAX_TRIAL_FACTOR x trials, within the side's time budget.
    The same rule for every side, so both sides of a speedup are timed alike."""
    started = time.perf_counter()
    samples, kept = measure(ctx, call, sets, trials, warmup, keep)
    if kind != "cpu" or ctx.options.timing_trials is not None:  # an explicit count is kept
        return samples, kept
    budget = min(TIME_BUDGET_S, max(ctx.remaining() / 6, 0.5))
    while summarize(samples)["noisy"] and len(samples) + trials <= MAX_TRIAL_FACTOR * trials:
        elapsed = time.perf_counter() - started
        rounds = len(samples) / trials
        if elapsed + elapsed / rounds > budget:
            break
        more, _ = measure(ctx, call, sets, trials, 0)
        samples += more
    return samples, kept


def input_sets(ctx, seeds: list) -> list:
    """Up to MAX_INPUT_SETS draws, fewer when they would not fit the memory budget."""
    first = draw(ctx.task, seeds[0], ctx.backend.torch_device)
    count = max(1, min(MAX_INPUT_SETS, ctx.backend.memory_budget() // max(nbytes(first), 1)))
    return [first] + [draw(ctx.task, seed, ctx.backend.torch_device) for seed in seeds[1:count]]


def plan(ctx, call, sets: list, kind: str):
    """(trials, warmup) from the options, or sized to the time budget."""
    defaults = DEFAULTS[kind]
    warmup = ctx.options.warmup if ctx.options.warmup is not None else defaults["warmup"]
    if ctx.options.timing_trials is not None:
        return ctx.options.timing_trials, warmup
    buffers = clone(sets[0])
    call(buffers)
    ctx.backend.synchronize()
    start = time.perf_counter()
    call(buffers)
    ctx.backend.synchronize()
    estimate = max(time.perf_counter() - start, 1e-6)
    budget = min(TIME_BUDGET_S, max(ctx.remaining() / 6, 0.5))
    trials = int(max(MIN_AUTO_TRIALS, min(defaults["trials"], budget / estimate)))
    return trials, warmup


def measure(ctx, call, sets: list, trials: int, warmup: int, keep: bool = False):
    """Samples in ms, plus (output, set index) of one randomly chosen timed call."""
    backend = ctx.backend
    buffers = clone(sets[0])
    for index in range(warmup):
        refresh(buffers, sets[index % len(sets)])
        call(buffers)
    backend.synchronize()
    timers = [backend.timer() for _ in range(trials)]
    keep_index = random.randrange(trials // 2, trials) if keep else -1
    kept = None
    for index, timer in enumerate(timers):
        refresh(buffers, sets[index % len(sets)])
        backend.flush_cache()
        timer.start()
        output = call(buffers)
        timer.stop()
        if index == keep_index:
            kept = ([t.detach().clone() for t in flatten_outputs(output)], index % len(sets))
        del output
    backend.synchronize()
    return [timer.elapsed_ms() for timer in timers], kept
