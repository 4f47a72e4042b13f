"""The ncu parsers against stored reports (tests/fixtures/ncu; see its README)."""

import os
import time

from akg_harness.ncu_metrics import parse_csv
from akg_harness.ncu_source import map_to_candidate, parse_source_page

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "ncu")
CANDIDATES = os.path.join(HERE, "fixtures", "candidates")


def read(*parts):
    with open(os.path.join(*parts)) as handle:
        return handle.read()


def test_the_curated_metrics_are_read_per_kernel():
    (kernel,) = parse_csv(read(FIXTURES, "candidate-raw.csv"))
    assert kernel["name"] == "add_kernel"
    assert kernel["duration_ms"] == 52480 / 1e6
    assert kernel["memory_throughput_pct"] == 71.2 and kernel["sm_throughput_pct"] == 18.4
    assert kernel["achieved_occupancy_pct"] == 22.5 and kernel["theoretical_occupancy_pct"] == 25
    # Registers allow 2 blocks per SM, the fewest of the four limits: they cap occupancy.
    assert kernel["occupancy_limiter"] == "registers"
    assert kernel["stalls"]["long_scoreboard"] == 19.3
    assert max(kernel["stalls"], key=kernel["stalls"].get) == "long_scoreboard"
    assert kernel["dram_bytes"] == 201326592 + 100663296
    assert kernel["l2_hit_rate_pct"] == 33.1 and kernel["spills"] == 0
    assert kernel["flops"] == 16777216


def test_triton_source_lines_map_to_the_candidate_file():
    rows = parse_source_page(read(FIXTURES, "candidate-source.csv"))
    hot = map_to_candidate(rows, read(CANDIDATES, "triton", "add_correct.py"))
    top = hot["lines"][0]
    assert top["line"] == 14 and top["text"].startswith("b = tl.load(b_ptr")
    assert top["top_stall"] == "long_scoreboard"
    assert abs(top["share"] - 402 / 1000) < 1e-9
    assert "selected" not in top["stalls"]  # an issued sample is not a stall
    assert hot["mapped_samples"] == hot["total_samples"] == 1000


def test_cuda_lines_of_an_inline_source_are_shifted_onto_the_candidate():
    rows = parse_source_page(read(FIXTURES, "cuda-source.csv"))
    hot = map_to_candidate(rows, read(CANDIDATES, "cuda_c", "add_correct.py"))
    assert hot["offset"] == 5
    assert hot["lines"][0]["line"] == 11 and hot["lines"][0]["text"] == "out[i] = a[i] + b[i];"


def test_metrics_alone_are_served_from_the_cache_and_a_confirmation_is_collected_afresh(
    tmp_path, monkeypatch
):
    """The second collection of one candidate for metrics is a cache hit; a confirmation
    (which hands the measured forward's output to the reference process) never is."""
    import types

    from akg_harness import ncu, supervisor

    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ncu.shutil, "which", lambda name: "/usr/bin/ncu")
    collected = []

    def fake_collect(options, side, timeout, workdir, with_source, handover=None):
        collected.append((side, handover))
        return {"kernels": [{"name": "k", "duration_ms": 0.01}], "total": {"duration_ms": 0.01}}

    monkeypatch.setattr(ncu, "collect", fake_collect)
    task, candidate = tmp_path / "task.py", tmp_path / "candidate.py"
    task.write_text("# task\n")
    candidate.write_text("# candidate\n")

    def evaluation(confirm_ncu: bool):
        options = types.SimpleNamespace(
            ncu=True,
            confirm_ncu=confirm_ncu,
            device_kind="cuda",
            device="cuda:0",
            seed=1,
            task=str(task),
            candidate=str(candidate),
            params=None,
            dsl="triton",
            protocol="full",
        )
        monkeypatch.setattr(supervisor.dataclasses, "replace", lambda value, **changes: value)
        run = supervisor.Evaluation.__new__(supervisor.Evaluation)
        run.options, run.seed, run.scratch, run.durations = options, 1, str(tmp_path / "scratch"), {}
        run.ncu, run.ncu_handover = None, False
        run.windows, run.calls, run.median = [], 0, None
        run.limits = types.SimpleNamespace(deadline=time.monotonic() + 120)
        checks = [{"name": "output_matches_reference", "passed": True, "detail": ""}]
        run.run_ncu({"checks": checks, "timing": {"candidate": {"median_ms": 0.01}}})
        return run

    first, second = evaluation(False), evaluation(False)
    assert first.ncu["cached"] is False and second.ncu["cached"] is True
    assert first.ncu_handover is False
    assert [side for side, _ in collected] == ["candidate", "reference"]  # the second: all hits
    confirmed = evaluation(True)
    assert confirmed.ncu["cached"] is False and confirmed.ncu_handover is True
    assert collected[-1] == ("candidate", str(tmp_path / "scratch"))


