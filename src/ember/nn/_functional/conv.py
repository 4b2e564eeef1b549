"""Functional convolution, pooling, padding, interpolation, fold/unfold and pixel shuffle."""

from __future__ import annotations

import math

import numpy as np

from ember._ops import nn_conv as _C
from ember._ops import shape as _shape
from ember._ops.registry import apply
from ember._tensor import Tensor

conv1d = _C.conv1d
conv2d = _C.conv2d
conv_transpose1d = _C.conv_transpose1d
conv_transpose2d = _C.conv_transpose2d
conv3d = _C.conv3d
conv_transpose3d = _C.conv_transpose3d
pixel_shuffle = _C.pixel_shuffle
pixel_unshuffle = _C.pixel_unshuffle
avg_pool1d = _C.avg_pool1d
adaptive_avg_pool1d = _C.adaptive_avg_pool1d

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "max_unpool1d", "max_unpool2d",
    "max_unpool3d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices", "pad", "interpolate", "upsample", "upsample_nearest",
    "upsample_bilinear", "unfold", "fold", "pixel_shuffle", "pixel_unshuffle",
]


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """2-D max pooling returning (values, indices into each flattened H*W plane)."""
    return _C._max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    out, idx = _C._max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    return _C._max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    out, idx = _C._max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode,
                              not return_indices)
    return (out, idx) if return_indices else out


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """3-D max pooling returning (values, indices into each flattened D*H*W volume)."""
    return _C._max_pool3d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    out, idx = _C._max_pool3d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _C.avg_pool3d_impl(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                              divisor_override)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling over (N, C, H, W) or (C, H, W) inputs."""
    return _C._avg_pool2d_impl(input, kernel_size, stride, padding, ceil_mode,
                               count_include_pad, divisor_override)


def _list_with_default(out_size, defaults):
    """torch.nn.functional's resolution of None entries of an adaptive pool's output size."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size."""
    return _C.adaptive_avg_pool2d_impl(input, _list_with_default(output_size, input.size()))


def adaptive_max_pool2d_with_indices(input: Tensor, output_size,
                                     return_indices: bool = False) -> tuple:
    return _C.adaptive_max_pool2d_impl(input, _list_with_default(output_size, input.size()))


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size (with the argmax indices if asked)."""
    out, idx = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """3-D average pooling to a fixed output size."""
    return _C.adaptive_avg_pool_impl(input, _list_with_default(output_size, input.size()), 3)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size,
                                     return_indices: bool = False) -> tuple:
    return _C.adaptive_max_pool_impl(input, _list_with_default(output_size, input.size()), 3)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """3-D max pooling to a fixed output size (with the argmax indices if asked)."""
    out, idx = adaptive_max_pool3d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def _ntuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _unpool_output_size(input: Tensor, k, s, p, output_size) -> list:
    """torch.nn.functional's output size of a max unpool (checked against the default)."""
    nd = len(k)
    shape = input.size()
    default = [(shape[-nd + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(nd)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        if len(output_size) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
                f"has a length of '{len(output_size)}'")
        for i in range(nd):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < output_size[i] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between '
                                 f"{lo} and {hi})")
        ret = output_size
    for i in range(nd):
        if ret[i] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{i}]={ret[i]}")
    return list(ret)


def _max_unpool(nd: int, input, indices, kernel_size, stride, padding, output_size):
    k = _ntuple(kernel_size, nd)
    s = _ntuple(stride, nd) if stride is not None else k
    p = _ntuple(padding, nd)
    out = _unpool_output_size(input, k, s, p, output_size)
    if nd == 1:  # torch runs the 2-D op on a trailing unit dim
        res = _C.max_unpool_impl(input.unsqueeze(-1), indices.unsqueeze(-1), (*out, 1), 2)
        return res.squeeze(-1)
    return _C.max_unpool_impl(input, indices, out, nd, s if nd == 3 else None)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool1d: values put back at their indices, zeros elsewhere."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool2d."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool3d."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size,
                                     return_indices: bool = False) -> tuple:
    return _C.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    out, idx = _C.adaptive_max_pool1d(input, output_size)
    return (out, idx) if return_indices else out


