"""``x[key]``, ``x[key] = v`` and in-place ops on views, always against torch on the same inputs:
values, dtypes, shapes, memory sharing, ``_version``, gradients, ``grad_fn`` names and errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import (
    assert_same,
    assert_same_error,
    grad_fn_chain,
    run_both,
    to_ember,
    to_torch,
    torch_text,
)

LIBS = (ember, torch)


# ---------------------------------------------------------------------------------- helpers
names = grad_fn_chain


def shares(t, base) -> bool:
    if isinstance(t, torch.Tensor):
        return t.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    return np.shares_memory(t._data, base._data)


def pair(a: np.ndarray, requires_grad: bool = False):
    return to_ember(a, requires_grad), to_torch(a, requires_grad)


def arange(shape, dtype=np.float64) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    return np.asarray(np.arange(n, dtype=np.float64).reshape(shape) / 7 - 1).astype(dtype)


def both(fn):
    """Run ``fn(lib)`` for ember and torch; exceptions are returned, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_both(lambda: fn(ember), lambda: fn(torch))


def assert_same_outcome(e, t, where: str = "") -> bool:
    """Both raised the same error (returns False) or both returned (returns True)."""
    if isinstance(t, Exception):
        assert isinstance(e, Exception), f"{where}: torch raised {t!r}, ember returned {e!r}"
        assert type(e).__name__ == type(t).__name__, f"{where}: {e!r} vs {t!r}"
        assert str(e) == torch_text(str(t)), f"{where}:\n ember: {e}\n torch: {t}"
        return False
    assert not isinstance(e, Exception), f"{where}: ember raised {e!r}, torch returned"
    return True


def check_error(fn, match: str = "exact"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(lambda: fn(ember), lambda: fn(torch), match)


# ---------------------------------------------------------------------------------- strategies
@st.composite
def shapes(draw, min_dims=0, max_dims=4):
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))


@st.composite
def keys(draw, shape):
    """An index expression for ``shape``: ints, slices, None, ..., int arrays, bool masks."""
    ndim = len(shape)
    n_front = draw(st.integers(0, ndim))
    n_back = draw(st.integers(0, ndim - n_front))
    ellipsis = n_back > 0 or draw(st.integers(0, 3)) == 0
    adv_shape = draw(st.sampled_from([(2,), (1,), (3,), (2, 1), (1, 2), ()]))

    def one(d):
        size = shape[d]
        kinds = ["slice", "slice", "full", "int_array", "list", "mask"]
        if size:
            kinds += ["int", "int", "tensor0d"]
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            return draw(st.integers(-size, size - 1))
        if kind == "tensor0d":
            return ScalarIndex(draw(st.integers(-size, size - 1)))
        if kind == "full":
            return slice(None)
        if kind == "slice":
            lo = draw(st.one_of(st.none(), st.integers(-size - 2, size + 2)))
            hi = draw(st.one_of(st.none(), st.integers(-size - 2, size + 2)))
            return slice(lo, hi, draw(st.sampled_from([None, 1, 2, 3])))
        if kind == "mask":
            bits = draw(st.lists(st.booleans(), min_size=size, max_size=size))
            return IndexArray(np.asarray(bits, dtype=bool))
        hi = max(size, 1)
        n = int(np.prod(adv_shape))
        arr = np.asarray(draw(st.lists(st.integers(-hi, hi - 1), min_size=n, max_size=n)),
                         dtype=np.int64).reshape(adv_shape)
        if kind == "list":
            return arr.tolist() if arr.ndim else [int(arr)]
        return IndexArray(arr)

    def cover(dims):
        out = []
        i = 0
        while i < len(dims):
            if draw(st.integers(0, 6)) == 0:
                out.append(None)
            d = dims[i]
            if i + 1 < len(dims) and draw(st.integers(0, 6)) == 0:  # a 2-d mask
                n = shape[d] * shape[d + 1]
                bits = draw(st.lists(st.booleans(), min_size=n, max_size=n))
                out.append(IndexArray(np.asarray(bits, dtype=bool).reshape(shape[d:d + 2])))
                i += 2
                continue
            out.append(one(d))
            i += 1
        return out

    items = cover(list(range(n_front)))
    if ellipsis:
        items.append(Ellipsis)
    items += cover(list(range(ndim - n_back, ndim)))
    if draw(st.integers(0, 6)) == 0:
        items.insert(draw(st.integers(0, len(items))), draw(st.booleans()))
    if draw(st.integers(0, 6)) == 0:
        items.append(None)
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


class IndexArray:
    """An index array, turned into a tensor of the library under test."""

    def __init__(self, a):
        self.a = a

    def __repr__(self):
        return f"IndexArray({self.a.tolist()!r})"


class ScalarIndex:
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return f"ScalarIndex({self.v})"


def convert_key(key, lib):
    def conv(k):
        if isinstance(k, IndexArray):
            return lib.tensor(k.a.tolist(), dtype=lib.bool if k.a.dtype == bool else lib.int64)
        if isinstance(k, ScalarIndex):
            return lib.tensor(k.v)
        return k

    if isinstance(key, tuple):
        return tuple(conv(k) for k in key)
    return conv(key)


