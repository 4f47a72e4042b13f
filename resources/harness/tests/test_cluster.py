"""The Ray driver against a real local cluster (a head on 127.0.0.1 with CPU workers).

cpp candidates are verified by actors that relay to a warm serve worker on the node; an actor
killed mid-evaluation costs one retry and the request still gets exactly one answer; a cluster
that goes away makes the driver say so and exit.
"""

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import CANDIDATES, HARNESS, candidate, harness_env, task

ray = pytest.importorskip("ray", reason="ray is installed by the test setup (requirements-test.txt)")
RAY = str(Path(sys.executable).with_name("ray"))


def cluster_env(temp_dir: str) -> dict:
    env = harness_env()
    # Ray otherwise swaps 127.0.0.1 for the machine's interface address: keep it on loopback.
    env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    env["RAY_TMPDIR"] = temp_dir
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    return env


def start_head(temp_dir: str) -> str:
    result = subprocess.run(
        [
            RAY,
            "start",
            "--head",
            "--node-ip-address=127.0.0.1",
            "--port=0",
            "--num-cpus=3",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp_dir}",
        ],
        capture_output=True,
        text=True,
        env=cluster_env(temp_dir),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return (Path(temp_dir) / "ray_current_cluster").read_text().strip()


def stop_head(temp_dir: str) -> None:
    subprocess.run([RAY, "stop", "--force"], capture_output=True, env=cluster_env(temp_dir), timeout=120)


class DriverProcess:
    def __init__(self, address: str, temp_dir: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "akg_harness", "cluster-driver", "--address", address],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cluster_env(temp_dir),
            cwd=str(HARNESS),
        )
        self.lines = queue.Queue()
        threading.Thread(target=self.pump, daemon=True).start()
        self.cid = 0

    def pump(self):
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def send(self, message: dict):
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def next(self, timeout=900):
        message = self.lines.get(timeout=timeout)
        assert message is not None, self.process.stderr.read()[-3000:]
        return message

    def control(self, name: str, **fields):
        self.cid += 1
        self.send({"cid": str(self.cid), "control": name, **fields})
        while True:
            message = self.next()
            if message.get("cid") == str(self.cid):
                assert message["ok"], message
                return message["result"]

    def evaluate(self, slot: str, request_id: str, task_path: str, candidate_path: str):
        line = json.dumps(
            {
                "id": request_id,
                "command": "evaluate",
                "files": {
                    "task": {"name": Path(task_path).name, "text": Path(task_path).read_text()},
                    "candidate": {
                        "name": Path(candidate_path).name,
                        "text": Path(candidate_path).read_text(),
                    },
                },
                "args": {
                    "dsl": "cpp",
                    "device": "cpu",
                    "timeout": 300,
                    "timing_trials": 5,
                    "warmup": 1,
                    "threads": 1,
                },
            }
        )
        self.send({"slot": slot, "line": line})


@pytest.fixture(scope="module")
def cluster():
    temp_dir = tempfile.mkdtemp(prefix="akgray", dir="/tmp")  # Ray's socket paths must be short
    try:
        address = start_head(temp_dir)
        yield address, temp_dir
    finally:
        stop_head(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)


def answers_for(driver: DriverProcess, ids: set, timeout=900) -> dict:
    """Every line until each id has its final answer; returns id -> list of final answers."""
    finals = {request_id: [] for request_id in ids}
    deadline = time.monotonic() + timeout
    while any(not answers for answers in finals.values()):
        message = driver.next(max(1.0, deadline - time.monotonic()))
        line = json.loads(message["line"]) if "line" in message else {}
        if line.get("id") in finals and "ok" in line:
            finals[line["id"]].append(line)
    return finals


def test_cluster_verifies_and_survives_a_killed_worker(cluster):
    address, temp_dir = cluster
    driver = DriverProcess(address, temp_dir)
    try:
        connected = driver.control("connect")
        assert connected["nodes"] == 1
        inventory = driver.control("inventory")
        node = inventory["nodes"][0]
        assert node["cpus"] == 3 and node["head"]
        first = driver.control("open", slot="ray:cpu#0", node_id=node["node_id"], kind="cpu", threads=1)
        driver.control("open", slot="ray:cpu#1", node_id=node["node_id"], kind="cpu", threads=1)

        # An honest candidate on each slot: the same verdict a local worker gives.
        driver.evaluate("ray:cpu#0", "a", task("vector_add"), candidate("cpp", "add_correct"))
        # Built once by conftest; on a task with another output shape it is plainly incorrect.
        driver.evaluate("ray:cpu#1", "b", task("row_mean"), candidate("cpp", "add_correct"))
        finals = answers_for(driver, {"a", "b"})
        assert finals["a"][0]["result"]["status"] == "passed"
        assert finals["b"][0]["result"]["status"] in ("incorrect", "runtime_error")
        assert "cluster-staging" in finals["a"][0]["result"]["candidate"]

        # Kill the actor's process while the slow candidate imports: one retry, one answer.
        slow = str(CANDIDATES / "cluster" / "add_slow_import.py")
        driver.evaluate("ray:cpu#0", "c", task("vector_add"), slow)
        while True:
            message = driver.next()
            line = json.loads(message.get("line", "{}"))
            if line.get("id") == "c" and line.get("stage") in ("load", "compile"):
                break
        os.kill(first["pid"], 9)
        finals = answers_for(driver, {"c"})
        time.sleep(1.0)  # a late duplicate would arrive now
        while not driver.lines.empty():
            late = driver.lines.get_nowait()
            assert (
                late is None
                or json.loads(late.get("line", "{}")).get("id") != "c"
                or "ok" not in json.loads(late["line"])
            )
        assert len(finals["c"]) == 1
        assert finals["c"][0]["result"]["status"] == "passed", finals["c"][0]["result"]["error"]
    finally:
        driver.process.kill()


def test_cluster_that_goes_away_is_reported(cluster):
    address, temp_dir = cluster
    driver = DriverProcess(address, temp_dir)
    try:
        driver.control("connect")
        stop_head(temp_dir)
        deadline = time.monotonic() + 60
        event = None
        while time.monotonic() < deadline:
            message = driver.next(timeout=max(1.0, deadline - time.monotonic()))
            if message.get("event") == "cluster-lost":
                event = message
                break
        assert event is not None and event["reason"]
        assert driver.process.wait(timeout=30) == 3
    finally:
        driver.process.kill()
