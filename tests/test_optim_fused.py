"""The fused float32 SGD/Adam updates (optim/_kernels.py) give the bits of the op-by-op path.

Parameters span several chunks plus a tail, so the chunk boundaries are exercised; SGD is also
checked against torch (bit for bit: it takes no square root).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.optim import _kernels as K

SHAPES = [(3, (1 << 15) + 5), (7, 3), (1 << 15,), (5,)]  # several chunks, tails, small ones

CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": (0.3, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "betas": (0.0, 0.0), "maximize": True}),  # lerp weight 1, addcmul 1
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
]


def _run(name, kw, fused: bool, steps: int = 4):
    rng = np.random.default_rng(0)
    params = [
        ember.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES
    ]
    opt = getattr(ember.optim, name)(params, **kw)
    saved = K.fusable
    if not fused:
        K.fusable = lambda *a: False
    try:
        for _ in range(steps):
            for p in params:
                p.grad = ember.tensor(rng.standard_normal(p.shape).astype(np.float32) * 10)
            opt.step()
    finally:
        K.fusable = saved
    return params, opt


@pytest.mark.parametrize(("name", "kw"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_fused_matches_op_by_op(name, kw):
    fp, fo = _run(name, kw, True)
    gp, go = _run(name, kw, False)
    for a, b in zip(fp, gp):
        np.testing.assert_array_equal(a._data, b._data)
        assert a._version == b._version
        sa, sb = fo.state[a], go.state[b]
        assert sorted(sa) == sorted(sb)
        for k in sa:
            np.testing.assert_array_equal(sa[k]._data, sb[k]._data)
            assert sa[k]._version == sb[k]._version


def test_fused_sgd_bitwise_vs_torch():
    rng = np.random.default_rng(1)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    ep = [ember.tensor(a.copy(), requires_grad=True) for a in init]
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    eo = ember.optim.SGD(ep, lr=0.01, momentum=0.9)
    to = torch.optim.SGD(tp, lr=0.01, momentum=0.9)
    for _ in range(4):
        for a, b in zip(ep, tp):
            g = rng.standard_normal(a.shape).astype(np.float32)
            a.grad, b.grad = ember.tensor(g.copy()), torch.tensor(g.copy())
        eo.step()
        to.step()
    for a, b in zip(ep, tp):
        np.testing.assert_array_equal(a._data, b.detach().numpy())
        assert a._version == b._version
