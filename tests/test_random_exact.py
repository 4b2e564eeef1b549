"""Bit-exact random streams against torch: the AVX2 float32 normal path, call sequences that mix
the scalar and vectorised paths, multinomial, poisson, every in-place sampler in every dtype and
layout, and the Generator API. Values are compared bit for bit and ``get_rng_state()`` byte for
byte after each call."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import as_numpy, assert_same_error, torch_text

FLOATS = ["float32", "float64", "float16", "bfloat16"]
# seeds: small, above 2^32 (only the low 32 bits reach the engine), negative, near 2^64
SEEDS = [0, 7, 2**32 + 5, -1, -(2**63), 2**64 - 3]
SIZES = [1, 7, 15, 16, 17, 100, 1000, 100_000]


def bits(x) -> np.ndarray:
    """The raw bits (so -0.0 != 0.0 and NaN payloads count)."""
    a = np.ascontiguousarray(as_numpy(x))
    return a.view(f"u{a.dtype.itemsize}") if a.dtype.kind in "fV" else a


def check(e, t) -> None:
    assert str(e.dtype) == torch_text(str(t.dtype))
    assert tuple(e.shape) == tuple(t.shape)
    assert e.stride() == t.stride() or e.numel() == 0, (e.stride(), t.stride())
    a, b = bits(e), bits(t)
    assert np.array_equal(a, b), f"{(a != b).sum()} of {a.size} values differ"


def check_state(ge=None, gt=None) -> None:
    se = (ge or ember.default_generator).get_state()
    sg = (gt or torch.default_generator).get_state()
    assert np.array_equal(se._data, sg.numpy()), "generator states differ"


def both(fn, seed=0):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    t = fn(torch)
    e = fn(ember)
    if isinstance(t, (list, tuple)):
        for x, y in zip(e, t):
            check(x, y)
    else:
        check(e, t)
    check_state()


def same_error(fn, seed=0):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    assert_same_error(lambda: fn(ember), lambda: fn(torch))
    check_state()  # the same draws happened before the error (usually none)


# ---------------------------------------------------------------------------------- normal
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_randn_all_sizes_and_seeds(dtype):
    for seed in SEEDS:
        for n in SIZES:
            both(lambda L: L.randn(n, dtype=getattr(L, dtype)), seed)  # noqa: B023


def test_randn_float32_a_million():
    both(lambda L: L.randn(1 << 20), 123456789012345)


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_vectorised_mean_std(dtype):
    for mean, std in [(0.25, 2.0), (-3.0, 0.5), (1.0, 0.0), (1e30, 1e-30), (0.0, 1.0)]:
        both(lambda L: L.empty(3, 100, dtype=getattr(L, dtype)).normal_(mean, std), 3)  # noqa: B023
        both(lambda L: L.normal(mean, std, (37,), dtype=getattr(L, dtype)), 4)  # noqa: B023


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_layouts(dtype):
    d = dtype
    # non-contiguous outputs take the scalar path whatever their size, in memory order
    both(lambda L: L.empty(20, 30, dtype=getattr(L, d)).t().normal_())
    both(lambda L: L.empty(100, dtype=getattr(L, d))[::3].normal_(1, 2))
    both(lambda L: L.randn_like(L.empty(4, 5, 6, dtype=getattr(L, d)).permute(2, 0, 1)))
    both(lambda L: L.randn_like(L.empty(4, 50, dtype=getattr(L, d))))
    both(lambda L: L.randn(8, 4, out=L.empty(4, 8, dtype=getattr(L, d)).t()))
    both(lambda L: L.randn(2, 3, 40, dtype=getattr(L, d)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_overloads_vectorised(dtype):
    def dt(L):
        return getattr(L, dtype)

    both(lambda L: L.normal(L.arange(40, dtype=dt(L)), L.ones(40, dtype=dt(L)) * 0.5))
    both(lambda L: L.normal(L.ones(5, 1, dtype=dt(L)), L.ones(20, dtype=dt(L)) * 3))
    both(lambda L: L.normal(L.arange(40, dtype=dt(L)), 2.5))
    both(lambda L: L.normal(-1.5, L.ones(40, dtype=dt(L)) * 2))
    both(lambda L: L.normal(L.ones(40, dtype=dt(L)), generator=L.Generator().manual_seed(9)))


def _sequence(L):
    """Small (scalar path, cached sample) and large (vectorised) calls, mixed."""
    f16, f64 = L.float16, L.float64
    return [
        L.randn(3), L.randn(20), L.randn(1), L.rand(5), L.randn(17, dtype=f16),
        L.randn(5, dtype=f64), L.empty(40, 2).t().normal_(), L.randn(1), L.randn(16),
        L.randint(0, 10, (7,)), L.randn(33, dtype=L.bfloat16), L.randn(2, dtype=f64),
        L.empty(7).exponential_(), L.randn(1), L.randperm(9), L.randn(100).normal_(2, 3),
        L.empty(5).log_normal_(), L.randn(3), L.bernoulli(L.full((20,), 0.5)), L.randn(15),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_mixed_call_sequences(seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    for t, e in zip(_sequence(torch), _sequence(ember)):
        check(e, t)
    check_state()


@given(st.lists(st.tuples(st.sampled_from(["randn", "rand", "normal_", "log_normal_"]),
                          st.sampled_from(FLOATS), st.integers(1, 40)), min_size=1, max_size=6),
       st.integers(-(2**63), 2**64 - 1))
def test_sequences_hypothesis(calls, seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    for name, dtype, n in calls:
        out = []
        for L in (torch, ember):
            d = getattr(L, dtype)
            if name in ("randn", "rand"):
                out.append(getattr(L, name)(n, dtype=d))
            else:
                out.append(getattr(L.empty(n, dtype=d), name)())
        check(out[1], out[0])
        check_state()


def test_state_exchange_mid_stream():
    """torch's state bytes (with a cached normal) continue identically in ember, and back."""
    torch.manual_seed(5)
    torch.randn(3)
    torch.randn(40)
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    check(ember.randn(5), torch.randn(5))
    check(ember.randn(50), torch.randn(50))
    torch.set_rng_state(torch.from_numpy(ember.get_rng_state()._data.copy()))
    check(ember.randn(7), torch.randn(7))
    check_state()


