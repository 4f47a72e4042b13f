"""One evaluation, stage by stage: load, compile, correctness (+ checks), timing, profile.

Runs inside the executor (or in-process for --in-process and the API's
isolate=False). Every outcome becomes a verdict in the result document; only a
task or device that cannot be used raises (TaskError).
"""

import gc
import os
import sys

import torch

from .checks.behaviour import cached_result_check
from .checks.dsl_usage import knockout_check, share_and_streams_check
from .checks.integrity import RuntimeGuard, SettingsGuard
from .checks.torch_guard import reverse_knockout_check
from .dsl.base import INTERPRETED_DETAIL, RECORDER
from .errors import EnvironmentProblem
from .loading import forget, innermost_location
from .options import parameter_summary
from . import roofline
from .confirmation import confirm_timing
from .handover import Handover
from .result import ResultDoc, json_safe
from .session import activate, import_candidate, open_context
from .stages import roofline_section, run_baseline_timing, run_ncu_stage, run_profile, run_timing
from .tunables import declared_tunables


# What the search protocol leaves to the full one, said in every verdict it gives.
SEARCH_SKIPPED = (
    "search protocol: one correctness trial (inputs_unchanged, output_structure, "
    "output_plain_dense, no_async_work, dsl_kernel_launched), runtime_untouched and "
    "timed_output_correct ran; the rescaled-input, other-shapes, cached-result, "
    "knock-out, torch-share and side-stream checks did not. A tuner configuration; the "
    "finalists are evaluated with the full protocol"
)


