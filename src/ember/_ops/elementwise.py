"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops.

Each primitive is a NumPy forward plus its gradient formulas (torch's derivatives.yaml, in
ember ops, so double backward works). ``unary`` and ``binary`` do torch's type promotion:

- ``SAME``: the promoted dtype of the operands (add, mul, maximum...);
- ``FLOAT``: like SAME, but integers and bools compute in the default float dtype (exp, div...);
- ``BOOL_OUT``: compare in the promoted dtype, return bool (eq, lt...).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._tensor import Tensor
from ._util import FLOAT_NP, broadcast_error, check_out
from .registry import apply, prim, public

SAME, FLOAT, BOOL_OUT = 0, 1, 2

_FLOATING = D.FLOATING
_FROM_NP = D._FROM_NP
_DEF = D._DefaultDtype
_BOOL_NP = np.dtype(np.bool_)
_F32 = np.dtype(np.float32)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_INT64_NP = np.dtype(np.int64)
_PY_SCALARS = (int, float, bool)


def _scalar(x):
    """A Python scalar from a NumPy scalar (torch treats them alike); other objects unchanged."""
    return x.item() if isinstance(x, np.generic) else x


def _type_error(name: str, x, pos: int = 2, argname: str = "other") -> TypeError:
    return TypeError(
        f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}"
    )


def _not_implemented(kernel: str, dt) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}_cpu" not implemented for \'{_FROM_NP[dt]._legacy}\'')


# ---------------------------------------------------------------------------------- dispatch
def unary(op, input: Tensor, kind: int = SAME, params=None, out=None):
    """Run a one-input elementwise primitive with torch's dtype rule for ``kind``."""
    if not isinstance(input, Tensor):
        raise _type_error(op.name, input, 1, "input")
    d = input._data
    if kind == FLOAT and d.dtype not in FLOAT_NP:
        d = d.astype(_DEF.value._np)
    result = apply(op, (input,), (d,), params)
    return result if out is None else check_out(out, result, op.name)


def _promote(a: Tensor, b):
    """Promoted arrays for ``a`` (a tensor) and ``b`` (tensor or Python scalar).

    Returns (b_tensor_or_None, a_array, b_array_or_scalar, dtype).
    """
    ad = a._data
    adt = ad.dtype
    if isinstance(b, Tensor):
        bd = b._data
        bdt = bd.dtype
        if adt is bdt or adt == bdt:
            return b, ad, bd, adt
        dt = P.result_type_of((a, b))._np
        return b, (ad if adt == dt else ad.astype(dt)), (bd if bdt == dt else bd.astype(dt)), dt
    tb = type(b)
    if tb not in _PY_SCALARS:
        b = _scalar(b)
        tb = type(b)
        if tb not in _PY_SCALARS:
            return NotImplemented, None, None, None
    cat = _FROM_NP[adt]._cat
    if tb is float:
        if cat != _FLOATING:
            dt = _DEF.value._np
            return None, ad.astype(dt), b, dt
    elif tb is int:
        if cat == D.BOOL:
            return None, ad.astype(_INT64_NP), b, _INT64_NP
    return None, ad, b, adt


def binary(op, a, b, kind: int = SAME, params=None, out=None, name: str | None = None):
    """Run a two-input elementwise primitive; ``b`` may be a Python scalar."""
    if not isinstance(a, Tensor):
        if isinstance(b, Tensor) and isinstance(_scalar(a), _PY_SCALARS):
            # f(scalar, tensor): the scalar becomes a 0-dim tensor, as in torch.
            from .creation import scalar_tensor_like

            a = scalar_tensor_like(_scalar(a), b)
        else:
            raise _type_error(name or op.name, a, 1, "input")
    bt, ad, bd, dt = _promote(a, b)
    if bt is NotImplemented:
        raise _type_error(name or op.name, b)
    cast = None
    if kind == FLOAT and dt not in FLOAT_NP:
        f = _DEF.value._np
        ad = ad.astype(f)
        bd = bd.astype(f) if bt is not None else bd
    elif bt is None and dt in _HALF_NP and kind != BOOL_OUT:
        # torch computes half x scalar in float32 with the unrounded scalar, then rounds once;
        # NumPy would round the scalar to the half type first.
        ad, cast = ad.astype(_F32), dt
    try:
        result = apply(op, (a, bt), (ad, bd), params, cast)
    except ValueError:
        bshape = bd.shape if bt is not None else ()
        if not _broadcastable(ad.shape, bshape):
            raise broadcast_error(ad.shape, bshape) from None
        raise
    except OverflowError:
        # An integer scalar outside the tensor's dtype wraps around, as a C cast does.
        bd = np.asarray(bd).astype(ad.dtype)
        result = apply(op, (a, bt), (ad, bd), params, cast)
    return result if out is None else check_out(out, result, name or op.name)


