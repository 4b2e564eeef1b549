"""Activation primitives: softmax/log_softmax, gelu, elu/selu/celu, silu, mish, hardtanh,
leaky_relu, softplus, shrinks, threshold, logsigmoid, glu, prelu.

Each pointwise activation is a NumPy forward plus a fused ``<name>_backward`` primitive (one
NumPy pass, as torch's ``*_backward`` kernels), whose own gradients are written in ember ops so
double backward works. float16/bfloat16 compute in float32 and round once, as torch's CPU
kernels do. ``relu``, ``sigmoid`` and ``tanh`` live in ``elementwise.py``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from . import _special
from . import registry as _reg
from ._util import FLOAT_NP, wrap_dim
from .creation import empty_like, zeros_like
from .elementwise import relu, sigmoid, tanh  # noqa: F401  (re-exported for nn.functional)
from .indexing import where
from .inplace import make_inplace
from .registry import PRIMS, apply, prim, public

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_FROM_NP = D._FROM_NP
_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce


def _legacy(dt) -> str:
    return _FROM_NP[dt]._legacy


def not_implemented(kernel: str, dt) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(dt)}\'')


def _type_check(name: str, input, pos: int = 1, arg: str = "input") -> None:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
            f"{type(input).__name__}"
        )


# ---------------------------------------------------------------------------------- softmax
def _softmax_np(x: np.ndarray, dim: int, log: bool) -> np.ndarray:
    if x.ndim == 0:
        return _softmax_np(x.reshape(1), 0, log).reshape(())
    dt = x.dtype
    if dt in _HALF_NP:
        x = x.astype(_F32)
    axis = dim
    if x.size == 0:
        return np.empty(x.shape, dt)
    m = _max_reduce(x, axis, None, None, True)
    e = np.subtract(x, m)
    if log:
        # torch: (x - max) - log(sum(exp(x - max)))
        s = _add_reduce(np.exp(e), axis, None, None, True)
        np.log(s, out=s)
        out = np.subtract(e, s, out=e)
    else:
        np.exp(e, out=e)
        s = _add_reduce(e, axis, None, None, True)
        np.reciprocal(s, out=s)  # torch multiplies by 1 / sum
        out = np.multiply(e, s, out=e)
    return out if out.dtype == dt else out.astype(dt)


@prim("softmax", backward="SoftmaxBackward0")
def _softmax(self, *, dim):
    return _softmax_np(self, dim, False)


@prim("log_softmax", backward="LogSoftmaxBackward0")
def _log_softmax(self, *, dim):
    return _softmax_np(self, dim, True)


def _axis(a: np.ndarray, dim: int):
    return dim if a.ndim else None


@prim("_softmax_backward_data")
def _softmax_bw(grad_output, output, *, dim):
    dt = output.dtype
    g, y = grad_output, output
    if dt in _HALF_NP:
        g, y = g.astype(_F32), y.astype(_F32)
    gy = np.asarray(np.multiply(g, y))
    dot = _add_reduce(gy, _axis(gy, dim), None, None, True)
    r = np.asarray(np.subtract(gy, np.multiply(y, dot)))  # y * (g - dot), torch's order: gy - y*dot
    return r.astype(dt, copy=False)


@prim("_log_softmax_backward_data")
def _log_softmax_bw(grad_output, output, *, dim):
    dt = output.dtype
    g, y = grad_output, output
    if dt in _HALF_NP:
        g, y = g.astype(_F32), y.astype(_F32)
    s = _add_reduce(g, _axis(g, dim), None, None, True)
    r = np.asarray(np.subtract(g, np.multiply(np.exp(y), s)))
    return r.astype(dt, copy=False)


def _sum_keep(t: Tensor, dim: int) -> Tensor:
    return t.sum(dim, keepdim=True) if t.ndim else t


def _softmax_bw_output_grad(grad, grad_output, output, dim):
    dot = _sum_keep(grad_output * output, dim)
    return grad * (grad_output - dot) - grad_output * _sum_keep(grad * output, dim)


_softmax_bw.defvjp(
    grad_output=lambda grad, output, dim: apply(
        _softmax_bw, (grad, output), (grad._data, output._data), {"dim": dim}),
    output=_softmax_bw_output_grad,
)
_log_softmax_bw.defvjp(
    grad_output=lambda grad, output, dim: grad - _sum_keep(grad * output.exp(), dim),
    output=lambda grad, grad_output, output, dim: -grad * output.exp() * _sum_keep(
        grad_output, dim),
)
_softmax.defvjp(self=lambda grad, result, dim: apply(
    _softmax_bw, (grad, result), (grad._data, result._data), {"dim": dim}))
_log_softmax.defvjp(self=lambda grad, result, dim: apply(
    _log_softmax_bw, (grad, result), (grad._data, result._data), {"dim": dim}))


def _softmax_impl(op, kernel: str, input, dim, dtype) -> Tensor:
    if dtype is not None:
        input = input.to(dtype)
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if d.dtype not in FLOAT_NP:
        last = d.ndim == 0 or dim == d.ndim - 1
        raise not_implemented(f"{kernel}_lastdim_kernel_impl" if last else f"{kernel}_kernel_impl",
                              d.dtype)
    return apply(op, (input,), (d,), {"dim": dim})


_NO_DIM = object()


def _missing_dim(name: str) -> TypeError:
    return TypeError(f'{name}() missing 1 required positional arguments: "dim"')


@public()
def softmax(input: Tensor, dim: int = _NO_DIM, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, computed as torch does (max subtracted first)."""
    _type_check("softmax", input)
    if dim is _NO_DIM:
        raise _missing_dim("softmax")
    return _softmax_impl(_softmax, "softmax", input, dim, dtype)


