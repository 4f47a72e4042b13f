"""Compiled bytecode for sandboxed executors where the Python environment ships none.

A Python environment installed without bytecode (pip's --no-compile, images built with
PYTHONDONTWRITEBYTECODE, read-only site-packages) makes every process compile torch's two
thousand modules from source, and a sandboxed executor can write no bytecode to keep: on an
H200 host that was 9-13 s of each executor's start, several candidates' worth. Then the
trusted side compiles once, into a folder of its cache (`PYTHONPYCACHEPREFIX`), by importing
what an executor imports at start (torch, torch._dynamo, Triton, the harness: no candidate
code), and every sandbox reads that folder read-only. Python checks each file's source
stamp, so a library upgraded since is compiled again, never run stale; the folder is filled
again when torch changes. Where torch has its bytecode beside its sources, nothing is done.
"""

import functools
import importlib.util
import os
import subprocess
import sys
from typing import Optional

from .cache import cache_dir

FOLDER = "pycache"
MARKER = ".complete"
# What an executor imports before any candidate (executor.warm_up), compiled by importing it.
WARM_IMPORTS = (
    "import torch, torch._dynamo\n"
    "try:\n"
    "    import triton, triton.language\n"
    "except Exception:\n"
    "    pass\n"
    "import akg_harness.executor, akg_harness.pipeline\n"
)
FILL_TIMEOUT_S = 600
HARNESS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _torch_source() -> Optional[str]:
    spec = importlib.util.find_spec("torch")  # finds, does not import
    return spec.origin if spec is not None and spec.origin and spec.origin.endswith(".py") else None


def missing_bytecode() -> bool:
    """Whether torch comes without compiled bytecode beside its sources."""
    source = _torch_source()
    if source is None:
        return False
    try:
        return not os.path.exists(importlib.util.cache_from_source(source))
    except (NotImplementedError, ValueError):
        return False


def _stamp() -> str:
    source = _torch_source() or ""
    try:
        status = os.stat(source)
        return f"{sys.version} {source} {status.st_mtime_ns} {status.st_size}"
    except OSError:
        return f"{sys.version} {source}"


@functools.lru_cache(maxsize=None)
def shared_root() -> Optional[str]:
    """The bytecode folder sandboxes read (filled on first use), or None where torch has its
    own bytecode, AKG_SHARED_PYCACHE=0, or the folder could not be filled."""
    if os.environ.get("AKG_SHARED_PYCACHE", "1") == "0" or not missing_bytecode():
        return None
    root = cache_dir(FOLDER, sys.implementation.cache_tag)
    marker = os.path.join(root, MARKER)
    stamp = _stamp()
    try:
        with open(marker) as handle:
            if handle.read() == stamp:
                return root
    except OSError:
        pass
    env = dict(os.environ, PYTHONPYCACHEPREFIX=root)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(
        [HARNESS_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    try:
        completed = subprocess.run(
            [sys.executable, "-c", WARM_IMPORTS],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=FILL_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"akg_harness: compiling bytecode for sandboxes failed: {error}", file=sys.stderr)
        return None
    if completed.returncode != 0:
        tail = completed.stderr.decode(errors="replace").strip().splitlines()[-1:]
        print(f"akg_harness: compiling bytecode for sandboxes failed: {tail}", file=sys.stderr)
        return None
    with open(marker, "w") as handle:
        handle.write(stamp)
    return root
