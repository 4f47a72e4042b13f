"""Each rejection check that can happen on a CPU, tripped by a candidate that does it."""

import pytest

from conftest import failed, flags

CASES = [
    # (task, candidate, options, check that must fail)
    ("vector_add", "add_mutates_input", {}, "inputs_unchanged"),
    ("tiny_sigmoid", "sigmoid_constant", {}, "output_depends_on_inputs"),
    ("row_mean", "row_mean_fitted", {"tolerance": "loose"}, "output_depends_on_inputs"),
    ("vector_add", "add_cached", {}, "no_cached_result"),
    ("vector_add", "add_cached_pointer", {}, "no_cached_result"),
    ("vector_add", "add_background_thread", {}, "no_async_work"),
    ("vector_add", "add_patches_timer", {}, "runtime_untouched"),
    ("vector_add", "add_torch_heavy", {}, "work_in_dsl"),
    ("vector_add", "add_no_kernel", {}, "dsl_kernel_launched"),
    ("vector_add", "add_strided_output", {}, "output_plain_dense"),
]


@pytest.mark.parametrize("task_name,candidate_name,options,check", CASES, ids=[case[1] for case in CASES])
def test_rejection(evaluate, task_name, candidate_name, options, check):
    result = evaluate(task_name, "triton", candidate_name, **options)
    assert result["status"] == "rejected", (result["status"], failed(result), result["error"])
    assert result["correct"] is False
    assert check in failed(result), failed(result)
    assert result["timing"] is None


def test_near_constant_task_is_flagged(evaluate):
    result = evaluate("tiny_sigmoid", "triton", "sigmoid_constant")
    assert "near_constant_reference" in flags(result)


def test_race_is_flagged_not_rejected(evaluate):
    result = evaluate("vector_add", "triton", "add_nondeterministic")
    assert result["status"] == "passed", failed(result)
    assert "nondeterministic" in flags(result)


def test_patched_timer_is_restored_for_the_next_candidate(evaluate):
    assert evaluate("vector_add", "triton", "add_patches_timer")["status"] == "rejected"
    result = evaluate("vector_add", "triton", "add_correct")
    assert result["status"] == "passed", failed(result)
