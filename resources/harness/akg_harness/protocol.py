"""JSON-lines framing shared by serve (stdin/stdout) and the executor (private pipes).

The executor talks to its supervisor over pipes of its own, never over stdout, so
nothing a candidate prints (Python or C level) can corrupt a response.
"""

import json
import os
import select
import threading
import time
from typing import Optional


class LineWriter:
    """Writes one JSON document per line to a file descriptor, thread-safe."""

    def __init__(self, fd: int):
        self.fd = fd
        self.lock = threading.Lock()

    def send(self, message: dict) -> None:
        data = (json.dumps(message, allow_nan=False, default=str) + "\n").encode()
        with self.lock:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]


# A line longer than this is not an answer the harness writes (result documents are
# tens of kilobytes; tracebacks are cut at 20 000 characters).
MAX_LINE_BYTES = 64 << 20


class ProtocolError(ValueError):
    """A line that is not one JSON object, or is far too long to be one we wrote."""


class LineReader:
    """Reads JSON lines from a file descriptor with an optional deadline."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def read(self, deadline: Optional[float] = None):
        """Next decoded message; None at end of file; TimeoutError past the deadline."""
        while b"\n" not in self.buffer:
            if self.closed:
                return None
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise TimeoutError
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.closed = True
                if not self.buffer:
                    return None
                self.buffer += b"\n"
            self.buffer += chunk
            if len(self.buffer) > MAX_LINE_BYTES and b"\n" not in self.buffer:
                self.buffer = b""
                raise ProtocolError(f"a line longer than {MAX_LINE_BYTES} bytes")
        line, _, self.buffer = self.buffer.partition(b"\n")
        if not line.strip():
            return self.read(deadline)
        try:
            return json.loads(line)
        except ValueError as error:
            raise ProtocolError(f"not JSON ({error}): {line[:200]!r}") from None

    def pending(self) -> bool:
        """Whether a complete line, or the end of the pipe, can be read without waiting."""
        if self.buffer.strip():
            return True
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], 0)
        if not ready:
            return False
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.closed = True
            return bool(self.buffer.strip())
        self.buffer += chunk
        return bool(self.buffer.strip())


def protect_stdout() -> int:
    """Keep a private copy of stdout for protocol lines and point fd 1 at stderr.

    Returns the descriptor to write protocol lines to.
    """
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    return protocol_fd
