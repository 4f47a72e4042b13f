"""Device backends: cpu, cuda[:N], npu[:N]."""

from .base import Backend

_BACKENDS = {}


def get_backend(device: str) -> Backend:
    """One backend object per device string and executor (it owns the flush buffer)."""
    if device == "cuda" or device == "npu":
        device = f"{device}:0"
    if device not in _BACKENDS:
        kind = device.split(":")[0]
        if kind == "cuda":
            from .cuda import CudaBackend as cls
        elif kind == "npu":
            from .npu import NpuBackend as cls
        else:
            from .cpu import CpuBackend as cls
        backend = cls(device)
        backend.initialise()
        _BACKENDS[device] = backend
    return _BACKENDS[device]
