"""Dropout against torch under the same seed: masks bit for bit (torch's CPU path draws
``bernoulli_(1 - p)`` into a tensor shaped like the input, or (N, C, 1...) for the feature
forms, then scales), values, gradients, grad_fn names, the p = 0 / p = 1 / eval shortcuts,
in-place forms, alpha dropout, the modules and the errors and warnings torch emits."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same, assert_same_error, grad_fn_chain

E, T = ember.nn.functional, torch.nn.functional


def _x(shape=(4, 5), seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _both(fn_e, fn_t, x, seed=3, grad=True):
    """Run both after seeding alike; return inputs and outputs."""
    xe, xt = ember.tensor(x, requires_grad=grad), torch.tensor(x, requires_grad=grad)
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xe, xt, fn_e(xe), fn_t(xt)


CASES = {
    "dropout": lambda F, x: F.dropout(x, 0.3),
    "dropout_p0.5": lambda F, x: F.dropout(x),
    "dropout_p0.9": lambda F, x: F.dropout(x, 0.9),
    "dropout1d": lambda F, x: F.dropout1d(x.reshape(2, 5, 2), 0.4),
    "dropout1d_unbatched": lambda F, x: F.dropout1d(x.reshape(5, 4), 0.4),
    "dropout2d": lambda F, x: F.dropout2d(x.reshape(2, 5, 2, 1), 0.5),
    "dropout2d_3d": lambda F, x: F.dropout2d(x.reshape(2, 5, 2), 0.5),
    "dropout3d": lambda F, x: F.dropout3d(x.reshape(1, 5, 2, 2, 1), 0.5),
    "dropout3d_unbatched": lambda F, x: F.dropout3d(x.reshape(5, 2, 2, 1), 0.5),
    "alpha_dropout": lambda F, x: F.alpha_dropout(x, 0.2, training=True),
    "feature_alpha_dropout": lambda F, x: F.feature_alpha_dropout(x.reshape(4, 5, 1), 0.5,
                                                                  training=True),
    "top_dropout": lambda F, x: (ember if F is E else torch).dropout(x, 0.25, True),
    "top_feature_dropout": lambda F, x: (ember if F is E else torch).feature_dropout(
        x, 0.25, True),
    "top_alpha_dropout": lambda F, x: (ember if F is E else torch).alpha_dropout(x, 0.25, True),
    "top_feature_alpha_dropout": lambda F, x: (ember if F is E else torch).feature_alpha_dropout(
        x, 0.25, True),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CASES))
def test_masks_values_and_grads_match_torch(name, dtype):
    fn = CASES[name]
    x = _x((4, 5), dtype=dtype)
    xe, xt, ye, yt = _both(lambda v: fn(E, v), lambda v: fn(T, v), x)
    np.testing.assert_array_equal(ye.detach()._data, yt.detach().numpy())
    assert grad_fn_chain(ye) == grad_fn_chain(yt)
    g = _x(tuple(yt.shape), seed=1, dtype=dtype)
    (ye * ember.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(xe.grad._data, xt.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float16, "bfloat16"])
def test_half_masks_match(dtype):
    x = _x((6, 7))
    xe = ember.tensor(x).to(getattr(ember, str(np.dtype(dtype)) if dtype != "bfloat16"
                                    else "bfloat16"))
    xt = torch.tensor(x).to(getattr(torch, str(np.dtype(dtype)) if dtype != "bfloat16"
                                    else "bfloat16"))
    ember.manual_seed(5)
    torch.manual_seed(5)
    assert_same(E.dropout(xe, 0.5), T.dropout(xt, 0.5), atol=0, rtol=0)


def test_shortcuts_return_input():
    for fn in (lambda F, x: F.dropout(x, 0.0), lambda F, x: F.dropout(x, 0.5, False),
               lambda F, x: F.alpha_dropout(x, 0.5), lambda F, x: F.dropout2d(x, 0.0),
               lambda F, x: F.dropout(x[:0], 0.5)):
        xe, xt, ye, yt = _both(lambda v: fn(E, v), lambda v: fn(T, v), _x((2, 3, 4)))
        assert (ye is xe) == (yt is xt)
        assert_same(ye, yt)


def test_p_one_zeroes_and_keeps_graph():
    xe, xt, ye, yt = _both(lambda v: E.dropout(v, 1.0), lambda v: T.dropout(v, 1.0), _x())
    assert_same(ye, yt)
    assert np.array_equal(np.signbit(ye.detach()._data), np.signbit(yt.detach().numpy()))
    assert grad_fn_chain(ye) == grad_fn_chain(yt)


def test_rng_stream_advances_like_torch():
    x = _x((3, 8))
    xe, xt = ember.tensor(x), torch.tensor(x)
    ember.manual_seed(11)
    torch.manual_seed(11)
    for p in (0.1, 0.5, 0.7):
        E.dropout(xe, p)
        T.dropout(xt, p)
    assert_same(ember.rand(4), torch.rand(4), atol=0, rtol=0)


@pytest.mark.parametrize("name", ["dropout", "dropout2d", "dropout1d", "alpha_dropout"])
def test_inplace(name):
    shapes = {"dropout": (4, 5), "dropout2d": (2, 3, 2, 2), "dropout1d": (3, 4),
              "alpha_dropout": (4, 5)}
    x = _x(shapes[name])
    le, lt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ae, at = le * 2, lt * 2
    kw = {"training": True} if name == "alpha_dropout" else {}
    ember.manual_seed(2)
    torch.manual_seed(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        re = getattr(E, name)(ae, 0.5, inplace=True, **kw)
        rt = getattr(T, name)(at, 0.5, inplace=True, **kw)
    assert (re is ae) == (rt is at)
    np.testing.assert_array_equal(ae.detach()._data, at.detach().numpy())
    assert grad_fn_chain(re) == grad_fn_chain(rt)
    re.sum().backward()
    rt.sum().backward()
    np.testing.assert_array_equal(le.grad._data, lt.grad.numpy())
    # the top-level in-place forms
    be, bt = ember.tensor(x), torch.tensor(x)
    ember.manual_seed(4)
    torch.manual_seed(4)
    ember.dropout_(be, 0.3, True)
    torch.dropout_(bt, 0.3, True)
    ember.feature_dropout_(be, 0.3, True)
    torch.feature_dropout_(bt, 0.3, True)
    ember.alpha_dropout_(be, 0.3, True)
    torch.alpha_dropout_(bt, 0.3, True)
    ember.feature_alpha_dropout_(be, 0.3, True)
    torch.feature_alpha_dropout_(bt, 0.3, True)
    np.testing.assert_array_equal(be._data, bt.numpy())


ERRORS = {
    "p_high": lambda F, x: F.dropout(x, 1.5),
    "p_neg": lambda F, x: F.dropout(x, -0.1),
    "p_2d": lambda F, x: F.dropout2d(x, 2.0),
    "alpha_p": lambda F, x: F.alpha_dropout(x, 1.1),
    "dropout1d_dims": lambda F, x: F.dropout1d(x.reshape(-1), 0.5),
    "top_p": lambda F, x: (ember if F is E else torch).dropout(x, 1.5, True),
    "feature_1d": lambda F, x: (ember if F is E else torch).feature_dropout(
        x.reshape(-1), 0.5, True),
    "not_tensor": lambda F, x: (ember if F is E else torch).dropout([1.0], 0.5, True),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    fn = ERRORS[name]
    x = _x()
    assert_same_error(lambda: fn(E, ember.tensor(x)), lambda: fn(T, torch.tensor(x)))


@pytest.mark.parametrize("fname,shape", [("dropout2d", (2, 3)), ("dropout2d", (2, 3, 4)),
                                         ("dropout3d", (2, 3, 4)), ("dropout2d", (2, 3, 4, 5))])
def test_warnings(fname, shape):
    x = _x(shape)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        getattr(E, fname)(ember.tensor(x), 0.5)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        getattr(T, fname)(torch.tensor(x), 0.5)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]


@pytest.mark.parametrize("cls,shape", [
    ("Dropout", (4, 5)), ("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 2, 2)),
    ("Dropout3d", (2, 3, 2, 2, 1)), ("AlphaDropout", (4, 5)), ("FeatureAlphaDropout", (2, 3, 4)),
])
def test_modules(cls, shape):
    me, mt = getattr(ember.nn, cls)(0.4), getattr(torch.nn, cls)(0.4)
    assert repr(me) == repr(mt)
    assert repr(getattr(ember.nn, cls)(0.2, True)) == repr(getattr(torch.nn, cls)(0.2, True))
    x = _x(shape)
    xe, xt, ye, yt = _both(me, mt, x)
    np.testing.assert_array_equal(ye.detach()._data, yt.detach().numpy())
    me.eval()
    mt.eval()
    assert_same(me(ember.tensor(x)), mt(torch.tensor(x)), atol=0, rtol=0)
    assert_same_error(lambda: getattr(ember.nn, cls)(1.5), lambda: getattr(torch.nn, cls)(1.5))


def test_dropout_mask_follows_memory_order():
    """torch draws the mask in the input's memory order (its noise is ``empty_like``)."""

    def scenario(lib):
        views = (lambda: lib.ones(4, 6).t(), lambda: lib.ones(4, 6).t()[:, ::2],
                 lambda: lib.ones(4, 6, 2).permute(2, 0, 1), lambda: lib.ones(4, 6)[:, ::2])
        out = []
        for make in views:
            lib.manual_seed(3)
            out.append(lib.nn.functional.dropout(make(), 0.5))
        return out

    from tests.helpers import same_scenario

    same_scenario(scenario)
