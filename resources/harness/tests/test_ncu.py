"""The ncu parsers against stored reports (tests/fixtures/ncu; see its README)."""

import os

from akg_harness.ncu_metrics import parse_csv
from akg_harness.ncu_source import map_to_candidate, parse_source_page

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, "fixtures", "ncu")
CANDIDATES = os.path.join(HERE, "fixtures", "candidates")


def read(*parts):
    with open(os.path.join(*parts)) as handle:
        return handle.read()


def test_the_curated_metrics_are_read_per_kernel():
    (kernel,) = parse_csv(read(FIXTURES, "candidate-raw.csv"))
    assert kernel["name"] == "add_kernel"
    assert kernel["duration_ms"] == 52480 / 1e6
    assert kernel["memory_throughput_pct"] == 71.2 and kernel["sm_throughput_pct"] == 18.4
    assert kernel["achieved_occupancy_pct"] == 22.5 and kernel["theoretical_occupancy_pct"] == 25
    # Registers allow 2 blocks per SM, the fewest of the four limits: they cap occupancy.
    assert kernel["occupancy_limiter"] == "registers"
    assert kernel["stalls"]["long_scoreboard"] == 19.3
    assert max(kernel["stalls"], key=kernel["stalls"].get) == "long_scoreboard"
    assert kernel["dram_bytes"] == 201326592 + 100663296
    assert kernel["l2_hit_rate_pct"] == 33.1 and kernel["spills"] == 0
    assert kernel["flops"] == 16777216


def test_triton_source_lines_map_to_the_candidate_file():
    rows = parse_source_page(read(FIXTURES, "candidate-source.csv"))
    hot = map_to_candidate(rows, read(CANDIDATES, "triton", "add_correct.py"))
    top = hot["lines"][0]
    assert top["line"] == 14 and top["text"].startswith("b = tl.load(b_ptr")
    assert top["top_stall"] == "long_scoreboard"
    assert abs(top["share"] - 402 / 1000) < 1e-9
    assert "selected" not in top["stalls"]  # an issued sample is not a stall
    assert hot["mapped_samples"] == hot["total_samples"] == 1000


def test_cuda_lines_of_an_inline_source_are_shifted_onto_the_candidate():
    rows = parse_source_page(read(FIXTURES, "cuda-source.csv"))
    hot = map_to_candidate(rows, read(CANDIDATES, "cuda_c", "add_correct.py"))
    assert hot["offset"] == 5
    assert hot["lines"][0]["line"] == 11 and hot["lines"][0]["text"] == "out[i] = a[i] + b[i];"
