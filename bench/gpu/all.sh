#!/usr/bin/env bash
# Runs every GPU benchmark script in bench/gpu/ in one call on the GPU machine, each in its own
# output folder with its own time cap, and packs the results into one archive (the device tool
# brings back at most eight files). Usage: bench/gpu/all.sh OUT [script ...] (default: all).
set -u
out=${1:?output folder}; shift
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 PYTHONUNBUFFERED=1
# bubblewrap, carried (the machine has no package registry): Debian's binary with its RUNPATH set
# to the libraries beside it, so nothing leaks into the sandboxed process's environment.
if ! command -v bwrap >/dev/null && [ -x .gpu-carry/bwrap ]; then
  export AKG_BWRAP="$PWD/.gpu-carry/bwrap"
  export PATH="$PWD/.gpu-carry:$PATH"
fi
scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
  for script in bench/gpu/*.sh; do [ "$(basename "$script")" = all.sh ] || scripts+=("$(basename "$script" .sh)"); done
fi
work=/tmp/gpu-results
rm -rf "$work"; mkdir -p "$work"
{ nvidia-smi; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__, "gpus", torch.cuda.device_count())'; } > "$work/machine.txt" 2>&1
cap=${AKG_GPU_SCRIPT_CAP:-420}
for name in "${scripts[@]}"; do
  mkdir -p "$work/$name"
  started=$(date +%s)
  timeout "$cap" bash "bench/gpu/$name.sh" "$work/$name" > "$work/$name/run.log" 2>&1
  status=$?
  echo "$name: exit $status in $(( $(date +%s) - started )) s" | tee -a "$work/summary.txt"
  tail -n 15 "$work/$name/run.log"
  # Packed after every script: a call cut short still brings back what finished.
  tar cJf "$out/gpu-results.tar.xz.part" -C "$work" . && mv "$out/gpu-results.tar.xz.part" "$out/gpu-results.tar.xz"
done
cat "$work/summary.txt"
