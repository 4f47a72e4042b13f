#!/usr/bin/env bash
# Verification cost on the GPU machine (docs/benchmarks/verification.md):
#   bash bench/gpu/verification.sh OUT_DIR
# CUDA-C builds before/after, 20-candidate CUDA-C and Triton searches, the first candidate of
# a task in a warm worker, and tuner time per evaluation (full vs search protocol).
# Needs python3 with torch (CUDA) and triton, nvcc, ninja; about 4-5 minutes.
set -u
OUT=${1:-/tmp/akg-verification}
mkdir -p "$OUT"
cd "$(dirname "$0")/../.." || exit 1
export PYTHONUNBUFFERED=1
export PYTHONPATH=$PWD/resources/harness${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv
  nvcc --version | tail -1
  c++ --version | head -1
  nproc
} > "$OUT/env.txt" 2>&1
$PY -c "import ninja" 2>/dev/null || command -v ninja >/dev/null || echo "ninja missing" >> "$OUT/env.txt"
budget=${AKG_BUDGET:-285}
timeout $((budget + 35)) $PY resources/harness/bench/verification.py --out "$OUT" --budget "$budget" ${AKG_ONLY:+--only "$AKG_ONLY"} \
  > "$OUT/verification.log" 2>&1
echo "exit $?" >> "$OUT/verification.log"
tail -60 "$OUT/verification.log"