# ---------------------------------------------------------------------------------- getitem
@given(st.data())
def test_getitem_matches_torch(data):
    shape = data.draw(shapes())
    key = data.draw(keys(shape))
    a = arange(shape)

    def get(lib):
        x = to_ember(a, True) if lib is ember else to_torch(a, True)
        y = x[convert_key(key, lib)]
        return x, y

    e, t = both(get)
    if not assert_same_outcome(e, t, f"x{shape}[{key!r}]"):
        return
    (ex, ey), (tx, ty) = e, t
    assert_same(ey, ty, path=f"x{shape}[{key!r}]")
    assert names(ey) == names(ty), f"{key!r}"
    assert (ey._base is not None) == (ty._base is not None), f"{key!r}: view-ness"
    if ty._base is not None and ty.numel():
        assert shares(ey, ex)
    if ty.numel():
        w = np.cos(np.arange(ty.numel())).reshape(tuple(ty.shape))
        ey.backward(to_ember(w))
        ty.backward(to_torch(w))
        assert_same(ex.grad, tx.grad, path=f"grad of x{shape}[{key!r}]")


@given(st.data())
def test_getitem_without_grad_is_a_view_of_the_same_memory(data):
    shape = data.draw(shapes(min_dims=1))
    key = data.draw(keys(shape))
    a = arange(shape)
    ex, tx = pair(a)
    e, t = both(lambda lib: (ex if lib is ember else tx)[convert_key(key, lib)])
    if not assert_same_outcome(e, t, f"x{shape}[{key!r}]"):
        return
    assert_same(e, t)
    assert (e._base is not None) == (t._base is not None)
    if t.numel():
        assert shares(e, ex) == shares(t, tx)
    assert e._version == t._version


