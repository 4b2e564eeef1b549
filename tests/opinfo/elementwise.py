"""OpInfo entries: elementwise arithmetic, math, comparisons, logical and bitwise ops.

Samples cover broadcasting, Python scalars (int, float, bool) on either side where torch
accepts them, 0-dim tensor operands of other dtypes (the promotion tiers), mixed dtypes,
non-contiguous inputs and values at the domain edges (0, -0, +-inf, nan, integer limits).
"""

from __future__ import annotations

import numpy as np

from ember._ops.elementwise import CHECKED_INPLACE

from .core import (
    ALL,
    ALL_FLOAT,
    BROADCAST_PAIRS,
    INT,
    SHAPES_UNARY,
    ErrorSample,
    OpInfo,
    Sample,
    make,
)

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64 = np.dtype(np.int64)
I32 = np.dtype(np.int32)
I8 = np.dtype(np.int8)
U8 = np.dtype(np.uint8)
F16 = np.dtype(np.float16)
BOOL = np.dtype(np.bool_)
INF, NAN = np.inf, np.nan

FUNC = ("function",)
FM = ("function", "method")
FMI = ("function", "method", "inplace")
NO_BOOL = INT + ALL_FLOAT

TESTED_ELSEWHERE = {
    "result_type": "tests/test_promotion.py",
    "float_power_": "tests/test_elementwise.py",  # only for float64 tensors, with an error
}
# In-place methods with their own checks (shape, then cast, then kernel): the database runs
# them through the "inplace" variants; their error precedence is tested in
# tests/test_elementwise.py.
TESTED_ELSEWHERE.update(dict.fromkeys(CHECKED_INPLACE, "tests/test_elementwise.py"))


# ---------------------------------------------------------------------------------- values
def float_edges(dtype, nonneg=False) -> np.ndarray:
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.0, INF, -INF, NAN, 1e-3, 100.0]
    if nonneg:
        vals = [v for v in vals if not v < 0]
    return np.array(vals, dtype=np.float64).astype(dtype)


def int_edges(dtype, small=False) -> np.ndarray:
    if dtype == BOOL:
        return np.array([True, False])
    info = np.iinfo(dtype)
    vals = [0, 1, 2, 3, 7]
    if info.min < 0:
        vals += [-1, -2, -3, -7]
    if not small:
        vals += [int(info.max), int(info.min), int(info.max) - 1]
    return np.array(sorted(set(vals)), dtype=dtype)


def edges(dtype, nonneg=False, small=False) -> np.ndarray:
    if dtype.kind in "fV":
        return float_edges(dtype, nonneg)
    e = int_edges(dtype, small)
    return e[e >= 0] if nonneg and dtype != BOOL else e


def nonzero(a: np.ndarray) -> np.ndarray:
    """``a`` with zeros replaced by 1 (integer divisors)."""
    if a.dtype.kind in "iub":
        a = a.copy()
        a[a == 0] = 1
    return a


def _rng():
    return np.random.default_rng(0)


# ---------------------------------------------------------------------------------- generators
def unary_samples(low=-3.0, high=3.0, positive=False, edge=True, nonneg_edge=False, kwargs=()):
    """Shapes, a non-contiguous input and domain-edge values; ``kwargs``: extra calls."""

    def gen(dtype, rng):
        for shape in SHAPES_UNARY:
            yield Sample(make(shape, dtype, rng, low, high, positive))
        yield Sample(make((4, 3), dtype, rng, low, high, positive).T, name="noncontig")
        if edge:
            yield Sample(edges(dtype, nonneg_edge), name="edges")
        for kw in kwargs:
            yield Sample(make((3, 4), dtype, rng, low, high, positive), kwargs=dict(kw))
            if edge:
                yield Sample(edges(dtype, nonneg_edge), kwargs=dict(kw), name="edges")

    return gen


def binary_samples(low=-3.0, high=3.0, nonzero_other=False, scalars=(2, -1.5, True),
                   zero_dim=(F64, I64, BOOL, F16), mixed=(F32, I64, BOOL), edge=True,
                   kwargs=(None,), int_small=False):
    """Tensor-tensor (broadcast, mixed dtypes, 0-dim tiers, edges) and tensor-scalar calls.

    ``nonzero_other``: integer divisors are never 0 (torch raises ZeroDivisionError).
    """

    def fix(b):
        return nonzero(b) if nonzero_other else b

    def gen(dtype, rng):
        for kw in kwargs:
            kw = dict(kw or {})
            for a, b in BROADCAST_PAIRS:
                yield Sample(make(a, dtype, rng, low, high), (fix(make(b, dtype, rng, low, high)),),
                             kw)
            a = make((4, 3), dtype, rng, low, high).T
            yield Sample(a, (fix(make((4, 3), dtype, rng, low, high)).T,), kw, name="noncontig")
            for sc in scalars:
                yield Sample(make((3, 2), dtype, rng, low, high), (sc,), kw, name="scalar")
            for other in mixed:
                yield Sample(make((2, 3), dtype, rng, low, high),
                             (fix(make((2, 3), other, rng, low, high)),), kw, name="mixed")
                yield Sample(fix(make((2, 3), other, rng, low, high)),
                             (fix(make((2, 3), dtype, rng, low, high)),), kw, name="mixed_r")
            if zero_dim:
                # 0-dim tensors rank below dimensioned ones: they only raise the category.
                for other in zero_dim:
                    yield Sample(make((2, 3), dtype, rng, low, high),
                                 (fix(make((), other, rng, 1, 3)),), kw, name="zero_dim")
                yield Sample(make((), dtype, rng, low, high),
                             (fix(make((), I8, rng, 1, 3)),), kw, name="zero_dim_both")
                yield Sample(make((), I32, rng, low, high),
                             (fix(make((3,), dtype, rng, low, high)),), kw, name="zero_dim_left")
            if edge:
                e = edges(dtype, small=int_small)
                yield Sample(e[:, None], (fix(e[None, :]),), kw, name="edges")
    return gen


