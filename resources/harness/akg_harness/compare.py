"""Compare candidate outputs with reference outputs, element by element.

Uses torch functions bound at import time, before any candidate loads.
"""

import dataclasses
from typing import Optional

import torch

from .tolerance import tolerance_for

_ABS = torch.abs
_ISFINITE = torch.isfinite
_ISNAN = torch.isnan
_WHERE = torch.where
_CHUNK = 1 << 24  # elements per comparison chunk: bounds the float64 temporaries


class StructureError(ValueError):
    """The outputs are not tensors of the reference's count, shape, dtype and device."""


def flatten_outputs(value) -> list:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        flat = []
        for item in value:
            flat.extend(flatten_outputs(item))
        return flat
    if isinstance(value, (int, float, bool)):
        return [torch.tensor(value)]
    raise StructureError(f"output of type {type(value).__name__} is not a tensor")


def structure_problem(candidates: list, references: list) -> Optional[str]:
    if len(candidates) != len(references):
        return f"{len(candidates)} output tensor(s), the reference returns {len(references)}"
    for index, (cand, ref) in enumerate(zip(candidates, references)):
        where = f"output {index}" if len(references) > 1 else "output"
        if tuple(cand.shape) != tuple(ref.shape):
            return f"{where} has shape {tuple(cand.shape)}, expected {tuple(ref.shape)}"
        if cand.dtype != ref.dtype:
            return f"{where} has dtype {cand.dtype}, expected {ref.dtype}"
        if ref.dim() > 0 and cand.device != ref.device:
            return f"{where} is on {cand.device}, expected {ref.device}"
    return None


@dataclasses.dataclass
class Comparison:
    passed: bool = True
    elements: int = 0
    mismatches: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    nonfinite_where_reference_finite: int = 0
    first_mismatch: Optional[dict] = None
    # The element with the largest absolute error (index, got, expected), and the squared
    # norms of error and reference: a relative error that a near-zero element cannot blow up.
    worst: Optional[dict] = None
    error_norm_sq: float = 0.0
    reference_norm_sq: float = 0.0

    @property
    def mismatch_ratio(self) -> float:
        return self.mismatches / self.elements if self.elements else 0.0

    @property
    def relative_error_norm(self) -> Optional[float]:
        """||candidate - reference|| / ||reference|| over finite elements; None for a zero reference."""
        if self.reference_norm_sq <= 0.0:
            return None
        return (self.error_norm_sq / self.reference_norm_sq) ** 0.5

    def merge(self, other: "Comparison") -> None:
        self.passed = self.passed and other.passed
        self.elements += other.elements
        self.mismatches += other.mismatches
        self.max_abs_error = max(self.max_abs_error, other.max_abs_error)
        self.max_rel_error = max(self.max_rel_error, other.max_rel_error)
        self.nonfinite_where_reference_finite += other.nonfinite_where_reference_finite
        self.first_mismatch = self.first_mismatch or other.first_mismatch
        if other.worst and (not self.worst or other.worst["abs_error"] > self.worst["abs_error"]):
            self.worst = other.worst
        self.error_norm_sq += other.error_norm_sq
        self.reference_norm_sq += other.reference_norm_sq

    def summary(self) -> str:
        if self.passed:
            return (
                f"all {self.elements} elements within tolerance "
                f"(max abs {self.max_abs_error:.3g}, max rel {self.max_rel_error:.3g})"
            )
        text = (
            f"{self.mismatches} of {self.elements} elements out of tolerance "
            f"({100 * self.mismatch_ratio:.3g}%), max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g}"
        )
        if self.nonfinite_where_reference_finite:
            text += (
                f"; {self.nonfinite_where_reference_finite} elements are NaN/inf where the "
                "reference is finite (never written, or overflow)"
            )
        if self.first_mismatch:
            first = self.first_mismatch
            text += f"; first at index {first['index']}: got {first['got']}, expected {first['expected']}"
        return text


def compare_tensor(cand: torch.Tensor, ref: torch.Tensor, tol: dict) -> Comparison:
    result = Comparison(elements=ref.numel())
    cand_flat = cand.detach().reshape(-1)
    ref_flat = ref.detach().reshape(-1).to(cand_flat.device)
    for start in range(0, ref_flat.numel(), _CHUNK):
        _compare_chunk(
            cand_flat[start : start + _CHUNK], ref_flat[start : start + _CHUNK], tol, start, ref.shape, result
        )
    return result


