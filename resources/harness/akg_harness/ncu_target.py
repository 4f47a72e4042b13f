"""The program ncu profiles: load the candidate like the pipeline does, warm up,
then one forward() inside the NVTX range that ncu's filter selects."""

import json
import os
import sys


def main(spec_path: str) -> int:
    os.dup2(2, 1)  # ncu's CSV goes to stdout; keep ours out of it
    with open(spec_path) as handle:
        spec = json.load(handle)
    import torch

    from .dsl.base import RECORDER
    from .inputs import clone, draw
    from .ncu import RANGE
    from .options import EvaluateOptions
    from .result import ResultDoc
    from .session import activate, import_candidate, open_context

    options = EvaluateOptions(**spec["options"])
    ctx = open_context(options, ResultDoc())
    activate(ctx)
    import_candidate(ctx)
    ctx.build_models()
    inputs = draw(ctx.task, ctx.base_seed, ctx.backend.torch_device)
    RECORDER.active = True  # records the names of the DSL's kernels as they launch
    for _ in range(2):
        ctx.call_candidate(clone(inputs))
    buffers = clone(inputs)
    ctx.backend.synchronize()
    torch.cuda.nvtx.range_push(RANGE)
    ctx.call_candidate(buffers)
    ctx.backend.synchronize()
    torch.cuda.nvtx.range_pop()
    with open(spec["names"], "w") as handle:
        json.dump(sorted(ctx.adapter.kernel_names()), handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