# ---------------------------------------------------------------------------------- setitem
@given(st.data())
def test_setitem_matches_torch(data):
    shape = data.draw(shapes())
    key = data.draw(keys(shape))
    a = arange(shape)
    kind = data.draw(st.sampled_from(["scalar", "full", "bcast", "lead1", "int"]))
    # The value is shaped from torch's x[key] (where that raises, both must raise alike).
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            target = tuple(to_torch(a)[convert_key(key, torch)].shape)
    except Exception:  # noqa: BLE001
        target = shape
    if kind == "full":
        v = np.sin(np.arange(int(np.prod(target)))).reshape(target)
    elif kind == "bcast":
        vshape = target[len(target) // 2:]
        v = np.sin(np.arange(int(np.prod(vshape)))).reshape(vshape)
    elif kind == "lead1":
        v = np.sin(np.arange(int(np.prod(target)))).reshape((1, 1) + target)
    elif kind == "int":
        v = np.arange(int(np.prod(target)), dtype=np.int64).reshape(target)
    else:
        v = 2.5

    def put(lib):
        x = to_ember(a) if lib is ember else to_torch(a)
        val = (to_ember(v) if lib is ember else to_torch(v)) if isinstance(v, np.ndarray) else v
        x[convert_key(key, lib)] = val
        return x

    e, t = both(put)
    if not assert_same_outcome(e, t, f"x{shape}[{key!r}] = {kind}"):
        return
    assert_same(e, t)
    assert e._version == t._version


@given(st.data())
def test_setitem_autograd_matches_torch(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    key = data.draw(keys(shape))
    a = arange(shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            target = tuple(to_torch(a)[convert_key(key, torch)].shape)
    except Exception:  # noqa: BLE001
        return
    scalar_value = data.draw(st.booleans()) and not target
    v = np.cos(np.arange(int(np.prod(target)))).reshape(target)

    def run(lib):
        x = to_ember(a, True) if lib is ember else to_torch(a, True)
        val = (to_ember(v, True) if lib is ember else to_torch(v, True))
        y = x * 1
        y[convert_key(key, lib)] = val * 2 if not scalar_value else 3.0
        w = np.sin(np.arange(y.numel())).reshape(tuple(y.shape))
        (y * (to_ember(w) if lib is ember else to_torch(w))).sum().backward()
        return y, x.grad, val.grad, names(y), y._version

    e, t = both(run)
    if not assert_same_outcome(e, t, f"x{shape}[{key!r}] = v"):
        return
    assert_same(e[0], t[0])
    assert_same(e[1], t[1], path="x.grad")
    if t[2] is None:
        assert e[2] is None
    else:
        assert_same(e[2], t[2], path="v.grad")
    assert e[3] == t[3]
    assert e[4] == t[4]


# ---------------------------------------------------------------------------------- fixed cases
A = arange((2, 3, 4))
GETITEM_KEYS = [
    0, -1, (0, 1), slice(1, 3), (0, slice(1, 3)), (slice(None), 1), None, (None,), Ellipsis,
    (Ellipsis, None), slice(None), slice(0, 3), (slice(0, 3), 0), (slice(0, 100), 0),
    (slice(-2, None), 0), (slice(None), None, 0), [0, 1], ([0, 1],), (0, [1, 2]),
    (slice(1, None), [0, 1]), True, False, (0, True), ([0, 1], [1, 2]),
    (slice(None), slice(None)), (Ellipsis, Ellipsis), (1, Ellipsis, 2), (None, Ellipsis, 0, None),
    ([0, 1], slice(None), [1, 2]), (slice(None), [0, 1], slice(None)),
    (0, slice(None), [1, 2]), ([[0], [1]], slice(None), [1, 2]), [], ([],), [True, False],
    (slice(5, 10),), (slice(3, 1),), (slice(None, None, 2), slice(1, None, 3)),
    (np.int64(1),), np.array([0, 1]), (np.array([True, False]),), np.array(1), ((0, 1),),
    ((0, 1), (1, 2)), (Ellipsis, 0, Ellipsis), ([1.5],), ([0, 1.7],), [1.5, -0.5],
    (np.array([1.9]),), np.array([0, 1], dtype=np.int8), np.array([1, 0], dtype=np.uint8),
]


@pytest.mark.parametrize("key", GETITEM_KEYS, ids=repr)
def test_getitem_fixed_keys(key):
    def get(lib):
        x = to_ember(A, True) if lib is ember else to_torch(A, True)
        return x, x[key]

    e, t = both(get)
    if not assert_same_outcome(e, t, repr(key)):
        return
    assert_same(e[1], t[1])
    assert names(e[1]) == names(t[1])
    assert (e[1]._base is not None) == (t[1]._base is not None)


@pytest.mark.parametrize("key", [
    torch.tensor(1), torch.tensor(1, dtype=torch.int32), torch.tensor(1, dtype=torch.int8),
    torch.tensor(1, dtype=torch.uint8), torch.tensor(True), torch.tensor([0, 1]),
    torch.tensor([0, 1], dtype=torch.int32), torch.tensor([True, False]),
    torch.tensor([[0, 1], [1, 0]]), torch.ones(2, 3, dtype=torch.bool),
    torch.tensor([], dtype=torch.float32),
], ids=lambda k: f"{k.dtype}{list(k.shape)}")
def test_getitem_tensor_keys(key):
    a = key.numpy()

    def get(lib):
        x = to_ember(A, True) if lib is ember else to_torch(A, True)
        return x[to_ember(a) if lib is ember else key]

    e, t = both(get)
    if assert_same_outcome(e, t):
        assert_same(e, t)
        assert names(e) == names(t)


GETITEM_ERRORS = [
    5, -3, 3, (0, 0, 0, 0), (0, 10), ([5],), ([0], [7]), ([-4],), 1.5, (slice(1.5, None),), "a",
    (None, 0, 10), (Ellipsis, 10), (None, None, 0, 0, 7), (0, None, 7),
    slice(None, None, -1), slice(None, None, 0), ([0, 1], [0, 1, 2]), ([0, 5], [0, 7]),
    (slice(None), [0, 7]), (0, [0, 7]), {}, (np.float32(1),),
    (np.bool_(True),), (2**70,), 2**70, [[True, False, True]],
]


@pytest.mark.parametrize("key", GETITEM_ERRORS, ids=repr)
def test_getitem_errors(key):
    check_error(lambda lib: (to_ember(A) if lib is ember else to_torch(A))[key])


@pytest.mark.parametrize("key", [
    lambda lib: lib.tensor([1.0]), lambda lib: lib.tensor([True, False, True]),
    lambda lib: lib.tensor([1, 2], dtype=lib.int8), lambda lib: lib.tensor(1.0),
    lambda lib: lib.tensor(5), lambda lib: (slice(None), lib.tensor([True, False])),
    lambda lib: lib.ones(2, 4, dtype=lib.bool), lambda lib: (lib.ones(2, 3, 4, dtype=lib.bool), 0),
    lambda lib: (lib.ones(2, 2, dtype=lib.bool), slice(1, 3)),
    lambda lib: ([0, 1], lib.ones(3, dtype=lib.bool)),
])
def test_getitem_tensor_errors(key):
    check_error(lambda lib: (to_ember(A) if lib is ember else to_torch(A))[key(lib)])


@pytest.mark.parametrize("key", [0, 1, -1, None, Ellipsis, slice(None), [0], True, False,
                                 (None, None), (), (0,)], ids=repr)
def test_getitem_on_0d(key):
    def get(lib):
        return lib.tensor(5.0)[key]

    e, t = both(get)
    if assert_same_outcome(e, t, repr(key)):
        assert_same(e, t)
        assert (e._base is not None) == (t._base is not None)


def test_getitem_warnings_match_torch():
    for key in ([[0, 1]], [0, slice(None)]):
        for lib in LIBS:
            x = lib.zeros(3, 4)
            with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional"):
                x[key]
    with pytest.warns(UserWarning, match=r"indexing with dtype ember.uint8 is now deprecated"):
        ember.zeros(3)[ember.tensor([1, 0, 1], dtype=ember.uint8)]


def test_views_share_memory_and_version():
    for lib in LIBS:
        x = lib.zeros(3, 4)
        v = x[1]
        w = v[1:3]
        w.add_(1)
        assert x._version == v._version == w._version == 1
        assert x[1, 2].item() == 1
        adv = x[[0, 1]]
        adv.add_(5)
        assert x._version == 1 and x.sum().item() == 2
    et = ember.zeros(3)
    tt = torch.zeros(3)
    for t in (et, tt):
        v = t[0]
        v.fill_(5)
    assert_same(et, tt)


# --------------------------------------------------------------------------------- setitem fixed
SETITEM_CASES = [
    (0, 5.0), (0, "t0"), (0, "t0g"), (0, "row"), (slice(None), 1.0), (slice(None), "row"),
    (Ellipsis, "row"), (Ellipsis, 2.0), ((slice(None), slice(None)), 2.0),
    ((slice(None), slice(None)), "row"), (None, 1.0), (True, 1.0), (False, 1.0), ([0, 1], 1.0),
    ([0, 1], "row"), ((0, [1, 2]), 1.0), ((slice(None), [1, 2]), 1.0),
    ((slice(1, None), [1, 2]), 1.0), ("mask", 1.0), ("mask", "t0g"), ("mask1", "row"),
    ((0, 0), "t0g"), (slice(0, 2), "t0g"), ((slice(None), 1), "col"),
]


def _value(kind, lib):
    if kind == "t0":
        return lib.tensor(5.0)  # float32 into float64: cast by copy_/fill_, not by index_put_
    if kind == "t0g":
        return lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
    if kind == "row":
        return lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=True)
    if kind == "col":
        return lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    return kind


def _key(key, lib):
    if key == "mask":
        return lib.tensor([[True, False, True, True]] * 3)
    if key == "mask1":
        return lib.tensor([True, False, True])
    return key


@pytest.mark.parametrize("key,value", SETITEM_CASES, ids=repr)
def test_setitem_history_matches_torch(key, value):
    a = arange((3, 4))

    def run(lib):
        x = to_ember(a, True) if lib is ember else to_torch(a, True)
        y = x.clone()
        val = _value(value, lib)
        y[_key(key, lib)] = val
        nf = [f.name() if f is not None else None for f, _ in y.grad_fn.next_functions]
        y.backward(lib.ones(3, 4, dtype=lib.float64) * 2)
        vgrad = val.grad if isinstance(val, lib.Tensor) else None
        return y, names(y), nf, y._version, x.grad, vgrad

    e, t = both(run)
    assert assert_same_outcome(e, t)
    assert_same(e[0], t[0])
    assert e[1] == t[1]
    assert [n and n.replace("torch::autograd::AccumulateGrad", "AccumulateGrad") for n in e[2]] \
        == [n and n.replace("torch::autograd::AccumulateGrad", "AccumulateGrad") for n in t[2]]
    assert e[3] == t[3]
    assert_same(e[4], t[4])
    if t[5] is not None:
        assert_same(e[5], t[5])


SETITEM_ERRORS = [
    (0, lambda lib: lib.ones(5)), (0, lambda lib: lib.ones(2, 4)),
    ([0, 1], lambda lib: lib.ones(3, 4)), ([0, 1], lambda lib: lib.ones(3)),
    ([0, 1], lambda lib: lib.ones(2, 2, 4)), (0, lambda lib: [1, 2, 3, 4]),
    (0, lambda lib: (1, 2, 3, 4)), (0, lambda lib: np.ones(4)), (0, lambda lib: "a"),
    (0, lambda lib: None), (0, lambda lib: np.float32(2.5)), (0, lambda lib: np.bool_(True)),
    ([0, 1], lambda lib: lib.ones(4, dtype=lib.float64)), ([0], lambda lib: lib.tensor(2)),
    (5, lambda lib: 1.0), ([5], lambda lib: 1.0), ((0, 0, 0), lambda lib: 1.0),
    (lambda lib: lib.ones(2, 2, dtype=lib.bool), lambda lib: 1.0),
    ([7], lambda lib: lib.ones(5)), ([7], lambda lib: lib.ones(4, dtype=lib.float64)),
    (False, lambda lib: [1]), (0, lambda lib: 2**70), (slice(None, None, -1), lambda lib: 1.0),
]


@pytest.mark.parametrize("key,value", SETITEM_ERRORS, ids=repr)
def test_setitem_errors(key, value):
    def run(lib):
        x = lib.zeros(3, 4)
        x[key(lib) if callable(key) else key] = value(lib)

    check_error(run)


@pytest.mark.parametrize("dtype,value", [
    ("uint8", 300), ("uint8", -255), ("uint8", -256), ("int8", -200), ("int8", 127.9),
    ("int64", 1e20), ("int64", 2.7), ("bool", 0.5), ("bool", 5), ("float16", 1e10),
    ("bfloat16", 1e300), ("float32", 1e300), ("float32", float("inf")), ("int32", 2**31),
    ("int64", float("nan")), ("float64", np.int64(3)), ("int16", True),
])
def test_setitem_scalar_conversion(dtype, value):
    def run(lib):
        x = lib.zeros(3, dtype=getattr(lib, dtype))
        x[0] = value
        x[[1]] = value
        return x

    e, t = both(run)
    if assert_same_outcome(e, t):
        assert_same(e, t)


def test_setitem_leaf_errors():
    check_error(lambda lib: lib.zeros(3, requires_grad=True).__setitem__(0, 1.0))
    check_error(lambda lib: lib.zeros(3, requires_grad=True).__setitem__(Ellipsis, 1.0))
    check_error(lambda lib: lib.zeros(3, requires_grad=True).__setitem__([0], 1.0))
    for lib in LIBS:
        x = lib.zeros(3, requires_grad=True)
        x[False] = 1.0  # torch does nothing at all for a False key
        assert x._version == 0
        with lib.no_grad():
            x[0] = 2.0
        assert x._version == 1


def test_setitem_on_0d():
    for key, value in [(Ellipsis, 1.0), (None, 2.0), (True, 3.0), (0, 1.0), ([0], 3.0),
                       (slice(None), 3.0), (1, 3.0)]:
        def run(lib, key=key, value=value):
            t = lib.tensor(5.0)
            t[key] = value
            return t

        e, t = both(run)
        if assert_same_outcome(e, t, repr(key)):
            assert_same(e, t)
            assert e._version == t._version


def test_setitem_int_tensor_and_casts():
    def run(lib):
        x = lib.zeros(3, 4, dtype=lib.int64)
        x[0] = 2.7
        x[1] = lib.tensor([1.5, -1.5, 2.5, 3.9])
        x[2, 1:] = lib.tensor([True, False, True])
        x[[2], [0]] = 7
        return x

    e, t = both(run)
    assert_same(e, t)


# ------------------------------------------------------------------------------ expanded tensors
EXPANDED_OPS = {
    "zero_": lambda t, lib: t.zero_(),
    "fill_": lambda t, lib: t.fill_(1),
    "masked_fill_": lambda t, lib: t.masked_fill_(lib.tensor([True, False, True, True]), 1.0),
    "index_fill_": lambda t, lib: t.index_fill_(1, lib.tensor([0]), 1.0),
    "index_put_": lambda t, lib: t.index_put_((lib.tensor([0]),), lib.tensor(1.0)),
    "scatter_": lambda t, lib: t.scatter_(1, lib.tensor([[0, 1], [2, 0]]), 1.0),
    "index_add_": lambda t, lib: t.index_add_(1, lib.tensor([0]), lib.ones(3, 1)),
    "index_copy_": lambda t, lib: t.index_copy_(1, lib.tensor([0]), lib.ones(3, 1)),
    "put_": lambda t, lib: t.put_(lib.tensor([0]), lib.ones(1)),
    "masked_scatter_": lambda t, lib: t.masked_scatter_(lib.tensor([True] * 4), lib.ones(12)),
    "copy_": lambda t, lib: t.copy_(lib.ones(4)),
    "add_": lambda t, lib: t.add_(1),
    "set slice scalar": lambda t, lib: t.__setitem__(slice(0, 2), 1.0),
    "set slice row": lambda t, lib: t.__setitem__(slice(0, 2), lib.ones(4)),
    "set : row": lambda t, lib: t.__setitem__(slice(None), lib.ones(4)),
    "set ... scalar": lambda t, lib: t.__setitem__(Ellipsis, 1.0),
    "set (:, 0) scalar": lambda t, lib: t.__setitem__((slice(None), 0), 1.0),
    "set (0, 0)": lambda t, lib: t.__setitem__((0, 0), 1.0),
    "set 0 row": lambda t, lib: t.__setitem__(0, lib.ones(4)),
    "scatter_add_": lambda t, lib: t.scatter_add_(1, lib.tensor([[0, 1]]), lib.ones(1, 2)),
}


@pytest.mark.parametrize("name", list(EXPANDED_OPS))
def test_inplace_on_expanded_tensor(name):
    def run(lib):
        base = lib.zeros(1, 4)
        t = base.expand(3, 4)
        EXPANDED_OPS[name](t, lib)
        return base

    e, t = both(run)
    if assert_same_outcome(e, t, name):
        assert_same(e, t)


# ------------------------------------------------------------------------- copy_, fill_, zero_
def test_copy_matches_torch():
    def run(lib):
        x = lib.tensor(arange((3, 4)).tolist(), dtype=lib.float64, requires_grad=True)
        s = lib.tensor(arange((4,), np.float32).tolist(), dtype=lib.float32, requires_grad=True)
        y = x * 2
        y.copy_(s)
        (y * lib.tensor(arange((3, 4)).tolist(), dtype=lib.float64)).sum().backward()
        return y, x.grad, s.grad, names(y), y._version

    e, t = both(run)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert_same(e[2], t[2])
    assert e[3] == t[3] and e[4] == t[4]


@pytest.mark.parametrize("src", [
    lambda lib: lib.tensor([1.7, -1.7, 2.5]), lambda lib: lib.tensor([True, False, True]),
    lambda lib: lib.tensor(3), lambda lib: 1, lambda lib: 2.5,
])
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool", "float16", "uint8"])
def test_copy_casts(src, dtype):
    def run(lib):
        z = lib.zeros(3, dtype=getattr(lib, dtype))
        out = z.copy_(src(lib))
        assert out is z
        return z

    e, t = both(run)
    assert_same(e, t)
    assert e._version == t._version == 1


@pytest.mark.parametrize("fn", [
    lambda lib: lib.zeros(3).copy_(lib.ones(4)),
    lambda lib: lib.zeros(3).copy_(lib.ones(2, 3)),
    lambda lib: lib.zeros(3).copy_([1, 2, 3]),
    lambda lib: lib.zeros(3, requires_grad=True).copy_(lib.ones(3)),
    lambda lib: lib.zeros(3, requires_grad=True).copy_(lib.ones(4)),
    lambda lib: lib.zeros(3, requires_grad=True).fill_(lib.ones(4)),
    lambda lib: lib.zeros(3, requires_grad=True).zero_(),
    lambda lib: lib.zeros(3).fill_("a"),
    lambda lib: lib.zeros(3).fill_(lib.tensor([2.0, 1.0])),
    lambda lib: lib.zeros(3, dtype=lib.uint8).fill_(300),
    lambda lib: lib.zeros(3, dtype=lib.int64).fill_(2**64),
    lambda lib: lib.zeros(3, dtype=lib.float32).fill_(1e300),
])
def test_copy_fill_errors(fn):
    check_error(fn)


def test_fill_zero_history_and_versions():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor(2.0, requires_grad=True)
        out = []
        for op in (lambda y: y.fill_(1.0), lambda y: y.fill_(v), lambda y: y.zero_(),
                   lambda y: lib.fill(y, 2), lambda y: lib.fill(y, v), lambda y: lib.zero_(y),
                   lambda y: lib.fill_(y, v)):
            y = x * 1
            r = op(y)
            (r * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
            out.append((r, names(r), y._version, x.grad.clone(), v.grad))
        return out

    e, t = both(run)
    for a, b in zip(e, t):
        assert_same(a[0], b[0])
        assert a[1] == b[1] and a[2] == b[2]
        assert_same(a[3], b[3])
        assert_same(a[4], b[4])


@pytest.mark.parametrize("dtype,value", [
    ("int64", 2.7), ("uint8", -1), ("uint8", -255), ("bool", 0.5), ("bool", float("nan")),
    ("float16", float("inf")), ("int8", -128), ("int16", True), ("float32", 3),
])
def test_fill_scalar_conversion(dtype, value):
    def run(lib):
        return lib.zeros(2, dtype=getattr(lib, dtype)).fill_(value)

    e, t = both(run)
    if assert_same_outcome(e, t):
        assert_same(e, t)


# ----------------------------------------------------------------------------- in-place on views
def _grad_case(fn):
    def run(lib):
        x = lib.tensor(arange((3, 4)).tolist(), dtype=lib.float64, requires_grad=True)
        out = fn(lib, x)
        w = lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)).tolist(),
                       dtype=lib.float64)
        (out * w).sum().backward()
        return out, x.grad, names(out), out._version

    e, t = both(run)
    assert assert_same_outcome(e, t)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1], path="x.grad")
    assert e[2] == t[2]
    assert e[3] == t[3]


