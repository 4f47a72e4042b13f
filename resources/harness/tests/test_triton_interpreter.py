"""Triton through its interpreter on the CPU: verdicts a kernel author would act on."""

from conftest import failed, flags


def test_correct_kernel_passes_and_is_reported_as_interpreted(evaluate):
    result = evaluate("vector_add", "triton", "add_correct")
    assert result["status"] == "passed", failed(result)
    assert result["correct"] is True
    assert result["interpreted"] is True
    assert result["timing"] is None  # the interpreter's speed means nothing
    assert "interpreted" in flags(result)
    assert result["correctness"]["trials"] == 5
    assert result["correctness"]["max_abs_error"] == 0.0
    assert len(set(result["correctness"]["seeds"])) == 5  # a fresh seed per trial
    names = {c["name"] for c in result["checks"]}
    assert {
        "inputs_unchanged",
        "output_plain_dense",
        "no_async_work",
        "dsl_kernel_launched",
        "work_in_dsl",
        "no_cached_result",
        "runtime_untouched",
        "output_depends_on_inputs",
    } <= names


def test_wrong_kernel_fails_with_its_error(evaluate):
    result = evaluate("vector_add", "triton", "add_wrong")
    assert result["status"] == "incorrect"
    assert result["correct"] is False
    detail = failed(result)["output_matches_reference"]
    assert "out of tolerance" in detail and "first at index" in detail
    assert result["correctness"]["max_abs_error"] > 1.0
    assert result["correctness"]["mismatch_ratio"] > 0.9


def test_kernel_that_does_not_compile_says_where(evaluate):
    result = evaluate("vector_add", "triton", "add_compile_error")
    assert result["status"] == "compile_error"
    assert result["error"]["stage"] == "compile"
    message = result["error"]["message"]
    assert "undefined_value" in message
    assert "add_compile_error.py:12" in message  # the kernel line, not the launch line
    assert "add_kernel" in message


def test_hanging_kernel_times_out_and_the_worker_survives(evaluate):
    result = evaluate("vector_add", "triton", "add_hang", timeout=6)
    assert result["status"] == "timeout"
    assert "6 s timeout" in result["error"]["message"]
    after = evaluate("vector_add", "triton", "add_correct")
    assert after["status"] == "passed"


def test_segfaulting_candidate_is_a_runtime_error_and_the_worker_survives(evaluate):
    result = evaluate("vector_add", "triton", "add_segfault")
    assert result["status"] == "runtime_error"
    assert "SIGSEGV" in result["error"]["message"]
    assert evaluate("vector_add", "triton", "add_correct")["status"] == "passed"


def test_tunable_constant_is_applied_and_reported(evaluate):
    result = evaluate("vector_add", "triton", "add_tunable", params={"BLOCK": 256})
    assert result["status"] == "passed", failed(result)
    assert result["params"]["applied"] == {"BLOCK": ["constant"]}
    assert result["params"]["declared"] == {"BLOCK": [256, 512, 1024]}


def test_tunable_that_breaks_the_kernel_is_caught(evaluate):
    # tl.arange needs a power of two: the override must reach the kernel to fail.
    result = evaluate("vector_add", "triton", "add_tunable", params={"BLOCK": 100})
    assert result["status"] == "compile_error"
    assert "power of 2" in result["error"]["message"] or "power" in result["error"]["message"]


def test_build_time_counts_against_the_build_timeout_not_the_run(evaluate):
    # The import takes 12 s (a slow compiler): a 10 s run timeout does not cover it, the build's does.
    result = evaluate(
        "vector_add", "triton", "add_slow_build", timeout=10, build_timeout=120, protocol="full"
    )
    assert result["status"] == "passed", failed(result)
    # Passed with a 10 s run timeout after a build of 12 s or more: the build was not charged
    # to the run. (How long the run itself took depends on the machine's load.)
    assert result["durations"]["build"] >= 12
    assert result["options"]["build_timeout"] == 120
    slow = evaluate("vector_add", "triton", "add_slow_build", timeout=120, build_timeout=4)
    assert slow["status"] == "timeout"
    assert "4 s build timeout" in slow["error"]["message"]


def test_search_protocol_runs_one_trial_and_says_what_it_skipped(evaluate):
    full = evaluate("vector_add", "triton", "add_correct")
    search = evaluate("vector_add", "triton", "add_correct", protocol="search")
    assert search["status"] == "passed", failed(search)
    assert search["correctness"]["trials"] == 1
    names = {check["name"] for check in search["checks"]}
    assert {"inputs_unchanged", "output_plain_dense", "dsl_kernel_launched", "runtime_untouched"} <= names
    assert "work_in_dsl" not in names and "output_depends_on_inputs" not in names
    assert "work_in_dsl" in {check["name"] for check in full["checks"]}
    assert "search_protocol" in flags(search)
    again = evaluate("vector_add", "triton", "add_correct", protocol="search")
    # The same inputs for every configuration this worker evaluates.
    assert again["correctness"]["seeds"] == search["correctness"]["seeds"]
    assert again["environment"]["seed"] == search["environment"]["seed"]
    assert full["correctness"]["references"] == {"computed": 5, "reused": 0}
