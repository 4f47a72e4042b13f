"""The extension build path: same generated files as torch, a binding that outlives kernel
changes, a precompiled header reused across builds (dsl/fastbuild.py)."""

import json
import os
import subprocess
import sys

import pytest
import torch.utils.cpp_extension as cpp_extension

from akg_harness.dsl import extension, fastbuild

from conftest import harness_env

CPP = "torch::Tensor add(torch::Tensor a, torch::Tensor b);"
KERNEL = r"""
#define THREADS 256
__global__ void add_kernel(const float* a, const float* b, float* o, int n) {
    int i = blockIdx.x * THREADS + threadIdx.x;
    if (i < n) o[i] = a[i] + b[i];
}
torch::Tensor add(torch::Tensor a, torch::Tensor b) { return a; }
"""


def arguments(**overrides) -> dict:
    values = {
        "name": "x",
        "cpp_sources": [CPP],
        "cuda_sources": [KERNEL],
        "functions": ["add"],
        "extra_cflags": ["-O3"],
        "extra_cuda_cflags": ["-O3"],
        "with_cuda": True,
    }
    values.update(overrides)
    return values


def test_generated_files_are_torchs_own(tmp_path, monkeypatch):
    # torch's load_inline writes main.cpp and cuda.cu, then compiles: stop it before the compiler
    # and compare, so line numbers (and so candidate.py:LINE mapping) cannot drift.
    monkeypatch.setattr(cpp_extension, "_jit_compile", lambda *args, **kwargs: None)
    for functions in (["add"], {"add": "adds"}, None):
        folder = tmp_path / str(len(os.listdir(tmp_path)))
        folder.mkdir()
        # torch's own, even where this process installed the harness's hook
        extension.ORIGINAL_LOAD_INLINE(
            "x",
            [CPP, "int helper();"],
            cuda_sources=[KERNEL],
            functions=functions,
            build_directory=str(folder),
        )
        main, cuda = fastbuild.generated_sources(
            {"cpp_sources": [CPP, "int helper();"], "cuda_sources": [KERNEL], "functions": functions}
        )
        assert (folder / "main.cpp").read_text() == main
        assert (folder / "cuda.cu").read_text() == cuda


def cuda_build(tmp_path, monkeypatch, **overrides) -> fastbuild.InlineBuild:
    monkeypatch.setattr(cpp_extension, "CUDA_HOME", "/opt/cuda-for-test")
    monkeypatch.setenv("TORCH_CUDA_ARCH_LIST", "9.0a")
    tunables = overrides.pop("tunables", [])
    return fastbuild.InlineBuild(
        arguments(**overrides), str(tmp_path / "ext"), str(tmp_path), True, "cuda_c", tunables
    )


def test_kernel_body_change_keeps_the_binding(tmp_path, monkeypatch):
    first = cuda_build(tmp_path, monkeypatch)
    changed = cuda_build(tmp_path, monkeypatch, cuda_sources=[KERNEL.replace("THREADS 256", "THREADS 512")])
    other_binding = cuda_build(tmp_path, monkeypatch, cpp_sources=[CPP + "\nint more();"])
    # The module is named after the binding, so the binding's object and command are unchanged.
    assert first.binding_name == changed.binding_name != other_binding.binding_name
    assert first.cxx_command(None) == changed.cxx_command(None)
    assert first.nvcc_command() == changed.nvcc_command()


def test_flags_binding_at_o1_device_code_for_this_gpu_only(tmp_path, monkeypatch):
    build = cuda_build(tmp_path, monkeypatch)
    binding = build.cxx_command(None)
    assert "-O1" in binding and "-O3" not in binding
    nvcc = build.nvcc_command()
    assert "-O3" in nvcc
    assert [f for f in nvcc if "arch=" in f] == ["-gencode=arch=compute_90a,code=sm_90a"]


def test_tunable_macro_reaches_only_the_files_that_name_it(tmp_path, monkeypatch):
    build = cuda_build(
        tmp_path,
        monkeypatch,
        tunables=["-DTHREADS=128"],
        extra_cflags=["-O3", "-DTHREADS=128"],
        extra_cuda_cflags=["-O3", "-DTHREADS=128"],
    )
    plain = cuda_build(tmp_path, monkeypatch)
    assert "-DTHREADS=128" in build.nvcc_command()
    assert build.cxx_command(None) == plain.cxx_command(None)  # the binding never names THREADS
    with_includes = cuda_build(
        tmp_path,
        monkeypatch,
        tunables=["-DTHREADS=128"],
        extra_cflags=["-DTHREADS=128"],
        extra_include_paths=[str(tmp_path)],
    )
    assert "-DTHREADS=128" in with_includes.cxx_command(None)  # a header there might read it