def _setitem(y, key, v):
    y[key] = v
    return y


VIEW_CASES = {
    "setitem scalar": lambda lib, x: _setitem(x.clone(), 0, 5.0),
    "view mul_": lambda lib, x: (lambda y: (y[1:].mul_(2), y)[1])(x.clone()),
    "view mul_ returns view": lambda lib, x: x.clone()[1:].mul_(x[0]),
    "nested views": lambda lib, x: (lambda y: (lambda v: (v[0].add_(x[0, 0]), v.mul_(x[1, 1]),
                                                          y)[2])(y[1:, 1:]))(x.clone()),
    "nested view result": lambda lib, x: (lambda y: (lambda v: (v[0].add_(x[0, 0]),
                                                                v.mul_(x[1, 1]), v)[2])(
        y[1:, 1:]))(x.clone()),
    "view of view of view": lambda lib, x: (lambda y: (y[1:][:, 1:][0].mul_(x[2, 0]), y)[1])(
        x.clone()),
    "setitem tensor": lambda lib, x: _setitem(x.clone(), (0, slice(1, None)), x[1, :3] * 3),
    "setitem advanced": lambda lib, x: _setitem(x.clone(), (slice(None), [0, 2]),
                                                x[:, [1, 1]] ** 2),
    "setitem mask": lambda lib, x: _setitem(x.clone(), x > 0, x[0, 1]),
    "two setitems": lambda lib, x: (lambda y: (_setitem(y, 0, x[1] * 2), _setitem(y, (1, 0),
                                                                                x[0, 1]), y)[2])(
        x.clone()),
    "view read after setitem": lambda lib, x: (lambda y: (_setitem(y, 0, x[1] * 2),
                                                          y[0, 1:])[1])(x.clone()),
    "view made before setitem, read via getitem": lambda lib, x: (lambda y: (lambda a: (
        _setitem(y, 0, x[1] * 2), a[0])[1])(y[0:2]))(x.clone()),
    "sibling views in place": lambda lib, x: (lambda y: (lambda a, b: (a.mul_(2), b.mul_(x[0]),
                                                                     y)[2])(y[:2], y[1:]))(
        x.clone()),
    "sibling view read after in-place": lambda lib, x: (lambda y: (lambda a, b: (
        a.mul_(2), b.mul_(3), b[0])[2])(y[:2], y[1:]))(x.clone()),
    "base in-place then view": lambda lib, x: (lambda y: (y.mul_(2), y[1, 1:2])[1])(x.clone()),
    "copy_ into view": lambda lib, x: (lambda y: (y[1].copy_(x[2] * 3), y)[1])(x.clone()),
    "index_put_ on view": lambda lib, x: (lambda y: (y[1:].index_put_(
        (lib.tensor([0, 0]),), x[0] * 2, accumulate=True), y)[1])(x.clone()),
    "scatter_ on view": lambda lib, x: (lambda y: (y[:, 1:].scatter_(
        1, lib.tensor([[0], [2], [1]]), x[:, :1] * 5), y)[1])(x.clone()),
    "index_add_ on transposed view": lambda lib, x: (lambda y: (y.t().index_add_(
        0, lib.tensor([1, 1]), x[:2, :3] * 3), y)[1])(x.clone()),
    "masked_fill_ on view": lambda lib, x: (lambda y: (y[0].masked_fill_(
        lib.tensor([True, False, True, False]), x[2, 2]), y)[1])(x.clone()),
    "zero_ on view": lambda lib, x: (lambda y: (y[:, 0].zero_(), y)[1])(x.clone()),
    "fill_ on view": lambda lib, x: (lambda y: (y[2].fill_(x[0, 0]), y)[1])(x.clone()),
    "setitem into zeros": lambda lib, x: _setitem(lib.zeros(3, 4, dtype=lib.float64),
                                                  slice(0, 2), x[1:] * x[:2]),
    "setitem into view of zeros": lambda lib, x: (lambda z: (_setitem(z[1], [0, 2], x[0, :2]),
                                                             z)[1])(
        lib.zeros(3, 4, dtype=lib.float64)),
}


