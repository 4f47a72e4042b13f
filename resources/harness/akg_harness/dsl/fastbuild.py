"""Building a `load_inline` extension in seconds: precompiled header, split objects, object cache.

torch's `load_inline` writes main.cpp (the candidate's C++ strings after `#include
<torch/extension.h>`, then the pybind11 module) and cuda.cu (the CUDA strings after three
includes) and runs ninja on them, parsing the full torch headers every time. Here the same two
files are written byte for byte (so compiler diagnostics still map to `candidate.py:LINE`) and
compiled with the same flags torch would use, except:
  - main.cpp finds `torch/extension.h` precompiled (gcc `.gch`), built once per compiler, torch
    version and flag set under `<build root>/pch`; gcc falls back to the real header by itself
    whenever the precompiled one does not fit the flags, so a mismatch costs time, never meaning;
  - each object is stored under `<build root>/objects` by a hash of its exact compiler command and
    source text, so a change to the kernel body in cuda.cu rebuilds cuda.cu only: the binding is
    named after its own contents, not after the CUDA sources, and is reused;
  - for cuda_c the binding (main.cpp, only declarations and pybind11 glue in the KernelBench
    format) is compiled at -O1 whatever -O the candidate asked for; device code keeps its flags;
  - cuda.cu is compiled first with `torch/types.h` where it includes `torch/extension.h` (the
    device file needs tensors, not pybind11 and the C++ frontend); if that does not compile, it
    is compiled again exactly as written, and that compile's diagnostics are the ones reported;
  - main.cpp and cuda.cu compile in parallel.
Anything this does not cover (SYCL, `is_python_module=False`, no C++ compiler) goes through
torch's own `load_inline`.
"""

import concurrent.futures
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sysconfig
import time

import torch.utils.cpp_extension as cpp_extension

from ..cache import digest, file_lock, tool_version, toolchain_key

# Bump when the commands or the generated files change, so stale objects are not reused.
FORMAT_VERSION = 2
OPT_LEVEL = re.compile(r"^-O([0-3sgz]|fast)?$")
BINDING_OPT = "-O1"
# The flags every binding compile starts with; a precompiled header is keyed by these plus the
# candidate's own code-generation flags.
PCH_FIXED_FLAGS = ("-DTORCH_API_INCLUDE_EXTENSION_H", "-fPIC", "-std=c++20")
PCH_UNUSED = re.compile(r"extension\.h\.gch: not used because (.*)")
# Written beside a shared .gch (compile_pch): torch's header, for where the .gch does not serve.
STUB_HEADER = "#pragma once\n#include_next <torch/extension.h>\n"
# cuda.cu needs tensors, not Python: torch/extension.h adds torch/python.h and pybind11 (and the
# whole C++ frontend) to every nvcc front-end pass. The device file is tried first with
# torch/types.h in its place, on the same line (diagnostics keep their line numbers); a file
# that needs more fails to compile that way and is compiled again exactly as written.
EXTENSION_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*[<\"]torch/extension\.h[>\"][ \t]*$", re.M)
LIGHT_INCLUDE = "#include <torch/types.h>"


def light_device_text(text: str) -> str:
    """cuda.cu with torch/extension.h replaced by torch/types.h (the text itself when it has none)."""
    return EXTENSION_INCLUDE.sub(LIGHT_INCLUDE, text)


class CompileFailed(RuntimeError):
    """The compiler rejected a source; the message carries its output, as torch's would.
    `verdict` is False when the compiler was killed (memory, a signal): not worth remembering."""

    def __init__(self, message: str, verdict: bool = True):
        super().__init__(message)
        self.verdict = verdict


def supported(arguments: dict) -> bool:
    if arguments.get("cuda_sources") and arguments.get("with_cuda") is False:
        return False  # torch would compile cuda.cu with the C++ compiler: leave that to it
    return (
        arguments.get("is_python_module", True) is not False
        and not arguments.get("sycl_sources")
        and not arguments.get("with_sycl")
        and shutil.which(cpp_extension.get_cxx_compiler()) is not None
    )


