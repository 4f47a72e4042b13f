#!/usr/bin/env bash
# Trust cases on one H200 (docs/benchmarks/trust.md): a torch fallback that behaves under
# the profiler, a shape-hardcoding kernel, the TF32 conv case decided by the fp64 truth,
# and a poisoned baseline cache recovering. Usage: bash bench/gpu/trust.sh OUT_DIR
set -u
OUT=${1:?give an output folder}
mkdir -p "$OUT"
cd "$(dirname "$0")/../.." || exit 1
export AKG_CACHE_DIR=$(mktemp -d /tmp/akg-trust-cache.XXXX)
export PYTHONUNBUFFERED=1
export PYTHONPATH=$PWD/resources/harness${PYTHONPATH:+:$PYTHONPATH}
unset TRITON_INTERPRET
# The sandbox needs bubblewrap; where the GPU machine lacks it, run unsandboxed (flagged).
PY=${PYTHON:-python3}
command -v bwrap >/dev/null || export AKG_ALLOW_UNSANDBOXED=1
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,utilization.gpu --format=csv
  $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"
} > "$OUT/env.txt" 2>&1
timeout 60 $PY bench/gpu/trust/timing_probe.py "$OUT" > "$OUT/timing_probe.log" 2>&1
echo "timing probe exit $?" >> "$OUT/env.txt"
timeout 230 $PY bench/gpu/trust/cases.py "$OUT" > "$OUT/trust_cases.log" 2>&1
echo "cases exit $?" >> "$OUT/env.txt"
ls "$AKG_CACHE_DIR"/baselines > "$OUT/baseline_cache_files.txt" 2>&1
