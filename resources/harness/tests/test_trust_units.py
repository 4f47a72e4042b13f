"""Reference precision, peaks that cannot be below what was observed: no kernels built."""

import os
import sys

import torch

from akg_harness import peaks, precision


class Conv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv1d(8, 8, 3)

    def forward(self, x):
        return torch.relu(self.conv(x))


def test_reference_mode_is_strict_for_float32_and_restores_settings():
    model = Conv()
    assert precision.reference_mode(model, [torch.randn(2, 8, 16)]) == precision.STRICT
    assert precision.reference_mode(None, [torch.randn(4, dtype=torch.float16)]) == precision.DEFAULT
    before = precision._settings()
    with precision.precision(precision.STRICT):
        assert torch.backends.cudnn.allow_tf32 is False
        assert torch.backends.cuda.matmul.allow_tf32 is False
        assert torch.get_float32_matmul_precision() == "highest"
    assert precision._settings() == before


def test_truth_clears_a_candidate_closer_than_the_reference_and_rejects_a_wrong_one():
    model = Conv()
    inputs = [torch.randn(2, 8, 4096)]
    truth = precision.float64_truth(model, inputs)[0]
    assert truth.dtype == torch.float64
    # A "reference" carrying TF32-sized errors (~1e-3 relative), a candidate at the truth.
    with torch.no_grad():
        exact = model(*inputs)
    reference = [exact * (1 + 1e-3 * torch.randn_like(exact))]
    close = [truth.to(torch.float32)]
    verdict = precision.arbitrate(model, inputs, close, reference, ("default", None, None), precision.STRICT)
    assert verdict["passed"] and verdict["candidate_within_tolerance_of_truth"]
    assert verdict["candidate_vs_truth"]["max_abs_error"] < verdict["reference_vs_truth"]["max_abs_error"]
    assert "not wrong" in verdict["detail"] and "strict_fp32 reference" in verdict["detail"]
    wrong = [exact + 0.05]
    verdict = precision.arbitrate(model, inputs, wrong, reference, ("default", None, None), precision.STRICT)
    assert not verdict["passed"] and "wrong: farther from the truth" in verdict["detail"]


class FakeBackend:
    kind = "cpu"
    torch_device = torch.device("cpu")

    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name

    @staticmethod
    def synchronize():
        pass


def _fake_measure(bandwidth, tflops):
    def measure(_device, _synchronize):
        return {"peak_bandwidth_gbs": bandwidth, "peak_tflops": {"fp32": tflops}, "source": "measured"}

    return measure


def test_a_cached_peak_below_what_eager_reached_is_remeasured_and_raised(monkeypatch, tmp_path):
    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path))
    backend = FakeBackend("trust test cpu 1")
    monkeypatch.setattr(peaks, "measure", _fake_measure(60.0, 5.0))
    peaks.peaks_for(backend)  # cached: 60 GB/s
    calls = []
    monkeypatch.setattr(peaks, "measure", lambda *a: calls.append(1) or _fake_measure(80.0, 5.0)(*a))
    checked = peaks.checked_peaks(backend, [("eager", "bandwidth", 90.0), ("candidate", "bandwidth", 95.0)])
    assert calls == [1]
    assert "eager reached 90 over bandwidth 60" in checked["remeasured_because"]
    assert checked["peak_bandwidth_gbs"] == 90.0  # what eager reached, not the candidate
    assert checked["sources"]["bandwidth"] == "observed: eager reached it"
    # The re-measurement replaced the cache entry.
    assert peaks.peaks_for(backend)["peak_bandwidth_gbs"] == 80.0