@pytest.mark.parametrize("name", list(VIEW_CASES))
def test_inplace_on_views_matches_torch(name):
    _grad_case(VIEW_CASES[name])


def test_stale_view_used_by_another_op():
    _grad_case(lambda lib, x: (lambda y: (lambda a, b: (a.mul_(2), b * 1)[1])(y[:1], y[0:2]))(
        x.clone()))


def test_view_grad_fn_after_inplace():
    def run(lib):
        x = lib.tensor(arange((3, 4)).tolist(), dtype=lib.float64, requires_grad=True)
        y = x.clone()
        v = y[1:]
        v.mul_(2)
        w = v[0]
        before = w.grad_fn.name()
        w.add_(1)
        return (y.grad_fn.name(), v.grad_fn.name(), before, w.grad_fn.name(),
                type(y.grad_fn).__name__, [f.name() for f, _ in w.grad_fn.next_functions],
                v._version, y._version, w._version)

    e, t = both(run)
    assert e == t


def test_double_backward_through_setitem():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x.clone()
        y[1:] = x[:2] ** 3
        v = y[1:]
        v.mul_(x[1:])
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg

    e, t = both(run)
    assert assert_same_outcome(e, t)
    assert_same(e, t)


def test_backward_twice_through_copyslices():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y[0] = x[1] ** 2
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return x.grad

    e, t = both(run)
    assert_same(e, t)

    def twice(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        z = x * 2
        z[1:] = x[:2] ** 2
        z.sum().backward()
        z.sum().backward()

    check_error(twice)


MODIFIED_SAVED = [
    lambda lib, x: (lambda z: (z[1:].mul_(2), z.sum().backward()))(x.sigmoid()),
    lambda lib, x: (lambda y: (lambda w: (y.zero_(), w.sum().backward()))(y.sin()))(x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y.copy_(x * 2), w.sum().backward()))(y.sin()))(
        x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y.__setitem__([0], 1.0), w.sum().backward()))(
        y.sin()))(x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y.fill_(1.0), w.sum().backward()))(y.sin()))(
        x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y.index_put_((lib.tensor([1]),),
                                                       lib.tensor(0.0, dtype=lib.float64)),
                                          w.sum().backward()))(y.sin()))(x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y[1:].mul_(2), w.sum().backward()))(y.sin()))(
        x.clone()),
    lambda lib, x: (lambda y: (lambda w: (y.__setitem__(0, 2.0), w.sum().backward()))(
        y[1:].sin()))(x.clone()),
]


