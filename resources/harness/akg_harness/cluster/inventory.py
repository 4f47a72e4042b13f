"""What the cluster has: nodes, their GPUs (model, memory, utilisation) and CPUs.

GPU details come from `nvidia-smi` run by a small task on each node (Ray's own resources say
how many GPUs a node has and, as `accelerator_type:<model>`, what kind, but not memory or load).
"""

import subprocess
from typing import Optional

NVIDIA_SMI_QUERY = [
    "nvidia-smi",
    "--query-gpu=index,name,memory.total,memory.used,utilization.gpu",
    "--format=csv,noheader,nounits",
]
# A node that does not answer within this is listed without GPU details, not waited for.
PROBE_TIMEOUT_S = 20.0


def probe_gpus() -> list:
    """Runs on a node: one entry per GPU nvidia-smi lists there (empty without a driver)."""
    try:
        text = subprocess.run(NVIDIA_SMI_QUERY, capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in text.strip().splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) < 5:
            continue
        gpus.append(
            {
                "index": _int(parts[0]),
                "name": parts[1],
                "memory_mb": _int(parts[2]),
                "memory_used_mb": _int(parts[3]),
                "utilization_pct": _int(parts[4]),
            }
        )
    return gpus


def _int(text: str) -> Optional[int]:
    try:
        return int(float(text))
    except ValueError:
        return None


def accelerator_model(resources: dict) -> Optional[str]:
    for name in resources:
        if name.startswith("accelerator_type:"):
            return name.split(":", 1)[1]
    return None


def cluster_inventory(ray) -> dict:
    """Every live node with its resources, GPU details and what is free now."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    probe = ray.remote(num_cpus=0)(probe_gpus)
    nodes = [node for node in ray.nodes() if node.get("Alive")]
    pending = {}
    for node in nodes:
        if node["Resources"].get("GPU", 0) > 0:
            strategy = NodeAffinitySchedulingStrategy(node_id=node["NodeID"], soft=False)
            pending[node["NodeID"]] = probe.options(scheduling_strategy=strategy).remote()
    details = {}
    for node_id, ref in pending.items():
        try:
            details[node_id] = ray.get(ref, timeout=PROBE_TIMEOUT_S)
        except Exception as error:  # a node that cannot run the probe is still listed
            details[node_id] = {"error": f"{type(error).__name__}: {error}"}
    available = ray.available_resources()
    listed = []
    for node in nodes:
        resources = node["Resources"]
        gpus = details.get(node["NodeID"], [])
        listed.append(
            {
                "node_id": node["NodeID"],
                "address": node.get("NodeManagerAddress"),
                "hostname": node.get("NodeManagerHostname"),
                "head": "node:__internal_head__" in resources,
                "cpus": resources.get("CPU", 0),
                "gpus": int(resources.get("GPU", 0)),
                "npus": int(resources.get("NPU", 0)),
                "gpu_model": accelerator_model(resources),
                "gpu_details": gpus if isinstance(gpus, list) else [],
                "gpu_error": gpus.get("error") if isinstance(gpus, dict) else None,
                "memory_bytes": resources.get("memory"),
            }
        )
    return {
        "nodes": listed,
        "available": {key: value for key, value in available.items() if key in ("CPU", "GPU", "NPU")},
        "ray_version": ray.__version__,
    }