def _broadcastable(s1: tuple, s2: tuple) -> bool:
    for x, y in zip(reversed(s1), reversed(s2)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _compare(op, a, b, out=None):
    """Comparisons: compute in the promoted dtype, return bool."""
    return binary(op, a, b, BOOL_OUT, out=out)


# ---------------------------------------------------------------------------------- factories
def _unary_op(name: str, fwd, kind: int = SAME, backward: str | None = None, aliases=(),
              inplace: bool = True, **formulas):
    """Declare a unary primitive over a NumPy function plus its public function and variants."""
    op = prim(name, backward=backward)(_named(fwd, name))
    if formulas:
        op.defvjp(**formulas)

    def fn(input: Tensor, *, out: Tensor | None = None) -> Tensor:
        return unary(op, input, kind, out=out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of ``input``."
    public(name, inplace=inplace, aliases=aliases)(fn)
    return op, fn


def _named(fwd, name):
    """A forward ``f(self)`` around a NumPy callable (so the registry sees one input)."""

    def forward(self):
        return fwd(self)

    forward.__name__ = name
    return forward


# ---------------------------------------------------------------------------------- arithmetic
@prim("add")
def _add(self, other, *, alpha=1):
    if alpha != 1:
        other = np.multiply(other, alpha, dtype=self.dtype if self.dtype != _BOOL_NP else None)
    return np.add(self, other)


_add.defvjp(self=lambda grad: grad, other=lambda grad, alpha: grad if alpha == 1 else grad * alpha)


@public(inplace=True)
def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcast and type-promoted."""
    return binary(_add, input, other, SAME, None if alpha == 1 else {"alpha": alpha}, out, "add")


@prim("sub")
def _sub(self, other, *, alpha=1):
    if alpha != 1:
        other = np.multiply(other, alpha, dtype=self.dtype)
    return np.subtract(self, other)


_sub.defvjp(
    self=lambda grad: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)


def _check_bool_sub(input, other):
    if (isinstance(input, Tensor) and input._data.dtype == _BOOL_NP) and (
        other is True or other is False
        or (isinstance(other, Tensor) and other._data.dtype == _BOOL_NP)
    ):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )


@public(inplace=True, aliases=("subtract",))
def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    _check_bool_sub(input, other)
    return binary(_sub, input, other, SAME, None if alpha == 1 else {"alpha": alpha}, out, "sub")


@prim("rsub", backward="RsubBackward1")
def _rsub(self, other, *, alpha=1):
    if alpha != 1:
        self = np.multiply(self, alpha, dtype=self.dtype)
    return np.subtract(other, self)


_rsub.defvjp(self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)


@public(method=False)
def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    _check_bool_sub(input, other)
    return binary(_rsub, input, other, SAME, None if alpha == 1 else {"alpha": alpha})


@prim("mul")
def _mul(self, other):
    return np.multiply(self, other)


_mul.defvjp(self=lambda grad, other: grad * other, other=lambda grad, self: grad * self)


@public(inplace=True, aliases=("multiply",))
def mul(input, other, *, out=None) -> Tensor:
    """``input * other``."""
    return binary(_mul, input, other, SAME, None, out, "mul")


@prim("div")
def _div(self, other):
    return np.true_divide(self, other)


_div.defvjp(
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * ((self / other) / other),
)


@prim("div_rounding", backward="DivBackward2")
def _div_rounding(self, other, *, rounding_mode):
    if self.dtype.kind in "iu":
        _check_int_zero(other)
        if rounding_mode == "floor":
            return np.floor_divide(self, other)
        q = np.floor_divide(self, other)  # C division truncates: fix floor where signs differ
        return q + ((np.remainder(self, other) != 0) & ((self < 0) != (np.asarray(other) < 0)))
    q = np.true_divide(self, other)
    if rounding_mode == "trunc":
        return np.trunc(q)
    return np.floor_divide(self, other)


_div_rounding.defvjp(self=lambda grad: grad * 0, other=lambda grad: grad * 0)


def _check_int_zero(other) -> None:
    if np.any(np.asarray(other) == 0):
        raise RuntimeError("ZeroDivisionError")


@public(inplace=True, aliases=("divide",))
def div(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """``input / other``; ``rounding_mode`` ``'trunc'`` or ``'floor'`` rounds the quotient."""
    if rounding_mode is None:
        return binary(_div, input, other, FLOAT, None, out, "div")
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return binary(_div_rounding, input, other, SAME, {"rounding_mode": rounding_mode}, out, "div")


@public(inplace=True)
def true_divide(input, other, *, out=None) -> Tensor:
    """Same as ``div(input, other)``."""
    return binary(_div, input, other, FLOAT, None, out, "true_divide")


@prim("floor_divide")
def _floor_divide(self, other):
    if self.dtype.kind in "iu":
        _check_int_zero(other)
    return np.floor_divide(self, other)


@public(inplace=True)
def floor_divide(input, other, *, out=None) -> Tensor:
    """``input // other`` (rounds toward negative infinity); not differentiable."""
    return binary(_floor_divide, input, other, SAME, None, out, "floor_divide")


def _not_differentiable(name):
    def formula(grad):
        raise RuntimeError(f"the derivative for '{name}' is not implemented.")

    return formula


_floor_divide.defvjp(self=_not_differentiable("floor_divide"),
                     other=_not_differentiable("floor_divide"))


@prim("remainder", backward="RemainderBackward1")
def _remainder(self, other):
    if self.dtype.kind in "iu":
        _check_int_zero(other)
    return np.remainder(self, other)


_remainder.defvjp(
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="floor"),
)

_remainder_scalar = prim("remainder_scalar", backward="RemainderBackward0")(_remainder.fwd)
_remainder_scalar.defvjp(self=lambda grad: grad)


@public(inplace=True)
def remainder(input, other, *, out=None) -> Tensor:
    """Python-style modulus: the result has the sign of ``other``."""
    op = _remainder if isinstance(other, Tensor) else _remainder_scalar
    return binary(op, input, other, SAME, None, out, "remainder")


@prim("fmod", backward="FmodBackward1")
def _fmod(self, other):
    if self.dtype.kind in "iu":
        _check_int_zero(other)
    return np.fmod(self, other)


_fmod.defvjp(
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="trunc"),
)
_fmod_scalar = prim("fmod_scalar", backward="FmodBackward0")(_fmod.fwd)
_fmod_scalar.defvjp(self=lambda grad: grad)


