"""Errors that decide how a request is answered."""


class TaskError(RuntimeError):
    """The task (not the candidate) cannot be used: no verdict is possible.

    Answered as {"ok": false, "error": {"code": ...}} by serve and exit code 2 by the CLI.
    """

    def __init__(self, message: str, code: str = "TASK_ERROR", recycle: bool = False):
        super().__init__(message)
        self.code = code
        self.recycle = recycle


class BuildError(RuntimeError):
    """A candidate's kernel failed to build; the message says where."""


class EnvironmentProblem(RuntimeError):
    """The DSL or device the candidate needs is missing here (e.g. tilelang not installed)."""