def test_peaks_never_below_the_sanity_floor_and_table_peaks_stand(monkeypatch, tmp_path):
    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path))
    backend = FakeBackend("trust test cpu 2")
    monkeypatch.setattr(peaks, "measure", _fake_measure(16.9, 0.001))
    checked = peaks.checked_peaks(backend, [])
    assert checked["peak_bandwidth_gbs"] == 51.2
    assert checked["sources"]["bandwidth"].startswith("sanity floor")
    table = peaks.checked_peaks(FakeBackend("NVIDIA H200"), [("eager", "bandwidth", 1e9)])
    assert table["peak_bandwidth_gbs"] == 4800
    assert table["sources"]["bandwidth"] == "table (datasheet)"


def test_cache_list_shows_provenance_and_clear_drops_entries(monkeypatch, tmp_path):
    import json
    import time

    from akg_harness import cache_admin

    monkeypatch.setenv("AKG_CACHE_DIR", str(tmp_path))
    (tmp_path / "baselines").mkdir()
    entry = {
        "stats": {"median_ms": 6.3, "noisy": False},
        "provenance": {
            "measured_at": time.time() - 3600,
            "busy": None,
            "method": {"trials": 20},
            "machine": {
                "host": "box",
                "device": "cpu",
                "device_name": "Xeon",
                "torch": "2.x",
                "others_busy_cores": 1.5,
            },
        },
    }
    (tmp_path / "baselines" / "k.json").write_text(json.dumps({"eager": entry, "task": "/t/relu.py"}))
    rows = cache_admin.list_entries(("baselines",))
    assert rows[0]["baseline"] == "eager" and rows[0]["median_ms"] == 6.3
    assert 3590 < rows[0]["age_s"] < 3700 and rows[0]["others_busy_cores"] == 1.5
    assert cache_admin.list_entries(("baselines",), task="/t/other.py") == []
    removed = cache_admin.clear(("baselines",), task="/t/relu.py")["removed"]
    assert removed == [str(tmp_path / "baselines" / "k.json")]
    assert cache_admin.list_entries() == []


def test_the_workers_own_processes_are_not_other_gpu_work(monkeypatch):
    # A worker's idle spare executors hold a GPU context; nvidia-smi lists them as compute
    # processes, and every baseline on the H200 was refused as "busy" because of them.
    import subprocess as sp

    from akg_harness import provenance

    sibling = sp.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        listed = f"{os.getpid()}\n{sibling.pid}\n1\n"
        monkeypatch.setattr(
            provenance.subprocess, "run", lambda *a, **k: sp.CompletedProcess(a, 0, stdout=listed, stderr="")
        )
        monkeypatch.setattr(provenance.os, "getppid", lambda: os.getpid())  # this test stands for the worker
        assert provenance._gpu_processes(0) == 1  # pid 1 is another's; the child is the worker's own
    finally:
        sibling.kill()


def test_near_constant_outputs_are_flagged_exactly_though_compared_on_a_sample_first():
    """All zeros but one element the strided sample skips: the sample passes the zeros guess,
    the whole does not, so no flag. All zeros: flagged. A spread of values: not flagged."""
    from akg_harness.compare import NEAR_CONSTANT_SAMPLE, near_constant_guess

    count = NEAR_CONSTANT_SAMPLE * 8
    hidden = torch.zeros(count)
    hidden[3] = 5.0  # between the sample's strided elements 0 and 8; the mean stays near 0
    assert near_constant_guess([hidden], "default") is None
    assert near_constant_guess([torch.zeros(count)], "default") == "all zeros"
    assert near_constant_guess([torch.full((count,), 3.0)], "default") == "a constant (its mean)"
    assert near_constant_guess([torch.linspace(-1, 1, count)], "default") is None
    # Integer and complex outputs: a guess is a constant, never the reference itself (an
    # argmax's indices used to pass as "a constant", which skipped the reverse knock-out).
    assert near_constant_guess([torch.arange(1000) % 7], "default") is None
    assert near_constant_guess([torch.full((1000,), 4)], "default") == "a constant (its mean)"
    assert near_constant_guess([torch.arange(10) > 4], "default") is None
    assert near_constant_guess([torch.randn(64, dtype=torch.complex64)], "default") is None
