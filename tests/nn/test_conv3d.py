"""3-D convolution and pooling, and max unpooling: properties over random configurations
(hypothesis), double backward and node names, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from tests.helpers import assert_same, run_both, to_ember, to_torch


def _both(*arrays, grad=True):
    return ([to_ember(a, grad) for a in arrays], [to_torch(a, grad) for a in arrays])


def _backward_both(e, t, es, ts, rng):
    gy = rng.standard_normal(tuple(t.shape))
    (e * to_ember(gy)).sum().backward()
    (t * to_torch(gy)).sum().backward()
    assert_same([a.grad for a in es], [a.grad for a in ts])


def _triple(draw, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(3))


@st.composite
def conv3d_configs(draw):
    g = draw(st.sampled_from([1, 1, 2]))
    cin, cout = g * draw(st.integers(1, 2)), g * draw(st.integers(1, 2))
    k, s, d, p = _triple(draw, 1, 3), _triple(draw, 1, 2), _triple(draw, 1, 2), \
        _triple(draw, 0, 1)
    sp = tuple(draw(st.integers(max(1, di * (ki - 1) + 1 - 2 * pi), 5))
               for ki, di, pi in zip(k, d, p))
    return (draw(st.integers(1, 2)), cin, *sp), cout, k, s, p, d, g, draw(st.booleans())


@settings(max_examples=15)
@given(conv3d_configs(), st.booleans())
def test_conv3d_property_matches_torch(cfg, transposed):
    xs, cout, k, s, p, d, g, bias = cfg
    rng = np.random.default_rng(0)
    cin = xs[1]
    ws = (cin, cout // g, *k) if transposed else (cout, cin // g, *k)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)]
    if bias:
        arrays.append(rng.standard_normal(cout))
    es, ts = _both(*arrays)
    kw = {"stride": s, "padding": p, "dilation": d, "groups": g}
    name = "conv3d"
    if transposed:
        name = "conv_transpose3d"
        kw["output_padding"] = tuple(min(si, di) - 1 for si, di in zip(s, d))
    e, t = run_both(lambda: getattr(ember.nn.functional, name)(*es, **kw),
                    lambda: getattr(torch.nn.functional, name)(*ts, **kw))
    if isinstance(t, Exception):  # an empty output: the same error
        assert str(e) == str(t)
        return
    assert_same(e, t)
    _backward_both(e, t, es, ts, rng)


@st.composite
def pool3d_configs(draw):
    k, s, d = _triple(draw, 1, 3), _triple(draw, 1, 3), _triple(draw, 1, 2)
    p = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    sp = tuple(draw(st.integers(di * (ki - 1) + 1, 6)) for ki, di in zip(k, d))
    return (draw(st.integers(1, 2)), 2, *sp), k, s, p, d, draw(st.booleans()), \
        draw(st.booleans())


@settings(max_examples=20)
@given(pool3d_configs())
def test_pools3d_property_match_torch(cfg):
    shape, k, s, p, d, ceil, cip = cfg
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    rng = np.random.default_rng(1)
    for name, kw in (("max_pool3d", {"dilation": d, "ceil_mode": ceil, "return_indices": True}),
                     ("avg_pool3d", {"ceil_mode": ceil, "count_include_pad": cip})):
        if name == "avg_pool3d" and any(n < ki for n, ki in zip(shape[2:], k)):
            continue  # (dilated sizes above: torch's avg_pool3d wants the kernel to fit)
        (ex,), (tx,) = _both(x)
        t = getattr(torch.nn.functional, name)(tx, k, s, p, **kw)
        e = getattr(ember.nn.functional, name)(ex, k, s, p, **kw)
        assert_same(e, t)
        t0, e0 = (t[0], e[0]) if isinstance(t, tuple) else (t, e)
        _backward_both(e0, t0, [ex], [tx], rng)
        if name == "max_pool3d" and not ceil and d == (1, 1, 1) and s == k:
            # unpooling the pool's own output (windows do not overlap: a true inverse)
            ue = ember.nn.functional.max_unpool3d(e[0], e[1], k, s, p, x.shape)
            ut = torch.nn.functional.max_unpool3d(t[0], t[1], k, s, p, x.shape)
            assert_same(ue, ut)


@settings(max_examples=15)
@given(st.tuples(*[st.integers(1, 6)] * 3), st.tuples(*[st.integers(1, 6)] * 3))
def test_adaptive_pools3d_property_match_torch(size, out):
    x = np.random.default_rng(0).standard_normal((2, 2, *size))
    rng = np.random.default_rng(1)
    for name in ("adaptive_avg_pool3d", "adaptive_max_pool3d"):
        (ex,), (tx,) = _both(x)
        e = getattr(ember.nn.functional, name)(ex, out, *(() if "avg" in name else (True,)))
        t = getattr(torch.nn.functional, name)(tx, out, *(() if "avg" in name else (True,)))
        assert_same(e, t)
        t0, e0 = (t[0], e[0]) if isinstance(t, tuple) else (t, e)
        _backward_both(e0, t0, [ex], [tx], rng)


@pytest.mark.parametrize("fn,args,node", [
    ("max_pool3d", (3, 2, 1), "MaxPool3DWithIndicesBackwardBackward0"),
    ("avg_pool3d", (3, 2, 1), "AvgPool3DBackwardBackward0"),
    ("adaptive_avg_pool3d", ((2, 3, 2),), "AdaptiveAvgPool3DBackwardBackward0"),
    ("adaptive_max_pool3d", ((2, 3, 2),), "AdaptiveMaxPool3DBackwardBackward0"),
])
def test_pool3d_double_backward_matches_torch(fn: str, args: tuple, node: str):
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5, 6))
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt = conv(x, True)
        y = getattr(lib.nn.functional, fn)(xt, *args)
        gy = conv(np.random.default_rng(1).standard_normal(tuple(y.shape)), True)
        (gx,) = lib.autograd.grad(y, xt, gy, create_graph=True)
        assert gx.grad_fn.name() == node
        (gx * conv(x)).sum().backward()
        res[lib] = (gx, gy.grad)
    assert_same(res[ember], res[torch])


def test_conv3d_double_backward_matches_torch():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((1, 4, 4, 3, 5)), rng.standard_normal((4, 2, 2, 3, 2)), \
        rng.standard_normal(4)
    kw = {"stride": (2, 1, 1), "padding": (1, 0, 1), "groups": 2, "dilation": (1, 1, 2)}
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt, wt, bt = conv(x, True), conv(w, True), conv(b, True)
        y = lib.nn.functional.conv3d(xt, wt, bt, **kw)
        gy = conv(np.random.default_rng(1).standard_normal(tuple(y.shape)), True)
        gx, gw, gb = lib.autograd.grad(y, (xt, wt, bt), gy, create_graph=True)
        assert gx.grad_fn.name() == "ConvolutionBackwardBackward0"
        ((gx ** 2).sum() + (gw * gw.detach()).sum() + (gb ** 3).sum()).backward()
        res[lib] = (y, gx, gw, gb, xt.grad, wt.grad, bt.grad, gy.grad)
    assert_same(res[ember], res[torch])


def test_max_unpool_double_backward_matches_torch():
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 6))
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt = conv(x, True)
        y, i = lib.nn.functional.max_pool2d(xt, 2, return_indices=True)
        u = lib.nn.functional.max_unpool2d(y, i, 2)
        assert u.grad_fn.name() == "MaxUnpool2DBackward0"
        gu = conv(np.random.default_rng(1).standard_normal(tuple(u.shape)), True)
        (gy,) = lib.autograd.grad(u, y, gu, create_graph=True)
        (gy ** 2).sum().backward()
        res[lib] = (u, gy, gu.grad)
    assert_same(res[ember], res[torch])
