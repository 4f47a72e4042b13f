"""C++ build cost on the CPU, with and without the shared precompiled header.

For three cpp candidates of different sizes (elementwise add, a row reduction, a blocked
matmul), each built through `akg_harness precompile` (sandboxed, as a run builds them):

- `no_header`: a fresh cache with the shared header off (AKG_SHARED_PCH=0): the candidate
  cold, then the same candidate with its kernel body changed;
- `shared_header`: a fresh cache with the shared header on: the first build asks for a
  header and the trusted side builds it after that sandbox closes (AKG_PCH_WAIT=1, its own
  cost recorded beside it), then every build (cold candidates and kernel-body changes) reads it.

Reported: the compilers' own CPU seconds per object (from wait4) and wall seconds. Both need a
machine with nothing else running: contention inflates CPU seconds too. Usage:

    .venv/bin/python bench/cpu/build_cost.py OUT.json
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "resources" / "harness"
CPP = HARNESS / "tests" / "fixtures" / "candidates" / "cpp"

ROW_SUM = r'''
import torch
import torch.nn as nn
from torch.utils.cpp_extension import load_inline

CPP_SOURCE = r"""
torch::Tensor row_sum(torch::Tensor x) {
    TORCH_CHECK(x.is_contiguous() && x.dim() == 2, "a contiguous matrix expected");
    const int64_t rows = x.size(0), cols = x.size(1);
    auto out = torch::empty({rows}, x.options());
    const float* px = x.data_ptr<float>();
    float* po = out.data_ptr<float>();
    #pragma omp parallel for
    for (int64_t r = 0; r < rows; ++r) {
        float acc = 0.f;
        for (int64_t c = 0; c < cols; ++c) acc += px[r * cols + c];
        po[r] = acc;
    }
    return out;
}
"""

ext = load_inline(name="row_sum_ext", cpp_sources=CPP_SOURCE, functions=["row_sum"], extra_cflags=["-O2"])


class ModelNew(nn.Module):
    def forward(self, x):
        return ext.row_sum(x.contiguous())
'''


def candidates(folder: Path) -> dict:
    """name -> (cold source, kernel-body-changed source)."""
    sources = {
        "elementwise (add)": (CPP / "add_correct.py").read_text(),
        "reduction (row sum)": ROW_SUM,
        "tiled matmul": (CPP / "matmul_blocked.py").read_text(),
    }
    out = {}
    for index, (name, text) in enumerate(sources.items()):
        assert 'CPP_SOURCE = r"""' in text, name
        changed = text.replace('CPP_SOURCE = r"""', 'CPP_SOURCE = r"""\n// kernel body revised\n', 1)
        pair = []
        for tag, body in (("cold", text), ("changed", changed)):
            path = folder / f"c{index}_{tag}.py"
            path.write_text(body)
            pair.append(path)
        out[name] = pair
    return out


def build(path: Path, cache: Path, shared: bool) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HARNESS), env.get("PYTHONPATH", "")])
    env["AKG_CACHE_DIR"] = str(cache)
    env["AKG_SHARED_PCH"] = "1" if shared else "0"
    env["AKG_PCH_WAIT"] = "1"
    env.pop("AKG_PCH", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "akg_harness", "precompile", "--dsl", "cpp", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    wall = time.monotonic() - started
    if "{" not in done.stdout:
        return {"ok": False, "error": done.stderr[-2000:], "wall_s": round(wall, 1)}
    report = json.loads(done.stdout[done.stdout.index("{") :])["candidates"][0]
    built = (report.get("extensions") or [{}])[0].get("build", {})
    return {
        "ok": report.get("ok", False),
        "wall_s": round(wall, 1),
        "pch": built.get("pch"),
        "objects": built.get("objects"),
        "cpu_seconds": built.get("cpu_seconds"),
        "compile_seconds": built.get("compile_seconds"),
    }


def header_cost(cache: Path) -> list:
    shared = cache / "pch-shared"
    return [json.loads(p.read_text()) for p in sorted(shared.glob("*.json"))] if shared.exists() else []


def main() -> None:
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build_cost.json")
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_before": os.getloadavg(), "modes": {}}
    with tempfile.TemporaryDirectory(prefix="akg-build-cost-") as tmp:
        folder = Path(tmp)
        pairs = candidates(folder)
        for mode, shared in (("no_header", False), ("shared_header", True)):
            cache = folder / f"cache-{mode}"
            rows = {}
            for name, (cold, changed) in pairs.items():
                rows[name] = {"cold": build(cold, cache, shared)}
                rows[name]["kernel_body_changed"] = build(changed, cache, shared)
                print(mode, name, json.dumps(rows[name]), flush=True)
            results["modes"][mode] = {"builds": rows, "header": header_cost(cache)}
    results["load_after"] = os.getloadavg()
    results["cpus"] = os.cpu_count()
    out_path.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