def test_ncu_confirms_on_its_own_when_the_wall_clock_cannot(monkeypatch):
    """A launch-bound kernel (device time 2.6 us, 27 us a call on the wall clock) is confirmed
    by ncu without --confirm-ncu: on CUDA with ncu on PATH, for the full protocol, unless
    AKG_NCU_CONFIRM=0. The collection is a confirmation: no source counters, no baseline."""
    import types

    from akg_harness import ncu, supervisor

    def evaluation(device_kind="cuda", protocol="full", per_call_ms=0.0274):
        run = supervisor.Evaluation.__new__(supervisor.Evaluation)
        run.options = types.SimpleNamespace(
            ncu=False, confirm_ncu=False, device_kind=device_kind, protocol=protocol, seed=1
        )
        run.median, run.calls = 0.00259, 1000
        run.windows = [per_call_ms * run.calls / 1000.0] * 3
        run.seed, run.scratch, run.durations, run.ncu, run.ncu_handover = 1, "/scratch", {}, None, False
        run.limits = types.SimpleNamespace(deadline=time.monotonic() + 120)
        return run

    monkeypatch.setattr(supervisor.shutil, "which", lambda name: "/usr/bin/ncu")
    assert evaluation().wall_clock_short()
    assert not evaluation(per_call_ms=0.00270).wall_clock_short()  # within 10 %: the wall clock confirms
    assert not evaluation(device_kind="cpu").wall_clock_short()
    assert not evaluation(protocol="search").wall_clock_short()
    monkeypatch.setenv("AKG_NCU_CONFIRM", "0")
    assert not evaluation().wall_clock_short()
    monkeypatch.delenv("AKG_NCU_CONFIRM")
    monkeypatch.setattr(supervisor.shutil, "which", lambda name: None)
    assert not evaluation().wall_clock_short()
    monkeypatch.setattr(supervisor.shutil, "which", lambda name: "/usr/bin/ncu")
    late = evaluation()
    late.limits.deadline = time.monotonic() + supervisor.NCU_CONFIRM_MIN_S - 5
    assert not late.wall_clock_short()  # it would not fit in the request's time

    monkeypatch.setattr(supervisor.shutil, "which", lambda name: "/usr/bin/ncu")
    asked = []
    monkeypatch.setattr(
        ncu,
        "run_ncu",
        lambda options, timeout, handover=None, metrics=True: (
            asked.append((handover, metrics))
            or {"kernels": [{"name": "k"}], "total": {"duration_ms": 0.00262}}
        ),
    )
    monkeypatch.setattr(supervisor.dataclasses, "replace", lambda value, **changes: value)
    run = evaluation()
    checks = [{"name": "output_matches_reference", "passed": True, "detail": ""}]
    run.run_ncu({"checks": checks, "timing": {"candidate": {"median_ms": run.median}}})
    assert asked == [("/scratch", False)] and run.ncu_handover
    confirmation = run.confirmation(
        {"confirmation_output": {"correct": True}, "ncu_output": {"correct": True}}
    )
    assert confirmation["confirmed"] is True
    assert [m["method"] for m in confirmation["methods"]] == ["wall_clock", "ncu"]
    assert (
        confirmation["methods"][0]["confirmed"] is False and confirmation["methods"][1]["confirmed"] is True
    )
