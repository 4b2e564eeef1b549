"""Normalization in nn.functional and the norm layers against torch: the generic checks of the
``F_OPS`` table of tests/opinfo/nn_norm.py, plus running statistics (momentum, cumulative
average, num_batches_tracked) bit for bit, eval mode, double backward, grad_fn names, module
printing and the layers' dimension errors.

Tolerances: batch norm outputs and running statistics are compared bit for bit in float32
(ember follows torch's kernel: float64 sums, fused multiply-adds); layer/group norm within the
default float32 tolerance (statistics rounded from float64, torch: float32 Welford).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same, assert_same_error, grad_fn_chain
from tests.opinfo import nn_activation as A
from tests.opinfo import nn_norm as N

E, T = ember.nn.functional, torch.nn.functional


@pytest.mark.parametrize("op,dt", A.cases(N.F_OPS, "forward"))
def test_functional_forward(op, dt):
    A.check_forward(op, dt)


@pytest.mark.parametrize("op,dt", A.cases(N.F_OPS, "grad"))
def test_functional_gradients(op, dt):
    A.check_grads(op, dt)


@pytest.mark.parametrize("op", [op for op in N.F_OPS if op.gradcheck], ids=lambda op: op.name)
def test_functional_gradcheck(op):
    A.check_gradcheck(op)


@pytest.mark.parametrize("op", [op for op in N.F_OPS if op.errors], ids=lambda op: op.name)
def test_functional_errors(op):
    A.check_errors(op)


def _x(shape, seed=0, scale=2.0, shift=1.0, dtype=np.float32):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


def _bits(e, t, what=""):
    np.testing.assert_array_equal(e.detach()._data, t.detach().numpy(), err_msg=what)


@pytest.mark.parametrize("shape", [(8, 3), (5, 4), (64, 7), (4, 3, 6), (2, 3, 4, 5),
                                   (3, 2, 2, 3, 2)])
@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
def test_batch_norm_module_running_stats_bit_exact(shape, momentum):
    cls = {2: "BatchNorm1d", 3: "BatchNorm1d", 4: "BatchNorm2d", 5: "BatchNorm3d"}[len(shape)]
    me = getattr(ember.nn, cls)(shape[1], momentum=momentum)
    mt = getattr(torch.nn, cls)(shape[1], momentum=momentum)
    with torch.no_grad():
        mt.weight.uniform_(0.5, 1.5)
        mt.bias.uniform_(-1, 1)
    me.load_state_dict({k: ember.tensor(v.numpy()) for k, v in mt.state_dict().items()})
    for step in range(3):
        x = _x(shape, seed=step)
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = me(xe), mt(xt)
        _bits(ye, yt, f"output step {step}")
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            _bits(getattr(me, name), getattr(mt, name), f"{name} step {step}")
        g = _x(shape, seed=10 + step, shift=0.0)
        (ye * ember.tensor(g)).sum().backward()
        (yt * torch.tensor(g)).sum().backward()
        assert_same(xe.grad, xt.grad, atol=1e-5)
        assert_same(me.weight.grad, mt.weight.grad, atol=1e-5)
        assert_same(me.bias.grad, mt.bias.grad, atol=1e-5)
    me.eval()
    mt.eval()
    x = _x(shape, seed=9)
    _bits(me(ember.tensor(x)), mt(torch.tensor(x)), "eval output")


def test_batch_norm_without_running_stats_and_affine():
    for kw in ({"track_running_stats": False}, {"affine": False}, {"bias": False}):
        me, mt = ember.nn.BatchNorm1d(4, **kw), torch.nn.BatchNorm1d(4, **kw)
        assert repr(me) == repr(mt)
        assert list(me.state_dict()) == list(mt.state_dict())
        x = _x((6, 4))
        _bits(me(ember.tensor(x)), mt(torch.tensor(x)))
        me.eval()
        mt.eval()
        _bits(me(ember.tensor(x)), mt(torch.tensor(x)))


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (4,)), ("BatchNorm1d", (2, 3, 4, 5)),
                                       ("BatchNorm2d", (2, 3, 4)), ("BatchNorm3d", (2, 3, 4, 5)),
                                       ("InstanceNorm1d", (2, 3, 4, 5)),
                                       ("InstanceNorm2d", (3, 4)),
                                       ("InstanceNorm3d", (2, 3, 4))])
def test_module_dimension_errors(cls, shape):
    x = _x(shape)
    assert_same_error(lambda: getattr(ember.nn, cls)(3)(ember.tensor(x)),
                      lambda: getattr(torch.nn, cls)(3)(torch.tensor(x)))


def test_batch_norm_one_value_per_channel():
    x = _x((1, 3))
    assert_same_error(lambda: ember.nn.BatchNorm1d(3)(ember.tensor(x)),
                      lambda: torch.nn.BatchNorm1d(3)(torch.tensor(x)))


@pytest.mark.parametrize("fn", [
    lambda F, lib, x: F.batch_norm(x, None, None, training=True),
    lambda F, lib, x: F.batch_norm(x, lib.zeros(3, dtype=x.dtype), lib.ones(3, dtype=x.dtype),
                                   lib.ones(3, dtype=x.dtype) * 2, lib.zeros(3, dtype=x.dtype)),
    lambda F, lib, x: F.layer_norm(x, (4,)),
    lambda F, lib, x: F.group_norm(x, 3),
    lambda F, lib, x: F.instance_norm(x),
], ids=["bn_train", "bn_eval", "layer_norm", "group_norm", "instance_norm"])
def test_grad_fn_and_double_backward(fn):
    x = np.random.default_rng(1).standard_normal((4, 3, 4))
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = fn(E, ember, xe), fn(T, torch, xt)
    assert grad_fn_chain(ye) == grad_fn_chain(yt)
    w = np.random.default_rng(2).standard_normal(x.shape)
    ge = ember.autograd.grad((ye * ember.tensor(w)).pow(2).sum(), xe, create_graph=True)[0]
    gt = torch.autograd.grad((yt * torch.tensor(w)).pow(2).sum(), xt, create_graph=True)[0]
    assert_same(ge, gt)
    (ge * ember.tensor(w)).sum().backward()
    (gt * torch.tensor(w)).sum().backward()
    assert_same(xe.grad, xt.grad, atol=1e-9)


def test_affine_double_backward_weight():
    x = np.random.default_rng(1).standard_normal((4, 6))
    w, b = np.linspace(0.5, 1.5, 6), np.linspace(-1, 1, 6)
    res = []
    for F, lib in ((E, ember), (T, torch)):
        xv, wv, bv = (lib.tensor(v, requires_grad=True) for v in (x, w, b))
        y = F.layer_norm(xv, (6,), wv, bv)
        g = lib.autograd.grad(y.pow(3).sum(), (xv, wv), create_graph=True)
        (g[0].sum() + g[1].pow(2).sum()).backward()
        res.append((xv.grad, wv.grad, bv.grad))
    for e, t in zip(*res):
        assert_same(e, t, atol=1e-9)


def test_instance_norm_module_running_stats():
    me = ember.nn.InstanceNorm1d(3, track_running_stats=True, affine=True)
    mt = torch.nn.InstanceNorm1d(3, track_running_stats=True, affine=True)
    assert repr(me) == repr(mt)
    for step in range(2):
        x = _x((4, 3, 5), seed=step)
        assert_same(me(ember.tensor(x)), mt(torch.tensor(x)))
        assert_same(me.running_mean, mt.running_mean)
        assert_same(me.running_var, mt.running_var)
    me.eval()
    mt.eval()
    x = _x((3, 5), seed=5)  # unbatched
    assert_same(me(ember.tensor(x)), mt(torch.tensor(x)))


def test_instance_norm_feature_size_warning_and_error():
    x = _x((2, 4, 5))
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        ye = ember.nn.InstanceNorm1d(3)(ember.tensor(x))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        yt = torch.nn.InstanceNorm1d(3)(torch.tensor(x))
    assert_same(ye, yt)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]
    assert_same_error(lambda: ember.nn.InstanceNorm1d(3, affine=True)(ember.tensor(x)),
                      lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.tensor(x)))


@pytest.mark.parametrize("make", [
    lambda nn: nn.BatchNorm1d(4), lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=None),
    lambda nn: nn.BatchNorm3d(2, affine=False), lambda nn: nn.InstanceNorm2d(3),
    lambda nn: nn.InstanceNorm1d(2, affine=True, track_running_stats=True),
    lambda nn: nn.LayerNorm(5), lambda nn: nn.LayerNorm([2, 3], elementwise_affine=False),
    lambda nn: nn.LayerNorm(4, bias=False), lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.GroupNorm(1, 3, affine=False), lambda nn: nn.LocalResponseNorm(3),
])
def test_module_repr_and_state(make):
    me, mt = make(ember.nn), make(torch.nn)
    assert repr(me) == repr(mt)
    assert list(me.state_dict()) == list(mt.state_dict())
    assert me.state_dict()._metadata == mt.state_dict()._metadata
    for (n, a), (_, b) in zip(me.state_dict().items(), mt.state_dict().items()):
        _bits(a, b, n)


def test_group_norm_module_error():
    assert_same_error(lambda: ember.nn.GroupNorm(3, 4), lambda: torch.nn.GroupNorm(3, 4))


def test_old_checkpoint_without_num_batches_tracked():
    mt = torch.nn.BatchNorm1d(3)
    sd = mt.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    me = ember.nn.BatchNorm1d(3)
    esd = type(sd)((k, ember.tensor(v.numpy())) for k, v in sd.items())
    esd._metadata = sd._metadata
    assert repr(me.load_state_dict(esd)) == repr(mt.load_state_dict(sd))
