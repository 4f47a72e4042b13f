#!/usr/bin/env bash
# A user's model through the app's own front door, with kernels from replayed sessions:
#   1. akg model extract: regions and task files beside the model;
#   2. a scripted cassette per chosen region (a Designer plan and a Coder answer holding the
#      given kernel file: hand-written answers, replayed, not a live model);
#   3. akg bench over those task files with --replay: the agent loop verifies and times each
#      kernel as it would a model's answer;
#   4. akg model compare --from-runs: each region's winner taken from its run, patched back,
#      checked and timed against eager and torch.compile.
# Usage (from the repository root, after npm install and the project venv):
#   bash bench/model_session.sh OUT MODEL.py DEVICE DSL 'label regex=KERNEL.py' ...
#   bash bench/model_session.sh OUT MODEL.py cuda triton --stand-ins   (the GPU stand-in kernels of
#        bench/gpu/model/stand_in_kernels.py, one per extracted task of a kind it knows)
# e.g. bash bench/model_session.sh /tmp/ms resources/harness/tests/fixtures/models/small_transformer.py cpu cpp \
#   '^linear -> relu$=resources/harness/tests/fixtures/candidates/model/enc_linear_relu.py' \
#   '^linear$@head=resources/harness/tests/fixtures/candidates/model/head_linear.py'
# A label regex may name the region's module path after @ (two regions can share a label); a
# region id (r03) names it directly. NODE and AKG_CLI choose the Node binary and the CLI (the
# GPU machine runs the esbuild bundle of bench/gpu/node_carry.sh); PYTHON the harness's Python;
# AKG_EXTRACT_ARGS the extraction's choice of regions (default: --top 20 --at-floor);
# AKG_WINNERS_ARGS=--slower also patches in a winner slower than eager on its task (left out by
# default, with the reason in winners.json).
# Writes OUT/extract.json, OUT/cassettes/, OUT/bench/, OUT/winners.json, OUT/compare.json, OUT/log.txt.
set -uo pipefail
OUT=${1:?usage: bench/model_session.sh OUT MODEL.py DEVICE DSL 'label=KERNEL.py' ...}
MODEL_SOURCE=${2:?model file}
DEVICE=${3:?device}
DSL=${4:?dsl}
shift 4
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
AKG=("${NODE:-node}" "${AKG_CLI:-$ROOT/bin/akg.mjs}")
PY=${PYTHON:-$ROOT/.venv/bin/python}
# The studio's data folder for this session alone: its runs are the ones the winners come from.
export AKG_STUDIO_HOME="$OUT/studio"
LOG="$OUT/log.txt"
: > "$LOG"
step() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$LOG"; }

# The model is copied: its task folder is written beside it, never beside the user's file.
MODEL="$OUT/$(basename "$MODEL_SOURCE")"
cp "$MODEL_SOURCE" "$MODEL"
started=$(date +%s)
step "extract $MODEL on $DEVICE"
# shellcheck disable=SC2086
"${AKG[@]}" model extract "$MODEL" --device "$DEVICE" ${AKG_EXTRACT_ARGS:---top 20 --at-floor} --json > "$OUT/extract.json" 2>> "$LOG" || {
  step "extract failed"
  exit 1
}
step "extract took $(($(date +%s) - started)) s"
if [ "${1:-}" = --stand-ins ]; then
  # rNN=KERNEL@triton for each task a stand-in exists for.
  mapfile -t PAIRS < <("$PY" "$ROOT/bench/gpu/model/stand_in_kernels.py" "${MODEL%.py}.akg-tasks" "$OUT/kernels" 2>> "$LOG" |
    sed -n 's/^--kernel \(r[0-9]*\)=\(.*\)@.*$/\1=\2/p')
  set -- "${PAIRS[@]}"
  step "stand-in kernels for: ${PAIRS[*]%%=*}"
fi

# One cassette per region a kernel was given for, named after its task file.
"$PY" - "$OUT" "$DSL" "$@" <<'PYEOF' >> "$LOG" 2>&1 || exit 1
import json, os, re, sys