def scalar_first_samples(scalars=(2, -1.5, True, 0), low=-3.0, high=3.0, nonzero_other=False):
    """``op(scalar, tensor)``: the scalar is a wrapped number, as on the right."""

    def gen(dtype, rng):
        for sc in scalars:
            b = make((3, 2), dtype, rng, low, high)
            yield Sample(sc, (nonzero(b) if nonzero_other else b,), name="scalar_first")
        e = edges(dtype, small=True)
        yield Sample(3, (nonzero(e) if nonzero_other else e,), name="scalar_first_edges")

    return gen


def _s(*args, **kwargs) -> Sample:
    return Sample(args[0], tuple(args[1:]), kwargs)


def _err(exc, *args, match="exact", **kwargs) -> ErrorSample:
    return ErrorSample(_s(*args, **kwargs), exc, match)


def f32(*shape, low=-3.0, high=3.0):
    return make(shape, F32, _rng(), low, high)


def i64(*shape):
    return make(shape, I64, _rng())


def b8(*shape):
    return make(shape, BOOL, _rng())



def _not_tensor_errors(*extra):
    def errors():
        out = [
            _err(RuntimeError, f32(2, 3), f32(4)),
            _err(TypeError, f32(3), 2),
            _err(TypeError, f32(3), 1.5),
            _err(TypeError, 2.0, f32(3)),
            _err(TypeError, f32(3), None),
            _err(TypeError, f32(3), "a"),
        ]
        out.extend(e() if callable(e) else e for e in extra)
        return out

    return errors


def _invalid_combo_errors(*extra):
    """Ops taking (Tensor, Tensor|Number): other types give torch's 'invalid combination'."""

    def errors():
        out = [
            _err(RuntimeError, f32(2, 3), f32(4)),
            _err(TypeError, f32(3), "a"),
            _err(TypeError, f32(3), None),
        ]
        out.extend(extra)
        return out

    return errors


def _int_zero_div(name_kw=None):
    kw = name_kw or {}
    return [
        _err(RuntimeError, i64(3), np.array([1, 0, 2]), **kw),
        _err(RuntimeError, i64(3), 0, **kw),
        _err(RuntimeError, np.array([1, 2], dtype=np.uint8), np.array([0, 2], dtype=np.uint8),
             **kw),
    ]


# ---------------------------------------------------------------------------------- entries
def _bool_errors(name, exc, *args):
    def errors():
        return [_err(exc, b8(3), *args)]

    return errors


def _unary_type_errors(extra=()):
    def errors():
        return [_err(TypeError, 2), _err(TypeError, [1.0, 2.0]), *extra]

    return errors


_ADD_ERRORS = _invalid_combo_errors(
    _err(RuntimeError, i64(3), 2, alpha=1.5),
    _err(RuntimeError, i64(3), i64(3), alpha=2.5),
    _err(RuntimeError, f32(3), f32(3), alpha=True),
    _err(RuntimeError, i64(3), i64(3), alpha=True),
    _err(TypeError, f32(3), f32(3), alpha="a"),
)


def _sub_errors():
    return [
        _err(RuntimeError, b8(3), b8(3)),
        _err(RuntimeError, b8(3), True),
        _err(RuntimeError, b8(3), 1),
        _err(RuntimeError, i64(3), b8(3)),
        _err(RuntimeError, i64(3), True),
        _err(RuntimeError, f32(3), b8(3)),
        _err(RuntimeError, True, i64(3)),
        _err(RuntimeError, True, b8(3)),
        _err(RuntimeError, f32(2, 3), f32(4)),
        _err(RuntimeError, i64(3), 2, alpha=1.5),
        _err(TypeError, f32(3), "a"),
    ]


def _rsub_errors():
    return [
        _err(RuntimeError, b8(3), b8(3)),
        _err(RuntimeError, b8(3), 1),
        _err(RuntimeError, i64(3), True),
        _err(RuntimeError, f32(2, 3), f32(4)),
        _err(TypeError, 2, f32(3)),
        _err(TypeError, 2.5, f32(3)),
    ]


def _div_errors():
    return [
        _err(RuntimeError, f32(3), f32(3), rounding_mode="x"),
        _err(RuntimeError, f32(3), f32(3), rounding_mode="FLOOR"),
        *_int_zero_div({"rounding_mode": "trunc"}),
        *_int_zero_div({"rounding_mode": "floor"}),
        _err(NotImplementedError, b8(3), b8(3), rounding_mode="trunc"),
        _err(NotImplementedError, b8(3), b8(3), rounding_mode="floor"),
        _err(RuntimeError, f32(2, 3), f32(4)),
        _err(TypeError, f32(3), "a"),
    ]


def _floor_divide_errors():
    return [*_int_zero_div(), _err(NotImplementedError, b8(3), b8(3)),
            _err(RuntimeError, f32(2, 3), f32(4))]


def _remainder_errors():
    return [*_int_zero_div(), _err(NotImplementedError, b8(3), b8(3)),
            _err(RuntimeError, 2, np.array([1, 0])),
            _err(RuntimeError, f32(2, 3), f32(4))]


def _fmod_errors():
    return [*_int_zero_div(), _err(NotImplementedError, b8(3), b8(3)),
            _err(TypeError, 2, f32(3)), _err(TypeError, 2.5, f32(3)),
            _err(TypeError, f32(3), "a"),
            _err(RuntimeError, f32(2, 3), f32(4))]


def _pow_errors():
    return [
        _err(RuntimeError, i64(3), -1),
        _err(RuntimeError, i64(3), -2),
        _err(RuntimeError, np.array([2, 3], dtype=np.int8), -1),
        _err(NotImplementedError, b8(3), b8(3)),
        _err(NotImplementedError, True, b8(3)),
        _err(RuntimeError, f32(2, 3), f32(4)),
        _err(TypeError, f32(3), "a"),
        _err(TypeError, "a", f32(3)),
        _err(TypeError, 2, 3),
    ]


