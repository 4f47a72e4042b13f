"""Reverse knock-out: torch's compute operators unavailable while the candidate runs."""

from conftest import failed


def test_torch_fallback_that_behaves_under_the_profiler_is_rejected(evaluate):
    result = evaluate("softmax_small", "triton", "softmax_profiler_aware", correctness_trials=2)
    checks = {c["name"]: c["detail"] for c in result["checks"]}
    assert result["status"] == "rejected", checks.get("work_in_dsl")
    detail = failed(result)["work_in_dsl"]
    assert "reverse knock-out: without torch's compute operators" in detail
    assert "aten._softmax" in detail and "whatever the profiler shows" in detail
    # Decided by what it calls, not by timing a 4 us operator on a busy machine.
    assert "makes every compute call of the reference (aten._softmax on [[8, 96]])" in detail
    assert result["correctness"]["candidate_torch_ops"].get("_softmax", 0) >= 2


def test_honest_triton_softmax_survives_the_reverse_knockout(evaluate):
    result = evaluate("softmax_small", "triton", "softmax_rows", correctness_trials=2)
    assert result["status"] == "passed", failed(result)
    detail = {c["name"]: c["detail"] for c in result["checks"]}["work_in_dsl"]
    assert "with torch's compute operators unavailable the output is still right" in detail
    assert result["correctness"]["candidate_torch_ops"] == {}
    assert result["correctness"]["reference_precision"] == "strict_fp32"
