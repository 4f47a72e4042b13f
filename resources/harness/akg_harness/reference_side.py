"""The reference process: the supervisor's second child, which never imports a candidate.

Started like the executor (two private pipes, stdout pointed at stderr), kept warm
across candidates: torch, the device context, loaded tasks. For each `verify`
request it rebuilds the task's Model under the request's seed and runs
verification.verify: comparisons, baselines, roofline. It trusts nothing it reads
from the scratch folder (see tensor_file).
"""

import os
import sys
import traceback


class Warm:
    """Tasks and backends kept between requests (a task is keyed by its file's bytes)."""

    def __init__(self):
        self.tasks = {}
        self.backends = {}

    def task(self, path: str):
        from .cache import file_digest
        from .loading import load_task

        key = (path, file_digest(path))
        if key not in self.tasks:
            self.tasks = {key: load_task(path)}  # one task at a time is the common case
        return self.tasks[key]

    def backend(self, device: str):
        from .backends import get_backend

        if device not in self.backends:
            self.backends[device] = get_backend(device)
        return self.backends[device]


def warm_up(warm: Warm, device: str) -> None:
    """Pay the first-use costs before the first candidate: seeding imports torch._dynamo
    (sympy and friends, seconds), and the first comparison initialises float64 kernels."""
    import torch
    import torch._dynamo  # noqa: F401
    import torch.fx.experimental.symbolic_shapes  # noqa: F401  (torch.unravel_index needs it)

    from .compare import compare_outputs
    from .inputs import seed_everything

    seed_everything(1)
    values = [torch.rand(8)]
    compare_outputs([torch.zeros(8)], values, "default")
    if device:
        try:
            warm.backend(device)
        except Exception as error:  # the request will report the real problem
            print(f"akg_harness reference process: warm-up of {device} failed: {error}", file=sys.stderr)


def handle(warm: Warm, request: dict) -> dict:
    command = request.get("command")
    args = request.get("args") or {}
    if command == "verify":
        from .options import EvaluateOptions
        from .result import json_safe
        from .verification import open_reference, verify

        options = EvaluateOptions.from_mapping(args["options"])
        ctx = open_reference(
            options,
            int(args["base_seed"]),
            warm.task(options.task),
            warm.backend(options.device),
            float(args.get("timeout", 600)),
        )
        try:
            return {"ok": True, "result": json_safe(verify(ctx, args))}
        finally:
            ctx.reference = ctx.sample_inputs = ctx.sample_reference = None
    if command == "ping":
        return {"ok": True, "result": {"pong": True, "pid": os.getpid()}}
    return {"ok": False, "error": {"code": "UNKNOWN_COMMAND", "message": str(command)}}


def main(argv) -> int:
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from .protocol import LineReader, LineWriter

    reader, writer = LineReader(int(argv[0])), LineWriter(int(argv[1]))
    warm = Warm()
    warm_up(warm, argv[3] if len(argv) > 3 and argv[2] == "--warm-device" else "")
    writer.send({"event": "ready", "pid": os.getpid()})
    while True:
        request = reader.read()
        if request is None or request.get("command") == "shutdown":
            return 0
        tag = {"id": request.get("id"), "nonce": (request.get("args") or {}).get("nonce")}
        try:
            answer = handle(warm, request)
        except Exception as error:
            answer = {
                "ok": False,
                "error": {
                    "code": "INTERNAL",
                    "message": (f"{type(error).__name__}: {error}\n{traceback.format_exc()}"),
                },
            }
        answer.update(tag, done=True)
        writer.send(answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
