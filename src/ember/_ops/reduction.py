"""Reductions, scans, sorting and selection: sum, mean, prod, std/var, norm, logsumexp,
cumsum/cumprod, all/any, argmax/argmin, amax/amin, max/min, median, topk, sort, unique...

Numerics follow torch on the CPU: integer and bool inputs sum (and multiply, and scan) in
int64; float16/bfloat16 accumulate in float32 and round once; scans accumulate float32 in
float64 as torch's CPU kernels do; std/var are computed in float64 and rounded once.

Comparisons (sort, topk, max...) of bfloat16 go through float32 (exact), because NumPy's
bfloat16 sort does not order NaN. Ties are broken as torch breaks them: max/argmax(dim) take
the first index, median(dim) the stable sorted position, sort(stable=True) is stable; where
torch's result depends on its C++ algorithm (sort's std::sort, topk's nth_element or
partial_sort: the order of equal elements, ``sorted=False``) ember replays libstdc++'s
algorithm on the rows concerned.
"""

from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import return_types as R
from .._promotion import promote_types
from .._tensor import Tensor, _c_name, _wrap
from ..autograd.grad_mode import STATE
from . import shape as _shape  # (shape imports this module too: use its names lazily)
from ._util import FLOAT_NP, broadcast_error, check_out, to_np_dtype, wrap_dim, wrap_dims
from .elementwise import maximum, minimum
from .indexing import where
from .registry import apply, prim, public

_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_BF16 = D.bfloat16._np
_INT64 = np.dtype(np.int64)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_BOOL = np.dtype(np.bool_)
_UINT8 = np.dtype(np.uint8)
_FROM_NP = D._FROM_NP
_INF = math.inf

_add_reduce = np.add.reduce  # np.sum minus its Python-level dispatch
_mul_reduce = np.multiply.reduce
_max_reduce = np.maximum.reduce
_min_reduce = np.minimum.reduce
_and_reduce = np.logical_and.reduce
_or_reduce = np.logical_or.reduce


class _Unset:
    """Default of ``dim`` where torch picks another overload (and node) when it is omitted."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "None"


_UNSET = _Unset()


# ---------------------------------------------------------------------------------- helpers
def _data(input, name: str) -> np.ndarray:
    try:
        return input._data
    except AttributeError:
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ) from None


def _int_dim(dim) -> int:
    if isinstance(dim, Tensor):
        return int(dim.item())
    return dim


def reduce_dims(dim, ndim: int) -> tuple | None:
    """``dim`` as a tuple of non-negative dims; None (or empty) means every dim.

    A 0-d tensor accepts dim 0 / -1 and reduces nothing: its dims become ``()``.
    """
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
    elif isinstance(dim, Tensor):
        dim = dim.tolist()
    dims = wrap_dims(dim, ndim)
    return dims if ndim else ()


def _dims_keep_empty(dim, ndim: int) -> tuple | None:
    """Like ``reduce_dims`` but an empty list stays ``()`` (ops where that differs from None)."""
    if dim is None:
        return None
    if isinstance(dim, Tensor):
        dim = dim.tolist()
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return ()
    dims = wrap_dims(dim, ndim)
    return dims if ndim else ()


def _unsqueeze_dims(t: Tensor, dims) -> Tensor:
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


def expand_reduced(grad: Tensor, shape: tuple, dims, keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back over the reduced dims."""
    if dims is None:
        if not shape:
            return grad
        if not STATE.enabled:
            # Plain backward of a full reduction: the 0-d gradient seen through zero strides.
            g = grad._data
            out = np.ndarray(tuple(shape), g.dtype, np.ascontiguousarray(g), 0, (0,) * len(shape))
            out.flags.writeable = False
            return _wrap(out)
    elif not keepdim:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    if not STATE.enabled:
        # Plain backward: a broadcast array is all we need (no view tracking, no graph).
        return _wrap(_shape.broadcast_view(grad._data, tuple(shape)))
    return apply(_shape._expand, (grad,), (grad._data,), {"shape": tuple(shape)})


def _numel(shape, dims) -> int:
    n = 1
    if dims is None:
        for s in shape:
            n *= s
    else:
        for d in dims:
            n *= shape[d]
    return n


def _cmp_view(x: np.ndarray) -> np.ndarray:
    """An array to compare on: bfloat16 as float32 (exact; NumPy mis-sorts bf16 NaN)."""
    return x.astype(_F32) if x.dtype == _BF16 else x


def _legacy(np_dtype) -> str:
    return _FROM_NP[np_dtype]._legacy


def _check_grad_dtype(input: Tensor, np_dtype) -> None:
    """torch refuses to record a differentiable op whose output cannot carry a gradient."""
    if np_dtype is not None and np_dtype not in FLOAT_NP and input._requires_grad and (
            STATE.enabled):
        raise RuntimeError(f"Autograd not support dtype: {_legacy(np_dtype)}")


def _out_dtype_error(expected, got) -> RuntimeError:
    return RuntimeError(
        f"Expected out tensor to have dtype {_c_name(_FROM_NP[expected])}, but got "
        f"{_c_name(_FROM_NP[got])} instead"
    )


def _check_out_tensor(out, name: str) -> np.ndarray:
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    return out._data


def _accumulate_dtype(out, dtype, name: str):
    """sum/prod/cumsum/cumprod compute in ``out``'s dtype when no ``dtype`` is given."""
    od = _check_out_tensor(out, name).dtype
    if dtype is None:
        return od
    if dtype != od:
        raise _out_dtype_error(dtype, od)
    return dtype


def _out_exact(out, result: Tensor, name: str) -> Tensor:
    """Write into ``out``, whose dtype must be the result's."""
    od = _check_out_tensor(out, name).dtype
    rd = result._data.dtype
    if od != rd:
        raise _out_dtype_error(rd, od)
    return check_out(out, result, name)


def _out_pair(out, results, name: str, rtype):
    """Write a (values, indices)-like pair into the two tensors of ``out``."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                        f"{type(out).__name__}")
    a = _out_exact(out[0], results[0], name)
    b = _out_exact(out[1], results[1], name)
    return rtype((a, b))


# ---------------------------------------------------------------------------------- gather/scatter
# Value-selecting reductions (max(dim), sort, topk, median(dim)) send their gradient back to
# the selected positions; these two private prims are each other's gradient.
@prim("_gather_dim", backward="GatherBackward0")
def _gather_dim(self, index, *, dim):
    return np.take_along_axis(self, index, axis=dim)


@prim("_scatter_dim", backward="ScatterBackward0")
def _scatter_dim(src, index, *, dim, shape):
    out = np.zeros(shape, dtype=src.dtype)
    np.put_along_axis(out, index, src, axis=dim)
    return out


_gather_dim.defvjp(
    self=lambda grad, index, self_shape, dim: _scatter(grad, index, dim, self_shape)
)
_scatter_dim.defvjp(src=lambda grad, index, dim: _gather(grad, index, dim))


def _scatter(grad: Tensor, index: Tensor, dim: int, shape) -> Tensor:
    return apply(_scatter_dim, (grad, index), (grad._data, index._data),
                 {"dim": dim, "shape": tuple(shape)})


def _gather(src: Tensor, index: Tensor, dim: int) -> Tensor:
    return apply(_gather_dim, (src, index), (src._data, index._data), {"dim": dim})


def _value_selecting_backward(grad, dim, indices, shape, keepdim):
    """torch's value_selecting_reduction_backward: the gradient lands on ``indices``."""
    if not shape:
        return grad
    if not keepdim:
        grad = grad.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return _scatter(grad, indices, dim, shape)


def _evenly_distribute(grad, self, result):
    """Gradient of a full max/min/median: shared evenly among the elements equal to it."""
    mask = self.isnan() if bool(np.isnan(result._data).any()) else self == result
    return where(mask, grad / mask.sum(), 0.0)


# ---------------------------------------------------------------------------------- sum
def _sum_np(x, dims, keepdim, dtype):
    if dtype is None:
        if x.dtype.kind in "iub":
            dtype = _INT64
        elif x.dtype in _HALF_NP:
            return _add_reduce(x, dims, _F32, None, keepdim).astype(x.dtype)
    else:
        if x.dtype != dtype:
            x = x.astype(dtype)
        if dtype in _HALF_NP:
            return _add_reduce(x, dims, _F32, None, keepdim).astype(dtype)
    return _add_reduce(x, dims, dtype, None, keepdim)


