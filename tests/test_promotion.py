"""torch's type promotion, compared with torch: the dtype lattice, the three operand tiers
(dimensioned tensors, 0-dim tensors, Python scalars), result_type/can_cast, and real ops."""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember

from .helpers import assert_same, assert_same_error, run_both, to_ember, to_torch, torch_text
from .opinfo.core import NP_DTYPES

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64"]
SCALARS = [True, False, 0, 3, -7, 2.5, -0.0, 1e10, 300, -(2**40)]


def E(name):
    return getattr(ember, name)


def T(name):
    return getattr(torch, name)


def same_dtype(e, t) -> bool:
    return str(e) == str(t).replace("torch.", "ember.")


@contextlib.contextmanager
def default_dtype(name):
    ember.set_default_dtype(E(name))
    torch.set_default_dtype(T(name))
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def values(name: str, shape, rng=None):
    rng = rng or np.random.default_rng(0)
    dt = NP_DTYPES[name]
    if dt == np.bool_:
        return np.asarray(rng.random(shape) > 0.5)
    if dt.kind in "iu":
        lo = 0 if dt.kind == "u" else -5
        return np.asarray(rng.integers(lo, 6, size=shape)).astype(dt)
    return np.asarray(rng.uniform(-3, 3, size=shape)).astype(dt)


# ---------------------------------------------------------------------------------- lattice
def test_promote_types_all_pairs():
    for a, b in itertools.product(NAMES, NAMES):
        e, t = ember.promote_types(E(a), E(b)), torch.promote_types(T(a), T(b))
        assert same_dtype(e, t), (a, b, e, t)


def test_can_cast_all_pairs():
    for a, b in itertools.product(NAMES, NAMES):
        assert ember.can_cast(E(a), E(b)) == torch.can_cast(T(a), T(b)), (a, b)


def test_argument_errors():
    for fn in (lambda lib: lib.promote_types(1, lib.int8),
               lambda lib: lib.promote_types(lib.int8, "a"),
               lambda lib: lib.can_cast(1, lib.int8),
               lambda lib: lib.can_cast(lib.int8, None),
               lambda lib: lib.result_type(lib.ones(2)),
               lambda lib: lib.result_type(lib.ones(2), "a"),
               lambda lib: lib.result_type("a", 2),
               lambda lib: lib.result_type(2**63, 2),
               lambda lib: lib.result_type(True, 2**63),
               lambda lib: lib.result_type(lib.ones(2), 2**64),
               lambda lib: lib.tensor([True]) + 2**63,
               lambda lib: lib.tensor(True) * 2**63):
        assert_same_error(lambda fn=fn: fn(ember), lambda fn=fn: fn(torch))


# ---------------------------------------------------------------------------------- result_type
def _operand(lib, kind, name):
    """A dimensioned tensor, a 0-dim tensor or (kind == "scalar") the Python scalar ``name``."""
    if kind == "scalar":
        return name
    shape = (3,) if kind == "dim" else ()
    conv = to_ember if lib is ember else to_torch
    return conv(values(name, shape))


_KINDS = ("dim", "zero")


@pytest.mark.parametrize("default", ["float32", "float64", "float16"])
def test_result_type_tiers(default):
    with default_dtype(default):
        for ka, kb in itertools.product(_KINDS, _KINDS + ("scalar",)):
            for a in NAMES:
                bs = SCALARS if kb == "scalar" else NAMES
                for b in bs:
                    e, t = run_both(
                        lambda: ember.result_type(_operand(ember, ka, a), _operand(ember, kb, b)),
                        lambda: torch.result_type(_operand(torch, ka, a), _operand(torch, kb, b)))
                    assert same_dtype(e, t), (ka, a, kb, b, e, t)
                    # and in the other order
                    e, t = run_both(
                        lambda: ember.result_type(_operand(ember, kb, b), _operand(ember, ka, a)),
                        lambda: torch.result_type(_operand(torch, kb, b), _operand(torch, ka, a)))
                    assert same_dtype(e, t), (kb, b, ka, a, e, t)
        for a, b in itertools.product(SCALARS, SCALARS):
            assert same_dtype(ember.result_type(a, b), torch.result_type(a, b)), (a, b)


# ---------------------------------------------------------------------------------- real ops
def _apply(lib, op, a, b):
    if op == "where":
        cond = (to_ember if lib is ember else to_torch)(np.array([True, False, True]))
        return lib.where(cond, a, b)
    return getattr(lib, op)(a, b)


