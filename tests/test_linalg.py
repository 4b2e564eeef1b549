"""Linear algebra beyond the op database: matmul over random shapes (hypothesis), grad_fn
names, in-place forms, double backward, ember.linalg, warnings. Everything against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
import ember.linalg

from .helpers import assert_same, assert_same_error

F32 = np.float32
F64 = np.float64


def _arr(shape, dtype=F64, seed=0, transposed=False):
    rng = np.random.default_rng(seed)
    if transposed and len(shape) >= 2:
        s = tuple(shape[:-2]) + (shape[-1], shape[-2])
        return np.swapaxes(rng.uniform(-2, 2, s).astype(dtype), -1, -2)
    return rng.uniform(-2, 2, tuple(shape)).astype(dtype)


def _pair(x: np.ndarray, requires_grad: bool = False):
    """The same values as an ember and a torch tensor (strides kept: shared memory)."""
    e = ember.from_numpy(x)
    t = torch.from_numpy(x)
    if requires_grad:
        e = e.detach().requires_grad_()
        t = t.detach().requires_grad_()
    return e, t


def _name(x):
    fn = x.grad_fn
    return None if fn is None else fn.name()


# ---------------------------------------------------------------------------------- hypothesis
@st.composite
def matmul_case(draw):
    d1 = draw(st.integers(1, 4))
    d2 = draw(st.integers(1, 4))
    n, k, p = (draw(st.sampled_from([0, 1, 2, 3, 3, 4])) for _ in range(3))
    nb = max(d1, d2) - 2
    full = [draw(st.integers(1, 3)) for _ in range(max(nb, 0))]

    def batch(d):
        if d < 3:
            return ()
        b = full[len(full) - (d - 2):]
        return tuple(1 if draw(st.booleans()) else s for s in b)

    a = batch(d1) + ((n, k) if d1 >= 2 else (k,))
    kb = k + 1 if draw(st.integers(0, 9)) == 0 else k  # sometimes a mismatch
    b = batch(d2) + ((kb, p) if d2 >= 2 else (kb,))
    return (a, b, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()),
            draw(st.booleans()), draw(st.sampled_from([F64, F32])))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matmul_case())
def test_matmul_random_shapes(case):
    a_shape, b_shape, ta, tb, ga, gb, dtype = case
    a = _arr(a_shape, dtype, 1, ta)
    b = _arr(b_shape, dtype, 2, tb)
    ea, ta_ = _pair(a, ga)
    eb, tb_ = _pair(b, gb)
    try:
        t = torch.matmul(ta_, tb_)
    except Exception:  # noqa: BLE001 - compare the error instead
        assert_same_error(lambda: ember.matmul(ea, eb), lambda: torch.matmul(ta_, tb_))
        return
    e = ember.matmul(ea, eb)
    assert_same(e, t)
    assert _name(e) == _name(t), (a_shape, b_shape, ta, tb, ga, gb)
    if ga or gb:
        w = _arr(tuple(t.shape), dtype, 3)
        (t * torch.from_numpy(w)).sum().backward()
        (e * ember.from_numpy(w)).sum().backward()
        for ex, tx in ((ea, ta_), (eb, tb_)):
            if tx.requires_grad:
                assert_same(ex.grad, tx.grad, atol=1e-5, rtol=1e-5)


@st.composite
def einsum_case(draw):
    nops = draw(st.integers(1, 3))
    sizes = {c: draw(st.integers(1, 3)) for c in "abcd"}
    ell = draw(st.integers(0, 2))
    ell_shape = tuple(draw(st.integers(1, 3)) for _ in range(ell))
    terms, shapes = [], []
    for _ in range(nops):
        labels = draw(st.lists(st.sampled_from("abcd"), max_size=3))
        shape = [1 if draw(st.integers(0, 4)) == 0 else sizes[c] for c in labels]
        for i, c in enumerate(labels):  # repeated labels need equal sizes (a diagonal)
            if c in labels[:i]:
                shape[i] = shape[labels.index(c)]
        if ell and draw(st.booleans()):
            cut = draw(st.integers(0, len(labels)))
            nd = draw(st.integers(0, ell))
            es = [1 if draw(st.booleans()) else s for s in ell_shape[ell - nd:]]
            labels = labels[:cut] + ["..."] + labels[cut:]
            shape = shape[:cut] + es + shape[cut:]
        terms.append("".join(labels))
        shapes.append(tuple(shape))
    eq = ",".join(terms)
    if draw(st.booleans()):
        used = sorted({c for t in terms for c in t if c != "."})
        out = draw(st.permutations(used))[: draw(st.integers(0, len(used)))]
        has_ell = any("..." in t for t in terms)
        eq += "->" + ("..." if has_ell and draw(st.booleans()) else "") + "".join(out)
    return eq, shapes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(einsum_case())
def test_einsum_random_equations(case):
    eq, shapes = case
    arrays = [_arr(s, F64, seed=i) for i, s in enumerate(shapes)]
    es, ts = zip(*[_pair(a, True) for a in arrays])
    try:
        t = torch.einsum(eq, *ts)
    except Exception:  # noqa: BLE001 - compare the error instead
        assert_same_error(lambda: ember.einsum(eq, *es), lambda: torch.einsum(eq, *ts))
        return
    e = ember.einsum(eq, *es)
    assert_same(e, t)
    assert _name(e) == _name(t), eq
    w = _arr(tuple(t.shape), F64, 9)
    (t * torch.from_numpy(w)).sum().backward()
    (e * ember.from_numpy(w)).sum().backward()
    for ex, tx in zip(es, ts):
        assert_same(ex.grad, tx.grad)


# ---------------------------------------------------------------------------------- grad_fn
NAME_CASES = [
    ((3,), (3,), True, True, False, False),
    ((2, 3), (3,), True, True, False, False),
    ((3,), (3, 4), True, False, False, False),
    ((2, 3), (3, 4), True, True, False, False),
    ((5, 2, 3), (3, 4), True, True, False, False),
    ((5, 2, 3), (3, 4), True, False, False, False),
    ((2, 3), (5, 3, 4), False, True, False, False),
    ((2, 3), (5, 3, 4), True, False, False, False),
    ((1, 3), (5, 3, 4), True, False, False, False),
    ((2, 3), (5, 3, 1), True, True, False, False),
    ((2, 3), (0, 3, 4), True, False, False, False),
    ((5, 2, 3), (5, 3, 4), True, True, False, False),
    ((2, 1, 2, 3), (5, 3, 4), True, True, False, False),
    ((3,), (5, 3, 4), True, False, False, False),
    ((3,), (5, 3, 4), False, True, False, False),
    ((5, 2, 3), (3,), True, False, False, False),
    ((2, 5, 3), (3, 4), True, False, True, False),  # non-contiguous batch: no fold
    ((5, 2, 3), (1, 3, 4), True, True, False, False),  # size-1 batch requiring grad: squeezed
    ((1, 2, 3), (5, 3, 4), True, False, False, False),
    ((1, 2, 3), (5, 3, 4), False, True, False, False),
]


@pytest.mark.parametrize("a_shape,b_shape,ga,gb,ta,tb", NAME_CASES)
def test_matmul_grad_fn_names(a_shape, b_shape, ga, gb, ta, tb):
    a, b = _arr(a_shape, F32, 1), _arr(b_shape, F32, 2)
    if ta:  # a permuted (non-foldable) batch
        a = np.ascontiguousarray(np.swapaxes(a, 0, 1))
        a = np.swapaxes(a, 0, 1)
    ea, tta = _pair(a, ga)
    eb, ttb = _pair(b, gb)
    assert _name(ember.matmul(ea, eb)) == _name(torch.matmul(tta, ttb))


def _named_calls():
    r = _arr
    return [
        ("mm", lambda L, x: L.mm(*x), [r((2, 3)), r((3, 4))]),
        ("bmm", lambda L, x: L.bmm(*x), [r((2, 2, 3)), r((2, 3, 4))]),
        ("mv", lambda L, x: L.mv(*x), [r((2, 3)), r((3,))]),
        ("dot", lambda L, x: L.dot(*x), [r((3,)), r((3,))]),
        ("vdot", lambda L, x: L.vdot(*x), [r((3,)), r((3,))]),
        ("outer", lambda L, x: L.outer(*x), [r((2,)), r((3,))]),
        ("ger", lambda L, x: L.ger(*x), [r((2,)), r((3,))]),
        ("addmm", lambda L, x: L.addmm(*x), [r((4,)), r((2, 3)), r((3, 4))]),
        ("addmv", lambda L, x: L.addmv(*x, beta=0.5), [r((2,)), r((2, 3)), r((3,))]),
        ("addbmm", lambda L, x: L.addbmm(*x), [r((2, 4)), r((5, 2, 3)), r((5, 3, 4))]),
        ("baddbmm", lambda L, x: L.baddbmm(*x, alpha=2), [r((5, 2, 4)), r((5, 2, 3)),
                                                           r((5, 3, 4))]),
        ("addr", lambda L, x: L.addr(*x), [r((2, 3)), r((2,)), r((3,))]),
        ("trace", lambda L, x: L.trace(*x), [r((3, 4))]),
        ("cross", lambda L, x: L.cross(*x, dim=1), [r((4, 3)), r((4, 3))]),
        ("kron", lambda L, x: L.kron(*x), [r((2, 3)), r((2, 2))]),
        ("inner", lambda L, x: L.inner(*x), [r((2, 3)), r((4, 3))]),
        ("inner0d", lambda L, x: L.inner(*x), [r(()), r((4, 3))]),
        ("tensordot", lambda L, x: L.tensordot(*x, dims=1), [r((2, 3)), r((3, 4))]),
        ("chain", lambda L, x: L.chain_matmul(*x), [r((2, 3)), r((3, 4)), r((4, 2))]),
        ("chain1", lambda L, x: L.chain_matmul(*x), [r((2, 3))]),
        ("multi_dot", lambda L, x: L.linalg.multi_dot(x), [r((3,)), r((3, 4)), r((4,))]),
        ("vecdot", lambda L, x: L.linalg.vecdot(*x), [r((2, 3)), r((3,))]),
        ("vecdot1d", lambda L, x: L.linalg.vecdot(*x), [r((3,)), r((3,))]),
        ("lcross", lambda L, x: L.linalg.cross(*x), [r((4, 3)), r((1, 3))]),
        ("lmatmul", lambda L, x: L.linalg.matmul(*x), [r((3,)), r((3, 4))]),
    ] + [
        (f"einsum {eq}", (lambda eq: lambda L, x: L.einsum(eq, *x))(eq),
         [r(s, seed=i) for i, s in enumerate(shapes)])
        for eq, shapes in [
            ("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
            ("ij->ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]), ("i,i", [(3,), (3,)]),
            ("i,i->i", [(3,), (3,)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
            ("i,j,k->ijk", [(2,), (3,), (4,)]), ("...ij,...jk", [(5, 2, 3), (3, 4)]),
            ("", [()]),
        ]
    ]


@pytest.mark.parametrize("name,fn,arrays", _named_calls(), ids=lambda v: v if
                         isinstance(v, str) else "")
def test_grad_fn_names_values_and_grads(name, fn, arrays):
    es, ts = zip(*[_pair(a, True) for a in arrays])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = fn(ember, list(es)), fn(torch, list(ts))
    assert_same(e, t)
    assert _name(e) == _name(t)
    w = _arr(tuple(t.shape), F64, 9)
    (t * torch.from_numpy(w)).sum().backward()
    (e * ember.from_numpy(w)).sum().backward()
    for ex, tx in zip(es, ts):
        assert_same(ex.grad, tx.grad)


# ---------------------------------------------------------------------------------- backward
def test_matmul_double_backward():
    a, b = _arr((5, 2, 3)), _arr((3, 4), seed=1)
    results = []
    for lib in (ember, torch):
        x = lib.from_numpy(a.copy()).requires_grad_()
        y = lib.from_numpy(b.copy()).requires_grad_()
        out = lib.matmul(x, y).pow(2).sum()
        gx, gy = lib.autograd.grad(out, (x, y), create_graph=True)
        (gx.sum() + (gy * gy).sum()).backward()
        results.append((gx, gy, x.grad, y.grad))
    assert_same(results[0], results[1])


def test_einsum_double_backward_and_diagonal():
    a, b = _arr((3, 3, 2)), _arr((2, 4), seed=1)
    results = []
    for lib in (ember, torch):
        x = lib.from_numpy(a.copy()).requires_grad_()
        y = lib.from_numpy(b.copy()).requires_grad_()
        out = lib.einsum("iij,jk->ik", x, y)
        (gx,) = lib.autograd.grad((out * out).sum(), (x,), create_graph=True)
        (gx * gx).sum().backward()
        results.append((out, gx, y.grad))
    assert_same(results[0], results[1])


def test_gradcheck_composites():
    def mk(*shape):
        return ember.from_numpy(_arr(shape, seed=len(shape))).requires_grad_()

    cases = [
        (lambda a, b: ember.matmul(a, b), (mk(2, 2, 3), mk(3))),
        (lambda a, b: ember.matmul(a, b), (mk(3), mk(2, 3, 2))),
        (lambda a, b: ember.einsum("ij,kj->ik", a, b), (mk(2, 3), mk(1, 3))),
        (lambda a, b: ember.einsum("i,ij->", a, b), (mk(3), mk(3, 2))),
        (lambda a, b: ember.addbmm(a, b, b.mT, beta=0.5), (mk(2, 2), mk(3, 2, 3))),
    ]
    for fn, args in cases:
        assert ember.autograd.gradcheck(fn, args, eps=1e-6, atol=1e-5, rtol=1e-3)


# ---------------------------------------------------------------------------------- in-place
INPLACE = [
    ("addmm_", [(2, 4), (2, 3), (3, 4)], {"beta": 0.5, "alpha": 2}),
    ("addmv_", [(2,), (2, 3), (3,)], {}),
    ("addbmm_", [(2, 4), (5, 2, 3), (5, 3, 4)], {"alpha": -1}),
    ("baddbmm_", [(5, 2, 4), (5, 2, 3), (5, 3, 4)], {"beta": 0}),
    ("addr_", [(2, 3), (2,), (3,)], {"beta": 2}),
]


@pytest.mark.parametrize("name,shapes,kw", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_values_history_and_grads(name, shapes, kw):
    arrays = [_arr(s, seed=i) for i, s in enumerate(shapes)]
    out = []
    for conv in (ember.from_numpy, torch.from_numpy):
        leaves = [conv(a.copy()).requires_grad_() for a in arrays]
        x = leaves[0] * 1
        r = getattr(x, name)(*leaves[1:], **kw)
        assert r is x
        (x * x).sum().backward()
        out.append((x, x.grad_fn.name(), x._version, [v.grad for v in leaves]))
    assert_same(out[0], out[1])


INPLACE_ERRORS = [
    ("addmm_", [(4,), (2, 3), (3, 4)]),
    ("addmm_", [(1, 2, 4), (2, 3), (3, 4)]),
    ("addmm_", [(4,), (2, 3), (5, 4)]),
    ("addmv_", [(1,), (2, 3), (3,)]),
    ("baddbmm_", [(2, 4), (5, 2, 3), (5, 3, 4)]),
    ("baddbmm_", [(3, 2, 4), (5, 2, 3), (5, 3, 4)]),
    ("addr_", [(3,), (2,), (3,)]),
    ("addr_", [(2, 4), (2,), (3,)]),
]


@pytest.mark.parametrize("name,shapes", INPLACE_ERRORS)
def test_inplace_errors(name, shapes):
    arrays = [_arr(s, F32, seed=i) for i, s in enumerate(shapes)]
    e = [ember.from_numpy(a.copy()) for a in arrays]
    t = [torch.from_numpy(a.copy()) for a in arrays]
    assert_same_error(lambda: getattr(e[0], name)(*e[1:]), lambda: getattr(t[0], name)(*t[1:]))


def test_inplace_leaf_error_and_dtype():
    e = ember.from_numpy(_arr((2, 4))).requires_grad_()
    t = torch.from_numpy(_arr((2, 4))).requires_grad_()
    m1, m2 = _arr((2, 3)), _arr((3, 4))
    assert_same_error(lambda: e.addmm_(ember.from_numpy(m1), ember.from_numpy(m2)),
                      lambda: t.addmm_(torch.from_numpy(m1), torch.from_numpy(m2)))
    ei = ember.from_numpy(np.ones((2, 3), np.int64))
    ti = torch.from_numpy(np.ones((2, 3), np.int64))
    v1, v2 = _arr((2,), F32), _arr((3,), F32)
    assert_same_error(lambda: ei.addr_(ember.from_numpy(v1), ember.from_numpy(v2)),
                      lambda: ti.addr_(torch.from_numpy(v1), torch.from_numpy(v2)))


def test_addbmm_inplace_resizes_like_torch():
    s, b1, b2 = _arr((4,)), _arr((5, 2, 3), seed=1), _arr((5, 3, 4), seed=2)
    # torch cannot resize a tensor sharing a NumPy array's memory: use owned copies.
    e = ember.tensor(s.tolist(), dtype=ember.float64)
    t = torch.tensor(s.tolist(), dtype=torch.float64)
    e.addbmm_(ember.from_numpy(b1), ember.from_numpy(b2))
    t.addbmm_(torch.from_numpy(b1), torch.from_numpy(b2))
    assert_same(e, t)


# ---------------------------------------------------------------------------------- linalg
LINALG = [
    ("vecdot", [(2, 3), (4, 1, 3)], {}),
    ("vecdot", [(3, 2), (3, 2)], {"dim": 0}),
    ("vecdot", [(3,), (3,)], {}),
    ("multi_dot", [(2, 3), (3, 4), (4, 5)], None),
    ("multi_dot", [(3,), (3, 4), (4, 2), (2, 5), (5,)], None),
    ("multi_dot", [(2, 6), (6, 1), (1, 5), (5, 3)], None),
    ("multi_dot", [(3,), (3,)], None),
    ("cross", [(4, 3), (4, 3)], {}),
    ("cross", [(3, 4), (3, 4)], {"dim": 0}),
    ("matmul", [(5, 2, 3), (3,)], {}),
]


@pytest.mark.parametrize("name,shapes,kw", LINALG)
def test_linalg_functions(name, shapes, kw):
    arrays = [_arr(s, seed=i) for i, s in enumerate(shapes)]
    es, ts = zip(*[_pair(a, True) for a in arrays])
    if kw is None:  # list argument
        e, t = getattr(ember.linalg, name)(list(es)), getattr(torch.linalg, name)(list(ts))
    else:
        e, t = getattr(ember.linalg, name)(*es, **kw), getattr(torch.linalg, name)(*ts, **kw)
    assert_same(e, t)
    assert _name(e) == _name(t)
    e.sum().backward()
    t.sum().backward()
    for ex, tx in zip(es, ts):
        assert_same(ex.grad, tx.grad)


def _z(*shape, dtype=F32):
    return np.full(shape, 0.5, dtype=dtype)


LINALG_ERRORS = [
    ("vecdot", [np.ones(3, np.int64), np.ones(3, np.int64)], {}),
    ("vecdot", [_z(3), _z(3, dtype=F64)], {}),
    ("vecdot", [_z(3), _z(4)], {}),
    ("vecdot", [_z(2, 3), _z(4)], {}),
    ("vecdot", [_z(2, 3), _z(3)], {"dim": 2}),
    ("multi_dot", [[_z(3, 3)]], {}),
    ("multi_dot", [[]], {}),
    ("multi_dot", [[_z(2, 3), _z(2, 3, 4)]], {}),
    ("multi_dot", [[_z(2, 2, 3), _z(3, 4)]], {}),
    ("multi_dot", [[_z(2, 3), _z(3), _z(3, 4)]], {}),
    ("multi_dot", [[_z(2, 3), _z(4, 4)]], {}),
    ("multi_dot", [[_z(2, 3), _z(3, 4, dtype=F64)]], {}),
    ("multi_dot", [[np.ones((2, 3), np.int64), _z(3, 4)]], {}),
    ("multi_dot", [[_z(3), 3]], {}),
    ("multi_dot", [3], {}),
    ("cross", [_z(3, 4), _z(3, 4)], {}),
    ("cross", [_z(4, 3), _z(2, 3)], {}),
    ("cross", [_z(4, 3), _z(3)], {}),
    ("cross", [_z(4, 3), _z(4, 3, dtype=F64)], {}),
    ("cross", [_z(4, 3), _z(4, 3)], {"dim": 2}),
    ("matmul", [3, _z(2)], {}),
]


@pytest.mark.parametrize("name,arrays,kw", LINALG_ERRORS)
def test_linalg_errors(name, arrays, kw):
    def conv(lib):
        def c(x):
            if isinstance(x, np.ndarray):
                return lib.from_numpy(x.copy())
            if isinstance(x, list):
                return [c(v) for v in x]
            return x
        return [c(a) for a in arrays]

    assert_same_error(lambda: getattr(ember.linalg, name)(*conv(ember), **kw),
                      lambda: getattr(torch.linalg, name)(*conv(torch), **kw))


# ---------------------------------------------------------------------------------- misc
def test_out_variants():
    a, b = _arr((2, 3), F32), _arr((3, 4), F32, seed=1)
    eo, to = ember.from_numpy(np.zeros((2, 4), F32)), torch.from_numpy(np.zeros((2, 4), F32))
    e = ember.matmul(ember.from_numpy(a), ember.from_numpy(b), out=eo)
    torch.matmul(torch.from_numpy(a), torch.from_numpy(b), out=to)
    assert e is eo
    assert_same(eo, to)
    for name in ("mm", "matmul"):
        assert_same_error(
            lambda n=name: getattr(ember, n)(ember.from_numpy(a), ember.from_numpy(b),
                                             out=ember.from_numpy(np.zeros((2, 4), F64))),
            lambda n=name: getattr(torch, n)(torch.from_numpy(a), torch.from_numpy(b),
                                             out=torch.from_numpy(np.zeros((2, 4), F64))))


def test_einsum_sublist_format():
    a, b = _arr((2, 3)), _arr((3, 4), seed=1)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    assert_same(ember.einsum(ea, [0, 1], eb, [1, 2], [0, 2]),
                torch.einsum(ta, [0, 1], tb, [1, 2], [0, 2]))
    assert_same(ember.einsum(ea, [..., 1], eb, [1, 27]), torch.einsum(ta, [..., 1], tb, [1, 27]))
    assert_same_error(lambda: ember.einsum(ea, [60]), lambda: torch.einsum(ta, [60]))


def test_einsum_dtypes_follow_torch():
    i32 = np.arange(9, dtype=np.int32).reshape(3, 3)
    b = np.ones((3,), np.bool_)
    cases = [("ij->", [i32]), ("ij->i", [i32]), ("ij,jk->ik", [i32, i32]),
             ("ij,jk->", [i32, i32]), ("i,i->i", [b, b]), ("ij->", [np.ones((2, 2), np.bool_)]),
             ("i,j->ij", [_arr((3,), F32), _arr((2,), F64)])]
    for eq, arrays in cases:
        e = ember.einsum(eq, *[ember.from_numpy(a) for a in arrays])
        t = torch.einsum(eq, *[torch.from_numpy(a) for a in arrays])
        assert_same(e, t)


def test_deprecation_warnings():
    a = _arr((4, 3))
    with pytest.warns(UserWarning, match="cross without specifying the dim"):
        ember._ops.linalg._cross_warned[0] = False
        ember.cross(ember.from_numpy(a), ember.from_numpy(a))
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember._ops.linalg._chain_warned[0] = False
        ember.chain_matmul(ember.from_numpy(a))


def test_half_products_round_once():
    rng = np.random.default_rng(0)
    for dt, tdt in ((np.float16, torch.float16),):
        a = rng.uniform(-1, 1, (16, 64)).astype(dt)
        b = rng.uniform(-1, 1, (64, 8)).astype(dt)
        e = ember.matmul(ember.from_numpy(a), ember.from_numpy(b))
        t = torch.matmul(torch.from_numpy(a), torch.from_numpy(b))
        assert t.dtype == tdt
        assert_same(e, t, atol=2e-3, rtol=2e-3)


def test_matmul_operator():
    a, b = _arr((2, 3)), _arr((3,), seed=1)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    assert_same(ea @ eb, torch.from_numpy(a) @ torch.from_numpy(b))
    with pytest.raises(TypeError):
        ea @ 2  # noqa: B018
    with pytest.raises(TypeError):
        [1.0, 2.0] @ ea  # noqa: B018


# ---------------------------------------------------------------------------------- decomps
def _spd(shape, seed=0):
    a = _arr(shape, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _sq(o):
    """A loss insensitive to the signs of singular/eigen vectors (LAPACK builds differ)."""
    if isinstance(o, tuple):
        return sum((x * x).sum() for x in o if x.numel())
    return (o * o).sum()


DECOMP = [
    ("det", lambda L, a: L.linalg.det(a), [_arr((2, 3, 3))], None),
    ("det singular", lambda L, a: L.linalg.det(a),
     [np.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])], None),
    ("torch.det", lambda L, a: L.det(a), [_arr((3, 3))], None),
    ("slogdet", lambda L, a: L.linalg.slogdet(a), [_arr((2, 3, 3))], None),
    ("inv", lambda L, a: L.linalg.inv(a), [_arr((2, 3, 3))], None),
    ("inverse", lambda L, a: L.inverse(a), [_arr((3, 3))], None),
    ("solve", lambda L, a, b: L.linalg.solve(a, b), [_arr((2, 3, 3)), _arr((3, 2), seed=1)],
     None),
    ("solve vec", lambda L, a, b: L.linalg.solve(a, b), [_arr((2, 3, 3)), _arr((2, 3), seed=1)],
     None),
    ("solve 1d", lambda L, a, b: L.linalg.solve(a, b), [_arr((3, 3)), _arr((3,), seed=1)],
     None),
    ("solve right", lambda L, a, b: L.linalg.solve(a, b, left=False),
     [_arr((3, 3)), _arr((4, 3), seed=1)], None),
    ("cholesky", lambda L, a: L.linalg.cholesky(a), [_spd((2, 3, 3))], None),
    ("cholesky upper", lambda L, a: L.linalg.cholesky(a, upper=True), [_spd((3, 3))], None),
    ("eigh", lambda L, a: L.linalg.eigh(a), [_spd((2, 3, 3))], _sq),
    ("eigh U", lambda L, a: L.linalg.eigh(a, UPLO="U"), [_spd((3, 3))], _sq),
    ("eigvalsh", lambda L, a: L.linalg.eigvalsh(a), [_spd((3, 3))], None),
    ("qr", lambda L, a: L.linalg.qr(a), [_arr((2, 4, 3))], _sq),
    ("qr wide", lambda L, a: L.linalg.qr(a), [_arr((3, 5))], _sq),
    ("qr complete square", lambda L, a: L.linalg.qr(a, mode="complete"), [_arr((3, 3))], _sq),
    ("svd", lambda L, a: L.linalg.svd(a, full_matrices=False), [_arr((2, 4, 3))], _sq),
    ("svd wide full", lambda L, a: L.linalg.svd(a), [_arr((3, 5))], _sq),
    ("svdvals", lambda L, a: L.linalg.svdvals(a), [_arr((2, 4, 3))], None),
] + [
    (f"matrix_norm {o} {k}", (lambda o, k: lambda L, a: L.linalg.matrix_norm(
        a, o, dim=(2, 0), keepdim=k))(o, k), [_arr((3, 2, 4))], None)
    for o in ("fro", "nuc", 2, -2, 1, -1, float("inf"), float("-inf")) for k in (False, True)
] + [
    (f"norm {o} {d}", (lambda o, d: lambda L, a: L.linalg.norm(a, o, d))(o, d), [_arr((3, 4))],
     None)
    for o, d in ((None, None), (2, None), ("fro", None), (1, (0,)), (3, 1), ("nuc", (0, 1)),
                 (float("inf"), None))
] + [("vector_norm", lambda L, a: L.linalg.vector_norm(a, 3, 1), [_arr((3, 4))], None)]


@pytest.mark.parametrize("name,fn,arrays,loss", DECOMP, ids=[c[0] for c in DECOMP])
def test_decompositions(name, fn, arrays, loss):
    es, ts = zip(*[_pair(a, True) for a in arrays])
    e, t = fn(ember, *es), fn(torch, *ts)
    first_e = e[0] if isinstance(e, tuple) else e
    first_t = t[0] if isinstance(t, tuple) else t
    assert type(e).__name__ == type(t).__name__
    assert _name(first_e) == _name(first_t)
    if loss is None:  # a unique result: compare it
        assert_same(e, t)
        loss = _sq
    le, lt = loss(e), loss(t)
    assert_same(le, lt)
    le.backward()
    lt.backward()
    for ex, tx in zip(es, ts):
        assert_same(ex.grad, tx.grad, atol=1e-6, rtol=1e-6)


def test_decompositions_reconstruct():
    a = _arr((2, 4, 3))
    ea = ember.from_numpy(a)
    q, r = ember.linalg.qr(ea)
    np.testing.assert_allclose((q @ r if hasattr(q, "__matmul__") else ember.matmul(q, r))._data,
                               a, atol=1e-12)
    u, s, vh = ember.linalg.svd(ea, full_matrices=False)
    np.testing.assert_allclose(ember.matmul(u * s.unsqueeze(-2), vh)._data, a, atol=1e-12)
    spd = _spd((3, 3))
    w, v = ember.linalg.eigh(ember.from_numpy(spd))
    np.testing.assert_allclose(ember.matmul(v * w.unsqueeze(-2), v.mT)._data, spd, atol=1e-12)


def test_decomposition_gradcheck():
    def mk(a):
        return ember.from_numpy(a).requires_grad_()

    cases = [
        (lambda a: ember.linalg.inv(a), (mk(_arr((3, 3))),)),
        (lambda a: ember.linalg.det(a), (mk(_arr((2, 3, 3))),)),
        (lambda a, b: ember.linalg.solve(a, b), (mk(_arr((3, 3))), mk(_arr((3, 2), seed=1)))),
        (lambda a: ember.linalg.cholesky(a + a.mT), (mk(_spd((3, 3)) / 2),)),
        (lambda a: _sq(ember.linalg.eigh(a + a.mT)), (mk(_spd((3, 3)) / 2),)),
        (lambda a: _sq(ember.linalg.qr(a)), (mk(_arr((4, 3))),)),
        (lambda a: _sq(ember.linalg.svd(a, full_matrices=False)), (mk(_arr((3, 4))),)),
    ]
    for fn, args in cases:
        assert ember.autograd.gradcheck(fn, args, eps=1e-6, atol=1e-5, rtol=1e-3)


DECOMP_ERRORS = [
    ("det", [np.ones((2, 2), np.int64)]),
    ("det", [np.ones(3, F32)]),
    ("det", [np.ones((3, 2), F32)]),
    ("det", [np.ones((2, 2), np.float16)]),
    ("slogdet", [np.ones((2, 2), np.float16)]),
    ("inv", [np.ones((2, 2), np.float16)]),
    ("inv", [np.zeros((3, 3), F32)]),
    ("inv", [np.zeros((2, 3, 3), F64)]),
    ("inv", [np.array([[1.0, 2.0], [2.0, 4.0]])]),
    ("cholesky", [-np.eye(3)]),
    ("cholesky", [np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0])])]),
    ("cholesky", [np.ones((2, 2), np.float16)]),
    ("eigh", [np.ones((2, 2), np.int64)]),
    ("eigh", [np.ones((3, 2), F32)]),
    ("qr", [np.ones((2, 2), np.int64)]),
    ("qr", [np.ones((2, 2), np.float16)]),
    ("svd", [np.ones(3, F32)]),
    ("svd", [np.ones((2, 2), np.float16)]),
    ("solve", [np.zeros((3, 3), F32), np.ones(3, F32)]),
    ("solve", [np.ones((3, 3), F32), np.ones(4, F32)]),
    ("solve", [np.ones((3, 3), F32), np.ones((3, 2), F64)]),
    ("solve", [np.ones((3, 3), np.int64), np.ones(3, np.int64)]),
    ("solve", [np.ones((2, 3, 3), F32), np.ones((4, 3, 2), F32)]),
    ("matrix_norm", [np.ones((3, 4), F32), 3]),
    ("matrix_norm", [np.ones((3, 4), F32), "abc"]),
    ("matrix_norm", [np.ones((3, 4), np.int64)]),
    ("matrix_norm", [np.ones(3, F32)]),
    ("matrix_norm", [np.ones((3, 4), np.float16), "nuc"]),
    ("norm", [np.ones((2, 3, 4), F32), 2]),
    ("norm", [np.ones((2, 3, 4), F32), None, (0, 1, 2)]),
    ("norm", [np.ones((3, 4), np.int64)]),
]


@pytest.mark.parametrize("name,args", DECOMP_ERRORS)
def test_decomposition_errors(name, args):
    def conv(lib):
        return [lib.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a for a in args]

    assert_same_error(lambda: getattr(ember.linalg, name)(*conv(ember)),
                      lambda: getattr(torch.linalg, name)(*conv(torch)))


def test_qr_backward_errors():
    for mode, shape in (("r", (3, 3)), ("complete", (4, 3))):
        out = []
        for lib in (ember, torch):
            x = lib.from_numpy(_arr(shape)).requires_grad_()
            q, r = lib.linalg.qr(x, mode=mode)
            out.append(r.sum())
        assert_same_error(lambda o=out[0]: o.backward(), lambda o=out[1]: o.backward())
