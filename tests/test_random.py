"""The generator and random ops against torch: streams, values, dtypes, RNG state bytes, errors."""

from __future__ import annotations

import warnings

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

from .helpers import as_numpy, assert_same_error, torch_text

BF16 = np.dtype(ml_dtypes.bfloat16)
SEEDS = [0, 42, 2**32 + 5, -1]
FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


# ---------------------------------------------------------------------------------- harness
_values = as_numpy


def same_state(gen_e=None, gen_t=None) -> None:
    se = (gen_e or ember.default_generator).get_state()
    st = (gen_t or torch.default_generator).get_state()
    assert str(se.dtype) == "ember.uint8" and tuple(se.shape) == (5056,)
    assert np.array_equal(se._data, st.numpy()), "RNG states differ"


def seed_both(seed) -> None:
    torch.manual_seed(seed)
    ember.manual_seed(seed)


def assert_same(e, t, *, where=""):
    """Same dtype, shape, strides and values, bit for bit."""
    assert isinstance(e, ember.Tensor), where
    assert str(e.dtype) == torch_text(str(t.dtype)), f"{where}: {e.dtype} != {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{where}: {tuple(e.shape)} != {tuple(t.shape)}"
    assert e.stride() == t.stride() or e.numel() == 0, f"{where}: {e.stride()} != {t.stride()}"
    a, b = _values(e), _values(t)
    assert np.array_equal(a, b, equal_nan=True), f"{where}:\n ember {a}\n torch {b}"


def both(fn, seed=0, *, state=True):
    """Seed both libraries, call ``fn(lib)``, compare the results and the RNG states."""
    seed_both(seed)
    try:
        t = fn(torch)
    except Exception:  # noqa: BLE001 - then ember must raise the same
        errors(fn, seed)
        return None, None
    e = fn(ember)
    if isinstance(t, (tuple, list)):
        for x, y in zip(e, t):
            assert_same(x, y)
    else:
        assert_same(e, t)
    if state:
        same_state()
    return e, t


def errors(fn, seed=0):
    seed_both(seed)
    assert_same_error(lambda: fn(ember), lambda: fn(torch))
    same_state()  # nothing drawn before the error (or the same draws)


def dt(lib, name):
    return getattr(lib, name)


# ---------------------------------------------------------------------------------- engine
@pytest.mark.parametrize("seed", SEEDS + [1, 2**31 - 1, 123456789012345, -(2**63), 2**64 - 1])
def test_manual_seed_state_bytes(seed):
    seed_both(seed)
    same_state()
    assert ember.initial_seed() == torch.initial_seed()
    assert ember.default_generator.initial_seed() == torch.default_generator.initial_seed()


@pytest.mark.parametrize("seed", [0, 5, 2**32 - 1, 2**32 + 5])
def test_seed_key_matches_torch(seed):
    """The pure-Python init_genrand key (the fallback when NumPy lacks legacy seeding)."""
    from ember._random import _seed_key

    torch.manual_seed(seed)
    words = np.frombuffer(torch.get_rng_state().numpy()[24:24 + 8 * 624].tobytes(), "<u8")
    assert np.array_equal(words, _seed_key(seed).astype(np.uint64))


def test_manual_seed_returns_default_generator():
    assert ember.manual_seed(3) is ember.default_generator
    assert ember.random.manual_seed(3) is ember.default_generator
    assert isinstance(ember.default_generator, ember.Generator)


def test_seed_variants():
    for s in (1.5, "12", ember.tensor(7), np.int64(5), True):
        torch.manual_seed(s if not isinstance(s, ember.Tensor) else torch.tensor(7))
        ember.manual_seed(s)
        same_state()
        assert ember.initial_seed() == torch.initial_seed()


SEED_ERRORS = {
    "str": lambda L: L.manual_seed("a"),
    "big": lambda L: L.manual_seed(2**64),
    "gen_float": lambda L: L.Generator().manual_seed(1.5),
    "gen_bool": lambda L: L.Generator().manual_seed(True),
    "gen_str": lambda L: L.Generator().manual_seed("1"),
    "gen_big": lambda L: L.Generator().manual_seed(2**64),
    "gen_too_negative": lambda L: L.Generator().manual_seed(-(2**63) - 1),
    "gen_tensor": lambda L: L.Generator().manual_seed(L.tensor(5)),
}


