"""Hand-written Triton stand-ins for replayed sessions' winning kernels, one per task.

Every compute operator of a region runs in Triton, so the agent loop's `work_in_dsl` check
(knock-out, torch share, reverse knock-out) can accept them as a task's answer, as it would a
model's; only views, transposes and an inference dropout stay torch's. Written once and
instantiated per extracted task (each task has its own parameter names and arguments):
- conv -> batch norm [-> add] -> relu: an implicit-GEMM convolution (NCHW gathered in the
  kernel, fp16 tensor cores, fp32 accumulator) whose epilogue applies the eval-mode batch norm,
  the residual add and the ReLU (eager: cuDNN's convolution, then a batch-norm kernel, an add
  and a ReLU);
- linear [-> relu]: a tiled GEMM (tl.dot) with the bias and the ReLU in its epilogue;
- add -> layer_norm: one kernel for the residual add and the LayerNorm of a row.
They are not model-written kernels: they stand where a run's best candidate would, and the
loop verifies and times them like any candidate.

usage: python stand_in_kernels.py TASKS_DIR OUT_DIR  -> prints `--kernel rNN=FILE@triton` arguments
"""

import json
import os
import re
import sys

RUNTIME = """
import types

import torch
import triton
import triton.language as tl

# The task's source, embedded: inside the sandbox only this file is visible, not the task
# folder. ModelNew subclasses its Model, so it keeps the task's parameter names.
_TASK_SOURCE = {task_source!r}
_task = types.ModuleType("stand_in_task")
exec(compile(_TASK_SOURCE, "stand_in_task.py", "exec"), _task.__dict__)


@triton.jit
def _tile(pid, M, N, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, GROUP_M: tl.constexpr):
    # Grouped order: GROUP_M row tiles share their column tiles while those are in L2.
    num_m = tl.cdiv(M, BLOCK_M)
    num_n = tl.cdiv(N, BLOCK_N)
    group = GROUP_M * num_n
    first_m = (pid // group) * GROUP_M
    size_m = min(num_m - first_m, GROUP_M)
    return first_m + (pid % group) % size_m, (pid % group) // size_m


@triton.jit
def conv_bn_act_kernel(x_ptr, w_ptr, cbias_ptr, res_ptr, out_ptr, g_ptr, b_ptr, mean_ptr, var_ptr,
                       NB, C, H, W, CO, OH, OW, K, eps, rs0, rs1, rs2, rs3,
                       SH: tl.constexpr, SW: tl.constexpr, PH: tl.constexpr, PW: tl.constexpr,
                       DH: tl.constexpr, DW: tl.constexpr, KH: tl.constexpr, KW: tl.constexpr,
                       HAS_CBIAS: tl.constexpr, HAS_RES: tl.constexpr,
                       BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                       GROUP_M: tl.constexpr):
    # Implicit GEMM: rows are output pixels (n, oh, ow), columns output channels, and the
    # reduction runs over (c, kh, kw), gathered from the NCHW input with the padding masked.
    M = NB * OH * OW
    pid_m, pid_n = _tile(tl.program_id(0), M, CO, BLOCK_M, BLOCK_N, GROUP_M)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    m_mask = offs_m < M
    n_mask = offs_n < CO
    ow = offs_m % OW
    oh = (offs_m // OW) % OH
    nb = (offs_m // OW) // OH
    ih0 = oh * SH - PH
    iw0 = ow * SW - PW
    x_row = nb.to(tl.int64) * C * H * W
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        offs_k = k0 + tl.arange(0, BLOCK_K)
        k_mask = offs_k < K
        kw = offs_k % KW
        kh = (offs_k // KW) % KH
        c = offs_k // (KW * KH)
        ih = ih0[:, None] + kh[None, :] * DH
        iw = iw0[:, None] + kw[None, :] * DW
        a_mask = m_mask[:, None] & k_mask[None, :] & (ih >= 0) & (ih < H) & (iw >= 0) & (iw < W)
        a = tl.load(x_ptr + x_row[:, None] + c[None, :] * (H * W) + ih * W + iw, mask=a_mask, other=0.0)
        b = tl.load(w_ptr + offs_n[None, :] * K + offs_k[:, None], mask=k_mask[:, None] & n_mask[None, :],
                    other=0.0)
        acc = tl.dot(a, b, acc)
    if HAS_CBIAS:
        acc += tl.load(cbias_ptr + offs_n, mask=n_mask, other=0.0).to(tl.float32)[None, :]
    # Eval-mode batch norm per output channel, then the residual and the ReLU, in fp32.
    scale = tl.load(g_ptr + offs_n, mask=n_mask, other=1.0).to(tl.float32) / tl.sqrt(
        tl.load(var_ptr + offs_n, mask=n_mask, other=1.0).to(tl.float32) + eps)
    shift = tl.load(b_ptr + offs_n, mask=n_mask, other=0.0).to(tl.float32) - \\
        tl.load(mean_ptr + offs_n, mask=n_mask, other=0.0).to(tl.float32) * scale
    y = acc * scale[None, :] + shift[None, :]
    out_off = nb.to(tl.int64)[:, None] * CO * OH * OW + offs_n[None, :] * (OH * OW) + (oh * OW + ow)[:, None]
    mask = m_mask[:, None] & n_mask[None, :]
    if HAS_RES:
        # The residual through its own strides: a broadcast one (stride 0) is read, not copied.
        res_off = nb.to(tl.int64)[:, None] * rs0 + offs_n[None, :] * rs1 + (oh * rs2 + ow * rs3)[:, None]
        y += tl.load(res_ptr + res_off, mask=mask, other=0.0).to(tl.float32)
    y = tl.maximum(y, 0.0)
    tl.store(out_ptr + out_off, y.to(out_ptr.dtype.element_ty), mask=mask)


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def conv_bn_act(x, weight, conv_bias, stride, padding, dilation, residual, gamma, beta, mean, var, eps):
    x, weight = x.contiguous(), weight.contiguous()
    NB, C, H, W = x.shape
    CO, _, KH, KW = weight.shape
    (SH, SW), (PH, PW), (DH, DW) = _pair(stride), _pair(padding), _pair(dilation)
    OH = (H + 2 * PH - DH * (KH - 1) - 1) // SH + 1
    OW = (W + 2 * PW - DW * (KW - 1) - 1) // SW + 1
    out = torch.empty((NB, CO, OH, OW), dtype=x.dtype, device=x.device)
    K = C * KH * KW
    BLOCK_M, BLOCK_N = 128, min(128, max(16, triton.next_power_of_2(CO)))
    BLOCK_K = 32 if K < 128 else 64
    res = residual.expand(NB, CO, OH, OW) if residual is not None else out
    grid = (triton.cdiv(NB * OH * OW, BLOCK_M) * triton.cdiv(CO, BLOCK_N),)
    conv_bn_act_kernel[grid](x, weight, conv_bias if conv_bias is not None else weight, res, out,
                             gamma, beta, mean, var, NB, C, H, W, CO, OH, OW, K, eps, *res.stride(),
                             SH=SH, SW=SW, PH=PH, PW=PW, DH=DH, DW=DW, KH=KH, KW=KW,
                             HAS_CBIAS=conv_bias is not None, HAS_RES=residual is not None,
                             BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N, BLOCK_K=BLOCK_K, GROUP_M=8,
                             num_warps=8 if BLOCK_N >= 128 else 4, num_stages=3)
    return out


@triton.jit
def linear_kernel(a_ptr, w_ptr, bias_ptr, out_ptr, M, N, K, sam, sak, swn, swk,
                  HAS_BIAS: tl.constexpr, RELU: tl.constexpr, BLOCK_M: tl.constexpr,
                  BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr):
    # out[M, N] = a[M, K] @ w[N, K]^T (+ bias) (relu): nn.Linear's layout, fp32 accumulator.
    pid_m, pid_n = _tile(tl.program_id(0), M, N, BLOCK_M, BLOCK_N, GROUP_M)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    m_mask = offs_m < M
    n_mask = offs_n < N
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        offs_k = k0 + tl.arange(0, BLOCK_K)
        k_mask = offs_k < K
        a = tl.load(a_ptr + offs_m[:, None].to(tl.int64) * sam + offs_k[None, :] * sak,
                    mask=m_mask[:, None] & k_mask[None, :], other=0.0)
        b = tl.load(w_ptr + offs_n[None, :] * swn + offs_k[:, None] * swk,
                    mask=k_mask[:, None] & n_mask[None, :], other=0.0)
        acc = tl.dot(a, b, acc)
    if HAS_BIAS:
        acc += tl.load(bias_ptr + offs_n, mask=n_mask, other=0.0).to(tl.float32)[None, :]
    if RELU:
        acc = tl.maximum(acc, 0.0)
    tl.store(out_ptr + offs_m[:, None].to(tl.int64) * N + offs_n[None, :],
             acc.to(out_ptr.dtype.element_ty), mask=m_mask[:, None] & n_mask[None, :])


def linear_act(x, weight, bias, relu=False):
    # A view when the leading dims fold (the usual case); reshape copies only when they do not.
    a = x.reshape(-1, x.shape[-1])
    M, K = a.shape
    N = weight.shape[0]
    out = torch.empty((M, N), dtype=x.dtype, device=x.device)
    BLOCK_M, BLOCK_N, BLOCK_K = 128, 128, 64
    grid = (triton.cdiv(M, BLOCK_M) * triton.cdiv(N, BLOCK_N),)
    linear_kernel[grid](a, weight, bias if bias is not None else weight, out, M, N, K,
                        a.stride(0), a.stride(1), weight.stride(0), weight.stride(1),
                        HAS_BIAS=bias is not None, RELU=relu, BLOCK_M=BLOCK_M, BLOCK_N=BLOCK_N,
                        BLOCK_K=BLOCK_K, GROUP_M=8, num_warps=8, num_stages=3)
    return out.view(*x.shape[:-1], N)


@triton.jit
def add_ln_kernel(x_ptr, r_ptr, out_ptr, w_ptr, b_ptr, S, N, xs0, xs1, rs0, rs1, eps,
                  BLOCK: tl.constexpr):
    row = tl.program_id(0)
    i, j = row // S, row % S
    cols = tl.arange(0, BLOCK)
    mask = cols < N
    x = tl.load(x_ptr + i * xs0 + j * xs1 + cols, mask=mask, other=0.0).to(tl.float32)
    x += tl.load(r_ptr + i * rs0 + j * rs1 + cols, mask=mask, other=0.0).to(tl.float32)
    mean = tl.sum(x, axis=0) / N
    centered = tl.where(mask, x - mean, 0.0)
    rstd = 1.0 / tl.sqrt(tl.sum(centered * centered, axis=0) / N + eps)
    y = centered * rstd * tl.load(w_ptr + cols, mask=mask).to(tl.float32) + \\
        tl.load(b_ptr + cols, mask=mask).to(tl.float32)
    tl.store(out_ptr + row * N + cols, y.to(out_ptr.dtype.element_ty), mask=mask)


def _rows(t):
    \"\"\"(rows of the leading dims as [I, J], strides) for a tensor whose last dim is dense.\"\"\"
    if t.stride(-1) != 1:
        t = t.contiguous()
    if t.dim() == 2:
        return t, t.shape[0], 1, t.stride(0), 0
    if t.dim() != 3:
        t = t.reshape(-1, t.shape[-1])
        return t, t.shape[0], 1, t.stride(0), 0
    return t, t.shape[0], t.shape[1], t.stride(0), t.stride(1)


def add_layer_norm(x, residual, weight, bias, eps):
    shape = torch.broadcast_shapes(x.shape, residual.shape)
    x, I, S, xs0, xs1 = _rows(x.expand(shape))
    residual, _, _, rs0, rs1 = _rows(residual.expand(shape))
    N = shape[-1]
    out = torch.empty(shape, dtype=x.dtype, device=x.device)
    add_ln_kernel[(I * S,)](x, residual, out, weight, bias, S, N, xs0, xs1, rs0, rs1, eps,
                            BLOCK=triton.next_power_of_2(N))
    return out


class ModelNew(_task.Model):
    def forward(self, {arguments}):
{body}
"""

