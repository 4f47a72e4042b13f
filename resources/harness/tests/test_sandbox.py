"""The sandbox itself, without torch: what a sandboxed process sees, and what it leaves."""

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import HARNESS, candidate, harness_env, task

from akg_harness import candidate_cache, sandbox
from akg_harness.environment import executor_base


def run_inside(code: str, **environment) -> subprocess.CompletedProcess:
    box = sandbox.Sandbox("cpu")
    try:
        env = box.environment(dict(os.environ, **environment))
        return subprocess.run(
            box.command([sys.executable, "-c", code]),
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            **box.popen_arguments(),
        )
    finally:
        box.close()


def test_the_executor_environment_keeps_toolchains_and_drops_secrets():
    base = {
        "PATH": "/usr/bin",
        "OPENAI_API_KEY": "sk-1",
        "AKG_TOKEN": "t",
        "HF_TOKEN": "h",
        "AKG_STUDIO_HOME": "/data",
        "TORCH_CUDA_ARCH_LIST": "9.0a",
        "TRITON_CACHE_DIR": "/c",
        "CUDA_VISIBLE_DEVICES": "1",
        "TRITON_API_KEY": "x",
        "OMP_NUM_THREADS": "4",
    }
    assert executor_base(base) == {
        "PATH": "/usr/bin",
        "TORCH_CUDA_ARCH_LIST": "9.0a",
        "TRITON_CACHE_DIR": "/c",
        "CUDA_VISIBLE_DEVICES": "1",
        "OMP_NUM_THREADS": "4",
    }


def test_a_sandboxed_process_sees_no_home_no_network_and_writes_only_its_scratch(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    code = f"""
import json, os, socket
seen = {{"home": os.path.exists({str(os.path.expanduser("~"))!r} + "/.bashrc"),
        "secret": os.path.exists({str(secret)!r}), "cwd": os.getcwd()}}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2); seen["network"] = True
except OSError:
    seen["network"] = False
for path in ({str(HARNESS / "written.txt")!r}, "/usr/written.txt"):
    try:
        open(path, "w").write("x"); seen[path] = True
    except OSError:
        seen[path] = False
open("scratch.txt", "w").write("fine")
print(json.dumps(seen))
"""
    completed = run_inside(code)
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert seen["secret"] is False and seen["network"] is False and seen["home"] is False
    assert not any(value for key, value in seen.items() if key.startswith("/")), seen
    assert seen["cwd"].endswith("scratch")
    assert not (HARNESS / "written.txt").exists()


def test_a_double_forked_daemon_dies_with_the_sandbox():
    marker = f"{time.time() % 1000:.4f}"
    box = sandbox.Sandbox("cpu")
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv('/bin/sleep', ['sleep', '{marker}'])\n"
        "    os._exit(0)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        box.command([sys.executable, "-c", code]), env=box.environment(), **box.popen_arguments()
    )

    def alive() -> bool:
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker.encode() in handle.read():
                        return True
            except OSError:
                continue
        return False

    try:
        deadline = time.monotonic() + 20
        while not alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(), "the daemon never started"
        os.killpg(process.pid, 9)  # what the supervisor does on a timeout
        process.wait()
        deadline = time.monotonic() + 5
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(), "the daemon outlived its sandbox"
    finally:
        box.close()


def test_without_a_sandbox_evaluation_is_refused_naming_what_to_install(tmp_path):
    env = dict(harness_env(), AKG_SANDBOX_TOOL="none")
    env.pop("AKG_ALLOW_UNSANDBOXED", None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "akg_harness",
            "evaluate",
            "--task",
            task("vector_add"),
            "--candidate",
            candidate("triton", "add_correct"),
            "--dsl",
            "triton",
            "--out",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(HARNESS),
    )
    assert completed.returncode == 2
    assert "SANDBOX_UNAVAILABLE" in completed.stderr and "bubblewrap" in completed.stderr
    assert "AKG_ALLOW_UNSANDBOXED=1" in completed.stderr
    assert not (tmp_path / "r.json").exists()


def test_detect_reports_the_sandbox():
    completed = subprocess.run(
        [sys.executable, "-m", "akg_harness", "detect", "--no-measure"],
        capture_output=True,
        text=True,
        timeout=300,
        env=harness_env(),
        cwd=str(HARNESS),
    )
    report = json.loads(completed.stdout)
    assert report["sandbox"]["available"] is True and report["sandbox"]["tool"] == "bwrap"
    assert report["sandbox"]["process_limit"] in ("rlimit", "cgroup")


