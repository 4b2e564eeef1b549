"""Random sampling ops (rand, randn, randint, multinomial, ...) over ember's torch-compatible
generator.

Every op draws from an ``ember.Generator`` (``generator=`` or the default one) exactly the
words torch's CPU kernels draw, in the same order, and transforms them with the same floating
point operations (including the FMAs the compiler fused and torch's AVX2 ``log256_ps`` /
``sincos256_ps`` for float32 normals), so seeded values and ``get_rng_state()`` bytes match
torch 2.13 on x86-64 (AVX2 kernels), bit for bit, for every dtype and layout.

Known limit: ``poisson`` with rates >= 10 uses CPython's ``lgamma`` where torch uses glibc's
(they may differ in the last bits, which matters only when an acceptance test lands within
those bits of its bound).

Elements are filled in torch's TensorIterator order: the output's memory order.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import _random as R
from .._promotion import promote_types
from .._random import Generator, fma32, fma64
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ._util import broadcast_shapes, check_out
from .creation import (
    _MISSING,
    _out_arg,
    _result,
    _type_name,
    check_sizes,
    dtype_arg,
    explicit,
    invalid_args,
    like_array,
    parsing,
    scalar_to,
    size_arg,
)
from .inplace import check_inplace, commit
from .registry import apply, prim, public

_DEF = D._DefaultDtype
_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_I64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
_TWO_PI = 6.283185307179586
_TWO_PI_F = np.float32(6.2831855)

# ---------------------------------------------------------------------------------- seeding
# ember.manual_seed & co. are the ember.random functions (one object, two names, as in torch).
public("manual_seed", method=False)(R.manual_seed)
public("seed", method=False)(R.seed)
public("initial_seed", method=False)(R.initial_seed)
public("get_rng_state", method=False)(R.get_rng_state)
public("set_rng_state", method=False)(R.set_rng_state)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) or (
        isinstance(x, Tensor) and x._data.size == 1)


def _float_arg(fname: str, v, name: str, pos: int) -> float:
    """A ``float`` parameter: Python/NumPy numbers and one-element tensors."""
    if not _is_number(v):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be float, not "
                        f"{_type_name(v)}")
    return float(v)


def _gen(fname: str, generator) -> Generator:
    if generator is None:
        return R.default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{fname}(): argument 'generator' must be ember.Generator, not "
            f"{_type_name(generator)}"
        )
    return generator


def _type_of(np_dtype: np.dtype) -> str:
    return D._FROM_NP[np_dtype]._legacy  # torch's ScalarType name: 'Long', 'Half'...


def _c_type(np_dtype: np.dtype) -> str:
    """caffe2::TypeMeta names (as torch's range checks print them)."""
    return {
        "float64": "double", "float32": "float", "float16": "c10::Half",
        "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
        "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
    }[D._FROM_NP[np_dtype]._name]


def _fmt(x) -> str:
    """C++ ``ostream << double`` (6 significant digits), as torch's messages print numbers."""
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


# ---------------------------------------------------------------------------------- order
def _order(a: np.ndarray):
    """Axes, outermost first, in which TensorIterator walks output ``a`` (None: C order)."""
    if a.ndim < 2 or a.flags.c_contiguous:
        return None
    key = [abs(st) if sh > 1 else 0 for st, sh in zip(a.strides, a.shape)]
    perm = sorted(range(a.ndim), key=lambda d: -key[d])
    return None if perm == list(range(a.ndim)) else perm


def _place(shape: tuple, perm, flat: np.ndarray) -> np.ndarray:
    """Values drawn in iteration order, laid out at their logical positions."""
    if perm is None:
        return flat.reshape(shape)
    out = np.empty(shape, flat.dtype)
    t = out.transpose(perm)
    t[...] = flat.reshape(t.shape)
    return out


def _fill_array(arr: np.ndarray, values_fn) -> np.ndarray:
    """Fill a fresh output array in its own iteration order; returns it."""
    perm = _order(arr)
    flat = values_fn(arr.size, arr.flags.c_contiguous)
    if (perm is None and arr.flags.c_contiguous and flat.dtype == arr.dtype
            and flat.flags.c_contiguous):
        return flat.reshape(arr.shape)  # a fresh contiguous array: no need to copy
    if perm is None:
        arr[...] = flat.reshape(arr.shape)
    else:
        t = arr.transpose(perm)
        t[...] = flat.reshape(t.shape)
    return arr


def _zeros_grad(grad):
    from .creation import zeros_like

    return zeros_like(grad)


def _fill_prim(name: str, backward: str | None = None):
    op = prim(name, backward=backward)(lambda self, *, values: values)
    op.defvjp(self=_zeros_grad)
    return op


_uniform_node = _fill_prim("uniform_")
_normal_node = _fill_prim("normal_")
_random_node = _fill_prim("random_", "RandomBackward0")
_random_to_node = _fill_prim("random_to", "RandomBackward1")
_random_all_node = _fill_prim("random_all", "RandomBackward2")
_bernoulli_node = _fill_prim("bernoulli_", "BernoulliBackward2")
_exponential_node = _fill_prim("exponential_")
_log_normal_node = _fill_prim("log_normal_")
_cauchy_node = _fill_prim("cauchy_")
_geometric_node = _fill_prim("geometric_")


@prim("bernoulli_tensor_", backward="BernoulliBackward1")
def _bernoulli_t_node(self, p, *, values):
    return values


_bernoulli_t_node.defvjp(self=_zeros_grad, p=lambda grad, p: _zeros_grad(p))


def _inplace(self: Tensor, node, values_fn, extra: tuple = ()) -> Tensor:
    """The in-place random op: draw in ``self``'s memory order, then write and version-bump."""
    if STATE.enabled:
        check_inplace(self)
    a = self._data
    if not a.flags.writeable and a.size > 1 and 0 in a.strides:
        # torch refuses before drawing anything (an expanded tensor as output)
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    perm = _order(a)
    flat = values_fn(a.size, a.flags.c_contiguous)
    vals = _place(a.shape, perm, flat)
    if STATE.enabled and (self._requires_grad or any(t._requires_grad for t in extra)):
        result = apply(node, (self, *extra), (a, *(t._data for t in extra)), {"values": vals})
    else:
        result = _wrap(vals)
    return commit(self, result)


# ---------------------------------------------------------------------------------- uniform
def _check_float(np_dtype: np.dtype, kernel: str) -> None:
    if np_dtype.kind not in "fV":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_of(np_dtype)}\'')


_FLOAT_LIMITS = {d._np: (D.finfo(d).min, D.finfo(d).max) for d in D.FLOAT_DTYPES}


def _uniform_bounds(np_dtype: np.dtype, a: float, b: float) -> tuple:
    """uniform_impl_'s checks; returns the clamped (from, to)."""
    _check_float(np_dtype, "check_uniform_bounds")
    lo, hi = _FLOAT_LIMITS[np_dtype]
    name = _c_type(np_dtype)
    if not lo <= a <= hi:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lo <= b <= hi:
        raise RuntimeError(f"to is out of bounds for {name}")
    if not a <= b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_fmt(a)} > "
            f"to={_fmt(b)}"
        )
    if not (b - a) <= hi:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_type_of(np_dtype)}>::max(), but "
            f"found to={_fmt(b)} and from={_fmt(a)} which result in to-from to exceed the limit"
        )
    return min(max(a, lo), hi), max(min(b, hi), lo)


