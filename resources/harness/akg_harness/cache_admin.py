"""`cache list` / `cache clear`: what the harness keeps between processes, with provenance.

Baselines and peaks are numbers a speedup rests on, so each is listed with when, where
and how it was measured; clearing one makes the next evaluation measure it again.
"""

import glob
import os
import shutil
import time

from .cache import cache_root, read_json

KINDS = ("baselines", "peaks", "build")


def _baseline_entries(path: str) -> list:
    stored = read_json(path) or {}
    rows = []
    for name in ("eager", "compile"):
        entry = stored.get(name)
        if not isinstance(entry, dict):
            continue
        provenance = entry.get("provenance") or {}
        machine = provenance.get("machine") or {}
        measured = provenance.get("measured_at")
        rows.append(
            {
                "kind": "baselines",
                "file": path,
                "baseline": name,
                "task": stored.get("task"),
                "device": machine.get("device"),
                "device_name": machine.get("device_name"),
                "median_ms": (entry.get("stats") or {}).get("median_ms"),
                "noisy": (entry.get("stats") or {}).get("noisy"),
                "measured_at": measured,
                "age_s": round(time.time() - measured, 1) if measured else None,
                "host": machine.get("host"),
                "driver": machine.get("driver"),
                "torch": machine.get("torch"),
                "others_busy_cores": machine.get("others_busy_cores"),
                "method": provenance.get("method"),
            }
        )
    if not rows:
        rows.append(
            {
                "kind": "baselines",
                "file": path,
                "baseline": None,
                "task": stored.get("task"),
                "note": "no entry with provenance (written by an older harness; never reused)",
            }
        )
    return rows


def _peak_entry(path: str) -> dict:
    stored = read_json(path) or {}
    measured = stored.get("measured_at")
    return {
        "kind": "peaks",
        "file": path,
        "peak_bandwidth_gbs": stored.get("peak_bandwidth_gbs"),
        "peak_tflops": stored.get("peak_tflops"),
        "measured_at": measured,
        "age_s": round(time.time() - measured, 1) if measured else None,
        "source": stored.get("source"),
    }


def list_entries(kinds=KINDS, task=None) -> list:
    root = cache_root()
    rows = []
    if "baselines" in kinds:
        for path in sorted(glob.glob(os.path.join(root, "baselines", "*.json"))):
            rows += [
                row
                for row in _baseline_entries(path)
                if task is None or row.get("task") == os.path.abspath(task)
            ]
    if "peaks" in kinds and task is None:
        rows += [_peak_entry(p) for p in sorted(glob.glob(os.path.join(root, "peaks", "*.json")))]
    if "build" in kinds and task is None:
        for path in sorted(glob.glob(os.path.join(root, "build", "akg_ext_*"))):
            if os.path.isdir(path):
                rows.append({"kind": "build", "file": path, "measured_at": os.path.getmtime(path)})
    return rows


def clear(kinds=KINDS, task=None) -> dict:
    """Removes the listed entries' files; {"removed": [paths]}."""
    removed = []
    for row in list_entries(kinds, task):
        path = row["file"]
        if path in removed or not os.path.exists(path):
            continue
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
        removed.append(path)
    return {"removed": removed, "cache_root": cache_root()}
