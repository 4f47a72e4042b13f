"""The actor behind one cluster slot: a relay to a warm `akg_harness serve` on its node.

The actor process is trusted harness code (it never imports a candidate); candidates run in the
serve worker's sandboxed executor exactly as they do on the workstation. Task and candidate files
travel inside the request and are written to a staging folder on the node, named by content hash
so a candidate keeps its file name (compiler messages map to `candidate.py:LINE`).
"""

import hashlib
import json
import os
import subprocess
import sys
import threading
from typing import Iterator, Optional

import akg_harness

HARNESS_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(akg_harness.__file__)))
# A file larger than this is not a task or a kernel; the studio refuses it before sending.
MAX_SOURCE_BYTES = 8 * 1024 * 1024


def staging_root() -> str:
    cache = os.environ.get("AKG_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "akg-studio")
    return os.path.join(cache, "cluster-staging")


def stage_source(name: str, text: str) -> str:
    """Writes one travelling file under a folder named by its content hash; returns its path."""
    data = text.encode("utf-8")
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"{name} is {len(data)} bytes; the limit is {MAX_SOURCE_BYTES}")
    digest = hashlib.sha256(data).hexdigest()[:24]
    folder = os.path.join(staging_root(), digest)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, os.path.basename(name) or "source.py")
    if not os.path.exists(path):
        temporary = f"{path}.tmp{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    return path


def stage_request(request: dict) -> dict:
    """Replaces inlined sources (`files`: {arg: {name, text}}) with paths on this node."""
    files = request.pop("files", None) or {}
    args = dict(request.get("args") or {})
    for argument, item in files.items():
        args[argument] = stage_source(str(item.get("name", argument)), str(item.get("text", "")))
    # A path the studio wrote for its own machine means nothing here.
    args.pop("out", None)
    request["args"] = args
    return request


class SlotActor:
    """One device of one node. Ray gives the actor its GPU through CUDA_VISIBLE_DEVICES, so the
    serve worker inside sees exactly one device, as a pinned local worker does."""

    def __init__(self, kind: str, threads: Optional[int] = None):
        self.kind = kind
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [HARNESS_PARENT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        )
        env["PYTHONUNBUFFERED"] = "1"
        if kind == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = ""
            if threads:
                env["OMP_NUM_THREADS"] = str(threads)
        command = [sys.executable, "-u", "-m", "akg_harness", "serve"]
        if kind != "cpu":
            command += ["--warm-device", f"{kind}:0"]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1
        )
        self.lock = threading.Lock()

    def info(self) -> dict:
        import socket

        return {
            "pid": os.getpid(),
            "serve_pid": self.process.pid,
            "host": socket.gethostname(),
            "node_ip": _node_ip(),
            "visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        }

    def request(self, line: str) -> Iterator[str]:
        """Sends one request and yields every line the worker writes for it, the answer last."""
        request = stage_request(json.loads(line))
        request_id = request.get("id")
        with self.lock:
            if self.process.poll() is not None:
                raise RuntimeError(f"the serve worker on this node exited ({self.process.returncode})")
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            while True:
                answer = self.process.stdout.readline()
                if not answer:
                    raise RuntimeError(
                        f"the serve worker on this node exited during the request ({self.process.wait()})"
                    )
                try:
                    message = json.loads(answer)
                except json.JSONDecodeError:
                    continue
                if message.get("id") != request_id:
                    continue
                yield answer.rstrip("\n")
                if "ok" in message:
                    return

    def shutdown(self) -> None:
        try:
            self.process.stdin.write(json.dumps({"id": "shutdown", "command": "shutdown"}) + "\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


def _node_ip() -> Optional[str]:
    try:
        import ray

        return ray.util.get_node_ip_address()
    except Exception:
        return None
