"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops.

Each primitive is a NumPy forward plus its gradient formulas (torch's derivatives.yaml, in
ember ops, so double backward works). ``unary`` and ``binary`` do torch's type promotion:

- ``SAME``: the promoted dtype of the operands (add, mul, maximum...);
- ``FLOAT``: like SAME, but integers and bools compute in the default float dtype (exp, div...);
- ``BOOL_OUT``: compare in the promoted dtype, return bool (eq, lt...);
- ``OPMATH`` (a flag added to the above): a float16/bfloat16 tensor with a scalar ``other``
  (a Python number or a 0-dim tensor) computes in float32 with the scalar's unrounded value
  and rounds once, as torch's CPU kernels for mul and div do. Other ops round the scalar to
  the half type first (NumPy's rule for Python scalars, too).

Python ints that do not fit the tensor's dtype wrap around as a C cast does (torch converts
the scalar to the tensor's dtype); ints outside [-2**63, 2**64) raise OverflowError.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .. import return_types as R
from .._tensor import Tensor, _c_name, _wrap
from . import _special
from ._util import FLOAT_NP, broadcast_error, check_out
from .indexing import where
from .registry import apply, prim, public

SAME, FLOAT, BOOL_OUT, OPMATH = 0, 1, 2, 4
# float32/float64: every kind computes these in their own dtype.
_NO_OPMATH_FLOAT = frozenset((np.dtype(np.float32), np.dtype(np.float64)))

_FROM_NP = D._FROM_NP
_DEF = D._DefaultDtype
_BOOL_NP = np.dtype(np.bool_)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_INT64_NP = np.dtype(np.int64)
_BF16_NP = D.bfloat16._np
_PY_SCALARS = (int, float, bool)
_INT_RANGE = {d._np: (int(np.iinfo(d._np).min), int(np.iinfo(d._np).max)) for d in D.INT_DTYPES}
_I64_MIN, _I64_END, _U64_END = -(2**63), 2**63, 2**64
# dtype -> kind, for the scalar-operand rules (bfloat16 apart: ml_dtypes needs 0-d arrays)
_K_BOOL, _K_INT, _K_FLOAT, _K_BF16 = 0, 1, 2, 3
_KIND = {d._np: (_K_BF16 if d is D.bfloat16 else d._cat) for d in D.ALL_DTYPES}


def _scalar(x):
    """A Python scalar from a NumPy scalar or 0-d array (torch treats them alike)."""
    if isinstance(x, np.generic) or (isinstance(x, np.ndarray) and x.ndim == 0):
        if x.dtype.kind == "V":  # bfloat16
            return float(x.astype(np.float32))
        return x.item()
    return x


def _type_error(name: str, x, pos: int = 2, argname: str = "other") -> TypeError:
    return TypeError(
        f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}"
    )


def _not_implemented(kernel: str, dt) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{_FROM_NP[dt]._legacy}\'')


def _arg_type(x) -> str:
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _matches(kind: str, x) -> bool:
    # (torch's message marks every argument given for a ``Number`` parameter as invalid)
    if kind == "Tensor":
        return isinstance(x, Tensor)
    return kind == "str" and isinstance(x, str)


def _invalid_args(name: str, signatures: tuple, args: tuple, kwargs=None) -> TypeError:
    """torch's 'received an invalid combination of arguments' error.

    ``signatures``: the overloads as torch prints them, e.g. ``"Tensor input, Number other"``.
    An overload that takes exactly as many arguments as were given gets the line naming the
    mismatching ones (``!str!``), as torch's argument parser prints it.
    """
    kwargs = {k: v for k, v in (kwargs or {}).items()}
    got = [_arg_type(a) for a in args] + [f"{k}={_arg_type(v)}" for k, v in sorted(kwargs.items())]
    lines = [f"{name}() received an invalid combination of arguments - got ({', '.join(got)}), "
             "but expected one of:"]
    for sig in signatures:
        lines.append(f" * ({sig})")
        params = [p.strip() for p in sig.split(",") if p.strip() != "*"]
        if len(params) == len(args) + len(kwargs) and not kwargs:
            marks = []
            for p, a in zip(params, args):
                t = _arg_type(a)
                marks.append(t if _matches(p.split()[0], a) else f"!{t}!")
            lines.append("      didn't match because some of the arguments have invalid types: "
                         f"({', '.join(marks)})")
    return TypeError("\n".join(lines) + "\n")


_SIG_TN = ("Tensor input, Tensor other, *, Tensor out = None",
           "Tensor input, Number other, *, Tensor out = None")
_SIG_TN_SCALAR_SELF = ("Tensor input, Tensor other, *, Tensor out = None",
                       "Number self, Tensor other",
                       "Tensor input, Number other, *, Tensor out = None")
_SIG_POW = ("Tensor input, Tensor exponent, *, Tensor out = None",
            "Number self, Tensor exponent, *, Tensor out = None",
            "Tensor input, Number exponent, *, Tensor out = None")
_SIG_NUMBER_NO_OUT = ("Tensor input, Tensor other, *, Tensor out = None",
                      "Tensor input, Number other")
_SIG_SUBTRACT = ("Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None",
                 "Tensor input, Number other, Number alpha = 1")
_SIG_RSUB = ("Tensor input, Tensor other, *, Number alpha = 1",
             "Tensor input, Number other, Number alpha = 1")
_SIG_DIVIDE = ("Tensor input, Tensor other, *, Tensor out = None",
               "Tensor input, Tensor other, *, str rounding_mode, Tensor out = None",
               "Tensor input, Number other",
               "Tensor input, Number other, *, str rounding_mode")


def _is_number(x) -> bool:
    return type(x) in _PY_SCALARS or isinstance(x, np.generic)


# ---------------------------------------------------------------------------------- dispatch
def unary(op, input: Tensor, kind: int = SAME, params=None, out=None, name: str | None = None):
    """Run a one-input elementwise primitive with torch's dtype rule for ``kind``."""
    if type(input) is not Tensor and not isinstance(input, Tensor):
        raise _type_error(name or op.name, input, 1, "input")
    d = input._data
    if kind == FLOAT and d.dtype not in FLOAT_NP:
        d = d.astype(_DEF.value._np)
    result = apply(op, (input,), (d,), params)
    return result if out is None else check_out(out, result, name or op.name)


def _wrap_int(v: int, np_dtype):
    """A Python int outside ``np_dtype``'s range, converted as a C cast (torch's Scalar) does."""
    if v >= _U64_END:
        raise OverflowError("int too big to convert")
    if v < _I64_MIN:
        raise OverflowError("can't convert negative int to unsigned")
    return np.asarray(v).astype(np_dtype)


_C_TYPE = {
    np.dtype(np.bool_): "bool", np.dtype(np.uint8): "uint8_t", np.dtype(np.int8): "int8_t",
    np.dtype(np.int16): "int16_t", np.dtype(np.int32): "int", np.dtype(np.int64): "int64_t",
    np.dtype(np.float16): "c10::Half", D.bfloat16._np: "c10::BFloat16",
    np.dtype(np.float32): "float", np.dtype(np.float64): "double",
}
_FLOAT_MAX = {np.dtype(np.float16): 65504.0, D.bfloat16._np: 3.3895313892515355e38,
              np.dtype(np.float32): 3.4028234663852886e38, np.dtype(np.float64): math.inf}


def _checked(v, np_dtype):
    """``v`` converted to ``np_dtype`` as torch's ``Scalar.to<T>()``: overflow is an error.

    (Ops that take a scalar as an operand convert it with a wrapping cast instead; ops that
    take it as a parameter - clamp bounds, pow exponents, alpha, lerp weights - check it.)
    Returns a value NumPy accepts for that dtype (unsigned dtypes wrap negative values).
    """
    if type(v) is bool:
        return v
    if type(v) is int and not _I64_MIN <= v < _U64_END:
        _wrap_int(v, np_dtype)
    kind = _KIND[np_dtype]
    if kind == _K_INT:
        lo, hi = _INT_RANGE[np_dtype]
        if lo == 0:  # unsigned: negative values down to -max wrap around
            if v > hi or v < -hi:
                raise _overflow(np_dtype)
            return v if v >= 0 else _wrap_int(v, np_dtype)
        if v > hi or v < lo:
            raise _overflow(np_dtype)
        return v
    if kind == _K_BOOL:
        return v
    big = _FLOAT_MAX[np_dtype]
    if (v > big or v < -big) and not math.isinf(v):
        raise _overflow(np_dtype)
    return v


def _overflow(np_dtype) -> RuntimeError:
    return RuntimeError(f"value cannot be converted to type {_C_TYPE[np_dtype]} without overflow")


def _scalar_operand(adt, b):
    """(dtype, value) for a tensor of dtype ``adt`` with a Python scalar ``b`` (wrapped number).

    ``value`` is ``b`` itself, or a 0-d array of the result dtype where NumPy needs one
    (out-of-range ints, bfloat16).
    """
    kind = _KIND[adt]
    tb = type(b)
    if kind == _K_FLOAT:
        if tb is int and not _I64_MIN <= b < _U64_END:
            _wrap_int(b, adt)
        return adt, b
    if tb is float:
        if kind != _K_BF16:
            dt = _DEF.value._np
            return dt, (b if dt is not _BF16_NP else np.asarray(b, dt))
    elif tb is int:
        if kind == _K_INT:
            lo, hi = _INT_RANGE[adt]
            if b < lo or b > hi:
                return adt, _wrap_int(b, adt)
        elif kind == _K_BOOL:
            if not _I64_MIN <= b < _I64_END:
                if _I64_END <= b < _U64_END:  # a uint64 wrapped number
                    raise P._uint64_error(D.bool_, P.UINT64)
                _wrap_int(b, _INT64_NP)
            return _INT64_NP, b
        elif not _I64_MIN <= b < _U64_END:
            _wrap_int(b, adt)
    if kind == _K_BF16:  # ml_dtypes would compute bfloat16 with a Python float in float32
        return adt, np.asarray(b, adt)
    return adt, b


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
    if type(b) not in _PY_SCALARS:
        b = _scalar(b)
        if type(b) not in _PY_SCALARS:
            return NotImplemented, None, None, None
    dt, b = _scalar_operand(adt, b)
    return None, (ad if dt is adt else ad.astype(dt)), b, dt


