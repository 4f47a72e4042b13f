"""The parts of the trusted verdict that need no child process: the hand-over file format,
the evidence rules, the merge and the timing confirmation's arithmetic."""

import json
import struct

import pytest
import torch

from akg_harness.options import EvaluateOptions
from akg_harness.tensor_file import MAGIC, TensorFileError, read_tensors, write_tensors
from akg_harness.timing_confirmation import judge_wall_clock, planned_calls, summary
from akg_harness.verdict import MalformedEvidence, build_verdict, read_evidence
from conftest import candidate, task

STATS = {
    "median_ms": 1.0,
    "mean_ms": 1.0,
    "min_ms": 0.9,
    "max_ms": 1.2,
    "iqr_ms": 0.05,
    "std_ms": 0.05,
    "trials": 20,
    "p05_ms": 0.92,
    "p25_ms": 0.97,
    "p75_ms": 1.02,
    "p95_ms": 1.1,
    "noisy": False,
}
IN_PROCESS = [
    "dsl_kernel_launched",
    "inputs_unchanged",
    "no_async_work",
    "output_plain_dense",
    "runtime_untouched",
    "work_in_dsl",
]
COMPARED = [
    "output_structure",
    "output_matches_reference",
    "output_depends_on_inputs",
    "no_cached_result",
    "timed_output_correct",
]


def test_outputs_round_trip_every_dtype_and_shape(tmp_path):
    values = [
        torch.randn(3, 4),
        torch.arange(6, dtype=torch.int64).reshape(2, 3)[:, 1],
        torch.randn(5).to(torch.bfloat16),
        torch.tensor(True),
        torch.empty(0, 7),
        torch.randn(4, 4).t(),
    ]
    path = str(tmp_path / "x.akgt")
    write_tensors(path, values, {"seed": 7})
    back, meta = read_tensors(path)
    assert meta == {"seed": 7}
    for original, read in zip(values, back):
        assert read.dtype == original.dtype and read.shape == original.shape
        assert torch.equal(read, original)


@pytest.mark.parametrize("damage", ["truncated", "offset", "shape", "dtype", "magic", "header"])
def test_a_forged_or_damaged_file_is_refused(tmp_path, damage):
    path = tmp_path / "x.akgt"
    write_tensors(str(path), [torch.ones(4)])
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[8:16])[0]
    header = json.loads(raw[16 : 16 + size])
    body = raw[16 + size :]
    if damage == "truncated":
        body = body[:-4]
    elif damage == "offset":
        header["tensors"][0]["offset"] = 8
    elif damage == "shape":
        header["tensors"][0]["shape"] = [1 << 40]
    elif damage == "dtype":
        header["tensors"][0]["dtype"] = "object"
    elif damage == "header":
        header = {"tensors": "all of them"}
    encoded = json.dumps(header).encode()
    magic = b"PICKLE!!" if damage == "magic" else MAGIC
    path.write_bytes(magic + struct.pack("<Q", len(encoded)) + encoded + body)
    with pytest.raises(TensorFileError):
        read_tensors(str(path))


def evidence(**changes) -> dict:
    document = {
        "checks": [{"name": name, "passed": True, "detail": "ok"} for name in IN_PROCESS + COMPARED],
        "flags": [],
        "error": None,
        "interpreted": False,
        "timing": {"candidate": dict(STATS), "clock": "perf_counter_ns"},
        "environment": {},
        "durations": {},
        "evidence": {},
    }
    document.update(changes)
    return document


def verification(**changes) -> dict:
    answer = {
        "checks": [{"name": name, "passed": True, "detail": "compared"} for name in COMPARED],
        "flags": [],
        "received": ["trial-0", "trial-1", "rescaled", "cached-second", "timed"],
        "passed_trials": 2,
        "correctness": {"trials": 2},
        "baselines": {"eager": dict(STATS, median_ms=3.0), "cache": {"eager": "miss"}},
    }
    answer.update(changes)
    return answer


