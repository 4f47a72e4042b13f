import torch
import torch.nn as nn


class Model(nn.Module):
    """Conv2d, ReLU, then a per-channel bias, on inputs far from zero (a constant offset of
    1000) with filters that sum to zero: the output is small while every product is large,
    so the TF32 rounding of the inputs (cuDNN's default for float32 convolutions) leaves
    errors of ~0.1-1 in it, far outside KernelBench's 1e-2 tolerance. A candidate that
    computes in (near) fp32 then misses against the TF32 reference, and only the fp64
    truth can say which of the two is right."""

    def __init__(self, in_channels, out_channels, kernel_size, bias_shape):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)
        with torch.no_grad():
            weight = self.conv.weight
            weight -= weight.mean(dim=(1, 2, 3), keepdim=True)
        self.bias = nn.Parameter(torch.randn(bias_shape))

    def forward(self, x):
        x = self.conv(x)
        x = torch.relu(x)
        return x + self.bias


batch_size = 16
in_channels = 64
out_channels = 32
height, width = 32, 32
kernel_size = 3
bias_shape = (out_channels, 1, 1)


def get_inputs():
    return [1000.0 + torch.randn(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size, bias_shape]
