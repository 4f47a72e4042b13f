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
# The profiled file is the test fixture itself (its source page is resources/harness/tests/
# fixtures/ncu/triton_add/source.csv): a Triton vector add, 2^24 fp32, launched three times.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cp "$ROOT/resources/harness/tests/fixtures/ncu/triton_add/add.py" "$work/add.py"
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
