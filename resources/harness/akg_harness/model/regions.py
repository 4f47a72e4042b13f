"""Cut the captured graph into regions: chains a single kernel could compute.

A chain starts at any op that does work and grows through its only consumer while that
consumer can be fused: element-wise ops always, one reduction (norm, softmax, reduce,
loss, pool) per chain, and the second matrix product of an attention chain
(matmul -> softmax -> matmul). Views and eval-mode dropout ride along for free. Every
intermediate value has exactly one consumer, so nothing outside needs it and the chain
can be replaced by one call. Ops that join no chain stand alone (per-op regions).
"""

import dataclasses
from typing import List

import torch

from .capture import module_path, parameter_targets, value_meta
from .ops import kind, op_name, target_text


@dataclasses.dataclass
class Region:
    nodes: List[str]  # graph node names, in order
    ops: List[str]  # aten op names of the non-free nodes
    kinds: List[str]
    path: str  # deepest module path holding every node
    node_paths: List[str]
    inputs: List[dict]  # {node, shape, dtype} activations from outside
    parameters: List[dict]  # {name, key, shape, dtype, buffer, mean, std, min, max}
    output: dict  # {node, shape, dtype}
    code: List[str]  # forward body of the generated task
    aligned: bool = False  # the module at `path` computes exactly this chain
    signature: str = ""
    time_ms: float = 0.0
    flops: int = 0

    @property
    def label(self) -> str:
        return " -> ".join(self.ops)


def _users(node) -> list:
    return list(node.users)


def _single_consumer(node):
    users = _users(node)
    return users[0] if len(users) == 1 else None


def _accepts(region_kinds: list, following: str) -> bool:
    if following == "elementwise":
        return True
    closed = any(k in ("norm", "softmax", "reduce", "loss", "pool", "attention") for k in region_kinds)
    if following in ("norm", "softmax", "reduce", "loss", "pool"):
        return not closed
    if following == "matmul":  # attention written out: matmul -> softmax -> matmul
        return (
            region_kinds[:1] == ["matmul"] and "softmax" in region_kinds and region_kinds.count("matmul") == 1
        )
    return False


def grow_chains(module) -> List[List]:
    """Lists of fx nodes, each a chain; every working node is in exactly one."""
    nodes = [n for n in module.graph.nodes if n.op == "call_function"]
    taken = set()
    chains = []
    for node in nodes:
        if node in taken or kind(op_name(node.target)) == "free":
            continue
        chain = [node]
        kinds = [kind(op_name(node.target))]
        tail = node
        while True:
            pending = []
            follower = _single_consumer(tail)
            while (
                follower is not None
                and follower.op == "call_function"
                and kind(op_name(follower.target)) == "free"
                and follower not in taken
            ):
                pending.append(follower)
                follower = _single_consumer(follower)
            if follower is None or follower.op != "call_function" or follower in taken:
                break
            following = kind(op_name(follower.target))
            if not _accepts(kinds, following):
                break
            chain += pending + [follower]
            kinds.append(following)
            tail = follower
        taken.update(chain)
        chains.append(chain)
    return chains


def _render(value, names: dict) -> str:
    import torch.fx

    if isinstance(value, torch.fx.Node):
        return names[value.name]
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_render(item, names) for item in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, torch.dtype):
        return str(value)
    if isinstance(value, torch.device):
        return "x0.device"  # the region's own device, whichever the task runs on
    if isinstance(value, (torch.memory_format, torch.layout)):
        return str(value)
    if isinstance(value, float) and value != value:
        return "float('nan')"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f"float('{value}')"
    return repr(value)


def _tensor_stats(tensor: torch.Tensor) -> dict:
    if not tensor.dtype.is_floating_point or tensor.numel() == 0:
        return {
            "mean": 0.0,
            "std": 0.0,
            "min": float(tensor.min()) if tensor.numel() else 0.0,
            "max": float(tensor.max()) if tensor.numel() else 0.0,
        }
    data = tensor.detach().float()
    return {
        "mean": float(data.mean()),
        "std": float(data.std()) if data.numel() > 1 else 0.0,
        "min": float(data.min()),
        "max": float(data.max()),
    }


