"""Shapes besides the task's own: where a kernel that hard-codes a size shows it.

Each distinct size among the tensor inputs of get_inputs() is one symbolic size (the
same value in two places, as in a square matmul, moves together). Per size: scaled up
(2n+1, odd), down (n/2), a ragged tail (the odd number below n: divisible by none of 2,
16, 128) and the smallest (1). Inputs at a derived shape are resampled from a
get_inputs() draw (values picked at random from the original tensor), so the value
distribution (signs, ranges, valid indices) is kept. A derived shape the reference
itself cannot run (a size tied to the model's weights) is skipped, with its error; so is
one where the reference only broadcasts the resized input: a size tied to the weights
(a residual's channels) set to 1 on one input, while the output keeps the size
(broadcast_only). That is a change of meaning, not of size, and no caller of the task feeds it.

A task fixes its shapes with a module-level `AKG_FIXED_SHAPES = True` (or a string
saying why); it lists its own with `get_input_shapes()` or `AKG_INPUT_SHAPES`: a list
of entries, each a list of shapes, one per tensor input in get_inputs() order.
"""

import torch

# Derived shapes checked per evaluation at most (each costs a reference and a candidate
# call); the ragged and smallest ones first, where hard-coded sizes break.
MAX_SHAPES = 6
# A derived shape may hold this many times the task's input bytes at most.
MAX_GROWTH = 4


def fixed_reason(task):
    """Why the task's shapes must not change, or None."""
    value = getattr(task, "AKG_FIXED_SHAPES", None)
    if value is True:
        return "the task declares its shapes fixed (AKG_FIXED_SHAPES = True)"
    if isinstance(value, str) and value.strip():
        return f"the task declares its shapes fixed: {value.strip()}"
    return None


def declared_shapes(task):
    """The task's own list of shapes (get_input_shapes() or AKG_INPUT_SHAPES), or None."""
    if callable(getattr(task, "get_input_shapes", None)):
        listed = task.get_input_shapes()
    else:
        listed = getattr(task, "AKG_INPUT_SHAPES", None)
    if listed is None:
        return None
    return [[tuple(int(size) for size in shape) for shape in entry] for entry in listed]


def _shapes(inputs: list) -> list:
    return [tuple(v.shape) for v in inputs if isinstance(v, torch.Tensor)]


def variants(size: int) -> list:
    """(label, new size) for one symbolic size, most telling first."""
    odd_below = size - 1 if size % 2 == 0 else size - 2
    out = [("ragged", odd_below), ("smallest", 1), ("up", 2 * size + 1), ("down", size // 2)]
    seen, kept = {size}, []
    for label, value in out:
        if value >= 1 and value not in seen:
            seen.add(value)
            kept.append((label, value))
    return kept


def derived_shapes(inputs: list, limit: int = MAX_SHAPES) -> list:
    """[{"label", "shapes"}] derived from the shapes of `inputs` (see the module doc)."""
    shapes = _shapes(inputs)
    sizes = sorted({size for shape in shapes for size in shape if size >= 2}, reverse=True)
    base_elements = sum(_numel(shape) for shape in shapes) or 1
    per_size = [
        [
            (
                f"{label}: {size} -> {value}",
                [tuple(value if s == size else s for s in shape) for shape in shapes],
                size,
                value,
            )
            for label, value in variants(size)
        ]
        for size in sizes
    ]
    ordered = []
    for rank in range(max((len(v) for v in per_size), default=0)):  # round robin
        for options in per_size:
            if rank < len(options):
                ordered.append(options[rank])
    out = []
    for label, new, size, value in ordered:
        if sum(_numel(shape) for shape in new) > MAX_GROWTH * base_elements:
            continue
        out.append({"label": label, "shapes": new, "size": size, "value": value})
        if len(out) >= limit:
            break
    return out


def broadcast_only(entry: dict, task_outputs: list, outputs: list):
    """Why the reference's outputs at a derived shape show a broadcast, not a resize: the
    resized size appears in the outputs at the task's shapes and stays there at every such
    place. None when the size reaches the outputs (or never was in them: a reduced size)."""
    size = entry.get("size")
    if size is None or len(task_outputs) != len(outputs):
        return None
    places = [(i, d) for i, shape in enumerate(task_outputs) for d, s in enumerate(shape) if s == size]
    if not places or any(len(outputs[i]) != len(task_outputs[i]) for i, _ in places):
        return None
    if all(outputs[i][d] == size for i, d in places):
        shown = ", ".join(str(list(shape)) for shape in outputs)
        return (
            f"the reference only broadcasts the resized input here (its output keeps size {size}: {shown}); "
            "a size tied to the weights, not one a caller varies"
        )
    return None


def _numel(shape) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def resample(inputs: list, shapes: list, seed: int) -> list:
    """Inputs at new shapes: each tensor's values drawn from the original's elements."""
    generator = torch.Generator(device="cpu").manual_seed(seed)
    out, index = [], 0
    for value in inputs:
        if not isinstance(value, torch.Tensor):
            out.append(value)
            continue
        shape = shapes[index]
        index += 1
        flat = value.detach().reshape(-1)
        if flat.numel() == 0:
            out.append(torch.empty(shape, dtype=value.dtype, device=value.device))
            continue
        picks = torch.randint(0, flat.numel(), (_numel(shape),), generator=generator)
        out.append(flat[picks.to(flat.device)].reshape(shape).contiguous())
    return out


def plan(task, inputs: list) -> dict:
    """{"fixed": reason or None, "source": "declared"|"derived", "shapes": [...]}."""
    reason = fixed_reason(task)
    if reason:
        return {"fixed": reason, "source": None, "shapes": []}
    declared = declared_shapes(task)
    if declared is not None:
        count = len(_shapes(inputs))
        bad = [entry for entry in declared if len(entry) != count]
        if bad:
            raise ValueError(
                f"get_input_shapes()/AKG_INPUT_SHAPES: each entry needs {count} "
                f"shape(s), one per tensor input; got {bad[0]}"
            )
        return {
            "fixed": None,
            "source": "declared",
            "shapes": [{"label": f"declared {i}", "shapes": entry} for i, entry in enumerate(declared)],
        }
    return {"fixed": None, "source": "derived", "shapes": derived_shapes(inputs)}
