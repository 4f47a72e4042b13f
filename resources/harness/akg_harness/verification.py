"""The reference side of a verdict: runs in a process that never imports a candidate.

It draws the inputs of every step under the seeds the supervisor chose, runs the
task's Model, reads the candidate's outputs from the files the executor left in
its scratch folder (data only, see tensor_file) and compares. These comparisons
are the only source of a pass for the checks below; the executor's own copies
of them are evidence at most. It also times the eager and torch.compile baselines
(the candidate is not in this process, so it cannot slow them), computes the
roofline, and is the only writer of the baseline and peak caches.
"""

import os
import time

import torch

from .baselines import run_baselines
from .compare import (
    Comparison,
    compare_outputs,
    flatten_outputs,
    near_constant_detail,
    near_constant_guess,
    structure_problem,
)
from .context import Context
from .handover import handover_path
from .inputs import clone, draw, fingerprint, rescaled, same_fingerprint, trial_seeds
from .result import ResultDoc
from .stages import roofline_for
from .tensor_file import TensorFileError, read_tensors
from .timing import MAX_INPUT_SETS
from .tolerance import describe

# Checks whose pass only the reference side can give (the supervisor ignores an
# executor's pass of these; an executor's failure still counts).
AUTHORITATIVE = (
    "output_structure",
    "output_matches_reference",
    "output_depends_on_inputs",
    "no_cached_result",
    "timed_output_correct",
)
# Bounds on the executor's timing plan: beyond them it is not a plan the harness made.
MAX_PLAN_TRIALS = 100000
MAX_PLAN_WARMUP = 10000


def detach_copy(values: list) -> list:
    return [v.detach().clone() for v in values]


