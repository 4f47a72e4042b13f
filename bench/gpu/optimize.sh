#!/usr/bin/env bash
# The optimize step with and without Nsight Compute facts (hand-written answers, no model), the
# wall time of ncu collection per candidate, and real ncu output kept as test fixtures.
# Usage: bash bench/gpu/optimize.sh OUT     (from the repository root, on a machine with an
# NVIDIA GPU, ncu on PATH, python3 with torch and triton). Writes OUT/optimize.json,
# OUT/verdicts/*.json, OUT/ncu-fixtures/<task>/<variant>/*.csv, OUT/environment.txt, OUT/log.txt.
set -uo pipefail
OUT="${1:?usage: bench/gpu/optimize.sh OUT}"
mkdir -p "$OUT"
export AKG_CACHE_DIR="$OUT/cache"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv
  ncu --version | tail -1
  python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'
} > "$OUT/environment.txt" 2>&1
# The whole run is bounded: a hung ncu must not hold the machine.
# AKG_OPTIMIZE_TASKS picks tasks (comma-separated names from bench_optimize.py's CASES).
timeout "${AKG_OPTIMIZE_CAP:-280}" python3 bench/gpu/optimize/bench_optimize.py "$OUT" --device cuda \
  ${AKG_OPTIMIZE_TASKS:+--tasks "$AKG_OPTIMIZE_TASKS"} 2>&1 | tee "$OUT/log.txt"
status=${PIPESTATUS[0]}
rm -rf "$OUT/cache"
exit "$status"
