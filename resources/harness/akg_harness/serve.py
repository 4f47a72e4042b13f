"""`serve`: one JSON request per line on stdin, one JSON response per line on stdout.

Request:  {"id": str, "command": "evaluate"|"detect"|"precompile"|"ping"|"shutdown", "args": {...}}
Response: {"id", "ok": true, "result": ...} or {"id", "ok": false, "error": {"code", "message"}}
Progress: {"id", "event": "stage", "stage": "load|compile|correctness|timing|profile"}
"""

import json
import os
import signal
import sys

from .boundary import BoundaryError, schema_version, validate
from .options import EvaluateOptions, OptionsError
from .protocol import LineWriter, protect_stdout
from .sandbox import SandboxUnavailable
from .supervisor import ExecutorGone, HarnessRequestError, Worker

DETECT_TIMEOUT_S = 300.0


class Server:
    def __init__(self, out: LineWriter, warm_device: str = ""):
        self.out = out
        self.worker = Worker(on_event=self._forward_event, keep_warm=True, warm_device=warm_device)

    def _forward_event(self, request_id: str, message: dict) -> None:
        self.out.send({"id": request_id, "event": "stage", "stage": message.get("stage")})

    def reply(self, request_id, result=None, code=None, message=None) -> None:
        if code is None:
            self.out.send({"id": request_id, "ok": True, "result": result})
        else:
            self.out.send({"id": request_id, "ok": False, "error": {"code": code, "message": message}})

    def handle(self, line: str) -> bool:
        """Answer one request line; returns False after `shutdown`."""
        try:
            request = json.loads(line)
        except json.JSONDecodeError as error:
            self.reply(None, code="BAD_REQUEST", message=f"not JSON: {error}")
            return True
        if not isinstance(request, dict):
            self.reply(None, code="BAD_REQUEST", message="a request is a JSON object")
            return True
        request_id = request.get("id")
        command = request.get("command")
        args = request.get("args") or {}
        version = request.get("schema_version")
        if version is not None and version != schema_version():
            self.reply(
                request_id,
                code="SCHEMA_VERSION",
                message=(
                    f"this harness speaks schema version {schema_version()} and the request "
                    f"version {version}: the studio and the harness come from different releases; "
                    "restart the worker so it uses the harness that ships with the studio"
                ),
            )
            return True
        try:
            if command == "ping":
                self.reply(
                    request_id,
                    {
                        "pong": True,
                        "executor_pid": self.worker.pid,
                        "restarts": self.worker.restarts,
                        "schema_version": schema_version(),
                    },
                )
            elif command == "shutdown":
                self.reply(request_id, {"shutdown": True})
                return False
            elif command == "evaluate":
                validate("evaluate_request", args)
                options = EvaluateOptions.from_mapping(args)
                result = self.worker.evaluate(options, request_id=str(request_id))
                try:
                    validate("verdict", result)
                except BoundaryError as error:
                    self.reply(
                        request_id,
                        code="INTERNAL",
                        message=(f"the harness built a verdict outside its own schema: {error}"),
                    )
                    return True
                if options.out:
                    write_json(options.out, result)
                self.reply(request_id, result)
            elif command == "precompile":
                self.reply(request_id, run_precompile(args))
            elif command == "detect":
                self.forward(request_id, command, args)
            elif str(command).startswith("model_"):
                self.model_command(request_id, command, args)
            else:
                self.reply(
                    request_id,
                    code="UNKNOWN_COMMAND",
                    message=f"unknown command {command!r}; use evaluate, detect, "
                    "precompile, model_profile, model_extract, model_apply, "
                    "model_compare, ping or shutdown",
                )
        except (OptionsError, BoundaryError) as error:
            self.reply(request_id, code="BAD_REQUEST", message=str(error))
        except HarnessRequestError as error:
            self.reply(request_id, code=error.code, message=error.message)
        except ExecutorGone as error:
            self.reply(request_id, code="EXECUTOR_FAILED", message=str(error))
        except SandboxUnavailable as error:
            self.reply(request_id, code=error.code, message=str(error))
        return True

    def model_command(self, request_id, command: str, args: dict) -> None:
        """The model and its kernels are imported in the sandboxed executor only."""
        from .model.commands import sandboxed_request

        answer = sandboxed_request(
            self.worker, command[len("model_") :], args, float(args.get("timeout", 1800))
        )
        if answer.get("gone"):
            self.reply(request_id, code="EXECUTOR_FAILED", message=answer["gone"]["message"])
        elif answer.get("ok"):
            self.reply(request_id, answer["result"])
        else:
            error = answer.get("error", {})
            self.reply(request_id, code=error.get("code", "INTERNAL"), message=error.get("message", ""))

    def forward(self, request_id, command: str, args: dict) -> None:
        timeout = float(args.get("timeout", DETECT_TIMEOUT_S))
        answer = self.worker.request(command, args, timeout, str(request_id))
        if answer.get("gone"):
            self.reply(request_id, code="EXECUTOR_FAILED", message=answer["gone"]["message"])
        elif answer.get("ok"):
            result = answer["result"]
            if command == "detect":
                result = with_sandbox_status(result)
                if args.get("out"):
                    write_json(args["out"], result)
            self.reply(request_id, result)
        else:
            error = answer.get("error", {})
            self.reply(request_id, code=error.get("code", "INTERNAL"), message=error.get("message", ""))


def with_sandbox_status(report: dict) -> dict:
    """detect's report as the trusted side sees it: the sandbox status and the real cache
    folder (the executor reports its own, inside the sandbox)."""
    from .cache import cache_root
    from .sandbox import status

    return dict(report, sandbox=status(), cache_dir=cache_root())


def run_precompile(args: dict) -> dict:
    """Builds run in sandboxed children of this (trusted) process, never in the executor:
    only this side may keep builds (candidate_cache)."""
    from .precompile import precompile

    return precompile(
        args.get("candidates") or [],
        args.get("dsl", "cpp"),
        build_dir=args.get("build_dir"),
        jobs=args.get("jobs", 0),
        arch=args.get("arch"),
        params=args.get("params"),
    )


def write_json(path: str, document) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(document, handle, indent=2, allow_nan=False, default=str)
    os.replace(temporary, path)


def run_server(warm_device: str = "") -> int:
    out = LineWriter(protect_stdout())
    server = Server(out, warm_device=warm_device)
    signal.signal(signal.SIGTERM, lambda *_: (server.worker.close(), os._exit(0)))
    try:
        server.worker.start()
    except SandboxUnavailable as error:  # answered per request; the worker stays reachable
        print(f"akg_harness serve: {error}", file=sys.stderr)
    try:
        for line in sys.stdin:
            if line.strip() and not server.handle(line):
                break
    finally:
        server.worker.close()
    return 0
