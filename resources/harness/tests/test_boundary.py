"""The harness boundary schema (generated from the app's contract) and both validators."""

import pytest

from akg_harness import SCHEMA_VERSION, boundary
from akg_harness.result import failure_doc


@pytest.fixture(params=["jsonschema", "subset"])
def problems(request, monkeypatch):
    """Validation through the jsonschema package, and through the fallback for bare servers."""
    if request.param == "subset":
        monkeypatch.setattr(
            boundary, "_problems", lambda schema, document: boundary._subset_problems(schema, document, "")
        )
    return boundary


def test_the_harness_speaks_the_version_of_the_generated_schema():
    assert boundary.schema_version() == SCHEMA_VERSION


def test_a_request_with_an_unknown_field_or_a_bad_value_is_refused_by_name(problems):
    good = {
        "task": "t.py",
        "candidate": "c.py",
        "dsl": "cpp",
        "device": "cuda:1",
        "baselines": ["eager"],
        "params": {"BLOCK": 128},
        "timeout": 30,
    }
    problems.validate("evaluate_request", good)
    with pytest.raises(boundary.BoundaryError, match="bogus"):
        problems.validate("evaluate_request", dict(good, bogus=1))
    with pytest.raises(boundary.BoundaryError, match="dsl"):
        problems.validate("evaluate_request", dict(good, dsl="fortran"))
    with pytest.raises(boundary.BoundaryError, match="device"):
        problems.validate("evaluate_request", dict(good, device="gpu0"))


def test_a_harness_verdict_matches_and_another_version_does_not(problems):
    verdict = failure_doc({"task": "t.py", "candidate": "c.py", "dsl": "cpp"}, "timeout", "load", "no answer")
    problems.validate("verdict", verdict)
    with pytest.raises(boundary.BoundaryError, match="schema_version"):
        problems.validate("verdict", dict(verdict, schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(boundary.BoundaryError, match="status"):
        problems.validate("verdict", dict(verdict, status="great"))