@public()
def log_softmax(input: Tensor, dim: int = _NO_DIM, dtype=None) -> Tensor:
    """``x - log(sum(exp(x), dim))``, computed as torch does (max subtracted first)."""
    _type_check("log_softmax", input)
    if dim is _NO_DIM:
        raise _missing_dim("log_softmax")
    return _softmax_impl(_log_softmax, "log_softmax", input, dim, dtype)


def implicit_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


# ---------------------------------------------------------------------------------- pointwise
def _f32_call(fn, x: np.ndarray, p):
    if x.dtype in _HALF_NP:
        return np.asarray(fn(x.astype(_F32), *p)).astype(x.dtype)
    return np.asarray(fn(x, *p))


def _f32_call2(fn, g: np.ndarray, x: np.ndarray, p):
    dt = x.dtype
    if dt in _HALF_NP:
        return np.asarray(np.multiply(g.astype(_F32), fn(x.astype(_F32), *p))).astype(dt)
    r = np.asarray(np.multiply(g, fn(x, *p)))
    return r if r.dtype == dt else r.astype(dt)


def _pointwise(name: str, f, df, d2=None, backward: str | None = None,
               bw_name: str | None = None, double_backward: bool = True,
               inplace_node: str | None = None):
    """A pointwise activation ``f(x, *p)`` with derivative ``df(x, *p)`` (NumPy) and second
    derivative ``d2(x_tensor, *p)`` in ember ops (None: piecewise linear, zero)."""

    def fwd(self, *, p):
        return _f32_call(f, self, p)

    def bwd(grad_output, self, *, p):
        return _f32_call2(df, grad_output, self, p)

    op = prim(name, backward=backward)(fwd)
    bname = bw_name or name + "_backward"
    bop = prim(bname, backward=None if double_backward else "torch::autograd::NotImplemented")(
        bwd)

    def first(grad, self, p):
        return apply(bop, (grad, self), (grad._data, self._data), {"p": p})

    def second(grad, grad_output, self, p):
        if d2 is None:
            return zeros_like(self)
        return grad * grad_output * d2(self, *p)

    op.defvjp(self=first)
    if double_backward:
        bop.defvjp(grad_output=first, self=second)
    else:
        def fail(grad):
            raise RuntimeError(f"derivative for aten::{bname} is not implemented")

        bop.defvjp(grad_output=fail, self=fail)
    if inplace_node is not None:
        # torch names the node of the in-place form differently (EluBackward1...)
        op2 = prim(name + "_", backward=inplace_node)(fwd)
        op2.defvjp(self=first)
        _INPLACE_OPS[op] = op2
    return op