def test_a_build_written_by_one_candidate_never_reaches_another(tmp_path):
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text("# first\n")
    second.write_text("# second\n")
    box = sandbox.Sandbox("cpu")
    try:
        poisoned = os.path.join(box.build_dir, "akg_ext_shared")
        os.makedirs(poisoned)
        with open(os.path.join(poisoned, "akg_ext_shared.so"), "w") as handle:
            handle.write("poison")
        os.symlink("/etc/hostname", os.path.join(poisoned, "link.so"))
        assert candidate_cache.promote(box, str(first), str(tmp_path / "builds")) == 1
    finally:
        box.close()
    other = sandbox.Sandbox("cpu")
    try:
        assert candidate_cache.seed(other, str(second), str(tmp_path / "builds")) == 0
        assert candidate_cache.seed(other, str(first), str(tmp_path / "builds")) == 1
        assert not os.path.exists(os.path.join(other.build_dir, "akg_ext_shared", "link.so"))
    finally:
        other.close()


def test_a_triton_kernel_compiled_in_one_sandbox_is_a_cache_hit_in_the_next(tmp_path, monkeypatch):
    """Triton's group file names its members by absolute path; copied as it is, every later
    sandbox of the same candidate missed and compiled every kernel again. Looked up here with
    Triton's own cache manager, as the executor does."""
    from triton.runtime.cache import FileCacheManager

    candidate = tmp_path / "kernel.py"
    candidate.write_text("# a Triton candidate\n")
    builds = str(tmp_path / "builds")
    key = "K" * 32

    def manager(box):
        monkeypatch.setenv("TRITON_CACHE_DIR", os.path.join(box.cache, "triton"))
        return FileCacheManager(key)

    box = sandbox.Sandbox("cpu")
    try:
        cache = manager(box)
        members = {name: cache.put(b"compiled " + name.encode(), name) for name in ("add.cubin", "add.json")}
        cache.put_group("add.json", members)
        assert manager(box).get_group("add.json") is not None
        assert candidate_cache.promote(box, str(candidate), builds) == 3
    finally:
        box.close()
    other = sandbox.Sandbox("cpu")
    try:
        assert candidate_cache.seed(other, str(candidate), builds) == 3
        group = manager(other).get_group("add.json")
        assert group is not None, "a miss: the kernel would compile again"
        assert all(path.startswith(other.cache + os.sep) for path in group.values())
        with open(group["add.cubin"], "rb") as handle:
            assert handle.read() == b"compiled add.cubin"
    finally:
        other.close()


def test_a_forged_triton_group_cannot_point_outside_its_folder(tmp_path):
    candidate = tmp_path / "kernel.py"
    candidate.write_text("# a Triton candidate\n")
    builds = str(tmp_path / "builds")
    box = sandbox.Sandbox("cpu")
    try:
        folder = os.path.join(box.cache, "triton", "K" * 32)
        os.makedirs(folder)
        with open(os.path.join(folder, "__grp__add.json"), "w") as handle:
            json.dump({"child_paths": {"add.cubin": "/etc/shadow", "../x": "/etc/passwd"}}, handle)
        with open(os.path.join(folder, "__grp__two.json"), "w") as handle:
            json.dump({"child_paths": {"two.cubin": "/etc/../etc/hostname"}}, handle)
        candidate_cache.promote(box, str(candidate), builds)
    finally:
        box.close()
    stored = os.path.join(candidate_cache.shared_folder(str(candidate), builds), "triton", "K" * 32)
    assert not os.path.exists(os.path.join(stored, "__grp__add.json"))  # a member name with a path
    with open(os.path.join(stored, "__grp__two.json")) as handle:
        assert json.load(handle)["child_paths"] == {"two.cubin": os.path.join(stored, "hostname")}


@pytest.mark.parametrize("value", ["abc"])
def test_a_bad_limit_says_which_setting(monkeypatch, value):
    monkeypatch.setenv("AKG_SANDBOX_PROCESSES", value)
    with pytest.raises(ValueError, match="AKG_SANDBOX_PROCESSES"):
        sandbox.Limits.for_device("cpu")


def test_a_cache_inside_the_repository_stays_hidden_when_the_repository_is_bound_back(tmp_path, monkeypatch):
    # A clone under a hidden folder (temp, home) with the cache inside it: the harness is bound
    # back so the executor can import it, and the cache inside is hidden again after the bind.
    repo = tmp_path / "clone"
    harness = repo / "resources" / "harness"
    cache = harness / ".cache"
    cache.mkdir(parents=True)
    monkeypatch.setattr(sandbox, "hidden_roots", lambda: [str(tmp_path), str(cache)])
    monkeypatch.setattr(sandbox, "HARNESS_ROOT", str(harness))
    assert str(harness) in sandbox.needed_paths()
    assert sandbox.nested_hidden_roots([str(harness)]) == [str(cache)]
    # Neither a hidden folder itself nor one above it is ever bound back.
    monkeypatch.setattr(sandbox, "HARNESS_ROOT", str(tmp_path))
    assert str(tmp_path) not in sandbox.needed_paths()
    monkeypatch.setattr(sandbox, "HARNESS_ROOT", str(cache))
    assert str(cache) not in sandbox.needed_paths()


