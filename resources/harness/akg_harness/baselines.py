"""Eager and torch.compile baselines, timed like the candidate, cached on disk.

The cache key holds the task's bytes, the device, the torch/triton/python versions
and the timing protocol's settings; anything else changing means a new entry.
"""

import sys
import time

import torch

from . import timing
from .cache import cache_dir, digest, file_digest, read_json, write_json_atomic

# Bump when the timing protocol changes, so old numbers are not reused.
PROTOCOL_VERSION = 3  # 3: percentiles in the stats; noisy CPU measurements extended


def _versions() -> dict:
    versions = {"torch": torch.__version__, "python": sys.version.split()[0]}
    try:
        import triton

        versions["triton"] = triton.__version__
    except ImportError:
        versions["triton"] = None
    return versions


def cache_key(ctx, trials: int, warmup: int, sets: int, threads) -> str:
    return digest(PROTOCOL_VERSION, file_digest(ctx.options.task), ctx.backend.name(),
                  ctx.backend.device_string, _versions(), trials, warmup, sets, threads,
                  ctx.backend.clock)


def run_baselines(ctx, names: list, sets: list, trials: int, warmup: int, threads) -> dict:
    """{name: stats or None}, plus "cache": {name: "hit"|"miss"|"miss (noisy: not
    cached)"|"error: ..."}. A cached entry is returned as stored (its own percentiles)."""
    key = cache_key(ctx, trials, warmup, len(sets), threads)
    path = f"{cache_dir('baselines')}/{key[:40]}.json"
    stored = read_json(path) or {}
    results, cache = {}, {}
    for name in names:
        if name in stored:
            results[name], cache[name] = stored[name], "hit"
            continue
        try:
            results[name] = _time(ctx, name, sets, trials, warmup)
            if results[name]["noisy"]:  # a busy machine's number must not outlive the moment
                cache[name] = "miss (noisy: not cached)"
            else:
                stored[name] = results[name]
                cache[name] = "miss"
        except Exception as error:  # a baseline that fails must not sink the verdict
            results[name] = None
            cache[name] = f"error: {type(error).__name__}: {str(error)[:300]}"
    stored["created"] = stored.get("created") or time.time()
    stored["versions"] = _versions()
    write_json_atomic(path, stored)
    results["cache"] = cache
    return results


def _time(ctx, name: str, sets: list, trials: int, warmup: int) -> dict:
    model = ctx.reference
    if name == "compile":
        model = torch.compile(ctx.reference)
        warmup = max(warmup, 3)  # the first calls compile

    def call(buffers):
        with torch.no_grad():
            return model(*buffers)

    kind = "cpu" if ctx.backend.kind == "cpu" else "gpu"
    samples, _kept = timing.measure_robust(ctx, call, sets, trials, warmup, kind)
    return timing.summarize(samples)
