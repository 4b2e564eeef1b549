"""nn.functional core forms against torch: linear's decomposition (grad_fn chains), bilinear,
embedding (max_norm, padding), embedding_bag, one_hot, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from tests.helpers import assert_same, assert_same_error, grad_fn_chain, to_ember, to_torch


def _nodes(y, full: bool) -> list:
    """grad_fn names: the whole chain through addmm paths; only the result's node where torch
    goes through matmul (ember's matmul is one fused node named like torch's result node)."""
    chain = grad_fn_chain(y)
    return chain if full else chain[:1]


def _both(a: np.ndarray, grad: bool = False):
    return to_ember(a, grad), to_torch(a, grad)


@pytest.mark.parametrize("shape", [(4,), (2, 4), (2, 5, 4), (2, 3, 2, 4), (0, 4), (2, 0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_values_grads_and_nodes(shape, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32) if bias else None
    outs = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt, wt = conv(x, True), conv(w, True)
        bt = conv(b, True) if bias else None
        y = lib.nn.functional.linear(xt, wt, bt)
        y.backward(conv(np.ones(y.shape, dtype=np.float32)) * 0.5)
        outs.append((y, xt.grad, wt.grad, None if bt is None else bt.grad, _nodes(y, bias)))
    (ey, *eg, ec), (ty, *tg, tc) = outs
    assert ec == tc
    assert_same(ey, ty)
    for a, b_ in zip(eg, tg):
        if b_ is None:
            assert a is None
        else:
            assert_same(a, b_)


def test_linear_noncontiguous_and_vector_weight():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 5)).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt = conv(x, True)
        y = lib.nn.functional.linear(xt.transpose(0, 1), conv(w), conv(b))
        y.sum().backward()
        v = lib.nn.functional.linear(conv(x[0, 0]), conv(w[0]))  # 1-D weight: a dot product
        res.append((y, xt.grad, _nodes(y, False), v))
    assert res[0][2] == res[1][2]
    for a, b_ in zip(res[0][:2] + res[0][3:], res[1][:2] + res[1][3:]):
        assert_same(a, b_)


@pytest.mark.parametrize("args", [
    ((2, 5), (3, 4), (3,)), ((2, 3, 5), (3, 4), (3,)), ((2, 5), (3, 4), None), ((), (3, 4), None),
    ((2, 4), (3, 4), (4,)),
])
def test_linear_errors(args):
    xs, ws, bs = args
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    b = None if bs is None else rng.standard_normal(bs).astype(np.float32)
    assert_same_error(
        lambda: ember.nn.functional.linear(to_ember(x), to_ember(w), to_ember(b)),
        lambda: torch.nn.functional.linear(to_torch(x), to_torch(w), to_torch(b)),
    )


def test_linear_dtype_mismatch_errors():
    x = np.ones((2, 4), np.float64)
    w = np.ones((3, 4), np.float32)
    b = np.ones(3, np.float32)
    assert_same_error(lambda: ember.nn.functional.linear(to_ember(x), to_ember(w), to_ember(b)),
                      lambda: torch.nn.functional.linear(to_torch(x), to_torch(w), to_torch(b)))
    assert_same_error(
        lambda: ember.nn.functional.linear(to_ember(w[:2]), to_ember(w), to_ember(x[0, :3])),
        lambda: torch.nn.functional.linear(to_torch(w[:2]), to_torch(w), to_torch(x[0, :3])))


@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), fin=st.integers(1, 5),
       fout=st.integers(1, 4), bias=st.booleans(), dtype=st.sampled_from(["float32", "float64"]))
def test_linear_module_shapes(batch, fin, fout, bias, dtype):
    rng = np.random.default_rng(len(batch) * 7 + fin)
    x = rng.standard_normal((*batch, fin)).astype(dtype)
    torch.manual_seed(0)
    tm = torch.nn.Linear(fin, fout, bias=bias).to(getattr(torch, dtype))
    ember.manual_seed(0)
    em = ember.nn.Linear(fin, fout, bias=bias).to(getattr(ember, dtype))
    assert_same(em(to_ember(x)), tm(to_torch(x)))
    assert _nodes(em(to_ember(x)), bias) == _nodes(tm(to_torch(x)), bias)


# ---------------------------------------------------------------------------------- bilinear
def test_bilinear_nodes():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    c = rng.standard_normal((2, 4)).astype(np.float32)
    w = rng.standard_normal((5, 3, 4)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    for bias in (b, None):
        ye = ember.nn.functional.bilinear(to_ember(a, True), to_ember(c), to_ember(w, True),
                                          to_ember(bias, True) if bias is not None else None)
        yt = torch.nn.functional.bilinear(to_torch(a, True), to_torch(c), to_torch(w, True),
                                          to_torch(bias, True) if bias is not None else None)
        assert grad_fn_chain(ye) == grad_fn_chain(yt)
        assert_same(ye, yt)


# ---------------------------------------------------------------------------------- embedding
def test_embedding_max_norm_renormalises_weight_in_place():
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((8, 4)) * 2).astype(np.float32)
    idx = np.array([[1, 2, 1], [5, 7, 0]])
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        wt = conv(w, True)
        with lib.no_grad():
            pass
        y = lib.nn.functional.embedding(conv(idx), wt, max_norm=1.0)
        y.sum().backward()
        res.append((y, wt.detach().clone(), wt.grad, wt._version))
    for a, b in zip(res[0][:3], res[1][:3]):
        assert_same(a, b)
    for norm_type in (1.0, 3.0, float("inf")):
        we, wt = _both(w.copy())
        ember.embedding_renorm_(we, to_ember(idx), 1.5, norm_type)
        torch.embedding_renorm_(wt, to_torch(idx), 1.5, norm_type)
        assert_same(we, wt)


def test_embedding_padding_errors():
    w = ember.zeros(5, 2)
    tw = torch.zeros(5, 2)
    for pad in (5, -6):
        assert_same_error(
            lambda p=pad: ember.nn.functional.embedding(ember.tensor([1]), w, padding_idx=p),
            lambda p=pad: torch.nn.functional.embedding(torch.tensor([1]), tw, padding_idx=p))
        assert_same_error(lambda p=pad: ember.nn.Embedding(5, 2, padding_idx=p),
                          lambda p=pad: torch.nn.Embedding(5, 2, padding_idx=p))
        assert_same_error(lambda p=pad: ember.nn.EmbeddingBag(5, 2, padding_idx=p),
                          lambda p=pad: torch.nn.EmbeddingBag(5, 2, padding_idx=p))


def test_embedding_from_pretrained():
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    for freeze in (True, False):
        e = ember.nn.Embedding.from_pretrained(to_ember(w), freeze=freeze, padding_idx=1)
        t = torch.nn.Embedding.from_pretrained(to_torch(w), freeze=freeze, padding_idx=1)
        assert repr(e) == repr(t)
        assert e.weight.requires_grad == t.weight.requires_grad
        assert_same(e(ember.tensor([1, 3])), t(torch.tensor([1, 3])))
        eb = ember.nn.EmbeddingBag.from_pretrained(to_ember(w), freeze=freeze, mode="sum")
        tb = torch.nn.EmbeddingBag.from_pretrained(to_torch(w), freeze=freeze, mode="sum")
        assert repr(eb) == repr(tb)
        assert eb.weight.requires_grad == tb.weight.requires_grad
        assert_same(eb(ember.tensor([[1, 3]])), tb(torch.tensor([[1, 3]])))
    assert_same_error(lambda: ember.nn.Embedding.from_pretrained(ember.zeros(3)),
                      lambda: torch.nn.Embedding.from_pretrained(torch.zeros(3)))


# ---------------------------------------------------------------------------------- embedding_bag
BAG_CASES = [
    dict(mode="sum"), dict(mode="mean"), dict(mode="max"),
    dict(mode="sum", padding_idx=3), dict(mode="mean", padding_idx=3),
    dict(mode="max", padding_idx=3), dict(mode="sum", include_last_offset=True),
    dict(mode="mean", include_last_offset=True), dict(mode="sum", scale_grad_by_freq=True),
    dict(mode="mean", scale_grad_by_freq=True),
]


@pytest.mark.parametrize("kw", BAG_CASES, ids=lambda kw: "-".join(f"{k}={v}" for k, v in
                                                                   kw.items()))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_bag_matches_torch(kw, dtype):
    rng = np.random.default_rng(3)
    w = rng.standard_normal((9, 4)).astype(dtype)
    idx = np.array([3, 1, 3, 8, 0, 3, 3, 5, 1, 1])
    off = np.array([0, 2, 2, 6, 9])  # an empty bag and a bag of padding only (with idx 3)
    if kw.get("include_last_offset"):
        # offsets[-1] == len(input), as documented (torch is inconsistent across dtypes else)
        off = np.array([0, 2, 2, 6, 10])
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        wt = conv(w, True)
        y = lib.nn.functional.embedding_bag(conv(idx), wt, conv(off), **kw)
        y.backward(conv(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).astype(dtype)))
        res.append((y, wt.grad))
    assert_same(res[0][0], res[1][0])
    assert_same(res[0][1], res[1][1])


def test_embedding_bag_per_sample_weights_and_2d():
    rng = np.random.default_rng(4)
    w = rng.standard_normal((6, 3)).astype(np.float64)
    idx = np.array([[1, 2, 5], [0, 5, 5]])
    psw = rng.standard_normal((2, 3))
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        wt, pt = conv(w, True), conv(psw, True)
        y = lib.nn.functional.embedding_bag(conv(idx), wt, mode="sum", per_sample_weights=pt,
                                            padding_idx=5)
        (y * conv(np.arange(6.0).reshape(2, 3))).sum().backward()
        out4 = lib.embedding_bag(conv(w), conv(idx.reshape(-1)), conv(np.array([0, 3])))[0]
        res.append((y, wt.grad, pt.grad, out4, lib.nn.functional.embedding_bag(
            conv(idx), conv(w), mode="max")))
    for a, b in zip(*res):
        assert_same(a, b)


def test_embedding_bag_errors():
    w = np.ones((5, 2), np.float32)
    i1 = np.array([1, 2, 3])
    calls = [
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w)),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w), c(np.array([[0]]))),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1[None]), c(w), c(np.array([0]))),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1[None, None]), c(w)),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w[0]), c(np.array([0]))),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w), c(np.array([0])),
                                                       mode="min"),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w), c(np.array([0])),
                                                       mode="max", scale_grad_by_freq=True),
        lambda lib, c: lib.nn.functional.embedding_bag(
            c(i1), c(w), c(np.array([0])), mode="mean",
            per_sample_weights=c(np.ones(3, np.float32))),
        lambda lib, c: lib.nn.functional.embedding_bag(
            c(i1), c(w), c(np.array([0])), per_sample_weights=c(np.ones(2, np.float32)),
            mode="sum"),
        lambda lib, c: lib.nn.functional.embedding_bag(c(i1), c(w), c(np.array([1]))),
        lambda lib, c: lib.nn.functional.embedding_bag(c(np.array([7])), c(w),
                                                       c(np.array([0]))),
    ]
    for call in calls:
        assert_same_error(lambda call=call: call(ember, to_ember),
                          lambda call=call: call(torch, to_torch))


# ---------------------------------------------------------------------------------- one_hot
@given(shape=st.lists(st.integers(0, 3), max_size=3), n=st.integers(-1, 6))
def test_one_hot(shape, n):
    rng = np.random.default_rng(sum(shape) + n + 1)
    x = rng.integers(0, 5, size=shape)
    e, t = to_ember(x), to_torch(x)
    if n == 0:
        n = -1
    try:
        expected = torch.nn.functional.one_hot(t, n)
    except RuntimeError:
        assert_same_error(lambda: ember.nn.functional.one_hot(e, n),
                          lambda: torch.nn.functional.one_hot(t, n))
        return
    assert_same(ember.nn.functional.one_hot(e, n), expected)


def test_one_hot_errors():
    for x, n in [(np.array([1.0]), -1), (np.array([1, -1]), -1), (np.array([1, 5]), 3),
                 (np.array([], dtype=np.int64), -1), (np.array([1], dtype=np.int32), 3)]:
        assert_same_error(lambda x=x, n=n: ember.nn.functional.one_hot(to_ember(x), n),
                          lambda x=x, n=n: torch.nn.functional.one_hot(to_torch(x), n))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_embedding_grad_accumulates_like_torch(dtype):
    # Many repeats of few rows: the accumulation order and precision show in the last bits.
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)).astype(np.float32)
    idx = rng.integers(0, 6, (60,))
    g = rng.standard_normal((60, 4)).astype(np.float32)
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        wt = conv(w).to(getattr(lib, dtype)).requires_grad_()
        y = lib.nn.functional.embedding(conv(idx), wt, padding_idx=2)
        y.backward(conv(g).to(getattr(lib, dtype)))
        res.append((y, wt.grad))
    for a, b in zip(*res):
        assert_same(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_half(dtype, mode):
    # float16 matches torch bit for bit; bfloat16 sums round differently in torch's kernel
    # (within one bfloat16 ulp, the default bfloat16 tolerance).
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)).astype(np.float32)
    idx = rng.integers(0, 6, (40,))
    off = np.array([0, 7, 20])
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        res.append(lib.nn.functional.embedding_bag(conv(idx), conv(w).to(getattr(lib, dtype)),
                                                   conv(off), mode=mode))
    tol = {"atol": 0, "rtol": 0} if dtype == "float16" else {}
    assert_same(res[0], res[1], **tol)


def test_core_layers_under_autocast():
    from tests.helpers import same_scenario

    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(4, 3)
        x = lib.randn(2, 5, 4)
        with lib.autocast("cpu", dtype=lib.bfloat16):
            y, y2 = m(x), m(x[0])
            e = lib.nn.Embedding(5, 2)(lib.tensor([1, 2]))
            b = lib.nn.Bilinear(4, 4, 2)(x[0], x[0])
        return [y, y.grad_fn.name(), y2, y2.grad_fn.name(), e, b]

    same_scenario(run)


def test_embedding_double_backward():
    from tests.helpers import same_scenario

    def run(lib):
        lib.manual_seed(0)
        w = lib.randn(6, 3, dtype=lib.float64, requires_grad=True)
        idx = lib.tensor([[1, 2, 1], [5, 0, 2]])
        out = []
        for kw in ({"padding_idx": 2, "scale_grad_by_freq": True}, {}):
            y = lib.nn.functional.embedding(idx, w, **kw)
            v = lib.randn(2, 3, 3, dtype=lib.float64, requires_grad=True)
            (g,) = lib.autograd.grad((y * v).sum(), w, create_graph=True)
            (g * g).sum().backward()
            out += [g, v.grad]
        for mode in ("sum", "mean", "max"):
            bag = lib.nn.functional.embedding_bag(idx, w, mode=mode)
            (g2,) = lib.autograd.grad((bag * bag).sum(), w, create_graph=True)
            out.append(g2)
        return out

    same_scenario(run)


@pytest.mark.parametrize("shape,p", [((4, 3), 2.0), ((5, 2), 1.0), ((3, 4), float("inf")),
                                     ((0, 2), 2.0), ((1, 3), 2.0)])
def test_pdist_functional(shape, p):
    a = np.random.default_rng(5).standard_normal(shape)
    e, t = _both(a, grad=True)
    ye, yt = ember.nn.functional.pdist(e, p), torch.nn.functional.pdist(t, p)
    assert_same(ye, yt, atol=1e-12, rtol=1e-12)
    if shape[0] > 1:  # (torch 2.13 segfaults differentiating an empty pdist)
        assert ye.grad_fn.name() == yt.grad_fn.name()
        ye.sum().backward()
        yt.sum().backward()
        assert_same(e.grad, t.grad, atol=1e-12, rtol=1e-12)
