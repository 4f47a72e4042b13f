"""The supervisor: owns the verdict; torch-free.

Two kinds of child: the executor, which imports the candidate (recycled after
every request, with spares warming so the swap is nearly free), and the reference
process, which never does (warm, reused). Per evaluation the executor hands back
evidence and leaves outputs in a scratch folder; the reference process compares
them with the task's own Model; the supervisor merges the two (verdict.py), with
the candidate's timing confirmed on its own clock (timing_confirmation.py).

Every line from a child must carry the request's id and nonce and be a message
that child may send at that point; anything else (a wrong id, garbage, a second
"done") is a fault: the verdict is `runtime_error` with the reason and the child
is replaced. A hang past the timeout kills the executor's whole process group. The build (loading
the candidate, which compiles its extensions) has its own limit, `build_timeout`; the
run's `timeout` starts when the first stage after the build does.
"""

import dataclasses
import glob
import itertools
import os
import secrets
import shutil
import sys
import tempfile
import time
from typing import Callable, Optional

from . import candidate_cache, timing_confirmation
from .child import Child, ExecutorGone, describe_exit  # noqa: F401  (re-exported)
from .environment import executor_base
from .options import EvaluateOptions
from .protocol import ProtocolError
from .result import failure_doc
from .sandbox import UNSANDBOXED_FLAG, Sandbox
from .verdict import MalformedEvidence, build_verdict, evidence_status, read_evidence

HARNESS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGES = ("load", "compile", "correctness", "timing", "profile")
# Stages of the build phase: loading the candidate builds its extensions (at import or in
# __init__); the first stage after them starts the run's own clock.
BUILD_STAGES = ("load", "compile")
# A tmpfs when there is one: outputs go through memory, not a disk.
SCRATCH_PARENTS = ("/dev/shm",)
# The reference process's least time to verify, even when the executor used up the timeout.
VERIFY_MIN_S = 20.0
# An executor whose pipe closed is dying; its sandbox tool reports how within milliseconds.
EXIT_GRACE_S = 2.0
# Spare executors kept warming at most, by default: one on the CPU (a second would take
# the cores the candidate runs on), up to four for a GPU, where an executor's start
# (torch, Triton, the device context: 5-10 s on an H200 host) is several times a fast
# candidate's whole evaluation (1.5 s), so back-to-back candidates (a tuner, a search)
# would wait for every other one. The pool starts at one and goes to the ceiling when a
# candidate found no warm spare.
# AKG_SPARE_EXECUTORS sets the ceiling (1 to 8).
SPARES_CPU, SPARES_ACCELERATOR, SPARES_MAX = 1, 4, 8


