"""`akg_harness cluster-driver`: the studio's connection to a Ray cluster.

One process per cluster, started by the studio, speaking JSON lines on stdin/stdout:

  -> {"cid": "1", "control": "connect"}                       (first; answers the Ray version)
  -> {"cid": "2", "control": "inventory"}                     nodes, GPUs, what is free
  -> {"cid": "3", "control": "open", "slot": "ray:ab12:cuda:0", "node_id": "...", "kind": "cuda",
      "model": "H200", "threads": null}                       starts the slot's actor
  -> {"slot": "ray:ab12:cuda:0", "line": "<a serve request>"} relayed to the slot's actor
  <- {"slot": "ray:ab12:cuda:0", "line": "<a serve answer or stage line>"}
  -> {"cid": "4", "control": "close", "slot": "..."}          ends the slot's actor
  <- {"event": "cluster-lost", "reason": "..."}               then the driver exits (code 3)

An actor that dies while it evaluates (its node died, or the process was killed) costs one
retry on a fresh actor, on another node where the first one is gone, of the same GPU model;
a second loss answers a `runtime_error` verdict that names both causes. Each request gets
exactly one answer, so no result is counted twice.
"""

import json
import os
import sys
import threading
import time
import traceback

from ..protocol import LineWriter, protect_stdout
from ..result import failure_doc
from .inventory import cluster_inventory

# Seconds between liveness checks of the cluster's control store (GCS).
HEALTH_INTERVAL_S = 2.0
# A control store that has not answered for this long is gone.
HEALTH_TIMEOUT_S = 10.0
NAMESPACE = "akg-studio"
EXIT_CLUSTER_LOST = 3


class Slot:
    def __init__(self, key: str, node_id: str, kind: str, model, threads):
        self.key, self.node_id, self.kind, self.model, self.threads = key, node_id, kind, model, threads
        self.actor = None
        self.lock = threading.Lock()


