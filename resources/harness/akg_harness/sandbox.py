"""The sandbox around every process that imports a candidate (Linux, bubblewrap).

A candidate is code a model wrote. The process that imports it (the executor, a
precompile build, the ncu target) starts inside bubblewrap:
  - new user, PID, network, IPC and UTS namespaces (`--unshare-all`): no network but its
    own loopback; `--die-with-parent` and `--new-session`, and the PID namespace's init
    takes every descendant (double-forked daemons included) down with it;
  - a new mount namespace: `/` read-only (the repository, the Python environment, the
    toolchains), the home folders, the data folder, the caches, /tmp and /run (sockets)
    replaced by empty tmpfs; paths the harness needs that lived there (a venv in the home
    folder, the harness itself, the trusted side's precompiled headers and, where the
    environment ships no bytecode, its compiled bytecode) bound back read-only; a fresh
    /dev with the GPU and NPU
    device files bound in, a fresh /proc;
  - one writable folder, the sandbox root's `scratch` and `cache` (per executor, created
    and removed by the trusted side); the task and candidate are copied into its `inbox`,
    which is read-only inside;
  - rlimits (address space, processes, file size, CPU time; see Limits) and the OOM
    killer's first choice; an environment from the allow-list (environment.py);
  - run as root, the sandbox drops to an unprivileged user first (nobody), so files only
    root may read stay closed and the process limit holds (root ignores RLIMIT_NPROC).
Where bubblewrap is missing, `unshare` (util-linux) sets up the namespaces without the
mount layout. Where neither works the harness refuses to run a candidate unless the user
allowed it (AKG_ALLOW_UNSANDBOXED=1); each such verdict carries the flag `unsandboxed`.
"""

import functools
import glob
import os
import platform
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import List, Optional

from .environment import executor_base
from .limits import Limits, PidsGroup

HARNESS_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf "
    "install bubblewrap) or point AKG_BWRAP at a bwrap binary"
)
ALLOW_VARIABLE = "AKG_ALLOW_UNSANDBOXED"
UNSANDBOXED_FLAG = "unsandboxed"
# Device files CUDA and the Ascend runtime open; bound only where they exist.
DEVICE_PATTERNS = (
    "/dev/nvidia*",
    "/dev/nvidia-caps/*",
    "/dev/dri/*",
    "/dev/davinci*",
    "/dev/devmm_svm",
    "/dev/hisi_hdc",
)
# A probe sandbox must start within this; bwrap takes milliseconds.
PROBE_TIMEOUT_S = 20.0


class SandboxUnavailable(RuntimeError):
    """No sandbox could be set up and running unsandboxed was not allowed."""

    code = "SANDBOX_UNAVAILABLE"