# ---------------------------------------------------------------------------------- pad
def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims (pairs given from the last dim backwards)."""
    pad = tuple(int(p) for p in pad)
    x = input._data
    if mode == "constant":
        if len(pad) % 2:
            raise RuntimeError("Padding length must be divisible by 2")
        if len(pad) // 2 > x.ndim:
            raise RuntimeError(
                "Padding length should be less than or equal to two times the input dimension "
                f"but got padding length {len(pad)} and input of dimension {x.ndim}")
        return _C.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    return _C.pad_nonconstant(input, pad, mode)


# ---------------------------------------------------------------------------------- interpolate
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims by ``size`` or ``scale_factor`` (torch's modes and rules)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    x = input._data
    dim = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(x.shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            out_size = [int(s) for s in size]
        else:
            out_size = [int(size)] * dim
    elif scale_factor is not None:
        out_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(x.shape[2:])} and scale_factor "
                    f"of shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out_size = [math.floor(float(x.shape[i + 2]) * scales[i]) for i in range(dim)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("ember: antialias=True is not supported")
    if mode == "area" and 3 <= x.ndim <= 4:
        if x.ndim == 3:
            return _C.adaptive_avg_pool1d(input, out_size)
        return adaptive_avg_pool2d(input, out_size)
    kind = {"nearest": "nearest", "nearest-exact": "nearest-exact", "linear": "linear",
            "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode)
    if kind is not None and (mode not in _NEEDS or _NEEDS[mode] == x.ndim) and 3 <= x.ndim <= 5:
        if out_size is None:
            out_size = [math.floor(float(x.shape[i + 2]) * scales[i]) for i in range(dim)]
        if scales is None:
            scales = [None] * dim
        if any(o <= 0 for o in out_size) or any(v <= 0 for v in x.shape[2:]):
            raise RuntimeError(
                "Input and output sizes should be greater than 0, but got input ("
                + ", ".join(f"{name}: {v}" for name, v in zip(_DNAMES[dim], x.shape[2:]))
                + ") output (" + ", ".join(f"{name}: {v}" for name, v in
                                           zip(_DNAMES[dim], out_size)) + ")")
        params = {"output_size": tuple(out_size), "align_corners": bool(align_corners),
                  "scales": tuple(scales)}
        return apply(_C.UPSAMPLE[kind, dim], (input,), (x,), params)
    if mode in _NEEDS and 3 <= x.ndim <= 5:
        raise NotImplementedError(
            f"Got {x.ndim}D input, but {mode} mode needs {_NEEDS[mode]}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the modes: "
        f"{_MODES} (got {mode})")


_DNAMES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    import warnings

    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    import warnings

    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` "
        "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    import warnings

    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` "
        "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------------------------- fold
def _pair(v) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v), int(v))
    return tuple(int(a) for a in v)


def _check_fold_params(k, d, p, s) -> None:
    if any(v <= 0 for v in k):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
            f"kernel_width: {k[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {d[0]} "
            f"dilation_width: {d[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(
            f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {s[0]} "
            f"stride_width: {s[1]}")


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L) sliding blocks."""
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    x = input._data
    _check_fold_params(k, d, p, s)
    if x.ndim not in (3, 4) or any(v == 0 for v in x.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {_C._sizes(x.shape)}")
    h, w = x.shape[-2:]
    oh = _C._out_size(h, k[0], s[0], p[0], d[0])
    ow = _C._out_size(w, k[1], s[1], p[1], d[1])
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the "
            f"array of sliding blocks as ({oh}, {ow}), but its components must be at least one.")
    return apply(_C._im2col, (input,), (x,),
                 {"kernel_size": k, "dilation": d, "padding": p, "stride": s})


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C*kh*kw, L) blocks summed into an (N, C, H, W) image."""
    o = _pair(output_size)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    x = input._data
    _check_fold_params(k, d, p, s)
    if x.ndim not in (2, 3) or any(v == 0 for v in x.shape[-2:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {_C._sizes(x.shape)}")
    ckk = x.shape[-2]
    if ckk % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={ckk} and kernel_size=({k[0]}, {k[1]}).")
    bh = _C._out_size(o[0], k[0], s[0], p[0], d[0])
    bw = _C._out_size(o[1], k[1], s[1], p[1], d[1])
    if bh * bw != x.shape[-1]:
        raise RuntimeError(
            f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {bh} * {bw} = {bh * bw}, but got input.size(2)={x.shape[-1]}.")
    return apply(_C._col2im_prim, (input,), (x,),
                 {"output_size": o, "kernel_size": k, "dilation": d, "padding": p,
                  "stride": s})


del _shape
