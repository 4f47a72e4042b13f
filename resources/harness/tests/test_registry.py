"""The DSL list the harness reads (schema/registry.json, generated from the app's registry)."""

import pytest

from akg_harness import DSLS
from akg_harness.cli import build_parser
from akg_harness.dsl import adapter_class
from akg_harness.dsl.base import Adapter
from akg_harness.registry import DSL_PACKAGES, PRECOMPILED_DSLS, dsl_entry


def test_every_listed_dsl_names_an_adapter_module_and_class():
    for name in DSLS:
        adapter = adapter_class(name)
        assert issubclass(adapter, Adapter) and adapter is not Adapter
        assert adapter.__module__ == f"akg_harness.dsl.{dsl_entry(name)['adapter']['module']}"


def test_an_unknown_dsl_is_refused_by_name():
    with pytest.raises(ValueError, match="fortran"):
        adapter_class("fortran")


def test_the_lists_the_harness_derives_from_it():
    # The DSLs it has always had, in the studio's order; a new DSL joins without editing this.
    assert DSLS[:4] == ("triton", "cuda_c", "cpp", "tilelang")
    assert PRECOMPILED_DSLS == tuple(name for name in DSLS if dsl_entry(name)["precompiled"])
    assert {"cuda_c", "cpp"} <= set(PRECOMPILED_DSLS) and "triton" not in PRECOMPILED_DSLS
    assert DSL_PACKAGES == {
        name: dsl_entry(name)["python_package"] for name in DSLS if dsl_entry(name)["python_package"]
    }
    assert DSL_PACKAGES["triton"] == "triton" and DSL_PACKAGES["tilelang"] == "tilelang"
    assert "cpp" not in DSL_PACKAGES and "cuda_c" not in DSL_PACKAGES


def test_the_command_line_takes_the_registry_dsls():
    parser = build_parser()
    assert parser.parse_args(["preflight", "--task", "t.py", "--dsl", "tilelang"]).dsl == "tilelang"
    with pytest.raises(SystemExit):
        parser.parse_args(["precompile", "c.py", "--dsl", "triton"])
