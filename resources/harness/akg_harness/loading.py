"""Import tasks and candidates from real files under unique module names.

Real files, because Triton's JIT and TileLang read kernel source with `inspect`;
unique names, because a warm executor imports many candidates that all call
themselves `ModelNew` and must never see each other's modules.
"""

import importlib.util
import itertools
import os
import sys
import types

from .errors import TaskError

_COUNTER = itertools.count(1)


def import_file(path: str, prefix: str) -> types.ModuleType:
    name = f"{prefix}_{os.getpid()}_{next(_COUNTER)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def forget(module) -> None:
    if module is not None:
        sys.modules.pop(module.__name__, None)


def load_task(path: str) -> types.ModuleType:
    try:
        module = import_file(path, "akg_task")
    except Exception as error:
        raise TaskError(f"task {path} does not import: {type(error).__name__}: {error}") from error
    missing = [name for name in ("Model", "get_inputs", "get_init_inputs") if not hasattr(module, name)]
    if missing:
        raise TaskError(f"task {path} is not in KernelBench format: missing {', '.join(missing)}")
    return module


def load_candidate(path: str) -> types.ModuleType:
    """Import the candidate. Exceptions propagate: the caller classifies them."""
    module = import_file(path, "akg_candidate")
    if not hasattr(module, "ModelNew"):
        forget(module)
        raise AttributeError(f"{os.path.basename(path)} defines no class ModelNew")
    return module


def innermost_location(error: BaseException, path: str):
    """(line, source line) of the deepest frame inside `path`, looking through the
    exception's causes first (Triton's interpreter wraps the kernel's own error)."""
    chain = []
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    for link in reversed(chain):
        location = _location_in(link, path)
        if location is not None:
            return location
    return None


def _location_in(error: BaseException, path: str):
    import linecache

    target = os.path.abspath(path)
    location = None
    trace = error.__traceback__
    while trace is not None:
        if os.path.abspath(trace.tb_frame.f_code.co_filename) == target:
            location = (trace.tb_lineno, linecache.getline(path, trace.tb_lineno).strip())
        trace = trace.tb_next
    if (
        location is None
        and isinstance(error, SyntaxError)
        and error.filename
        and os.path.abspath(error.filename) == target
    ):
        location = (error.lineno, (error.text or "").strip())
    return location
