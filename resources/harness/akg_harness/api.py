"""Python API for tools in the same environment (the tuner builds on this).

    from akg_harness.api import Worker, evaluate
    with Worker() as worker:                       # one warm executor, reused
        for params in configurations:
            result = worker.evaluate(task="t.py", candidate="c.py", dsl="triton",
                                     device="cuda", params=params, timeout=120)

Results are the same documents the CLI writes (README.md, "Result document").
"""

from typing import Optional

from .options import EvaluateOptions
from .supervisor import Worker as _SupervisedWorker


class Worker:
    """A warm, supervised executor: a hang or crash costs one verdict, not the worker."""

    def __init__(self, warm_device: str = ""):
        self._worker = _SupervisedWorker(keep_warm=True, warm_device=warm_device)

    def evaluate(
        self,
        task: str,
        candidate: str,
        dsl: str,
        device: str = "cpu",
        params: Optional[dict] = None,
        **options,
    ) -> dict:
        arguments = dict(options, task=task, candidate=candidate, dsl=dsl, device=device, params=params)
        return self._worker.evaluate(EvaluateOptions.from_mapping(arguments))

    def close(self) -> None:
        self._worker.close()

    def __enter__(self):
        self._worker.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def evaluate(
    task: str,
    candidate: str,
    dsl: str,
    device: str = "cpu",
    params: Optional[dict] = None,
    isolate: bool = True,
    **options,
) -> dict:
    """Evaluate one candidate and return its result document.

    isolate=True runs it in a fresh supervised, sandboxed executor (timeouts and crashes become
    verdicts, outputs compared by the reference process); isolate=False runs it in this
    process: no protection, no sandbox, and the candidate could write its own verdict (flags
    `unsandboxed` and `untrusted`; debugging only).
    """
    arguments = dict(options, task=task, candidate=candidate, dsl=dsl, device=device, params=params)
    parsed = EvaluateOptions.from_mapping(arguments)
    if not isolate:
        from .pipeline import evaluate_in_process
        from .supervisor import restore

        return restore(evaluate_in_process(parsed), parsed, sandboxed=False)
    worker = _SupervisedWorker(keep_warm=False)
    try:
        return worker.evaluate(parsed)
    finally:
        worker.close()
