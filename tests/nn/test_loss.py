"""Losses in nn.functional against torch: the generic checks of the ``F_OPS`` table of
tests/opinfo/nn_loss.py (values, gradients, gradcheck, error messages), plus grad_fn chains,
double backward, the warnings torch emits (target size, legacy size_average/reduce, kl_div
'mean'), the non-differentiable weight errors, and cross_entropy over hypothesis-drawn shapes.

Tolerances: float32 within the default 1e-5 relative (sums in NumPy's pairwise order against
torch's cascade sums), bfloat16 as tests/helpers.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from tests.helpers import assert_same, assert_same_error, grad_fn_chain, torch_text
from tests.opinfo import nn_activation as A
from tests.opinfo import nn_loss as L

E, T = ember.nn.functional, torch.nn.functional


@pytest.mark.parametrize("op,dt", A.cases(L.F_OPS, "forward"))
def test_functional_forward(op, dt):
    A.check_forward(op, dt)


@pytest.mark.parametrize("op,dt", A.cases(L.F_OPS, "grad"))
def test_functional_gradients(op, dt):
    A.check_grads(op, dt)


@pytest.mark.parametrize("op", [op for op in L.F_OPS if op.gradcheck], ids=lambda op: op.name)
def test_functional_gradcheck(op):
    A.check_gradcheck(op)


@pytest.mark.parametrize("op", [op for op in L.F_OPS if op.errors], ids=lambda op: op.name)
def test_functional_errors(op):
    A.check_errors(op)


def _t(lib, x, grad=False):
    t = lib.tensor(x)
    return t.requires_grad_(True) if grad else t


rng = np.random.default_rng(0)
X = rng.standard_normal((5, 4))
Y = rng.standard_normal((5, 4))
P = rng.random((5, 4))
C = np.array([0, 3, 1, 2, 1])
W = rng.random(4) + 0.1

CHAIN_CASES = {
    "cross_entropy": lambda F, lib, x: F.cross_entropy(x, _t(lib, C)),
    "cross_entropy_none": lambda F, lib, x: F.cross_entropy(x, _t(lib, C), reduction="none"),
    "cross_entropy_3d": lambda F, lib, x: F.cross_entropy(x.reshape(5, 2, 2),
                                                          _t(lib, C[:5, None] % 2 * [1, 1])),
    "cross_entropy_4d": lambda F, lib, x: F.cross_entropy(x.reshape(1, 5, 2, 2),
                                                          _t(lib, np.zeros((1, 2, 2), int))),
    "cross_entropy_smooth": lambda F, lib, x: F.cross_entropy(x, _t(lib, C),
                                                              label_smoothing=0.1),
    "nll_loss": lambda F, lib, x: F.nll_loss(x, _t(lib, C)),
    "nll_loss_1d": lambda F, lib, x: F.nll_loss(x[0], _t(lib, C[0])),
    "mse_loss": lambda F, lib, x: F.mse_loss(x, _t(lib, Y)),
    "mse_loss_none": lambda F, lib, x: F.mse_loss(x, _t(lib, Y), reduction="none"),
    "l1_loss": lambda F, lib, x: F.l1_loss(x, _t(lib, Y)),
    "smooth_l1_loss": lambda F, lib, x: F.smooth_l1_loss(x, _t(lib, Y)),
    "huber_loss": lambda F, lib, x: F.huber_loss(x, _t(lib, Y)),
    "bce": lambda F, lib, x: F.binary_cross_entropy(x.sigmoid(), _t(lib, P)),
    "bce_logits": lambda F, lib, x: F.binary_cross_entropy_with_logits(x, _t(lib, P)),
    "kl_div": lambda F, lib, x: F.kl_div(x, _t(lib, P), reduction="batchmean"),
    "soft_margin": lambda F, lib, x: F.soft_margin_loss(x, _t(lib, np.sign(Y))),
    "poisson": lambda F, lib, x: F.poisson_nll_loss(x, _t(lib, P)),
    "hinge": lambda F, lib, x: F.hinge_embedding_loss(x, _t(lib, np.sign(Y))),
}


@pytest.mark.parametrize("name", list(CHAIN_CASES))
def test_grad_fn_chain_and_double_backward(name):
    fn = CHAIN_CASES[name]
    xe, xt = _t(ember, X, True), _t(torch, X, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ye, yt = fn(E, ember, xe), fn(T, torch, xt)
    assert grad_fn_chain(ye) == grad_fn_chain(yt)
    ge = ember.autograd.grad(ye.sum(), xe, create_graph=True)[0]
    gt = torch.autograd.grad(yt.sum(), xt, create_graph=True)[0]
    assert_same(ge, gt)
    assert ge.requires_grad == gt.requires_grad
    if gt.requires_grad:
        (ge * ge).sum().backward()
        (gt * gt).sum().backward()
        if torch._is_zerotensor(xt.grad):  # torch's marker of a zero derivative
            assert xe.grad is None or not np.any(xe.grad._data)
        else:
            assert_same(xe.grad, xt.grad)


def _warns(fe, ft):
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        re = fe()
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        rt = ft()
    assert_same(re, rt)
    assert [(w.category, str(w.message)) for w in we] == \
        [(w.category, torch_text(str(w.message))) for w in wt]
    return we


@pytest.mark.parametrize("fname", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_target_size_warning(fname):
    x, y = X, Y[:1]
    we = _warns(lambda: getattr(E, fname)(_t(ember, x), _t(ember, y)),
                lambda: getattr(T, fname)(_t(torch, x), _t(torch, y)))
    assert we and "target size" in str(we[0].message)


@pytest.mark.parametrize("size_average,reduce", [(True, None), (False, None), (None, False),
                                                 (False, True), (True, False)])
@pytest.mark.parametrize("fname", ["mse_loss", "nll_loss", "cross_entropy", "kl_div",
                                   "binary_cross_entropy_with_logits", "soft_margin_loss"])
def test_legacy_reduction_args(fname, size_average, reduce):
    target = {"nll_loss": C, "cross_entropy": C}.get(fname, P)
    xs = X if fname != "nll_loss" else X
    _warns(lambda: getattr(E, fname)(_t(ember, xs), _t(ember, target),
                                     size_average=size_average, reduce=reduce),
           lambda: getattr(T, fname)(_t(torch, xs), _t(torch, target),
                                     size_average=size_average, reduce=reduce))


def test_kl_div_mean_warning():
    we = _warns(lambda: E.kl_div(_t(ember, X), _t(ember, P)),
                lambda: T.kl_div(_t(torch, X), _t(torch, P)))
    assert len(we) == 1


@pytest.mark.parametrize("case", ["nll", "ce", "bce", "bce_logits", "bce_logits_pos",
                                  "soft_margin_target"])
def test_non_differentiable_arguments(case):
    def run(F, lib):
        x = _t(lib, X, True)
        w = _t(lib, W, True)
        if case == "nll":
            return F.nll_loss(x, _t(lib, C), weight=w)
        if case == "ce":
            return F.cross_entropy(x, _t(lib, C), weight=w)
        if case == "bce":
            return F.binary_cross_entropy(x.sigmoid(), _t(lib, P), weight=w)
        if case == "bce_logits":
            return F.binary_cross_entropy_with_logits(x, _t(lib, P), weight=w)
        if case == "bce_logits_pos":
            return F.binary_cross_entropy_with_logits(x, _t(lib, P), pos_weight=w)
        return F.soft_margin_loss(x, _t(lib, Y, True))

    assert_same_error(lambda: run(E, ember), lambda: run(T, torch))


def test_target_gradients():
    for fname in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                  "binary_cross_entropy_with_logits", "kl_div"):
        x = P * 0.9 + 0.05 if fname == "binary_cross_entropy" else X
        xe, xt = _t(ember, x, True), _t(torch, x, True)
        ye, yt = _t(ember, P, True), _t(torch, P, True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(E, fname)(xe, ye).backward()
            getattr(T, fname)(xt, yt).backward()
        assert_same(ye.grad, yt.grad, path=fname)
        assert_same(xe.grad, xt.grad, path=fname)


@given(
    batch=st.integers(0, 4),
    classes=st.integers(1, 5),
    spatial=st.lists(st.integers(1, 3), max_size=3),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    smoothing=st.sampled_from([0.0, 0.15]),
    weighted=st.booleans(),
    probs=st.booleans(),
    ignore=st.booleans(),
)
def test_cross_entropy_shapes(batch, classes, spatial, reduction, smoothing, weighted, probs,
                              ignore):
    r = np.random.default_rng(batch * 7 + classes)
    shape = (batch, classes, *spatial)
    x = r.standard_normal(shape)
    if probs:
        t = r.random(shape)
    else:
        t = r.integers(0, classes, (batch, *spatial))
        if ignore and t.size:
            t.reshape(-1)[0] = -100
    w = r.random(classes) + 0.1 if weighted else None
    kw = {"reduction": reduction, "label_smoothing": smoothing}

    def run(F, lib):
        xt = _t(lib, x, True)
        out = F.cross_entropy(xt, _t(lib, t), weight=None if w is None else _t(lib, w), **kw)
        if out.numel():
            out.sum().backward()
        return out, xt.grad

    oe, ge = run(E, ember)
    ot, gt = run(T, torch)
    assert_same(oe, ot)
    if gt is None:
        assert ge is None or not np.any(ge._data)
    else:
        assert_same(ge, gt)


# ---------------------------------------------------------------------------------- modules
MODULES = {
    "CrossEntropyLoss": ((), {"label_smoothing": 0.1}, lambda lib: (X, C)),
    "NLLLoss": ((), {"ignore_index": 1, "reduction": "sum"}, lambda lib: (X, C)),
    "MSELoss": ((), {}, lambda lib: (X, Y)),
    "L1Loss": ((), {"reduction": "none"}, lambda lib: (X, Y)),
    "SmoothL1Loss": ((), {"beta": 0.3}, lambda lib: (X, Y)),
    "HuberLoss": ((), {"delta": 0.3}, lambda lib: (X, Y)),
    "BCELoss": ((), {}, lambda lib: (P, P[::-1].copy())),
    "BCEWithLogitsLoss": ((), {}, lambda lib: (X, P)),
    "KLDivLoss": ((), {"reduction": "batchmean", "log_target": True}, lambda lib: (X, Y)),
    "SoftMarginLoss": ((), {}, lambda lib: (X, np.sign(Y))),
    "PoissonNLLLoss": ((), {"full": True}, lambda lib: (X, P * 3)),
    "HingeEmbeddingLoss": ((), {"margin": 0.5}, lambda lib: (X, np.sign(Y))),
    "CosineEmbeddingLoss": ((), {"margin": 0.1}, lambda lib: (X, Y, np.array([1, -1, 1, 1, -1]))),
    "MarginRankingLoss": ((), {"margin": 0.1}, lambda lib: (X[:, 0].copy(), X[:, 1].copy(),
                                                           np.sign(Y[:, 0]))),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_loss_modules(name):
    args, kwargs, inputs = MODULES[name]
    me, mt = getattr(ember.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    ie = [_t(ember, v, v.dtype.kind == "f" and i == 0) for i, v in enumerate(inputs(ember))]
    it = [_t(torch, v, v.dtype.kind == "f" and i == 0) for i, v in enumerate(inputs(torch))]
    ye, yt = me(*ie), mt(*it)
    assert_same(ye, yt)
    ye.sum().backward()
    yt.sum().backward()
    assert_same(ie[0].grad, it[0].grad)


def test_loss_module_weights_and_legacy_args():
    we, wt = ember.tensor(W), torch.tensor(W)
    for cls in ("CrossEntropyLoss", "NLLLoss", "BCELoss"):
        me, mt = getattr(ember.nn, cls)(weight=we), getattr(torch.nn, cls)(weight=wt)
        assert list(me.state_dict()) == list(mt.state_dict())
        assert [n for n, _ in me.named_buffers()] == [n for n, _ in mt.named_buffers()]
    me = ember.nn.BCEWithLogitsLoss(weight=we, pos_weight=we * 2)
    mt = torch.nn.BCEWithLogitsLoss(weight=wt, pos_weight=wt * 2)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert_same(me(ember.tensor(X), ember.tensor(P)), mt(torch.tensor(X), torch.tensor(P)))
    with warnings.catch_warnings(record=True) as w1:
        warnings.simplefilter("always")
        me = ember.nn.MSELoss(size_average=False)
    with warnings.catch_warnings(record=True) as w2:
        warnings.simplefilter("always")
        mt = torch.nn.MSELoss(size_average=False)
    assert me.reduction == mt.reduction == "sum"
    assert [str(w.message) for w in w1] == [str(w.message) for w in w2]
    assert_same_error(lambda: ember.nn.HuberLoss(delta="a"), lambda: torch.nn.HuberLoss(delta="a"))