@prim("sum")
def _sum_all(self, *, dtype=None):
    return _sum_np(self, None, False, dtype)


_sum_all.defvjp(self=lambda grad, self_shape: expand_reduced(grad, self_shape, None, False))


@prim("sum_dim", backward="SumBackward1")
def _sum_dim(self, *, dim, keepdim, dtype):
    return _sum_np(self, dim, keepdim, dtype)


_sum_dim.defvjp(
    self=lambda grad, self_shape, dim, keepdim: expand_reduced(grad, self_shape, dim, keepdim)
)


@public()
def sum(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple)."""
    d = _data(input, "sum")
    np_dtype = None if dtype is None else to_np_dtype(dtype)
    if out is not None:
        np_dtype = _accumulate_dtype(out, np_dtype, "sum")
    elif np_dtype is not None:
        _check_grad_dtype(input, np_dtype)
    if dim is _UNSET:
        result = apply(_sum_all, (input,), (d,), None if np_dtype is None else {"dtype": np_dtype})
    else:
        dims = reduce_dims(dim, d.ndim)
        result = apply(_sum_dim, (input,), (d,),
                       {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})
    return result if out is None else check_out(out, result, "sum")


@prim("nansum")
def _nansum(self, *, dim, keepdim, dtype):
    if self.dtype.kind == "f" or self.dtype == _BF16:
        self = np.where(np.isnan(self), self.dtype.type(0), self)
    return _sum_np(self, dim, keepdim, dtype)


def _nansum_grad(grad, self, dim, keepdim):
    return expand_reduced(grad, self._data.shape, dim, keepdim) * self.isnan().logical_not()


_nansum.defvjp(self=_nansum_grad)


@public()
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum treating NaN as zero."""
    d = _data(input, "nansum")
    np_dtype = None if dtype is None else to_np_dtype(dtype)
    if out is not None:
        np_dtype = _accumulate_dtype(out, np_dtype, "nansum")
    elif np_dtype is not None:
        _check_grad_dtype(input, np_dtype)
    dims = reduce_dims(dim, d.ndim)
    result = apply(_nansum, (input,), (d,), {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})
    return result if out is None else check_out(out, result, "nansum")


# ---------------------------------------------------------------------------------- mean
def _mean_np(x, dims, keepdim, dtype):
    if dtype is not None and dtype != x.dtype:
        x = x.astype(dtype)
    n = _numel(x.shape, dims)
    if x.dtype in _HALF_NP:
        s = _add_reduce(x, dims, _F32, None, keepdim)
        return np.true_divide(s, _F32.type(n)).astype(x.dtype)
    s = _add_reduce(x, dims, None, None, keepdim)
    return np.true_divide(s, x.dtype.type(n))


def _mean_grad(grad, self_shape, dim, keepdim):
    return expand_reduced(grad, self_shape, dim, keepdim) / _numel(self_shape, dim)


@prim("mean")
def _mean_all(self, *, dtype):
    return _mean_np(self, None, False, dtype)


_mean_all.defvjp(self=lambda grad, self_shape: _mean_grad(grad, self_shape, None, False))


@prim("mean_dim", backward="MeanBackward1")
def _mean_dim(self, *, dim, keepdim, dtype):
    return _mean_np(self, dim, keepdim, dtype)


_mean_dim.defvjp(self=_mean_grad)


def _check_mean_dtype(d: np.ndarray, np_dtype, name: str = "mean") -> None:
    if np_dtype is not None:
        if np_dtype not in FLOAT_NP:
            raise RuntimeError(
                f"{name}(): could not infer output dtype. Optional dtype must be either a "
                f"floating point or complex dtype. Got: {_legacy(np_dtype)}"
            )
    elif d.dtype not in FLOAT_NP:
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_legacy(d.dtype)}"
        )


@public()
def mean(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Arithmetic mean of all elements, or over ``dim``."""
    d = _data(input, "mean")
    np_dtype = None if dtype is None else to_np_dtype(dtype)
    _check_mean_dtype(d, np_dtype)
    if dim is _UNSET:
        result = apply(_mean_all, (input,), (d,), {"dtype": np_dtype})
    else:
        dims = reduce_dims(dim, d.ndim)
        result = apply(_mean_dim, (input,), (d,),
                       {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})
    return result if out is None else check_out(out, result, "mean")


@public()
def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Mean of the non-NaN elements (``nansum / count``, as torch computes it)."""
    d = _data(input, "nanmean")
    if d.dtype not in FLOAT_NP:
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            + _legacy(d.dtype)
        )
    factor = _count_true(input.isnan().logical_not(), dim, keepdim)
    result = nansum(input, dim, keepdim, dtype=dtype).div(factor)
    return result if out is None else check_out(out, result, "nanmean")


def _count_true(mask: Tensor, dim, keepdim: bool) -> Tensor:
    """``mask.sum(dim, keepdim)`` of a bool tensor, as an int64 tensor (no graph)."""
    md = mask._data
    dims = reduce_dims(dim, md.ndim)
    return _wrap(np.asarray(_add_reduce(md, dims, _INT64, None, keepdim)))


# ---------------------------------------------------------------------------------- prod
def _prod_np(x, dims, keepdim, dtype):
    if dtype is None:
        if x.dtype.kind in "iub":
            dtype = _INT64
        elif x.dtype in _HALF_NP:
            return _mul_reduce(x, dims, _F32, None, keepdim).astype(x.dtype)
    else:
        if x.dtype != dtype:
            x = x.astype(dtype)
        if dtype in _HALF_NP:
            return _mul_reduce(x, dims, _F32, None, keepdim).astype(dtype)
    return _mul_reduce(x, dims, dtype, None, keepdim)


def _prod_grad(grad, self, result, dim, keepdim):
    """torch's prod_backward; with zeros, each element gets the product of the others."""
    if self._data.ndim == 0:
        return grad
    if dim is not None and not keepdim:
        grad = grad.unsqueeze(dim)
        result = result.unsqueeze(dim)
    if not (self._data == 0).any():
        return grad * (result / self)
    mask = self == 0
    x_nz = where(mask, 1, self)
    if dim is None:
        count = mask.sum()
        p = x_nz.prod()
    else:
        count = mask.sum(dim, True)
        p = x_nz.prod(dim, True)
    others = where(mask, where(count == 1, p, 0.0), where(count == 0, p / x_nz, 0.0))
    return grad * others


@prim("prod")
def _prod_all(self, *, dtype):
    return _prod_np(self, None, False, dtype)


_prod_all.defvjp(self=lambda grad, self, result: _prod_grad(grad, self, result, None, False))


@prim("prod_dim", backward="ProdBackward1")
def _prod_dim(self, *, dim, keepdim, dtype):
    return _prod_np(self, dim, keepdim, dtype)


_prod_dim.defvjp(  # dim: (d,), or () for a 0-d input
    self=lambda grad, self, result, dim, keepdim: _prod_grad(grad, self, result, dim[0],
                                                             keepdim) if dim else grad
)