def _pow_samples():
    # bool exponents are left out: torch's own backward fails on them (bool subtraction)
    base = binary_samples(scalars=(2, 3, 0, 1, -1, -2, 0.5, -0.5, 2.5, -1.5, True, False, 4, 1.0,
                                   -3, 0.0), mixed=(F32, I64), zero_dim=(F64, I64, F16))

    def gen(dtype, rng):
        # positive bases first (gradcheck uses the first samples)
        x = make((3, 4), dtype, rng, 0.5, 3, positive=True)
        yield Sample(x, (make((3, 4), dtype, rng, 0.5, 2, positive=True),), name="positive")
        yield Sample(x, (make((4,), dtype, rng, -2, 2),), name="positive_base")
        yield Sample(x, (2.5,), name="positive_base_scalar")
        for s in base(dtype, rng):
            if dtype.kind in "iu" and isinstance(s.args[0], (int, np.ndarray)) and not isinstance(
                    s.args[0], bool):
                other = s.args[0]
                # integers to negative integer powers raise unless the base is 1 or -1
                if isinstance(other, int) and other < 0:
                    x = np.where(s.input >= 0, 1, -1).astype(dtype)
                    yield Sample(x, s.args, s.kwargs, name="int_neg_exp")
                    continue
                if isinstance(other, np.ndarray) and other.dtype.kind in "iu" and (
                        s.input.dtype.kind in "iub") and np.any(other < 0):
                    other = np.abs(other) % 5
                    yield Sample(s.input, (other,), s.kwargs, name=s.name)
                    continue
            if dtype == BOOL and isinstance(s.args[0], np.ndarray) and (
                    s.args[0].dtype == BOOL and s.input.dtype == BOOL):
                continue  # bool ** bool: not implemented in torch (an error input)
            yield s
        # exponents whose values differ little from the special-cased 2, 0.5, -1...
        for e in (2, 3, 0.5, -0.5, -1, -2, 1.5, 2.0, 0.25):
            if dtype.kind in "iub" and (isinstance(e, int) and e < 0):
                continue
            yield Sample(x, (e,), name="special_exp")
            yield Sample(x, (np.array(e, dtype=np.float64 if isinstance(e, float) else np.int64),),
                         name="special_exp_tensor")
        if dtype.kind in "iu":
            # integer powers wrap around on overflow
            yield Sample(np.array([2, 3, 7, -3], dtype=dtype) if dtype.kind == "i"
                         else np.array([2, 3, 7, 9], dtype=dtype), (np.array([9, 21, 33, 5],
                                                                             dtype=dtype),),
                         name="overflow")
            yield Sample(np.array([1, -1, 1], dtype=dtype) if dtype.kind == "i"
                         else np.array([1, 1, 1], dtype=dtype), (np.array([-3, -2, -1]),),
                         name="neg_exp_unit_base")
        if dtype.kind in "fV":
            e = edges(dtype)
            yield Sample(e[:, None], (e[None, :],), name="edges")
            for sc in (0, 0.5, 2, -1, -0.5, INF, -INF, NAN):
                yield Sample(e, (sc,), name="edges_scalar")

    return gen


def _pow_scalar_first(dtype, rng):
    yield from scalar_first_samples(scalars=(2, 2.5, 0.5, 0, -2, 1, -1, 0.0))(dtype, rng)


def _pow_bool_base(dtype, rng):
    # not differentiable in torch (its backward fails on a bool base)
    x = make((3, 4), dtype, rng, 0, 4, positive=True)
    yield Sample(True, (x,), name="bool_base")
    yield Sample(False, (x,), name="bool_base")


def _float_power_samples(dtype, rng):
    x = make((3, 4), dtype, rng, 0.5, 3, positive=True)
    yield Sample(x, (x,), name="positive")
    yield Sample(x, (2.5,), name="positive_scalar")
    yield Sample(x, (make((4,), dtype, rng, -2, 2),), name="positive_base")
    yield from binary_samples(scalars=(2, -1, 0.5, -1.5, True), edge=False, mixed=(F32, I64),
                              zero_dim=(F64, I64, F16),
                              low=0.1 if dtype.kind in "iub" else -3.0)(dtype, rng)
    if dtype.kind in "iu":
        yield Sample(np.array([2, 3, 0, 4], dtype=dtype), (-1,), name="int_neg_exp")
    if dtype.kind in "fV":
        e = edges(dtype)
        yield Sample(e[:, None], (e[None, :],), name="edges")


def _round_samples(dtype, rng):
    yield from unary_samples(-50, 50)(dtype, rng)
    if dtype.kind in "fV":
        yield Sample(np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.5], dtype=dtype),
                     name="halves")
        x = make((3, 4), dtype, rng, -1000, 1000)
        for d in (1, 2, 3, -1, -2, 0):
            yield Sample(x, kwargs={"decimals": d})
        yield Sample(float_edges(dtype), kwargs={"decimals": 2}, name="edges")
        yield Sample(np.array([0.125, 0.375, 1.005, 2.675, 123.456], dtype=dtype),
                     kwargs={"decimals": 2}, name="decimal_halves")


def _clamp_samples(dtype, rng):
    x = make((3, 4), dtype, rng, -3, 3)
    e = edges(dtype)
    scalar_bounds = [(-1, 2), (0, None), (None, 1), (2, -1), (-1.5, 1.5), (0.5, None),
                     (None, -0.5), (True, None)]
    if dtype == BOOL:
        scalar_bounds = [(0, 1), (None, 0), (1, None), (0.5, None), (True, None)]
    for lo, hi in scalar_bounds:
        yield Sample(x, (lo, hi), name="scalar_bounds")
    for lo, hi in scalar_bounds:
        yield Sample(e, (lo, hi), name="scalar_bounds_edges")
    yield Sample(x, (), {"min": -1}, name="kw")
    yield Sample(x, (), {"max": 1}, name="kw")
    yield Sample(x, (), {"min": -1, "max": 1.5}, name="kw")
    if dtype.kind in "fV":
        yield Sample(e, (NAN, 1.0), name="nan_bound")
        yield Sample(e, (-1.0, NAN), name="nan_bound")
        yield Sample(e, (-INF, INF), name="inf_bound")
    # tensor bounds: broadcasting, 0-dim, one bound only, min > max somewhere, mixed dtypes
    lo = make((4,), dtype, rng, -2, 0)
    hi = make((3, 1), dtype, rng, 0, 2)
    yield Sample(x, (lo, hi), name="tensor_bounds")
    yield Sample(x, (lo,), name="tensor_min")
    yield Sample(x, (None, hi), name="tensor_max")
    yield Sample(x, (), {"max": hi}, name="tensor_max_kw")
    yield Sample(x, (hi.reshape(3, 1), lo), name="min_gt_max")
    yield Sample(x, (make((), dtype, rng, -1, 0), make((), dtype, rng, 0, 1)),
                 name="tensor_bounds_0dim")
    yield Sample(x, (make((4,), F64, rng, -2, 0), None), name="tensor_bounds_f64")
    yield Sample(x, (make((4,), I64, rng, -2, 0), make((4,), I32, rng, 0, 2)),
                 name="tensor_bounds_int")
    yield Sample(make((3, 1), dtype, rng), (make((2, 3, 4), dtype, rng, -2, 0),),
                 name="bounds_broadcast_input")
    ties = x.copy()
    yield Sample(ties, (ties.copy(), ties.copy()), name="ties")
    if dtype.kind in "fV":
        yield Sample(e, (e[::-1].copy(), None), name="edge_bounds")
        yield Sample(e, (None, e[::-1].copy()), name="edge_bounds")