def _uniform_values(gen: Generator, np_dtype: np.dtype, a: float, b: float):
    """x in [0, 1) from one draw (two for float64); ``fma(x, to - from, from)``; to -> from."""

    def values(n: int, contiguous: bool) -> np.ndarray:
        unit = a == 0.0 and b == 1.0
        if np_dtype == _F64:
            x = gen._uniform53(n)
            return x if unit else np.where((v := fma64(x, b - a, a)) == b, a, v)
        x = gen._uniform24(n)
        if unit and np_dtype == _F32:
            return x  # already in [0, 1): fma(x, 1, 0) == x and x < 1
        fa, fb = np.float32(a), np.float32(b)
        v = x if unit else fma32(x, np.float32(fb - fa), fa)
        if np_dtype != _F32:
            v = v.astype(np_dtype)
        tb = fb if np_dtype == _F32 else fb.astype(np_dtype)
        ta = fa if np_dtype == _F32 else fa.astype(np_dtype)
        return np.where(v == tb, ta, v).astype(np_dtype)

    return values


@public(function=False)
def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator=None,
             **kwargs) -> Tensor:
    """Fill with uniform values in ``[from, to)``."""
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    if kwargs:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    gen = _gen("uniform_", generator)
    a = _float_arg("uniform_", from_, "from", 1)
    b = _float_arg("uniform_", to, "to", 2)
    a, b = _uniform_bounds(self._data.dtype, a, b)
    return _inplace(self, _uniform_node, _uniform_values(gen, self._data.dtype, a, b))



def _factory_shape(fname: str, args: tuple, size) -> tuple:
    shape = size_arg(fname, args, size)
    check_sizes(shape)
    return shape


def _factory_dtype(fname: str, dtype, out) -> np.dtype:
    np_dtype = dtype_arg(fname, dtype)
    _out_arg(fname, out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    return np_dtype


def _out_array(shape: tuple, np_dtype: np.dtype, out) -> np.ndarray:
    """The array a factory fills: ``out``'s layout when ``out`` already has the right shape
    (torch then fills ``out`` in its memory order), else a contiguous one."""
    if out is not None and out._data.shape == shape and out._data.dtype == np_dtype:
        return np.empty_like(out._data, order="K")
    return np.empty(shape, np_dtype)


_finish_factory = _result  # a factory's result, or written into ``out`` (creation.py)


_FACTORY_KW = frozenset({"size", "generator", "out", "dtype", "layout", "device",
                         "requires_grad", "pin_memory", "names"})


def _factory_args(fname: str, args: tuple, kwargs: dict) -> tuple:
    """Parse ``fname(*size, generator=, out=, dtype=, ...)``: (gen, shape, dtype, out)."""
    with parsing(fname, args, kwargs):
        for k in kwargs:
            if k not in _FACTORY_KW:
                raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        gen = _gen(fname, kwargs.get("generator"))
        out = kwargs.get("out")
        shape = size_arg(fname, args, kwargs.get("size", _MISSING))
        np_dtype = dtype_arg(fname, kwargs.get("dtype"))
    check_sizes(shape)
    _out_arg(fname, out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    return gen, shape, np_dtype, out


@public(method=False)
def rand(*args, **kwargs) -> Tensor:
    """``rand(*size, generator=None, out=None, dtype=None, ...)``: uniform values in [0, 1)
    (torch's stream: one draw per element, two for float64)."""
    gen, shape, np_dtype, out = _factory_args("rand", args, kwargs)
    _uniform_bounds(np_dtype, 0.0, 1.0)
    arr = _fill_array(_out_array(shape, np_dtype, out), _uniform_values(gen, np_dtype, 0.0, 1.0))
    return _finish_factory("rand", arr, out, kwargs.get("requires_grad", False),
                           kwargs.get("device"))


def _check_like(fname: str, input) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fname}(): argument 'input' (position 1) must be Tensor, not {_type_name(input)}"
        )


@public(method=False)
def rand_like(input, *args, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None, pin_memory=False) -> Tensor:
    """``rand`` shaped (and laid out) like ``input``."""
    if args:
        raise invalid_args("rand_like", (input, *args), explicit(
            generator=generator, dtype=dtype, device=device, requires_grad=requires_grad))
    with parsing("rand_like", (input,), explicit(generator=generator, dtype=dtype, device=device,
                                              requires_grad=requires_grad,
                                              memory_format=memory_format)):
        _check_like("rand_like", input)
        gen = _gen("rand_like", generator)
        np_dtype = dtype_arg("rand_like", dtype) or input._data.dtype
    _uniform_bounds(np_dtype, 0.0, 1.0)
    arr = _fill_array(like_array(input, np_dtype, memory_format),
                      _uniform_values(gen, np_dtype, 0.0, 1.0))
    return _finish_factory("rand_like", arr, None, requires_grad, device)


# ---------------------------------------------------------------------------------- normal
def _f32(hexstr: str) -> np.float32:
    return np.float32(float.fromhex(hexstr))


# avx_mathfun's log256_ps / sincos256_ps constants (cephes, rounded to float), as torch's AVX2
# kernel uses them; the Horner coefficients are kept as doubles for the emulated FMAs.
_LOG_P = [float(_f32(h)) for h in (
    "0x1.204376p-4", "-0x1.d7a37p-4", "0x1.de4a34p-4", "-0x1.fcba9ep-4", "0x1.23d37ep-3",
    "-0x1.555ca0p-3", "0x1.999d58p-3", "-0x1.fffff8p-3", "0x1.555554p-2")]
_LOG_Q1, _LOG_Q2 = _f32("-0x1.bd0106p-13"), _f32("0x1.63p-1")
_SQRTHF_MANT = 0x3504F3  # mantissa bits of SQRTHF (0x1.6a09e6p-1)
_FOPI = _f32("0x1.45f306p+0")
_DP1, _DP2, _DP3 = _f32("-0x1.92p-1"), _f32("-0x1.fb4p-13"), float(_f32("-0x1.4442d2p-25"))
_SIN_P = [float(_f32(h)) for h in ("-0x1.9943f2p-13", "0x1.11073cp-7", "-0x1.555546p-3")]
_COS_P = [float(_f32(h)) for h in ("0x1.99eb9cp-16", "-0x1.6c0c34p-10", "0x1.55554ap-5")]
_ONE_F = np.float32(1.0)
_CHUNK = 16384  # lanes per pass: keeps the temporaries in cache


# The float32 kernels below replay torch's AVX2 code operation by operation, with the FMAs GCC
# contracted it into. A float32 FMA is emulated as an exact double product plus one double
# addition rounded to float: that is the correctly rounded FMA unless the double sum is inexact
# *and* lands on a float midpoint. Both kernels depend on one 24-bit uniform each, so this was
# checked exhaustively: on all 2^24 inputs they equal the exactly rounded FMA sequence.
def _avx_radius(u: np.ndarray) -> np.ndarray:
    """``sqrtf(-2 * log256_ps(1 - u))`` for float32 uniforms ``u`` in [0, 1)."""
    x = _ONE_F - u
    bits = x.view(np.int32)
    mant = bits & 0x7FFFFF
    k = (mant < _SQRTHF_MANT).view(np.int8).astype(np.int32)  # m < SQRTHF: use 2m - 1
    e = ((bits >> 23) - k - 126).astype(np.float32)
    mant |= 0x3F000000
    mant += k << 23
    m = mant.view(np.float32)
    m -= _ONE_F  # m - 1 or 2m - 1 (both exact)
    z = m * m
    m64 = m.astype(np.float64)
    s = m64 * _LOG_P[0]
    s += _LOG_P[1]
    y = s.astype(np.float32)
    for c in _LOG_P[2:]:
        np.multiply(y, m64, out=s)
        s += c
        y[...] = s
    y *= m
    np.multiply(y, z, out=s, dtype=np.float64)
    s += e * _LOG_Q1
    y[...] = s
    z *= np.float32(0.5)
    y -= z  # fma(-z, 0.5, y): the product is exact
    y += m
    e *= _LOG_Q2  # fma(e, Q2, m + y): e is a small integer, the product is exact
    y += e
    y *= np.float32(-2.0)
    return np.sqrt(y, out=y)


