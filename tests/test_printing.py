"""Printing: ``repr``/``str``/``format`` of tensors, Size, dtype and device, compared with torch.

Every expected text comes from torch itself, with ``torch.`` replaced by ``ember.``.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

DTYPES = (
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64",
)  # fmt: skip
FLOATS = ("float16", "bfloat16", "float32", "float64")
DEFAULT_OPTS = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None)


def _t(text: str) -> str:
    return text.replace("torch.", "ember.")


@pytest.fixture(autouse=True)
def _restore_print_state():
    """Every test starts and ends with default print options and default dtype in both."""
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


def _both(expr: str):
    """Evaluate ``expr`` with ``T`` bound to torch, then to ember; return both results."""
    return eval(expr, {"T": torch, "nan": math.nan, "inf": math.inf}), eval(
        expr, {"T": ember, "nan": math.nan, "inf": math.inf}
    )


def _assert_repr(expr: str) -> None:
    t, e = _both(expr)
    expected = _t(repr(t))
    assert repr(e) == expected, f"{expr}\n--- torch:\n{expected}\n--- ember:\n{repr(e)}"
    assert str(e) == _t(str(t))


# ------------------------------------------------------------------ the spec's tricky cases
TRICKY = [
    "T.tensor(3.)",
    "T.tensor(-0.)",
    "T.tensor([0., -0.])",
    "T.tensor([1.5, 2., 3.])",
    "T.tensor([1e-5, 1.])",
    "T.tensor([1e-4, 1.])",
    "T.tensor([0.1, 100.])",
    "T.tensor([0.1, 100.1])",
    "T.tensor([1., 1001.])",
    "T.tensor([123456789.])",
    "T.tensor([1.23456789e-3, 1.0])",
    "T.tensor([nan, 1., inf])",
    "T.tensor([nan, 1.5, -inf])",
    "T.tensor([0.5, -0.0, inf])",
    "T.tensor([nan, inf, -inf])",
    "T.tensor([[1e-10, 1.], [nan, -2.]])",
    "T.tensor([True, False])",
    "T.tensor(True)",
    "T.tensor(7)",
    "T.tensor([1, -20, 300])",
    "T.tensor([1, 2], dtype=T.uint8)",
    "T.tensor([-128, 127], dtype=T.int8)",
    "T.tensor([1, 2], dtype=T.int32)",
    "T.tensor([1.1, 2.2], dtype=T.bfloat16)",
    "T.tensor([65504.], dtype=T.float16)",
    "T.tensor([1e-8, 6e4], dtype=T.float16)",
    "T.tensor([1e38, -1e-38], dtype=T.bfloat16)",
    "T.tensor(2.5, dtype=T.float64)",
    "T.tensor([1.5, 2.5], dtype=T.float64)",
    "T.zeros(2, 0)",
    "T.zeros(0)",
    "T.zeros(0, 3, dtype=T.int64)",
    "T.zeros(0, dtype=T.bool)",
    "T.zeros(2, 0, 1, dtype=T.float64)",
    "T.zeros(3, dtype=T.float64)",
    "T.arange(1001)",
    "T.arange(1001.) / 3",
    "T.arange(10)",
    "T.linspace(0, 1, 7, dtype=T.float64)",
    "T.linspace(0, 1, 7, dtype=T.float64, requires_grad=True) * 2",
    "T.tensor(2., dtype=T.float64, requires_grad=True)",
    "T.tensor([1., 2.], requires_grad=True)",
    "T.tensor([1., 2.], requires_grad=True) * 2",
    "T.tensor(1., requires_grad=True) + 1",
    "T.tensor([1., 2.], dtype=T.float16, requires_grad=True)",
    "T.arange(60.).reshape(3, 4, 5)",
    "T.arange(120).reshape(2, 3, 4, 5)",
    "T.arange(30.).reshape(5, 6) - 14.5",
    "T.arange(1200.).reshape(40, 30)",
    "T.arange(1200.).reshape(40, 30) / 7",
    "T.arange(2400.).reshape(2, 40, 30) * 1e-6",
    "T.arange(1500).reshape(3, 500)",
    "T.arange(40.) * 1234.5678",
    "T.arange(100, dtype=T.int16).reshape(10, 10)",
    "(T.arange(24.).reshape(2, 3, 4) + 0.5).permute(2, 0, 1)",
    "T.arange(12.).reshape(3, 4).t()",
    "T.arange(12.).reshape(3, 4)[:, 1:3]",
    "T.arange(12.).reshape(3, 4)[1]",
    "T.arange(12.).reshape(3, 4)[1, 2]",
    "T.arange(30) % 2 == 0",
    "T.full((3,), 1e300, dtype=T.float64)",
    "T.full((3,), 5e-324, dtype=T.float64)",
    "T.tensor([1e8, 1.])",
    "T.tensor([1e8 + 8, 1.])",
    "T.tensor([99999999., 1.])",
    "T.tensor([-1e-4, 1e-4])",
    "T.tensor([0.0001, 0.1])",
    "T.tensor([-5., 2., 0.])",
    "T.tensor([1234567.])",
    "T.tensor([0.99995, 9.99995])",
    "T.ones(3, 1, 2)",
    "T.ones(1, 1, 1, 1)",
]


@pytest.mark.parametrize("expr", TRICKY)
def test_tricky(expr):
    _assert_repr(expr)


# ------------------------------------------------------------------ options
OPTION_CASES = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=10),
    dict(threshold=5),
    dict(threshold=0),
    dict(edgeitems=1, threshold=5),
    dict(edgeitems=0, threshold=5),
    dict(linewidth=30),
    dict(linewidth=1),
    dict(linewidth=200),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(sci_mode=True, precision=2),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="full", precision=6),
    dict(profile="short", sci_mode=True, linewidth=40),
    dict(profile="no-such-profile"),
]
OPTION_EXPRS = [
    "T.arange(1001)",
    "T.arange(20.) / 3",
    "T.arange(2000.).reshape(40, 50) / 7",
    "T.arange(60.).reshape(3, 4, 5) * 1e-5",
    "T.tensor([0., -0., nan])",
    "T.tensor([0., 0.])",
    "T.tensor([1., 2., 1e10])",
    "T.tensor([1e-3, 1.5, 123.25])",
    "T.tensor([True, False, True, False, True, False, True, False])",
    "T.arange(10).reshape(2, 5)",
    "T.tensor(3.14159)",
    "T.tensor(3.)",
    "T.linspace(0, 1, 7, dtype=T.float64, requires_grad=True) * 2",
    "T.zeros(2, 0)",
]


def _opts_id(opts: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in opts.items())


@pytest.mark.parametrize("opts", OPTION_CASES, ids=_opts_id)
def test_print_options(opts):
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    for expr in OPTION_EXPRS:
        _assert_repr(expr)


def test_set_printoptions_resets_sci_mode():
    for lib in (torch, ember):
        lib.set_printoptions(sci_mode=True)
    _assert_repr("T.tensor([1.5, 2.5])")
    for lib in (torch, ember):
        lib.set_printoptions(precision=3)  # NOTE: every call resets sci_mode to None
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ember._tensor_str.PRINT_OPTS.sci_mode is None
    _assert_repr("T.tensor([1.5, 2.5])")


def test_get_printoptions_and_values():
    assert ember._tensor_str.get_printoptions() == DEFAULT_OPTS
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    # The same Python types: threshold is the int 1000 by default, inf after profile="full".
    assert repr(ember._tensor_str.get_printoptions()) == repr(torch._tensor_str.get_printoptions())
    assert repr(ember._tensor_str.PRINT_OPTS) == repr(torch._tensor_str.PRINT_OPTS)
    for lib in (torch, ember):
        lib.set_printoptions(profile="full")
    assert repr(ember._tensor_str.get_printoptions()) == repr(torch._tensor_str.get_printoptions())


def test_printoptions_context_manager():
    for lib in (torch, ember):
        lib.set_printoptions(linewidth=60, sci_mode=True)
    with ember._tensor_str.printoptions(precision=2, threshold=3), \
            torch._tensor_str.printoptions(precision=2, threshold=3):
        assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
        _assert_repr("T.arange(10.) / 3")
    assert ember._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ember._tensor_str.get_printoptions()["sci_mode"] is True
    _assert_repr("T.arange(10.) / 3")
    # Restored even when the body raises.
    with pytest.raises(KeyError), ember._tensor_str.printoptions(precision=1):
        raise KeyError("body failed")
    assert ember._tensor_str.get_printoptions()["precision"] == 4


DEFAULT_DTYPE_EXPRS = [
    "T.tensor([1.5, 2.5])",
    "T.tensor([1.5, 2.5], dtype=T.float32)",
    "T.tensor([1.5, 2.5], dtype=T.float64)",
    "T.tensor([1.5, 2.5], dtype=T.float16)",
    "T.tensor(2.)",
    "T.tensor([1, 2])",
    "T.zeros(0)",
    "T.zeros(0, dtype=T.float32)",
    "T.zeros(0, dtype=T.float64)",
    "T.zeros(2, 0, dtype=T.int64)",
    "T.tensor([1., 2.], requires_grad=True) * 2",
]


@pytest.mark.parametrize("expr", DEFAULT_DTYPE_EXPRS)
def test_default_dtype_float64(expr):
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    _assert_repr(expr)


class _FakeGpuArray(np.ndarray):
    """Stands in for a CuPy array: any non-ndarray array type is asked for its device."""


def test_non_cpu_device_suffix(monkeypatch):
    # No GPU here and torch is a CPU build, so torch cannot print this; the expected text is
    # torch's CUDA format (spec 2.5: the device suffix comes first).
    from ember import _backend

    monkeypatch.setattr(_backend, "device_of", lambda arr: ember.device("cuda", 0))
    monkeypatch.setattr(_backend, "to_numpy", lambda arr: np.asarray(arr).view(np.ndarray))
    e = ember.from_numpy(np.array([1.0, 2.0], dtype=np.float64))
    e._data = e._data.view(_FakeGpuArray)
    assert repr(e) == "tensor([1., 2.], device='cuda:0', dtype=ember.float64)"
    e.requires_grad_(True)
    assert repr(e) == (
        "tensor([1., 2.], device='cuda:0', dtype=ember.float64, requires_grad=True)"
    )


def test_subclass_prefix():
    class MyT(torch.Tensor):
        pass

    class MyE(ember.Tensor):
        pass

    MyE.__name__ = MyT.__name__
    assert repr(MyE([1.0, 2.0])) == repr(MyT([1.0, 2.0]))


def test_tensor_contents_argument():
    t, e = torch.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0])
    assert ember._tensor_str._str(e, tensor_contents="[...]") == torch._tensor_str._str(
        t, tensor_contents="[...]"
    )


def test_parameter_repr():
    nn = ember.nn
    for values, kwargs in [([1.0, 2.0], {}), (2.5, {}), ([1.0, 2.0], {"requires_grad": False})]:
        t = torch.nn.Parameter(torch.tensor(values), **kwargs)
        e = nn.Parameter(ember.tensor(values), **kwargs)
        assert repr(e) == _t(repr(t))
        assert str(e) == _t(str(t))
        # torch's Tensor.__format__ formats only plain 0-d Tensors as numbers.
        assert f"{e}" == _t(f"{t}")


# ------------------------------------------------------------------ Size, dtype, device, format
def test_size_dtype_device_repr():
    for shape in [(), (0,), (2, 3), (1, 2, 3, 4)]:
        t, e = torch.zeros(shape), ember.zeros(shape)
        assert repr(e.shape) == _t(repr(t.shape))
        assert str(e.size()) == _t(str(t.size()))
        assert f"{e.shape}" == _t(f"{t.shape}")
    for name in DTYPES:
        assert repr(getattr(ember, name)) == _t(repr(getattr(torch, name)))
        assert str(getattr(ember, name)) == _t(str(getattr(torch, name)))
    for args in [("cpu",), ("cuda", 0), ("cuda:1",), ("cuda",)]:
        assert repr(ember.device(*args)) == repr(torch.device(*args))
        assert str(ember.device(*args)) == str(torch.device(*args))
    assert repr(ember.zeros(2).device) == repr(torch.zeros(2).device)
    assert repr(ember.zeros(2, 3).dtype) == _t(repr(torch.zeros(2, 3).dtype))


FORMAT_CASES = [
    ("T.tensor(1.785356879234314)", ""),
    ("T.tensor(1.785356879234314)", ".2f"),
    ("T.tensor(1.785356879234314, dtype=T.float64)", ""),
    ("T.tensor(3)", ""),
    ("T.tensor(3)", ">5"),
    ("T.tensor(True)", ""),
    ("T.tensor(2.5, dtype=T.float16)", ""),
    ("T.tensor(2.5, dtype=T.bfloat16)", ".3e"),
    ("T.tensor(2.5, requires_grad=True)", ""),
    ("T.tensor(2.5, requires_grad=True) * 2", ""),
    ("T.tensor([1.5, 2.5])", ""),
    ("T.tensor([[1, 2], [3, 4]])", ""),
    ("T.tensor([1.5, 2.5], requires_grad=True)", ""),
]


@pytest.mark.parametrize("expr,spec", FORMAT_CASES)
def test_format(expr, spec):
    t, e = _both(expr)
    assert format(e, spec) == _t(format(t, spec))


def test_format_of_0d_subclass_is_its_repr():
    class MyT(torch.Tensor):
        pass

    class MyE(ember.Tensor):
        pass

    MyE.__name__ = MyT.__name__
    assert f"{MyE(ember.tensor(2.5))}" == f"{MyT(torch.tensor(2.5))}"


def test_format_spec_on_non_scalar_raises():
    t, e = _both("T.tensor([1.5, 2.5])")
    with pytest.raises(TypeError) as te:
        format(t, ".2f")
    with pytest.raises(TypeError) as ee:
        format(e, ".2f")
    assert str(ee.value) == str(te.value)


def test_fstring_like_the_tutorial():
    values = [[1.785356879234314, -0.5585, -0.5001, 0.4208]]
    t, e = torch.tensor(values), ember.tensor(values)
    assert f"x={e}\nx_max={e[0, 0]}" == _t(f"x={t}\nx_max={t[0, 0]}")
    assert f"x_max={e[0, 0]}" == "x_max=1.785356879234314"
    assert f"x_max={ember.max(e)}" == f"x_max={torch.max(t)}"


# ------------------------------------------------------------------ seeded random fuzz
def _random_shape(rng) -> tuple:
    ndim = int(rng.integers(0, 5))
    r = rng.random()
    if ndim == 0:
        return ()
    if r < 0.05:  # empty
        shape = [int(rng.integers(0, 4)) for _ in range(ndim)]
        shape[int(rng.integers(0, ndim))] = 0
        return tuple(shape)
    if r < 0.12 and ndim <= 2:  # past the default threshold
        return (int(rng.integers(1001, 1400)),) if ndim == 1 else (
            int(rng.integers(20, 45)), int(rng.integers(25, 50)))
    hi = {1: 14, 2: 8, 3: 5, 4: 4}[ndim]
    return tuple(int(rng.integers(1, hi + 1)) for _ in range(ndim))


def _random_values(rng, shape, dtype: str) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype not in FLOATS:
        info = np.iinfo(dtype)
        kind = rng.integers(0, 3)
        lo, hi = [(-9, 10), (-1000, 1000), (int(info.min), int(info.max))][kind]
        lo, hi = max(lo, int(info.min)), min(hi, int(info.max))
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
    kind = int(rng.integers(0, 8))
    if kind == 0:  # plain normal
        a = rng.standard_normal(shape)
    elif kind == 1:  # one random magnitude
        a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-12, 12)
    elif kind == 2:  # integral values
        a = rng.integers(-1000, 1000, size=shape).astype(np.float64) * 10.0 ** rng.integers(0, 7)
    elif kind == 3:  # mixed magnitudes per element
        a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-8, 8, size=shape)
    elif kind == 4:  # near the mode boundaries
        a = rng.choice([1e-4, 9.9e-5, 0.1, 100.0, 100.1, 1e8, 1.5e8, 1000.0, 1.0, 0.5], size=shape)
    elif kind == 5:  # rounding boundaries
        a = rng.integers(-99999, 99999, size=shape) / 10.0 ** rng.integers(0, 6) + 0.00005
    elif kind == 6:  # huge and tiny
        a = rng.standard_normal(shape) * 10.0 ** rng.choice([-300, -40, 30, 300])
    else:  # all zeros
        a = np.zeros(shape)
    a = np.asarray(a, dtype=np.float64)
    if a.size and rng.random() < 0.3:  # sprinkle specials
        mask = rng.random(a.shape) < 0.2
        specials = rng.choice([math.nan, math.inf, -math.inf, -0.0, 0.0], size=a.shape)
        a = np.where(mask, specials, a)
    np_dtype = ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype
    with np.errstate(all="ignore"):
        return np.asarray(a.astype(np_dtype))


def _random_options(rng) -> dict:
    if rng.random() < 0.4:
        return {}
    opts = {}
    if rng.random() < 0.15:
        opts["profile"] = str(rng.choice(["default", "short", "full"]))
    if rng.random() < 0.5:
        opts["precision"] = int(rng.integers(0, 9))
    if rng.random() < 0.4:
        opts["threshold"] = [0, 3, 10, 50, 1000, math.inf][int(rng.integers(0, 6))]
    if rng.random() < 0.4:
        opts["edgeitems"] = int(rng.integers(0, 5))
    if rng.random() < 0.4:
        opts["linewidth"] = int(rng.integers(5, 160))
    if rng.random() < 0.4:
        opts["sci_mode"] = [None, True, False][int(rng.integers(0, 3))]
    return opts


def _pair(a: np.ndarray, dtype: str):
    if dtype == "bfloat16":
        t = torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    else:
        t = torch.from_numpy(np.array(a, copy=True))
    return t, ember.from_numpy(np.array(a, copy=True))


FUZZ_SEEDS = 8
FUZZ_PER_SEED = 1000  # 8000 tensors, about 4 s


@pytest.mark.parametrize("seed", range(FUZZ_SEEDS))
def test_fuzz(seed):
    rng = np.random.default_rng(1234 + seed)
    failures = []
    for i in range(FUZZ_PER_SEED):
        dtype = DTYPES[int(rng.integers(0, len(DTYPES)))]
        a = _random_values(rng, _random_shape(rng), dtype)
        t, e = _pair(a, dtype)
        if a.ndim >= 2 and rng.random() < 0.2:  # non-contiguous views
            perm = tuple(int(p) for p in rng.permutation(a.ndim))
            t, e = t.permute(*perm), e.permute(*perm)
        if dtype in FLOATS and rng.random() < 0.25:
            t.requires_grad_(True)
            e.requires_grad_(True)
            if rng.random() < 0.5:
                t, e = t * 1, e * 1  # grad_fn=<MulBackward0>
        opts = _random_options(rng)
        default64 = rng.random() < 0.1
        try:
            torch.set_printoptions(**opts)
            ember.set_printoptions(**opts)
            if default64:
                torch.set_default_dtype(torch.float64)
                ember.set_default_dtype(ember.float64)
            expected, got = _t(repr(t)), repr(e)
        finally:
            torch.set_printoptions(profile="default")
            ember.set_printoptions(profile="default")
            torch.set_default_dtype(torch.float32)
            ember.set_default_dtype(ember.float32)
        if got != expected:
            failures.append(f"#{i} {dtype} {tuple(a.shape)} {opts} default64={default64}\n"
                            f"--- torch:\n{expected}\n--- ember:\n{got}")
    assert not failures, f"{len(failures)} mismatches; first:\n" + failures[0]
