"""C++ with OpenMP on the CPU, through torch.utils.cpp_extension (load_inline or load)."""

import os
import shutil

from ..errors import EnvironmentProblem
from . import extension
from .base import Adapter


class CppAdapter(Adapter):
    name = "cpp"
    launch_hint = "counted as calls into a module built with torch.utils.cpp_extension"

    def check_environment(self) -> None:
        compiler = os.environ.get("CXX", "c++")
        if shutil.which(compiler) is None:
            raise EnvironmentProblem(f"no C++ compiler ({compiler}) on PATH")
        if shutil.which("ninja") is None:
            raise EnvironmentProblem(
                "ninja is not on PATH (pip install ninja); torch.utils.cpp_extension needs it"
            )
        if self.backend.kind != "cpu":
            raise EnvironmentProblem(
                "the cpp DSL runs on the CPU; use --device cpu (cuda_c is the DSL for CUDA kernels)"
            )

    def activate(self) -> dict:
        extension.install()
        state = extension.STATE
        state.build_root = self.build_root
        state.tunables = self.tunables
        state.dsl = self.name
        state.candidate_path = self.candidate_path
        state.builds = []
        return {}

    def build_report(self):
        builds = extension.STATE.builds
        return {
            "extensions": builds,
            "cached": bool(builds) and all(b.get("cached") for b in builds),
            "build_dir": self.build_root,
        }