LINE = re.compile(r"^\s+(v\d+) = (.*)$")


def forward_lines(source: str):
    body = source.split("    def forward(self, ", 1)[1]
    arguments = body.split(")", 1)[0]
    lines = [LINE.match(line) for line in body.splitlines()[1:]]
    return arguments, [(m.group(1), m.group(2)) for m in lines if m]


def _args(call: str) -> list:
    inner = call[call.index("(") + 1 : call.rindex(")")]
    parts, depth, current = [], 0, ""
    for char in inner:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return parts + ([current.strip()] if current.strip() else [])


# Operators that move no data (or, for an inference dropout, return their input): kept as torch's.
PASSTHROUGH = {
    "view",
    "_unsafe_view",
    "reshape",
    "transpose",
    "permute",
    "t",
    "unsqueeze",
    "squeeze",
    "expand",
}


def _op(call: str) -> str:
    name = call.split("(")[0]
    return name.rsplit(".", 2)[-2] if name.startswith("torch.ops.aten.") else name


def _conv_chain(lines, ops):
    """conv2d -> batch_norm [-> add] -> relu as one conv_bn_act call, or None."""
    names = [op.rstrip("_") for op in ops]
    if names not in (["conv2d", "batch_norm", "relu"], ["conv2d", "batch_norm", "add", "relu"]):
        return None
    conv = _args(lines[0][1]) + [None] * 7
    x, weight, bias = conv[0], conv[1], conv[2] if conv[2] not in (None, "None") else "None"
    stride, padding, dilation = conv[3] or "[1, 1]", conv[4] or "[0, 0]", conv[5] or "[1, 1]"
    if conv[6] not in (None, "1"):
        return None  # grouped convolution: not what this kernel computes
    bn = _args(lines[1][1])
    if bn[0] != lines[0][0] or len(bn) < 8:
        return None
    residual = "None"
    if names[2] == "add":
        add = _args(lines[2][1])
        others = [a for a in add[:2] if a != lines[1][0]]
        if len(others) != 1 or len(add) > 2:
            return None
        residual = others[0]
    return [
        f"        return conv_bn_act({x}, {weight}, {bias}, {stride}, {padding}, {dilation}, {residual}, "
        f"{bn[1]}, {bn[2]}, {bn[3]}, {bn[4]}, {bn[7]})"
    ]


