"""`akg model apply` and `akg model compare`.

apply: load each winning kernel, swap its region into a copy of the model, check the
model's outputs on every input set; a region whose kernel breaks them is refused and
named. The accepted ones are checked together, then written as a patch module
(`_akg_patch.py` in the task folder) that patches a model object at import-free cost;
the user's files stay as they are.
compare: apply, then time eager, torch.compile, patched eager and patched + compile on
each input set with the harness's timing protocol.
"""

import json
import os
import time

import torch

from ..backends import get_backend
from ..dsl.base import INTERPRETED_DETAIL
from ..serve import write_json
from . import ab
from .extract import MANIFEST
from .load import open_model, run_forward
from .patch import RegionRefused, build_patched, load_kernel_class, load_task_module, patchable_mode
from .taskgen import digest
from .verify import Truth, _forward, check

# Leading underscore: task listings and `akg bench` skip it, so it is never taken for a task.
PATCH_MODULE = "_akg_patch.py"
PATCH_REPORT = "patch.json"


def read_manifest(tasks_dir: str) -> dict:
    path = os.path.join(tasks_dir, MANIFEST)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} not found: run `akg model extract` first")
    with open(path) as handle:
        return json.load(handle)


def _select(manifest: dict, kernels: dict) -> list:
    by_key = {}
    for task in manifest["tasks"]:
        by_key[task["id"]] = task
        by_key[task["file"]] = task
    unknown = [key for key in kernels if key not in by_key]
    if unknown:
        raise ValueError(
            f"no task {', '.join(unknown)} in the folder's {MANIFEST}; it has "
            f"{', '.join(t['id'] for t in manifest['tasks'])}"
        )
    chosen = []
    for key, kernel in kernels.items():
        task = dict(by_key[key])
        if isinstance(kernel, str):
            kernel = {"path": kernel}
        task["kernel"] = {"path": os.path.abspath(kernel["path"]), "dsl": kernel.get("dsl") or "cpp"}
        chosen.append(task)
    return chosen


def _load(tasks: list, tasks_dir: str, backend, refused: dict, notes: list):
    classes, modules = {}, {}
    for task in tasks:
        path = os.path.join(tasks_dir, task["file"])
        try:
            with open(path) as handle:
                if digest(handle.read()) != task.get("digest"):
                    notes.append(
                        f"{task['id']}: {task['file']} was edited after extraction; "
                        "the patch still feeds it the inputs and weights the "
                        "extraction recorded"
                    )
            modules[task["id"]] = load_task_module(path)
        except Exception as error:
            refused[task["id"]] = (
                f"its task file {task['file']} does not import: {type(error).__name__}: {error}"
            )
            continue
        try:
            classes[task["id"]] = load_kernel_class(task["kernel"]["path"], task["kernel"]["dsl"], backend)
        except Exception as error:
            first = str(error).strip().splitlines()[0][:400] if str(error).strip() else ""
            refused[task["id"]] = (
                f"its kernel {os.path.basename(task['kernel']['path'])} does "
                f"not load: {type(error).__name__}: {first}"
            )
    return classes, modules


