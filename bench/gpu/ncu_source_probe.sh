#!/usr/bin/env bash
# ncu's source page as the installed ncu prints it, in each view, for a Triton kernel profiled
# with the SourceCounters section: alone, and beside a --metrics list as the harness asks. What
# the source-page parser (resources/harness/akg_harness/ncu_source.py) reads is checked against it.
#   bash bench/gpu/ncu_source_probe.sh OUT_DIR        (under a minute on an H200)
set -u
OUT=${1:?usage: bench/gpu/ncu_source_probe.sh OUT_DIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
work=$(mktemp -d)
cat > "$work/add.py" <<'PYEOF'
import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(a_ptr, b_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    a = tl.load(a_ptr + offsets, mask=mask)
    b = tl.load(b_ptr + offsets, mask=mask)
    tl.store(out_ptr + offsets, a + b, mask=mask)


n = 1 << 24
a = torch.randn(n, device="cuda")
b = torch.randn(n, device="cuda")
out = torch.empty_like(a)
for _ in range(3):
    add_kernel[(triton.cdiv(n, 1024),)](a, b, out, n, BLOCK=1024)
torch.cuda.synchronize()
PYEOF
ncu --version > "$OUT/version.txt" 2>&1
for variant in plain metrics; do
  extra=()
  [ "$variant" = metrics ] && extra=(--metrics gpu__time_duration.sum,dram__bytes_read.sum)
  timeout 120 ncu --clock-control none -c 1 -k regex:add_kernel "${extra[@]}" --section SourceCounters \
    --import-source yes --export "$work/$variant" --force-overwrite "$PY" "$work/add.py" \
    > "$OUT/$variant-profile.log" 2>&1
  for view in cuda sass cuda,sass; do
    timeout 60 ncu --import "$work/$variant.ncu-rep" --csv --page source --print-source "$view" \
      > "$OUT/$variant-source-${view/,/-}.csv" 2>&1
  done
  timeout 60 ncu --import "$work/$variant.ncu-rep" --page details --section SourceCounters \
    > "$OUT/$variant-details.txt" 2>&1
done
ls -la "$OUT"
head -c 1500 "$OUT/plain-source-cuda.csv"
