"""Where the model's time goes: device time per op, per module path and per graph node.

Two traces, both with torch.profiler on the chosen device:
- the user's model in eager, each module's forward wrapped in a record_function named
  after its path (forward hooks), so every top-level aten op lands on an op name and the
  module it ran in;
- the captured graph, each node run inside its own record_function (an fx Interpreter),
  so a region's time is the time of exactly its nodes.
GPU times are the kernels' device time; CPU times are the aten ops' own CPU time.
"""

import collections

import torch
import torch.fx

MODULE_PREFIX = "akg.module::"
NODE_PREFIX = "akg.node::"
PROFILED_RUNS = 5
WARMUP_RUNS = 2


def _event_ms(event, gpu: bool) -> float:
    return (event.device_time_total if gpu else event.cpu_time_total) / 1e3


def _trace(call, backend, runs: int):
    for _ in range(WARMUP_RUNS):
        call()
    backend.synchronize()
    # One traced-but-discarded step first: the profiler's own start-up otherwise lands on
    # the first op of the first recorded forward (tens of ms on a CPU).
    schedule = torch.profiler.schedule(wait=0, warmup=1, active=runs, repeat=1)
    with torch.profiler.profile(activities=backend.profiler_activities(), schedule=schedule) as profiler:
        for _ in range(runs + 1):
            call()
            backend.synchronize()
            profiler.step()
    return profiler.events()


def _is_op(event) -> bool:
    return event.name.startswith("aten::") or event.name.startswith("akg.dsl::")


def _top_level_ops(events):
    """Ops not nested in another op, with the innermost annotation above them."""
    for event in events:
        if not _is_op(event):
            continue
        parent, label = event.cpu_parent, None
        nested = False
        while parent is not None:
            if _is_op(parent):
                nested = True
                break
            if label is None and (
                parent.name.startswith(MODULE_PREFIX) or parent.name.startswith(NODE_PREFIX)
            ):
                label = parent.name
            parent = parent.cpu_parent
        if not nested:
            yield event, label


def profile_eager(model, inputs: list, backend, runs: int = PROFILED_RUNS) -> dict:
    """Per op and per module path (self and inclusive), in ms per forward."""
    handles = []
    open_ranges = {}

    def before(module, _args, path):
        handle = torch.autograd.profiler.record_function(MODULE_PREFIX + path)
        handle.__enter__()
        open_ranges.setdefault(id(module), []).append(handle)

    def after(module, _args, _output):
        stack = open_ranges.get(id(module))
        if stack:
            stack.pop().__exit__(None, None, None)

    for path, module in model.named_modules():
        handles.append(
            module.register_forward_pre_hook(lambda m, a, path=path or "(model)": before(m, a, path))
        )
        handles.append(module.register_forward_hook(after))
    gpu = backend.kind != "cpu"
    try:
        with torch.no_grad():
            events = _trace(lambda: model(*inputs), backend, runs)
    finally:
        for handle in handles:
            handle.remove()
    by_op = collections.Counter()
    calls = collections.Counter()
    by_module_self = collections.Counter()
    for event, label in _top_level_ops(events):
        milliseconds = _event_ms(event, gpu) / runs
        name = event.name.replace("aten::", "")
        by_op[name] += milliseconds
        calls[name] += 1
        by_module_self[label[len(MODULE_PREFIX) :] if label else "(model)"] += milliseconds
    inclusive = collections.Counter()
    for path, milliseconds in by_module_self.items():
        parts = [] if path == "(model)" else path.split(".")
        inclusive["(model)"] += milliseconds
        for depth in range(1, len(parts) + 1):
            inclusive[".".join(parts[:depth])] += milliseconds
    total = sum(by_op.values())
    return {
        "total_ms": total,
        "ops": [
            {"op": op, "ms": ms, "calls": calls[op] // runs, "share": ms / total if total else 0}
            for op, ms in by_op.most_common()
        ],
        "modules": [
            {
                "path": path,
                "self_ms": by_module_self.get(path, 0.0),
                "total_ms": ms,
                "depth": 0 if path == "(model)" else path.count(".") + 1,
            }
            for path, ms in inclusive.most_common()
        ],
        "runs": runs,
        "time_basis": "device kernels" if gpu else "aten op CPU time",
    }


class _Annotated(torch.fx.Interpreter):
    def run_node(self, node):
        if node.op != "call_function":
            return super().run_node(node)
        with torch.autograd.profiler.record_function(NODE_PREFIX + node.name):
            return super().run_node(node)


def profile_graph(module, inputs: list, backend, runs: int = PROFILED_RUNS) -> dict:
    """Graph node name -> ms per forward."""
    interpreter = _Annotated(module)
    gpu = backend.kind != "cpu"
    with torch.no_grad():
        events = _trace(lambda: interpreter.run(*inputs), backend, runs)
    times = collections.Counter()
    for event, label in _top_level_ops(events):
        if label and label.startswith(NODE_PREFIX):
            times[label[len(NODE_PREFIX) :]] += _event_ms(event, gpu) / runs
    return dict(times)


class _Counting(torch.fx.Interpreter):
    """FLOPs per node (FlopCounterMode: matrix products, convolutions, attention)."""

    def __init__(self, module, counter):
        super().__init__(module)
        self.counter = counter
        self.flops = {}

    def run_node(self, node):
        before = self.counter.get_total_flops()
        result = super().run_node(node)
        if node.op == "call_function":
            self.flops[node.name] = int(self.counter.get_total_flops() - before)
        return result


def node_flops(module, inputs: list) -> dict:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    interpreter = _Counting(module, counter)
    with counter, torch.no_grad():
        interpreter.run(*inputs)
    return interpreter.flops


def compile_fusions(model, inputs: list, backend, runs: int = 3) -> dict:
    """What torch.compile (inductor) fused: its generated kernels with their time."""
    import time

    started = time.perf_counter()
    compiled = torch.compile(model)
    gpu = backend.kind != "cpu"
    with torch.no_grad():
        events = _trace(lambda: compiled(*inputs), backend, runs)
    kernels = collections.Counter()
    for event in events:
        if gpu:
            for kernel in getattr(event, "kernels", []) or []:
                kernels[kernel.name] += kernel.duration / 1e3 / runs
        elif "fused" in event.name or event.name.startswith("cpp_"):
            kernels[event.name] += event.cpu_time_total / 1e3 / runs
    fused = [
        {"kernel": name, "ms": ms, "ops": _fused_ops(name)}
        for name, ms in kernels.most_common()
        if "fused" in name
    ]
    return {
        "kernels": fused,
        "other_kernels_ms": sum(ms for name, ms in kernels.items() if "fused" not in name),
        "seconds": time.perf_counter() - started,
    }


def _fused_ops(name: str) -> list:
    """`triton_poi_fused_add_gelu_0` -> ['add', 'gelu'] (inductor's naming)."""
    tail = name.split("fused_", 1)[-1] if "fused_" in name else ""
    return [part for part in tail.split("_") if part and not part.isdigit()]