def _clamp_one_samples(which):
    def gen(dtype, rng):
        x = make((3, 4), dtype, rng, -3, 3)
        e = edges(dtype)
        bounds = (0, 1.5, -2, True, 0.5) if dtype != BOOL else (0, 1, True, 0.5)
        for b in bounds:
            yield Sample(x, (b,), name="scalar")
        for b in bounds:
            yield Sample(e, (b,), name="scalar_edges")
        yield Sample(x, (make((4,), dtype, rng, -1, 1),), name="tensor")
        yield Sample(x, (make((), dtype, rng, -1, 1),), name="tensor_0dim")
        yield Sample(x, (make((3, 1), F64, rng, -1, 1),), name="tensor_f64")
        yield Sample(x, (x.copy(),), name="ties")
        if dtype.kind in "fV":
            yield Sample(e, (e[::-1].copy(),), name="edges")
            yield Sample(e, (NAN,), name="nan")
        yield Sample(x, (), {which: 1}, name="kw")

    return gen


def _clamp_errors():
    return [
        _err(RuntimeError, f32(3)),
        _err(RuntimeError, f32(3), None, None),
        _err(RuntimeError, f32(3), min=None),
        _err(NotImplementedError, b8(3), True, False),
        _err(TypeError, f32(3), f32(3), 2),
        _err(TypeError, f32(3), 1, f32(3)),
        _err(TypeError, f32(3), "a"),
        _err(RuntimeError, f32(3), f32(4)),
    ]


def _clamp_one_errors(name):
    def errors():
        return [
            _err(TypeError, f32(3), None),
            _err(TypeError, f32(3), "a"),
            _err(RuntimeError, f32(3), f32(4)),
        ]

    return errors


def _lerp_samples(dtype, rng):
    a = make((3, 4), dtype, rng)
    b = make((3, 4), dtype, rng)
    for w in (0.0, 0.25, 0.5, 0.75, 1.0, -0.5, 1.5, 2, True):
        yield Sample(a, (b, w), name="scalar_weight")
    yield Sample(a, (make((4,), dtype, rng), 0.3), name="broadcast_end")
    yield Sample(make((4,), dtype, rng), (make((3, 1), dtype, rng), 0.7), name="broadcast_both")
    yield Sample(a, (b, make((3, 4), dtype, rng, -0.5, 1.5)), name="tensor_weight")
    yield Sample(a, (b, make((4,), dtype, rng, 0, 1)), name="tensor_weight_broadcast")
    yield Sample(make((4,), dtype, rng), (b, make((3, 1), dtype, rng, 0, 1)), name="weight_bc")
    yield Sample(a, (b, make((), dtype, rng, 0, 1)), name="tensor_weight_0dim")
    yield Sample(a, (b, make((), F64, rng, 0, 1)), name="tensor_weight_0dim_f64")
    e = edges(dtype)
    yield Sample(e, (e[::-1].copy(), 0.3), name="edges")
    yield Sample(e, (e[::-1].copy(), 0.7), name="edges")
    yield Sample(e, (e[::-1].copy(), np.linspace(-1, 2, e.size).astype(dtype)), name="edges_w")


def _lerp_errors():
    return [
        _err(RuntimeError, f32(3), f32(3).astype(F64), 0.5),
        _err(RuntimeError, f32(3), f32(3), f32(3).astype(F64)),
        _err(NotImplementedError, i64(3), i64(3), 0.5),
        _err(RuntimeError, f32(2, 3), f32(4), 0.5),
        _err(RuntimeError, f32(3), f32(3), f32(4)),
        _err(TypeError, f32(3), 2.0, 0.5),
        _err(TypeError, f32(3), f32(3), "a"),
    ]


def _addc_samples(div):
    def gen(dtype, rng):
        v = 2 if dtype.kind in "iu" else 0.5
        t2 = (lambda sh: make(sh, dtype, rng, positive=True)) if div else (
            lambda sh: make(sh, dtype, rng))
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng), t2((3, 4))))
        yield Sample(make((3, 4), dtype, rng), (make((4,), dtype, rng), t2((3, 1))),
                     {"value": v}, name="broadcast")
        yield Sample(make((), dtype, rng), (make((2, 3), dtype, rng), t2(())), {"value": -v})
        yield Sample(make((0, 3), dtype, rng), (make((0, 3), dtype, rng), t2((3,))))
        if dtype.kind == "f":
            yield Sample(make((3,), dtype, rng), (make((3,), F32, rng), t2((3,))),
                         {"value": 3}, name="mixed")
    return gen


def _addc_errors(name):
    def gen():
        out = [
            _err(RuntimeError, f32(2, 3), f32(4), f32(4)),
            _err(TypeError, f32(3), 2.0, f32(3)),
        ]
        if name == "addcdiv":
            out.append(_err(RuntimeError, f32(3), i64(3), i64(3)))
        return out
    return gen


def _heaviside_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    x[0] = 0
    yield Sample(x, (make((3, 4), dtype, rng),))
    yield Sample(x, (make((4,), dtype, rng),), name="broadcast")
    yield Sample(make((2, 1), dtype, rng), (make((), dtype, rng),))