class Evaluation:
    """`supervised` (executor runs only): {"scratch", "base_seed", "dialogue", "confirm"}. Outputs are
    then handed over as files, and baselines, ncu and the roofline are left to the
    trusted side; in-process runs (no `supervised`) do everything here, untrusted."""

    def __init__(self, options, emit=None, supervised=None):
        self.options = options
        self.emit_event = emit or (lambda stage: None)
        self.supervised = supervised
        self.doc = ResultDoc(parameter_summary(options))
        self.stage = "load"
        self.recycle = False
        self.ctx = None
        self.module = None

    def emit(self, stage: str) -> None:
        self.stage = stage
        self.emit_event(stage)

    def run(self):
        doc = self.doc
        self.emit("load")
        supervised = self.supervised or {}
        self.ctx = ctx = open_context(self.options, doc, supervised.get("base_seed"))
        if supervised:
            ctx.handover = Handover(supervised["scratch"])
        ctx.threads = ctx.backend.set_threads(self.options.threads)
        patch = guard = settings = None
        try:
            self.stage = "environment"
            patch = activate(ctx)
            doc.interpreted = ctx.adapter.interpreted
            guard, settings = RuntimeGuard(), SettingsGuard()
            self.emit("compile")
            with doc.timed("compile"):
                self.module = import_candidate(ctx)
            self.stage = "init"
            with doc.timed("init"):
                ctx.build_models()
            # The run's own limit starts after the build (load, compile, init), as the
            # supervisor's does.
            ctx.start_run_clock()
            self.stages(guard)
        except EnvironmentProblem as error:
            doc.fail("environment", str(error))
        except Exception as error:
            self.record_failure(error)
        finally:
            RECORDER.active = RECORDER.knockout = False
            self.close(patch, guard, settings)
        return doc.finish(), self.recycle

    def stages(self, guard) -> None:
        ctx, doc = self.ctx, self.doc
        self.emit("correctness")
        with doc.timed("correctness"):
            from .correctness import Correctness

            passed = Correctness(ctx).run()
        passed = self.integrity(guard) and passed
        if ctx.search:
            doc.flag("search_protocol", SEARCH_SKIPPED)
        elif passed and doc.status() == "passed":
            with doc.timed("checks"):
                from .inputs import trial_seeds

                cached_result_check(ctx, trial_seeds(ctx.base_seed + 1, 2))
                knockout = knockout_check(ctx)
                if ctx.backend.kind == "npu":
                    share = (True, "torch-share profile skipped on NPU (UNVERIFIED backend)")
                else:
                    ctx.traces = share_and_streams_check(ctx)
                    share = ctx.traces["share"]
                reverse = reverse_knockout_check(ctx)
                doc.check(
                    "work_in_dsl",
                    knockout[0] and share[0] and reverse[0],
                    f"{knockout[1]}; {share[1]}; {reverse[1]}",
                )
            self.integrity(guard)
        if doc.status() != "passed":
            return
        if ctx.adapter.interpreted:
            doc.flag("interpreted", INTERPRETED_DETAIL)
        elif self.options.timing and ctx.adapter.supports_timing():
            self.emit("timing")
            if self.supervised:
                # The supervisor answers once nothing of its own competes for the CPU
                # (a spare executor still importing torch).
                self.supervised["dialogue"].ask({"event": "timing-gate"})
            with doc.timed("timing"):
                state = run_timing(ctx)
            if not self.integrity(guard) or doc.status() != "passed":
                return
            if self.supervised:
                self.supervised_timing(state)
            else:
                with doc.timed("baselines"):
                    run_baseline_timing(ctx, state)
        if self.options.profile:
            self.emit("profile")
            with doc.timed("profile"):
                run_profile(ctx)
        if self.supervised:
            ctx.evidence["torch_allows_tf32"] = (
                roofline.torch_allows_tf32() if ctx.backend.kind == "cuda" else False
            )
            return  # ncu and the roofline run on the trusted side
        if self.options.ncu:
            self.emit("profile")
            with doc.timed("ncu"):
                run_ncu_stage(ctx)
        if doc.sections["timing"] or doc.sections["ncu"]:
            roofline_section(ctx)

    def supervised_timing(self, state: dict) -> None:
        """The candidate's numbers and plan, for the supervisor; the baselines are timed
        by the reference process, and the external confirmation runs here, now, while
        the candidate is loaded (the supervisor holds the clock)."""
        ctx = self.ctx
        ctx.evidence["timing_plan"] = {
            "trials": state["trials"],
            "warmup": state["warmup"],
            "input_sets": len(state["sets"]),
            "threads": ctx.threads,
        }
        self.doc.sections["timing"] = {
            "candidate": state["candidate"],
            "clock": ctx.backend.clock,
            "l2_flush": True,
            "flush_bytes": ctx.backend.flush_bytes(),
            "threads": ctx.threads,
            "input_sets": len(state["sets"]),
            "warmup": state["warmup"],
            "inputs_refreshed": True,
        }
        if self.supervised.get("confirm"):
            with self.doc.timed("confirmation"):
                confirm_timing(ctx, self.supervised["dialogue"], state["candidate"]["median_ms"])

    def integrity(self, guard) -> bool:
        changed = guard.changes()
        self.doc.check(
            "runtime_untouched",
            not changed,
            "timers, synchronisation and torch functions untouched"
            if not changed
            else f"the candidate replaced: {', '.join(changed[:12])}" + (" ..." if len(changed) > 12 else ""),
        )
        return not changed

    def record_failure(self, error: BaseException) -> None:
        ctx, doc = self.ctx, self.doc
        compile_failure = ctx is not None and ctx.adapter.is_compile_error(error)
        stage = "compile" if compile_failure else self.stage
        message = f"{type(error).__name__}: {error}"
        path = getattr(ctx, "loaded_path", None) or self.options.candidate
        location = innermost_location(error, path)
        if location:
            message += f"\n  at {os.path.basename(self.options.candidate)}:{location[0]}: {location[1]}"
        kernel = getattr(error, "akg_kernel", None)
        if kernel:
            message = f"in {ctx.adapter.name} kernel {kernel}: {message}"
        doc.fail(stage, message, error)
        if ctx is not None and ctx.backend.is_fatal(error):
            self.recycle = True
            doc.flag("device_fault", "the device reported a fault; the executor is replaced")

    def close(self, patch, guard, settings) -> None:
        ctx, doc = self.ctx, self.doc
        if settings is not None:
            changed = settings.changes()
            if changed:
                doc.flag(
                    "settings_changed",
                    f"the candidate changed torch settings {changed}; "
                    "they were restored before the reference ran",
                )
            settings.restore()
        if guard is not None and guard.changes():
            guard.restore()
            self.recycle = True  # whatever else it touched goes with the process
        if ctx is not None:
            ctx.adapter.deactivate()
            doc.sections["build"] = ctx.adapter.build_report()
            doc.sections["params"] = (
                ctx.adapter.tunables.report(declared_tunables(self.options.candidate))
                if (ctx.adapter.tunables or declared_tunables(self.options.candidate))
                else None
            )
            doc.environment.update(environment(ctx))
        if patch is not None:
            patch.restore()
        forget(self.module)
        if ctx is not None:
            ctx.reference = ctx.candidate = ctx.sample_inputs = ctx.sample_reference = None
            ctx.traces = None
            gc.collect()
            try:
                ctx.backend.empty_cache()
            except Exception:
                self.recycle = True


def environment(ctx) -> dict:
    info = {"torch": torch.__version__, "device_name": None, "threads": ctx.threads, "seed": ctx.base_seed}
    try:
        info["device"] = ctx.backend.properties()
        info["device_name"] = info["device"].get("name")
    except Exception:
        pass
    triton = sys.modules.get("triton")
    info["triton"] = getattr(triton, "__version__", None)
    if ctx.backend.kind == "cuda":
        info["cuda"] = torch.version.cuda
    if not ctx.backend.verified:
        ctx.doc.flag(
            "npu_unverified",
            "the NPU path is written to torch_npu's documented API and has not been run on an Ascend device",
        )
    return info


def evaluate_in_process(options, emit=None, with_recycle: bool = False, supervised=None):
    """The whole evaluation in this process. Unsupervised (the CLI's --in-process, the
    API's isolate=False) the candidate shares the process with its own verdict: the
    result says so (flag `untrusted`)."""
    evaluation = Evaluation(options, emit, supervised)
    document, recycle = evaluation.run()
    if supervised:
        document["evidence"] = json_safe(evaluation.ctx.evidence) if evaluation.ctx else {}
    else:
        document["flags"].append(
            {
                "name": "untrusted",
                "detail": (
                    "evaluated in-process (--in-process / isolate=False): the candidate ran in the "
                    "process that wrote this verdict, unsandboxed, so it could have written any part "
                    "of it; for debugging only"
                ),
            }
        )
    return (document, recycle) if with_recycle else document
