"""Opening an evaluation: task, backend, DSL adapter, environment, candidate, models.

Shared by the pipeline (evaluate) and by the ncu target process, so both load
the candidate exactly the same way (same hooks, build cache and tunables).
"""

import os
import secrets
import time

from .backends import get_backend
from .cache import cache_dir
from .context import DEADLINE_MARGIN_S, Context
from .dsl import adapter_class
from .errors import TaskError
from .loading import load_candidate, load_task
from .references import STORE
from .tunables import Tunables, rewrite_constants


def open_context(options, doc, base_seed=None) -> Context:
    try:
        backend = get_backend(options.device)
    except Exception as error:
        raise TaskError(
            f"device {options.device} is not usable here: {error}", code="DEVICE_UNAVAILABLE"
        ) from error
    with doc.timed("load"):
        task = load_task(options.task)
    tunables = Tunables(options.params)
    build_root = cache_dir("build", build_dir=options.build_dir)
    adapter = adapter_class(options.dsl)(backend, tunables, build_root, options.candidate)
    search = options.protocol == "search"
    if base_seed is not None:
        seed = base_seed  # the supervisor's (for the search protocol: one per task)
    elif options.seed is not None:
        seed = options.seed
    elif search:
        seed = STORE.session_seed(options.task)  # same inputs for every configuration
    else:
        seed = secrets.randbelow(2**31 - 2) + 1
    return Context(
        options=options,
        doc=doc,
        backend=backend,
        adapter=adapter,
        task=task,
        base_seed=seed,
        search=search,
        reuse_references=search or options.seed is not None,
        deadline=time.monotonic() + options.build_timeout - DEADLINE_MARGIN_S,
    )


class EnvironmentPatch:
    """Sets (or removes, for None) environment variables; restore() puts them back."""

    def __init__(self, values: dict):
        self.saved = {}
        for name, value in values.items():
            self.saved[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = str(value)

    def restore(self) -> None:
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def activate(ctx) -> EnvironmentPatch:
    ctx.adapter.check_environment()
    values = ctx.adapter.activate()
    values.update(ctx.adapter.tunables.environment())
    return EnvironmentPatch(values)


def import_candidate(ctx):
    """Import the candidate (rewritten with tunable constants when params are given)."""
    path = rewrite_constants(ctx.options.candidate, ctx.adapter.tunables)
    ctx.loaded_path = path
    module = load_candidate(path)
    ctx.candidate_class = module.ModelNew
    return module
