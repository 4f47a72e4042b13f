"""Timing statistics: quartiles and percentiles, and what happens when a side is noisy."""

import types

import pytest

from akg_harness import timing


def test_percentiles_are_reported_with_the_old_fields():
    stats = timing.summarize([float(value) for value in range(1, 101)])
    assert stats["median_ms"] == 50.5 and stats["min_ms"] == 1.0 and stats["max_ms"] == 100.0
    assert [stats[key] for key in ("p05_ms", "p25_ms", "p75_ms", "p95_ms")] == pytest.approx(
        [5.95, 25.75, 75.25, 95.05]
    )
    assert stats["iqr_ms"] == pytest.approx(49.5)
    assert stats["noisy"] is True  # IQR is 98% of the median


def test_noise_thresholds():
    steady = timing.summarize([1.0, 1.01, 1.02, 0.99, 1.0, 1.03, 0.98, 1.0])
    assert steady["noisy"] is False and timing.noise(steady) is None
    spread = timing.summarize([1.0, 1.0, 1.3, 1.3, 1.0, 1.3])
    assert "IQR" in timing.noise(spread)
    tail = timing.summarize([1.0] * 16 + [5.0] * 2)  # p95 at 5x the median
    assert "p95" in timing.noise(tail) and "IQR" not in timing.noise(tail)
    one_outlier = timing.summarize([1.0] * 39 + [50.0])  # the median ignores it
    assert one_outlier["noisy"] is False


class ScriptedBackend:
    """The CPU backend's timing surface with scripted durations: the extension rule is
    about counts, and a loaded two-core machine cannot promise a steady real clock."""

    kind = "cpu"

    def __init__(self, durations):
        self.durations = iter(durations)

    def timer(self):
        backend = self

        class Timer:
            def start(self):
                self.value = next(backend.durations)

            def stop(self):
                pass

            def elapsed_ms(self):
                return self.value

        return Timer()

    def flush_cache(self):
        pass

    def synchronize(self):
        pass


def _context(durations, timing_trials=None):
    options = types.SimpleNamespace(timing_trials=timing_trials, warmup=0)
    return types.SimpleNamespace(backend=ScriptedBackend(durations), options=options, remaining=lambda: 600.0)


def _call(_buffers):
    return []


def test_noisy_cpu_measurement_gets_more_trials_up_to_a_bound():
    alternating = [1.0, 3.0] * 1000
    samples, _ = timing.measure_robust(_context(alternating), _call, [[]], 6, 0, "cpu")
    assert len(samples) == timing.MAX_TRIAL_FACTOR * 6
    steady, _ = timing.measure_robust(_context([1.0] * 1000), _call, [[]], 6, 0, "cpu")
    assert len(steady) == 6
    # Noisy at first, quiet afterwards: extended until the quiet calls dominate the quartiles
    # (12 samples still have p75 in the slow calls; 18 do not), short of the bound.
    settling, _ = timing.measure_robust(_context(alternating[:6] + [1.0] * 100), _call, [[]], 6, 0, "cpu")
    assert len(settling) == 18
    explicit, _ = timing.measure_robust(_context(alternating, timing_trials=6), _call, [[]], 6, 0, "cpu")
    assert len(explicit) == 6  # a count the user asked for is kept
    on_gpu, _ = timing.measure_robust(_context(alternating), _call, [[]], 6, 0, "gpu")
    assert len(on_gpu) == 6
