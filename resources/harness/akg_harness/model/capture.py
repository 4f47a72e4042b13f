"""Capture the model's forward as an aten graph (torch.export), or say why not.

The graph is what regions are cut from and what the graph-mode patch rewrites; its
call_function nodes carry the module path they came from (`nn_module_stack`) and the
shape and dtype of their result (`val`).
"""

import dataclasses
from typing import Any, Optional

import torch


@dataclasses.dataclass
class Captured:
    method: str  # "torch.export" or "none"
    module: Any = None  # the exported program's GraphModule (runs in eager)
    reason: Optional[str] = None  # why capture failed, when it did
    seconds: float = 0.0


def capture(model, inputs: list) -> Captured:
    import time

    started = time.perf_counter()
    try:
        with torch.no_grad():
            exported = torch.export.export(model, tuple(inputs))
        module = exported.module()
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Captured(
            "none",
            reason=f"torch.export could not capture the forward: {type(error).__name__}: {first[:400]}",
            seconds=time.perf_counter() - started,
        )
    return Captured("torch.export", module=module, seconds=time.perf_counter() - started)


def module_path(node) -> str:
    """The innermost module the node ran in ('' for the model's own forward)."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return ""
    value = list(stack.values())[-1]
    path = value[0] if isinstance(value, (tuple, list)) else str(value)
    for prefix in ("L['self'].", "L__self__.", "L__self__"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
    return path


def value_meta(node):
    """(shape, dtype) of a node's tensor result, or None for non-tensors."""
    value = node.meta.get("val") if hasattr(node, "meta") else None
    if isinstance(value, torch.Tensor):
        return tuple(int(s) for s in value.shape), value.dtype
    return None


def parameter_targets(module) -> dict:
    """get_attr node name -> (state_dict key, tensor, is_buffer) of the graph module."""
    found = {}
    names = dict(module.named_parameters(remove_duplicate=False))
    buffers = dict(module.named_buffers(remove_duplicate=False))
    for node in module.graph.nodes:
        if node.op != "get_attr":
            continue
        target = str(node.target)
        if target in names:
            found[node.name] = (target, names[target], False)
        elif target in buffers:
            found[node.name] = (target, buffers[target], True)
        else:
            value = module
            for part in target.split("."):
                value = getattr(value, part, None)
            if isinstance(value, torch.Tensor):
                found[node.name] = (target, value, True)
    return found