_INPLACE_OPS: dict = {}


def _inplace_of(fn, name: str, op):
    """The in-place form ``name`` of ``fn``, whose node is torch's in-place node class."""
    op2 = _INPLACE_OPS[op]

    def run(input, *args):
        return fn(input, *args, _op=op2)

    return make_inplace(run, name)


def _run(op, name: str, kernel: str | None, input, p: tuple, ints_ok: bool = False) -> Tensor:
    _type_check(name, input)
    d = input._data
    if d.dtype not in FLOAT_NP and not ints_ok:
        raise not_implemented(kernel, d.dtype)
    return apply(op, (input,), (d,), {"p": p})


# -- gelu
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = 0.044715


_ERFC_C = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
           0.09678418, 0.37409196, 1.00002368, -1.26551223)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """``0.5 * (1 + erf(x / sqrt(2)))``. float64: fdlibm's erf (torch: glibc's). float32 and
    half types: ``0.5 * erfc(-x / sqrt(2))`` with a Chebyshev erfc of relative error < 1.2e-7,
    evaluated in float32, branch-free and fast (torch's vectorised float erf is itself an
    approximation: the two agree within a few float32 ulps, closer in the negative tail)."""
    if x.dtype == _F64:
        return 0.5 * (1 + _special.erf(x * _SQRT1_2))
    ct = _F32 if x.dtype.itemsize <= 4 else _F64
    shape = x.shape
    x = x.reshape(-1)  # 1-d: NumPy returns arrays (not scalars) for the in-place steps
    z = np.abs(x, dtype=ct)
    z *= ct.type(_SQRT1_2)
    t = z * 0.5
    t += 1.0
    np.reciprocal(t, out=t)
    p = t * _ERFC_C[0]
    for c in _ERFC_C[1:-1]:  # Horner, in place (these arrays are large)
        p += c
        p *= t
    p += _ERFC_C[-1]
    z *= z
    p -= z
    np.exp(p, out=p)
    p *= t  # erfc(|x| / sqrt(2))
    # cdf = 0.5 * erfc(|x|/sqrt 2) for x < 0, 1 - that for x >= 0: 0.5 + copysign(h, x) with
    # h = 0.5 - 0.5 * erfc (branch-free: masked NumPy ops are slow on random signs)
    p *= -0.5
    p += 0.5
    np.copysign(p, x, out=p)
    p += 0.5
    return p.reshape(shape)


def _gelu_f(x, approximate):
    if approximate == "tanh":
        inner = np.multiply(x + _GELU_K * (x * x * x), _SQRT_2_PI)
        return 0.5 * x * (1 + np.tanh(inner))
    if x.dtype == _F64:
        return x * _normal_cdf(x)
    y = (x * _normal_cdf(x)).astype(x.dtype)
    if x.size > 1:
        # torch's vectorised float kernel (also used for half types) returns NaN at +inf
        y[x == np.inf] = np.nan
    return y


def _gelu_df(x, approximate):
    if approximate == "tanh":
        x2 = x * x
        t = np.tanh(_SQRT_2_PI * (x + _GELU_K * x2 * x))
        dinner = _SQRT_2_PI * (1 + 3 * _GELU_K * x2)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner
    r = _normal_cdf(x) + x * (_INV_SQRT_2PI * np.exp(-0.5 * x * x))
    return r if r.dtype == x.dtype else r.astype(x.dtype)


def _gelu_d2(x, approximate):
    if approximate == "tanh":
        x2 = x * x
        t = (_SQRT_2_PI * (x + _GELU_K * x2 * x)).tanh()
        u = 1 - t * t
        di = _SQRT_2_PI * (1 + 3 * _GELU_K * x2)
        d2i = _SQRT_2_PI * 6 * _GELU_K * x
        return u * di + 0.5 * x * (u * d2i - 2 * t * u * di * di)
    pdf = _INV_SQRT_2PI * (-0.5 * x * x).exp()
    return pdf * (2 - x * x)


