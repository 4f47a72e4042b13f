"""Benchmark worker for the tuner benchmark (docs/benchmarks/tuner.md): one JSON request per line.

  {"op": "reset"}                       fresh module objects and a fresh Triton cache directory, so the
                                        next search pays its own compiles, as it would on a new machine
  {"op": "evaluate", "kernel", "params", "timing_trials"}
                                        set the tunables, check the output against PyTorch, then time:
                                        3 warm-up launches, then one CUDA-event measurement per trial
                                        with the L2 cache flushed before each; the median is the objective
  {"op": "autotune", "kernel", "configs", "timing_trials"}
                                        the same kernel under @triton.autotune over the same configs:
                                        wall time of the first call (its tuning, compiles included),
                                        the config it chose, and that config timed as above
  {"op": "confirm", "kernel", "configs", "rounds", "timing_trials"}
                                        the fair comparison: every config is compiled and checked first,
                                        then timed in interleaved rounds (A B C, A B C, ...) so drift
                                        hits all alike; per config, the median over all its samples
                                        and each round's median

Answers mirror the harness verdict fields the tuner reads (status, correct, checks, error, timing).
"""

import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
import traceback

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEVICE = "cuda"
modules = {}
inputs = {}
references = {}
flush_buffer = torch.empty(256 * 1024 * 1024, dtype=torch.int8, device=DEVICE)
TOLERANCE = {"vector_add_relu": (1e-6, 1e-6), "softmax": (1e-5, 1e-4), "matmul": (2e-2, 2e-2)}


def load(kernel):
    if kernel not in modules:
        spec = importlib.util.spec_from_file_location(
            f"bench_{kernel}_{time.time_ns()}", os.path.join(HERE, "kernels", f"{kernel}.py")
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[kernel] = module
    module = modules[kernel]
    if kernel not in inputs:
        inputs[kernel] = module.make_inputs(DEVICE)
        references[kernel] = module.reference(inputs[kernel])
        torch.cuda.synchronize()
    return module


def time_trials(run, trials):
    return statistics_of(measure(run, trials))


def measure(run, trials):
    for _ in range(3):
        run()
    torch.cuda.synchronize()
    samples = []
    for _ in range(trials):
        flush_buffer.zero_()
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end))
    return samples


def statistics_of(samples):
    trials = len(samples)
    samples = sorted(samples)
    quartile = len(samples) // 4
    return {
        "median_ms": statistics.median(samples),
        "mean_ms": statistics.fmean(samples),
        "min_ms": samples[0],
        "max_ms": samples[-1],
        "iqr_ms": samples[-1 - quartile] - samples[quartile],
        "std_ms": statistics.pstdev(samples),
        "trials": trials,
    }


def check(kernel, module):
    expected = references[kernel]
    got = module.output(inputs[kernel])
    atol, rtol = TOLERANCE[kernel]
    if torch.allclose(got.float(), expected.float(), atol=atol, rtol=rtol):
        return None
    bad = (~torch.isclose(got.float(), expected.float(), atol=atol, rtol=rtol)).float().mean().item()
    return f"{bad:.1%} of elements out of tolerance (atol {atol}, rtol {rtol}); max abs error {(got.float() - expected.float()).abs().max().item():.3g}"


def verdict(status, correct, error=None, timing=None, check_detail=None):
    checks = [{"name": "output_matches_reference", "passed": correct, "detail": check_detail}]
    return {
        "schema_version": 2,
        "status": status,
        "correct": correct,
        "checks": checks,
        "error": error,
        "timing": {
            "candidate": timing,
            "eager": None,
            "compile": None,
            "speedup_vs_eager": None,
            "speedup_vs_compile": None,
        }
        if timing
        else None,
        "flags": [],
    }


def evaluate(request):
    kernel = request["kernel"]
    module = load(kernel)
    for name, value in request["params"].items():
        if not hasattr(module, name):
            return verdict(
                "rejected", False, {"stage": "params", "message": f"{kernel} has no tunable {name}"}
            )
        setattr(module, name, value)
    inputs[kernel][-1].zero_()
    try:
        module.launch(inputs[kernel])
        torch.cuda.synchronize()
    except Exception as error:  # a config that does not compile or launch is a result, not a crash
        stage = (
            "compile_error"
            if "OutOfResources" in type(error).__name__ or "compil" in str(error).lower()
            else "runtime_error"
        )
        return verdict(
            stage,
            False,
            {
                "stage": stage,
                "message": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
            },
        )
    problem = check(kernel, module)
    if problem:
        return verdict("incorrect", False, None, None, problem)
    timing = time_trials(lambda: module.launch(inputs[kernel]), int(request.get("timing_trials") or 50))
    return verdict("passed", True, None, timing, "matches PyTorch")


def autotune(request):
    kernel = request["kernel"]
    module = load(kernel)
    tuned, run = module.autotuned(request["configs"])
    torch.cuda.synchronize()
    started = time.perf_counter()
    run(inputs[kernel])
    torch.cuda.synchronize()
    tuning_seconds = time.perf_counter() - started
    best = tuned.best_config
    chosen = dict(best.kwargs)
    chosen.update({"NUM_WARPS": best.num_warps, "NUM_STAGES": best.num_stages})
    problem = check(kernel, module)
    timing = time_trials(lambda: run(inputs[kernel]), int(request.get("timing_trials") or 50))
    return {"tuning_seconds": tuning_seconds, "chosen": chosen, "correct": problem is None, "timing": timing}


def confirm(request):
    kernel = request["kernel"]
    module = load(kernel)
    configs = request["configs"]
    rounds = int(request["rounds"])
    trials = int(request["timing_trials"])

    def pin(params):
        for name, value in params.items():
            setattr(module, name, value)

    problems = []
    for params in configs:  # compile and check every config before any timing
        pin(params)
        inputs[kernel][-1].zero_()
        module.launch(inputs[kernel])
        torch.cuda.synchronize()
        problems.append(check(kernel, module))
    samples = [[] for _ in configs]
    round_medians = [[] for _ in configs]
    for _ in range(rounds):
        for index, params in enumerate(configs):
            pin(params)
            taken = measure(lambda: module.launch(inputs[kernel]), trials)
            samples[index].extend(taken)
            round_medians[index].append(statistics.median(taken))
    return {
        "rounds": rounds,
        "timing_trials": trials,
        "results": [
            {
                "params": params,
                "correct": problems[index] is None,
                "problem": problems[index],
                "timing": statistics_of(samples[index]),
                "round_medians_ms": round_medians[index],
            }
            for index, params in enumerate(configs)
        ],
    }


def reset(_request):
    modules.clear()
    os.environ["TRITON_CACHE_DIR"] = tempfile.mkdtemp(prefix="triton-cache-")
    return {"cache": os.environ["TRITON_CACHE_DIR"]}


def main():
    reset({})
    operations = {"evaluate": evaluate, "autotune": autotune, "confirm": confirm, "reset": reset}
    print(json.dumps({"ready": True, "device": torch.cuda.get_device_name(0)}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = operations[request["op"]](request)
        except Exception as error:
            answer = {"failure": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
