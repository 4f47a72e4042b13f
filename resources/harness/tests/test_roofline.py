"""Roofline peaks: an fp32 kernel is rated against the arithmetic it is allowed to use."""

from akg_harness.peaks import from_table
from akg_harness.roofline import section, tf32_evidence

H100 = from_table("NVIDIA H100 80GB HBM3")
# 4096^3 fp32 matrix product in 2.75 ms: 50 TFLOP/s.
WORK = {"flops": 2 * 4096**3, "bytes": 3 * 4096 * 4096 * 4, "dtype": "float32"}


def test_ieee_fp32_matmul_is_rated_against_the_fp32_peak():
    ieee_source = 'acc += tl.dot(a, b, input_precision="ieee")'
    reason = tf32_evidence(ieee_source, "triton", torch_allows_tf32=False)
    result = section(WORK, H100, 2.75, tf32_reason=reason)
    assert reason is None
    assert result["peak_basis"] == "fp32" and result["peak_tflops"] == 67
    assert 74 < result["percent_of_peak"] < 76  # not 10% of the TF32 tensor-core peak
    assert result["peak_tflops_fp32"] == 67 and result["peak_tflops_tf32"] == 494.7
    # The speed-of-light floor still allows TF32: no false flag if it was used unseen.
    assert result["floor_peak_tflops"] == 494.7


def test_tf32_use_is_recognised_and_named():
    triton_default = tf32_evidence("c = tl.dot(a, b)", "triton", torch_allows_tf32=False)
    assert "tl.dot" in triton_default
    cuda = tf32_evidence("wmma::fragment<..., wmma::precision::tf32, ...>", "cuda_c", False)
    assert "precision::tf32" in cuda
    assert tf32_evidence("out = a + b", "cuda_c", torch_allows_tf32=True).startswith("torch")
    result = section(WORK, H100, 2.75, tf32_reason=triton_default)
    assert result["peak_basis"] == "tf32" and result["peak_tflops"] == 494.7
    assert result["peak_basis_reason"] == triton_default
    assert 10 < result["percent_of_peak"] < 10.2