def _modified(fn):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        fn(lib, x)

    return run


@pytest.mark.parametrize("fn", MODIFIED_SAVED)
def test_modified_saved_tensor_error(fn):
    check_error(_modified(fn), "is at version 1; expected version 0 instead. Hint: enable "
                "anomaly detection to find the operation that failed to compute its gradient, "
                "with ember.autograd.set_detect_anomaly(True, check_nan=False).")
    e, t = both(_modified(fn))
    prefix = "one of the variables needed for gradient computation has been modified by an "
    assert str(e).startswith(prefix) and str(t).startswith(prefix)
    assert str(e).split(",")[0] == torch_text(str(t)).split(",")[0]


def test_modified_saved_tensor_error_names_current_grad_fn():
    check_error(_modified(MODIFIED_SAVED[1]))


# ------------------------------------------------------------------------------- index ops extra
def test_scatter_reduce_argument():
    def run(lib):
        out = []
        x = lib.tensor(arange((3, 4)).tolist())
        i = lib.tensor([[0, 1, 0], [2, 2, 2]])
        s = lib.tensor(arange((2, 3)).tolist())
        out.append(lib.scatter(x, 1, i, s, reduce="add"))
        out.append(lib.scatter(x, 1, i, s, reduce="multiply"))
        out.append(x.scatter(1, i, 2.0, reduce="add"))
        out.append(x.clone().scatter_(1, i, 2.0, reduce="multiply"))
        return out

    e, t = both(run)
    assert_same(e, t)
    check_error(lambda lib: lib.scatter(lib.ones(2, 2, requires_grad=True), 1,
                                        lib.tensor([[0], [1]]), lib.ones(2, 1),
                                        reduce="add").sum().backward())
    r = ember.scatter(ember.ones(2, 2, requires_grad=True), 1, ember.tensor([[0], [1]]),
                      ember.ones(2, 1), reduce="add")
    assert r.grad_fn.name() == "torch::autograd::NotImplemented"