@public(inplace=True)
def fmod(input, other, *, out=None) -> Tensor:
    """C-style modulus: the result has the sign of ``input``."""
    op = _fmod if isinstance(other, Tensor) else _fmod_scalar
    return binary(op, input, other, SAME, None, out, "fmod")


# pow: torch computes small integral exponents by multiplication, so we do too.
def _pow_scalar_fwd(self, *, exponent):
    if self.dtype.kind in "iub":
        if isinstance(exponent, int) and exponent < 0:
            if np.any(np.abs(self) != 1):
                raise RuntimeError("Integers to negative integer powers are not allowed.")
        if isinstance(exponent, float):
            raise AssertionError("unreachable: float exponents promote integer bases")
    if exponent == 2:
        return np.multiply(self, self)
    if exponent == 3:
        return np.multiply(np.multiply(self, self), self)
    if exponent == 0.5:
        return np.sqrt(self)
    if exponent == -0.5:
        return np.true_divide(1, np.sqrt(self)).astype(self.dtype)
    if exponent == -1 and self.dtype.kind not in "iub":
        return np.true_divide(1, self).astype(self.dtype)
    if exponent == -2 and self.dtype.kind not in "iub":
        return np.true_divide(1, np.multiply(self, self)).astype(self.dtype)
    if self.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
        return np.where(self == 1, 1, np.where(exponent % 2, -1, 1) * (self == -1)).astype(
            self.dtype
        )
    return np.power(self, np.asarray(exponent, dtype=self.dtype)).astype(self.dtype, copy=False)


_pow_scalar = prim("pow", backward="PowBackward0")(_pow_scalar_fwd)


def _pow_scalar_grad(grad, self, exponent):
    if exponent == 0:
        return grad * 0
    return grad * (exponent * self.pow(exponent - 1))


_pow_scalar.defvjp(self=_pow_scalar_grad)


@prim("pow_tensor", backward="PowBackward1")
def _pow_tensor(self, exponent):
    if self.dtype.kind in "iu" and np.any((np.asarray(exponent) < 0) & (np.abs(self) != 1)):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return np.power(self, exponent)


def _pow_exponent_grad(grad, self, exponent, result):
    from .indexing import where

    cond = (self == 0) & (exponent >= 0)
    return grad * where(cond, 0.0, result * self.log())


_pow_tensor.defvjp(
    self=lambda grad, self, exponent: _where_zero(exponent == 0, grad * (exponent * self.pow(
        exponent - 1))),
    exponent=_pow_exponent_grad,
)


def _where_zero(cond, x):
    from .indexing import where

    return where(cond, 0.0, x)


@prim("pow_scalar_base", backward="PowBackward2")
def _pow_scalar_base(exponent, *, self):
    return np.power(np.asarray(self, dtype=exponent.dtype), exponent)


