"""Small pieces whose answers a kernel author reads directly."""

import torch

from akg_harness.checks.outputs import dense_problem
from akg_harness.compare import compare_outputs
from akg_harness.dsl.source_map import format_build_error
from akg_harness.ncu import parse_csv
from akg_harness.timing import summarize
from akg_harness.tolerance import tolerance_for
from akg_harness.tunables import Tunables, rewrite_constants


def test_default_tolerance_matches_kernelbench():
    assert tolerance_for(torch.float32, "default") == {"atol": 1e-4, "rtol": 1e-4, "exact": False}
    assert tolerance_for(torch.bfloat16, "default")["atol"] == 1e-2
    assert tolerance_for(torch.float32, "loose")["atol"] == 1e-2
    assert tolerance_for(torch.int64, "loose")["exact"] is True


def test_unwritten_elements_fail_even_with_a_loose_tolerance():
    reference = torch.ones(10)
    candidate = torch.ones(10)
    candidate[3] = float("nan")
    result = compare_outputs([candidate], [reference], "loose")
    assert not result.passed
    assert result.nonfinite_where_reference_finite == 1
    assert result.first_mismatch["index"] == [3]
    assert "never written" in result.summary()


def test_matching_nan_and_inf_pass():
    values = torch.tensor([1.0, float("nan"), float("inf")])
    assert compare_outputs([values.clone()], [values], "strict").passed


def test_expanded_and_aliasing_outputs_are_named():
    reference = torch.randn(4, 4)
    expanded = torch.randn(4, 1).expand(4, 4)
    assert "expanded view" in dense_problem([expanded], [reference], [], [])
    inputs = [torch.randn(4, 4)]
    assert "shares memory with input 0" in dense_problem(
        [inputs[0].view(4, 4)], [reference], inputs, [torch.randn(4, 4)]
    )
    assert dense_problem([reference.clone()], [reference], [], []) is None


def test_compiler_error_is_mapped_to_the_candidate_line(tmp_path):
    source = "int f() {\n  return oops;\n}\n"
    path = tmp_path / "cand.py"
    path.write_text(f'import torch\nSRC = r"""\n{source}"""\n')
    log = "/b/ext/main.cpp:3:10: error: 'oops' was not declared in this scope"
    message = format_build_error(log, "ext", {"cpp_sources": [source]}, [source], str(path), inline=True)
    assert "cand.py:4: error: 'oops' was not declared" in message


def test_ncu_csv_is_parsed():
    output = (
        '==PROF== Connected\n"ID","Kernel Name","gpu__time_duration.sum",'
        '"dram__bytes_read.sum","dram__bytes_write.sum",'
        '"sm__sass_thread_inst_executed_op_ffma_pred_on.sum"\n'
        '"","","nsecond","byte","byte","inst"\n'
        '"0","add_kernel","2,048","1000","500","10"\n'
    )
    kernels = parse_csv(output)
    assert kernels[0]["name"] == "add_kernel"
    assert kernels[0]["duration_ms"] == 2048 / 1e6
    assert kernels[0]["dram_bytes"] == 1500 and kernels[0]["flops"] == 20


def test_summary_statistics():
    stats = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats["median_ms"] == 3.0 and stats["min_ms"] == 1.0 and stats["trials"] == 5
    assert stats["max_ms"] == 100.0 and stats["iqr_ms"] > 0


def test_constant_override_keeps_line_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.py"
    path.write_text("BLOCK = (\n    128\n)\nX = 1\n")
    tunables = Tunables({"BLOCK": 64, "num_warps": 8})
    rewritten = rewrite_constants(str(path), tunables)
    text = open(rewritten).read()
    assert text.splitlines()[3] == "X = 1"
    namespace = {}
    exec(text, namespace)
    assert namespace["BLOCK"] == 64
    assert tunables.applied == {"BLOCK": ["constant"], "num_warps": []}
    assert tunables.macro_flags() == ["-DBLOCK=64"]


