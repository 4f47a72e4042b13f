"""Candidates per minute on one GPU and on two through Ray, against the local worker pool.

Runs the same evaluations three ways, one after the other, on one machine:
  local  — one `akg_harness serve` pinned to GPU 0 (the studio's local worker pool, one GPU)
  ray-1  — the Ray driver with one GPU slot (the same actor path a cluster uses)
  ray-2  — the Ray driver with two GPU slots, evaluations spread over both
Each way starts warm (its workers answered a ping and evaluated one warm-up task) and is timed
from the first request to the last answer. Writes JSON and a markdown table to the output folder.
"""

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[2] / "resources" / "harness"


def evaluate_args(task: Path, candidate: Path, device: str) -> dict:
    # Eager baseline only: torch.compile's first compile per task would dominate the numbers
    # and is the same work on every path.
    return {
        "task": str(task),
        "candidate": str(candidate),
        "dsl": "triton",
        "device": device,
        "timeout": 300,
        "baselines": ["eager"],
        "correctness_trials": 3,
        "timing_trials": 50,
    }


class Lines:
    def __init__(self, process):
        self.process = process
        self.queue = queue.Queue()
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self):
        for line in self.process.stdout:
            try:
                self.queue.put(json.loads(line))
            except json.JSONDecodeError:
                pass
        self.queue.put(None)

    def send(self, message):
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def get(self, timeout=900):
        message = self.queue.get(timeout=timeout)
        if message is None:
            raise RuntimeError("the process exited")
        return message


def run_local(pairs, env) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "akg_harness", "serve", "--warm-device", "cuda:0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(env, CUDA_VISIBLE_DEVICES="0"),
    )
    lines = Lines(process)

    def one(request_id, task, candidate):
        lines.send(
            {"id": request_id, "command": "evaluate", "args": evaluate_args(task, candidate, "cuda:0")}
        )
        while True:
            message = lines.get()
            if message.get("id") == request_id and "ok" in message:
                return message

    one("warm", *pairs[0])
    started = time.monotonic()
    statuses = [one(str(index), *pair)["result"]["status"] for index, pair in enumerate(pairs)]
    elapsed = time.monotonic() - started
    lines.send({"id": "bye", "command": "shutdown"})
    process.wait(timeout=60)
    return {"seconds": elapsed, "statuses": statuses}


def run_ray(pairs, env, address: str, slots: int) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "akg_harness", "cluster-driver", "--address", address],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = Lines(process)
    cid = [0]

    def control(name, **fields):
        cid[0] += 1
        lines.send({"cid": str(cid[0]), "control": name, **fields})
        while True:
            message = lines.get()
            if message.get("cid") == str(cid[0]):
                if not message["ok"]:
                    raise RuntimeError(message)
                return message["result"]

    control("connect")
    inventory = control("inventory")
    gpu_nodes = [node for node in inventory["nodes"] if node["gpus"] > 0]
    keys = []
    for node in gpu_nodes:
        for index in range(node["gpus"]):
            if len(keys) < slots:
                key = f"ray:{node['node_id'][:8]}:cuda:{index}"
                control(
                    "open",
                    slot=key,
                    node_id=node["node_id"],
                    kind="cuda",
                    model=node["gpu_model"],
                    threads=None,
                )
                keys.append(key)

    def request(key, request_id, task, candidate):
        args = evaluate_args(task, candidate, "cuda:0")
        files = {
            "task": {"name": task.name, "text": task.read_text()},
            "candidate": {"name": candidate.name, "text": candidate.read_text()},
        }
        line = {"id": request_id, "command": "evaluate", "files": files, "args": args}
        lines.send({"slot": key, "line": json.dumps(line)})

    finals = {}

    def drain(expected):
        while len([k for k in finals if k in expected]) < len(expected):
            message = lines.get()
            if "line" not in message:
                continue
            answer = json.loads(message["line"])
            if "ok" in answer:
                finals[answer["id"]] = answer

    for key in keys:  # warm every slot
        request(key, f"warm-{key}", *pairs[0])
    drain({f"warm-{key}" for key in keys})
    started = time.monotonic()
    pending = list(enumerate(pairs))
    busy = {}
    free = list(keys)
    while pending or busy:
        while free and pending:
            index, pair = pending.pop(0)
            key = free.pop(0)
            busy[str(index)] = key
            request(key, str(index), *pair)
        message = lines.get()
        if "line" not in message:
            continue
        answer = json.loads(message["line"])
        if "ok" in answer and answer["id"] in busy:
            finals[answer["id"]] = answer
            free.append(busy.pop(answer["id"]))
    elapsed = time.monotonic() - started
    statuses = [finals[str(index)]["result"]["status"] for index in range(len(pairs))]
    control("shutdown")
    process.wait(timeout=60)
    return {
        "seconds": elapsed,
        "statuses": statuses,
        "slots": keys,
        "gpu_models": sorted({node["gpu_model"] or "?" for node in gpu_nodes}),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    work = Path(args.work)
    sys.path.insert(0, str(Path(__file__).parent))
    from make_tasks import main as make

    make(str(work), args.count)
    tasks = sorted((work / "tasks").glob("*.py"))
    pairs = [(task, work / "candidates" / task.name) for task in tasks]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HARNESS), env.get("PYTHONPATH", "")])
    results = {"count": len(pairs), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for name, runner in (
        ("local", lambda: run_local(pairs, env)),
        ("ray-1", lambda: run_ray(pairs, env, args.address, 1)),
        ("ray-2", lambda: run_ray(pairs, env, args.address, 2)),
    ):
        try:
            outcome = runner()
            outcome["per_minute"] = 60.0 * len(pairs) / outcome["seconds"]
        except Exception as error:
            outcome = {"error": f"{type(error).__name__}: {error}"}
        results[name] = outcome
        print(name, json.dumps({k: v for k, v in outcome.items() if k != "statuses"}), flush=True)
    local, one, two = results.get("local", {}), results.get("ray-1", {}), results.get("ray-2", {})
    if "seconds" in one and "seconds" in two:
        results["scaling_two_over_one"] = one["seconds"] / two["seconds"]
    if "seconds" in one and "seconds" in local:
        results["ray_overhead_s_per_evaluation"] = (one["seconds"] - local["seconds"]) / len(pairs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=2))
    rows = ["| path | evaluations | wall s | per minute | statuses |", "|---|---|---|---|---|"]
    for name in ("local", "ray-1", "ray-2"):
        item = results.get(name, {})
        if "seconds" in item:
            passed = sum(status == "passed" for status in item["statuses"])
            rows.append(
                f"| {name} | {len(pairs)} | {item['seconds']:.1f} | {item['per_minute']:.1f} "
                f"| {passed}/{len(pairs)} passed |"
            )
        else:
            rows.append(f"| {name} | - | - | - | {item.get('error')} |")
    summary = "\n".join(rows)
    if "scaling_two_over_one" in results:
        summary += f"\n\nscaling, two GPUs over one (Ray): {results['scaling_two_over_one']:.2f}x"
    if "ray_overhead_s_per_evaluation" in results:
        summary += f"\nRay overhead per evaluation against the local worker: {results['ray_overhead_s_per_evaluation']:.3f} s"
    (out / "scale.md").write_text(summary + "\n")
    print(summary)


if __name__ == "__main__":
    main()
