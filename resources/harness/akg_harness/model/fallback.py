"""Per-op regions when the graph cannot be captured: every aten op one forward calls.

A TorchDispatchMode sees each op after autograd (so `linear` arrives as `addmm`), with its
real arguments; module hooks say which module it ran in. Each op is timed alone, with
the device synchronised around it: coarser than a trace, and said so in the report.
"""

import time

import torch
from torch.utils._python_dispatch import TorchDispatchMode

from .ops import kind, op_name, target_text
from .regions import Region, _tensor_stats


class _Recorder(TorchDispatchMode):
    def __init__(self, synchronize, parameters: dict, paths: list):
        super().__init__()
        self.synchronize = synchronize
        self.parameters = parameters  # id(tensor) -> (key, tensor, buffer)
        self.paths = paths
        self.calls = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = op_name(func)
        if kind(name) == "free" or name in ("empty", "empty_strided", "zeros", "ones", "copy_"):
            return func(*args, **kwargs)
        self.synchronize()
        started = time.perf_counter()
        result = func(*args, **kwargs)
        self.synchronize()
        elapsed = (time.perf_counter() - started) * 1e3
        self.calls.append((func, args, kwargs, result, elapsed, self.paths[-1] if self.paths else ""))
        return result


def record_ops(model, inputs: list, backend) -> list:
    parameters = {}
    for key, tensor in model.state_dict(keep_vars=True).items():
        parameters[id(tensor)] = (key, tensor, key not in dict(model.named_parameters()))
    paths = []
    handles = []

    def leave(_module, _args, _output):
        paths.pop()  # returns None: a forward hook's return value would replace the output

    for path, module in model.named_modules():
        handles.append(module.register_forward_pre_hook(lambda m, a, path=path: paths.append(path)))
        handles.append(module.register_forward_hook(leave))
    recorder = _Recorder(backend.synchronize, parameters, paths)
    try:
        with torch.no_grad(), recorder:
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return [_region(call, parameters) for call in recorder.calls]


def _region(call, parameters: dict) -> Region:
    func, args, kwargs, result, elapsed, path = call
    inputs, params, names = [], [], {}

    def render(value):
        if isinstance(value, torch.Tensor):
            if id(value) in names:
                return names[id(value)]
            if id(value) in parameters:
                key, tensor, buffer = parameters[id(value)]
                local = key.replace(".", "_")
                names[id(value)] = f"self.{local}"
                params.append(
                    {
                        "name": local,
                        "key": key,
                        "shape": list(tensor.shape),
                        "dtype": str(tensor.dtype).replace("torch.", ""),
                        "buffer": buffer,
                        **_tensor_stats(tensor),
                    }
                )
            else:
                names[id(value)] = f"x{len(inputs)}"
                inputs.append(
                    {
                        "node": None,
                        "shape": list(value.shape),
                        "dtype": str(value.dtype).replace("torch.", ""),
                        **_tensor_stats(value),
                    }
                )
            return names[id(value)]
        if isinstance(value, (list, tuple)):
            inner = ", ".join(render(item) for item in value)
            return f"[{inner}]" if isinstance(value, list) else f"({inner},)"
        if isinstance(value, torch.device):
            return "x0.device"
        if isinstance(value, (torch.dtype, torch.memory_format, torch.layout)):
            return str(value)
        return repr(value)

    arguments = [render(a) for a in args] + [f"{k}={render(v)}" for k, v in kwargs.items()]
    output = result[0] if isinstance(result, (tuple, list)) else result
    code = [f"v0 = {target_text(func)}({', '.join(arguments)})"]
    if isinstance(result, (tuple, list)):
        code.append("v1 = v0[0]")
    name = op_name(func)
    region = Region(
        nodes=[],
        ops=[name],
        kinds=[kind(name)],
        path=path,
        node_paths=[path],
        inputs=inputs,
        parameters=params,
        output={
            "node": None,
            "shape": list(output.shape) if isinstance(output, torch.Tensor) else None,
            "dtype": str(output.dtype).replace("torch.", "") if isinstance(output, torch.Tensor) else None,
        },
        code=code,
    )
    region.time_ms = elapsed
    region.signature = repr(
        (code, [(p["key"], tuple(p["shape"])) for p in params], [tuple(i["shape"]) for i in inputs])
    )
    return region
