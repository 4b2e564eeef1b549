"""Normalization primitives: batch_norm (native_batch_norm), layer_norm (native_layer_norm),
group_norm (native_group_norm) and instance_norm (batch_norm over a (1, N*C, ...) view).

Statistics follow torch's CPU kernels: batch norm sums in float64 (torch's ``acc_type`` of
float) and keeps the mean, the biased variance sum and ``invstd`` in the parameter dtype; the
running statistics are updated with torch's expression and rounding. Layer and group norm
compute mean and variance in float64 and round them to the input dtype (torch: a float32
Welford; the results agree to the last bit in nearly all cases), then apply
``(x * rstd - mean * rstd) * weight + bias`` in the input dtype.

Backward passes are fused NumPy (one pass per input); under ``create_graph`` the gradients
are written in ember ops instead, so double backward works.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from . import registry as _reg
from ._util import FLOAT_NP
from .registry import apply, prim, public

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_FROM_NP = D._FROM_NP
_add_reduce = np.add.reduce


def _legacy(dt) -> str:
    return _FROM_NP[dt]._legacy


def _size(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _compute_dtype(dt):
    return _F32 if dt in _HALF_NP else dt


def fma(a, b, c):
    """``a * b + c`` rounded once, as the fused multiply-adds of torch's vectorized kernels
    (float32 through float64: exact product, one rounding in all but rare ties)."""
    a = np.asarray(a)
    if a.dtype == _F64:
        from .elementwise import _fma64

        return _fma64(a, b, c)
    dt = a.dtype
    r = np.multiply(a, b, dtype=_F64)
    r += c
    return r.astype(dt)


def _bshape(ndim: int, c: int) -> tuple:
    """A per-channel vector's shape for broadcasting along dim 1."""
    return (1, c) + (1,) * (ndim - 2) if ndim > 1 else (c,)


# ---------------------------------------------------------------------------------- batch norm
def batch_norm_stats(x: np.ndarray, eps: float):
    """(mean, biased variance sum, invstd) per channel as torch's CPU kernel computes them."""
    ct = _compute_dtype(x.dtype)
    axes = (0,) + tuple(range(2, x.ndim))
    c = x.shape[1] if x.ndim > 1 else x.shape[0]
    n = x.size // c if c else 0
    hw = n // x.shape[0] if x.shape[0] else 0
    if hw == 1 and x.ndim > 1 and x.dtype == ct:
        mean, var_sum = _rows_stats(x.reshape(-1, c))
    else:
        x64 = x.astype(_F64)
        s = _add_reduce(x64, axes)
        mean = (s / x.shape[0] / hw).astype(ct)
        xc = x.astype(ct, copy=False)
        diff = xc - mean.reshape(_bshape(x.ndim, c))
        var_sum = _add_reduce((diff * diff).astype(_F64), axes).astype(ct)
    var = (var_sum / ct.type(n)).astype(_F64)
    with np.errstate(divide="ignore"):
        invstd = np.where((var != 0) | (eps != 0), 1.0 / np.sqrt(var + eps), 0.0).astype(ct)
    return mean, var_sum, invstd, n


def _threads() -> int:
    global _THREADS
    if _THREADS is None:
        import os

        try:
            _THREADS = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            _THREADS = os.cpu_count() or 1
    return _THREADS


_THREADS = None


