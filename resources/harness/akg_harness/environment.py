"""The environment a harness process passes on: built from an allow-list, never inherited whole.

The studio's own process holds provider keys, its session token and AKG_* settings; a
candidate must see none of them. Two lists, declared once in the app's contract
(agents/contract/harness-boundary.ts) and read here from the generated schema file:
  - executor: what a process that imports a candidate may see (toolchains, threads, devices);
  - harness: the executor's list plus the harness's own settings (cache, sandbox options),
    for the trusted supervisor (`serve`, the CLI) only.
A name that looks like a credential is dropped even when a prefix allows it.
"""

import os
import re

from .boundary import boundary

CREDENTIAL = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|COOKIE|AUTH", re.IGNORECASE)


def _allowed(name: str, rules: dict) -> bool:
    if CREDENTIAL.search(name):
        return False
    return name in rules["names"] or any(name.startswith(p) for p in rules["prefixes"])


def filter_environment(base: dict, kind: str = "executor") -> dict:
    """The entries of `base` that a process of `kind` (executor or harness) may see."""
    rules = boundary()["environment"][kind]
    return {name: value for name, value in base.items() if _allowed(name, rules)}


def executor_base(base=None) -> dict:
    return filter_environment(dict(os.environ if base is None else base), "executor")