@public()
def prod(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Product of all elements, or over the int ``dim``."""
    d = _data(input, "prod")
    np_dtype = None if dtype is None else to_np_dtype(dtype)
    if out is not None:
        np_dtype = _accumulate_dtype(out, np_dtype, "prod")
    elif np_dtype is not None:
        _check_grad_dtype(input, np_dtype)
    if dim is _UNSET:
        result = apply(_prod_all, (input,), (d,), {"dtype": np_dtype})
    else:
        dims = (wrap_dim(_int_dim(dim), d.ndim),)
        if not d.ndim:
            dims = ()
        result = apply(_prod_dim, (input,), (d,),
                       {"dim": dims, "keepdim": keepdim, "dtype": np_dtype})
    return result if out is None else check_out(out, result, "prod")


# ---------------------------------------------------------------------------------- var/std
def _dof_warning(name: str) -> None:
    warnings.warn(
        f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
        "reduction factor (input numel divided by output numel).",
        UserWarning,
        stacklevel=6,  # the caller of var(): _dof_warning < _var_np < fwd < apply < var
    )


def _var_np(x, dims, correction, keepdim, name):
    """(var, mean) in float64 (dims: None or () for every dim)."""
    axis = dims if dims else None
    x64 = x.astype(_F64) if x.dtype != _F64 else x
    n = _numel(x.shape, axis)
    m = _add_reduce(x64, axis, None, None, True) / n  # nan when n == 0
    dev = x64 - m
    ss = _add_reduce(dev * dev, axis, None, None, keepdim)
    dof = n - correction
    if dof <= 0:
        dof = 0.0
        if x.size:
            _dof_warning(name)
    var = np.true_divide(ss, dof)
    if not keepdim:
        m = m.reshape(np.shape(ss))
    return var, m


@prim("var")
def _var(self, *, dim, correction, keepdim):
    v, _ = _var_np(self, dim, correction, keepdim, "var")
    return np.asarray(v).astype(self.dtype)


@prim("std")
def _std(self, *, dim, correction, keepdim):
    v, _ = _var_np(self, dim, correction, keepdim, "std")
    return np.sqrt(v).astype(self.dtype)


@prim("var_mean", nout=2)
def _var_mean(self, *, dim, correction, keepdim):
    v, m = _var_np(self, dim, correction, keepdim, "var_mean")
    return np.asarray(v).astype(self.dtype), np.asarray(m).astype(self.dtype)


@prim("std_mean", nout=2)
def _std_mean(self, *, dim, correction, keepdim):
    v, m = _var_np(self, dim, correction, keepdim, "std_mean")
    return np.sqrt(v).astype(self.dtype), np.asarray(m).astype(self.dtype)


def _var_grad(grad, self, dim, correction, keepdim):
    """torch's var_backward (``dim`` None: not given; ``()``: given empty, as torch treats it)."""
    shape = self._data.shape
    if not shape or dim is None:
        dof = self._data.size - correction
        if dof <= 0:
            return grad * where(self == self.mean(), math.nan, _INF)
        return (2.0 / dof) * grad * (self - self.mean())
    if not keepdim and len(shape) > 1:
        grad = _unsqueeze_dims(grad, dim)
    denom = _numel(shape, dim) - correction
    factor = 2.0 / denom if denom else _INF
    return factor * grad * (self - self.mean(dim, True))


def _std_grad(grad, self, result, dim, correction, keepdim):
    grad_var = (grad / (result * 2)).masked_fill(result == 0, 0)
    return _var_grad(grad_var, self, dim, correction, keepdim)


def _mean_part(grad, self, dim, keepdim):
    shape = self._data.shape
    dims = dim if dim else None
    if dims is not None and not shape:
        dims = None
    return _mean_grad(grad, shape, dims, keepdim)


def _var_mean_grad(grads, self, dim, correction, keepdim):
    gv, gm = grads
    out = None
    if gv is not None:
        out = _var_grad(gv, self, dim, correction, keepdim)
    if gm is not None:
        aux = _mean_part(gm, self, dim, keepdim)
        out = aux if out is None else out + aux
    return out


def _std_mean_grad(grads, self, result, dim, correction, keepdim):
    gs, gm = grads
    out = None
    if gs is not None:
        out = _std_grad(gs, self, result[0], dim, correction, keepdim)
    if gm is not None:
        aux = _mean_part(gm, self, dim, keepdim)
        out = aux if out is None else out + aux
    return out


_var.defvjp(self=_var_grad)
_std.defvjp(self=_std_grad)
_var_mean.defvjp(self=_var_mean_grad)
_std_mean.defvjp(self=_std_mean_grad)


def _var_args(input, dim, unbiased, correction, name):
    d = _data(input, name)
    if isinstance(dim, bool):  # var(x, False): the legacy unbiased overload
        dim, unbiased = None, dim
    if d.dtype not in FLOAT_NP:
        what = "std and var" if name in ("std", "var") else name
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if correction is None:
        correction = 1 if unbiased else 0
    dims = _dims_keep_empty(dim, d.ndim)
    return d, dims, correction


@public()
def var(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,
        correction=None, out=None) -> Tensor:
    """Variance over ``dim`` with ``correction`` (default 1: Bessel's correction)."""
    d, dims, correction = _var_args(input, dim, unbiased, correction, "var")
    result = apply(_var, (input,), (d,), {"dim": dims, "correction": correction,
                                          "keepdim": keepdim})
    return result if out is None else check_out(out, result, "var")


@public()
def std(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,
        correction=None, out=None) -> Tensor:
    """Standard deviation over ``dim`` with ``correction`` (default 1)."""
    d, dims, correction = _var_args(input, dim, unbiased, correction, "std")
    result = apply(_std, (input,), (d,), {"dim": dims, "correction": correction,
                                          "keepdim": keepdim})
    return result if out is None else check_out(out, result, "std")


@public(method=False)
def var_mean(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(var, mean)`` in one pass."""
    d, dims, correction = _var_args(input, dim, unbiased, correction, "var_mean")
    return apply(_var_mean, (input,), (d,), {"dim": dims, "correction": correction,
                                             "keepdim": keepdim})


@public(method=False)
def std_mean(input: Tensor, dim=None, unbiased: bool = True, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(std, mean)`` in one pass."""
    d, dims, correction = _var_args(input, dim, unbiased, correction, "std_mean")
    return apply(_std_mean, (input,), (d,), {"dim": dims, "correction": correction,
                                             "keepdim": keepdim})


# ---------------------------------------------------------------------------------- norm
def _vector_norm_np(x, ord, dims, keepdim, out_dtype):
    acc = x.astype(_F32) if x.dtype in _HALF_NP else x
    if ord == 2:
        r = np.sqrt(_add_reduce(acc * acc, dims, None, None, keepdim))
    elif ord == 1:
        r = _add_reduce(np.abs(acc), dims, None, None, keepdim)
    elif ord == _INF:
        r = _max_reduce(np.abs(acc), dims, None, None, keepdim)
    elif ord == -_INF:
        r = _min_reduce(np.abs(acc), dims, None, None, keepdim)
    elif ord == 0:
        r = _add_reduce(acc != 0, dims, acc.dtype, None, keepdim)
    else:
        p = acc.dtype.type(ord)
        s = _add_reduce(np.power(np.abs(acc), p), dims, None, None, keepdim)
        r = np.power(s, acc.dtype.type(1.0) / p)
    return np.asarray(r).astype(out_dtype, copy=False)


@prim("linalg_vector_norm")
def _vector_norm(self, *, ord, dim, keepdim, dtype):
    x = self if dtype is None or dtype == self.dtype else self.astype(dtype)
    return _vector_norm_np(x, ord, dim, keepdim, x.dtype)


def _norm_grad(grad, self, result, ord, dim, keepdim):
    """torch's linalg_vector_norm_backward."""
    if not keepdim and self._data.ndim and dim is not None:
        grad = _unsqueeze_dims(grad, dim)
        result = _unsqueeze_dims(result, dim)
    p = float(ord)
    if p == 0.0:
        return None
    if p == 1.0:
        return self.sgn() * grad
    if p == 2.0:
        return grad * (self / result).masked_fill(result == 0, 0)
    if math.isinf(p):
        self_abs = self.abs()
        mask = (self_abs == result).logical_or(self_abs.isnan())
        count = mask.sum(dim, True) if dim is not None else mask.sum()
        return self.sgn() * ((grad / count) * mask)
    if p < 1.0:
        scaled = self.sgn() * self.abs().pow(p - 1).masked_fill(self == 0, 0)
        return scaled * grad * result.pow(1 - p)
    if p < 2.0:
        scaled = self.sgn() * self.abs().pow(p - 1)
    else:
        scaled = self * self.abs().pow(p - 2)
    scale = (grad / result.pow(p - 1)).masked_fill(result == 0, 0)
    return scaled * scale


_vector_norm.defvjp(self=_norm_grad)


def _fmt_scalar(p) -> str:
    if isinstance(p, float):
        if math.isinf(p):
            return "inf" if p > 0 else "-inf"
        return f"{p:g}"
    return str(p)


def vector_norm(input: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """``linalg.vector_norm``: the ``ord``-norm of ``input`` over ``dim`` (all dims if None)."""
    d = _data(input, "linalg.vector_norm")
    if d.dtype not in FLOAT_NP:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_legacy(d.dtype)}")
    np_dtype = None
    if dtype is not None:
        np_dtype = to_np_dtype(dtype)
        if np_dtype not in FLOAT_NP:
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {_legacy(np_dtype)}")
        if promote_types(_FROM_NP[d.dtype], _FROM_NP[np_dtype])._np != np_dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_legacy(d.dtype)}) should be "
                f"convertible without narrowing to the specified dtype ({_legacy(np_dtype)})"
            )
    if isinstance(dim, int):
        dim = (dim,)
    dims = reduce_dims(dim, d.ndim)
    p = float(ord)
    if d.size == 0 and (p < 0 or p == _INF):
        if dims is None:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {_fmt_scalar(ord)} norm on an empty "
                "tensor because the operation does not have an identity"
            )
        for given in dim:
            if d.shape[wrap_dim(given, d.ndim)] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {_fmt_scalar(ord)} norm on the "
                    f"dimension {given}because this dimension is empty and the operation does "
                    "not have an identity"
                )
    result = apply(_vector_norm, (input,), (d,),
                   {"ord": ord, "dim": dims, "keepdim": keepdim, "dtype": np_dtype})
    return result if out is None else _out_exact(out, result, "linalg_vector_norm")


