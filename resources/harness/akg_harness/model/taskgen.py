"""KernelBench-format task files from regions, with the model's real shapes and dtypes.

Parameters are drawn with the model's own mean and spread (buffers uniformly within the
model's range, so a running variance stays positive), and inputs with the activations'
own statistics, clamped to the range the model fed, so tolerances behave as they do inside
the model. A buffer that is constant in the model (an untrained batch norm's running mean 0
and variance 1) is varied around its value instead, keeping its sign: the patch loads the
real values, and a kernel that assumed the constant would pass its task and break the
trained model. Parameter names are the model's state_dict keys with dots as underscores:
the patch loads the real weights into ModelNew by these names.
"""

import hashlib
import re


def _dtype(name: str) -> str:
    return f"torch.{name}"


def constant_spread(value: float) -> tuple:
    """(low, high) around a value the model holds constant: half to one and a half times it
    (same sign: a variance stays positive), or -0.5 to 0.5 around zero."""
    if value == 0:
        return -0.5, 0.5
    return sorted((0.5 * value, 1.5 * value))


ATEN_CALL = re.compile(r"torch\.ops\.aten\.(\w+)\.(\w+)\(")


def aten_signatures(code: list) -> list:
    """The schema of each aten operator the region's code calls, in order of first use: the
    graph passes arguments by position (`batch_norm(..., False, 0.1, 1e-05, False)`), and
    the schema names them (training, momentum, eps, cudnn_enabled)."""
    import torch

    seen, out = set(), []
    for line in code:
        for name, overload in ATEN_CALL.findall(line):
            if (name, overload) in seen:
                continue
            seen.add((name, overload))
            try:
                schema = str(getattr(getattr(torch.ops.aten, name), overload)._schema)
            except (AttributeError, RuntimeError):
                continue
            out.append(schema.removeprefix("aten::"))
    return out


def _draw(shape, dtype: str, stats: dict, buffer: bool) -> str:
    shape_text = repr(tuple(shape))
    if dtype.startswith("int") or dtype.startswith("uint") or dtype == "bool":
        if dtype == "bool":
            return f"torch.randint(0, 2, {shape_text}).bool()"
        low, high = int(stats.get("min", 0)), int(stats.get("max", 0)) + 1
        return f"torch.randint({low}, {max(high, low + 1)}, {shape_text}, dtype={_dtype(dtype)})"
    if buffer:
        low, high = stats.get("min", 0.0), stats.get("max", 1.0)
        if high == low:
            low, high = constant_spread(low)
        return f"torch.rand({shape_text}, dtype={_dtype(dtype)}) * {high - low:.6g} + {low:.6g}"
    std, mean = stats.get("std", 1.0) or 1.0, stats.get("mean", 0.0)
    return f"torch.randn({shape_text}, dtype={_dtype(dtype)}) * {std:.6g} + {mean:.6g}"


def task_source(task: dict, model_name: str, device: str) -> str:
    region = task["region"]
    occurrences = task["occurrences"]
    where = ", ".join(sorted({o["path"] or "the model's own forward" for o in occurrences}))
    lines = [
        f'"""{region["label"]} from {model_name}: {where} ({len(occurrences)} per forward)',
        "",
        "Extracted by `akg model extract` from the model's captured graph."
        if task.get("method") == "torch.export"
        else "Extracted by `akg model extract` one op at a time (the graph could not be captured).",
        "Parameters keep the model's names (state_dict keys, dots as underscores); ModelNew",
        "must keep them too: the patch loads the model's weights into ModelNew by these names.",
        f"In the model this chain takes {task['time_ms']:.4g} ms per forward on {device}; its floor (its bytes and"
        f" FLOPs at the device's peak bandwidth and compute) is {task['floor_ms']:.3g} ms."
        if task.get("floor_ms") is not None
        else f"In the model this chain takes {task['time_ms']:.4g} ms per forward on {device}.",
        '"""',
        "",
    ]
    if any("operator.getitem" in line for line in region["code"]):
        lines.append("import operator")
        lines.append("")
    lines += [
        "import torch",
        "import torch.nn as nn",
        "",
        "# Every input shape set the model fed this chain; get_inputs() draws INPUT_SHAPES[SHAPE].",
        "INPUT_SHAPES = [",
    ]
    for shapes in task["input_shapes"]:
        items = ", ".join(f"({tuple(s['shape'])!r}, {_dtype(s['dtype'])})" for s in shapes)
        lines.append(f"    [{items}],")
    lines += [
        "]",
        "SHAPE = 0",
        "# Value statistics of each input in the model (mean, std, min, max).",
        f"INPUT_STATS = {[_stats_tuple(s) for s in task['input_shapes'][0]]!r}",
    ]
    signatures = aten_signatures(region["code"])
    if signatures:
        lines += [
            "",
            "# The aten operators forward() calls, with the names of the arguments it passes by position:",
        ]
        lines += [f"#   {signature}" for signature in signatures]
    lines += [
        "",
        "",
        "class Model(nn.Module):",
        "    def __init__(self):",
        "        super().__init__()",
    ]
    for parameter in region["parameters"]:
        draw = _draw(parameter["shape"], parameter["dtype"], parameter, parameter["buffer"])
        if parameter["buffer"]:
            constant = (
                f"  # {parameter['key']}: {parameter.get('min', 0.0):.6g} throughout in the model, varied here"
                if parameter.get("min") == parameter.get("max")
                and not parameter["dtype"].startswith(("int", "uint", "bool"))
                else ""
            )
            lines.append(f"        self.register_buffer({parameter['name']!r}, {draw}){constant}")
        else:
            lines.append(f"        self.{parameter['name']} = nn.Parameter({draw})  # {parameter['key']}")
    arguments = ", ".join(f"x{index}" for index in range(len(region["inputs"])))
    lines += ["", f"    def forward(self, {arguments}):"]
    lines += [f"        {line}" for line in region["code"]]
    lines += [
        f"        return v{len(region['code']) - 1}",
        "",
        "",
        "def get_inputs():",
        "    values = []",
        "    for (shape, dtype), (mean, std, low, high) in zip(INPUT_SHAPES[SHAPE], INPUT_STATS):",
        "        if dtype == torch.bool:",
        "            values.append(torch.randint(0, 2, shape).bool())",
        "        elif not dtype.is_floating_point:",
        "            values.append(torch.randint(int(low), int(high) + 1, shape, dtype=dtype))",
        "        else:",
        "            value = torch.randn(shape, dtype=dtype) * (std or 1.0) + mean",
        "            # within the range the model saw: an input after a ReLU stays non-negative",
        "            values.append(value.clamp(low, high) if low < high else value)",
        "    return values",
        "",
        "",
        "def get_init_inputs():",
        "    return []",
        "",
    ]
    return "\n".join(lines)


def _stats_tuple(spec: dict) -> tuple:
    return tuple(round(float(spec.get(key, 0.0)), 6) for key in ("mean", "std", "min", "max"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def file_name(index: int, label_ops: list) -> str:
    ops = "_".join(dict.fromkeys(op.strip("_") for op in label_ops))[:48]
    return f"r{index:02d}_{ops or 'op'}.py"