def _frexp_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)
    yield Sample(edges(dtype), name="edges")
    tiny = np.array([np.finfo(dtype).tiny if dtype.kind == "f" else 1e-38, 0.75, -1024.0,
                     2.0 ** -20], dtype)
    yield Sample(tiny, name="tiny")


def _nan_to_num_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)
    e = edges(dtype)
    for kw in ({"nan": 1.5}, {"posinf": 10.0}, {"neginf": -10.0},
               {"nan": -2.0, "posinf": 1e30, "neginf": -1e30}, {"posinf": 1e10, "neginf": -1e10},
               {"nan": 3}):
        yield Sample(e, kwargs=kw, name="edges_kw")
    yield Sample(e, (2.0, 4.0, -4.0), name="edges_positional")


def _isclose_samples(dtype, rng):
    a = make((3, 4), dtype, rng)
    yield Sample(a, (a.copy(),), name="same")
    yield Sample(a, (make((3, 4), dtype, rng),), name="random")
    yield Sample(a, (make((4,), dtype, rng),), name="broadcast")
    e = edges(dtype)
    yield Sample(e[:, None], (e[None, :],), name="edges")
    yield Sample(e[:, None], (e[None, :],), {"equal_nan": True}, name="edges_equal_nan")
    if dtype.kind in "fV":
        eps = {F16: 1e-3, F32: 1e-6, F64: 1e-12}.get(dtype, 1e-2)
        x = np.array([1.0, 100.0, 1e-9, 0.0, -5.0, 1e-3], dtype=np.float64)
        y = (x * (1 + eps) + eps / 10).astype(dtype)
        for kw in ({}, {"rtol": 0.0}, {"atol": 0.0}, {"rtol": 1e-2, "atol": 1e-2},
                   {"rtol": 0, "atol": 0}, {"rtol": 1e-8}, {"atol": 1}):
            yield Sample(x.astype(dtype), (y,), kw, name="near")
    else:
        x = make((3, 4), dtype, rng)
        y = (x + 1).astype(dtype) if dtype != BOOL else ~x
        for kw in ({}, {"atol": 1}, {"rtol": 0.5}, {"rtol": 0.0, "atol": 0.0},
                   {"atol": 0.5}, {"rtol": 1.0}):
            yield Sample(x, (y,), kw, name="int_tol")


def _isclose_errors():
    return [
        _err(RuntimeError, f32(3), f32(3).astype(F64)),
        _err(RuntimeError, f32(3), f32(3), rtol=-1),
        _err(RuntimeError, f32(3), f32(3), atol=-1.5),
        _err(RuntimeError, f32(3), f32(4)),
        _err(TypeError, f32(3), 1.0),
    ]


def _equal_samples(dtype, rng):
    a = make((3, 4), dtype, rng)
    yield Sample(a, (a.copy(),))
    yield Sample(a, (make((3, 4), dtype, rng),))
    yield Sample(a, (a[:1].copy(),))
    yield Sample(a, (a.astype(F64),), name="mixed")
    yield Sample(a, (a.astype(I64),), name="mixed")
    e = edges(dtype)
    yield Sample(e, (e.copy(),), name="edges")  # nan != nan
    yield Sample(np.zeros((0, 3), dtype), (np.zeros((0, 3), dtype),))
    yield Sample(make((), dtype, rng), (make((1,), dtype, rng),))


def _maxmin_samples(dtype, rng):
    yield from binary_samples(scalars=())(dtype, rng)
    x = make((3, 4), dtype, rng)
    yield Sample(x, (x.copy(),), name="ties")
    yield Sample(x, (np.where(make((3, 4), BOOL, rng), x, make((3, 4), dtype, rng)),),
                 name="some_ties")


def _signbit_samples(dtype, rng):
    for s in unary_samples()(dtype, rng):
        if s.name == "edges" and dtype.kind == "V":
            # torch turns a float32 NaN into a bfloat16 NaN with the sign bit set (ml_dtypes
            # does not), so the harness hands the two libraries different NaNs
            s = Sample(s.input[~np.isnan(s.input.astype(F32))], name="edges")
        yield s


def _relu_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)
    yield Sample(np.array([0.0, -0.0, 1.0, -1.0, 0.0]).astype(dtype), name="zeros")


def _bitwise_samples(shift=False):
    def gen(dtype, rng):
        if shift:
            yield from binary_samples(0, 5, scalars=(1, 3, True, 0, 1.5), mixed=(I64, U8, I8),
                                      zero_dim=(I64, U8, F64), edge=False)(dtype, rng)
            if dtype.kind in "iu":
                bits = dtype.itemsize * 8
                e = int_edges(dtype)
                yield Sample(e[:, None], (np.array([0, 1, 2, bits - 1], dtype=dtype)[None, :],),
                             name="edges")
                # shifting by the bit width or more: torch gives 0 (or -1 for negative >>)
                yield Sample(e, (bits,), name="wide_shift")
                yield Sample(e, (np.array(bits + 3, dtype=dtype),), name="wide_shift")
                if dtype.kind == "i":
                    yield Sample(e, (-1,), name="neg_shift")
        else:
            yield from binary_samples(scalars=(2, 5, -1, True, False, 1000, 1.5),
                                      mixed=(I64, U8, I8, BOOL), zero_dim=(I64, BOOL, U8, F64))(
                dtype, rng)

    return gen


def _bitwise_errors(kernel):
    def errors():
        return [
            _err(NotImplementedError, f32(3), f32(3)),
            _err(NotImplementedError, f32(3), 1),
            _err(NotImplementedError, i64(3), 1.5),
            _err(NotImplementedError, i64(3), f32(3)),
            _err(RuntimeError, i64(2, 3), i64(4)),
        ]

    return errors


def _shift_errors():
    return [
        _err(NotImplementedError, b8(3), b8(3)),
        _err(NotImplementedError, f32(3), 1),
        _err(NotImplementedError, i64(3), 1.5),
        _err(RuntimeError, i64(2, 3), i64(4)),
    ]


