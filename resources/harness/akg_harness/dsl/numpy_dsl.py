"""NumPy on the CPU: forward hands tensors to NumPy (`x.numpy()`), computes with NumPy,
and returns its results to torch through `torch.from_numpy`.

That last call is where a NumPy kernel's work re-enters torch, so it is the launch the
hook counts; in knock-out mode it returns a NaN-filled tensor instead of the array's
values: if forward is still right, NumPy did not compute the output. The hook is
installed on `torch.from_numpy` before the candidate is imported, so
`from torch import from_numpy` in the candidate gets it too.
"""

import importlib.util
import sys

from ..errors import EnvironmentProblem
from .base import RECORDER, Adapter, nan_like

LABEL = "numpy::from_numpy"
_STATE = {"installed": False}


def _instrument(original):
    def from_numpy(array):
        recorder = RECORDER
        if not recorder.active:
            return original(array)
        recorder.counts[LABEL] += 1
        with recorder.annotation(LABEL):
            result = original(array)
        return nan_like(result) if recorder.knockout else result

    from_numpy.akg_hook = True
    from_numpy.__doc__ = original.__doc__
    return from_numpy


def install() -> None:
    if _STATE["installed"]:
        return
    import torch

    if not getattr(torch.from_numpy, "akg_hook", False):
        torch.from_numpy = _instrument(torch.from_numpy)
    _STATE["installed"] = True


class NumpyAdapter(Adapter):
    name = "numpy"
    launch_hint = "counted as calls of torch.from_numpy, which hands a NumPy result back to torch"

    def check_environment(self) -> None:
        if importlib.util.find_spec("numpy") is None:
            raise EnvironmentProblem(f"numpy is not installed in {sys.executable}")
        if self.backend.kind != "cpu":
            raise EnvironmentProblem("the numpy DSL runs on the CPU; use --device cpu")

    def activate(self) -> dict:
        install()
        return {}

    def kernel_names(self) -> set:
        return {"from_numpy"}
