"""RNN, LSTM, GRU and their cells against torch: initial weights (bit for bit after
``manual_seed``), parameter names, repr, outputs and gradients through time (input, initial
states and every parameter), dropout between layers, unbatched inputs and error messages.

Tolerances: float32 outputs and gradients within 2e-5 absolute / 1e-4 relative (torch's CPU
LSTM runs oneDNN kernels, other modes aten's loops; both sum in a different order than NumPy's
matrix products), float64 within 1e-10.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from tests.helpers import assert_same_error, torch_text

TOL = {np.float32: (2e-5, 1e-4), np.float64: (1e-10, 1e-10)}


def build(name: str, *args, **kwargs):
    """The same layer in both libraries after manual_seed(0); weights must agree exactly."""
    torch.manual_seed(0)
    ember.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(torch.nn, name)(*args, **kwargs)
        if "dtype" in kwargs:
            kwargs = dict(kwargs, dtype=getattr(ember, str(kwargs["dtype"]).split(".")[1]))
        e = getattr(ember.nn, name)(*args, **kwargs)
    tn = list(t.named_parameters())
    en = list(e.named_parameters())
    assert [n for n, _ in en] == [n for n, _ in tn]
    for (n, a), (_, b) in zip(tn, en):
        assert b.dtype.__repr__() == repr(a.dtype).replace("torch", "ember"), n
        np.testing.assert_array_equal(b.detach().numpy(), a.detach().numpy(), err_msg=n)
    assert repr(e) == repr(t)
    return t, e


def _flat(o) -> list:
    if isinstance(o, (tuple, list)):
        return [z for y in o for z in _flat(y)]
    return [o]


def _to(lib, x):
    if x is None:
        return None
    if isinstance(x, tuple):
        return tuple(_to(lib, y) for y in x)
    t = torch.from_numpy(x.copy()) if lib is torch else ember.from_numpy(x.copy())
    return t.requires_grad_()


def compare(t, e, inputs: list, rng, seed: int | None = None) -> None:
    """Forward both modules on the same arrays; compare outputs and all gradients."""
    dtype = next(x for x in _flat(inputs) if x is not None).dtype.type
    atol, rtol = TOL[dtype]
    tin = [_to(torch, x) for x in inputs]
    ein = [_to(ember, x) for x in inputs]
    if seed is not None:
        torch.manual_seed(seed)
        ember.manual_seed(seed)
    to = t(*tin)
    eo = e(*ein)
    assert isinstance(eo, tuple) == isinstance(to, tuple) and len(_flat(eo)) == len(_flat(to))
    lt = le = 0
    for a, b in zip(_flat(to), _flat(eo)):
        assert tuple(b.shape) == tuple(a.shape)
        assert str(b.dtype) == str(a.dtype).replace("torch", "ember")
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), atol=atol, rtol=rtol)
        w = rng.standard_normal(a.shape).astype(dtype)
        lt = lt + (a * torch.from_numpy(w)).sum()
        le = le + (b * ember.from_numpy(w)).sum()
    lt.backward()
    le.backward()
    for (n, a), (_, b) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=atol, rtol=rtol,
                                   err_msg=n)
    for a, b in zip(_flat(tin), _flat(ein)):
        if a is not None:
            np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=atol, rtol=rtol)


def _states(name, kw, batch, rng, dtype=np.float32, unbatched=False):
    ndir = 2 if kw.get("bidirectional") else 1
    n = kw.get("num_layers", 1) * ndir
    hidden = 5
    hsize = kw.get("proj_size") or hidden
    shape = (n, hsize) if unbatched else (n, batch, hsize)
    h = rng.standard_normal(shape).astype(dtype)
    if name == "LSTM":
        cshape = (n, hidden) if unbatched else (n, batch, hidden)
        return (h, rng.standard_normal(cshape).astype(dtype))
    return h


CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ("RNN", {"bias": False, "batch_first": True, "num_layers": 3}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False, "bidirectional": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"proj_size": 2, "bias": False}),
]


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
@pytest.mark.parametrize("with_h0", [False, True])
def test_layer_matches_torch(name, kw, with_h0):
    rng = np.random.default_rng(0)
    t, e = build(name, 4, 5, **kw)
    T, B = 6, 3
    x = rng.standard_normal((B, T, 4) if kw.get("batch_first") else (T, B, 4))
    x = x.astype(np.float32)
    inputs = [x, _states(name, kw, B, rng)] if with_h0 else [x]
    compare(t, e, inputs, rng)


@pytest.mark.parametrize("name,kw", CONFIGS[::2], ids=[f"{n}-{k}" for n, k in CONFIGS[::2]])
def test_unbatched(name, kw):
    rng = np.random.default_rng(1)
    t, e = build(name, 4, 5, **kw)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    compare(t, e, [x], rng)
    compare(t, e, [x, _states(name, kw, 1, rng, unbatched=True)], rng)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_float64_deep_bidirectional(name):
    rng = np.random.default_rng(2)
    t, e = build(name, 3, 5, num_layers=3, bidirectional=True, dtype=torch.float64)
    x = rng.standard_normal((7, 2, 3))
    compare(t, e, [x, _states(name, {"num_layers": 3, "bidirectional": True}, 2, rng,
                                      np.float64)], rng)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers(name):
    # Same masks as torch: dropout draws from the shared generator in torch's order.
    rng = np.random.default_rng(3)
    t, e = build(name, 4, 5, num_layers=3, dropout=0.4, bidirectional=True)
    x = rng.standard_normal((6, 3, 4)).astype(np.float32)
    compare(t, e, [x], rng, seed=7)
    t.eval()
    e.eval()
    compare(t, e, [x], rng)  # eval: no dropout


def test_double_conversion():
    rng = np.random.default_rng(8)
    t, e = build("GRU", 3, 4)
    t, e = t.double(), e.double()
    compare(t, e, [rng.standard_normal((4, 2, 3))], rng)


@settings(max_examples=10)
@given(T=st.integers(1, 4), B=st.integers(1, 3), layers=st.integers(1, 2),
       bidir=st.booleans(), mode=st.sampled_from(["RNN", "GRU", "LSTM"]))
def test_shapes_hypothesis(T, B, layers, bidir, mode):
    rng = np.random.default_rng(T * 100 + B * 10 + layers)
    t, e = build(mode, 2, 3, num_layers=layers, bidirectional=bidir)
    x = rng.standard_normal((T, B, 2)).astype(np.float32)
    compare(t, e, [x], rng)


def test_all_weights_and_flat_names():
    t, e = build("LSTM", 3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert e._flat_weights_names == t._flat_weights_names
    assert [[tuple(p.shape) for p in ws] for ws in e.all_weights] == [
        [tuple(p.shape) for p in ws] for ws in t.all_weights]


def test_state_dict_roundtrip():
    t, e = build("GRU", 3, 4, num_layers=2)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    sd = {k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()}
    e2 = ember.nn.GRU(3, 4, num_layers=2)
    e2.load_state_dict(sd)
    rng = np.random.default_rng(4)
    compare(t, e2, [rng.standard_normal((5, 2, 3)).astype(np.float32)], rng)


def test_grad_fn_and_requires_grad():
    e = ember.nn.RNN(3, 4)
    out, h = e(ember.randn(5, 2, 3))
    assert out.requires_grad and h.requires_grad
    with ember.no_grad():
        out, h = e(ember.randn(5, 2, 3))
    assert not out.requires_grad


# ------------------------------------------------------------------------------------ cells
CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu", "bias": False}),
    ("GRUCell", {}),
    ("GRUCell", {"bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}),
]


@pytest.mark.parametrize("name,kw", CELLS, ids=[f"{n}-{k}" for n, k in CELLS])
def test_cells(name, kw):
    rng = np.random.default_rng(5)
    t, e = build(name, 4, 5, **kw)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    h = rng.standard_normal((3, 5)).astype(np.float32)
    hx = (h, rng.standard_normal((3, 5)).astype(np.float32)) if name == "LSTMCell" else h
    compare(t, e, [x], rng)
    compare(t, e, [x, hx], rng)
    hx1 = (hx[0][0], hx[1][0]) if name == "LSTMCell" else hx[0]
    compare(t, e, [x[0], hx1], rng)


@pytest.mark.parametrize("name,kw", CELLS, ids=[f"{n}-{k}" for n, k in CELLS])
def test_cell_grad_fn_names(name, kw):
    # Cells print what torch's CPU cells print: h' of LSTMCell is MulBackward0, c' and
    # GRUCell's h' AddBackward0 (torch composes them from ops; no fused node on CPU).
    rng = np.random.default_rng(7)
    t, e = build(name, 4, 5, **kw)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    for hx in (None, rng.standard_normal((3, 5)).astype(np.float32)):
        if hx is not None and name == "LSTMCell":
            hx = (hx, hx * 2)
        outs = [m(_to(lib, x), None if hx is None else _to(lib, hx))
                for lib, m in ((torch, t), (ember, e))]
        names = [[o.grad_fn.name() for o in (r if isinstance(r, tuple) else (r,))]
                 for r in outs]
        assert names[1] == names[0]
        assert repr(outs[1][0] if name == "LSTMCell" else outs[1]) == torch_text(
            repr(outs[0][0] if name == "LSTMCell" else outs[0]))


def test_cell_loop_through_time():
    # A user-written loop over LSTMCell: gradients flow through every step.
    rng = np.random.default_rng(6)
    t, e = build("LSTMCell", 3, 4)
    xs = rng.standard_normal((5, 2, 3)).astype(np.float32)

    def run(lib, m):
        x = _to(lib, xs)
        h = c = None
        outs = []
        for i in range(5):
            h, c = m(x[i], None if h is None else (h, c))
            outs.append(h)
        s = lib.stack(outs).pow(2).sum()
        s.backward()
        return s, x.grad, m.weight_hh.grad

    for a, b in zip(run(torch, t), run(ember, e)):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), atol=2e-5, rtol=1e-4)


# ------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("args,kwargs", [
    ((4, 5), {"dropout": 1.5}),
    ((4, 5), {"dropout": True}),
    ((4, 5), {"bias": 1}),
    ((4, 5), {"batch_first": 1}),
    ((4.0, 5), {}),
    ((0, 5), {}),
    ((4, 5.0), {}),
    ((4, 0), {}),
    ((4, 5, 0), {}),
    ((4, 5), {"proj_size": -1}),
    ((4, 5), {"proj_size": 5}),
])
def test_constructor_errors(args, kwargs):
    assert_same_error(lambda: ember.nn.LSTM(*args, **kwargs),
                      lambda: torch.nn.LSTM(*args, **kwargs))


def test_constructor_errors_rnn_gru():
    assert_same_error(lambda: ember.nn.RNN(4, 5, proj_size=2),
                      lambda: torch.nn.RNN(4, 5, proj_size=2))
    assert_same_error(lambda: ember.nn.GRU(4, 5, proj_size=2),
                      lambda: torch.nn.GRU(4, 5, proj_size=2))
    assert_same_error(lambda: ember.nn.RNN(4, 5, nonlinearity="gelu"),
                      lambda: torch.nn.RNN(4, 5, nonlinearity="gelu"))
    assert_same_error(lambda: ember.nn.RNN(4, 5, 1, "sigmoid"),
                      lambda: torch.nn.RNN(4, 5, 1, "sigmoid"))


def test_dropout_single_layer_warns():
    with pytest.warns(UserWarning) as we:
        ember.nn.GRU(4, 5, dropout=0.5)
    with pytest.warns(UserWarning) as wt:
        torch.nn.GRU(4, 5, dropout=0.5)
    assert str(we[0].message) == str(wt[0].message)


def _forward_errors():
    f32 = np.float32
    return [
        ("RNN", {}, [np.zeros((2, 3, 4, 4), f32)]),
        ("GRU", {}, [np.zeros((4,), f32)]),
        ("LSTM", {}, [np.zeros((2, 3, 4, 4), f32)]),
        ("RNN", {}, [np.zeros((6, 3, 7), f32)]),
        ("LSTM", {}, [np.zeros((6, 3, 7), f32)]),
        ("RNN", {}, [np.zeros((6, 3, 4), f32), np.zeros((1, 2, 5), f32)]),
        ("RNN", {}, [np.zeros((6, 3, 4), f32), np.zeros((3, 5), f32)]),
        ("RNN", {}, [np.zeros((6, 4), f32), np.zeros((1, 3, 5), f32)]),
        ("GRU", {}, [np.zeros((6, 3, 4), f32), np.zeros((1, 3, 6), f32)]),
        ("GRU", {"num_layers": 2}, [np.zeros((6, 3, 4), f32), np.zeros((1, 3, 5), f32)]),
        ("LSTM", {}, [np.zeros((6, 3, 4), f32), (np.zeros((1, 3, 5), f32),
                                                 np.zeros((1, 3, 6), f32))]),
        ("LSTM", {}, [np.zeros((6, 3, 4), f32), (np.zeros((1, 2, 5), f32),
                                                 np.zeros((1, 3, 5), f32))]),
        ("LSTM", {}, [np.zeros((6, 3, 4), f32), (np.zeros((3, 5), f32),
                                                 np.zeros((1, 3, 5), f32))]),
        ("LSTM", {}, [np.zeros((6, 4), f32), (np.zeros((1, 3, 5), f32),
                                              np.zeros((1, 5), f32))]),
        ("LSTM", {}, [np.zeros((6, 3, 4), np.float64)]),
        ("GRU", {}, [np.zeros((6, 3, 4), np.float64)]),
        ("RNNCell", {}, [np.zeros((2, 3, 4), f32)]),
        ("RNNCell", {}, [np.zeros((3, 4), f32), np.zeros((2, 3, 5), f32)]),
        ("GRUCell", {}, [np.zeros((3, 4), f32), np.zeros((3, 2, 5), f32)]),
        ("LSTMCell", {}, [np.zeros((3, 4, 1), f32)]),
        ("LSTMCell", {}, [np.zeros((3, 4), f32), (np.zeros((3, 5), f32),
                                                  np.zeros((1, 3, 5), f32))]),
        ("RNNCell", {}, [np.zeros((3, 7), f32)]),
        ("GRUCell", {}, [np.zeros((3, 4), f32), np.zeros((2, 5), f32)]),
        ("LSTMCell", {}, [np.zeros((3, 4), f32), (np.zeros((3, 6), f32),
                                                  np.zeros((3, 5), f32))]),
    ]


@pytest.mark.parametrize("case", range(len(_forward_errors())))
def test_forward_errors(case):
    name, kw, inputs = _forward_errors()[case]
    t, e = build(name, 4, 5, **kw)

    def conv(lib):
        return [tuple(_plain(lib, y) for y in x) if isinstance(x, tuple) else _plain(lib, x)
                for x in inputs]

    assert_same_error(lambda: e(*conv(ember)), lambda: t(*conv(torch)))


def _plain(lib, x):
    return torch.from_numpy(x) if lib is torch else ember.from_numpy(x)


def test_unknown_cell_nonlinearity():
    t, e = build("RNNCell", 4, 5, nonlinearity="gelu")
    assert_same_error(lambda: e(ember.zeros(2, 4)), lambda: t(torch.zeros(2, 4)))


def test_error_text_uses_ember_name():
    e = ember.nn.LSTM(4, 5)
    with pytest.raises(ValueError) as ei:
        e(ember.zeros(6, 3, 4, dtype=ember.float64))
    t = torch.nn.LSTM(4, 5)
    with pytest.raises(ValueError) as ti:
        t(torch.zeros(6, 3, 4, dtype=torch.float64))
    assert str(ei.value) == torch_text(str(ti.value))


@pytest.mark.parametrize("name,kw", [("RNN", {}), ("GRU", {"batch_first": True}),
                                     ("RNN", {"bidirectional": True, "batch_first": True}),
                                     ("LSTM", {"batch_first": True}),
                                     ("LSTM", {"batch_first": True, "proj_size": 2}),
                                     ("LSTM", {"proj_size": 2})])
def test_grad_fn_names(name, kw):
    t, e = build(name, 3, 4, **kw)
    x = np.zeros((2, 5, 3), np.float32)
    ot, ht = t(torch.from_numpy(x).requires_grad_())
    oe, he = e(ember.from_numpy(x).requires_grad_())
    ht = ht[0] if isinstance(ht, tuple) else ht
    he = he[0] if isinstance(he, tuple) else he
    assert oe.grad_fn.name() == ot.grad_fn.name()
    assert he.grad_fn.name() == ht.grad_fn.name()