def _pow_base_grad(grad, exponent, self, result):
    if self == 0:  # d/de 0**e is 0 for e >= 0 and -inf below
        return _where_zero(exponent >= 0, grad * (result * -math.inf))
    return grad * (result * math.log(self))


_pow_scalar_base.defvjp(exponent=_pow_base_grad)


@public(inplace=True)
def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a Python scalar."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise _type_error("pow", input, 1, "input")
        base = _scalar(input)
        d = exponent._data
        dt = _promote(exponent, base)[3]
        if dt != d.dtype:
            d = d.astype(dt)
        result = apply(_pow_scalar_base, (exponent,), (d,), {"self": base})
        return result if out is None else check_out(out, result, "pow")
    if isinstance(exponent, Tensor):
        return binary(_pow_tensor, input, exponent, SAME, None, out, "pow")
    exponent = _scalar(exponent)
    if not isinstance(exponent, _PY_SCALARS):
        raise _type_error("pow", exponent, 2, "exponent")
    _, d, _, dt = _promote(input, exponent)
    result = apply(_pow_scalar, (input,), (d,), {"exponent": exponent})
    return result if out is None else check_out(out, result, "pow")


@public()
def float_power(input, exponent, *, out=None) -> Tensor:
    """``pow`` computed in float64."""
    x = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(x, e, out=out)


@public(inplace=True)
def square(input, *, out=None) -> Tensor:
    """``input * input`` (as ``pow(input, 2)``)."""
    return pow(input, 2, out=out)


@prim("neg")
def _neg(self):
    if self.dtype == _BOOL_NP:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return np.negative(self)


_neg.defvjp(self=lambda grad: -grad)


@public(inplace=True, aliases=("negative",))
def neg(input, *, out=None) -> Tensor:
    """``-input``."""
    return unary(_neg, input, out=out)


@public()
def positive(input) -> Tensor:
    """``+input``: returns ``input`` itself."""
    if input._data.dtype == _BOOL_NP:
        raise RuntimeError(
            "The `+` operator, on a bool tensor is not supported."
        )
    return input


@prim("abs")
def _abs(self):
    if self.dtype == _BOOL_NP:
        raise _not_implemented("abs", self.dtype)
    return np.abs(self)


_abs.defvjp(self=lambda grad, self: grad * self.sign())


@public(inplace=True, aliases=("absolute",))
def abs(input, *, out=None) -> Tensor:
    """``|input|``."""
    return unary(_abs, input, out=out)


_zero_grad = {"self": lambda grad: grad * 0}

_sign, sign = _unary_op("sign", np.sign, **_zero_grad)
_sgn, sgn = _unary_op("sgn", np.sign, **_zero_grad)
_floor, floor = _unary_op("floor", np.floor, **_zero_grad)
_ceil, ceil = _unary_op("ceil", np.ceil, **_zero_grad)
_trunc, trunc = _unary_op("trunc", np.trunc, aliases=("fix",), **_zero_grad)


def _frac_fwd(x):
    if x.dtype.kind in "iub":
        raise _not_implemented("frac", x.dtype)
    return np.subtract(x, np.trunc(x))


_frac, frac = _unary_op("frac", _frac_fwd, self=lambda grad: grad)


@prim("round")
def _round(self):
    return np.round(self)


_round.defvjp(**_zero_grad)


@prim("round_decimals", backward="RoundBackward1")
def _round_decimals(self, *, decimals):
    if self.dtype.kind in "iub":
        raise NotImplementedError(
            f'"round_cpu" not implemented for \'{_FROM_NP[self.dtype]._legacy}\''
        )
    # torch: for decimals > 0, round(x * 10**d) / 10**d; else round(x / 10**-d) * 10**-d.
    if decimals > 0:
        scale = np.asarray(10.0**decimals, dtype=self.dtype)
        return np.round(self * scale) / scale
    scale = np.asarray(10.0 ** (-decimals), dtype=self.dtype)
    return np.round(self / scale) * scale


_round_decimals.defvjp(**_zero_grad)


