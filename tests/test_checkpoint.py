"""ember.utils.checkpoint vs torch.utils.checkpoint: values, gradients, nodes, RNG replay."""

from __future__ import annotations

import importlib
import warnings

import pytest
import torch

import ember

from .helpers import torch_text


def _scenario(lib, reentrant, sequential):
    ck = importlib.import_module(lib.__name__ + ".utils.checkpoint")
    nn = lib.nn
    lib.manual_seed(0)
    # Dropout inside: the reentrant recomputation must replay the same mask.
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 8), nn.Tanh(),
                      nn.Linear(8, 2))
    x = lib.randn(3, 4, requires_grad=True)
    lib.manual_seed(1)
    if sequential:
        y = ck.checkpoint_sequential(m, 2, x, use_reentrant=reentrant)
    else:
        y = ck.checkpoint(m, x, use_reentrant=reentrant)
    y.pow(2).sum().backward()
    node = repr(y.grad_fn).rsplit(" at 0x", 1)[0]
    return [repr(y), node, repr(x.grad)] + [repr(p.grad) for p in m.parameters()]


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_matches_torch(reentrant, sequential):
    got = _scenario(ember, reentrant, sequential)
    want = [torch_text(s) for s in _scenario(torch, reentrant, sequential)]
    assert got == want


def _messages(lib):
    ck = importlib.import_module(lib.__name__ + ".utils.checkpoint")
    out = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        y = ck.checkpoint(lambda a, b: a * b, lib.ones(2), lib.ones(2))
        ck.checkpoint_sequential(lib.nn.Sequential(lib.nn.ReLU()), 1, lib.ones(1))
    out += [f"{i.category.__name__}: {i.message}" for i in w] + [repr(y.grad_fn)]
    for call in (lambda: ck.checkpoint(lib.sin, lib.ones(1), use_reentrant=True, foo=1),
                 lambda: ck.checkpoint_sequential([lib.sin], 1, lib.ones(1), bar=2),
                 lambda: ck.checkpoint(lib.sin, lib.ones(1), use_reentrant=True, debug=True)):
        try:
            call()
        except ValueError as e:
            out.append(str(e))
    # Non-reentrant passes keyword arguments through to the function.
    out.append(repr(ck.checkpoint(lambda a, s: a * s, lib.ones(2), use_reentrant=False, s=3.0)))
    return out


def test_checkpoint_warnings_and_errors():
    assert _messages(ember) == [torch_text(s) for s in _messages(torch)]
