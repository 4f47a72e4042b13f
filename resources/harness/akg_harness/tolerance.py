"""Tolerance profiles per output dtype.

An element passes when |candidate - reference| <= atol + rtol * |reference|
(torch.allclose's rule). `default` is KernelBench's current rule
(get_tolerance_for_precision: 1e-4 for fp32, 1e-2 for fp16/bf16, atol = rtol);
`loose` is KernelBench's original 1e-2 for fp32; `strict` is ten times tighter
than default. Integer and boolean outputs must match exactly in every profile.
"""

import torch

PROFILES = {
    "strict": {"float64": 1e-7, "float32": 1e-5, "float16": 1e-3, "bfloat16": 1e-3, "float8": 1e-2},
    "default": {"float64": 1e-6, "float32": 1e-4, "float16": 1e-2, "bfloat16": 1e-2, "float8": 1e-1},
    "loose": {"float64": 1e-4, "float32": 1e-2, "float16": 5e-2, "bfloat16": 5e-2, "float8": 2e-1},
    # KernelBench's rule as it stands (get_tolerance_for_precision), with its reference in
    # torch's default precision (cuDNN TF32 on): results comparable with KernelBench's.
    "kernelbench": {"float64": 1e-4, "float32": 1e-4, "float16": 1e-2, "bfloat16": 1e-2, "float8": 1e-2},
}

# Profiles whose reference runs in torch's default precision instead of strict fp32.
DEFAULT_PRECISION_PROFILES = ("kernelbench",)


def dtype_key(dtype: torch.dtype) -> str:
    name = str(dtype).replace("torch.", "")
    if name.startswith("float8"):
        return "float8"
    if name in ("complex64",):
        return "float32"
    if name in ("complex128",):
        return "float64"
    if name == "half":
        return "float16"
    return name


def tolerance_for(dtype: torch.dtype, profile: str, atol=None, rtol=None) -> dict:
    """{"atol", "rtol", "exact"} for one output dtype."""
    if not (dtype.is_floating_point or dtype.is_complex):
        return {"atol": 0.0, "rtol": 0.0, "exact": True}
    value = PROFILES[profile].get(dtype_key(dtype), PROFILES[profile]["float32"])
    return {"atol": value if atol is None else atol, "rtol": value if rtol is None else rtol, "exact": False}


def describe(profile: str, atol=None, rtol=None) -> dict:
    table = {
        name: {"atol": atol if atol is not None else value, "rtol": rtol if rtol is not None else value}
        for name, value in PROFILES[profile].items()
    }
    return {"profile": profile, "per_dtype": table, "overrides": {"atol": atol, "rtol": rtol}}