def apply(args: dict, opened=None) -> dict:
    started = time.perf_counter()
    device = args.get("device", "cpu")
    backend = get_backend(device)
    tasks_dir = os.path.abspath(args["tasks_dir"])
    manifest = read_manifest(tasks_dir)
    tasks = _select(manifest, args.get("kernels") or {})
    if not tasks:
        raise ValueError(
            "no kernels given: map a task to its winning candidate, as in --kernel r01=winner.py"
        )
    opened = opened or open_model(args.get("model") or manifest["model"]["path"], device)
    originals = [_forward_checked(opened, inputs) for inputs in opened.input_sets]
    truth = Truth(opened.model)
    refused, notes = {}, []
    classes, modules = _load(tasks, tasks_dir, backend, refused, notes)
    mode = args.get("mode") or patchable_mode(tasks)
    graphs = {}
    regions = []
    for task in tasks:
        entry = {
            "id": task["id"],
            "file": task["file"],
            "label": task["label"],
            "kernel": task["kernel"],
            "paths": [o["path"] for o in task["occurrences"]],
            "status": "refused",
            "reason": refused.get(task["id"]),
            "checks": [],
        }
        regions.append(entry)
        if entry["reason"]:
            continue
        try:
            for index, inputs in enumerate(opened.input_sets):
                patched = build_patched(
                    opened.model, inputs, [task], classes, modules, backend.torch_device, mode, graphs=graphs
                )
                result = check(originals[index], patched, inputs, truth, index)
                entry["checks"].append(result)
                if not result["passed"]:
                    raise RegionRefused(
                        task["id"],
                        f"its kernel breaks the model's output on input set {index}: {result['summary']}",
                    )
            entry["status"] = "accepted"
        except RegionRefused as error:
            entry["reason"] = error.reason
        except Exception as error:
            entry["reason"] = f"patching failed: {type(error).__name__}: {error}"
    accepted = [
        task for task in tasks if any(r["id"] == task["id"] and r["status"] == "accepted" for r in regions)
    ]

    def together(chosen: list) -> list:
        checks = []
        for index, inputs in enumerate(opened.input_sets):
            patched = build_patched(
                opened.model, inputs, chosen, classes, modules, backend.torch_device, mode, graphs=graphs
            )
            checks.append(check(originals[index], patched, inputs, truth, index))
        return checks

    combined = together(accepted) if accepted else []
    all_together = None
    if combined and not all(c["passed"] for c in combined):
        all_together = {"passed": False, "ids": [t["id"] for t in accepted], "checks": combined}
        kept, combined, dropped = passing_subset(accepted, together)
        for task, failed, before in dropped:
            entry = next(r for r in regions if r["id"] == task["id"])
            entry["status"] = "refused"
            entry["reason"] = (
                f"its kernel passes alone, but with {', '.join(t['id'] for t in before)} "
                f"the model's output drifts out of tolerance: {failed['summary']}"
            )
        notes.append(
            f"all {len(accepted)} accepted regions together broke the output; regions were added in "
            "order of what they could save and each kept only if the set still matched the model: "
            f"kept {', '.join(t['id'] for t in kept) or 'none'}, left out "
            f"{', '.join(t['id'] for t, _, _ in dropped)}"
        )
        accepted = [task for task in accepted if task in kept]
    report = {
        "schema_version": 1,
        "model": manifest["model"],
        "device": device,
        "tasks_dir": tasks_dir,
        "mode": mode,
        "regions": regions,
        "accepted": [t["id"] for t in accepted],
        "refused": [{"id": r["id"], "reason": r["reason"]} for r in regions if r["status"] == "refused"],
        "combined": {"passed": all(c["passed"] for c in combined) if combined else None, "checks": combined},
        "all_together": all_together,
        "notes": notes,
        "seconds": time.perf_counter() - started,
    }
    if accepted and report["combined"]["passed"]:
        report["patch_module"] = write_patch_module(tasks_dir, accepted, mode, report)
    write_json(os.path.join(tasks_dir, PATCH_REPORT), report)
    report["_state"] = (opened, accepted, classes, modules, mode, originals, truth, graphs)
    return report


def passing_subset(accepted: list, together) -> tuple:
    """Regions that each pass alone but break the output together: add them in order of what
    they could save (`savings_ms`, the extraction's ranking), keeping each only if the set
    with it still passes on every input set. `together(tasks)` -> one check per input set.
    Returns (kept, the kept set's checks, [(left out, its first failing check, the regions
    kept when it was tried)])."""
    ordered = sorted(accepted, key=lambda task: -(task.get("savings_ms") or 0.0))
    kept, checks, dropped = [], [], []
    for task in ordered:
        trial = together(kept + [task])
        failing = [c for c in trial if not c["passed"]]
        if failing:
            dropped.append((task, failing[0], kept))
        else:
            kept, checks = kept + [task], trial
    return kept, checks, dropped


def _forward_checked(opened, inputs):
    run_forward(opened, inputs)
    return _forward(opened.model, inputs)


def write_patch_module(tasks_dir: str, accepted: list, mode: str, report: dict) -> str:
    spec = {
        "mode": mode,
        "model": report["model"]["path"],
        "tasks": [
            {key: task[key] for key in ("id", "file", "label", "occurrences", "parameter_names", "kernel")}
            for task in accepted
        ],
    }
    refused = "".join(f"\n  {item['id']}: {item['reason']}" for item in report["refused"])
    text = f'''"""Generated by `akg model apply`: swaps {", ".join(t["id"] for t in accepted)} of
{os.path.basename(report["model"]["path"])} for their kernels ({mode} mode). Regenerate, do not edit.

    import _akg_patch
    patched = _akg_patch.patch(model, example_inputs)   # a new model; `model` is unchanged

The model's own file is not changed. Needs akg_harness importable (PYTHONPATH).
Refused (their kernels broke the model's output):{refused or " none"}
"""

import json
import os

PATCH = json.loads(r"""{json.dumps(spec, indent=1)}""")


def patch(model, example_inputs=None, custom_ops=False):
    from akg_harness.model.apply import patched_from_spec

    return patched_from_spec(model, example_inputs, PATCH,
                             os.path.dirname(os.path.abspath(__file__)), custom_ops)
'''
    path = os.path.join(tasks_dir, PATCH_MODULE)
    with open(path, "w") as handle:
        handle.write(text)
    return path