def _linear_chain(lines, ops):
    """Linear [-> relu], add -> layer_norm and passthrough views, each as Triton; or None."""
    body, index, results = [], 0, [name for name, _ in lines]
    while index < len(lines):
        name, call = lines[index]
        op = _op(call)
        following = _op(lines[index + 1][1]) if index + 1 < len(lines) else None
        if op == "linear":
            args = _args(call)
            bias = args[2] if len(args) > 2 else "None"
            relu = following in ("relu", "relu_") and _args(lines[index + 1][1])[0] == name
            if relu:
                name = lines[index + 1][0]
                index += 1
            body.append(f"        {name} = linear_act({args[0]}, {args[1]}, {bias}, relu={relu})")
        elif op in ("add", "add_") and following == "layer_norm":
            add, norm = _args(call), _args(lines[index + 1][1])
            if norm[0] != name or len(add) > 2 or len(norm) < 5 or norm[2] == "None":
                return None
            name = lines[index + 1][0]
            index += 1
            body.append(
                f"        {name} = add_layer_norm({add[0]}, {add[1]}, {norm[2]}, {norm[3]}, {norm[4]})"
            )
        elif op == "dropout" and _args(call)[2:3] == ["False"] or op in PASSTHROUGH:
            body.append(f"        {name} = {call}")
        else:
            return None  # a compute operator this file has no kernel for
        index += 1
    if not any("linear_act" in line for line in body):
        return None
    body.append(f"        return {results[-1]}")
    return body


def plan(task_path: str):
    """(arguments, generated forward body) for a task this file has kernels for, or None."""
    with open(task_path) as handle:
        arguments, lines = forward_lines(handle.read())
    ops = [_op(call) for _, call in lines]
    body = _conv_chain(lines, ops) if ops and ops[0] == "conv2d" else _linear_chain(lines, ops)
    return (arguments, body) if body else None


def main(tasks_dir: str, out_dir: str) -> int:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(tasks_dir, "regions.json")) as handle:
        manifest = json.load(handle)
    for task in manifest["tasks"]:
        task_path = os.path.join(tasks_dir, task["file"])
        planned = plan(task_path)
        if planned is None:
            print(f"# {task['id']} ({task['label']}): no stand-in kernel", file=sys.stderr)
            continue
        arguments, body = planned
        path = os.path.join(out_dir, f"{task['id']}_stand_in.py")
        with open(path, "w") as handle:
            with open(task_path) as source:
                task_source = source.read()
            handle.write(RUNTIME.format(task_source=task_source, arguments=arguments, body="\n".join(body)))
        print(f"--kernel {task['id']}={path}@triton")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