def test_scatter_with_larger_src():
    def run(lib):
        x = lib.zeros(3, 4, requires_grad=True)
        s = lib.tensor(arange((3, 4), np.float32).tolist(), requires_grad=True)
        y = lib.scatter(x, 1, lib.tensor([[0, 1], [2, 0]]), s)
        z = lib.scatter_add(x, 0, lib.tensor([[0, 1, 2, 0]]), s)
        return y, z

    e, t = both(run)
    assert_same(e, t)
    check_error(lambda lib: run(lib)[0].sum().backward())


def test_where_method_and_one_arg_form():
    def run(lib):
        x = lib.tensor([[1.0, 0.0], [2.0, 0.0]])
        c = x > 0.5
        return x.where(c, -x), x.where(c, 3), lib.where(x), lib.where(c, x, 1)

    e, t = both(run)
    assert_same(e, t)


def test_where_uint8_condition_warns():
    with pytest.warns(UserWarning, match="where received a uint8 condition tensor"):
        r = ember.where(ember.tensor([1, 0], dtype=ember.uint8), 1.0, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.where(torch.tensor([1, 0], dtype=torch.uint8), 1.0, 0.0)
    assert_same(r, t)


def test_masked_fill_tensor_value_grads():
    def run(lib):
        x = lib.tensor(arange((2, 3)).tolist(), requires_grad=True)
        v = lib.tensor(1.5, requires_grad=True)
        m = lib.tensor([True, False, True])
        y = x.masked_fill(m, v)
        z = (x * 1).masked_fill_(m, 2.0)
        (y * 2 + z * 3).sum().backward()
        return y, z, x.grad, v.grad, names(y), names(z)

    e, t = both(run)
    assert_same(e, t)


def test_masked_scatter_inplace():
    def run(lib):
        x = lib.tensor(arange((3, 4)).tolist(), requires_grad=True)
        s = lib.tensor(arange((12,)).tolist(), requires_grad=True)
        m = lib.tensor([True, False, True, True])
        y = x * 1
        y.masked_scatter_(m, s * 2)
        y.sum().backward()
        return y, x.grad, s.grad, names(y), y._version

    e, t = both(run)
    assert_same(e, t)
    check_error(lambda lib: lib.zeros(1, 4).masked_scatter_(lib.ones(3, 1, dtype=lib.bool),
                                                           lib.arange(12.0)))
    check_error(lambda lib: lib.zeros(3).masked_scatter_(lib.ones(3, dtype=lib.bool),
                                                        lib.arange(2.0)))


def test_index_put_accumulate_duplicates_grads():
    def run(lib):
        x = lib.tensor(arange((3, 4)).tolist(), requires_grad=True)
        v = lib.tensor(arange((3, 4)).tolist(), requires_grad=True)
        idx = lib.tensor([1, 1, 1])
        y = lib.index_put(x, (idx,), v * 2, accumulate=True)
        z = x[idx]  # IndexBackward0 with duplicates: gradients sum
        (y.sum() + (z * z).sum()).backward()
        return y, x.grad, v.grad

    e, t = both(run)
    assert_same(e, t)


def test_index_put_argument_errors():
    check_error(lambda lib: lib.zeros(3).index_put_((None,), lib.tensor(1.0)), "type")
    check_error(lambda lib: lib.index_put(lib.zeros(3), (lib.tensor([0]),), 1.0))


def test_double_backward_through_getitem():
    def run(lib):
        z = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        w = (z[1] ** 3) + z[[0, 0]].pow(2).sum() + z[1:][::2].pow(3).sum() + z[None, 2] ** 2
        (g,) = lib.autograd.grad(w.sum(), z, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), z)
        return g, gg

    e, t = both(run)
    assert_same(e, t)


def test_gradcheck_getitem_setitem():
    x = ember.tensor(arange((3, 4)).tolist(), dtype=ember.float64, requires_grad=True)
    v = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)

    def f(x, v):
        y = x * 1
        y[0, 1:3] = v * v
        y[[2, 2], [0, 3]] = v
        return y[1:, [0, 0, 2]] * y[None, 0, ..., 1:4:2].sum()

    assert ember.autograd.gradcheck(f, (x, v))
