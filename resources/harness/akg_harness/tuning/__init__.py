"""Apply a tuner configuration (the ``params`` of an evaluate request) to a candidate's source.

The convention is the tuner's (docs/tuner.md) and mirrors agents/tuner/space.ts line for line;
main/host/tuner/apply-parity.test.ts checks that both produce the same text:

    BLOCK_SIZE = 1024  # akg:tune [256, 512, 1024]       Python assignment (Triton launch options)
    #define TILE 32  // akg:tune [16, 32, 64]              C/C++/CUDA macro, also inside a Python string
    @triton.autotune(configs=[triton.Config(...), ...])   configs list, pinned to the chosen one

``apply_params(source, params)`` returns the source with each named tunable set to its value.
A name the candidate does not declare raises ``TunableError``: a typo must never be measured
as if it had been applied.
"""

from __future__ import annotations

import json
import re

__all__ = ["TunableError", "apply_params", "declared_names"]

PYTHON_TUNABLE = re.compile(r"^(\s*)([A-Za-z_]\w*)(\s*(?::\s*[\w.\[\], ]+)?=\s*)(.+?)(\s*#\s*akg:tune\s*)(\S.*?)\s*$")
C_TUNABLE = re.compile(r"^(\s*#\s*define\s+)([A-Za-z_]\w*)(\s+)(.+?)(\s*//\s*akg:tune\s*)(\S.*?)\s*$")
AUTOTUNE = re.compile(r"@(?:triton\.)?autotune\s*\(")
CONFIGS = re.compile(r"configs\s*=\s*\[")
CONFIG_CALL = re.compile(r"^([A-Za-z_][\w.]*Config)\s*\(([\s\S]*)\)$")
CONFIG_KEYWORDS = ("num_warps", "num_stages", "num_ctas", "maxnreg")


class TunableError(ValueError):
    """The params do not fit the candidate's declared tunables."""


def _match_bracket(text: str, open_index: int) -> int:
    depth = 0
    quote = None
    index = open_index
    while index < len(text):
        character = text[index]
        if quote:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = None
        elif character in "\"'":
            quote = character
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _split_top_level(text: str, separator: str) -> list[str]:
    parts, depth, quote, start, index = [], 0, None, 0, 0
    while index < len(text):
        character = text[index]
        if quote:
            if character == "\\":
                index += 1
            elif character == quote:
                quote = None
        elif character in "\"'":
            quote = character
        elif character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
        elif character == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _number_text(value: float | int) -> str:
    # The TypeScript side writes numbers with String(); integral floats come out without ".0" there.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def python_literal(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return json.dumps(value)


def c_literal(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return _number_text(value)
    return str(value)


def _autotune_block(source: str):
    decorator = AUTOTUNE.search(source)
    if not decorator:
        return None
    call_open = decorator.end() - 1
    call_end = _match_bracket(source, call_open)
    configs = CONFIGS.search(source, call_open, call_end if call_end > 0 else len(source))
    if call_end < 0 or not configs:
        return None
    start = configs.end() - 1
    end = _match_bracket(source, start)
    items = _split_top_level(source[start + 1 : end - 1], ",")
    names: list[str] = []
    config_name = "triton.Config"
    first: dict[str, str] = {}
    for position, item in enumerate(items):
        call = CONFIG_CALL.match(item)
        if not call:
            return None
        config_name = call.group(1)
        for argument in _split_top_level(call.group(2), ","):
            if argument.startswith("{"):
                for pair in _split_top_level(argument[1:-1], ","):
                    key, _, value = pair.partition(":")
                    name = key.strip().strip("\"'")
                    if name not in names:
                        names.append(name)
                    if position == 0:
                        first[name] = value.strip()
            else:
                keyword, _, value = argument.partition("=")
                keyword = keyword.strip()
                if keyword not in names:
                    names.append(keyword)
                if position == 0:
                    first[keyword] = value.strip()
    return start, end, config_name, names, first


def declared_names(source: str) -> list[str]:
    """The tunables the candidate declares, in source order (autotune config names last)."""
    names = []
    for line in source.split("\n"):
        match = PYTHON_TUNABLE.match(line) or C_TUNABLE.match(line)
        if match:
            names.append(match.group(2))
    block = _autotune_block(source)
    if block:
        names.extend(block[3])
    return names


def apply_params(source: str, params: dict | None) -> str:
    """The candidate source with ``params`` written into its declared tunables."""
    if not params:
        return source
    known = set(declared_names(source))
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise TunableError(f"the candidate declares no tunable named {', '.join(unknown)}")
    text = source
    block = _autotune_block(text)
    if block:
        start, end, config_name, names, first = block
        chosen = {name: (python_literal(params[name]) if name in params else first.get(name, "None")) for name in names}
        dictionary = ", ".join(f"{json.dumps(name)}: {value}" for name, value in chosen.items() if name not in CONFIG_KEYWORDS)
        keywords = "".join(f", {name}={value}" for name, value in chosen.items() if name in CONFIG_KEYWORDS)
        text = f"{text[:start]}[{config_name}({{{dictionary}}}{keywords})]{text[end:]}"
    lines = []
    for line in text.split("\n"):
        python = PYTHON_TUNABLE.match(line)
        if python and python.group(2) in params:
            groups = python.groups()
            line = f"{groups[0]}{groups[1]}{groups[2]}{python_literal(params[groups[1]])}{groups[4]}{groups[5]}"
        elif not python:
            c = C_TUNABLE.match(line)
            if c and c.group(2) in params:
                groups = c.groups()
                line = f"{groups[0]}{groups[1]}{groups[2]}{c_literal(params[groups[1]])}{groups[4]}{groups[5]}"
        lines.append(line)
    return "\n".join(lines)


def main() -> int:
    """``python -m akg_harness.tuning`` reads {"source", "params"} JSON on stdin and prints the applied source."""
    import sys

    request = json.load(sys.stdin)
    try:
        sys.stdout.write(apply_params(request["source"], request.get("params")))
    except TunableError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    return 0
