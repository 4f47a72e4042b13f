"""Runs on an SSH host, under `ssh -tt`: turns the session's tty into a clean JSON-lines pipe to
`python -m akg_harness serve`, installs the harness shipped over the session, and stores the
task and candidate files the studio sends. Sent as base64 in the ssh command; standard library only.
"""
import base64, hashlib, io, json, os, shutil, signal, subprocess, sys, tarfile, tempfile, threading, tty

if os.isatty(0):
    tty.setraw(0)  # no echo, no line editing, no \n -> \r\n: bytes pass through as sent
out_lock = threading.Lock()
out = os.fdopen(os.dup(1), "wb", 0)
os.dup2(2, 1)
inbox = os.fdopen(0, "rb")
work = tempfile.mkdtemp(prefix="akg-studio-")
default_cache = os.path.join(os.path.expanduser("~"), ".cache", "akg-studio")
serve = None


def send(message):
    data = (json.dumps(message) + "\n").encode()
    with out_lock:
        out.write(data)


def finish(*_):
    if serve is not None and serve.poll() is None:
        try:
            os.killpg(serve.pid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(work, ignore_errors=True)
    os._exit(0)


for name in ("SIGHUP", "SIGTERM", "SIGINT"):
    signal.signal(getattr(signal, name), finish)


def pump(stream, wrap):
    for line in iter(stream.readline, b""):
        if wrap:
            send({"event": "stderr", "text": line.decode("utf-8", "replace")})
        else:
            with out_lock:
                out.write(line if line.endswith(b"\n") else line + b"\n")
    if not wrap:
        send({"event": "serve-exit", "code": serve.wait()})


def handle(request):
    global serve
    command, args = request.get("command"), request.get("args") or {}
    cache = args.get("cache") or default_cache
    if command == "relay-has":
        return {"installed": os.path.isfile(os.path.join(cache, args["hash"], "akg_harness", "__init__.py"))}
    if command == "relay-install":
        target = os.path.join(cache, args["hash"])
        staging = tempfile.mkdtemp(dir=os.path.dirname(target) if os.path.isdir(os.path.dirname(target)) else None)
        with tarfile.open(fileobj=io.BytesIO(base64.b64decode(args["archive"])), mode="r:gz") as archive:
            archive.extractall(staging)
        os.makedirs(cache, exist_ok=True)
        if not os.path.isdir(target):
            os.replace(staging, target)
        return {"installed": True}
    if command == "relay-put":
        paths = []
        for item in args["files"]:
            content = base64.b64decode(item["content"])
            name = hashlib.sha256(content).hexdigest()[:16] + "-" + os.path.basename(item["name"])
            path = os.path.join(work, name)
            with open(path, "wb") as handle:
                handle.write(content)
            paths.append(path)
        return {"paths": paths}
    if command == "relay-devices":
        found = {"cuda": 0, "npu": 0, "cpu_cores": os.cpu_count() or 1, "python": sys.executable}
        probe = ("import json\nfound={'cuda':0,'npu':0}\nimport torch\n"
                 "found['cuda']=torch.cuda.device_count() if torch.cuda.is_available() else 0\n"
                 "try:\n import torch_npu\n found['npu']=torch.npu.device_count()\nexcept Exception:\n pass\n"
                 "print(json.dumps(found))")
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError("torch cannot be imported by " + sys.executable + ": " + (result.stderr.strip().splitlines() or ["?"])[-1])
        found.update(json.loads(result.stdout.strip().splitlines()[-1]))
        return found
    if command == "relay-serve":
        env = dict(os.environ, PYTHONPATH=os.path.join(cache, args["hash"]), PYTHONUNBUFFERED="1", **args.get("env", {}))
        serve = subprocess.Popen([sys.executable, "-u", "-m", "akg_harness", "serve"] + args.get("arguments", []),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                 cwd=work, start_new_session=True)
        threading.Thread(target=pump, args=(serve.stdout, False), daemon=True).start()
        threading.Thread(target=pump, args=(serve.stderr, True), daemon=True).start()
        return {"pid": serve.pid}
    raise RuntimeError("unknown relay command " + str(command))


send({"event": "relay-ready", "python": sys.version.split()[0], "executable": sys.executable})
for raw in iter(inbox.readline, b""):
    try:
        request = json.loads(raw)
    except ValueError:
        continue
    if str(request.get("command", "")).startswith("relay-"):
        try:
            send({"id": request.get("id"), "ok": True, "result": handle(request)})
        except Exception as error:
            send({"id": request.get("id"), "ok": False, "error": {"code": "RELAY_FAILED", "message": f"{type(error).__name__}: {error}"}})
    elif serve is not None:
        serve.stdin.write(raw if raw.endswith(b"\n") else raw + b"\n")
        serve.stdin.flush()
finish()
