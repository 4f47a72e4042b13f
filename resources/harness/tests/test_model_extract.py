"""akg model profile/extract on a small model: regions, task files, bad models."""

import hashlib
import json

import pytest
import torch

from conftest import FIXTURES, run_cli

from akg_harness.loading import load_task
from akg_harness.model.extract import run_extract, write_tasks
from akg_harness.model.load import ModelError

MODELS = FIXTURES / "models"


def copy_model(tmp_path, name):
    target = tmp_path / name
    target.write_text((MODELS / name).read_text())
    return target


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    path = copy_model(folder, "small_transformer.py")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    torch.set_num_threads(1)
    report = run_extract({"model": str(path), "device": "cpu", "runs": 1, "top": 20, "at_floor": True})
    return report, path, before


def by_label(report, label, path=None):
    return next(
        t
        for t in report["tasks"]
        if t["region"]["label"] == label and (path is None or t["occurrences"][0]["path"] == path)
    )


def test_extract_finds_fusable_chains_with_their_module_paths(extracted):
    report, path, before = extracted
    assert report["capture"]["method"] == "torch.export"
    labels = {t["region"]["label"] for t in report["tasks"]}
    # matmul + element-wise + norm, residual add + norm, the FFN's linear + relu, attention
    assert {
        "linear -> gelu -> layer_norm",
        "linear -> relu",
        "linear -> add -> layer_norm",
        "scaled_dot_product_attention",
        "linear",
    } <= labels
    relu = by_label(report, "linear -> relu")
    assert relu["occurrences"][0]["path"] == "enc"
    assert relu["occurrences"][0]["parameters"] == ["enc.linear1.weight", "enc.linear1.bias"]
    head = by_label(report, "linear", "head")
    assert head["occurrences"][0]["aligned"] is True  # a whole module: swappable by path
    assert relu["occurrences"][0]["aligned"] is False  # linear1 + F.relu inside the layer
    # ranked by what a kernel could save: measured time minus the floor from the peaks
    savings = [t["savings_ms"] for t in report["tasks"]]
    assert savings == sorted(savings, reverse=True)
    for task in report["tasks"]:
        assert task["time_ms"] > 0 and task["floor_ms"] > 0
        assert task["savings_ms"] == pytest.approx(max(task["time_ms"] - task["floor_ms"], 0))
    modules = {m["path"] for m in report["eager"]["modules"]}
    assert {"(model)", "enc", "enc.self_attn", "proj.0", "head"} <= modules
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # the model is not edited


def test_task_files_are_kernelbench_tasks_with_the_models_shapes(extracted):
    report, _, _ = extracted
    relu = by_label(report, "linear -> relu")
    task = load_task(relu["task_path"])
    shapes = [[tuple(shape) for shape, _ in entry] for entry in task.INPUT_SHAPES]
    assert shapes == [[(2, 8, 64)], [(4, 8, 64)]]  # both serving batches the model saw
    model = task.Model(*task.get_init_inputs())
    assert {name for name, _ in model.named_parameters()} == {"enc_linear1_weight", "enc_linear1_bias"}
    (x,) = task.get_inputs()
    expected = torch.relu(torch.nn.functional.linear(x, model.enc_linear1_weight, model.enc_linear1_bias))
    assert torch.allclose(model(x), expected)
    # Inputs stay within the range the model fed: one that never went negative (after a ReLU) stays so.
    low, high = task.INPUT_STATS[0][2:]
    assert low <= float(x.min()) and float(x.max()) <= high
    task.INPUT_STATS = [(0.5, 1.0, 0.0, 3.0)]
    (post_relu,) = task.get_inputs()
    assert float(post_relu.min()) == 0.0 and float(post_relu.max()) <= 3.0


def test_a_task_edited_by_the_user_is_kept(extracted):
    report, _, _ = extracted
    chosen = [t for t in report["tasks"]][:2]
    edited = chosen[0]["task_path"]
    with open(edited, "a") as handle:
        handle.write("\n# tuned by hand\n")
    written = write_tasks(report, chosen, report["tasks_dir"])
    assert written[0]["status"] == "kept (edited since it was written)"
    assert written[1]["status"] == "unchanged"
    assert open(edited).read().endswith("# tuned by hand\n")
    manifest = json.loads(open(f"{report['tasks_dir']}/regions.json").read())
    assert [t["id"] for t in manifest["tasks"]] == [t["id"] for t in chosen]


def test_a_model_that_does_not_import_or_run_is_said_plainly(tmp_path):
    with pytest.raises(
        ModelError,
        match=r"does_not_import.py does not import: "
        r"ModuleNotFoundError: .*not_a_real_package",
    ) as error:
        run_extract({"model": str(MODELS / "does_not_import.py"), "runs": 1})
    assert error.value.stage == "import"
    with pytest.raises(
        ModelError,
        match=r"forward failed: RuntimeError: .*forward_fails.py "
        r"line 11",
    ) as error:
        run_extract({"model": str(MODELS / "forward_fails.py"), "runs": 1})
    assert error.value.stage == "forward"
    with pytest.raises(ModelError, match="model file not found"):
        run_extract({"model": str(tmp_path / "nope.py")})


def test_a_graph_that_cannot_be_captured_falls_back_to_per_op_tasks(tmp_path):
    path = copy_model(tmp_path, "not_capturable.py")
    report = run_extract({"model": str(path), "runs": 1, "top": 10})
    assert report["capture"]["method"] == "per-op"
    assert "Falling back to per-op tasks" in report["notes"][0]
    assert "torch.export could not capture" in report["notes"][0]
    ops = {t["region"]["label"] for t in report["tasks"]}
    assert "addmm" in ops and "native_layer_norm" in ops
    norm = next(t for t in report["tasks"] if t["region"]["label"] == "native_layer_norm")
    assert norm["occurrences"][0]["path"] == "norm" and norm["occurrences"][0]["aligned"]
    task = load_task(norm["task_path"])
    assert task.Model()(*task.get_inputs()).shape == (4, 16)


def test_the_cli_runs_the_model_in_the_executor_and_exits_2_on_a_bad_model(tmp_path):
    completed = run_cli(
        "model", "profile", str(MODELS / "does_not_import.py"), "--out", str(tmp_path / "r.json")
    )
    assert completed.returncode == 2
    assert "MODEL_ERROR: [import] does_not_import.py does not import" in completed.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_buffer_constant_in_the_model_is_varied_in_its_task():
    # An untrained batch norm's running mean 0 and variance 1: a kernel that assumed them would
    # pass its task and break the trained model, whose values the patch loads.
    from akg_harness.model.taskgen import _draw

    for constant in (1.0, 0.0, -2.0):
        values = eval(_draw((4096,), "float32", {"min": constant, "max": constant}, True), {"torch": torch})
        assert values.std() > 0.1 * max(1.0, abs(constant))
        assert constant == 0 or bool(
            (values * constant > 0).all()
        )  # the sign is kept: a variance stays positive
    kept = eval(_draw((4096,), "float32", {"min": 0.25, "max": 0.75}, True), {"torch": torch})
    assert 0.25 <= float(kept.min()) and float(kept.max()) <= 0.75


def test_a_task_names_the_arguments_its_aten_calls_pass_by_position(extracted):
    report, _, _ = extracted
    text = open(by_label(report, "linear -> relu")["task_path"]).read()
    assert (
        "# The aten operators forward() calls, with the names of the arguments it passes by position:" in text
    )
    assert "#   linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor" in text