def generated_sources(arguments: dict) -> tuple:
    """(main.cpp text, cuda.cu text or None), exactly as torch's load_inline writes them."""
    cpp = list(arguments.get("cpp_sources") or [])
    cuda = list(arguments.get("cuda_sources") or [])
    implicit = not arguments.get("no_implicit_headers")
    if implicit:
        cpp.insert(0, "#include <torch/extension.h>")
    functions = arguments.get("functions")
    if functions is not None:
        if isinstance(functions, str):
            functions = [functions]
        if isinstance(functions, list):
            functions = {name: name for name in functions}
        elif not isinstance(functions, dict):
            raise ValueError(f"Expected 'functions' to be a list or dict, but was {type(functions)}")
        lines = ["PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {"]
        wrap = arguments.get("with_pytorch_error_handling", True)
        for name, doc in functions.items():
            target = f"torch::wrap_pybind_function({name})" if wrap else name
            lines.append(f'm.def("{name}", {target}, "{doc}");')
        lines.append("}")
        cpp += lines
    cuda_text = None
    if cuda:
        if implicit:
            cuda[:0] = ["#include <torch/types.h>", "#include <cuda.h>", "#include <cuda_runtime.h>"]
        cuda_text = "\n".join(cuda)
    return "\n".join(cpp), cuda_text


def system_includes(with_cuda: bool) -> list:
    """torch's include folders (CUDA's too for a CUDA build) and Python's."""
    system = cpp_extension.include_paths("cuda" if with_cuda else "cpu")
    python_include = sysconfig.get_path("include", scheme="posix_prefix")
    return system + ([python_include] if python_include else [])


def pch_key(includes: list, flags: list) -> str:
    return digest("pch", FORMAT_VERSION, tool_version(_cxx()), includes, flags, toolchain_key(False))[:24]


def compile_pch(root: str, includes: list, flags: list) -> dict:
    """Builds root/torch/extension.h.gch from torch's header with these flags (under a lock,
    atomically). {"status": "built"|"exists"|"off: ...", "cpu_seconds": {...}}."""
    target = os.path.join(root, "torch", "extension.h.gch")
    header = next(
        (
            os.path.join(p, "torch", "extension.h")
            for p in includes
            if os.path.exists(os.path.join(p, "torch", "extension.h"))
        ),
        None,
    )
    if header is None:
        return {"status": "off: torch/extension.h not found"}
    try:
        with file_lock(root + ".lock"):
            if os.path.exists(target):
                return {"status": "exists"}
            os.makedirs(os.path.dirname(target), exist_ok=True)
            temporary = f"{target}.tmp{os.getpid()}"
            command = _split(
                [_cxx()]
                + [f"-isystem {shlex.quote(p)}" for p in includes]
                + list(flags)
                + ["-Wno-pragma-once-outside-header", "-x", "c++-header", header, "-o", temporary]
            )
            code, output, cpu = _run(command, root)
            if code != 0:
                _remove(temporary)
                return {
                    "status": f"off: exit {code}: " + output.strip()[-300:],
                    "cpu_seconds": {"pch": round(cpu, 3)},
                }
            # Beside the .gch, a header that forwards to torch's own: gcc reads it wherever the
            # .gch does not serve (a second `#include <torch/extension.h>` in the candidate's
            # text, or flags the .gch does not fit) instead of failing on a missing file.
            _write(os.path.join(root, "torch", "extension.h"), STUB_HEADER)
            os.replace(temporary, target)
            return {"status": "built", "cpu_seconds": {"pch": round(cpu, 3)}}
    except OSError as error:  # a read-only cache: compile against the plain header
        return {"status": f"off: {error}"}


