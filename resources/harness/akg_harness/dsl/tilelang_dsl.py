"""TileLang, to its documented API: `@tilelang.jit` (or `tilelang.compile`) returns a
JITKernel whose call runs the compiled kernel. The hook counts those calls.
"""

import importlib.util
import sys

from ..errors import EnvironmentProblem
from .base import RECORDER, Adapter, nan_like

_STATE = {"installed": False, "names": set()}


def not_installed_message() -> str:
    return f"tilelang is not installed in {sys.executable}"


def _instrument_call(original):
    def call(self, *args, **kwargs):
        recorder = RECORDER
        if not recorder.active:
            return original(self, *args, **kwargs)
        name = _kernel_name(self)
        label = f"tilelang::{name}"
        recorder.counts[label] += 1
        _STATE["names"].add(name)
        if recorder.knockout and label in recorder.returns_none:
            return None
        with recorder.annotation(label):
            result = original(self, *args, **kwargs)
        if result is None:
            recorder.returns_none.add(label)
        elif recorder.knockout:
            return nan_like(result)
        return result

    call.akg_hook = True
    return call


def _kernel_name(kernel) -> str:
    for attribute in ("prim_func", "func"):
        function = getattr(kernel, attribute, None)
        attrs = getattr(function, "attrs", None)
        try:
            if attrs is not None and "global_symbol" in attrs:
                return str(attrs["global_symbol"])
        except Exception:
            pass
    return type(kernel).__name__


def install() -> None:
    if _STATE["installed"]:
        return
    from tilelang.jit.kernel import JITKernel

    if not getattr(JITKernel.__call__, "akg_hook", False):
        JITKernel.__call__ = _instrument_call(JITKernel.__call__)
    _STATE["installed"] = True


class TileLangAdapter(Adapter):
    name = "tilelang"
    launch_hint = "counted as calls of a tilelang JITKernel"

    def check_environment(self) -> None:
        if importlib.util.find_spec("tilelang") is None:
            raise EnvironmentProblem(not_installed_message())
        if self.backend.kind not in ("cuda", "npu"):
            raise EnvironmentProblem(
                "tilelang candidates need a GPU or NPU device (--device cuda[:N] or npu[:N])"
            )

    def activate(self) -> dict:
        try:
            install()
        except ImportError as error:
            raise EnvironmentProblem(f"tilelang does not import in {sys.executable}: {error}") from error
        _STATE["names"] = set()
        return {}

    def is_compile_error(self, error: BaseException) -> bool:
        if super().is_compile_error(error):
            return True
        module = type(error).__module__ or ""
        return module.startswith(("tilelang", "tvm")) and "Error" in type(error).__name__

    def kernel_names(self) -> set:
        return set(_STATE["names"])