@public()
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
         dtype=None) -> Tensor:
    """Vector norm of ``input`` (``'fro'`` is the 2-norm), as ``torch.norm`` computes it;
    ``'nuc'`` (and any other string) goes to ``linalg.matrix_norm``, as in torch."""
    if isinstance(dim, int):
        dim = [dim]
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
        from .linalg import matrix_norm

        if dim is None:
            dim = list(range(_data(input, "norm").ndim))
        return matrix_norm(input, p, dim, keepdim, dtype=dtype, out=out)
    return vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype, out=out)


@prim("dist")
def _dist(self, other, *, p):
    return _vector_norm_np(np.subtract(self, other), p, None, False, self.dtype)


def _dist_grad(grad, self, other, result, p):
    return _norm_grad(grad, self - other, result, p, None, False)


_dist.defvjp(
    self=_dist_grad,
    other=lambda grad, self, other, result, p: _neg(_dist_grad(grad, self, other, result, p)),
)


def _neg(g):
    return None if g is None else -g


@public()
def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """``norm(input - other, p)`` over all elements, broadcasting the two (DistBackward0)."""
    a, b = _data(input, "dist"), _data(other, "dist")
    dt = promote_types(input.dtype, other.dtype)._np
    if dt not in FLOAT_NP:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_legacy(dt)} instead.")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    return apply(_dist, (input, other), (a.astype(dt, copy=False), b.astype(dt, copy=False)),
                 {"p": float(p)})


# ---------------------------------------------------------------------------------- logsumexp
@prim("logsumexp")
def _logsumexp(self, *, dim, keepdim):
    axis = dim if self.ndim else None
    if self.dtype in _HALF_NP and self.size:
        return _logsumexp_half(self, axis, keepdim)
    x = self.astype(_F32) if self.dtype in _HALF_NP else self
    if x.size:
        m = _max_reduce(x, axis, None, None, True)
        m = np.where(np.isinf(m), x.dtype.type(0), m)
        s = _add_reduce(np.exp(x - m), axis, None, None, keepdim)
        r = np.log(s) + m.reshape(np.shape(s))
    else:
        r = np.log(_add_reduce(np.exp(x), axis, None, None, keepdim))
    return np.asarray(r).astype(self.dtype, copy=False)


def _logsumexp_half(x, axis, keepdim):
    """torch composes logsumexp of half tensors from half ops (max, sub, exp, sum, log, add),
    each rounding to the half type; sum accumulates in float32."""
    dt = x.dtype
    f = x.astype(_F32)
    m = _max_reduce(f, axis, None, None, True)
    m = np.where(np.isinf(m), _F32.type(0), m)
    e = np.exp((f - m).astype(dt).astype(_F32)).astype(dt).astype(_F32)
    s = _add_reduce(e, axis, None, None, keepdim).astype(dt).astype(_F32)
    r = np.log(s).astype(dt).astype(_F32) + m.reshape(np.shape(s))
    return np.asarray(r).astype(dt)


def _logsumexp_grad(grad, self, result, dim, keepdim):
    if not keepdim and self._data.ndim:
        grad = _unsqueeze_dims(grad, dim)
        result = _unsqueeze_dims(result, dim)
    return grad * (self - result).exp()


_logsumexp.defvjp(self=_logsumexp_grad)


