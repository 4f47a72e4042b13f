"""Attacks on the verdict itself: each must fail, and honest candidates must still pass.

The candidate's process can write anything it likes about itself; what decides a pass
runs elsewhere (README.md, "Trust"). Triton candidates run under the interpreter, cpp
ones compiled; through the warm worker (the serve path), serve itself and the CLI.
"""

import glob
import importlib.util
import json
import os
import time

import pytest

from conftest import attack, candidate, failed, flags, run_cli, task
from test_serve import Session


def test_zeros_with_a_patched_result_class_are_incorrect(worker):
    result = worker.evaluate(
        task("vector_add"),
        attack("verdict_patch_result_triton"),
        "triton",
        device="cpu",
        correctness_trials=2,
    )
    assert result["status"] == "incorrect", result["checks"]
    assert "out of tolerance" in failed(result)["output_matches_reference"]
    assert result["trust"]["outputs_compared_by"] == "reference process"


def test_zeros_with_a_patched_comparison_are_incorrect(worker):
    result = worker.evaluate(
        task("vector_add"),
        attack("verdict_patch_compare_triton"),
        "triton",
        device="cpu",
        correctness_trials=2,
    )
    # The executor, its comparison patched, may still notice the same zeros coming back for
    # new inputs (a rejection); the comparison that counts fails in the reference process.
    assert result["status"] in ("incorrect", "rejected"), result["checks"]
    assert "out of tolerance" in failed(result)["output_matches_reference"]
    assert not failed(result)["output_matches_reference"].startswith("[executor-reported]")


def test_forged_answers_on_every_descriptor_neither_pass_nor_shift_answers(worker):
    result = worker.evaluate(
        task("vector_add"), attack("verdict_forged_done_triton"), "triton", device="cpu", correctness_trials=2
    )
    assert result["status"] != "passed", result
    assert result["candidate"].endswith("verdict_forged_done_triton.py")
    honest = worker.evaluate(
        task("vector_add"), candidate("triton", "add_correct"), "triton", device="cpu", correctness_trials=2
    )
    assert honest["status"] == "passed", failed(honest)
    assert honest["candidate"].endswith("add_correct.py")


def test_forged_answers_through_serve_are_a_fault_and_the_next_answer_is_right(cpp_builds):
    session = Session()
    try:
        session.send(
            {
                "id": "f1",
                "command": "evaluate",
                "args": {
                    "task": task("vector_add"),
                    "candidate": attack("verdict_forged_done_cpp"),
                    "dsl": "cpp",
                    "device": "cpu",
                    "correctness_trials": 2,
                    "timing": False,
                },
            }
        )
        message, _ = session.answer("f1")
        assert message["ok"] is True and message["result"]["status"] != "passed"
        session.send(
            {
                "id": "f2",
                "command": "evaluate",
                "args": {
                    "task": task("vector_add"),
                    "candidate": candidate("cpp", "add_correct"),
                    "dsl": "cpp",
                    "device": "cpu",
                    "correctness_trials": 2,
                    "timing": False,
                },
            }
        )
        message, _ = session.answer("f2")
        assert message["result"]["status"] == "passed", failed(message["result"])
        assert message["result"]["candidate"].endswith("add_correct.py")
        # Nothing the candidate wrote reached serve's stdout: every line was serve's own.
        assert all(json.loads(line).get("id") in ("f1", "f2") for line in session.lines)
    finally:
        session.process.kill()
        session.process.wait()


def test_patched_result_class_in_cpp_through_the_cli_is_incorrect(cpp_builds, tmp_path):
    out = tmp_path / "r.json"
    completed = run_cli(
        "evaluate",
        "--task",
        task("vector_add"),
        "--candidate",
        attack("verdict_patch_result_cpp"),
        "--dsl",
        "cpp",
        "--out",
        str(out),
        "--correctness-trials",
        "2",
        "--no-timing",
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "incorrect", result["checks"]


def test_verdict_rewritten_after_the_fact_is_not_what_the_cli_reports(tmp_path):
    if importlib.util.find_spec("akg_harness.sandbox") is None:
        pytest.skip(
            "no sandbox in this harness: a daemon in its own session outlives the "
            "executor's process group and can write where the user can"
        )
    out = tmp_path / "r.json"
    completed = run_cli(
        "evaluate",
        "--task",
        task("vector_add"),
        "--candidate",
        attack("verdict_rewrite_after_triton"),
        "--dsl",
        "triton",
        "--out",
        str(out),
        "--correctness-trials",
        "2",
    )
    assert completed.returncode == 0, completed.stderr
    first = json.loads(out.read_text())
    assert first["status"] == "incorrect"
    if "unsandboxed" in flags(first):
        # Without a sandbox a daemon in its own session outlives the executor's process
        # group and can write wherever the user can: out of this harness's reach (README).
        return
    time.sleep(8)  # the daemon keeps trying for 10 s
    assert json.loads(out.read_text())["status"] == "incorrect"


def test_poisoned_baseline_cache_is_detected_and_measured_again(cpp_builds, evaluate, worker):
    # A baseline measured while the machine is busy or noisy is not cached: try a few times.
    for _attempt in range(3):
        first = evaluate("vector_add", "cpp", "add_correct", baselines="eager")
        assert first["status"] == "passed", failed(first)
        if "not cached" not in first["timing"]["baseline_cache"]["eager"]:
            break
    eager = first["timing"]["eager"]["median_ms"]
    # The candidate tries from inside (a sandbox hides the cache from it altogether) ...
    worker.evaluate(
        task("vector_add"),
        attack("verdict_poison_cache_triton"),
        "triton",
        device="cpu",
        correctness_trials=2,
    )
    # ... and this test plants a poisoned copy of every entry itself.
    poisoned = 0
    for path in glob.glob(os.path.join(os.environ["AKG_CACHE_DIR"], "baselines", "*.json")):
        stored = json.loads(open(path).read())
        stats = (stored.get("eager") or {}).get("stats")
        if isinstance(stats, dict):
            for key, value in list(stats.items()):
                if key.endswith("_ms"):
                    stats[key] = value * 1000
            open(path, "w").write(json.dumps(stored))
            poisoned += 1
    if not poisoned or "not cached" in first["timing"]["baseline_cache"]["eager"]:
        # Entries of other evaluations may be there; this one's own must be, or there is
        # nothing of it to poison.
        pytest.skip("the machine was too busy for the first baseline to be cached at all")
    second = evaluate("vector_add", "cpp", "add_correct", baselines="eager")
    assert second["status"] == "passed", failed(second)
    assert second["timing"]["baseline_cache"]["eager"].startswith("stale")
    assert "baseline_remeasured" in flags(second)
    assert second["timing"]["eager"]["median_ms"] < 50 * eager  # measured, not the poison
