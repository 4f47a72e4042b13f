"""What each aten op is, for finding chains worth fusing.

The classes follow what a fused kernel can absorb: free ops (views, eval dropout) move no
data of their own; element-wise ops ride along a producer; one reduction (a norm, a
softmax, a sum, a loss) can close a chain; matrix products and convolutions start one.
"""

import operator

FREE = {
    "view",
    "_unsafe_view",
    "reshape",
    "transpose",
    "t",
    "permute",
    "unsqueeze",
    "squeeze",
    "select",
    "slice",
    "expand",
    "contiguous",
    "unflatten",
    "flatten",
    "alias",
    "detach",
    "dropout",
    "feature_dropout",
    "identity",
    "lift_fresh_copy",
    "split",
    "chunk",
    "split_with_sizes",
    "unbind",
    "_assert_tensor_metadata",
}
MATMUL = {
    "linear",
    "mm",
    "addmm",
    "bmm",
    "matmul",
    "baddbmm",
    "conv1d",
    "conv2d",
    "conv3d",
    "convolution",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "einsum",
    "_convolution",
}
NORM = {
    "layer_norm",
    "native_layer_norm",
    "group_norm",
    "native_group_norm",
    "batch_norm",
    "_native_batch_norm_legit_no_training",
    "_native_batch_norm_legit",
    "rms_norm",
    "instance_norm",
    "native_batch_norm",
}
SOFTMAX = {"softmax", "_softmax", "log_softmax", "_log_softmax"}
ATTENTION = {
    "scaled_dot_product_attention",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_flash_attention_for_cpu",
    "_scaled_dot_product_cudnn_attention",
}
LOSS = {
    "cross_entropy_loss",
    "mse_loss",
    "nll_loss",
    "nll_loss_nd",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
}
REDUCE = {
    "sum",
    "mean",
    "amax",
    "amin",
    "max",
    "min",
    "var",
    "std",
    "var_mean",
    "logsumexp",
    "norm",
    "linalg_vector_norm",
    "prod",
}
POOL = {
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool2d",
    "max_pool2d_with_indices",
}
ELEMENTWISE = {
    "relu",
    "relu_",
    "gelu",
    "gelu_",
    "silu",
    "silu_",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "add",
    "add_",
    "sub",
    "sub_",
    "mul",
    "mul_",
    "div",
    "div_",
    "pow",
    "exp",
    "log",
    "sqrt",
    "rsqrt",
    "neg",
    "abs",
    "clamp",
    "clamp_",
    "clamp_min",
    "clamp_max",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "elu",
    "elu_",
    "selu",
    "celu",
    "hardswish",
    "hardswish_",
    "hardsigmoid",
    "hardsigmoid_",
    "mish",
    "softplus",
    "where",
    "maximum",
    "minimum",
    "erf",
    "reciprocal",
    "square",
    "relu6",
    "glu",
    "log_sigmoid",
    "masked_fill",
    "addcmul",
    "lerp",
    "_to_copy",
    "to",
    "type_as",
    "cos",
    "sin",
}
REDUCTIONS = NORM | SOFTMAX | REDUCE | LOSS | POOL | ATTENTION


def op_name(target) -> str:
    """`aten.linear.default` -> `linear`; operator.getitem -> `getitem`."""
    if target is operator.getitem:
        return "getitem"
    packet = getattr(target, "overloadpacket", None)
    if packet is not None:
        return packet.__name__
    name = getattr(target, "__name__", str(target))
    return name.split(".")[-1]


def kind(name: str) -> str:
    if name == "getitem" or name in FREE:
        return "free"
    for label, members in (
        ("matmul", MATMUL),
        ("norm", NORM),
        ("softmax", SOFTMAX),
        ("attention", ATTENTION),
        ("loss", LOSS),
        ("reduce", REDUCE),
        ("pool", POOL),
        ("elementwise", ELEMENTWISE),
    ):
        if name in members:
            return label
    return "other"


def target_text(target) -> str:
    """How the generated task calls the op: `torch.ops.aten.linear.default`."""
    if target is operator.getitem:
        return "operator.getitem"
    text = str(target)
    if text.startswith("aten."):
        return f"torch.ops.{text}"
    module = getattr(target, "__module__", "") or ""
    return f"{module}.{getattr(target, '__name__', text)}".lstrip(".")
