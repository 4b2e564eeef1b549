"""Reductions: sum, mean, ...

Integer and bool inputs sum to int64, as in torch; float16/bfloat16 accumulate in float32 and
round once.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ._util import FLOAT_NP, to_np_dtype, wrap_dims
from .registry import apply, prim, public

_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_INT64 = np.dtype(np.int64)
_F32 = np.dtype(np.float32)


def reduce_dims(dim, ndim: int) -> tuple | None:
    """``dim`` as a tuple of non-negative dims; None (or empty) means every dim."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return None
    return wrap_dims(dim, ndim)


def expand_reduced(grad: Tensor, shape: tuple, dims, keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back over the reduced dims."""
    from .shape import _expand, broadcast_view

    if dims is None:
        if not shape:
            return grad
    elif not keepdim:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    if not STATE.enabled:
        # Plain backward: a broadcast array is all we need (no view tracking, no graph).
        return _wrap(broadcast_view(grad._data, tuple(shape)))
    return apply(_expand, (grad,), (grad._data,), {"shape": tuple(shape)})


# ---------------------------------------------------------------------------------- sum
def _sum_np(x, dims, keepdim, dtype):
    if dtype is None:
        if x.dtype.kind in "iub":
            dtype = _INT64
        elif x.dtype in _HALF_NP:
            return _add_reduce(x, dims, _F32, None, keepdim).astype(x.dtype)
    elif dtype in _HALF_NP:
        return _add_reduce(x, dims, _F32, None, keepdim).astype(dtype)
    return _add_reduce(x, dims, dtype, None, keepdim)


_add_reduce = np.add.reduce  # np.sum minus its Python-level dispatch


@prim("sum")
def _sum_all(self, *, dtype):
    return _sum_np(self, None, False, dtype)


_sum_all.defvjp(self=lambda grad, self_shape: expand_reduced(grad, self_shape, None, False))


@prim("sum_dim", backward="SumBackward1")
def _sum_dim(self, *, dim, keepdim, dtype):
    return _sum_np(self, dim, keepdim, dtype)


_sum_dim.defvjp(
    self=lambda grad, self_shape, dim, keepdim: expand_reduced(grad, self_shape, dim, keepdim)
)


@public()
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple)."""
    d = input._data
    np_dtype = to_np_dtype(dtype)
    if dim is None:
        return apply(_sum_all, (input,), (d,), {"dtype": np_dtype})
    dims = reduce_dims(dim, d.ndim)
    return apply(_sum_dim, (input,), (d,), {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})


# ---------------------------------------------------------------------------------- mean
def _mean_np(x, dims, keepdim, dtype):
    if dtype is not None and dtype != x.dtype:
        x = x.astype(dtype)
    if x.dtype in _HALF_NP:
        return np.mean(x, axis=dims, keepdims=keepdim, dtype=_F32).astype(x.dtype)
    return np.mean(x, axis=dims, keepdims=keepdim)


def _mean_grad(grad, self_shape, dim, keepdim):
    n = 1
    if dim is None:
        for s in self_shape:
            n *= s
    else:
        for d in dim:
            n *= self_shape[d]
    return expand_reduced(grad, self_shape, dim, keepdim) / n


@prim("mean")
def _mean_all(self, *, dtype):
    return _mean_np(self, None, False, dtype)


_mean_all.defvjp(self=lambda grad, self_shape: _mean_grad(grad, self_shape, None, False))


@prim("mean_dim", backward="MeanBackward1")
def _mean_dim(self, *, dim, keepdim, dtype):
    return _mean_np(self, dim, keepdim, dtype)


_mean_dim.defvjp(self=_mean_grad)


@public()
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Arithmetic mean of all elements, or over ``dim``."""
    d = input._data
    np_dtype = to_np_dtype(dtype)
    out_dt = np_dtype or d.dtype
    if out_dt not in FLOAT_NP:
        name = D._FROM_NP[out_dt]._legacy
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {name}"
        )
    if dim is None:
        return apply(_mean_all, (input,), (d,), {"dtype": np_dtype})
    dims = reduce_dims(dim, d.ndim)
    return apply(_mean_dim, (input,), (d,), {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})


@public()
def nonzero(input: Tensor, *, as_tuple: bool = False, out=None):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-d ones."""
    d = input._data
    idx = np.nonzero(d) if d.ndim else np.nonzero(d.reshape(1))
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in idx)
    return _wrap(np.stack(idx, axis=1).astype(np.int64) if idx else
                 np.zeros((0, 0), dtype=np.int64))

