"""Ascend NPU backend, written to torch_npu's documented API.

UNVERIFIED: no Ascend device was available while this was written; every result
on an NPU carries the `npu_unverified` flag. Device selection for a worker is
ASCEND_RT_VISIBLE_DEVICES (set by the runner), then `npu:N` inside it.
"""

import importlib

import torch

from .base import Backend

# Ascend 910B: 192 MB of L2 ("on-chip buffer"); flush twice that.
NPU_L2_BYTES = 192 << 20


def import_torch_npu():
    try:
        return importlib.import_module("torch_npu")
    except ImportError as error:
        import sys

        raise RuntimeError(f"torch_npu is not installed in {sys.executable}") from error


class NpuEventTimer:
    def __init__(self):
        self.begin = torch.npu.Event(enable_timing=True)
        self.end = torch.npu.Event(enable_timing=True)

    def start(self):
        self.begin.record()

    def stop(self):
        self.end.record()

    def elapsed_ms(self) -> float:
        return self.begin.elapsed_time(self.end)


class NpuBackend(Backend):
    kind = "npu"
    clock = "npu_event"
    verified = False

    def __init__(self, device: str):
        import_torch_npu()  # registers the "npu" device type with torch
        super().__init__(device)

    def initialise(self) -> None:
        import_torch_npu()
        if not torch.npu.is_available():
            raise RuntimeError(
                "torch_npu is installed but no NPU is visible "
                "(check ASCEND_RT_VISIBLE_DEVICES and the driver)"
            )
        torch.npu.set_device(self.index)
        torch.empty(1, device=self.torch_device)
        torch.npu.synchronize()

    def synchronize(self) -> None:
        torch.npu.synchronize()

    def timer(self):
        return NpuEventTimer()

    def flush_bytes(self) -> int:
        return 2 * NPU_L2_BYTES

    def empty_cache(self) -> None:
        torch.npu.empty_cache()

    def name(self) -> str:
        return torch.npu.get_device_name(self.index)

    def properties(self) -> dict:
        properties = torch.npu.get_device_properties(self.index)
        return {
            "id": f"npu:{self.index}",
            "name": properties.name,
            "memory_bytes": getattr(properties, "total_memory", None),
            "cube_core_count": getattr(properties, "cube_core_num", None),
            "verified": False,
        }

    def profiler_activities(self) -> list:
        # torch_npu has its own profiler (torch_npu.profiler); the kernel-level
        # checks that parse torch.profiler traces are skipped on NPU.
        return [torch.profiler.ProfilerActivity.CPU]

    def memory_budget(self) -> int:
        free, _total = torch.npu.mem_get_info(self.index)
        return free // 4

    def is_fatal(self, error: BaseException) -> bool:
        return "NPU function error" in str(error) or "ACL" in str(error)
