"""Source-line hot spots: ncu's sampled warp stalls per source line, mapped to the candidate.

`ncu --import R.ncu-rep --csv --page source --print-source cuda,sass` prints each source line
of each profiled kernel (the line info the compiler emitted: the .py file of a Triton kernel,
the generated .cu file of a load_inline module, built with -lineinfo) with its sampled stall
counts, followed by its SASS rows; older ncu versions put the counts on the `cuda` view's rows
(SOURCE_VIEWS). Lines are mapped back to the candidate file by their text: a Triton line keeps
its number (the harness imports a real file), a CUDA string inside the candidate is shifted by
the offset most exact matches agree on. Column names are read by pattern, so the parser holds
across ncu versions that rename "# Samples" / "Warp Stall Sampling (All Samples)"."""

import collections
import csv
import io
import re
import subprocess
import time

SOURCE_FILE = re.compile(r"([\w./\\-]+\.(?:py|cu|cuh|cpp|cc|h|hpp))\b")
STALL_COLUMN = re.compile(r"^(?:smsp__pcsamp_warps_issue_stalled_|stall_)(\w+?)(?:_not_issued)?$")
# The source page's short stall names (ncu 2025: "stall_long_sb", "stall_lg") in the names the
# Warp State metrics and the diagnosis use, so one reason has one name everywhere.
STALL_NAMES = {
    "long_sb": "long_scoreboard",
    "short_sb": "short_scoreboard",
    "lg": "lg_throttle",
    "mio": "mio_throttle",
    "tex": "tex_throttle",
    "math": "math_pipe_throttle",
    "imc": "imc_miss",
    "no_inst": "no_instruction",
    "sleep": "sleeping",
    "dispatch": "dispatch_stall",
}
# Views of the source page, tried in order. ncu 2025 prints per-line metrics only in the
# combined view (each CUDA/Python line with its totals, then its SASS rows without a line
# number); the plain "cuda" view there is the file's text alone. Older versions put the
# samples on the "cuda" view's rows.
SOURCE_VIEWS = ("cuda,sass", "cuda")
# Sampled "stall" reasons that are not stalls: the warp issued.
NOT_STALLS = {"selected", "issued"}
TOP_LINES = 8


def _int(text) -> int:
    try:
        return int(float(str(text).replace(",", "").strip() or 0))
    except ValueError:
        return 0


def _columns(header: list) -> dict:
    lowered = [cell.strip().lower() for cell in header]
    found = {"line": None, "source": None, "samples": None, "stalls": {}}
    for index, name in enumerate(lowered):
        if found["line"] is None and name in ("#", "line", "line no", "line number", "# line"):
            found["line"] = index
        elif found["source"] is None and name == "source":
            found["source"] = index
        elif name.startswith("warp stall sampling (all") or name in ("# samples", "samples"):
            found["samples"] = found["samples"] if found["samples"] is not None else index
        match = STALL_COLUMN.match(header[index].strip())
        if match and not header[index].strip().endswith("_not_issued") and match.group(1) not in NOT_STALLS:
            found["stalls"][index] = STALL_NAMES.get(match.group(1), match.group(1))
    return found


def parse_source_page(text: str) -> list:
    """[{file, line, text, samples, stalls}] for every source row with a line number."""
    rows = []
    columns = None
    current_file = None
    for row in csv.reader(io.StringIO(text)):
        cells = [cell for cell in row if cell.strip()]
        if not cells:
            continue
        if any(cell.strip().lower() == "source" for cell in row):
            columns = _columns(row)
            continue
        if len(cells) <= 2 and SOURCE_FILE.search(" ".join(cells)):
            current_file = SOURCE_FILE.search(" ".join(cells)).group(1)
            continue
        if not columns or columns["source"] is None or columns["source"] >= len(row):
            continue
        line_index = columns["line"]
        number = _int(row[line_index]) if line_index is not None and line_index < len(row) else 0
        if number <= 0:
            continue
        samples = (
            _int(row[columns["samples"]])
            if columns["samples"] is not None and columns["samples"] < len(row)
            else 0
        )
        stalls = {
            reason: _int(row[index])
            for index, reason in columns["stalls"].items()
            if index < len(row) and _int(row[index]) > 0
        }
        if not samples:
            samples = sum(stalls.values())
        rows.append(
            {
                "file": current_file,
                "line": number,
                "text": row[columns["source"]],
                "samples": samples,
                "stalls": stalls,
            }
        )
    return rows


def map_to_candidate(rows: list, candidate_source: str) -> dict:
    """Hot spots on candidate lines: {"lines": [...], "total_samples", "mapped_samples"}."""
    lines = candidate_source.splitlines()
    where = collections.defaultdict(list)
    for number, text in enumerate(lines, start=1):
        if text.strip():
            where[text.strip()].append(number)
    offsets = collections.Counter()
    for row in rows:
        matches = where.get(row["text"].strip(), [])
        if len(matches) == 1:
            offsets[matches[0] - row["line"]] += 1
    offset = offsets.most_common(1)[0][0] if offsets else 0
    merged = {}
    total = sum(row["samples"] for row in rows)
    for row in rows:
        if not row["samples"]:
            continue
        matches = where.get(row["text"].strip(), [])
        target = row["line"] + offset
        if target not in matches:
            target = matches[0] if len(matches) == 1 else None
        if target is None:
            continue
        entry = merged.setdefault(
            target,
            {
                "line": target,
                "text": lines[target - 1].strip(),
                "samples": 0,
                "stalls": collections.Counter(),
            },
        )
        entry["samples"] += row["samples"]
        entry["stalls"].update(row["stalls"])
    mapped = sum(entry["samples"] for entry in merged.values())
    ranked = sorted(merged.values(), key=lambda entry: -entry["samples"])
    result = []
    for entry in ranked:
        stalls = dict(entry["stalls"].most_common())
        top = next(iter(stalls), None)
        result.append(
            {
                "line": entry["line"],
                "text": entry["text"][:160],
                "samples": entry["samples"],
                "share": entry["samples"] / total if total else 0.0,
                "stalls": stalls,
                "top_stall": top,
                "top_stall_share": stalls[top] / entry["samples"] if top and entry["samples"] else None,
            }
        )
    return {"lines": result, "total_samples": total, "mapped_samples": mapped, "offset": offset}


def source_hot_spots(report: str, candidate_path: str, timeout: float) -> dict:
    """Per-line stall samples of a report, mapped to the candidate; {"error"} when unavailable."""
    started = time.monotonic()
    for view in SOURCE_VIEWS:
        try:
            completed = subprocess.run(
                ["ncu", "--import", report, "--csv", "--page", "source", "--print-source", view],
                capture_output=True,
                text=True,
                timeout=max(1.0, timeout - (time.monotonic() - started)),
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return {"error": f"ncu source page: {error}"}
        rows = parse_source_page(completed.stdout)
        if any(row["samples"] for row in rows):
            break
    else:
        what = "no sampled stalls on any line" if rows else "no source lines with line info"
        return {
            "error": f"ncu printed {what} (exit {completed.returncode}): "
            f"{(completed.stdout + completed.stderr)[-400:]}"
        }
    try:
        with open(candidate_path, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
    except OSError as error:
        return {"error": f"cannot read the candidate: {error}"}
    mapped = map_to_candidate(rows, source)
    mapped["lines"] = mapped["lines"][: TOP_LINES * 4]
    from .ncu import raw_copy

    if raw_copy(completed.stdout) is not None:
        mapped["raw_csv"] = raw_copy(completed.stdout)
    return mapped
