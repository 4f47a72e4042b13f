"""Executor side of the external timing confirmation (the supervisor holds the clock).

After the candidate's own timing, the executor draws inputs under a seed the
supervisor chose, warms up once and says it is ready; for each round the
supervisor notes its clock, says go, and notes it again when the executor says
the round is done. A round is `calls` back-to-back forward calls on the same
buffers (no refresh, no cache flush) and one synchronize. The last call's output
goes to the reference process, which checks it (`confirm`), so a round that did
no work does not confirm anything. See README.md, "Timing confirmation".
"""

from .compare import flatten_outputs
from .inputs import clone, draw


def confirm_timing(ctx, dialogue, median_ms: float) -> None:
    """`dialogue.ask(message) -> reply`: one exchange with the supervisor."""
    backend = ctx.backend
    inputs = draw(ctx.task, dialogue.seed, backend.torch_device)
    buffers = clone(inputs)
    output = ctx.call_candidate(buffers)
    backend.synchronize()
    reply = dialogue.ask({"event": "confirm-ready", "median_ms": median_ms})
    while reply.get("command") == "confirm-go":
        calls = int(reply.get("calls", 1))
        for _ in range(calls):
            output = ctx.call_candidate(buffers)
        backend.synchronize()
        reply = dialogue.ask({"event": "confirm-round"})
    values = [t.detach().clone() for t in flatten_outputs(output)]
    backend.synchronize()
    ctx.hand_over("confirm", values, inputs)
