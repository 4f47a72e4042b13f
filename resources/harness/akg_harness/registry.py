"""The studio's shared lists (DSLs and roles), read from the schema the app's registry emits.

schema/registry.json is generated from agents/contract/registry.ts (never edited by hand): each
DSL's name, label, devices, Python package, whether it is built ahead with
torch.utils.cpp_extension, and its adapter under akg_harness/dsl/. A new DSL is an entry there
and its adapter module here; nothing in this file changes.
"""

import json
import os

REGISTRY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema", "registry.json")

with open(REGISTRY_FILE) as _handle:
    REGISTRY = json.load(_handle)

_ENTRIES = {entry["name"]: entry for entry in REGISTRY["dsls"]}

DSLS = tuple(_ENTRIES)
"""Every DSL a candidate can be written in, in the studio's order."""

PRECOMPILED_DSLS = tuple(name for name, entry in _ENTRIES.items() if entry["precompiled"])
"""DSLs built with torch.utils.cpp_extension, which `precompile` builds in parallel."""

DSL_PACKAGES = {name: entry["python_package"] for name, entry in _ENTRIES.items() if entry["python_package"]}
"""The Python package each DSL's kernels import, where it needs one."""


def dsl_entry(name: str) -> dict:
    """The registry's entry for a DSL; ValueError for a name it does not list."""
    try:
        return _ENTRIES[name]
    except KeyError:
        raise ValueError(f"unknown DSL {name!r}") from None
