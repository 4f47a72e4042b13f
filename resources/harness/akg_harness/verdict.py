"""The supervisor's verdict: built from what each process may be trusted with.

Torch-free. The executor's answer is evidence written by a process the candidate
controls: its checks and flags are kept, labelled, and can only fail a verdict;
the checks a pass rests on (AUTHORITATIVE) pass only on the reference process's
word. Timing speedups are claimed only when the candidate's median is confirmed
from outside (timing_confirmation).
"""

import math

from . import timing_stats
from .options import parameter_summary
from .result import ResultDoc, basic_environment
from .timing_confirmation import valid_median

EXECUTOR_LABEL = "[executor-reported] "
AUTHORITATIVE = (
    "output_structure",
    "output_matches_reference",
    "output_depends_on_inputs",
    "no_cached_result",
    "timed_output_correct",
)
# In-process checks every passing evaluation records; an answer without them is not one
# the executor's pipeline wrote.
REQUIRED_EVIDENCE = (
    "dsl_kernel_launched",
    "inputs_unchanged",
    "no_async_work",
    "output_plain_dense",
    "runtime_untouched",
    "work_in_dsl",
)
# Of those, what the search protocol does not run.
SEARCH_SKIPS_EVIDENCE = ("work_in_dsl",)
SECTIONS_FROM_EXECUTOR = ("build", "params", "profile", "shapes")
STATS_KEYS = (
    "median_ms",
    "mean_ms",
    "min_ms",
    "max_ms",
    "iqr_ms",
    "std_ms",
    "p05_ms",
    "p25_ms",
    "p75_ms",
    "p95_ms",
)


class MalformedEvidence(ValueError):
    """The executor's answer is not shaped like anything the executor writes."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedEvidence(what)


def _entries(value, fields: dict, what: str) -> list:
    _require(isinstance(value, list), f"{what} is not a list")
    for entry in value:
        _require(isinstance(entry, dict), f"an entry of {what} is not an object")
        for name, kind in fields.items():
            _require(isinstance(entry.get(name), kind), f"{what}: {name} is not {kind.__name__}")
    return value


def read_evidence(answer) -> dict:
    """The executor's evidence, validated field by field (MalformedEvidence otherwise)."""
    _require(isinstance(answer, dict), "the evidence is not an object")
    _entries(answer.get("checks"), {"name": str, "passed": bool, "detail": str}, "checks")
    _entries(answer.get("flags"), {"name": str, "detail": str}, "flags")
    error = answer.get("error")
    _require(
        error is None
        or (
            isinstance(error, dict)
            and isinstance(error.get("stage"), str)
            and isinstance(error.get("message"), str)
        ),
        "error is malformed",
    )
    for name in (
        "correctness",
        "timing",
        "profile",
        "build",
        "params",
        "environment",
        "durations",
        "evidence",
        "shapes",
    ):
        _require(answer.get(name) is None or isinstance(answer[name], dict), f"{name} is not an object")
    _require(isinstance(answer.get("interpreted", False), bool), "interpreted is not a boolean")
    timing = answer.get("timing")
    if timing is not None:
        stats = timing.get("candidate")
        _require(
            isinstance(stats, dict)
            and all(_finite(stats.get(key)) for key in STATS_KEYS)
            and valid_median(stats["median_ms"])
            and isinstance(stats.get("trials"), int),
            "timing.candidate is malformed",
        )
    return answer


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def evidence_status(evidence: dict) -> str:
    doc = ResultDoc()
    doc.error = evidence.get("error")
    doc.checks = list(evidence.get("checks") or [])
    return doc.status()


