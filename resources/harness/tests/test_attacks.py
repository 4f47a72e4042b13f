"""Candidates that attack the machine at import time, through a warm `serve` worker (Triton
through the interpreter) and the CLI (cpp). Every attack class (tests/fixtures/candidates/
attacks, one file each) runs in one module per path, to keep the suite's executor starts few.

Each attack reports what it got in its verdict (the error message), which is how a model
would see it. A test passes only when the effect did not happen: the secret is in neither
the answer nor the worker's stderr, the listener saw no connection, the file is absent, no
daemon is left, the allocation and the process count stopped at the configured limit.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from conftest import CANDIDATES, HARNESS, candidate, harness_env, task

ATTACKS = CANDIDATES / "attacks"
SECRET = f"sk-attack-{uuid.uuid4().hex}"
TOKEN = f"token-{uuid.uuid4().hex}"
STORED_KEY = f"stored-{uuid.uuid4().hex}"
MEMORY_LIMIT_MB = 3072
PROCESS_LIMIT = 128


class Listener:
    """A loopback TCP server standing in for the studio's browser-mode API."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, address = self.server.accept()
            except OSError:
                continue
            self.connections.append(address)
            connection.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A data folder with secrets, a cache, a listener, and the targets the attacks aim at."""
    root = tmp_path_factory.mktemp("attack-world")
    data = root / "data"
    (data / "runs" / "run-1").mkdir(parents=True)
    (data / "secrets.json").write_text(json.dumps({"openai": STORED_KEY}))
    (data / "providers.json").write_text(json.dumps({"providers": [{"apiKey": STORED_KEY}]}))
    cache = Path(os.environ["AKG_CACHE_DIR"])
    listener = Listener()
    marker = f"{600 + uuid.uuid4().int % 1000}.{uuid.uuid4().int % 9000 + 1000}"
    writes = [
        HARNESS.parent.parent / f"attack-{marker}.txt",
        cache / f"attack-{marker}.txt",
        cache / "baselines" / f"attack-{marker}.json",
        data / "runs" / "run-1" / "events.jsonl.attack",
        Path(f"/tmp/attack-{marker}"),
    ]
    targets = {
        "data_folders": [str(data)],
        "api_port": listener.port,
        "write_paths": [str(p) for p in writes],
        "daemon_seconds": marker,
    }
    env = harness_env()
    env.update(
        OPENAI_API_KEY=SECRET,
        ANTHROPIC_API_KEY=SECRET,
        AKG_TOKEN=TOKEN,
        AKG_STUDIO_HOME=str(data),
        AKG_SANDBOX_MEMORY_MB=str(MEMORY_LIMIT_MB),
        AKG_SANDBOX_PROCESSES=str(PROCESS_LIMIT),
    )
    yield {
        "root": root,
        "targets": targets,
        "env": env,
        "listener": listener,
        "writes": writes + [HARNESS / "sitecustomize.py"],
        "marker": marker,
    }
    listener.close()
    for path in writes + [HARNESS / "sitecustomize.py"]:
        if path.exists():  # a failed run must not leave an import hook behind
            path.unlink()


def combined_attack(world) -> str:
    """Every attack in one module, for the CLI runs of each DSL."""
    # The counts first: the environment dump is long and messages are capped.
    names = [
        "memory_bomb",
        "fork_bomb",
        "network_and_token",
        "writes_outside_scratch",
        "daemon",
        "secrets_data_folder",
        "secrets_environment",
    ]
    parts = ["import json", f"TARGETS = json.loads({json.dumps(json.dumps(world['targets']))})"]
    for name in names:
        lines = (ATTACKS / f"{name}.py").read_text().splitlines()
        parts += [line for line in lines if not line.startswith(("TARGETS = ", "raise RuntimeError"))]
    parts.append(
        "raise RuntimeError('LOOT ' + ' | '.join(["
        + ", ".join(f"attack_{name}(TARGETS)" for name in names)
        + "]))"
    )
    path = world["root"] / "combined.py"
    path.write_text("\n".join(parts) + "\n")
    return str(path)


def loot(result: dict) -> str:
    return (result.get("error") or {}).get("message", "")


def daemon_alive(marker: str) -> bool:
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    return True
        except OSError:
            continue
    return False


def assert_contained(world, result: dict, stderr: str) -> None:
    text = json.dumps(result) + stderr
    assert "LOOT" in loot(result), f"the attack did not run: {loot(result)[:500]}"
    assert result["status"] != "passed"
    for secret in (SECRET, TOKEN, STORED_KEY):
        assert secret not in text, "a secret reached the verdict or the worker's output"
    assert world["listener"].connections == [], "the candidate reached the loopback API"
    assert "connected" not in loot(result)
    written = [str(p) for p in world["writes"] if p.exists()]
    assert written == [], f"the candidate wrote outside its sandbox: {written}"
    allocated = int(loot(result).split("allocated_mb=")[1].split()[0].strip("|'\""))
    assert allocated <= MEMORY_LIMIT_MB, f"allocated {allocated} MB past the limit"
    forked = int(loot(result).split("forked=")[1].split()[0].strip("|'\""))
    assert forked < PROCESS_LIMIT, f"forked {forked} processes past the limit"


class Serve:
    def __init__(self, env):
        self.stderr_path = Path(env["AKG_CACHE_DIR"]) / f"serve-{uuid.uuid4().hex}.log"
        self.stderr = open(self.stderr_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "akg_harness", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            bufsize=1,
            env=env,
            cwd=str(HARNESS),
        )

    def ask(self, request_id: str, command: str, args: dict) -> dict:
        """Sends one request and reads lines until its answer; every line must be JSON."""
        self.process.stdin.write(json.dumps({"id": request_id, "command": command, "args": args}) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, "serve closed stdout"
            message = json.loads(line)
            if message.get("id") == request_id and not message.get("event"):
                return message

    def output(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()


def wait_for_daemon_gone(marker: str) -> bool:
    deadline = time.monotonic() + 5
    while daemon_alive(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not daemon_alive(marker)


def test_attacks_through_a_warm_worker_fail_and_honest_candidates_still_pass(world):
    serving = Serve(world["env"])
    try:
        answer = serving.ask(
            "attack",
            "evaluate",
            {
                "task": task("vector_add"),
                "candidate": combined_attack(world),
                "dsl": "triton",
                "device": "cpu",
                "timeout": 180,
            },
        )
        assert answer["ok"] is True, answer
        assert_contained(world, answer["result"], serving.output())
        honest = serving.ask(
            "honest",
            "evaluate",
            {
                "task": task("vector_add"),
                "candidate": candidate("triton", "add_correct"),
                "dsl": "triton",
                "device": "cpu",
                "correctness_trials": 2,
            },
        )
        assert honest["result"]["status"] == "passed", honest["result"]["error"]
        assert "unsandboxed" not in {flag["name"] for flag in honest["result"]["flags"]}
    finally:
        serving.close()
    assert wait_for_daemon_gone(world["marker"]), "a daemon outlived its worker"


def test_attacks_through_the_cli_fail(world):
    out = world["root"] / "combined-cpp.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "akg_harness",
            "evaluate",
            "--task",
            task("vector_add"),
            "--candidate",
            combined_attack(world),
            "--dsl",
            "cpp",
            "--device",
            "cpu",
            "--out",
            str(out),
            "--timeout",
            "180",
        ],
        capture_output=True,
        text=True,
        timeout=400,
        env=world["env"],
        cwd=str(HARNESS),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(out.read_text())
    assert_contained(world, result, completed.stdout + completed.stderr)
    assert wait_for_daemon_gone(world["marker"]), "a daemon outlived the evaluation"