def describe(chain: list, module, params: dict) -> Region:
    inside = {n.name for n in chain}
    names, inputs, parameters, code = {}, [], [], []
    for node in chain:
        for argument in node.all_input_nodes:
            if argument.name in inside or argument.name in names:
                continue
            if argument.name in params:
                key, tensor, buffer = params[argument.name]
                local = key.replace(".", "_")
                names[argument.name] = f"self.{local}"
                parameters.append(
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
                meta = value_meta(argument)
                names[argument.name] = f"x{len(inputs)}"
                inputs.append(
                    {
                        "node": argument.name,
                        "shape": list(meta[0]) if meta else None,
                        "dtype": str(meta[1]).replace("torch.", "") if meta else None,
                    }
                )
        variable = f"v{len(code)}"
        arguments = [_render(a, names) for a in node.args] + [
            f"{k}={_render(v, names)}" for k, v in node.kwargs.items()
        ]
        code.append(f"{variable} = {target_text(node.target)}({', '.join(arguments)})")
        names[node.name] = variable
    tail = chain[-1]
    meta = value_meta(tail)
    working = [n for n in chain if kind(op_name(n.target)) != "free"]
    paths = [module_path(n) for n in chain]
    common = _common_path(paths)
    region = Region(
        nodes=[n.name for n in chain],
        ops=[op_name(n.target) for n in working],
        kinds=[kind(op_name(n.target)) for n in working],
        path=common,
        node_paths=paths,
        inputs=inputs,
        parameters=parameters,
        output={
            "node": tail.name,
            "shape": list(meta[0]) if meta else None,
            "dtype": str(meta[1]).replace("torch.", "") if meta else None,
        },
        code=code,
    )
    region.signature = _signature(region)
    return region


def _common_path(paths: list) -> str:
    split = [p.split(".") if p else [] for p in paths]
    common = []
    for parts in zip(*split):
        if all(part == parts[0] for part in parts):
            common.append(parts[0])
        else:
            break
    return ".".join(common)


def _signature(region: Region) -> str:
    """Equal for chains a single ModelNew computes: same code, parameter shapes and dtypes."""
    parameters = [(p["name"].split("_")[-1], tuple(p["shape"]), p["dtype"]) for p in region.parameters]
    body = [line.split(" = ", 1)[1] for line in region.code]
    # parameter names differ between layers; the signature keys on their order and shapes
    for index, parameter in enumerate(region.parameters):
        body = [line.replace(f"self.{parameter['name']}", f"self.p{index}") for line in body]
    inputs = [tuple(i["shape"] or ()) for i in region.inputs]
    return repr((body, parameters, inputs, region.output["dtype"]))


def mark_aligned(regions: List[Region], module) -> None:
    """A region is aligned with its module when that module's forward is the whole chain:
    then the patch can swap the module by path in the user's model."""
    by_path = {}
    for node in module.graph.nodes:
        if node.op == "call_function" and kind(op_name(node.target)) != "free":
            path = module_path(node)
            by_path.setdefault(path, []).append(node.name)
    for region in regions:
        if not region.path or len(region.inputs) != 1:
            continue
        under = [
            name
            for path, names in by_path.items()
            if path == region.path or path.startswith(region.path + ".")
            for name in names
        ]
        working = [name for name, k in zip(region.nodes, _kinds_of(region, module)) if k != "free"]
        region.aligned = sorted(under) == sorted(working)


def _kinds_of(region: Region, module) -> list:
    nodes = {n.name: n for n in module.graph.nodes}
    return [kind(op_name(nodes[name].target)) for name in region.nodes]


def find_regions(module) -> List[Region]:
    params = parameter_targets(module)
    regions = [describe(chain, module, params) for chain in grow_chains(module)]
    mark_aligned(regions, module)
    return regions
