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

import threading

import numpy as np

from .._random import fma64

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_ndarray = np.ndarray

# Work arrays are reused, not allocated per op: a fresh large array costs page faults on first
# touch, which made the emulated fma several times slower than its arithmetic. The float64 fma
# temporaries are worked through in chunks (512 KiB of float64 stays in L2), the others are
# cached up to _KEEP elements per slot.
_CHUNK = 1 << 16
_KEEP = 1 << 22
_tls = threading.local()


def scratch(n: int, dtype: np.dtype, slot: int = 0) -> np.ndarray:
    """An uninitialised 1-D work array of ``n`` elements, reused across calls (per thread).

    Callers use distinct ``slot`` numbers for work arrays that are alive at the same time;
    slot 0 is fma_into's own.
    """
    if n > _KEEP:
        return np.empty(n, dtype)
    try:
        bufs = _tls.bufs
    except AttributeError:
        bufs = _tls.bufs = {}
    key = (slot, dtype)
    b = bufs.get(key)
    if b is None or b.size < n:
        b = bufs[key] = np.empty(n, dtype)
    return b[:n]


def scratch_like(x: np.ndarray, slot: int, dtype: np.dtype | None = None) -> np.ndarray:
    """A reused work array with ``x``'s shape (and dtype unless given)."""
    return scratch(x.size, x.dtype if dtype is None else dtype, slot).reshape(x.shape)


def opmath(dtype: np.dtype) -> np.dtype:
    """The dtype ATen computes in for ``dtype`` (float32 for float16/bfloat16)."""
    return dtype if dtype == _F64 or dtype == _F32 else _F32


def _fma32(out: np.ndarray, a, b, c, t: np.ndarray) -> None:
    # The product of two float32 values is exact in float64: one rounding for the sum, one
    # to float32 (for half types: to float32, then to the storage type, as ATen's opmath).
    if type(a) is _ndarray and type(b) is _ndarray:
        # Two casting copies and a float64 product beat a mixed-type ufunc loop (about 2x).
        u = scratch(t.size, _F64, -1).reshape(t.shape)
        np.copyto(t, a)
        np.copyto(u, b)
        np.multiply(t, u, out=t)
    else:
        np.multiply(a, b, out=t, dtype=_F64)
    np.add(t, c, out=t, dtype=_F64)
    if out.dtype == _F32:
        np.copyto(out, t, casting="unsafe")
    else:
        np.copyto(out, t.astype(_F32), casting="unsafe")


def _chunkable(v, shape) -> bool:
    return type(v) is not _ndarray or (v.shape == shape and v.flags.c_contiguous)


def fma_into(out: np.ndarray, a, b, c) -> None:
    """``out = a * b + c`` rounded once (float32/float64), as ATen's ``vec::fmadd``.

    Operands may be ``out`` itself (element for element), never an overlapping shifted view.
    """
    if type(out) is not _ndarray:  # a device array (CuPy): no bit-exact target there
        np.copyto(out, np.add(np.multiply(a, b), c), casting="unsafe")
        return
    if out.dtype == _F64:
        np.copyto(out, fma64(a, b, c), casting="unsafe")
        return
    n = out.size
    if n <= _CHUNK:
        _fma32(out, a, b, c, scratch(n, _F64).reshape(out.shape))
        return
    shape = out.shape
    if not (
        out.flags.c_contiguous
        and _chunkable(a, shape)
        and _chunkable(b, shape)
        and _chunkable(c, shape)
    ):
        _fma32(out, a, b, c, np.empty(shape, _F64))
        return
    o = out.reshape(-1)
    a = a.reshape(-1) if type(a) is _ndarray else a
    b = b.reshape(-1) if type(b) is _ndarray else b
    c = c.reshape(-1) if type(c) is _ndarray else c
    t = scratch(_CHUNK, _F64)
    for i in range(0, n, _CHUNK):
        j = i + _CHUNK
        _fma32(
            o[i:j],
            a[i:j] if type(a) is _ndarray else a,
            b[i:j] if type(b) is _ndarray else b,
            c[i:j] if type(c) is _ndarray else c,
            t if j <= n else t[: n - i],
        )


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


def _same_float(*arrays) -> bool:
    # float32/float64 operands of one dtype: ufunc results keep it, so a work array can hold them
    dt = arrays[0].dtype
    return (dt == _F32 or dt == _F64) and all(type(a) is _ndarray and a.dtype == dt for a in arrays)


def lerp_(x: np.ndarray, end: np.ndarray, w: float) -> None:
    """``x.lerp_(end, w)`` with a scalar weight."""
    op = opmath(x.dtype)
    wt = op.type(w)
    # half types: the difference is taken in float32
    out = scratch_like(x, 1, op) if type(x) is _ndarray and type(end) is _ndarray else None
    diff = np.subtract(end, x, out=out, dtype=op)
    if abs(wt) < 0.5:
        fma_into(x, wt, diff, x)
    else:
        fma_into(x, wt - op.type(1), diff, end)


