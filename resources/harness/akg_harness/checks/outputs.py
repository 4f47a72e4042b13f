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
    dims = sorted((stride, size) for stride, size in zip(tensor.stride(), tensor.shape) if size != 1)
    expected = 1
    for stride, size in dims:
        if stride != expected:
            return False
        expected *= size
    return True


def storage_of(tensor: torch.Tensor) -> int:
    try:
        return tensor.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return -1


def output_facts(references: list, reference_inputs: list) -> list:
    """Per reference output: the properties a candidate's output may share with it. Kept
    with a stored reference, so a reused one decides what a fresh call would."""
    input_storages = {storage_of(t) for t in tensors(reference_inputs)}
    return [
        {
            "expanded": 0 in ref.stride(),
            "dense": non_overlapping_and_dense(ref),
            "aliases_input": storage_of(ref) in input_storages,
        }
        for ref in references
    ]


def dense_problem(candidates: list, references: list, candidate_inputs: list, reference_inputs: list):
    """A sentence describing what is wrong with the candidate's outputs, or None."""
    return dense_problem_against(candidates, output_facts(references, reference_inputs), candidate_inputs)


def dense_problem_against(candidates: list, facts: list, candidate_inputs: list):
    cand_storages = {storage_of(t): i for i, t in enumerate(tensors(candidate_inputs))}
    for index, (cand, ref) in enumerate(zip(candidates, facts)):
        where = f"output {index}" if len(facts) > 1 else "the output"
        if type(cand) is not torch.Tensor:
            return f"{where} is a {type(cand).__module__}.{type(cand).__name__}, not a plain torch.Tensor"
        if cand.layout != torch.strided:
            return f"{where} has layout {cand.layout}, not a dense strided tensor"
        if cand.is_conj() or cand.is_neg():
            return f"{where} carries a lazy conjugate/negative bit"
        if 0 in cand.stride() and cand.numel() > 1 and not ref["expanded"]:
            return (
                f"{where} is an expanded view (strides {tuple(cand.stride())}): "
                "one value broadcast instead of computed elements"
            )
        if not non_overlapping_and_dense(cand) and ref["dense"]:
            return (
                f"{where} is not dense (shape {tuple(cand.shape)}, strides "
                f"{tuple(cand.stride())}): a strided view of a larger buffer"
            )
        if cand.numel() and storage_of(cand) in cand_storages and not ref["aliases_input"]:
            return (
                f"{where} shares memory with input {cand_storages[storage_of(cand)]}: "
                "the result must be a tensor of its own"
            )
    return None
