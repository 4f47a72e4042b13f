"""Open a model: a Python file (or a folder with model.py) in the documented form.

    def get_model() -> torch.nn.Module           # or MODULE = "package.module:Class"
    def get_inputs() -> list                      #    with MODULE_KWARGS = {...}
    def get_input_sets() -> list[list]            # optional: several shapes (serving batches)
    DTYPE = "float16"                             # optional: model and float inputs cast to it

The user's file is the user's code: it is imported in the harness's executor, never in
the app, and never edited.
"""

import dataclasses
import importlib
import os
import sys
from typing import Any, List

import torch

from ..inputs import seed_everything, to_device
from ..loading import import_file

SEED = 1234  # the model's weights and inputs are drawn once, the same in every command


class ModelError(RuntimeError):
    """The model cannot be opened or run; `stage` says where (import, build, inputs, forward)."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.code = "MODEL_ERROR"


@dataclasses.dataclass
class OpenedModel:
    path: str
    name: str
    model: Any
    input_sets: List[list]
    source: str  # "get_model" or "MODULE package:Class"
    module: Any = None

    @property
    def inputs(self) -> list:
        return self.input_sets[0]


def model_file(path: str) -> str:
    path = os.path.abspath(path)
    if os.path.isdir(path):
        for name in ("model.py", "__init__.py"):
            if os.path.isfile(os.path.join(path, name)):
                return os.path.join(path, name)
        raise ModelError(
            "import",
            f"{path} is a folder without model.py: put get_model() and get_inputs() in model.py there",
        )
    if not os.path.isfile(path):
        raise ModelError("import", f"model file not found: {path}")
    return path


def resolve_class(entry: str):
    """`package.module:Class` (or a dotted path) to the class, importing the package."""
    module_name, _, attribute = entry.partition(":")
    if not attribute:
        module_name, _, attribute = entry.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise ModelError(
            "import",
            f"MODULE {entry!r}: {module_name} does not import here "
            f"({type(error).__name__}: {error}); install it in this "
            "Python or use get_model()",
        ) from error
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ModelError("import", f"MODULE {entry!r}: {module_name} has no {attribute}")
    return target


def open_model(path: str, device: str) -> OpenedModel:
    path = model_file(path)
    folder = os.path.dirname(path)
    if folder not in sys.path:  # the model's own helper files import beside it
        sys.path.insert(0, folder)
    try:
        module = import_file(path, "akg_model")
    except Exception as error:
        raise ModelError(
            "import", f"{os.path.basename(path)} does not import: {type(error).__name__}: {error}"
        ) from error
    entry = getattr(module, "MODULE", None)
    if not hasattr(module, "get_model") and not entry:
        raise ModelError(
            "import",
            f"{os.path.basename(path)} defines neither get_model() nor "
            "MODULE = 'package.module:Class'; see the model file form "
            "in the harness README",
        )
    if not hasattr(module, "get_inputs") and not hasattr(module, "get_input_sets"):
        raise ModelError(
            "import",
            f"{os.path.basename(path)} defines no get_inputs(): return "
            "the forward's example arguments as a list",
        )
    torch_device = torch.device(device)
    seed_everything(SEED)
    try:
        if hasattr(module, "get_model"):
            model, source = module.get_model(), "get_model()"
        else:
            model = resolve_class(entry)(**dict(getattr(module, "MODULE_KWARGS", {}) or {}))
            source = f"MODULE {entry}"
    except ModelError:
        raise
    except Exception as error:
        raise ModelError("build", f"building the model failed: {type(error).__name__}: {error}") from error
    if not isinstance(model, torch.nn.Module):
        raise ModelError("build", f"get_model() returned {type(model).__name__}, not an nn.Module")
    model = model.to(torch_device).eval()
    try:
        with torch.device(torch_device):
            sets = module.get_input_sets() if hasattr(module, "get_input_sets") else [module.get_inputs()]
        sets = [to_device(list(inputs), torch_device) for inputs in sets]
    except Exception as error:
        raise ModelError("inputs", f"get_inputs() failed: {type(error).__name__}: {error}") from error
    if not sets or not all(sets):
        raise ModelError("inputs", "get_inputs() returned no inputs")
    dtype = getattr(module, "DTYPE", None)
    if dtype:
        if not isinstance(getattr(torch, str(dtype), None), torch.dtype):
            raise ModelError("build", f"DTYPE = {dtype!r} is not a torch dtype (float16, bfloat16, ...)")
        dtype = getattr(torch, str(dtype))
        model = model.to(dtype)
        sets = [
            [t.to(dtype) if isinstance(t, torch.Tensor) and t.is_floating_point() else t for t in inputs]
            for inputs in sets
        ]
    name = os.path.splitext(os.path.basename(path))[0]
    if name in ("model", "__init__"):
        name = os.path.basename(folder)
    return OpenedModel(path=path, name=name, model=model, input_sets=sets, source=source, module=module)


def run_forward(opened: OpenedModel, inputs: list):
    """One forward under no_grad; a failure is the model's, said with its traceback line."""
    try:
        with torch.no_grad():
            return opened.model(*inputs)
    except Exception as error:
        where = last_frame_in(error, opened.path)
        raise ModelError(
            "forward", f"the model's forward failed: {type(error).__name__}: {error}{where}"
        ) from error


def last_frame_in(error: BaseException, path: str) -> str:
    trace, found = error.__traceback__, ""
    while trace is not None:
        if os.path.abspath(trace.tb_frame.f_code.co_filename) == path:
            found = f" ({os.path.basename(path)} line {trace.tb_lineno})"
        trace = trace.tb_next
    return found