def _cmp_errors():
    return [
        _err(RuntimeError, f32(2, 3), f32(4)),
        _err(TypeError, f32(3), "x"),
        _err(TypeError, f32(3), None),
        _err(TypeError, 2, f32(3)),
    ]


def _float_only_errors(kernel):
    def errors():
        return [
            _err(NotImplementedError, i64(3), i64(3)),
            _err(NotImplementedError, b8(3), b8(3)),
            _err(RuntimeError, f32(2, 3), f32(4)),
            _err(TypeError, f32(3), 2.0),
            _err(TypeError, 2.0, f32(3)),
        ]

    return errors


def _scalar_free_samples(**kw):
    return binary_samples(scalars=(), **kw)


def _add_samples(dtype, rng):
    yield from binary_samples(scalars=(2, -1.5, True, False, 0, 1000, -1000, 2**40, 1e10, 0.1))(
        dtype, rng)
    a = make((3, 4), dtype, rng)
    b = make((4,), dtype, rng)
    if dtype == BOOL:
        alphas = (True, False, 1, 2)
    elif dtype.kind in "iu":
        alphas = (2, -1, 0, 3)
    else:
        alphas = (2, -1.5, 0.5, 0, 3)
    for alpha in alphas:
        yield Sample(a, (b,), {"alpha": alpha}, name="alpha")
        yield Sample(a, (3,), {"alpha": alpha}, name="alpha_scalar")
    if dtype.kind not in "iub":
        yield Sample(a, (make((4,), I64, rng),), {"alpha": 1.5}, name="alpha_mixed")


def _sub_samples(dtype, rng):
    yield from binary_samples(scalars=(2, -1.5, 0, 1000, -1000, 0.1), mixed=(F32, I64),
                              zero_dim=(F64, I64, F16))(dtype, rng)
    a = make((3, 4), dtype, rng)
    alphas = (2, -1, 0) if dtype.kind in "iub" else (2, -1.5, 0.5)
    for alpha in alphas:
        yield Sample(a, (make((4,), dtype, rng),), {"alpha": alpha}, name="alpha")
        yield Sample(a, (3,), {"alpha": alpha}, name="alpha_scalar")


def _rsub_samples(dtype, rng):
    yield from binary_samples(scalars=(2, -1.5, 0, 1000, 0.1), mixed=(F32, I64),
                              zero_dim=(F64, I64, F16))(dtype, rng)
    a = make((3, 4), dtype, rng)
    for alpha in ((2, -1) if dtype.kind in "iub" else (2, -1.5)):
        yield Sample(a, (make((4,), dtype, rng),), {"alpha": alpha}, name="alpha")
        yield Sample(a, (3,), {"alpha": alpha}, name="alpha_scalar")


def _mul_samples(dtype, rng):
    yield from binary_samples(scalars=(2, -1.5, True, False, 0, 1000, 300, 0.1, 1e10))(dtype, rng)


def _div_samples(dtype, rng):
    yield from binary_samples(scalars=(2, -1.5, True, 3, 0, 0.0, -0.0, 0.1, 7))(dtype, rng)
    for mode in ("trunc", "floor"):
        yield from binary_samples(nonzero_other=True, scalars=(2, -1.5, 3, -4, 0.7, True),
                                  mixed=(F32, I64), kwargs=({"rounding_mode": mode},),
                                  int_small=True)(dtype, rng)
        if dtype.kind in "fV":
            yield Sample(float_edges(dtype), (0.0,), {"rounding_mode": mode}, name="by_zero")
    yield Sample(make((3, 4), dtype, rng), (make((4,), dtype, rng),), {"rounding_mode": None})


def _floor_divide_samples(dtype, rng):
    yield from binary_samples(nonzero_other=True, scalars=(2, -1.5, 3, -4, 0.7),
                              mixed=(F32, I64), int_small=True)(dtype, rng)
    if dtype.kind in "fV":
        yield Sample(float_edges(dtype), (0.0,), name="by_zero")


def _mod_samples(dtype, rng):
    yield from binary_samples(nonzero_other=True, scalars=(2, -1.5, 3, -4, 0.7, True, -0.5),
                              mixed=(F32, I64), int_small=True)(dtype, rng)
    if dtype.kind in "fV":
        yield Sample(float_edges(dtype), (0.0,), name="by_zero")
        yield Sample(float_edges(dtype), (-0.0,), name="by_zero")
        yield Sample(np.array([5.5, -5.5, 1e6 + 0.5, -7.0, 0.0, -0.0]).astype(dtype),
                     (np.array([2.0, 2.0, -3.0, 7.0, -2.0, 2.0]).astype(dtype),), name="signs")


def _hypot_samples(dtype, rng):
    yield from binary_samples(scalars=())(dtype, rng)


def _positive_samples(dtype, rng):
    yield from unary_samples()(dtype, rng)


# The ops and their aliases -------------------------------------------------------------------
def _alias(op: OpInfo, alias: str, ref: str | None = None) -> OpInfo:
    """The same entry under an alias name (torch has the same alias)."""
    return OpInfo(alias, op.samples, op.dtypes, op.grad_dtypes, op.variants, op.errors,
                  op.gradcheck, op.atol, op.rtol, ref or alias)


_ADD = OpInfo("add", _add_samples, dtypes=ALL, variants=FMI, errors=_ADD_ERRORS)
_SUB = OpInfo("sub", _sub_samples, dtypes=ALL, variants=FMI, errors=_sub_errors)
_MUL = OpInfo("mul", _mul_samples, dtypes=ALL, variants=FMI, errors=_invalid_combo_errors())
_DIV = OpInfo("div", _div_samples, dtypes=ALL, variants=FMI, errors=_div_errors)
_NEG = OpInfo("neg", unary_samples(), dtypes=ALL, variants=FMI,
              errors=_bool_errors("neg", RuntimeError))
_ABS = OpInfo("abs", unary_samples(), dtypes=ALL, variants=FMI,
              errors=_bool_errors("abs", NotImplementedError))
_TRUNC = OpInfo("trunc", unary_samples(-50, 50), dtypes=ALL, variants=FMI,
                errors=_bool_errors("trunc", NotImplementedError))