@pytest.mark.parametrize("fn", list(SEED_ERRORS.values()), ids=list(SEED_ERRORS))
def test_seed_errors(fn):
    errors(fn)


def test_seed_is_random_64bit_and_reproducible():
    s = ember.seed()
    assert ember.initial_seed() == s and 0 <= s < 2**64
    a = ember.rand(3)
    ember.manual_seed(s)
    assert np.array_equal(ember.rand(3)._data, a._data)
    g = ember.Generator()
    s2 = g.seed()
    assert g.initial_seed() == s2


def test_generator_objects():
    ge, gt = ember.Generator(), torch.Generator()
    assert ge.initial_seed() == gt.initial_seed() == 67280421310721
    same_state(ge, gt)
    assert repr(ge.device) == repr(gt.device).replace("torch", "ember")
    assert ember.Generator(device="cpu").device == ember.device("cpu")
    # A generator object has its own stream; the default one is untouched.
    seed_both(0)
    assert_same(ember.rand(5, generator=ge), torch.rand(5, generator=gt))
    same_state(ge, gt)
    same_state()
    assert ge.manual_seed(42) is ge
    gt.manual_seed(42)
    assert_same(ember.randn(3, generator=ge), torch.randn(3, generator=gt))
    same_state(ge, gt)
    assert_same(ember.randint(0, 100, (4,), generator=ge), torch.randint(0, 100, (4,),
                                                                          generator=gt))
    assert_same(ember.randperm(7, generator=ge), torch.randperm(7, generator=gt))
    same_state(ge, gt)
    c = ge.clone_state()
    assert np.array_equal(c.get_state()._data, ge.get_state()._data)


def test_generator_errors():
    errors(lambda L: L.Generator("cuda"))
    errors(lambda L: L.Generator("meta"))
    errors(lambda L: L.rand(2, generator=5))


@pytest.mark.parametrize("seed", SEEDS)
def test_set_state_round_trips_with_torch(seed):
    seed_both(seed)
    torch.rand(5)
    torch.randn(3)  # leaves a cached normal sample in the state
    ember.set_rng_state(ember.tensor(torch.get_rng_state().numpy()))
    same_state()
    assert_same(ember.randn(3), torch.randn(3))
    same_state()
    # and the other way round
    ember.rand(7)
    ember.randn(5)
    torch.set_rng_state(torch.from_numpy(ember.get_rng_state()._data.copy()))
    same_state()
    assert_same(ember.rand(40, dtype=ember.float64), torch.rand(40, dtype=torch.float64))
    same_state()


def test_set_state_after_exactly_624_draws():
    seed_both(5)
    both(lambda L: L.rand(624), seed=5)
    both(lambda L: L.rand(624 * 2 + 1), seed=5)
    seed_both(5)
    torch.rand(624)
    ember.rand(624)
    same_state()
    state = ember.get_rng_state()
    g = ember.Generator().set_state(state)
    assert np.array_equal(g.get_state()._data, state._data)


STATE_ERRORS = {
    "float": lambda L: L.Generator().set_state(L.zeros(5056)),
    "size": lambda L: L.Generator().set_state(L.zeros(10, dtype=L.uint8)),
    "list": lambda L: L.Generator().set_state([1, 2]),
    "noncontig": lambda L: L.Generator().set_state(L.zeros(5056 * 2, dtype=L.uint8)[::2]),
    "zeros": lambda L: L.Generator().set_state(L.zeros(5056, dtype=L.uint8)),
    "set_rng_state_list": lambda L: L.set_rng_state([1]),
}


@pytest.mark.parametrize("fn", list(STATE_ERRORS.values()), ids=list(STATE_ERRORS))
def test_set_state_errors(fn):
    errors(fn)


def test_get_state_is_a_fresh_uint8_tensor():
    s = ember.get_rng_state()
    t = torch.get_rng_state()
    assert (str(s.dtype), tuple(s.shape), s.requires_grad) == ("ember.uint8", (5056,), False)
    assert (str(t.dtype), tuple(t.shape), t.requires_grad) == ("torch.uint8", (5056,), False)
    s._data[:] = 0
    assert ember.get_rng_state()._data.any()


