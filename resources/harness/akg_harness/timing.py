"""Timing protocol, identical for the candidate and the baselines.

Per timed call: refresh the input buffers' contents from one of K pre-drawn sets
(same pointers, new values; outside the timed region), flush the L2 (GPU) or the
last-level cache (CPU), then time the call alone with device events on the
calling stream (GPU) or the monotonic clock (CPU). Warm-up calls come first.
Median and spread are reported; one timed call's output, picked at random, is
checked against the reference afterwards (`timed_output_correct`).
"""

import random
import time

from .compare import flatten_outputs
from .inputs import clone, draw, nbytes, refresh
from .timing_stats import (
    noise,  # noqa: F401
    summarize,
)

DEFAULTS = {"gpu": {"trials": 100, "warmup": 10}, "cpu": {"trials": 20, "warmup": 2}}
# Auto trial counts keep one side's timing near this many seconds.
TIME_BUDGET_S = 8.0
MIN_AUTO_TRIALS = 5
MAX_INPUT_SETS = 3

# CPU only: a noisy measurement is repeated in rounds of the planned trial count, up to
# this many times the plan, within the side's time budget; samples accumulate.
MAX_TRIAL_FACTOR = 4


def measure_robust(ctx, call, sets: list, trials: int, warmup: int, kind: str, keep: bool = False):
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
