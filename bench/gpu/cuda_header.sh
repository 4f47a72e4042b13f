#!/usr/bin/env bash
# CUDA-C build time with the device file compiled as written (torch/extension.h) against
# torch/types.h in its place (fastbuild's default), three KernelBench-format candidates, each side
# in its own empty cache, both sides at once. Usage: bash bench/gpu/cuda_header.sh OUT_DIR
set -u
OUT=${1:?usage: bench/gpu/cuda_header.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.." || exit 1
export PYTHONPATH=$PWD/resources/harness${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
C=resources/harness/bench/candidates
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv; nvcc --version | tail -1; nproc; } > "$OUT/env.txt" 2>&1
side() {  # name light
  AKG_LIGHT_CUDA_HEADER=$2 AKG_CACHE_DIR=$(mktemp -d /tmp/akg-hdr-$1-XXXX) timeout 200 \
    $PY -m akg_harness precompile --dsl cuda_c --jobs 3 $C/relu_cuda.py $C/sum_cuda.py $C/matmul_tiled_cuda.py \
    > "$OUT/$1.json" 2> "$OUT/$1.log"
  echo "$1 exit $?" >> "$OUT/$1.log"
}
start=$(date +%s)
side as_written 0 &
side light 1 &
wait
echo "both sides: $(( $(date +%s) - start )) s" >> "$OUT/env.txt"
$PY - "$OUT" <<'PYEOF' | tee "$OUT/summary.md"
import json, os, sys
out = sys.argv[1]
print("| candidate | side | cuda.cu s | main.cpp s | total s | header |")
print("|---|---|---|---|---|---|")
for side in ("as_written", "light"):
    try:
        report = json.load(open(os.path.join(out, side + ".json")))
    except (OSError, ValueError) as error:
        print(f"| - | {side} | {error} | | | |")
        continue
    for item in report.get("candidates", []):
        if not item.get("ok"):
            print(f"| {os.path.basename(item.get('candidate', '?'))} | {side} | failed: {str(item)[:200]} | | | |")
        for build in item.get("extensions", []):
            b = build.get("build") or {}
            cs = b.get("compile_seconds", {})
            print(f"| {os.path.basename(item['candidate'])} | {side} | {cs.get('cuda')} | {cs.get('main')} | "
                  f"{b.get('seconds')} | {b.get('cuda_header', '-')} |")
PYEOF
