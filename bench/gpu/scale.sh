#!/usr/bin/env bash
# Ray scaling on a machine with two GPUs: the same 20 evaluations through the local worker, Ray
# with one GPU and Ray with two. Ray travels as an unpacked site folder (.gpu-carry/ray-site.tar.xz:
# ray 2.60.0 and jsonschema for Python 3.12). Usage: bench/gpu/scale.sh OUT_DIR
set -uo pipefail
out=${1:?output folder}
mkdir -p "$out"
site=/tmp/ray-site
if [ ! -d "$site/ray" ]; then mkdir -p "$site" && xz -dc .gpu-carry/ray-site.tar.xz | tar xf - -C "$site"; fi
export PYTHONPATH="$site:$PWD/resources/harness"
export RAY_USAGE_STATS_ENABLED=0 RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
ray() { python3 -c 'import sys; from ray.scripts.scripts import main; sys.argv[0]="ray"; main()' "$@"; }
tmp=$(mktemp -d /tmp/rayXXXX)
ray start --head --node-ip-address=127.0.0.1 --port=0 --include-dashboard=false --disable-usage-stats --temp-dir="$tmp" > "$out/ray-start.log" 2>&1 || { cat "$out/ray-start.log"; exit 1; }
address=$(cat "$tmp/ray_current_cluster")
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv > "$out/gpus.csv" 2>&1
timeout 480 python3 bench/cluster/scale_bench.py --work /tmp/scale-work --out "$out" --address "$address" --count 20 2>&1 | tee "$out/scale.log"
ray stop --force > /dev/null 2>&1
