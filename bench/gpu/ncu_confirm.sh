#!/usr/bin/env bash
# Two ncu measurements on the GPU machine (docs/benchmarks/optimize.md):
# 1. The automatic ncu confirmation's cost per candidate: a launch-bound candidate (KernelBench
#    level-1 ReLU, Triton) in a warm worker, supervised, with AKG_NCU_CONFIRM=0 (the wall clock
#    alone) and =1 (ncu asked on its own when the wall clock cannot confirm the median).
# 2. Real ncu output of a CUDA-C candidate (metrics and the source page) for the parser tests:
#    tests/fixtures/candidates/cuda_c/add_correct.py on a 2^24-element vector add.
#   bash bench/gpu/ncu_confirm.sh OUT_DIR          (about 3 minutes on an H200)
# Writes OUT_DIR/env.txt, relu-confirm0.json, relu-confirm1.json, cuda-ncu.json, ncu-fixtures/
# cuda_add/*.csv, log.txt and summary.md.
set -u
OUT=${1:?usage: bench/gpu/ncu_confirm.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
export AKG_CACHE_DIR=${AKG_CACHE_DIR:-/tmp/akg-confirm-cache}
export PYTHONUNBUFFERED=1
export PYTHONPATH=$ROOT/resources/harness${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
BENCH=$ROOT/resources/harness/bench
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv 2>&1
  ncu --version | tail -1
  $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"
} > "$OUT/env.txt" 2>&1

COUNT=${AKG_CONFIRM_COUNT:-6}  # 0: the CUDA-C fixture alone
for confirm in 0 1; do
  [ "$COUNT" -gt 0 ] || break
  AKG_NCU_CONFIRM=$confirm AKG_SPARE_EXECUTORS=4 timeout 240 $PY "$BENCH/verdict_cost.py" \
    --task "$ROOT/resources/tasks/level1/19_ReLU.py" --candidate "$BENCH/candidates/relu_triton.py" \
    --dsl triton --device cuda --count "$COUNT" --timing-trials 100 --modes supervised \
    --out "$OUT/relu-confirm$confirm.json" >> "$OUT/log.txt" 2>&1
  echo "confirm $confirm exit $?" >> "$OUT/log.txt"
done

work=$(mktemp -d)
sed 's/^N = 4096$/N = 1 << 24/' "$ROOT/resources/harness/tests/fixtures/tasks/vector_add.py" > "$work/vector_add_16m.py"
AKG_NCU_RAW=1 timeout 240 $PY -m akg_harness evaluate --task "$work/vector_add_16m.py" \
  --candidate "$ROOT/resources/harness/tests/fixtures/candidates/cuda_c/add_correct.py" --dsl cuda_c \
  --device cuda --ncu --out "$OUT/cuda-ncu.json" >> "$OUT/log.txt" 2>&1
echo "cuda ncu exit $?" >> "$OUT/log.txt"

$PY - "$OUT" <<'PYEOF' > "$OUT/summary.md"
import json, os, sys
out = sys.argv[1]
print("| AKG_NCU_CONFIRM | s/candidate (median, first not counted) | confirmed by, per candidate | ncu stage s |")
print("|---|---|---|---|")
for confirm in (0, 1):
    try:
        with open(os.path.join(out, f"relu-confirm{confirm}.json")) as handle:
            s = json.load(handle)["supervised"]
    except (OSError, KeyError, ValueError) as error:
        print(f"| {confirm} | missing: {error} | | |")
        continue
    print(f"| {confirm} | {s['seconds_per_candidate']:.3f} | {s['confirmed_by_all']} | {s['ncu_seconds_all']} |")
try:
    with open(os.path.join(out, "cuda-ncu.json")) as handle:
        doc = json.load(handle)
except (OSError, ValueError) as error:
    print(f"\ncuda-ncu: missing: {error}")
    sys.exit(0)
ncu = doc.get("ncu") or {}
folder = os.path.join(out, "ncu-fixtures", "cuda_add")
os.makedirs(folder, exist_ok=True)
for name, text in (
    ("candidate-raw.csv", ncu.get("raw_csv")),
    ("candidate-source.csv", (ncu.get("source") or {}).get("raw_csv")),
    ("reference-raw.csv", (ncu.get("baseline") or {}).get("raw_csv")),
):
    if text:
        with open(os.path.join(folder, name), "w") as handle:
            handle.write(text)
lines = (ncu.get("source") or {}).get("lines") or []
print(f"\ncuda-ncu: status {doc.get('status')}, ncu stage {(doc.get('durations') or {}).get('ncu')} s, "
      f"{len(ncu.get('kernels') or [])} kernels, {len(lines)} hot lines, error {ncu.get('error')}")
PYEOF
cat "$OUT/summary.md"