@public()
def logsumexp(input: Tensor, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(input), dim))``, computed stably."""
    d = _data(input, "logsumexp")
    if isinstance(dim, Tensor):
        dim = dim.tolist()
    dims = wrap_dims(dim, d.ndim)
    if not d.ndim:
        dims = ()
    elif not dims:
        # torch reduces every dim into a [] result, then fails to add the [1,..] maxima.
        raise RuntimeError(
            "output with shape [] doesn't match the broadcast shape ["
            + ", ".join("1" for _ in range(d.ndim)) + "]"
        )
    if out is not None:
        od = _check_out_tensor(out, "logsumexp").dtype
        if od not in FLOAT_NP:
            raise RuntimeError("logsumexp(): Expected floating point type for result tensor, "
                               f"but got: {_legacy(od)}")
    if d.dtype not in FLOAT_NP:
        d = d.astype(D._DefaultDtype.value._np)
    result = apply(_logsumexp, (input,), (d,), {"dim": dims, "keepdim": keepdim})
    return result if out is None else check_out(out, result, "logsumexp")


# ---------------------------------------------------------------------------------- scans
def _scan_dtype(x, dtype):
    """(dtype to accumulate in, dtype of the result) of cumsum/cumprod."""
    if dtype is None:
        dtype = _INT64 if x.dtype.kind in "iub" else x.dtype
    if dtype in _HALF_NP or dtype == _F32:
        return _F64 if dtype == _F32 else _F32, dtype
    return dtype, dtype


def _scan_np(ufunc, x, dim, dtype):
    acc, res = _scan_dtype(x, dtype)
    if x.ndim == 0:
        return x.astype(res)
    if x.dtype != res:
        x = x.astype(res)  # torch casts the input first, then accumulates
    # (casting first is much faster than accumulate(dtype=acc) on a mixed-type loop)
    out = ufunc.accumulate(x.astype(acc, copy=False), axis=dim)
    return out.astype(res, copy=False)


@prim("cumsum")
def _cumsum(self, *, dim, dtype):
    return _scan_np(np.add, self, dim, dtype)


@prim("_reversed_cumsum", backward="CumsumBackward0")
def _rev_cumsum(self, *, dim):
    if self.ndim == 0:
        return self.copy()
    f = np.flip(self, dim)
    return np.flip(_scan_np(np.add, f, dim, self.dtype), dim)


def _cumsum_grad(grad, dim):
    d = grad._data
    if d.size <= 1 or d.shape[dim] == 1:
        return grad
    return apply(_rev_cumsum, (grad,), (d,), {"dim": dim})


# torch casts the gradient to the input's dtype before the reversed scan (cumsum(dtype=...))
_cumsum.defvjp(self=lambda grad, dim, self_dtype: _cumsum_grad(
    grad if grad.dtype == self_dtype else grad.to(self_dtype), dim))
_rev_cumsum.defvjp(
    self=lambda grad, dim: grad if grad._data.ndim == 0 else apply(
        _cumsum, (grad,), (grad._data,), {"dim": dim, "dtype": None})
)


@prim("cumprod")
def _cumprod(self, *, dim, dtype):
    return _scan_np(np.multiply, self, dim, dtype)


def _cumprod_grad(grad, self, result, dim):
    """torch's cumprod_backward: O(n) without zeros; with zeros, O(n) first-order only and
    the O(n^2) differentiable form when a graph of the gradient is being built."""
    x = self._data
    if x.size <= 1 or x.shape[dim] == 1:
        return grad
    if not (x == 0).any():
        w = result * grad
        return apply(_rev_cumsum, (w,), (w._data,), {"dim": dim}) / self
    if not STATE.enabled:
        return _wrap(_cumprod_backward_np(grad._data, x, dim))
    n = x.shape[dim]
    shape = [1] * x.ndim
    shape[dim] = n
    pos = _wrap(np.arange(n).reshape(shape))
    out = None
    for k in range(n):
        omitted = where(pos == k, 1, self).cumprod(dim)  # prod of x[:j+1] without x[k]
        g = where(pos >= k, grad * omitted, 0.0).sum(dim, True)
        out = g * (pos == k) if out is None else where(pos == k, g, out)
    return out


def _cumprod_backward_np(g, x, dim):
    """First-order cumprod gradient with zeros (torch's O(n) masked algorithm)."""
    acc = _F64 if x.dtype == _F32 else (_F32 if x.dtype in _HALF_NP else x.dtype)
    xa = x.astype(acc)
    ga = g.astype(acc)
    is_zero = x == 0
    nz = np.cumsum(is_zero, axis=dim)
    before = nz == 0  # positions before the first zero
    out = np.zeros(x.shape, dtype=acc)
    # k < first zero: the usual formula on the zero-free prefix.
    y = np.cumprod(np.where(before, xa, 1), axis=dim)
    w = np.where(before, y * ga, 0)
    rc = np.flip(np.cumsum(np.flip(w, dim), axis=dim), dim)
    np.divide(rc, xa, out=out, where=before)
    # k = first zero: prod(x[:z]) * sum_{j in [z, z2)} g_j * prod(x[z+1..j]).
    first = is_zero & (nz == 1)
    between = (nz == 1) & ~first
    t = np.cumprod(np.where(between, xa, 1), axis=dim)
    s = np.add.reduce(np.where(nz == 1, t * ga, 0), axis=dim, keepdims=True)
    pre = np.multiply.reduce(np.where(before, xa, 1), axis=dim, keepdims=True)
    out = np.where(first, pre * s, out)
    return out.astype(g.dtype)


_cumprod.defvjp(self=_cumprod_grad)


def _scan(op, name, input, dim, dtype, out):
    d = _data(input, name)
    dim = wrap_dim(_int_dim(dim), d.ndim)
    np_dtype = None if dtype is None else to_np_dtype(dtype)
    if out is not None:
        np_dtype = _accumulate_dtype(out, np_dtype, name)
    if np_dtype == _BOOL and d.ndim and d.size:
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    _check_grad_dtype(input, np_dtype)
    result = apply(op, (input,), (d,), {"dim": dim, "dtype": np_dtype})
    return result if out is None else check_out(out, result, name)


@public()
def cumsum(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Cumulative sum along ``dim``."""
    return _scan(_cumsum, "cumsum", input, dim, dtype, out)


@public()
def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Cumulative product along ``dim``."""
    return _scan(_cumprod, "cumprod", input, dim, dtype, out)


def _scan_inplace(fn, name):
    def inplace(self: Tensor, dim: int, *, dtype=None) -> Tensor:
        from .inplace import check_inplace, commit

        if dtype is not None:
            np_dtype = to_np_dtype(dtype)
            if np_dtype != self._data.dtype:
                raise RuntimeError(
                    f"Bad in-place call: input tensor dtype {_c_name(self.dtype)} and output "
                    f"tensor dtype {_c_name(_FROM_NP[np_dtype])} should match"
                )
        if STATE.enabled:
            check_inplace(self)
        return commit(self, fn(self, dim, dtype=self.dtype))  # in self's dtype, as torch

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place version of ``{name[:-1]}``."
    return inplace


cumsum_ = public("cumsum_", function=False)(_scan_inplace(cumsum, "cumsum_"))
cumprod_ = public("cumprod_", function=False)(_scan_inplace(cumprod, "cumprod_"))


# ---------------------------------------------------------------------------------- all/any
def _bool_reduce(ufunc, name, input, dim, keepdim, out):
    d = _data(input, name)
    dims = _dims_keep_empty(dim, d.ndim)
    uint8 = d.dtype == _UINT8
    if out is not None:
        od = _check_out_tensor(out, name).dtype
        if od != _BOOL and od != _UINT8:
            raise RuntimeError(f"{name} only supports bool tensor for result, got: {_legacy(od)}")
        uint8 = od == _UINT8
        if uint8 and d.dtype != _UINT8:
            d = d.astype(_UINT8)  # torch reduces in the uint8 of the result: 0.5 is false
    b = d.astype(_BOOL, copy=False)
    r = ufunc(b, dims, None, None, keepdim) if dims is None or dims else b.copy()
    if uint8:
        r = np.asarray(r).astype(_UINT8)
    result = _wrap(r)
    return result if out is None else check_out(out, result, name)


@public()
def all(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """True where every element (over ``dim``) is non-zero (uint8 in, uint8 out)."""
    return _bool_reduce(_and_reduce, "all", input, dim, keepdim, out)


@public()
def any(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """True where some element (over ``dim``) is non-zero (uint8 in, uint8 out)."""
    return _bool_reduce(_or_reduce, "any", input, dim, keepdim, out)


@public()
def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of non-zero elements, over ``dim`` (an int or a tuple) or in all."""
    d = _data(input, "count_nonzero")
    dims = reduce_dims(dim, d.ndim)
    return _wrap(np.asarray(_add_reduce(d != 0, dims, _INT64)))


# ---------------------------------------------------------------------------------- argmax/argmin
def _arg_reduce(fn, name, input, dim, keepdim, out):
    d = _data(input, name)
    if d.dtype == _BOOL:
        raise RuntimeError(f"{name}(): does not support bool input")
    x = _cmp_view(d)
    if dim is None:
        if d.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        r = np.asarray(fn(x.reshape(-1)), dtype=_INT64)
        if keepdim:
            r = r.reshape((1,) * d.ndim)
    else:
        dim = wrap_dim(_int_dim(dim), d.ndim)
        if d.ndim == 0:
            r = np.zeros((), _INT64)
        else:
            if d.shape[dim] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero "
                                 "size.")
            r = fn(x, axis=dim, keepdims=keepdim).astype(_INT64, copy=False)
    result = _wrap(r)
    return result if out is None else _out_exact(out, result, name)


@public()
def argmax(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Index of the (first) maximum, over ``dim`` or of the flattened tensor."""
    return _arg_reduce(np.argmax, "argmax", input, dim, keepdim, out)


@public()
def argmin(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Index of the (first) minimum, over ``dim`` or of the flattened tensor."""
    return _arg_reduce(np.argmin, "argmin", input, dim, keepdim, out)


# ---------------------------------------------------------------------------------- amax/amin
def _amax_grad(grad, self, result, dim, keepdim):
    """torch's scale_grad_by_count: shared evenly among the elements equal to the result."""
    if dim is not None and not keepdim and self._data.ndim:
        grad = _unsqueeze_dims(grad, dim)
        result = _unsqueeze_dims(result, dim)
    mask = result == self
    count = mask.sum(dim, True) if dim is not None else mask.sum()
    return (grad / count) * mask


@prim("amax")
def _amax(self, *, dim, keepdim):
    return _max_reduce(self, dim, None, None, keepdim)


@prim("amin")
def _amin(self, *, dim, keepdim):
    return _min_reduce(self, dim, None, None, keepdim)


_amax.defvjp(self=_amax_grad)
_amin.defvjp(self=_amax_grad)


def _check_nonempty(d: np.ndarray, dims, name: str, all_msg: str) -> None:
    if d.size:
        return
    if dims is None:
        raise RuntimeError(all_msg)
    for dd in dims:
        if d.shape[dd] == 0:
            sep = ":" if name == "aminmax" else "():"
            raise IndexError(f"{name}{sep} Expected reduction dim {dd} to have non-zero size.")


def _empty_all_msg(name: str) -> str:
    return (f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument.")


def _amax_like(op, name, input, dim, keepdim, out):
    d = _data(input, name)
    dims = reduce_dims(dim, d.ndim)
    _check_nonempty(d, dims, name, _empty_all_msg(name))
    result = apply(op, (input,), (d,), {"dim": dims, "keepdim": keepdim})
    if out is None:
        return result
    od = _check_out_tensor(out, name).dtype
    if od != d.dtype:
        raise RuntimeError(
            f"Expected the dtype for input and out to match, but got {_legacy(d.dtype)} for "
            f"input's dtype and {_legacy(od)} for out's dtype."
        )
    return check_out(out, result, name)


@public()
def amax(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Maximum over ``dim`` (every dim if empty); the gradient is shared among ties."""
    return _amax_like(_amax, "amax", input, dim, keepdim, out)


@public()
def amin(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Minimum over ``dim`` (every dim if empty); the gradient is shared among ties."""
    return _amax_like(_amin, "amin", input, dim, keepdim, out)


@prim("aminmax", nout=2)
def _aminmax(self, *, dim, keepdim):
    return (np.asarray(_min_reduce(self, dim, None, None, keepdim)),
            np.asarray(_max_reduce(self, dim, None, None, keepdim)))


def _aminmax_grad(grads, self, result, dim, keepdim):
    gmin, gmax = grads
    out = None
    if gmin is not None:
        out = _amax_grad(gmin, self, result[0], dim, keepdim)
    if gmax is not None:
        g = _amax_grad(gmax, self, result[1], dim, keepdim)
        out = g if out is None else out + g
    return out


_aminmax.defvjp(self=_aminmax_grad)


@public()
def aminmax(input: Tensor, *, dim=None, keepdim: bool = False, out=None):
    """``(amin, amax)`` over the int ``dim`` (or all): ``ember.return_types.aminmax``."""
    d = _data(input, "aminmax")
    dims = None if dim is None else ((wrap_dim(_int_dim(dim), d.ndim),) if d.ndim else ())
    _check_nonempty(d, dims, "aminmax", "aminmax(): cannot compute aminmax over an empty "
                    "dimension as the operation has no identity.")
    res = apply(_aminmax, (input,), (d,), {"dim": dims, "keepdim": keepdim})
    if out is not None:
        return _out_pair(out, res, "aminmax", R.aminmax_out)
    return R.aminmax(res)


# ---------------------------------------------------------------------------------- max/min
def _max_dim_fwd(arg):
    def forward(self, *, dim, keepdim):
        if self.ndim == 0:
            return self.copy(), np.zeros((), _INT64)
        idx = arg(_cmp_view(self), axis=dim, keepdims=True)
        vals = np.take_along_axis(self, idx, axis=dim)
        idx = idx.astype(_INT64, copy=False)
        if not keepdim:
            vals = np.squeeze(vals, dim)
            idx = np.squeeze(idx, dim)
        return vals, idx

    return forward


def _select_grad(grads, self_shape, result, dim, keepdim):
    return _value_selecting_backward(grads[0], dim, result[1], self_shape, keepdim)


_max_dim = prim("max_dim", nout=2, backward="MaxBackward0")(_max_dim_fwd(np.argmax))
_min_dim = prim("min_dim", nout=2, backward="MinBackward0")(_max_dim_fwd(np.argmin))
_max_dim.defvjp(self=_select_grad)
_min_dim.defvjp(self=_select_grad)


@prim("max", backward="MaxBackward1")
def _max_all(self):
    return _max_reduce(self, None)


@prim("min", backward="MinBackward1")
def _min_all(self):
    return _min_reduce(self, None)


_max_all.defvjp(self=_evenly_distribute)
_min_all.defvjp(self=_evenly_distribute)


def _max_min(name, all_op, dim_op, binary, rtype, rtype_out, input, dim, keepdim, out, other):
    if other is not None:
        return binary(input, other, out=out)
    d = _data(input, name)
    if dim is _UNSET:
        if d.size == 0:
            raise RuntimeError(_empty_all_msg(name))
        result = apply(all_op, (input,), (d,))
        return result if out is None else _out_exact(out, result, name)
    if isinstance(dim, Tensor):
        return binary(input, dim, out=out)
    dim = wrap_dim(dim, d.ndim)
    if d.ndim:
        _check_nonempty(d, (dim,), name, "")
    res = apply(dim_op, (input,), (d,), {"dim": dim, "keepdim": keepdim})
    if out is not None:
        return _out_pair(out, res, name, rtype_out)
    return rtype(res)


@public()
def max(input: Tensor, dim=_UNSET, keepdim: bool = False, *, out=None, other=None):
    """``max(x)``: the maximum; ``max(x, dim)``: (values, indices); ``max(x, y)``: maximum."""
    return _max_min("max", _max_all, _max_dim, maximum, R.max, R.max_out, input, dim, keepdim,
                    out, other)


@public()
def min(input: Tensor, dim=_UNSET, keepdim: bool = False, *, out=None, other=None):
    """``min(x)``: the minimum; ``min(x, dim)``: (values, indices); ``min(x, y)``: minimum."""
    return _max_min("min", _min_all, _min_dim, minimum, R.min, R.min_out, input, dim, keepdim,
                    out, other)


# ---------------------------------------------------------------------------------- median
@prim("median")
def _median_all(self):
    x = _cmp_view(self).reshape(-1)
    if x.size == 0:
        return np.asarray(np.nan if self.dtype.kind in "fV" else np.iinfo(self.dtype).min,
                          dtype=self.dtype)
    if x.dtype.kind == "f" and np.isnan(x).any():
        return np.asarray(np.nan, dtype=self.dtype)
    k = (x.size - 1) // 2
    return np.asarray(np.partition(x, k)[k]).astype(self.dtype)


_median_all.defvjp(self=_evenly_distribute)


@prim("median_dim", nout=2, backward="MedianBackward1")
def _median_dim(self, *, dim, keepdim):
    if self.ndim == 0:
        return self.copy(), np.zeros((), _INT64)
    x = _cmp_view(self)
    n = x.shape[dim]
    order = np.argsort(x, axis=dim, kind="stable")
    idx = np.take(order, [(n - 1) // 2] if n else [], axis=dim)
    if x.dtype.kind == "f" and n:
        nan = np.isnan(x)
        has = nan.any(axis=dim, keepdims=True)
        if has.any():
            idx = np.where(has, np.argmax(nan, axis=dim, keepdims=True), idx)
    idx = idx.astype(_INT64, copy=False)
    vals = np.take_along_axis(self, idx, axis=dim)
    if not keepdim:
        vals = np.squeeze(vals, dim)
        idx = np.squeeze(idx, dim)
    return vals, idx


_median_dim.defvjp(self=_select_grad)


@public()
def median(input: Tensor, dim=_UNSET, keepdim: bool = False, *, out=None):
    """The lower median of all elements; with ``dim``, ``return_types.median``."""
    d = _data(input, "median")
    if dim is _UNSET:
        if d.dtype == _BOOL:
            raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
        result = apply(_median_all, (input,), (d,))
        return result if out is None else _out_exact(out, result, "median")
    dim = wrap_dim(_int_dim(dim), d.ndim)
    if d.ndim:
        _check_nonempty(d, (dim,), "median", "")
    if d.dtype == _BOOL:
        raise NotImplementedError("\"median_out\" not implemented for 'Bool'")
    res = apply(_median_dim, (input,), (d,), {"dim": dim, "keepdim": keepdim})
    if out is not None:
        return _out_pair(out, res, "median", R.median_out)
    return R.median(res)


# ---------------------------------------------------------------------------------- sort
def _argsort_np(x, dim, descending):
    """torch's CPU sort order: stable; NaN last ascending, first descending."""
    x = _cmp_view(x)
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    # Stable descending: sort the reversed array ascending, reverse, and map back.
    n = x.shape[dim]
    r = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(r, dim)


# Replaying libstdc++ runs in Python (about 1 us per element for topk, 1 us * log n for sort):
# past this many elements in one call, rows with ties keep NumPy's stable order (same values;
# only which of several equal elements' indices comes first can then differ from torch's).
_SORT_REPLAY_BUDGET = 1 << 18
_TOPK_REPLAY_BUDGET = 1 << 20


def _sort_order(x, dim, descending, stable):
    """torch's CPU sort order along ``dim`` (x has at least one dim).

    ``stable=True`` is std::stable_sort: NumPy's stable argsort. Otherwise torch runs std::sort
    (introsort), whose order of equal elements we replay on the rows that have ties; rows of
    at most 16 elements (insertion sort), 1-d integer data of 32768+ elements sorted ascending
    (radix sort) and dims of stride 0 (torch returns early) come out stable anyway.
    """
    order = _argsort_np(x, dim, descending)
    n = x.shape[dim]
    if stable or n <= 16 or x.strides[dim] == 0 or (
            x.ndim == 1 and not descending and x.dtype.kind in "iu" and n >= 32768):
        return order
    rows = np.moveaxis(_cmp_view(x), dim, -1)
    shape = rows.shape
    rows = rows.reshape(-1, n)
    om = np.moveaxis(order, dim, -1).reshape(-1, n)
    replay = np.flatnonzero(_tie_rows(rows, om, n, n))
    if len(replay) and len(replay) * n <= _SORT_REPLAY_BUDGET:
        om = om.copy()
        for r in replay:
            q = _stl_pairs(rows[r], descending)
            _std_sort(q, 0, n)
            om[r] = [p[1] for p in q]
        order = np.moveaxis(om.reshape(shape), -1, dim)
    return order


@prim("sort", nout=2)
def _sort(self, *, dim, descending, stable):
    if self.ndim == 0:
        return self.copy(), np.zeros((), _INT64)
    idx = _sort_order(self, dim, descending, stable).astype(_INT64, copy=False)
    return np.take_along_axis(self, idx, axis=dim), idx


def _sort_grad(grads, self_shape, result, dim):
    return _value_selecting_backward(grads[0], dim, result[1], self_shape, True)


_sort.defvjp(self=_sort_grad)


@public()
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False,
         out=None):
    """Sorted values and their indices along ``dim`` (NaN sorts as the largest value)."""
    d = _data(input, "sort")
    dim = wrap_dim(_int_dim(dim), d.ndim)
    res = apply(_sort, (input,), (d,), {"dim": dim, "descending": bool(descending),
                                        "stable": bool(stable)})
    if out is not None:
        return _out_pair(out, res, "sort", R.sort_out)
    return R.sort(res)


@public()
def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim``."""
    d = _data(input, "argsort")
    dim = wrap_dim(_int_dim(dim), d.ndim)
    if d.ndim == 0:
        return _wrap(np.zeros((), _INT64))
    return _wrap(_sort_order(d, dim, descending, stable).astype(_INT64, copy=False))


# ---------------------------------------------------------------------------------- topk
@prim("topk", nout=2)
def _topk(self, *, k, dim, largest, sorted):
    if self.ndim == 0:
        return self.copy(), np.zeros((), _INT64)
    x = np.moveaxis(_cmp_view(self), dim, -1)
    lead = x.shape[:-1]
    n = x.shape[-1]
    rows = x.reshape(math.prod(lead), n)
    order = _topk_candidates(rows, k, n, largest)
    idx = order[:, :k].copy()
    if k:
        # Rows whose result depends on torch's selection algorithm are replayed exactly.
        if not sorted and k * 64 > n:
            replay = np.ones(len(rows), bool)  # nth_element's order, unsorted
        else:
            replay = _tie_rows(rows, order, k, n)
        replay = np.flatnonzero(replay)
        if len(replay) * n <= _TOPK_REPLAY_BUDGET:
            for r in replay:
                idx[r] = _stl_topk(rows[r], k, largest, sorted)
    idx = np.moveaxis(idx.reshape(lead + (k,)), -1, dim).astype(_INT64, copy=False)
    return np.take_along_axis(self, idx, axis=dim), idx


def _topk_candidates(rows, k, n, largest):
    """The first k+1 (or all) positions of each row in stable sorted order."""
    if k + 1 >= n or rows.dtype == _BOOL or (rows.dtype.kind == "f" and np.isnan(rows).any()):
        return _argsort_np(rows, 1, largest)
    keys = rows
    if largest:
        keys = np.negative(rows) if rows.dtype.kind == "f" else np.invert(rows)
    cand = np.argpartition(keys, k, axis=1)[:, :k + 1]  # the k+1 smallest keys, unordered
    ck = np.take_along_axis(keys, cand, axis=1)
    return np.take_along_axis(cand, np.lexsort((cand, ck), axis=1), axis=1)


def _tie_rows(rows, order, k, n):
    """Rows where an equal pair lies among the first k+1 in sorted order."""
    m = builtins.min(k + 1, n)
    top = np.take_along_axis(rows, order[:, :m], axis=1)
    ties = (top[:, 1:] == top[:, :-1]).any(axis=1)
    if top.dtype.kind == "f":
        ties |= np.isnan(top).sum(axis=1) > 1
    return ties


def _topk_grad(grads, self_shape, result, dim):
    return _value_selecting_backward(grads[0], dim, result[1], self_shape, True)


_topk.defvjp(self=_topk_grad)


@public()
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None):
    """The ``k`` largest (or smallest) elements along ``dim``: ``return_types.topk``."""
    d = _data(input, "topk")
    dim = wrap_dim(_int_dim(dim), d.ndim)
    k = int(k)
    if not 0 <= k <= (d.shape[dim] if d.ndim else 1):
        raise RuntimeError("selected index k out of range")
    if d.dtype == _BOOL:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    res = apply(_topk, (input,), (d,), {"k": k, "dim": dim, "largest": bool(largest),
                                        "sorted": bool(sorted)})
    if out is not None:
        return _out_pair(out, res, "topk", R.topk_out)
    return R.topk(res)


# libstdc++'s algorithms, on a list of (key, index) pairs compared by key with ``<``: torch's
# CPU sort runs std::sort, and topk nth_element (then sort) or partial_sort, on (value, index)
# pairs, so which of several equal values comes first is decided by these exact steps.
def _stl_pairs(row: np.ndarray, descending: bool) -> list:
    """(key, index) pairs whose keys compare as torch's comparator compares the values."""
    # Ranks preserve the comparator: NaNs are equal to each other and above every number.
    _, rank = np.unique(row, return_inverse=True)
    keys = (-rank if descending else rank).tolist()
    return list(zip(keys, range(len(keys))))


def _stl_topk(row: np.ndarray, k: int, largest: bool, sorted_: bool) -> np.ndarray:
    q = _stl_pairs(row, largest)
    n = len(q)
    if k * 64 <= n:
        _partial_sort(q, 0, k, n)
    else:
        _nth_element(q, 0, k - 1, n)
        if sorted_:
            _std_sort(q, 0, k - 1)
    return np.array([p[1] for p in q[:k]], dtype=np.intp)


def _unguarded_linear_insert(q, last):
    val = q[last]
    key = val[0]
    nxt = last - 1
    while key < q[nxt][0]:
        q[last] = q[nxt]
        last = nxt
        nxt -= 1
    q[last] = val


def _insertion_sort(q, first, last):
    if first == last:
        return
    for i in range(first + 1, last):
        val = q[i]
        if val[0] < q[first][0]:
            q[first + 1:i + 1] = q[first:i]
            q[first] = val
        else:
            _unguarded_linear_insert(q, i)


def _final_insertion_sort(q, first, last):
    if last - first > 16:
        _insertion_sort(q, first, first + 16)
        for i in range(first + 16, last):
            _unguarded_linear_insert(q, i)
    else:
        _insertion_sort(q, first, last)


def _move_median_to_first(q, result, a, b, c):
    ka, kb, kc = q[a][0], q[b][0], q[c][0]
    if ka < kb:
        if kb < kc:
            pick = b
        elif ka < kc:
            pick = c
        else:
            pick = a
    elif ka < kc:
        pick = a
    elif kb < kc:
        pick = c
    else:
        pick = b
    q[result], q[pick] = q[pick], q[result]


def _unguarded_partition(q, first, last, pivot):
    pk = q[pivot][0]
    while True:
        while q[first][0] < pk:
            first += 1
        last -= 1
        while pk < q[last][0]:
            last -= 1
        if not first < last:
            return first
        q[first], q[last] = q[last], q[first]
        first += 1


def _partition_pivot(q, first, last):
    mid = first + (last - first) // 2
    _move_median_to_first(q, first, first + 1, mid, last - 1)
    return _unguarded_partition(q, first + 1, last, first)


def _push_heap(q, first, hole, top, value):
    key = value[0]
    parent = (hole - 1) // 2
    while hole > top and q[first + parent][0] < key:
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value


def _adjust_heap(q, first, hole, length, value):
    top = hole
    second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if q[first + second][0] < q[first + second - 1][0]:
            second -= 1
        q[first + hole] = q[first + second]
        hole = second
    if (length & 1) == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        q[first + hole] = q[first + second - 1]
        hole = second - 1
    _push_heap(q, first, hole, top, value)


def _pop_heap(q, first, last, result):
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value)


def _make_heap(q, first, last):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(q, first, parent, length, q[first + parent])
        if parent == 0:
            return
        parent -= 1


def _heap_select(q, first, middle, last):
    _make_heap(q, first, middle)
    for i in range(middle, last):
        if q[i][0] < q[first][0]:
            _pop_heap(q, first, middle, i)


def _sort_heap(q, first, last):
    while last - first > 1:
        last -= 1
        _pop_heap(q, first, last, last)


def _partial_sort(q, first, middle, last):
    _heap_select(q, first, middle, last)
    _sort_heap(q, first, middle)


def _introsort_loop(q, first, last, depth):
    while last - first > 16:
        if depth == 0:
            _partial_sort(q, first, last, last)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        _introsort_loop(q, cut, last, depth)
        last = cut


def _std_sort(q, first, last):
    if last - first > 1:
        _introsort_loop(q, first, last, 2 * ((last - first).bit_length() - 1))
        _final_insertion_sort(q, first, last)


def _nth_element(q, first, nth, last):
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last)


# ---------------------------------------------------------------------------------- unique
def _not_differentiable(name):
    def formula(grads):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    return formula


@prim("_unique2", nout=3, backward="Unique2Backward0")
def _unique2(self):
    flat = self.reshape(-1)
    keys = _cmp_view(flat)
    n = flat.size
    order = np.argsort(keys, kind="stable")
    s = keys[order]
    new = np.empty(n, bool)
    new[:1] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])  # NaN != NaN: every NaN stays distinct
    values = flat[order][new]
    inverse = np.empty(n, _INT64)
    inverse[order] = np.cumsum(new) - 1
    counts = np.diff(np.append(np.flatnonzero(new), n)).astype(_INT64)
    return values, inverse.reshape(self.shape), counts


@prim("unique_dim", nout=3)
def _unique_dim(self, *, dim):
    moved = np.moveaxis(self, dim, 0)
    m = moved.shape[0]
    rows = _cmp_view(moved.reshape(m, math.prod(moved.shape[1:])))
    if m == 0:
        return self.copy(), np.zeros(0, _INT64), np.zeros(0, _INT64)
    order = np.lexsort(rows.T[::-1]) if rows.shape[1] else np.arange(m)
    s = rows[order]
    new = np.empty(m, bool)
    new[:1] = True
    np.any(s[1:] != s[:-1], axis=1, out=new[1:])
    values = np.moveaxis(moved[order][new], 0, dim)
    inverse = np.empty(m, _INT64)
    inverse[order] = np.cumsum(new) - 1
    counts = np.diff(np.append(np.flatnonzero(new), m)).astype(_INT64)
    return np.ascontiguousarray(values), inverse, counts


_unique2.defvjp(self=_not_differentiable("_unique2"))
_unique_dim.defvjp(self=_not_differentiable("unique_dim"))


@public()
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim=None):
    """The distinct elements (sorted), optionally with inverse indices and counts."""
    d = _data(input, "unique")
    if dim is None:
        values, inverse, counts = apply(_unique2, (input,), (d,))
    else:
        dim = wrap_dim(_int_dim(dim), d.ndim)
        if d.size == 0 and d.ndim and d.shape[dim] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        values, inverse, counts = apply(_unique_dim, (input,), (d,), {"dim": dim})
    if return_inverse and return_counts:
        return values, inverse, counts
    if return_inverse:
        return values, inverse
    if return_counts:
        return values, counts
    return values


# ---------------------------------------------------------------------------------- nonzero
@public()
def nonzero(input: Tensor, *, as_tuple: bool = False, out=None):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-d ones."""
    d = _data(input, "nonzero")
    if d.ndim == 0:  # a 0-d tensor counts as 1-d for as_tuple, and has no index columns
        idx = np.nonzero(d.reshape(1))
        if as_tuple:
            return (_wrap(idx[0].astype(np.int64)),)
        result = _wrap(np.zeros((len(idx[0]), 0), dtype=np.int64))
    else:
        idx = np.nonzero(d)
        if as_tuple:
            return tuple(_wrap(i.astype(np.int64)) for i in idx)
        result = _wrap(np.stack(idx, axis=1).astype(np.int64))
    return result if out is None else _out_exact(out, result, "nonzero")


# ---------------------------------------------------------------------------------- more scans
@prim("logcumsumexp")
def _logcumsumexp(self, *, dim):
    if self.ndim == 0:
        return self.copy()
    x = self.astype(_F32) if self.dtype in _HALF_NP else self
    return np.logaddexp.accumulate(x, axis=dim).astype(self.dtype, copy=False)


def _logcumsumexp_grad(grad, self, result, dim):
    # torch's formula: grad_i = sum_{j >= i} grad_j * exp(x_i - out_j), summed in log space
    # separately for the positive and the negative gradients (stable, as torch's)
    if grad.dim() == 0 or grad.numel() == 0:
        return grad

    def rev_lcse(x):
        return _shape.flip(logcumsumexp(_shape.flip(x, (dim,)), dim), (dim,))

    lowest = float(D.finfo(grad.dtype).min)
    log_abs = grad.abs().log()
    pos = (rev_lcse(where(grad > 0, log_abs, lowest) - result) + self).exp()
    neg = (rev_lcse(where(grad < 0, log_abs, lowest) - result) + self).exp()
    return pos - neg


_logcumsumexp.defvjp(self=_logcumsumexp_grad)


@public()
def logcumsumexp(input: Tensor, dim: int, *, out=None) -> Tensor:
    """``log(cumsum(exp(input), dim))``, computed stably."""
    d = _data(input, "logcumsumexp")
    dim = wrap_dim(_int_dim(dim), d.ndim)
    if d.dtype.kind not in "fV":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype._legacy}'")
    result = apply(_logcumsumexp, (input,), (d,), {"dim": dim})
    return result if out is None else check_out(out, result, "logcumsumexp")


@public()
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (after concatenating prepend/append)."""
    d = _data(input, "diff")
    if d.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, d.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        if t.dim() != d.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    if n == 0:  # torch returns a copy of input (CopyBackwards), prepend/append ignored
        return input.new_empty(input.shape).copy_(input)
    x = _shape.cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[dim]
        if size == 0:
            break
        hi, lo = _shape.narrow(x, dim, 1, size - 1), _shape.narrow(x, dim, 0, size - 1)
        x = hi.logical_xor(lo) if x.dtype is D.bool_ else hi - lo
    return x


@public()
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Counts of each non-negative integer (weighted sums with ``weights``)."""
    d = _data(input, "bincount")
    if d.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{input.dtype._legacy}'")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None or d.size == 0:  # torch: an empty input counts in int64, weights or not
        return _wrap(np.bincount(d, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != d.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    # float32 weights keep their dtype; every other dtype accumulates into float64
    dt = np.float32 if w.dtype == np.float32 else np.float64
    return _wrap(np.bincount(d, w.astype(np.float64), minlength=minlength).astype(dt))


@public()
def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal-width bins over [min, max] (the data's range if equal)."""
    d = _data(input, "histc")
    if d.dtype.kind not in "fV":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{input.dtype._legacy}'")
    if bins <= 0:
        raise RuntimeError(f"ember.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("ember.histc: max must be larger than min")
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        # (a NaN range comes from the data's min/max, which torch prints as -nan)
        lo_s, hi_s = ("-nan" if v != v else f"{v:g}" for v in (lo, hi))
        raise RuntimeError(f"ember.histc: range of [{lo_s}, {hi_s}] is not finite")
    # torch's linear bin search, in the input's dtype (one rounding per operation)
    lo, hi = np.asarray(lo).astype(d.dtype), np.asarray(hi).astype(d.dtype)
    x = d.ravel()
    x = x[(x >= lo) & (x <= hi)]
    idx = ((x - lo) * np.asarray(bins).astype(d.dtype) / (hi - lo)).astype(np.int64)
    idx = np.minimum(idx, bins - 1)  # the last bin holds its right edge
    result = _wrap(np.bincount(idx, minlength=bins).astype(d.dtype))
    return result if out is None else check_out(out, result, "histc")


def _renorm_dims(ndim, dim):
    return tuple(i for i in range(ndim) if i != dim)


@prim("renorm")
def _renorm(self, *, p, dim, maxnorm):
    # torch: the norm and the factor in the accumulate type (float32 for half inputs), the
    # factor rounded to the input's dtype, then one product
    acc = _F32 if self.dtype in _HALF_NP else self.dtype
    x = self.astype(acc, copy=False)
    norm = _vector_norm_np(x, p, _renorm_dims(self.ndim, dim), True, acc)
    m = acc.type(maxnorm)
    factor = np.where(norm > m, m / (norm + acc.type(1e-7)), acc.type(1))
    return self * factor.astype(self.dtype)


def _renorm_grad(grad, self, p, dim, maxnorm):
    # torch's renorm_backward
    dims = _renorm_dims(self.dim(), dim)
    acc = D.float32 if self._data.dtype in _HALF_NP else None
    norm = vector_norm(self, p, dims, True, dtype=acc)
    grad_output = sum(self * grad, dims, True, dtype=acc)
    nb = _norm_grad(grad_output, self, norm, p, dims, True)
    invnorm = (norm + 1e-7).reciprocal()
    return where(norm > maxnorm, invnorm * maxnorm * (grad - invnorm * nb), grad)


_renorm.defvjp(self=_renorm_grad)


@public(inplace=True)
def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each slice along ``dim`` rescaled so its ``p``-norm is at most ``maxnorm``."""
    d = _data(input, "renorm")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_fmt_scalar(maxnorm)}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    dim = wrap_dim(dim, d.ndim)
    if d.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {d.ndim} dimensions")
    if d.dtype.kind not in "fV":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype._legacy}")
    return apply(_renorm, (input,), (d,), {"p": float(p), "dim": dim, "maxnorm": float(maxnorm)})
