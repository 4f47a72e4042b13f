"""Baselines with provenance: a cached number stands only if this machine still agrees."""

import os
import json
import time

from akg_harness.api import evaluate as evaluate_once
from conftest import candidate, failed, task


def _evaluate(seed: int) -> dict:
    """In this process: the baseline cache is the trusted side's (a sandboxed executor
    gets a private cache per candidate, so nothing it wrote outlives it)."""
    return evaluate_once(
        task("vector_add"),
        candidate("cpp", "add_correct"),
        "cpp",
        isolate=False,
        baselines="eager",
        seed=seed,
        timing_trials=5,
        warmup=1,
        correctness_trials=2,
    )


def _plant(result, **changes) -> str:
    """Write a cache entry as another process might have: this host's record, the given
    eager median; returns the cache file."""
    source = result["timing"]["baseline_provenance"]["eager"]
    stats = dict(result["timing"]["eager"], noisy=False)
    stats.update(changes.pop("stats", {}))
    machine = dict(source["machine"], **changes.pop("machine", {}))
    entry = {
        "stats": stats,
        "provenance": {
            "measured_at": time.time() - 7200,
            "machine": machine,
            "method": source["method"],
            "busy": None,
        },
    }
    with open(source["cache_file"], "w") as handle:
        json.dump({"eager": entry}, handle)
    return source["cache_file"]


def test_poisoned_cached_baseline_is_retimed_remeasured_and_dropped(cpp_builds):
    first = _evaluate(11)
    assert first["status"] == "passed", failed(first)
    live_ms = first["timing"]["eager"]["median_ms"]
    source = first["timing"]["baseline_provenance"]["eager"]
    assert source["machine"]["host"] and source["machine"]["device_name"]
    assert source["method"]["protocol"] >= 4 and source["measured_at"] > 0
    # An eager time a loaded machine could have written: 100x what it takes.
    path = _plant(first, stats={"median_ms": live_ms * 100})

    second = _evaluate(11)
    timing = second["timing"]
    status = timing["baseline_cache"]["eager"]
    assert status.startswith("stale: cached median"), status
    assert "disagreed with a quick re-time" in status and "from 2.0 h ago" in status
    assert timing["baseline_provenance"]["eager"]["source"] == "measured"
    assert timing["eager"]["median_ms"] < live_ms * 20  # the live number, not the planted one
    flag = [f["detail"] for f in second["flags"] if f["name"] == "baseline_remeasured"]
    assert flag and "eager: cached median" in flag[0]
    # The poisoned entry is gone: replaced by the live number, or nothing cached (a noisy re-time
    # is never written back).
    text = open(path).read() if os.path.exists(path) else ""
    assert str(live_ms * 100) not in text


def test_cached_baseline_from_another_host_is_not_reused(cpp_builds):
    first = _evaluate(12)
    _plant(first, machine={"host": "elsewhere"})
    second = _evaluate(12)
    status = second["timing"]["baseline_cache"]["eager"]
    assert status.startswith(
        "stale: cached entry not reused (measured under other conditions: host: 'elsewhere' then"
    ), status
    assert second["timing"]["baseline_provenance"]["eager"]["source"] == "measured"
