/**
 * Run by the inspected interpreter: reports each package's version or why it cannot be imported.
 * It prints one JSON line and nothing else, so detection never depends on a package's own output.
 */
export const PYTHON_PROBE = String.raw`
import importlib, json, os, sys, traceback
# A venv (its prefix differs from the base) or a conda environment is the user's to install into; the system interpreter is not.
isolated = sys.prefix != getattr(sys, "base_prefix", sys.prefix) or os.path.isdir(os.path.join(sys.prefix, "conda-meta"))
report = {"python": sys.version.split()[0], "executable": sys.executable, "isolated": isolated, "packages": {}, "devices": []}
for name in ("torch", "triton", "tilelang", "torch_npu", "numpy"):
    try:
        module = importlib.import_module(name)
        entry = {"version": getattr(module, "__version__", "unknown"), "error": None}
        if name == "torch":
            entry["cuda"] = getattr(module.version, "cuda", None)
            entry["cuda_available"] = bool(module.cuda.is_available())
            entry["device_count"] = module.cuda.device_count() if entry["cuda_available"] else 0
            for index in range(entry["device_count"]):
                props = module.cuda.get_device_properties(index)
                report["devices"].append({"kind": "cuda", "index": index, "name": props.name,
                                          "memory_gb": round(props.total_memory / 2**30, 1),
                                          "capability": f"{props.major}.{props.minor}",
                                          "sm_count": props.multi_processor_count,
                                          "l2_bytes": getattr(props, "L2_cache_size", None)})
        if name == "torch_npu":
            import torch
            for index in range(torch.npu.device_count()):
                report["devices"].append({"kind": "npu", "index": index, "name": torch.npu.get_device_name(index),
                                          "memory_gb": None, "capability": None})
        report["packages"][name] = entry
    except Exception as error:
        report["packages"][name] = {"version": None, "error": f"{type(error).__name__}: {error}"}
print(json.dumps(report))
`

import type { DeviceInfo } from '../../../agents/contract/toolchain.ts'

export interface PythonProbeResult {
  python: string
  executable: string
  /** A venv or conda environment (safe to pip install into), not the system interpreter. */
  isolated?: boolean
  devices: DeviceInfo[]
  packages: Record<string, { version: string | null; error: string | null; cuda?: string | null; cuda_available?: boolean; device_count?: number }>
}