def _compare(fn):
    e, t = run_both(lambda: fn(ember), lambda: fn(torch))
    if isinstance(t, Exception):
        assert isinstance(e, Exception), f"torch raised {t!r}, ember returned {e!r}"
        assert type(e).__name__ == type(t).__name__, (e, t)
        assert str(e) == torch_text(str(t)), (str(e), str(t))
        return
    assert not isinstance(e, Exception), f"ember raised {e!r}"
    assert_same(e, t)


@pytest.mark.parametrize("op", ["add", "mul", "div", "where", "sub", "maximum", "eq",
                                "remainder", "atan2", "bitwise_or"])
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_ops_across_tiers(op, default):
    scalar_ok = op not in ("maximum", "atan2")
    with default_dtype(default):
        kinds_b = _KINDS + (("scalar",) if scalar_ok else ())
        for ka, kb in itertools.product(_KINDS, kinds_b):
            for a in NAMES:
                for b in (SCALARS[:6] if kb == "scalar" else NAMES):
                    if op == "where" and ka == "zero" and kb == "zero":
                        continue
                    _compare(lambda lib, a=a, b=b, ka=ka, kb=kb: _apply(
                        lib, op, _operand(lib, ka, a), _operand(lib, kb, b)))
                    if kb == "scalar" and op in ("add", "mul", "sub", "remainder", "where",
                                                 "bitwise_or"):
                        _compare(lambda lib, a=a, b=b, ka=ka, kb=kb: _apply(
                            lib, op, _operand(lib, kb, b), _operand(lib, ka, a)))


# ---------------------------------------------------------------------------------- hypothesis
_BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "lt", "remainder", "fmod",
           "atan2", "pow", "floor_divide", "bitwise_and", "logical_xor", "hypot", "fmax",
           "true_divide", "clamp_min"]
_SCALAR_OK = {"add", "sub", "mul", "div", "eq", "lt", "remainder", "fmod", "pow",
              "floor_divide", "bitwise_and", "true_divide", "clamp_min"}


@st.composite
def _shapes(draw):
    """Two broadcastable shapes."""
    ndim = draw(st.integers(0, 3))
    base = draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim))
    a, b = [], []
    for s in base:
        a.append(draw(st.sampled_from([s, 1])))
        b.append(draw(st.sampled_from([s, 1])))
    a = a[draw(st.integers(0, len(a))):]
    b = b[draw(st.integers(0, len(b))):]
    return tuple(a), tuple(b)


_scalars = st.one_of(st.booleans(), st.integers(-300, 300),
                     st.floats(-1e4, 1e4, allow_nan=False, width=32),
                     st.sampled_from([0, 0.0, 1, -1, 2.5, 2**31, -(2**40), 1e30]))


def _arr(rng, name, shape, nonzero):
    x = values(name, shape, rng)
    if nonzero and x.dtype.kind in "iub":
        x = np.where(x == 0, np.ones((), x.dtype), x).astype(x.dtype)
    return x


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(op=st.sampled_from(_BINARY), a=st.sampled_from(NAMES), b=st.sampled_from(NAMES),
       shapes=_shapes(), scalar=_scalars, mode=st.sampled_from(["tt", "ts", "st"]),
       seed=st.integers(0, 2**16), default=st.sampled_from(["float32", "float64"]))
def test_binary_ops_hypothesis(op, a, b, shapes, scalar, mode, seed, default):
    rng = np.random.default_rng(seed)
    nonzero = op in ("remainder", "fmod", "floor_divide", "div")
    x = _arr(rng, a, shapes[0], False)
    y = _arr(rng, b, shapes[1], nonzero)
    if mode != "tt" and op not in _SCALAR_OK:
        mode = "tt"
    if mode == "st" and op in ("fmod", "eq", "lt", "clamp_min", "true_divide"):
        mode = "ts"
    if nonzero and scalar == 0:
        scalar = 3

    def fn(lib):
        conv = to_ember if lib is ember else to_torch
        g = getattr(lib, op)
        if mode == "tt":
            return g(conv(x), conv(y))
        if mode == "ts":
            return g(conv(x), scalar)
        return g(scalar, conv(y))

    with default_dtype(default):
        _compare(fn)
