"""Triton: real-file import, launch hooks, and the interpreter on machines without a GPU.

Every launch goes through `JITFunction.run` (or `InterpretedFunction.run` under
TRITON_INTERPRET=1), also when it comes from `@triton.autotune`; the hook counts it,
annotates it for the profiler, applies launch-option tunables, and in knock-out
mode skips it.
"""

import importlib.util
import os
import sys

from ..cache import cache_dir
from ..errors import EnvironmentProblem
from .base import RECORDER, Adapter

# Python errors raised by Triton's front end (and by its interpreter, which runs the
# same semantic checks) for kernels that would not compile.
FRONT_END_ERRORS = (
    NameError,
    AttributeError,
    TypeError,
    ValueError,
    SyntaxError,
    UnboundLocalError,
    NotImplementedError,
)


class LaunchState:
    overrides = {}
    names = set()
    installed = False


def _make_run(original):
    def run(self, *args, grid, warmup, **kwargs):
        if LaunchState.overrides:
            kwargs.update(LaunchState.overrides)
        recorder = RECORDER
        if warmup or not recorder.active:
            return original(self, *args, grid=grid, warmup=warmup, **kwargs)
        name = getattr(getattr(self, "fn", None), "__name__", "kernel")
        recorder.counts[name] += 1
        LaunchState.names.add(name)
        if recorder.knockout:
            return None
        try:
            with recorder.annotation(f"triton::{name}"):
                return original(self, *args, grid=grid, warmup=warmup, **kwargs)
        except Exception as error:
            error.akg_kernel = name
            raise

    run.akg_hook = True
    return run


def install() -> None:
    if LaunchState.installed:
        return
    from triton.runtime import jit

    targets = [jit.JITFunction]
    try:
        from triton.runtime.interpreter import InterpretedFunction

        targets.append(InterpretedFunction)
    except ImportError:
        pass
    for cls in targets:
        if not getattr(cls.run, "akg_hook", False):
            cls.run = _make_run(cls.run)
    LaunchState.installed = True


def interpreter_ready() -> None:
    """Triton's own library (tl.max, tl.sum, tl.zeros) is decorated when triton is
    imported, interpreted only if TRITON_INTERPRET=1 was set by then; the supervisor
    starts CPU executors with it. In this process (--in-process, isolate=False) it can
    still be set if triton is not imported yet; otherwise say what to do."""
    if "triton" not in sys.modules:
        os.environ["TRITON_INTERPRET"] = "1"
    import triton.language as language

    try:
        from triton.runtime.interpreter import InterpretedFunction
    except ImportError:
        return
    if not isinstance(getattr(language, "max", None), InterpretedFunction):
        raise EnvironmentProblem(
            "triton was imported in this process without TRITON_INTERPRET=1, so its library "
            "functions (tl.max, tl.sum, tl.zeros) cannot run under the CPU interpreter; "
            "evaluate through the supervised executor (the default) or set "
            "TRITON_INTERPRET=1 before starting Python"
        )


class TritonAdapter(Adapter):
    name = "triton"
    launch_hint = "counted at JITFunction.run, the path of every kernel[grid](...) launch"

    def check_environment(self) -> None:
        if importlib.util.find_spec("triton") is None:
            raise EnvironmentProblem(f"triton is not installed in {sys.executable}")
        if self.backend.kind == "cpu":
            self.interpreted = True
            self.torch_inside_launch_is_dsl = True
            interpreter_ready()

    def activate(self) -> dict:
        environment = {"TRITON_INTERPRET": "1" if self.interpreted else None}
        if not os.environ.get("TRITON_CACHE_DIR"):
            environment["TRITON_CACHE_DIR"] = cache_dir("triton")
        install()
        LaunchState.overrides = {}
        LaunchState.names = set()
        if self.tunables:
            LaunchState.overrides = self.tunables.launch_overrides()
            for name in LaunchState.overrides:
                self.tunables.mark(name, "launch_option")
        return environment

    def deactivate(self) -> None:
        LaunchState.overrides = {}

    def is_compile_error(self, error: BaseException) -> bool:
        if super().is_compile_error(error):
            return True
        try:
            from triton.compiler.errors import CompilationError
        except ImportError:
            CompilationError = ()
        if CompilationError and isinstance(error, CompilationError):
            return True
        # Under the interpreter there is no separate compile step: a front-end error
        # raised inside a launch is what the compiler would have reported.
        return (
            self.interpreted
            and hasattr(error, "akg_kernel")
            and (isinstance(error, FRONT_END_ERRORS) or type(error).__name__ == "InterpreterError")
        )

    def kernel_names(self) -> set:
        return set(LaunchState.names)
