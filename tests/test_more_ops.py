"""addcmul/addcdiv, heaviside, frexp, logcumsumexp, renorm, diff, bincount, histc, bucketize,
searchsorted, isin, unravel_index: what the op database cannot express (bit-exact float
arithmetic on many values, NaN placement in binary searches, named result tuples, out=,
grad_fn names, non-differentiable nodes, double backward), compared with torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import assert_same, assert_same_error, to_ember, to_torch


def _both(x: np.ndarray):
    return to_ember(x), to_torch(x)


@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addc_bit_exact(name, dt):
    # torch: addcmul is fma(value * t1, t2, input); addcdiv is input + (value * t1) / t2
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(20000).astype(dt) for _ in range(3))
    e = getattr(ember, name)(*(to_ember(x) for x in (a, b, c)), value=0.3)
    t = getattr(torch, name)(*(to_torch(x) for x in (a, b, c)), value=0.3)
    assert np.array_equal(e.numpy().view(np.uint8), t.numpy().view(np.uint8))


@pytest.mark.parametrize("name,grad_fn", [
    ("addcmul", "AddcmulBackward0"), ("addcdiv", "AddcdivBackward0"),
    ("logcumsumexp", "LogcumsumexpBackward0"), ("renorm", "RenormBackward0"),
    ("diff", "SubBackward0"), ("frexp", "FrexpBackward0"),
])
def test_grad_fn_names(name, grad_fn):
    x = np.random.default_rng(1).standard_normal((3, 4))
    args = {"addcmul": (x, x), "addcdiv": (x + 5, x + 5), "logcumsumexp": (1,),
            "renorm": (2, 0, 1.0), "diff": (), "frexp": ()}[name]
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        inp = conv(x, True)
        out = getattr(lib, name)(inp, *(conv(a) for a in args))
        out = out[0] if name == "frexp" else out
        assert out.grad_fn.name() == grad_fn


def test_heaviside_is_not_differentiable():
    e, t = _both(np.array([1.0, 0.0, -1.0]))
    ye = ember.heaviside(e.requires_grad_(), ember.tensor([0.5], dtype=ember.float64))
    yt = torch.heaviside(t.requires_grad_(), torch.tensor([0.5], dtype=torch.float64))
    assert ye.requires_grad and yt.requires_grad
    assert_same_error(lambda: ye.sum().backward(), lambda: yt.sum().backward())


def test_frexp_result_type_and_out():
    x = np.array([3.0, -0.0, 1e-40, np.inf, np.nan], np.float32)
    e, t = _both(x)
    re, rt = ember.frexp(e), torch.frexp(t)
    assert type(re).__name__ == type(rt).__name__ == "frexp"
    assert isinstance(re, ember.return_types.frexp)
    assert_same(re.mantissa, rt.mantissa)
    assert_same(re.exponent, rt.exponent)
    assert repr(re) == repr(rt).replace("torch", "ember")
    oe = (ember.empty(0), ember.empty(0, dtype=ember.int32))
    ot = (torch.empty(0), torch.empty(0, dtype=torch.int32))
    re, rt = ember.frexp(e, out=oe), torch.frexp(t, out=ot)
    assert type(re).__name__ == type(rt).__name__ == "frexp_out"
    assert re.mantissa is oe[0] and re.exponent is oe[1]
    assert_same(re.mantissa, rt.mantissa)
    assert_same(re.exponent, rt.exponent)


@pytest.mark.parametrize("call", [
    lambda L, x: L.addcmul(x, x, x, value=2, out=L.empty(0, dtype=L.float64)),
    lambda L, x: L.logcumsumexp(x, 0, out=L.empty(0, dtype=L.float64)),
    lambda L, x: L.histc(x, 4, out=L.empty(0, dtype=L.float64)),
    lambda L, x: L.searchsorted(x.sort()[0], x, out=L.empty(0, dtype=L.int64)),
    lambda L, x: L.bucketize(x, x.sort()[0], out_int32=True, out=L.empty(0, dtype=L.int32)),
    lambda L, x: L.isin(x, x[:2], out=L.empty(0, dtype=L.bool)),
    lambda L, x: L.heaviside(x, x, out=L.empty(0, dtype=L.float64)),
])
def test_out_forms(call):
    e, t = _both(np.random.default_rng(2).standard_normal(6))
    assert_same(call(ember, e), call(torch, t))


@pytest.mark.parametrize("name,args", [("logcumsumexp", (1,)), ("renorm", (2, 0, 0.5)),
                                       ("renorm", (3, 1, 0.5)), ("addcdiv", None)])
def test_double_backward(name, args):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.5, 2, size=(3, 4))
    ins = (x, x + 1, x + 2) if args is None else (x,)
    args = () if args is None else args
    tensors = tuple(ember.tensor(a, requires_grad=True) for a in ins)
    assert ember.autograd.gradgradcheck(
        lambda *ts: getattr(ember, name)(*ts, *args), tensors, eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_", "renorm_", "heaviside_"])
def test_inplace_returns_self_and_bumps_version(name):
    x = np.random.default_rng(4).uniform(1, 2, size=(2, 3))
    args = {"addcmul_": (x, x), "addcdiv_": (x, x), "renorm_": (2, 0, 1.0),
            "heaviside_": (x,)}[name]
    e, t = _both(x)
    v = e._version
    re = getattr(e, name)(*(to_ember(a) if isinstance(a, np.ndarray) else a for a in args))
    rt = getattr(t, name)(*(to_torch(a) if isinstance(a, np.ndarray) else a for a in args))
    assert re is e and e._version == v + 1
    assert_same(re, rt)


# The binary search's comparisons decide where NaNs land (torch does not order NaN last).
_vals = st.one_of(st.integers(-3, 3).map(float), st.just(float("nan")))


@given(st.lists(_vals, max_size=8), st.lists(_vals, min_size=1, max_size=6),
       st.booleans(), st.booleans())
def test_searchsorted_nan_and_ties(seq, vals, right, batched):
    s = np.sort(np.array(seq, np.float32))
    v = np.array(vals, np.float32)
    if batched:
        s, v = np.stack([s, s[::-1].copy()]), np.stack([v, v[::-1].copy()])
    (se, st_), (ve, vt) = _both(s), _both(v)
    assert_same(ember.searchsorted(se, ve, right=right), torch.searchsorted(st_, vt, right=right))
    if not batched:
        assert_same(ember.bucketize(ve, se, right=right), torch.bucketize(vt, st_, right=right))


@given(st.sampled_from(["float32", "float16", "bfloat16", "float64"]), st.integers(1, 30),
       st.floats(-3, 0), st.floats(0, 4), st.booleans(), st.integers(0, 2**31))
def test_histc_bins_bit_exact(dt, bins, lo, width, data_range, seed):
    x = np.random.default_rng(seed).standard_normal(100) * 2
    te = ember.tensor(x).to(getattr(ember, dt))
    tt = torch.tensor(x).to(getattr(torch, dt))
    kw = {} if data_range else {"min": lo, "max": lo + width}
    assert_same(ember.histc(te, bins, **kw), torch.histc(tt, bins, **kw))


@given(st.lists(st.integers(0, 6), max_size=12), st.integers(0, 9),
       st.sampled_from([None, "float32", "float64", "float16", "int64"]))
def test_bincount(values, minlength, wdt):
    x = np.array(values, np.int64)
    w = None if wdt is None else np.arange(len(values)).astype(wdt) / 2
    args = () if w is None else (w.astype(wdt),)
    e = ember.bincount(to_ember(x), *(to_ember(a) for a in args), minlength=minlength)
    t = torch.bincount(to_torch(x), *(to_torch(a) for a in args), minlength=minlength)
    assert_same(e, t)


@given(st.lists(st.integers(-30, 30), max_size=8),
       st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_unravel_index_wraps_like_torch(indices, shape):
    x = np.array(indices, np.int64)
    assert_same(ember.unravel_index(to_ember(x), tuple(shape)),
                torch.unravel_index(to_torch(x), tuple(shape)))


@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, 2.0, float("nan"), float("inf")]),
                max_size=8),
       st.lists(st.sampled_from([0.0, 1.0, float("nan"), float("inf")]), max_size=4),
       st.booleans(), st.booleans())
def test_isin_special_values(elements, tests, invert, assume_unique):
    e = np.array(elements, np.float32)
    t = np.array(tests, np.float32)
    if assume_unique:
        e, t = np.unique(e), np.unique(t)
    kw = {"invert": invert, "assume_unique": assume_unique}
    assert_same(ember.isin(to_ember(e), to_ember(t), **kw),
                torch.isin(to_torch(e), to_torch(t), **kw))


def test_diff_order_zero_is_a_copy():
    # torch: n=0 returns a copy of input (CopyBackwards) and ignores prepend/append
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        y = lib.diff(x, n=0, prepend=lib.zeros(1))
        assert y is not x and tuple(y.shape) == (3,)
        assert y.grad_fn.name() == "torch::autograd::CopyBackwards"