def addcmul_(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``x.addcmul_(a, b, value=value)``."""
    if value != 1:
        v = opmath(x.dtype).type(value)
        a = np.multiply(a, v, out=scratch_like(a, 1)) if _same_float(a, x) else np.multiply(a, v)
    fma_into(x, a, b, x)


def addcmul(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> np.ndarray:
    out = np.empty_like(x)
    v = opmath(x.dtype).type(value)
    fma_into(out, a if value == 1 else np.multiply(a, v), b, x)
    return out


def addcdiv_(x: np.ndarray, a: np.ndarray, b: np.ndarray, value: float) -> None:
    """``x.addcdiv_(a, b, value=value)``: ``x + (value * a) / b``."""
    t = scratch_like(x, 1) if _same_float(x, a, b) else None
    if value == 1:
        t = np.divide(a, b, out=t)
    else:
        t = np.multiply(a, opmath(x.dtype).type(value), out=t)
        np.divide(t, b, out=t)
    np.add(x, t, out=x, casting="unsafe")


def arr(t) -> np.ndarray:
    """A tensor's array, 0-d ones as 1-element views (NumPy turns 0-d results into scalars)."""
    a = t._data
    return a if a.ndim else a.reshape(1)


def bump(t, n: int = 1) -> None:
    """Bump a tensor's version counter by ``n`` in-place ops."""
    t._vc[0] += n


# ------------------------------------------------------------------ fused float32 updates
# The common float32 steps of SGD (momentum) and Adam, worked through in chunks so that every
# array is read from memory once per step and the work arrays stay in cache. Each performs
# exactly the operations of the kernels above, in the same order: the same bits.
_FUSED_CHUNK = 1 << 15


def fusable(*arrays) -> bool:
    """float32 C-contiguous arrays of one shape: the fused updates below apply."""
    shape = arrays[0].shape
    for a in arrays:
        if type(a) is not _ndarray or a.dtype != _F32 or a.shape != shape:
            return False
        if not a.flags.c_contiguous:
            return False
    return True


def _fma_f64(out, t, u, c) -> None:
    # out = round32(t + c) where t holds an exact float64 product; u is float64 work space
    np.copyto(u, c)
    np.add(t, u, out=t)
    np.copyto(out, t, casting="unsafe")


def sgd_momentum_f32(
    p: np.ndarray, g: np.ndarray, buf: np.ndarray, momentum: float, lr: float
) -> None:
    """``buf.mul_(momentum).add_(g); p.add_(buf, alpha=-lr)`` (fusable float32 arrays)."""
    m = _F32.type(momentum)
    alpha = _F64.type(_F32.type(-lr))
    p, g, buf = p.reshape(-1), g.reshape(-1), buf.reshape(-1)
    n = p.size
    step = _FUSED_CHUNK
    t = scratch(min(n, step), _F64, 0)
    u = scratch(min(n, step), _F64, -1)
    for i in range(0, n, step):
        j = i + step
        if j > n:
            t, u = t[: n - i], u[: n - i]
        b = buf[i:j]
        np.multiply(b, m, out=b)
        np.add(b, g[i:j], out=b)
        np.copyto(t, b)
        np.multiply(t, alpha, out=t)
        _fma_f64(p[i:j], t, u, p[i:j])


def adam_f32(
    p: np.ndarray,
    g: np.ndarray,
    exp_avg: np.ndarray,
    exp_avg_sq: np.ndarray,
    beta1: float,
    beta2: float,
    bc2_sqrt,
    eps: float,
    step_size: float,
) -> None:
    """Adam's update of one parameter (no amsgrad; ``g`` after maximize / L2 weight decay):
    ``exp_avg.lerp_(g, 1 - beta1)``, ``exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)``,
    ``p.addcdiv_(exp_avg, exp_avg_sq.sqrt() / bc2_sqrt + eps, value=-step_size)``."""
    f32 = _F32.type
    w = f32(1 - beta1)
    lerp_small = abs(w) < 0.5
    w64 = _F64.type(w if lerp_small else w - f32(1))
    b2 = f32(beta2)
    v = 1 - beta2
    v32 = f32(v)
    bc2 = f32(bc2_sqrt)
    e = f32(eps)
    nss = f32(-step_size)
    p, g = p.reshape(-1), g.reshape(-1)
    ea, eas = exp_avg.reshape(-1), exp_avg_sq.reshape(-1)
    n = p.size
    step = _FUSED_CHUNK
    k = min(n, step)
    t, u = scratch(k, _F64, 0), scratch(k, _F64, -1)
    s1, s2 = scratch(k, _F32, 1), scratch(k, _F32, 2)
    for i in range(0, n, step):
        j = i + step
        if j > n:
            k = n - i
            t, u, s1, s2 = t[:k], u[:k], s1[:k], s2[:k]
        gc, eac, easc, pc = g[i:j], ea[i:j], eas[i:j], p[i:j]
        # lerp_: fma(w, g - ea, ea), or fma(w - 1, g - ea, g) for large weights
        np.subtract(gc, eac, out=s1)
        np.copyto(t, s1)
        np.multiply(t, w64, out=t)
        _fma_f64(eac, t, u, eac if lerp_small else gc)
        # mul_, then addcmul_: fma(v * g, g, eas)
        np.multiply(easc, b2, out=easc)
        if v == 1:
            np.copyto(t, gc)
        else:
            np.multiply(gc, v32, out=s1)
            np.copyto(t, s1)
        np.copyto(u, gc)
        np.multiply(t, u, out=t)
        _fma_f64(easc, t, u, easc)
        # denom = sqrt(eas) / bc2_sqrt + eps; p += (-step_size * ea) / denom
        np.sqrt(easc, out=s2)
        np.divide(s2, bc2, out=s2)
        np.add(s2, e, out=s2)
        if step_size == -1:
            np.divide(eac, s2, out=s1)
        else:
            np.multiply(eac, nss, out=s1)
            np.divide(s1, s2, out=s1)
        np.add(pc, s1, out=pc)
