"""Writes N KernelBench-format elementwise tasks and an honest Triton candidate for each.

The scaling benchmark needs many small, real, independent evaluations: each task is one op at one
size (sizes differ, so baselines are not shared between tasks), each candidate a plain Triton
kernel that passes every check.
"""

import sys
from pathlib import Path

OPS = {
    "relu": ("torch.relu(x)", "tl.maximum(x, 0.0)"),
    "sigmoid": ("torch.sigmoid(x)", "1.0 / (1.0 + tl.exp(-x))"),
    "square": ("x * x", "x * x"),
    "shift_scale": ("x * 1.5 + 0.25", "x * 1.5 + 0.25"),
    "silu": ("x * torch.sigmoid(x)", "x / (1.0 + tl.exp(-x))"),
}

TASK = """import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x):
        return {torch_expr}


def get_inputs():
    return [torch.randn({rows}, {cols})]


def get_init_inputs():
    return []
"""

CANDIDATE = """import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def op_kernel(x_ptr, out_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    tl.store(out_ptr + offsets, {triton_expr}, mask=mask)


class ModelNew(nn.Module):
    def forward(self, x):
        x = x.contiguous()
        out = torch.empty_like(x)
        n = x.numel()
        op_kernel[(triton.cdiv(n, 1024),)](x, out, n, BLOCK=1024)
        return out
"""


def main(folder: str, count: int) -> None:
    root = Path(folder)
    (root / "tasks").mkdir(parents=True, exist_ok=True)
    (root / "candidates").mkdir(parents=True, exist_ok=True)
    names = list(OPS)
    for index in range(count):
        op = names[index % len(names)]
        rows = 1024 * (1 + index // len(names))
        torch_expr, triton_expr = OPS[op]
        name = f"{index:02d}_{op}_{rows}"
        (root / "tasks" / f"{name}.py").write_text(TASK.format(torch_expr=torch_expr, rows=rows, cols=4096))
        (root / "candidates" / f"{name}.py").write_text(CANDIDATE.format(triton_expr=triton_expr))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
