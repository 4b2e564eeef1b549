"""Generic tests driven by the op database: every op against torch, the same way."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember._ops.registry import PUBLIC

from .helpers import assert_same, assert_same_error, run_both, to_ember, to_torch
from .opinfo import OP_DB, TESTED_ELSEWHERE
from .opinfo.core import NP_DTYPES, Sample


def _cases(kind: str):
    for op in OP_DB:
        dtypes = op.dtypes if kind == "forward" else op.grad_dtypes
        for dt in dtypes:
            yield pytest.param(op, dt, id=f"{op.name}-{dt}")


def _samples(op, dt):
    rng = np.random.default_rng(1234)
    out = list(op.samples(NP_DTYPES[dt], rng))
    assert out, f"{op.name}: no samples for {dt}"
    return out


def _convert(s: Sample, conv, grad_positions=None):
    def req(pos, x):
        if grad_positions is None or not (s.grad is None or pos in s.grad):
            return False
        if isinstance(x, list):  # a list of tensors (cat, stack...): each float one
            return any(isinstance(v, np.ndarray) and v.dtype.kind in "fV" for v in x)
        return isinstance(x, np.ndarray) and x.dtype.kind in "fV"

    def c(pos, x):
        if isinstance(x, list) and req(pos, x):
            return [conv(v, isinstance(v, np.ndarray) and v.dtype.kind in "fV") for v in x]
        return conv(x, req(pos, x))

    inp = c("input", s.input)
    args = tuple(c(i, a) for i, a in enumerate(s.args))
    kwargs = {k: c(k, v) for k, v in s.kwargs.items()}
    return inp, args, kwargs


def _call(lib, op, variant, inp, args, kwargs):
    name = op.name if lib is ember else op.torch_name
    if variant == "function":
        return getattr(lib, name)(inp, *args, **kwargs)
    if variant == "method":
        return getattr(inp, name)(*args, **kwargs)
    if variant == "inplace":
        return getattr(inp, name + "_")(*args, **kwargs)
    raise ValueError(variant)


@pytest.mark.parametrize("op,dt", list(_cases("forward")))
def test_forward_matches_torch(op, dt):
    for s in _samples(op, dt):
        for variant in op.variants:
            e_in, e_args, e_kw = _convert(s, to_ember)
            t_in, t_args, t_kw = _convert(s, to_torch)
            if variant == "inplace":
                e_in, t_in = e_in.clone(), t_in.clone()
            e, t = run_both(lambda: _call(ember, op, variant, e_in, e_args, e_kw),
                            lambda: _call(torch, op, variant, t_in, t_args, t_kw))
            where = f"{variant} {s!r}"
            if isinstance(t, Exception):
                assert isinstance(e, Exception), f"{where}: torch raised {t!r}, ember returned"
                assert type(e).__name__ == type(t).__name__, f"{where}: {e!r} vs {t!r}"
                continue
            assert not isinstance(e, Exception), f"{where}: ember raised {e!r}"
            assert_same(e, t, op.atol, op.rtol, path=where)
            if variant == "inplace":
                assert e is e_in, f"{where}: in-place op must return self"


def _float_outputs(out, lib):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_float_outputs(o, lib))
        return res
    if isinstance(out, lib.Tensor) and out.is_floating_point() and out.requires_grad:
        return [out]
    return []


def _grads(lib, op, s, conv):
    inp, args, kwargs = _convert(s, conv, grad_positions=True)
    out = _call(lib, op, op.variants[0], inp, args, kwargs)
    outs = _float_outputs(out, lib)
    if not outs:
        return None
    rng = np.random.default_rng(7)
    loss = None
    for o in outs:
        w = rng.uniform(-1, 1, size=tuple(o.shape)).astype(np.float64)
        wt = conv(w).to(o.dtype)
        term = (o * wt).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    leaves = [inp] + list(args) + list(kwargs.values())
    flat = []
    for x in leaves:
        if isinstance(x, (list, tuple)):
            flat.extend(x)
        else:
            flat.append(x)
    return [x.grad for x in flat if isinstance(x, lib.Tensor) and x.requires_grad]


@pytest.mark.parametrize("op,dt", list(_cases("grad")))
def test_gradients_match_torch(op, dt):
    for s in _samples(op, dt):
        t_grads = _grads(torch, op, s, to_torch)
        e_grads = _grads(ember, op, s, to_ember)
        if t_grads is None:
            assert e_grads is None, f"{s!r}: ember output requires grad, torch's does not"
            continue
        assert e_grads is not None, f"{s!r}: torch output requires grad, ember's does not"
        assert len(e_grads) == len(t_grads)
        for i, (ge, gt) in enumerate(zip(e_grads, t_grads)):
            if gt is None:
                assert ge is None or not np.any(ge._data), f"{s!r}: grad {i}"
                continue
            assert ge is not None, f"{s!r}: ember grad {i} is None, torch's is not"
            assert_same(ge, gt, op.atol, op.rtol, path=f"grad {i} of {s!r}")


@pytest.mark.parametrize("op", [op for op in OP_DB if op.gradcheck and op.grad_dtypes],
                         ids=lambda op: op.name)
def test_gradcheck(op):
    for s in _samples(op, "float64")[:3]:
        inp, args, kwargs = _convert(s, to_ember, grad_positions=True)
        arrays = [x for x in [inp, *args] if isinstance(x, ember.Tensor)]
        if sum(x.numel() for x in arrays) > 60:
            continue

        def fn(*xs, _inp=inp, _args=args, _kw=kwargs):
            it = iter(xs)
            new_inp = next(it) if isinstance(_inp, ember.Tensor) else _inp
            new_args = tuple(next(it) if isinstance(a, ember.Tensor) else a for a in _args)
            return _call(ember, op, op.variants[0], new_inp, new_args, _kw)

        if not any(x.requires_grad for x in arrays):
            continue
        assert ember.autograd.gradcheck(fn, tuple(arrays), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("op", [op for op in OP_DB if op.errors is not None],
                         ids=lambda op: op.name)
def test_error_inputs_match_torch(op):
    for err in op.errors():
        s = err.sample
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        variant = op.variants[0]
        assert_same_error(lambda: _call(ember, op, variant, e_in, e_args, e_kw),
                          lambda: _call(torch, op, variant, t_in, t_args, t_kw),
                          err.match)


def test_every_public_op_has_a_database_entry():
    covered = {op.name for op in OP_DB} | set(TESTED_ELSEWHERE)
    missing = sorted(set(PUBLIC) - covered)
    assert not missing, f"public ops without an OpInfo entry: {missing}"
