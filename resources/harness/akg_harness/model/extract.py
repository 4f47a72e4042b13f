"""`akg model profile` and `akg model extract`: the report, and the task folder.

profile: open the model, run it once, trace it in eager (per op, per module), capture its
graph, cut regions, time each region's nodes, and rank regions by the time a kernel could
save (measured time minus the region's floor from the device's peaks).
extract: the same, then a KernelBench task file per chosen region beside the model, in
`<model>.akg-tasks/`, with `regions.json` (what the patch needs). A task file the user
edited since it was written is kept, not overwritten.
"""

import json
import os
import time

import torch
import torch.fx

from ..backends import get_backend
from ..peaks import peaks_for
from ..roofline import section
from . import fallback
from .capture import capture
from .load import open_model, run_forward
from .profile import compile_fusions, node_flops, profile_eager, profile_graph
from .regions import Region, _tensor_stats, find_regions
from .taskgen import digest, file_name, task_source

SCHEMA_VERSION = 1
DEFAULT_TOP = 5
MAX_SHAPE_SETS = 3
MANIFEST = "regions.json"


def tasks_dir_for(model_path: str) -> str:
    base = model_path.rstrip(os.sep)
    if base.endswith(".py"):
        base = base[:-3]
    return base + ".akg-tasks"


def _spec(tensor) -> dict:
    if isinstance(tensor, torch.Tensor):
        return {"shape": list(tensor.shape), "dtype": str(tensor.dtype).replace("torch.", "")}
    return {"value": repr(tensor)}


class _Values(torch.fx.Interpreter):
    """Runs the graph keeping every node's value (for the activations' statistics)."""

    def run_node(self, node):
        value = super().run_node(node)
        if isinstance(value, torch.Tensor):
            self.kept[node.name] = _tensor_stats(value)
        return value


def _activation_stats(module, inputs: list) -> dict:
    interpreter = _Values(module)
    interpreter.kept = {}
    with torch.no_grad():
        interpreter.run(*inputs)
    for node, value in zip([n for n in module.graph.nodes if n.op == "placeholder"], inputs):
        if isinstance(value, torch.Tensor):
            interpreter.kept[node.name] = _tensor_stats(value)
    return interpreter.kept


def _floor(region: Region, peaks: dict) -> dict:
    moved = sum(_nbytes(spec) for spec in region.inputs + region.parameters) + _nbytes(region.output)
    work = {"flops": region.flops or None, "bytes": moved, "dtype": region.output.get("dtype") or "float32"}
    roof = section(work, peaks, None)
    return {"bytes": moved, "floor_ms": roof["floor_ms"]}


def _nbytes(spec: dict) -> int:
    if not spec.get("shape") and spec.get("shape") != []:
        return 0
    count = 1
    for size in spec["shape"]:
        count *= size
    return count * torch.empty((), dtype=getattr(torch, spec["dtype"])).element_size()


