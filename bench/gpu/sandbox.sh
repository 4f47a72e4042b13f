#!/usr/bin/env bash
# The candidate sandbox on a GPU machine: Triton JIT, load_inline builds, CUDA events and ncu
# inside it; ncu attached from outside; the sandbox's cost per candidate in a warm worker.
#   bash bench/gpu/sandbox.sh OUT_DIR
# bwrap: $AKG_BWRAP, else .gpu-carry/bwrap (a Debian build with its libraries in
# .gpu-carry/lib, started through a wrapper that sets LD_LIBRARY_PATH for bwrap alone),
# else bwrap on PATH. Results: OUT_DIR/sandbox.json, OUT_DIR/sandbox.log, OUT_DIR/env.txt.
set -u
OUT=${1:?usage: bash bench/gpu/sandbox.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
PY=${PYTHON:-python3}
export AKG_CACHE_DIR=${AKG_CACHE_DIR:-/tmp/akg-sandbox-bench-cache}
export PYTHONPATH=$ROOT/resources/harness${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1

if [ -z "${AKG_BWRAP:-}" ] && [ -x "$ROOT/.gpu-carry/bwrap" ]; then
  # The carried libraries are for bwrap only: the sandboxed process gets the caller's
  # LD_LIBRARY_PATH back (or none), so CUDA's own libraries are found as without a sandbox.
  WRAP=$(mktemp -d /tmp/akg-bwrap-XXXX)
  cat > "$WRAP/bwrap" <<WRAPPER
#!/bin/sh
if [ -n "\${LD_LIBRARY_PATH:-}" ]; then keep="--setenv LD_LIBRARY_PATH \$LD_LIBRARY_PATH"; else keep="--unsetenv LD_LIBRARY_PATH"; fi
LD_LIBRARY_PATH=$ROOT/.gpu-carry/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $ROOT/.gpu-carry/bwrap \$keep "\$@"
WRAPPER
  chmod 755 "$WRAP/bwrap"
  chmod 755 "$WRAP"
  export AKG_BWRAP=$WRAP/bwrap
fi

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  $PY -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"
  ncu --version | tail -1
  echo "AKG_BWRAP=${AKG_BWRAP:-(PATH)}"; "${AKG_BWRAP:-bwrap}" --version
  cat /proc/sys/user/max_user_namespaces /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null
  id; uname -r
  ls -l /dev/nvidia* 2>&1 | head
} > "$OUT/env.txt" 2>&1

$PY -m akg_harness detect --no-measure > "$OUT/detect.json" 2>> "$OUT/env.txt"
timeout 300 $PY bench/gpu/sandbox_probe.py "$OUT/sandbox.json" > "$OUT/sandbox.log" 2>&1
echo "sandbox_probe exit $?" >> "$OUT/sandbox.log"
tail -40 "$OUT/sandbox.log"
