"""Does the patched model still compute the model? Outputs against the original's.

Element-wise, with the harness's tolerance for the output dtype. When they differ, an
fp64 truth decides: the original model in float64 on the same inputs. The patched output
passes when it is within tolerance of the truth, or no further from it than twice the
original's own distance (the kernel is as accurate as torch, only differently rounded).
"""

import copy

import torch

from ..compare import compare_outputs, flatten_outputs

ACCURACY_FACTOR = 2.0  # "as accurate as torch": within twice the original's own fp64 error


def _forward(model, inputs):
    with torch.no_grad():
        return [t.detach().clone() for t in flatten_outputs(model(*inputs))]


def _to_double(values: list) -> list:
    return [v.double() if isinstance(v, torch.Tensor) and v.dtype.is_floating_point else v for v in values]


def _max_error(outputs: list, truth: list) -> float:
    worst = 0.0
    for output, reference in zip(outputs, truth):
        if output.dtype.is_floating_point:
            worst = max(worst, float((output.double() - reference.double()).abs().max()))
    return worst


class Truth:
    """The fp64 truth, computed once per input set when first needed."""

    def __init__(self, model):
        self.model = model
        self.cache = {}

    def outputs(self, key, inputs):
        if key not in self.cache:
            double = copy.deepcopy(self.model).double()
            self.cache[key] = _forward(double, _to_double(inputs))
        return self.cache[key]


def check(original: list, patched_model, inputs: list, truth: Truth, key, tolerance: str = "default") -> dict:
    """{passed, summary, max_abs_error, fp64: {...} or None}."""
    try:
        patched = _forward(patched_model, inputs)
    except Exception as error:
        return {
            "passed": False,
            "summary": f"the patched forward failed: {type(error).__name__}: {error}",
            "max_abs_error": None,
            "fp64": None,
        }
    shapes = [tuple(t.shape) for t in original], [tuple(t.shape) for t in patched]
    if shapes[0] != shapes[1] or [t.dtype for t in original] != [t.dtype for t in patched]:
        return {
            "passed": False,
            "max_abs_error": None,
            "fp64": None,
            "summary": f"outputs {shapes[1]} do not match the model's {shapes[0]}",
        }
    comparison = compare_outputs(patched, original, tolerance)
    result = {
        "passed": comparison.passed,
        "summary": comparison.summary(),
        "max_abs_error": comparison.max_abs_error,
        "fp64": None,
    }
    if comparison.passed or not any(t.dtype.is_floating_point for t in original):
        return result
    exact = truth.outputs(key, inputs)
    original_error = _max_error(original, exact)
    patched_error = _max_error(patched, exact)
    against_truth = compare_outputs(patched, [t.to(p.dtype) for t, p in zip(exact, patched)], tolerance)
    accurate = against_truth.passed or patched_error <= ACCURACY_FACTOR * original_error
    result["fp64"] = {
        "original_max_abs_error": original_error,
        "patched_max_abs_error": patched_error,
        "within_tolerance_of_truth": against_truth.passed,
    }
    result["passed"] = accurate
    result["summary"] = (
        f"differs from the original ({comparison.summary()}); against the fp64 truth the "
        f"patched model is off by {patched_error:.3g}, the original by {original_error:.3g}: "
        + ("as accurate as torch, accepted" if accurate else "less accurate than torch, refused")
    )
    return result
