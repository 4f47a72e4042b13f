"""Output form: a plain, dense tensor that owns its memory (check `output_plain_dense`).

Catches expanded views (stride 0), strided slices of a bigger buffer, tensor
subclasses and lazy wrappers, and outputs that alias an input — unless the
reference's own output has the same property.
"""

import torch

from ..inputs import tensors


def non_overlapping_and_dense(tensor: torch.Tensor) -> bool:
    if tensor.numel() <= 1:
        return True
    dims = sorted((stride, size) for stride, size in zip(tensor.stride(), tensor.shape)
                  if size != 1)
    expected = 1
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


def _storage(tensor: torch.Tensor) -> int:
    try:
        return tensor.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return -1


def dense_problem(candidates: list, references: list, candidate_inputs: list,
                  reference_inputs: list):
    """A sentence describing what is wrong with the candidate's outputs, or None."""
    cand_storages = {_storage(t): i for i, t in enumerate(tensors(candidate_inputs))}
    ref_storages = {_storage(t) for t in tensors(reference_inputs)}
    for index, (cand, ref) in enumerate(zip(candidates, references)):
        where = f"output {index}" if len(references) > 1 else "the output"
        if type(cand) is not torch.Tensor:
            return f"{where} is a {type(cand).__module__}.{type(cand).__name__}, " \
                   "not a plain torch.Tensor"
        if cand.layout != torch.strided:
            return f"{where} has layout {cand.layout}, not a dense strided tensor"
        if cand.is_conj() or cand.is_neg():
            return f"{where} carries a lazy conjugate/negative bit"
        if 0 in cand.stride() and cand.numel() > 1 and 0 not in ref.stride():
            return (f"{where} is an expanded view (strides {tuple(cand.stride())}): "
                    "one value broadcast instead of computed elements")
        if not non_overlapping_and_dense(cand) and non_overlapping_and_dense(ref):
            return (f"{where} is not dense (shape {tuple(cand.shape)}, strides "
                    f"{tuple(cand.stride())}): a strided view of a larger buffer")
        if cand.numel() and _storage(cand) in cand_storages and _storage(ref) not in ref_storages:
            return (f"{where} shares memory with input {cand_storages[_storage(cand)]}: "
                    "the result must be a tensor of its own")
    return None
