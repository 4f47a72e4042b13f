"""AKG Studio kernel harness: verify, time and profile candidate kernels.

The command line (``python -m akg_harness``) and the ``serve`` protocol are the
stable interface; ``akg_harness.api`` is the Python entry point for tools that
live in the same environment (the tuner).
"""

__version__ = "1.0.0"

# Bump when a field of the result document changes meaning or disappears.
SCHEMA_VERSION = 2

# The DSLs come from schema/registry.json, generated from the app's registry.
from .registry import DSLS as DSLS  # noqa: E402 (re-exported)

STATUSES = ("passed", "incorrect", "compile_error", "runtime_error", "timeout", "rejected")


def evaluate(*args, **kwargs):
    """Evaluate one candidate; see :func:`akg_harness.api.evaluate`."""
    from .api import evaluate as _evaluate

    return _evaluate(*args, **kwargs)