@public(inplace=True)
def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round half to even, optionally to ``decimals`` decimal places."""
    if decimals == 0:
        return unary(_round, input, out=out)
    return unary(_round_decimals, input, params={"decimals": decimals}, out=out)


def _reciprocal_fwd(x):
    return np.true_divide(1, x).astype(x.dtype, copy=False)


_reciprocal, reciprocal = _unary_op(
    "reciprocal", _reciprocal_fwd, FLOAT, self=lambda grad, result: -grad * (result * result)
)

# ---------------------------------------------------------------------------------- math
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_exp, exp = _unary_op("exp", np.exp, FLOAT, self=lambda grad, result: grad * result)
_exp2, exp2 = _unary_op("exp2", np.exp2, FLOAT, self=lambda grad, result: grad * result * _LN2)
_expm1, expm1 = _unary_op("expm1", np.expm1, FLOAT,
                          self=lambda grad, result: grad * (result + 1))
_log, log = _unary_op("log", np.log, FLOAT, self=lambda grad, self: grad.div(self))
_log2, log2 = _unary_op("log2", np.log2, FLOAT, self=lambda grad, self: grad / (self * _LN2))
_log10, log10 = _unary_op("log10", np.log10, FLOAT,
                          self=lambda grad, self: grad / (self * _LN10))
_log1p, log1p = _unary_op("log1p", np.log1p, FLOAT, backward="Log1PBackward0",
                          self=lambda grad, self: grad / (self + 1))
_sqrt, sqrt = _unary_op("sqrt", np.sqrt, FLOAT, self=lambda grad, result: grad / (2 * result))


def _rsqrt_fwd(x):
    return np.true_divide(1, np.sqrt(x)).astype(x.dtype, copy=False)


_rsqrt, rsqrt = _unary_op("rsqrt", _rsqrt_fwd, FLOAT,
                          self=lambda grad, result: -0.5 * grad * result.pow(3))
_sin, sin = _unary_op("sin", np.sin, FLOAT, self=lambda grad, self: grad * self.cos())
_cos, cos = _unary_op("cos", np.cos, FLOAT, self=lambda grad, self: grad * -self.sin())
_tan, tan = _unary_op("tan", np.tan, FLOAT,
                      self=lambda grad, result: grad * (1 + result.pow(2)))
_asin, asin = _unary_op("asin", np.arcsin, FLOAT, aliases=("arcsin",),
                        self=lambda grad, self: grad * (-self * self + 1).rsqrt())
_acos, acos = _unary_op("acos", np.arccos, FLOAT, aliases=("arccos",),
                        self=lambda grad, self: grad * -((-self * self + 1).rsqrt()))
_atan, atan = _unary_op("atan", np.arctan, FLOAT, aliases=("arctan",),
                        self=lambda grad, self: grad / (self * self + 1))
_sinh, sinh = _unary_op("sinh", np.sinh, FLOAT, self=lambda grad, self: grad * self.cosh())
_cosh, cosh = _unary_op("cosh", np.cosh, FLOAT, self=lambda grad, self: grad * self.sinh())
_tanh, tanh = _unary_op("tanh", np.tanh, FLOAT,
                        self=lambda grad, result: grad * (1 - result * result))
_asinh, asinh = _unary_op("asinh", np.arcsinh, FLOAT, aliases=("arcsinh",),
                          self=lambda grad, self: grad * (self.pow(2) + 1).rsqrt())
_acosh, acosh = _unary_op("acosh", np.arccosh, FLOAT, aliases=("arccosh",),
                          self=lambda grad, self: grad * (self.pow(2) - 1).rsqrt())
_atanh, atanh = _unary_op("atanh", np.arctanh, FLOAT, aliases=("arctanh",),
                          self=lambda grad, self: grad * (1 / (1 - self.pow(2))))


def _sigmoid_fwd(x):
    # 1 / (1 + exp(-x)), computed in place on one temporary (an array even for 0-d input).
    t = np.negative(x, out=np.empty(x.shape, x.dtype))
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


@prim("sigmoid_backward")
def _sigmoid_backward(grad_output, output):
    t = np.subtract(1, output, out=np.empty(output.shape, output.dtype))  # grad * (1-y) * y
    np.multiply(grad_output, t, out=t)
    return np.multiply(t, output, out=t)


_sigmoid_backward.defvjp(
    grad_output=lambda grad, output: grad * (1 - output) * output,
    output=lambda grad, grad_output, output: grad * grad_output * (1 - 2 * output),
)

_sigmoid, sigmoid = _unary_op(
    "sigmoid", _sigmoid_fwd, FLOAT,
    self=lambda grad, result: apply(_sigmoid_backward, (grad, result), (grad._data, result._data)),
)


def _relu_fwd(x):
    if x.dtype == _BOOL_NP:
        raise RuntimeError("Boolean inputs not supported for relu")
    return np.maximum(x, x.dtype.type(0))


def _relu_grad(grad, result):
    from .indexing import where

    return where(result <= 0, 0.0, grad)


_relu, relu = _unary_op("relu", _relu_fwd, self=_relu_grad)


def _erf_fwd(x):
    from ._special import erf as erf_np

    return erf_np(x)


def _erfc_fwd(x):
    from ._special import erfc as erfc_np

    return erfc_np(x)


def _erfinv_fwd(x):
    from ._special import erfinv as erfinv_np

    return erfinv_np(x)


_erf, erf = _unary_op(
    "erf", _erf_fwd, FLOAT, self=lambda grad, self: _TWO_OVER_SQRT_PI * (-self.pow(2)).exp() * grad
)
_erfc, erfc = _unary_op(
    "erfc", _erfc_fwd, FLOAT,
    self=lambda grad, self: -_TWO_OVER_SQRT_PI * (-self.pow(2)).exp() * grad,
)
_erfinv, erfinv = _unary_op(
    "erfinv", _erfinv_fwd, FLOAT,
    self=lambda grad, result: 0.5 * math.sqrt(math.pi) * (result.pow(2)).exp() * grad,
)


@prim("atan2")
def _atan2(self, other):
    return np.arctan2(self, other)


_atan2.defvjp(
    self=lambda grad, self, other: grad * other / (self * self + other * other),
    other=lambda grad, self, other: grad * -self / (self * self + other * other),
)


@public(inplace=True, aliases=("arctan2",))
def atan2(input, other, *, out=None) -> Tensor:
    """Elementwise arctangent of ``input / other`` using both signs."""
    return binary(_atan2, input, other, FLOAT, None, out, "atan2")


@prim("logaddexp")
def _logaddexp(self, other):
    return np.logaddexp(self, other)


_logaddexp.defvjp(
    self=lambda grad, self, other: grad / (1 + (other - self).exp()),
    other=lambda grad, self, other: grad / (1 + (self - other).exp()),
)


@public()
def logaddexp(input, other, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    return binary(_logaddexp, input, other, FLOAT, None, out, "logaddexp")


@prim("hypot")
def _hypot(self, other):
    return np.hypot(self, other)


_hypot.defvjp(
    self=lambda grad, self, result: grad * self / result,
    other=lambda grad, other, result: grad * other / result,
)


@public(inplace=True)
def hypot(input, other, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)``."""
    return binary(_hypot, input, other, SAME, None, out, "hypot")


