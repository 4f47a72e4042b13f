"""The model commands, as run inside the executor and as `python -m akg_harness model ...`.

The user's model, and later the winning kernels, are imported only in the executor child
(the process the harness sandboxes); the CLI and `serve` only forward requests to it.
"""

import argparse
import json
import sys

COMMANDS = ("profile", "extract", "apply", "compare")
DEFAULT_TIMEOUT_S = 1800.0


def handle(command: str, args: dict) -> dict:
    """Executor side: {"ok", "result"} or {"ok": false, "error"}; recycles the executor."""
    import torch

    from .load import ModelError

    name = command[len("model_") :]
    if name not in COMMANDS:
        return {"ok": False, "error": {"code": "UNKNOWN_COMMAND", "message": command}}
    if args.get("threads"):
        torch.set_num_threads(int(args["threads"]))
    try:
        if name in ("profile", "extract"):
            from .extract import run_extract, run_profile

            result = run_profile(args) if name == "profile" else run_extract(args)
        else:
            from .apply import compare, run_apply

            result = run_apply(args) if name == "apply" else compare(args)
    except ModelError as error:
        return {
            "ok": False,
            "recycle": True,
            "error": {"code": "MODEL_ERROR", "message": f"[{error.stage}] {error}"},
        }
    except (ValueError, FileNotFoundError) as error:
        return {"ok": False, "recycle": True, "error": {"code": "BAD_REQUEST", "message": str(error)}}
    # A model and its kernels stay imported in this process: the caller recycles it once it
    # has copied out what the command wrote (a recycle here would delete the sandbox first).
    return {"ok": True, "result": result, "recycle": False}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="model_command", required=True)
    for name in COMMANDS:
        sub = commands.add_parser(name)
        sub.add_argument("model", help="model file (get_model/get_inputs) or folder with model.py")
        sub.add_argument("--device", default="cpu")
        sub.add_argument("--out", help="write the report here (JSON)")
        sub.add_argument("--threads", type=int, default=0)
        sub.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S)
        sub.add_argument(
            "--in-process",
            action="store_true",
            help="run in this process (debugging: no sandbox, no timeout)",
        )
        if name in ("profile", "extract"):
            sub.add_argument(
                "--compile",
                action="store_true",
                help="also list what torch.compile fuses (compiles the model)",
            )
            sub.add_argument("--runs", type=int, default=5, help="profiled forwards")
        if name == "extract":
            sub.add_argument("--out-dir", help="task folder (default: <model>.akg-tasks)")
            sub.add_argument("--top", type=int, default=0, help="regions to write (default 5)")
            sub.add_argument("--regions", help="comma-separated region ids (r01,r03)")
            sub.add_argument(
                "--at-floor",
                action="store_true",
                help="also regions already at their bandwidth or compute floor (nothing to save)",
            )
        if name in ("apply", "compare"):
            sub.add_argument("--tasks", required=True, help="the task folder from extract")
            sub.add_argument(
                "--kernel",
                action="append",
                default=[],
                help="TASK=CANDIDATE.py[@dsl], e.g. r01=winner.py@triton",
            )
            sub.add_argument("--dsl", default="cpp", help="DSL of kernels given without @dsl")
            sub.add_argument("--mode", choices=("module", "graph"))
        if name == "compare":
            sub.add_argument("--no-compile", action="store_true")
            sub.add_argument("--timing-trials", type=int)
            sub.add_argument("--warmup", type=int)
            sub.add_argument(
                "--budget", type=float, default=30.0, help="seconds of timing per side and input set"
            )


def request_args(args) -> dict:
    request = {"model": args.model, "device": args.device, "threads": args.threads or None}
    name = args.model_command
    if name in ("profile", "extract"):
        request.update(compile=args.compile, runs=args.runs)
    if name == "extract":
        request.update(
            out_dir=args.out_dir,
            top=args.top or None,
            at_floor=args.at_floor,
            regions=[r for r in (args.regions or "").split(",") if r] or None,
        )
    if name in ("apply", "compare"):
        kernels = {}
        for item in args.kernel:
            task, separator, path = item.partition("=")
            if not separator or not path:
                raise SystemExit(f"--kernel {item}: give TASK=CANDIDATE.py, e.g. r01=winner.py")
            path, _, dsl = path.partition("@")
            kernels[task] = {"path": path, "dsl": dsl or args.dsl}
        request.update(tasks_dir=args.tasks, kernels=kernels, mode=args.mode)
    if name == "compare":
        request.update(
            compile=not args.no_compile,
            timing_trials=args.timing_trials,
            warmup=args.warmup,
            budget_s=args.budget,
        )
    return request


def sandboxed_request(worker, name: str, request: dict, timeout: float) -> dict:
    """Runs a model command in the worker's sandboxed executor: inputs copied in, the
    files it wrote copied back to the real task folder, paths in the answer made real."""
    from ..supervisor import wants_interpreter
    from .staging import stage_request

    interpret = wants_interpreter(str(request.get("device") or "cpu"))
    if worker.process is not None and worker.interpret != interpret:
        worker.kill()  # the Triton mode is fixed at start; a switch inside request() would
    worker.interpret = interpret  # replace the sandbox after the inputs were copied in
    worker.start(interpret=interpret)
    inside, staging = stage_request(worker.sandbox, name, request)
    answer = worker.request(f"model_{name}", inside, timeout)
    if answer.get("ok"):
        staging.copy_back()
        answer = dict(answer, result=staging.result(answer["result"]))
        worker.recycle()  # the model and its kernels never meet the next request
    elif answer.get("error"):
        answer = dict(answer, error=staging.result(answer["error"]))
    return answer


def run(args) -> int:
    from ..serve import write_json

    name = args.model_command
    request = request_args(args)
    if args.in_process:
        answer = handle(f"model_{name}", request)
    else:
        from ..supervisor import Worker

        worker = Worker(keep_warm=False, warm_device="")
        try:
            answer = sandboxed_request(worker, name, request, args.timeout)
        except Exception as error:  # no sandbox here, or the executor could not start
            code = getattr(error, "code", type(error).__name__)
            print(f"akg_harness model {name}: {code}: {error}", file=sys.stderr)
            return 2
        finally:
            worker.close()
    if answer.get("gone"):
        print(f"akg_harness model {name}: {answer['gone']['message']}", file=sys.stderr)
        return 2
    if not answer.get("ok"):
        error = answer.get("error", {})
        print(f"akg_harness model {name}: {error.get('code')}: {error.get('message')}", file=sys.stderr)
        return 2
    result = answer["result"]
    if args.out:
        write_json(args.out, result)
    else:
        print(json.dumps(result, indent=1, default=str))
    print(f"akg_harness model {name}: {summary(name, result)}", file=sys.stderr)
    return 0


def summary(name: str, result: dict) -> str:
    if name in ("profile", "extract"):
        tasks = result.get("tasks", [])
        text = (
            f"{len(tasks)} regions from {result['capture']['method']}; eager "
            f"{result['eager']['total_ms']:.4g} ms per forward"
        )
        if name == "extract":
            text += f"; {len(result.get('written', []))} task files in {result['tasks_dir']}"
        return text
    text = f"{len(result['accepted'])} accepted, {len(result['refused'])} refused ({result['mode']} mode)"
    for item in result["refused"]:
        text += f"\n  refused {item['id']}: {item['reason']}"
    return text