def test_fork_rng_restores_state():
    ember.manual_seed(0)
    before = ember.get_rng_state()._data.copy()
    with ember.random.fork_rng():
        ember.rand(10)
        ember.randn(3)
    assert np.array_equal(ember.get_rng_state()._data, before)
    with ember.random.fork_rng(enabled=False):
        ember.rand(1)
    assert not np.array_equal(ember.get_rng_state()._data, before)
    import ember.random as er

    assert er is ember.random and er.get_rng_state is ember.get_rng_state


def test_spec_test_vectors():
    ember.manual_seed(0)
    assert [float(x).hex() for x in ember.rand(4)._data] == [
        "0x1.fc2ab00000000p-2", "0x1.89545e0000000p-1", "0x1.6a67500000000p-4",
        "0x1.0e66000000000p-3"]
    ember.manual_seed(0)
    assert ember.randint(0, 10, (8,)).tolist() == [4, 9, 3, 0, 3, 9, 7, 3]
    ember.manual_seed(0)
    assert ember.randperm(10).tolist() == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
    ember.manual_seed(0)
    assert ember.empty(8).bernoulli_(0.5).tolist() == [0, 0, 1, 0, 0, 0, 1, 1]
    ember.manual_seed(0)
    assert [float(x).hex() for x in ember.randn(5)._data] == [
        float.hex(float(np.float32(v))) for v in
        (1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991,
         -1.0845223665237427)]


# ---------------------------------------------------------------------------------- uniform
SIZES = [1, 7, 15, 16, 17, 100, 1000, 4099]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_rand(dtype, seed):
    for n in SIZES:
        both(lambda L: L.rand(n, dtype=dt(L, dtype)), seed)  # noqa: B023
    both(lambda L: L.rand(3, 5, dtype=dt(L, dtype)), seed)
    both(lambda L: (L.rand(2, dtype=dt(L, dtype)), L.rand((), dtype=dt(L, dtype)),
                    L.rand(0, 3, dtype=dt(L, dtype))), seed)


RAND_MISC = {
    "out": lambda L: (lambda o: (L.rand(2, 3, out=o), o)[1])(L.zeros(5)),
    "out_f64": lambda L: L.rand(4, out=L.zeros(1, dtype=L.float64)),
    "out_T": lambda L: (lambda o: (L.rand(4, 3, out=o), o)[1])(L.zeros(3, 4).t()),
    "randn_out_T": lambda L: (lambda o: (L.randn(4, 3, out=o), o)[1])(L.zeros(3, 4).t()),
    "randint_out_T": lambda L: (lambda o: (L.randint(9, (4, 3), out=o), o)[1])(
        L.zeros(3, 4, dtype=L.int64).t()),
    "rg": lambda L: L.rand(2, requires_grad=True),
    "size_kw": lambda L: L.rand(size=(2, 3)),
    "tuple": lambda L: L.rand((2, 3)),
    "rand_like": lambda L: L.rand_like(L.zeros(3, 4, dtype=L.float64)),
    "rand_like_T": lambda L: L.rand_like(L.zeros(3, 40).t()),
    "rand_like_dtype": lambda L: L.rand_like(L.zeros(3, dtype=L.int64), dtype=L.float16),
    "rand_like_gen": lambda L: L.rand_like(L.zeros(3), generator=L.Generator()),
    "randn_like_T": lambda L: L.randn_like(L.zeros(3, 40, dtype=L.float64).t()),
    "randn_like_T_f32": lambda L: L.randn_like(L.zeros(3, 40).t()),
    "randn_like_small": lambda L: L.randn_like(L.zeros(3, 4)),
}


@pytest.mark.parametrize("fn", list(RAND_MISC.values()), ids=list(RAND_MISC))
def test_rand_misc(fn):
    both(fn)


RANGES = [(0.0, 1.0), (-0.577, 0.577), (-3.0, 10.0), (2.5, 2.5000001), (-1e-3, 7.25),
          (1e5, 1e5 + 3.0)]


@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_(dtype):
    for a, b in RANGES:
        for n in (5, 64, 1001):
            both(lambda L: L.empty(n, dtype=dt(L, dtype)).uniform_(a, b), 1)  # noqa: B023
    # positional and keyword forms, generator objects
    both(lambda L: L.empty(6, dtype=dt(L, dtype)).uniform_(to=3.0))
    both(lambda L: L.empty(6, dtype=dt(L, dtype)).uniform_(-2, generator=L.Generator()))


