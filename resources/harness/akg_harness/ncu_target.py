"""The program ncu profiles: load the task (and, for the candidate side, the candidate) like
the pipeline does, warm up, then one forward() inside the NVTX range that ncu's filter selects.

`side: reference` profiles the task's own Model, the eager baseline; it never imports the
candidate."""

import json
import os
import sys


def main(spec_path: str) -> int:
    os.dup2(2, 1)  # ncu's CSV goes to stdout; keep ours out of it
    with open(spec_path) as handle:
        spec = json.load(handle)
    import torch

    from .dsl.base import RECORDER
    from .inputs import clone, draw, seed_everything, to_device
    from .ncu import RANGE
    from .options import EvaluateOptions
    from .result import ResultDoc
    from .session import activate, import_candidate, open_context

    options = EvaluateOptions(**spec["options"])
    side = spec.get("side", "candidate")
    ctx = open_context(options, ResultDoc())
    if side == "reference":
        seed_everything(ctx.base_seed)
        ctx.init_inputs = [to_device(v, ctx.backend.torch_device) for v in ctx.task.get_init_inputs()]
        ctx.reference = ctx._construct(ctx.task.Model)
        call = ctx.call_reference
    else:
        activate(ctx)
        import_candidate(ctx)
        ctx.build_models()
        call = ctx.call_candidate
    inputs = draw(ctx.task, ctx.base_seed, ctx.backend.torch_device)
    RECORDER.active = side != "reference"  # records the names of the DSL's kernels as they launch
    for _ in range(2):
        call(clone(inputs))
    buffers = clone(inputs)
    ctx.backend.synchronize()
    torch.cuda.nvtx.range_push(RANGE)
    output = call(buffers)
    ctx.backend.synchronize()
    torch.cuda.nvtx.range_pop()
    names = sorted(ctx.adapter.kernel_names()) if side != "reference" else []
    with open(spec["names"], "w") as handle:
        json.dump(names, handle)
    if spec.get("handover") and side == "candidate":
        # The measured forward's output, for the reference process: a range that did no
        # work confirms nothing (timing_confirmation.judge_ncu).
        from .compare import flatten_outputs
        from .handover import Handover

        Handover(spec["handover"]).put("ncu", [t.detach() for t in flatten_outputs(output)], inputs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
