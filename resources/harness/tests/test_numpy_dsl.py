"""The numpy DSL on the CPU: a kernel written with NumPy, verified in the sandboxed executor.

Its launches are the calls of torch.from_numpy that hand NumPy's results back to torch;
the knock-out, torch-share and reverse knock-out checks decide whether NumPy did the work.
"""

from conftest import LEVEL1, candidate, failed, flags

RELU = str(LEVEL1 / "19_ReLU.py")
SOFTMAX = str(LEVEL1 / "23_Softmax.py")


def evaluate(worker, task_path, name, **options):
    options.setdefault("timing_trials", 5)
    options.setdefault("warmup", 1)
    return worker.evaluate(task_path, candidate("numpy", name), "numpy", device="cpu", **options)


def test_correct_numpy_relu_passes_in_the_sandbox_and_is_timed(worker):
    result = evaluate(worker, RELU, "relu_correct")
    assert result["status"] == "passed", failed(result)
    assert result["correct"] is True and result["interpreted"] is False
    assert "unsandboxed" not in flags(result) and "untrusted" not in flags(result)
    checks = {c["name"]: c for c in result["checks"]}
    assert (
        checks["dsl_kernel_launched"]["passed"]
        and "numpy launch(es)" in checks["dsl_kernel_launched"]["detail"]
    )
    assert checks["work_in_dsl"]["passed"], checks["work_in_dsl"]["detail"]
    assert result["timing"]["candidate"]["median_ms"] > 0


def test_correct_numpy_softmax_passes(worker):
    result = evaluate(worker, SOFTMAX, "softmax_correct", timing=False)
    assert result["status"] == "passed", failed(result)


def test_wrong_numpy_kernel_is_incorrect(worker):
    result = evaluate(worker, RELU, "relu_wrong", timing=False)
    assert result["status"] == "incorrect"
    assert result["correct"] is False
    assert "out of tolerance" in failed(result)["output_matches_reference"]


def test_torch_computing_behind_numpy_conversions_is_rejected(worker):
    result = evaluate(worker, RELU, "relu_torch_inside", timing=False)
    assert result["status"] == "rejected"
    detail = failed(result)["work_in_dsl"]
    assert "the heavy work is done by torch" in detail or "torch computes the output" in detail


def test_plain_torch_forward_launches_no_numpy_kernel(worker):
    result = evaluate(worker, RELU, "relu_torch_only", timing=False)
    assert result["status"] == "rejected"
    assert "counted as calls of torch.from_numpy" in failed(result)["dsl_kernel_launched"]


def test_tunable_constant_reaches_the_numpy_kernel(worker):
    result = evaluate(worker, RELU, "relu_correct", timing=False, params={"CHUNK": 1000})
    assert result["status"] == "passed", failed(result)
    assert list(result["params"]["applied"]) == ["CHUNK"]
