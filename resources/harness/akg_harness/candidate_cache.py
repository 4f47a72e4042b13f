"""Builds a sandboxed process may reuse, and how they get there.

A candidate's process must not write a cache another candidate reads: a build written
under another candidate's key (or a Triton kernel under another kernel's hash) would run
as that candidate. So the shared cache is invisible inside the sandbox. Each sandbox
builds into its own `cache/build` and `cache/triton`; before a candidate runs, the
trusted side copies in what earlier evaluations of the byte-identical candidate file
built, and after the verdict it copies back only what is new, into that same file's
folder (first write wins, nothing is overwritten). Whatever a candidate writes there can
only ever be loaded by the same candidate file again, which runs the same code anyway.
Only the files an import needs travel: the marker, the failure record and the library.

Layout: <build cache>/by-candidate/<sha256 of the file>/{build,triton}/...
Cost: identical extension sources in two different candidate files build twice.
"""

import json
import os
import shutil
import stat

from .cache import cache_dir, file_digest

# The files the extension hook reads to import a finished build or answer a failed one.
BUILD_FILES = ("akg-build.json", "akg-build-error.json")
# A built extension is megabytes; anything far bigger is not a build worth keeping.
MAX_FILE_BYTES = 512 << 20
# Triton's group files (`__grp__<kernel>.json`): which files make one compiled kernel.
GROUP_PREFIX = "__grp__"
MAX_GROUP_BYTES = 1 << 16


def shared_folder(candidate: str, build_dir=None) -> str:
    return os.path.join(cache_dir("build", build_dir=build_dir), "by-candidate", file_digest(candidate)[:32])


def _wanted(name: str, kind: str) -> bool:
    if kind == "triton":
        return True
    return name in BUILD_FILES or name.endswith(".so")


def _copy_new(source_root: str, target_root: str, kind: str) -> int:
    """Copies entries of source_root missing in target_root; returns how many files."""
    copied = 0
    if not os.path.isdir(source_root):
        return 0
    for directory, _, files in os.walk(source_root):
        relative = os.path.relpath(directory, source_root)
        for name in files:
            if not _wanted(name, kind) or name.endswith(".lock"):
                continue
            source = os.path.join(directory, name)
            target = os.path.normpath(os.path.join(target_root, relative, name))
            if os.path.exists(target) or not _inside(os.path.realpath(source), source_root):
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if kind == "triton" and name.startswith(GROUP_PREFIX):
                copied += _copy_group(source, target)
            elif _copy_plain_file(source, target):
                copied += 1
    return copied


def _copy_group(source: str, target: str) -> int:
    """Triton's group file names its members by absolute path, and a group whose members are
    not all there is a miss (the kernel compiles again): written where the sandbox that built
    it lived, it would never hit anywhere else. The copy names the members beside itself;
    only their file names are taken from the (untrusted) original."""
    try:
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_GROUP_BYTES:
                return 0
            data = json.loads(handle.read())
        members = data["child_paths"]
        if not isinstance(members, dict):
            return 0
        folder = os.path.dirname(target)
        rewritten = {}
        for member, path in members.items():
            name = os.path.basename(str(path))
            if not isinstance(member, str) or not name or name.startswith(".") or os.sep in member:
                return 0
            rewritten[member] = os.path.join(folder, name)
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    temporary = f"{target}.tmp{os.getpid()}"
    with open(temporary, "w") as out:
        json.dump({"child_paths": rewritten}, out)
    os.replace(temporary, target)
    return 1


def _inside(path: str, root: str) -> bool:
    return path.startswith(os.path.realpath(root) + os.sep)


def _copy_plain_file(source: str, target: str) -> bool:
    """Copies a regular file, never through a link (the writer of `source` is not trusted)."""
    try:
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return False
        temporary = f"{target}.tmp{os.getpid()}"
        with open(temporary, "wb") as out:
            shutil.copyfileobj(handle, out)
    os.replace(temporary, target)
    return True


def seed(sandbox, candidate: str, build_dir=None) -> int:
    """Copies the candidate's earlier builds into the sandbox before it runs."""
    folder = shared_folder(candidate, build_dir)
    copied = _copy_new(os.path.join(folder, "build"), sandbox.build_dir, "build")
    copied += _copy_new(os.path.join(folder, "triton"), os.path.join(sandbox.cache, "triton"), "triton")
    if copied:
        sandbox.give_to_sandbox(sandbox.cache)
    return copied


def promote(sandbox, candidate: str, build_dir=None) -> int:
    """After the verdict: keeps what the sandbox built, for this candidate file only."""
    folder = shared_folder(candidate, build_dir)
    copied = _copy_new(sandbox.build_dir, os.path.join(folder, "build"), "build")
    copied += _copy_new(os.path.join(sandbox.cache, "triton"), os.path.join(folder, "triton"), "triton")
    return copied
