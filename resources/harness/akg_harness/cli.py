"""Command line: detect, evaluate, serve, preflight, precompile, cache.

`evaluate` exits 0 whenever a verdict was written, whatever the verdict; 2 for
bad arguments or an unusable task, with the reason on stderr.
"""

import argparse
import json
import sys

from .options import OptionsError, add_evaluate_arguments, options_from_namespace
from .registry import DSLS, PRECOMPILED_DSLS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akg_harness", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    detect = commands.add_parser("detect", help="Python, packages, devices, peaks and tools")
    detect.add_argument("--out")
    detect.add_argument(
        "--no-measure", action="store_true", help="do not measure peaks of devices missing from the table"
    )

    evaluate = commands.add_parser("evaluate", help="verify, time and profile one candidate")
    add_evaluate_arguments(evaluate)
    evaluate.add_argument(
        "--in-process",
        action="store_true",
        help="UNSANDBOXED AND UNTRUSTED: run the candidate in the process that "
        "writes its verdict (debugging only; no timeout or crash "
        "protection; the result is flagged `untrusted`)",
    )

    serve = commands.add_parser("serve", help="long-lived JSON-lines worker on stdin/stdout")
    serve.add_argument("--warm-device", default="", help="initialise this device at start")

    driver = commands.add_parser(
        "cluster-driver", help="connect to a Ray cluster and relay to one actor per device"
    )
    driver.add_argument(
        "--address",
        default="auto",
        help="ray://HOST:10001, HOST:6379, or auto (a cluster this machine is part of)",
    )
    preflight = commands.add_parser("preflight", help="can a run on this task, DSL and device start?")
    preflight.add_argument("--task", required=True)
    preflight.add_argument("--dsl", required=True, choices=DSLS)
    preflight.add_argument("--device", default="cpu")
    preflight.add_argument(
        "--timeout", type=float, default=300.0, help="seconds the reference's one forward pass may take"
    )

    precompile = commands.add_parser("precompile", help="build cpp/cuda_c candidates in parallel")
    precompile.add_argument("candidates", nargs="+")
    precompile.add_argument("--dsl", required=True, choices=PRECOMPILED_DSLS)
    precompile.add_argument("--jobs", type=int, default=0)
    precompile.add_argument("--build-dir")
    precompile.add_argument("--arch", help="CUDA arch list when no GPU is visible, e.g. 9.0a")
    precompile.add_argument("--params", help="JSON object of tunable overrides")
    precompile.add_argument("--timeout", type=float, default=1800.0)
    cache = commands.add_parser("cache", help="list or clear cached baselines, peaks, builds")
    cache.add_argument("action", choices=("list", "clear"))
    cache.add_argument(
        "--kind",
        action="append",
        choices=("baselines", "peaks", "build"),
        help="repeatable; default: baselines and peaks (clear), all (list)",
    )
    cache.add_argument("--task", help="only the baselines of this task file")

    model = commands.add_parser("model", help="profile a model, extract tasks, patch, compare")
    from .model.commands import add_arguments

    add_arguments(model)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "detect":
        from .detect import detect
        from .serve import with_sandbox_status, write_json

        report = with_sandbox_status(detect(measure=not args.no_measure))
        if args.out:
            write_json(args.out, report)
        print(json.dumps(report, indent=2, default=str))
        return 0
    if args.command == "serve":
        from .serve import run_server

        return run_server(warm_device=args.warm_device)
    if args.command == "model":
        from .model.commands import run

        return run(args)
    if args.command == "cluster-driver":
        from .cluster.driver import run_driver

        return run_driver(args.address)
    if args.command == "preflight":
        from .preflight import preflight

        print(json.dumps(preflight(args.task, args.dsl, args.device, timeout=args.timeout)))
        return 0
    if args.command == "precompile":
        from .precompile import precompile

        report = precompile(
            args.candidates,
            args.dsl,
            build_dir=args.build_dir,
            jobs=args.jobs,
            arch=args.arch,
            params=json.loads(args.params) if args.params else None,
            timeout=args.timeout,
        )
        print(json.dumps(report, indent=2))
        return 0 if all(item["ok"] for item in report["candidates"]) else 1
    if args.command == "cache":
        from . import cache_admin

        if args.action == "list":
            kinds = tuple(args.kind or cache_admin.KINDS)
            report = {"entries": cache_admin.list_entries(kinds, args.task)}
        else:
            kinds = tuple(args.kind or ("baselines", "peaks"))
            report = cache_admin.clear(kinds, args.task)
        print(json.dumps(report, indent=2, default=str))
        return 0
    return run_evaluate(parser, args)


def run_evaluate(parser, args) -> int:
    from .serve import write_json

    try:
        options = options_from_namespace(args)
    except OptionsError as error:
        parser.error(str(error))
    try:
        if args.in_process:
            from .pipeline import evaluate_in_process
            from .supervisor import restore

            print(
                "akg_harness: --in-process: the candidate runs unsandboxed in this process, "
                "which writes its verdict; the result is untrusted (debugging only)",
                file=sys.stderr,
            )
            result = restore(evaluate_in_process(options), options, sandboxed=False)
        else:
            import signal

            from .supervisor import Worker

            # Killed from outside (a timeout wrapper, the app), still take the children down.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            worker = Worker(keep_warm=False)
            try:
                result = worker.evaluate(options)
            finally:
                worker.close()
    except Exception as error:  # a task that cannot load, or an executor that cannot start
        code = getattr(error, "code", type(error).__name__)
        print(f"akg_harness: {code}: {error}", file=sys.stderr)
        return 2
    write_json(options.out, result)
    summary = f"{result['status']}"
    timing = result.get("timing") or {}
    if timing.get("speedup_vs_eager"):
        summary += f" speedup_vs_eager={timing['speedup_vs_eager']:.3f}"
    print(f"akg_harness: {summary} -> {options.out}", file=sys.stderr)
    return 0
