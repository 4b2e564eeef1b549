"""Random sampling ops (rand, randn, randint, ...) over ember's torch-compatible generator.

Every op draws from an ``ember.Generator`` (``generator=`` or the default one) exactly the
words torch's CPU kernels draw, in the same order, so seeded streams and ``get_rng_state()``
bytes match torch 2.13 (x86-64, AVX2 kernels). What is bit-exact:

* ``rand``/``rand_like``/``uniform_`` (all float dtypes, with the FMA of ``uniform_(a, b)``),
  ``randint``/``randint_like``/``random_``, ``randperm``, ``bernoulli``/``bernoulli_``,
  ``exponential_``, ``log_normal_``, ``cauchy_``, ``geometric_``;
* ``randn``/``normal_``/``normal`` on the scalar path (fewer than 16 elements, or a
  non-contiguous output), in every dtype, and float64 on the vectorised path.

Not yet bit-exact (issue #3): float32/float16/bfloat16 normals on the vectorised path
(contiguous, 16 elements or more). torch computes them with AVX2 ``log256_ps``/``sincos256_ps``
in float32; ember computes the same Box-Muller transform of the same uniforms in float64
and rounds, so values agree to about an ulp and the generator state matches exactly.

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
def _bm16_float(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """torch's 16-lane Box-Muller (NormalFill16) on float32 uniforms, rows of 16.

    Lane j < 8 takes its radius from d[j] and its angle from d[j + 8]. torch evaluates
    log/sin/cos with AVX2 float32 polynomials; this computes them in float64 (not bit-exact:
    issue #3).
    """
    u1 = (np.float32(1.0) - d[:, :8]).astype(np.float64)
    theta = (_TWO_PI_F * d[:, 8:]).astype(np.float32).astype(np.float64)
    radius = np.sqrt(-2.0 * np.log(u1))
    out = np.empty(d.shape, np.float32)
    out[:, :8] = fma32((radius * np.cos(theta)).astype(np.float32), np.float32(std),
                       np.float32(mean))
    out[:, 8:] = fma32((radius * np.sin(theta)).astype(np.float32), np.float32(std),
                       np.float32(mean))
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
        if std != 1.0 or mean != 0.0:
            v = fma64(v, std, mean)
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
    if full:
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
    """``randn(*size, generator=None, out=None, dtype=None, ...)``: standard normal values.

    Bit-exact on the scalar path (fewer than 16 elements) and for float64; the float32 /
    float16 / bfloat16 vectorised path (16 elements or more) is within about an ulp of torch
    and leaves the generator in torch's state (issue #3).
    """
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
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    i = np.arange(n - 1, dtype=np.uint64)
    j = (gen._raw(n - 1) % (np.uint64(n) - i) + i).tolist()
    a = list(range(n))
    for k, jk in enumerate(j):
        a[k], a[jk] = a[jk], a[k]
    return np.array(a, dtype=np.int64)


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
def _float_only(np_dtype: np.dtype, what: str) -> None:
    if np_dtype.kind not in "fV":
        raise RuntimeError(
            f"{what} is a continuous probability distribution. dtype must be a floating point "
            f"but you specified {_type_of(np_dtype)}"
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
    _float_only(np_dtype, "log_normal_")

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
    _float_only(np_dtype, "Cauchy distribution")

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
    denom = math.log1p(-p)

    def values(n: int, contiguous: bool) -> np.ndarray:
        v = np.ceil(R.log(gen._uniform53(n)) / denom)
        if np_dtype.kind in "iub":
            return _int_cast(v.astype(np.int64), np_dtype)
        return _to_dtype(v, np_dtype)

    return _inplace(self, _geometric_node, values)