def test_root_with_a_private_cache_still_runs_candidates(tmp_path, monkeypatch):
    # Root with the cache in a home only root can enter (/root/.cache): the user the sandbox
    # drops to cannot reach the shared precompiled headers, so they are not bound (bwrap would
    # refuse the bind and fail every candidate) and builds go on without them.
    if os.geteuid() != 0 or sandbox.sandbox_user() is None:
        pytest.skip("needs root and a user to drop to")
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("AKG_CACHE_DIR", str(private / "cache"))
    # This machine's Python may itself live in a private home: drop regardless, run a system binary.
    monkeypatch.setattr(sandbox, "_drop_user", sandbox.sandbox_user)
    monkeypatch.setattr(sandbox, "needed_paths", lambda: [])
    box = sandbox.Sandbox("cpu")
    try:
        if not box.report or box.report["tool"] != "bwrap":
            pytest.skip("needs bubblewrap")
        assert box.user and box.pch_dir is None
        completed = subprocess.run(
            box.command(["/bin/echo", "ran"]),
            capture_output=True,
            text=True,
            timeout=60,
            env=box.environment(dict(os.environ)),
            **box.popen_arguments(),
        )
    finally:
        box.close()
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ran"


def test_bytecode_compiled_by_the_trusted_side_serves_sandboxes_where_the_environment_has_none(
    tmp_path, monkeypatch
):
    # An environment installed without bytecode made every sandboxed executor compile torch
    # from source at its start (9-13 s on an H200 host). The trusted side compiles once into
    # its cache; sandboxes read it (read-only) and compile nothing they import at start.
    from akg_harness import pycache

    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pycache, "missing_bytecode", lambda: True)
    pycache.shared_root.cache_clear()
    try:
        box = sandbox.Sandbox("cpu")
        try:
            if not box.report or box.report["tool"] != "bwrap":
                pytest.skip("needs bubblewrap")
            if box.pycache_dir is None:  # root dropping to a user who cannot read tmp_path
                pytest.skip("the cache is not readable by the sandbox's user")
            root = box.pycache_dir
            assert os.path.exists(os.path.join(root, pycache.MARKER))
            code = (
                "import sys, torch, akg_harness.pipeline\n"
                "print(torch.__cached__)\n"
                "open(torch.__cached__ + '.planted', 'w')\n"
            )
            env = box.environment(harness_env())
            completed = subprocess.run(
                box.command([sys.executable, "-c", code]),
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
                **box.popen_arguments(),
            )
        finally:
            box.close()
        cached = completed.stdout.strip().splitlines()[0] if completed.stdout.strip() else ""
        assert cached.startswith(root) and os.path.exists(cached), (completed.stdout, completed.stderr)
        # read-only inside: a candidate cannot plant bytecode for the next executor
        assert "Read-only file system" in completed.stderr or "Permission denied" in completed.stderr
        assert not os.path.exists(cached + ".planted")
        assert env["PYTHONPYCACHEPREFIX"] == root
    finally:
        pycache.shared_root.cache_clear()


def test_sandboxes_of_killed_harness_processes_are_swept_and_live_ones_kept(tmp_path):
    # A harness killed with SIGKILL leaves its sandbox root behind: the next one removes it.
    def root(name, owner=None, age_s=0.0):
        path = tmp_path / f"{sandbox.PREFIX}{name}"
        (path / "scratch").mkdir(parents=True)
        (path / "scratch" / "output.bin").write_bytes(b"\0" * 1024)
        if owner is not None:
            (path / sandbox.OWNER_FILE).write_text(owner)
        stamp = time.time() - age_s
        os.utime(path, (stamp, stamp))
        return path

    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    start, namespace = sandbox._process_identity(killed.pid)
    killed.kill()
    killed.wait()
    mine = sandbox._process_identity(os.getpid())
    dead = root("dead", f"{killed.pid} {start} {namespace}\n")
    reused = root("reused", f"{os.getpid()} 1 {mine[1]}\n")  # this PID, an earlier process
    alive = root("alive", f"{os.getpid()} {mine[0]} {mine[1]}\n")
    other_namespace = root("container", f"{killed.pid} {start} pid:[1]\n")
    unowned_old = root("old", age_s=sandbox.UNOWNED_GRACE_S + 60)
    unowned_new = root("new")
    unrelated = tmp_path / "akg-other-dead"
    unrelated.mkdir()

    removed = sandbox.sweep_stale(str(tmp_path))
    assert sorted(removed) == sorted(str(p) for p in (dead, reused, unowned_old))
    for path in (dead, reused, unowned_old):
        assert not path.exists()
    for path in (alive, other_namespace, unowned_new, unrelated):
        assert path.exists()


def test_a_sandbox_records_its_owner():
    box = sandbox.Sandbox("cpu")
    try:
        pid, start, namespace = open(os.path.join(box.root, sandbox.OWNER_FILE)).read().split()
        assert int(pid) == os.getpid() and (start, namespace) == sandbox._process_identity(os.getpid())
        assert box.root not in sandbox.stale_roots(os.path.dirname(box.root))
    finally:
        box.close()
