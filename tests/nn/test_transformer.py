"""Transformer layers and stacks against torch: initial weights after ``manual_seed`` (bit for
bit, deep-copied layers included), parameter names, repr, outputs and gradients in train mode
(dropout 0, and dropout > 0 with the same random masks), outputs in eval mode (where torch runs
its fused fast paths), masks, causal detection, warnings and errors.
Tolerance: 2e-5 absolute / 1e-4 relative (float32).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same_error

ATOL, RTOL = 2e-5, 1e-4


def _conv_kwargs(lib, kw):
    out = {}
    for k, v in kw.items():
        if k == "activation" and callable(v) and not isinstance(v, str):
            v = v(lib)
        elif k == "norm" and callable(v):
            v = v(lib)
        out[k] = v
    return out


def build(name, *args, layer=None, **kw):
    """``layer``: (name, args, kwargs) of a prototype layer passed first (for the stacks)."""
    mods = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            a = args
            if layer is not None:
                lname, largs, lkw = layer
                a = (getattr(lib.nn, lname)(*largs, **_conv_kwargs(lib, lkw)),) + args
            mods.append((getattr(lib.nn, name)(*a, **_conv_kwargs(lib, kw)),
                         [str(x.message) for x in w]))
    (t, wt), (e, we) = mods
    assert we == wt
    tn, en = list(t.named_parameters()), list(e.named_parameters())
    assert [n for n, _ in en] == [n for n, _ in tn]
    for (n, a), (_, b) in zip(tn, en):
        np.testing.assert_array_equal(b.detach().numpy(), a.detach().numpy(), err_msg=n)
    assert repr(e) == repr(t)
    return t, e


def _arr(lib, x, grad=False):
    if not isinstance(x, np.ndarray):
        return x
    t = torch.from_numpy(x.copy()) if lib is torch else ember.from_numpy(x.copy())
    return t.requires_grad_() if grad and x.dtype.kind == "f" else t


def compare(t, e, inputs, kw=None, seed=None, grad=True):
    kw = kw or {}
    outs, ins = [], []
    for lib, m in ((torch, t), (ember, e)):
        xs = [_arr(lib, x, grad) for x in inputs]
        kws = {k: _arr(lib, v) for k, v in kw.items()}
        if seed is not None:
            lib.manual_seed(seed)
        outs.append(m(*xs, **kws))
        ins.append(xs)
    ot, oe = outs
    assert tuple(oe.shape) == tuple(ot.shape)
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), atol=ATOL, rtol=RTOL)
    if not grad:
        return
    w = np.random.default_rng(0).standard_normal(ot.shape).astype(np.float32)
    (ot * torch.from_numpy(w)).sum().backward()
    (oe * ember.from_numpy(w)).sum().backward()
    for (n, a), (_, b) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=ATOL, rtol=RTOL,
                                   err_msg=n)
    for a, b in zip(*ins):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=ATOL, rtol=RTOL)


def _r(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


ENC_CONFIGS = [
    {},
    {"norm_first": True},
    {"batch_first": True},
    {"activation": "gelu", "layer_norm_eps": 1e-3},
    {"activation": lambda lib: lib.nn.functional.silu},
    {"activation": lambda lib: lib.nn.GELU()},
    {"bias": False, "norm_first": True},
]


@pytest.mark.parametrize("kw", ENC_CONFIGS, ids=range(len(ENC_CONFIGS)))
def test_encoder_layer(kw):
    rng = np.random.default_rng(1)
    t, e = build("TransformerEncoderLayer", 8, 2, 16, 0.0, **kw)
    x = _r(rng, 3, 5, 8) if kw.get("batch_first") else _r(rng, 5, 3, 8)
    compare(t, e, [x])
    t.eval()
    e.eval()
    with torch.no_grad(), ember.no_grad():
        compare(t, e, [x], grad=False)


def _enc_masks(rng, L=5, B=3):
    kpm = np.zeros((B, L), bool)
    kpm[0, 3:] = True
    kpm[2, 4:] = True
    causal = np.triu(np.full((L, L), -np.inf, np.float32), 1)
    return [
        {"src_mask": rng.random((L, L)) > 0.7},
        {"src_mask": _r(rng, L, L)},
        {"src_key_padding_mask": kpm},
        {"src_mask": causal, "is_causal": True},
        {"src_mask": causal, "src_key_padding_mask": np.where(kpm, -np.inf, 0).astype(
            np.float32)},
    ]


@pytest.mark.parametrize("case", range(5))
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_masks(case, batch_first):
    rng = np.random.default_rng(2)
    t, e = build("TransformerEncoderLayer", 8, 2, 16, 0.0, batch_first=batch_first)
    x = _r(rng, 3, 5, 8) if batch_first else _r(rng, 5, 3, 8)
    masks = _enc_masks(rng)[case]
    compare(t, e, [x], masks)
    if case == 1 and batch_first:
        return  # torch's eval fast path reads a float mask as boolean (NaN here): not mimicked
    t.eval()
    e.eval()
    with torch.no_grad(), ember.no_grad():
        compare(t, e, [x], masks, grad=False)


def test_encoder_layer_dropout_same_masks():
    rng = np.random.default_rng(3)
    t, e = build("TransformerEncoderLayer", 8, 2, 16, 0.25)
    compare(t, e, [_r(rng, 5, 3, 8)], seed=5)


def test_encoder_layer_unbatched():
    rng = np.random.default_rng(4)
    t, e = build("TransformerEncoderLayer", 8, 2, 16, 0.0)
    compare(t, e, [_r(rng, 5, 8)])


@pytest.mark.parametrize("layer_kw,kw", [
    ({}, {}),
    ({"batch_first": True}, {"norm": lambda lib: lib.nn.LayerNorm(8)}),
    ({"batch_first": True, "norm_first": True}, {"enable_nested_tensor": False}),
    ({"batch_first": True, "nhead": 1}, {}),
])
def test_encoder_stack(layer_kw, kw):
    rng = np.random.default_rng(5)
    layer_kw = dict(layer_kw)
    nhead = layer_kw.pop("nhead", 2)
    t, e = build("TransformerEncoder", 3, layer=("TransformerEncoderLayer",
                                                (8, nhead, 16, 0.0), layer_kw), **kw)
    bf = layer_kw.get("batch_first", False)
    x = _r(rng, 3, 5, 8) if bf else _r(rng, 5, 3, 8)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 2:] = True
    compare(t, e, [x])
    compare(t, e, [x], {"src_key_padding_mask": kpm})
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    compare(t, e, [x], {"mask": causal})  # detected as causal
    t.eval()
    e.eval()
    with torch.no_grad(), ember.no_grad():
        # torch's nested-tensor path: zeros at padded positions (before the final norm)
        compare(t, e, [x], {"src_key_padding_mask": kpm}, grad=False)
        compare(t, e, [x], grad=False)


def test_decoder_layer_and_stack():
    rng = np.random.default_rng(6)
    for kw in ({}, {"norm_first": True, "batch_first": True}, {"activation": "gelu"}):
        t, e = build("TransformerDecoderLayer", 8, 2, 16, 0.0, **kw)
        bf = kw.get("batch_first", False)
        tgt = _r(rng, 3, 4, 8) if bf else _r(rng, 4, 3, 8)
        mem = _r(rng, 3, 6, 8) if bf else _r(rng, 6, 3, 8)
        compare(t, e, [tgt, mem])
        causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
        mkpm = np.zeros((3, 6), bool)
        mkpm[0, 4:] = True
        compare(t, e, [tgt, mem], {"tgt_mask": causal, "tgt_is_causal": True,
                                   "memory_key_padding_mask": mkpm})
    t, e = build("TransformerDecoder", 2, layer=("TransformerDecoderLayer", (8, 2, 16, 0.0), {}),
                 norm=lambda lib: lib.nn.LayerNorm(8))
    tgt, mem = _r(rng, 4, 3, 8), _r(rng, 6, 3, 8)
    compare(t, e, [tgt, mem])
    compare(t, e, [tgt, mem], {"tgt_mask": np.triu(np.full((4, 4), -np.inf, np.float32), 1)})


def test_transformer():
    rng = np.random.default_rng(7)
    t, e = build("Transformer", d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
                 dim_feedforward=16, dropout=0.0)
    src, tgt = _r(rng, 6, 3, 8), _r(rng, 4, 3, 8)
    compare(t, e, [src, tgt])
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    emask = ember.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    np.testing.assert_array_equal(emask, mask)
    compare(t, e, [src, tgt], {"tgt_mask": mask})
    t.eval()
    e.eval()
    with torch.no_grad(), ember.no_grad():
        compare(t, e, [src, tgt], {"tgt_mask": mask}, grad=False)


def test_transformer_dropout_same_masks():
    rng = np.random.default_rng(8)
    t, e = build("Transformer", d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                 dim_feedforward=16, dropout=0.2)
    # (batch_first=True would need dropout to draw in memory order on transposed tensors)
    compare(t, e, [_r(rng, 6, 3, 8), _r(rng, 4, 3, 8)], seed=9)


def test_errors():
    t, e = build("Transformer", d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                 dim_feedforward=16, dropout=0.0)
    for src, tgt in (((6, 3, 8), (4, 2, 8)), ((6, 3, 8), (4, 3, 6))):
        assert_same_error(lambda: e(ember.zeros(*src), ember.zeros(*tgt)),
                          lambda: t(torch.zeros(*src), torch.zeros(*tgt)))
    assert_same_error(lambda: ember.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                      lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"))
    assert_same_error(lambda: ember.nn.TransformerDecoderLayer(8, 3),
                      lambda: torch.nn.TransformerDecoderLayer(8, 3))


def test_default_arguments():
    import inspect

    for name in ("TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer",
                 "TransformerEncoder", "TransformerDecoder", "MultiheadAttention"):
        pt = inspect.signature(getattr(torch.nn, name)).parameters
        pe = inspect.signature(getattr(ember.nn, name)).parameters
        assert list(pe) == list(pt), name
        for k in pt:
            dt, de = pt[k].default, pe[k].default
            if callable(dt) and dt is not inspect.Parameter.empty:
                assert de is getattr(ember.nn.functional, dt.__name__), (name, k)
            else:
                assert de == dt, (name, k)