def options() -> EvaluateOptions:
    return EvaluateOptions.from_mapping(
        {
            "task": task("vector_add"),
            "dsl": "triton",
            "candidate": candidate("triton", "add_correct"),
            "correctness_trials": 2,
        }
    )


CONFIRMED = {"confirmed": True, "methods": [{"method": "wall_clock", "confirmed": True}]}


def test_an_honest_answer_passes_with_a_speedup():
    result = build_verdict(options(), read_evidence(evidence()), verification(), CONFIRMED, None, 0.0, {})
    assert result["status"] == "passed"
    assert result["timing"]["speedup_vs_eager"] == pytest.approx(3.0)
    assert result["schema_version"] == 2


def test_executor_passes_of_compared_checks_count_for_nothing():
    answer = verification(
        checks=[
            {
                "name": "output_matches_reference",
                "passed": False,
                "detail": "trial 0: 4096 of 4096 elements out of tolerance",
            }
        ],
        passed_trials=0,
        received=["trial-0"],
    )
    result = build_verdict(options(), read_evidence(evidence()), answer, CONFIRMED, None, 0.0, {})
    assert result["status"] == "incorrect"
    assert result["timing"] is None


def test_a_pass_without_the_outputs_behind_it_fails():
    answer = verification(checks=[], received=[], passed_trials=0)
    result = build_verdict(options(), read_evidence(evidence()), answer, CONFIRMED, None, 0.0, {})
    failed = {c["name"]: c["detail"] for c in result["checks"] if not c["passed"]}
    assert result["status"] != "passed"
    assert "0 of 2 correctness trials" in failed["output_matches_reference"]
    assert "rescaled" in failed["output_depends_on_inputs"]


def test_missing_in_process_evidence_fails_and_executor_details_are_labelled():
    partial = evidence(checks=[{"name": "dsl_kernel_launched", "passed": True, "detail": "ok"}])
    result = build_verdict(options(), read_evidence(partial), verification(), CONFIRMED, None, 0.0, {})
    assert result["status"] == "rejected"
    details = {c["name"]: c["detail"] for c in result["checks"]}
    assert details["dsl_kernel_launched"].startswith("[executor-reported]")
    assert "does not include" in details["work_in_dsl"]


def test_unconfirmed_timing_claims_no_speedup():
    unconfirmed = summary([judge_wall_clock(1.0, 30, [0.060, 0.058, 0.061], {"correct": True})])
    assert unconfirmed["confirmed"] is False
    result = build_verdict(options(), read_evidence(evidence()), verification(), unconfirmed, None, 0.0, {})
    assert result["status"] == "passed"
    assert result["timing"]["speedup_vs_eager"] is None
    flag = {f["name"]: f["detail"] for f in result["flags"]}["timing_unconfirmed"]
    assert "1.93x the in-process median" in flag


def test_wall_clock_confirms_within_ten_percent_and_needs_a_right_output():
    calls = planned_calls(1.0)
    assert calls == 20
    good = judge_wall_clock(1.0, calls, [0.0225, 0.021], {"correct": True})
    assert good["confirmed"] is True and good["ratio"] == pytest.approx(21 / 20)
    assert judge_wall_clock(1.0, calls, [0.021], {"correct": False, "detail": "wrong"})["confirmed"] is False


@pytest.mark.parametrize(
    "bad",
    [
        "not a dict",
        {"checks": "all passed", "flags": []},
        {"checks": [{"name": "x", "passed": "yes", "detail": ""}], "flags": []},
        {"checks": [], "flags": [], "timing": {"candidate": dict(STATS, median_ms=-1.0)}},
        {"checks": [], "flags": [], "timing": {"candidate": dict(STATS, median_ms="fast")}},
    ],
)
def test_malformed_evidence_is_refused(bad):
    with pytest.raises(MalformedEvidence):
        read_evidence(bad)