def binary(op, a, b, kind: int = SAME, params=None, out=None, name: str | None = None):
    """Run a two-input elementwise primitive; ``a`` or ``b`` may be a Python scalar."""
    if type(b) is Tensor and type(a) is Tensor and out is None:
        # Fast path: two tensors of one dtype that needs no conversion for this kind.
        ad = a._data
        bd = b._data
        dt = ad.dtype
        if dt is bd.dtype and (not kind or kind == BOOL_OUT or dt in _NO_OPMATH_FLOAT):
            try:
                return apply(op, (a, b), (ad, bd), params)
            except ValueError:
                if not _broadcastable(ad.shape, bd.shape):
                    raise broadcast_error(ad.shape, bd.shape) from None
                raise
    if not isinstance(a, Tensor):
        return _binary_scalar_self(op, a, b, kind, params, out, name)
    bt, ad, bd, dt = _promote(a, b)
    if bt is NotImplemented:
        raise _type_error(name or op.name, b)
    cast = None
    if kind:
        if kind & FLOAT and dt not in FLOAT_NP:
            # integer inputs convert straight to float (no wrap-around in the integer type)
            f = _DEF.value._np
            ad = a._data.astype(f)
            bd = b._data.astype(f) if bt is not None else _scalar(b)
            if f is _BF16_NP and bt is None:
                bd = np.asarray(bd, f)
        elif kind & OPMATH and dt in _HALF_NP and (bt is None or bd.ndim == 0):
            # torch's CPU scalar path: float32 math with the scalar's original value.
            ad, cast = ad.astype(_F32), dt
            bd = b._data.astype(_F32) if bt is not None else np.float32(_scalar(b))
    try:
        result = apply(op, (a, bt), (ad, bd), params, cast)
    except ValueError:
        bshape = bd.shape if bt is not None else ()
        if not _broadcastable(ad.shape, bshape):
            raise broadcast_error(ad.shape, bshape) from None
        raise
    return result if out is None else check_out(out, result, name or op.name)


def _binary_scalar_self(op, a, b, kind, params, out, name):
    """``op(scalar, tensor)``: the scalar is a wrapped number (it ranks below the tensor)."""
    if not isinstance(b, Tensor) or not _is_number(a):
        raise _type_error(name or op.name, a, 1, "input")
    a = _scalar(a)
    bd = b._data
    dt, av = _scalar_operand(bd.dtype, a)
    if kind & FLOAT and dt not in FLOAT_NP:
        dt = _DEF.value._np
    if bd.dtype != dt:
        bd = bd.astype(dt)
    if type(av) is not np.ndarray:
        av = np.asarray(av, dtype=dt)
    elif av.dtype != dt:
        av = av.astype(dt)
    # The scalar enters the graph as a 0-dim constant (formulas may name it).
    result = apply(op, (_wrap(av), b), (av, bd), params)
    return result if out is None else check_out(out, result, name or op.name)


def _broadcastable(s1: tuple, s2: tuple) -> bool:
    for x, y in zip(reversed(s1), reversed(s2)):
        if x != y and x != 1 and y != 1:
            return False
    return True


def _out_exact(out, result: Tensor, name: str) -> Tensor:
    """``out=`` for ops whose output must have the result's dtype (torch's unary ops)."""
    if isinstance(out, Tensor) and out._data.dtype != result._data.dtype:
        raise RuntimeError(
            f"Found dtype {out.dtype._legacy} but expected {result.dtype._legacy}"
        )
    return check_out(out, result, name)


def _require_tensors(name: str, a, b) -> None:
    if not isinstance(a, Tensor):
        raise _type_error(name, a, 1, "input")
    if not isinstance(b, Tensor):
        raise _type_error(name, b)


def _in_f32(fn, x):
    """``fn(x)`` for float16/bfloat16 computed in float32 and rounded once (torch's opmath)."""
    if x.dtype in _HALF_NP:
        return fn(x.astype(_F32)).astype(x.dtype)
    return fn(x)


# ---------------------------------------------------------------------------------- factories
def _unary_op(name: str, fwd, kind: int = SAME, backward: str | None = None, aliases=(),
              inplace: bool = True, has_out: bool = True, **formulas):
    """Declare a unary primitive over a NumPy function plus its public function and variants.

    ``SAME`` ops want an ``out=`` of the result's dtype; ``FLOAT`` ops cast into it.
    """
    op = prim(name, backward=backward, inputs=("self",))(fwd)
    if formulas:
        op.defvjp(**formulas)
    fn = _unary_public(op, name, kind, inplace, has_out)
    for alias in aliases:
        _unary_public(op, alias, kind, inplace, has_out)
    return op, fn


