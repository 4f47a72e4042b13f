"""Map compiler diagnostics in generated files (main.cpp, cuda.cu) back to the candidate.

load_inline writes the candidate's source strings into main.cpp / cuda.cu after a
few implicit #include lines; an error at main.cpp:12 means nothing to the author
of candidate.py, so we find each string inside the candidate file and rewrite the
location as candidate.py:LINE.
"""

import os
import re

DIAGNOSTIC = re.compile(
    r"(?P<file>[^\s:()]+\.(?:cpp|cu|cc|cxx|h|cuh))(?::(?P<line>\d+)(?::(?P<col>\d+))?|"
    r"\((?P<nvline>\d+)\))\s*:?\s*(?P<kind>(?:fatal )?error|warning)\b[:\s]*(?P<text>.*)"
)
# Lines load_inline puts before the candidate's strings (unless no_implicit_headers).
IMPLICIT_LINES = {"main.cpp": 1, "cuda.cu": 3}


def locate(text: str, file_lines: list):
    """0-based line in the candidate file where `text`'s first line sits, or None."""
    lines = text.split("\n")
    content = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()]
    if not content:
        return None
    first_index, first = content[0]
    probe = content[:3]
    for number, file_line in enumerate(file_lines):
        if file_line.strip() != first:
            continue
        base = number - first_index
        if all(0 <= base + i < len(file_lines) and file_lines[base + i].strip() == s for i, s in probe):
            return base
    return None


def line_table(pieces: list, implicit: int, file_lines: list) -> list:
    """[(first generated line, last generated line, candidate base line or None)]"""
    table = []
    line = implicit + 1
    for piece in pieces:
        count = piece.count("\n") + 1
        table.append((line, line + count - 1, locate(piece, file_lines)))
        line += count
    return table


def to_candidate_line(table: list, generated_line: int):
    for first, last, base in table:
        if first <= generated_line <= last and base is not None:
            return base + (generated_line - first) + 1
    return None


def format_build_error(
    message: str, module_name: str, arguments: dict, source_texts: list, candidate_path, inline: bool
) -> str:
    file_lines = []
    if candidate_path and os.path.exists(candidate_path):
        with open(candidate_path, encoding="utf-8", errors="replace") as handle:
            file_lines = handle.read().split("\n")
    no_headers = bool(arguments.get("no_implicit_headers"))
    tables = {}
    if inline:
        for generated, key in (("main.cpp", "cpp_sources"), ("cuda.cu", "cuda_sources")):
            pieces = [p for p in (arguments.get(key) or [])]
            tables[generated] = line_table(pieces, 0 if no_headers else IMPLICIT_LINES[generated], file_lines)
    else:
        for path, text in zip(arguments.get("sources") or [], source_texts):
            tables[os.path.basename(path)] = [(1, text.count("\n") + 1, None)]
    where = []
    for match in DIAGNOSTIC.finditer(message):
        if "error" not in match.group("kind"):
            continue
        generated = os.path.basename(match.group("file"))
        line = int(match.group("line") or match.group("nvline"))
        mapped = to_candidate_line(tables.get(generated, []), line)
        place = f"{os.path.basename(candidate_path)}:{mapped}" if mapped else f"{generated}:{line}"
        where.append(f"{place}: error: {match.group('text').strip()}")
        if len(where) >= 10:
            break
    summary = "\n".join(dict.fromkeys(where)) or "the build failed (no compiler diagnostic found)"
    log = message.replace(module_name, "<extension>")
    return f"build of the candidate's extension failed:\n{summary}\n\ncompiler output:\n{log}"