def _request_pch(key: str, flags: list, with_cuda: bool) -> None:
    """Leaves a request for the trusted side in this sandbox's cache folder; best effort."""
    try:
        from ..cache import cache_dir

        folder = cache_dir("pch-requests")
        with open(os.path.join(folder, key + ".json"), "w", encoding="utf-8") as handle:
            json.dump({"flags": list(flags), "cuda": bool(with_cuda)}, handle)
    except OSError:
        pass


def _mentions(text: str, flag: str) -> bool:
    name = flag[2:].split("=", 1)[0]
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


class InlineBuild:
    """One extension: its generated files, its compiler commands and where the results go."""

    def __init__(
        self, arguments: dict, directory: str, build_root: str, with_cuda: bool, dsl: str, tunable_flags: list
    ):
        self.arguments = arguments
        self.directory = directory
        self.build_root = build_root
        self.with_cuda = with_cuda
        self.dsl = dsl
        self.main_text, self.cuda_text = generated_sources(arguments)
        includes = [os.path.abspath(p) for p in (arguments.get("extra_include_paths") or [])]
        self.user_includes = includes
        self.system_includes = system_includes(with_cuda)
        # A tunable macro reaches a file only when the file names it (its value cannot matter
        # elsewhere), so the binding is not rebuilt for every configuration of a kernel macro.
        # With extra include paths a header could read it: then every file gets every macro.
        self.tunable_flags = list(tunable_flags)
        user_cflags = [
            f.strip() for f in (arguments.get("extra_cflags") or []) if f.strip() not in tunable_flags
        ]
        self.user_cflags = user_cflags
        self.user_cuda_cflags = [
            f.strip() for f in (arguments.get("extra_cuda_cflags") or []) if f.strip() not in tunable_flags
        ]
        self.binding_name = (
            "akg_bind_"
            + digest(
                FORMAT_VERSION, self.main_text, self._binding_cflags(), includes, toolchain_key(with_cuda)
            )[:20]
        )
        self.library = os.path.join(directory, os.path.basename(directory) + ".so")
        self.report = {"pch": None, "objects": {}, "compile_seconds": {}}

    # -- flags, as torch's _write_ninja_file_to_build_library makes them ---------------------
    def _macros_for(self, text: str) -> list:
        if self.user_includes:
            return list(self.tunable_flags)
        return [flag for flag in self.tunable_flags if _mentions(text, flag)]

    def _binding_cflags(self) -> list:
        flags = list(self.user_cflags)
        if self.with_cuda:
            # Declarations and pybind11 glue: -O3 buys nothing here and costs seconds.
            flags = [f for f in flags if not OPT_LEVEL.match(f)] + [BINDING_OPT]
        return flags + self._macros_for(self.main_text)

    def _common(self) -> list:
        flags = [f"-DTORCH_EXTENSION_NAME={self.binding_name}", "-DTORCH_API_INCLUDE_EXTENSION_H"]
        flags += [f"-I{shlex.quote(p)}" for p in self.user_includes]
        flags += [f"-isystem {shlex.quote(p)}" for p in self.system_includes]
        return flags

    def cxx_command(self, pch_dir) -> list:
        pch = [f"-I{shlex.quote(pch_dir)}"] if pch_dir else []
        warn = [] if pch_dir is None or "-Werror" in self.user_cflags else ["-Winvalid-pch"]
        flags = pch + self._common() + ["-fPIC", "-std=c++20"] + self._binding_cflags() + warn
        return _split([_cxx()] + flags)

    def nvcc_command(self) -> list:
        flags = self._common() + cpp_extension.COMMON_NVCC_FLAGS
        flags += cpp_extension._get_cuda_arch_flags(self.user_cuda_cflags)
        flags += ["--compiler-options", "'-fPIC'"] + self.user_cuda_cflags
        flags += self._macros_for(self.cuda_text or "")
        if not any(f.startswith("-std=") for f in flags):
            flags.append("-std=c++20")
        if os.getenv("CC") is not None:
            flags = ["-ccbin", os.environ["CC"]] + flags
        nvcc = os.getenv("PYTORCH_NVCC") or cpp_extension._join_cuda_home("bin", "nvcc")
        return _split([nvcc] + flags)

    def link_command(self, objects: list) -> list:
        ldflags = [f.strip() for f in (self.arguments.get("extra_ldflags") or [])]
        ldflags = cpp_extension._prepare_ldflags(ldflags, self.with_cuda, False, False, False)
        return _split([_cxx()] + objects + ["-shared"] + ldflags + ["-o", self.library])

    # -- precompiled header -------------------------------------------------------------------
    def pch_flags(self) -> list:
        """The flags that decide whether gcc accepts the .gch: everything but macros and paths
        the candidate adds (gcc checks those itself and falls back when one matters)."""
        flags = list(PCH_FIXED_FLAGS)
        flags += [f for f in self._binding_cflags() if not f.startswith(("-D", "-U", "-I"))]
        return flags

    def ensure_pch(self):
        """The directory holding torch/extension.h.gch for these flags, built once; None when
        it cannot be had (unwritable cache, a compiler without PCH support)."""
        if self.arguments.get("no_implicit_headers"):
            self.report["pch"] = "off"
            return None
        flags = self.pch_flags()
        key = pch_key(self.system_includes, flags)
        shared = os.environ.get("AKG_PCH_DIR")
        root = os.path.join(shared or os.path.join(self.build_root, "pch"), key)
        target = os.path.join(root, "torch", "extension.h.gch")
        if os.path.exists(target):
            self.report["pch"] = "reused"
            return root
        if os.environ.get("AKG_PCH") != "1":
            # A sandboxed build never writes a header other candidates' builds would read: it
            # asks, and the trusted side (akg_harness/pch.py) builds one for these flags, from
            # torch's header alone, once this build's sandbox is closed.
            if shared:
                _request_pch(key, flags[len(PCH_FIXED_FLAGS) :], self.with_cuda)
                self.report["pch"] = "off: none yet for these flags (requested from the trusted side)"
            else:
                self.report["pch"] = "off: none built for these flags (AKG_PCH=1 builds one)"
            return None
        start = time.monotonic()
        result = compile_pch(root, self.system_includes, flags)
        self.report.setdefault("cpu_seconds", {}).update(result.get("cpu_seconds", {}))
        if result["status"] not in ("built", "exists"):
            self.report["pch"] = result["status"]
            return None
        self.report["pch"] = "built" if result["status"] == "built" else "reused"
        self.report["compile_seconds"]["pch"] = round(time.monotonic() - start, 3)
        return root

    # -- objects --------------------------------------------------------------------------------
    def _object(self, label: str, text: str, filename: str, command_for, run_in):
        """Compile one generated file, or reuse its stored object. Returns the object's path."""
        source = os.path.join(self.directory, filename)
        _write(source, text)
        out = os.path.join(self.directory, label + ".o")
        # The key leaves out where the files sit and whether a .gch was found: neither changes
        # the object a compiler makes from the same text and flags.
        key = digest("object", FORMAT_VERSION, label, text, command_for(None), toolchain_key(self.with_cuda))
        stored = os.path.join(self.build_root, "objects", key[:2], key + ".o")
        if os.path.exists(stored):
            _place(stored, out)
            self.report["objects"][label] = "reused"
            return out
        command = run_in()
        start = time.monotonic()
        command = command + ["-c", source, "-o", out]
        code, output, cpu = _run(command, self.directory)
        self.report["compile_seconds"][label] = round(time.monotonic() - start, 3)
        self.report.setdefault("cpu_seconds", {})[label] = round(cpu, 3)
        output = output.strip()
        if code != 0:
            raise CompileFailed(f"{shlex.join(command)}\n{output}", code > 0)
        unused = PCH_UNUSED.search(output)
        if label == "main" and unused and self.report["pch"] in ("built", "reused"):
            self.report["pch"] = f"not used: {unused.group(1).strip()}"
        try:
            os.makedirs(os.path.dirname(stored), exist_ok=True)
            temporary = f"{stored}.tmp{os.getpid()}"
            shutil.copyfile(out, temporary)
            os.replace(temporary, stored)
        except OSError:
            pass  # a read-only store: the object is still good for this build
        self.report["objects"][label] = "compiled"
        return out

    def build(self, jobs: int) -> None:
        """Compile (in parallel where there is more than one file) and link the library."""
        os.makedirs(self.directory, exist_ok=True)
        start = time.monotonic()

        def binding():
            return self._object(
                "main",
                self.main_text,
                "main.cpp",
                lambda _: self.cxx_command(None),
                lambda: self.cxx_command(self.ensure_pch()),
            )

        def device():
            light = light_device_text(self.cuda_text)
            if light != self.cuda_text and os.environ.get("AKG_LIGHT_CUDA_HEADER", "1") != "0":
                try:
                    built = self._object(
                        "cuda", light, "cuda.cu", lambda _: self.nvcc_command(), self.nvcc_command
                    )
                    self.report["cuda_header"] = "torch/types.h in place of torch/extension.h"
                    return built
                except CompileFailed as error:
                    if not error.verdict:
                        raise
                    self.report["cuda_header"] = "as written (it needs more than torch/types.h)"
                    first = self.report["compile_seconds"].pop("cuda", None)
                    if first is not None:
                        self.report["compile_seconds"]["cuda_light_try"] = first
            return self._object(
                "cuda", self.cuda_text, "cuda.cu", lambda _: self.nvcc_command(), self.nvcc_command
            )

        tasks = [binding] + ([device] if self.cuda_text is not None and self.with_cuda else [])
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
            futures = [pool.submit(task) for task in tasks]
            objects, failures = [], []
            for future in futures:
                try:
                    objects.append(future.result())
                except CompileFailed as error:
                    failures.append(error)
        if failures:
            raise CompileFailed("\n".join(str(f) for f in failures), all(f.verdict for f in failures))
        link_start = time.monotonic()
        command = self.link_command(objects)
        code, output, _cpu = _run(command, self.directory)
        if code != 0:  # compiled objects that do not link: this path's fault, not the candidate's
            raise RuntimeError(f"link failed: {shlex.join(command)}\n{output[-2000:]}")
        self.report["compile_seconds"]["link"] = round(time.monotonic() - link_start, 3)
        self.report["seconds"] = round(time.monotonic() - start, 3)

    def load(self):
        return import_library(self.binding_name, self.library)


