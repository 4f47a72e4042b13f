"""The serve protocol end to end: JSON lines in, JSON lines out, nothing else on stdout."""

import json
import subprocess
import sys

import pytest

from conftest import HARNESS, LEVEL1, candidate, harness_env, task


class Session:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "akg_harness", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=harness_env(),
            cwd=str(HARNESS),
        )
        self.lines = []

    def send(self, payload) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def answer(self, request_id):
        """Read lines until the response for request_id; every line must be JSON."""
        events = []
        while True:
            line = self.process.stdout.readline()
            assert line, "serve closed stdout"
            self.lines.append(line)
            message = json.loads(line)  # anything else on stdout fails here
            if message.get("event"):
                events.append(message)
                continue
            if message.get("id") == request_id:
                return message, events


@pytest.fixture(scope="module")
def session():
    serving = Session()
    yield serving
    if serving.process.poll() is None:
        serving.process.kill()
    serving.process.wait()


def test_ping(session):
    session.send({"id": "p1", "command": "ping"})
    message, _ = session.answer("p1")
    assert message["ok"] is True and message["result"]["pong"] is True


def test_evaluate_streams_stages_and_keeps_candidate_prints_off_stdout(session):
    session.send(
        {
            "id": "e1",
            "command": "evaluate",
            "args": {
                "task": task("vector_add"),
                "candidate": candidate("triton", "add_prints"),
                "dsl": "triton",
                "device": "cpu",
                "correctness_trials": 3,
            },
        }
    )
    message, events = session.answer("e1")
    assert message["ok"] is True
    assert message["result"]["status"] == "passed"
    assert message["result"]["schema_version"] == 2
    stages = [event["stage"] for event in events if event["id"] == "e1"]
    assert stages[:3] == ["load", "compile", "correctness"]
    assert not any("hello" in line or "raw write" in line for line in session.lines)


def test_triton_library_reductions_run_under_the_cpu_interpreter(session):
    # tl.max / tl.sum / tl.zeros are decorated when triton is imported: the executor must
    # have TRITON_INTERPRET=1 before that, or they fail "outside of the scope of a kernel".
    softmax = str(LEVEL1 / "23_Softmax.py")
    session.send(
        {
            "id": "t1",
            "command": "evaluate",
            "args": {
                "task": softmax,
                "candidate": candidate("triton", "softmax_rows"),
                "dsl": "triton",
                "device": "cpu",
                "correctness_trials": 2,
            },
        }
    )
    message, _ = session.answer("t1")
    assert message["ok"] is True
    result = message["result"]
    assert result["status"] == "passed", (result["error"], result["checks"])
    assert result["interpreted"] is True


def test_bad_requests_get_error_codes(session):
    session.send("this is not json")
    message, _ = session.answer(None)
    assert message["ok"] is False and message["error"]["code"] == "BAD_REQUEST"
    session.send({"id": "u1", "command": "dance"})
    message, _ = session.answer("u1")
    assert message["error"]["code"] == "UNKNOWN_COMMAND"
    session.send({"id": "m1", "command": "evaluate", "args": {"task": task("vector_add")}})
    message, _ = session.answer("m1")
    assert message["error"]["code"] == "BAD_REQUEST"
    assert "candidate" in message["error"]["message"]


def test_crash_is_a_verdict_and_serving_continues(session):
    session.send(
        {
            "id": "c1",
            "command": "evaluate",
            "args": {
                "task": task("vector_add"),
                "candidate": candidate("triton", "add_segfault"),
                "dsl": "triton",
                "device": "cpu",
            },
        }
    )
    message, _ = session.answer("c1")
    assert message["ok"] is True
    assert message["result"]["status"] == "runtime_error"
    assert "SIGSEGV" in message["result"]["error"]["message"]
    session.send({"id": "p2", "command": "ping"})
    message, _ = session.answer("p2")
    assert message["result"]["restarts"] >= 1


def test_shutdown_ends_the_process(session):
    session.send({"id": "s1", "command": "shutdown"})
    message, _ = session.answer("s1")
    assert message["ok"] is True
    assert session.process.wait(timeout=30) == 0