def _rows_stats(x: np.ndarray):
    """Mean and variance sum of an (N, C) input as torch's channels-last kernel: each of its
    threads (one per core) adds a block of rows in the input dtype, the blocks are summed in
    float64; the squares are accumulated with fused multiply-adds."""
    n, c = x.shape
    t = min(_threads(), n)
    chunk = -(-n // t)
    blocks = [x[i * chunk:(i + 1) * chunk] for i in range(t) if i * chunk < n]
    s = np.zeros(c, _F64)
    for b in blocks:
        s += _add_reduce(b, 0)  # rows one after another, in the input dtype
    mean = (s / n).astype(x.dtype)
    vs = np.zeros(c, _F64)
    exact = x.dtype == _F32 and n <= 1024  # a Python step per row: bounded
    for b in blocks:
        d = b - mean
        if exact:  # y = fma(d, d, y), row by row
            d2 = np.square(d, dtype=_F64)
            y = np.zeros(c, _F32)
            for row in d2:
                y = (row + y).astype(_F32)
            vs += y
        else:
            vs += _add_reduce(d * d, 0)
    return mean, vs.astype(x.dtype)


@prim("native_batch_norm", backward="NativeBatchNormBackward0")
def _batch_norm(input, weight, bias, *, mean, invstd, training, eps):
    dt = input.dtype
    ct = _compute_dtype(dt)
    x = input.astype(ct, copy=False)
    alpha = invstd if weight is None else invstd * weight.astype(ct, copy=False)
    beta = -(mean * alpha) if bias is None else fma(-mean, alpha, bias.astype(ct, copy=False))
    shape = _bshape(x.ndim, mean.shape[0])
    return fma(x, alpha.reshape(shape), beta.reshape(shape)).astype(dt, copy=False)


@_batch_norm.vjp
def _batch_norm_grads(grad, input, weight, mean, invstd, training, eps, needs_input_grad):
    axes = (0,) + tuple(range(2, input.ndim))
    if STATE.enabled:  # create_graph: the same formulas in ember ops
        return _norm_grads_graph(grad, input, weight, axes, eps, training, mean, invstd, None)
    x, g = input._data, grad._data
    ct = _compute_dtype(x.dtype)
    x, g = x.astype(ct, copy=False), g.astype(ct, copy=False)
    shape = _bshape(x.ndim, mean.shape[0])
    m, r = mean.reshape(shape), invstd.reshape(shape)
    w = None if weight is None else weight._data.astype(ct).reshape(shape)
    xhat = (x - m) * r
    gsum = _add_reduce(g.astype(_F64), axes)
    dotp = _add_reduce((g * xhat).astype(_F64), axes)
    gi = gw = gb = None
    if needs_input_grad[0]:
        if training:
            n = x.size // mean.shape[0]
            k = (dotp / n).astype(ct).reshape(shape)
            gm = (gsum / n).astype(ct).reshape(shape)
            gi = (g - gm - xhat * k) * r
        else:
            gi = g * r
        if w is not None:
            gi = gi * w
        gi = _wrap(np.asarray(gi).astype(input._data.dtype, copy=False))
    if weight is not None and needs_input_grad[1]:
        gw = _wrap(dotp.astype(weight._data.dtype))
    if needs_input_grad[2]:
        gb = _wrap(gsum.astype(grad._data.dtype if weight is None else weight._data.dtype))
    return gi, gw, gb


def _norm_grads_graph(grad, input, weight, axes, eps, training, mean, invstd, wshape):
    """Batch/layer norm gradients in ember ops (differentiable again), stats recomputed."""
    shape = [1] * input.ndim
    for i in range(input.ndim):
        if i not in axes:
            shape[i] = input.shape[i]
    if training:
        mu = input.mean(axes, keepdim=True)
        r = ((input - mu).pow(2).mean(axes, keepdim=True) + eps).rsqrt()
    else:
        mu = _wrap(mean.reshape(shape))
        r = _wrap(invstd.reshape(shape))
    xhat = (input - mu) * r
    gw = gb = None
    if weight is not None:
        wv = weight.reshape(wshape or shape)
        gx = grad * wv
        red = tuple(i for i in range(input.ndim) if (wshape or shape)[i] == 1)
        gw = (grad * xhat).sum(red).reshape(weight.shape)
        gb = grad.sum(red).reshape(weight.shape)
    else:
        gx = grad
        red = tuple(i for i in range(input.ndim) if shape[i] == 1)
        gb = grad.sum(red)
    if training:
        gi = r * (gx - gx.mean(axes, keepdim=True) - xhat * (gx * xhat).mean(axes, keepdim=True))
    else:
        gi = gx * r
    return gi, gw, gb


def _check_bn(input: Tensor, weight, bias, running_mean, running_var) -> int:
    d = input._data
    c = d.shape[1] if d.ndim > 1 else 0
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    if d.dtype not in FLOAT_NP:
        raise NotImplementedError(f'"batch_norm" not implemented for \'{_legacy(d.dtype)}\'')
    if d.dtype not in _HALF_NP:
        for t in (weight, bias, running_mean, running_var):
            if t is not None and t._data.dtype != d.dtype:
                raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    return c


@public(method=False)
def batch_norm(input: Tensor, weight, bias, running_mean, running_var, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = True) -> Tensor:
    """Batch normalization over dim 1; in training, updates the running statistics in place
    (unbiased variance) as torch does."""
    d = input._data
    c = _check_bn(input, weight, bias, running_mean, running_var)
    ct = _compute_dtype(d.dtype)
    if training or running_mean is None or running_var is None:
        if d.size == 0:
            mean = np.zeros(c, ct)
            invstd = np.full(c, np.nan, ct)
            n = 0
            var_sum = np.zeros(c, ct)
        else:
            mean, var_sum, invstd, n = batch_norm_stats(d, eps)
        if training:
            _update_running(running_mean, running_var, mean, var_sum, n, momentum)
        train = True
    else:
        pt = running_var._data.dtype
        rv = running_var._data.astype(_compute_dtype(pt))
        mean = running_mean._data.astype(_compute_dtype(pt))
        invstd = (1 / np.sqrt(rv + rv.dtype.type(eps))).astype(rv.dtype)
        train = False
    mean = mean.astype(ct, copy=False)
    invstd = invstd.astype(ct, copy=False)
    return apply(_batch_norm, (input, weight, bias),
                 (d, None if weight is None else weight._data,
                  None if bias is None else bias._data),
                 {"mean": mean, "invstd": invstd, "training": train, "eps": eps})


def _update_running(running_mean, running_var, mean, var_sum, n, momentum) -> None:
    if running_mean is not None:
        rm = running_mean._data
        pt = _compute_dtype(rm.dtype)
        m = pt.type(momentum)
        new = m * mean.astype(pt) + (pt.type(1) - m) * rm.astype(pt)
        np.copyto(rm, new, casting="unsafe")
        running_mean._vc[0] += 1
    if running_var is not None:
        rv = running_var._data
        pt = _compute_dtype(rv.dtype)
        m = pt.type(momentum)
        unbiased = (var_sum.astype(pt) / pt.type(n - 1)).astype(_F64) if n > 1 else np.full(
            var_sum.shape, np.nan if n == 1 else np.inf)
        if n == 0:
            unbiased = np.full(var_sum.shape, np.nan)
        # torch: momentum (float) * unbiased (double) + (1 - momentum) * running_var (float)
        new = float(m) * unbiased + ((pt.type(1) - m) * rv.astype(pt)).astype(_F64)
        np.copyto(rv, new, casting="unsafe")
        running_var._vc[0] += 1


@public(method=False)
def instance_norm(input: Tensor, weight, bias, running_mean, running_var,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = True) -> Tensor:
    """Batch norm of the (1, N*C, ...) view; running statistics averaged over the batch."""
    d = input._data
    b, c = d.shape[0], d.shape[1]
    shape = (1, b * c) + d.shape[2:]
    x = input.contiguous().view(shape)
    w = None if weight is None else weight.repeat(b)
    bb = None if bias is None else bias.repeat(b)
    rm = None if running_mean is None else running_mean.repeat(b)
    rv = None if running_var is None else running_var.repeat(b)
    out = batch_norm(x, w, bb, rm, rv, use_input_stats, momentum, eps)
    if running_mean is not None and use_input_stats:
        np.copyto(running_mean._data, rm._data.reshape(b, c).mean(0), casting="unsafe")
        running_mean._vc[0] += 1
    if running_var is not None and use_input_stats:
        np.copyto(running_var._data, rv._data.reshape(b, c).mean(0), casting="unsafe")
        running_var._vc[0] += 1
    return out.view(d.shape)


# ---------------------------------------------------------------------------------- layer norm
def _row_stats(x: np.ndarray, axes: tuple, eps: float):
    """(mean, rstd) over ``axes`` (kept) in the compute dtype: two passes with NumPy's pairwise
    sums (as accurate as torch's Welford pass; the two may differ in the last bit)."""
    ct = _compute_dtype(x.dtype)
    x = x.astype(ct, copy=False)
    n = 1
    for a in axes:
        n *= x.shape[a]
    mean = _add_reduce(x, axes, ct, None, True) / ct.type(n)
    d = x - mean
    np.multiply(d, d, out=d)
    var = _add_reduce(d, axes, ct, None, True) / ct.type(n)
    rstd = ct.type(1) / np.sqrt(np.maximum(var, ct.type(0)) + ct.type(eps))
    return mean.astype(ct, copy=False), np.asarray(rstd).astype(ct, copy=False)


@prim("native_layer_norm", backward="NativeLayerNormBackward0", nout=3)
def _layer_norm(input, weight, bias, *, normalized_ndim, eps):
    dt = input.dtype
    ct = _compute_dtype(dt)
    x = input.astype(ct, copy=False)
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    if x.size == 0:
        stat_shape = x.shape[: x.ndim - normalized_ndim] + (1,) * normalized_ndim
        mean = np.zeros(stat_shape, ct)
        rstd = np.zeros(stat_shape, ct)
        return np.empty(x.shape, dt), mean, rstd
    mean, rstd = _row_stats(x, axes, eps)
    out = x - mean
    out *= rstd
    # torch: fma((x - mean) * rstd, gamma, beta); a multiply and an add here (at most one
    # rounding apart, and the statistics differ in the last bit anyway)
    if weight is not None:
        out *= weight.astype(ct, copy=False)
    if bias is not None:
        out += bias.astype(ct, copy=False)
    return out.astype(dt, copy=False), mean, rstd


@_layer_norm.vjp
def _layer_norm_grads(grads, input, weight, result, normalized_ndim, eps, needs_input_grad):
    grad = grads[0]
    nd = input.ndim
    axes = tuple(range(nd - normalized_ndim, nd))
    outer = tuple(range(nd - normalized_ndim))
    if grad is None:
        return None, None, None
    if STATE.enabled:
        return _ln_grads_graph(grad, input, weight, axes, outer, eps)
    _, mean_t, rstd_t = result
    x, g = input._data, grad._data
    ct = _compute_dtype(x.dtype)
    x, g = x.astype(ct, copy=False), g.astype(ct, copy=False)
    mean, rstd = mean_t._data, rstd_t._data
    xhat = x - mean
    xhat *= rstd
    gi = gw = gb = None
    if needs_input_grad[0]:
        gx = g if weight is None else g * weight._data.astype(ct)
        n = 1
        for a in axes:
            n *= x.shape[a]
        m1 = _add_reduce(gx, axes, None, None, True) / ct.type(n)
        m2 = _add_reduce(gx * xhat, axes, None, None, True) / ct.type(n)
        # rstd * (gx - mean(gx) - xhat * mean(gx * xhat))
        t = xhat * m2
        t += m1
        t = np.subtract(gx, t, out=t)
        t *= rstd
        gi = _wrap(t.astype(input._data.dtype, copy=False))
    if weight is not None and needs_input_grad[1]:
        gw = _wrap(np.asarray(_add_reduce(g * xhat, outer)).astype(weight._data.dtype))
    if len(needs_input_grad) > 2 and needs_input_grad[2]:
        gb = _wrap(np.asarray(_add_reduce(g, outer)).astype(grad._data.dtype))
    return gi, gw, gb


def _ln_grads_graph(grad, input, weight, axes, outer, eps):
    mu = input.mean(axes, keepdim=True)
    r = ((input - mu).pow(2).mean(axes, keepdim=True) + eps).rsqrt()
    xhat = (input - mu) * r
    gx = grad if weight is None else grad * weight
    gi = r * (gx - gx.mean(axes, keepdim=True) - xhat * (gx * xhat).mean(axes, keepdim=True))
    gw = None if weight is None else (grad * xhat).sum(outer) if outer else grad * xhat
    gb = grad.sum(outer) if outer else grad
    return gi, gw, gb


def _check_ln(input: Tensor, normalized_shape, weight, bias) -> tuple:
    shape = tuple(int(s) for s in normalized_shape)
    d = input._data
    k = len(shape)
    if not k:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []")
    if weight is not None and tuple(weight._data.shape) != shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{_size(weight._data.shape)} and normalized_shape = {_size(shape)}")
    if bias is not None and tuple(bias._data.shape) != shape:
        raise RuntimeError(
            f"Expected bias to be of same shape as normalized_shape, but got bias of shape "
            f"{_size(bias._data.shape)} and normalized_shape = {_size(shape)}")
    if d.ndim < k or d.shape[d.ndim - k:] != shape:
        raise RuntimeError(
            f"Given normalized_shape={_size(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
            f"{_size(d.shape)}")
    _check_param_dtypes(d, weight, bias)
    return shape


def _check_param_dtypes(d: np.ndarray, weight, bias) -> None:
    """torch's CPU check: float32/float64 inputs need parameters of their own dtype (half
    inputs may have float32 parameters)."""
    if d.dtype in _HALF_NP:
        return
    for t in (weight, bias):
        if t is not None and t._data.dtype != d.dtype:
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                               f"{_legacy(d.dtype)}")