FAKE_EXECUTOR = r"""
import json, os, sys
reader, writer = int(sys.argv[1]), int(sys.argv[2])
os.write(writer, b'{"event": "ready"}\n')
request = json.loads(os.read(reader, 1 << 20).split(b"\n")[0])
tag = {"id": request["id"], "nonce": request["args"]["nonce"]}
mode = sys.argv[3]
lines = {
    "wrong id": [dict(tag, id="r999", done=True, ok=True)],
    "wrong nonce": [dict(tag, nonce="guess", done=True, ok=True)],
    "garbage": ["this is not json"],
    "second done": [dict(tag, done=True, ok=True, evidence={}), dict(tag, done=True, ok=True)],
    "unexpected": [dict(tag, event="confirm-round")],
}[mode]
os.write(writer, "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines).encode())
os.read(reader, 1 << 20)
"""


@pytest.mark.parametrize("mode", ["wrong id", "wrong nonce", "garbage", "second done", "unexpected"])
def test_any_message_out_of_protocol_is_a_fault_with_its_reason(mode, monkeypatch):
    import sys

    from akg_harness import supervisor

    def spawn(self, child, interpret):
        child.launch(
            lambda r, w: [sys.executable, "-c", FAKE_EXECUTOR, str(r), str(w), mode],
            dict(supervisor.executor_environment(), TRITON_INTERPRET="1"),
            mode=interpret,
        )
        child.scratch = child.scratch_inside = supervisor.make_scratch()

    monkeypatch.setattr(supervisor.Worker, "spawn_executor", spawn)
    monkeypatch.setattr(supervisor.Worker, "spawn_reference", lambda self: None)
    worker = supervisor.Worker(keep_warm=False)
    try:
        result = worker.evaluate(options())
    finally:
        worker.kill()
    assert result["status"] == "runtime_error"
    reason = {f["name"]: f["detail"] for f in result["flags"]}["protocol_fault"]
    expected = {
        "wrong id": "wrong id 'r999'",
        "wrong nonce": "nonce mismatch",
        "garbage": "not JSON",
        "second done": 'a second "done"',
        "unexpected": "an unexpected message",
    }[mode]
    assert expected in reason
    assert worker.restarts == 1


SLOW_START_EXECUTOR = r"""
import json, os, sys, time
reader, writer = int(sys.argv[1]), int(sys.argv[2])
time.sleep(float(sys.argv[3]))
os.write(writer, b'{"event": "ready"}\n')
while True:
    data = os.read(reader, 1 << 20)
    if not data:
        break
    request = json.loads(data.split(b"\n")[0])
    tag = {"id": request["id"], "nonce": request["args"]["nonce"]}
    os.write(writer, (json.dumps(dict(tag, done=True, ok=True, result={"pid": os.getpid()})) + "\n").encode())
"""


@pytest.mark.parametrize("ceiling, expected", [("3", 3), ("", 1)])
def test_spares_grow_when_requests_come_faster_than_executors_start(ceiling, expected, monkeypatch):
    """A request that finds its spare still starting makes the worker keep the ceiling's
    worth of spares at once (one on the CPU by default); none is ever used twice."""
    import sys

    from akg_harness import supervisor

    def spawn(self, child, interpret):
        child.launch(
            lambda r, w: [sys.executable, "-c", SLOW_START_EXECUTOR, str(r), str(w), "0.6"],
            dict(supervisor.executor_environment(), TRITON_INTERPRET="1"),
            mode=interpret,
        )

    monkeypatch.setenv("AKG_SPARE_EXECUTORS", ceiling)
    monkeypatch.setattr(supervisor.Worker, "spawn_executor", spawn)
    monkeypatch.setattr(supervisor.Worker, "spawn_reference", lambda self: None)
    worker = supervisor.Worker(keep_warm=True, warm_device="cpu")
    try:
        pids = [worker.request("ping", {}, timeout=10)["result"]["pid"]]
        assert worker.depth == expected and len(worker.spares) == expected  # after one miss
        pids += [worker.request("ping", {}, timeout=10)["result"]["pid"] for _ in range(3)]
        assert len(set(pids)) == 4
        assert worker.depth == expected
        assert len(worker.spares) == expected
        assert all(child.pid not in pids for child in worker.spares)
    finally:
        worker.kill()