# ---------------------------------------------------------------------------------- clamp
@prim("clamp", backward="ClampBackward1")
def _clamp_scalar(self, *, min, max):
    if min is not None and max is not None:
        return np.minimum(np.maximum(self, min), max)
    if min is not None:
        return np.maximum(self, min)
    return np.minimum(self, max)


def _clamp_scalar_grad(grad, self, min, max):
    from .indexing import where

    mask = None
    if min is not None:
        mask = self >= min
    if max is not None:
        m = self <= max
        mask = m if mask is None else mask.logical_and(m)
    return where(mask, grad, 0.0)


_clamp_scalar.defvjp(self=_clamp_scalar_grad)


@prim("clamp_tensor", backward="ClampBackward0")
def _clamp_tensor(self, min, max):
    out = self
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    return out if out is not self else self.copy()


def _clamp_self_grad(grad, self, min, max):
    from .indexing import where

    if min is not None and max is not None:
        return where((self >= min).logical_and(self <= max), grad, 0.0)
    return where(self >= min if min is not None else self <= max, grad, 0.0)


def _clamp_min_grad(grad, self, min, max):
    from .indexing import where

    mask = self < min
    if max is not None:
        mask = mask.logical_and(min < max)  # if min > max, min has no gradient
    return where(mask, grad, 0.0)


def _clamp_max_grad(grad, self, min, max):
    from .indexing import where

    mask = self > max
    if min is not None:
        mask = mask.logical_or(max < min)
    return where(mask, grad, 0.0)


_clamp_tensor.defvjp(self=_clamp_self_grad, min=_clamp_min_grad, max=_clamp_max_grad)


@public(inplace=True, aliases=("clip",))
def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit ``input`` to ``[min, max]``; bounds may be scalars or tensors."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from .creation import scalar_tensor_like

        tmin = scalar_tensor_like(min, input) if isinstance(min, (int, float)) else min
        tmax = scalar_tensor_like(max, input) if isinstance(max, (int, float)) else max
        ops = [input] + [t for t in (tmin, tmax) if t is not None]
        dt = P.result_type_of(ops)._np
        arrays = tuple(None if t is None else t._data.astype(dt, copy=False)
                       for t in (input, tmin, tmax))
        result = apply(_clamp_tensor, (input, tmin, tmax), arrays)
    else:
        bounds = [_scalar(b) for b in (min, max) if b is not None]
        dt = P.result_type_of([input, *bounds])._np
        d = input._data if input._data.dtype == dt else input._data.astype(dt)
        result = apply(_clamp_scalar, (input,), (d,), {"min": _scalar(min), "max": _scalar(max)})
    return result if out is None else check_out(out, result, "clamp")


