"""DSL adapters: how to build and load a candidate, and how to tell its kernel ran.

Adding a DSL means one module here and one branch below; no other DSL changes.
"""


def adapter_class(name: str):
    if name == "cpp":
        from .cpp import CppAdapter

        return CppAdapter
    if name == "cuda_c":
        from .cuda_c import CudaCAdapter

        return CudaCAdapter
    if name == "triton":
        from .triton_dsl import TritonAdapter

        return TritonAdapter
    if name == "tilelang":
        from .tilelang_dsl import TileLangAdapter

        return TileLangAdapter
    raise ValueError(f"unknown DSL {name!r}")