def patched_from_spec(model, example_inputs, spec: dict, tasks_dir: str, custom_ops=False):
    """What the generated patch module calls: the patched copy of `model`."""
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    backend = get_backend(str(device) if device.type == "cpu" else f"{device.type}:{device.index or 0}")
    classes, modules = {}, {}
    for task in spec["tasks"]:
        modules[task["id"]] = load_task_module(os.path.join(tasks_dir, task["file"]))
        classes[task["id"]] = load_kernel_class(task["kernel"]["path"], task["kernel"]["dsl"], backend)
    if spec["mode"] == "graph" and example_inputs is None:
        raise ValueError("this patch swaps graph regions: pass example_inputs to capture the forward")
    return build_patched(
        model,
        list(example_inputs or []),
        spec["tasks"],
        classes,
        modules,
        device,
        spec["mode"],
        custom_ops=custom_ops,
    )


def compare(args: dict) -> dict:
    report = apply(args)
    opened, accepted, classes, modules, mode, originals, truth, graphs = report.pop("_state")
    backend = get_backend(args.get("device", "cpu"))
    trials, warmup = args.get("timing_trials"), args.get("warmup")
    budget = float(args.get("budget_s", 30.0))
    with_compile = bool(args.get("compile", True))
    manifest = read_manifest(report["tasks_dir"])
    total = manifest.get("regions_total_ms") or manifest.get("eager_total_ms")
    held = sum(t["time_ms"] for t in manifest["tasks"] if t["id"] in report["accepted"])
    report["region_share"] = held / total if total else None
    report["sets"] = []
    if not accepted or not report["combined"]["passed"]:
        report["notes"].append("nothing to time: no region was accepted")
        return report
    # Triton on the CPU runs under its interpreter: the patched sides are checked, not timed
    # (their times would be the interpreter's, not the kernels').
    interpreted = backend.kind == "cpu" and any(
        (args.get("kernels") or {}).get(task, {}).get("dsl") == "triton" for task in report["accepted"]
    )
    if interpreted:
        report["notes"].append(f"patched sides not timed: {INTERPRETED_DETAIL}")
    for index, inputs in enumerate(opened.input_sets):
        sets = ab.timing_sets(inputs)
        batch = ab.batch_of(inputs)
        sides = {}

        def timed(name, build):
            if interpreted and name.startswith("patched"):
                sides[name] = {"skipped": INTERPRETED_DETAIL}
                return
            try:
                model = build()
                sides[name] = ab.with_throughput(
                    ab.time_side(model, sets, backend, trials, warmup, budget), batch
                )
            except Exception as error:
                sides[name] = {"error": f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300]}"}

        timed("eager", lambda: opened.model)
        timed(
            "patched",
            lambda: build_patched(
                opened.model, inputs, accepted, classes, modules, backend.torch_device, mode, graphs=graphs
            ),
        )
        if mode == "graph":
            from .capture import capture

            # the unpatched captured graph: how much of patched-vs-eager is the graph itself
            timed("graph", lambda: capture(opened.model, inputs).module)
        if with_compile:
            torch._dynamo.reset()
            timed("compile", lambda: torch.compile(opened.model))
            torch._dynamo.reset()
            patched_compile = {}

            def build_patched_compile():
                model = build_patched(
                    opened.model,
                    inputs,
                    accepted,
                    classes,
                    modules,
                    backend.torch_device,
                    mode,
                    custom_ops=True,
                    graphs=graphs,
                )
                patched_compile["check"] = check(originals[index], torch.compile(model), inputs, truth, index)
                return torch.compile(model)

            timed("patched_compile", build_patched_compile)
            if "check" in patched_compile:
                sides["patched_compile"]["check"] = patched_compile["check"]
        report["sets"].append(
            {
                "inputs": [list(t.shape) for t in inputs if isinstance(t, torch.Tensor)],
                "batch": batch,
                "sides": sides,
                "speedups": _speedups(sides),
            }
        )
    write_json(os.path.join(report["tasks_dir"], "compare.json"), report)
    return report


def _speedups(sides: dict) -> dict:
    def ratio(slow, fast):
        a, b = sides.get(slow, {}).get("median_ms"), sides.get(fast, {}).get("median_ms")
        return a / b if a and b else None

    return {
        "patched_vs_eager": ratio("eager", "patched"),
        "patched_vs_graph": ratio("graph", "patched"),
        "patched_compile_vs_compile": ratio("compile", "patched_compile"),
        "patched_vs_compile": ratio("compile", "patched"),
        "compile_vs_eager": ratio("eager", "compile"),
    }


def run_apply(args: dict) -> dict:
    report = apply(args)
    report.pop("_state", None)
    return report