@public(inplace=True)
def clamp_min(input, min) -> Tensor:
    return clamp(input, min=min)


@public(inplace=True)
def clamp_max(input, max) -> Tensor:
    return clamp(input, max=max)


# ---------------------------------------------------------------------------------- max/min
@prim("maximum")
def _maximum(self, other):
    return np.maximum(self, other)


def _max_grad(grad, self, other, sign):
    from .indexing import where

    tie = self == other
    g = where(tie, grad / 2, grad)
    return g.masked_fill(self < other if sign > 0 else self > other, 0)


_maximum.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, 1),
    other=lambda grad, self, other: _max_grad(grad, other, self, 1),
)


@public()
def maximum(input, other, *, out=None) -> Tensor:
    """Elementwise maximum (NaN propagates)."""
    _require_tensor("maximum", other)
    return binary(_maximum, input, other, SAME, None, out, "maximum")


@prim("minimum")
def _minimum(self, other):
    return np.minimum(self, other)


_minimum.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, -1),
    other=lambda grad, self, other: _max_grad(grad, other, self, -1),
)


@public()
def minimum(input, other, *, out=None) -> Tensor:
    """Elementwise minimum (NaN propagates)."""
    _require_tensor("minimum", other)
    return binary(_minimum, input, other, SAME, None, out, "minimum")


@prim("fmax")
def _fmax(self, other):
    return np.fmax(self, other)


_fmax.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, 1),
    other=lambda grad, self, other: _max_grad(grad, other, self, 1),
)


@public()
def fmax(input, other, *, out=None) -> Tensor:
    """Elementwise maximum ignoring NaN."""
    return binary(_fmax, input, other, SAME, None, out, "fmax")


@prim("fmin")
def _fmin(self, other):
    return np.fmin(self, other)


_fmin.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, -1),
    other=lambda grad, self, other: _max_grad(grad, other, self, -1),
)


@public()
def fmin(input, other, *, out=None) -> Tensor:
    """Elementwise minimum ignoring NaN."""
    return binary(_fmin, input, other, SAME, None, out, "fmin")


def _require_tensor(name: str, other) -> None:
    if not isinstance(other, Tensor):
        raise _type_error(name, other)


# ---------------------------------------------------------------------------------- lerp
@prim("lerp", backward="LerpBackward0")
def _lerp_scalar(self, end, *, weight):
    w = np.asarray(weight, dtype=self.dtype)
    diff = end - self
    if weight < 0.5:
        return self + w * diff
    return end - diff * (1 - w)


_lerp_scalar.defvjp(
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
)


@prim("lerp_tensor", backward="LerpBackward1")
def _lerp_tensor(self, end, weight):
    diff = end - self
    return np.where(np.abs(weight) < 0.5, self + weight * diff, end - diff * (1 - weight))


_lerp_tensor.defvjp(
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
    weight=lambda grad, self, end: grad * (end - self),
)


@public(inplace=True)
def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``."""
    if end._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected dtype {_c_dtype(input)} for `end` but got dtype {_c_dtype(end)}"
        )
    if not _broadcastable(input._data.shape, end._data.shape):
        raise broadcast_error(input._data.shape, end._data.shape)
    if isinstance(weight, Tensor):
        arrays = (input._data, end._data, weight._data)
        result = apply(_lerp_tensor, (input, end, weight), arrays)
    else:
        result = apply(_lerp_scalar, (input, end), (input._data, end._data),
                       {"weight": _scalar(weight)})
    return result if out is None else check_out(out, result, "lerp")


def _c_dtype(t: Tensor) -> str:
    from .._tensor import _c_name

    return _c_name(t.dtype)


# ---------------------------------------------------------------------------------- predicates
def _bool_unary(name: str, fn):
    op = prim(name)(_named(fn, name))

    def f(input: Tensor) -> Tensor:
        return unary(op, input)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    public(name)(f)
    return f


def _isnan(x):
    return np.isnan(x) if x.dtype.kind not in "iub" else np.zeros(x.shape, dtype=bool)


def _isinf(x):
    return np.isinf(x) if x.dtype.kind not in "iub" else np.zeros(x.shape, dtype=bool)


def _isfinite(x):
    return np.isfinite(x) if x.dtype.kind not in "iub" else np.ones(x.shape, dtype=bool)


isnan = _bool_unary("isnan", _isnan)
isinf = _bool_unary("isinf", _isinf)
isfinite = _bool_unary("isfinite", _isfinite)
isposinf = _bool_unary("isposinf", lambda x: np.isposinf(x) if x.dtype.kind not in "iub"
                       else np.zeros(x.shape, dtype=bool))
isneginf = _bool_unary("isneginf", lambda x: np.isneginf(x) if x.dtype.kind not in "iub"
                       else np.zeros(x.shape, dtype=bool))
signbit = _bool_unary("signbit", np.signbit)


@prim("nan_to_num")
def _nan_to_num(self, *, nan, posinf, neginf):
    if self.dtype.kind in "iub":
        return self.copy()
    info = np.finfo(self.dtype) if self.dtype.kind == "f" else _bf16_info()
    out = np.where(np.isnan(self), np.asarray(nan, self.dtype), self)
    out = np.where(out == np.inf, np.asarray(info.max if posinf is None else posinf, self.dtype),
                   out)
    out = np.where(out == -np.inf,
                   np.asarray(info.min if neginf is None else neginf, self.dtype), out)
    return out.astype(self.dtype, copy=False)


def _bf16_info():
    import ml_dtypes

    return ml_dtypes.finfo(ml_dtypes.bfloat16)


_nan_to_num.defvjp(self=lambda grad, self: grad * self.isfinite())


@public(inplace=True)
def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace NaN, +inf and -inf with finite numbers."""
    params = {"nan": nan, "posinf": posinf, "neginf": neginf}
    return unary(_nan_to_num, input, params=params, out=out)


