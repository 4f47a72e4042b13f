"""A light supervisor around one warm executor process.

The executor imports torch, holds the device context and the loaded extensions.
Candidates run inside it, so a hang, a segfault or a CUDA fault only costs that
process: the supervisor kills it (whole process group, compilers included),
answers `timeout` or `runtime_error`, and starts a fresh one.
"""

import glob
import itertools
import os
import signal
import subprocess
import sys
import time
from typing import Callable, Optional

from .options import EvaluateOptions
from .protocol import LineReader, LineWriter
from .result import failure_doc

HARNESS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Importing torch (and initialising a GPU) can take a while on a cold disk; this
# is not charged to a candidate's timeout.
STARTUP_TIMEOUT_S = 300.0


def wants_interpreter(device: str) -> bool:
    """Whether an executor for `device` must start with TRITON_INTERPRET=1.

    Triton reads TRITON_INTERPRET when a function is decorated, and its own library
    (tl.max, tl.sum, tl.zeros, ...) is decorated when triton is imported, at executor
    start: set later, those stay compiled-only and fail under the interpreter. So the
    mode is fixed per executor, by device: every CPU evaluation runs with it (cpp and
    C++ baselines never touch Triton, so a CPU worker alternating cpp and triton
    candidates needs no restart), every GPU/NPU evaluation without it (it would also
    put torch.compile's generated Triton kernels under the interpreter)."""
    return (device or "").split(":")[0].strip().lower() == "cpu"


def machine_has_accelerator() -> bool:
    """A cheap guess without importing torch; it only picks the first executor's mode."""
    return bool(glob.glob("/dev/nvidia[0-9]*") or glob.glob("/dev/davinci[0-9]*"))


class ExecutorGone(RuntimeError):
    """The executor exited or stopped answering."""


def executor_environment(base: Optional[dict] = None, interpret: Optional[bool] = None) -> dict:
    env = dict(os.environ if base is None else base)
    if interpret is not None:
        if interpret:
            env["TRITON_INTERPRET"] = "1"
        else:
            env.pop("TRITON_INTERPRET", None)
    paths = [HARNESS_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    # torch's extension builder runs `ninja` from PATH; a venv's ninja lives beside python.
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join([bindir, env.get("PATH", "")])
    return env


class Worker:
    """Runs requests in a warm executor child with a per-request timeout."""

    def __init__(self, on_event: Optional[Callable[[str, dict], None]] = None,
                 keep_warm: bool = True, env: Optional[dict] = None, warm_device: str = ""):
        self.on_event = on_event
        self.keep_warm = keep_warm
        self.env = executor_environment(env)
        self.warm_device = warm_device
        # Triton interpreter mode of the running executor (see wants_interpreter).
        self.interpret = None
        self.process = None
        self.reader = None
        self.writer = None
        self.ready = False
        self.ids = itertools.count(1)
        self.restarts = 0

    # -- lifecycle -------------------------------------------------------
    def start(self, interpret: Optional[bool] = None) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        if interpret is None:
            interpret = self.interpret
        if interpret is None:
            interpret = wants_interpreter(self.warm_device) if self.warm_device \
                else not machine_has_accelerator()
        self.interpret = interpret
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        command = [sys.executable, "-m", "akg_harness.executor", str(request_read),
                   str(response_write)]
        if self.warm_device:
            command += ["--warm-device", self.warm_device]
        self.process = subprocess.Popen(
            command, pass_fds=(request_read, response_write), start_new_session=True,
            env=executor_environment(self.env, interpret), stdin=subprocess.DEVNULL, stdout=2,
        )
        os.close(request_read)
        os.close(response_write)
        self.reader = LineReader(response_read)
        self.writer = LineWriter(request_write)
        self.ready = False

    def _await_ready(self) -> None:
        if self.ready:
            return
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                message = self.reader.read(deadline)
            except TimeoutError:
                self.kill()
                raise ExecutorGone("the executor did not start within "
                                   f"{STARTUP_TIMEOUT_S:.0f} s") from None
            if message is None:
                code = self.kill()
                raise ExecutorGone(f"the executor exited during start-up ({describe_exit(code)}); "
                                   "see the worker's stderr")
            if message.get("event") == "ready":
                self.ready = True
                return

    def kill(self) -> Optional[int]:
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        code = process.wait()
        for endpoint in (self.reader, self.writer):
            try:
                os.close(endpoint.fd)
            except OSError:
                pass
        self.ready = False
        return code

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        if self.keep_warm:
            self.start()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None and self.ready:
            try:
                self.writer.send({"id": "shutdown", "command": "shutdown", "args": {}})
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None else None

    # -- requests --------------------------------------------------------
    def request(self, command: str, args: dict, timeout: float,
                request_id: Optional[str] = None) -> dict:
        """Run one request. Returns the executor's answer, or a dict with
        `gone` = {"reason": "timeout"|"crash", "stage", "message"} when it hung or died."""
        request_id = request_id or f"r{next(self.ids)}"
        if command == "evaluate" and args.get("device"):
            interpret = wants_interpreter(str(args["device"]))
            if self.interpret != interpret and self.process is not None:
                self.kill()  # the mode is fixed at import: a new executor, not a restart count
            self.interpret = interpret
        self.start()
        self._await_ready()
        self.writer.send({"id": request_id, "command": command, "args": args})
        deadline = time.monotonic() + timeout
        stage = "load"
        while True:
            try:
                message = self.reader.read(deadline)
            except TimeoutError:
                self.restart()
                return {"gone": {"reason": "timeout", "stage": stage, "message": (
                    f"no answer within the {timeout:g} s timeout (during {stage}); the executor "
                    "was killed and a fresh one started")}}
            if message is None:
                code = self.kill()
                if self.keep_warm:
                    self.restarts += 1
                    self.start()
                return {"gone": {"reason": "crash", "stage": stage, "message": (
                    f"the executor died during {stage}: {describe_exit(code)}; a fresh one "
                    "was started")}}
            if message.get("event") == "stage":
                stage = message.get("stage", stage)
                if self.on_event:
                    self.on_event(request_id, message)
                continue
            if message.get("done"):
                if message.get("recycle"):
                    self.restart()
                return message

    def evaluate(self, options: EvaluateOptions, request_id: Optional[str] = None) -> dict:
        """Evaluate a candidate; always returns a result document."""
        answer = self.request("evaluate", options.to_dict(), options.timeout, request_id)
        gone = answer.get("gone")
        if gone:
            status = "timeout" if gone["reason"] == "timeout" else "runtime_error"
            return failure_doc(options.to_dict(), status, gone["stage"], gone["message"])
        if not answer.get("ok"):
            error = answer.get("error", {})
            raise HarnessRequestError(error.get("code", "INTERNAL"), error.get("message", ""))
        return answer["result"]


class HarnessRequestError(RuntimeError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def describe_exit(code: Optional[int]) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name} (signal {-code})"
    return f"exit code {code}"