_gelu = _pointwise("gelu", _gelu_f, _gelu_df, _gelu_d2)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if not isinstance(approximate, str):
        raise TypeError("gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _run(_gelu, "gelu", "GeluKernelImpl", input, (approximate,))


# -- elu family (torch: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)))
def _elu_f(x, alpha, scale, input_scale):
    neg = np.multiply(np.expm1(np.minimum(x, 0) * input_scale), alpha * scale)
    return np.where(x > 0, x * scale, neg)


def _elu_df(x, alpha, scale, input_scale):
    neg = np.exp(np.minimum(x, 0) * input_scale) * (input_scale * alpha * scale)
    return np.where(x > 0, x.dtype.type(scale), neg)


def _elu_d2(x, alpha, scale, input_scale):
    neg = (x * input_scale).exp() * (input_scale * input_scale * alpha * scale)
    return where(x > 0, 0.0, neg)


_elu = _pointwise("elu", _elu_f, _elu_df, _elu_d2, inplace_node="EluBackward1")
_celu = _pointwise("celu", _elu_f, _elu_df, _elu_d2, bw_name="elu_backward",
                   inplace_node="CeluBackward1")
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False, *, _op=None) -> Tensor:
    if inplace:
        return elu_(input, alpha)
    return _run(_op or _elu, "elu", "elu_cpu", input, (alpha, 1.0, 1.0))


@public(method=False)
def selu(input: Tensor, inplace: bool = False, *, _op=None) -> Tensor:
    """Scaled ELU with torch's fixed alpha and scale."""
    if inplace:
        return selu_(input)
    return _run(_op or _elu, "selu", "elu_cpu", input, (_SELU_ALPHA, _SELU_SCALE, 1.0))


@public(method=False)
def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False, *, _op=None) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if inplace:
        return celu_(input, alpha)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _run(_op or _celu, "celu", "elu_cpu", input, (alpha, 1.0, 1.0 / alpha))


elu_ = _inplace_of(lambda input, alpha=1.0, _op=None: elu(input, alpha, _op=_op), "elu_", _elu)
selu_ = public("selu_", method=False)(
    _inplace_of(lambda input, _op=None: selu(input, _op=_op), "selu_", _elu))
celu_ = public("celu_", method=False)(
    _inplace_of(lambda input, alpha=1.0, _op=None: celu(input, alpha, _op=_op), "celu_", _celu))


# -- silu, mish
def _sig_np(x):
    return 1 / (1 + np.exp(-x))


def _silu_f(x):
    return x / (1 + np.exp(-x))


def _silu_df(x):
    s = _sig_np(x)
    return s * (1 + x * (1 - s))


def _silu_d2(x):
    s = x.sigmoid()
    return s * (1 - s) * (2 + x * (1 - 2 * s))


_silu = _pointwise("silu", _silu_f, _silu_df, _silu_d2)


def _softplus1(x):
    return np.logaddexp(x, 0)


def _mish_f(x):
    return x * np.tanh(np.log1p(np.exp(x)))


def _mish_df(x):
    t = np.tanh(np.log1p(np.exp(x)))
    return t + x * _sig_np(x) * (1 - t * t)


def _mish_d2(x):
    s = x.sigmoid()
    t = (1 + x.exp()).log().tanh()
    u = 1 - t * t
    return u * s * (2 + x * (1 - s) - 2 * x * s * t)


_mish = _pointwise("mish", _mish_f, _mish_df, _mish_d2)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return _silu_inplace(input)
    return _run(_silu, "silu", "silu_cpu", input, ())


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return _mish_inplace(input)
    return _run(_mish, "mish", "mish_cpu", input, ())


_silu_inplace = make_inplace(lambda input: silu(input), "silu_")
_mish_inplace = make_inplace(lambda input: mish(input), "mish_")


# -- hardtanh / relu6 / leaky_relu / hardsigmoid / hardswish
def _hardtanh_f(x, lo, hi):
    if x.dtype.kind in "iu":
        return np.clip(x, lo, hi).astype(x.dtype)
    return np.minimum(np.maximum(x, x.dtype.type(lo)), x.dtype.type(hi))


