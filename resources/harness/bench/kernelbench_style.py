"""A fresh process per candidate, evaluated the way KernelBench's eval does it:
exec the task, import the candidate from a file, one seed, reference first,
torch.allclose, then timed trials with CUDA events and a sync after each.
Used only as the comparison point in bench_harness.py."""

import importlib.util
import sys
import time

import torch


def main(task_path: str, candidate_path: str, trials: int = 100) -> None:
    start = time.perf_counter()
    context = {}
    exec(open(task_path).read(), context)
    spec = importlib.util.spec_from_file_location("candidate", candidate_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(42)
    init = context["get_init_inputs"]()
    reference = context["Model"](*init).cuda()
    candidate = module.ModelNew(*init).cuda()
    with torch.no_grad():
        for trial in range(5):
            torch.manual_seed(trial)
            inputs = [x.cuda() if isinstance(x, torch.Tensor) else x for x in context["get_inputs"]()]
            expected = reference(*inputs)
            got = candidate(*inputs)
            torch.cuda.synchronize()
            assert torch.allclose(expected, got, atol=1e-2, rtol=1e-2)
        times = []
        for _ in range(trials):
            begin = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            begin.record()
            candidate(*inputs)
            end.record()
            torch.cuda.synchronize()
            times.append(begin.elapsed_time(end))
    times.sort()
    print(f"median_ms={times[len(times) // 2]:.5f} wall_s={time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
