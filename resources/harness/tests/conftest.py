"""Shared fixtures: a private cache, one warm worker, cpp builds started early.

C++ builds are the slow part of this suite (tens of seconds each on two cores),
so the session starts them in parallel at collection time through `precompile`
and orders the cpp tests last; by then the builds are in the cache.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1]
FIXTURES = HARNESS / "tests" / "fixtures"
TASKS = FIXTURES / "tasks"
LEVEL1 = HARNESS.parent / "tasks" / "level1"  # the KernelBench-style tasks the app ships
CANDIDATES = FIXTURES / "candidates"
sys.path.insert(0, str(HARNESS))

_BUILDS = {}


def task(name: str) -> str:
    return str(TASKS / f"{name}.py")


def candidate(dsl: str, name: str) -> str:
    return str(CANDIDATES / dsl / f"{name}.py")


def attack(name: str) -> str:
    return str(CANDIDATES / "attacks" / f"{name}.py")


def harness_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HARNESS), env.get("PYTHONPATH", "")])
    return env


def run_cli(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "akg_harness", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=harness_env(),
        cwd=str(HARNESS),
    )


def pytest_configure(config):
    cache = Path(os.environ.get("AKG_TEST_CACHE") or (Path(config.rootpath) / ".pytest_cache" / "akg-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["AKG_CACHE_DIR"] = str(cache)
    if config.getoption("-m") and "not gpu" not in config.getoption("-m") and "gpu" in config.getoption("-m"):
        return  # GPU-only runs build their own candidates
    cpp = CANDIDATES / "cpp"
    common = [sys.executable, "-m", "akg_harness", "precompile", "--dsl", "cpp"]
    # Own sessions, so that an early exit can stop the compilers too (process groups).
    _BUILDS["plain"] = subprocess.Popen(
        common
        + [
            "--jobs",
            "2",
            str(cpp / "add_correct.py"),
            str(cpp / "add_compile_error.py"),
            str(cpp / "matmul_blocked.py"),
            str(cpp / "add_fixed_size.py"),
            str(CANDIDATES / "model" / "enc_linear_relu.py"),
            str(CANDIDATES / "model" / "enc_linear_relu_broken.py"),
            str(CANDIDATES / "model" / "head_linear.py"),
            # one build (the same source) serves every cpp attack on the verdict
            str(CANDIDATES / "attacks" / "verdict_patch_result_cpp.py"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=harness_env(),
        start_new_session=True,
    )
    _BUILDS["scaled"] = subprocess.Popen(
        common + ["--params", json.dumps({"AKG_SCALE": 2}), str(cpp / "add_correct.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=harness_env(),
        start_new_session=True,
    )


def pytest_unconfigure(config):
    for process in _BUILDS.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def pytest_collection_modifyitems(config, items):
    # cpp tests last: their builds run in the background meanwhile.
    items.sort(key=lambda item: "test_cpp" in item.nodeid)


@pytest.fixture(scope="session")
def cpp_builds():
    reports = {}
    for name, process in _BUILDS.items():
        output, _ = process.communicate(timeout=900)
        reports[name] = json.loads(output) if output.strip().startswith("{") else {}
    return reports


@pytest.fixture(scope="session")
def worker():
    from akg_harness.api import Worker

    with Worker() as warm:
        yield warm


@pytest.fixture
def evaluate(worker):
    """Evaluate with the session's warm worker; CPU timing kept short."""

    def run(task_name, dsl, candidate_name, **options):
        options.setdefault("device", "cpu")
        if dsl == "cpp":
            options.setdefault("timing_trials", 5)
            options.setdefault("warmup", 1)
        return worker.evaluate(task(task_name), candidate(dsl, candidate_name), dsl, **options)

    return run


def failed(result) -> dict:
    return {c["name"]: c["detail"] for c in result["checks"] if not c["passed"]}


def flags(result) -> set:
    return {f["name"] for f in result["flags"]}
