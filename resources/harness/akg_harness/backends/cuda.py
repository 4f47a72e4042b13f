"""CUDA backend: device events on the calling stream, L2 flush, sticky-error detection."""

import torch

from .base import Backend

# Bound before any candidate loads (see base.py).
SYNCHRONIZE = torch.cuda.synchronize
EVENT = torch.cuda.Event
EVENT_RECORD = torch.cuda.Event.record
EVENT_ELAPSED = torch.cuda.Event.elapsed_time
CURRENT_STREAM = torch.cuda.current_stream
SPIN = getattr(torch.cuda, "_sleep", None)  # a kernel that spins for a number of clock cycles
# Cycles of the spin used to read its rate (about 0.1 ms at 2 GHz).
SPIN_PROBE_CYCLES = 200_000

# Messages after which the CUDA context is unusable and the executor must be replaced.
FATAL_MARKERS = (
    "illegal memory access",
    "device-side assert",
    "unspecified launch failure",
    "illegal instruction",
    "misaligned address",
    "CUDA error: an illegal",
    "CUBLAS_STATUS_EXECUTION_FAILED",
    "operation not permitted when stream is capturing",
    "invalid program counter",
    "uncorrectable ECC",
    "Xid",
)


class EventTimer:
    def __init__(self):
        self.begin = EVENT(enable_timing=True)
        self.end = EVENT(enable_timing=True)

    def start(self):
        EVENT_RECORD(self.begin)

    def stop(self):
        EVENT_RECORD(self.end)

    def elapsed_ms(self) -> float:
        return EVENT_ELAPSED(self.begin, self.end)


class CudaBackend(Backend):
    kind = "cuda"
    clock = "cuda_event"
    has_profiler_kernels = True

    def initialise(self) -> None:
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"CUDA is not available to torch {torch.__version__} (CPU build, or no visible GPU)"
            )
        if self.index >= torch.cuda.device_count():
            raise RuntimeError(
                f"{self.device_string} does not exist: {torch.cuda.device_count()} CUDA device(s) visible"
            )
        torch.cuda.set_device(self.index)
        torch.empty(1, device=self.torch_device)
        SYNCHRONIZE()

    def synchronize(self) -> None:
        SYNCHRONIZE(self.torch_device)

    def timer(self):
        return EventTimer()

    def hold(self, seconds: float) -> None:
        """A spin kernel of about `seconds`. Its rate is read once, at the first hold, which
        follows a warm-up (clocks up): one probe spin timed with events."""
        if SPIN is None or seconds <= 0:
            return
        if self.spin_rate is None:
            probe = EventTimer()
            SPIN(SPIN_PROBE_CYCLES)  # the first launch loads the kernel
            probe.start()
            SPIN(SPIN_PROBE_CYCLES)
            probe.stop()
            SYNCHRONIZE(self.torch_device)
            elapsed_s = probe.elapsed_ms() / 1000.0
            self.spin_rate = SPIN_PROBE_CYCLES / elapsed_s if elapsed_s > 0 else 2e9
        SPIN(max(1, int(seconds * self.spin_rate)))

    def flush_cache(self) -> None:
        """Read (not write) twice the L2: writing would leave dirty lines whose write-back
        lands inside the next timed call; reading leaves the L2 clean and cold."""
        if self.flush_buffer is None:
            self.flush_buffer = torch.ones(
                self.flush_bytes() // 4, dtype=torch.int32, device=self.torch_device
            )
            self.flush_sink = torch.empty((), dtype=torch.int32, device=self.torch_device)
        torch.amax(self.flush_buffer, dim=0, out=self.flush_sink)

    def flush_bytes(self) -> int:
        properties = torch.cuda.get_device_properties(self.index)
        l2 = getattr(properties, "L2_cache_size", 0) or (50 << 20)
        return max(2 * l2, 64 << 20)

    def empty_cache(self) -> None:
        torch.cuda.empty_cache()

    def name(self) -> str:
        return torch.cuda.get_device_name(self.index)

    def properties(self) -> dict:
        properties = torch.cuda.get_device_properties(self.index)
        return {
            "id": f"cuda:{self.index}",
            "name": properties.name,
            "memory_bytes": properties.total_memory,
            "sm_count": properties.multi_processor_count,
            "compute_capability": f"{properties.major}.{properties.minor}",
            "l2_bytes": getattr(properties, "L2_cache_size", None),
        }

    def profiler_activities(self) -> list:
        return [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]

    def memory_budget(self) -> int:
        free, _total = torch.cuda.mem_get_info(self.index)
        return free // 4

    def is_fatal(self, error: BaseException) -> bool:
        text = str(error)
        return any(marker in text for marker in FATAL_MARKERS)

    def current_stream(self):
        return CURRENT_STREAM(self.torch_device)
