"""dtype objects, finfo/iinfo, the default dtype, casts and dtype inference, against torch."""

from __future__ import annotations

import contextlib
import pickle

import numpy as np
import pytest
import torch

import ember

from .helpers import assert_same, assert_same_error, run_both, to_ember, to_torch, torch_text

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64"]
ALIASES = ["float", "double", "half", "long", "int", "short"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]


@contextlib.contextmanager
def default_dtype(name):
    ember.set_default_dtype(getattr(ember, name))
    torch.set_default_dtype(getattr(torch, name))
    try:
        yield
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def same(fn):
    """``fn(lib)`` in both libraries: equal results (torch's name printed as ember's)."""
    e, t = run_both(lambda: fn(ember), lambda: fn(torch))
    if isinstance(t, Exception):
        assert isinstance(e, Exception), f"torch raised {t!r}, ember returned {e!r}"
        assert type(e).__name__ == type(t).__name__, (e, t)
        assert str(e) == torch_text(str(t)), f"\n ember: {e}\n torch: {t}"
        return
    assert not isinstance(e, Exception), f"ember raised {e!r}"
    if isinstance(t, torch.Tensor):
        assert_same(e, t)
    elif isinstance(t, (str, torch.dtype)) or hasattr(t, "dtype") and not isinstance(t, bool):
        assert torch_text(str(t)) == str(e), (e, t)
    else:
        assert e == t, (e, t)


# ---------------------------------------------------------------------------------- dtype objects
@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_dtype_attributes(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t).replace("torch.", "ember.")
    assert str(e) == str(t).replace("torch.", "ember.")
    assert e.is_floating_point == t.is_floating_point
    assert e.is_signed == t.is_signed
    assert e.is_complex == t.is_complex
    assert e.itemsize == t.itemsize
    assert e.abbr == t.abbr
    assert repr(e.to_real()) == repr(t.to_real()).replace("torch.", "ember.")
    assert isinstance(e, ember.dtype)
    assert type(e).__name__ == type(t).__name__ == "dtype"
    assert pickle.loads(pickle.dumps(e)) is e


def test_aliases_are_the_same_objects():
    for alias, name in (("float", "float32"), ("double", "float64"), ("half", "float16"),
                        ("long", "int64"), ("int", "int32"), ("short", "int16")):
        assert getattr(ember, alias) is getattr(ember, name)
        assert (getattr(torch, alias) is getattr(torch, name))
    assert ember.float32 == ember.float and ember.float32 != ember.float64
    assert hash(ember.float32) == hash(ember.float)
    assert ember.float32 != "float32"


# ---------------------------------------------------------------------------------- finfo/iinfo
@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, field) == getattr(t, field), field
        assert type(getattr(e, field)) is type(getattr(t, field)), field
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e == ember.finfo(getattr(ember, name))


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    for field in ("bits", "max", "min", "dtype"):
        assert getattr(e, field) == getattr(t, field), field
        assert type(getattr(e, field)) is type(getattr(t, field)), field
    assert repr(e) == repr(t) and str(e) == str(t)
    assert e == ember.iinfo(getattr(ember, name))
    assert e != ember.iinfo(ember.int8 if name != "int8" else ember.int16)


def test_finfo_iinfo_errors_and_defaults():
    for fn in (lambda lib: lib.finfo(lib.int32), lambda lib: lib.finfo(lib.bool),
               lambda lib: lib.iinfo(lib.float32), lambda lib: lib.iinfo(lib.bool),
               lambda lib: lib.finfo(1), lambda lib: lib.finfo(None), lambda lib: lib.finfo("a"),
               lambda lib: lib.iinfo("a"), lambda lib: lib.iinfo(), lambda lib: lib.iinfo(None),
               lambda lib: hash(lib.finfo())):
        assert_same_error(lambda fn=fn: fn(ember), lambda fn=fn: fn(torch))
    same(lambda lib: repr(lib.finfo()))
    for name in FLOATS:
        with default_dtype(name):
            same(lambda lib: repr(lib.finfo()))


# ---------------------------------------------------------------------------------- default dtype
def test_default_dtype_get_set_and_errors():
    same(lambda lib: lib.get_default_dtype())
    for fn in (lambda lib: lib.set_default_dtype(lib.int32),
               lambda lib: lib.set_default_dtype(lib.bool),
               lambda lib: lib.set_default_dtype(1), lambda lib: lib.set_default_dtype(None),
               lambda lib: lib.set_default_dtype("float64")):
        assert_same_error(lambda fn=fn: fn(ember), lambda fn=fn: fn(torch))
    for name in FLOATS:
        with default_dtype(name):
            same(lambda lib: lib.get_default_dtype())
            same(lambda lib: lib.tensor([1, 2.5]))
            same(lambda lib: lib.tensor(3.0).dtype)
            same(lambda lib: lib.tensor([1, 2]) / 2)
            same(lambda lib: lib.tensor([1, 2]) * 0.5)
            same(lambda lib: lib.exp(lib.tensor([1, 2])))
            same(lambda lib: lib.tensor([True]) + 1.5)
            same(lambda lib: lib.result_type(2, 2.5))
    same(lambda lib: lib.get_default_dtype())


# ---------------------------------------------------------------------------------- casts
_CAST_VALUES = np.array([-1.7, 2.9, 0.5, -0.0, 255.5, 256.7, -129.3, 1e10, -1e10, 70000.0,
                         1.00390625, np.inf, -np.inf, np.nan], dtype=np.float64)


