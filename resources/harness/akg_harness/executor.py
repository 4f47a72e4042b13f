"""The executor: the child process that imports torch and runs candidates.

Started by the supervisor with two private pipes (requests in, answers out).
File descriptor 1 is pointed at stderr first thing, so prints from candidates,
compilers and libraries never reach a protocol stream. What it answers is
evidence, never a verdict: the candidate runs in this process and could write
anything here, so the supervisor trusts no line of it (README.md, "Trust").
"""

import os
import sys
import time
import traceback


def warm_up(device: str) -> dict:
    """Imports and first uses, before any candidate; returns seconds per step (the supervisor
    reports them with the verdict as the executor's start)."""
    seconds, started = {}, time.monotonic()

    def step(name: str) -> None:
        nonlocal started
        now = time.monotonic()
        seconds[name] = round(now - started, 3)
        started = now

    import torch  # noqa: F401  (the point of a warm executor)

    step("torch")
    try:  # importing triton early keeps its import out of a candidate's timed/guarded window
        import triton  # noqa: F401
        import triton.language  # noqa: F401

        if os.environ.get("TRITON_INTERPRET") != "1":  # compiled kernels (not the interpreter)
            from triton.runtime.cache import triton_key

            triton_key()  # a hash of Triton's own files, taken at the first compile
            import triton.experimental.gluon  # noqa: F401  (imported by the first compile)
    except Exception:
        pass
    step("triton")
    from . import pipeline  # noqa: F401

    step("harness")
    if device:
        from .backends import get_backend

        backend = get_backend(device)
        step("device")
        if backend.kind != "cpu":  # on the CPU there is nothing to load, and the cores are few
            warm_harness(backend)
            step("first_use")
    return seconds


def warm_harness(backend) -> None:
    """Pays, before any candidate, the first-use costs of what every evaluation runs on the
    device: in a fresh process each kernel torch launches for the first time is loaded
    then, the BLAS handles are created at the first matmul, and Triton builds its driver
    module at the first launch. Measured in the correctness stage otherwise (a fresh
    executor per candidate pays them all). Trusted code only: nothing of a candidate has
    been loaded yet. A failure here is only a slower first candidate."""
    import torch

    from .checks.torch_guard import TorchGuard
    from .compare import bitwise_equal, compare_outputs
    from .inputs import clone, fingerprint, seed_everything

    device = backend.torch_device
    seed_everything(1)
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        try:
            values = torch.randn(64, 64, device=device).to(dtype)
            copies = clone([values])
            with TorchGuard("record"):
                product = [values @ values]
            compare_outputs(product, [(values @ values).clone()], "default")
            compare_outputs(copies, [values], "default")
            bitwise_equal(copies, [values])
            fingerprint(copies)
        except Exception:
            continue
    try:
        backend.flush_cache()
        timer = backend.timer()
        timer.start()
        torch.relu(torch.zeros(16, device=device))
        timer.stop()
        backend.synchronize()
        timer.elapsed_ms()
    except Exception:
        pass
    if backend.kind == "cuda":
        try:
            import triton.runtime

            triton.runtime.driver.active.get_current_device()  # builds its driver module
        except Exception:
            pass


class Dialogue:
    """Mid-request exchanges with the supervisor (the timing confirmation)."""

    def __init__(self, reader, writer, tag: dict, seed: int):
        self.reader, self.writer, self.tag, self.seed = reader, writer, tag, seed

    def ask(self, message: dict) -> dict:
        self.writer.send(dict(message, **self.tag))
        reply = self.reader.read()
        if not isinstance(reply, dict) or reply.get("nonce") != self.tag["nonce"]:
            raise RuntimeError("the supervisor's reply did not match this request")
        return reply


def handle(request: dict, emit, dialogue=None) -> dict:
    """Answers a request. `evaluate` hands back evidence (the in-process checks, the
    candidate's timing) and writes outputs into the scratch folder; the verdict is
    the supervisor's, built from the reference process's comparison of those files."""
    command = request.get("command")
    args = request.get("args") or {}
    if command == "evaluate":
        from .options import EvaluateOptions
        from .pipeline import evaluate_in_process

        options = EvaluateOptions.from_mapping(args.get("options") or {})
        supervised = {
            "scratch": args["scratch"],
            "base_seed": int(args["base_seed"]),
            "dialogue": dialogue,
            "confirm": bool(args.get("confirm")),
        }
        evidence, recycle = evaluate_in_process(options, emit=emit, with_recycle=True, supervised=supervised)
        return {"ok": True, "evidence": evidence, "recycle": recycle}
    if command == "detect":
        from .detect import detect

        return {"ok": True, "result": detect(measure=not args.get("no_measure", False))}
    if command == "precompile":
        from .precompile import precompile

        report = precompile(
            args.get("candidates") or [],
            args.get("dsl", "cpp"),
            build_dir=args.get("build_dir"),
            jobs=args.get("jobs", 0),
            arch=args.get("arch"),
            params=args.get("params"),
        )
        return {"ok": True, "result": report}
    if command == "ping":
        return {"ok": True, "result": {"pong": True, "pid": os.getpid()}}
    if str(command).startswith("model_"):
        from .model.commands import handle as handle_model

        return handle_model(command, args)
    return {"ok": False, "error": {"code": "UNKNOWN_COMMAND", "message": str(command)}}


def main(argv) -> int:
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from .protocol import LineReader, LineWriter

    reader = LineReader(int(argv[0]))
    writer = LineWriter(int(argv[1]))
    warm_device = argv[3] if len(argv) > 3 and argv[2] == "--warm-device" else ""
    started, steps = time.monotonic(), {}
    try:
        steps = warm_up(warm_device)
    except Exception as error:  # still serve: the request will report the real problem
        print(f"akg_harness executor: warm-up failed: {error}", file=sys.stderr)
    start = {"seconds": round(time.monotonic() - started, 3), "steps": steps}
    writer.send({"event": "ready", "pid": os.getpid(), "start": start})
    from .options import OptionsError
    from .errors import TaskError

    while True:
        request = reader.read()
        if request is None or request.get("command") == "shutdown":
            return 0
        args = request.get("args") or {}
        tag = {"id": request.get("id"), "nonce": args.get("nonce")}

        def emit(stage: str, tag=tag) -> None:
            writer.send(dict(tag, event="stage", stage=stage))

        dialogue = Dialogue(reader, writer, tag, args.get("confirm_seed") or 1)
        try:
            answer = handle(request, emit, dialogue)
        except OptionsError as error:
            answer = {"ok": False, "error": {"code": "BAD_REQUEST", "message": str(error)}}
        except TaskError as error:
            answer = {
                "ok": False,
                "error": {"code": error.code, "message": str(error)},
                "recycle": error.recycle,
            }
        except Exception as error:
            answer = {
                "ok": False,
                "recycle": True,
                "error": {
                    "code": "INTERNAL",
                    "message": f"{type(error).__name__}: {error}\n{traceback.format_exc()}",
                },
            }
        answer.update(tag, done=True)
        writer.send(answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
