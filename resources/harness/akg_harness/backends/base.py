"""What every device backend provides: clocks, synchronisation, cache flush, limits.

Timer and synchronisation functions are bound when this module is imported,
before any candidate loads, so a candidate that patches `time.perf_counter` or
`torch.cuda.synchronize` cannot change the numbers (and is rejected for trying).
"""

import time

import torch

PERF_COUNTER_NS = time.perf_counter_ns


class CpuTimer:
    """Host monotonic clock; valid for CPU work, which is synchronous."""

    def __init__(self):
        self.begin = self.end = 0

    def start(self):
        self.begin = PERF_COUNTER_NS()

    def stop(self):
        self.end = PERF_COUNTER_NS()

    def elapsed_ms(self) -> float:
        return (self.end - self.begin) / 1e6


class Backend:
    kind = "cpu"
    clock = "perf_counter_ns"
    has_profiler_kernels = False
    verified = True

    def __init__(self, device: str):
        self.device_string = device
        self.index = int(device.split(":")[1]) if ":" in device else 0
        self.torch_device = torch.device(device if ":" in device or device == "cpu" else f"{device}:0")
        self.flush_buffer = None
        self.spin_rate = None  # cycles per second of the device's spin kernel (hold)

    # -- lifecycle -------------------------------------------------------
    def initialise(self) -> None:
        """Create the device context (done once per executor)."""

    def set_threads(self, threads):
        return torch.get_num_threads()

    # -- time and order --------------------------------------------------
    def synchronize(self) -> None:
        pass

    def hold(self, seconds: float) -> None:
        """Keep the device busy for about `seconds` before what is queued next (timing.py);
        nothing where the host runs the work itself."""

    def timer(self):
        return CpuTimer()

    def flush_cache(self) -> None:
        if self.flush_buffer is None:
            self.flush_buffer = torch.empty(
                self.flush_bytes() // 4, dtype=torch.int32, device=self.torch_device
            )
        self.flush_buffer.zero_()

    def flush_bytes(self) -> int:
        return 64 << 20

    def empty_cache(self) -> None:
        pass

    # -- description -----------------------------------------------------
    def name(self) -> str:
        return "cpu"

    def properties(self) -> dict:
        return {"id": self.device_string, "name": self.name()}

    def profiler_activities(self) -> list:
        return [torch.profiler.ProfilerActivity.CPU]

    def memory_budget(self) -> int:
        """Bytes the harness may spend on extra input sets for timing."""
        return 1 << 30

    def is_fatal(self, error: BaseException) -> bool:
        """True when the error leaves the device unusable for the next request."""
        return False

    def current_stream(self):
        return None