# ---------------------------------------------------------------------------------- comparisons
def _cmp_op(name: str, ufunc, aliases=()):
    op = prim(name)(_named2(ufunc, name))

    def f(input, other, *, out=None) -> Tensor:
        return _compare(op, input, other, out)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` comparison: a bool tensor."
    public(name, inplace=True, aliases=aliases)(f)
    return f


def _named2(fwd, name):
    def forward(self, other):
        return fwd(self, other)

    forward.__name__ = name
    return forward


eq = _cmp_op("eq", np.equal)
ne = _cmp_op("ne", np.not_equal, aliases=("not_equal",))
lt = _cmp_op("lt", np.less, aliases=("less",))
le = _cmp_op("le", np.less_equal, aliases=("less_equal",))
gt = _cmp_op("gt", np.greater, aliases=("greater",))
ge = _cmp_op("ge", np.greater_equal, aliases=("greater_equal",))


@public()
def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and values."""
    if not isinstance(other, Tensor):
        raise _type_error("equal", other)
    a, b = input._data, other._data
    return a.shape == b.shape and bool(np.all(a == b))


@public()
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, elementwise."""
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"{input.dtype} did not match {other.dtype}".replace("ember.", "")
        )
    from .._tensor import _wrap

    a = input._data
    b = other._data
    if a.dtype.kind in "iub":
        a = a.astype(np.float64)
        b = b.astype(np.float64)
    elif a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float32)
        b = b.astype(np.float32)
    with np.errstate(all="ignore"):
        close = (a == b) | (np.abs(a - b) <= atol + rtol * np.abs(b))
        close &= np.isfinite(a) | (a == b)
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
    return _wrap(np.asarray(close))


@public()
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# ---------------------------------------------------------------------------------- logical/bitwise
def _logical(name: str, ufunc):
    op = prim(name)(_named2(lambda a, b: ufunc(a.astype(bool, copy=False),
                                                np.asarray(b).astype(bool, copy=False)), name))

    def f(input, other, *, out=None) -> Tensor:
        return binary(op, input, other, SAME, None, out, name)

    f.__name__ = f.__qualname__ = name
    public(name, inplace=True)(f)
    return f


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)

_logical_not_op = prim("logical_not")(_named(lambda x: np.logical_not(x), "logical_not"))


@public(inplace=True)
def logical_not(input, *, out=None) -> Tensor:
    return unary(_logical_not_op, input, out=out)


def _bitwise(name: str, ufunc, kernel: str):
    def fwd(a, b):
        if a.dtype.kind not in "iub":
            raise _not_implemented(kernel, a.dtype)
        return ufunc(a, b)

    op = prim(name)(_named2(fwd, name))

    def f(input, other, *, out=None) -> Tensor:
        return binary(op, input, other, SAME, None, out, name)

    f.__name__ = f.__qualname__ = name
    public(name, inplace=True)(f)
    return f


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise("bitwise_left_shift", np.left_shift, "lshift")
bitwise_right_shift = _bitwise("bitwise_right_shift", np.right_shift, "rshift")


def _bitwise_not_fwd(x):
    if x.dtype.kind not in "iub":
        raise _not_implemented("bitwise_not", x.dtype)
    return np.invert(x)


_bitwise_not_op = prim("bitwise_not")(_named(_bitwise_not_fwd, "bitwise_not"))


@public(inplace=True)
def bitwise_not(input, *, out=None) -> Tensor:
    return unary(_bitwise_not_op, input, out=out)