_CLAMP = OpInfo("clamp", _clamp_samples, dtypes=ALL, variants=FMI, errors=_clamp_errors)
_EQ = OpInfo("eq", binary_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
             errors=_cmp_errors)


def _cmp(name):
    return OpInfo(name, binary_samples(scalars=(2, -1.5, True, 0.5, 1000, -1000)), dtypes=ALL,
                  grad_dtypes=(), variants=FMI, errors=_cmp_errors)


def _unary_float(name, gen=None, **kw):
    return OpInfo(name, gen or unary_samples(), dtypes=ALL, variants=FMI,
                  errors=_unary_type_errors(), **kw)


_ASIN = _unary_float("asin", unary_samples(-1, 1))
_ACOS = _unary_float("acos", unary_samples(-1, 1))
_ATAN = _unary_float("atan")
_ASINH = _unary_float("asinh")
_ACOSH = _unary_float("acosh", unary_samples(1, 4))
_ATANH = _unary_float("atanh", unary_samples(-0.9, 0.9))
# bool operands are left out of differentiable ops whose torch backward fails on them
_NO_BOOL_MIX = dict(mixed=(F32, I64), zero_dim=(F64, I64, F16))
_ATAN2 = OpInfo("atan2", _scalar_free_samples(**_NO_BOOL_MIX), dtypes=ALL, variants=FMI,
                errors=_not_tensor_errors())
_LT = _cmp("lt")
_LE = _cmp("le")
_GT = _cmp("gt")
_GE = _cmp("ge")
_NE = _cmp("ne")

