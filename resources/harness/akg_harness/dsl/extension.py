"""torch.utils.cpp_extension with a persistent build cache and instrumented functions.

`load_inline` and `load` are replaced (once per process) by versions that
  - name the build after a hash of sources, flags, tunable macros and toolchain,
    so an unchanged candidate never recompiles and two candidates never collide;
  - import an already-built module straight from the cache (no ninja run);
  - wrap each function of the module to count calls and annotate them for the profiler.
Candidates written the KernelBench way (load_inline at import) work unchanged.
"""

import inspect
import os
import re
import time

import torch.utils.cpp_extension as cpp_extension

from ..cache import digest, file_lock, read_json, toolchain_key, write_json_atomic
from ..errors import BuildError
from . import fastbuild
from .base import RECORDER, nan_like
from .source_map import format_build_error

ORIGINAL_LOAD_INLINE = cpp_extension.load_inline
ORIGINAL_LOAD = cpp_extension.load
SIGNATURE_INLINE = inspect.signature(ORIGINAL_LOAD_INLINE)
SIGNATURE_LOAD = inspect.signature(ORIGINAL_LOAD)
IGNORED_IN_KEY = ("name", "build_directory", "verbose", "keep_intermediates")
MARKER = "akg-build.json"
# A failed build is as deterministic as a good one: its diagnostics are kept and
# returned at once when the same sources and toolchain come again.
FAILURE = "akg-build-error.json"
# `__global__ void name(` (templates and launch bounds allowed): names of the DSL's kernels,
# used to attribute device kernels in a profile to the candidate.
KERNEL_NAME = re.compile(
    r"__global__\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?[\w:<>\s\*]*?"
    r"\b(\w+)\s*\("
)


class BuildState:
    """Per-request configuration read by the hooks."""

    def __init__(self):
        self.build_root = None
        self.tunables = None
        self.dsl = None
        self.candidate_path = None
        self.builds = []
        self.modules = {}  # key -> wrapped module, kept for the executor's lifetime


STATE = BuildState()


def install() -> None:
    if cpp_extension.load_inline is not load_inline:
        cpp_extension.load_inline = load_inline
        cpp_extension.load = load


def load_inline(*args, **kwargs):
    bound = SIGNATURE_INLINE.bind(*args, **kwargs)
    arguments = dict(bound.arguments)
    for key in ("cpp_sources", "cuda_sources"):
        if isinstance(arguments.get(key), str):
            arguments[key] = [arguments[key]]
        elif arguments.get(key) is not None:
            arguments[key] = list(arguments[key])  # torch inserts headers into the list
    sources = list(arguments.get("cpp_sources") or []) + list(arguments.get("cuda_sources") or [])
    return _build(ORIGINAL_LOAD_INLINE, arguments, sources, inline=True)


def load(*args, **kwargs):
    bound = SIGNATURE_LOAD.bind(*args, **kwargs)
    arguments = dict(bound.arguments)
    paths = arguments.get("sources")
    paths = [paths] if isinstance(paths, str) else list(paths or [])
    arguments["sources"] = [os.path.abspath(p) for p in paths]
    texts = []
    for path in arguments["sources"]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
    return _build(ORIGINAL_LOAD, arguments, texts, inline=False)


# nvcc's flags that already carry line information (-G implies it, and disables optimisation).
LINE_INFO_FLAGS = ("-lineinfo", "--generate-line-info", "-G", "--device-debug")


def _with_flags(arguments: dict, with_cuda: bool) -> None:
    macros = STATE.tunables.macro_flags() if STATE.tunables else []
    cflags = list(arguments.get("extra_cflags") or []) + macros
    ldflags = list(arguments.get("extra_ldflags") or [])
    if STATE.dsl == "cpp":
        # OpenMP is part of the cpp DSL's contract; torch links the same libgomp.
        if "-fopenmp" not in cflags:
            cflags.append("-fopenmp")
        if "-fopenmp" not in ldflags:
            ldflags.append("-fopenmp")
    arguments["extra_cflags"] = cflags
    arguments["extra_ldflags"] = ldflags
    if with_cuda:
        cuda_flags = list(arguments.get("extra_cuda_cflags") or [])
        # Line tables for ncu's source page (hot lines of a CUDA-C candidate): they change no
        # generated instruction. Without them ncu reports "No lineinfo available".
        if not any(f.strip() in LINE_INFO_FLAGS for f in cuda_flags):
            cuda_flags.append("-lineinfo")
        arguments["extra_cuda_cflags"] = cuda_flags + macros