def allowed_unsandboxed() -> bool:
    return os.environ.get(ALLOW_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def bwrap_path() -> Optional[str]:
    explicit = os.environ.get("AKG_BWRAP")
    if explicit:
        return explicit
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def sandbox_user():
    """(uid, gid) to drop to when running as root, or None: stay as this user."""
    if os.geteuid() != 0 or os.environ.get("AKG_SANDBOX_AS_ROOT") == "1":
        return None
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _readable_by_others(path: str) -> bool:
    """Whether an unprivileged user can reach and read `path` (mode bits; ACLs ignored)."""
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for depth in range(2, len(parts) + 1):
        current = os.sep.join(parts[:depth]) or os.sep
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return False
        if not mode & 0o001 and os.path.isdir(current):
            return False
    return bool(os.stat(path).st_mode & 0o004)


@functools.lru_cache(maxsize=None)
def _drop_user():
    """The user to drop to when root, if every path the harness needs is readable by it."""
    user = sandbox_user()
    if user is None:
        return None
    needed = [sys.executable, HARNESS_ROOT] + [p for p in sys.path if p and os.path.isdir(p)]
    return user if all(_readable_by_others(p) for p in needed) else None


def _probe_command(tool: str, path: str) -> List[str]:
    if tool == "bwrap":
        return [
            path,
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--",
            "/bin/true",
        ]
    return [
        path,
        "--user",
        "--map-root-user",
        "--pid",
        "--fork",
        "--net",
        "--ipc",
        "--mount-proc",
        "--kill-child",
        "/bin/true",
    ]


@functools.lru_cache(maxsize=None)
def status() -> dict:
    """Whether candidates can run sandboxed here, with which tool, and if not, why."""
    report = {
        "available": False,
        "tool": None,
        "path": None,
        "version": None,
        "reason": None,
        "install": INSTALL_HINT,
        "allowed_unsandboxed": allowed_unsandboxed(),
        "user": None,
    }
    if platform.system() != "Linux":
        report["reason"] = f"no sandbox on {platform.system()}: bubblewrap needs Linux namespaces"
        report["install"] = "run the studio's harness on a Linux host (an SSH host works)"
        return report
    failures = []
    # AKG_SANDBOX_TOOL=bwrap|unshare|none picks one (none: measure or debug without a sandbox;
    # candidates still need AKG_ALLOW_UNSANDBOXED=1 then).
    chosen = os.environ.get("AKG_SANDBOX_TOOL", "").strip().lower()
    for tool, path in (("bwrap", bwrap_path()), ("unshare", shutil.which("unshare"))):
        if chosen and chosen != tool:
            failures.append(f"{tool} not used (AKG_SANDBOX_TOOL={chosen})")
            continue
        if not path:
            failures.append(f"{tool} not found")
            continue
        user = _drop_user()
        try:
            completed = subprocess.run(
                _probe_command(tool, path),
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT_S,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                **_user_arguments(user),
            )
        except (OSError, subprocess.SubprocessError) as error:
            failures.append(f"{tool} ({path}) could not start: {error}")
            continue
        if completed.returncode != 0:
            failures.append(f"{tool} ({path}) failed: {completed.stderr.strip()[-300:]}")
            continue
        report.update(
            available=True,
            tool=tool,
            path=path,
            version=_version(tool, path),
            user=f"{user[0]}" if user else str(os.geteuid()),
            process_limit=_process_limit(user),
        )
        if tool == "unshare":
            report["reason"] = (
                "bubblewrap is missing: namespaces only (no network, own PIDs), "
                "but the filesystem is not hidden; " + INSTALL_HINT
            )
        return report
    report["reason"] = (
        "no sandbox could be started: "
        + "; ".join(failures)
        + " (user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1 / "
        "user.max_user_namespaces)"
    )
    return report


def _process_limit(user) -> str:
    if user or os.geteuid() != 0:
        return "rlimit"
    group = PidsGroup(1)
    try:
        return "cgroup" if group.path else "not enforced (running as root without a pids cgroup)"
    finally:
        group.close()


def _version(tool: str, path: str) -> Optional[str]:
    try:
        output = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return output.splitlines()[0] if output else None


def _user_arguments(user) -> dict:
    if user is None:
        return {}
    return {"user": user[0], "group": user[1], "extra_groups": []}


def require() -> Optional[dict]:
    """The sandbox status when one can be used; None when running unsandboxed is allowed.
    Raises SandboxUnavailable with what to install otherwise (never a silent fallback)."""
    report = status()
    if report["available"]:
        return report
    if allowed_unsandboxed():
        return None
    raise SandboxUnavailable(
        f"candidates run only inside a sandbox, and none is available here: {report['reason']}. "
        f"To fix: {report['install']}. To run model-written code without one at your own risk, "
        f"set {ALLOW_VARIABLE}=1 (the app: Settings, allow unsandboxed evaluation); every "
        f"verdict then carries the flag '{UNSANDBOXED_FLAG}'."
    )


def hidden_roots() -> List[str]:
    """Folders a candidate must not see: homes, the data folder, the caches, temp, sockets."""
    home = os.path.expanduser("~")
    data = os.environ.get("AKG_STUDIO_HOME") or os.path.join(home, ".akg-studio")
    cache = os.environ.get("AKG_CACHE_DIR") or os.path.join(home, ".cache", "akg-studio")
    candidates = [
        home,
        "/root",
        "/home",
        data,
        cache,
        "/tmp",
        "/var/tmp",
        "/run",
        "/var/run",
        "/media",
        "/mnt",
        os.environ.get("XDG_RUNTIME_DIR", ""),
    ]
    roots = []
    for path in candidates:
        if path and os.path.isdir(path):
            real = os.path.realpath(path)
            if real != "/" and real not in roots:
                roots.append(real)
    return roots


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def needed_paths() -> List[str]:
    """What the sandboxed Python must still read: the harness, the interpreter and its sys.path."""
    paths = [
        HARNESS_ROOT,
        os.path.dirname(os.path.realpath(sys.executable)),
        sys.prefix,
        sys.base_prefix,
        os.path.dirname(sys.executable),
    ]
    paths += [p for p in sys.path if p]
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    for tool in ("nvcc", "ncu", "ninja", "c++", "g++", "gcc"):
        found = shutil.which(tool)
        if found:
            paths.append(os.path.dirname(os.path.realpath(found)))
    for name in ("CUDA_HOME", "CUDA_PATH", "ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME"):
        if os.environ.get(name):
            paths.append(os.environ[name])
    kept = []
    roots = hidden_roots()
    # The outermost hidden folders (home, temp, ...): those and what lies above them are never
    # bound back, only what lies inside one, such as a venv in the home folder. A hidden folder
    # inside a path that is bound back (a cache or data folder inside the repository) is hidden
    # again after the bind (nested_hidden_roots).
    outermost = [root for root in roots if not any(other != root and _inside(root, other) for other in roots)]
    for path in paths:
        for variant in (os.path.abspath(path), os.path.realpath(path)):
            if any(_inside(root, variant) for root in outermost) or variant in roots:
                continue
            if os.path.exists(variant) and variant not in kept:
                kept.append(variant)
    kept.sort(key=len)  # a folder bound once covers what lies inside it
    return [p for i, p in enumerate(kept) if not any(_inside(p, q) for q in kept[:i])]


def nested_hidden_roots(bound: List[str]) -> List[str]:
    """Hidden folders that lie inside a folder bound back: hidden again after the binds."""
    return [root for root in hidden_roots() if any(_inside(root, path) and root != path for path in bound)]


PREFIX = "akg-sandbox-"
OWNER_FILE = "owner"  # in the root, which no sandboxed process sees (only its subfolders are bound)
# A root with no owner record (an older harness, or one written this very moment) is left alone
# this long.
UNOWNED_GRACE_S = 24 * 3600


def _process_identity(pid: int) -> Optional[tuple]:
    """(start time, PID namespace) of a live process; None when it is gone; ("?",) when it
    exists but cannot be inspected (another user's)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            start = handle.read().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    except OSError:
        return ("?",)
    try:
        return start, os.readlink(f"/proc/{pid}/ns/pid")
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return ("?",)


def _write_owner(root: str) -> None:
    identity = _process_identity(os.getpid())
    if identity and len(identity) == 2:
        with open(os.path.join(root, OWNER_FILE), "w") as handle:
            handle.write(f"{os.getpid()} {identity[0]} {identity[1]}\n")


def stale_roots(folder: Optional[str] = None, now: Optional[float] = None) -> List[str]:
    """Sandbox roots in `folder` (the temp folder) whose harness process is gone.

    A harness killed outright (SIGKILL, a power cut, the app force-quit) cannot remove its
    sandbox, and a sandbox can hold gigabytes (a large output handed over). A root counts as
    stale when it is ours (same user), its owner record names a process of this PID namespace
    that no longer runs (or whose PID now belongs to a process started later), or, with no
    record at all, when it is older than UNOWNED_GRACE_S. Roots of another PID namespace (a
    container sharing /tmp) or another user are never touched."""
    folder = folder or tempfile.gettempdir()
    now = time.time() if now is None else now
    mine = _process_identity(os.getpid())
    if not mine or len(mine) != 2:
        return []  # no /proc to tell a live owner from a dead one: leave everything
    namespace = mine[1]
    stale = []
    try:
        names = os.listdir(folder)
    except OSError:
        return stale
    for name in names:
        path = os.path.join(folder, name)
        if not name.startswith(PREFIX):
            continue
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not os.path.isdir(path) or os.path.islink(path) or info.st_uid != os.geteuid():
            continue
        try:
            with open(os.path.join(path, OWNER_FILE)) as handle:
                pid_text, start, owner_namespace = handle.read().split()
            pid = int(pid_text)
        except FileNotFoundError:
            if now - info.st_mtime > UNOWNED_GRACE_S:
                stale.append(path)
            continue
        except (OSError, ValueError):
            continue
        if owner_namespace != namespace:
            continue
        identity = _process_identity(pid)
        if identity is None or (len(identity) == 2 and identity[0] != start):
            stale.append(path)
    return stale


def sweep_stale(folder: Optional[str] = None) -> List[str]:
    """Removes the stale sandbox roots (see stale_roots); returns them."""
    removed = stale_roots(folder)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


@functools.lru_cache(maxsize=None)
def _sweep_once() -> None:
    # Once per harness process, beside its work: removing gigabytes must not delay a verdict.
    threading.Thread(target=sweep_stale, name="akg-sandbox-sweep", daemon=True).start()


class Sandbox:
    """One sandbox's folders on disk, and the command and environment that start a process in it.

    root/inbox    task and candidate copies (read-only inside)
    root/scratch  the working folder (HOME, TMPDIR, the current directory)
    root/cache    AKG_CACHE_DIR inside: builds, Triton's cache, rewritten sources
    """

    def __init__(self, device_kind: str = "cpu", limits: Optional[Limits] = None):
        self.report = require()
        self.limits = limits or Limits.for_device(device_kind)
        _sweep_once()
        self.root = tempfile.mkdtemp(prefix=PREFIX)
        _write_owner(self.root)
        self.inbox = os.path.join(self.root, "inbox")
        self.scratch = os.path.join(self.root, "scratch")
        self.cache = os.path.join(self.root, "cache")
        for folder in (
            self.inbox,
            self.scratch,
            self.cache,
            os.path.join(self.scratch, "tmp"),
            os.path.join(self.cache, "build"),
        ):
            os.makedirs(folder, exist_ok=True)
        # Precompiled torch headers built by the trusted side (pch.py), read-only inside; only
        # under bubblewrap, which can make them so.
        self.pch_dir = None
        if self.report and self.report["tool"] == "bwrap" and os.environ.get("AKG_SHARED_PCH", "1") != "0":
            from . import pch

            self.pch_dir = pch.shared_root()
        # Bytecode compiled by the trusted side, where the environment ships none (pycache.py).
        self.pycache_dir = None
        if self.report and self.report["tool"] == "bwrap":
            from . import pycache

            self.pycache_dir = pycache.shared_root()
        self.user = _drop_user() if self.report else None
        if self.pch_dir and self.user and not _readable_by_others(self.pch_dir):
            # Root with the cache in a private home (/root/.cache): the dropped user could not
            # reach the headers and bwrap would refuse the bind. Build without them instead.
            self.pch_dir = None
        if self.pycache_dir and self.user and not _readable_by_others(self.pycache_dir):
            self.pycache_dir = None  # likewise: compiled at each start instead
        # RLIMIT_NPROC does not bind root: a pids cgroup does, where one can be made.
        self.pids = (
            PidsGroup(self.limits.processes)
            if self.report and not self.user and os.geteuid() == 0
            else PidsGroup(None)
        )
        if self.user:
            os.chmod(self.root, 0o755)
            os.chmod(self.inbox, 0o755)
            self.give_to_sandbox(self.scratch)
            self.give_to_sandbox(self.cache)

    @property
    def sandboxed(self) -> bool:
        return self.report is not None

    @property
    def build_dir(self) -> str:
        return os.path.join(self.cache, "build")

    def give_to_sandbox(self, folder: str) -> None:
        """Hands a folder (and what is in it) to the sandbox's user, so it can write there."""
        if not self.user:
            return
        for directory, folders, files in os.walk(folder):
            for name in [directory] + [os.path.join(directory, n) for n in folders + files]:
                os.lchown(name, *self.user)

    def stage(self, path: str, name: str) -> str:
        """Copies a file the sandbox must read into the inbox; returns the path inside."""
        folder = tempfile.mkdtemp(prefix=f"{name}-", dir=self.inbox)
        os.chmod(folder, 0o755)
        target = os.path.join(folder, os.path.basename(path))
        shutil.copyfile(path, target)
        os.chmod(target, 0o644)
        return target

    def environment(self, base: Optional[dict] = None) -> dict:
        """The allow-listed environment, with home, temp and caches inside the sandbox."""
        env = executor_base(base)
        env.update(
            HOME=self.scratch,
            TMPDIR=os.path.join(self.scratch, "tmp"),
            AKG_CACHE_DIR=self.cache,
            TRITON_CACHE_DIR=os.path.join(self.cache, "triton"),
            TORCH_EXTENSIONS_DIR=os.path.join(self.cache, "torch_extensions"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.pop("AKG_PCH", None)  # a sandbox never builds a header another build would read
        env.pop("AKG_PCH_DIR", None)
        if self.pch_dir:
            env["AKG_PCH_DIR"] = self.pch_dir
        env.pop("PYTHONPYCACHEPREFIX", None)
        if self.pycache_dir:
            env["PYTHONPYCACHEPREFIX"] = self.pycache_dir
        return env

    def command(self, argv: List[str], share_network: bool = False) -> List[str]:
        """argv wrapped in the sandbox tool (unchanged when running unsandboxed)."""
        if self.report is None:
            return list(argv)
        if self.report["tool"] == "unshare":
            network = [] if share_network else ["--net"]
            return [
                self.report["path"],
                "--user",
                "--map-root-user",
                "--pid",
                "--fork",
                "--ipc",
                "--mount-proc",
                "--kill-child",
                *network,
                "--",
                *argv,
            ]
        args = [
            self.report["path"],
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/dev/shm",
        ]
        if share_network:
            args.append("--share-net")
        for pattern in DEVICE_PATTERNS:
            for device in sorted(glob.glob(pattern)):
                args += ["--dev-bind", device, device]
        roots = hidden_roots()
        for root in roots:
            # A root inside another is hidden with it; a second tmpfs there would make bwrap create
            # its mount point inside the first, which the dropped user may not (a cache in /root).
            if not any(other != root and _inside(root, other) for other in roots):
                args += ["--tmpfs", root]
        bound = [
            path
            for path in needed_paths()
            if any(_inside(path, root) for root in roots) and not _inside(path, self.root)
        ]
        for path in bound:
            args += ["--ro-bind", path, path]
        for root in nested_hidden_roots(bound):
            args += ["--tmpfs", root]
        if self.pch_dir:
            args += ["--ro-bind", self.pch_dir, self.pch_dir]
        if self.pycache_dir:
            args += ["--ro-bind", self.pycache_dir, self.pycache_dir]
        args += [
            "--bind",
            self.root,
            self.root,
            "--ro-bind",
            self.inbox,
            self.inbox,
            "--chdir",
            self.scratch,
            "--",
        ]
        return args + list(argv)

    def popen_arguments(self) -> dict:
        """Keyword arguments for subprocess.Popen: limits, the dropped user, a new session."""
        limits, pids = self.limits, self.pids

        def before_exec() -> None:
            pids.join()
            limits.apply()

        arguments = {"preexec_fn": before_exec, "start_new_session": True, "cwd": self.scratch}
        arguments.update(_user_arguments(self.user))
        return arguments

    def exit_status(self, code: Optional[int]) -> Optional[int]:
        """bwrap exits with 128 + N when the sandboxed process died of signal N: as Popen
        would say it (-N), so crash verdicts name the signal."""
        if self.report and self.report["tool"] == "bwrap" and code is not None and 128 < code < 128 + 65:
            return -(code - 128)
        return code

    @property
    def process_limit(self) -> str:
        if self.limits.processes is None:
            return "none"
        if self.user or os.geteuid() != 0:
            return "rlimit"
        return "cgroup" if self.pids.path else "not enforced (running as root without a pids cgroup)"

    def close(self) -> None:
        self.pids.close()
        if self.pch_dir:
            from . import pch

            # Requests are read only now, when nothing inside can change them any more.
            pch.serve(self.cache, wait=os.environ.get("AKG_PCH_WAIT") == "1")
        shutil.rmtree(self.root, ignore_errors=True)