def _unary_public(op, name: str, kind: int, inplace: bool, has_out: bool = True):
    if not has_out:
        def fn(input: Tensor) -> Tensor:
            return unary(op, input, kind, None, None, name)
    elif kind == SAME:
        def fn(input: Tensor, *, out: Tensor | None = None) -> Tensor:
            if out is None:
                return unary(op, input, kind, None, None, name)
            return _out_exact(out, unary(op, input, kind, None, None, name), name)
    else:
        def fn(input: Tensor, *, out: Tensor | None = None) -> Tensor:
            return unary(op, input, kind, None, out, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{op.name}`` of ``input``."
    public(name, inplace=inplace)(fn)
    return fn


def _not_implemented_node(name: str):
    """torch's ``NotImplemented`` node: the output requires grad, backward raises."""

    def formula(grad):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return formula


_NOT_IMPL = "torch::autograd::NotImplemented"


# ---------------------------------------------------------------------------------- add/sub
def _alpha_check(dt, alpha) -> None:
    if type(alpha) is bool:
        if dt != _BOOL_NP:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif dt.kind in "iub" and not isinstance(alpha, (int, np.integer)):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def _scaled(x, alpha, dt):
    """``alpha * x`` in dtype ``dt`` (integers wrap, bool alpha is a logical and)."""
    if dt == _BOOL_NP:
        return np.logical_and(x, bool(alpha))
    if dt.kind in "iu":
        a = alpha if type(alpha) is np.ndarray else np.asarray(alpha).astype(dt)
        return np.multiply(x, a, dtype=dt)
    return np.multiply(x, alpha)


def _inner_run(out_shape, shapes) -> int:
    """Length of the innermost loop torch's TensorIterator runs over (C-contiguous operands):
    trailing dims coalesce while every operand keeps spanning (or keeps broadcasting) them."""
    run, state = 1, None
    nd = len(out_shape)
    for i in range(1, nd + 1):
        size = out_shape[nd - i]
        if size == 1:
            continue
        cur = tuple(len(s) >= i and s[len(s) - i] == size for s in shapes)
        if state is None:
            state = cur
        elif cur != state:
            break
        run *= size
    return run


def _add_half(self, other, alpha, dt):
    """``self + alpha * other`` as torch's CPU kernel for half types: alpha rounds to the half
    type; the vectorized lanes (32 elements at a time) compute in float32 and round once, the
    scalar tail of each inner loop rounds ``alpha * other`` to the half type first."""
    x = np.asarray(self).astype(_F32)
    o = np.asarray(other).astype(dt).astype(_F32)
    p = np.multiply(o, np.float32(np.asarray(alpha).astype(dt)))
    out = np.add(x, p)
    shape = out.shape
    run = _inner_run(shape, (x.shape, o.shape))
    if run % 32 and out.size <= 32768:  # (larger ones are split among threads by torch)
        tail = (np.arange(out.size) % run >= run - run % 32).reshape(shape)
        out = np.where(tail, np.add(x, p.astype(dt).astype(_F32)), out)
    return out.astype(dt)


def _add_fwd(self, other, alpha):
    dt = self.dtype
    if dt in _HALF_NP:
        return _add_half(self, other, alpha, dt)
    out = np.add(self, _scaled(other, alpha, dt))
    return out if out.dtype == dt else out.astype(dt)


@prim("add")
def _add(self, other, *, alpha=1):
    if alpha == 1 and type(alpha) is not bool:
        return np.add(self, other)
    return _add_fwd(self, other, alpha)


_add.defvjp(self=lambda grad: grad, other=lambda grad, alpha: grad if alpha == 1 else grad * alpha)


def _check_alpha(name, input, other, alpha):
    if isinstance(alpha, Tensor) and alpha._data.ndim == 0:  # torch takes a 0-d tensor as a Number
        alpha = alpha._data.item()
    if not _is_number(alpha):
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    alpha = _scalar(alpha)
    if isinstance(input, Tensor):
        dt = _promote(input, other)[3] if isinstance(other, Tensor) or _is_number(other) else None
    elif isinstance(other, Tensor) and _is_number(input):
        dt = _scalar_operand(other._data.dtype, _scalar(input))[0]
    else:
        dt = None
    if dt is not None:
        _alpha_check(dt, alpha)
        alpha = _checked(alpha, dt)
    return alpha


@public(inplace=True)
def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcast and type-promoted."""
    if type(alpha) is int and alpha == 1:
        return binary(_add, input, other, SAME, None, out, "add")
    alpha = _check_alpha("add", input, other, alpha)
    return binary(_add, input, other, SAME, {"alpha": alpha}, out, "add")


@prim("sub")
def _sub(self, other, *, alpha=1):
    if alpha == 1:
        return np.subtract(self, other)
    return _add_fwd(self, other, -alpha)


_sub.defvjp(
    self=lambda grad: grad,
    other=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
)


def _is_bool_operand(x) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype == _BOOL_NP
    return x is True or x is False or isinstance(x, np.bool_)


def _check_bool_sub(input, other):
    a, b = _is_bool_operand(input), _is_bool_operand(other)
    if a and b:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if a or b:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _sub_impl(name, input, other, alpha, out):
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        if input._data.dtype is _BOOL_NP or other._data.dtype is _BOOL_NP:
            _check_bool_sub(input, other)
    elif isinstance(input, Tensor) and (type(other) is int or type(other) is float):
        if input._data.dtype is _BOOL_NP:
            _check_bool_sub(input, other)
    else:
        if not (isinstance(other, Tensor) or _is_number(other)) or not (
                isinstance(input, Tensor) or _is_number(input)):
            if name == "subtract":
                raise _invalid_args(name, _SIG_SUBTRACT, (input, other))
            bad, pos, arg = ((input, 1, "input") if not isinstance(input, Tensor)
                             else (other, 2, "other"))
            raise _type_error(name, bad, pos, arg)
        _check_bool_sub(input, other)
    if type(alpha) is int and alpha == 1:
        return binary(_sub, input, other, SAME, None, out, name)
    alpha = _check_alpha(name, input, other, alpha)
    return binary(_sub, input, other, SAME, {"alpha": alpha}, out, name)


@public(inplace=True)
def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    return _sub_impl("sub", input, other, alpha, out)


@public(inplace=True)
def subtract(input, other, *, alpha=1, out=None) -> Tensor:
    """Alias of ``sub``."""
    return _sub_impl("subtract", input, other, alpha, out)


@prim("rsub")
def _rsub(self, other, *, alpha=1):
    if alpha == 1:
        return np.subtract(other, self)
    return _add_fwd(np.asarray(other, self.dtype) if np.ndim(other) == 0 else other, self,
                    -alpha)


_rsub.defvjp(self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha,
             other=lambda grad: grad)
_rsub_scalar = prim("rsub_scalar", backward="RsubBackward1")(_rsub.fwd)
_rsub_scalar.defvjp(self=lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)


@public(method=False)
def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        op = _rsub
        if input._data.dtype is _BOOL_NP or other._data.dtype is _BOOL_NP:
            _check_bool_sub(input, other)
    elif isinstance(input, Tensor) and _is_number(other):
        op = _rsub_scalar
        if input._data.dtype is _BOOL_NP or type(other) is bool or type(other) is np.bool_:
            _check_bool_sub(input, other)
    else:
        raise _invalid_args("rsub", _SIG_RSUB, (input, other))
    params = None
    if alpha != 1 or type(alpha) is not int:
        params = {"alpha": _check_alpha("rsub", input, other, alpha)}
    try:
        return binary(op, input, other, SAME, params, None, "rsub")
    except RuntimeError:
        if op is _rsub and not _broadcastable(input._data.shape, other._data.shape):
            # torch computes other - input: the shapes are reported in that order
            raise broadcast_error(other._data.shape, input._data.shape) from None
        raise


# ---------------------------------------------------------------------------------- mul/div
@prim("mul")
def _mul(self, other):
    return np.multiply(self, other)


_mul.defvjp(self=lambda grad, other: grad * other, other=lambda grad, self: grad * self)


@public(inplace=True)
def mul(input, other, *, out=None) -> Tensor:
    """``input * other``."""
    return binary(_mul, input, other, SAME | OPMATH, None, out, "mul")


def _check_number_args(name, sigs, input, other):
    if not (isinstance(input, Tensor) or _is_number(input)) or not (
            isinstance(other, Tensor) or _is_number(other)) or not (
            isinstance(input, Tensor) or isinstance(other, Tensor)):
        raise _invalid_args(name, sigs, (input, other))


@public(inplace=True)
def multiply(input, other, *, out=None) -> Tensor:
    """Alias of ``mul``."""
    _check_number_args("multiply", _SIG_NUMBER_NO_OUT, input, other)
    return binary(_mul, input, other, SAME | OPMATH, None, out, "multiply")


@prim("div")
def _div(self, other):
    return np.true_divide(self, other)


_div.defvjp(
    self=lambda grad, other: grad / other,
    other=lambda grad, self, other: -grad * ((self / other) / other),
)


def _check_int_zero(other) -> None:
    if np.any(np.asarray(other) == 0):
        raise RuntimeError("ZeroDivisionError")


def _int_div_trunc(a, b):
    q = np.floor_divide(a, b)
    # floor and trunc differ where the division is inexact and the signs differ
    fix = (np.remainder(a, b) != 0) & ((a < 0) != (np.asarray(b) < 0))
    return np.add(q, fix, dtype=q.dtype, casting="unsafe")


def _div_mode_fwd(self, other, mode):
    dt = self.dtype
    if dt == _BOOL_NP:
        raise _not_implemented("div_floor_cpu" if mode == "floor" else "div_trunc_cpu", dt)
    if dt.kind in "iu":
        _check_int_zero(other)
        return np.floor_divide(self, other) if mode == "floor" else _int_div_trunc(self, other)
    if dt in _HALF_NP:  # torch computes the quotient in float32
        out = _div_mode_fwd(self.astype(_F32), np.asarray(other, _F32), mode)
        return out.astype(dt)
    if mode == "floor":
        return np.floor_divide(self, other)
    return np.trunc(np.true_divide(self, other))


@prim("div_rounding", backward="DivBackward2")
def _div_rounding(self, other, *, rounding_mode):
    return _div_mode_fwd(self, other, rounding_mode)


_div_rounding.defvjp(self=lambda grad: grad * 0, other=lambda grad: grad * 0)


def _div_impl(name, input, other, rounding_mode, out):
    if rounding_mode is None:
        return binary(_div, input, other, FLOAT | OPMATH, None, out, name)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"{name} expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return binary(_div_rounding, input, other, SAME | OPMATH, {"rounding_mode": rounding_mode},
                  out, name)


@public(inplace=True)
def div(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """``input / other``; ``rounding_mode`` ``'trunc'`` or ``'floor'`` rounds the quotient."""
    if rounding_mode is None:
        return binary(_div, input, other, FLOAT | OPMATH, None, out, "div")
    return _div_impl("div", input, other, rounding_mode, out)


@public(inplace=True)
def divide(input, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """Alias of ``div``."""
    _check_number_args("divide", _SIG_DIVIDE, input, other)
    return _div_impl("div", input, other, rounding_mode, out)


@public(inplace=True)
def true_divide(input, other, *, out=None) -> Tensor:
    """Same as ``div(input, other)``."""
    _check_number_args("true_divide", _SIG_NUMBER_NO_OUT, input, other)
    return binary(_div, input, other, FLOAT | OPMATH, None, out, "true_divide")


@prim("floor_divide", backward=_NOT_IMPL)
def _floor_divide(self, other):
    return _div_mode_fwd(self, other, "floor")


_floor_divide.defvjp(self=_not_implemented_node("floor_divide"),
                     other=_not_implemented_node("floor_divide"))


@public(inplace=True)
def floor_divide(input, other, *, out=None) -> Tensor:
    """``input // other`` (rounds toward negative infinity); not differentiable."""
    _check_number_args("floor_divide", _SIG_NUMBER_NO_OUT, input, other)
    return binary(_floor_divide, input, other, SAME | OPMATH, None, out, "floor_divide")


# ---------------------------------------------------------------------------------- remainder/fmod
def _remainder_fwd(self, other):
    dt = self.dtype
    if dt.kind in "iub":
        if dt == _BOOL_NP:
            raise _not_implemented("remainder_cpu", dt)
        _check_int_zero(other)
        return np.remainder(self, other)
    # torch: fmod, then add the divisor where the signs differ (keeps fmod's zero sign)
    m = np.fmod(self, other)
    if m.ndim == 0:
        m = np.asarray(m)
    fix = (m != 0) & ((np.asarray(other) < 0) != (m < 0))
    if fix.any():
        m = np.where(fix, m + other, m).astype(dt, copy=False)
    return m


@prim("remainder", backward="RemainderBackward1")
def _remainder(self, other):
    return _remainder_fwd(self, other)


_remainder.defvjp(
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="floor"),
)

_remainder_scalar = prim("remainder_scalar", backward="RemainderBackward0")(_remainder.fwd)
_remainder_scalar.defvjp(self=lambda grad: grad)
_remainder_scalar_self = prim("remainder_scalar_self", backward=_NOT_IMPL)(_remainder.fwd)
_remainder_scalar_self.defvjp(other=_not_implemented_node("remainder"))


@public(inplace=True)
def remainder(input, other, *, out=None) -> Tensor:
    """Python-style modulus: the result has the sign of ``other``."""
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            return binary(_remainder, input, other, SAME, None, out, "remainder")
        if _is_number(other):
            return binary(_remainder_scalar, input, other, SAME, None, out, "remainder")
    elif _is_number(input) and isinstance(other, Tensor):
        return binary(_remainder_scalar_self, input, other, SAME, None, out, "remainder")
    raise _invalid_args("remainder", _SIG_TN_SCALAR_SELF, (input, other))


def _fmod_fwd(self, other):
    dt = self.dtype
    if dt.kind in "iub":
        if dt == _BOOL_NP:
            raise _not_implemented("fmod_cpu", dt)
        _check_int_zero(other)
    return np.fmod(self, other)


@prim("fmod", backward="FmodBackward1")
def _fmod(self, other):
    return _fmod_fwd(self, other)


_fmod.defvjp(
    self=lambda grad: grad,
    other=lambda grad, self, other: -grad * self.div(other, rounding_mode="trunc"),
)
_fmod_scalar = prim("fmod_scalar", backward="FmodBackward0")(_fmod.fwd)
_fmod_scalar.defvjp(self=lambda grad: grad)


@public(inplace=True)
def fmod(input, other, *, out=None) -> Tensor:
    """C-style modulus: the result has the sign of ``input``."""
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            return binary(_fmod, input, other, SAME, None, out, "fmod")
        if _is_number(other):
            return binary(_fmod_scalar, input, other, SAME, None, out, "fmod")
    raise _invalid_args("fmod", _SIG_TN, (input, other))


# ---------------------------------------------------------------------------------- pow
def _powi(base, exp):
    """Integer power as torch's powi: wraps around; negative exponents give 0 unless |base|=1."""
    e = np.asarray(exp)
    if e.dtype.kind == "u" or not np.any(e < 0):
        return np.power(base, exp)
    neg = e < 0
    r = np.power(base, np.where(neg, 0, e).astype(e.dtype))
    one = np.ones((), base.dtype)
    odd = (e % 2) != 0
    rn = np.where(base == 1, one, np.where(base == -1, np.where(odd, -one, one), 0))
    return np.where(neg, rn, r).astype(r.dtype, copy=False)


def _pow_scalar_fwd(self, *, exponent):
    dt = self.dtype
    if dt is _F32 or dt is _F64:
        if exponent == 0:
            return np.ones(self.shape, dt)
        return self.copy() if exponent == 1 else _pow_float(self, exponent)
    if exponent == 0 and type(exponent) is not bool or exponent is False:
        return np.ones(self.shape, dt)
    if exponent == 1 and type(exponent) is not bool or exponent is True:
        return self.copy()
    if dt.kind in "iu":
        e = exponent if type(exponent) is np.ndarray else _int_like(exponent, dt)
        return np.power(self, e)
    if dt == _BOOL_NP:
        raise _not_implemented("pow", dt)
    if dt == D.float16._np:
        return np.power(self, np.asarray(exponent, dt))
    if dt == D.bfloat16._np:
        e = float(np.asarray(exponent, dt).astype(_F32))
        if e in (0.5, -0.5, -1.0):  # torch's sqrt/rsqrt/reciprocal kernels: float32 math
            return _pow_float(self.astype(_F32), e).astype(dt)
        if e in (2.0, 3.0, -2.0):
            return _pow_float(self, e)
        return np.power(self.astype(_F32), np.float32(e)).astype(dt)
    return _pow_float(self, exponent)


