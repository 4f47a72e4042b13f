"""Reference outputs kept in the executor, per task, seeds and device.

The reference is the task's own PyTorch model: for the same task file, weights seed, input
seed and device it computes the same outputs, so a search that evaluates many configurations
of one candidate on the same inputs needs it once. Entries hold the outputs (on the device, as
computed) and the few facts about their form the output checks compare against, so a reused
entry decides exactly what a fresh reference call would.

Used only when the seeds are fixed for more than one evaluation (`--seed`, or the search
protocol's per-executor seed): with the default fresh seeds a key never repeats.
"""

import collections
import os
import secrets

from .cache import file_digest

# Bytes of outputs kept at most; the oldest entries go first. A GPU keeps them in device
# memory, which candidates need too: an eighth of it, at most 16 GiB.
CPU_DEFAULT_BYTES = 1 << 30
GPU_CAP_BYTES = 16 << 30


class Entry:
    def __init__(self, values: list, facts: list):
        self.values = values
        self.facts = facts
        self.bytes = sum(v.numel() * v.element_size() for v in values)


class ReferenceStore:
    def __init__(self):
        self.entries = collections.OrderedDict()
        self.hits = 0
        self.misses = 0
        self.session_seeds = {}

    def capacity(self, backend) -> int:
        configured = os.environ.get("AKG_REFERENCE_CACHE_BYTES")
        if configured:
            return int(configured)
        if backend.kind == "cpu":
            return CPU_DEFAULT_BYTES
        try:
            total = int(backend.properties().get("memory_bytes") or 0)
        except Exception:
            total = 0
        return min(GPU_CAP_BYTES, total // 8) if total else CPU_DEFAULT_BYTES

    @staticmethod
    def key(ctx, seed: int, purpose: str) -> tuple:
        return (file_digest(ctx.options.task), ctx.base_seed, seed, purpose, ctx.backend.device_string)

    def get(self, key):
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key, values: list, facts: list, backend) -> None:
        entry = Entry(values, facts)
        limit = self.capacity(backend)
        if entry.bytes > limit:
            return
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while sum(e.bytes for e in self.entries.values()) > limit:
            self.entries.popitem(last=False)

    def session_seed(self, task_path: str) -> int:
        """A base seed drawn once per task in this executor, for the search protocol: the
        same inputs for every configuration (so the reference is computed once), unknown
        before the first evaluation."""
        digest = file_digest(task_path)
        if digest not in self.session_seeds:
            self.session_seeds[digest] = secrets.randbelow(2**31 - 2) + 1
        return self.session_seeds[digest]

    def clear(self) -> None:
        self.entries.clear()


STORE = ReferenceStore()
