"""The command line: detect, one-shot evaluate, exit codes, plain messages."""

import json
import os
import platform
import sys

from conftest import candidate, run_cli, task


def test_detect_reports_python_packages_devices_and_tools(tmp_path):
    out = tmp_path / "detect.json"
    completed = run_cli("detect", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    report = json.loads(out.read_text())
    assert same_file(report["python"]["executable"], sys.executable)
    assert report["packages"]["torch"]
    if report["packages"]["tilelang"] is None:
        reason = report["missing_reason"]["tilelang"]
        assert reason.startswith("tilelang is not installed in ")
        assert same_file(reason.rsplit(" ", 1)[1], sys.executable)
    cpu = next(d for d in report["devices"] if d["id"] == "cpu")
    assert cpu["cores"] >= 1 and cpu["memory_bytes"] > 0
    # The vector extensions, as /proc/cpuinfo names them, for a CPU kernel's prompt.
    from akg_harness.backends.cpu import SIMD_FLAGS

    assert isinstance(cpu["simd"], list) and set(cpu["simd"]) <= set(SIMD_FLAGS)
    if os.path.exists("/proc/cpuinfo") and platform.machine() == "x86_64":
        assert "sse4_2" in cpu["simd"] or "avx" in cpu["simd"]
    assert cpu["peak_bandwidth_gbs"] > 0 and cpu["peak_tflops"]["fp32"] > 0
    assert cpu["peaks_source"].startswith("measured")
    for name in ("nvcc", "ncu", "nvidia-smi", "npu-smi"):
        entry = report["tools"][name]
        assert entry["version"] or entry["reason"]


def test_one_shot_evaluate_writes_a_verdict_and_exits_zero(tmp_path):
    out = tmp_path / "r.json"
    completed = run_cli(
        "evaluate",
        "--task",
        task("vector_add"),
        "--candidate",
        candidate("triton", "add_wrong"),
        "--dsl",
        "triton",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--correctness-trials",
        "2",
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "incorrect"
    assert completed.stdout == ""


def test_missing_file_is_a_usage_error(tmp_path):
    completed = run_cli(
        "evaluate",
        "--task",
        str(tmp_path / "nope.py"),
        "--candidate",
        candidate("triton", "add_correct"),
        "--dsl",
        "triton",
        "--out",
        str(tmp_path / "r.json"),
    )
    assert completed.returncode == 2
    assert "task file not found" in completed.stderr


def test_a_task_not_in_kernelbench_format_is_named_by_the_users_path(tmp_path):
    # The executor reads a copy in its sandbox's inbox; the message names the file the user gave.
    bad = tmp_path / "my_task.py"
    bad.write_text(
        "import torch\n\nclass Model(torch.nn.Module):\n    def forward(self, x):\n        return x\n"
    )
    completed = run_cli(
        "evaluate",
        "--task",
        str(bad),
        "--candidate",
        candidate("numpy", "relu_correct"),
        "--dsl",
        "numpy",
        "--device",
        "cpu",
        "--out",
        str(tmp_path / "r.json"),
    )
    assert completed.returncode == 2
    assert f"task {bad} is not in KernelBench format: missing get_inputs, get_init_inputs" in completed.stderr
    assert "inbox" not in completed.stderr


def test_npu_without_torch_npu_says_so(tmp_path):
    completed = run_cli(
        "evaluate",
        "--task",
        task("vector_add"),
        "--candidate",
        candidate("triton", "add_correct"),
        "--dsl",
        "triton",
        "--device",
        "npu",
        "--out",
        str(tmp_path / "r.json"),
    )
    assert completed.returncode == 2
    assert "DEVICE_UNAVAILABLE" in completed.stderr
    assert "torch_npu is not installed" in completed.stderr


def test_tilelang_missing_is_said_plainly(tmp_path):
    out = tmp_path / "r.json"
    completed = run_cli(
        "evaluate",
        "--task",
        task("vector_add"),
        "--candidate",
        candidate("triton", "add_correct"),
        "--dsl",
        "tilelang",
        "--device",
        "cpu",
        "--out",
        str(out),
    )
    assert completed.returncode == 0
    result = json.loads(out.read_text())
    try:
        import tilelang  # noqa: F401
    except ImportError:
        assert result["status"] == "compile_error"
        assert result["error"]["stage"] == "environment"
        message = result["error"]["message"]
        assert message.startswith("tilelang is not installed in ")
        assert same_file(message.rsplit(" ", 1)[1], sys.executable)


def same_file(first: str, second: str) -> bool:
    return os.path.realpath(first) == os.path.realpath(second)
