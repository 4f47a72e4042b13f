"""Trust cases on the GPU: each evaluation's verdict, the parts that decide it, in JSON
and markdown. Run through bench/gpu/trust.sh."""

import json
import os
import sys
import time

from akg_harness.api import Worker, evaluate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "resources", "harness", "tests", "fixtures")


def fixture(kind: str, dsl_or_name: str, name: str = None) -> str:
    if kind == "task":
        return os.path.join(FIXTURES, "tasks", f"{dsl_or_name}.py")
    return os.path.join(FIXTURES, "candidates", dsl_or_name, f"{name}.py")


def summary(result: dict) -> dict:
    timing = result.get("timing") or {}
    correctness = result.get("correctness") or {}
    return {
        "status": result["status"],
        "failed_checks": {c["name"]: c["detail"] for c in result["checks"] if not c["passed"]},
        "work_in_dsl": next((c["detail"] for c in result["checks"] if c["name"] == "work_in_dsl"), None),
        "output_matches_reference": next(
            (c["detail"] for c in result["checks"] if c["name"] == "output_matches_reference"), None
        ),
        "correct_across_shapes": next(
            (c["detail"] for c in result["checks"] if c["name"] == "correct_across_shapes"), None
        ),
        "reference_precision": correctness.get("reference_precision"),
        "truth": correctness.get("truth"),
        "shapes": result.get("shapes"),
        "flags": result["flags"],
        "median_ms": (timing.get("candidate") or {}).get("median_ms"),
        "eager_ms": (timing.get("eager") or {}).get("median_ms"),
        "speedup_vs_eager": timing.get("speedup_vs_eager"),
        "baseline_cache": timing.get("baseline_cache"),
        "baseline_provenance": timing.get("baseline_provenance"),
        "roofline_peak_sources": (result.get("roofline") or {}).get("peak_sources"),
        "device": (result.get("environment") or {}).get("device_name"),
        "seconds": (result.get("durations") or {}).get("total"),
    }


def offset_variant(out: str, precision: str) -> str:
    """conv_relu_bias_tf32x3.py for conv_offset.py: its filters made to sum to zero (the same
    construction as the task's), and tl.dot in the precision asked for (bf16: inputs rounded
    to bfloat16 first, 8 bits of mantissa against TF32's 11)."""
    with open(os.path.join(HERE, "conv_relu_bias_tf32x3.py")) as handle:
        source = handle.read()
    conv = "        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size)\n"
    zero_sum = (
        "        with torch.no_grad():\n"
        "            weight = self.conv.weight\n"
        "            weight -= weight.mean(dim=(1, 2, 3), keepdim=True)\n"
    )
    line = 'acc += tl.dot(a, b, input_precision="tf32x3")'
    assert line in source and conv in source
    source = source.replace(conv, conv + zero_sum)
    if precision == "bf16":
        replacement = "acc += tl.dot(a.to(tl.bfloat16), b.to(tl.bfloat16))"
    else:
        replacement = line.replace("tf32x3", precision)
    folder = os.path.join(out, "variants")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"conv_offset_{precision}.py")
    with open(path, "w") as handle:
        handle.write(source.replace(line, replacement))
    return path


def main(out: str) -> int:
    cases, started = {}, time.time()
    softmax = fixture("task", "softmax_small")
    conv = os.path.join(HERE, "conv_relu_bias.py")
    tf32x3 = os.path.join(HERE, "conv_relu_bias_tf32x3.py")
    with Worker(warm_device="cuda") as worker:

        def run(name, task, candidate, **options):
            options.setdefault("device", "cuda")
            options.setdefault("timeout", 300)
            try:
                cases[name] = summary(worker.evaluate(task, candidate, "triton", **options))
            except Exception as error:  # one case failing must not lose the others
                cases[name] = {"status": "error", "error": f"{type(error).__name__}: {error}"}
            print(name, cases[name].get("status"), flush=True)

        run(
            "profiler_aware_torch_fallback",
            softmax,
            fixture("cand", "triton", "softmax_profiler_aware"),
            baselines="eager",
        )
        run(
            "shape_hardcoding_kernel",
            softmax,
            fixture("cand", "triton", "softmax_fixed_columns"),
            timing=False,
        )
        run("honest_softmax", softmax, fixture("cand", "triton", "softmax_rows"), baselines="eager")
        # The TF32 case: strict-fp32 reference (default), then KernelBench's profile, whose
        # reference runs cuDNN in TF32 and so needs the fp64 truth to decide.
        run("tf32x3_conv_strict_reference", conv, tf32x3, baselines="eager")
        run("tf32x3_conv_kernelbench_profile", conv, tf32x3, tolerance="kernelbench", baselines="eager")
        # The truth path for certain: inputs offset by 1000 and zero-sum filters, where a
        # TF32 conv is off by ~0.1-0.6 and near-fp32 math by ~1e-3 (conv_offset.py).
        offset = os.path.join(HERE, "conv_offset.py")
        for name, precision, tolerance in (
            ("offset_conv_tf32x3_kernelbench", "tf32x3", "kernelbench"),  # expected: passed, by the truth
            ("offset_conv_tf32_strict", "tf32", "default"),  # misses strict fp32; as close as torch's TF32?
            ("offset_conv_bf16_kernelbench", "bf16", "kernelbench"),  # farther than torch: incorrect
        ):
            run(name, offset, offset_variant(out, precision), tolerance=tolerance, timing=False)
    # A poisoned baseline, on the trusted side's cache (in this process: a sandboxed
    # executor's cache lives only as long as its candidate): the eager entry rewritten to
    # 100x its median, as a loaded machine might have written it; the next evaluation must
    # re-time, disagree, re-measure and say so; the one after reuses the fresh entry.
    honest = fixture("cand", "triton", "softmax_rows")

    def trusted(name):
        try:
            result = evaluate(softmax, honest, "triton", device="cuda", isolate=False, baselines="eager")
            cases[name] = summary(result)
        except Exception as error:
            result, cases[name] = None, {"status": "error", "error": f"{type(error).__name__}: {error}"}
        print(name, cases[name].get("status"), flush=True)
        return result

    first = trusted("baseline_first_measurement")
    source = ((first or {}).get("timing") or {}).get("baseline_provenance", {}).get("eager")
    if source:
        stats = dict(first["timing"]["eager"], noisy=False)
        stats["median_ms"] *= 100
        with open(source["cache_file"], "w") as handle:
            json.dump(
                {
                    "eager": {
                        "stats": stats,
                        "provenance": {
                            "measured_at": time.time() - 7200,
                            "machine": source["machine"],
                            "method": source["method"],
                            "busy": None,
                        },
                    }
                },
                handle,
            )
        cases["poisoned_cache_planted_eager_ms"] = stats["median_ms"]
    trusted("poisoned_baseline_recovers")
    trusted("cached_baseline_reused_after_retime")
    cases["total_seconds"] = round(time.time() - started, 1)
    with open(os.path.join(out, "trust_cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