def _int_like(v, dt):
    """A Python int (or bool) in integer dtype ``dt``, wrapped as a C cast does."""
    return np.asarray(v).astype(dt)


def _pow_float(x, e):
    """torch's pow_tensor_scalar for floating dtypes (small exponents are multiplications)."""
    if e == 2:
        return np.multiply(x, x)
    if e == 3:
        return np.multiply(np.multiply(x, x), x)
    if e == 0.5:
        return np.sqrt(x)
    if e == -0.5:
        return np.true_divide(1, np.sqrt(x))
    if e == -1:
        return np.true_divide(1, x)
    if e == -2:
        return np.true_divide(1, np.multiply(x, x))
    if x.dtype == _F32:  # std::pow(float, double): computed in double, rounded once
        return np.power(x.astype(_F64), float(e)).astype(_F32)
    return np.power(x, float(e))


_pow_scalar = prim("pow", backward="PowBackward0")(_pow_scalar_fwd)


def _pow_scalar_grad(grad, self, exponent):
    if exponent == 0:
        return grad * 0
    e = float(exponent)
    return grad * (e * self.pow(e - 1))


_pow_scalar.defvjp(self=_pow_scalar_grad)


def _pow_tensor_fwd(self, exponent):
    dt = self.dtype
    if dt.kind in "iu":
        return _powi(self, exponent)
    if dt == _BOOL_NP:
        raise _not_implemented("pow", dt)
    return np.power(self, exponent)


@prim("pow_tensor", backward="PowBackward1")
def _pow_tensor(self, exponent):
    return _pow_tensor_fwd(self, exponent)


def _pow_exponent_grad(grad, self, exponent, result):
    cond = (self == 0).logical_and(exponent >= 0)
    if self.dtype != result.dtype:  # torch promotes self before the log (half self, f32 exp)
        self = self.to(result.dtype)
    return grad * where(cond, 0.0, result * self.log())


_pow_tensor.defvjp(
    self=lambda grad, self, exponent: where(
        exponent == 0, 0.0, grad * (exponent * self.pow(exponent - 1))),
    exponent=_pow_exponent_grad,
)


@prim("pow_scalar_base", backward="PowBackward2")
def _pow_scalar_base(exponent, *, self):
    dt = exponent.dtype
    if self == 1 and type(self) is not bool:
        return np.ones(exponent.shape, dt)
    return _pow_tensor_fwd(_int_like(self, dt) if dt.kind in "iu" else np.asarray(self, dt),
                           exponent)


def _log_scalar(x) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _pow_base_grad(grad, exponent, self, result):
    if self == 0:  # d/de 0**e is 0 for e >= 0
        return grad * where(exponent >= 0, 0.0, result * -math.inf)
    return grad * (result * _log_scalar(self))


_pow_scalar_base.defvjp(exponent=_pow_base_grad)


def _pow_impl(input, exponent, out, name="pow"):
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor) or not _is_number(input):
            raise _invalid_args(name, _SIG_POW, (input, exponent))
        base = _scalar(input)
        d = exponent._data
        dt = _scalar_operand(d.dtype, base)[0]
        if dt != d.dtype:
            d = d.astype(dt)
        result = apply(_pow_scalar_base, (exponent,), (d,), {"self": base})
        return result if out is None else check_out(out, result, name)
    if isinstance(exponent, Tensor):
        return binary(_pow_tensor, input, exponent, SAME, None, out, name)
    if not _is_number(exponent):
        raise _invalid_args(name, _SIG_POW, (input, exponent))
    exponent = _scalar(exponent)
    d = input._data
    if d.dtype.kind in "iub" and type(exponent) is not float and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    dt = _scalar_operand(d.dtype, exponent)[0]
    if dt != d.dtype:
        d = d.astype(dt)
    if dt is not _F32 and dt is not _F64 and exponent not in (0, 1):
        _checked(exponent, dt)  # torch converts the exponent to the base's type (checked)
    result = apply(_pow_scalar, (input,), (d,), {"exponent": exponent})
    return result if out is None else check_out(out, result, name)


@public(inplace=True)
def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a Python scalar."""
    if type(exponent) is float or type(exponent) is int and _I64_MIN <= exponent < _U64_END:
        # the common case: a float32/float64 tensor to a Python number
        if isinstance(input, Tensor) and (input._data.dtype is _F32 or input._data.dtype is _F64):
            result = apply(_pow_scalar, (input,), (input._data,), {"exponent": exponent})
            return result if out is None else check_out(out, result, "pow")
    return _pow_impl(input, exponent, out)


@public()
def float_power(input, exponent, *, out=None) -> Tensor:
    """``pow`` computed in float64."""
    if isinstance(input, Tensor):
        x = input if input._data.dtype == _F64 else input.double()
    elif _is_number(input):
        x = float(_scalar(input))
    else:
        raise _invalid_args("float_power", _SIG_POW, (input, exponent))
    if isinstance(exponent, Tensor):
        e = exponent if exponent._data.dtype == _F64 else exponent.double()
    elif _is_number(exponent) and isinstance(input, Tensor):
        e = float(_scalar(exponent))
    else:
        raise _invalid_args("float_power", _SIG_POW, (input, exponent))
    if out is not None and isinstance(out, Tensor) and out._data.dtype != _F64:
        raise RuntimeError(
            f"the output given to float_power has dtype {out.dtype._legacy} but the operation's "
            "result requires dtype Double"
        )
    return _pow_impl(x, e, out, "float_power")


def float_power_(self: Tensor, exponent) -> Tensor:
    """In-place ``float_power``: only for float64 tensors."""
    if self._data.dtype != _F64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype._legacy} but the operation's "
            "result requires dtype Double"
        )
    return _float_power_inplace(self, exponent)


def _bind_float_power_inplace():
    from .inplace import make_inplace

    return make_inplace(float_power, "float_power_")


_float_power_inplace = _bind_float_power_inplace()
public("float_power_", function=False)(float_power_)


@public(inplace=True)
def square(input, *, out=None) -> Tensor:
    """``input * input`` (as ``pow(input, 2)``)."""
    if not isinstance(input, Tensor):
        raise _type_error("square", input, 1, "input")
    return _pow_impl(input, 2, out, "square")


# ---------------------------------------------------------------------------------- sign & co
@prim("neg")
def _neg(self):
    if self.dtype == _BOOL_NP:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return np.negative(self)


_neg.defvjp(self=lambda grad: -grad)


@public(inplace=True)
def neg(input, *, out=None) -> Tensor:
    """``-input``."""
    if out is None:
        return unary(_neg, input, name="neg")
    return _out_exact(out, unary(_neg, input, name="neg"), "neg")


@public(inplace=True)
def negative(input, *, out=None) -> Tensor:
    """Alias of ``neg``."""
    result = unary(_neg, input, name="negative")
    return result if out is None else _out_exact(out, result, "negative")


@public()
def positive(input) -> Tensor:
    """``+input``: returns ``input`` itself."""
    if not isinstance(input, Tensor):
        raise _type_error("positive", input, 1, "input")
    if input._data.dtype == _BOOL_NP:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _sign_fwd(x):
    dt = x.dtype
    if dt == _BOOL_NP:
        return x.copy()
    if dt.kind == "u":
        return (x > 0).astype(dt)
    if dt.kind == "i":
        return np.sign(x)
    # torch: (0 < x) - (x < 0), so NaN gives 0 and -0.0 gives +0.0
    s = _in_f32(np.sign, x)
    s = np.where(s != s, np.zeros((), dt), s)
    s += np.zeros((), dt)
    return s


_abs_kernel_name = "abs_cpu"


@prim("abs")
def _abs(self):
    if self.dtype == _BOOL_NP:
        raise _not_implemented(_abs_kernel_name, self.dtype)
    return np.abs(self)


_abs.defvjp(self=lambda grad, self: grad * self.sgn())


@public(inplace=True)
def abs(input, *, out=None) -> Tensor:
    """``|input|``."""
    if out is None:
        return unary(_abs, input, name="abs")
    return _out_exact(out, unary(_abs, input, name="abs"), "abs")


@public(inplace=True)
def absolute(input, *, out=None) -> Tensor:
    """Alias of ``abs``."""
    result = unary(_abs, input, name="absolute")
    return result if out is None else _out_exact(out, result, "absolute")


_zero_grad = {"self": lambda grad: grad * 0}

_sign, sign = _unary_op("sign", _sign_fwd, **_zero_grad)
_sgn, sgn = _unary_op("sgn", _sign_fwd, **_zero_grad)


def _rounding(ufunc, kernel):
    def fwd(x):
        if x.dtype.kind in "iub":
            if x.dtype == _BOOL_NP:
                raise _not_implemented(kernel, x.dtype)
            return x.copy()  # integers are already integral
        return ufunc(x)

    return fwd


_floor, floor = _unary_op("floor", _rounding(np.floor, "floor_vml_cpu"), **_zero_grad)
_ceil, ceil = _unary_op("ceil", _rounding(np.ceil, "ceil_vml_cpu"), **_zero_grad)
_trunc, trunc = _unary_op("trunc", _rounding(np.trunc, "trunc_vml_cpu"), aliases=("fix",),
                          **_zero_grad)


def _frac_fwd(x):
    if x.dtype.kind in "iub":
        raise _not_implemented("frac_cpu", x.dtype)
    return np.subtract(x, np.trunc(x))


_frac, frac = _unary_op("frac", _frac_fwd, self=lambda grad: grad)


_round_fwd = _rounding(np.round, "round_vml_cpu")


@prim("round")
def _round(self):
    return _round_fwd(self)


_round.defvjp(**_zero_grad)


def _round_decimals_fwd(x, decimals):
    if x.dtype.kind in "iub":
        raise _not_implemented("round_cpu", x.dtype)
    if x.dtype in _HALF_NP:
        return _round_decimals_fwd(x.astype(_F32), decimals).astype(x.dtype)
    # torch: round(x * 10**d) / 10**d, or round(x / 10**-d) * 10**-d for negative d
    if decimals > 0:
        scale = np.asarray(10.0**decimals, dtype=x.dtype)
        return np.round(x * scale) / scale
    scale = np.asarray(10.0 ** (-decimals), dtype=x.dtype)
    return np.round(x / scale) * scale


@prim("round_decimals", backward="RoundBackward1")
def _round_decimals(self, *, decimals):
    return _round_decimals_fwd(self, decimals)


_round_decimals.defvjp(**_zero_grad)


@public(inplace=True)
def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round half to even, optionally to ``decimals`` decimal places."""
    if decimals == 0:
        result = unary(_round, input, name="round")
    else:
        result = unary(_round_decimals, input, params={"decimals": decimals}, name="round")
    return result if out is None else _out_exact(out, result, "round")


