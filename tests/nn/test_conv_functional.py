"""The nn.functional-only forms of the conv family (``avg_pool2d``, ``interpolate``, ``pad``,
``unfold``...), driven by ``FUNCTIONAL`` in tests/opinfo/nn_conv.py the way tests/test_ops.py
drives ``OPS``: values and dtypes, gradients, gradcheck in float64 and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from tests.helpers import assert_same, assert_same_error, run_both, to_ember, to_torch
from tests.opinfo.core import NP_DTYPES
from tests.opinfo.nn_conv import FUNCTIONAL
from tests.test_ops import _convert, _float_outputs


def _call(lib, op, inp, args, kwargs):
    fns = EF if lib is ember else TF
    return getattr(fns, op.name)(inp, *args, **kwargs)


def _samples(op, dt):
    return list(op.samples(NP_DTYPES[dt], np.random.default_rng(1234)))


@pytest.mark.parametrize("op,dt", [pytest.param(op, dt, id=f"{op.name}-{dt}")
                                   for op in FUNCTIONAL for dt in op.dtypes])
def test_forward_matches_torch(op, dt):
    for s in _samples(op, dt):
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        e, t = run_both(lambda: _call(ember, op, e_in, e_args, e_kw),
                        lambda: _call(torch, op, t_in, t_args, t_kw))
        assert not isinstance(t, Exception), f"{s!r}: torch raised {t!r}"
        assert not isinstance(e, Exception), f"{s!r}: ember raised {e!r}"
        assert_same(e, t, op.atol, op.rtol, path=repr(s))


def _grads(lib, op, s, conv):
    inp, args, kwargs = _convert(s, conv, grad_positions=True)
    outs = _float_outputs(_call(lib, op, inp, args, kwargs), lib)
    rng = np.random.default_rng(7)
    loss = None
    for o in outs:
        w = conv(rng.uniform(-1, 1, size=tuple(o.shape))).to(o.dtype)
        loss = (o * w).sum() if loss is None else loss + (o * w).sum()
    loss.backward()
    leaves = [x for x in [inp, *args, *kwargs.values()] if isinstance(x, lib.Tensor)]
    return [x.grad for x in leaves if x.requires_grad], outs[0].grad_fn.name()


@pytest.mark.parametrize("op", FUNCTIONAL, ids=lambda op: op.name)
def test_gradients_match_torch(op):
    for s in _samples(op, "float64"):
        t_grads, t_name = _grads(torch, op, s, to_torch)
        e_grads, e_name = _grads(ember, op, s, to_ember)
        # torch's circular pad is a composite (CopySlices); ember has one node for it
        if "circular" not in repr(s):
            assert e_name == t_name.replace("torch::autograd::", ""), f"{s!r}: grad_fn"
        assert_same(e_grads, t_grads, path=f"grads of {s!r}")


@pytest.mark.parametrize("op", FUNCTIONAL, ids=lambda op: op.name)
def test_gradcheck(op):
    for s in _samples(op, "float64")[:3]:
        inp, args, kwargs = _convert(s, to_ember, grad_positions=True)
        arrays = [x for x in [inp, *args] if isinstance(x, ember.Tensor)]

        def fn(*xs, _inp=inp, _args=args, _kw=kwargs):
            it = iter(xs)
            new_inp = next(it) if isinstance(_inp, ember.Tensor) else _inp
            new_args = tuple(next(it) if isinstance(a, ember.Tensor) else a for a in _args)
            return _call(ember, op, new_inp, new_args, _kw)

        assert ember.autograd.gradcheck(fn, tuple(arrays), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("op", [op for op in FUNCTIONAL if op.errors is not None],
                         ids=lambda op: op.name)
def test_error_inputs_match_torch(op):
    for err in op.errors():
        s = err.sample
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        assert_same_error(lambda: _call(ember, op, e_in, e_args, e_kw),
                          lambda: _call(torch, op, t_in, t_args, t_kw), err.match)
