#!/usr/bin/env bash
# Where a CUDA-C build's time goes: nvcc's own phase times (--time) for the device file of three
# KernelBench-format candidates, with the host compiler at the candidate's -O (as written) and at
# -O1 (-Xcompiler -O1 appended), side by side, each side in its own empty cache, both at once.
# Trusted candidates, built without the sandbox so nvcc can write its timing file into OUT_DIR.
# Usage: bash bench/gpu/cuda_phases.sh OUT_DIR
set -u
OUT=${1:?usage: bench/gpu/cuda_phases.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.." || exit 1
export PYTHONPATH=$PWD/resources/harness${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
C=resources/harness/bench/candidates
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv; nvcc --version | tail -1; nproc; } > "$OUT/env.txt" 2>&1
export AKG_SANDBOX_TOOL=none AKG_ALLOW_UNSANDBOXED=1  # trusted candidates; nvcc writes --time to OUT
side() {  # name extra-nvcc-flags
  cache=$(mktemp -d /tmp/akg-phases-$1-XXXX)
  NVCC_APPEND_FLAGS="--time $OUT/$1-phases.csv $2" AKG_CACHE_DIR=$cache timeout 200 \
    $PY -m akg_harness precompile --dsl cuda_c --jobs 3 $C/relu_cuda.py $C/sum_cuda.py $C/matmul_tiled_cuda.py \
    > "$OUT/$1.json" 2> "$OUT/$1.log"
  echo "$1 exit $?" >> "$OUT/$1.log"
}
start=$(date +%s)
side as_written "" &
side host_O1 "-Xcompiler -O1" &
wait
echo "both sides: $(( $(date +%s) - start )) s" >> "$OUT/env.txt"
$PY - "$OUT" <<'PYEOF' | tee "$OUT/summary.md"
import csv, json, os, sys
out = sys.argv[1]
print("| candidate | side | cuda.cu s | main.cpp s | total s |")
print("|---|---|---|---|---|")
for side in ("as_written", "host_O1"):
    try:
        report = json.load(open(os.path.join(out, side + ".json")))
    except (OSError, ValueError) as error:
        print(f"| - | {side} | {error} | | |")
        continue
    for item in report.get("candidates", []):
        if not item.get("ok"):
            print(f"| {os.path.basename(item.get('candidate', '?'))} | {side} | failed: {str(item)[:200]} | | |")
        for build in item.get("extensions", []):
            b = build.get("build") or {}
            cs = b.get("compile_seconds", {})
            print(f"| {os.path.basename(item['candidate'])} | {side} | {cs.get('cuda')} | {cs.get('main')} | {b.get('seconds')} |")
print()
print("nvcc phases (ms, summed over the three device files):")
for side in ("as_written", "host_O1"):
    totals = {}
    try:
        rows = list(csv.reader(open(os.path.join(out, side + "-phases.csv"))))
    except OSError as error:
        print(side, error)
        continue
    header = [h.strip() for h in rows[0]] if rows else []
    for row in rows[1:]:
        record = dict(zip(header, [c.strip() for c in row]))
        phase = record.get("phase name") or record.get("phase") or row[0]
        try:
            totals[phase] = totals.get(phase, 0.0) + float(record.get("metric") or row[-1])
        except ValueError:
            pass
    print(side, json.dumps({k: round(v) for k, v in totals.items()}))
    print(side, "header", header[:6])
PYEOF