def _reciprocal_fwd(x):
    return np.true_divide(1, x)


_reciprocal, reciprocal = _unary_op(
    "reciprocal", _reciprocal_fwd, FLOAT, self=lambda grad, result: -grad * (result * result)
)

# ---------------------------------------------------------------------------------- math
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_exp, exp = _unary_op("exp", np.exp, FLOAT, self=lambda grad, result: grad * result)
_exp2, exp2 = _unary_op("exp2", np.exp2, FLOAT, self=lambda grad, result: grad * (result * _LN2))
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
    return _in_f32(lambda v: np.true_divide(1, np.sqrt(v)), x)


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
@prim("tanh_backward")
def _tanh_backward(grad_output, output):
    """torch's ``tanh_backward``: ``grad * (1 - y * y)``; half types in float32, rounded once."""
    dt = np.result_type(grad_output, output)
    if dt in _HALF_NP:
        y = np.asarray(output).astype(_F32)
        return (np.asarray(grad_output).astype(_F32) * (1 - y * y)).astype(dt)
    return np.multiply(grad_output, np.subtract(1, np.multiply(output, output)))


_tanh_backward.defvjp(
    grad_output=lambda grad, output: apply(_tanh_backward, (grad, output),
                                           (grad._data, output._data)),
    output=lambda grad, grad_output, output: grad * (-2 * output * grad_output),
)


def _tanh_grad(grad, result):
    if grad._data.dtype != result._data.dtype:
        return grad * (1 - result * result)
    return apply(_tanh_backward, (grad, result), (grad._data, result._data))


_tanh, tanh = _unary_op("tanh", np.tanh, FLOAT, self=_tanh_grad)
_asinh, asinh = _unary_op("asinh", np.arcsinh, FLOAT, aliases=("arcsinh",),
                          self=lambda grad, self: grad * (self.pow(2) + 1).rsqrt())
_acosh, acosh = _unary_op("acosh", np.arccosh, FLOAT, aliases=("arccosh",),
                          self=lambda grad, self: grad * (self.pow(2) - 1).rsqrt())
_atanh, atanh = _unary_op("atanh", np.arctanh, FLOAT, aliases=("arctanh",),
                          self=lambda grad, self: grad * (1 / (1 - self.pow(2))))


def _sigmoid_fwd(x):
    if x.dtype in _HALF_NP:
        return _sigmoid_fwd(x.astype(_F32)).astype(x.dtype)
    # 1 / (1 + exp(-x)), computed in place on the one temporary that np.negative makes.
    t = np.negative(x)
    if type(t) is not np.ndarray:  # 0-d input: NumPy returned a scalar
        return np.reciprocal(np.exp(t) + 1)
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


@prim("sigmoid_backward")
def _sigmoid_backward(grad_output, output):
    dt = np.result_type(grad_output, output)
    if dt is _BF16_NP:  # torch's kernel: float32 math rounded once (float16: per op, below)
        g = np.asarray(grad_output).astype(_F32)
        return (g * (1 - np.asarray(output).astype(_F32)) * output.astype(_F32)).astype(dt)
    t = np.subtract(1, output)  # torch's order: grad * (1 - y) * y
    if type(t) is not np.ndarray:  # 0-d: NumPy returned a scalar
        return np.multiply(np.multiply(grad_output, t), output)
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
    if x.dtype is _BF16_NP:  # ml_dtypes' maximum loop is slow; relu is exact in float32
        return np.maximum(x.astype(_F32), _F32.type(0)).astype(_BF16_NP)
    return np.maximum(x, x.dtype.type(0))


_MASK_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


@prim("_relu_threshold_backward", backward="ThresholdBackwardBackward0")
def _threshold_backward0(grad_output, result):
    """torch's ``threshold_backward(grad, result, 0)``: ``result <= 0 ? 0 : grad``. Computed
    as a bit mask (np.where's per-element branch costs 5x more on random signs)."""
    g = np.asarray(grad_output)
    r = result.astype(_F32) if result.dtype.itemsize == 2 else result
    it = _MASK_INT.get(g.dtype.itemsize)
    if it is None or g.dtype.kind not in "fV" or g.shape != r.shape or not g.ndim:
        return np.where(r <= 0, g.dtype.type(0), g)
    m = (r > 0).astype(it)
    m |= np.isnan(r)  # NaN <= 0 is false: the gradient passes
    np.negative(m, out=m)
    return np.bitwise_and(g.view(it), m).view(g.dtype)


_threshold_backward0.defvjp(
    grad_output=lambda grad, result: apply(_threshold_backward0, (grad, result),
                                           (grad._data, result._data)),
)


def _relu_grad(grad, result):
    if grad._data.dtype != result._data.dtype:
        return where(result <= 0, 0.0, grad)
    return apply(_threshold_backward0, (grad, result), (grad._data, result._data))


_relu, relu = _unary_op("relu", _relu_fwd, has_out=False, self=_relu_grad)


def _erf_fwd(x):
    return _special.erf(x)


def _erfc_fwd(x):
    return _special.erfc(x)


def _erfinv_fwd(x):
    return _special.erfinv(x)


_erf, erf = _unary_op(
    "erf", _erf_fwd, FLOAT,
    self=lambda grad, self: _TWO_OVER_SQRT_PI * (-self.pow(2)).exp() * grad,
)
_erfc, erfc = _unary_op(
    "erfc", _erfc_fwd, FLOAT,
    self=lambda grad, self: -_TWO_OVER_SQRT_PI * (-self.pow(2)).exp() * grad,
)
_erfinv, erfinv = _unary_op(
    "erfinv", _erfinv_fwd, FLOAT,
    self=lambda grad, result: 0.5 * math.sqrt(math.pi) * (result.pow(2)).exp() * grad,
)


# ---------------------------------------------------------------------------------- atan2 & co
@prim("atan2")
def _atan2(self, other):
    return np.arctan2(self, other)


def _atan2_grads(grad, self, other, needs_input_grad):
    recip = (self * self + other * other).reciprocal()
    return (grad * other * recip if needs_input_grad[0] else None,
            grad * -self * recip if needs_input_grad[1] else None)


_atan2.vjp(_atan2_grads)