# ---------------------------------------------------------------------------------- samplers
def _out(L, dtype, layout):
    d = getattr(L, dtype)
    if layout == "contiguous":
        return L.empty(5, 7, dtype=d)
    if layout == "transposed":
        return L.empty(7, 5, dtype=d).t()
    return L.empty(40, dtype=d)[::2]


SAMPLERS = {
    "uniform_": lambda x: x.uniform_(-0.577, 0.577),
    "normal_": lambda x: x.normal_(0.5, 2),
    "exponential_": lambda x: x.exponential_(2.5),
    "log_normal_": lambda x: x.log_normal_(0.1, 0.7),
    "cauchy_": lambda x: x.cauchy_(0.2, 1.5),
    "geometric_": lambda x: x.geometric_(0.3),
    "random_": lambda x: x.random_(),
    "random_to": lambda x: x.random_(100),
    "random_from_to": lambda x: x.random_(-5, 50),
    "bernoulli_": lambda x: x.bernoulli_(0.3),
    "bernoulli_tensor": lambda x: x.bernoulli_(x.new_full(x.shape, 0.4, dtype=x.dtype)
                                                if x.is_floating_point() else 0.4),
    "bernoulli": lambda x: x.__class__.bernoulli(x.fill_(0.6)) if x.is_floating_point()
    else x.bernoulli_(0.5),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
@pytest.mark.parametrize("dtype", FLOATS + ["int64", "int32", "uint8", "bool"])
def test_samplers_dtypes_and_layouts(name, dtype):
    fn = SAMPLERS[name]
    for layout in ("contiguous", "transposed", "strided"):
        for seed in (0, 2**32 + 1):
            torch.manual_seed(seed)
            ember.manual_seed(seed)
            try:
                t = fn(_out(torch, dtype, layout))
            except Exception:  # noqa: BLE001 - then ember must raise the same
                same_error(lambda L: fn(_out(L, dtype, layout)), seed)  # noqa: B023
                continue
            check(fn(_out(ember, dtype, layout)), t)
            check_state()


# ---------------------------------------------------------------------------------- multinomial
@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial(dtype):
    def p(L, *shape):
        return L.rand(*shape, dtype=getattr(L, dtype)) + 0.01

    for k, rep in [(1, False), (1, True), (2, False), (5, False), (6, True), (300, True)]:
        both(lambda L: L.multinomial(L.tensor([.1, .2, .3, .4], dtype=getattr(L, dtype)),
                                     min(k, 4) if not rep else k, rep))  # noqa: B023
        both(lambda L: L.multinomial(p(L, 3, 50), k, rep))  # noqa: B023
        both(lambda L: p(L, 50, 3).t().multinomial(k, replacement=rep))  # noqa: B023
        both(lambda L: L.multinomial(p(L, 1000), k, rep, generator=L.Generator()))  # noqa: B023
    # zero-probability categories: with more samples than non-zero ones, their order is the
    # one torch's (unstable) nth_element/sort/partial_sort leave
    for k in (2, 4, 5):
        both(lambda L: L.multinomial(L.tensor([0, .3, 0, .7, 0], dtype=getattr(L, dtype)),
                                     k))  # noqa: B023
    both(lambda L: L.multinomial(L.tensor([0, .3, 0, .7, 0], dtype=getattr(L, dtype)), 9,
                                 True))
    both(lambda L: L.multinomial(L.tensor([[0., 1, 0], [2, 0, 0]], dtype=getattr(L, dtype)),
                                 1))


@pytest.mark.parametrize("n", [20, 100, 700, 3000])
def test_multinomial_ties_follow_libstdcxx(n):
    rng = np.random.default_rng(n)
    p = (rng.random((2, n)) * (rng.random((2, n)) < 0.3)).astype(np.float32)
    p[:, 0] = 0.5
    for k in sorted({1, 2, max(n // 64, 1), n // 10, n // 2, n}):
        both(lambda L: L.multinomial(L.tensor(p), k), k)  # noqa: B023


def test_multinomial_out_and_spec_vectors():
    both(lambda L: L.multinomial(L.tensor([.1, .2, .3, .4]), 2))
    both(lambda L: L.multinomial(L.tensor([.1, .2, .3, .4]), 6, replacement=True))
    both(lambda L: L.multinomial(L.rand(2, 10), 3, out=L.empty(0, dtype=L.int64)))


MULTINOMIAL_ERRORS = {
    "too_many": lambda L: L.multinomial(L.tensor([1., 2]), 3),
    "int_input": lambda L: L.multinomial(L.tensor([1, 2]), 1),
    "negative": lambda L: L.multinomial(L.tensor([-1., 2]), 1),
    "nan": lambda L: L.multinomial(L.tensor([float("nan"), 2]), 1),
    "inf": lambda L: L.multinomial(L.tensor([float("inf"), 2]), 1),
    "zero_sum": lambda L: L.multinomial(L.tensor([0., 0]), 1),
    "zero_row": lambda L: L.multinomial(L.tensor([[1., 0], [0, 0]]), 1),
    "zero_sum_repl": lambda L: L.multinomial(L.tensor([0., 0]), 2, True),
    "negative_repl": lambda L: L.multinomial(L.tensor([[1., 1], [-1, 2]]), 2, True),
    "3d": lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    "0d": lambda L: L.multinomial(L.tensor(1.), 1),
    "zero_samples": lambda L: L.multinomial(L.ones(2), 0),
    "negative_samples": lambda L: L.multinomial(L.ones(2), -1),
    "empty": lambda L: L.multinomial(L.ones(0), 1),
    "not_tensor": lambda L: L.multinomial([0.5, 0.5], 1),
    "float_samples": lambda L: L.multinomial(L.ones(2), 1.0),
    "bad_generator": lambda L: L.multinomial(L.ones(2), 1, generator=1),
}


@pytest.mark.parametrize("fn", list(MULTINOMIAL_ERRORS.values()), ids=list(MULTINOMIAL_ERRORS))
def test_multinomial_errors(fn):
    same_error(fn)


# ---------------------------------------------------------------------------------- poisson
@pytest.mark.parametrize("dtype", FLOATS)
def test_poisson(dtype):
    rates = [0.5, 5, 10, 50, 1000., 0, 3, 9.99, 12, 1e5, 1e17, float("inf")]
    for seed in (0, 5, 2**33 + 1, -9):
        both(lambda L: L.poisson(L.tensor(rates, dtype=getattr(L, dtype))), seed)
        both(lambda L: L.poisson(L.rand(20, 30, dtype=getattr(L, dtype)) * 20), seed)
        both(lambda L: L.poisson((L.rand(30, 20, dtype=getattr(L, dtype)) * 200).t()), seed)


def test_poisson_many_and_generator():
    both(lambda L: L.poisson(L.full((2000,), 9.5)))
    both(lambda L: L.poisson(L.rand(2000) * 1e6))
    both(lambda L: L.poisson(L.full((30,), 1e-3), generator=L.Generator().manual_seed(3)))


def test_poisson_autograd_and_errors():
    for L in (torch, ember):
        x = L.tensor([1.0, 20.0], requires_grad=True)
        y = L.poisson(x)
        assert y.grad_fn.name() == "PoissonBackward0"
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
    same_error(lambda L: L.poisson(L.tensor([1, 2])))
    same_error(lambda L: L.poisson(3))
    same_error(lambda L: L.poisson(L.ones(2), generator=3))
    # a negative rate raises after the draws of the elements before it
    same_error(lambda L: L.poisson(L.tensor([3.0, 30.0, -1.0])))


# ---------------------------------------------------------------------------------- generator
def test_generator_seeds_and_state():
    for seed in SEEDS:
        ge, gt = ember.Generator(), torch.Generator()
        assert ge.manual_seed(seed) is ge
        gt.manual_seed(seed)
        assert ge.initial_seed() == gt.initial_seed()
        check_state(ge, gt)
        check(ember.randn(20, generator=ge), torch.randn(20, generator=gt))
        check(ember.rand(3, generator=ge), torch.rand(3, generator=gt))
        check_state(ge, gt)
    assert str(ember.Generator().device) == "cpu"
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()
    for bad in (2**64, -(2**63) - 1):
        assert_same_error(lambda: ember.manual_seed(bad), lambda: torch.manual_seed(bad))  # noqa: B023


def test_generator_pickle_and_copy():
    ge = ember.Generator().manual_seed(11)
    ember.randn(3, generator=ge)  # leaves a cached normal in the state
    for g2 in (pickle.loads(pickle.dumps(ge)), copy.deepcopy(ge)):
        assert g2.initial_seed() == 11
        assert np.array_equal(g2.get_state()._data, ge.get_state()._data)
    gt = torch.Generator().manual_seed(11)
    torch.randn(3, generator=gt)
    g2 = pickle.loads(pickle.dumps(ge))
    check(ember.randn(5, generator=g2), torch.randn(5, generator=gt))


def test_generator_unsupported_methods():
    for name, args in [("get_offset", ()), ("set_offset", (1,)), ("graphsafe_get_state", ()),
                       ("graphsafe_set_state", (None,))]:
        ge, gt = ember.Generator(), torch.Generator()
        if name == "graphsafe_set_state":
            args_e, args_t = (ge,), (gt,)
        else:
            args_e = args_t = args
        assert_same_error(lambda: getattr(ge, name)(*args_e),  # noqa: B023
                          lambda: getattr(gt, name)(*args_t))  # noqa: B023


def test_fork_rng_variants():
    ember.manual_seed(3)
    before = ember.get_rng_state()._data.copy()
    with ember.random.fork_rng():
        ember.randn(20)
    with ember.random.fork_rng(devices=[], device_type="cpu"):
        ember.rand(5)
    with ember.random.fork_rng(device_type="meta"):  # torch forks nothing for meta
        x = ember.rand(2)
    torch.manual_seed(3)
    check(x, torch.rand(2))
    ember.manual_seed(3)
    with ember.random.fork_rng(enabled=False):
        ember.rand(2)
    assert not np.array_equal(before, ember.get_rng_state()._data)


# ---------------------------------------------------------------------------------- randperm
def test_randperm_all_small_sizes():
    """The shuffle is computed without torch's sequential swaps: every small size, chains of
    swaps through the same positions included."""
    for seed in SEEDS[:4]:
        for n in list(range(0, 40)) + [100, 1000, 4099]:
            both(lambda L: L.randperm(n), seed)  # noqa: B023
