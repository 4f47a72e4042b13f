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

from . import candidate_cache
from .environment import executor_base
from .options import EvaluateOptions
from .protocol import LineReader, LineWriter
from .result import failure_doc
from .sandbox import UNSANDBOXED_FLAG, Sandbox

HARNESS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Importing torch (and initialising a GPU) can take a while on a cold disk; this
# is not charged to a candidate's timeout.
STARTUP_TIMEOUT_S = 300.0
# An executor whose pipe closed is dying; its sandbox tool reports how within milliseconds.
EXIT_GRACE_S = 2.0
# Stages of the build phase: loading the candidate builds its extensions (at import or in
# __init__); the first stage after them starts the run's own clock.
BUILD_STAGES = ("load", "compile")


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
    """The environment of a process that imports a candidate: the allow-list, never the
    caller's whole environment (environment.py), plus what the harness itself needs."""
    env = executor_base(base)
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
    env["PATH"] = os.pathsep.join([bindir, env.get("PATH", "") or "/usr/bin:/bin"])
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
        self.sandbox = None
        # Candidate files this executor imported; its builds are kept only when it was one.
        self.candidates = []
        self.search_seeds = {}  # task file digest -> base seed of the search protocol

    def search_seed(self, task: str) -> int:
        import secrets

        from .cache import file_digest

        digest = file_digest(task)
        if digest not in self.search_seeds:
            self.search_seeds[digest] = secrets.randbelow(2 ** 31 - 2) + 1
        return self.search_seeds[digest]

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
        device_kind = "cpu" if interpret else "cuda"
        self._release_sandbox()  # an executor that died on its own leaves its folders behind
        self.sandbox = Sandbox(device_kind)  # raises SandboxUnavailable, naming what to install
        self.candidates = []
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        command = [sys.executable, "-m", "akg_harness.executor", str(request_read),
                   str(response_write)]
        if self.warm_device:
            command += ["--warm-device", self.warm_device]
        self.process = subprocess.Popen(
            self.sandbox.command(command), pass_fds=(request_read, response_write),
            env=self.sandbox.environment(executor_environment(self.env, interpret)),
            stdin=subprocess.DEVNULL, stdout=2, **self.sandbox.popen_arguments(),
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
                code = self.kill(grace=EXIT_GRACE_S)
                raise ExecutorGone(f"the executor exited during start-up ({describe_exit(code)}); "
                                   "see the worker's stderr")
            if message.get("event") == "ready":
                self.ready = True
                return

    def kill(self, grace: float = 0.0) -> Optional[int]:
        """Kills the executor's process group; `grace`: first let one that is exiting on its
        own (its pipe closed) finish, so its exit status says how it died."""
        process, self.process = self.process, None
        if process is None:
            return None
        if grace:
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        code = process.wait()
        if self.sandbox is not None:
            code = self.sandbox.exit_status(code)
        for endpoint in (self.reader, self.writer):
            try:
                os.close(endpoint.fd)
            except OSError:
                pass
        self.ready = False
        self._release_sandbox()
        return code

    def _release_sandbox(self) -> None:
        """Keeps the builds of an executor that imported one candidate file, then removes its
        folders. Runs after the executor is dead, so nothing inside can race the copy."""
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is None:
            return
        if len(set(digest for digest, _ in self.candidates)) == 1:
            try:
                candidate_cache.promote(sandbox, *self.candidates[0][1])
            except OSError as error:
                print(f"akg_harness: builds not kept: {error}", file=sys.stderr)
        sandbox.close()

    def restart(self) -> None:
        self.kill()
        self.restarts += 1
        if self.keep_warm:
            self.start()

    def recycle(self) -> None:
        """The executor that imported a candidate never runs another: what the candidate left
        in it (threads, children, patches, files in its sandbox) dies with it, and only then
        are its builds kept. The next one starts at once, so it warms while this answers."""
        self.kill()
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
                request_id: Optional[str] = None, build_timeout: Optional[float] = None) -> dict:
        """Run one request. Returns the executor's answer, or a dict with
        `gone` = {"reason": "timeout"|"crash", "stage", "message"} when it hung or died.
        With `build_timeout`, the build stages have that limit and `timeout` starts when
        the run does; without it, `timeout` covers the whole request."""
        request_id = request_id or f"r{next(self.ids)}"
        if (command == "evaluate" or command.startswith("model_")) and args.get("device"):
            interpret = wants_interpreter(str(args["device"]))
            if self.interpret != interpret and self.process is not None:
                self.kill()  # the mode is fixed at import: a new executor, not a restart count
            self.interpret = interpret
        self.start()
        self._await_ready()
        self.writer.send({"id": request_id, "command": command, "args": args})
        building = build_timeout is not None
        deadline = time.monotonic() + (build_timeout if building else timeout)
        stage = "load"
        while True:
            try:
                message = self.reader.read(deadline)
            except TimeoutError:
                self.restart()
                limit = (f"the {build_timeout:g} s build timeout" if building
                         else f"the {timeout:g} s timeout")
                return {"gone": {"reason": "timeout", "stage": stage, "message": (
                    f"no answer within {limit} (during {stage}); the executor "
                    "was killed and a fresh one started")}}
            if message is None:
                code = self.kill(grace=EXIT_GRACE_S)
                if self.keep_warm:
                    self.restarts += 1
                    self.start()
                return {"gone": {"reason": "crash", "stage": stage, "message": (
                    f"the executor died during {stage}: {describe_exit(code)}; a fresh one "
                    "was started")}}
            if message.get("event") == "stage":
                stage = message.get("stage", stage)
                if building and stage not in BUILD_STAGES:
                    building = False  # the run's clock starts now, the build's time is not its
                    deadline = time.monotonic() + timeout
                if self.on_event:
                    self.on_event(request_id, message)
                continue
            if message.get("done"):
                if message.get("recycle"):
                    self.restart()
                return message

    def evaluate(self, options: EvaluateOptions, request_id: Optional[str] = None) -> dict:
        """Evaluate a candidate; always returns a result document."""
        interpret = wants_interpreter(options.device)
        if self.interpret != interpret and self.process is not None:
            self.kill()  # the mode is fixed at import (wants_interpreter)
        self.interpret = interpret
        self.start()
        args = self._sandboxed_arguments(options)
        sandboxed = self.sandbox.sandboxed
        if options.protocol == "search" and options.seed is None:
            # The same inputs for every configuration of a search: a seed per task, drawn once
            # by this (long-lived) supervisor, so executors that serve one candidate each
            # still see one input set, unknown before the first evaluation.
            args["seed"] = self.search_seed(options.task)
        answer = self.request("evaluate", args, options.timeout, request_id,
                              build_timeout=options.build_timeout)
        if self.process is not None:
            self.recycle()
        gone = answer.get("gone")
        if gone:
            status = "timeout" if gone["reason"] == "timeout" else "runtime_error"
            return restore(failure_doc(options.to_dict(), status, gone["stage"],
                                       gone["message"]), options, sandboxed)
        if not answer.get("ok"):
            error = answer.get("error", {})
            raise HarnessRequestError(error.get("code", "INTERNAL"), error.get("message", ""))
        return restore(answer["result"], options, sandboxed)

    def _sandboxed_arguments(self, options: EvaluateOptions) -> dict:
        """The request as the sandbox sees it: copies of the files in its inbox, its own
        build folder seeded with this candidate file's earlier builds."""
        args = options.to_dict()
        args["task"] = self.sandbox.stage(options.task, "task")
        args["candidate"] = self.sandbox.stage(options.candidate, "candidate")
        args["build_dir"] = self.sandbox.build_dir
        args["out"] = None
        key = (args["candidate"], options.build_dir)
        self.candidates.append((candidate_cache.file_digest(args["candidate"]), key))
        candidate_cache.seed(self.sandbox, *key)
        return args

def restore(document: dict, options: EvaluateOptions, sandboxed: bool) -> dict:
    """Puts the caller's paths back and says when no sandbox was around the candidate."""
    if isinstance(document, dict):
        document["task"], document["candidate"] = options.task, options.candidate
        if isinstance(document.get("options"), dict):
            document["options"].update(task=options.task, candidate=options.candidate,
                                       build_dir=options.build_dir)
        if not sandboxed:
            document.setdefault("flags", []).append({
                "name": UNSANDBOXED_FLAG,
                "detail": "the candidate ran without a sandbox: it could read and write what "
                          "this user can, and reach the network"})
    return document


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