def _atan2_public(name):
    def fn(input, other, *, out=None) -> Tensor:
        _require_tensors(name, input, other)
        return binary(_atan2, input, other, FLOAT, None, out, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "Elementwise arctangent of ``input / other`` using both signs."
    public(name, inplace=True)(fn)
    return fn


atan2 = _atan2_public("atan2")
arctan2 = _atan2_public("arctan2")


def _float_only(kernel):
    def check(x):
        if x.dtype.kind in "iub":
            raise _not_implemented(kernel, x.dtype)

    return check


_check_logaddexp = _float_only("logaddexp_cpu")
_check_hypot = _float_only("hypot_cpu")


@prim("logaddexp")
def _logaddexp(self, other):
    _check_logaddexp(self)
    return _in_f32_2(np.logaddexp, self, other)


def _in_f32_2(fn, a, b):
    if a.dtype in _HALF_NP:
        return fn(a.astype(_F32), np.asarray(b).astype(_F32)).astype(a.dtype)
    return fn(a, b)


_logaddexp.defvjp(
    self=lambda grad, self, other: grad / (1 + (other - self).exp()),
    other=lambda grad, self, other: grad / (1 + (self - other).exp()),
)


@public()
def logaddexp(input, other, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    _require_tensors("logaddexp", input, other)
    return binary(_logaddexp, input, other, SAME, None, out, "logaddexp")


@prim("hypot")
def _hypot(self, other):
    _check_hypot(self)
    return np.hypot(self, other)


_hypot.defvjp(
    self=lambda grad, self, result: grad * self / result,
    other=lambda grad, other, result: grad * other / result,
)


@public(inplace=True)
def hypot(input, other, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)``."""
    _require_tensors("hypot", input, other)
    return binary(_hypot, input, other, SAME, None, out, "hypot")


# ---------------------------------------------------------------------------------- clamp
_SIG_CLAMP = ("Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
              "Tensor input, Number min = None, Number max = None, *, Tensor out = None")


def _clamp_scalar_fwd(self, min, max, kernel):
    if self.dtype == _BOOL_NP:
        raise _not_implemented(kernel, self.dtype)
    if (min is not None and min != min) or (max is not None and max != max):
        return np.full(self.shape, np.nan, self.dtype)  # a NaN bound makes everything NaN
    dt = self.dtype
    lo = _bound(min, dt)
    hi = _bound(max, dt)
    if lo is not None and hi is not None:
        if dt is _BF16_NP:  # NumPy's clip has no bfloat16 loop
            return np.minimum(np.maximum(self, lo), hi)
        return np.clip(self, lo, hi)  # min(max(x, lo), hi) in one pass (NaN propagates)
    if lo is not None:
        return np.maximum(self, lo)
    return np.minimum(self, hi)


def _bound(v, dt):
    """A scalar bound in dtype ``dt`` (torch's checked ``Scalar.to<T>()``)."""
    if v is None:
        return None
    v = _checked(v, dt)
    if _KIND[dt] == _K_BF16:
        return np.asarray(v).astype(dt)
    return v  # NumPy rounds a Python scalar to the array's dtype


@prim("clamp", backward="ClampBackward1")
def _clamp_scalar(self, *, min, max):
    return _clamp_scalar_fwd(self, min, max, "clamp_scalar_cpu")


def _clamp_scalar_grad(grad, self, min, max):
    if min is not None and max is not None:
        return where((self >= min).logical_and(self <= max), grad, 0.0)
    if min is not None:
        return where(self >= min, grad, 0.0)
    return where(self <= max, grad, 0.0)


_clamp_scalar.defvjp(self=_clamp_scalar_grad)


@prim("clamp_tensor", backward="ClampBackward0")
def _clamp_tensor(self, min, max):
    if min is not None and max is not None:
        if self.dtype == _BOOL_NP:
            raise _not_implemented("clamp_cpu", self.dtype)
        if self.dtype is _BF16_NP:  # NumPy's clip has no bfloat16 loop
            return np.minimum(np.maximum(self, min), max)
        return np.clip(self, min, max)
    if min is not None:
        return np.maximum(self, min)
    return np.minimum(self, max)


def _clamp_tensor_grads(grad, self, min, max, needs_input_grad):
    # torch's clamp_backward_min_max: where min > max, min gets no gradient.
    gs = gmin = gmax = None
    if min is not None and max is not None:
        if needs_input_grad[0]:
            gs = where((self >= min).logical_and(self <= max), grad, 0.0)
        if needs_input_grad[1]:
            gmin = where((self < min).logical_and(min < max), grad, 0.0)
        if needs_input_grad[2]:
            gmax = where((self > max).logical_or(max < min), grad, 0.0)
    elif min is not None:
        if needs_input_grad[0]:
            gs = where(self >= min, grad, 0.0)
        if needs_input_grad[1]:
            gmin = where(self < min, grad, 0.0)
    else:
        if needs_input_grad[0]:
            gs = where(self <= max, grad, 0.0)
        if needs_input_grad[2]:
            gmax = where(self > max, grad, 0.0)
    return gs, gmin, gmax


_clamp_tensor.vjp(_clamp_tensor_grads)


def _clamp_impl(name, input, min, max, out, kwargs_given):
    if not isinstance(input, Tensor):
        raise _invalid_args(name, _SIG_CLAMP, (input, min, max)[:1 + kwargs_given])
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if not ((tmin or min is None) and (tmax or max is None)):
            args = (input, min, max)
            raise _invalid_args(name, _SIG_CLAMP, args[:kwargs_given + 1])
        ops = [t for t in (input, min, max) if t is not None]
        dt = P.result_type_of(ops)._np
        arrays = tuple(None if t is None else t._data if t._data.dtype == dt
                       else t._data.astype(dt) for t in (input, min, max))
        try:
            result = apply(_clamp_tensor, (input, min, max), arrays)
        except ValueError:
            shapes = [a.shape for a in arrays if a is not None]
            from ._util import broadcast_shapes

            broadcast_shapes(*shapes)
            raise
        return result if out is None else check_out(out, result, name)
    if (min is not None and not _is_number(min)) or (max is not None and not _is_number(max)):
        raise _invalid_args(name, _SIG_CLAMP, (input, min, max)[:kwargs_given + 1])
    if min is None and max is None:
        raise RuntimeError("ember.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp_scalars(name, input, _scalar(min), _scalar(max), out)


_NUMBER_OR_NONE = frozenset((int, float, bool, type(None)))


def _clamp_scalars(name, input, min, max, out):
    d = input._data
    if _KIND[d.dtype] != _K_FLOAT:  # a float tensor keeps its dtype with Python bounds
        dt = P.result_type_of([input] + [b for b in (min, max) if b is not None])._np
        if d.dtype != dt:
            d = d.astype(dt)
    result = apply(_clamp_scalar, (input,), (d,), {"min": min, "max": max})
    return result if out is None else _out_exact(out, result, name)


@public(inplace=True)
def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit ``input`` to ``[min, max]``; bounds may be scalars or tensors."""
    if (type(min) in _NUMBER_OR_NONE and type(max) in _NUMBER_OR_NONE
            and isinstance(input, Tensor) and (min is not None or max is not None)):
        return _clamp_scalars("clamp", input, min, max, out)
    return _clamp_impl("clamp", input, min, max, out, 2 if max is not None else 1)


@public(inplace=True)
def clip(input, min=None, max=None, *, out=None) -> Tensor:
    """Alias of ``clamp``."""
    return _clamp_impl("clip", input, min, max, out, 2 if max is not None else 1)


@prim("clamp_min", backward="ClampMinBackward0")
def _clamp_min_scalar(self, *, min):
    return _clamp_scalar_fwd(self, min, None, "clamp_min_scalar_cpu")


_clamp_min_scalar.defvjp(self=lambda grad, self, min: where(self >= min, grad, 0.0))


@prim("clamp_min_tensor", backward="ClampMinBackward1")
def _clamp_min_tensor(self, min):
    return np.maximum(self, min)


_clamp_min_tensor.defvjp(
    self=lambda grad, self, min: where(self >= min, grad, 0.0),
    min=lambda grad, self, min: where(self < min, grad, 0.0),
)


@prim("clamp_max", backward="ClampMaxBackward0")
def _clamp_max_scalar(self, *, max):
    return _clamp_scalar_fwd(self, None, max, "clamp_max_scalar_cpu")


_clamp_max_scalar.defvjp(self=lambda grad, self, max: where(self <= max, grad, 0.0))


@prim("clamp_max_tensor", backward="ClampMaxBackward1")
def _clamp_max_tensor(self, max):
    return np.minimum(self, max)


_clamp_max_tensor.defvjp(
    self=lambda grad, self, max: where(self <= max, grad, 0.0),
    max=lambda grad, self, max: where(self > max, grad, 0.0),
)


def _clamp_one(name, arg, scalar_op, tensor_op, input, bound, out):
    sigs = (f"Tensor input, Tensor {arg}, *, Tensor out = None",
            f"Tensor input, Number {arg}, *, Tensor out = None")
    if not isinstance(input, Tensor):
        raise _invalid_args(name, sigs, (input, bound))
    if isinstance(bound, Tensor):
        return binary(tensor_op, input, bound, SAME, None, out, name)
    if not _is_number(bound):
        raise _invalid_args(name, sigs, (input, bound))
    bound = _scalar(bound)
    dt = P.result_type_of([input, bound])._np
    d = input._data if input._data.dtype == dt else input._data.astype(dt)
    result = apply(scalar_op, (input,), (d,), {arg: bound})
    return result if out is None else _out_exact(out, result, name)


@public(inplace=True)
def clamp_min(input, min, *, out=None) -> Tensor:
    """``max(input, min)``."""
    return _clamp_one("clamp_min", "min", _clamp_min_scalar, _clamp_min_tensor, input, min, out)


@public(inplace=True)
def clamp_max(input, max, *, out=None) -> Tensor:
    """``min(input, max)``."""
    return _clamp_one("clamp_max", "max", _clamp_max_scalar, _clamp_max_tensor, input, max, out)


# ---------------------------------------------------------------------------------- max/min
@prim("maximum")
def _maximum(self, other):
    return np.maximum(self, other)


def _max_grad(grad, self, other, sign):
    # torch: ties split the gradient in half
    g = where(self == other, grad / 2, grad)
    return g.masked_fill(self < other if sign > 0 else self > other, 0)


_maximum.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, 1),
    other=lambda grad, self, other: _max_grad(grad, other, self, 1),
)


def _binary_tensor_op(name, op, doc):
    def fn(input, other, *, out=None) -> Tensor:
        _require_tensors(name, input, other)
        return binary(op, input, other, SAME, None, out, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    public(name)(fn)
    return fn


maximum = _binary_tensor_op("maximum", _maximum, "Elementwise maximum (NaN propagates).")


@prim("minimum")
def _minimum(self, other):
    return np.minimum(self, other)


_minimum.defvjp(
    self=lambda grad, self, other: _max_grad(grad, self, other, -1),
    other=lambda grad, self, other: _max_grad(grad, other, self, -1),
)

minimum = _binary_tensor_op("minimum", _minimum, "Elementwise minimum (NaN propagates).")


@prim("fmax")
def _fmax(self, other):
    return np.fmax(self, other)


# torch: the gradient goes to self where self >= other or other is NaN, else to other.
_fmax.defvjp(
    self=lambda grad, self, other: grad.masked_fill(
        (self >= other).logical_or(other.isnan()).logical_not(), 0),
    other=lambda grad, self, other: grad.masked_fill(
        (self >= other).logical_or(other.isnan()), 0),
)

fmax = _binary_tensor_op("fmax", _fmax, "Elementwise maximum ignoring NaN.")


@prim("fmin")
def _fmin(self, other):
    return np.fmin(self, other)


_fmin.defvjp(
    self=lambda grad, self, other: grad.masked_fill(
        (self <= other).logical_or(other.isnan()).logical_not(), 0),
    other=lambda grad, self, other: grad.masked_fill(
        (self <= other).logical_or(other.isnan()), 0),
)

fmin = _binary_tensor_op("fmin", _fmin, "Elementwise minimum ignoring NaN.")


# ---------------------------------------------------------------------------------- lerp
def _split(a):
    """Dekker's split of float64 values into two halves of 26 bits."""
    t = 134217729.0 * a
    hi = t - (t - a)
    return hi, a - hi


def _fma64(a, b, c):
    """``a * b + c`` in float64 with (almost always) one rounding, as a hardware FMA.

    The product's rounding error comes from Dekker's TwoProduct, the sum's from Knuth's
    TwoSum; both corrections are added back before the final rounding.
    """
    p = a * b
    s = p + c
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    r = s + (t + e)
    return np.where(np.isfinite(r), r, s)


def _lerp_np(start, end, weight, kernel):
    """torch's vectorized lerp: ``fma(w, end - start, start)`` for ``|w| < 0.5``, else
    ``fma(w - 1, end - start, end)``, in float32 math for float32/float16/bfloat16."""
    dt = start.dtype
    if dt.kind in "iub":
        raise _not_implemented(kernel, dt)
    if dt == _F64:
        w = np.asarray(weight, _F64)
        small = np.abs(w) < 0.5
        return _fma64(np.where(small, w, w - 1.0), end - start,
                      np.where(small, start, end))
    s = start.astype(_F32, copy=False)
    e = end.astype(_F32, copy=False)
    w = np.asarray(weight).astype(_F32)
    small = np.abs(w) < 0.5
    coeff = np.where(small, w, w - np.float32(1))
    base = np.where(small, s, e)
    # float64 holds the float32 product exactly: one rounding to float64, then to float32
    out = (coeff.astype(_F64) * (e - s).astype(_F64) + base.astype(_F64)).astype(_F32)
    return out if dt == _F32 else out.astype(dt)


@prim("lerp", backward="LerpBackward0")
def _lerp_scalar(self, end, *, weight):
    return _lerp_np(self, end, weight, "lerp_kernel_scalar")


_lerp_scalar.defvjp(
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
)


@prim("lerp_tensor", backward="LerpBackward1")
def _lerp_tensor(self, end, weight):
    return _lerp_np(self, end, weight, "lerp_kernel_tensor")


_lerp_tensor.defvjp(
    self=lambda grad, weight: grad * (1 - weight),
    end=lambda grad, weight: grad * weight,
    weight=lambda grad, self, end: grad * (end - self),
)

_SIG_LERP = ("Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
             "Tensor input, Tensor end, Number weight, *, Tensor out = None")


@public(inplace=True)
def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor) or not (
            isinstance(weight, Tensor) or _is_number(weight)):
        raise _invalid_args("lerp", _SIG_LERP, (input, end, weight))
    ad, ed = input._data, end._data
    if ed.dtype != ad.dtype:
        raise RuntimeError(
            f"expected dtype {_c_name(input.dtype)} for `end` but got dtype {_c_name(end.dtype)}"
        )
    shapes = [ad.shape, ed.shape]
    if isinstance(weight, Tensor):
        wd = weight._data
        if wd.dtype != ad.dtype and wd.ndim != 0:
            raise RuntimeError(
                f"expected dtype {_c_name(input.dtype)} for `weight` but got dtype "
                f"{_c_name(weight.dtype)}"
            )
        shapes.append(wd.shape)
    from ._util import broadcast_shapes

    broadcast_shapes(*shapes)
    if isinstance(weight, Tensor):
        result = apply(_lerp_tensor, (input, end, weight), (ad, ed, wd))
    else:
        w = _checked(_scalar(weight), _F64 if ad.dtype == _F64 else _F32)  # opmath type
        result = apply(_lerp_scalar, (input, end), (ad, ed), {"weight": w})
    return result if out is None else check_out(out, result, "lerp")


# ---------------------------------------------------------------------------------- predicates
def _bool_unary(name: str, fn, has_out: bool = False):
    op = prim(name, inputs=("self",))(fn)

    if has_out:
        def f(input: Tensor, *, out: Tensor | None = None) -> Tensor:
            if out is not None and isinstance(out, Tensor) and out._data.dtype != _BOOL_NP:
                raise RuntimeError(f"{name} does not support non-boolean outputs.")
            return unary(op, input, SAME, None, out, name)
    else:
        def f(input: Tensor) -> Tensor:
            return unary(op, input, name=name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}``: a bool tensor."
    public(name)(f)
    return f


def _float_pred(np_fn, int_value: bool):
    def fwd(x):
        if x.dtype.kind in "iub":
            return np.full(x.shape, int_value)
        if x.dtype.kind == "V":  # bfloat16
            x = x.astype(_F32)
        return np_fn(x)

    return fwd


isnan = _bool_unary("isnan", _float_pred(np.isnan, False))
isinf = _bool_unary("isinf", _float_pred(np.isinf, False))
isfinite = _bool_unary("isfinite", _float_pred(np.isfinite, True))
isposinf = _bool_unary("isposinf", _float_pred(np.isposinf, False), has_out=True)
isneginf = _bool_unary("isneginf", _float_pred(np.isneginf, False), has_out=True)


def _signbit_fwd(x):
    if x.dtype.kind in "ub":
        return np.zeros(x.shape, bool)
    if x.dtype.kind == "V":  # bfloat16: the top bit (NaNs keep their sign bit)
        return (x.view(np.uint16) >> 15).astype(bool)
    return np.signbit(x)


signbit = _bool_unary("signbit", _signbit_fwd, has_out=True)


def _finfo(dt):
    import ml_dtypes

    return np.finfo(dt) if dt.kind == "f" else ml_dtypes.finfo(dt)


@prim("nan_to_num")
def _nan_to_num(self, *, nan, posinf, neginf):
    dt = self.dtype
    if dt.kind in "iub":
        return self.copy()
    info = _finfo(dt)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    out = np.where(self != self, np.asarray(nan).astype(dt), self)
    out = np.where(out == np.inf, np.asarray(big).astype(dt), out)
    return np.where(out == -np.inf, np.asarray(small).astype(dt), out)


_nan_to_num.defvjp(self=lambda grad, self: grad * self.isfinite())


@public(inplace=True)
def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace NaN, +inf and -inf with finite numbers."""
    params = {"nan": _scalar(nan), "posinf": _scalar(posinf), "neginf": _scalar(neginf)}
    result = unary(_nan_to_num, input, params=params, name="nan_to_num")
    if out is None:
        return result
    if isinstance(out, Tensor) and out._data.dtype != input._data.dtype:
        raise RuntimeError(f"nan_to_num: dtype of out: {out.dtype._legacy} should be same as "
                           f"input: {input.dtype._legacy}")
    return check_out(out, result, "nan_to_num")


# ---------------------------------------------------------------------------------- comparisons
def _cmp_op(name: str, ufunc, aliases=()):
    op = prim(name, inputs=("self", "other"))(ufunc)
    for alias in aliases:
        _cmp_public(op, alias)
    return _cmp_public(op, name)


def _cmp_public(op, name):
    def f(input, other, *, out=None) -> Tensor:
        if not isinstance(input, Tensor) or not (isinstance(other, Tensor) or _is_number(other)):
            raise _invalid_args(name, _SIG_TN, (input, other), {"out": out} if out is not None
                                else None)
        return binary(op, input, other, BOOL_OUT, None, out, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{op.name}`` comparison: a bool tensor."
    public(name, inplace=True)(f)
    return f


eq = _cmp_op("eq", np.equal)
ne = _cmp_op("ne", np.not_equal, aliases=("not_equal",))
lt = _cmp_op("lt", np.less, aliases=("less",))
le = _cmp_op("le", np.less_equal, aliases=("less_equal",))
gt = _cmp_op("gt", np.greater, aliases=("greater",))
ge = _cmp_op("ge", np.greater_equal, aliases=("greater_equal",))


@public()
def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and values (compared in the promoted dtype)."""
    _require_tensors("equal", input, other)
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    if a.dtype != b.dtype:
        dt = P.result_type_of((input, other))._np
        a, b = a.astype(dt), b.astype(dt)
    return bool(np.array_equal(a, b))


def _isclose_np(a, b, rtol: float, atol: float, equal_nan: bool):
    """torch.isclose's algorithm on arrays of one dtype (see the public function)."""
    dt = a.dtype
    close = a == b
    is_float = dt.kind in "fV"
    if equal_nan and is_float:
        close |= (a != a) & (b != b)
    if rtol == 0 and atol == 0:
        return close
    if dt.kind in "biu":  # integers and bools compare in the default float dtype
        a = a.astype(_DEF.value._np)
        b = b.astype(_DEF.value._np)
        dt = a.dtype
    if dt in _HALF_NP:
        # each op is computed in float32 and rounded to the half type (scalars unrounded)
        t = np.multiply(b.astype(_F32), np.float32(rtol)).astype(dt)
        allowed = np.add(np.abs(t).astype(_F32), np.float32(atol)).astype(dt)
    else:
        allowed = np.add(np.abs(np.multiply(b, rtol)), atol)
    actual = np.abs(np.subtract(a, b))
    return close | (np.isfinite(actual.astype(_F32) if dt.kind == "V" else actual)
                    & (actual <= allowed))


def _isclose_check(name, input, other, rtol, atol):
    _require_tensors(name, input, other)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{input.dtype._legacy} did not match {other.dtype._legacy}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {D._fmt(rtol)}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {D._fmt(atol)}")


@public()
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|``, elementwise (torch's exact algorithm)."""
    _isclose_check("isclose", input, other, rtol, atol)
    a, b = np.broadcast_arrays(*_broadcast_pair(input, other))
    return _wrap(np.asarray(_isclose_np(a, b, rtol, atol, equal_nan)))


def _broadcast_pair(input, other):
    a, b = input._data, other._data
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    return a, b


@public()
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere."""
    _isclose_check("allclose", input, other, rtol, atol)
    a, b = np.broadcast_arrays(*_broadcast_pair(input, other))
    return bool(np.all(_isclose_np(a, b, rtol, atol, equal_nan)))


# ---------------------------------------------------------------------------------- logical/bitwise
def _logical(name: str, ufunc):
    def fwd(a, b):
        if a.dtype.kind == "V":
            a = a.astype(_F32)
        if b.dtype.kind == "V":
            b = b.astype(_F32)
        return ufunc(a, b)

    op = prim(name, inputs=("self", "other"))(fwd)

    def f(input, other, *, out=None) -> Tensor:
        _require_tensors(name, input, other)
        ad, bd = input._data, other._data
        try:
            np.broadcast_shapes(ad.shape, bd.shape)
        except ValueError:
            raise broadcast_error(ad.shape, bd.shape) from None
        result = apply(op, (input, other), (ad, bd))
        return result if out is None else check_out(out, result, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` (nonzero is True): a bool tensor."
    public(name, inplace=True)(f)
    return f


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def _logical_not_fwd(x):
    if x.dtype.kind == "V":
        x = x.astype(_F32)
    return np.logical_not(x)


_logical_not_op = prim("logical_not", inputs=("self",))(_logical_not_fwd)


@public(inplace=True)
def logical_not(input, *, out=None) -> Tensor:
    """Elementwise ``not``: a bool tensor."""
    return unary(_logical_not_op, input, out=out, name="logical_not")


def _bitwise(name: str, ufunc, kernel: str, bool_ok: bool = True):
    def fwd(a, b):
        if a.dtype.kind not in "iub" or (not bool_ok and a.dtype == _BOOL_NP):
            raise _not_implemented(kernel, a.dtype)
        return ufunc(a, b)

    op = prim(name, inputs=("self", "other"))(fwd)

    def f(input, other, *, out=None) -> Tensor:
        if not (isinstance(input, Tensor) or _is_number(input)) or not (
                isinstance(other, Tensor) or _is_number(other)) or not (
                isinstance(input, Tensor) or isinstance(other, Tensor)):
            raise _invalid_args(name, _SIG_TN_SCALAR_SELF, (input, other))
        return binary(op, input, other, SAME, None, out, name)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    public(name, inplace=True)(f)
    return f


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "bitwise_and_cpu")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "bitwise_or_cpu")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "bitwise_xor_cpu")


def _shift_out_of_range(a, b):
    bits = a.dtype.itemsize * 8
    bs = np.asarray(b)
    return bs, (bs < 0) | (bs >= bits)


def _lshift(a, b):
    # torch: shifting by a negative amount or by the bit width or more gives 0
    bs, bad = _shift_out_of_range(a, b)
    if not bad.any():
        return np.left_shift(a, b)
    out = np.left_shift(a, np.where(bad, 0, bs).astype(a.dtype))
    return np.where(bad, np.zeros((), a.dtype), out)


def _rshift(a, b):
    # torch: a negative or too large shift keeps only the sign bits (0 or -1)
    signed = a.dtype.kind == "i"
    bs = np.asarray(b)
    top = a.dtype.itemsize * 8 - signed
    bad = (bs < 0) | (bs >= top)
    if not bad.any():
        return np.right_shift(a, b)
    out = np.right_shift(a, np.where(bad, top if signed else 0, bs).astype(a.dtype))
    return out if signed else np.where(bad, np.zeros((), a.dtype), out)


bitwise_left_shift = _bitwise("bitwise_left_shift", _lshift, "lshift_cpu", bool_ok=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", _rshift, "rshift_cpu", bool_ok=False)


def _bitwise_not_fwd(x):
    if x.dtype.kind not in "iub":
        raise _not_implemented("bitwise_not_cpu", x.dtype)
    return np.invert(x)


_bitwise_not_op = prim("bitwise_not", inputs=("self",))(_bitwise_not_fwd)


@public(inplace=True)
def bitwise_not(input, *, out=None) -> Tensor:
    """Elementwise bitwise not (logical not for bool)."""
    result = unary(_bitwise_not_op, input, name="bitwise_not")
    return result if out is None else _out_exact(out, result, "bitwise_not")


# ---------------------------------------------------------------------------------- promotion API
_SIG_RESULT_TYPE = ("Tensor tensor, Tensor other", "Number scalar, Tensor tensor",
                    "Tensor tensor, Number other", "Number scalar1, Number scalar2")


_MISSING = object()


@public(method=False)
def result_type(tensor, other=_MISSING) -> D.dtype:
    """The dtype of an elementwise op on ``tensor`` and ``other`` (tensors or numbers)."""
    args = (tensor,) if other is _MISSING else (tensor, other)
    if len(args) < 2 or not all(isinstance(x, Tensor) or _is_number(x) for x in args):
        raise _invalid_args("result_type", _SIG_RESULT_TYPE, args)
    return P.result_type_of((_scalar(tensor), _scalar(other)))


# ---------------------------------------------------------------------------------- in-place checks
def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


_PLAIN_KW = frozenset((int, float, bool, str, type(None)))


def _checked_inplace(name: str, fn, c_name_scalars: bool = False, true_div: bool = False):
    """``Tensor.<name>_`` that validates the output first, as torch's TensorIterator does.

    torch checks the broadcast shape against ``self``, then that the result dtype can be cast
    to ``self``'s, and only then runs the kernel (whose dtype errors come last). The generic
    in-place form runs the op first, so ops whose kernels reject dtypes check here. torch's
    clamp with number bounds names the output type in C (``long int``).
    """
    from ._util import broadcast_shapes
    from .inplace import make_inplace

    generic = make_inplace(fn, name + "_")

    def method(self: Tensor, *args, **kwargs) -> Tensor:
        if _KIND.get(self._data.dtype) == _K_FLOAT:
            # a float tensor with number (or no) operands: nothing to check
            for a in args:
                if a is not None and type(a) not in _PY_SCALARS:
                    break
            else:
                if not kwargs or all(type(v) in _PLAIN_KW for v in kwargs.values()):
                    return generic(self, *args, **kwargs)
        operands = [a for a in (*args, *kwargs.values())
                    if isinstance(a, Tensor) or (a is not None and _is_number(a))]
        shape = self._data.shape
        tensors = [a._data.shape for a in operands if isinstance(a, Tensor)]
        if tensors:
            bshape = broadcast_shapes(shape, *tensors)
            if bshape != shape:
                raise RuntimeError(f"output with shape {_shape_str(shape)} doesn't match the "
                                   f"broadcast shape {_shape_str(bshape)}")
        dt = P.result_type_of([self] + [_scalar(a) for a in operands])
        if true_div and kwargs.get("rounding_mode") is None and dt._cat != D.FLOATING:
            dt = _DEF.value
        own = self.dtype
        if not P.can_cast(dt, own):
            out_name = _c_name(own) if c_name_scalars and not tensors else own._legacy
            raise RuntimeError(
                f"result type {dt._legacy} can't be cast to the desired output type {out_name}"
            )
        return generic(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place version of ``{name}``."
    public(name + "_", function=False)(method)
    return method


for _name, _fn in (("bitwise_and", bitwise_and), ("bitwise_or", bitwise_or),
                   ("bitwise_xor", bitwise_xor), ("bitwise_left_shift", bitwise_left_shift),
                   ("bitwise_right_shift", bitwise_right_shift), ("floor_divide", floor_divide),
                   ("remainder", remainder), ("fmod", fmod), ("pow", pow), ("hypot", hypot)):
    _checked_inplace(_name, _fn)
for _name, _fn in (("div", div), ("divide", divide)):
    _checked_inplace(_name, _fn, true_div=True)
for _name, _fn in (("clamp", clamp), ("clip", clip), ("clamp_min", clamp_min),
                   ("clamp_max", clamp_max)):
    _checked_inplace(_name, _fn, c_name_scalars=True)

# The in-place methods defined above (tested in tests/test_elementwise.py).
CHECKED_INPLACE = ("bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
                   "bitwise_right_shift_", "floor_divide_", "remainder_", "fmod_", "div_",
                   "divide_", "pow_", "hypot_", "clamp_", "clip_", "clamp_min_", "clamp_max_")


# ---------------------------------------------------------------------------------- addcmul etc.
def _addc_np(self, t1, t2, value, div):
    dt = self.dtype
    if dt in _HALF_NP:  # torch's CPU kernel: float32 opmath for half types
        self, t1, t2 = self.astype(_F32), t1.astype(_F32), t2.astype(_F32)
    v = np.asarray(value).astype(self.dtype)  # integer values wrap, as torch's cast does
    if div:  # torch's order: self + (value * t1) / t2
        out = self + np.divide(v * t1, t2)
    elif self.dtype == _F32:  # torch: fma(value * t1, t2, self); float64 holds the product
        out = ((v * t1).astype(_F64) * t2 + self).astype(_F32)
    elif self.dtype == _F64:
        out = _fma64(v * t1, np.asarray(t2), np.asarray(self))
    else:
        out = self + v * t1 * t2
    return out.astype(dt, copy=False)


@prim("addcmul")
def _addcmul(self, tensor1, tensor2, *, value):
    return _addc_np(self, tensor1, tensor2, value, False)


_addcmul.defvjp(
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * (tensor2 * value),  # torch's grouping
    tensor2=lambda grad, tensor1, value: grad * (tensor1 * value),
)


@prim("addcdiv")
def _addcdiv(self, tensor1, tensor2, *, value):
    return _addc_np(self, tensor1, tensor2, value, True)


_addcdiv.defvjp(
    self=lambda grad: grad,
    tensor1=lambda grad, tensor2, value: grad * (value / tensor2),
    tensor2=lambda grad, tensor1, tensor2, value: -grad * (value * tensor1 / (tensor2 * tensor2)),
)

_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * ember.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
    "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
    "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
    "dtypes."
)


def _addc(op, name, input, tensor1, tensor2, value, out):
    for i, (arg, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {i + 1}) must be Tensor, "
                            f"not {type(t).__name__}")
    if name == "addcdiv" and tensor1._data.dtype.kind in "iub" and (
            tensor2._data.dtype.kind in "iub"):
        raise RuntimeError(_ADDCDIV_INT)
    dt = P.result_type_of((input, tensor1, tensor2))._np
    if dt == _BOOL_NP:
        raise _not_implemented(f"{name}_cpu_out", dt)
    arrays = tuple(t._data if t._data.dtype == dt else t._data.astype(dt)
                   for t in (input, tensor1, tensor2))
    from ._util import broadcast_shapes

    broadcast_shapes(*(a.shape for a in arrays))
    v = _scalar(value)
    v = float(v) if dt.kind in "fV" else int(v) if dt.kind in "iu" else bool(v)
    result = apply(op, (input, tensor1, tensor2), arrays, {"value": v})
    return result if out is None else check_out(out, result, name)


@public(inplace=True)
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1,
            out: Tensor | None = None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return _addc(_addcmul, "addcmul", input, tensor1, tensor2, value, out)


@public(inplace=True)
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1,
            out: Tensor | None = None) -> Tensor:
    """``input + value * tensor1 / tensor2`` (true division; integer pairs are an error)."""
    return _addc(_addcdiv, "addcdiv", input, tensor1, tensor2, value, out)


@prim("heaviside", backward=_NOT_IMPL)
def _heaviside(self, values):
    return np.where(self == 0, values, (self > 0).astype(values.dtype)).astype(
        np.result_type(self.dtype, values.dtype), copy=False)


_heaviside.defvjp(self=_not_implemented_node("heaviside"),
                  values=_not_implemented_node("heaviside"))


@public(inplace=True)
def heaviside(input: Tensor, values: Tensor, *, out: Tensor | None = None) -> Tensor:
    """0 where ``input < 0``, ``values`` where it is 0, 1 where it is positive."""
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    result = apply(_heaviside, (input, values), (input._data, values._data))
    return result if out is None else check_out(out, result, "heaviside")


@prim("frexp", nout=2)
def _frexp(self):
    m, e = np.frexp(self)
    return m.astype(self.dtype, copy=False), e.astype(np.int32)


# torch: grad / exponent.exp2(), the power in the default float dtype
_frexp.defvjp(self=lambda grads, result: grads[0] / result[1].exp2())



@public()
def frexp(input: Tensor, *, out=None):
    """Mantissa in [0.5, 1) and int32 exponent with ``input == mantissa * 2**exponent``."""
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("ember.frexp() only supports floating-point dtypes")
    m, e = apply(_frexp, (input,), (input._data,))
    if out is not None:
        check_out(out[0], m, "frexp")
        check_out(out[1], e, "frexp")
        return R.frexp_out(out)
    return R.frexp((m, e))
