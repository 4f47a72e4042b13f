"""On a CUDA GPU (marker `gpu`; run on the GPU machine by bench/gpu_suite.sh).

Triton and cuda_c, including the three exploits behind public 30x-150x "speedups":
work on a side stream, a result read from the reference's freed memory, patched timers.
"""

import importlib.util
import json
import shutil

import pytest

from conftest import candidate, failed, flags, run_cli, task

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")]
LARGE = "vector_add_large"


@pytest.fixture(scope="module")
def gpu_worker():
    from akg_harness.api import Worker

    with Worker(warm_device="cuda") as warm:
        yield warm


def run(worker, dsl, name, task_name=LARGE, **options):
    options.setdefault("device", "cuda")
    options.setdefault("baselines", ["eager"])
    return worker.evaluate(task(task_name), candidate(dsl, name), dsl, **options)


def test_triton_correct_is_timed_against_eager(gpu_worker):
    result = run(gpu_worker, "triton", "add_correct")
    assert result["status"] == "passed", (failed(result), result["error"])
    assert result["interpreted"] is False
    timing = result["timing"]
    assert timing["clock"] == "cuda_event" and timing["l2_flush"] is True
    assert timing["candidate"]["median_ms"] > 0 and timing["eager"]["median_ms"] > 0
    assert timing["speedup_vs_eager"] > 0.5
    checks = {c["name"]: c["detail"] for c in result["checks"]}
    assert "add_kernel" in checks["dsl_kernel_launched"] or "launch" in checks["dsl_kernel_launched"]
    assert "device kernel time" in checks["work_in_dsl"]
    assert result["roofline"]["achieved_bandwidth_gbs"] > 100


def test_profile_ncu_and_compile_baseline(gpu_worker):
    result = run(gpu_worker, "triton", "add_correct", profile=True, ncu=True, baselines=["eager", "compile"])
    assert result["status"] == "passed", (failed(result), result["error"])
    kernels = result["profile"]["candidate"]["kernels"]
    assert any(k["dsl"] and "add_kernel" in k["name"] for k in kernels), kernels
    assert result["profile"]["eager"]["kernels"]
    assert result["timing"]["compile"] is not None, result["timing"]["baseline_cache"]
    if shutil.which("ncu"):
        ncu = result["ncu"]
        assert "kernels" in ncu, ncu
        assert any("add_kernel" in k["name"] for k in ncu["kernels"])
        assert ncu["total"]["duration_ms"] > 0


def test_side_stream_work_is_rejected(gpu_worker):
    result = run(gpu_worker, "triton", "add_side_stream")
    assert result["status"] == "rejected", (failed(result), result["error"])
    assert "no_async_work" in failed(result)


def test_reading_the_references_freed_memory_fails(gpu_worker):
    result = run(gpu_worker, "triton", "add_freed_memory")
    assert result["status"] in ("incorrect", "rejected"), failed(result)
    detail = failed(result).get("output_matches_reference", "")
    assert "never written" in detail or "work_in_dsl" in failed(result), failed(result)


def test_patched_cuda_timers_are_rejected(gpu_worker):
    result = run(gpu_worker, "triton", "add_patches_cuda_timer")
    assert result["status"] == "rejected"
    detail = failed(result)["runtime_untouched"]
    assert "elapsed_time" in detail and "synchronize" in detail
    after = run(gpu_worker, "triton", "add_correct")
    assert after["status"] == "passed", failed(after)


def test_torch_doing_the_work_on_gpu_is_rejected(gpu_worker):
    result = run(gpu_worker, "triton", "add_torch_heavy")
    assert result["status"] == "rejected"
    assert "work_in_dsl" in failed(result)


def test_cuda_c_correct_then_cached(gpu_worker, tmp_path):
    first = run(gpu_worker, "cuda_c", "add_correct")
    assert first["status"] == "passed", (failed(first), first["error"])
    out = tmp_path / "r.json"
    completed = run_cli(
        "evaluate",
        "--task",
        task(LARGE),
        "--candidate",
        candidate("cuda_c", "add_correct"),
        "--dsl",
        "cuda_c",
        "--device",
        "cuda",
        "--out",
        str(out),
        "--baselines",
        "eager",
    )
    assert completed.returncode == 0, completed.stderr
    second = json.loads(out.read_text())
    assert second["status"] == "passed"
    assert second["build"]["extensions"][0]["source"] == "disk"
    assert second["durations"]["compile"] < 0.5


def test_cuda_c_build_error_names_the_line(gpu_worker):
    result = run(gpu_worker, "cuda_c", "add_compile_error")
    assert result["status"] == "compile_error"
    assert "add_compile_error.py:8: error:" in result["error"]["message"], result["error"]["message"][:2000]


def test_cuda_c_side_stream_is_rejected(gpu_worker):
    result = run(gpu_worker, "cuda_c", "add_side_stream")
    assert result["status"] == "rejected", (failed(result), result["error"])
    assert "no_async_work" in failed(result)


@pytest.mark.skipif(importlib.util.find_spec("tilelang") is None, reason="tilelang missing")
def test_tilelang_correct(gpu_worker):
    result = run(gpu_worker, "tilelang", "add_correct", task_name="matrix_add")
    assert result["status"] == "passed", (failed(result), result["error"])
    assert "interpreted" not in flags(result)
