"""nn.init against torch: seeded initialisers give torch's values (bit for bit where the RNG
allows), gains, fans and errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import as_numpy, assert_same, assert_same_error, same_scenario

SHAPES = [(5, 3), (4, 3, 2), (6, 2, 3, 3), (40, 17)]

SEEDED = {
    "uniform_": dict(a=-0.5, b=2.0),
    "normal_": dict(mean=1.0, std=0.5),
    "xavier_uniform_": dict(gain=2.0),
    "xavier_normal_": dict(),
    "kaiming_uniform_": dict(a=math.sqrt(5)),
    "kaiming_normal_": dict(mode="fan_out", nonlinearity="relu"),
    "trunc_normal_": dict(mean=0.0, std=1.0, a=-2.0, b=2.0),
    "trunc_normal_narrow": dict(mean=0.0, std=1.0, a=0.5, b=0.8),
    "trunc_normal_shifted": dict(mean=3.0, std=0.5, a=2.0, b=3.5),
}


def _init(lib, name: str, shape, dtype: str, generator: bool):
    fn = getattr(lib.nn.init, name if name.endswith("_") else "trunc_normal_")
    t = lib.empty(shape, dtype=getattr(lib, dtype))
    kw = dict(SEEDED[name])
    if generator:
        g = lib.Generator()
        g.manual_seed(7)
        kw["generator"] = g
    else:
        lib.manual_seed(0)
    out = fn(t, **kw)
    assert out is t
    return t


@pytest.mark.parametrize("name", list(SEEDED))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_seeded_initialisers_are_bit_exact(name, shape):
    for dtype in ("float32", "float64"):
        for gen in (False, True):
            e = _init(ember, name, shape, dtype, gen)
            t = _init(torch, name, shape, dtype, gen)
            assert str(e.dtype) == str(t.dtype).replace("torch", "ember")
            np.testing.assert_array_equal(as_numpy(e), as_numpy(t),
                                          err_msg=f"{name} {dtype} generator={gen}")


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)], ids=str)
def test_orthogonal(shape):
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        t = lib.empty(shape, dtype=lib.float64)
        lib.nn.init.orthogonal_(t, gain=2.0)
        res.append(t)
    assert_same(res[0], res[1], atol=1e-10, rtol=1e-10)


def test_sparse_and_deterministic_fills():
    def run(lib):
        lib.manual_seed(0)
        out = [lib.nn.init.sparse_(lib.empty(6, 4), sparsity=0.5, std=0.1)]
        for fn, args in (("constant_", (0.3,)), ("ones_", ()), ("zeros_", ()), ("eye_", ()),
                         ("dirac_", ())):
            for shape in ((3, 4), (4, 2, 3), (4, 4, 3, 3), (2, 2, 3, 3, 3), (4,)):
                t = lib.full(shape, 5.0, requires_grad=True)
                try:
                    r = getattr(lib.nn.init, fn)(t, *args)
                    out.append([r is t, t.detach().clone(), t.requires_grad, t.is_leaf])
                except ValueError as e:
                    out.append(str(e))
        out.append(lib.nn.init.dirac_(lib.empty(6, 2, 3, 3), groups=2))
        return out

    same_scenario(run)


def test_gains_fans_and_errors():
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("selu",),
                 ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3)]:
        assert ember.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    for args in [("leaky_relu", True), ("leaky_relu", "x"), ("swish",)]:
        assert_same_error(lambda a=args: ember.nn.init.calculate_gain(*a),
                          lambda a=args: torch.nn.init.calculate_gain(*a))
    for shape in [(3, 4), (3, 4, 5), (2, 3, 4, 5)]:
        assert ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    errors = [
        lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
        lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode="fan_avg"),
        lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
        lambda lib: lib.nn.init.dirac_(lib.empty(3, 3, 3), groups=2),
        lambda lib: lib.nn.init.sparse_(lib.empty(3, 3, 3), 0.5),
    ]
    for err in errors:
        assert_same_error(lambda err=err: err(ember), lambda err=err: err(torch))


def test_warnings():
    def run(lib):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
            lib.nn.init.kaiming_normal_(lib.empty(3, 0))
            lib.nn.init.trunc_normal_(lib.empty(3), mean=10.0, a=-1, b=1)
            lib.nn.init.uniform(lib.empty(2))
            lib.nn.init.xavier_normal(lib.empty(2, 2))
        return [(x.category.__name__, str(x.message)) for x in w]

    same_scenario(run)


def test_linear_and_embedding_init_are_torchs():
    for make in (lambda lib: lib.nn.Linear(7, 5), lambda lib: lib.nn.Bilinear(3, 4, 2),
                 lambda lib: lib.nn.Embedding(20, 6, padding_idx=3),
                 lambda lib: lib.nn.EmbeddingBag(9, 4)):
        out = []
        for lib in (ember, torch):
            lib.manual_seed(0)
            out.append([as_numpy(p) for p in make(lib).parameters()])
        for a, b in zip(*out):
            np.testing.assert_array_equal(a, b)
