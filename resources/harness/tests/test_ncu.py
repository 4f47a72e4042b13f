"""The ncu parsers against stored reports (tests/fixtures/ncu; see its README)."""

import os
import subprocess
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
    # Real ncu 2025.3.1 output from an H200: a CUDA-C vector add (2^24 fp32) and its eager
    # baseline, both from one collection of the harness (fixtures/ncu/README.md).
    (kernel,) = parse_csv(read(FIXTURES, "cuda_add", "candidate-raw.csv"))
    assert kernel["name"] == "add_kernel(const float *, const float *, float *, long)"
    assert kernel["duration_ms"] == 57792 / 1e6
    assert kernel["memory_throughput_pct"] == 68.15 and kernel["dram_throughput_pct"] == 68.15
    assert kernel["theoretical_occupancy_pct"] == 100 and kernel["registers_per_thread"] == 16
    assert kernel["block_size"] == 256 and kernel["grid_size"] == 65536
    assert max(kernel["stalls"], key=kernel["stalls"].get) == "long_scoreboard"
    assert kernel["stalls"]["long_scoreboard"] == 40.5
    assert kernel["dram_bytes"] == 189456128 and kernel["spills"] == 0
    assert kernel["flops"] == 16777216  # one add per element
    (baseline,) = parse_csv(read(FIXTURES, "cuda_add", "reference-raw.csv"))
    assert baseline["name"].startswith("void vectorized_elementwise_kernel<4, CUDAFunctor_add<float>")
    assert baseline["duration_ms"] < kernel["duration_ms"]
    # A Triton reduction that reads columns with a stride: the L1/L2 path saturates (98 %) while
    # DRAM idles (12 %), which is what the diagnosis must tell apart from a DRAM-bound kernel.
    (strided,) = parse_csv(read(FIXTURES, "column_sum", "candidate-raw.csv"))
    assert strided["name"] == "colsum_kernel"
    assert strided["memory_throughput_pct"] == 98.38 and strided["dram_throughput_pct"] == 12.22
    assert strided["l1_hit_rate_pct"] == 0.65 and strided["l2_hit_rate_pct"] == 86.09


def test_triton_source_lines_map_to_the_candidate_file():
    # ncu 2025's combined view: each Python line with its totals, then its SASS rows (no line
    # number, skipped); the short stall names are read as the Warp State names.
    rows = parse_source_page(read(FIXTURES, "triton_add", "source.csv"))
    assert all(row["file"].endswith("add.py") for row in rows)
    hot = map_to_candidate(rows, read(FIXTURES, "triton_add", "add.py"))
    top = hot["lines"][0]
    assert top["line"] == 12 and top["text"] == "tl.store(out_ptr + offsets, a + b, mask=mask)"
    assert top["samples"] == 4940 and top["top_stall"] == "long_scoreboard"
    assert "selected" not in top["stalls"]  # an issued sample is not a stall
    assert {line["line"] for line in hot["lines"]} <= {7, 8, 9, 10, 11, 12}
    assert hot["offset"] == 0 and hot["mapped_samples"] == hot["total_samples"] == 5540
    # The plain "cuda" view of the same report is the file's text alone: lines, no samples.
    plain = parse_source_page(read(FIXTURES, "triton_add", "source-cuda-view.csv"))
    assert len(plain) == 21 and not any(row["samples"] for row in plain)


def test_cuda_lines_of_an_inline_source_are_shifted_onto_the_candidate():
    # The generated cuda.cu (built with -lineinfo) against the candidate's CUDA string.
    rows = parse_source_page(read(FIXTURES, "cuda_add", "candidate-source.csv"))
    hot = map_to_candidate(rows, read(CANDIDATES, "cuda_c", "add_correct.py"))
    assert hot["offset"] == 1
    top = hot["lines"][0]
    assert top["line"] == 11 and top["text"] == "out[i] = a[i] + b[i];"
    assert top["top_stall"] == "long_scoreboard" and top["share"] > 0.85
    assert hot["mapped_samples"] == hot["total_samples"]


def test_the_source_page_is_read_from_the_view_that_carries_samples(tmp_path, monkeypatch):
    """ncu 2025 prints samples only in the combined cuda,sass view; an ncu that prints none in
    any view gives an error that says so, not an empty list of hot lines."""
    from akg_harness import ncu_source

    views = []

    def fake_ncu(page_of):
        def run(command, **kwargs):
            view = command[command.index("--print-source") + 1]
            views.append(view)
            return subprocess.CompletedProcess(command, 0, page_of(view), "")

        return run

    real = {"cuda,sass": read(FIXTURES, "triton_add", "source.csv")}
    plain = read(FIXTURES, "triton_add", "source-cuda-view.csv")
    candidate = os.path.join(FIXTURES, "triton_add", "add.py")
    monkeypatch.setattr(ncu_source.subprocess, "run", fake_ncu(lambda view: real.get(view, plain)))
    hot = ncu_source.source_hot_spots("r.ncu-rep", candidate, timeout=30)
    assert views == ["cuda,sass"] and hot["lines"][0]["line"] == 12
    views.clear()
    monkeypatch.setattr(ncu_source.subprocess, "run", fake_ncu(lambda view: plain))
    failed = ncu_source.source_hot_spots("r.ncu-rep", candidate, timeout=30)
    assert views == ["cuda,sass", "cuda"] and "no sampled stalls on any line" in failed["error"]


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