def _avx_sincos(v: np.ndarray) -> tuple:
    """``sincos256_ps(2pi * v)`` for float32 uniforms ``v``: (cos, sin)."""
    t = _TWO_PI_F * v
    j = (t * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    yf = j.astype(np.float32)
    x = yf * _DP1
    x += t  # the products with DP1 and DP2 are exact in float
    x += _DP2 * yf
    s = yf.astype(np.float64)
    s *= _DP3
    s += x
    x[...] = s
    z = x * x
    z64 = z.astype(np.float64)
    s = z64 * _COS_P[0]
    s += _COS_P[1]
    cp = s.astype(np.float32)
    np.multiply(cp, z64, out=s)
    s += _COS_P[2]
    cp[...] = s
    cp *= z
    np.multiply(cp, z64, out=s)
    s -= (z * np.float32(0.5)).astype(np.float64)
    cp[...] = s
    cp += _ONE_F
    np.multiply(z64, _SIN_P[0], out=s)
    s += _SIN_P[1]
    sp = s.astype(np.float32)
    np.multiply(sp, z64, out=s)
    s += _SIN_P[2]
    sp[...] = s
    sp *= z
    np.multiply(sp, x, out=s, dtype=np.float64)
    s += x
    sp[...] = s
    # Select by the polynomial mask and apply the sign bits, as the kernel does, on the bits:
    # ((j & 2) >> 1) - 1 is all ones where the sine comes from the sine polynomial. (The
    # kernel's masked sums would turn a -0 into +0; neither polynomial can give -0 here.)
    spb = sp.view(np.int32)
    cpb = cp.view(np.int32)
    sel = j & 2
    sel >>= 1
    sel -= 1
    d = spb ^ cpb
    d &= sel
    snb = cpb ^ d
    csb = spb
    csb ^= d
    j4 = j & 4
    j4 <<= 29
    snb ^= j4
    j -= 2
    np.invert(j, out=j)
    j &= 4
    j <<= 29
    csb ^= j
    sn, cs = snb.view(np.float32), csb.view(np.float32)
    return cs, sn


def _bm16_float(d: np.ndarray, mean: float, std: float, out=None) -> np.ndarray:
    """torch's AVX2 16-lane Box-Muller (normal_fill_16_AVX2) on float32 uniforms, rows of 16.

    Lane j < 8 takes its radius from d[j] and its angle from d[j + 8]; outputs are
    ``fma(radius * cos, std, mean)`` (lanes 0-7) and ``fma(radius * sin, std, mean)`` (8-15).
    """
    rows = d.shape[0]
    if out is None:
        out = np.empty((rows, 16), np.float32)
    step = _CHUNK // 8
    unit = mean == 0.0 and std == 1.0
    std_f, mean_f = np.float32(std), np.float32(mean)
    for i in range(0, rows, step):
        blk = d[i:i + step]
        r = _avx_radius(blk[:, :8])
        c, s = _avx_sincos(blk[:, 8:])
        c *= r
        s *= r
        if unit:  # fma(x, 1, 0) == x + 0 (a -0 becomes +0)
            c += np.float32(0.0)
            s += np.float32(0.0)
        else:
            c = fma32(c, std_f, mean_f)
            s = fma32(s, std_f, mean_f)
        o = out[i:i + step]
        o[:, :8] = c
        o[:, 8:] = s
    return out


def _bm16_double(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<double>: glibc log/sin/cos per lane, then ``fma(r*trig, std, mean)``."""
    u1 = 1.0 - d[:, :8]
    radius = np.sqrt(-2.0 * R.log(u1))
    theta = _TWO_PI * d[:, 8:]
    out = np.empty(d.shape, np.float64)
    out[:, :8] = fma64(radius * R.cos(theta), std, mean)
    out[:, 8:] = fma64(radius * R.sin(theta), std, mean)
    return out


def _normal_values(gen: Generator, np_dtype: np.dtype, mean: float, std: float):
    def values(n: int, contiguous: bool) -> np.ndarray:
        if n >= 16 and contiguous:
            return _normal_vectorised(gen, n, np_dtype, mean, std)
        # Scalar path: double Box-Muller with the generator's cached sample.
        v = gen._normal_pairs(n)
        # fma(v, std, mean); for (1, 0) that is v + 0 (a -0 from a zero radius becomes +0)
        v = fma64(v, std, mean) if std != 1.0 or mean != 0.0 else v + 0.0
        if np_dtype == _F64:
            return v
        v = v.astype(np.float32)
        return v if np_dtype == _F32 else v.astype(np_dtype)

    return values


def _normal_vectorised(gen: Generator, n: int, np_dtype: np.dtype, mean: float,
                       std: float) -> np.ndarray:
    full, tail = divmod(n, 16)
    if np_dtype == _F64:
        d = gen._uniform53(n)
        extra = gen._uniform53(16) if tail else None
        bm = _bm16_double
        out = np.empty(n, np.float64)
    elif np_dtype == _F32:
        d = gen._uniform24(n)
        extra = gen._uniform24(16) if tail else None
        bm = _bm16_float
        out = np.empty(n, np.float32)
    else:
        # float16/bfloat16: 16 fresh uniforms per block, the tail block included.
        d = gen._uniform24(16 * (full + (1 if tail else 0)))
        extra = d[16 * full:] if tail else None
        bm = _bm16_float
        out = np.empty(n, np.float32)
    if full and bm is _bm16_float:  # written in place, rows of 16
        bm(d[: 16 * full].reshape(full, 16), mean, std, out[: 16 * full].reshape(full, 16))
    elif full:
        out[: 16 * full] = bm(d[: 16 * full].reshape(full, 16), mean, std).reshape(-1)
    if tail:
        # torch recomputes the last 16 outputs from fresh uniforms (overwriting the tail).
        out[n - 16:] = bm(extra.reshape(1, 16), mean, std).reshape(-1)
    return out if out.dtype == np_dtype else out.astype(np_dtype)


def _check_std(std: float) -> None:
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


@public(function=False)
def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    """Fill with normal values (torch's scalar or vectorised Box-Muller; see module doc)."""
    gen = _gen("normal_", generator)
    mean = _float_arg("normal_", mean, "mean", 1)
    std = _float_arg("normal_", std, "std", 2)
    _check_std(std)
    _check_float(self._data.dtype, "normal_kernel_cpu")
    return _inplace(self, _normal_node, _normal_values(gen, self._data.dtype, mean, std))



@public(method=False)
def randn(*args, **kwargs) -> Tensor:
    """``randn(*size, generator=None, out=None, dtype=None, ...)``: standard normal values
    (torch's scalar Box-Muller below 16 elements or for non-contiguous outputs, its 16-lane
    vectorised one otherwise)."""
    gen, shape, np_dtype, out = _factory_args("randn", args, kwargs)
    _check_float(np_dtype, "normal_kernel_cpu")
    arr = _fill_array(_out_array(shape, np_dtype, out), _normal_values(gen, np_dtype, 0.0, 1.0))
    return _finish_factory("randn", arr, out, kwargs.get("requires_grad", False),
                           kwargs.get("device"))


@public(method=False)
def randn_like(input, *args, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None, pin_memory=False) -> Tensor:
    """``randn`` shaped (and laid out) like ``input``."""
    if args:
        raise invalid_args("randn_like", (input, *args), explicit(
            generator=generator, dtype=dtype, device=device, requires_grad=requires_grad))
    with parsing("randn_like", (input,), explicit(generator=generator, dtype=dtype, device=device,
                                              requires_grad=requires_grad,
                                              memory_format=memory_format)):
        _check_like("randn_like", input)
        gen = _gen("randn_like", generator)
        np_dtype = dtype_arg("randn_like", dtype) or input._data.dtype
    _check_float(np_dtype, "normal_kernel_cpu")
    arr = _fill_array(like_array(input, np_dtype, memory_format),
                      _normal_values(gen, np_dtype, 0.0, 1.0))
    return _finish_factory("randn_like", arr, None, requires_grad, device)


@prim("normal_tensor_float", backward="NormalBackward1")
def _normal_tf(mean, *, values):
    return values


_normal_tf.defvjp(mean=lambda grad, mean: _zeros_grad(mean))


@prim("normal_float_tensor", backward="NormalBackward2")
def _normal_ft(std, *, values):
    return values


_normal_ft.defvjp(std=lambda grad, std: _zeros_grad(std))


@prim("normal_tensor_tensor", backward="NormalBackward3")
def _normal_tt(mean, std, *, values):
    return values


_normal_tt.defvjp(mean=lambda grad, mean: _zeros_grad(mean),
                  std=lambda grad, std: _zeros_grad(std))


def _arith(out: np.ndarray, other: np.ndarray, op) -> np.ndarray:
    """``out.op_(other)`` for tensors: computed in the promoted dtype, cast back to out's."""
    dt = promote_types(D._FROM_NP[out.dtype], D._FROM_NP[other.dtype])._np
    return op(out.astype(dt, copy=False), other.astype(dt, copy=False)).astype(out.dtype)


def _scalar_arith(out: np.ndarray, value: float, op) -> np.ndarray:
    """``out.op_(python float)``: a wrapped number keeps a float tensor's dtype."""
    if out.dtype in (_F64, _F32):
        return op(out, out.dtype.type(value)).astype(out.dtype)
    return op(out.astype(np.float32), np.float32(value)).astype(out.dtype)


@public(method=False)
def normal(mean, std=_MISSING, size=_MISSING, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Normal samples: ``normal(mean_t, std_t)``, ``normal(mean_t, std=1.0)``,
    ``normal(mean, std_t)`` or ``normal(mean, std, size)`` (torch's four overloads, with
    torch's arithmetic: ``normal_(0, 1)`` then ``mul_(std)`` / ``add_(mean)``)."""
    args = tuple(x for x in (mean, std, size) if x is not _MISSING)
    kw = explicit(generator=generator, out=out, dtype=dtype, device=device,
                  requires_grad=requires_grad)
    mt = isinstance(mean, Tensor)
    st = isinstance(std, Tensor)
    factory_kw = dtype is not None or device is not None or requires_grad
    if not (
        (mt and st and size is _MISSING and not factory_kw)
        or (mt and (std is _MISSING or _is_number(std)) and size is _MISSING and not factory_kw)
        or (_is_number(mean) and st and size is _MISSING and not factory_kw)
        or (_is_number(mean) and _is_number(std) and size is not _MISSING)
    ):
        raise invalid_args("normal", args, kw)
    with parsing("normal", args, kw):
        gen = _gen("normal", generator)
    if not mt and not st:
        m, s = float(mean), float(std)
        shape = size_arg("normal", (), size)
        check_sizes(shape)
        np_dtype = _factory_dtype("normal", dtype, out)
        _check_std(s)
        _check_float(np_dtype, "normal_kernel_cpu")
        arr = _fill_array(_out_array(shape, np_dtype, out),
                          _normal_values(gen, np_dtype, m, s))
        return _finish_factory("normal", arr, out, requires_grad, device)
    if mt and not st:
        s = 1.0 if std is _MISSING else float(std)
        _check_std(s)
        md = mean._data
        _check_float(md.dtype, "normal_kernel_cpu")
        v = _normal_values(gen, md.dtype, 0.0, s)(md.size, True).reshape(md.shape)
        v = _arith(v, md, np.add)
        node, inputs = _normal_tf, (mean,)
    elif st and not mt:
        m = float(mean)
        sd = std._data
        if sd.size and not (sd >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        _check_float(sd.dtype, "normal_kernel_cpu")
        v = _normal_values(gen, sd.dtype, 0.0, 1.0)(sd.size, True).reshape(sd.shape)
        v = _scalar_arith(_arith(v, sd, np.multiply), m, np.add)
        node, inputs = _normal_ft, (std,)
    else:
        md, sd = mean._data, std._data
        if sd.size and not (sd >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = broadcast_shapes(md.shape, sd.shape)
        _check_float(md.dtype, "normal_kernel_cpu")
        n = int(np.prod(shape))
        v = _normal_values(gen, md.dtype, 0.0, 1.0)(n, True).reshape(shape)
        v = _arith(_arith(v, sd, np.multiply), md, np.add)
        node, inputs = _normal_tt, (mean, std)
    if out is not None:
        return check_out(out, _wrap(v), "normal")
    if STATE.enabled and any(t._requires_grad for t in inputs):
        return apply(node, inputs, tuple(t._data for t in inputs), {"values": v})
    return _wrap(v)


# ---------------------------------------------------------------------------------- integers

def _int_limits(np_dtype: np.dtype) -> tuple:
    """(min, max) torch's random_ range checks use for ``np_dtype``."""
    if np_dtype.kind == "b":
        return 0, 1
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return int(info.min), int(info.max)
    fi = D.finfo(D._FROM_NP[np_dtype])
    return fi.min, fi.max


def _digits(np_dtype: np.dtype) -> int:
    return {"float64": 53, "float32": 24, "float16": 11, "bfloat16": 8}[
        D._FROM_NP[np_dtype]._name]


def _as_float_dtype(value: int, np_dtype: np.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(value)) for a float scalar_t (x86: an
    out-of-range or infinite value converts to INT64_MIN)."""
    if np_dtype == _F64:
        v = float(value)
    else:
        with np.errstate(all="ignore"):
            v = float(np.float32(value).astype(np_dtype).astype(np.float64))
    if not -9.223372036854775808e18 <= v < 9.223372036854775808e18:
        return -(1 << 63)
    return int(v)


def _update_from(value: int, np_dtype: np.dtype) -> int:
    plus1 = _as_float_dtype(value + 1, np_dtype)
    if plus1 < value:
        f = abs(value + 1)
        n = f.bit_length() - 1 if f else 0
        value = plus1 + (1 << (n - _digits(np_dtype) + 1))
    return value


def _update_to(value: int, np_dtype: np.dtype) -> int:
    minus1 = _as_float_dtype(value - 1, np_dtype)
    if minus1 >= value:
        f = abs(value - 1)
        n = f.bit_length() - 1 if f else 0
        value = minus1 - (1 << (n - _digits(np_dtype) + 1))
    return value


def _check_from_to(frm: int, to_inc: int, np_dtype: np.dtype) -> None:
    lo, hi = _int_limits(np_dtype)
    name = _c_type(np_dtype)
    if not lo <= frm <= hi:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not lo <= to_inc <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")
    if np_dtype.kind in "fV":
        digits = _digits(np_dtype)
        lim = 1 << digits
        for var, vname in ((frm, "from"), (to_inc, "to - 1")):
            if var < -lim or var > lim:
                warnings.warn(
                    f"{vname} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {name} can support discrete uniform distribution only within "
                    "this range. This warning will become an error in version 1.7 release, "
                    "please fix the code in advance",
                    UserWarning,
                    stacklevel=4,
                )


def _int_cast(v: np.ndarray, np_dtype: np.dtype) -> np.ndarray:
    """static_cast<scalar_t>(int64) for every dtype (floats round, small ints wrap)."""
    if np_dtype.kind == "b":
        return v != 0
    if np_dtype.kind in "iu":
        return v.astype(np_dtype)
    if np_dtype in (_F64, _F32):
        return v.astype(np_dtype)
    return v.astype(np.float32).astype(np_dtype)


def _from_to_values(gen: Generator, np_dtype: np.dtype, rng: int, base: int):
    """uniform_int_from_to: ``(draw % range) + base``; 64-bit draws for ranges >= 2^28."""

    def values(n: int, contiguous: bool) -> np.ndarray:
        if rng >= (1 << 28):
            r = gen._u64(n)
        else:
            r = gen._raw(n)
        v = (r % np.uint64(rng)) + np.uint64(base % (1 << 64))
        return _int_cast(v.view(np.int64), np_dtype)

    return values


def _full_range_values(gen: Generator, np_dtype: np.dtype):
    name = D._FROM_NP[np_dtype]._name
    if name in ("float16", "bool"):
        raise NotImplementedError(
            f"\"random_full_64_bits_range_kernel_cpu\" not implemented for '{_type_of(np_dtype)}'"
        )
    if name not in ("int64", "float64", "float32", "bfloat16"):
        raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                           "float and bfloat16")

    def values(n: int, contiguous: bool) -> np.ndarray:
        return _int_cast(gen._u64(n).view(np.int64), np_dtype)

    return values


def _random_values(gen: Generator, np_dtype: np.dtype):
    """random_() without bounds (uniform_int_distribution)."""

    def values(n: int, contiguous: bool) -> np.ndarray:
        if np_dtype.kind == "b":
            return (gen._raw(n) & np.uint64(1)) != 0
        if np_dtype == _I64:
            return (gen._u64(n) % np.uint64(1 << 63)).astype(np.int64)
        if np_dtype == _F64:
            return (gen._u64(n) % np.uint64((1 << 53) + 1)).astype(np.float64)
        r = gen._raw(n)
        if np_dtype.kind in "iu":
            return (r % np.uint64(int(np.iinfo(np_dtype).max) + 1)).astype(np_dtype)
        m = (1 << _digits(np_dtype)) + 1
        return _int_cast((r % np.uint64(m)).astype(np.int64), np_dtype)

    return values


def _random_args(np_dtype: np.dtype, frm: int, to):
    """random_from_to_impl's checks: (kind, range, base) with kind 'range' / 'full'."""
    if to is not None:
        if not frm < to:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}"
            )
        if np_dtype.kind in "fV":
            frm = _update_from(frm, np_dtype)
            to = _update_to(to, np_dtype)
            if not frm < to:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={frm} >= to={to}"
                )
        _check_from_to(frm, to - 1, np_dtype)
        return "range", (to - frm) % (1 << 64), frm
    if frm != -(1 << 63):
        if np_dtype.kind in "fV":
            lim = 1 << _digits(np_dtype)
            to_inc = min(lim, (1 << 63) - 1)
            frm = _update_from(frm, np_dtype)
            if not frm < to_inc:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than or equal to "
                    f"'to_inc' casted to dtype, but got from={frm} > to_inc={to_inc}"
                )
        else:
            to_inc = 1 if np_dtype.kind == "b" else int(np.iinfo(np_dtype).max)
        _check_from_to(frm, to_inc, np_dtype)
        return "range", (to_inc - frm + 1) % (1 << 64), frm
    return "full", 0, 0


def _int_arg(fname: str, v, name: str, pos: int | None = None):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        if isinstance(v, Tensor) and v._data.size == 1 and v._data.dtype.kind in "iu":
            v = int(v.item())
        else:
            where = f"argument '{name}'" + (f" (position {pos})" if pos else "")
            raise TypeError(f"{fname}(): {where} must be int, not {_type_name(v)}")
    v = int(v)
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return v


@public(function=False)
def random_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    """``random_()``, ``random_(to)``, ``random_(from, to)``: integers, as torch draws them."""
    gen = _gen("random_", generator)
    if "from" in kwargs:
        args = (kwargs.pop("from"),) + args
    if "to" in kwargs:
        args = args + (kwargs.pop("to"),)
    if kwargs or len(args) > 2:
        raise TypeError("random_() received an invalid combination of arguments")
    np_dtype = self._data.dtype
    if not args:
        return _inplace(self, _random_all_node, _random_values(gen, np_dtype))
    if len(args) == 1:
        frm, to, node = 0, _int_arg("random_", args[0], "to"), _random_to_node
    else:
        frm = _int_arg("random_", args[0], "from")
        to = None if args[1] is None else _int_arg("random_", args[1], "to")
        node = _random_node
    kind, rng, base = _random_args(np_dtype, frm, to)
    if self._data.size == 0:
        return self
    fn = _from_to_values(gen, np_dtype, rng, base) if kind == "range" else \
        _full_range_values(gen, np_dtype)
    return _inplace(self, node, fn)



def _randint_args(args: tuple, low, high, size) -> tuple:
    if len(args) == 3:
        low, high, size = args
    elif len(args) == 2:
        if size is not _MISSING:
            low, high = args
        else:
            high, size = args
    elif len(args) == 1:
        if high is not _MISSING:
            low = args[0]
        else:
            high = args[0]
    elif len(args) > 3:
        raise TypeError("randint() received an invalid combination of arguments")
    if high is _MISSING or size is _MISSING:
        raise TypeError("randint() received an invalid combination of arguments - missing "
                        "'high' or 'size'")
    return (0 if low is _MISSING else low), high, size


@public(method=False)
def randint(*args, low=_MISSING, high=_MISSING, size=_MISSING, generator=None, out=None,
            dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False) -> Tensor:
    """Integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``."""
    kw = explicit(low=low, high=high, size=size, generator=generator, out=out, dtype=dtype,
                  device=device, requires_grad=requires_grad)
    with parsing("randint", args, kw):
        gen = _gen("randint", generator)
        low, high, size = _randint_args(args, low, high, size)
        pos = 3 if len(args) >= 3 or (len(args) == 2 and kw.get("size") is not None) else 2
        low = _int_arg("randint", low, "low", 1)
        high = _int_arg("randint", high, "high", pos - 1)
        shape = size_arg("randint", (), size, pos=pos if len(args) >= pos else None)
        np_dtype = dtype_arg("randint", dtype)
    check_sizes(shape)
    _out_arg("randint", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _I64
    kind, rng, base = _random_args(np_dtype, low, high)
    arr = _out_array(shape, np_dtype, out)
    if arr.size:
        arr = _fill_array(arr, _from_to_values(gen, np_dtype, rng, base))
    return _finish_factory("randint", arr, out, requires_grad, device)


@public(method=False)
def randint_like(input, *args, low=_MISSING, high=_MISSING, generator=None, dtype=None,
                 layout=None, device=None, requires_grad=False, memory_format=None,
                 pin_memory=False) -> Tensor:
    """``randint`` shaped like ``input``: ``randint_like(x, high)`` / ``(x, low, high)``."""
    _check_like("randint_like", input)
    gen = _gen("randint_like", generator)
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is _MISSING:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError("randint_like() received an invalid combination of arguments")
    if high is _MISSING:
        raise TypeError("randint_like() missing required argument 'high'")
    low = 0 if low is _MISSING else _int_arg("randint_like", low, "low")
    high = _int_arg("randint_like", high, "high")
    np_dtype = dtype_arg("randint_like", dtype) or input._data.dtype
    kind, rng, base = _random_args(np_dtype, low, high)
    arr = like_array(input, np_dtype, memory_format)
    if arr.size:
        arr = _fill_array(arr, _from_to_values(gen, np_dtype, rng, base))
    return _finish_factory("randint_like", arr, None, requires_grad, device)


@public(method=False)
def randperm(n=_MISSING, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of ``0..n-1``: torch's Fisher-Yates (``swap(a[i], a[i + z])``,
    ``z = u32 % (n - i)``); the draws are made in one call, the swaps in a tight loop."""
    kw = explicit(generator=generator, out=out, dtype=dtype, device=device,
                  requires_grad=requires_grad)
    with parsing("randperm", () if n is _MISSING else (n,), kw):
        if n is _MISSING:
            raise TypeError('randperm() missing 1 required positional arguments: "n"')
        gen = _gen("randperm", generator)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                            f"{_type_name(n)}")
        n = int(n)
        np_dtype = dtype_arg("randperm", dtype)
    _out_arg("randperm", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _I64
    check_sizes((n,))
    # check_supported_max_int_with_precision
    scalar_to(n - 1 if n > 0 else n, np_dtype)
    name = D._FROM_NP[np_dtype]._name
    if name == "float16" and n > 2049:
        raise RuntimeError("n cannot be greater than 2049 for Half type.")
    if name == "float32" and n > (1 << 24) + 1:
        raise RuntimeError("n cannot be greater than 2^24+1 for Float type.")
    if name == "bool":
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if n < 0xFFFFFFFF // 20:
        perm = _fisher_yates(gen, n)
    else:  # pragma: no cover - n >= 214748364 (torch's inside-out variant)
        perm = _fisher_yates_64(gen, n)
    arr = _int_cast(perm, np_dtype)
    return _finish_factory("randperm", arr, out, requires_grad, device)


def _fisher_yates(gen: Generator, n: int) -> np.ndarray:
    """torch's shuffle ``for i < n - 1: swap(a[i], a[j_i])`` with ``j_i = i + u32 % (n - i)``,
    without the sequential loop.

    Position i is final after step i and receives what position j_i held just before; that is
    the value the last earlier step aimed at j_i moved there (its own position's value at its
    step), or j_i itself. The steps are grouped by target (one sort), and "the value a step
    carries" follows chains of earlier steps, resolved by pointer jumping.
    """
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    m = n - 1
    i = np.arange(m, dtype=np.int64)
    j = (gen._raw(m) % (np.uint64(n) - i.astype(np.uint64))).astype(np.int64) + i
    s = np.sort(j * n + i)  # steps ordered by (target, step)
    sj = s // n
    sk = s - sj * n
    start = np.empty(m, bool)  # first step of its target's group
    start[0] = True
    np.not_equal(sj[1:], sj[:-1], out=start[1:])
    # par(p): the last step k < p aimed at p (a self-swap k == p ends its group)
    earlier = sk < sj
    last = earlier.copy()
    last[:-1] &= ~(earlier[1:] & ~start[1:])
    hit = np.flatnonzero(last)
    root = np.arange(n, dtype=np.int64)
    root[sj[hit]] = sk[hit]
    while True:  # the value at position k at its step: follow par to a never-hit position
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    before = np.empty(m, np.int64)  # the previous step aimed at the same target
    before[0] = 0
    before[1:] = sk[:-1]
    vals = root[before]
    np.copyto(vals, sj, where=start)
    out = np.empty(n, np.int64)
    out[sk] = vals
    out[m] = root[m]
    return out


def _fisher_yates_64(gen: Generator, n: int) -> np.ndarray:  # pragma: no cover - huge n
    a = np.arange(n, dtype=np.int64)
    z = (gen._u64(n - 1) % (np.arange(1, n, dtype=np.uint64) + np.uint64(1))).tolist()
    for i, zi in enumerate(z, start=1):
        a[i], a[zi] = a[zi], a[i]
    return a


# ---------------------------------------------------------------------------------- bernoulli
def _bernoulli_scalar_values(gen: Generator, np_dtype: np.dtype, p: float):
    def values(n: int, contiguous: bool) -> np.ndarray:
        return _int_cast((gen._uniform53(n) < p).astype(np.int64), np_dtype)

    return values


def _bernoulli_tensor_values(gen: Generator, np_dtype: np.dtype, p_flat: np.ndarray):
    """Per element: ``uniform < p`` (double draws for a float64 p, float draws otherwise);
    an out-of-range p raises after the draws of the elements before it, as torch does."""

    def values(n: int, contiguous: bool) -> np.ndarray:
        bad = ~((p_flat >= 0) & (p_flat <= 1))
        k = int(np.argmax(bad)) if bad.any() else n
        if p_flat.dtype == _F64:
            u = gen._uniform53(k)
            hit = u < p_flat[:k]
        else:
            u = gen._uniform24(k)
            hit = u < p_flat[:k].astype(np.float32)
        if k < n:
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        return _int_cast(hit.astype(np.int64), np_dtype)

    return values


def _expand_p(self: Tensor, p: Tensor) -> np.ndarray:
    """p expanded to self's shape, read in self's iteration order."""
    from .shape import expand_shape

    shape = self._data.shape
    expand_shape(p, shape)  # torch's expand error text
    pa = np.broadcast_to(p._data, shape)
    perm = _order(self._data)
    if perm is not None:
        pa = pa.transpose(perm)
    return np.ascontiguousarray(pa).reshape(-1)


@public(function=False)
def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 draws: ``p`` a float (double uniforms) or a tensor of probabilities."""
    with parsing("bernoulli_", (p,), explicit(generator=generator)):
        if not (isinstance(p, Tensor) or _is_number(p)):
            raise TypeError(f"bernoulli_(): argument 'p' (position 1) must be float, not "
                            f"{_type_name(p)}")
        gen = _gen("bernoulli_", generator)
    if isinstance(p, Tensor):
        _check_float(p._data.dtype, "bernoulli_tensor_cpu_p_")
        flat = _expand_p(self, p)
        return _inplace(self, _bernoulli_t_node,
                        _bernoulli_tensor_values(gen, self._data.dtype, flat), (p,))
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    return _inplace(self, _bernoulli_node, _bernoulli_scalar_values(gen, self._data.dtype, p))



@prim("bernoulli")
def _bernoulli_node0(self, *, values):
    return values


_bernoulli_node0.defvjp(self=_zeros_grad)


def _no_derivative(grad):
    raise RuntimeError("derivative for aten::bernoulli is not implemented")


_bernoulli_p_node = prim("bernoulli_p", backward="NotImplemented")(lambda self, *, values: values)
_bernoulli_p_node.defvjp(self=_no_derivative)


@public()
def bernoulli(input, p=_MISSING, *, generator=None, out=None) -> Tensor:
    """0/1 draws with probabilities ``input`` (or a constant ``p``), shaped like ``input``."""
    args = (input,) if p is _MISSING else (input, p)
    with parsing("bernoulli", args, explicit(generator=generator, out=out)):
        if not isinstance(input, Tensor):
            raise TypeError("bernoulli(): argument 'input' (position 1) must be Tensor, not "
                            f"{_type_name(input)}")
        if p is not _MISSING and p is not None and not _is_number(p):
            raise TypeError(f"bernoulli(): argument 'p' (position 2) must be float, not "
                            f"{_type_name(p)}")
        gen = _gen("bernoulli", generator)
    a = input._data
    arr = np.empty(a.shape, a.dtype)
    if p is _MISSING or p is None:
        _check_float(a.dtype, "bernoulli_tensor_cpu_p_")
        flat = np.ascontiguousarray(a).reshape(-1)
        arr = _fill_array(arr, _bernoulli_tensor_values(gen, a.dtype, flat))
        node = _bernoulli_node0
    else:
        p = float(p)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
        arr = _fill_array(arr, _bernoulli_scalar_values(gen, a.dtype, p))
        node = _bernoulli_p_node
    if out is not None:
        return check_out(out, _wrap(arr), "bernoulli", warn_resize=False)
    if STATE.enabled and input._requires_grad:
        return apply(node, (input,), (a,), {"values": arr})
    return _wrap(arr)


# ---------------------------------------------------------------------------------- others
def _float_only(np_dtype: np.dtype, what: str, c_name: bool = False) -> None:
    if np_dtype.kind not in "fV":
        name = _c_type(np_dtype) if c_name else _type_of(np_dtype)
        raise RuntimeError(
            f"{what} is a continuous probability distribution. dtype must be a floating point "
            f"but you specified {name}"
        )


def _to_dtype(v: np.ndarray, np_dtype: np.dtype) -> np.ndarray:
    if np_dtype == _F64:
        return v
    v = v.astype(np.float32)
    return v if np_dtype == _F32 else v.astype(np_dtype)


@public(function=False)
def exponential_(self: Tensor, lambd: float = 1, *, generator=None) -> Tensor:
    """Fill with exponential samples: ``(-1/lambda) * log1p(-u)`` in double (glibc log1p)."""
    gen = _gen("exponential_", generator)
    lam = _float_arg("exponential_", lambd, "lambd", 1)
    if not lam > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lam)}")
    np_dtype = self._data.dtype
    _float_only(np_dtype, "Exponential distribution")
    scale = -1.0 / lam

    def values(n: int, contiguous: bool) -> np.ndarray:
        return _to_dtype(scale * R.log1p(-gen._uniform53(n)), np_dtype)

    return _inplace(self, _exponential_node, values)



@public(function=False)
def log_normal_(self: Tensor, mean: float = 1, std: float = 2, *, generator=None) -> Tensor:
    """Fill with ``exp(normal(mean, std))`` samples (the scalar double Box-Muller path)."""
    gen = _gen("log_normal_", generator)
    mean, std = float(mean), float(std)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    np_dtype = self._data.dtype
    _check_float(np_dtype, "log_normal_cpu")

    def values(n: int, contiguous: bool) -> np.ndarray:
        v = fma64(gen._normal_pairs(n), std, mean)
        return _to_dtype(np.fromiter(map(math.exp, v.tolist()), np.float64, v.size), np_dtype)

    return _inplace(self, _log_normal_node, values)



@public(function=False)
def cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *, generator=None) -> Tensor:
    """Fill with Cauchy samples: ``median + sigma * tan(pi * (u - 0.5))`` (double, FMA)."""
    gen = _gen("cauchy_", generator)
    median, sigma = float(median), float(sigma)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    np_dtype = self._data.dtype
    _float_only(np_dtype, "Cauchy distribution", c_name=True)

    def values(n: int, contiguous: bool) -> np.ndarray:
        x = math.pi * (gen._uniform53(n) - 0.5)
        t = np.fromiter(map(math.tan, x.tolist()), np.float64, x.size)
        return _to_dtype(fma64(sigma, t, median), np_dtype)

    return _inplace(self, _cauchy_node, values)



@public(function=False)
def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with geometric samples: ``ceil(log(u) / log1p(-p))`` (double)."""
    gen = _gen("geometric_", generator)
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    np_dtype = self._data.dtype
    if np_dtype.kind == "b":
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    denom = math.log1p(-p)

    def values(n: int, contiguous: bool) -> np.ndarray:
        v = np.ceil(R.log(gen._uniform53(n)) / denom)
        if np_dtype.kind in "iub":
            return _int_cast(v.astype(np.int64), np_dtype)
        return _to_dtype(v, np_dtype)

    return _inplace(self, _geometric_node, values)



# ---------------------------------------------------------------------------------- multinomial
_MULTI_BAD = "probability tensor contains either `inf`, `nan` or element < 0"


@public()
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """Category indices drawn from the rows of ``input`` (torch's CPU algorithms).

    Without replacement (or one sample): ``argmax``/``topk`` of ``p / q`` with
    ``q = exponential_(1)`` drawn like ``input`` (the Gumbel trick). With replacement: per row,
    the normalised running sum in ``input``'s dtype (float for half types) searched with one
    double uniform per sample, rows one after the other.
    """
    if not isinstance(input, Tensor):
        raise TypeError("multinomial(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    k = _int_arg("multinomial", num_samples, "num_samples", 2)
    if not isinstance(replacement, (bool, np.bool_)):
        raise TypeError("multinomial(): argument 'replacement' (position 3) must be bool, "
                        f"not {_type_name(replacement)}")
    gen = _gen("multinomial", generator)
    a = input._data
    if not 0 < a.ndim <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if a.dtype.kind not in "fV":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_of(a.dtype)}")
    if k <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    ncat = a.shape[-1]
    if not replacement and k > ncat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if ncat > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = a.reshape(-1, ncat)
    if not replacement or k == 1:
        idx = _multinomial_gumbel(gen, a, k)
    else:
        idx = _multinomial_replacement(gen, rows, k)
    res = idx.reshape(a.shape[:-1] + (k,))
    if out is not None:
        return check_out(out, _wrap(res), "multinomial", warn_resize=False)
    return _wrap(res)


def _multinomial_gumbel(gen: Generator, a: np.ndarray, k: int) -> np.ndarray:
    if a.size:
        with np.errstate(invalid="ignore"):
            ok = bool(a.max() < np.inf) and bool(a.min() >= 0)
        if not ok:
            raise RuntimeError(_MULTI_BAD)
    rows = a.reshape(-1, a.shape[-1])
    if (~rows.any(axis=-1)).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    # q = empty_like(p).exponential_(1), filled in p's memory order, then q = p / q
    q = _fill_array(np.empty_like(a, order="K"), lambda n, c: _to_dtype(
        -R.log1p(-gen._uniform53(n)), a.dtype))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (a / q).astype(a.dtype).reshape(rows.shape)
    if k == 1:
        return np.argmax(q, axis=-1).astype(np.int64).reshape(-1, 1)
    # topk(q, k), largest first: a sort, except for rows with equal keys among the first k + 1
    # (or NaN/inf), which need the order of torch's unstable sorting algorithms.
    qf = q.astype(np.float64) if q.dtype not in (_F32, _F64) else q
    key = np.where(np.isnan(qf), -np.inf, -qf)
    if 4 * (k + 1) < key.shape[-1]:  # the k + 1 largest, then sorted
        part = np.argpartition(key, k, axis=-1)[:, :k + 1]
        order = np.take_along_axis(
            part, np.argsort(np.take_along_axis(key, part, -1), axis=-1, kind="stable"), -1)
    else:
        order = np.argsort(key, axis=-1, kind="stable")
    res = order[:, :k].astype(np.int64)
    top = np.take_along_axis(key, order[:, :k + 1], -1)
    odd = (top[:, 1:] == top[:, :-1]).any(axis=-1) | ~np.isfinite(top).all(axis=-1)
    for r in np.flatnonzero(odd).tolist():
        res[r] = _topk_indices(qf[r], k)
    return res


def _multinomial_replacement(gen: Generator, rows: np.ndarray, k: int) -> np.ndarray:
    acc = rows.dtype if rows.dtype in (_F32, _F64) else _F32
    out = np.empty((rows.shape[0], k), np.int64)
    for i, p in enumerate(rows):
        p = p.astype(acc)
        bad = ~(p >= 0)
        if bad.any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        cum = np.cumsum(p, dtype=acc)  # sequential running sum, as torch's loop
        total = cum[-1]
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = (cum / total).astype(acc).astype(np.float64)
        cum[-1] = 1.0
        out[i] = np.searchsorted(cum, gen._uniform53(k), side="left")
    return out


# ---------------------------------------------------------------------------------- poisson
class _UniformStream:
    """Double uniforms read one by one (as Python floats) off a buffer drawn ahead; ``close()``
    rewinds the generator and redraws exactly what was used (torch draws lazily, per element).
    """

    def __init__(self, gen: Generator, n: int) -> None:
        self.gen = gen
        self.state = gen.get_state()
        self.buf = gen._uniform53(max(n, 64)).tolist()
        self.pos = 0

    def next(self) -> float:
        if self.pos == len(self.buf):
            self.buf += self.gen._uniform53(len(self.buf)).tolist()
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def close(self) -> None:
        self.gen.set_state(self.state)
        self.gen._raw(2 * self.pos)


def _c_int(x: float) -> int:
    """(int64_t)x on x86-64: NaN and out-of-range values give INT64_MIN."""
    if not -9.223372036854775808e18 <= x < 9.223372036854775808e18:
        return -(1 << 63)
    return int(x)


def _c_log(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf  # glibc log(0) is -inf (x >= 0 here)


def _poisson_one(lam: float, us: _UniformStream) -> int:
    """torch's sample_poisson (NumPy's legacy algorithms): transformed rejection (Hormann)
    for lam >= 10, the product of uniforms below."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        nxt = us.next
        while True:
            u = nxt() - 0.5
            v = nxt()
            s = 0.5 - abs(u)
            t = 2 * a / s if s else math.inf  # C: division by zero gives inf (a > 0)
            x = (t + b) * u + lam + 0.43
            kf = float(math.floor(x)) if math.isfinite(x) else x
            if s >= 0.07 and v <= vr:
                return _c_int(kf)
            # torch's compiled code tests and uses k as the double floor(x) (they only differ
            # from the integer when it is out of the int64 range)
            if kf < 0 or (s < 0.013 and v > s):
                continue
            rhs = -lam + kf * loglam - math.lgamma(kf + 1.0)
            if (_c_log(v) + math.log(invalpha) - math.log(a / (s * s) + b)) <= rhs:
                return _c_int(kf)
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    nxt = us.next
    count = 0
    prod = 1.0
    while True:
        prod *= nxt()
        if prod > enlam:
            count += 1
        else:
            return count


@prim("poisson")
def _poisson_node(self, *, values):
    return values


_poisson_node.defvjp(self=_zeros_grad)


@public(method=False)
def poisson(input, generator=None) -> Tensor:
    """Poisson counts with rates ``input`` (elements in order, each with torch's sampler)."""
    if not isinstance(input, Tensor):
        raise TypeError("poisson(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    gen = _gen("poisson", generator)
    a = input._data
    if a.dtype.kind not in "fV":
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{_type_of(a.dtype)}'")
    lams = np.ascontiguousarray(a).reshape(-1).astype(np.float64).tolist()
    vals = []
    us = _UniformStream(gen, 4 * len(lams))
    try:
        for lam in lams:
            if not lam >= 0:
                raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
            vals.append(_poisson_one(lam, us))
    finally:
        us.close()
    arr = _int_cast(np.array(vals, np.int64), a.dtype).reshape(a.shape)
    if STATE.enabled and input._requires_grad:
        return apply(_poisson_node, (input,), (a,), {"values": arr})
    return _wrap(arr)


# ---------------------------------------------------------------------------------- topk order
# torch's CPU topk orders (value, index) pairs with libstdc++'s std::partial_sort (k * 64 <= n)
# or std::nth_element followed by std::sort of the first k - 1; neither is stable, so equal
# values come out in the order those algorithms leave them. multinomial only meets equal keys
# between zero-probability categories; rows with ties are redone with this port (lists of
# (key, index) pairs; ``_gt`` is torch's "largest first, NaN on top" comparison).
def _gt(x, y) -> bool:
    return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]


def _adjust_heap(a: list, first: int, hole: int, n: int, value) -> None:
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if _gt(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and _gt(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _heap_select(a: list, first: int, middle: int, last: int) -> None:
    n = middle - first
    if n >= 2:
        parent = (n - 2) // 2
        while True:
            _adjust_heap(a, first, parent, n, a[first + parent])
            if parent == 0:
                break
            parent -= 1
    for i in range(middle, last):
        if _gt(a[i], a[first]):
            value = a[i]
            a[i] = a[first]
            _adjust_heap(a, first, 0, n, value)


def _sort_heap(a: list, first: int, last: int) -> None:
    while last - first > 1:
        last -= 1
        value = a[last]
        a[last] = a[first]
        _adjust_heap(a, first, 0, last - first, value)


def _insertion_sort(a: list, first: int, last: int) -> None:
    for i in range(first + 1, last):
        val = a[i]
        if _gt(val, a[first]):
            a[first + 1:i + 1] = a[first:i]
            a[first] = val
        else:
            _linear_insert(a, i)


def _linear_insert(a: list, last: int) -> None:
    val = a[last]
    nxt = last - 1
    while _gt(val, a[nxt]):
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = val


def _partition_pivot(a: list, first: int, last: int) -> int:
    mid = first + (last - first) // 2
    x, y, z = first + 1, mid, last - 1  # move the median of three to first
    if _gt(a[x], a[y]):
        m = y if _gt(a[y], a[z]) else (z if _gt(a[x], a[z]) else x)
    elif _gt(a[x], a[z]):
        m = x
    else:
        m = z if _gt(a[y], a[z]) else y
    a[first], a[m] = a[m], a[first]
    lo, hi = first + 1, last
    pivot = a[first]
    while True:
        while _gt(a[lo], pivot):
            lo += 1
        hi -= 1
        while _gt(pivot, a[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _std_sort(a: list, first: int, last: int) -> None:
    if last - first < 2:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    stack = [(first, last, depth)]
    while stack:  # introsort loop (recursing on the right part, looping on the left)
        lo, hi, d = stack.pop()
        while hi - lo > 16:
            if d == 0:
                _heap_select(a, lo, hi, hi)
                _sort_heap(a, lo, hi)
                break
            d -= 1
            cut = _partition_pivot(a, lo, hi)
            stack.append((cut, hi, d))
            hi = cut
    # the recursion order does not matter: the parts are disjoint and each is final
    if last - first > 16:
        _insertion_sort(a, first, first + 16)
        for i in range(first + 16, last):
            _linear_insert(a, i)
    else:
        _insertion_sort(a, first, last)


def _nth_element(a: list, nth: int) -> None:
    first, last = 0, len(a)
    if nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _partition_pivot(a, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last)


def _topk_indices(row: np.ndarray, k: int) -> list:
    """The indices torch's CPU topk(row, k) returns (largest, sorted)."""
    a = list(zip(row.astype(np.float64).tolist(), range(row.size)))
    if k * 64 <= len(a):
        _heap_select(a, 0, k, len(a))
        _sort_heap(a, 0, k)
    else:
        _nth_element(a, k - 1)
        _std_sort(a, 0, k - 1)
    return [i for _, i in a[:k]]
