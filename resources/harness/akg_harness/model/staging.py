"""What crosses the sandbox for a model command, both ways.

The executor sees no home, /tmp or data folder, and writes only in its scratch folder. So
the trusted side copies in what the command reads (the model file or folder, the task
folder, the winning kernels), points the request at the copies, and afterwards copies the
files the command wrote (task files, regions.json, the patch module, reports) back to the
real task folder, with the copies' paths turned back into the real ones.
"""

import json
import os
import shutil
import tempfile

from .extract import tasks_dir_for


class Staging:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.paths = {}  # path inside -> real path
        self.writable = []  # (inside folder, real folder) copied back after the command

    def _folder(self, name: str, writable: bool) -> str:
        base = self.sandbox.scratch if writable else self.sandbox.inbox
        folder = tempfile.mkdtemp(prefix=f"{name}-", dir=base)
        os.chmod(folder, 0o755)
        return folder

    def model(self, path: str) -> str:
        real = os.path.abspath(path)
        if os.path.isdir(real):
            inside = os.path.join(self._folder("model", False), os.path.basename(real))
            shutil.copytree(real, inside, ignore=shutil.ignore_patterns("*.akg-tasks", ".git"))
            _readable(inside)
        elif os.path.isfile(real):
            inside = self.sandbox.stage(real, "model")
        else:
            return real  # the command says "model file not found" with the real path
        self.paths[inside] = real
        return inside

    def kernel(self, path: str) -> str:
        real = os.path.abspath(path)
        if not os.path.isfile(real):
            return real
        inside = self.sandbox.stage(real, "kernel")
        self.paths[inside] = real
        return inside

    def tasks(self, real: str) -> str:
        """A writable copy of the task folder (what exists now: edits are kept)."""
        real = os.path.abspath(real)
        inside = os.path.join(self._folder("tasks", True), os.path.basename(real))
        if os.path.isdir(real):
            shutil.copytree(real, inside)
        else:
            os.makedirs(inside)
        self.sandbox.give_to_sandbox(os.path.dirname(inside))
        self.paths[inside] = real
        self.writable.append((inside, real))
        return inside

    def _outside(self, text: str) -> str:
        # longest first: a task folder's path may extend a model folder's
        for inside in sorted(self.paths, key=len, reverse=True):
            text = text.replace(inside, self.paths[inside])
        return text

    def result(self, result):
        return json.loads(self._outside(json.dumps(result)))

    def copy_back(self) -> None:
        for inside, real in self.writable:
            if not os.path.isdir(inside):
                continue
            os.makedirs(real, exist_ok=True)
            for name in os.listdir(inside):
                source = os.path.join(inside, name)
                if not os.path.isfile(source) or os.path.islink(source):
                    continue
                target = os.path.join(real, name)
                with open(source, errors="surrogateescape") as handle:
                    text = handle.read()
                if name.endswith((".py", ".json")):
                    text = self._outside(text)
                if os.path.isfile(target):
                    with open(target, errors="surrogateescape") as handle:
                        if handle.read() == text:
                            continue
                with open(target, "w", errors="surrogateescape") as handle:
                    handle.write(text)


def _readable(folder: str) -> None:
    for directory, folders, files in os.walk(folder):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)


def stage_request(sandbox, name: str, request: dict):
    """(request with paths inside the sandbox, Staging)."""
    staging = Staging(sandbox)
    request = dict(request)
    real_model = os.path.abspath(request["model"]) if request.get("model") else None
    if real_model:
        request["model"] = staging.model(real_model)
    if name == "extract":
        request["out_dir"] = staging.tasks(request.get("out_dir") or tasks_dir_for(real_model))
    if name in ("apply", "compare"):
        request["tasks_dir"] = staging.tasks(request.get("tasks_dir") or tasks_dir_for(real_model))
        request["kernels"] = {
            task: dict(kernel, path=staging.kernel(kernel["path"]))
            for task, kernel in (request.get("kernels") or {}).items()
        }
    return request, staging