class Verification:
    def __init__(self, ctx: Context, scratch: str):
        self.ctx, self.doc, self.scratch = ctx, ctx.doc, scratch
        self.options = ctx.options
        self.device = ctx.backend.torch_device
        self.tolerance = (self.options.tolerance, self.options.atol, self.options.rtol)
        self.seeds = trial_seeds(ctx.base_seed, self.options.correctness_trials + 4)
        self.received = {}
        self.worst = None
        # The trials' reference outputs: computed here, or reused from this (warm) process's
        # store when the seeds repeat across evaluations (search protocol, --seed).
        self.references = {"computed": 0, "reused": 0}
        self.reuse = self.options.protocol == "search" or self.options.seed is not None

    # -- reading what the executor left ---------------------------------
    def outputs(self, name: str):
        """(tensors, meta) of one step, or None when the executor left no such file.
        A file that exists but is malformed fails `output_structure`."""
        path = handover_path(self.scratch, name)
        if not os.path.exists(path):
            return None
        try:
            values, meta = read_tensors(path, self.device)
        except TensorFileError as error:
            self.doc.check(
                "output_structure", False, f"the executor's output file for {name} is unreadable: {error}"
            )
            return None
        self.received[name] = True
        return values, meta

    def reference(self, inputs: list) -> list:
        values = detach_copy(flatten_outputs(self.ctx.call_reference(clone(inputs))))
        self.ctx.backend.synchronize()
        return values

    def trial_reference(self, inputs: list, seed: int) -> list:
        """A trial's reference outputs, from the store when the seeds repeat (references.py):
        the same task file, seeds and device compute the same outputs."""
        from .references import STORE

        key = STORE.key(self.ctx, seed, "verify-trial") if self.reuse else None
        entry = STORE.get(key) if key else None
        if entry is not None:
            self.references["reused"] += 1
            return entry.values
        self.references["computed"] += 1
        values = self.reference(inputs)
        if key:
            STORE.put(key, values, [], self.ctx.backend)
        return values

    def same_inputs(self, name: str, meta: dict, inputs: list) -> bool:
        reported = meta.get("inputs")
        if reported is None or same_fingerprint(reported, fingerprint(inputs)):
            return True
        self.doc.check(
            "output_matches_reference",
            False,
            (
                f"{name}: the executor ran on other inputs than the reference process drew under "
                "the same seed: the task's get_inputs() does not follow torch's seed (draw with "
                "torch's generator), or the executor changed them"
            ),
        )
        return False

    def compare(self, name: str, outputs: list, references: list, inputs=None):
        """None when the structure differs (output_structure failed), else a Comparison.
        A comparison that fails against the judging-precision reference is settled by the
        fp64 truth where precision.arbitrate can compute one, as in the pipeline."""
        problem = structure_problem(outputs, references)
        if problem:
            self.doc.check("output_structure", False, f"{name}: {problem}")
            return None
        comparison = compare_outputs(outputs, references, *self.tolerance)
        if not comparison.passed and inputs is not None:
            from .precision import arbitrate

            try:
                truth = arbitrate(
                    self.ctx.reference,
                    clone(inputs),
                    outputs,
                    references,
                    self.tolerance,
                    self.ctx.reference_precision,
                )
            except Exception:
                truth = None
            if truth and truth["passed"]:
                comparison.passed = True
        return comparison

    # -- the checks ------------------------------------------------------
    def trials(self) -> int:
        """Correctness trials, in order, up to the first missing output. Returns how many
        trials were compared and passed."""
        history, passed = [], 0
        total = Comparison()
        for trial in range(self.options.correctness_trials):
            received = self.outputs(f"trial-{trial}")
            if received is None:
                break
            outputs, meta = received
            inputs = draw(self.ctx.task, self.seeds[trial], self.device)
            if not self.same_inputs(f"trial {trial}", meta, inputs):
                break
            references = self.trial_reference(inputs, self.seeds[trial])
            if trial == 0:
                self.ctx.sample_inputs, self.ctx.sample_reference = inputs, references
                self.flag_near_constant(references)
            comparison = self.compare(f"trial {trial}", outputs, references, inputs)
            if comparison is None:
                break
            total.merge(comparison)
            repeated = next(
                (
                    index
                    for index, (old_out, old_ref) in enumerate(history)
                    if _bitwise(outputs, old_out) and not _bitwise(references, old_ref)
                ),
                None,
            )
            if not comparison.passed:
                if repeated is not None:
                    self.doc.check(
                        "no_cached_result",
                        False,
                        (
                            f"trial {trial} returned exactly the output of trial {repeated} for "
                            "new inputs: a result cached across calls"
                        ),
                    )
                else:
                    self.doc.check(
                        "output_matches_reference",
                        False,
                        f"trial {trial} (seed {self.seeds[trial]}): {comparison.summary()}",
                    )
                break
            if repeated is not None:
                self.doc.check(
                    "output_depends_on_inputs",
                    False,
                    (
                        f"trial {trial} returned exactly the output of trial {repeated} for new "
                        "inputs, while the reference's output changed"
                    ),
                )
                break
            history = (history + [(outputs, references)])[-2:]
            passed += 1
        if passed:
            self.doc.check(
                "output_structure",
                True,
                f"{len(self.ctx.sample_reference)} tensor(s), shapes and dtypes match",
            )
            self.doc.check(
                "output_matches_reference",
                True,
                f"{passed} trial(s) within tolerance; worst: {total.summary()} "
                "(compared by the reference process)",
            )
        self.worst = total if total.elements else None
        return passed

    def rescaled(self) -> None:
        received = self.outputs("rescaled")
        if received is None:
            return
        outputs, meta = received
        seed = self.seeds[self.options.correctness_trials]
        inputs = rescaled(draw(self.ctx.task, seed, self.device), seed)
        if not self.same_inputs("the rescaled trial", meta, inputs):
            return
        references = self.reference(inputs)
        if not all(bool(r.isfinite().all()) for r in references if r.dtype.is_floating_point):
            self.doc.check(
                "output_depends_on_inputs",
                True,
                "rescaled-input trial skipped: the reference is not finite there",
            )
            return
        if structure_problem(outputs, references):
            self.doc.check(
                "output_depends_on_inputs", False, "on rescaled inputs the output structure changed"
            )
            return
        comparison = compare_outputs(outputs, references, *self.tolerance)
        if comparison.passed:
            self.doc.check(
                "output_depends_on_inputs", True, "matches on rescaled inputs (x * U[0.5, 2)) as well"
            )
            return
        # Whether the output follows its inputs, not how accurate it is: see correctness.py.
        normwise = compare_outputs(outputs, references, *self.tolerance, scale_to_magnitude=True)
        if not normwise.passed and self.compare("the rescaled trial", outputs, references, inputs).passed:
            # The reference itself misses there (TF32 on inputs far from zero): the fp64
            # truth cleared the candidate, as in the trials.
            self.doc.check(
                "output_depends_on_inputs",
                True,
                "follows rescaled inputs (x * U[0.5, 2)): the judging reference misses there "
                f"({comparison.summary()}), the fp64 truth clears the candidate",
            )
            return
        self.doc.check(
            "output_depends_on_inputs",
            normwise.passed,
            (
                "follows rescaled inputs (x * U[0.5, 2)) within the tolerance scaled to the "
                f"output's magnitude (atol = rtol * max|reference|); element-wise: "
                f"{comparison.summary()}, the size of rounding differences (summation order), "
                "not of ignored inputs"
            )
            if normwise.passed
            else (
                "matches on get_inputs() draws but not on the same inputs rescaled element-wise "
                "by U[0.5, 2), even with the tolerance scaled to the output's magnitude: "
                f"{normwise.summary()}; the output does not follow its inputs"
            ),
        )

    def rewritten_inputs(self) -> None:
        received = self.outputs("cached-second")
        if received is None:
            return
        outputs, meta = received
        inputs = draw(self.ctx.task, trial_seeds(self.ctx.base_seed + 1, 2)[1], self.device)
        if not self.same_inputs("the rewritten-inputs call", meta, inputs):
            return
        comparison = self.compare("the rewritten-inputs call", outputs, self.reference(inputs), inputs)
        if comparison is None:
            return
        self.doc.check(
            "no_cached_result",
            comparison.passed,
            ("correct after the inputs were rewritten in place (same pointers and shapes)")
            if comparison.passed
            else (
                "after the input buffers were rewritten in place with new values, the call returned "
                f"a wrong output ({comparison.summary()}): a result cached by pointer, shape or "
                "sampled values"
            ),
        )

    def timed_output(self) -> None:
        received = self.outputs("timed")
        if received is None:
            return
        outputs, meta = received
        index = meta.get("set")
        if not isinstance(index, int) or not 0 <= index < MAX_INPUT_SETS:
            self.doc.check(
                "timed_output_correct", False, f"the executor named input set {index!r} for the timed call"
            )
            return
        inputs = draw(self.ctx.task, trial_seeds(self.ctx.base_seed + 2, MAX_INPUT_SETS)[index], self.device)
        if not self.same_inputs("the timed call", meta, inputs):
            return
        comparison = self.compare("the timed call", outputs, self.reference(inputs), inputs)
        if comparison is None:
            return
        self.doc.check(
            "timed_output_correct",
            comparison.passed,
            ("the output of a randomly chosen timed call matches the reference")
            if comparison.passed
            else (
                f"a timed call returned a wrong output: {comparison.summary()}; the candidate "
                "behaves differently when called repeatedly"
            ),
        )

    def measured_output(self, name: str, seed, what: str) -> dict:
        """Whether a measured call (the confirmation's last, ncu's) computed the right
        thing on the inputs of `seed`."""
        received = self.outputs(name) if seed is not None else None
        if received is None:
            return {"correct": False, "detail": f"no output of {what} came back"}
        outputs, meta = received
        inputs = draw(self.ctx.task, int(seed), self.device)
        if meta.get("inputs") is not None and not same_fingerprint(meta["inputs"], fingerprint(inputs)):
            return {"correct": False, "detail": f"{what} ran on other inputs"}
        references = self.reference(inputs)
        if structure_problem(outputs, references):
            return {"correct": False, "detail": f"the output of {what} has the wrong structure"}
        comparison = self.compare(what, outputs, references, inputs)  # the fp64 truth settles a miss
        return {
            "correct": comparison.passed,
            "detail": (
                f"the output of {what} matches the reference"
                if comparison.passed
                else f"the output of {what} is wrong: {comparison.summary()}"
            ),
        }

    def flag_near_constant(self, references: list) -> None:
        label = near_constant_guess(references, *self.tolerance)
        if label:
            self.doc.flag("near_constant_reference", near_constant_detail(label))

    def section(self, passed: int) -> dict:
        total = self.worst
        return {
            "trials": self.options.correctness_trials,
            "passed_trials": passed,
            "max_abs_error": total.max_abs_error if total else None,
            "max_rel_error": total.max_rel_error if total else None,
            "mismatch_ratio": total.mismatch_ratio if total else None,
            "relative_error_norm": total.relative_error_norm if total else None,
            "worst_element": total.worst if total else None,
            "tolerance": describe(*self.tolerance),
            "base_seed": self.ctx.base_seed,
            "seeds": self.seeds[: self.options.correctness_trials],
            "references": dict(self.references),
            "compared_by": "reference process",
        }

    # -- baselines -------------------------------------------------------
    def baselines(self, plan: dict) -> dict:
        """Eager and compile timed with the candidate's plan (trials, warm-up, sets)."""
        trials, warmup, count = (
            _bounded(plan, "trials", 1, MAX_PLAN_TRIALS),
            _bounded(plan, "warmup", 0, MAX_PLAN_WARMUP),
            _bounded(plan, "input_sets", 1, MAX_INPUT_SETS),
        )
        seeds = trial_seeds(self.ctx.base_seed + 2, MAX_INPUT_SETS)[:count]
        sets = [draw(self.ctx.task, seed, self.device) for seed in seeds]
        names = self.options.resolved_baselines()
        return run_baselines(self.ctx, names, sets, trials, warmup, self.ctx.threads) if names else {}


