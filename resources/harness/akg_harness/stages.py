"""Stages after correctness: timing with baselines, profile tables, ncu, roofline."""

from . import profiling, roofline, timing, timing_stats
from .baselines import run_baselines
from .checks.dsl_usage import PROFILE_RUNS, dsl_kernel_filter, share_and_streams_check
from .compare import compare_outputs, flatten_outputs
from .inputs import clone, trial_seeds
from .peaks import checked_peaks


def run_timing(ctx) -> dict:
    """Time the candidate; returns the state the baselines reuse (same sets and counts)."""
    doc, options, backend = ctx.doc, ctx.options, ctx.backend
    kind = "cpu" if backend.kind == "cpu" else "gpu"
    # Seeds drawn per evaluation: the values being timed are not knowable in advance.
    sets = timing.input_sets(ctx, trial_seeds(ctx.base_seed + 2, timing.MAX_INPUT_SETS))

    def call_candidate(buffers):
        return ctx.call_candidate(buffers)

    trials, warmup = timing.plan(ctx, call_candidate, sets, kind)
    samples, kept = timing.measure_robust(ctx, call_candidate, sets, trials, warmup, kind, keep=True)
    outputs, set_index = kept
    ctx.hand_over("timed", outputs, sets[set_index], set=set_index)
    references = [t.detach().clone() for t in flatten_outputs(ctx.call_reference(clone(sets[set_index])))]
    tolerance = (options.tolerance, options.atol, options.rtol)
    comparison = compare_outputs(outputs, references, *tolerance)
    truth = None
    if not comparison.passed:
        from .precision import arbitrate

        try:
            truth = arbitrate(
                ctx.reference, clone(sets[set_index]), outputs, references, tolerance, ctx.reference_precision
            )
        except Exception:
            truth = None
    passed = comparison.passed or bool(truth and truth["passed"])
    doc.check(
        "timed_output_correct",
        passed,
        (
            "the output of a randomly chosen timed call matches the reference"
            + (f" ({truth['detail']})" if truth else "")
        )
        if passed
        else f"a timed call returned a wrong output: {comparison.summary()}"
        + (f"; {truth['detail']}" if truth else "")
        + "; the candidate behaves differently when called repeatedly",
    )
    return {"sets": sets, "trials": trials, "warmup": warmup, "candidate": timing.summarize(samples)}


def run_baseline_timing(ctx, state: dict) -> None:
    """Baselines with the candidate's protocol; runs after the integrity check, since
    torch.compile legitimately patches torch internals on first use."""
    doc, options, backend = ctx.doc, ctx.options, ctx.backend
    candidate = state["candidate"]
    names = options.resolved_baselines()
    baselines = (
        run_baselines(ctx, names, state["sets"], state["trials"], state["warmup"], ctx.threads)
        if names
        else {}
    )
    eager, compiled = baselines.get("eager"), baselines.get("compile")
    doc.sections["timing"] = {
        "candidate": candidate,
        "eager": eager,
        "compile": compiled,
        "speedup_vs_eager": eager["median_ms"] / candidate["median_ms"] if eager else None,
        "speedup_vs_compile": (compiled["median_ms"] / candidate["median_ms"] if compiled else None),
        "clock": backend.clock,
        "l2_flush": True,
        "flush_bytes": backend.flush_bytes(),
        "threads": ctx.threads,
        "input_sets": len(state["sets"]),
        "warmup": state["warmup"],
        "inputs_refreshed": True,
        "baseline_cache": baselines.get("cache", {}),
        "baseline_provenance": baselines.get("provenance", {}),
    }
    timing_stats.flag_timing(doc, baselines, candidate, eager, compiled)


def _table(trace, side: str, gpu: bool, is_dsl) -> dict:
    windows = trace.windows(profiling.FORWARD_PREFIX + side)
    table = profiling.kernel_table(trace, windows, is_dsl) if gpu else profiling.op_table(trace, windows)
    for row in table["kernels"]:
        row["calls_per_forward"] = row["calls"] / PROFILE_RUNS
    table["total_ms"] = table["total_ms"] / PROFILE_RUNS
    table["unit"] = "device kernel time per forward" if gpu else "CPU op time per forward"
    return table


def run_profile(ctx) -> None:
    traces = ctx.traces or share_and_streams_check(ctx)
    gpu = ctx.backend.has_profiler_kernels
    is_dsl = traces.get("is_dsl") or dsl_kernel_filter(traces["candidate"], ctx.adapter)
    ctx.doc.sections["profile"] = {
        "runs": PROFILE_RUNS,
        "candidate": _table(traces["candidate"], "candidate", gpu, is_dsl),
        "eager": _table(traces["reference"], "reference", gpu, lambda k: False),
        "torch_share_of_reference": traces.get("torch_share"),
    }


def run_ncu_stage(ctx) -> None:
    if ctx.backend.kind != "cuda":
        ctx.doc.sections["ncu"] = {"error": "ncu needs a CUDA device"}
        return
    from .ncu import run_ncu

    ctx.doc.sections["ncu"] = run_ncu(ctx.options, timeout=max(60.0, ctx.remaining() - 5))


def observed_rates(work: dict, timing_section: dict) -> list:
    """[(side, label, rate)]: GB/s and TFLOP/s each timed side reached at its median."""
    label = roofline.peak_tflops_for(
        {"peak_tflops": {"fp32": 1, "fp16": 1, "bf16": 1, "fp64": 1, "fp8": 1}}, work["dtype"]
    )[1]
    rates = []
    for side in ("candidate", "eager", "compile"):
        median = (timing_section.get(side) or {}).get("median_ms")
        if not median:
            continue
        seconds = median / 1e3
        rates.append((side, "bandwidth", work["bytes"] / seconds / 1e9))
        if work["flops"] and label:
            rates.append((side, label, work["flops"] / seconds / 1e12))
    return rates


def roofline_section(ctx) -> None:
    doc = ctx.doc
    median = ((doc.sections.get("timing") or {}).get("candidate") or {}).get("median_ms")
    tf32 = ctx.backend.kind == "cuda" and roofline.torch_allows_tf32()
    doc.sections["roofline"] = roofline_for(
        ctx, median, doc.sections.get("ncu"), tf32, doc.sections.get("timing")
    )


def roofline_for(ctx, median, ncu, torch_tf32: bool, timing_section=None) -> dict:
    """The roofline section for a candidate median; flags speed_of_light on ctx.doc.
    `torch_tf32`: torch allowed TF32 matmuls while the candidate ran; `timing_section`:
    the medians of every timed side (peaks are never below what was observed)."""
    work = roofline.estimate(ctx)
    peaks = checked_peaks(ctx.backend, observed_rates(work, timing_section or {}))
    ncu = ncu or {}
    if ncu.get("total"):
        work["measured_dram_bytes"] = ncu["total"]["dram_bytes"]
        work["measured_flops_non_tensor"] = ncu["total"]["flops"]
    try:
        with open(ctx.options.candidate, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
    except OSError:
        source = ""
    tf32 = roofline.tf32_evidence(source, ctx.options.dsl, bool(torch_tf32))
    section = roofline.section(work, peaks, median, tf32_reason=tf32)
    for key in ("measured_dram_bytes", "measured_flops_non_tensor"):
        if key in work:
            section[key] = work[key]
    roofline.speed_of_light(ctx.doc, section, median)
    return section
