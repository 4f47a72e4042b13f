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
    values = {"name": "x", "cpp_sources": [CPP], "cuda_sources": [KERNEL], "functions": ["add"],
              "extra_cflags": ["-O3"], "extra_cuda_cflags": ["-O3"], "with_cuda": True}
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
        extension.ORIGINAL_LOAD_INLINE("x", [CPP, "int helper();"], cuda_sources=[KERNEL],
                                       functions=functions, build_directory=str(folder))
        main, cuda = fastbuild.generated_sources(
            {"cpp_sources": [CPP, "int helper();"], "cuda_sources": [KERNEL],
             "functions": functions})
        assert (folder / "main.cpp").read_text() == main
        assert (folder / "cuda.cu").read_text() == cuda


def cuda_build(tmp_path, monkeypatch, **overrides) -> fastbuild.InlineBuild:
    monkeypatch.setattr(cpp_extension, "CUDA_HOME", "/opt/cuda-for-test")
    monkeypatch.setenv("TORCH_CUDA_ARCH_LIST", "9.0a")
    tunables = overrides.pop("tunables", [])
    return fastbuild.InlineBuild(arguments(**overrides), str(tmp_path / "ext"), str(tmp_path),
                                 True, "cuda_c", tunables)


def test_kernel_body_change_keeps_the_binding(tmp_path, monkeypatch):
    first = cuda_build(tmp_path, monkeypatch)
    changed = cuda_build(tmp_path, monkeypatch,
                         cuda_sources=[KERNEL.replace("THREADS 256", "THREADS 512")])
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
    build = cuda_build(tmp_path, monkeypatch, tunables=["-DTHREADS=128"],
                       extra_cflags=["-O3", "-DTHREADS=128"],
                       extra_cuda_cflags=["-O3", "-DTHREADS=128"])
    plain = cuda_build(tmp_path, monkeypatch)
    assert "-DTHREADS=128" in build.nvcc_command()
    assert build.cxx_command(None) == plain.cxx_command(None)  # the binding never names THREADS
    with_includes = cuda_build(tmp_path, monkeypatch, tunables=["-DTHREADS=128"],
                               extra_cflags=["-DTHREADS=128"], extra_include_paths=[str(tmp_path)])
    assert "-DTHREADS=128" in with_includes.cxx_command(None)  # a header there might read it


BUILD_ONE = r"""
import json, sys
from akg_harness.dsl import extension
from akg_harness.tunables import Tunables
extension.install()
from torch.utils.cpp_extension import load_inline  # the harness's hook, as a candidate sees it
extension.STATE.build_root, extension.STATE.dsl = sys.argv[1], "cpp"
extension.STATE.tunables = Tunables(None)
source = '''
torch::Tensor scale(torch::Tensor a) {
    auto out = torch::empty_like(a);
    const float* pa = a.data_ptr<float>();
    float* po = out.data_ptr<float>();
    #pragma omp parallel for
    for (int64_t i = 0; i < a.numel(); ++i) po[i] = FACTOR * pa[i];
    return out;
}
'''.replace("FACTOR", sys.argv[2])
module = load_inline(name="scale", cpp_sources=source, functions=["scale"], extra_cflags=["-O2"])
import torch
value = float(module.scale(torch.ones(3))[0])
print(json.dumps({"value": value, "builds": extension.STATE.builds}))
"""


def build_once(root, factor: str) -> dict:
    done = subprocess.run([sys.executable, "-c", BUILD_ONE, str(root), factor],
                          capture_output=True, text=True, env=dict(harness_env(), AKG_PCH="1"),
                          timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.mark.skipif(not fastbuild.supported({}), reason="no C++ compiler")
def test_cpp_kernel_change_reuses_the_precompiled_header(tmp_path):
    cold = build_once(tmp_path, "2.0f")
    warm = build_once(tmp_path, "3.0f")
    again = build_once(tmp_path, "3.0f")
    assert (cold["value"], warm["value"], again["value"]) == (2.0, 3.0, 3.0)
    cold_build = cold["builds"][0]["build"]
    warm_build = warm["builds"][0]["build"]
    assert cold_build["pch"] == "built"
    assert warm_build["pch"] == "reused"  # gcc accepted it: not "not used: ..."
    assert warm_build["objects"] == {"main": "compiled"}
    # CPU seconds of the compilers, not wall time: robust on a busy machine. The cold build
    # paid for the header too; the warm one reads it precompiled.
    cold_cpu = sum(cold_build["cpu_seconds"].values())
    assert warm_build["cpu_seconds"]["main"] < cold_cpu
    assert again["builds"][0]["source"] == "disk" and "build" not in again["builds"][0]


def test_reference_store_keeps_outputs_per_seed_within_its_budget(monkeypatch):
    import types

    import torch

    from akg_harness.references import ReferenceStore

    monkeypatch.setenv("AKG_REFERENCE_CACHE_BYTES", str(3 * 4 * 1000))  # three 1000-float entries
    store = ReferenceStore()
    backend = types.SimpleNamespace(kind="cpu")
    for seed in range(4):
        store.put(("task", 1, seed), [torch.full((1000,), float(seed))], [{"dense": True}], backend)
    assert store.get(("task", 1, 0)) is None  # the oldest went first
    entry = store.get(("task", 1, 3))
    assert float(entry.values[0][0]) == 3.0 and entry.facts == [{"dense": True}]
    assert (store.hits, store.misses) == (1, 1)
    store.put(("task", 1, 9), [torch.zeros(10_000)], [], backend)  # bigger than the budget
    assert store.get(("task", 1, 9)) is None