def analyse(model_path: str, device: str, compile_breakdown: bool = False, runs: int = 5) -> dict:
    started = time.perf_counter()
    durations = {}
    backend = get_backend(device)
    opened = open_model(model_path, device)
    durations["load"] = time.perf_counter() - started
    run_forward(opened, opened.inputs)
    notes = []
    mark = time.perf_counter()
    eager = profile_eager(opened.model, opened.inputs, backend, runs)
    durations["profile"] = time.perf_counter() - mark
    peaks = peaks_for(backend) or {}
    mark = time.perf_counter()
    captured = capture(opened.model, opened.inputs)
    durations["capture"] = captured.seconds
    if captured.module is not None:
        regions = find_regions(captured.module)
        times = profile_graph(captured.module, opened.inputs, backend, runs)
        try:
            flops = node_flops(captured.module, opened.inputs)
        except Exception as error:  # FLOPs only sharpen the floor; bytes still bound it
            flops = {}
            notes.append(f"FLOP counting failed ({type(error).__name__}): floors use bytes only")
        values = _activation_stats(captured.module, opened.inputs)
        for region in regions:
            region.time_ms = sum(times.get(name, 0.0) for name in region.nodes)
            region.flops = sum(flops.get(name, 0) for name in region.nodes)
            for spec in region.inputs:
                spec.update(values.get(spec["node"], {}))
        graph_total = sum(times.values())
        method = "torch.export"
    else:
        notes.append(
            f"{captured.reason}. Falling back to per-op tasks: each aten op the "
            "forward called, timed one call at a time with the device synchronised; "
            "no fused chains, and only ops that are a whole leaf module can be "
            "patched back (by module path)."
        )
        regions = fallback.record_ops(opened.model, opened.inputs, backend)
        _mark_leaf_aligned(regions, opened.model)
        graph_total = sum(region.time_ms for region in regions)
        method = "per-op"
    durations["regions"] = time.perf_counter() - mark
    groups = _group(regions, peaks)
    if method == "torch.export" and len(opened.input_sets) > 1:
        _add_shape_sets(groups, opened, notes)
    compiled = None
    if compile_breakdown:
        mark = time.perf_counter()
        try:
            compiled = compile_fusions(opened.model, opened.inputs, backend)
        except Exception as error:
            compiled = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
        durations["compile"] = time.perf_counter() - mark
    durations["total"] = time.perf_counter() - started
    # Region times come from the graph's own trace (or the per-op timings): shares are of
    # that total, so they add up to at most 1 whatever the eager fast paths do.
    total = graph_total or eager["total_ms"]
    for group in groups:
        group["share"] = group["time_ms"] / total if total else 0.0
    return {
        "schema_version": SCHEMA_VERSION,
        "model": {
            "path": opened.path,
            "name": opened.name,
            "source": opened.source,
            "parameters": sum(p.numel() for p in opened.model.parameters()),
            "input_sets": [[_spec(t) for t in inputs] for inputs in opened.input_sets],
        },
        "device": {"id": device, "name": backend.name(), "peaks": peaks},
        "capture": {"method": method, "seconds": captured.seconds, "reason": captured.reason},
        "eager": eager,
        "graph_total_ms": graph_total,
        "tasks": groups,
        "compile": compiled,
        "notes": notes,
        "durations": durations,
        "_opened": opened,
    }


def _mark_leaf_aligned(regions: list, model) -> None:
    counts = {}
    for region in regions:
        counts[region.path] = counts.get(region.path, 0) + 1
    leaves = {path for path, module in model.named_modules() if not list(module.children())}
    for region in regions:
        region.aligned = (
            bool(region.path)
            and region.path in leaves
            and counts[region.path] == 1
            and len(region.inputs) == 1
        )


def _group(regions: list, peaks: dict) -> list:
    """Regions with the same computation become one task with several occurrences."""
    groups = {}
    for region in regions:
        floor = _floor(region, peaks)
        occurrence = {
            "path": region.path,
            "nodes": region.nodes,
            "aligned": region.aligned,
            "time_ms": region.time_ms,
            "floor_ms": floor["floor_ms"],
            "parameters": [p["key"] for p in region.parameters],
        }
        group = groups.get(region.signature)
        if group is None:
            group = groups[region.signature] = {
                "region": {
                    "label": region.label,
                    "ops": region.ops,
                    "kinds": region.kinds,
                    "inputs": region.inputs,
                    "parameters": region.parameters,
                    "output": region.output,
                    "code": region.code,
                },
                "occurrences": [],
                "time_ms": 0.0,
                "floor_ms": 0.0,
                "flops": region.flops,
                "bytes": floor["bytes"],
                "input_shapes": [[{k: v for k, v in spec.items() if k != "node"} for spec in region.inputs]],
            }
        group["occurrences"].append(occurrence)
        group["time_ms"] += region.time_ms
        if floor["floor_ms"] is not None:
            group["floor_ms"] += floor["floor_ms"]
    ranked = []
    for group in groups.values():
        group["savings_ms"] = max(group["time_ms"] - group["floor_ms"], 0.0)
        ranked.append(group)
    ranked.sort(key=lambda g: -g["savings_ms"])
    for index, group in enumerate(ranked, 1):
        group["id"] = f"r{index:02d}"
        group["file"] = file_name(index, group["region"]["ops"])
    return ranked


