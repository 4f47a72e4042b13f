"""Hand-written Triton stand-ins for replayed sessions' winning kernels, one per task.

Two fusions, written once and instantiated per extracted task (each task has its own
parameter names and convolution arguments):
- [conv ->] batch norm [-> add] -> relu: the task's own convolution (cuDNN, through torch),
  then one Triton kernel for the eval-mode batch norm, the residual add and the ReLU
  (eager runs a batch-norm kernel, an add and a ReLU: two or three passes become one);
- [linear ... ->] add -> layer_norm: the task's own lines up to the residual add
  (cuBLAS with its bias epilogue), then one Triton kernel for the add and the LayerNorm
  (eager: an add kernel and a LayerNorm kernel).
They are not model-written kernels: they stand where a run's best candidate would.

usage: python stand_in_kernels.py TASKS_DIR OUT_DIR  -> prints `--kernel rNN=FILE@triton` arguments
"""

import json
import os
import re
import sys

RUNTIME = '''
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
def bn_act_kernel(x_ptr, res_ptr, out_ptr, w_ptr, b_ptr, mean_ptr, var_ptr, total, HW, C, eps,
                  HAS_RES: tl.constexpr, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < total
    channel = (offsets // HW) % C
    x = tl.load(x_ptr + offsets, mask=mask).to(tl.float32)
    scale = tl.load(w_ptr + channel, mask=mask).to(tl.float32) / tl.sqrt(
        tl.load(var_ptr + channel, mask=mask).to(tl.float32) + eps)
    y = (x - tl.load(mean_ptr + channel, mask=mask).to(tl.float32)) * scale + \\
        tl.load(b_ptr + channel, mask=mask).to(tl.float32)
    if HAS_RES:
        y += tl.load(res_ptr + offsets, mask=mask).to(tl.float32)
    y = tl.maximum(y, 0.0)
    tl.store(out_ptr + offsets, y.to(out_ptr.dtype.element_ty), mask=mask)


def bn_act(x, residual, weight, bias, mean, var, eps):
    x = x.contiguous()
    out = torch.empty_like(x)
    total, C = x.numel(), x.shape[1]
    HW = total // (x.shape[0] * C)
    BLOCK = 1024
    res = residual.contiguous() if residual is not None else x
    bn_act_kernel[(triton.cdiv(total, BLOCK),)](x, res, out, weight, bias, mean, var, total, HW,
                                                 C, eps, HAS_RES=residual is not None,
                                                 BLOCK=BLOCK)
    return out


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
    """(rows of the leading dims as [I, J], strides) for a tensor whose last dim is dense."""
    if t.stride(-1) != 1:
        t = t.contiguous()
    if t.dim() == 2:
        return t, t.shape[0], 1, t.stride(0), 0
    if t.dim() != 3:
        t = t.reshape(-1, t.shape[-1])
        return t, t.shape[0], 1, t.stride(0), 0
    return t, t.shape[0], t.shape[1], t.stride(0), t.stride(1)


def add_layer_norm(x, residual, weight, bias, eps):
    x, I, S, xs0, xs1 = _rows(x)
    residual, _, _, rs0, rs1 = _rows(residual.expand_as(x))
    N = x.shape[-1]
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    add_ln_kernel[(I * S,)](x, residual, out, weight, bias, S, N, xs0, xs1, rs0, rs1, eps,
                            BLOCK=triton.next_power_of_2(N))
    return out


class ModelNew(_task.Model):
    def forward(self, {arguments}):
{body}
'''

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


def plan(task_path: str):
    """The generated forward body for a task this file knows how to fuse, or None."""
    with open(task_path) as handle:
        arguments, lines = forward_lines(handle.read())
    ops = [
        call.split("(")[0].rsplit(".", 2)[-2] if call.startswith("torch.ops.aten.") else call.split("(")[0]
        for _, call in lines
    ]
    if ops and ops[-1] in ("relu", "relu_"):
        bn = [i for i, op in enumerate(ops) if op in ("_native_batch_norm_legit_no_training", "batch_norm")]
        if not bn:
            return None
        index = bn[0]
        bn_args = _args(lines[index][1])
        eps = bn_args[7] if ops[index] == "batch_norm" else bn_args[6]
        adds = [i for i, op in enumerate(ops) if op in ("add", "add_")]
        residual = "None"
        if adds:
            add_args = _args(lines[adds[0]][1])
            produced = {name for name, _ in lines[: adds[0]]}
            others = [a for a in add_args[:2] if a not in produced]
            if len(others) != 1:
                return None
            residual = others[0]
        body = [f"        {name} = {call}" for name, call in lines[:index]]
        body.append(
            f"        return bn_act({bn_args[0]}, {residual}, {bn_args[1]}, {bn_args[2]}, "
            f"{bn_args[3]}, {bn_args[4]}, {eps})"
        )
        return arguments, body
    if ops and ops[-1] == "layer_norm" and len(ops) >= 2 and ops[-2] == "add":
        add_args = _args(lines[-2][1])
        previous = lines[-3][0] if len(lines) >= 3 else None
        residual = add_args[0] if add_args[1] == previous else add_args[1]
        value = add_args[1] if add_args[1] == previous else add_args[0]
        ln_args = _args(lines[-1][1])
        body = [f"        {name} = {call}" for name, call in lines[:-2]]
        body.append(
            f"        return add_layer_norm({value}, {residual}, {ln_args[2]}, {ln_args[3]}, {ln_args[4]})"
        )
        return arguments, body
    return None


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