class Driver:
    def __init__(self, address: str, out: LineWriter):
        self.address = address
        self.out = out
        self.slots = {}
        self.ray = None
        self.lost = threading.Event()

    # -- connection --------------------------------------------------------
    def connect(self) -> dict:
        import ray

        import akg_harness

        package = os.path.dirname(os.path.abspath(akg_harness.__file__))
        # The sandbox's limits and opt-in travel with the job; the workstation's paths do not.
        env_vars = {
            name: value
            for name, value in os.environ.items()
            if name.startswith("AKG_SANDBOX_") or name == "AKG_ALLOW_UNSANDBOXED"
        }
        env_vars["PYTHONUNBUFFERED"] = "1"
        ray.init(
            address=self.address,
            namespace=NAMESPACE,
            log_to_driver=False,
            logging_level="ERROR",
            configure_logging=False,
            runtime_env={"py_modules": [package], "env_vars": env_vars},
        )
        self.ray = ray
        threading.Thread(target=self.watch, daemon=True, name="cluster-health").start()
        return {
            "ray_version": ray.__version__,
            "address": self.address,
            "nodes": len([n for n in ray.nodes() if n.get("Alive")]),
        }

    def watch(self) -> None:
        """Declares the cluster lost when its control store stops answering."""
        while not self.lost.is_set():
            time.sleep(HEALTH_INTERVAL_S)
            answered = threading.Event()
            problem = []

            def ask():
                try:
                    if not any(node.get("Alive") for node in self.ray.nodes()):
                        problem.append("no live node is left in the cluster")
                except Exception as error:
                    problem.append(f"{type(error).__name__}: {error}")
                answered.set()

            threading.Thread(target=ask, daemon=True).start()
            if not answered.wait(HEALTH_TIMEOUT_S):
                problem.append(f"the cluster's control store did not answer for {HEALTH_TIMEOUT_S:g} s")
            if problem:
                self.declare_lost(problem[0])
                return

    def declare_lost(self, reason: str) -> None:
        if self.lost.is_set():
            return
        self.lost.set()
        self.out.send({"event": "cluster-lost", "reason": reason})
        os._exit(EXIT_CLUSTER_LOST)

    # -- slots -------------------------------------------------------------
    def actor_for(self, slot: Slot, avoid_node: bool = False):
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from .slot_actor import SlotActor

        resources = {}
        if slot.model:  # a replacement stays on the same GPU model
            resources[f"accelerator_type:{slot.model}"] = 0.001
        options = {
            "num_cpus": 1 if slot.kind == "cpu" else 0,
            "num_gpus": 1 if slot.kind == "cuda" else 0,
            "max_restarts": 0,
            "max_task_retries": 0,
            "resources": resources,
        }
        if slot.kind == "npu":
            options["resources"]["NPU"] = 1
        alive = {node["NodeID"] for node in self.ray.nodes() if node.get("Alive")}
        if slot.node_id in alive and not avoid_node:
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(slot.node_id, soft=True)
        actor = self.ray.remote(SlotActor).options(**options).remote(slot.kind, slot.threads)
        return actor

    def open(self, message: dict) -> dict:
        slot = Slot(
            str(message["slot"]),
            str(message.get("node_id") or ""),
            str(message.get("kind") or "cpu"),
            message.get("model"),
            message.get("threads"),
        )
        old = self.slots.get(slot.key)
        if old is not None and old.actor is not None:
            self.kill(old)
        slot.actor = self.actor_for(slot)
        self.slots[slot.key] = slot
        return self.ray.get(slot.actor.info.remote(), timeout=300)

    def kill(self, slot: Slot) -> None:
        if slot.actor is not None:
            try:
                self.ray.kill(slot.actor, no_restart=True)
            except Exception:
                pass
            slot.actor = None

    def close(self, message: dict) -> dict:
        slot = self.slots.pop(str(message.get("slot")), None)
        if slot is not None:
            self.kill(slot)
        return {"closed": slot is not None}

    # -- requests ----------------------------------------------------------
    def relay(self, key: str, line: str) -> None:
        slot = self.slots.get(key)
        request = json.loads(line)
        request_id = request.get("id")
        if slot is None:
            self.answer(
                key,
                {
                    "id": request_id,
                    "ok": False,
                    "error": {"code": "BAD_REQUEST", "message": f"no open slot {key}"},
                },
            )
            return
        threading.Thread(
            target=self.run_request, args=(slot, request, line), daemon=True, name=f"request-{request_id}"
        ).start()

    def run_request(self, slot: Slot, request: dict, line: str) -> None:
        from ray.exceptions import RayActorError, RaySystemError, WorkerCrashedError

        try:
            from ray.exceptions import NodeDiedError
        except ImportError:  # older Ray
            NodeDiedError = RayActorError
        lost_errors = (RayActorError, WorkerCrashedError, NodeDiedError, RaySystemError)
        causes = []
        with slot.lock:
            for attempt in (1, 2):
                if slot.actor is None:
                    slot.actor = self.actor_for(slot, avoid_node=attempt > 1)
                try:
                    stream = slot.actor.request.options(num_returns="streaming").remote(line)
                    for reference in stream:
                        self.out.send({"slot": slot.key, "line": self.ray.get(reference)})
                    return
                except lost_errors as error:
                    causes.append(
                        f"attempt {attempt}: {type(error).__name__}: "
                        f"{str(error).splitlines()[0] if str(error) else ''}"
                    )
                    self.kill(slot)
                    if self.lost.is_set():
                        return
                    if attempt == 1:
                        self.out.send(
                            {
                                "slot": slot.key,
                                "line": json.dumps(
                                    {"id": request.get("id"), "event": "stage", "stage": "retry"}
                                ),
                            }
                        )
                except Exception as error:  # the relay itself failed: an answer, not a hang
                    self.answer(
                        slot.key,
                        {
                            "id": request.get("id"),
                            "ok": False,
                            "error": {"code": "INTERNAL", "message": f"{type(error).__name__}: {error}"},
                        },
                    )
                    return
        self.answer_lost(slot, request, causes)

    def answer_lost(self, slot: Slot, request: dict, causes: list) -> None:
        message = (
            "the cluster worker evaluating this candidate was lost twice (its node died or "
            "its process was killed); " + "; ".join(causes)
        )
        if request.get("command") == "evaluate":
            document = failure_doc(request.get("args") or {}, "runtime_error", "worker", message)
            self.answer(slot.key, {"id": request.get("id"), "ok": True, "result": document})
        else:
            self.answer(
                slot.key,
                {"id": request.get("id"), "ok": False, "error": {"code": "WORKER_LOST", "message": message}},
            )

    def answer(self, key: str, message: dict) -> None:
        self.out.send({"slot": key, "line": json.dumps(message)})

    # -- control -----------------------------------------------------------
    def control(self, message: dict) -> bool:
        cid = message.get("cid")
        name = message.get("control")
        try:
            if name == "connect":
                result = self.connect()
            elif name == "inventory":
                result = cluster_inventory(self.ray)
            elif name == "open":
                result = self.open(message)
            elif name == "close":
                result = self.close(message)
            elif name == "shutdown":
                for slot in list(self.slots.values()):
                    self.kill(slot)
                self.out.send({"cid": cid, "ok": True, "result": {"shutdown": True}})
                return False
            else:
                raise ValueError(f"unknown control {name!r}")
            self.out.send({"cid": cid, "ok": True, "result": result})
        except Exception as error:
            self.out.send(
                {
                    "cid": cid,
                    "ok": False,
                    "error": {
                        "code": "CLUSTER_ERROR",
                        "message": f"{type(error).__name__}: {error}",
                        "traceback": traceback.format_exc(limit=4),
                    },
                }
            )
        return True


def run_driver(address: str) -> int:
    out = LineWriter(protect_stdout())
    driver = Driver(address, out)
    for raw in sys.stdin:
        if not raw.strip():
            continue
        try:
            message = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if not isinstance(message, dict):
            continue
        if "control" in message:
            if not driver.control(message):
                break
        elif "slot" in message and isinstance(message.get("line"), str):
            try:
                driver.relay(str(message["slot"]), message["line"])
            except (json.JSONDecodeError, TypeError):
                continue
    return 0
