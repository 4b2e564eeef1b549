"""Convolution, pooling and padding behaviour the op tables cannot express: double backward,
graph node names, property-based shape sweeps, module errors and warnings, all against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from tests.helpers import (
    assert_same,
    grad_fn_chain,
    run_both,
    run_scenario,
    same_scenario,
    to_ember,
    to_torch,
)


def _both(*arrays, grad=True):
    return ([to_ember(a, grad) for a in arrays], [to_torch(a, grad) for a in arrays])


def _rand(rng, *shape):
    return rng.standard_normal(shape)


# ---------------------------------------------------------------------------------- double backward
CONV_CASES = [
    ("conv2d", (2, 4, 6, 5), (6, 2, 3, 2), {"stride": (2, 1), "padding": 1, "groups": 2,
                                             "dilation": (1, 2)}),
    ("conv2d", (1, 2, 5, 5), (3, 2, 3, 3), {"padding": 1}),
    ("conv1d", (2, 2, 7), (4, 2, 3), {"stride": 2, "dilation": 2}),
    ("conv_transpose2d", (1, 4, 3, 4), (4, 3, 3, 2), {"stride": 2, "padding": 1,
                                                      "output_padding": 1, "groups": 2}),
    ("conv_transpose1d", (2, 2, 4), (2, 3, 3), {"stride": 3}),
]


@pytest.mark.parametrize("name,xs,ws,kw", CONV_CASES)
def test_conv_double_backward_matches_torch(name, xs, ws, kw):
    rng = np.random.default_rng(0)
    out_ch = ws[0] if not name.startswith("conv_t") else ws[1] * kw.get("groups", 1)
    x, w, b = _rand(rng, *xs), _rand(rng, *ws), _rand(rng, out_ch)
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt, wt, bt = conv(x, True), conv(w, True), conv(b, True)
        y = getattr(lib.nn.functional, name)(xt, wt, bt, **kw)
        gy = conv(np.random.default_rng(1).standard_normal(tuple(y.shape)), True)
        gx, gw, gb = lib.autograd.grad(y, (xt, wt, bt), gy, create_graph=True)
        assert gx.grad_fn.name() == "ConvolutionBackwardBackward0"
        loss = (gx ** 2).sum() + (gw * gw.detach()).sum() + (gb ** 3).sum()
        loss.backward()
        res[lib] = (y, gx, gw, gb, xt.grad, wt.grad, bt.grad, gy.grad)
    assert_same(res[ember], res[torch])


@pytest.mark.parametrize("name,xs,ws,kw", CONV_CASES[:3] + CONV_CASES[4:])
def test_conv_gradgradcheck(name, xs, ws, kw):
    rng = np.random.default_rng(0)
    x, w = to_ember(_rand(rng, *xs), True), to_ember(_rand(rng, *ws), True)
    fn = getattr(ember.nn.functional, name)
    assert ember.autograd.gradgradcheck(lambda a, b: fn(a, b, **kw), (x, w))


@pytest.mark.parametrize("fn,args", [
    ("max_pool2d", (3, 2, 1)), ("avg_pool2d", (3, 2, 1)), ("adaptive_avg_pool2d", ((2, 3),)),
    ("adaptive_max_pool2d", ((2, 3),)), ("unfold", (2,)), ("pixel_shuffle", (2,)),
])
def test_pool_double_backward_matches_torch(fn, args):
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 6))
    res = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xt = conv(x, True)
        y = getattr(lib.nn.functional, fn)(xt, *args)
        gy = conv(np.random.default_rng(1).standard_normal(tuple(y.shape)), True)
        (gx,) = lib.autograd.grad(y, xt, gy, create_graph=True)
        (gx * conv(x)).sum().backward()
        res[lib] = (gx, gy.grad)
    assert_same(res[ember], res[torch])


def test_pad_and_upsample_double_backward_match_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    for call in (lambda F, t: F.pad(t, (1, 2, 2, 1), mode="reflect"),
                 lambda F, t: F.pad(t, (1, 2, 2, 1), mode="replicate"),
                 lambda F, t: F.pad(t, (1, 2, 2, 1), value=3.0),
                 lambda F, t: F.interpolate(t, scale_factor=2.5, mode="bilinear"),
                 lambda F, t: F.interpolate(t, size=(3, 7), mode="nearest")):
        res = {}
        for lib, conv in ((ember, to_ember), (torch, to_torch)):
            xt = conv(x, True)
            y = call(lib.nn.functional, xt)
            gy = conv(np.random.default_rng(1).standard_normal(tuple(y.shape)), True)
            (gx,) = lib.autograd.grad(y, xt, gy, create_graph=True)
            (gx ** 2).sum().backward()
            res[lib] = (y, gx, gy.grad)
        assert_same(res[ember], res[torch])


# ---------------------------------------------------------------------------------- graph nodes
@pytest.mark.parametrize("call", [
    lambda F, x: F.conv2d(x, x[:2, :, :2, :2].detach()),
    lambda F, x: F.conv2d(x[0], x[:2, :, :2, :2].detach()),
    lambda F, x: F.max_pool2d(x, 2),
    lambda F, x: F.max_pool1d(x[0], 2),
    lambda F, x: F.max_pool1d(x[0], 2, return_indices=True)[0],
    lambda F, x: F.avg_pool1d(x[0], 2),
    lambda F, x: F.adaptive_avg_pool2d(x, 1),
    lambda F, x: F.adaptive_avg_pool1d(x[0], 3),
    lambda F, x: F.adaptive_max_pool1d(x[0], 3),
    lambda F, x: F.pad(x, (1, 1)),
    lambda F, x: F.pad(x[0], (1, 1), mode="reflect"),
    lambda F, x: F.pad(x[0, 0], (1, 1), mode="replicate"),
    lambda F, x: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"),
    lambda F, x: F.interpolate(x, scale_factor=2),
    lambda F, x: F.interpolate(x[0], scale_factor=2, mode="linear"),
    lambda F, x: F.interpolate(x, scale_factor=2, mode="bicubic"),
    lambda F, x: F.interpolate(x, scale_factor=2, mode="nearest-exact"),
    lambda F, x: F.interpolate(x, scale_factor=0.5, mode="area"),
    lambda F, x: F.unfold(x, 2),
    lambda F, x: F.fold(x.flatten(2)[:, :, :4], (3, 3), 2),
    lambda F, x: F.pixel_unshuffle(x, 2),
])
def test_grad_fn_chain_matches_torch(call):
    x = np.random.default_rng(0).standard_normal((2, 4, 6, 6))
    e = call(ember.nn.functional, to_ember(x, True))
    t = call(torch.nn.functional, to_torch(x, True))
    assert grad_fn_chain(e) == grad_fn_chain(t)


def test_max_pool_output_modified_in_place_still_backpropagates():
    # torch saves the indices, not the pooled values, so relu_ on the output is allowed
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))

    def scenario(lib):
        t = lib.from_numpy(x.copy()).requires_grad_()
        y = lib.nn.functional.max_pool2d(t, 2)
        y.relu_()
        y.sum().backward()
        return t.grad

    same_scenario(scenario)


def test_max_pool_nan_and_ties_match_torch():
    x = np.random.default_rng(0).integers(-2, 3, (2, 3, 7, 7)).astype(np.float32)
    x[0, 0, 1, 1] = x[1, 2, 4, 5] = x[1, 2, 4, 6] = np.nan
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
               {"kernel_size": 2, "dilation": 2, "ceil_mode": True}):
        (ex,), (tx,) = _both(x)
        e = ember.nn.functional.max_pool2d(ex, return_indices=True, **kw)
        t = torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
        assert_same(e, t)
        e[0].nansum().backward()
        t[0].nansum().backward()
        assert_same(ex.grad, tx.grad)


# ---------------------------------------------------------------------------------- hypothesis
@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, d[0] * (k[0] - 1) + 1 - 2 * p[0]), 7))
    w = draw(st.integers(max(1, d[1] * (k[1] - 1) + 1 - 2 * p[1]), 7))
    n = draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return n, cin, cout, h, w, k, s, p, d, groups, bias


@settings(max_examples=25)
@given(conv_configs(), st.sampled_from(["float32", "float64"]))
def test_conv2d_property_matches_torch(cfg, dt):
    n, cin, cout, h, w, k, s, p, d, g, bias = cfg
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, cin, h, w)), rng.standard_normal((cout, cin // g, *k))]
    if bias:
        arrays.append(rng.standard_normal(cout))
    arrays = [a.astype(dt) for a in arrays]
    es, ts = _both(*arrays)
    e = ember.nn.functional.conv2d(*es, stride=s, padding=p, dilation=d, groups=g)
    t = torch.nn.functional.conv2d(*ts, stride=s, padding=p, dilation=d, groups=g)
    tol = {"atol": 1e-4, "rtol": 1e-4} if dt == "float32" else {}
    assert_same(e, t, **tol)
    gy = rng.standard_normal(tuple(t.shape)).astype(dt)
    (e * to_ember(gy)).sum().backward()
    (t * to_torch(gy)).sum().backward()
    assert_same([a.grad for a in es], [a.grad for a in ts], **tol)


@settings(max_examples=25)
@given(conv_configs())
def test_conv_transpose2d_property_matches_torch(cfg):
    n, cin, cout, h, w, k, s, p, d, g, bias = cfg
    op = (min(s[0], d[0]) - 1, 0)  # output_padding must stay below stride or dilation
    p = (min(p[0], d[0] * (k[0] - 1)), min(p[1], d[1] * (k[1] - 1)))
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, cin, h, w)), rng.standard_normal((cin, cout // g, *k))]
    if bias:
        arrays.append(rng.standard_normal(cout))
    es, ts = _both(*arrays)
    kw = {"stride": s, "padding": p, "output_padding": op, "groups": g, "dilation": d}
    e, t = run_both(lambda: ember.nn.functional.conv_transpose2d(*es, **kw),
                    lambda: torch.nn.functional.conv_transpose2d(*ts, **kw))
    if isinstance(t, Exception):  # an empty output: the same error
        assert str(e) == str(t)
        return
    assert_same(e, t)
    gy = rng.standard_normal(tuple(t.shape))
    (e * to_ember(gy)).sum().backward()
    (t * to_torch(gy)).sum().backward()
    assert_same([a.grad for a in es], [a.grad for a in ts])


@st.composite
def pool_configs(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h = draw(st.integers(d[0] * (k[0] - 1) + 1, 8))
    w = draw(st.integers(d[1] * (k[1] - 1) + 1, 8))
    return (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w), k, s, p, d, \
        draw(st.booleans()), draw(st.booleans())


@settings(max_examples=25)
@given(pool_configs())
def test_pools_property_match_torch(cfg):
    shape, k, s, p, d, ceil, cip = cfg
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    gy_rng = np.random.default_rng(1)
    for name, kw in (("max_pool2d", {"dilation": d, "ceil_mode": ceil, "return_indices": True}),
                     ("avg_pool2d", {"ceil_mode": ceil, "count_include_pad": cip})):
        (ex,), (tx,) = _both(x)
        t = getattr(torch.nn.functional, name)(tx, k, s, p, **kw)
        e = getattr(ember.nn.functional, name)(ex, k, s, p, **kw)
        assert_same(e, t)
        t0 = t[0] if isinstance(t, tuple) else t
        e0 = e[0] if isinstance(e, tuple) else e
        gy = gy_rng.standard_normal(tuple(t0.shape)).astype(np.float32)
        (e0 * to_ember(gy)).sum().backward()
        (t0 * to_torch(gy)).sum().backward()
        assert_same(ex.grad, tx.grad)


@settings(max_examples=25)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9))
def test_adaptive_pools_property_match_torch(h, w, oh, ow):
    x = np.random.default_rng(0).standard_normal((2, 3, h, w)).astype(np.float32)
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        (ex,), (tx,) = _both(x)
        e = getattr(ember.nn.functional, name)(ex, (oh, ow))
        t = getattr(torch.nn.functional, name)(tx, (oh, ow))
        assert_same(e, t)
        e.sum().backward()
        t.sum().backward()
        assert_same(ex.grad, tx.grad)


@given(st.integers(1, 6), st.integers(1, 6), st.floats(0.3, 3.5),
       st.sampled_from(["nearest", "nearest-exact", "bilinear", "bicubic", "area"]),
       st.booleans())
def test_interpolate_property_matches_torch(h, w, scale, mode, ac):
    x = np.random.default_rng(0).standard_normal((1, 2, h, w))
    align = ac if mode in ("bilinear", "bicubic") else None
    if min(int(h * scale), int(w * scale)) < 1:
        return
    (ex,), (tx,) = _both(x)
    e = ember.nn.functional.interpolate(ex, scale_factor=scale, mode=mode, align_corners=align)
    t = torch.nn.functional.interpolate(tx, scale_factor=scale, mode=mode, align_corners=align)
    assert_same(e, t)
    e.sum().backward()
    t.sum().backward()
    assert_same(ex.grad, tx.grad)


# ---------------------------------------------------------------------------------- modules
@pytest.mark.parametrize("ctor", [
    lambda nn: nn.Conv2d(3, 4, 3, groups=0),
    lambda nn: nn.Conv2d(3, 4, 3, groups=2),
    lambda nn: nn.Conv2d(4, 3, 3, groups=2),
    lambda nn: nn.Conv1d(4, 4, 3, padding="same", stride=2),
    lambda nn: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
])
def test_module_constructor_errors_match_torch(ctor):
    same_scenario(lambda lib: ctor(lib.nn))


@pytest.mark.parametrize("kw", [{"padding_mode": "foo"}, {"padding": "foo"}])
def test_bad_padding_strings_error_matches_torch(kw):
    # torch prints a set literal whose order was fixed when its .pyc was compiled, so the
    # order of the names is not reproducible: compare the text with the set sorted
    msgs = []
    for lib in (ember, torch):
        with pytest.raises(ValueError) as info:
            lib.nn.Conv2d(4, 4, 3, **kw)
        text = str(info.value)
        a, b = text.index("{"), text.index("}")
        msgs.append((text[:a], sorted(text[a + 1:b].split(", ")), text[b:]))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("size", [(12, 12), (1, 4, 11, 12), (14, 14), (14,), [4, 12, 12]])
def test_conv_transpose_output_size_matches_torch(size):
    x = np.random.default_rng(0).standard_normal((1, 4, 5, 5)).astype(np.float32)

    def scenario(lib):
        lib.manual_seed(0)
        m = lib.nn.ConvTranspose2d(4, 3, 3, stride=2)
        return m(lib.from_numpy(x.copy()), output_size=size)

    same_scenario(scenario)


def test_same_padding_warning_matches_torch():
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    w = np.random.default_rng(1).standard_normal((3, 2, 2, 2))
    caught = {}
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            out = lib.nn.functional.conv2d(conv(x), conv(w), padding="same")
        caught[lib] = ([str(r.message) for r in rec], out)
    assert caught[ember][0] == caught[torch][0]
    assert_same(caught[ember][1], caught[torch][1])


def test_lenet_training_steps_match_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 1, 16, 16)).astype(np.float32)
    w_out = rng.standard_normal((8, 4)).astype(np.float32)

    def scenario(lib):
        nn = lib.nn
        lib.manual_seed(0)
        conv1, conv2 = nn.Conv2d(1, 3, 3, padding=1), nn.Conv2d(3, 4, 3)
        params = list(conv1.parameters()) + list(conv2.parameters())
        xs, ws = lib.from_numpy(x.copy()), lib.from_numpy(w_out.copy())
        for _ in range(3):
            h = nn.functional.max_pool2d(conv1(xs).relu(), 2)
            h = nn.functional.adaptive_avg_pool2d(conv2(h).relu(), 1).flatten(1)
            loss = (h * ws).sum()
            for p in params:
                p.grad = None
            loss.backward()
            with lib.no_grad():
                for p in params:
                    p -= 0.1 * p.grad
        return [loss] + params

    e, t = run_scenario(scenario)
    assert_same(e, t, atol=1e-5, rtol=1e-4)