def _bounded(plan: dict, key: str, low: int, high: int) -> int:
    value = plan.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"the executor's timing plan has {key}={value!r}")
    return value


def _bitwise(first: list, second: list) -> bool:
    from .compare import bitwise_equal

    return len(first) == len(second) and bitwise_equal(first, second)


def verify(ctx: Context, args: dict) -> dict:
    """Everything the reference process decides for one candidate (see module doc)."""
    started = time.monotonic()
    check = Verification(ctx, args["scratch"])
    passed = check.trials()
    if check.doc.status() == "passed":  # as in the pipeline: wrong numbers end the checks
        check.rescaled()
        check.rewritten_inputs()
        check.timed_output()
    answer = {
        "received": sorted(check.received),
        "passed_trials": passed,
        "correctness": check.section(passed),
    }
    if args.get("confirm_seed") is not None:
        answer["confirmation_output"] = check.measured_output(
            "confirm", args["confirm_seed"], "the last confirmation call"
        )
    if args.get("ncu_output"):
        answer["ncu_output"] = check.measured_output("ncu", ctx.base_seed, "the forward ncu measured")
    durations = {"verification": time.monotonic() - started}
    plan = args.get("timing_plan")
    if plan and check.doc.status() == "passed":
        started = time.monotonic()
        answer["baselines"] = check.baselines(plan)
        durations["baselines"] = time.monotonic() - started
    median = args.get("median_ms")
    if ctx.sample_inputs is not None and (median or args.get("ncu")):
        with torch.no_grad():
            median = median if isinstance(median, (int, float)) and median > 0 else None
            baselines = answer.get("baselines") or {}
            sides = {
                "candidate": {"median_ms": median},
                "eager": baselines.get("eager"),
                "compile": baselines.get("compile"),
            }
            answer["roofline"] = roofline_for(
                ctx, median, args.get("ncu"), bool(args.get("torch_tf32")), sides
            )
    answer["checks"] = check.doc.checks
    answer["flags"] = check.doc.flags
    answer["durations"] = durations
    return answer


def open_reference(options, base_seed: int, task, backend, timeout: float) -> Context:
    ctx = Context(
        options=options,
        doc=ResultDoc(),
        backend=backend,
        adapter=None,
        task=task,
        base_seed=base_seed,
        deadline=time.monotonic() + timeout,
    )
    ctx.threads = backend.set_threads(options.threads)
    ctx.build_reference()
    return ctx
