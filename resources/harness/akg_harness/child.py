"""One child process of the supervisor, spoken to over two private pipes.

Used for the executor (which imports the candidate) and for the reference process
(which never does). The child's stdout is pointed at stderr: nothing it prints,
and nothing a candidate writes to a descriptor it inherited, reaches a protocol
stream other than its own answer pipe, and that pipe is read as untrusted.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Callable, Optional

from .protocol import LineReader, LineWriter, ProtocolError

# Importing torch (and initialising a GPU) can take a while on a cold disk; this
# is not charged to a candidate's timeout.
STARTUP_TIMEOUT_S = 300.0


class ExecutorGone(RuntimeError):
    """A child exited or stopped answering."""


class Child:
    def __init__(self, label: str):
        self.label = label
        self.process = None
        self.reader = None
        self.writer = None
        self.ready = False
        self.start_report = None  # what the child said its start cost ({"seconds", "steps"})
        self.started_at = None
        self.mode = None  # what it was started for (the executor: interpreter or not)
        # The executor's writable hand-over folder: the supervisor's view of it, and the
        # path the executor sees it at (the same unless a sandbox mounts it elsewhere).
        self.scratch = None
        self.scratch_inside = None
        self.sandbox = None
        # (digest, (candidate, build_dir)) of the candidate files this executor imported:
        # its builds are kept only when it imported exactly one (candidate_cache).
        self.candidates = []

    def launch(
        self,
        command: Callable[[int, int], list],
        env: dict,
        mode=None,
        popen: Optional[dict] = None,
        sandbox=None,
    ) -> None:
        """Start the command that `command(request_fd, answer_fd)` builds: the child reads
        requests from the first descriptor and writes answers to the second. `sandbox`
        (sandbox.Sandbox) is released with the child; `popen`: its Popen arguments."""
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        arguments = {"start_new_session": True}
        arguments.update(popen or {})
        self.sandbox = sandbox
        self.candidates = []
        self.process = subprocess.Popen(
            command(request_read, response_write),
            pass_fds=(request_read, response_write),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=2,
            **arguments,
        )
        os.close(request_read)
        os.close(response_write)
        self.reader = LineReader(response_read)
        self.writer = LineWriter(request_write)
        self.ready = False
        self.start_report = None
        self.mode = mode
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def await_ready(self) -> None:
        if self.ready:
            return
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                message = self.reader.read(deadline)
            except TimeoutError:
                self.kill()
                raise ExecutorGone(
                    f"the {self.label} did not start within {STARTUP_TIMEOUT_S:.0f} s"
                ) from None
            except ProtocolError as error:
                self.kill()
                raise ExecutorGone(f"the {self.label} wrote garbage during start-up: {error}") from None
            if message is None:
                code = self.kill()
                raise ExecutorGone(
                    f"the {self.label} exited during start-up "
                    f"({describe_exit(code)}); see the worker's stderr"
                )
            if self.take_ready(message):
                return

    def wait_ready(self, until: float) -> bool:
        """Wait for the ready line until `until` (monotonic) at most; True once it came.
        Unlike await_ready, a child still warming up is left alone."""
        while not self.ready and self.alive():
            try:
                message = self.reader.read(until)
            except (TimeoutError, ProtocolError):
                return False
            if message is None:
                return False
            self.take_ready(message)
        return self.ready

    def take_ready(self, message) -> bool:
        """Whether `message` is the ready line; if so, the child is ready and its start report
        (where it spent its start-up) is kept."""
        if not (isinstance(message, dict) and message.get("event") == "ready"):
            return False
        self.ready = True
        self.start_report = message.get("start") if isinstance(message.get("start"), dict) else None
        return True

    def send(self, message: dict) -> None:
        self.writer.send(message)

    def read(self, deadline: Optional[float]):
        return self.reader.read(deadline)

    def pending(self) -> bool:
        """Whether a line (or the end of the pipe) is already waiting to be read."""
        return self.reader is not None and self.reader.pending()

    def kill(self, grace: float = 0.0, release: bool = True) -> Optional[int]:
        """Kill the child's process group. `grace`: first let a child that is exiting on its
        own finish, so its exit status says how it died. `release=False` keeps its sandbox
        folders for the caller (release() later)."""
        process, self.process = self.process, None
        if process is None:
            if release:
                self.release()
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
        if release:
            self.release()
        return code

    def release(self) -> None:
        """After the process is dead (nothing inside can race it): keep the builds of an
        executor that imported one candidate file, remove its folders."""
        if self.scratch and (self.sandbox is None or not self.scratch.startswith(self.sandbox.root)):
            shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch = self.scratch_inside = None
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is None:
            return
        if len({digest for digest, _ in self.candidates}) == 1:
            from . import candidate_cache

            try:
                candidate_cache.promote(sandbox, *self.candidates[0][1])
            except OSError as error:
                print(f"akg_harness: builds not kept: {error}", file=sys.stderr)
        self.candidates = []
        sandbox.close()

    def close(self) -> None:
        if self.alive() and self.ready:
            try:
                self.send({"id": "shutdown", "command": "shutdown", "args": {}})
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None else None


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