def import_library(import_name: str, library: str):
    """Import a built extension whose init function is named after `import_name`."""
    spec = importlib.util.spec_from_file_location(import_name, library)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def jobs_for_build() -> int:
    """Compiler processes one build may run at once: MAX_JOBS (set by precompile, which splits
    the cores between builds) or the cores this process may use."""
    try:
        return max(1, int(os.environ["MAX_JOBS"]))
    except (KeyError, ValueError):
        return max(
            1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        )


def _run(command: list, cwd: str) -> tuple:
    """(exit status, output, CPU seconds of the compiler): CPU time says what a build costs on a
    shared machine, where wall time depends on who else is compiling."""
    import tempfile

    with tempfile.TemporaryFile(mode="w+") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return process.returncode, output.read(), usage.ru_utime + usage.ru_stime


def _cxx() -> str:
    return cpp_extension.get_cxx_compiler()


def _split(parts: list) -> list:
    # torch's flags are written for a shell (`-isystem <path>`, `'-fPIC'`); split them the same way.
    return shlex.split(" ".join(parts))


def _write(path: str, text: str) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _place(stored: str, out: str) -> None:
    temporary = f"{out}.tmp{os.getpid()}"
    try:
        os.link(stored, temporary)
    except OSError:
        shutil.copyfile(stored, temporary)
    os.replace(temporary, out)
