"""CPU backend: monotonic host clock, a fixed thread count, last-level cache flush."""

import os
import platform

import torch

from .base import Backend


def last_level_cache_bytes() -> int:
    base = "/sys/devices/system/cpu/cpu0/cache"
    best = 0
    try:
        for entry in os.listdir(base):
            with open(os.path.join(base, entry, "size")) as handle:
                text = handle.read().strip()
            scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1], 1)
            best = max(best, int(text.rstrip("KMG")) * scale)
    except (OSError, ValueError):
        pass
    return best or (32 << 20)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# The vector extensions a kernel author sizes SIMD loops by (x86-64 and Arm names in /proc/cpuinfo).
SIMD_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "avx512f",
    "avx512bw",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "asimd",
    "sve",
    "sve2",
)


def simd_flags() -> list:
    """The vector extensions this CPU reports, in SIMD_FLAGS order; [] where /proc/cpuinfo is absent."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    present = set(line.split(":", 1)[1].split())
                    return [flag for flag in SIMD_FLAGS if flag in present]
    except OSError:
        pass
    return []


def memory_bytes() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class CpuBackend(Backend):
    kind = "cpu"

    def set_threads(self, threads):
        """Pin the intra-op thread count for the candidate and the baselines alike.

        torch.set_num_threads also sets the OpenMP team size of this thread, which
        is the runtime a `-fopenmp` extension uses."""
        count = threads or int(os.environ.get("AKG_THREADS", 0)) or (os.cpu_count() or 1)
        torch.set_num_threads(count)
        return torch.get_num_threads()

    def flush_bytes(self) -> int:
        # Twice the last-level cache so that no input survives between timed calls.
        return min(2 * last_level_cache_bytes(), 512 << 20)

    def name(self) -> str:
        return cpu_name()

    def properties(self) -> dict:
        return {
            "id": "cpu",
            "name": self.name(),
            "cores": os.cpu_count(),
            "memory_bytes": memory_bytes(),
            "cache_bytes": last_level_cache_bytes(),
            "simd": simd_flags(),
        }

    def memory_budget(self) -> int:
        return max(memory_bytes() // 8, 256 << 20)
