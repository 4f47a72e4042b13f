"""`detect`: Python, packages, devices (with peaks) and tools of this environment."""

import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys

from . import SCHEMA_VERSION, __version__

PACKAGES = {"torch": "torch", "triton": "triton", "tilelang": "tilelang", "torch_npu": "torch_npu"}
DISTRIBUTIONS = {
    "torch": ["torch"],
    "triton": ["triton", "triton-ascend"],
    "tilelang": ["tilelang"],
    "torch_npu": ["torch-npu", "torch_npu"],
}


def package_versions():
    versions, reasons = {}, {}
    for name, module in PACKAGES.items():
        if importlib.util.find_spec(module) is None:
            versions[name] = None
            reasons[name] = f"{name} is not installed in {sys.executable}"
            continue
        version = None
        for distribution in DISTRIBUTIONS[name]:
            try:
                version = importlib.metadata.version(distribution)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        versions[name] = version or "unknown"
    return versions, reasons


def _run(command: list) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout


def tool(name: str, command: list, pattern: str):
    path = shutil.which(name)
    if path is None:
        return {"version": None, "path": None, "reason": f"{name} is not on PATH"}
    try:
        output = _run(command)
    except (OSError, subprocess.SubprocessError) as error:
        return {"version": None, "path": path, "reason": f"{name} did not run: {error}"}
    match = re.search(pattern, output)
    if match is None:
        return {"version": None, "path": path, "reason": f"unrecognised output: {output.strip()[:200]}"}
    return {"version": match.group(1), "path": path}


def tools() -> dict:
    return {
        "nvcc": tool("nvcc", ["nvcc", "--version"], r"release ([\d.]+)"),
        "ncu": tool("ncu", ["ncu", "--version"], r"Version ([\d.]+)"),
        "nvidia-smi": tool(
            "nvidia-smi", ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], r"([\d.]+)"
        ),
        "npu-smi": tool("npu-smi", ["npu-smi", "info"], r"Version:?\s*([\w.\-]+)"),
    }


def devices(measure: bool) -> list:
    import torch

    from .backends import get_backend
    from .peaks import peaks_for

    found = []
    ids = []
    if torch.cuda.is_available():
        ids += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if importlib.util.find_spec("torch_npu") is not None:
        try:
            import torch_npu  # noqa: F401

            ids += [f"npu:{i}" for i in range(torch.npu.device_count())]
        except Exception:
            pass
    ids.append("cpu")
    for device in ids:
        try:
            backend = get_backend(device)
            entry = backend.properties()
            peaks = peaks_for(backend, allow_measure=measure) or {}
            entry["peak_bandwidth_gbs"] = peaks.get("peak_bandwidth_gbs")
            entry["peak_tflops"] = peaks.get("peak_tflops")
            entry["peaks_source"] = peaks.get("source", "unknown (not measured)")
            if device.startswith("npu"):
                entry["verified"] = False
                entry["note"] = "NPU support is written to torch_npu's API and UNVERIFIED"
            found.append(entry)
        except Exception as error:
            found.append({"id": device, "error": f"{type(error).__name__}: {error}"})
    return found


def detect(measure: bool = True) -> dict:
    versions, reasons = package_versions()
    report = {
        "schema_version": SCHEMA_VERSION,
        "harness_version": __version__,
        "python": {
            "version": platform.python_version(),
            "executable": sys.executable,
            "implementation": platform.python_implementation(),
        },
        "platform": platform.platform(),
        "packages": versions,
        "missing_reason": reasons,
        "tools": tools(),
        "cache_dir": os.environ.get("AKG_CACHE_DIR")
        or os.path.join(os.path.expanduser("~"), ".cache", "akg-studio"),
    }
    if versions["torch"] is None:
        report["devices"] = []
        report["devices_reason"] = reasons["torch"]
        return report
    import torch

    report["torch"] = {
        "cuda": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
        "threads": torch.get_num_threads(),
    }
    report["devices"] = devices(measure)
    return report
