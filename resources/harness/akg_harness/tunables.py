"""Tunable overrides (`params`): how a tuner changes a candidate without editing it.

A param NAME=VALUE is applied in every way that fits the candidate:
  constant      a top-level `NAME = <literal>` in the candidate module gets VALUE
                (the rewritten module is written to the cache, so Triton sees real source);
  macro         cpp/cuda_c builds get `-DNAME=VALUE` (write `#ifndef NAME / #define NAME ...`);
  launch_option Triton launches get `num_warps`, `num_stages`, `maxnreg` overridden.
The candidate can also read the JSON in the AKG_TUNE_PARAMS environment variable.
A candidate may declare its search space as `TUNABLES = {"NAME": [values...]}`.
"""

import ast
import json
import os
import re

from .cache import cache_dir, digest

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LAUNCH_OPTIONS = ("num_warps", "num_stages", "maxnreg", "num_ctas")


class Tunables:
    def __init__(self, params):
        self.params = dict(params or {})
        self.applied = {name: [] for name in self.params}

    def __bool__(self):
        return bool(self.params)

    def mark(self, name: str, how: str) -> None:
        if name in self.applied and how not in self.applied[name]:
            self.applied[name].append(how)

    def macro_flags(self) -> list:
        flags = []
        for name, value in sorted(self.params.items()):
            if IDENTIFIER.match(name) and name not in LAUNCH_OPTIONS:
                if isinstance(value, bool):
                    value = int(value)
                flags.append(f"-D{name}={value}")
        return flags

    def mark_macros_used(self, sources: str) -> None:
        for name in self.params:
            if IDENTIFIER.match(name) and re.search(rf"\b{re.escape(name)}\b", sources):
                self.mark(name, "macro")

    def launch_overrides(self) -> dict:
        return {name: value for name, value in self.params.items() if name in LAUNCH_OPTIONS}

    def environment(self) -> dict:
        return {"AKG_TUNE_PARAMS": json.dumps(self.params)} if self.params else {}

    def report(self, declared=None) -> dict:
        unused = sorted(name for name, ways in self.applied.items() if not ways)
        return {"requested": self.params, "applied": self.applied, "unused": unused, "declared": declared}


def rewrite_constants(path: str, tunables: Tunables) -> str:
    """Path of the candidate with its top-level constants overridden (or `path` itself)."""
    if not tunables:
        return path
    with open(path) as handle:
        source = handle.read()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return path  # the import reports the syntax error with the original file's lines
    lines = source.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        )
        for target in targets:
            if isinstance(target, ast.Name) and target.id in tunables.params:
                edits.append((node.value, tunables.params[target.id]))
                tunables.mark(target.id, "constant")
    if not edits:
        return path
    for value_node, new_value in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        start, end = value_node.lineno - 1, value_node.end_lineno - 1
        head = lines[start][: value_node.col_offset]
        tail = lines[end][value_node.end_col_offset :]
        # Keep the line count so tracebacks still point at the original lines.
        lines[start : end + 1] = [head + repr(new_value) + "\n" * (end - start) + tail]
    rewritten = "".join(lines)
    stem = os.path.splitext(os.path.basename(path))[0]
    target = os.path.join(cache_dir("sources"), f"{stem}_{digest(rewritten)[:16]}.py")
    if not os.path.exists(target):
        with open(target + ".tmp", "w") as handle:
            handle.write(rewritten)
        os.replace(target + ".tmp", target)
    return target


def declared_tunables(path: str):
    """The candidate's `TUNABLES = {...}` literal, read without running it (None if absent)."""
    try:
        with open(path) as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError):
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "TUNABLES" for t in node.targets
        ):
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None
