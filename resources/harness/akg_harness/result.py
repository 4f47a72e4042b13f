"""The result document (R.json): one verdict per evaluation, schema in README.md.

Torch-free: the supervisor builds timeout and crash verdicts with it too.
"""

import math
import platform
import sys
import time
import traceback as traceback_module
from typing import Optional

from . import SCHEMA_VERSION, __version__

# Stages whose failure means "the candidate does not build or load".
COMPILE_STAGES = ("environment", "compile")

# Checks whose failure means the candidate's numbers are wrong (status `incorrect`);
# every other failed check is a rejection (status `rejected`).
CORRECTNESS_CHECKS = ("output_structure", "output_matches_reference", "correct_across_shapes")

MAX_MESSAGE = 20000


class ResultDoc:
    """Collects checks, flags, sections and durations, then decides the status."""

    def __init__(self, options: Optional[dict] = None):
        self.started = time.monotonic()
        self.options = options or {}
        self.checks = []
        self.flags = []
        self.error = None
        self.sections = {
            "correctness": None,
            "timing": None,
            "profile": None,
            "ncu": None,
            "roofline": None,
            "build": None,
            "params": None,
            "shapes": None,
        }
        self.durations = {}
        self.interpreted = False
        self.environment = basic_environment()
        self.forced_status = None
        self.recycle = False

    # -- recording -----------------------------------------------------
    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        for entry in self.checks:
            if entry["name"] == name:
                # A check that ran several times fails if any run failed; keep the first failure.
                if entry["passed"] and not passed:
                    entry.update(passed=False, detail=detail)
                return passed
        self.checks.append({"name": name, "passed": bool(passed), "detail": detail})
        return passed

    def set_detail(self, name: str, detail: str) -> None:
        for entry in self.checks:
            if entry["name"] == name and entry["passed"]:
                entry["detail"] = detail

    def flag(self, name: str, detail: str) -> None:
        if all(existing["name"] != name for existing in self.flags):
            self.flags.append({"name": name, "detail": detail})

    def fail(
        self, stage: str, message: str, exc: Optional[BaseException] = None, traceback: Optional[str] = None
    ) -> None:
        if self.error is not None:
            return
        text = message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "\n[truncated]"
        self.error = {"stage": stage, "message": text}
        if exc is not None and traceback is None:
            traceback = "".join(traceback_module.format_exception(type(exc), exc, exc.__traceback__))
        if traceback:
            self.error["traceback"] = traceback[-MAX_MESSAGE:]

    def timed(self, stage: str):
        return _StageTimer(self, stage)

    def failed_rejections(self) -> list:
        return [c for c in self.checks if not c["passed"] and c["name"] not in CORRECTNESS_CHECKS]

    def numerics_failed(self) -> bool:
        return any(not c["passed"] and c["name"] in CORRECTNESS_CHECKS for c in self.checks)

    # -- verdict -------------------------------------------------------
    def status(self) -> str:
        if self.forced_status:
            return self.forced_status
        if self.error is not None:
            return "compile_error" if self.error["stage"] in COMPILE_STAGES else "runtime_error"
        if self.failed_rejections():
            return "rejected"
        if self.numerics_failed() or not self.checks:
            return "incorrect"
        return "passed"

    def finish(self) -> dict:
        self.durations["total"] = round(time.monotonic() - self.started, 4)
        # The two limits the supervisor enforces: the build (load, compile, init) and the run.
        build = sum(self.durations.get(stage, 0.0) for stage in ("load", "compile", "init"))
        self.durations["build"] = round(build, 4)
        self.durations["run"] = round(max(0.0, self.durations["total"] - build), 4)
        status = self.status()
        doc = {
            "schema_version": SCHEMA_VERSION,
            "status": status,
            "correct": status == "passed",
            "interpreted": self.interpreted,
            "task": self.options.get("task"),
            "candidate": self.options.get("candidate"),
            "dsl": self.options.get("dsl"),
            "device": self.options.get("device"),
            "checks": self.checks,
            "error": self.error,
            "flags": self.flags,
            "environment": self.environment,
            "durations": self.durations,
            "options": self.options,
        }
        doc.update(self.sections)
        return json_safe(doc)


class _StageTimer:
    def __init__(self, doc: ResultDoc, stage: str):
        self.doc, self.stage = doc, stage

    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.start
        self.doc.durations[self.stage] = round(self.doc.durations.get(self.stage, 0.0) + elapsed, 4)
        return False


def basic_environment() -> dict:
    return {
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "harness_version": __version__,
    }


def json_safe(value):
    """Replace NaN/inf (not valid JSON) with strings, recursively."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def failure_doc(options: dict, status: str, stage: str, message: str) -> dict:
    """A verdict written by the supervisor when the executor hung or died."""
    doc = ResultDoc(options)
    doc.forced_status = status
    doc.fail(stage, message)
    return doc.finish()
