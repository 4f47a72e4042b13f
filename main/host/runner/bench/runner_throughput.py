"""Candidates per minute through akg_harness: warm `serve` workers versus a new process per candidate.

Usage (on a GPU machine, from the repository root):
    python3 main/host/runner/bench/runner_throughput.py --warm 16 --cold 6 --out result.json

Each candidate is the vector-add Triton fixture with a distinct constant folded into the kernel,
so every candidate compiles, as every new LLM candidate does; Triton's cache starts empty.
This driver speaks the same line protocol as the studio's runner (one JSON request per line).
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
HARNESS = os.path.join(ROOT, "resources", "harness")
FIXTURES = os.path.join(HARNESS, "tests", "fixtures")
TASK = os.path.join(FIXTURES, "tasks", "vector_add.py")
SOURCE = open(os.path.join(FIXTURES, "candidates", "triton", "add_correct.py")).read()
OPTIONS = {"dsl": "triton", "timeout": 300, "correctness_trials": 3, "timing_trials": 20, "baselines": ["eager"]}


def make_candidates(folder, count, tag):
    paths = []
    for index in range(count):
        # `+ 0.0 * SALT` keeps the result exact while making each kernel's source, and so its compile, unique.
        salt = 1 + index + 1000 * "cwm".index(tag)
        body = SOURCE.replace("a + b, mask=mask", f"a + b + 0.0 * {salt}.0, mask=mask")
        assert body != SOURCE
        path = os.path.join(folder, f"cand_{tag}_{index}.py")
        with open(path, "w") as handle:
            handle.write(body)
        paths.append(path)
    return paths


def environment(gpu, cache):
    return dict(os.environ, PYTHONPATH=HARNESS, PYTHONUNBUFFERED="1", CUDA_VISIBLE_DEVICES=str(gpu), TRITON_CACHE_DIR=cache)


class Worker:
    def __init__(self, gpu, cache):
        started = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "akg_harness", "serve", "--warm-device", "cuda:0"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=environment(gpu, cache), text=True)
        self.ids = 0
        self.call("ping", {})
        self.startup_s = time.monotonic() - started

    def call(self, command, args):
        self.ids += 1
        self.process.stdin.write(json.dumps({"id": str(self.ids), "command": command, "args": args}) + "\n")
        self.process.stdin.flush()
        while True:
            message = json.loads(self.process.stdout.readline())
            if message.get("id") == str(self.ids) and "ok" in message:
                if not message["ok"]:
                    raise RuntimeError(message["error"])
                return message["result"]

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def run_warm(gpus, candidates, cache):
    started = time.monotonic()
    workers = [Worker(gpu, cache) for gpu in gpus]
    ready = time.monotonic()
    jobs = queue.Queue()
    for path in candidates:
        jobs.put(path)
    statuses = []

    def serve(worker):
        while True:
            try:
                path = jobs.get_nowait()
            except queue.Empty:
                return
            result = worker.call("evaluate", dict(OPTIONS, task=TASK, candidate=path, device="cuda:0"))
            statuses.append(result["status"])

    threads = [threading.Thread(target=serve, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = time.monotonic()
    for worker in workers:
        worker.close()
    return {"gpus": len(gpus), "candidates": len(candidates), "startup_s": round(ready - started, 2),
            "evaluate_s": round(done - ready, 2), "per_minute": round(60 * len(candidates) / (done - ready), 1),
            "per_minute_with_startup": round(60 * len(candidates) / (done - started), 1),
            "statuses": sorted(set(statuses)), "passed": statuses.count("passed")}


def run_cold(candidates, cache, folder):
    started = time.monotonic()
    statuses = []
    for index, path in enumerate(candidates):
        out = os.path.join(folder, f"cold_{index}.json")
        args = ["--task", TASK, "--candidate", path, "--dsl", "triton", "--device", "cuda:0", "--out", out,
                "--correctness-trials", "3", "--timing-trials", "20", "--baselines", "eager", "--timeout", "300"]
        subprocess.run([sys.executable, "-m", "akg_harness", "evaluate", *args], env=environment(0, cache),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        with open(out) as handle:
            statuses.append(json.load(handle)["status"])
    elapsed = time.monotonic() - started
    return {"gpus": 1, "candidates": len(candidates), "evaluate_s": round(elapsed, 2),
            "per_minute": round(60 * len(candidates) / elapsed, 1), "statuses": sorted(set(statuses)),
            "passed": statuses.count("passed")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=16)
    parser.add_argument("--cold", type=int, default=6)
    parser.add_argument("--gpus", type=int, default=1, help="also run warm workers on this many GPUs")
    parser.add_argument("--out")
    options = parser.parse_args()
    import torch  # only to describe the machine

    report = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "python": sys.version.split()[0],
              "options": OPTIONS, "task": "vector_add (4096 floats)"}
    with tempfile.TemporaryDirectory() as folder:
        report["cold"] = run_cold(make_candidates(folder, options.cold, "c"), os.path.join(folder, "cache-cold"), folder)
        print(json.dumps(report["cold"]), flush=True)
        report["warm_1"] = run_warm([0], make_candidates(folder, options.warm, "w"), os.path.join(folder, "cache-warm"))
        print(json.dumps(report["warm_1"]), flush=True)
        if options.gpus > 1:
            count = options.warm * options.gpus
            report[f"warm_{options.gpus}"] = run_warm(list(range(options.gpus)), make_candidates(folder, count, "m"),
                                                     os.path.join(folder, "cache-multi"))
            print(json.dumps(report[f"warm_{options.gpus}"]), flush=True)
    if options.out:
        with open(options.out, "w") as handle:
            json.dump(report, handle, indent=2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
