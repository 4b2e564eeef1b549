"""cov, cdist, vander, trapezoid, block_diag, combinations, tril/triu_indices: what the op
database cannot express (index tables, grad_fn names, cdist's method choice, warnings)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import assert_same, assert_same_error, to_ember, to_torch


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 4), (3, 4, 1), (4, 3, -1), (0, 0), (3, 3, -5), (3, 3, 5),
                                  (5, 2), (1, 1, 0)])
def test_tri_indices(name, args):
    assert_same(getattr(ember, name)(*args), getattr(torch, name)(*args))
    assert_same(getattr(ember, name)(*args, dtype=ember.int32),
                getattr(torch, name)(*args, dtype=torch.int32))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_tri_indices_errors(name):
    for args, kw in (((-1, 4), {}), ((3, -4), {}), ((3, 4), {"dtype": "float32"}),
                     ((3, 4), {"dtype": "bool"}), ((3, 4), {"dtype": "int16"})):
        assert_same_error(
            lambda a=args, k=kw: getattr(ember, name)(
                *a, **{n: getattr(ember, v) for n, v in k.items()}),
            lambda a=args, k=kw: getattr(torch, name)(
                *a, **{n: getattr(torch, v) for n, v in k.items()}))


def _grad_fn(lib, fn, *arrays):
    xs = [(to_torch if lib is torch else to_ember)(a, True) for a in arrays]
    return fn(lib, *xs).grad_fn.name()


@pytest.mark.parametrize("fn", [
    lambda L, x: L.cov(x),
    lambda L, x: L.block_diag(x, x),
    lambda L, x: L.cartesian_prod(x[0], x[1]),
    lambda L, x: L.combinations(x[0]),
    lambda L, x: L.cumulative_trapezoid(x),
    lambda L, x: L.cdist(x, x),
])
def test_grad_fn_names(fn):
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert _grad_fn(ember, fn, x) == _grad_fn(torch, fn, x)


def test_cdist_method_choice():
    """torch switches to the matrix-product method above 25 rows (p=2, default mode): the
    product's rounding shows in the results, so ember must pick the same method."""
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((26, 4)), rng.standard_normal((3, 4))
    for x, y in ((a, b), (b, a), (a[:25], b)):
        for mode in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                     "donot_use_mm_for_euclid_dist"):
            e = ember.cdist(to_ember(x), to_ember(y), compute_mode=mode)
            t = torch.cdist(to_torch(x), to_torch(y), compute_mode=mode)
            assert_same(e, t, atol=1e-12, rtol=1e-12)
    # a point against itself: the product method leaves a rounding residue, the direct one 0
    e = ember.cdist(to_ember(a), to_ember(a)).numpy()
    t = torch.cdist(to_torch(a), to_torch(a)).numpy()
    assert (np.diag(e) > 0).any() and (np.diag(t) > 0).any()
    assert not np.diag(ember.cdist(to_ember(b), to_ember(b)).numpy()).any()


def test_cov_degrees_of_freedom_warning():
    x = np.ones((2, 1), np.float32)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        e = ember.cov(to_ember(x))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = torch.cov(to_torch(x))
    assert_same(e, t)
    assert [str(w.message) for w in we] == [str(w.message).split(" (Triggered")[0] for w in wt]


def test_vander_gradcheck():
    # torch 2.13 cannot differentiate vander (its backward fails), so check ember numerically.
    x = to_ember(np.array([0.5, -1.25, 2.0]), True)
    for n, inc in ((None, False), (4, True), (1, False)):
        assert ember.autograd.gradcheck(lambda t, n=n, inc=inc: ember.vander(t, n, inc), (x,))


def test_cartesian_prod_single_returns_input():
    x = ember.tensor([1.0, 2.0])
    assert ember.cartesian_prod(x) is x


def test_cdist_under_cpu_autocast_runs_in_float32():
    a = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    with ember.autocast("cpu"), torch.autocast("cpu"):
        e = ember.cdist(to_ember(a).bfloat16(), to_ember(a))
        t = torch.cdist(to_torch(a).bfloat16(), to_torch(a))
    assert_same(e, t)


@pytest.mark.parametrize("shape,dtype,N", [((3,), "float64", None), ((2, 3), "float32", None),
                                           ((2, 3), "float64", 2), ((4,), "int32", 5),
                                           ((), "float64", 3), ((2, 0), "float32", 3),
                                           ((3,), "uint8", None)])
def test_linalg_vander(shape, dtype, N):  # noqa: N803
    a = np.random.default_rng(2).uniform(-2, 2, shape)
    a = np.abs(a).astype(dtype) if dtype[0] in "iu" else a.astype(dtype)
    assert_same(ember.linalg.vander(to_ember(a), N=N), torch.linalg.vander(to_torch(a), N=N))
    if dtype == "float64":
        e, t = to_ember(a, True), to_torch(a, True)
        ye, yt = ember.linalg.vander(e, N=N), torch.linalg.vander(t, N=N)
        assert ye.grad_fn.name() == yt.grad_fn.name()
        w = np.random.default_rng(3).standard_normal(tuple(yt.shape))
        (ye * to_ember(w)).sum().backward()
        (yt * to_torch(w)).sum().backward()
        assert_same(e.grad, t.grad, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("a,N", [(np.ones(3, np.bool_), None), (np.ones(3, np.float16), None),
                                 (np.ones(3), 1), (np.ones(1), None), (np.ones(()), None)])
def test_linalg_vander_errors(a, N):  # noqa: N803
    assert_same_error(lambda: ember.linalg.vander(to_ember(a), N=N),
                      lambda: torch.linalg.vander(to_torch(a), N=N))


@given(b1=st.lists(st.integers(1, 3), max_size=2), b2=st.lists(st.integers(1, 3), max_size=2),
       r1=st.integers(0, 30), r2=st.integers(0, 4), m=st.integers(0, 3),
       p=st.sampled_from([0.0, 1.0, 1.5, 2.0, 3.0, float("inf")]))
def test_cdist_shapes_hypothesis(b1, b2, r1, r2, m, p):
    rng = np.random.default_rng(r1 * 7 + r2)
    # broadcast-compatible batches: a 1 where the two would clash
    b2 = [d if i >= len(b1) or b1[-1 - i] in (1, d) else 1 for i, d in enumerate(b2[::-1])][::-1]
    x1 = rng.standard_normal((*b1, r1, m))
    x2 = rng.standard_normal((*b2, r2, m))
    e1, t1 = to_ember(x1, True), to_torch(x1, True)
    e2, t2 = to_ember(x2, True), to_torch(x2, True)
    ye, yt = ember.cdist(e1, e2, p), torch.cdist(t1, t2, p)
    assert_same(ye, yt, atol=1e-12, rtol=1e-10)
    if yt.numel():
        w = rng.standard_normal(tuple(yt.shape))
        (ye * to_ember(w)).sum().backward()
        (yt * to_torch(w)).sum().backward()
        assert_same(e1.grad, t1.grad, atol=1e-10, rtol=1e-8)
        assert_same(e2.grad, t2.grad, atol=1e-10, rtol=1e-8)
