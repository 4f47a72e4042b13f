"""Direct convolution as an implicit GEMM in Triton, with tl.dot in tf32x3 (three TF32
products: near-fp32 accuracy on tensor cores), then ReLU and the bias in the epilogue; for
conv_offset.py, whose filters sum to zero (the same construction as the task's)."""

import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def conv_relu_bias_kernel(
    x_ptr,
    w_ptr,
    conv_bias_ptr,
    bias_ptr,
    out_ptr,
    N,
    C,
    H,
    W,
    OC,
    OH,
    OW,
    KH: tl.constexpr,
    KW: tl.constexpr,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_K: tl.constexpr,
):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)  # over N * OH * OW
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)  # over OC
    M = N * OH * OW
    K = C * KH * KW
    image = offs_m // (OH * OW)
    rest = offs_m % (OH * OW)
    oh = rest // OW
    ow = rest % OW
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        offs_k = k0 + tl.arange(0, BLOCK_K)
        channel = offs_k // (KH * KW)
        tap = offs_k % (KH * KW)
        kh = tap // KW
        kw = tap % KW
        x_index = ((image[:, None] * C + channel[None, :]) * H + (oh[:, None] + kh[None, :])) * W + (
            ow[:, None] + kw[None, :]
        )
        a = tl.load(x_ptr + x_index, mask=(offs_m[:, None] < M) & (offs_k[None, :] < K), other=0.0)
        b = tl.load(
            w_ptr + offs_n[None, :] * K + offs_k[:, None],
            mask=(offs_k[:, None] < K) & (offs_n[None, :] < OC),
            other=0.0,
        )
        acc += tl.dot(a, b, input_precision="tf32x3")
    acc += tl.load(conv_bias_ptr + offs_n, mask=offs_n < OC, other=0.0)[None, :]
    acc = tl.maximum(acc, 0.0)
    acc += tl.load(bias_ptr + offs_n, mask=offs_n < OC, other=0.0)[None, :]
    out_index = ((image[:, None] * OC + offs_n[None, :]) * OH + oh[:, None]) * OW + ow[:, None]
    tl.store(out_ptr + out_index, acc, mask=(offs_m[:, None] < M) & (offs_n[None, :] < OC))


class ModelNew(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, bias_shape):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        with torch.no_grad():
            weight = self.conv.weight
            weight -= weight.mean(dim=(1, 2, 3), keepdim=True)
        self.bias = nn.Parameter(torch.randn(bias_shape))

    def forward(self, x):
        x = x.contiguous()
        n, c, h, w = x.shape
        oc, _, kh, kw = self.conv.weight.shape
        oh, ow = h - kh + 1, w - kw + 1
        out = torch.empty((n, oc, oh, ow), device=x.device, dtype=x.dtype)
        grid = (triton.cdiv(n * oh * ow, 64), triton.cdiv(oc, 16))
        conv_relu_bias_kernel[grid](
            x,
            self.conv.weight.contiguous(),
            self.conv.bias,
            self.bias.reshape(-1).contiguous(),
            out,
            n,
            c,
            h,
            w,
            oc,
            oh,
            ow,
            KH=kh,
            KW=kw,
            BLOCK_M=64,
            BLOCK_N=16,
            BLOCK_K=16,
        )
        return out