def _compare_chunk(cand, ref, tol, offset, shape, result: Comparison) -> None:
    if tol["exact"]:
        bad = cand != ref
        diff = None
    else:
        wide = torch.complex128 if ref.is_complex() else torch.float64
        c, r = cand.to(wide), ref.to(wide)
        ref_finite, cand_finite = _ISFINITE(r), _ISFINITE(c)
        both_finite = ref_finite & cand_finite
        zero = torch.zeros((), dtype=torch.float64, device=r.device)
        diff = _WHERE(both_finite, _ABS(c - r), zero)
        allowed = tol["atol"] + tol["rtol"] * _ABS(r)
        same_special = (c == r) | (_ISNAN(c) & _ISNAN(r))
        bad = (both_finite & (diff > allowed)) | (~both_finite & ~same_special)
        result.nonfinite_where_reference_finite += int((ref_finite & ~cand_finite).sum())
        if diff.numel():
            result.max_abs_error = max(result.max_abs_error, float(diff.max()))
            scale = _ABS(r).clamp_min(torch.finfo(torch.float64).tiny)
            rel = _WHERE(both_finite, diff / scale, torch.zeros_like(diff))
            result.max_rel_error = max(result.max_rel_error, float(rel.max()))
            _note_worst(result, cand, ref, diff, offset, shape)
            finite_ref = _WHERE(both_finite, _ABS(r), torch.zeros_like(diff))
            result.error_norm_sq += float((diff * diff).sum())
            result.reference_norm_sq += float((finite_ref * finite_ref).sum())
    count = int(bad.sum())
    if count:
        result.passed = False
        result.mismatches += count
        if result.first_mismatch is None:
            flat_index = int(bad.nonzero()[0, 0]) if bad.dim() else 0
            position = offset + flat_index
            index = list(torch.unravel_index(torch.tensor(position), tuple(shape))) if len(shape) else []
            result.first_mismatch = {
                "index": [int(i) for i in index],
                "got": _scalar(cand[flat_index]),
                "expected": _scalar(ref[flat_index]),
            }


def _note_worst(result: Comparison, cand, ref, diff, offset: int, shape) -> None:
    flat_index = int(diff.argmax())
    error = float(diff[flat_index])
    if result.worst is not None and error <= result.worst["abs_error"]:
        return
    position = offset + flat_index
    index = list(torch.unravel_index(torch.tensor(position), tuple(shape))) if len(shape) else []
    result.worst = {
        "index": [int(i) for i in index],
        "got": _scalar(cand[flat_index]),
        "expected": _scalar(ref[flat_index]),
        "abs_error": error,
    }


def _scalar(value: torch.Tensor):
    item = value.item()
    return item if not isinstance(item, complex) else str(item)


def magnitude(ref: torch.Tensor) -> float:
    """Largest finite |value| of a tensor (0 when there is none)."""
    if not ref.numel() or not (ref.dtype.is_floating_point or ref.dtype.is_complex):
        return 0.0
    values = _ABS(ref.detach()).to(torch.float64)
    values = _WHERE(_ISFINITE(values), values, torch.zeros((), dtype=torch.float64, device=values.device))
    return float(values.max())


def compare_outputs(
    candidates: list, references: list, profile: str, atol=None, rtol=None, scale_to_magnitude: bool = False
) -> Comparison:
    """Element-wise comparison. scale_to_magnitude raises each tensor's atol to
    rtol * max|reference|: a normwise bound, which summation-order error of a correct
    kernel meets (it grows with the operands' magnitude, not with the element's own
    value, so elements near zero of a large reduction fail an element-wise rtol)."""
    total = Comparison()
    for cand, ref in zip(candidates, references):
        tol = tolerance_for(ref.dtype, profile, atol, rtol)
        if scale_to_magnitude and not tol["exact"]:
            tol = dict(tol, atol=max(tol["atol"], tol["rtol"] * magnitude(ref)))
        total.merge(compare_tensor(cand, ref, tol))
    return total


def bitwise_equal(first: list, second: list) -> bool:
    """Same values bit for bit (NaNs in the same places count as equal)."""
    for a, b in zip(first, second):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.is_floating_point or a.dtype.is_complex:
            same = (a == b) | (_ISNAN(a) & _ISNAN(b))
        else:
            same = a == b
        if not bool(same.all()):
            return False
    return len(first) == len(second)


# Elements of each output the near-constant guesses are first compared on.
NEAR_CONSTANT_SAMPLE = 65536


def near_constant_guess(references: list, profile: str, atol=None, rtol=None):
    """ "all zeros" or "a constant (its mean)" when outputs of that kind pass the tolerance
    against `references` (correctness on get_inputs() then proves little), else None.
    The guesses are first compared on an evenly strided sample of each output: the
    comparison is element-wise, so a guess that fails on the sample fails on the whole, and
    a large output (two full float64 comparisons took 4.5 s for 32M elements on two cores)
    is compared in full only when its sample passes."""
    means = [constant_guess(r) for r in references]

    def guess(kind: str, values: list) -> list:
        if kind == "zeros":
            return [v.new_zeros(v.shape) for v in values]
        return [m.expand(v.shape).clone() if m is not None else v.clone() for m, v in zip(means, values)]

    samples = [r.reshape(-1)[:: max(1, r.numel() // NEAR_CONSTANT_SAMPLE)] for r in references]
    for label, kind in (("all zeros", "zeros"), ("a constant (its mean)", "mean")):
        if not compare_outputs(guess(kind, samples), samples, profile, atol, rtol).passed:
            continue
        if compare_outputs(guess(kind, references), references, profile, atol, rtol).passed:
            return label
    return None


def constant_guess(reference: torch.Tensor):
    """The constant a near-constant output would be: the mean of a floating or complex one;
    for integers and booleans, which are compared exactly, its first element (a constant
    passes only if every element equals it). None for an empty output."""
    if not reference.numel():
        return None
    if reference.dtype.is_floating_point:
        return reference.float().mean().to(reference.dtype)
    if reference.dtype.is_complex:
        return reference.mean()
    return reference.reshape(-1)[0]


def near_constant_detail(label: str) -> str:
    return (
        f"an output of {label} passes this task's tolerance: correctness on get_inputs() alone "
        "proves little here; the rescaled-input trial decides"
    )
