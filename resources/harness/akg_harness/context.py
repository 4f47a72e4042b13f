"""State shared by the stages of one evaluation."""

import contextlib
import dataclasses
import time
import warnings
from typing import Any, Optional

import torch

from .inputs import seed_everything, to_device

# Time kept back from the request's timeout for writing the verdict.
DEADLINE_MARGIN_S = 2.0


@dataclasses.dataclass
class Context:
    options: Any
    doc: Any
    backend: Any
    adapter: Any
    task: Any
    base_seed: int
    deadline: float
    candidate_class: Any = None
    init_inputs: Optional[list] = None
    reference: Any = None
    candidate: Any = None
    near_constant: bool = False
    sample_inputs: Optional[list] = None
    sample_reference: Optional[list] = None
    loaded_path: Optional[str] = None
    traces: Optional[dict] = None
    threads: Optional[int] = None
    # strict_fp32 for float32 tasks (precision.py), set once the reference exists.
    reference_precision: str = "default"
    # The search protocol (options.protocol == "search"): one trial, integrity checks only.
    search: bool = False
    # Reference outputs may come from the executor's store: the seeds repeat across evaluations.
    reuse_references: bool = False
    # Supervised runs: where outputs go for the reference process (None in-process).
    handover: Any = None
    # Supervised runs: what the executor saw that no output file shows (reported, untrusted).
    evidence: dict = dataclasses.field(default_factory=dict)

    def hand_over(self, name: str, outputs: list, inputs=None, **meta) -> None:
        if self.handover is not None:
            self.handover.put(name, outputs, inputs, **meta)

    def build_models(self) -> None:
        """Reference first, then candidate, each under the same seed (same weights)."""
        self.build_reference()
        self.candidate = self.new_candidate()

    def build_reference(self) -> None:
        """The task's Model under the base seed: the same weights in every process."""
        seed_everything(self.base_seed)
        self.init_inputs = [to_device(v, self.backend.torch_device) for v in self.task.get_init_inputs()]
        self.reference = self._construct(self.task.Model)
        from .inputs import draw
        from .precision import DEFAULT, reference_mode
        from .tolerance import DEFAULT_PRECISION_PROFILES

        self.reference_precision = (
            DEFAULT
            if self.options.tolerance in DEFAULT_PRECISION_PROFILES
            else reference_mode(self.reference, draw(self.task, self.base_seed, self.backend.torch_device))
        )

    def new_candidate(self):
        return self._construct(self.candidate_class)

    def _construct(self, cls):
        seed_everything(self.base_seed)
        with torch.no_grad():
            model = cls(*self.init_inputs)
        if isinstance(model, torch.nn.Module):
            model = model.to(self.backend.torch_device)
            model.eval()
        return model

    def call_candidate(self, inputs: list, model=None):
        with torch.no_grad():
            return (model or self.candidate)(*inputs)

    def call_reference(self, inputs: list):
        """The reference in its judging precision (strict fp32 for float32 tasks)."""
        from .precision import precision

        with torch.no_grad(), precision(self.reference_precision):
            return self.reference(*inputs)

    def start_run_clock(self) -> None:
        """The run's timeout counts from here: the build had its own limit."""
        self.deadline = time.monotonic() + self.options.timeout - DEADLINE_MARGIN_S

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


@contextlib.contextmanager
def poisoned_memory():
    """Fresh allocations come back NaN-filled (integers: max value) while active.

    torch fills uninitialised memory only under deterministic mode; warn_only keeps
    ops without a deterministic kernel running. Unwritten output elements then
    show up as NaN instead of whatever the allocator's last user left there.
    """
    was_enabled = torch.are_deterministic_algorithms_enabled()
    was_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    was_fill = torch.utils.deterministic.fill_uninitialized_memory
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.utils.deterministic.fill_uninitialized_memory = True
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(was_enabled, warn_only=was_warn_only)
            torch.utils.deterministic.fill_uninitialized_memory = was_fill
