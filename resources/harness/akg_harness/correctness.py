"""Correctness trials: fresh seeded inputs, candidate first, poisoned memory.

Per trial: draw inputs under a new seed; give the candidate its own copy and run
it first, while NaN-filled allocation is on, so it can neither read a reference
result nor leave elements unwritten unnoticed; snapshot its output at once (to
catch work still in flight), then run the reference on another pristine copy.
"""

import collections
import dataclasses
import time

from .checks.integrity import live_threads, new_threads, settle
from .checks.outputs import dense_problem_against, output_facts
from .checks.torch_guard import TorchGuard
from .compare import (
    Comparison,
    StructureError,
    bitwise_equal,
    compare_outputs,
    flatten_outputs,
    near_constant_detail,
    near_constant_guess,
    structure_problem,
)
from .context import poisoned_memory
from .dsl.base import RECORDER
from .inputs import changed_inputs, clone, draw, rescaled, trial_seeds
from . import shapes
from .references import STORE
from .tolerance import describe

# Outputs of earlier trials kept to spot repeats; beyond this only the last is kept.
HISTORY_BYTES = 1 << 30


def detach_copy(values: list) -> list:
    return [v.detach().clone() for v in values]


class Correctness:
    def __init__(self, ctx):
        self.ctx = ctx
        self.doc = ctx.doc
        self.options = ctx.options
        self.seeds = trial_seeds(ctx.base_seed, self.options.correctness_trials + 4)
        self.total = Comparison()
        self.passed_trials = 0
        self.history = []  # (candidate, reference) outputs of the trials that passed
        self.truth_records = []  # trials the fp64 truth decided (precision.arbitrate)
        self.torch_ops = collections.Counter()  # torch compute ops the candidate called
        self.references = {"computed": 0, "reused": 0}  # the trials' reference outputs

    def tolerance(self):
        return self.options.tolerance, self.options.atol, self.options.rtol

    def run(self) -> bool:
        """All trials; False as soon as one fails (the doc says why)."""
        try:
            if self.ctx.backend.has_profiler_kernels and not self.ctx.search:
                from .checks.dsl_usage import stream_probe

                probe_inputs = draw(self.ctx.task, self.seeds[-1], self.ctx.backend.torch_device)
                if not stream_probe(self.ctx, probe_inputs):
                    return False
            with poisoned_memory():
                for trial in range(self.options.correctness_trials):
                    if not self.trial(trial):
                        return False
                    self.passed_trials += 1
                if not self.ctx.search:
                    self.doc.check("output_depends_on_inputs", *self.rescaled_trial())
                    self.doc.check("correct_across_shapes", *self.shape_trials())
        finally:
            RECORDER.active = False
            self.doc.sections["correctness"] = self.section()
        return True

    def trial(self, trial: int) -> bool:
        ctx, doc = self.ctx, self.doc
        device = ctx.backend.torch_device
        pristine = draw(ctx.task, self.seeds[trial], device)
        candidate_inputs = clone(pristine)
        before = live_threads()
        RECORDER.reset()
        RECORDER.active = True
        # Under a recording dispatch mode, as in the reverse knock-out (checks/torch_guard).
        called = time.perf_counter()
        with TorchGuard("record") as guard:
            output = ctx.call_candidate(candidate_inputs)
        if trial == 0:  # host time of a fresh process's first call: JIT, loads, first uses
            doc.durations["first_call"] = round(time.perf_counter() - called, 4)
        self.torch_ops.update(guard.compute)
        try:
            outputs = flatten_outputs(output)
        except StructureError as error:
            doc.check("output_structure", False, str(error))
            return False
        immediate = [t.clone() for t in outputs]  # queued right behind the candidate's work
        RECORDER.active = False
        launches = RECORDER.total()
        started = new_threads(before)
        settle(ctx.backend, started)
        late = not bitwise_equal(immediate, outputs)
        candidate_values = detach_copy(outputs)
        ctx.hand_over(f"trial-{trial}", candidate_values, pristine)
        changed = changed_inputs(pristine, candidate_inputs)
        references, facts = self.reference(pristine, self.seeds[trial])
        reference_values = references
        if trial == 0:
            ctx.sample_inputs, ctx.sample_reference = pristine, reference_values
            self.flag_near_constant(reference_values)

        doc.check(
            "no_async_work",
            not late and not started,
            self.async_detail(late, [thread.name for thread in started]),
        )
        doc.check(
            "dsl_kernel_launched",
            launches > 0,
            f"{launches} {ctx.adapter.name} launch(es) in trial {trial}"
            if launches
            else f"no {ctx.adapter.name} kernel was launched by forward() in trial {trial} "
            f"({ctx.adapter.launch_hint})",
        )
        doc.check(
            "inputs_unchanged",
            not changed,
            f"input tensor(s) {changed} were modified by the candidate"
            if changed
            else "inputs are bit-identical after the call",
        )
        problem = structure_problem(outputs, references)
        if problem:
            doc.check("output_structure", False, problem)
            return False
        doc.check("output_structure", True, f"{len(references)} tensor(s), shapes and dtypes match")
        dense = dense_problem_against(outputs, facts, candidate_inputs)
        doc.check("output_plain_dense", dense is None, dense or "plain dense tensor(s)")
        comparison = compare_outputs(candidate_values, reference_values, *self.tolerance())
        repeated = self.repeated_output(candidate_values, reference_values)
        if not comparison.passed and repeated is None:
            comparison = self.ask_truth(trial, pristine, candidate_values, reference_values, comparison)
        self.total.merge(comparison)
        if not comparison.passed:
            if repeated is not None:
                doc.check(
                    "no_cached_result",
                    False,
                    (
                        f"trial {trial} returned exactly the output of trial {repeated} (correct "
                        "for that trial's inputs) for new inputs: a result cached across calls"
                    ),
                )
                return False
            truth = getattr(comparison, "truth_detail", None)
            doc.check(
                "output_matches_reference",
                False,
                f"trial {trial} (seed {self.seeds[trial]}): {comparison.summary()}"
                + (f"; {truth}" if truth else ""),
            )
            return False
        doc.check("output_matches_reference", True, "")
        doc.set_detail(
            "output_matches_reference",
            f"{trial + 1} trial(s) within tolerance of the "
            f"{self.ctx.reference_precision} reference; worst: "
            f"{self.total.summary()}"
            + (
                f"; {len(self.truth_records)} trial(s) decided by the fp64 truth "
                f"({self.truth_records[-1]['detail']})"
                if self.truth_records
                else ""
            ),
        )
        if repeated is not None:
            doc.check(
                "output_depends_on_inputs",
                False,
                (
                    f"trial {trial} returned exactly the output of trial {repeated} for new inputs, "
                    "while the reference's output changed: the output does not depend on the "
                    "inputs (it passes only because this task's output is nearly constant)"
                ),
            )
            return False
        self.history.append((candidate_values, reference_values))
        if sum(t.numel() * t.element_size() for t in candidate_values) * len(self.history) > HISTORY_BYTES:
            self.history = self.history[-1:]
        return not (dense or changed or late or started or launches == 0)

    def ask_truth(
        self, trial: int, pristine: list, candidate_values: list, reference_values: list, comparison
    ):
        """A miss against the reference goes to the fp64 truth (precision.py); a candidate
        it clears passes this trial, with both errors on record."""
        from .precision import arbitrate

        try:
            verdict = arbitrate(
                self.ctx.reference,
                clone(pristine),
                candidate_values,
                reference_values,
                self.tolerance(),
                self.ctx.reference_precision,
            )
        except Exception as error:  # a model that cannot run in fp64 keeps the verdict
            verdict = {"passed": False, "detail": f"fp64 truth unavailable: {type(error).__name__}: {error}"}
        verdict["trial"] = trial
        verdict["against_reference"] = comparison.summary()
        self.truth_records.append(verdict)
        if not verdict["passed"]:
            comparison.truth_detail = verdict["detail"]
            return comparison
        # Cleared by the truth: the errors against the reference stay on record.
        return dataclasses.replace(comparison, passed=True, mismatches=0, first_mismatch=None)

    def reference(self, pristine: list, seed: int):
        """The reference's outputs for these inputs and the facts about their form, from the
        executor's store when the seeds repeat across evaluations (see references.py)."""
        ctx = self.ctx
        key = STORE.key(ctx, seed, "trial") if ctx.reuse_references else None
        entry = STORE.get(key) if key else None
        if entry is not None:
            self.references["reused"] += 1
            return entry.values, entry.facts
        self.references["computed"] += 1
        reference_inputs = clone(pristine)
        references = flatten_outputs(ctx.call_reference(reference_inputs))
        ctx.backend.synchronize()
        values = detach_copy(references)
        facts = output_facts(references, reference_inputs)
        if key:
            STORE.put(key, values, facts, ctx.backend)
        return values, facts

    def repeated_output(self, candidate_values: list, reference_values: list):
        """Index of an earlier trial whose output the candidate returned again, bit for bit,
        although the reference's output changed; None otherwise."""
        for index, (old_candidate, old_reference) in enumerate(self.history):
            if bitwise_equal(candidate_values, old_candidate) and not bitwise_equal(
                reference_values, old_reference
            ):
                return index
        return None

    def rescaled_trial(self):
        """The task's function on inputs rescaled element-wise: outputs fitted to the
        distribution of get_inputs() (constants, means) stop matching."""
        ctx = self.ctx
        seed = self.seeds[self.options.correctness_trials]
        pristine = rescaled(draw(ctx.task, seed, ctx.backend.torch_device), seed)
        references = detach_copy(flatten_outputs(ctx.call_reference(clone(pristine))))
        if not all(bool(r.isfinite().all()) for r in references if r.dtype.is_floating_point):
            return True, "rescaled-input trial skipped: the reference is not finite there"
        outputs = flatten_outputs(ctx.call_candidate(clone(pristine)))
        ctx.backend.synchronize()
        outputs = detach_copy(outputs)
        ctx.hand_over("rescaled", outputs, pristine)
        if structure_problem(outputs, references):
            return False, "on rescaled inputs the output structure changed"
        comparison = compare_outputs(outputs, references, *self.tolerance())
        if comparison.passed:
            return True, "matches on rescaled inputs (x * U[0.5, 2)) as well"
        # This check asks whether the output follows its inputs, not how accurate it is
        # (the trials above decide that): a summation order other than torch's must not
        # fail here, while a constant or a fitted mean misses by a large fraction of the
        # output's magnitude.
        normwise = compare_outputs(outputs, references, *self.tolerance(), scale_to_magnitude=True)
        if normwise.passed:
            return True, (
                "follows rescaled inputs (x * U[0.5, 2)) within the tolerance "
                "scaled to the output's magnitude (atol = rtol * max|reference|); "
                f"element-wise: {comparison.summary()}, the size of rounding "
                "differences (summation order), not of ignored inputs"
            )
        # The reference itself may be what misses there (TF32 on inputs far from zero): the
        # fp64 truth decides, as it does for the trials above.
        if self.ask_truth(-2, pristine, outputs, references, comparison).passed:
            return True, (
                "follows rescaled inputs (x * U[0.5, 2)): the judging reference misses there "
                f"({comparison.summary()}), the fp64 truth clears the candidate "
                f"({self.truth_records[-1]['detail']})"
            )
        return False, (
            "matches on get_inputs() draws but not on the same inputs rescaled "
            f"element-wise by U[0.5, 2), even with the tolerance scaled to the "
            f"output's magnitude: {normwise.summary()}; the output does not follow "
            "its inputs"
        )

    def shape_trials(self):
        """(passed, detail): the task's function at shapes other than get_inputs()'s
        (shapes.py); the doc's `shapes` section lists each with its outcome."""
        ctx = self.ctx
        seed = self.seeds[self.options.correctness_trials + 1]
        base = draw(ctx.task, seed, ctx.backend.torch_device)
        task_shapes = [list(v.shape) for v in base if hasattr(v, "shape")]
        section = {"task_shapes": task_shapes, "timed_shapes": [task_shapes], "trials": []}
        self.doc.sections["shapes"] = section
        try:
            plan = shapes.plan(ctx.task, base)
        except ValueError as error:
            section.update(fixed=None, source="declared")
            return False, str(error)
        section.update(fixed=plan["fixed"], source=plan["source"])
        if plan["fixed"]:
            return True, f"shape trials skipped: {plan['fixed']}"
        failures = []
        for index, entry in enumerate(plan["shapes"]):
            record = {"label": entry["label"], "shapes": [list(s) for s in entry["shapes"]]}
            section["trials"].append(record)
            record["status"], record["detail"] = self.shape_trial(
                shapes.resample(base, entry["shapes"], seed + index + 1), entry
            )
            if record["status"] == "failed":
                failures.append(f"{entry['label']} (input shapes {record['shapes']}): {record['detail']}")
                break  # one shape that breaks is enough; the executor may be damaged
        ran = [r for r in section["trials"] if r["status"] != "skipped"]
        if failures:
            return False, "wrong at another shape: " + failures[0]
        if not ran:
            section["unresizable"] = (
                (
                    "the reference runs at none of the derived shapes ("
                    + "; ".join(r["detail"][:160] for r in section["trials"][:2])
                    + ")"
                )
                if section["trials"]
                else "no resizable size"
            )
            return True, f"shape trials skipped: {section['unresizable']}"
        return True, (
            f"correct at {len(ran)} other shape(s) ({plan['source']}: "
            + ", ".join(r["label"] for r in ran)
            + ")"
        )

    def shape_trial(self, pristine: list, entry: dict):
        """("passed"|"failed"|"skipped", detail) at one derived shape."""
        ctx = self.ctx
        try:
            references = detach_copy(flatten_outputs(ctx.call_reference(clone(pristine))))
        except Exception as error:
            return "skipped", f"the reference cannot run here: {type(error).__name__}: {error}"
        broadcast = shapes.broadcast_only(
            entry,
            [tuple(r.shape) for r in ctx.sample_reference],
            [tuple(r.shape) for r in references],
        )
        if broadcast:
            return "skipped", broadcast
        if not all(bool(r.isfinite().all()) for r in references if r.dtype.is_floating_point):
            return "skipped", "the reference is not finite here"
        try:
            outputs = flatten_outputs(ctx.call_candidate(clone(pristine)))
            ctx.backend.synchronize()
        except Exception as error:
            return "failed", f"forward() raised {type(error).__name__}: {str(error)[:300]}"
        outputs = detach_copy(outputs)
        problem = structure_problem(outputs, references)
        if problem:
            return "failed", problem
        comparison = compare_outputs(outputs, references, *self.tolerance())
        if not comparison.passed:
            comparison = self.ask_truth(-1, pristine, outputs, references, comparison)
        if not comparison.passed:
            return "failed", comparison.summary()
        return "passed", comparison.summary()

    def flag_near_constant(self, references: list) -> None:
        label = near_constant_guess(references, *self.tolerance())
        if label:
            self.ctx.near_constant = True
            self.doc.flag("near_constant_reference", near_constant_detail(label))

    @staticmethod
    def async_detail(late: bool, started: list) -> str:
        if late:
            return (
                "the output kept changing after forward() returned: work left running "
                "on another stream or thread, which a timer on the calling stream misses"
            )
        if started:
            return f"forward() left thread(s) running: {', '.join(started)}"
        return "output complete when forward() returned; no threads left running"

    def section(self) -> dict:
        return {
            "trials": self.options.correctness_trials,
            "passed_trials": self.passed_trials,
            "references": dict(self.references),
            "max_abs_error": self.total.max_abs_error,
            "max_rel_error": self.total.max_rel_error,
            "mismatch_ratio": self.total.mismatch_ratio,
            "relative_error_norm": self.total.relative_error_norm,
            "worst_element": self.total.worst,
            "tolerance": describe(*self.tolerance()),
            "base_seed": self.ctx.base_seed,
            "seeds": self.seeds[: self.options.correctness_trials],
            "reference_precision": self.ctx.reference_precision,
            "truth": self.truth_records or None,
            "candidate_torch_ops": dict(self.torch_ops),
        }