def _hardtanh_df(x, lo, hi):
    return ((x > lo) & (x < hi)).astype(x.dtype)


_hardtanh = _pointwise("hardtanh", _hardtanh_f, _hardtanh_df)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    _type_check("hardtanh", input)
    return _run(_hardtanh, "hardtanh", None, input, _int_scalars(input, (min_val, max_val)),
                ints_ok=True)


hardtanh_ = make_inplace(
    lambda input, min_val=-1.0, max_val=1.0: hardtanh(input, min_val, max_val), "hardtanh_")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_f(x, slope):
    return np.where(x > 0, x, x * slope)


def _leaky_df(x, slope):
    return np.where(x > 0, x.dtype.type(1), x.dtype.type(slope))


_leaky_relu = _pointwise("leaky_relu", _leaky_f, _leaky_df,
                         inplace_node="LeakyReluBackward1")
_LEAKY_BW = PRIMS["leaky_relu_backward"]


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False, *,
               _op=None) -> Tensor:
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _run(_op or _leaky_relu, "leaky_relu", "leaky_relu_cpu", input, (negative_slope,))


leaky_relu_ = _inplace_of(
    lambda input, negative_slope=0.01, _op=None: leaky_relu(input, negative_slope, _op=_op),
    "leaky_relu_", _leaky_relu)


def _hsig_f(x):
    return np.minimum(np.maximum(x + 3, 0), 6) / 6


_SIXTH_F = float(np.float32(1.0) / np.float32(6.0))  # torch: scalar_t(1.0f / 6.0f)


def _hsig_df(x):
    return np.where((x > -3) & (x < 3), x.dtype.type(_SIXTH_F), x.dtype.type(0))


_hardsigmoid = _pointwise("hardsigmoid", _hsig_f, _hsig_df, double_backward=False)


def _hsw_f(x):
    return x * np.minimum(np.maximum(x + 3, 0), 6) / 6


def _hsw_df(x):
    return np.where(x <= -3, x.dtype.type(0), np.where(x < 3, x / 3 + 0.5, x.dtype.type(1)))


def _hsw_d2(x):
    return where((x > -3.0) & (x < 3.0), 1 / 3, 0.0)


_hardswish = _pointwise("hardswish", _hsw_f, _hsw_df, _hsw_d2)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return _hsig_inplace(input)
    return _run(_hardsigmoid, "hardsigmoid", "hardsigmoid_cpu", input, ())


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return _hsw_inplace(input)
    return _run(_hardswish, "hardswish", "hardswish_cpu", input, ())


_hsig_inplace = make_inplace(lambda input: hardsigmoid(input), "hardsigmoid_")
_hsw_inplace = make_inplace(lambda input: hardswish(input), "hardswish_")


# -- softplus, logsigmoid
def _softplus_f(x, beta, threshold):
    bx = x * beta
    return np.where(bx > threshold, x, np.log1p(np.exp(bx)) / beta)


def _softplus_df(x, beta, threshold):
    bx = x * beta
    z = np.exp(np.minimum(bx, threshold))
    return np.where(bx > threshold, x.dtype.type(1), z / (z + 1))


def _softplus_d2(x, beta, threshold):
    s = (x * beta).sigmoid()
    return where(x * beta > threshold, 0.0, beta * s * (1 - s))


_softplus = _pointwise("softplus", _softplus_f, _softplus_df, _softplus_d2)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return _run(_softplus, "softplus", "softplus_cpu", input, (beta, threshold))


def _logsig_f(x):
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _logsig_df(x):
    return _sig_np(-x)


def _logsig_d2(x):
    s = x.sigmoid()
    return -s * (1 - s)


_log_sigmoid = _pointwise("log_sigmoid", _logsig_f, _logsig_df, _logsig_d2,
                          backward="LogSigmoidBackward0", bw_name="log_sigmoid_backward")


def logsigmoid(input: Tensor) -> Tensor:
    return _run(_log_sigmoid, "log_sigmoid", "log_sigmoid_cpu", input, ())


# -- shrinks, threshold
def _softshrink_f(x, lambd):
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0))


def _shrink_df(x, lambd):
    return ((x > lambd) | (x < -lambd)).astype(x.dtype)