def test_uniform_non_contiguous_fills_in_memory_order():
    both(lambda L: L.empty(5, 7).t().uniform_(-1, 2))
    both(lambda L: L.empty(20)[::3].uniform_())
    both(lambda L: L.empty(2, 3, 4, dtype=L.float64).permute(2, 0, 1).uniform_())
    e, t = both(lambda L: L.zeros(4, 6)[:, 1:4].uniform_())


UNIFORM_ERRORS = {
    "int": lambda L: L.zeros(2, dtype=L.int64).uniform_(),
    "bool": lambda L: L.zeros(2, dtype=L.bool).uniform_(),
    "bad": lambda L: L.zeros(2).uniform_(1, 0),
    "huge": lambda L: L.zeros(2).uniform_(-1e39, 1e39),
    "range": lambda L: L.zeros(2).uniform_(-3e38, 3e38),
    "f16": lambda L: L.zeros(2, dtype=L.float16).uniform_(0, 70000),
    "str": lambda L: L.zeros(2).uniform_("a"),
    "rand_int": lambda L: L.rand(2, dtype=L.int64),
    "rand_out_int": lambda L: L.rand(2, out=L.zeros(2, dtype=L.int64)),
    "rand_neg": lambda L: L.rand(-1),
    "rand_no_size": lambda L: L.rand(),
    "rand_float": lambda L: L.rand(2.5),
    "rand_float2": lambda L: L.rand(2, 2.5),
    "rand_dtype_str": lambda L: L.rand(2, dtype="float32"),
    "rand_tuple_int": lambda L: L.rand((2,), 3),
    "rand_rg_int": lambda L: L.rand(2, dtype=L.int32, requires_grad=True),
    "rand_like_list": lambda L: L.rand_like([1.0]),
    "rand_like_int": lambda L: L.rand_like(L.zeros(2, dtype=L.int64)),
    "rand_like_extra": lambda L: L.rand_like(L.zeros(2), 3),
    "expanded": lambda L: L.zeros(3, 1).expand(3, 4).uniform_(),
}


@pytest.mark.parametrize("fn", list(UNIFORM_ERRORS.values()), ids=list(UNIFORM_ERRORS))
def test_uniform_errors(fn):
    errors(fn)


def test_uniform_equal_bounds():
    both(lambda L: L.zeros(3).uniform_(1, 1))


