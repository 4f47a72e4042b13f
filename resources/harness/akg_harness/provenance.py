"""Where, when and how a baseline was measured, and whether that still holds.

A cached baseline is only as good as the conditions it was measured under: another
host, driver or torch gives other numbers, and a machine that was busy at the time
gives numbers nobody can reproduce. Every stored baseline carries these records; a
cached one is reused only when the conditions match and a quick re-time agrees.
"""

import os
import platform
import socket
import subprocess
import time

import torch

# A machine is "busy" when other processes keep more than this fraction of its cores
# busy while the harness itself sleeps, or another process computes on the GPU. The
# load average is recorded but not used: the harness's own timing (all cores on a CPU
# device) dominates it.
BUSY_CORE_FRACTION = 0.25
# How long the harness sleeps while it samples /proc/stat.
LOAD_WINDOW_S = 0.2


def _read(path: str):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except OSError:
        return None


def _cpu_clock_mhz():
    khz = _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq")
    if khz and khz.isdigit():
        return round(int(khz) / 1000)
    return None


def _cpu_jiffies():
    line = (_read("/proc/stat") or "").splitlines()[:1]
    if not line or not line[0].startswith("cpu "):
        return None
    values = [int(v) for v in line[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values[:8]), idle


def others_busy_cores(window: float = LOAD_WINDOW_S):
    """Cores kept busy by other processes: /proc/stat's busy time over a short sleep,
    less this process's own CPU time (spinning OpenMP threads included) in it."""
    before, own_before = _cpu_jiffies(), os.times()
    if before is None:
        return None
    time.sleep(window)
    after, own_after = _cpu_jiffies(), os.times()
    hertz = os.sysconf("SC_CLK_TCK")
    busy = ((after[0] - before[0]) - (after[1] - before[1])) / hertz
    own = (own_after.user - own_before.user) + (own_after.system - own_before.system)
    elapsed = own_after.elapsed - own_before.elapsed
    return round(max(busy - own, 0.0) / max(elapsed, 1e-3), 2)


def _parent(pid: int):
    stat = _read(f"/proc/{pid}/stat") or ""
    try:
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return None


def _same_worker(pid: int) -> bool:
    """Whether `pid` descends from this process's parent (the worker that started it): the
    worker's idle spare executors hold a GPU context without computing."""
    worker, seen = os.getppid(), 0
    while pid and pid > 1 and seen < 64:
        if pid == worker:
            return True
        pid, seen = _parent(pid), seen + 1
    return False


def _gpu_processes(index: int):
    """Compute processes on the GPU other than this one and its worker's, or None when not
    readable."""
    try:
        output = subprocess.run(
            ["nvidia-smi", f"--id={index}", "--query-compute-apps=pid", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if output.returncode != 0:
        return None
    pids = [line.strip() for line in output.stdout.splitlines() if line.strip().isdigit()]
    return len([pid for pid in pids if int(pid) != os.getpid() and not _same_worker(int(pid))])


def _nvidia_smi(index: int) -> dict:
    """Clocks, driver and utilisation of one GPU from nvidia-smi, where it runs."""
    fields = (
        "driver_version",
        "clocks.sm",
        "clocks.mem",
        "clocks.max.sm",
        "utilization.gpu",
        "temperature.gpu",
        "power.draw",
    )
    try:
        output = subprocess.run(
            [
                "nvidia-smi",
                f"--id={index}",
                f"--query-gpu={','.join(fields)}",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    values = [value.strip() for value in output.strip().split(",")]
    if len(values) != len(fields):
        return {}
    keys = (
        "driver",
        "sm_clock_mhz",
        "memory_clock_mhz",
        "max_sm_clock_mhz",
        "gpu_utilization_percent",
        "temperature_c",
        "power_w",
    )
    parsed = {}
    for key, value in zip(keys, values):
        try:
            parsed[key] = value if key == "driver" else float(value)
        except ValueError:
            parsed[key] = None
    return parsed


def machine_state(backend) -> dict:
    """What the machine looks like right now: device, clocks, driver, load."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()
    except OSError:
        load = (None, None, None)
    state = {
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "device": backend.device_string,
        "device_name": backend.name(),
        "torch": torch.__version__,
        "cores": cores,
        "loadavg_1m": load[0],
        "load_per_core": round(load[0] / cores, 3) if load[0] is not None else None,
        "others_busy_cores": others_busy_cores(),
        "cpu_clock_mhz": _cpu_clock_mhz(),
        "driver": None,
    }
    if backend.kind == "cuda":
        state["cuda"] = torch.version.cuda
        state.update(_nvidia_smi(backend.index))
        state["other_gpu_processes"] = _gpu_processes(backend.index)
    return state


def busy_reason(state: dict):
    """Why the machine was too busy for a number worth keeping, or None."""
    others = state.get("others_busy_cores")
    if others is not None and others > BUSY_CORE_FRACTION * state["cores"]:
        return (
            f"other processes kept {others:.1f} of {state['cores']} cores busy "
            f"(limit {BUSY_CORE_FRACTION:.0%} of the cores)"
        )
    if state.get("other_gpu_processes"):
        return f"{state['other_gpu_processes']} other process(es) computing on the GPU"
    return None


# Records that must be equal for a stored baseline to stand for this machine.
SAME_CONDITIONS = ("host", "device_name", "driver", "torch", "cuda", "cores")


def condition_changes(stored: dict, now: dict) -> list:
    """Names of the conditions that differ between a stored record and now."""
    return [
        f"{key}: {stored.get(key)!r} then, {now.get(key)!r} now"
        for key in SAME_CONDITIONS
        if stored.get(key) != now.get(key)
    ]


def record(state: dict, method: dict) -> dict:
    """The provenance stored beside one baseline's stats."""
    return {"measured_at": time.time(), "machine": state, "method": method, "busy": busy_reason(state)}


def age_seconds(provenance: dict):
    measured = (provenance or {}).get("measured_at")
    return round(time.time() - measured, 1) if measured else None