def _hardshrink_f(x, lambd):
    return np.where((x >= -lambd) & (x <= lambd), x.dtype.type(0), x)


_softshrink = _pointwise("softshrink", _softshrink_f, _shrink_df)
_hardshrink = _pointwise("hardshrink", _hardshrink_f, _shrink_df)


def _check_lambda(input, lambd):
    d = input._data
    if d.dtype in FLOAT_NP and not 0 <= lambd <= float(D.finfo(_FROM_NP[d.dtype]).max):
        mx = "3.40282e+38" if d.dtype != np.float64 else "1.79769e+308"
        if d.dtype == D.float16._np:
            mx = "65504"
        raise RuntimeError(f"lambda must be in range [0, {mx}] for input dtype "
                           f"{_legacy(d.dtype)}, but found {lambd:g}")


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _type_check("softshrink", input)
    _check_lambda(input, lambd)
    return _run(_softshrink, "softshrink", "softshrink_cpu", input, (lambd,))


@public()
def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 where ``-lambd <= x <= lambd``, else ``x``."""
    return _run(_hardshrink, "hardshrink", "hardshrink_cpu", input, (lambd,))


def _threshold_f(x, th, value):
    return np.where(x <= th, np.asarray(value).astype(x.dtype), x)


def _threshold_df(x, th, value):
    return (x > th).astype(x.dtype)


_threshold = _pointwise("threshold", _threshold_f, _threshold_df,
                        inplace_node="ThresholdBackward1")


@public(method=False)
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False, *,
              _op=None) -> Tensor:
    """``value`` where ``x <= threshold``, else ``x``."""
    if inplace:
        return threshold_(input, threshold, value)
    _type_check("threshold", input)
    return _run(_op or _threshold, "threshold", None, input,
                _int_scalars(input, (threshold, value)), ints_ok=True)


def _int_scalars(input: Tensor, values: tuple) -> tuple:
    """Scalars converted to an integer input's dtype as torch does (overflow is an error)."""
    dt = input._data.dtype
    if dt.kind not in "iub":
        return values
    from .elementwise import _checked, _overflow

    out = []
    for v in values:
        if dt.kind == "b":
            out.append(bool(v))
        elif isinstance(v, float):  # torch: a double outside the type's range overflows
            info = np.iinfo(dt)
            if not info.min <= v <= info.max:
                raise _overflow(dt)
            out.append(int(v))
        else:
            out.append(int(np.asarray(_checked(v, dt)).astype(dt)))
    return tuple(out)


_threshold_fn = threshold
threshold_ = public("threshold_", method=False)(_inplace_of(
    lambda input, threshold, value, _op=None: _threshold_fn(input, threshold, value, _op=_op),
    "threshold_", _threshold))


# ---------------------------------------------------------------------------------- glu
@prim("glu")
def _glu(self, *, dim):
    a, b = np.split(self, 2, axis=dim)
    return _glu_np(a, b)


def _glu_np(a, b):
    dt = a.dtype
    if dt in _HALF_NP:
        return (a.astype(_F32) * _sig_np(b.astype(_F32))).astype(dt)
    return a * _sig_np(b)


def _glu_grad(grad, self, dim):
    a, b = self.chunk(2, dim)
    s = b.sigmoid()
    from .shape import cat

    return cat([grad * s, grad * a * s * (1 - s)], dim)


_glu.defvjp(self=_glu_grad)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    _type_check("glu", input)
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, d.ndim)
    if d.shape[dim] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim} is size {d.shape[dim]}")
    if d.dtype not in FLOAT_NP:
        raise not_implemented("glu_cpu", d.dtype)
    return apply(_glu, (input,), (d,), {"dim": dim})


