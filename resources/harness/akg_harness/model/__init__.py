"""From a user's PyTorch model to kernel tasks and back.

load (open a model file or an installed module class) · capture (torch.export graph,
per-op fallback) · regions (fusable chains) · profile (device time per op, module and
region; floors from the device peaks) · taskgen (KernelBench task files) · extract
(the report and the task folder) · patch (winning ModelNew kernels swapped in) ·
verify and ab (the patched model against the original) · commands (executor and CLI).
"""
