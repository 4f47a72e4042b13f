"""Inputs: fresh draws under a seed, private copies, in-place refreshes, rescaling."""

import random

import torch

SEED_SPACE = 2**31 - 1


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy

        numpy.random.seed(seed % (2**32))
    except ImportError:
        pass


def trial_seeds(base_seed: int, count: int) -> list:
    generator = random.Random(base_seed)
    return [generator.randrange(1, SEED_SPACE) for _ in range(count)]


def to_device(value, device: torch.device):
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, (list, tuple)):
        return type(value)(to_device(item, device) for item in value)
    return value


def draw(task, seed: int, device: torch.device) -> list:
    """get_inputs() under `seed`, created on the device where the task lets it.

    torch.device(...) as a context makes factory calls without a device (torch.randn(N))
    allocate there: drawing 32M-element inputs on a GPU takes milliseconds, on a CPU
    a fraction of a second each, which dominated one-shot evaluations of large tasks."""
    seed_everything(seed)
    with torch.no_grad(), torch.device(device):
        values = task.get_inputs()
    return [to_device(value, device) for value in values]


def clone(values: list) -> list:
    """Private copies: fresh allocations, same strides, same contents."""
    out = []
    for value in values:
        if isinstance(value, torch.Tensor):
            copy = torch.empty_strided(value.shape, value.stride(), dtype=value.dtype, device=value.device)
            copy.copy_(value)
            out.append(copy)
        elif isinstance(value, (list, tuple)):
            out.append(type(value)(clone(list(value))))
        else:
            out.append(value)
    return out


def refresh(buffers: list, source: list) -> None:
    """Overwrite the buffers' contents in place (same pointers, new values)."""
    for buffer, value in zip(buffers, source):
        if isinstance(buffer, torch.Tensor):
            buffer.copy_(value)
        elif isinstance(buffer, (list, tuple)):
            refresh(list(buffer), list(value))


def tensors(values: list) -> list:
    flat = []
    for value in values:
        if isinstance(value, torch.Tensor):
            flat.append(value)
        elif isinstance(value, (list, tuple)):
            flat.extend(tensors(list(value)))
    return flat


def changed_inputs(before: list, after: list) -> list:
    """Indices of input tensors whose contents, shape or strides differ."""
    from .compare import bitwise_equal

    changed = []
    for index, (a, b) in enumerate(zip(tensors(before), tensors(after))):
        if a.shape != b.shape or a.stride() != b.stride() or not bitwise_equal([a], [b]):
            changed.append(index)
    return changed


def rescaled(values: list, seed: int) -> list:
    """Floating inputs multiplied element-wise by factors in [0.5, 2).

    Signs (and so the domain of log, sqrt and friends) are kept; any kernel that
    computes the task's function must follow, while an output fitted to the
    distribution of get_inputs() (a constant, a mean) does not.
    """
    generator = torch.Generator(device="cpu").manual_seed(seed)
    out = []
    for value in clone(values):
        if isinstance(value, torch.Tensor) and value.dtype.is_floating_point:
            factors = torch.rand(value.shape, generator=generator) * 1.5 + 0.5
            value.mul_(factors.to(device=value.device, dtype=value.dtype))
        out.append(value)
    return out


def nbytes(values: list) -> int:
    return sum(t.numel() * t.element_size() for t in tensors(values))


def fingerprint(values: list) -> list:
    """A cheap summary of inputs (dtype, shape, float64 sum and sum of squares per
    tensor) that the executor and the reference process compare, so that a task whose
    get_inputs() does not follow the seed is reported as such instead of as wrong."""
    summary = []
    for value in values:
        if isinstance(value, torch.Tensor):
            wide = value.detach().to(torch.complex128 if value.is_complex() else torch.float64)
            summary.append(
                [
                    str(value.dtype),
                    list(value.shape),
                    _number(wide.sum()),
                    _number((wide * wide.conj()).sum()),
                ]
            )
        elif isinstance(value, (list, tuple)):
            summary.append(fingerprint(list(value)))
        else:
            summary.append(repr(value)[:200])
    return summary


def _number(value: torch.Tensor) -> float:
    item = value.item()
    return float(item.real if isinstance(item, complex) else item)


def same_fingerprint(first, second, rel: float = 1e-9) -> bool:
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(same_fingerprint(a, b, rel) for a, b in zip(first, second))
    if isinstance(first, float) and isinstance(second, (int, float)):
        if first != first and second != second:  # NaN in both
            return True
        return abs(first - second) <= rel * max(abs(first), abs(second), 1.0)
    return first == second
