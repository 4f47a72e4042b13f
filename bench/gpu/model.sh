#!/usr/bin/env bash
# Model benchmark (issue: your model in, a faster model out) on one H200.
# Two real models from installed packages, from open to A/B report, driven through
# `python -m akg_harness model ...` (there is no node on the GPU machine):
#   torchvision ResNet-50, fp16, batch 32; one nn.TransformerEncoderLayer (1024/16/4096), fp16,
#   batch 32x256.
# The kernels put back are hand-written Triton stand-ins (bench/gpu/model/stand_in_kernels.py),
# not replayed model sessions. Writes JSON reports, logs and summary.md to $1.
set -uo pipefail
OUT=${1:?usage: bench/gpu/model.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD/resources/harness${PYTHONPATH:+:$PYTHONPATH}"
export AKG_CACHE_DIR="$OUT/cache"
# The model and its kernels run in the harness's bubblewrap sandbox; bwrap as in sandbox.sh:
# $AKG_BWRAP, else .gpu-carry/bwrap (with its libraries in .gpu-carry/lib), else PATH.
ROOT=$PWD
if [ -z "${AKG_BWRAP:-}" ] && [ -x "$ROOT/.gpu-carry/bwrap" ]; then
  WRAP=$(mktemp -d /tmp/akg-bwrap-XXXX)
  cat > "$WRAP/bwrap" <<WRAPPER
#!/bin/sh
if [ -n "\${LD_LIBRARY_PATH:-}" ]; then keep="--setenv LD_LIBRARY_PATH \$LD_LIBRARY_PATH"; else keep="--unsetenv LD_LIBRARY_PATH"; fi
LD_LIBRARY_PATH=$ROOT/.gpu-carry/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $ROOT/.gpu-carry/bwrap \$keep "\$@"
WRAPPER
  chmod 755 "$WRAP/bwrap" "$WRAP"
  export AKG_BWRAP=$WRAP/bwrap
fi
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv > "$OUT/gpu.csv" 2>&1
"$PY" -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)" > "$OUT/versions.txt" 2>&1
"$PY" -c "import torchvision; print('torchvision', torchvision.__version__)" >> "$OUT/versions.txt" 2>&1

run_model() {
  local name=$1 top=$2
  cp "bench/gpu/model/$name.py" "$OUT/$name.py"
  local started=$(date +%s.%N)
  timeout 150 "$PY" -m akg_harness model extract "$OUT/$name.py" --device cuda --top "$top" \
    --out "$OUT/$name.extract.json" >> "$OUT/$name.log" 2>&1
  echo "extract wall seconds: $(echo "$(date +%s.%N) - $started" | bc)" >> "$OUT/$name.log"
  "$PY" bench/gpu/model/stand_in_kernels.py "$OUT/$name.akg-tasks" "$OUT/$name.kernels" \
    > "$OUT/$name.kernel-args" 2>> "$OUT/$name.log"
  if [ -s "$OUT/$name.kernel-args" ]; then
    # shellcheck disable=SC2046
    timeout 240 "$PY" -m akg_harness model compare "$OUT/$name.py" --device cuda \
      --tasks "$OUT/$name.akg-tasks" $(cat "$OUT/$name.kernel-args") --budget 10 \
      --out "$OUT/$name.compare.json" >> "$OUT/$name.log" 2>&1
  fi
}

run_model transformer_block 6
run_model resnet50 8
"$PY" bench/gpu/model/summarise.py "$OUT" > /dev/null
cat "$OUT/summary.md"
