"""Markdown summary of the model benchmark's JSON reports (usage: summarise.py OUT_DIR)."""

import json
import os
import sys


def load(path):
    with open(path) as handle:
        return json.load(handle)


def main(out: str) -> None:
    lines = ["# Model benchmark", ""]
    for name in ("resnet50", "transformer_block"):
        extract_path = os.path.join(out, f"{name}.extract.json")
        compare_path = os.path.join(out, f"{name}.compare.json")
        if not os.path.isfile(extract_path):
            lines += [f"## {name}: no extraction report (see {name}.log)", ""]
            continue
        report = load(extract_path)
        durations = report["durations"]
        lines += [
            f"## {name} on {report['device']['name']}",
            "",
            f"- eager profile: {report['eager']['total_ms']:.3f} ms per forward "
            f"({report['eager']['time_basis']}); graph: {report['capture']['method']}",
            f"- extraction: {durations['total']:.1f} s in all (load {durations['load']:.1f}, "
            f"profile {durations['profile']:.1f}, capture {durations['capture']:.1f}, "
            f"regions {durations['regions']:.1f})",
            "",
            "| region | chain | where | ms | floor ms | could save | share |",
            "|---|---|---|---|---|---|---|",
        ]
        for task in report["tasks"][:10]:
            where = ", ".join(sorted({o["path"] or "(model)" for o in task["occurrences"]}))
            lines.append(
                f"| {task['id']} | {task['region']['label']} | {where[:60]} | "
                f"{task['time_ms']:.4f} | {task['floor_ms']:.4f} | "
                f"{task['savings_ms']:.4f} | {100 * task['share']:.1f}% |"
            )
        lines.append("")
        if not os.path.isfile(compare_path):
            lines += [f"no A/B report (see {name}.log)", ""]
            continue
        compare = load(compare_path)
        lines += [
            f"- patch: {len(compare['accepted'])} accepted "
            f"({', '.join(compare['accepted'])}), {len(compare['refused'])} refused, "
            f"{compare['mode']} mode; regions held "
            f"{100 * (compare.get('region_share') or 0):.1f}% of the profiled time",
            "",
        ]
        for item in compare["refused"]:
            lines.append(f"  - refused {item['id']}: {item['reason'][:200]}")
        for entry in compare.get("sets", []):
            lines += [
                "",
                f"inputs {entry['inputs']} (batch {entry['batch']})",
                "",
                "| side | median ms | IQR ms | items/s | first call s |",
                "|---|---|---|---|---|",
            ]
            for side, stats in entry["sides"].items():
                if "error" in stats:
                    lines.append(f"| {side} | error: {stats['error'][:80]} | | | |")
                    continue
                lines.append(
                    f"| {side} | {stats['median_ms']:.4f} | {stats['iqr_ms']:.4f} | "
                    f"{stats.get('items_per_s', 0):.1f} | {stats['first_call_s']:.1f} |"
                )
            lines += [
                "",
                "speedups: " + ", ".join(f"{k} {v:.3f}x" for k, v in entry["speedups"].items() if v),
            ]
        lines.append("")
    with open(os.path.join(out, "summary.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1])
