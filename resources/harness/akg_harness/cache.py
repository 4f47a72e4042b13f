"""Where the harness keeps things between processes, and how keys are made.

Layout under the cache root (AKG_CACHE_DIR, default ~/.cache/akg-studio):
  build/       compiled extensions, one folder per source+flags+toolchain hash
  baselines/   eager / torch.compile timings per task, device and versions
  peaks/       measured peak bandwidth and FLOP/s of devices missing from the table
  triton/      Triton's own kernel cache
  sources/     candidates rewritten with tunable overrides (Triton needs a real file)
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
from typing import Optional


def cache_root() -> str:
    root = os.environ.get("AKG_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "akg-studio")
    os.makedirs(root, exist_ok=True)
    return root


def cache_dir(*parts: str, build_dir: Optional[str] = None) -> str:
    """A directory under the cache root (created); `build_dir` replaces the build folder."""
    if parts and parts[0] == "build" and build_dir:
        path = os.path.join(build_dir, *parts[1:])
    else:
        path = os.path.join(cache_root(), *parts)
    os.makedirs(path, exist_ok=True)
    return path


def digest(*items) -> str:
    hasher = hashlib.sha256()
    for item in items:
        if isinstance(item, bytes):
            hasher.update(item)
        else:
            hasher.update(json.dumps(item, sort_keys=True, default=str).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def file_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return digest(handle.read())


@contextlib.contextmanager
def file_lock(path: str):
    """An exclusive lock shared by every process that builds the same key."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=None)
def tool_version(command: str) -> Optional[str]:
    """First line of `<command> --version`, or None when the tool is missing."""
    if shutil.which(command) is None:
        return None
    try:
        output = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return None
    return lines[-1] if command == "nvcc" else lines[0]  # nvcc puts its release last


def toolchain_key(with_cuda: bool) -> dict:
    """Everything besides the sources that decides what a build produces."""
    import torch

    key = {
        "torch": torch.__version__,
        "python": sys.implementation.cache_tag,
        "machine": platform.machine(),
        "cxx": tool_version(os.environ.get("CXX", "c++")),
    }
    if with_cuda:
        key.update(
            cuda=torch.version.cuda, nvcc=tool_version("nvcc"), arch=os.environ.get("TORCH_CUDA_ARCH_LIST")
        )
    return key


def read_json(path: str):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json_atomic(path: str, value) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(value, handle, indent=1, default=str)
    os.replace(temporary, path)
