"""Precompiled torch headers for sandboxed builds, made only on the trusted side.

A C++/CUDA-C candidate's binding includes torch/extension.h; compiling that header is most of
a small extension's build. A precompiled header (.gch) removes it, but a header one build
writes is read by every later build, so a sandboxed build never writes one: it leaves a
request (its code-generation flags) in its own cache folder. When the sandbox closes, this
(trusted) side reads the request as untrusted data, accepts only flags from an allow-list, and
builds the header from torch's own extension.h in a separate process, into a shared folder
that every later sandbox sees read-only (AKG_PCH_DIR). No candidate text reaches that build.

Run as `python -m akg_harness.pch '{"flags": [...], "cuda": false}'` (the builder process).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from typing import List, Optional

from .cache import cache_dir

REQUESTS = "pch-requests"
SHARED = "pch-shared"
# Requests read from one sandbox, and distinct flag sets built by one process: a candidate
# cannot make the trusted side compile without end.
MAX_REQUESTS_PER_SANDBOX = 2
MAX_FILES_READ = 8
MAX_BUILDS_PER_PROCESS = 16
MAX_REQUEST_BYTES = 4096
# Code-generation flags a header may be built with. Nothing that names a file, a plugin, a
# program, a linker or an assembler option, or a spec: those could run or read anything.
ALLOWED = re.compile(
    r"^(?:"
    r"-O(?:[0-3sgz]|fast)?"
    r"|-std=(?:c|gnu)\+\+(?:11|14|17|20|23|2a|2b)"
    r"|-g[0-3]?|-w|-pthread"
    r"|-W(?:no-)?[a-z][a-z0-9-]*(?:=[0-9]+)?"  # no commas: -Wl, -Wp, -Wa pass options on
    r"|-f(?:no-)?(?:openmp|openmp-simd|fast-math|unroll-loops|unroll-all-loops|tree-vectorize"
    r"|tree-loop-vectorize|tree-slp-vectorize|strict-aliasing|omit-frame-pointer"
    r"|finite-math-only|math-errno|signed-zeros|trapping-math|associative-math"
    r"|reciprocal-math|exceptions|rtti|PIC|pic|inline-functions|peel-loops"
    r"|prefetch-loop-arrays|ipa-pta|vect-cost-model|permissive|openacc)"
    r"|-m(?:arch|tune|cpu)=[A-Za-z0-9_.-]+"
    r"|-m(?:no-)?(?:avx|avx2|avx512f|avx512bw|avx512vl|avx512dq|avx512cd|avx512vnni|fma|f16c"
    r"|sse2|sse3|ssse3|sse4|sse4\.1|sse4\.2|bmi|bmi2|popcnt|lzcnt|amx-tile|amx-bf16)"
    r")$"
)

_lock = threading.Lock()
_started: set = set()


def refusal(flags) -> Optional[str]:
    """Why these flags are not built into a shared header, or None when they may be."""
    if not isinstance(flags, list) or len(flags) > 32:
        return "not a short list of flags"
    for flag in flags:
        if not isinstance(flag, str) or not ALLOWED.match(flag):
            return f"flag {flag!r} is not on the allow-list"
    return None


def shared_root() -> str:
    """The shared folder of built headers (trusted cache root; read-only inside sandboxes)."""
    return cache_dir(SHARED)


def read_requests(sandbox_cache: str) -> List[dict]:
    """The valid requests a closed sandbox left; anything else is ignored."""
    folder = os.path.join(sandbox_cache, REQUESTS)
    found = []
    try:
        names = sorted(os.listdir(folder))[:MAX_FILES_READ]
    except OSError:
        return found
    for name in names:
        path = os.path.join(folder, name)
        try:
            if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > MAX_REQUEST_BYTES:
                continue
            with open(path, encoding="utf-8") as handle:
                request = json.load(handle)
        except (OSError, ValueError):
            continue
        if not isinstance(request, dict) or refusal(request.get("flags")) is not None:
            continue
        found.append({"flags": list(request["flags"]), "cuda": request.get("cuda") is True})
        if len(found) == MAX_REQUESTS_PER_SANDBOX:
            break
    return found


# A builder outlives the process that started it (a one-shot CLI run may exit first): it is
# one compile of one header, bounded by this, and the header then serves every later build.
BUILD_LIMIT_S = 900
_builders: list = []


def serve(sandbox_cache: str, environment: Optional[dict] = None, wait: bool = False) -> int:
    """Starts a builder for each new valid request a closed sandbox left (in the background
    unless `wait`). Returns how many were started."""
    started = 0
    for request in read_requests(sandbox_cache):
        key = json.dumps(request, sort_keys=True)
        with _lock:
            if key in _started or len(_started) >= MAX_BUILDS_PER_PROCESS:
                continue
            _started.add(key)
        env = dict(environment if environment is not None else os.environ)
        env.pop("AKG_PCH_DIR", None)
        command = [sys.executable, "-m", "akg_harness.pch", key]
        try:
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                cwd=shared_root(),
            )
        except OSError:
            continue
        with _lock:
            _builders.append(process)
        started += 1
        if wait:
            process.wait()
    return started


def wait_for_builders(timeout: float) -> bool:
    """Waits for the headers being built (a one-shot process that wants them before it
    reports); False when some were still building at the timeout (they go on alone)."""
    deadline = time.monotonic() + timeout
    for process in list(_builders):
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return False
    return True


def build(request: dict) -> dict:
    """The builder process: validates again, then compiles torch's header with the fixed flags
    of a binding build plus the requested ones, into the shared folder."""
    from .dsl import fastbuild

    problem = refusal(request.get("flags"))
    if problem:
        return {"status": f"refused: {problem}"}
    flags = list(fastbuild.PCH_FIXED_FLAGS) + list(request["flags"])
    includes = fastbuild.system_includes(request.get("cuda") is True)
    key = fastbuild.pch_key(includes, flags)
    result = fastbuild.compile_pch(os.path.join(shared_root(), key), includes, flags)
    result.update(key=key, flags=flags)
    if result["status"] == "built":  # beside the header: what it cost, for reports and tests
        with open(os.path.join(shared_root(), key + ".json"), "w", encoding="utf-8") as handle:
            json.dump(result, handle)
    return result


def _give_up(signum, frame) -> None:
    os.killpg(0, signal.SIGKILL)  # the builder and its compiler (a session of their own)


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(BUILD_LIMIT_S)
    try:
        print(json.dumps(build(json.loads(sys.argv[1]))))
    except Exception as error:  # the request was untrusted: say why and stop
        print(json.dumps({"status": f"error: {type(error).__name__}: {error}"}))
        sys.exit(1)