def build_verdict(
    options, evidence: dict, verification, confirmation, ncu, started: float, durations: dict
) -> dict:
    doc = ResultDoc(parameter_summary(options))
    doc.started = started
    doc.interpreted = bool(evidence.get("interpreted"))
    error = evidence.get("error")
    if error:
        doc.fail(
            error["stage"],
            error["message"],
            traceback=error.get("traceback") if isinstance(error.get("traceback"), str) else None,
        )
    executor_checks = {entry["name"] for entry in evidence["checks"]}
    for entry in evidence["checks"]:
        if entry["name"] in AUTHORITATIVE and entry["passed"]:
            continue  # a pass here is the reference process's to give
        doc.check(entry["name"], entry["passed"], EXECUTOR_LABEL + entry["detail"])
    for entry in evidence["flags"]:
        doc.flag(entry["name"], EXECUTOR_LABEL + entry["detail"])
    if verification is not None:
        for entry in verification.get("checks", []):
            doc.check(entry["name"], entry["passed"], entry["detail"])
        for entry in verification.get("flags", []):
            doc.flag(entry["name"], entry["detail"])
    if evidence_status(evidence) == "passed":
        _require_complete(doc, options, evidence, verification, executor_checks)
    compared = (verification or {}).get("correctness")
    # The reference process's numbers; what only the executor saw (the fp64 truth it
    # consulted, torch ops it counted) stays beside them.
    doc.sections["correctness"] = (
        dict(evidence.get("correctness") or {}, **compared)
        if compared
        else _labelled(evidence.get("correctness"))
    )
    for name in SECTIONS_FROM_EXECUTOR:
        doc.sections[name] = evidence.get(name)
    doc.environment = dict(evidence.get("environment") or {}, **basic_environment())
    doc.sections["ncu"] = ncu
    if doc.status() == "passed" and evidence.get("timing") and not doc.interpreted:
        doc.sections["timing"] = _timing(doc, evidence["timing"], verification or {}, confirmation)
    if doc.status() == "passed":
        doc.sections["roofline"] = (verification or {}).get("roofline")
    for name, seconds in (evidence.get("durations") or {}).items():
        if _finite(seconds) and name != "total":
            doc.durations[name] = seconds
    for name, seconds in ((verification or {}).get("durations") or {}).items():
        doc.durations[name] = round(seconds, 4)
    doc.durations.update({name: round(value, 4) for name, value in durations.items()})
    document = doc.finish()
    document["trust"] = {
        "verdict_by": "supervisor",
        "outputs_compared_by": "reference process" if verification is not None else None,
        "executor_checks": "labelled [executor-reported]: computed in the candidate's process",
    }
    return document


def _labelled(section):
    return dict(section, compared_by="executor") if section else section


def _require_complete(doc, options, evidence, verification, executor_checks) -> None:
    """The executor claims a pass: every output the pass rests on must have come back."""
    if verification is None:
        doc.check(
            "output_matches_reference",
            False,
            "no comparison by the reference process: the verdict cannot pass",
        )
        return
    if doc.numerics_failed():
        return  # the reference process found wrong numbers: that is the verdict's reason
    received = set(verification.get("received") or [])
    passed_trials = verification.get("passed_trials", 0)
    if passed_trials < options.correctness_trials and not doc.numerics_failed():
        doc.check(
            "output_matches_reference",
            False,
            (
                f"the executor reported a pass but outputs of {passed_trials} of "
                f"{options.correctness_trials} correctness trials came back and matched"
            ),
        )
    # The search protocol (a tuner's configurations) runs one trial and skips the rescaled,
    # cached-result and work-in-DSL checks (pipeline.SEARCH_SKIPPED): their outputs are not
    # owed; every trial's and the timed call's still are.
    search = getattr(options, "protocol", "full") == "search"
    for name, check in (("rescaled", "output_depends_on_inputs"), ("cached-second", "no_cached_result")):
        if name not in received and not search:
            doc.check(check, False, f"no output of the {name} call came back from the executor")
    if evidence.get("timing") and not doc.interpreted and "timed" not in received:
        doc.check("timed_output_correct", False, "no output of a timed call came back from the executor")
    for name in REQUIRED_EVIDENCE:
        if search and name in SEARCH_SKIPS_EVIDENCE:
            continue
        if name not in executor_checks:
            doc.check(name, False, "the executor's answer does not include this check")


def _timing(doc, reported: dict, verification: dict, confirmation) -> dict:
    candidate = reported["candidate"]
    baselines = verification.get("baselines") or {}
    eager, compiled = baselines.get("eager"), baselines.get("compile")
    confirmed = bool(confirmation and confirmation.get("confirmed"))
    section = {
        key: reported.get(key)
        for key in ("clock", "l2_flush", "flush_bytes", "threads", "input_sets", "warmup", "inputs_refreshed")
    }
    section.update(
        {
            "candidate": candidate,
            "eager": eager,
            "compile": compiled,
            "speedup_vs_eager": eager["median_ms"] / candidate["median_ms"] if eager and confirmed else None,
            "speedup_vs_compile": compiled["median_ms"] / candidate["median_ms"]
            if compiled and confirmed
            else None,
            "baseline_cache": baselines.get("cache", {}),
            "baseline_provenance": baselines.get("provenance", {}),
            "confirmation": confirmation,
            "baselines_timed_by": "reference process",
        }
    )
    if not confirmed:
        reasons = (
            "; ".join(method.get("detail", "") for method in (confirmation or {}).get("methods", []))
            or "no measurement ran"
        )
        doc.flag(
            "timing_unconfirmed",
            (
                "the in-process median was not confirmed by a measurement from outside the "
                f"candidate's process ({reasons}); no speedup is claimed"
            ),
        )
    timing_stats.flag_timing(doc, baselines, candidate, eager, compiled)
    return section
