"""Runtime integrity: timers, synchronisation and torch functions are what they were.

A snapshot of every function and class reachable from the modules that timing
and checking rely on is taken before the candidate loads; after it loaded and
after it ran, anything replaced is reported (check `runtime_untouched`) and put
back. The harness itself calls functions it bound at import, so a patch cannot
change its numbers either way; the rejection says the candidate tried.
"""

import sys
import threading
import time

import torch
import torch._dynamo  # noqa: F401  (its import wraps torch.manual_seed: do it before snapshots)

try:  # torch.compile (the compile baseline) wraps nn.Module.__init__ on first use; do it now
    from torch._dynamo.mutation_guard import install_generation_tagging_init

    install_generation_tagging_init()
except Exception:
    pass

# Why each: timers and sync (timing), Tensor/torch/functional (comparison),
# profiler (DSL attribution), threading (thread detection), our own modules.
WATCHED_MODULES = (
    "time",
    "builtins",
    "gc",
    "threading",
    "torch",
    "torch.cuda",
    "torch.nn.functional",
    "torch.profiler",
    "torch.autograd.profiler",
    "torch.testing",
    "torch.utils.cpp_extension",
    "torch.npu",
    "triton.runtime.jit",
    "triton.testing",
)


def _watched_objects():
    objects = []
    for name in WATCHED_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            objects.append((name, module))
    classes = [torch.Tensor, torch.nn.Module]
    cuda = sys.modules.get("torch.cuda")
    if cuda is not None:
        classes += [cuda.Event, cuda.Stream]
    jit = sys.modules.get("triton.runtime.jit")
    if jit is not None:
        classes.append(jit.JITFunction)
    interpreter = sys.modules.get("triton.runtime.interpreter")
    if interpreter is not None and hasattr(interpreter, "InterpretedFunction"):
        classes.append(interpreter.InterpretedFunction)
    seen = set()
    for cls in classes:
        for klass in cls.__mro__:
            if klass is not object and id(klass) not in seen:
                seen.add(id(klass))
                objects.append((f"{klass.__module__}.{klass.__qualname__}", klass))
    for name, module in list(sys.modules.items()):
        if name.startswith("akg_harness") and module is not None:
            objects.append((name, module))
    return objects


def _is_watched_value(value) -> bool:
    return callable(value) or isinstance(value, (type, staticmethod, classmethod, property))


class RuntimeGuard:
    def __init__(self):
        self.snapshot = {}
        for label, owner in _watched_objects():
            for name, value in list(vars(owner).items()):
                if _is_watched_value(value):
                    self.snapshot[(label, name)] = (owner, value)

    def changes(self) -> list:
        changed = []
        for (label, name), (owner, value) in self.snapshot.items():
            if vars(owner).get(name, None) is not value:
                changed.append(f"{label}.{name}")
        return changed

    def restore(self) -> list:
        """Put replaced attributes back; returns the names that could not be restored."""
        stuck = []
        for (label, name), (owner, value) in self.snapshot.items():
            if vars(owner).get(name, None) is not value:
                try:
                    setattr(owner, name, value)
                except (AttributeError, TypeError):
                    stuck.append(f"{label}.{name}")
        return stuck


SETTINGS = {
    "num_threads": (torch.get_num_threads, torch.set_num_threads),
    "default_dtype": (torch.get_default_dtype, torch.set_default_dtype),
    "float32_matmul_precision": (torch.get_float32_matmul_precision, torch.set_float32_matmul_precision),
    "grad_enabled": (torch.is_grad_enabled, torch.set_grad_enabled),
    "cuda_matmul_allow_tf32": (
        lambda: torch.backends.cuda.matmul.allow_tf32,
        lambda v: setattr(torch.backends.cuda.matmul, "allow_tf32", v),
    ),
    "cudnn_allow_tf32": (
        lambda: torch.backends.cudnn.allow_tf32,
        lambda v: setattr(torch.backends.cudnn, "allow_tf32", v),
    ),
    "cudnn_benchmark": (
        lambda: torch.backends.cudnn.benchmark,
        lambda v: setattr(torch.backends.cudnn, "benchmark", v),
    ),
}


class SettingsGuard:
    """Global torch settings a candidate could flip to slow the reference or loosen it."""

    def __init__(self):
        self.values = {name: getter() for name, (getter, _setter) in SETTINGS.items()}

    def changes(self) -> dict:
        return {
            name: SETTINGS[name][0]() for name, value in self.values.items() if SETTINGS[name][0]() != value
        }

    def restore(self) -> None:
        for name, value in self.values.items():
            if SETTINGS[name][0]() != value:
                SETTINGS[name][1](value)


def live_threads() -> set:
    return {thread.ident for thread in threading.enumerate() if thread.is_alive()}


def new_threads(before: set) -> list:
    return [thread for thread in threading.enumerate() if thread.is_alive() and thread.ident not in before]


def settle(backend, threads=(), seconds: float = 0.005) -> None:
    """Let anything the candidate left running finish (threads, other streams)."""
    backend.synchronize()
    for thread in threads:
        thread.join(timeout=5.0)
    time.sleep(seconds)
    backend.synchronize()