def test_the_device_file_tries_torch_types_first_and_falls_back_to_its_own_text(tmp_path, monkeypatch):
    text = '#include <torch/extension.h>\n  # include "torch/extension.h"\n#include <torch/extension.hpp>\nint x;'
    light = fastbuild.light_device_text(text)
    assert light.splitlines() == [
        "#include <torch/types.h>",
        "#include <torch/types.h>",
        "#include <torch/extension.hpp>",
        "int x;",
    ]
    assert fastbuild.light_device_text("int y;") == "int y;"
    build = cuda_build(tmp_path, monkeypatch, cuda_sources=["#include <torch/extension.h>\n" + KERNEL])
    compiled = []

    def compile_(label, text, filename, command_for, run_in):
        compiled.append((label, text))
        if label == "cuda" and "torch/extension.h" not in text and needs_more[0]:
            raise fastbuild.CompileFailed("cuda.cu:5: error: needs pybind11")
        return str(tmp_path / f"{label}.o")

    monkeypatch.setattr(build, "_object", compile_)
    monkeypatch.setattr(fastbuild, "_run", lambda command, cwd: (0, "", 0.0))
    for needs_more in ([False], [True]):
        compiled.clear()
        build.report = {"pch": None, "objects": {}, "compile_seconds": {}}
        build.build(jobs=1)
        device = [text for label, text in compiled if label == "cuda"]
        if needs_more[0]:
            # Tried light, then compiled exactly as written (whose diagnostics are reported).
            assert [t.count("torch/types.h") for t in device] == [2, 1] and device[1].endswith(KERNEL)
            assert build.report["cuda_header"].startswith("as written")
        else:
            assert len(device) == 1 and "torch/extension.h" not in device[0]
            assert build.report["cuda_header"].startswith("torch/types.h")
        # Same line count either way: candidate.py:LINE mapping holds.
        assert len({t.count("\n") for t in device}) == 1


CANDIDATE = r'''
import json, os
import torch
from torch.utils.cpp_extension import load_inline

# Hostile extras: write into the shared header folder, and ask for a header built with a
# compiler plugin. Neither may have any effect.
for attempt in ("evil.gch", "torch/extension.h.gch"):
    try:
        with open(os.path.join(os.environ.get("AKG_PCH_DIR", "/nonexistent"), attempt), "w") as f:
            f.write("x")
    except OSError:
        pass
try:
    folder = os.path.join(os.environ["AKG_CACHE_DIR"], "pch-requests")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "0-evil.json"), "w") as f:
        json.dump({"flags": ["-fplugin=/tmp/evil.so"], "cuda": False}, f)
except OSError:
    pass

# The candidate's own include after the implicit one, as many candidates write it: the shared
# header serves the first, the second must still find a file.
source = """
#include <torch/extension.h>
torch::Tensor scale(torch::Tensor a) {
    auto out = torch::empty_like(a);
    const float* pa = a.data_ptr<float>();
    float* po = out.data_ptr<float>();
    #pragma omp parallel for
    for (int64_t i = 0; i < a.numel(); ++i) po[i] = FACTOR * pa[i];
    return out;
}
"""
ext = load_inline(name="scale", cpp_sources=source, functions=["scale"], extra_cflags=["-O2"])


class ModelNew(torch.nn.Module):
    def forward(self, a):
        return ext.scale(a)
'''


