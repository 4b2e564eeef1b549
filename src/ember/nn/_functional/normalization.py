"""Functional normalization layers (torch.nn.functional signatures; primitives in
``ember._ops.nn_norm``)."""

from __future__ import annotations

from ember._ops import nn_norm as _N
from ember._size import Size
from ember._tensor import Tensor

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm",
           "rms_norm"]


def _verify_batch_size(size) -> None:
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size) -> None:
    prod = 1
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _N.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                         eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _N.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                            momentum, eps)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    if not isinstance(normalized_shape, (tuple, list, Size)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(normalized_shape).__name__}")
    return _N.layer_norm(input, normalized_shape, weight, bias, eps)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    return _N.rms_norm(input, normalized_shape, weight, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    _verify_batch_size(
        [input.size(0) * input.size(1) // num_groups, num_groups] + list(input.size()[2:]))
    return _N.group_norm(input, num_groups, weight, bias, eps)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Normalization across channels by a running sum of squares (torch's composite, with
    the window sum done by a cumulative sum instead of average pooling)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)")
    if input.numel() == 0:
        return input
    import ember

    sizes = input.shape
    sq = input.mul(input).reshape(sizes[0], sizes[1], -1)
    # zero-pad the channel dim by (size // 2, (size - 1) // 2) and average over windows
    c = sizes[1]
    pad_lo, pad_hi = size // 2, (size - 1) // 2
    z_lo = ember.zeros(sizes[0], pad_lo, sq.shape[2], dtype=sq.dtype)
    z_hi = ember.zeros(sizes[0], pad_hi, sq.shape[2], dtype=sq.dtype)
    padded = ember.cat([z_lo, sq, z_hi], 1)
    windows = ember.stack([padded.narrow(1, i, c) for i in range(size)], 0)
    div = (windows.sum(0) / size).reshape(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
