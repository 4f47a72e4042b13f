"""DSL adapters: how to build and load a candidate, and how to tell its kernel ran.

Adding a DSL means one module here and its entry in the app's registry (agents/contract/
registry.ts, emitted as schema/registry.json), which names the module and its adapter class.
No other DSL changes.
"""

import importlib

from ..registry import dsl_entry


def adapter_class(name: str):
    adapter = dsl_entry(name)["adapter"]
    module = importlib.import_module(f".{adapter['module']}", __name__)
    return getattr(module, adapter["class"])