def _stream_trace(with_join: bool):
    from akg_harness.profiling import Trace

    events = [
        {"ph": "X", "cat": "user_annotation", "name": "akg.forward::probe", "ts": 0, "dur": 20, "tid": 1},
        {
            "ph": "X",
            "cat": "cuda_driver",
            "name": "cuLaunchKernelEx",
            "ts": 5,
            "dur": 3,
            "tid": 1,
            "args": {"correlation": 1},
        },
        {
            "ph": "X",
            "cat": "kernel",
            "name": "add_kernel",
            "ts": 6,
            "dur": 130,
            "tid": 9,
            "args": {"correlation": 1, "stream": 13},
        },
        # the host reached the marker late; the copy started after the kernel ended
        {"ph": "X", "cat": "user_annotation", "name": "akg.marker", "ts": 180, "dur": 5, "tid": 1},
        {
            "ph": "X",
            "cat": "cuda_runtime",
            "name": "cudaMemcpyAsync",
            "ts": 181,
            "dur": 2,
            "tid": 1,
            "args": {"correlation": 2},
        },
        {
            "ph": "X",
            "cat": "gpu_memcpy",
            "name": "Memcpy HtoD",
            "ts": 190,
            "dur": 1,
            "tid": 8,
            "args": {"correlation": 2, "stream": 7},
        },
    ]
    if with_join:
        events.append(
            {
                "ph": "X",
                "cat": "cuda_runtime",
                "name": "cudaStreamWaitEvent",
                "ts": 12,
                "dur": 1,
                "tid": 1,
                "args": {},
            }
        )
    return Trace(events)


def test_unjoined_side_stream_is_rejected_however_late_the_host_looks():
    from types import SimpleNamespace

    from akg_harness.checks.dsl_usage import _side_streams
    from akg_harness.result import ResultDoc

    for with_join, expected in ((False, False), (True, True)):
        ctx = SimpleNamespace(doc=ResultDoc())
        trace = _stream_trace(with_join)
        assert _side_streams(ctx, trace, trace.windows("akg.forward::probe")) is expected
        if expected:
            assert [f["name"] for f in ctx.doc.flags] == ["side_stream"]
        else:
            assert "still running" in ctx.doc.checks[0]["detail"]


def test_error_measures_stay_meaningful_when_the_reference_has_near_zero_values():
    reference = torch.tensor([[1e-300, 2.0], [3.0, -4.0]], dtype=torch.float64)
    candidate = reference.clone()
    candidate[1, 1] = 4.0  # the worst element: off by 8
    candidate[0, 0] = 1e-3  # an enormous relative error on a near-zero reference value
    result = compare_outputs([candidate], [reference], "default")
    assert not result.passed
    assert result.max_rel_error > 1e290  # what the per-element relative error becomes
    assert result.worst == {"index": [1, 1], "got": 4.0, "expected": -4.0, "abs_error": 8.0}
    assert abs(result.relative_error_norm - 8.0 / (4 + 9 + 16) ** 0.5) < 1e-6


def test_detach_and_numpy_round_trips_are_not_torch_compute():
    # A DSL kernel reached through .detach().numpy() and torch.from_numpy: the profiler records the
    # detach twice (aten::detach and the autograd layer's "detach"); neither is torch doing the
    # work, and on a tiny task they once came to more than half of the reference's time.
    import types

    from akg_harness import profiling
    from akg_harness.checks.dsl_usage import _torch_cpu_ms

    a = torch.randn(4096)
    adapter = types.SimpleNamespace(torch_inside_launch_is_dsl=False)

    def measure(body) -> float:
        def run_once(index):
            with torch.profiler.record_function(profiling.FORWARD_PREFIX + "candidate"):
                body()

        trace = profiling.capture(run_once, [torch.profiler.ProfilerActivity.CPU])
        windows = trace.windows(profiling.FORWARD_PREFIX + "candidate")
        assert windows
        return _torch_cpu_ms(trace, windows, adapter)

    assert measure(lambda: torch.from_numpy(a.detach().contiguous().numpy() + 1.0)) == 0.0
    assert measure(lambda: torch.from_numpy(a.detach().numpy()) * 2.0) > 0.0  # torch's mul is counted
