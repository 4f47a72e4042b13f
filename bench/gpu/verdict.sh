#!/usr/bin/env bash
# Cost of the trusted verdict on the GPU: wall time per candidate in a warm worker,
# supervised (fresh executor per candidate from a warm spare, outputs compared by the
# reference process, baselines timed there, the median confirmed on the supervisor's
# clock) against the in-process path (the old executor's work, no child processes),
# for a KernelBench level-1 and a level-2 task with Triton candidates.
#   bash bench/gpu/verdict.sh OUT_DIR          (about 3 minutes on an H200)
# Writes OUT_DIR/env.txt, verdict-level1.json, verdict-level2.json, verdict.log,
# confirm-ncu.json (the ncu confirmation of the level-1 candidate) and summary.md.
set -u
OUT=${1:?usage: bench/gpu/verdict.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
export AKG_CACHE_DIR=${AKG_CACHE_DIR:-/tmp/akg-verdict-cache}
export PYTHONUNBUFFERED=1
export PYTHONPATH=$ROOT/resources/harness${PYTHONPATH:+:$PYTHONPATH}
PY=${PYTHON:-python3}
BENCH=$ROOT/resources/harness/bench

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv 2>&1
  $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"
  nproc; command -v bwrap || echo "no bwrap"; command -v ncu || echo "no ncu"
} > "$OUT/env.txt" 2>&1

COUNT=${AKG_VERDICT_COUNT:-12}
# Spare ceilings to compare (AKG_SPARE_EXECUTORS); the in-process side runs once per task.
SPARES=${AKG_VERDICT_SPARES:-4 8}
run() {  # name task candidate
  timeout 150 $PY "$BENCH/verdict_cost.py" --task "$2" --candidate "$3" --dsl triton \
    --device cuda --count "$COUNT" --timing-trials 100 --modes in_process \
    --out "$OUT/verdict-$1-in_process.json" >> "$OUT/verdict.log" 2>&1
  echo "$1 in_process exit $?" >> "$OUT/verdict.log"
  for spares in $SPARES; do
    AKG_SPARE_EXECUTORS=$spares timeout 200 $PY "$BENCH/verdict_cost.py" --task "$2" \
      --candidate "$3" --dsl triton --device cuda --count "$COUNT" --timing-trials 100 \
      --modes supervised --out "$OUT/verdict-$1-spares$spares.json" >> "$OUT/verdict.log" 2>&1
    echo "$1 spares $spares exit $?" >> "$OUT/verdict.log"
  done
}
run level1 "$ROOT/resources/tasks/level1/19_ReLU.py" "$BENCH/candidates/relu_triton.py"
run level2 "$ROOT/resources/tasks/level2/12_Gemm_Multiply_LeakyReLU.py" \
  "$BENCH/candidates/gemm_mul_leakyrelu_triton.py"

# The ncu confirmation path (opt-in per request: seconds, not milliseconds).
timeout 120 $PY -m akg_harness evaluate --task "$ROOT/resources/tasks/level1/19_ReLU.py" \
  --candidate "$BENCH/candidates/relu_triton.py" --dsl triton --device cuda --confirm-ncu \
  --out "$OUT/confirm-ncu.json" >> "$OUT/verdict.log" 2>&1
echo "confirm-ncu exit $?" >> "$OUT/verdict.log"

$PY - "$OUT" <<'PYEOF' > "$OUT/summary.md"
import glob, json, os, sys
out = sys.argv[1]
print("| task | spares | in-process s/candidate | supervised s/candidate | added s | waited for an executor | executor start s (last) | confirmation |")
print("|---|---|---|---|---|---|---|---|")
for name in ("level1", "level2"):
    try:
        base = json.load(open(os.path.join(out, f"verdict-{name}-in_process.json")))["in_process"]
    except (OSError, ValueError, KeyError) as error:
        print(f"| {name} | | {error} | | | | | |")
        continue
    for path in sorted(glob.glob(os.path.join(out, f"verdict-{name}-spares*.json"))):
        spares = path.rsplit("spares", 1)[1][:-5]
        try:
            r = json.load(open(path))["supervised"]
        except (OSError, ValueError, KeyError) as error:
            print(f"| {name} | {spares} | | {error} | | | | |")
            continue
        c = r.get("confirmation_last") or {}
        waits = [w for w in r.get("executor_wait_all", [])[1:] if w is not None]
        waited = sum(1 for w in waits if w > 0.05)
        print(f"| {name} | {spares} | {base['seconds_per_candidate']:.3f} | "
              f"{r['seconds_per_candidate']:.3f} | "
              f"{r['seconds_per_candidate'] - base['seconds_per_candidate']:+.3f} | "
              f"{waited} of {len(waits)} | {(r.get('executor_start_last') or {}).get('total')} | "
              f"{[(m.get('method'), m.get('confirmed'), round(m.get('ratio') or 0, 3)) for m in c.get('methods', [])]} |")
try:
    r = json.load(open(os.path.join(out, "confirm-ncu.json")))
    print("\nncu confirmation:", json.dumps((r.get("timing") or {}).get("confirmation")))
except (OSError, ValueError) as error:
    print("\nncu confirmation: none:", error)
PYEOF
cat "$OUT/summary.md"
