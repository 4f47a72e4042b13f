"""Eager and torch.compile baselines, timed like the candidate, cached on disk.

The cache key holds the task's bytes, the device, the torch/triton/python versions
and the timing protocol's settings; anything else changing means a new entry. Each
entry carries its provenance (when, on which machine in which state, how); see
provenance.py for when a stored entry may stand for a new measurement.
"""

import os
import sys

import torch

from . import timing
from .cache import cache_dir, digest, file_digest, read_json, write_json_atomic
from .provenance import age_seconds, condition_changes, machine_state, record

# Bump when the timing protocol changes, so old numbers are not reused.
PROTOCOL_VERSION = 5  # 4: provenance per entry, reuse after a quick re-time; 5: device idle at
# the start mark, warm-up by time on an accelerator, noisy rounds repeated there too


def _versions() -> dict:
    versions = {"torch": torch.__version__, "python": sys.version.split()[0]}
    try:
        import triton

        versions["triton"] = triton.__version__
    except ImportError:
        versions["triton"] = None
    return versions


def cache_key(ctx, trials: int, warmup: int, sets: int, threads) -> str:
    return digest(
        PROTOCOL_VERSION,
        file_digest(ctx.options.task),
        ctx.backend.name(),
        ctx.backend.device_string,
        _versions(),
        trials,
        warmup,
        sets,
        threads,
        ctx.backend.clock,
    )


# A cached baseline stands only when a quick re-time of RETIME_TRIALS calls lands within
# this fraction of its median: wide enough for an honest re-time on a quiet machine
# (CPU medians move by ~5% between processes, GPU by ~2%), far below the 10x-100x of a
# baseline written while the machine was loaded.
RETIME_TOLERANCE = {"cpu": 0.25, "gpu": 0.10}
RETIME_TRIALS = {"cpu": 5, "gpu": 20}


def _method(ctx, trials: int, warmup: int, sets: int, threads) -> dict:
    return {
        "protocol": PROTOCOL_VERSION,
        "trials": trials,
        "warmup": warmup,
        "input_sets": sets,
        "threads": threads,
        "clock": ctx.backend.clock,
        "flush_bytes": ctx.backend.flush_bytes(),
        "versions": _versions(),
    }


def _reusable(entry, state: dict):
    """None when a stored entry may be re-timed and reused, else why not."""
    provenance = (entry or {}).get("provenance")
    if not provenance or "stats" not in entry:
        return "stored without provenance"
    if provenance.get("busy"):
        return f"measured on a busy machine ({provenance['busy']})"
    changes = condition_changes(provenance.get("machine") or {}, state)
    if changes:
        return "measured under other conditions: " + "; ".join(changes)
    return None


def run_baselines(ctx, names: list, sets: list, trials: int, warmup: int, threads) -> dict:
    """{name: stats or None}, "cache": {name: status}, "provenance": {name: record}.

    A stored entry is reused only under the same conditions (provenance.SAME_CONDITIONS)
    and when a quick re-time agrees within RETIME_TOLERANCE; otherwise the baseline is
    measured again and the old entry dropped. Numbers from a noisy measurement or a busy
    machine are returned but never stored."""
    key = cache_key(ctx, trials, warmup, len(sets), threads)
    path = f"{cache_dir('baselines')}/{key[:40]}.json"
    stored = read_json(path) or {}
    state = machine_state(ctx.backend)
    method = _method(ctx, trials, warmup, len(sets), threads)
    kind = "cpu" if ctx.backend.kind == "cpu" else "gpu"
    results, cache, sources = {}, {}, {}
    for name in names:
        entry = stored.pop(name, None)
        try:
            reused = _reuse(ctx, name, entry, state, sets, warmup, kind) if entry else None
            if reused and reused["agrees"]:
                stored[name] = entry
                results[name] = entry["stats"]
                cache[name] = f"hit (quick re-time {reused['ratio']:.2f}x the cached median)"
                sources[name] = dict(
                    _source("cache", entry["provenance"], path),
                    retime_ms=reused["median_ms"],
                    retime_ratio=reused["ratio"],
                )
                continue
            replaced = _replaced(entry, reused, state) if entry else None
            stats = _time(ctx, name, sets, trials, warmup)
            results[name] = stats
            provenance_ = record(state, method)
            sources[name] = dict(_source("measured", provenance_, path), replaced=replaced)
            if stats["noisy"]:  # a busy machine's number must not outlive the moment
                cache[name] = "miss (noisy: not cached)"
            elif provenance_["busy"]:
                cache[name] = f"miss (busy machine: not cached; {provenance_['busy']})"
            else:
                stored[name] = {"stats": stats, "provenance": provenance_}
                cache[name] = "miss"
            if replaced:
                cache[name] = f"stale: {replaced}; re-measured, " + cache[name]
        except Exception as error:  # a baseline that fails must not sink the verdict
            results[name] = None
            cache[name] = f"error: {type(error).__name__}: {str(error)[:300]}"
    stored = {k: v for k, v in stored.items() if k in ("eager", "compile")}
    if stored:
        stored["task"] = os.path.abspath(ctx.options.task)
        write_json_atomic(path, stored)
    elif os.path.exists(path):
        os.remove(path)
    results["cache"], results["provenance"] = cache, sources
    return results


def _source(source: str, provenance: dict, path: str) -> dict:
    return {
        "source": source,
        "measured_at": provenance.get("measured_at"),
        "age_s": age_seconds(provenance),
        "machine": provenance.get("machine"),
        "method": provenance.get("method"),
        "busy": provenance.get("busy"),
        "cache_file": path,
    }


def _reuse(ctx, name: str, entry: dict, state: dict, sets: list, warmup: int, kind: str):
    """A quick re-time of a reusable entry: {agrees, ratio, median_ms}; None when the
    entry may not be reused at all."""
    if _reusable(entry, state):
        return None
    quick = _time(ctx, name, sets, RETIME_TRIALS[kind], warmup, robust=False)
    cached = entry["stats"]["median_ms"]
    ratio = quick["median_ms"] / cached if cached > 0 else float("inf")
    return {
        "agrees": abs(ratio - 1) <= RETIME_TOLERANCE[kind],
        "ratio": ratio,
        "median_ms": quick["median_ms"],
        "cached_ms": cached,
        "kind": kind,
    }


def _replaced(entry: dict, reused, state: dict) -> str:
    """Why a stored entry was dropped, for the cache status and the verdict's flag."""
    if reused is None:
        return f"cached entry not reused ({_reusable(entry, state)})"
    age = age_seconds(entry.get("provenance"))
    return (
        f"cached median {reused['cached_ms']:.4g} ms"
        + (f" from {_age_text(age)} ago" if age is not None else "")
        + f" disagreed with a quick re-time of {reused['median_ms']:.4g} ms "
        f"({reused['ratio']:.2f}x, tolerance {RETIME_TOLERANCE[reused['kind']]:.0%})"
    )


def _age_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _time(ctx, name: str, sets: list, trials: int, warmup: int, robust: bool = True) -> dict:
    model = ctx.reference
    if name == "compile":
        model = torch.compile(ctx.reference)
        warmup = max(warmup, 3)  # the first calls compile

    def call(buffers):
        with torch.no_grad():
            return model(*buffers)

    kind = "cpu" if ctx.backend.kind == "cpu" else "gpu"
    if robust:
        samples, _kept = timing.measure_robust(ctx, call, sets, trials, warmup, kind)
    else:
        samples, _kept = timing.measure(ctx, call, sets, trials, warmup)
    return timing.summarize(samples)
