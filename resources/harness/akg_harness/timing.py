"""Timing protocol, identical for the candidate and the baselines.

Per timed call: refresh the input buffers' contents from one of K pre-drawn sets
(same pointers, new values; outside the timed region), flush the L2 (GPU) or the
last-level cache (CPU), then time the call alone with device events on the calling
stream (GPU) or the monotonic clock (CPU). On a GPU the device is kept busy while the
call is queued, so the events hold its device work (gaps between its own kernels
included) and not the launch of its first one: device time, as nvbench and ncu count
it. Warm-up calls come first (on a GPU for at least WARMUP_MIN_S). A noisy side is timed
again in more rounds, the same rule for every side.
Median and spread are reported; one timed call's output, picked at random, is
checked against the reference afterwards (`timed_output_correct`).
"""

import random
import statistics
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

# A noisy measurement is repeated in rounds of the planned trial count, up to this many
# times the plan, within the side's time budget; samples accumulate.
MAX_TRIAL_FACTOR = 4
# On an accelerator, warm-up lasts at least this long (clocks ramp in tens of ms), and
# at most this many calls.
WARMUP_MIN_S = 0.05
WARMUP_MAX_CALLS = 2000
# The device's lead over the host before each timed call: this many times the call's host
# launch time plus a margin (the start mark's own record), at most HOLD_MAX_S.
HOLD_FACTOR = 1.5
HOLD_MARGIN_S = 20e-6
HOLD_MAX_S = 0.01


def measure_robust(ctx, call, sets: list, trials: int, warmup: int, kind: str, keep: bool = False):
    """measure(), then with an automatic trial count, more rounds while the samples are
    noisy: up to MAX_TRIAL_FACTOR x trials, within the side's time budget. The same rule
    for every side, so both sides of a speedup are timed alike."""
    started = time.perf_counter()
    samples, kept = measure(ctx, call, sets, trials, warmup, keep)
    if ctx.options.timing_trials is not None:  # an explicit count is kept
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


def warm_up(backend, call, buffers, sets: list, warmup: int) -> float:
    """`warmup` calls, then on an accelerator more until WARMUP_MIN_S have passed (at most
    WARMUP_MAX_CALLS): a few calls of a µs kernel leave the clocks where idle put them.
    Returns the host time one call takes to return (its launch), the median of the last
    calls, in seconds."""
    started, hosts = time.perf_counter(), []

    def one(index: int) -> None:
        refresh(buffers, sets[index % len(sets)])
        before = time.perf_counter()
        call(buffers)
        hosts.append(time.perf_counter() - before)

    for index in range(warmup):
        one(index)
    backend.synchronize()
    done, elapsed = warmup, time.perf_counter() - started
    while backend.kind != "cpu" and elapsed < WARMUP_MIN_S and done < WARMUP_MAX_CALLS:
        per_call = elapsed / done if done else 0.0
        more = 1 if per_call <= 0 else int((WARMUP_MIN_S - elapsed) / per_call) + 1
        for index in range(done, min(done + more, WARMUP_MAX_CALLS)):
            one(index)
        backend.synchronize()
        done, elapsed = len(hosts), time.perf_counter() - started
    return statistics.median(hosts[-16:]) if hosts else 0.0


def measure(ctx, call, sets: list, trials: int, warmup: int, keep: bool = False):
    """Samples in ms, plus (output, set index) of one randomly chosen timed call."""
    backend = ctx.backend
    buffers = clone(sets[0])
    host_s = warm_up(backend, call, buffers, sets, warmup)
    # The device is kept busy (a spin on it, where the backend has one) for longer than the
    # call takes to launch, so the whole call is queued before its start mark runs: the
    # window holds the call's device work and none of its launch. Without this, whether the
    # L2 flush was still running when the call's first kernel arrived decided if the launch
    # was timed, and µs-scale medians split in two (IQR 16-224% on an H200).
    hold_s = min(HOLD_MAX_S, HOLD_FACTOR * host_s + HOLD_MARGIN_S)
    timers = [backend.timer() for _ in range(trials)]
    keep_index = random.randrange(trials // 2, trials) if keep else -1
    kept = None
    for index, timer in enumerate(timers):
        refresh(buffers, sets[index % len(sets)])
        backend.flush_cache()
        backend.hold(hold_s)
        timer.start()
        output = call(buffers)
        timer.stop()
        if index == keep_index:
            kept = ([t.detach().clone() for t in flatten_outputs(output)], index % len(sets))
        del output
    backend.synchronize()
    return [timer.elapsed_ms() for timer in timers], kept