out, dsl, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
report = json.load(open(os.path.join(out, "extract.json")))
folder = os.path.join(out, "cassettes")
os.makedirs(folder, exist_ok=True)
chosen = []
for pair in pairs:
    pattern, kernel = pair.rsplit("=", 1)
    label, _, where = pattern.partition("@")
    matches = [
        task
        for task in report["tasks"]
        if task.get("task_path")
        and (
            task["id"] == label
            if re.fullmatch(r"r\d+", label)
            else re.search(label, task["region"]["label"])
            and (not where or any(o["path"] == where for o in task["occurrences"]))
        )
    ]
    if len(matches) != 1:
        sys.exit(f"{pattern}: {len(matches)} written regions match; make the pattern name one")
    task = matches[0]
    code = open(kernel).read()
    # A Coder keeps the task's parameters as the task creates them (same names, same random
    # calls in the same order), so that ModelNew's weights equal Model's under one seed; the
    # kernel file is written for the patch, which loads the model's weights instead. Its
    # ModelNew.__init__ body is replaced by the task's Model.__init__ body. (A ModelNew that
    # subclasses the task's Model, as the GPU stand-ins do, has none and inherits it.)
    init = re.compile(r"(    def __init__\(self[^\n]*\n)(.*?)(?=\n    def forward)", re.S)
    task_text = open(task["task_path"]).read()
    model_init = init.search(task_text[task_text.index("class Model(") :])
    new_at = code.index("class ModelNew(")
    class_end = code.find("\nclass ", new_at + 1)
    mine = init.search(code, new_at, class_end if class_end >= 0 else len(code))
    if mine:
        if not model_init:
            sys.exit(f"{task['task_path']}: cannot find the task's Model.__init__")
        code = code[: mine.start(2)] + model_init.group(2) + code[mine.end(2) :]
    stem = os.path.splitext(os.path.basename(task["task_path"]))[0]

    def call(role, text):
        return {"role": role, "model": "hand-written-replay", "messagesHash": "0" * 64,
                "chunks": [text], "usage": None, "finish": "stop"}

    cassette = {
        "format": "akg-cassette",
        "version": 1,
        "provider": "replay",
        "model": "hand-written-replay",
        "recordedAt": "2026-12-01T00:00:00.000Z",
        "calls": [
            call("designer", f"Plan for {task['region']['label']}: one fused kernel for the region, "
                 "the task's shapes and dtypes, no change of precision.\n"),
            call("coder", "The fused region as one kernel.\n\n```python\n" + code.rstrip() + "\n```\n"),
        ],
    }
    with open(os.path.join(folder, f"{stem}.{dsl}.json"), "w") as handle:
        json.dump(cassette, handle, indent=1)
    chosen.append(task["task_path"])
    print(f"cassette {stem}.{dsl}.json: {task['id']} {task['region']['label']} <- {kernel}")
with open(os.path.join(out, "chosen.txt"), "w") as handle:
    handle.write("\n".join(chosen) + "\n")
PYEOF

started=$(date +%s)
step "bench over $(wc -l < "$OUT/chosen.txt") task(s) with --replay"
mapfile -t TASKS < "$OUT/chosen.txt"
"${AKG[@]}" bench "${TASKS[@]}" --dsl "$DSL" --device "$DEVICE" --workflow single \
  --replay "$OUT/cassettes" --budget candidates=1 --out "$OUT/bench" >> "$LOG" 2>&1
step "bench exit $? in $(($(date +%s) - started)) s"

# shellcheck disable=SC2086
"${AKG[@]}" model winners "$MODEL" --device "$DEVICE" ${AKG_WINNERS_ARGS:-} --json > "$OUT/winners.json" 2>> "$LOG"
# shellcheck disable=SC2086
"${AKG[@]}" model winners "$MODEL" --device "$DEVICE" ${AKG_WINNERS_ARGS:-} >> "$LOG" 2>&1
started=$(date +%s)
step "compare --from-runs"
# shellcheck disable=SC2086
"${AKG[@]}" model compare "$MODEL" --device "$DEVICE" --from-runs ${AKG_WINNERS_ARGS:-} --json > "$OUT/compare.json" 2>> "$LOG"
status=$?
step "compare exit $status in $(($(date +%s) - started)) s"
"$PY" - "$OUT" <<'PYEOF' | tee -a "$LOG"
import json, os, sys

out = sys.argv[1]
report = json.load(open(os.path.join(out, "compare.json")))
print("accepted", report["accepted"], "refused", [r["id"] for r in report["refused"]])
for item in report["refused"]:
    print(f"  refused {item['id']}: {item['reason'][:300]}")
for entry in report.get("sets") or []:
    sides = {k: round(v["median_ms"], 4) for k, v in entry["sides"].items() if v and v.get("median_ms")}
    print("inputs", entry["inputs"], "median ms", sides, "speedups", entry["speedups"])
PYEOF
exit "$status"
