"""Array kernels for the optimizers: torch's CPU arithmetic, in place, on raw arrays.

The optimizers update ``p._data`` directly (no autograd, no dispatch). Each helper mirrors one
ATen CPU kernel, operation for operation, so float32/float64 results match torch bit for bit:

- ``x.add_(y, alpha=a)`` is ``fma(y, a, x)`` (ATen's vectorised ``add`` is ``vec::fmadd``);
- ``x.lerp_(y, w)`` is ``fma(w, y - x, x)`` for ``|w| < 0.5``, else ``fma(w - 1, y - x, y)``;
- ``x.addcmul_(a, b, value=v)`` is ``fma(v * a, b, x)`` (GCC contracts the vector expression);
- ``x.addcdiv_(a, b, value=v)`` is ``x + (v * a) / b`` (a division cannot be contracted);
- scalars are rounded to the tensor's dtype (float32 for half types, ATen's ``opmath``) first.

A float32 fma is computed in float64 (the product of two float32 values is exact there) and
rounded once more to float32; that double rounding differs from a true fma only when the
float64 sum lands exactly on a float32 midpoint (about 2^-29 of inexact cases). float64 uses
the exact ``fma64`` emulation. torch's ``sqrt`` goes through MKL's VML in HA mode, which is
not correctly rounded (about 0.7% of results are the other neighbour), so optimizers that
take a square root match torch to within that ulp, not bit for bit.

Every writer bumps the tensor's version counter once per in-place op torch performs.
"""

from __future__ import annotations

import numpy as np

from .._random import fma64

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)


def opmath(dtype: np.dtype) -> np.dtype:
    """The dtype ATen computes in for ``dtype`` (float32 for float16/bfloat16)."""
    return dtype if dtype == _F64 or dtype == _F32 else _F32


def fma_into(out: np.ndarray, a, b, c) -> None:
    """``out = a * b + c`` rounded once (float32/float64), as ATen's ``vec::fmadd``."""
    if type(out) is not np.ndarray:  # a device array (CuPy): no bit-exact target there
        np.copyto(out, np.add(np.multiply(a, b), c), casting="unsafe")
        return
    if out.dtype == _F64:
        np.copyto(out, fma64(a, b, c), casting="unsafe")
        return
    t = np.multiply(a, b, dtype=_F64)
    np.add(t, c, out=t, dtype=_F64)
    if out.dtype == _F32:
        np.copyto(out, t, casting="unsafe")
    else:  # half types: fma in float32, then rounded to the storage type
        np.copyto(out, t.astype(_F32), casting="unsafe")


def fma_new(a: np.ndarray, b, c) -> np.ndarray:
    """A fresh array ``fma(a, b, c)`` with ``a``'s dtype (``a`` is an array)."""
    out = np.empty_like(a)
    fma_into(out, a, b, c)
    return out


def _alpha(dtype: np.dtype, alpha: float):
    # add's alpha is converted to the tensor's own type first (to half for half tensors).
    op = opmath(dtype)
    return op.type(alpha) if op == dtype else op.type(dtype.type(alpha))


def add_alpha(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """``x.add(y, alpha=alpha)``: a new array."""
    return fma_new(y, _alpha(x.dtype, alpha), x)


def add_alpha_(x: np.ndarray, y: np.ndarray, alpha: float) -> None:
    """``x.add_(y, alpha=alpha)``."""
    if alpha == 1:  # fma(y, 1, x) is the correctly rounded sum
        np.add(x, y, out=x, casting="unsafe")
    else:
        fma_into(x, y, _alpha(x.dtype, alpha), x)


def mul_(x: np.ndarray, s: float) -> None:
    np.multiply(x, opmath(x.dtype).type(s), out=x, casting="unsafe")


def lerp_(x: np.ndarray, end: np.ndarray, w: float) -> None:
    """``x.lerp_(end, w)`` with a scalar weight."""
    op = opmath(x.dtype)
    wt = op.type(w)
    diff = np.subtract(end, x, dtype=op)  # half types: the difference is taken in float32
    if abs(wt) < 0.5:
        fma_into(x, wt, diff, x)
    else:
        fma_into(x, wt - op.type(1), diff, end)


def addcmul_(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``x.addcmul_(a, b, value=value)``."""
    v = opmath(x.dtype).type(value)
    fma_into(x, a if value == 1 else np.multiply(a, v), b, x)


def addcmul(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> np.ndarray:
    out = np.empty_like(x)
    v = opmath(x.dtype).type(value)
    fma_into(out, a if value == 1 else np.multiply(a, v), b, x)
    return out


def addcdiv_(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``x.addcdiv_(a, b, value=value)``: ``x + (value * a) / b``."""
    if value == 1:
        t = np.divide(a, b)
    else:
        t = np.multiply(a, opmath(x.dtype).type(value))
        np.divide(t, b, out=t)
    np.add(x, t, out=x, casting="unsafe")


def arr(t) -> np.ndarray:
    """A tensor's array, 0-d ones as 1-element views (NumPy turns 0-d results into scalars)."""
    a = t._data
    return a if a.ndim else a.reshape(1)


def bump(t, n: int = 1) -> None:
    """Bump a tensor's version counter by ``n`` in-place ops."""
    t._vc[0] += n