def sandboxed_build(root, factor: str) -> dict:
    """One candidate through `precompile`: imported in a sandbox, its build kept."""
    path = root / f"scale_{factor.replace('.', '_')}.py"
    path.write_text(CANDIDATE.replace("FACTOR", factor))
    env = dict(harness_env(), AKG_CACHE_DIR=str(root / "cache"))
    env.pop("AKG_PCH", None)
    done = subprocess.run(
        [sys.executable, "-m", "akg_harness", "precompile", "--dsl", "cpp", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert "{" in done.stdout, done.stderr[-3000:]
    report = json.loads(done.stdout[done.stdout.index("{") :])["candidates"][0]
    assert report["ok"], report
    return report["extensions"][0]


def test_a_build_without_a_header_asks_for_one(tmp_path, monkeypatch):
    # What a sandboxed build does when the shared folder has no header for its flags: it
    # writes a request into its own cache folder and compiles without one.
    monkeypatch.setenv("AKG_PCH_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AKG_PCH", raising=False)
    build = fastbuild.InlineBuild(
        arguments(cuda_sources=[], with_cuda=False, extra_cflags=["-O2", "-fopenmp"]),
        str(tmp_path / "ext"),
        str(tmp_path),
        False,
        "cpp",
        [],
    )
    assert build.ensure_pch() is None
    assert build.report["pch"].startswith("off: none yet")
    requests = list((tmp_path / "cache" / "pch-requests").glob("*.json"))
    assert [json.loads(r.read_text()) for r in requests] == [{"flags": ["-O2", "-fopenmp"], "cuda": False}]


@pytest.mark.skipif(not fastbuild.supported({}), reason="no C++ compiler")
def test_sandboxed_builds_share_a_header_only_the_trusted_side_builds(tmp_path):
    from akg_harness import pch, sandbox

    if not sandbox.status()["available"] or sandbox.status()["tool"] != "bwrap":
        pytest.skip("needs bubblewrap")
    # The request the test above shows a build writing, for the flags of CANDIDATE's build,
    # served by the trusted side (precompile does this when a sandbox closes).
    folder = tmp_path / "asked"
    (folder / pch.REQUESTS).mkdir(parents=True)
    (folder / pch.REQUESTS / "a.json").write_text(json.dumps({"flags": ["-O2", "-fopenmp"]}))
    env = dict(harness_env(), AKG_CACHE_DIR=str(tmp_path / "cache"))
    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from akg_harness import pch; print(pch.serve(sys.argv[1], wait=True))",
            str(folder),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert served.stdout.strip() == "1", served.stderr[-2000:]
    shared = tmp_path / "cache" / "pch-shared"
    built = sorted(p.relative_to(shared) for p in shared.rglob("*.gch"))
    assert len(built) == 1 and built[0].parts[1:] == ("torch", "extension.h.gch"), built
    # A candidate's build reads it (gcc accepted it); what the candidate wrote into the shared
    # folder is not there, and its forged request for a plugin built nothing.
    report = sandboxed_build(tmp_path, "3.0f")
    assert report["build"]["pch"] == "reused", report["build"]
    assert report["build"]["objects"] == {"main": "compiled"}
    assert not list(shared.rglob("evil*"))
    assert sorted(p.relative_to(shared) for p in shared.rglob("*.gch")) == built
    # CPU seconds of the compilers, not wall time: robust on a busy machine. With the header,
    # the whole binding costs less than parsing torch's headers did.
    header = json.loads((shared / (built[0].parts[0] + ".json")).read_text())
    assert report["build"]["cpu_seconds"]["main"] < header["cpu_seconds"]["pch"]


def test_header_requests_are_read_as_untrusted_data(tmp_path):
    from akg_harness import pch

    folder = tmp_path / pch.REQUESTS
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({"flags": ["-O3", "-fopenmp"], "cuda": False}))
    (folder / "b.json").write_text(json.dumps({"flags": ["-O2", "-Wl,-rpath,/x"]}))
    (folder / "c.json").write_text("not json")
    (tmp_path / "target.json").write_text(json.dumps({"flags": ["-O1"]}))
    (folder / "d.json").symlink_to(tmp_path / "target.json")
    assert pch.read_requests(str(tmp_path)) == [{"flags": ["-O3", "-fopenmp"], "cuda": False}]
    for flags in (
        ["-fplugin=/x.so"],
        ["-B/tmp"],
        ["@/etc/passwd"],
        ["-include", "/etc/x"],
        ["-Wp,-MD,/tmp/x"],
        ["-specs=/x"],
        ["-O3 -fplugin=/x.so"],
        "-O3",
    ):
        assert pch.refusal(flags), flags
    assert pch.refusal(["-O3", "-march=native", "-ffast-math", "-Wall", "-std=c++17"]) is None


def test_cuda_builds_carry_line_tables_for_the_source_page_once():
    # ncu's source page needs line tables; without them it printed "No lineinfo available" for
    # a CUDA-C candidate on the H200 and the candidate had no hot lines.
    for given, expected in (
        (["-O3"], ["-O3", "-lineinfo"]),
        (["-O3", "-lineinfo"], ["-O3", "-lineinfo"]),
        (["-G"], ["-G"]),
        (["--generate-line-info"], ["--generate-line-info"]),
    ):
        values = arguments(extra_cuda_cflags=list(given))
        extension._with_flags(values, with_cuda=True)
        assert values["extra_cuda_cflags"] == expected
    cpp_only = arguments(extra_cuda_cflags=None, with_cuda=False)
    extension._with_flags(cpp_only, with_cuda=False)
    assert cpp_only["extra_cuda_cflags"] is None