def _add_shape_sets(groups: list, opened, notes: list) -> None:
    """Other input sets (serving batch sizes): the same chains, other shapes."""
    for inputs in opened.input_sets[1:MAX_SHAPE_SETS]:
        other = capture(opened.model, inputs)
        if other.module is None:
            notes.append(
                f"input set {[_spec(t)['shape'] for t in inputs]} could not be captured: {other.reason}"
            )
            continue
        by_node = {}
        for region in find_regions(other.module):
            by_node[tuple(region.nodes)] = region
        for group in groups:
            for occurrence in group["occurrences"][:1]:
                region = by_node.get(tuple(occurrence["nodes"]))
                if region is None:
                    continue
                if region.code != group["region"]["code"]:
                    # views with the batch written into their sizes: one task per shape
                    notes.append(
                        f"{group['id']} ({group['region']['label']}) has shape-specific "
                        f"code (view sizes), so its task holds only the first input "
                        f"set's shapes; its kernel is checked on the others too"
                    )
                    continue
                shapes = [{"shape": spec["shape"], "dtype": spec["dtype"]} for spec in region.inputs]
                known = [
                    [{"shape": s["shape"], "dtype": s["dtype"]} for s in shape_set]
                    for shape_set in group["input_shapes"]
                ]
                if shapes not in known:
                    stats = group["input_shapes"][0]
                    group["input_shapes"].append([dict(stat, **shape) for stat, shape in zip(stats, shapes)])


def choose(groups: list, select=None, top: int = DEFAULT_TOP, at_floor: bool = False) -> list:
    """The regions to write as tasks: those asked for by id or file, else the `top` that could
    save time (`at_floor` also takes those already at their floor: their savings depend on the
    measured peaks, which a loaded machine measures low)."""
    if select:
        wanted = set(select)
        unknown = wanted - {g["id"] for g in groups} - {g["file"] for g in groups}
        if unknown:
            raise ValueError(
                f"no region {', '.join(sorted(unknown))}; the profile lists "
                f"{', '.join(g['id'] for g in groups[:20])}"
            )
        return [g for g in groups if g["id"] in wanted or g["file"] in wanted]
    return [g for g in groups if at_floor or g["savings_ms"] > 0][:top]


def write_tasks(report: dict, chosen: list, out_dir: str) -> list:
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, MANIFEST)
    previous = {}
    if os.path.isfile(manifest_path):
        try:
            with open(manifest_path) as handle:
                previous = {t["file"]: t for t in json.load(handle).get("tasks", [])}
        except (OSError, ValueError):
            previous = {}
    written = []
    for group in chosen:
        path = os.path.join(out_dir, group["file"])
        text = task_source(
            dict(group, method=report["capture"]["method"]), report["model"]["name"], report["device"]["id"]
        )
        group["digest"] = digest(text)
        status = "written"
        if os.path.isfile(path):
            with open(path) as handle:
                current = handle.read()
            old = previous.get(group["file"], {}).get("digest")
            if digest(current) == group["digest"]:
                status = "unchanged"
            elif old is None or digest(current) != old:
                status = "kept (edited since it was written)"
                group["digest"] = old or digest(current)
        if status == "written":
            with open(path, "w") as handle:
                handle.write(text)
        group["status"] = status
        group["task_path"] = path
        written.append({"id": group["id"], "file": group["file"], "path": path, "status": status})
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "model": report["model"],
        "device": report["device"]["id"],
        "capture": report["capture"],
        "eager_total_ms": report["eager"]["total_ms"],
        "regions_total_ms": report["graph_total_ms"],
        "tasks": [_manifest_entry(group) for group in chosen],
    }
    temporary = manifest_path + f".tmp{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(manifest, handle, indent=2, default=str)
    os.replace(temporary, manifest_path)
    return written


def _manifest_entry(group: dict) -> dict:
    return {
        key: group[key]
        for key in ("id", "file", "digest", "occurrences", "time_ms", "floor_ms", "savings_ms")
    } | {
        "label": group["region"]["label"],
        "parameter_names": [p["name"] for p in group["region"]["parameters"]],
        "output": group["region"]["output"],
    }


def public(report: dict) -> dict:
    """The report without live objects, for JSON."""
    return {key: value for key, value in report.items() if not key.startswith("_")}


def run_profile(args: dict) -> dict:
    report = analyse(
        args["model"],
        args.get("device", "cpu"),
        compile_breakdown=bool(args.get("compile", False)),
        runs=int(args.get("runs", 5)),
    )
    return public(report)


def run_extract(args: dict) -> dict:
    report = analyse(
        args["model"],
        args.get("device", "cpu"),
        compile_breakdown=bool(args.get("compile", False)),
        runs=int(args.get("runs", 5)),
    )
    chosen = choose(
        report["tasks"], args.get("regions"), int(args.get("top") or DEFAULT_TOP), bool(args.get("at_floor"))
    )
    out_dir = args.get("out_dir") or tasks_dir_for(report["model"]["path"])
    report["written"] = write_tasks(report, chosen, out_dir)
    report["tasks_dir"] = out_dir
    return public(report)
