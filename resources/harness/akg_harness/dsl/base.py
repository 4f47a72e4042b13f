"""What a DSL adapter provides, and the launch recorder its hooks report to.

Hooks (Triton's launch path, the functions of a cpp_extension module, TileLang's
kernel call) are installed once per executor and stay; they count launches only
while the recorder is active, so a cached module keeps working across requests.
In knock-out mode they skip the kernel (or NaN-fill what it returned): if the
forward is still right without the DSL's kernels, the kernels did not do the work.
"""

import collections

import torch

ANNOTATION_PREFIX = "akg.dsl::"
# What a verdict (and a model A/B) says of Triton run under its interpreter.
INTERPRETED_DETAIL = "Triton ran under TRITON_INTERPRET=1 on the CPU: correctness only, no timing"


class LaunchRecorder:
    def __init__(self):
        self.active = False
        self.knockout = False
        self.counts = collections.Counter()
        self.returns_none = set()

    def reset(self) -> None:
        self.counts.clear()

    def total(self) -> int:
        return sum(self.counts.values())

    def annotation(self, name: str):
        return torch.profiler.record_function(ANNOTATION_PREFIX + name)


RECORDER = LaunchRecorder()


def nan_like(value):
    """A NaN-filled (or max-filled, for integers) copy with the same structure."""
    if isinstance(value, torch.Tensor):
        if value.dtype.is_floating_point or value.dtype.is_complex:
            return torch.full_like(value, float("nan"))
        if value.dtype == torch.bool:
            return torch.ones_like(value)
        return torch.full_like(value, torch.iinfo(value.dtype).max)
    if isinstance(value, (tuple, list)):
        return type(value)(nan_like(item) for item in value)
    return value


class Adapter:
    """Per-request view of a DSL: environment checks, hooks, error classification."""

    name = "base"
    # How this DSL's launches are counted, said when forward() launched none.
    launch_hint = ""
    # Torch ops run inside a launch annotation belong to the DSL (Triton's interpreter
    # copies tensors with torch); for extensions they are torch work done from C++.
    torch_inside_launch_is_dsl = False

    def __init__(self, backend, tunables, build_root: str, candidate_path: str):
        self.backend = backend
        self.tunables = tunables
        self.build_root = build_root
        self.candidate_path = candidate_path
        self.interpreted = False

    def check_environment(self) -> None:
        """Raise EnvironmentProblem when this DSL cannot run on this backend here."""

    def activate(self) -> dict:
        """Install hooks and return environment variables to set while the candidate runs."""
        return {}

    def deactivate(self) -> None:
        pass

    def is_compile_error(self, error: BaseException) -> bool:
        from ..errors import BuildError

        return isinstance(error, (BuildError, SyntaxError))

    def build_report(self):
        return None

    def kernel_names(self) -> set:
        """Names of device kernels known to come from this DSL (for profiler attribution)."""
        return set()

    def supports_timing(self) -> bool:
        return not self.interpreted
