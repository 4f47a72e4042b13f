"""Timing statistics: quartiles and percentiles, and what happens when a side is noisy."""

import time
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
    # a 4 µs kernel whose quartiles are a step of the event clock apart: not noise
    quantised = timing.summarize([0.0040, 0.0045, 0.0040, 0.0045, 0.0040, 0.0045, 0.0040, 0.0045])
    assert quantised["noisy"] is False
    wide = timing.summarize([0.0040, 0.0060, 0.0040, 0.0060, 0.0040, 0.0060, 0.0040, 0.0060])
    assert "IQR" in timing.noise(wide)  # 2 µs apart is the kernel's, not the clock's


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

    def hold(self, seconds):
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
    assert len(on_gpu) == timing.MAX_TRIAL_FACTOR * 6  # the same rule on an accelerator


class LoggingAccelerator(ScriptedBackend):
    """An accelerator's timing surface that logs the order of what the protocol does."""

    kind = "cuda"

    def __init__(self):
        super().__init__([1.0] * 10000)
        self.log = []

    def timer(self):
        timer, log = super().timer(), self.log
        start = timer.start

        def logged_start():
            log.append("start")
            start()

        timer.start = logged_start
        return timer

    def flush_cache(self):
        self.log.append("flush")

    def synchronize(self):
        self.log.append("sync")

    def hold(self, seconds):
        self.log.append(("hold", seconds))


def test_accelerator_timing_queues_the_call_behind_a_hold_after_warming_for_a_while():
    backend = LoggingAccelerator()
    ctx = types.SimpleNamespace(
        backend=backend, options=types.SimpleNamespace(timing_trials=None, warmup=2), remaining=lambda: 600.0
    )
    calls = []

    def slow_call(_buffers):  # a 1 ms call: two warm-up calls are far short of the minimum
        calls.append(backend.log.count("start"))
        time.sleep(0.001)
        return []

    started = time.perf_counter()
    samples, _ = timing.measure(ctx, slow_call, [[]], 5, 2)
    assert len(samples) == 5
    warm_calls = calls.count(0)
    assert timing.WARMUP_MIN_S * 0.5 / 0.001 <= warm_calls <= timing.WARMUP_MAX_CALLS
    assert time.perf_counter() - started >= timing.WARMUP_MIN_S
    timed = backend.log[backend.log.index("flush") :]
    # every timed call: flush, then the device held for longer than the call's launch
    # (1 ms of host time here), then the start mark
    assert timed.count("start") == 5
    for index, entry in enumerate(timed):
        if entry == "start":
            assert timed[index - 2] == "flush"
            kind, seconds = timed[index - 1]
            assert kind == "hold" and 0.001 < seconds <= timing.HOLD_MAX_S


def test_confirmation_rounds_stop_when_more_cannot_change_the_answer():
    from akg_harness import timing_confirmation as tc

    median, calls = 0.01, 100  # 1 ms of device time per window at the median
    assert not tc.settled(median, calls, [0.0010, 0.0010])  # fewer than the least rounds
    assert tc.settled(median, calls, [0.0010] * tc.MIN_ROUNDS)  # within the limit
    slightly = [0.0012] * tc.MIN_ROUNDS  # 1.2x: a busy machine could explain it: go on
    assert not tc.settled(median, calls, slightly)
    assert tc.settled(median, calls, slightly * 4)  # up to the most rounds
    far = [0.0050] * tc.MIN_ROUNDS  # 5x: launch-bound or faked; more rounds change nothing
    assert tc.settled(median, calls, far)
