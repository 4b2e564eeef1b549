"""Activations and the softmax family in nn.functional against torch: the generic op checks of
the ``F_OPS`` table (values in every float dtype, gradients, gradcheck, error messages), plus
what the table cannot express: in-place forms, grad_fn names, double backward, the implicit
softmax dim warning, and shapes/dims drawn by hypothesis.

Tolerances: float32 within the default 1e-5 relative (NumPy's exp/log/erf and summation order
differ from torch's vectorised kernels in the last bit), half types as tests/helpers.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from tests.helpers import assert_same, assert_same_error, grad_fn_chain
from tests.opinfo import nn_activation as A

E, T = ember.nn.functional, torch.nn.functional


@pytest.mark.parametrize("op,dt", A.cases(A.F_OPS, "forward"))
def test_functional_forward(op, dt):
    A.check_forward(op, dt)


@pytest.mark.parametrize("op,dt", A.cases(A.F_OPS, "grad"))
def test_functional_gradients(op, dt):
    A.check_grads(op, dt)


@pytest.mark.parametrize("op", [op for op in A.F_OPS if op.gradcheck], ids=lambda op: op.name)
def test_functional_gradcheck(op):
    A.check_gradcheck(op)


@pytest.mark.parametrize("op", [op for op in A.F_OPS if op.errors], ids=lambda op: op.name)
def test_functional_errors(op):
    A.check_errors(op)


def _pair(shape=(3, 4), seed=0, scale=3.0, dtype=np.float64):
    x = (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)
    return ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


# ---------------------------------------------------------------------------------- grad_fn
GRAD_FN_CASES = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1),
    "elu": lambda F, x: F.elu(x),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 0.7),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "softplus": lambda F, x: F.softplus(x, 2.0, 1.0),
    "softsign": lambda F, x: F.softsign(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softshrink": lambda F, x: F.softshrink(x),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.1, 2.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "glu": lambda F, x: F.glu(x),
    "softmax": lambda F, x: F.softmax(x, 1),
    "log_softmax": lambda F, x: F.log_softmax(x, 0),
    "softmin": lambda F, x: F.softmin(x, 1),
    "softmax_dtype": lambda F, x: F.softmax(x.float(), 1, dtype=x.dtype),
    "normalize": lambda F, x: F.normalize(x),
}


@pytest.mark.parametrize("name", list(GRAD_FN_CASES))
def test_grad_fn_and_double_backward(name):
    fn = GRAD_FN_CASES[name]
    xe, xt = _pair()
    ye, yt = fn(E, xe), fn(T, xt)
    assert grad_fn_chain(ye) == grad_fn_chain(yt)
    # second derivative of sum(f(x)^2 * x) through create_graph
    ge = ember.autograd.grad((ye.pow(2) * xe[..., : ye.shape[-1]]).sum(), xe,
                             create_graph=True)[0]
    gt = torch.autograd.grad((yt.pow(2) * xt[..., : yt.shape[-1]]).sum(), xt,
                             create_graph=True)[0]
    assert_same(ge, gt)
    if name == "hardsigmoid":  # torch: derivative of hardsigmoid_backward not implemented
        assert_same_error(lambda: ge.sum().backward(), lambda: gt.sum().backward())
        return
    if gt.grad_fn is not None:
        assert ge.grad_fn.name() == gt.grad_fn.name()
    ge.sum().backward()
    gt.sum().backward()
    assert_same(xe.grad, xt.grad, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------------------------- in place
INPLACE_CASES = {
    "relu": (lambda F, x: F.relu(x, inplace=True)),
    "relu_": (lambda F, x: F.relu_(x)),
    "relu6": (lambda F, x: F.relu6(x, inplace=True)),
    "leaky_relu": (lambda F, x: F.leaky_relu(x, 0.2, True)),
    "leaky_relu_": (lambda F, x: F.leaky_relu_(x, 0.2)),
    "elu": (lambda F, x: F.elu(x, 0.5, inplace=True)),
    "elu_": (lambda F, x: F.elu_(x)),
    "selu": (lambda F, x: F.selu(x, inplace=True)),
    "selu_": (lambda F, x: F.selu_(x)),
    "celu": (lambda F, x: F.celu(x, 2.0, inplace=True)),
    "celu_": (lambda F, x: F.celu_(x, 2.0)),
    "hardtanh": (lambda F, x: F.hardtanh(x, -0.5, 0.5, True)),
    "hardtanh_": (lambda F, x: F.hardtanh_(x)),
    "silu": (lambda F, x: F.silu(x, inplace=True)),
    "mish": (lambda F, x: F.mish(x, inplace=True)),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x, inplace=True)),
    "hardswish": (lambda F, x: F.hardswish(x, inplace=True)),
    "threshold": (lambda F, x: F.threshold(x, 0.3, -1.0, inplace=True)),
    "threshold_": (lambda F, x: F.threshold_(x, 0.3, -1.0)),
    "top_selu_": (lambda F, x: (ember if F is E else torch).selu_(x)),
    "top_celu_": (lambda F, x: (ember if F is E else torch).celu_(x, 0.5)),
    "top_threshold_": (lambda F, x: (ember if F is E else torch).threshold_(x, 0.0, 5.0)),
}


@pytest.mark.parametrize("name", list(INPLACE_CASES))
def test_inplace_forms(name):
    fn = INPLACE_CASES[name]
    le, lt = _pair()
    ae, at = le * 1, lt * 1  # non-leaf copies that the in-place op may overwrite
    ve, vt = ae._version, at._version
    re, rt = fn(E, ae), fn(T, at)
    assert re is ae and rt is at
    assert ae._version - ve == at._version - vt
    assert_same(ae, at)
    assert grad_fn_chain(ae) == grad_fn_chain(at)
    ae.sum().backward()
    at.sum().backward()
    assert_same(le.grad, lt.grad)
    # on a leaf that requires grad: torch's error
    le2, lt2 = _pair()
    assert_same_error(lambda: fn(E, le2), lambda: fn(T, lt2))


def test_inplace_under_no_grad_on_plain_tensor():
    xe, xt = _pair(scale=1.0)
    with ember.no_grad(), torch.no_grad():
        E.relu(xe, inplace=True)
        T.relu(xt, inplace=True)
    assert_same(xe, xt)


# ---------------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("fname", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_implicit_dim_warns_and_picks_torchs_dim(fname, ndim):
    x = np.random.default_rng(ndim).standard_normal((2, 3, 2, 2)[:ndim])
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        e = getattr(E, fname)(ember.tensor(x))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = getattr(T, fname)(torch.tensor(x))
    assert_same(e, t)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]
    assert [w.category for w in we] == [w.category for w in wt]


def test_softmax_module_implicit_dim_warns():
    x = np.random.default_rng(0).standard_normal((2, 3))
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        e = ember.nn.Softmax()(ember.tensor(x))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = torch.nn.Softmax()(torch.tensor(x))
    assert_same(e, t)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]


def test_softmax_methods_and_dtype():
    xe, xt = _pair(dtype=np.float32)
    assert_same(xe.softmax(1), xt.softmax(1))
    assert_same(xe.log_softmax(0, ember.float64), xt.log_softmax(0, torch.float64))
    assert_same(ember.softmax(xe, -1, dtype=ember.float64),
                torch.softmax(xt, -1, dtype=torch.float64))
    assert_same_error(lambda: ember.softmax(xe), lambda: torch.softmax(xt))
    assert_same_error(lambda: xe.softmax(), lambda: xt.softmax())


def test_softmax_exact_on_last_dim():
    """float32 softmax/log_softmax over the last dim: torch's order of operations (max
    subtracted, exp, sum, multiply by the reciprocal), equal to torch in nearly every bit."""
    x = np.random.default_rng(3).standard_normal((64, 10)).astype(np.float32) * 4
    e = ember.softmax(ember.tensor(x), 1)._data
    t = torch.softmax(torch.tensor(x), 1).numpy()
    assert np.abs(e - t).max() <= 2 * np.spacing(np.float32(1))
    le = ember.log_softmax(ember.tensor(x), 1)._data
    lt = torch.log_softmax(torch.tensor(x), 1).numpy()
    np.testing.assert_allclose(le, lt, rtol=2e-6, atol=1e-6)


@given(
    shape=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    data=st.data(),
    log=st.booleans(),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_softmax_shapes_and_dims(shape, data, log, dtype):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(dtype) * 5
    g = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    name = "log_softmax" if log else "softmax"
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = getattr(ember, name)(xe, dim), getattr(torch, name)(xt, dim)
    assert_same(ye, yt)
    (ye * ember.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    assert_same(xe.grad, xt.grad, atol=1e-6 if dtype == "float32" else None)


# ---------------------------------------------------------------------------------- misc
def test_prelu_weight_gradients_per_channel():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    w = np.array([0.1, 0.2, 0.3])
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ye, yt = E.prelu(xe, we), T.prelu(xt, wt)
    assert ye.grad_fn.name() == yt.grad_fn.name()
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    assert_same(xe.grad, xt.grad)
    assert_same(we.grad, wt.grad)


def test_gelu_half_computes_in_float32():
    x = np.linspace(-4, 4, 41).astype(np.float16)
    for approx in ("none", "tanh"):
        assert_same(E.gelu(ember.tensor(x), approximate=approx),
                    T.gelu(torch.tensor(x), approximate=approx))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("training", [True, False])
def test_rrelu_noise_matches_torch(training, dtype):
    """In training torch draws one double per non-positive element, in order, from the
    bounds rounded to the compute type: the noise (and the stream after it) match bit for bit."""
    x = (np.random.default_rng(0).standard_normal((6, 7)) * 2).astype(dtype)
    out = []
    for lib, F in ((ember, E), (torch, T)):
        xv = lib.tensor(x, requires_grad=True)
        lib.manual_seed(9)
        y = F.rrelu(xv, 0.1, 0.4, training=training)
        y.sum().backward()
        out.append((y, xv.grad, lib.rand(3), y.grad_fn.name()))
    (ye, ge, re, ne), (yt, gt, rt, nt) = out
    assert_same(ye, yt, atol=0, rtol=0)
    assert_same(ge, gt, atol=0, rtol=0)
    assert_same(re, rt, atol=0, rtol=0)
    assert ne == nt
    xe, xt = ember.tensor(x), torch.tensor(x)
    ember.manual_seed(2)
    torch.manual_seed(2)
    assert_same(ember.rrelu_(xe, training=True), torch.rrelu_(xt, training=True), atol=0, rtol=0)
    assert_same_error(lambda: E.rrelu(ember.tensor(np.arange(3)), training=True),
                      lambda: T.rrelu(torch.tensor(np.arange(3)), training=True))
