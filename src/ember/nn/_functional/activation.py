"""Functional activations, softmax family, dropout and distance functions (torch.nn.functional
signatures; the primitives live in ``ember._ops.nn_activation``)."""

from __future__ import annotations

from ember._ops import nn_activation as _A
from ember._ops.elementwise import relu as _relu
from ember._ops.elementwise import sigmoid, tanh
from ember._tensor import Tensor

__all__ = [
    "alpha_dropout", "celu", "celu_", "cosine_similarity", "dropout", "dropout1d", "dropout2d",
    "dropout3d", "elu", "elu_", "feature_alpha_dropout", "gelu", "glu", "hardshrink",
    "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_",
    "log_softmax", "logsigmoid", "mish", "normalize", "pairwise_distance", "prelu", "relu",
    "relu6", "relu_", "rrelu", "rrelu_", "selu", "selu_", "sigmoid", "silu", "softmax",
    "softmin", "softplus",
    "softshrink", "softsign", "tanh", "tanhshrink", "threshold", "threshold_",
]

gelu = _A.gelu
elu_ = _A.elu_
selu_ = _A.selu_
celu_ = _A.celu_
hardtanh_ = _A.hardtanh_
leaky_relu_ = _A.leaky_relu_
threshold_ = _A.threshold_
glu = _A.glu
hardshrink = _A.hardshrink
softshrink = _A.softshrink
logsigmoid = _A.logsigmoid
softplus = _A.softplus
prelu = _A.prelu


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else _relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.relu6(input, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _A.elu(input, alpha, inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.selu(input, inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _A.celu(input, alpha, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return _A.leaky_relu(input, negative_slope, inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    return _A.hardtanh(input, min_val, max_val, inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.silu(input, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.mish(input, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.hardsigmoid(input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return _A.hardswish(input, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    return _A.threshold(input, threshold, value, inplace)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    if inplace:
        return _A.rrelu_(input, lower, upper, training)
    return _A.rrelu(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return _A.rrelu_(input, lower, upper, training)


def softsign(input: Tensor) -> Tensor:
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    return input - input.tanh()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    if dim is None:
        dim = _A.implicit_softmax_dim("softmax", input.dim(), _stacklevel)
    return _A.softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    if dim is None:
        dim = _A.implicit_softmax_dim("softmin", input.dim(), _stacklevel)
    return _A.softmax(-input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    if dim is None:
        dim = _A.implicit_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _A.log_softmax(input, dim, dtype)


# ---------------------------------------------------------------------------------- dropout
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    _check_p(p)
    return _A.dropout_impl(input, p, training, inplace=inplace)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    _check_p(p)
    return _A.dropout_impl(input, p, training, alpha=True, inplace=inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    _check_p(p)
    return _A.dropout_impl(input, p, training, feature=True, alpha=True, inplace=inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     batched: bool) -> Tensor:
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _A.dropout_impl(input, p, training, feature=True, inplace=inplace)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    _check_p(p)
    n = input.dim()
    if n not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {n}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _feature_dropout(input, p, training, inplace, n == 3)


def _warn_feature_dropout_dims(n: int, k: int) -> None:
    """torch's deprecation warning for a dropout{k}d input that is not (k+1)-D or (k+2)-D."""
    import warnings

    if n not in (k + 1, k + 2):
        warnings.warn(
            f"dropout{k}d: Received a {n}-D input to dropout{k}d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that dropout{k}d exists to provide "
            f"channel-wise dropout on inputs with {k} spatial dimensions, a channel dimension, "
            f"and an optional batch dimension (i.e. {k + 1}D or {k + 2}D inputs).",
            stacklevel=3,
        )


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    import warnings

    _check_p(p)
    n = input.dim()
    _warn_feature_dropout_dims(n, 2)
    if n == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _A.dropout_impl(input, p, training, feature=True, inplace=inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    _check_p(p)
    n = input.dim()
    _warn_feature_dropout_dims(n, 3)
    return _feature_dropout(input, p, training, inplace, n == 5)


# ---------------------------------------------------------------------------------- distances
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    import ember

    return ember.div(input, denom, out=out)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    return _A.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    return _A.pairwise_distance(x1, x2, p, eps, keepdim)
