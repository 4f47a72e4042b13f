"""Put the winners back: swap regions of the model for their ModelNew kernels.

Two ways, chosen per patch:
- module: every chosen region is exactly one module's forward (a LayerNorm, a
  Sequential(Linear, GELU), a leaf op in the per-op fallback); a copy of the user's model
  gets that module replaced by path. The user's model object is never touched.
- graph: otherwise. The forward is captured again (torch.export) and each region's nodes
  are replaced by one call to its kernel.
Each kernel instance gets the model's own weights for its occurrence, by the task's
parameter names (load_state_dict, strict). With `custom_ops`, each call goes through a
`torch.library` custom op (fake implementation: the task's reference on meta tensors),
so torch.compile can keep the kernel as one opaque op.
"""

import copy
import itertools
import os
from typing import List

import torch

from ..cache import cache_dir
from ..dsl import adapter_class
from ..loading import import_file, load_candidate
from ..tunables import Tunables
from .capture import capture, parameter_targets

_UNIQUE = itertools.count(1)


class RegionRefused(RuntimeError):
    """A region's kernel cannot go into the model; the message says which and why."""

    def __init__(self, task_id: str, message: str):
        super().__init__(f"{task_id}: {message}")
        self.task_id = task_id
        self.reason = message


class KernelCall(torch.nn.Module):
    """Stands where a region was: calls its ModelNew (directly, or through a custom op)."""

    def __init__(self, kernel, task_id: str, operator=None):
        super().__init__()
        self.kernel = kernel
        self.task_id = task_id
        self.operator = operator

    def forward(self, *inputs):
        if self.operator is not None:
            return self.operator(list(inputs))
        return self.kernel(*inputs)


def load_kernel_class(path: str, dsl: str, backend, build_dir=None):
    """ModelNew from a winning candidate, loaded through its DSL adapter (build cache)."""
    adapter = adapter_class(dsl)(backend, Tunables(None), cache_dir("build", build_dir=build_dir), path)
    adapter.check_environment()
    adapter.activate()
    return load_candidate(path).ModelNew


def load_task_module(path: str):
    return import_file(path, "akg_region_task")


def _instance(kernel_class, task: dict, occurrence: dict, state: dict, device):
    try:
        with torch.no_grad():
            kernel = kernel_class()
    except Exception as error:
        raise RegionRefused(task["id"], f"ModelNew() failed: {type(error).__name__}: {error}") from error
    if isinstance(kernel, torch.nn.Module):
        names = task["parameter_names"]
        weights = {name: state[key] for name, key in zip(names, occurrence["parameters"])}
        own = set(kernel.state_dict().keys())
        if own != set(weights):
            raise RegionRefused(
                task["id"],
                (
                    f"ModelNew's parameters {sorted(own) or 'none'} are not the task's "
                    f"{sorted(weights) or 'none'}: the patch loads the model's weights by the "
                    "task's names, so ModelNew must keep them"
                ),
            )
        kernel.load_state_dict(weights, strict=True)
        kernel = kernel.to(device).eval()
    return kernel


def _custom_op(kernel, task: dict, task_module, index: int):
    from torch._subclasses.fake_tensor import unset_fake_temporarily

    with torch.device("meta"):
        reference = task_module.Model()
    name = f"akg_patch::{task['id']}_{index}_{os.getpid()}_{next(_UNIQUE)}"

    @torch.library.custom_op(name, mutates_args=())
    def region(inputs: List[torch.Tensor]) -> torch.Tensor:
        output = kernel(*inputs)
        if any(output.data_ptr() == x.data_ptr() for x in inputs):
            output = output.clone()  # a custom op may not return an alias of its input
        return output

    @region.register_fake
    def _(inputs):
        with unset_fake_temporarily():
            shaped = reference(*[torch.empty(x.shape, dtype=x.dtype, device="meta") for x in inputs])
        return inputs[0].new_empty(shaped.shape, dtype=shaped.dtype)

    return region


def _set_submodule(model, path: str, replacement) -> None:
    parent_path, _, name = path.rpartition(".")
    parent = model.get_submodule(parent_path) if parent_path else model
    setattr(parent, name, replacement)


def _external_inputs(nodes: list, parameters: dict) -> list:
    inside = {n.name for n in nodes}
    seen, inputs = set(), []
    for node in nodes:
        for argument in node.all_input_nodes:
            if argument.name in inside or argument.name in seen or argument.name in parameters:
                continue
            seen.add(argument.name)
            inputs.append(argument)
    return inputs


def _graph_swap(module, task: dict, occurrence: dict, call: KernelCall, slot: str) -> None:
    nodes_by_name = {n.name: n for n in module.graph.nodes}
    missing = [name for name in occurrence["nodes"] if name not in nodes_by_name]
    if missing:
        raise RegionRefused(
            task["id"],
            f"the model's graph no longer has {', '.join(missing[:3])}"
            ": the model changed since extraction; extract again",
        )
    nodes = [nodes_by_name[name] for name in occurrence["nodes"]]
    inputs = _external_inputs(nodes, parameter_targets(module))
    tail = nodes[-1]
    module.add_submodule(slot, call)
    with module.graph.inserting_before(tail):
        replacement = module.graph.call_module(slot, tuple(inputs))
    tail.replace_all_uses_with(replacement)
    for node in reversed(nodes):
        if node.users:
            raise RegionRefused(task["id"], f"{node.name} is used outside the region")
        module.graph.erase_node(node)


def patchable_mode(tasks: List[dict]) -> str:
    occurrences = [o for task in tasks for o in task["occurrences"]]
    return "module" if occurrences and all(o.get("aligned") for o in occurrences) else "graph"


def build_patched(
    model,
    inputs: list,
    tasks: List[dict],
    kernels: dict,
    task_modules: dict,
    device,
    mode: str,
    custom_ops: bool = False,
    graphs: dict = None,
):
    """The patched model (a new object) for one input set. `kernels`: task id -> ModelNew.
    `graphs` caches the captured graph per input shape (capturing a large model takes
    seconds; each patch gets its own copy)."""
    state = model.state_dict(keep_vars=False)
    if mode == "module":
        patched = copy.deepcopy(model)
    else:
        key = tuple(tuple(t.shape) for t in inputs if isinstance(t, torch.Tensor))
        captured = graphs.get(key) if graphs is not None else None
        if captured is None:
            captured = capture(model, inputs)
            if graphs is not None and captured.module is not None:
                graphs[key] = captured
        if captured.module is None:
            raise RegionRefused(
                tasks[0]["id"] if tasks else "-",
                (f"{captured.reason}; without a graph only regions that are a whole module can be swapped"),
            )
        patched = copy.deepcopy(captured.module)
    for task in tasks:
        for index, occurrence in enumerate(task["occurrences"]):
            kernel = _instance(kernels[task["id"]], task, occurrence, state, device)
            operator = _custom_op(kernel, task, task_modules[task["id"]], index) if custom_ops else None
            call = KernelCall(kernel, task["id"], operator)
            if mode == "module":
                _set_submodule(patched, occurrence["path"], call)
            else:
                _graph_swap(patched, task, occurrence, call, f"akg_{task['id']}_{index}")
    if mode == "graph":
        patched.graph.lint()
        patched.recompile()
        return patched  # an exported graph is already in inference form (it refuses eval())
    return patched.eval()