@pytest.mark.parametrize("src", NAMES)
@pytest.mark.parametrize("dst", NAMES)
def test_to_dtype(src, dst):
    if np.dtype(src if src != "bfloat16" else np.float32).kind in "iub":
        base = np.array([0, 1, 2, 127, 200, 255], dtype=np.int64).astype(src)
    else:
        # (out-of-range float -> int casts are undefined in C: torch's results are its CPU's)
        vals = _CAST_VALUES if dst in FLOATS or dst == "bool" else _CAST_VALUES[:7]
        if dst in ("uint8", "int8"):
            vals = vals[(vals > -128) & (vals < 128)]
        base = vals.astype(np.float32 if src == "bfloat16" else src)
        if src == "bfloat16":
            import ml_dtypes

            base = base.astype(ml_dtypes.bfloat16)

    def cast(lib, x):
        return [x.to(getattr(lib, dst)), x.type(getattr(lib, dst)),
                x.to(dtype=getattr(lib, dst), copy=True)]

    e = cast(ember, to_ember(base))
    t = cast(torch, to_torch(base))
    for a, b in zip(e, t):
        assert_same(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("method", ["float", "double", "half", "bfloat16", "long", "int",
                                    "short", "char", "byte", "bool"])
def test_cast_methods(method):
    x = np.array([-1.7, 2.9, 0.5, 0.0, 100.25], dtype=np.float32)
    e, t = getattr(to_ember(x), method)(), getattr(to_torch(x), method)()
    assert_same(e, t, atol=0, rtol=0)
    xe = to_ember(x)
    assert (xe.float() is xe) == (to_torch(x).float() is not None)


def test_casts_keep_identity_and_grad():
    x = ember.ones(3, requires_grad=True)
    assert x.to(ember.float32) is x and x.float() is x and x.type(ember.float32) is x
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    y.sum().backward()
    assert x.grad.dtype == ember.float32


def test_type_strings():
    for name in NAMES:
        x = np.zeros(2, dtype=np.float32)
        e = to_ember(x).to(getattr(ember, name))
        t = to_torch(x).to(getattr(torch, name))
        assert e.type() == torch_text(t.type())
        legacy = t.type()  # "torch.FloatTensor"...
        assert_same(to_ember(x).type(torch_text(legacy)), to_torch(x).type(legacy))
        assert_same(to_ember(x).type(legacy), to_torch(x).type(legacy))
    for fn in (lambda lib: lib.ones(2).type("float"), lambda lib: lib.ones(2).type("FloatTensor")):
        assert_same_error(lambda fn=fn: fn(ember), lambda fn=fn: fn(torch))


def test_tensor_predicates():
    for name in NAMES:
        e = ember.zeros(2, dtype=getattr(ember, name))
        t = torch.zeros(2, dtype=getattr(torch, name))
        assert e.is_floating_point() == t.is_floating_point()
        assert e.is_signed() == t.is_signed()
        assert e.is_complex() == t.is_complex()
        assert e.element_size() == t.element_size()
        assert e.dtype.itemsize == t.dtype.itemsize


# ---------------------------------------------------------------------------------- inference
_DATA = [
    [1, 2], [1, 2.5], [True, 1], [True, False], [], [[1], [2]], 3, 3.5, True, [True, 2.5],
    [[1.0, 2], [3, 4]], np.float16(1), np.int32(1), [np.float16(1), 2], [1, np.float32(2)],
    [np.int8(1), np.int16(2)], np.array([1, 2], dtype=np.int16), [np.bool_(True), 1],
    [2**62], [-(2**63)], [1e300], [float("nan"), float("inf")], [[[]]], [[], []],
]


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_tensor_dtype_inference(default):
    with default_dtype(default):
        for data in _DATA:
            same(lambda lib, data=data: lib.tensor(data))
        same(lambda lib: lib.tensor([lib.tensor(1), 2.5]))
        same(lambda lib: lib.tensor([lib.tensor(1.5, dtype=lib.float64), 2]))
        same(lambda lib: lib.tensor([2**63]))
        same(lambda lib: lib.tensor([300], dtype=lib.uint8))
        same(lambda lib: lib.tensor([-1], dtype=lib.uint8))
        same(lambda lib: lib.tensor([1.5, -2.5], dtype=lib.int32))
        same(lambda lib: lib.tensor(70000.0, dtype=lib.float16))


def test_layout_and_memory_format_objects():
    for name in ("strided", "contiguous_format", "preserve_format", "channels_last"):
        assert repr(getattr(ember, name)) == repr(getattr(torch, name)).replace("torch.", "ember.")
    assert repr(ember.ones(2).layout) == "ember.strided"
    e = ember.zeros_like(ember.ones(2, 3).t(), memory_format=ember.contiguous_format)
    t = torch.zeros_like(torch.ones(2, 3).t(), memory_format=torch.contiguous_format)
    assert e.stride() == t.stride()


@pytest.mark.parametrize("name", ["numel", "is_floating_point", "is_complex", "is_signed",
                                  "is_inference"])
def test_tensor_query_functions(name):
    # torch.numel(t), torch.is_floating_point(t), ...: the function forms of the methods.
    for dt in ("uint8", "int32", "float16", "float32", "bool"):
        t = torch.zeros(2, 3, dtype=getattr(torch, dt))
        e = ember.zeros(2, 3, dtype=getattr(ember, dt))
        assert getattr(ember, name)(e) == getattr(torch, name)(t)
    assert_same_error(lambda: getattr(ember, name)([1, 2]), lambda: getattr(torch, name)([1, 2]))