# ---------------------------------------------------------------------------------- prelu
def _prelu_w(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weight shaped to broadcast along dim 1 of ``x``."""
    if w.size == 1 or x.ndim < 2:
        return w.reshape(())
    return w.reshape((1, -1) + (1,) * (x.ndim - 2))


@prim("_prelu_kernel", backward="PreluKernelBackward0")
def _prelu(self, weight):
    w = _prelu_w(self, weight)
    return np.where(self > 0, self, self * w)


@_prelu.vjp
def _prelu_grads(grad, self, weight):
    pos = self > 0
    wv = weight.reshape(_prelu_w(self._data, weight._data).shape)
    gx = where(pos, grad, grad * wv)
    gw = where(pos, 0.0, grad * self)
    if weight._data.size == 1 or self.ndim < 2:
        gw = gw.sum().reshape(weight.shape)
    else:
        dims = [0] + list(range(2, self.ndim))
        gw = gw.sum(dims).reshape(weight.shape)
    return gx, gw


@public()
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, ``weight`` per channel (dim 1) or shared."""
    _type_check("prelu", input)
    d, w = input._data, weight._data
    if w.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    if d.ndim == 0:
        raise RuntimeError("Not allow zero-dim input tensor.")
    if w.size != 1:
        channels = d.shape[1] if d.ndim >= 2 else 1
        if w.size != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {w.size} and channel size = {channels}.")
    if d.dtype != w.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {_legacy(d.dtype)} and {_legacy(w.dtype)}")
    return apply(_prelu, (input, weight), (d, w))


# ---------------------------------------------------------------------------------- rrelu
@prim("rrelu_with_noise", backward="RreluWithNoiseBackward0")
def _rrelu(self, *, noise, slope):
    if noise is not None:
        return np.asarray(self * noise).astype(self.dtype, copy=False)
    return _leaky_f(self, slope)


def _rrelu_grad(grad, self, noise, slope):
    if noise is not None:
        return grad * _wrap(noise)
    return apply(_leaky_relu_bw, (grad, self), (grad._data, self._data), {"p": (slope,)})


_rrelu.defvjp(self=_rrelu_grad)
_leaky_relu_bw = _LEAKY_BW


@public(method=False)
def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, generator=None) -> Tensor:
    """Randomized leaky ReLU: in training, each non-positive element is scaled by a draw of
    uniform(lower, upper) (one double draw per such element, in order, as torch's CPU loop);
    in eval, by ``(lower + upper) / 2``."""
    _type_check("rrelu", input)
    d = input._data
    if d.dtype not in FLOAT_NP:
        raise not_implemented("rrelu_with_noise_out_cpu", d.dtype)
    noise = None
    if training:
        from .random import _gen

        gen = _gen("rrelu", generator)
        flat = np.ascontiguousarray(d).reshape(-1)
        neg = flat <= 0
        ct = _F32 if d.dtype in _HALF_NP or d.dtype == _F32 else d.dtype
        # torch: the bounds in the compute type, the draw in double, rounded to that type
        lo, hi = float(ct.type(lower)), float(ct.type(upper))
        r = gen._uniform53(int(neg.sum())) * (hi - lo) + lo
        n = np.ones(flat.shape, ct)
        n[neg] = r.astype(ct)
        noise = n.reshape(d.shape)
    return apply(_rrelu, (input,), (d,), {"noise": noise, "slope": (lower + upper) / 2})


rrelu_ = public("rrelu_", method=False)(make_inplace(
    lambda input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None: rrelu(
        input, lower, upper, training, generator), "rrelu_"))


# ---------------------------------------------------------------------------------- dropout
_ALPHA = 1.7580993408473766  # the SELU negative saturation value torch's alpha dropout uses


def _noise(input: Tensor, feature: bool) -> Tensor:
    d = input._data
    if not feature:  # torch's empty_like keeps the input's strides: the mask is drawn in
        return empty_like(input)  # memory order, so dropout(x.t()) == dropout(x).t()
    if d.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _wrap(np.empty(d.shape[:2] + (1,) * (d.ndim - 2), d.dtype))


