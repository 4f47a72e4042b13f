"""End-to-end A/B: the model in eager, torch.compile, patched eager, patched + compile.

The harness's timing protocol (timing.py): the same function times every side, inputs
refreshed in place between calls from pre-drawn sets, cache flushed, device events on
the GPU or the monotonic clock on the CPU, median and spread, noisy sides flagged.
"""

import time
import types

import torch

from ..inputs import clone, rescaled
from ..timing import measure_robust, noise, plan, summarize


class TimingContext:
    """What timing.plan/measure need from an evaluation's context."""

    def __init__(self, backend, trials=None, warmup=None, budget_s: float = 60.0):
        self.backend = backend
        self.options = types.SimpleNamespace(timing_trials=trials, warmup=warmup)
        self.deadline = time.monotonic() + budget_s

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def timing_sets(inputs: list, count: int = 3) -> list:
    """The model's inputs and rescaled copies (same shapes, new values)."""
    return [clone(inputs)] + [rescaled(inputs, seed) for seed in range(1, count)]


def time_side(model, sets: list, backend, trials=None, warmup=None, budget_s: float = 30.0):
    ctx = TimingContext(backend, trials, warmup, budget_s)
    kind = "cpu" if backend.kind == "cpu" else "gpu"

    def call(buffers):
        with torch.no_grad():
            return model(*buffers)

    started = time.perf_counter()
    with torch.no_grad():
        call(clone(sets[0]))  # first call: compilation, kernel builds, autotuning
    backend.synchronize()
    first_call_s = time.perf_counter() - started
    count, warm = plan(ctx, call, sets, kind)
    samples, _ = measure_robust(ctx, call, sets, count, warm, kind)
    stats = summarize(samples)
    stats["first_call_s"] = first_call_s
    stats["noise"] = noise(stats)
    return stats


def batch_of(inputs: list) -> int:
    first = next((t for t in inputs if isinstance(t, torch.Tensor) and t.dim() > 0), None)
    return int(first.shape[0]) if first is not None else 1


def with_throughput(stats: dict, batch: int) -> dict:
    if stats and stats.get("median_ms"):
        stats["items_per_s"] = batch / (stats["median_ms"] / 1e3)
    return stats