OPS = [
    # arithmetic
    _ADD,
    OpInfo("add", scalar_first_samples(), dtypes=ALL, variants=FUNC),
    _SUB,
    OpInfo("sub", scalar_first_samples(scalars=(2, -1.5, 0)), dtypes=ALL, variants=FUNC),
    _alias(_SUB, "subtract"),
    OpInfo("rsub", _rsub_samples, dtypes=ALL, variants=FUNC, errors=_rsub_errors),
    _MUL,
    OpInfo("mul", scalar_first_samples(), dtypes=ALL, variants=FUNC),
    _alias(_MUL, "multiply"),
    _DIV,
    OpInfo("div", scalar_first_samples(), dtypes=ALL, variants=FUNC),
    _alias(_DIV, "divide"),
    OpInfo("true_divide", binary_samples(scalars=(2, -1.5, True, 0, 0.0)), dtypes=ALL,
           variants=FMI, errors=_invalid_combo_errors()),
    OpInfo("floor_divide", _floor_divide_samples, dtypes=ALL, variants=FMI, grad_dtypes=(),
           errors=_floor_divide_errors),
    OpInfo("floor_divide", scalar_first_samples(nonzero_other=True), dtypes=NO_BOOL,
           variants=FUNC, grad_dtypes=()),
    OpInfo("remainder", _mod_samples, dtypes=ALL, variants=FMI, errors=_remainder_errors),
    OpInfo("remainder", scalar_first_samples(scalars=(2, -1.5, 7, -7, True),
                                             nonzero_other=True), dtypes=NO_BOOL,
           variants=FUNC, grad_dtypes=()),
    OpInfo("fmod", _mod_samples, dtypes=ALL, variants=FMI, errors=_fmod_errors),
    OpInfo("pow", _pow_samples(), dtypes=ALL, variants=FMI, errors=_pow_errors),
    OpInfo("pow", _pow_scalar_first, dtypes=ALL, variants=FUNC),
    OpInfo("pow", _pow_bool_base, dtypes=NO_BOOL, variants=FUNC, grad_dtypes=()),
    OpInfo("float_power", _float_power_samples, dtypes=ALL, variants=FMI,
           errors=_invalid_combo_errors()),
    OpInfo("float_power", scalar_first_samples(scalars=(2, 2.5, True, -1)), dtypes=ALL,
           variants=FUNC),
    OpInfo("square", unary_samples(), dtypes=ALL, variants=FMI,
           errors=_unary_type_errors()),
    _NEG,
    _alias(_NEG, "negative"),
    OpInfo("positive", _positive_samples, dtypes=ALL, variants=FM,
           errors=_bool_errors("positive", RuntimeError)),
    _ABS,
    _alias(_ABS, "absolute"),
    OpInfo("sign", unary_samples(), dtypes=ALL, variants=FMI),
    # torch's sgn gradient is a ZeroTensor (no NumPy view): tests/test_elementwise.py
    OpInfo("sgn", unary_samples(), dtypes=ALL, variants=FMI, grad_dtypes=()),
    OpInfo("floor", unary_samples(-50, 50), dtypes=ALL, variants=FMI,
           errors=_bool_errors("floor", NotImplementedError)),
    OpInfo("ceil", unary_samples(-50, 50), dtypes=ALL, variants=FMI,
           errors=_bool_errors("ceil", NotImplementedError)),
    _TRUNC,
    _alias(_TRUNC, "fix"),
    OpInfo("frac", unary_samples(-50, 50), dtypes=ALL, variants=FMI,
           errors=lambda: [_err(NotImplementedError, i64(3)),
                           _err(NotImplementedError, b8(3))]),
    OpInfo("round", _round_samples, dtypes=ALL, variants=FMI,
           errors=lambda: [_err(NotImplementedError, b8(3)),
                           _err(NotImplementedError, i64(3), decimals=2),
                           _err(TypeError, 2.5)]),
    OpInfo("reciprocal", unary_samples(), dtypes=ALL, variants=FMI),
    # math
    _unary_float("exp", unary_samples(-10, 10)),
    _unary_float("exp2", unary_samples(-10, 10)),
    _unary_float("expm1", unary_samples(-10, 10)),
    _unary_float("log", unary_samples(positive=True)),
    _unary_float("log2", unary_samples(positive=True)),
    _unary_float("log10", unary_samples(positive=True)),
    _unary_float("log1p", unary_samples(-0.9, 3)),
    _unary_float("sqrt", unary_samples(positive=True)),
    _unary_float("rsqrt", unary_samples(positive=True)),
    _unary_float("sin"),
    _unary_float("cos"),
    _unary_float("tan", unary_samples(-1.4, 1.4)),
    _ASIN,
    _alias(_ASIN, "arcsin"),
    _ACOS,
    _alias(_ACOS, "arccos"),
    _ATAN,
    _alias(_ATAN, "arctan"),
    _unary_float("sinh"),
    _unary_float("cosh"),
    _unary_float("tanh"),
    _ASINH,
    _alias(_ASINH, "arcsinh"),
    _ACOSH,
    _alias(_ACOSH, "arccosh"),
    _ATANH,
    _alias(_ATANH, "arctanh"),
    _unary_float("sigmoid", unary_samples(-10, 10)),
    OpInfo("relu", _relu_samples, dtypes=ALL, variants=FMI,
           errors=_bool_errors("relu", RuntimeError)),
    _unary_float("erf"),
    _unary_float("erfc", unary_samples(-3, 6)),
    _unary_float("erfinv", unary_samples(-0.999, 0.999)),
    _ATAN2,
    _alias(_ATAN2, "arctan2"),
    OpInfo("logaddexp", _scalar_free_samples(**_NO_BOOL_MIX), dtypes=ALL_FLOAT, variants=FM,
           errors=_float_only_errors("logaddexp")),
    OpInfo("hypot", _hypot_samples, dtypes=ALL, variants=FMI,
           errors=_float_only_errors("hypot")),
    # clamp, max/min, lerp
    _CLAMP,
    _alias(_CLAMP, "clip"),
    OpInfo("clamp_min", _clamp_one_samples("min"), dtypes=ALL, variants=FMI,
           errors=_clamp_one_errors("clamp_min")),
    OpInfo("clamp_max", _clamp_one_samples("max"), dtypes=ALL, variants=FMI,
           errors=_clamp_one_errors("clamp_max")),
    OpInfo("maximum", _maxmin_samples, dtypes=ALL, variants=FM, errors=_not_tensor_errors()),
    OpInfo("minimum", _maxmin_samples, dtypes=ALL, variants=FM, errors=_not_tensor_errors()),
    OpInfo("fmax", _maxmin_samples, dtypes=ALL, variants=FM, errors=_not_tensor_errors()),
    OpInfo("fmin", _maxmin_samples, dtypes=ALL, variants=FM, errors=_not_tensor_errors()),
    OpInfo("lerp", _lerp_samples, dtypes=ALL_FLOAT, variants=FMI, errors=_lerp_errors),
    OpInfo("addcmul", _addc_samples(False), dtypes=NO_BOOL, variants=FMI,
           errors=_addc_errors("addcmul")),
    OpInfo("addcdiv", _addc_samples(True), dtypes=ALL_FLOAT, variants=FMI,
           errors=_addc_errors("addcdiv")),
    OpInfo("heaviside", _heaviside_samples, dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=lambda: [_err(RuntimeError, f32(3), f32(3).astype(F64))]),
    OpInfo("frexp", _frexp_samples, variants=FM,
           errors=lambda: [_err(RuntimeError, i64(3))]),
    # predicates
    OpInfo("isnan", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FM,
           errors=_unary_type_errors()),
    OpInfo("isinf", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FM),
    OpInfo("isfinite", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FM),
    OpInfo("isposinf", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FM),
    OpInfo("isneginf", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FM),
    OpInfo("signbit", _signbit_samples, dtypes=ALL, grad_dtypes=(), variants=FM),
    OpInfo("nan_to_num", _nan_to_num_samples, dtypes=ALL, variants=FMI,
           errors=_unary_type_errors()),
    # comparisons
    _EQ,
    _NE,
    _alias(_NE, "not_equal"),
    _LT,
    _alias(_LT, "less"),
    _LE,
    _alias(_LE, "less_equal"),
    _GT,
    _alias(_GT, "greater"),
    _GE,
    _alias(_GE, "greater_equal"),
    OpInfo("equal", _equal_samples, dtypes=ALL, grad_dtypes=(), variants=FM,
           errors=lambda: [_err(TypeError, f32(3), 1)]),
    OpInfo("isclose", _isclose_samples, dtypes=ALL, grad_dtypes=(), variants=FM,
           errors=_isclose_errors),
    OpInfo("allclose", _isclose_samples, dtypes=ALL, grad_dtypes=(), variants=FM,
           errors=_isclose_errors),
    # logical and bitwise
    OpInfo("logical_and", _scalar_free_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_not_tensor_errors()),
    OpInfo("logical_or", _scalar_free_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_not_tensor_errors()),
    OpInfo("logical_xor", _scalar_free_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_not_tensor_errors()),
    OpInfo("logical_not", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI),
    OpInfo("bitwise_and", _bitwise_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_bitwise_errors("bitwise_and")),
    OpInfo("bitwise_and", scalar_first_samples(scalars=(2, True, -1)), dtypes=("bool",) + INT,
           grad_dtypes=(), variants=FUNC),
    OpInfo("bitwise_or", _bitwise_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_bitwise_errors("bitwise_or")),
    OpInfo("bitwise_xor", _bitwise_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=_bitwise_errors("bitwise_xor")),
    OpInfo("bitwise_xor", scalar_first_samples(scalars=(2, True, -1)), dtypes=("bool",) + INT,
           grad_dtypes=(), variants=FUNC),
    OpInfo("bitwise_not", unary_samples(), dtypes=ALL, grad_dtypes=(), variants=FMI,
           errors=lambda: [_err(NotImplementedError, f32(3))]),
    OpInfo("bitwise_left_shift", _bitwise_samples(shift=True), dtypes=ALL, grad_dtypes=(),
           variants=FMI, errors=_shift_errors),
    OpInfo("bitwise_left_shift", scalar_first_samples(scalars=(1, 3, True)), dtypes=INT,
           grad_dtypes=(), variants=FUNC),
    OpInfo("bitwise_right_shift", _bitwise_samples(shift=True), dtypes=ALL, grad_dtypes=(),
           variants=FMI, errors=_shift_errors),
    OpInfo("bitwise_right_shift", scalar_first_samples(scalars=(64, -64, True)), dtypes=INT,
           grad_dtypes=(), variants=FUNC),
]