def dropout_impl(input: Tensor, p: float, train: bool, feature: bool = False,
                 alpha: bool = False, inplace: bool = False) -> Tensor:
    """torch's ``_dropout_impl`` on the CPU: a bernoulli(1 - p) mask (drawn with ``bernoulli_``,
    so masks equal torch's under one seed), scaled by ``1 / (1 - p)``, times the input."""
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input._data.size == 0:
        return input
    if p == 1:
        z = _wrap(np.zeros((), input._data.dtype))
        return input.mul_(z) if inplace else input * z
    noise = _noise(input, feature)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
        noise.mul_(a)
        out = input.mul_(noise) if inplace else input * noise
        return out.add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def _dropout_public(name: str, feature: bool, alpha: bool, inplace: bool):
    def fn(input: Tensor, p: float, train: bool) -> Tensor:
        _type_check(name, input)
        return dropout_impl(input, p, train, feature, alpha, inplace)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, p, train)"
    return public(name, method=False)(fn)


dropout = _dropout_public("dropout", False, False, False)
dropout_ = _dropout_public("dropout_", False, False, True)
feature_dropout = _dropout_public("feature_dropout", True, False, False)
feature_dropout_ = _dropout_public("feature_dropout_", True, False, True)
alpha_dropout = _dropout_public("alpha_dropout", False, True, False)
alpha_dropout_ = _dropout_public("alpha_dropout_", False, True, True)
feature_alpha_dropout = _dropout_public("feature_alpha_dropout", True, True, False)
feature_alpha_dropout_ = _dropout_public("feature_alpha_dropout_", True, True, True)


# ---------------------------------------------------------------------------------- scalar ops
# torch's C++ composites call the Scalar overloads (add.Scalar...), whose nodes are named
# AddBackward1/SubBackward1/MulBackward1/DivBackward1; Python operators give the Tensor ones.
def _scalar_prim(name: str, backward: str, fn, dfn):
    def fwd(self, *, other):
        x = self.astype(_F32) if self.dtype in _HALF_NP else self
        return np.asarray(fn(x, other)).astype(self.dtype, copy=False)

    op = prim(name, backward=backward)(fwd)
    op.defvjp(self=lambda grad, other: dfn(grad, other))
    return op


_add_s = _scalar_prim("add_Scalar", "AddBackward1", np.add, lambda g, c: g)
_sub_s = _scalar_prim("sub_Scalar", "SubBackward1", np.subtract, lambda g, c: g)
_mul_s = _scalar_prim("mul_Scalar", "MulBackward1", np.multiply, lambda g, c: g * c)
_div_s = _scalar_prim("div_Scalar", "DivBackward1", np.true_divide, lambda g, c: g / c)


def _scalar(op, x: Tensor, c) -> Tensor:
    return apply(op, (x,), (x._data,), {"other": c})



# ---------------------------------------------------------------------------------- distances
@public(method=False)
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1/|x1| * x2/|x2|, dim)`` with the norms clamped to ``eps`` (torch's order)."""
    x1, x2 = _reg.autocast_args("cosine_similarity", x1, x2)
    from .shape import broadcast_tensors

    if x1._data.dtype not in FLOAT_NP:
        x1 = x1.to(D._DefaultDtype.value)
    if x2._data.dtype not in FLOAT_NP:
        x2 = x2.to(D._DefaultDtype.value)
    x1, x2 = broadcast_tensors(x1, x2)
    n1 = _norm_with_grad(x1, dim, eps)
    n2 = _norm_with_grad(x2, dim, eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _norm_with_grad(x: Tensor, dim: int, eps: float) -> Tensor:
    # torch clamps the norm in place under no_grad: the gradient flows through the norm
    # where it is above eps, and the clamped value is used as is.
    n = x.norm(2, dim, keepdim=True)
    return n + (n.detach().clamp_min(eps) - n.detach())


@public(method=False)
def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``norm(x1 - x2 + eps, p, last dim)``."""
    nd = max(x1.dim(), x2.dim())
    return _scalar(_add_s, x1 - x2, eps).norm(p, nd - 1 if nd else 0, keepdim=keepdim)


__all__ = [
    "elu", "elu_", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh",
    "hardtanh_", "implicit_softmax_dim", "leaky_relu", "leaky_relu_", "log_softmax",
    "logsigmoid", "mish", "prelu", "relu", "relu6", "selu", "selu_", "celu", "celu_", "sigmoid",
    "silu", "softmax", "softplus", "softshrink", "tanh", "threshold", "threshold_", "_wrap",
]
