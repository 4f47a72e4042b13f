#!/usr/bin/env bash
# GPU checks and benchmarks of the harness, for the GPU machine:
#   bash resources/harness/bench/gpu_suite.sh        (results under $OUT)
# pytest -m gpu (triton, cuda_c, tilelang when present), then bench_harness.py.
set -u
OUT=${OUT:-/tmp/akg-gpu-out}
mkdir -p "$OUT"
cd "$(dirname "$0")/.." || exit 1
export AKG_CACHE_DIR=${AKG_CACHE_DIR:-/tmp/akg-cache}
export AKG_TEST_CACHE=$AKG_CACHE_DIR
export PYTHONUNBUFFERED=1
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv
  $PY -c "import torch, triton; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'triton', triton.__version__, torch.cuda.get_device_name())"
  nvcc --version | tail -1; ncu --version | tail -1
} > "$OUT/env.txt" 2>&1

# TileLang travels as trimmed site-packages (tilelang, tvm_ffi, z3) under .whl/tilelang.
TL=../../.whl/tilelang/tilelang-site.tar.xz
if [ -f "$TL" ]; then
  mkdir -p /tmp/tl-site && tar -xJf "$TL" -C /tmp/tl-site \
    && export PYTHONPATH=/tmp/tl-site${PYTHONPATH:+:$PYTHONPATH}
  $PY -c "import tilelang; print('tilelang', tilelang.__version__)" >> "$OUT/env.txt" 2>&1 \
    || echo "tilelang does not import" >> "$OUT/env.txt"
else
  echo "tilelang not carried" >> "$OUT/env.txt"
fi

# Build the cuda_c candidates ahead of the GPU work, in parallel processes.
$PY -m akg_harness precompile --dsl cuda_c --jobs 4 tests/fixtures/candidates/cuda_c/*.py \
  > "$OUT/precompile.json" 2>> "$OUT/env.txt" &
PRECOMPILE=$!

$PY bench/probe_trace.py >> "$OUT/env.txt" 2>&1
$PY -m akg_harness detect > "$OUT/detect.json" 2>> "$OUT/env.txt"
wait $PRECOMPILE

timeout 280 $PY -m pytest -q -m gpu tests -p no:cacheprovider -rA \
  --junitxml="$OUT/gpu-junit.xml" > "$OUT/pytest-gpu.log" 2>&1
echo "pytest exit $?" >> "$OUT/pytest-gpu.log"

timeout 200 $PY bench/bench_harness.py --runs 3 --out "$OUT/bench.json" > "$OUT/bench.log" 2>&1
echo "bench exit $?" >> "$OUT/bench.log"

grep -E "passed|failed|error|exit" "$OUT/pytest-gpu.log" | tail -25
tail -12 "$OUT/bench.log"