# ---------------------------------------------------------------------------------- normal
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_scalar_path_bit_exact(dtype, seed):
    for n in (1, 2, 3, 5, 15):
        both(lambda L: L.randn(n, dtype=dt(L, dtype)), seed)  # noqa: B023
    both(lambda L: L.randn(3, 5, dtype=dt(L, dtype)), seed)
    both(lambda L: L.randn(2, 7, dtype=dt(L, dtype)), seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_randn_float64_vectorised_bit_exact(seed):
    for n in (16, 17, 31, 32, 100, 1000, 4099):
        both(lambda L: L.randn(n, dtype=L.float64), seed)  # noqa: B023


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_vectorised_bit_exact(dtype, seed):
    """The AVX2 path (contiguous, 16 elements or more), values and generator state."""
    for n in (16, 17, 33, 100, 1000, 4099):
        both(lambda L: L.randn(n, dtype=dt(L, dtype)), seed)  # noqa: B023


def test_randn_cached_sample_sequences():
    def seq(L):
        out = [L.randn(3), L.randn(2, dtype=L.float64), L.randn(1), L.rand(2), L.randn(1),
               L.empty(3, dtype=L.float16).normal_(2, 3), L.randn(5, 2).t()[0]]
        return out

    both(seq)
    # manual_seed clears the cached sample
    seed_both(0)
    torch.randn(1)
    ember.randn(1)
    same_state()
    seed_both(0)
    assert_same(ember.randn(1), torch.randn(1))
    # the vectorised path neither uses nor clears the cache
    both(lambda L: (L.randn(1), L.randn(16, dtype=L.float64), L.randn(1)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_(dtype):
    for mean, std in [(0, 1), (0.25, 2.0), (-3, 0.5), (1, 0)]:
        both(lambda L: L.empty(7, dtype=dt(L, dtype)).normal_(mean, std))  # noqa: B023
        both(lambda L: L.empty(40, 3, dtype=dt(L, dtype)).t().normal_(mean, std))  # noqa: B023
    both(lambda L: L.empty(50, dtype=dt(L, dtype)).normal_(0.25, 2.0))
    both(lambda L: L.empty(30, dtype=dt(L, dtype))[::2].normal_(std=3.0))


NORMAL = {
    "ff": lambda L, d: L.normal(0.5, 2.0, (5,), dtype=d),
    "ff_2d": lambda L, d: L.normal(0.0, 1.0, size=(2, 3), dtype=d),
    "Tf": lambda L, d: L.normal(L.ones(5, dtype=d) * 3, 2.0),
    "T": lambda L, d: L.normal(L.arange(6, dtype=d).reshape(2, 3)),
    "fT": lambda L, d: L.normal(1.5, L.ones(5, dtype=d) * 3),
    "TT": lambda L, d: L.normal(L.ones(5, dtype=d) * 3, L.ones(5, dtype=d) * 0.3),
    "TT_bcast": lambda L, d: L.normal(L.ones(2, 1, dtype=d) * 3, L.ones(3, dtype=d) * 0.3),
    "TT_gen": lambda L, d: L.normal(L.zeros(3, dtype=d), L.ones(3, dtype=d),
                                    generator=L.Generator()),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", list(NORMAL))
def test_normal_overloads(name, dtype):
    both(lambda L: NORMAL[name](L, dt(L, dtype)))
    # 16+ elements: the vectorised path
    if name in ("ff", "Tf", "fT", "TT"):
        big = {"ff": lambda L, d: L.normal(0.5, 2.0, (40,), dtype=d),
               "Tf": lambda L, d: L.normal(L.ones(40, dtype=d), 2.0),
               "fT": lambda L, d: L.normal(1.5, L.ones(40, dtype=d) * 3),
               "TT": lambda L, d: L.normal(L.ones(40, dtype=d), L.ones(40, dtype=d) * 0.3)}[name]
        both(lambda L: big(L, dt(L, dtype)))


def test_normal_mixed_dtypes_and_out():
    both(lambda L: L.normal(L.ones(3, dtype=L.float64) * 3, L.ones(3) * 0.3))
    both(lambda L: L.normal(L.ones(3) * 3, L.ones(3, dtype=L.float64) * 0.3))
    both(lambda L: (lambda o: (L.normal(0.0, 1.0, (4,), out=o), o)[1])(L.zeros(1)))


NORMAL_ERRORS = {
    "neg_std_": lambda L: L.zeros(2).normal_(0, -1),
    "nan_std_": lambda L: L.zeros(2).normal_(0, float("nan")),
    "int_": lambda L: L.zeros(2, dtype=L.int64).normal_(),
    "int_neg_std": lambda L: L.zeros(2, dtype=L.int64).normal_(0, -1),
    "str_": lambda L: L.zeros(2).normal_("a"),
    "randn_int": lambda L: L.randn(2, dtype=L.int64),
    "randn_bool": lambda L: L.randn(2, dtype=L.bool),
    "randn_neg": lambda L: L.randn(2, -1),
    "randn_gen": lambda L: L.randn(2, generator=3),
    "randn_no_size": lambda L: L.randn(),
    "ff_neg": lambda L: L.normal(0, -1, (2,)),
    "ff_no_size": lambda L: L.normal(0.0, 1.0),
    "ff_int_dtype": lambda L: L.normal(0.0, 1.0, (2,), dtype=L.int64),
    "TT_neg": lambda L: L.normal(L.zeros(2), -L.ones(2)),
    "TT_shape": lambda L: L.normal(L.zeros(2), L.ones(3)),
    "Tf_int": lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0),
    "Tf_neg": lambda L: L.normal(L.zeros(2), -1.0),
    "fT_neg": lambda L: L.normal(0.0, -L.ones(2)),
    "randn_like_int": lambda L: L.randn_like(L.zeros(2, dtype=L.int64)),
}


@pytest.mark.parametrize("fn", list(NORMAL_ERRORS.values()), ids=list(NORMAL_ERRORS))
def test_normal_errors(fn):
    errors(fn)


# ---------------------------------------------------------------------------------- integers
RANGES_INT = [(0, 2), (0, 10), (-5, 5), (0, 2**28 - 1), (0, 2**28), (-(2**30), 2**30),
              (0, 2**31 - 1), (0, 2**40), (-(2**62), 2**62), (-(2**63), 2**63 - 1), (3, 4)]


@pytest.mark.parametrize("dtype", INTS + FLOATS + ["bool"])
def test_randint(dtype):
    for lo, hi in RANGES_INT:
        seed_both(7)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                t = torch.randint(lo, hi, (9,), dtype=dt(torch, dtype))
            except RuntimeError:
                errors(lambda L: L.randint(lo, hi, (9,), dtype=dt(L, dtype)))  # noqa: B023
                continue
            e = ember.randint(lo, hi, (9,), dtype=dt(ember, dtype))
        assert_same(e, t, where=f"{lo}, {hi}")
        same_state()


RANDINT_MISC = {
    "high_only": lambda L: L.randint(10, (3, 4)),
    "kw": lambda L: L.randint(low=2, high=10, size=(5,)),
    "kw_size": lambda L: L.randint(2, 10, size=(5,)),
    "list_size": lambda L: L.randint(0, 5, [2, 2]),
    "empty": lambda L: L.randint(0, 5, (0,)),
    "float_dtype_rg": lambda L: L.randint(0, 5, (2,), dtype=L.float32, requires_grad=True),
    "out": lambda L: L.randint(0, 5, (3,), out=L.zeros(1, dtype=L.int64)),
    "like": lambda L: L.randint_like(L.zeros(2, 3), 5),
    "like_lohi": lambda L: L.randint_like(L.zeros(4, dtype=L.int32), 3, 5),
    "like_T": lambda L: L.randint_like(L.zeros(4, 3, dtype=L.int16).t(), -3, 50),
}


@pytest.mark.parametrize("fn", list(RANDINT_MISC.values()), ids=list(RANDINT_MISC))
def test_randint_misc(fn):
    both(fn)


RANDINT_ERRORS = {
    "equal": lambda L: L.randint(5, 5, (2,)),
    "zero_high": lambda L: L.randint(0, (2,)),
    "neg_size": lambda L: L.randint(0, 5, (-2,)),
    "u8_300": lambda L: L.randint(0, 300, (2,), dtype=L.uint8),
    "u8_neg": lambda L: L.randint(-1, 3, (2,), dtype=L.uint8),
    "bool_3": lambda L: L.randint(0, 3, (5,), dtype=L.bool),
    "f16_big": lambda L: L.randint(0, 70000, (2,), dtype=L.float16),
    "f16_huge": lambda L: L.randint(-(2**30), 2**30, (2,), dtype=L.float16),
    "float_args": lambda L: L.randint(0.5, 5.5, (3,)),
    "int_size": lambda L: L.randint(0, 5, 3),
    "no_size": lambda L: L.randint(0, 5),
    "rg_int": lambda L: L.randint(0, 5, (2,), requires_grad=True),
    "big": lambda L: L.randint(0, 2**63, (2,)),
    "like_equal": lambda L: L.randint_like(L.zeros(2), 5, 5),
}


@pytest.mark.parametrize("fn", list(RANDINT_ERRORS.values()), ids=list(RANDINT_ERRORS))
def test_randint_errors(fn):
    errors(fn)


def test_randint_float_precision_warning():
    for lib in (torch, ember):
        lib.manual_seed(0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.randint(0, 2**25, (2,), dtype=lib.float32)
        msgs = [torch_text(str(x.message)).split(" (Triggered internally")[0] for x in w]
        if lib is torch:
            expected = msgs
        else:
            assert msgs == expected
    same_state()


@pytest.mark.parametrize("dtype", INTS + FLOATS + ["bool"])
def test_random_(dtype):
    for args in [(), (5,), (2, 9), (-3, None), (0, None), (-(2**63), None), (1, 2**40)]:
        seed_both(3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                t = torch.empty(9, dtype=dt(torch, dtype)).random_(*args)
            except (RuntimeError, NotImplementedError):
                errors(lambda L: L.empty(9, dtype=dt(L, dtype)).random_(*args))  # noqa: B023
                continue
            e = ember.empty(9, dtype=dt(ember, dtype)).random_(*args)
        assert_same(e, t, where=str(args))
        same_state()
    both(lambda L: L.empty(9, dtype=dt(L, dtype)).random_(generator=L.Generator()))
    both(lambda L: L.empty(4, 5, dtype=dt(L, dtype)).t().random_(2))


RANDOM_ERRORS = {
    "equal": lambda L: L.zeros(2).random_(5, 5),
    "to_zero": lambda L: L.zeros(2).random_(0),
    "u8_300": lambda L: L.zeros(2, dtype=L.uint8).random_(0, 300),
    "u8_neg": lambda L: L.zeros(2, dtype=L.uint8).random_(-1, 5),
    "f16_big": lambda L: L.zeros(2, dtype=L.float16).random_(0, 70000),
    "full_range_int32": lambda L: L.zeros(2, dtype=L.int32).random_(-(2**63), None),
    "full_range_half": lambda L: L.zeros(2, dtype=L.float16).random_(-(2**63), None),
}


@pytest.mark.parametrize("fn", list(RANDOM_ERRORS.values()), ids=list(RANDOM_ERRORS))
def test_random_errors(fn):
    errors(fn)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64", "float16",
                                   "bfloat16", "int16"])
def test_randperm(dtype):
    for n in (0, 1, 2, 5, 100, 256, 1000):
        seed_both(11)
        try:
            t = torch.randperm(n, dtype=dt(torch, dtype))
        except RuntimeError:
            errors(lambda L: L.randperm(n, dtype=dt(L, dtype)), 11)  # noqa: B023
            continue
        assert_same(ember.randperm(n, dtype=dt(ember, dtype)), t)
        same_state()


RANDPERM_ERRORS = {
    "neg": lambda L: L.randperm(-1),
    "u8_257": lambda L: L.randperm(257, dtype=L.uint8),
    "f16_big": lambda L: L.randperm(2050, dtype=L.float16),
    "bool": lambda L: L.randperm(3, dtype=L.bool),
    "float": lambda L: L.randperm(3.5),
    "rg": lambda L: L.randperm(3, requires_grad=True),
    "no_args": lambda L: L.randperm(),
}


@pytest.mark.parametrize("fn", list(RANDPERM_ERRORS.values()), ids=list(RANDPERM_ERRORS))
def test_randperm_errors(fn):
    errors(fn)


def test_randperm_large():
    seed_both(1)
    e = ember.randperm(200_000)
    assert_same(e, torch.randperm(200_000))
    same_state()
    both(lambda L: L.randperm(10, out=L.zeros(1, dtype=L.int64)))
    both(lambda L: L.randperm(10, dtype=L.float32, requires_grad=True))


# ---------------------------------------------------------------------------------- bernoulli
@pytest.mark.parametrize("dtype", FLOATS + INTS + ["bool"])
def test_bernoulli_scalar_p(dtype):
    for p in (0.5, 0.0, 1.0, 0.123):
        both(lambda L: L.empty(13, dtype=dt(L, dtype)).bernoulli_(p))  # noqa: B023
    both(lambda L: L.empty(3, 5, dtype=dt(L, dtype)).t().bernoulli_())
    both(lambda L: L.bernoulli(L.empty(7, dtype=dt(L, dtype)), 0.3))


@pytest.mark.parametrize("pdtype", FLOATS)
def test_bernoulli_tensor_p(pdtype):
    both(lambda L: L.bernoulli(L.linspace(0, 1, 21, dtype=dt(L, pdtype))))
    both(lambda L: L.linspace(0, 1, 21, dtype=dt(L, pdtype)).bernoulli())
    both(lambda L: L.empty(3, 21).bernoulli_(L.linspace(0, 1, 21, dtype=dt(L, pdtype))))
    both(lambda L: L.empty(4, 3, dtype=L.int32).t().bernoulli_(
        L.rand(3, 4, dtype=dt(L, pdtype))))
    both(lambda L: L.full((3,), 0.5).bernoulli(0.2))


BERNOULLI_ERRORS = {
    "p_big": lambda L: L.zeros(2).bernoulli_(1.5),
    "p_tensor_big": lambda L: L.zeros(2).bernoulli_(L.tensor([1.5, 0.5])),
    "p_bad_shape": lambda L: L.zeros(2).bernoulli_(L.tensor([0.5, 0.5, 0.5])),
    "p_int": lambda L: L.zeros(2).bernoulli_(L.tensor([1, 0])),
    "p_str": lambda L: L.zeros(2).bernoulli_("a"),
    "input_int": lambda L: L.bernoulli(L.tensor([1, 0])),
    "input_big": lambda L: L.bernoulli(L.tensor([0.5, 0.2, 1.5, 0.1])),
    "p_2": lambda L: L.bernoulli(L.zeros(3), 2.0),
    "p_str_fn": lambda L: L.bernoulli(L.ones(2), "a"),
}


@pytest.mark.parametrize("fn", list(BERNOULLI_ERRORS.values()), ids=list(BERNOULLI_ERRORS))
def test_bernoulli_errors(fn):
    errors(fn)


def test_bernoulli_error_consumes_the_draws_before_it():
    for lib in (torch, ember):
        lib.manual_seed(0)
        with pytest.raises(RuntimeError):
            lib.bernoulli(lib.tensor([0.5, 0.2, 1.5, 0.1]))
    same_state()


# ---------------------------------------------------------------------------------- others
@pytest.mark.parametrize("dtype", FLOATS)
def test_other_distributions(dtype):
    for n in (5, 40):
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).exponential_())  # noqa: B023
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).exponential_(2.5))  # noqa: B023
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).log_normal_())  # noqa: B023
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).log_normal_(0.5, 0.25))  # noqa: B023
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).cauchy_(0.5, 2.0))  # noqa: B023
        both(lambda L: L.empty(n, dtype=dt(L, dtype)).geometric_(0.3))  # noqa: B023
    both(lambda L: L.empty(9, dtype=L.int64).geometric_(0.7))


