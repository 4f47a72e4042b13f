"""Child of `precompile`: import one candidate through the build hook, report as JSON."""

import json
import os
import sys


def main(spec_text: str) -> int:
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # compiler chatter and candidate prints go to stderr
    spec = json.loads(spec_text)
    from .cache import cache_dir
    from .dsl import extension
    from .loading import load_candidate
    from .tunables import Tunables, rewrite_constants

    tunables = Tunables(spec.get("params"))
    if spec["dsl"] == "cuda_c" and not os.environ.get("TORCH_CUDA_ARCH_LIST"):
        import torch

        from .dsl.cuda_c import arch_for

        # The same arch the executor will pick, so the cache key matches.
        if torch.cuda.is_available():
            os.environ["TORCH_CUDA_ARCH_LIST"] = arch_for(torch.cuda.get_device_capability())
    extension.install()
    extension.STATE.build_root = cache_dir("build", build_dir=spec.get("build_dir"))
    extension.STATE.tunables = tunables
    extension.STATE.dsl = spec["dsl"]
    extension.STATE.candidate_path = spec["candidate"]
    try:
        load_candidate(rewrite_constants(spec["candidate"], tunables))
        report = {"ok": True, "extensions": extension.STATE.builds}
    except Exception as error:
        report = {
            "ok": False,
            "error": f"{type(error).__name__}: {error}",
            "extensions": extension.STATE.builds,
        }
    protocol.write(json.dumps(report, default=str) + "\n")
    protocol.flush()
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
