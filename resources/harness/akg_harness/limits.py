"""Resource limits of a sandboxed process: rlimits, and a pids cgroup where one can be made.

rlimits are set in the child before the sandbox tool starts, so every descendant inherits
them. RLIMIT_NPROC does not bind root (the kernel lets uid 0 past it, also inside a user
namespace), so when the harness runs as root and cannot drop to an unprivileged user, a
pids cgroup (v1 `pids` hierarchy, or v2 where this process may create a child group)
holds the count instead; where neither exists the PID namespace still ends every process
with the evaluation, and `status()` says the process limit is not enforced.
"""

import os
import resource
import time
import uuid
from dataclasses import dataclass
from typing import Optional

CGROUP_V1_PIDS = "/sys/fs/cgroup/pids"
CGROUP_V2 = "/sys/fs/cgroup"


def _env_number(name: str, default: Optional[int]) -> Optional[int]:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(float(text))
    except ValueError:
        raise ValueError(f"{name} must be a number (0 for unlimited), got {text!r}") from None
    return None if value <= 0 else value


def physical_memory() -> Optional[int]:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return None


@dataclass
class Limits:
    """None is unlimited. Users raise them with AKG_SANDBOX_MEMORY_MB, AKG_SANDBOX_PROCESSES,
    AKG_SANDBOX_FILE_SIZE_MB and AKG_SANDBOX_CPU_SECONDS (the app's Settings set these;
    0 means unlimited)."""

    address_space: Optional[int]
    processes: Optional[int]
    file_size: Optional[int]
    cpu_seconds: Optional[int]

    @classmethod
    def for_device(cls, device_kind: str) -> "Limits":
        # CUDA and the NPU runtime reserve hundreds of GiB of virtual addresses at start, so an
        # address-space cap would stop them; there the OOM killer's first choice is the guard.
        memory = physical_memory()
        default_mb = None if device_kind in ("cuda", "npu") or not memory else memory // 2 >> 20
        memory_mb = _env_number("AKG_SANDBOX_MEMORY_MB", default_mb)
        file_mb = _env_number("AKG_SANDBOX_FILE_SIZE_MB", 32 * 1024)
        return cls(
            address_space=memory_mb << 20 if memory_mb else None,
            # Threads count as processes: torch starts one per core, ninja a compiler per core.
            processes=_env_number("AKG_SANDBOX_PROCESSES", max(1024, 16 * (os.cpu_count() or 1))),
            file_size=file_mb << 20 if file_mb else None,
            # Per process over all its threads, for a warm executor's whole life.
            cpu_seconds=_env_number("AKG_SANDBOX_CPU_SECONDS", 24 * 3600),
        )

    def as_dict(self) -> dict:
        return {
            "address_space_bytes": self.address_space,
            "processes": self.processes,
            "file_size_bytes": self.file_size,
            "cpu_seconds": self.cpu_seconds,
        }

    def apply(self) -> None:
        """In the child, before exec: the rlimits, and first pick of the OOM killer."""
        for kind, value in (
            (resource.RLIMIT_AS, self.address_space),
            (resource.RLIMIT_NPROC, self.processes),
            (resource.RLIMIT_FSIZE, self.file_size),
            (resource.RLIMIT_CPU, self.cpu_seconds),
            (resource.RLIMIT_CORE, 0),
        ):
            if value is not None:
                resource.setrlimit(kind, (value, value))
        try:
            with open("/proc/self/oom_score_adj", "w") as handle:
                handle.write("1000")
        except OSError:
            pass


class PidsGroup:
    """A pids cgroup holding one sandbox's processes; `path` is None where none could be made."""

    def __init__(self, limit: Optional[int]):
        self.path = None
        if limit is None:
            return
        for parent in self._parents():
            path = os.path.join(parent, f"akg-sandbox-{uuid.uuid4().hex[:12]}")
            try:
                os.mkdir(path)
            except OSError:
                continue
            try:
                with open(os.path.join(path, "pids.max"), "w") as handle:
                    handle.write(str(limit))
                self.path = path
                return
            except OSError:
                self._remove(path)

    @staticmethod
    def _parents():
        if os.path.isfile(os.path.join(CGROUP_V1_PIDS, "cgroup.procs")):
            yield CGROUP_V1_PIDS
        try:
            with open("/proc/self/cgroup") as handle:
                for line in handle:
                    if line.startswith("0::"):
                        own = os.path.join(CGROUP_V2, line[3:].strip().lstrip("/"))
                        if os.path.isfile(os.path.join(own, "cgroup.subtree_control")):
                            with open(os.path.join(own, "cgroup.subtree_control")) as control:
                                if "pids" in control.read().split():
                                    yield own
        except OSError:
            return

    def join(self) -> None:
        """In the child, before exec."""
        if self.path:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as handle:
                handle.write(str(os.getpid()))

    def close(self) -> None:
        if self.path:
            self._remove(self.path)
            self.path = None

    @staticmethod
    def _remove(path: str) -> None:
        # The sandbox's last processes may still be exiting after its tool was reaped.
        for _ in range(20):
            try:
                os.rmdir(path)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.05)
