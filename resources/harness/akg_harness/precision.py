"""Which reference a candidate is judged against, and who is closer to the truth.

PyTorch by default runs float32 convolutions (cuDNN) in TF32 on Ampere and later, and
matrix products too when `set_float32_matmul_precision("high")` or `allow_tf32` is on:
its own output then carries relative errors of ~1e-3, ten times the float32 tolerance.
So for float32 tasks the reference runs in strict fp32 (`strict_fp32`: TF32 off for
cuDNN and matmuls). When a candidate still misses the tolerance, an fp64 truth is
computed on the same inputs (the reference model and inputs cast to float64) and both
errors are reported: a candidate within the tolerance of the truth, or no farther from
it than PyTorch's default-precision output, is not called wrong.
"""

import contextlib
import copy

import torch

from .compare import compare_outputs, flatten_outputs

STRICT = "strict_fp32"
DEFAULT = "default"


def _tensors(values) -> list:
    found = []
    for value in values or []:
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(_tensors(value))
    return found


def reference_mode(model, inputs: list) -> str:
    """strict_fp32 when any floating input or parameter is float32, else default."""
    tensors = _tensors(inputs)
    if isinstance(model, torch.nn.Module):
        tensors += list(model.parameters()) + list(model.buffers())
    return STRICT if any(t.dtype == torch.float32 for t in tensors) else DEFAULT


def _settings() -> tuple:
    return (
        torch.backends.cuda.matmul.allow_tf32,
        torch.backends.cudnn.allow_tf32,
        torch.get_float32_matmul_precision(),
    )


def _apply(settings: tuple) -> None:
    matmul, cudnn, precision = settings
    torch.backends.cuda.matmul.allow_tf32 = matmul
    torch.backends.cudnn.allow_tf32 = cudnn
    torch.set_float32_matmul_precision(precision)


@contextlib.contextmanager
def precision(mode: str):
    """strict_fp32: no TF32 anywhere in torch while active; default: torch's defaults
    (cuDNN TF32 on, matmul TF32 off) whatever the process had set."""
    saved = _settings()
    _apply((False, False, "highest") if mode == STRICT else (False, True, "highest"))
    try:
        yield
    finally:
        _apply(saved)


def _wide(value, dtype):
    if isinstance(value, torch.Tensor) and value.dtype.is_floating_point:
        return value.detach().to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_wide(item, dtype) for item in value)
    return value


def truth_device(device: torch.device) -> torch.device:
    """Where fp64 is fast enough: GPUs (H100/H200 run fp64 at the fp32 rate) and CPUs;
    NPUs lack fp64, so their truth is computed on the CPU."""
    return torch.device("cpu") if device.type == "npu" else device


def float64_truth(model, inputs: list) -> list:
    """The model's outputs in float64 on the same inputs (floating values widened)."""
    device = truth_device(_tensors(inputs)[0].device if _tensors(inputs) else torch.device("cpu"))
    wide = copy.deepcopy(model)
    if isinstance(wide, torch.nn.Module):
        wide = wide.to(device=device, dtype=torch.float64)
    values = [_wide(v, torch.float64) for v in inputs]
    values = [v.to(device) if isinstance(v, torch.Tensor) else v for v in values]
    with torch.no_grad(), precision(STRICT):
        return [t.detach() for t in flatten_outputs(wide(*values))]


def _errors(outputs: list, truth: list) -> dict:
    worst_abs = worst_rel = 0.0
    for out, exact in zip(outputs, truth):
        if not out.dtype.is_floating_point:
            continue
        diff = (out.detach().to(torch.float64).to(exact.device) - exact).abs()
        if diff.numel():
            finite = torch.isfinite(diff)
            if not bool(finite.all()):
                return {"max_abs_error": float("inf"), "max_rel_error": float("inf")}
            worst_abs = max(worst_abs, float(diff.max()))
            scale = exact.abs().clamp_min(torch.finfo(torch.float64).tiny)
            worst_rel = max(worst_rel, float((diff / scale).max()))
    return {"max_abs_error": worst_abs, "max_rel_error": worst_rel}


def arbitrate(model, inputs: list, candidate: list, reference: list, tolerance: tuple, mode: str) -> dict:
    """After a miss against the reference: the fp64 truth on the same inputs decides.

    Returns {passed, detail, truth, reference_used, candidate_vs_truth,
    reference_vs_truth, default_reference_vs_truth, candidate_within_tolerance_of_truth}.
    `inputs` must be pristine (the candidate ran on its own copy)."""
    truth = float64_truth(model, inputs)
    if any(not bool(torch.isfinite(t).all()) for t in truth if t.dtype.is_floating_point):
        return {
            "passed": False,
            "truth": "fp64",
            "reference_used": mode,
            "detail": "the fp64 truth is not finite on these inputs: it cannot decide",
        }
    default = reference
    if mode == STRICT:
        with torch.no_grad(), precision(DEFAULT):
            default = [t.detach().clone() for t in flatten_outputs(model(*inputs))]
    narrow = [t.to(r.dtype).to(r.device) for t, r in zip(truth, reference)]
    within = compare_outputs([c.detach() for c in candidate], narrow, *tolerance)
    errors = {
        "candidate_vs_truth": _errors(candidate, truth),
        "reference_vs_truth": _errors(reference, truth),
        "default_reference_vs_truth": _errors(default, truth),
    }
    candidate_error = errors["candidate_vs_truth"]["max_abs_error"]
    default_error = errors["default_reference_vs_truth"]["max_abs_error"]
    closer = candidate_error <= default_error
    passed = within.passed or closer
    reasons = []
    if within.passed:
        reasons.append("within the tolerance of the fp64 truth")
    if closer:
        reasons.append("no farther from the fp64 truth than PyTorch's default-precision output")
    detail = (
        f"fp64 truth: candidate max abs error {candidate_error:.3g}, {mode} reference "
        f"{errors['reference_vs_truth']['max_abs_error']:.3g}, default-precision "
        f"reference {default_error:.3g}; "
        + (
            "not wrong: " + " and ".join(reasons)
            if passed
            else f"wrong: farther from the truth than PyTorch's own output "
            f"({within.summary()} against the truth)"
        )
    )
    return dict(
        errors,
        passed=passed,
        truth="fp64",
        reference_used=mode,
        detail=detail,
        candidate_within_tolerance_of_truth=within.passed,
    )