OTHER_ERRORS = {
    "exp_0": lambda L: L.zeros(2).exponential_(0),
    "exp_neg": lambda L: L.zeros(2).exponential_(-1),
    "exp_int": lambda L: L.zeros(2, dtype=L.int64).exponential_(),
    "exp_str": lambda L: L.zeros(2).exponential_("a"),
}


@pytest.mark.parametrize("fn", list(OTHER_ERRORS.values()), ids=list(OTHER_ERRORS))
def test_other_errors(fn):
    errors(fn)


# ---------------------------------------------------------------------------------- autograd
INPLACE = {
    "uniform_": (lambda y: y.uniform_(), "UniformBackward0"),
    "normal_": (lambda y: y.normal_(), "NormalBackward0"),
    "random_": (lambda y: y.random_(), "RandomBackward2"),
    "random_to": (lambda y: y.random_(5), "RandomBackward1"),
    "random_from_to": (lambda y: y.random_(1, 5), "RandomBackward0"),
    "bernoulli_": (lambda y: y.bernoulli_(), "BernoulliBackward2"),
    "exponential_": (lambda y: y.exponential_(), "ExponentialBackward0"),
    "cauchy_": (lambda y: y.cauchy_(), "CauchyBackward0"),
    "log_normal_": (lambda y: y.log_normal_(), "LogNormalBackward0"),
    "geometric_": (lambda y: y.geometric_(0.5), "GeometricBackward0"),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_autograd(name):
    fn, node = INPLACE[name]
    for lib in (torch, ember):
        lib.manual_seed(0)
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        r = fn(y)
        assert r is y and y._version == 1
        assert y.grad_fn.name() == node
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            fn(lib.ones(3, requires_grad=True))
        with lib.no_grad():
            fn(lib.ones(3, requires_grad=True))
    same_state()


def test_inplace_on_view_bumps_base_version():
    for lib in (torch, ember):
        x = lib.zeros(4, 5)
        v = x[1:3]
        v.uniform_()
        assert x._version == 1 and v._version == 1
        assert (x[0] == 0).all() and (x[3] == 0).all()


def test_out_of_place_autograd():
    for lib in (torch, ember):
        m = lib.ones(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        for fn, node, grads in [
            (lambda: lib.normal(m, s), "NormalBackward3", (True, True)),
            (lambda: lib.normal(m, 2.0), "NormalBackward1", (True, False)),
            (lambda: lib.normal(2.0, s), "NormalBackward2", (False, True)),
            (lambda: lib.bernoulli(m * 0.5), "BernoulliBackward0", (True, False)),
        ]:
            r = fn()
            assert r.requires_grad and r.grad_fn.name() == node
            r.sum().backward()
            for t, has in zip((m, s), grads):
                assert (t.grad is not None) == has
                if has:
                    assert t.grad.tolist() == [0.0, 0.0, 0.0]
            m.grad = s.grad = None
        assert not lib.rand_like(m).requires_grad
        assert lib.rand(2, requires_grad=True).is_leaf
