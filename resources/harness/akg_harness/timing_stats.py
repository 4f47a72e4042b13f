"""Statistics of a timing side: percentiles, spread, the noise rule. Torch-free, so
the supervisor can judge numbers it did not measure."""

import statistics

# A measurement is `noisy` (too spread to trust its median) when its IQR exceeds this
# fraction of the median: a quiet GPU stays under 2%, a CPU kernel on an idle core
# under 5%; beyond 10% the median moves by more than a kernel change worth reporting.
NOISY_IQR_FRACTION = 0.10
# ... and it exceeds this many ms: device events resolve about 0.5 µs, so a 4 µs kernel's
# quartiles sit a step or two apart (IQR 12-19% of its median on an H200) however quiet the
# machine; below a microsecond the spread is the clock's, not the kernel's.
NOISY_IQR_FLOOR_MS = 0.001
# ... or when the slowest 5% take this many times the median: preemption or frequency
# changes hit a large share of the calls, not one outlier (which the median ignores).
NOISY_P95_RATIO = 3.0


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
    iqr_ms = (
        stats.get("p75_ms", 0.0) - stats.get("p25_ms", 0.0) if "p75_ms" in stats else stats.get("iqr_ms", 0.0)
    )
    reasons = []
    if iqr_ms / median > NOISY_IQR_FRACTION and iqr_ms > NOISY_IQR_FLOOR_MS:
        reasons.append(
            f"IQR {100 * iqr_ms / median:.0f}% of the median (limit {100 * NOISY_IQR_FRACTION:.0f}%)"
        )
    if "p95_ms" in stats and stats["p95_ms"] / median > NOISY_P95_RATIO:
        reasons.append(f"p95 {stats['p95_ms'] / median:.1f}x the median (limit {NOISY_P95_RATIO:g}x)")
    return "; ".join(reasons) or None


def summarize(samples: list) -> dict:
    ordered = sorted(samples)
    count = len(ordered)
    p25, p75 = _percentile(ordered, 0.25), _percentile(ordered, 0.75)
    stats = {
        "median_ms": statistics.median(ordered),
        "mean_ms": statistics.fmean(ordered),
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
        "iqr_ms": p75 - p25,
        "std_ms": statistics.stdev(ordered) if count > 1 else 0.0,
        "trials": count,
        "p05_ms": _percentile(ordered, 0.05),
        "p25_ms": p25,
        "p75_ms": p75,
        "p95_ms": _percentile(ordered, 0.95),
    }
    stats["noisy"] = noise(stats) is not None
    return stats


def flag_timing(doc, baselines: dict, candidate, eager, compiled) -> None:
    """The verdict's flags about its timing: baselines that failed or were re-measured, and a
    spread too large to trust a median (the supervisor's verdict and the in-process path)."""
    for name, status in (baselines.get("cache") or {}).items():
        if isinstance(status, str) and status.startswith("error"):
            doc.flag(f"{name}_baseline_failed", status)
    replaced = [
        f"{name}: {source['replaced']}"
        for name, source in (baselines.get("provenance") or {}).items()
        if isinstance(source, dict) and source.get("replaced")
    ]
    if replaced:
        doc.flag(
            "baseline_remeasured",
            "a cached baseline did not stand and was measured "
            "again, the old entry dropped (" + "; ".join(replaced) + ")",
        )
    noisy = [
        f"{side}: {noise(stats)} over {stats['trials']} calls"
        for side, stats in (("candidate", candidate), ("eager", eager), ("compile", compiled))
        if stats and noise(stats)
    ]
    if noisy:
        doc.flag(
            "noisy_timing",
            "the spread is too large to trust the median ("
            + "; ".join(noisy)
            + "); the machine was busy or the clock unsteady: "
            "measure again on a quiet machine before acting on this speedup",
        )
