"""Correctness across shapes: derived sizes, declared lists, fixed tasks."""

import types

import pytest
import torch

from akg_harness import shapes
from conftest import failed


def test_derived_shapes_move_shared_sizes_together_and_put_ragged_tails_first():
    inputs = [torch.randn(64, 32), torch.randn(32, 64), 3]
    derived = shapes.derived_shapes(inputs)
    assert derived[0] == {
        "label": "ragged: 64 -> 63",
        "shapes": [(63, 32), (32, 63)],
        "size": 64,
        "value": 63,
    }
    assert derived[1] == {
        "label": "ragged: 32 -> 31",
        "shapes": [(64, 31), (31, 64)],
        "size": 32,
        "value": 31,
    }
    labels = [entry["label"] for entry in derived]
    assert "smallest: 64 -> 1" in labels and len(derived) <= shapes.MAX_SHAPES
    for value in (63, 31):  # ragged: divisible by none of 2, 16, 128
        assert all(value % d for d in (2, 16, 128))
    resampled = shapes.resample(inputs, derived[0]["shapes"], seed=1)
    assert [tuple(t.shape) for t in resampled[:2]] == [(63, 32), (32, 63)]
    assert resampled[2] == 3
    assert set(resampled[0].reshape(-1).tolist()) <= set(inputs[0].reshape(-1).tolist())


def test_a_shape_where_the_reference_only_broadcasts_is_skipped():
    entry = {"label": "smallest: 32 -> 1", "size": 32, "value": 1}
    # A residual's width set to 1 while the output keeps 32: broadcasting, not a resize.
    assert "only broadcasts the resized input" in shapes.broadcast_only(entry, [(4, 32)], [(4, 32)])
    assert shapes.broadcast_only(entry, [(4, 32)], [(4, 1)]) is None  # the size reached the output
    assert shapes.broadcast_only(entry, [(4,)], [(4,)]) is None  # a reduced size: never in the output
    # A size that is both a batch and (by chance) a weight-given width: one place moved, so kept.
    assert shapes.broadcast_only(entry, [(32, 32)], [(1, 32)]) is None
    assert shapes.broadcast_only({"label": "declared 0"}, [(4, 32)], [(4, 32)]) is None


def test_a_kernel_for_the_residual_the_model_feeds_passes(evaluate):
    result = evaluate("linear_residual", "triton", "linear_residual_rows", correctness_trials=2)
    assert result["status"] == "passed", failed(result)
    statuses = {t["label"]: (t["status"], t["detail"]) for t in result["shapes"]["trials"]}
    status, detail = statuses["smallest: 32 -> 1"]
    assert status == "skipped" and "only broadcasts the resized input" in detail
    assert statuses["ragged: 4 -> 3"][0] == "passed"


def test_declared_and_fixed_shapes():
    fixed = types.SimpleNamespace(AKG_FIXED_SHAPES=True)
    assert shapes.plan(fixed, [torch.randn(4)])["fixed"].startswith("the task declares")
    listed = types.SimpleNamespace(get_input_shapes=lambda: [[(5,), (5,)], [(7,), (7,)]])
    plan = shapes.plan(listed, [torch.randn(4), torch.randn(4)])
    assert plan["source"] == "declared" and plan["shapes"][1]["shapes"] == [(7,), (7,)]
    with pytest.raises(ValueError, match="one per tensor input"):
        shapes.plan(types.SimpleNamespace(AKG_INPUT_SHAPES=[[(5,)]]), [torch.randn(4), torch.randn(4)])


def test_triton_kernel_hardcoding_the_column_count_is_incorrect(evaluate):
    result = evaluate("softmax_small", "triton", "softmax_fixed_columns", correctness_trials=2)
    assert result["status"] == "incorrect", failed(result)
    # Computed in the candidate's process: labelled as the executor's report (verdict.py).
    detail = failed(result)["correct_across_shapes"].removeprefix("[executor-reported] ")
    assert detail.startswith("wrong at another shape: ragged: 96 -> 95") and "forward() raised" in detail
    trials = result["shapes"]["trials"]
    assert trials[-1]["status"] == "failed" and result["shapes"]["task_shapes"] == [[8, 96]]


def test_honest_kernel_passes_at_every_derived_shape(evaluate):
    result = evaluate("softmax_small", "triton", "softmax_rows", correctness_trials=2)
    assert result["status"] == "passed", failed(result)
    statuses = {t["label"]: t["status"] for t in result["shapes"]["trials"]}
    assert statuses and set(statuses.values()) == {"passed"}
    assert "ragged: 96 -> 95" in statuses and "smallest: 8 -> 1" in statuses


def test_cpp_kernel_hardcoding_the_size_fails_and_fixed_tasks_are_not_resized(cpp_builds, evaluate):
    result = evaluate("vector_add", "cpp", "add_fixed_size", timing=False)
    assert result["status"] == "incorrect", failed(result)
    assert "ragged: 4096 -> 4095" in failed(result)["correct_across_shapes"]
    fixed = evaluate("vector_add_fixed", "cpp", "add_fixed_size", timing=False)
    assert fixed["status"] == "passed", failed(fixed)
    assert fixed["shapes"]["fixed"] == (
        "the task declares its shapes fixed: the benchmark is defined at N = 4096 only"
    )
