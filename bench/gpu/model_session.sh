#!/usr/bin/env bash
# Issue "your model in": the two models of model.sh through the studio's CLI on the GPU machine,
# with kernels from replayed sessions (the hand-written Triton stand-ins as scripted Coder
# answers, verified and timed by the agent loop, the winners taken from those runs):
# bench/model_session.sh per model. Needs .gpu-carry/node from bench/gpu/node_carry.sh (Node and
# the bundled CLI; the GPU machine has no Node) and .gpu-carry/bwrap.
#   bash bench/gpu/model_session.sh OUT_DIR
# Each region's run times eager and torch.compile of its task and confirms with ncu, so ResNet-50's
# eight tasks take minutes: one model per device call fits the 600 s limit, e.g.
#   AKG_MODEL_SESSION_MODELS=transformer_block AKG_MODEL_SESSION_CAP=560 AKG_GPU_SCRIPT_CAP=580 \
#     bash bench/gpu/all.sh $OUT model_session
set -uo pipefail
OUT=${1:?usage: bench/gpu/model_session.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/.gpu-carry/node/node.xz" ] || { echo "no .gpu-carry/node: run bench/gpu/node_carry.sh here first"; exit 2; }
xz -dc "$ROOT/.gpu-carry/node/node.xz" > /tmp/akg-node && chmod 755 /tmp/akg-node || exit 2
export NODE=/tmp/akg-node AKG_CLI=$ROOT/.gpu-carry/node/akg.mjs PYTHON=${PYTHON:-python3}
"$NODE" "$AKG_CLI" info > "$OUT/info.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv > "$OUT/gpu.csv" 2>&1
for name in ${AKG_MODEL_SESSION_MODELS:-resnet50 transformer_block}; do
  # The regions model.sh writes: the top 8 of ResNet-50, the top 6 of the transformer block.
  case $name in resnet50) top=8 ;; *) top=6 ;; esac
  top=${AKG_MODEL_SESSION_TOP:-$top} # fewer regions when a call's time is short (each region's run is about a minute)
  AKG_EXTRACT_ARGS="--top $top" timeout "${AKG_MODEL_SESSION_CAP:-270}" bash "$ROOT/bench/model_session.sh" "$OUT/$name" \
    "$ROOT/bench/gpu/model/$name.py" cuda triton --stand-ins > "$OUT/$name.log" 2>&1
  echo "$name exit $?" | tee -a "$OUT/summary.txt"
  tail -8 "$OUT/$name.log"
  rm -rf "$OUT/$name/studio/cache" "$OUT/$name/kernels/__pycache__"
done
