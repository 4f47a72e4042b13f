/**
 * Run by the inspected interpreter: reports each package's version or why it cannot be imported.
 * It prints one JSON line and nothing else, so detection never depends on a package's own output.
 */
export const PYTHON_PROBE = String.raw`
import importlib, json, sys, traceback
report = {"python": sys.version.split()[0], "executable": sys.executable, "packages": {}}
for name in ("torch", "triton", "tilelang", "torch_npu", "numpy"):
    try:
        module = importlib.import_module(name)
        entry = {"version": getattr(module, "__version__", "unknown"), "error": None}
        if name == "torch":
            entry["cuda"] = getattr(module.version, "cuda", None)
            entry["cuda_available"] = bool(module.cuda.is_available())
            entry["device_count"] = module.cuda.device_count() if entry["cuda_available"] else 0
        report["packages"][name] = entry
    except Exception as error:
        report["packages"][name] = {"version": None, "error": f"{type(error).__name__}: {error}"}
print(json.dumps(report))
`

export interface PythonProbeResult {
  python: string
  executable: string
  packages: Record<
    string,
    { version: string | null; error: string | null; cuda?: string | null; cuda_available?: boolean; device_count?: number }
  >
}
