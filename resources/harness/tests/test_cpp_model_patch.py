"""akg model apply/compare on the CPU with real C++ kernels for extracted regions (and one Triton
kernel, under the interpreter)."""

import hashlib
import importlib.util
import json

import pytest
import torch

from conftest import CANDIDATES, FIXTURES, run_cli

from akg_harness.model.apply import compare, run_apply
from akg_harness.model.extract import run_extract
from akg_harness.model.load import open_model

KERNELS = CANDIDATES / "model"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("patch")
    path = folder / "small_transformer.py"
    path.write_text((FIXTURES / "models" / "small_transformer.py").read_text())
    torch.set_num_threads(1)
    report = run_extract({"model": str(path), "device": "cpu", "runs": 1, "top": 20, "at_floor": True})
    ids = {}
    for task in report["tasks"]:
        ids[(task["region"]["label"], task["occurrences"][0]["path"])] = task["id"]
    return report, path, ids


def kernel(name):
    return {"path": str(KERNELS / f"{name}.py"), "dsl": "cpp"}


def test_graph_regions_are_patched_with_cpp_kernels_and_the_user_file_is_untouched(extracted):
    report, path, ids = extracted
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    relu, head = ids[("linear -> relu", "enc")], ids[("linear", "head")]
    result = run_apply(
        {
            "model": str(path),
            "tasks_dir": report["tasks_dir"],
            "kernels": {relu: kernel("enc_linear_relu"), head: kernel("head_linear")},
        }
    )
    assert result["mode"] == "graph"  # linear1 + F.relu is not a module of its own
    assert sorted(result["accepted"]) == sorted([relu, head]) and result["refused"] == []
    assert result["combined"]["passed"] is True
    assert len(result["combined"]["checks"]) == 2  # both input sets (batch 2 and 4)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    # the generated patch module patches a model object the user builds themselves
    spec = importlib.util.spec_from_file_location("_akg_patch", result["patch_module"])
    patch_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(patch_module)
    opened = open_model(str(path), "cpu")
    patched = patch_module.patch(opened.model, opened.inputs)
    calls = [name for name, module in patched.named_modules() if type(module).__name__ == "KernelCall"]
    assert len(calls) == 2
    assert isinstance(opened.model.head, torch.nn.Linear)  # the original is kept
    with torch.no_grad():
        assert torch.allclose(patched(*opened.inputs), opened.model(*opened.inputs), atol=1e-4)


def test_a_region_whose_kernel_breaks_the_output_is_refused_by_name(extracted):
    report, path, ids = extracted
    relu, head = ids[("linear -> relu", "enc")], ids[("linear", "head")]
    result = run_apply(
        {
            "model": str(path),
            "tasks_dir": report["tasks_dir"],
            "kernels": {relu: kernel("enc_linear_relu_broken"), head: kernel("head_linear")},
        }
    )
    assert result["accepted"] == [head]
    (refused,) = result["refused"]
    assert refused["id"] == relu
    assert "its kernel breaks the model's output on input set 0" in refused["reason"]
    assert "less accurate than torch, refused" in refused["reason"]  # fp64 truth consulted
    checks = next(r for r in result["regions"] if r["id"] == relu)["checks"]
    assert checks[0]["fp64"]["patched_max_abs_error"] > 10 * checks[0]["fp64"]["original_max_abs_error"]
    assert result["patch_module"].endswith("_akg_patch.py")  # written for the accepted one


def test_whole_modules_are_swapped_by_path_and_wrong_parameter_names_refused(extracted):
    report, path, ids = extracted
    head, relu = ids[("linear", "head")], ids[("linear -> relu", "enc")]
    result = run_apply(
        {"model": str(path), "tasks_dir": report["tasks_dir"], "kernels": {head: kernel("head_linear")}}
    )
    assert result["mode"] == "module" and result["accepted"] == [head]
    wrong = run_apply(
        {"model": str(path), "tasks_dir": report["tasks_dir"], "kernels": {relu: kernel("head_linear")}}
    )
    (refused,) = wrong["refused"]
    assert (
        "ModelNew's parameters ['head_bias', 'head_weight'] are not the task's "
        "['enc_linear1_bias', 'enc_linear1_weight']" in refused["reason"]
    )
    assert "patch_module" not in wrong


def test_compare_times_every_side_on_every_input_set(extracted):
    report, path, ids = extracted
    head = ids[("linear", "head")]
    result = compare(
        {
            "model": str(path),
            "tasks_dir": report["tasks_dir"],
            "kernels": {head: kernel("head_linear")},
            "compile": False,
            "timing_trials": 3,
            "warmup": 1,
        }
    )
    assert [entry["batch"] for entry in result["sets"]] == [2, 4]
    for entry in result["sets"]:
        assert set(entry["sides"]) == {"eager", "patched"}  # module mode: no graph side
        for side in entry["sides"].values():
            assert side["trials"] == 3 and side["median_ms"] > 0
            assert side["items_per_s"] == pytest.approx(entry["batch"] / side["median_ms"] * 1e3)
        assert entry["speedups"]["patched_vs_eager"] == pytest.approx(
            entry["sides"]["eager"]["median_ms"] / entry["sides"]["patched"]["median_ms"]
        )
    assert 0 < result["region_share"] < 1


def test_a_triton_patch_on_the_cpu_is_checked_but_its_sides_are_not_timed(extracted, tmp_path):
    # On the CPU Triton runs under its interpreter: its times would be the interpreter's.
    report, path, ids = extracted
    head = ids[("linear", "head")]
    out = tmp_path / "compare.json"
    kernel_path = KERNELS / "head_linear_triton.py"
    done = run_cli(
        "model", "compare", str(path), "--device", "cpu", "--tasks", report["tasks_dir"],
        "--kernel", f"{head}={kernel_path}@triton", "--no-compile", "--timing-trials", "3", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["accepted"] == [head] and result["combined"]["passed"] is True
    assert any(
        "patched sides not timed: Triton ran under TRITON_INTERPRET=1" in note for note in result["notes"]
    )
    for entry in result["sets"]:
        assert entry["sides"]["eager"]["median_ms"] > 0
        assert entry["sides"]["patched"] == {
            "skipped": "Triton ran under TRITON_INTERPRET=1 on the CPU: correctness only, no timing"
        }
        assert entry["speedups"]["patched_vs_eager"] is None


def test_regions_that_break_the_output_only_together_are_left_out_in_order_of_saving():
    """Each region passed alone; together A and B drift out of tolerance. A saves most, so A is
    kept, B is left out with the failing check, and C (which does not drift with A) is kept."""
    from akg_harness.model.apply import passing_subset

    a, b, c = ({"id": name, "savings_ms": saving} for name, saving in (("A", 3.0), ("B", 2.0), ("C", 1.0)))
    tried = []

    def together(tasks):
        ids = {t["id"] for t in tasks}
        tried.append(sorted(ids))
        passed = not {"A", "B"} <= ids
        return [{"passed": passed, "summary": "ok" if passed else "12 of 64 elements out of tolerance"}] * 2

    kept, checks, dropped = passing_subset([c, b, a], together)
    assert [t["id"] for t in kept] == ["A", "C"]
    assert [(t["id"], failed["summary"], [k["id"] for k in before]) for t, failed, before in dropped] == [
        ("B", "12 of 64 elements out of tolerance", ["A"])
    ]
    assert len(checks) == 2 and all(check["passed"] for check in checks)
    assert tried == [["A"], ["A", "B"], ["A", "C"]]
