"""CUDA C++ through torch.utils.cpp_extension, built for the GPU that will run it."""

import os
import shutil

import torch

from ..errors import EnvironmentProblem
from . import extension
from .cpp import CppAdapter


def arch_for(capability) -> str:
    major, minor = capability
    arch = f"{major}.{minor}"
    # Hopper's own instructions (wgmma, setmaxnreg) need the arch-specific target.
    if (major, minor) == (9, 0):
        arch = "9.0a"
    return arch


class CudaCAdapter(CppAdapter):
    name = "cuda_c"

    def check_environment(self) -> None:
        if self.backend.kind != "cuda":
            raise EnvironmentProblem("cuda_c candidates need a CUDA device (--device cuda[:N])")
        if torch.version.cuda is None:
            raise EnvironmentProblem(
                f"torch {torch.__version__} is a CPU build; cuda_c needs a CUDA build of torch"
            )
        if shutil.which("nvcc") is None and not os.environ.get("CUDA_HOME"):
            raise EnvironmentProblem("nvcc is not on PATH and CUDA_HOME is not set")

    def activate(self) -> dict:
        environment = super().activate()
        if not os.environ.get("TORCH_CUDA_ARCH_LIST"):
            capability = torch.cuda.get_device_capability(self.backend.index)
            environment["TORCH_CUDA_ARCH_LIST"] = arch_for(capability)
        if not os.environ.get("CUDA_HOME") and shutil.which("nvcc"):
            nvcc = os.path.realpath(shutil.which("nvcc"))
            environment["CUDA_HOME"] = os.path.dirname(os.path.dirname(nvcc))
            # cpp_extension reads CUDA_HOME once, at import.
            if extension.cpp_extension.CUDA_HOME is None:
                extension.cpp_extension.CUDA_HOME = environment["CUDA_HOME"]
        return environment

    def kernel_names(self) -> set:
        names = set()
        for build in extension.STATE.builds:
            names.update(build.get("kernels", []))
        return names
