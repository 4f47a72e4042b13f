"""`serve`: one JSON request per line on stdin, one JSON response per line on stdout.

Request:  {"id": str, "command": "evaluate"|"detect"|"precompile"|"ping"|"shutdown", "args": {...}}
Response: {"id", "ok": true, "result": ...} or {"id", "ok": false, "error": {"code", "message"}}
Progress: {"id", "event": "stage", "stage": "load|compile|correctness|timing|profile"}
"""

import json
import os
import signal
import sys

from .options import EvaluateOptions, OptionsError
from .protocol import LineWriter, protect_stdout
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
            self.out.send({"id": request_id, "ok": False,
                           "error": {"code": code, "message": message}})

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
        try:
            if command == "ping":
                self.reply(request_id, {"pong": True, "executor_pid": self.worker.pid,
                                        "restarts": self.worker.restarts})
            elif command == "shutdown":
                self.reply(request_id, {"shutdown": True})
                return False
            elif command == "evaluate":
                options = EvaluateOptions.from_mapping(args)
                result = self.worker.evaluate(options, request_id=str(request_id))
                if options.out:
                    write_json(options.out, result)
                self.reply(request_id, result)
            elif command in ("detect", "precompile"):
                self.forward(request_id, command, args)
            else:
                self.reply(request_id, code="UNKNOWN_COMMAND",
                           message=f"unknown command {command!r}; use evaluate, detect, "
                                   "precompile, ping or shutdown")
        except OptionsError as error:
            self.reply(request_id, code="BAD_REQUEST", message=str(error))
        except HarnessRequestError as error:
            self.reply(request_id, code=error.code, message=error.message)
        except ExecutorGone as error:
            self.reply(request_id, code="EXECUTOR_FAILED", message=str(error))
        return True

    def forward(self, request_id, command: str, args: dict) -> None:
        timeout = float(args.get("timeout", DETECT_TIMEOUT_S))
        answer = self.worker.request(command, args, timeout, str(request_id))
        if answer.get("gone"):
            self.reply(request_id, code="EXECUTOR_FAILED", message=answer["gone"]["message"])
        elif answer.get("ok"):
            if command == "detect" and args.get("out"):
                write_json(args["out"], answer["result"])
            self.reply(request_id, answer["result"])
        else:
            error = answer.get("error", {})
            self.reply(request_id, code=error.get("code", "INTERNAL"),
                       message=error.get("message", ""))


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
    server.worker.start()
    try:
        for line in sys.stdin:
            if line.strip() and not server.handle(line):
                break
    finally:
        server.worker.close()
    return 0
