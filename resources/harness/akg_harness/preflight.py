"""`preflight`: can a run on this task, DSL and device start at all?

Checked before any model is called, so a broken setup costs no tokens: the environment
imports torch (and the DSL's package), the device exists, the task parses, imports, and its
reference runs once. The reference runs in a child process that imports task code only
(never a candidate), under a time limit, so anything it raises is the task's own error.

Prints one JSON document: {"ok", "problems": [{"kind", "code", "message", "fix"}], ...}.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time

from . import SCHEMA_VERSION
from .registry import DSL_PACKAGES

# A task's reference is one forward pass; past this it is hung, or too large to be a task.
REFERENCE_TIMEOUT_SECONDS = 300.0


def problem(kind: str, code: str, message: str, fix: str) -> dict:
    return {"kind": kind, "code": code, "message": message, "fix": fix}


def no_torch(detail: str) -> dict:
    python = sys.executable
    return problem(
        "environment",
        "ENV_NO_TORCH",
        f"torch cannot be imported by {python} ({detail})",
        f"install it ({python} -m pip install torch) or choose another environment in Toolchains",
    )


def check_environment(dsl: str) -> list:
    """Cheap checks without importing torch; the child imports it (once) for everything else."""
    found = []
    python = sys.executable
    if importlib.util.find_spec("torch") is None:
        return [no_torch("ModuleNotFoundError: No module named 'torch'")]
    package = DSL_PACKAGES.get(dsl)
    if package and importlib.util.find_spec(package) is None:
        found.append(
            problem(
                "environment",
                "ENV_NO_DSL",
                f"{dsl} kernels need the {package} package, which {python} does not have",
                f"install it ({python} -m pip install {package}) or choose another environment in Toolchains",
            )
        )
    if dsl == "cpp" and not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
        found.append(
            problem(
                "environment",
                "ENV_NO_COMPILER",
                "C++ kernels need a C++ compiler and none is on PATH",
                "install one (apt-get install g++, or Xcode's command line tools)",
            )
        )
    if dsl == "cuda_c" and not (shutil.which("nvcc") or os.environ.get("CUDA_HOME")):
        found.append(
            problem(
                "environment",
                "ENV_NO_NVCC",
                "CUDA-C kernels need nvcc and it is not on PATH (nor CUDA_HOME set)",
                "install the CUDA toolkit and put its bin folder on PATH",
            )
        )
    return found


def check_device(device: str) -> list:
    """Runs in the child, where torch is already imported."""
    import torch

    match = re.fullmatch(r"(cpu|cuda|npu)(?::(\d+))?", device)
    if match is None:
        return [
            problem(
                "device",
                "DEVICE_UNKNOWN",
                f"{device!r} is not a device name",
                "use cpu, cuda, cuda:N or npu:N",
            )
        ]
    kind, index = match.group(1), int(match.group(2) or 0)
    if kind == "cpu":
        return []
    if kind == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        where = "no CUDA device" if count == 0 else f"{count} CUDA device(s) (cuda:0 to cuda:{count - 1})"
    else:
        try:
            import torch_npu  # noqa: F401

            count = torch.npu.device_count()
        except Exception:
            count = 0
        where = "no NPU device" if count == 0 else f"{count} NPU device(s)"
    if index < count:
        return []
    return [
        problem(
            "device",
            "DEVICE_MISSING",
            f"{device} does not exist here: torch in {sys.executable} sees {where}",
            "pick a device this machine has (Toolchains lists them), or a host that has it",
        )
    ]


def check_syntax(task_path: str) -> list:
    try:
        with open(task_path, encoding="utf-8") as handle:
            source = handle.read()
    except OSError as error:
        return [
            problem(
                "task",
                "TASK_UNREADABLE",
                f"the task {task_path} cannot be read ({error.strerror})",
                "check the path",
            )
        ]
    try:
        compile(source, task_path, "exec")
    except SyntaxError as error:
        return [
            problem(
                "task",
                "TASK_SYNTAX",
                f"the task {os.path.basename(task_path)} does not parse: {error.msg} at line {error.lineno}",
                "fix the task file; it is your code, not the model's",
            )
        ]
    return []


def run_reference(task_path: str, device: str, run_task: bool = True) -> dict:
    """In the child: import torch, check the device, then import the task, build its Model,
    draw inputs and run forward once. Task code is the only foreign code this process loads."""
    stage = "torch"
    started = time.monotonic()
    try:
        import torch  # noqa: F401
    except BaseException as error:
        return {"ok": False, "stage": "torch", "error": f"{type(error).__name__}: {error}"}
    device_problems = check_device(device)
    if device_problems:
        return {"ok": False, "stage": "device", "problems": device_problems}
    if not run_task:
        return {"ok": True, "outputs": None, "seconds": round(time.monotonic() - started, 3)}
    stage = "import"
    try:
        from .loading import import_file

        module = import_file(task_path, "akg_preflight_task")
        missing = [name for name in ("Model", "get_inputs", "get_init_inputs") if not hasattr(module, name)]
        if missing:
            return {"ok": False, "stage": "format", "error": f"missing {', '.join(missing)}"}
        import torch

        target = torch.device(device)
        stage = "get_init_inputs"
        init_inputs = list(module.get_init_inputs())
        stage = "Model.__init__"
        with torch.no_grad():
            model = module.Model(*init_inputs)
            if isinstance(model, torch.nn.Module):
                model = model.to(target).eval()
        stage = "get_inputs"
        with torch.no_grad(), torch.device(target):
            inputs = [
                value.to(target) if isinstance(value, torch.Tensor) else value
                for value in module.get_inputs()
            ]
        stage = "forward"
        with torch.no_grad():
            output = model(*inputs)
        if target.type == "cuda":
            torch.cuda.synchronize(target)
        outputs = output if isinstance(output, (list, tuple)) else [output]
        shapes = [
            list(item.shape) if isinstance(item, torch.Tensor) else type(item).__name__ for item in outputs
        ]
        return {"ok": True, "outputs": shapes, "seconds": round(time.monotonic() - started, 3)}
    except BaseException as error:  # the task's own code raised: SystemExit and the like included
        from .loading import innermost_location

        location = innermost_location(error, task_path)
        where = f" (line {location[0]}: {location[1]})" if location else ""
        return {"ok": False, "stage": stage, "error": f"{type(error).__name__}: {error}{where}"}


def check_reference(task_path: str, device: str, timeout: float, run_task: bool = True) -> tuple:
    code = (
        "import json, sys; from akg_harness.preflight import run_reference; "
        "print('AKG_PREFLIGHT ' + json.dumps(run_reference(sys.argv[1], sys.argv[2], sys.argv[3] == '1')))"
    )
    name = os.path.basename(task_path)
    fix = "fix the task file; it is your code, not the model's"
    try:
        completed = subprocess.run(
            [sys.executable, "-c", code, task_path, device, "1" if run_task else "0"],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=os.environ.copy(),
        )
    except subprocess.TimeoutExpired:
        return [
            problem(
                "task",
                "TASK_TIMEOUT",
                f"the reference of {name} did not finish one forward pass in {timeout:.0f} s",
                "make its inputs smaller or check it for an endless loop",
            )
        ], None
    lines = [line for line in completed.stdout.splitlines() if line.startswith("AKG_PREFLIGHT ")]
    if not lines:
        tail = (completed.stderr.strip().splitlines() or [f"exit code {completed.returncode}"])[-1]
        return [
            problem(
                "task", "TASK_CRASHED", f"running the reference of {name} killed its process: {tail}", fix
            )
        ], None
    report = json.loads(lines[-1][len("AKG_PREFLIGHT ") :])
    if report["ok"]:
        return [], report
    stage = report["stage"]
    if stage == "torch":
        return [no_torch(report["error"])], report
    if stage == "device":
        return report["problems"], report
    if stage == "format":
        return [
            problem(
                "task",
                "TASK_FORMAT",
                f"{name} is not in KernelBench format: {report['error']}",
                "define class Model, get_inputs() and get_init_inputs()",
            )
        ], report
    what = {"import": "importing the task", "forward": "the reference's forward"}.get(
        stage, f"the task's {stage}()" if stage.startswith("get_") else stage
    )
    return [problem("task", "TASK_ERROR", f"{what} raised {report['error']}", fix)], report


def preflight(task_path: str, dsl: str, device: str, timeout: float = REFERENCE_TIMEOUT_SECONDS) -> dict:
    task_path = os.path.abspath(task_path)
    problems = check_environment(dsl) + check_syntax(task_path)
    reference = None
    # One child imports torch once: it checks the device, then (when the task parses) runs the reference.
    if not any(item["code"] == "ENV_NO_TORCH" for item in problems):
        task_ok = not any(item["kind"] == "task" for item in problems)
        found, reference = check_reference(task_path, device, timeout, run_task=task_ok)
        problems += found
    return {
        "schema_version": SCHEMA_VERSION,
        "ok": not problems,
        "problems": problems,
        "reference": reference,
        "python": sys.executable,
        "task": task_path,
        "dsl": dsl,
        "device": device,
    }