def spare_ceiling(interpret: bool) -> int:
    value = os.environ.get("AKG_SPARE_EXECUTORS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return min(int(value), SPARES_MAX)
    return SPARES_CPU if interpret else SPARES_ACCELERATOR


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


def executor_environment(base: Optional[dict] = None, interpret: Optional[bool] = None) -> dict:
    """The environment of a process that imports a candidate: the allow-list, never the
    caller's whole environment (environment.py), plus what the harness itself needs."""
    return _with_harness(executor_base(base), interpret)


def reference_environment(base: Optional[dict] = None) -> dict:
    """The reference process never imports a candidate: it keeps the supervisor's own
    environment (itself allow-listed by the app), the cache folder included."""
    return _with_harness(dict(os.environ if base is None else base), False)


def _with_harness(env: dict, interpret: Optional[bool]) -> dict:
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


def make_scratch() -> str:
    """A private folder per candidate for the outputs it hands over."""
    for parent in SCRATCH_PARENTS:
        if os.path.isdir(parent) and os.access(parent, os.W_OK):
            return tempfile.mkdtemp(prefix="akg-scratch-", dir=parent)
    return tempfile.mkdtemp(prefix="akg-scratch-")


def take_handover(executor: Child, folder: str) -> None:
    """Kill the executor (its sandbox takes every descendant with it), then move what it
    left in its hand-over folder to `folder`: from here on no candidate code can change
    those files. Then its sandbox is released (builds kept, folders removed)."""
    source = executor.scratch
    executor.kill(release=False)
    try:
        for name in os.listdir(source) if source else []:
            path = os.path.join(source, name)
            if name.endswith(".akgt") and os.path.isfile(path) and not os.path.islink(path):
                shutil.move(path, os.path.join(folder, name))
    finally:
        executor.release()


def restore(document: dict, options: EvaluateOptions, sandboxed: bool) -> dict:
    """Puts the caller's paths back and says when no sandbox was around the candidate."""
    if isinstance(document, dict):
        document["task"], document["candidate"] = options.task, options.candidate
        if isinstance(document.get("options"), dict):
            document["options"].update(
                task=options.task, candidate=options.candidate, build_dir=options.build_dir
            )
        if not sandboxed:
            document.setdefault("flags", []).append(
                {
                    "name": UNSANDBOXED_FLAG,
                    "detail": "the candidate ran without a sandbox: it could read and write what "
                    "this user can, and reach the network",
                }
            )
    return document


def start_summary(report) -> Optional[dict]:
    """The executor's start, as it reported it before loading any candidate: seconds in all
    and per step (numbers only)."""
    if not isinstance(report, dict):
        return None
    summary = {}
    steps = report.get("steps") if isinstance(report.get("steps"), dict) else {}
    for name, value in [("total", report.get("seconds"))] + list(steps.items())[:8]:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e5:
            summary[str(name)[:32]] = round(float(value), 3)
    return summary or None


def evidence_failed(evidence: dict) -> bool:
    return evidence_status(evidence) != "passed"


def sandboxed_options(executor: Child, options: EvaluateOptions) -> dict:
    """The request as the sandbox sees it: copies of the files in its inbox, its own build
    folder seeded with this candidate file's earlier builds (candidate_cache)."""
    args = options.to_dict()
    sandbox = executor.sandbox
    if sandbox is None:
        return args
    args["task"] = sandbox.stage(options.task, "task")
    args["candidate"] = sandbox.stage(options.candidate, "candidate")
    args["build_dir"] = sandbox.build_dir
    args["out"] = None
    key = (args["candidate"], options.build_dir)
    executor.candidates.append((candidate_cache.file_digest(args["candidate"]), key))
    candidate_cache.seed(sandbox, *key)
    return args


class Limits:
    """A request's deadline. With a build limit, the build stages (BUILD_STAGES) have that
    limit and the run's `timeout` starts when the first stage after them does; without
    one, `timeout` covers the whole request."""

    def __init__(
        self, timeout: float, build_timeout: Optional[float] = None, deadline: Optional[float] = None
    ):
        self.timeout, self.build_timeout = timeout, build_timeout
        self.building = build_timeout is not None
        self.deadline = (
            deadline
            if deadline is not None
            else time.monotonic() + (build_timeout if self.building else timeout)
        )

    def stage(self, stage: str) -> None:
        if self.building and stage not in BUILD_STAGES:
            self.building = False  # the run's clock starts now, the build's time is not its
            self.deadline = time.monotonic() + self.timeout

    def describe(self) -> str:
        if self.building:
            return f"the {self.build_timeout:g} s build timeout"
        return f"the {self.timeout:g} s timeout" if self.timeout is not None else "its deadline"


class Gone(Exception):
    """The child hung past its deadline or died."""

    def __init__(self, reason: str, code=None):
        super().__init__(reason)
        self.reason, self.code = reason, code


class ProtocolFault(Exception):
    """The child wrote something it may not write at this point."""


class Worker:
    """Runs requests in supervised children; evaluate() always returns a verdict."""

    def __init__(
        self,
        on_event: Optional[Callable[[str, dict], None]] = None,
        keep_warm: bool = True,
        env: Optional[dict] = None,
        warm_device: str = "",
    ):
        self.on_event = on_event
        self.keep_warm = keep_warm
        self.env = executor_environment(env)
        self.warm_device = warm_device
        self.interpret = None  # interpreter mode of the next executor (see wants_interpreter)
        self.spares = []  # warm or warming executors, never used yet, oldest first
        self.depth = 1  # how many spares to keep (spare_ceiling once one was cold)
        self.current = Child("executor")  # running the request in flight
        self.reference = Child("reference process")
        self.ids = itertools.count(1)
        self.restarts = 0  # faults, timeouts and crashes (recycling is not counted)
        self.stage = "load"  # of the request in flight, for timeout and crash messages
        self.search_seeds = {}  # task file digest -> base seed of the search protocol

    def search_seed(self, task: str) -> int:
        """The search protocol's base seed for a task: drawn once by this (long-lived)
        supervisor, so every configuration, each in its own executor, sees the same
        inputs, unknown before the first evaluation."""
        from .cache import file_digest

        digest = file_digest(task)
        if digest not in self.search_seeds:
            self.search_seeds[digest] = secrets.randbelow(2**31 - 2) + 1
        return self.search_seeds[digest]

    # -- lifecycle -------------------------------------------------------
    def start(self, interpret: Optional[bool] = None) -> None:
        if interpret is None:
            interpret = self.interpret
        if interpret is None:
            interpret = (
                wants_interpreter(self.warm_device) if self.warm_device else not machine_has_accelerator()
            )
        self.interpret = interpret
        self.drop_unusable_spares(interpret)
        if not self.spares:
            self.spares.append(self.new_executor(interpret))
        if not self.reference.alive():
            self.spawn_reference()

    def drop_unusable_spares(self, interpret: bool) -> None:
        """Spares that died, or of the other Triton mode (fixed at import), are killed."""
        for child in list(self.spares):
            if not child.alive() or child.mode != interpret:
                child.kill()
                self.spares.remove(child)

    def new_executor(self, interpret: bool) -> Child:
        child = Child("executor")
        self.spawn_executor(child, interpret)
        return child

    def spawn_executor(self, child: Child, interpret: bool) -> None:
        """An executor inside its own sandbox (sandbox.py); raises SandboxUnavailable, naming
        what to install, where none can be set up and running without one was not allowed."""
        sandbox = Sandbox("cpu" if interpret else "cuda")

        def command(request_fd: int, answer_fd: int) -> list:
            line = [sys.executable, "-m", "akg_harness.executor", str(request_fd), str(answer_fd)]
            line += ["--warm-device", self.warm_device] if self.warm_device else []
            return sandbox.command(line)

        # One executor runs one candidate, so its hand-over folder is that candidate's; it
        # lies in the sandbox's writable folder, at the same path inside and out.
        handover = os.path.join(sandbox.scratch, "handover")
        os.makedirs(handover)
        sandbox.give_to_sandbox(handover)
        try:
            child.launch(
                command,
                sandbox.environment(executor_environment(self.env, interpret)),
                mode=interpret,
                popen=sandbox.popen_arguments(),
                sandbox=sandbox,
            )
        except BaseException:
            sandbox.close()
            raise
        child.scratch = child.scratch_inside = handover

    def spawn_reference(self) -> None:
        def command(request_fd: int, answer_fd: int) -> list:
            line = [sys.executable, "-m", "akg_harness.reference_side", str(request_fd), str(answer_fd)]
            return line + (["--warm-device", self.warm_device] if self.warm_device else [])

        # Trusted: it never imports a candidate, so it runs outside any sandbox, with the
        # caches it alone writes.
        self.reference.launch(command, reference_environment())

    def take_executor(self, interpret: bool) -> Child:
        """The oldest spare of the right mode, else a fresh executor; replacements start at
        once, so they warm while this one works. A spare taken before it was ready means
        candidates come faster than an executor starts: from then on the pool is kept at
        spare_ceiling (an executor's start is several candidates long, so growing by one at
        each miss left most of a burst waiting)."""
        self.current.kill()
        self.drop_unusable_spares(interpret)
        if self.spares:
            self.current = self.spares.pop(0)
            if not self.current.wait_ready(time.monotonic()):
                self.depth = spare_ceiling(interpret)
        else:
            self.current = self.new_executor(interpret)
        self.interpret = interpret
        if self.keep_warm:
            while len(self.spares) < self.depth:
                self.spares.append(self.new_executor(interpret))
        self.current.await_ready()
        return self.current

    def replenish(self) -> None:
        """Recycle: the executor that ran a request never runs another. Its sandbox's
        folders stay until recycle() or the next request, for a caller that copies back
        what the request wrote there (model commands)."""
        self.current.kill(release=False)

    def recycle(self) -> None:
        """Release what the last request's executor left (builds kept, folders removed)."""
        self.current.kill()

    @property
    def process(self):
        """The process that will run the next request (the oldest spare), if any."""
        alive = [child for child in self.spares if child.alive()]
        return alive[0].process if alive else None

    @property
    def sandbox(self):
        """The sandbox of the executor that will run the next request: a caller may stage
        files into it first (model commands). Starts the spare if there is none."""
        self.start()
        return self.spares[0].sandbox

    def quiet_for_timing(self, device: str, deadline: float) -> None:
        """On the CPU, the candidate's timing waits until the spare and the reference
        process have finished warming (importing torch takes a core for seconds), for at
        most half the time the candidate has left; a GPU's timing is device time and
        does not wait."""
        if not wants_interpreter(device):
            return
        until = time.monotonic() + max(0.0, deadline - time.monotonic()) / 2
        for child in self.spares + [self.reference]:
            child.wait_ready(until)

    def kill(self) -> None:
        for child in [self.current] + self.spares + [self.reference]:
            child.kill()

    def close(self) -> None:
        for child in [self.current] + self.spares + [self.reference]:
            child.close()

    @property
    def pid(self) -> Optional[int]:
        return self.current.pid or next((child.pid for child in self.spares if child.pid), None)

    # -- reading a child -------------------------------------------------
    def next_message(self, child: Child, tag: dict, deadline: float) -> dict:
        try:
            message = child.read(deadline)
        except TimeoutError:
            raise Gone("timeout") from None
        except ProtocolError as error:
            raise ProtocolFault(str(error)) from None
        if message is None:
            raise Gone("crash", child.kill(grace=EXIT_GRACE_S))
        if not isinstance(message, dict):
            raise ProtocolFault(f"a line that is not an object: {str(message)[:200]}")
        if message.get("id") != tag["id"] or message.get("nonce") != tag["nonce"]:
            raise ProtocolFault(
                f"a message for another request (id {message.get('id')!r}, nonce mismatch)"
                if message.get("id") == tag["id"]
                else f"a message with a wrong id {str(message.get('id'))[:60]!r} (expected {tag['id']!r})"
            )
        return message

    def exchange(self, child: Child, command: str, args: dict, tag: dict, deadline, on_dialogue=None) -> dict:
        """Send one request; return its `done` answer. Raises Gone or ProtocolFault.
        `deadline`: a monotonic time, or Limits (build and run limits, switched by stage)."""
        limits = deadline if isinstance(deadline, Limits) else Limits(None, deadline=deadline)
        child.send({"id": tag["id"], "command": command, "args": dict(args, nonce=tag["nonce"])})
        self.stage = "load"
        while True:
            message = self.next_message(child, tag, limits.deadline)
            event = message.get("event")
            if event == "stage" and message.get("stage") in STAGES and len(message) == 4:
                self.stage = message["stage"]
                limits.stage(self.stage)
                if self.on_event:
                    self.on_event(tag["id"], {"event": "stage", "stage": self.stage})
                continue
            if event is not None and on_dialogue is not None and on_dialogue(message, limits.deadline):
                continue
            if message.get("done") is True and event is None:
                if child.pending():
                    raise ProtocolFault('a message after the answer (a second "done")')
                return message
            raise ProtocolFault(f"an unexpected message: {str(message)[:200]}")

    # -- requests --------------------------------------------------------
    def request(
        self,
        command: str,
        args: dict,
        timeout: float,
        request_id: Optional[str] = None,
        build_timeout: Optional[float] = None,
    ) -> dict:
        """detect / precompile / ping / model_* in a fresh executor; the answer, or
        {"gone": {reason, stage, message}}. With `build_timeout`, the build stages have that
        limit and `timeout` starts when the run does; without it, `timeout` covers the
        whole request."""
        tag = {"id": request_id or f"r{next(self.ids)}", "nonce": secrets.token_hex(16)}
        if (command == "evaluate" or str(command).startswith("model_")) and args.get("device"):
            # The Triton mode is fixed at import (wants_interpreter): take_executor starts one
            # of this mode when the spare has the other.
            self.interpret = wants_interpreter(str(args["device"]))
        self.start()
        executor = self.take_executor(self.interpret)
        limits = Limits(timeout, build_timeout)
        try:
            return self.exchange(executor, command, args, tag, limits)
        except Gone as gone:
            return {"gone": self.gone(gone, limits)}
        except ProtocolFault as fault:
            self.restarts += 1
            return {
                "gone": {
                    "reason": "crash",
                    "stage": self.stage,
                    "message": f"the executor broke the protocol: {fault}",
                }
            }
        finally:
            self.replenish()

    def gone(self, gone: Gone, limits) -> dict:
        """`limits`: the request's Limits (or its timeout in seconds)."""
        self.restarts += 1
        if not isinstance(limits, Limits):
            limits = Limits(limits)
        if gone.reason == "timeout":
            return {
                "reason": "timeout",
                "stage": self.stage,
                "message": (
                    f"no answer within {limits.describe()} (during {self.stage}); the "
                    "executor was killed and a fresh one started"
                ),
            }
        return {
            "reason": "crash",
            "stage": self.stage,
            "message": (
                f"the executor died during {self.stage}: {describe_exit(gone.code)}; a fresh one was started"
            ),
        }

    def evaluate(self, options: EvaluateOptions, request_id: Optional[str] = None) -> dict:
        """Evaluate a candidate; always returns a result document."""
        started = time.monotonic()
        tag = {"id": request_id or f"r{next(self.ids)}", "nonce": secrets.token_hex(16)}
        if options.seed is not None:
            seed = options.seed
        elif options.protocol == "search":
            seed = self.search_seed(options.task)  # the same inputs for every configuration
        else:
            seed = secrets.randbelow(2**31 - 2) + 1
        try:
            return Evaluation(self, options, tag, seed, started).run()
        finally:
            self.replenish()


# The least time left in a request for an ncu confirmation nobody asked for (one replayed
# pass took 8-19 s on an H200 with source counters; a confirmation runs without them).
NCU_CONFIRM_MIN_S = 30.0


class Evaluation:
    """One candidate, from the executor's evidence to the supervisor's verdict."""

    def __init__(self, worker: Worker, options, tag: dict, seed: int, started: float):
        self.worker, self.options, self.tag = worker, options, tag
        self.seed, self.started = seed, started
        self.scratch = None
        self.confirm_seed = secrets.randbelow(2**31 - 2) + 1
        self.windows, self.calls, self.median = [], 0, None
        self.gated = False
        self.ncu = None
        self.ncu_handover = False
        self.durations = {}
        self.limits = None
        self.staged = None

    @property
    def deadline(self) -> float:
        """The request's current deadline (the run's, once the build is over)."""
        return self.limits.deadline

    def run(self) -> dict:
        worker, options = self.worker, self.options
        worker.start()
        waited = time.monotonic()
        executor = worker.take_executor(wants_interpreter(options.device))
        # What recycling cost this candidate: ~0 when the spare was warm.
        self.durations["executor_wait"] = time.monotonic() - waited
        self.executor_pid = executor.pid
        self.executor_start = start_summary(executor.start_report)
        # The reference process reads the outputs after the executor is dead, from a folder
        # the supervisor owns (a tmpfs where there is one), moved there once nothing inside
        # the sandbox can still write.
        self.scratch = make_scratch()
        sandboxed = executor.sandbox is not None and executor.sandbox.sandboxed
        inside = sandboxed_options(executor, options)
        self.staged = {"task": inside.get("task"), "candidate": inside.get("candidate")}
        args = {
            "options": inside,
            "scratch": executor.scratch_inside,
            "base_seed": self.seed,
            "confirm_seed": self.confirm_seed,
            "confirm": True,
        }
        # The limits run from here: an executor's start-up is not the candidate's time. The
        # build has its own; the run's starts with the first stage after it.
        self.limits = Limits(options.timeout, options.build_timeout)
        try:
            try:
                answer = worker.exchange(executor, "evaluate", args, self.tag, self.limits, self.dialogue)
            except Gone as gone:
                detail = worker.gone(gone, self.limits)
                status = "timeout" if detail["reason"] == "timeout" else "runtime_error"
                return restore(
                    failure_doc(options.to_dict(), status, detail["stage"], detail["message"]),
                    options,
                    sandboxed,
                )
            except ProtocolFault as fault:
                return restore(self.fault(f"the executor broke the protocol: {fault}"), options, sandboxed)
            finally:
                take_handover(executor, self.scratch)
            return restore(self.conclude(answer), options, sandboxed)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def conclude(self, answer: dict) -> dict:
        options = self.options
        if not answer.get("ok"):
            error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            message = str(error.get("message", ""))
            # The executor names the copies in its inbox; the caller knows its own files.
            staged = self.staged or {}
            for inside, outside in (
                (staged.get("task"), options.task),
                (staged.get("candidate"), options.candidate),
            ):
                if inside and outside and inside != outside:
                    message = message.replace(inside, outside)
            raise HarnessRequestError(str(error.get("code", "INTERNAL")), message)
        try:
            evidence = read_evidence(answer.get("evidence"))
        except MalformedEvidence as error:
            return self.fault(f"the executor's answer is malformed: {error}")
        verification = None
        if evidence.get("error") is None:
            self.run_ncu(evidence)
            verification = self.verify(evidence)
            if isinstance(verification, str):
                return failure_doc(options.to_dict(), "runtime_error", "verification", verification)
        confirmation = self.confirmation(verification) if evidence.get("timing") else None
        document = build_verdict(
            options, evidence, verification, confirmation, self.ncu, self.started, self.durations
        )
        document["environment"]["executor_pid"] = self.executor_pid
        if self.executor_start:
            # Paid before this candidate was sent (a warm spare), unless executor_wait says so.
            document["environment"]["executor_start_seconds"] = self.executor_start
        return document

    def fault(self, reason: str) -> dict:
        self.worker.restarts += 1
        document = failure_doc(
            self.options.to_dict(),
            "runtime_error",
            getattr(self.worker, "stage", "load"),
            f"{reason}; the executor was replaced and no verdict of its own is used",
        )
        document["flags"].append({"name": "protocol_fault", "detail": reason})
        return document

    # -- the confirmation dialogue (inside the executor's request) ------------
    def dialogue(self, message: dict, deadline: float) -> bool:
        event = message.get("event")
        executor = self.worker.current
        if event == "timing-gate" and not self.gated:
            self.gated = True
            self.worker.quiet_for_timing(self.options.device, deadline)
            executor.send({"command": "timing-go", "nonce": self.tag["nonce"]})
            return True
        if event == "confirm-ready" and self.median is None:
            median = message.get("median_ms")
            if not timing_confirmation.valid_median(median):
                raise ProtocolFault(f"a confirmation request with median {median!r}")
            self.median, self.calls = median, timing_confirmation.planned_calls(median)
            go = {"command": "confirm-go", "calls": self.calls, "nonce": self.tag["nonce"]}
            started = time.monotonic()
            while not timing_confirmation.settled(median, self.calls, self.windows):
                begin = time.monotonic()
                executor.send(go)
                reply = self.worker.next_message(executor, self.tag, deadline)
                if reply.get("event") != "confirm-round":
                    raise ProtocolFault(f"an unexpected message during the confirmation: {str(reply)[:200]}")
                self.windows.append(time.monotonic() - begin)
            executor.send({"command": "confirm-end", "nonce": self.tag["nonce"]})
            self.durations["confirmation_window"] = time.monotonic() - started
            return True
        return False

    def confirmation(self, verification) -> dict:
        methods = []
        if self.windows:
            output = (verification or {}).get("confirmation_output") or {}
            methods.append(
                timing_confirmation.judge_wall_clock(self.median, self.calls, self.windows, output)
            )
        if self.ncu is not None and self.ncu_handover and self.median is not None:
            output = (verification or {}).get("ncu_output") or {}
            methods.append(timing_confirmation.judge_ncu(self.median, self.ncu, output))
        return timing_confirmation.summary(methods)

    def wall_clock_short(self) -> bool:
        """Whether the wall clock will not confirm the median, so that ncu should, on its own
        initiative: a launch-bound kernel (the median is device time, a call costs its launch
        on top) or a faked median, which only ncu tells apart. Only for the full protocol on
        CUDA where ncu is on PATH; AKG_NCU_CONFIRM=0 turns it off."""
        if self.options.protocol == "search" or os.environ.get("AKG_NCU_CONFIRM", "1") == "0":
            return False
        if self.options.device_kind != "cuda" or not self.windows or self.median is None:
            return False
        if self.deadline - time.monotonic() < NCU_CONFIRM_MIN_S:
            return False  # not asked for: it must fit in what is left of the request's time
        ratio = timing_confirmation.wall_clock_ratio(self.median, self.calls, self.windows)
        return ratio > timing_confirmation.LIMIT and shutil.which("ncu") is not None

    def run_ncu(self, evidence: dict) -> None:
        """Nsight Compute over a fresh process that loads the candidate (ncu_target): for
        --ncu (metrics), and for --confirm-ncu or a median the wall clock cannot confirm
        (kernel time per forward, outside the executor)."""
        options = self.options
        timed = bool(evidence.get("timing"))
        confirm = timed and (options.confirm_ncu or self.wall_clock_short())
        if not (options.ncu or confirm) or evidence_failed(evidence):
            return
        if options.device_kind != "cuda":
            self.ncu = {"error": "ncu needs a CUDA device"}
            return
        from .ncu import run_ncu

        started = time.monotonic()
        remaining = self.deadline - started
        # Only a confirmation needs the measured forward's output (checked by the reference
        # process) and so a fresh collection; metrics alone are served from the cache, keyed
        # by the candidate's text, task and device. A confirmation nobody asked metrics of
        # skips the source counters and the baseline's side.
        self.ncu_handover = confirm
        asked = options.ncu or options.confirm_ncu
        self.ncu = run_ncu(
            dataclasses.replace(options, seed=self.seed),
            timeout=max(60.0, remaining - 5) if asked else remaining - 5,
            handover=self.scratch if confirm else None,
            metrics=bool(options.ncu),
        )
        self.durations["ncu"] = time.monotonic() - started

    # -- the reference process -------------------------------------------
    def verify(self, evidence: dict):
        """The reference process's answer, or a sentence saying why there is none."""
        worker, options = self.worker, self.options
        if not worker.reference.alive():
            worker.spawn_reference()
        reported = evidence.get("evidence") or {}
        timing = evidence.get("timing") or {}
        args = {
            "options": options.to_dict(),
            "base_seed": self.seed,
            "scratch": self.scratch,
            "timing_plan": reported.get("timing_plan") if timing else None,
            "median_ms": (timing.get("candidate") or {}).get("median_ms"),
            "confirm_seed": self.confirm_seed if self.median is not None else None,
            "ncu_output": self.ncu_handover and self.ncu is not None and "error" not in self.ncu,
            "torch_tf32": bool(reported.get("torch_allows_tf32")),
        }
        # What is left of the request's timeout (the app waits 30 s past it), at least
        # enough to compare outputs of a task that fits a device.
        timeout = max(self.deadline - time.monotonic(), VERIFY_MIN_S)
        args["timeout"] = timeout
        tag = {"id": self.tag["id"], "nonce": secrets.token_hex(16)}
        try:
            worker.reference.await_ready()
            answer = worker.exchange(worker.reference, "verify", args, tag, time.monotonic() + timeout)
        except (Gone, ProtocolFault, ExecutorGone) as error:
            worker.reference.kill()
            return f"the reference process failed ({error}); it was restarted"
        if not answer.get("ok"):
            return f"the reference process could not verify: {answer.get('error')}"
        return answer.get("result") or {}


class HarnessRequestError(RuntimeError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