def _build(original, arguments: dict, source_texts: list, inline: bool):
    with_cuda = arguments.get("with_cuda")
    if with_cuda is None:
        with_cuda = bool(arguments.get("cuda_sources")) or any(
            str(p).endswith((".cu", ".cuh")) for p in (arguments.get("sources") or [])
        )
    _with_flags(arguments, with_cuda)
    if STATE.tunables:
        STATE.tunables.mark_macros_used("\n".join(source_texts))
    keyed = {k: v for k, v in arguments.items() if k not in IGNORED_IN_KEY}
    if not inline:
        keyed["sources"] = source_texts
    key = digest("inline" if inline else "files", keyed, toolchain_key(with_cuda))
    requested = str(arguments.get("name") or "ext")
    # Named by content alone: two candidates with the same sources share one build.
    name = f"akg_ext_{key[:20]}"
    record = {
        "name": requested,
        "module": name,
        "key": key[:16],
        "with_cuda": with_cuda,
        "kernels": sorted(set(KERNEL_NAME.findall("\n".join(source_texts)))),
    }
    STATE.builds.append(record)
    if key in STATE.modules:
        record.update(cached=True, source="memory", seconds=0.0)
        return STATE.modules[key]
    build_directory = os.path.join(STATE.build_root, name)
    start = time.monotonic()
    failure = read_json(os.path.join(build_directory, FAILURE))
    if failure:
        record.update(cached=True, source="failed build (cached)", seconds=0.0)
        raise BuildError(
            failure["message"] + "\n(same sources and toolchain as an earlier failed build: not rebuilt)"
        )
    module = None
    marker = read_json(os.path.join(build_directory, MARKER))
    if marker:
        module = _import_built(name, build_directory, marker)
        record.update(cached=True, source="disk", built_seconds=marker.get("seconds"))
    if module is None:
        with file_lock(build_directory + ".lock"):
            marker = read_json(os.path.join(build_directory, MARKER))
            if marker:
                module = _import_built(name, build_directory, marker)
                record.update(cached=True, source="disk")
            if module is None:
                module = _compile(
                    original, arguments, name, build_directory, source_texts, inline, with_cuda, record
                )
                record.update(cached=False, source="compiled")
    record["seconds"] = round(time.monotonic() - start, 3)
    if arguments.get("is_python_module", True) is not False and not isinstance(module, str):
        wrap_module(module, requested)
    STATE.modules[key] = module
    return module


def _compile(original, arguments, name, build_directory, source_texts, inline, with_cuda, record):
    os.makedirs(build_directory, exist_ok=True)
    start = time.monotonic()
    import_name = name
    module = None
    try:
        if inline and fastbuild.supported(arguments):
            build = fastbuild.InlineBuild(
                arguments, build_directory, STATE.build_root, with_cuda, STATE.dsl, _macro_flags()
            )
            record["build"] = build.report
            try:
                build.build(fastbuild.jobs_for_build())
                import_name = build.binding_name
                module = build.load()
            except fastbuild.CompileFailed:
                raise
            except Exception as error:  # the fast path's own failure: torch's builder decides
                record["build"]["fallback"] = f"{type(error).__name__}: {str(error)[:500]}"
                import_name = name
        if module is None:
            call = dict(arguments, name=name, build_directory=build_directory, verbose=False)
            for key in ("cpp_sources", "cuda_sources"):
                if isinstance(call.get(key), list):
                    call[key] = list(call[key])  # load_inline inserts its #includes into the list
            module = original(**call)
    except Exception as error:
        text = str(error)
        verdict = isinstance(error, fastbuild.CompileFailed) and error.verdict
        if isinstance(error, fastbuild.CompileFailed):
            text = f"Error building extension '{name}':\n{text}"
        message = format_build_error(text, name, arguments, source_texts, STATE.candidate_path, inline)
        if verdict or "Error building extension" in str(error):  # a compiler verdict
            write_json_atomic(os.path.join(build_directory, FAILURE), {"message": message})
        raise BuildError(message) from None
    write_json_atomic(
        os.path.join(build_directory, MARKER),
        {
            "module": name,
            "import_name": import_name,
            "library": os.path.basename(_library_path(name, build_directory)),
            "seconds": round(time.monotonic() - start, 3),
            "toolchain": toolchain_key(with_cuda),
            "created": time.time(),
        },
    )
    return module


def _macro_flags() -> list:
    return STATE.tunables.macro_flags() if STATE.tunables else []


def _library_path(name: str, build_directory: str) -> str:
    # The fast path names the file after the build folder and the module after its binding.
    return os.path.join(build_directory, f"{name}.so")


def _import_built(name: str, build_directory: str, marker: dict):
    import_name = marker.get("import_name") or name
    library = _library_path(name, build_directory)
    if not os.path.exists(library):
        return None
    try:
        if import_name == name:
            return cpp_extension._import_module_from_library(name, build_directory, True)
        return fastbuild.import_library(import_name, library)
    except Exception:
        return None  # a half-written or foreign build: rebuild it


def wrap_module(module, label: str) -> None:
    for attribute in dir(module):
        if attribute.startswith("_"):
            continue
        function = getattr(module, attribute)
        if type(function).__name__ == "builtin_function_or_method":
            setattr(module, attribute, _instrument(function, f"{label}.{attribute}"))


def _instrument(function, label: str):
    def launch(*args, **kwargs):
        recorder = RECORDER
        if not recorder.active:
            return function(*args, **kwargs)
        recorder.counts[label] += 1
        if recorder.knockout and label in recorder.returns_none:
            return None
        with recorder.annotation(label):
            result = function(*args, **kwargs)
        if result is None:
            recorder.returns_none.add(label)
        elif recorder.knockout:
            return nan_like(result)
        return result

    launch.__name__ = getattr(function, "__name__", label)
    launch.__doc__ = getattr(function, "__doc__", None)
    launch.__wrapped__ = function
    return launch