@public(method=False)
def native_layer_norm(input: Tensor, normalized_shape, weight, bias, eps: float) -> tuple:
    """(output, mean, rstd) of layer normalization over the trailing ``normalized_shape``."""
    shape = _check_ln(input, normalized_shape, weight, bias)
    d = input._data
    if d.dtype not in FLOAT_NP:
        raise NotImplementedError(
            f'"LayerNormKernelImpl" not implemented for \'{_legacy(d.dtype)}\'')
    return apply(_layer_norm, (input, weight, bias),
                 (d, None if weight is None else weight._data,
                  None if bias is None else bias._data),
                 {"normalized_ndim": len(shape), "eps": eps})


@public(method=False)
def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` dims."""
    input, weight, bias = _reg.autocast_args("layer_norm", input, weight, bias)
    return native_layer_norm(input, normalized_shape, weight, bias, eps)[0]


# ---------------------------------------------------------------------------------- group norm
@prim("native_group_norm", backward="NativeGroupNormBackward0", nout=3)
def _group_norm(input, weight, bias, *, N, C, HxW, group, eps):
    dt = input.dtype
    ct = _compute_dtype(dt)
    x = input.astype(ct, copy=False)
    xg = x.reshape(N, group, -1)
    if x.size == 0:
        return np.empty(x.shape, dt), np.zeros((N, group), ct), np.zeros((N, group), ct)
    mean, rstd = _row_stats(xg, (2,), eps)
    if weight is None and bias is None:
        out = ((xg - mean) * rstd).reshape(x.shape)
    else:
        # torch: per (n, c) scale = rstd * gamma[c], shift = fma(-scale, mean, beta[c]),
        # y = fma(x, scale, shift)
        shape = (N, C) + (1,) * (x.ndim - 2)
        cpg = C // group
        mc = np.repeat(mean.reshape(N, group), cpg, axis=1)
        rc = np.repeat(rstd.reshape(N, group), cpg, axis=1)
        scale = rc if weight is None else rc * weight.astype(ct)
        shift = fma(-scale, mc, ct.type(0) if bias is None else bias.astype(ct))
        out = fma(x, scale.reshape(shape), shift.reshape(shape))
    return out.astype(dt, copy=False), mean.reshape(N, group), rstd.reshape(N, group)


@_group_norm.vjp
def _group_norm_grads(grads, input, weight, result, N, C, HxW, group, eps, needs_input_grad):
    gi, gw, gb = _group_norm_main_grads(grads[0], input, weight, result, N, C, group, eps,
                                        needs_input_grad)
    if (grads[1] is not None or grads[2] is not None) and needs_input_grad[0]:
        # gradients reaching the mean and rstd outputs (torch's native_group_norm has them)
        xg = input.reshape(N, group, -1)
        d = xg.shape[2]
        if STATE.enabled:
            mu = xg.mean(2, keepdim=True)
            r = ((xg - mu).pow(2).mean(2, keepdim=True) + eps).rsqrt()
        else:
            mu = result[1].reshape(N, group, 1)
            r = result[2].reshape(N, group, 1)
        extra = None
        if grads[1] is not None:
            extra = (grads[1] / d).reshape(N, group, 1).expand(xg.shape)
        if grads[2] is not None:
            t = grads[2].reshape(N, group, 1) * (-(r * r * r) * (xg - mu) / d)
            extra = t if extra is None else extra + t
        extra = extra.reshape(input.shape)
        gi = extra if gi is None else gi + extra
    return gi, gw, gb


def _group_norm_main_grads(grad, input, weight, result, N, C, group, eps, needs_input_grad):
    if grad is None:
        return None, None, None
    nd = input.ndim
    if STATE.enabled:
        xg = input.reshape(N, group, -1)
        mu = xg.mean(2, keepdim=True)
        r = ((xg - mu).pow(2).mean(2, keepdim=True) + eps).rsqrt()
        xhat = ((xg - mu) * r).reshape(input.shape)
        wshape = (1, C) + (1,) * (nd - 2)
        gx = grad if weight is None else grad * weight.reshape(wshape)
        gxg = gx.reshape(N, group, -1)
        xhg = xhat.reshape(N, group, -1)
        gi = (r * (gxg - gxg.mean(2, keepdim=True) - xhg * (gxg * xhg).mean(2, keepdim=True))
              ).reshape(input.shape)
        red = (0,) + tuple(range(2, nd))
        gw = None if weight is None else (grad * xhat).sum(red)
        gb = grad.sum(red)
        return gi, gw, gb
    _, mean_t, rstd_t = result
    x, g = input._data, grad._data
    ct = _compute_dtype(x.dtype)
    x, g = x.astype(ct, copy=False), g.astype(ct, copy=False)
    mean = mean_t._data.reshape(N, group, 1)
    rstd = rstd_t._data.reshape(N, group, 1)
    xhat = ((x.reshape(N, group, -1) - mean) * rstd)
    wshape = (1, C) + (1,) * (nd - 2)
    gi = gw = gb = None
    red = (0,) + tuple(range(2, nd))
    if needs_input_grad[0]:
        gx = g if weight is None else g * weight._data.astype(ct).reshape(wshape)
        gxg = gx.reshape(N, group, -1)
        n = gxg.shape[2]
        m1 = (_add_reduce(gxg.astype(_F64), 2, keepdims=True) / n).astype(ct)
        m2 = (_add_reduce((gxg * xhat).astype(_F64), 2, keepdims=True) / n).astype(ct)
        gi = _wrap(np.asarray(((gxg - m1 - xhat * m2) * rstd).reshape(x.shape)).astype(
            input._data.dtype))
    if weight is not None and needs_input_grad[1]:
        gw = _wrap(_add_reduce((g * xhat.reshape(x.shape)).astype(_F64), red).astype(
            weight._data.dtype))
    if len(needs_input_grad) > 2 and needs_input_grad[2]:
        gb = _wrap(_add_reduce(g.astype(_F64), red).astype(grad._data.dtype))
    return gi, gw, gb


@public(method=False)
def native_group_norm(input: Tensor, weight, bias, N: int, C: int, HxW: int, group: int,
                      eps: float) -> tuple:
    """(output, mean, rstd) of group normalization, as torch's ATen op."""
    d = input._data
    if d.dtype not in FLOAT_NP:
        raise NotImplementedError(
            f'"GroupNormKernelImpl" not implemented for \'{_legacy(d.dtype)}\'')
    return apply(_group_norm, (input, weight, bias),
                 (d, None if weight is None else weight._data,
                  None if bias is None else bias._data),
                 {"N": N, "C": C, "HxW": HxW, "group": group, "eps": eps})


@public(method=False)
def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """Group normalization: channels split into ``num_groups`` groups, each normalized."""
    input, weight, bias = _reg.autocast_args("group_norm", input, weight, bias)
    d = input._data
    n, c = d.shape[0], d.shape[1]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {_size(d.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {_size(t._data.shape)} and input of shape "
                f"{_size(d.shape)}")
    _check_param_dtypes(d, weight, bias)
    hxw = math.prod(d.shape[2:])
    return native_group_norm(input, weight, bias, n, c, hxw, num_groups, eps)[0]


# ---------------------------------------------------------------------------------- rms norm
@public(method=False)
def rms_norm(input: Tensor, normalized_shape, weight=None, eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims, computed in float32 for
    half types (torch's composite; ``eps`` defaults to the compute type's epsilon)."""
    shape = tuple(int(s) for s in normalized_shape)
    d = input._data
    k = len(shape)
    if d.ndim < k or d.shape[d.ndim - k:] != shape:
        raise RuntimeError(
            f"Given normalized_shape={_size(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{_size(d.shape)}")
    if weight is not None and tuple(weight._data.shape) != shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{_size(weight._data.shape)} and normalized_shape = {_size(shape)}")
    ct = _compute_dtype(d.dtype) if d.dtype in FLOAT_NP else d.dtype
    if eps is None:
        eps = float(np.finfo(ct).eps) if ct.kind == "f" else 0.0
    x = input if ct == d.dtype else input.to(_FROM_NP[ct])
    dims = tuple(range(d.ndim - k, d.ndim))
    r = x.pow(2).mean(dims, keepdim=True).add(eps).rsqrt()
    out = x.mul(r)
    if ct != d.dtype:
        out = out.to(input.dtype)
    return out if weight is None else out.mul(weight)


__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "rms_norm"]
