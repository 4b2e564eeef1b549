"""PackedSequence and its helpers (torch.nn.utils.rnn, kept by ember in nn/modules/rnn.py) and
RNN/LSTM/GRU on packed input, against torch: packed data, batch sizes, permutations (ties
broken as torch's sort breaks them), padded round trips, outputs, final states and gradients.
Tolerance: float32 2e-5 absolute / 1e-4 relative; packing itself is exact.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as TR

import ember
from ember.nn.utils import rnn as ER  # torch.nn.utils.rnn's path (kept in nn/modules/rnn.py)
from tests.helpers import assert_same_error

ATOL, RTOL = 2e-5, 1e-4


def _pair(x, grad=False):
    t = torch.from_numpy(x.copy())
    e = ember.from_numpy(x.copy())
    if grad:
        t.requires_grad_()
        e.requires_grad_()
    return t, e


def _close(e, t, exact=False):
    a, b = e.detach().numpy(), t.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype
    if exact:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, atol=ATOL, rtol=RTOL)


def _same_packed(pe, pt):
    _close(pe.data, pt.data, exact=True)
    _close(pe.batch_sizes, pt.batch_sizes, exact=True)
    for a, b in ((pe.sorted_indices, pt.sorted_indices),
                 (pe.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if b is not None:
            _close(a, b, exact=True)


@pytest.mark.parametrize("lengths,enforce", [([5, 3, 1], True), ([2, 5, 3, 5], False),
                                             ([5] * 20 + [6], False), ([4, 4], True)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_round_trip(lengths, enforce, batch_first):
    rng = np.random.default_rng(0)
    T, B = max(lengths), len(lengths)
    x = rng.standard_normal((B, T, 3) if batch_first else (T, B, 3)).astype(np.float32)
    xt, xe = _pair(x, True)
    pt = TR.pack_padded_sequence(xt, lengths, batch_first, enforce)
    pe = ER.pack_padded_sequence(xe, lengths, batch_first, enforce)
    _same_packed(pe, pt)
    assert type(pe).__name__ == "PackedSequence" and pe._fields == pt._fields
    for total in (None, T + 2):
        ot, lt = TR.pad_packed_sequence(pt, batch_first, -1.0, total)
        oe, le = ER.pad_packed_sequence(pe, batch_first, -1.0, total)
        _close(oe, ot, exact=True)
        _close(le, lt, exact=True)
    w = rng.standard_normal(ot.shape).astype(np.float32)
    (ot * torch.from_numpy(w)).sum().backward()
    (oe * ember.from_numpy(w)).sum().backward()
    _close(xe.grad, xt.grad, exact=True)


def test_pad_pack_sequence_helpers():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 5, 1)]
    st = [torch.from_numpy(s) for s in seqs]
    se = [ember.from_numpy(s) for s in seqs]
    for bf in (False, True):
        for side in ("right", "left"):
            _close(ER.pad_sequence(se, bf, 7.0, side), TR.pad_sequence(st, bf, 7.0, side), True)
    _same_packed(ER.pack_sequence(se, enforce_sorted=False),
                 TR.pack_sequence(st, enforce_sorted=False))
    for a, b in zip(ER.unpack_sequence(ER.pack_sequence(se, False)),
                    TR.unpack_sequence(TR.pack_sequence(st, False))):
        _close(a, b, exact=True)
    padded_t = TR.pad_sequence(st)
    padded_e = ER.pad_sequence(se)
    lens = [3, 5, 1]
    for a, b in zip(ER.unpad_sequence(padded_e, ember.tensor(lens)),
                    TR.unpad_sequence(padded_t, torch.tensor(lens))):
        _close(a, b, exact=True)
    perm = ember.tensor([2, 0, 3, 1])
    assert ER.invert_permutation(perm).tolist() == TR.invert_permutation(
        torch.tensor([2, 0, 3, 1])).tolist()


def test_pack_errors():
    x = np.zeros((4, 3, 2), np.float32)
    for lens in ([4, 1, 2], [4, 2, 0]):
        assert_same_error(lambda: ER.pack_padded_sequence(ember.from_numpy(x), lens),
                          lambda: TR.pack_padded_sequence(torch.from_numpy(x), lens))
    pt = TR.pack_padded_sequence(torch.from_numpy(x), [4, 2, 1])
    pe = ER.pack_padded_sequence(ember.from_numpy(x), [4, 2, 1])
    assert_same_error(lambda: ER.pad_packed_sequence(pe, total_length=2),
                      lambda: TR.pad_packed_sequence(pt, total_length=2))


CONFIGS = [
    ("RNN", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "batch_first": True}),
    ("RNN", {"nonlinearity": "relu", "bias": False, "bidirectional": True, "num_layers": 3,
             "dropout": 0.3}),
]


def _build(name, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        t = getattr(torch.nn, name)(4, 5, **kw)
        ember.manual_seed(0)
        e = getattr(ember.nn, name)(4, 5, **kw)
    for a, b in zip(t.parameters(), e.parameters()):
        np.testing.assert_array_equal(b.detach().numpy(), a.detach().numpy())
    return t, e


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
@pytest.mark.parametrize("lengths,enforce,with_h0", [([6, 4, 1], True, False),
                                                     ([2, 6, 3], False, False),
                                                     ([2, 6, 3], False, True)])
def test_rnn_on_packed_input(name, kw, lengths, enforce, with_h0):
    rng = np.random.default_rng(2)
    t, e = _build(name, kw)
    bf = kw.get("batch_first", False)
    x = rng.standard_normal((3, 6, 4) if bf else (6, 3, 4)).astype(np.float32)
    xt, xe = _pair(x, True)
    args_t = [TR.pack_padded_sequence(xt, lengths, bf, enforce)]
    args_e = [ER.pack_padded_sequence(xe, lengths, bf, enforce)]
    if with_h0:
        n = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
        h = rng.standard_normal((n, 3, kw.get("proj_size") or 5)).astype(np.float32)
        ht_, he_ = _pair(h, True)
        if name == "LSTM":
            ct_, ce_ = _pair(rng.standard_normal((n, 3, 5)).astype(np.float32), True)
            args_t.append((ht_, ct_))
            args_e.append((he_, ce_))
        else:
            args_t.append(ht_)
            args_e.append(he_)
    torch.manual_seed(3)
    ot, hid_t = t(*args_t)
    ember.manual_seed(3)
    oe, hid_e = e(*args_e)
    assert isinstance(oe, ER.PackedSequence)
    _close(oe.batch_sizes, ot.batch_sizes, exact=True)
    ft = [ot.data] + (list(hid_t) if isinstance(hid_t, tuple) else [hid_t])
    fe = [oe.data] + (list(hid_e) if isinstance(hid_e, tuple) else [hid_e])
    lt = le = 0
    for a, b in zip(ft, fe):
        _close(b, a)
        w = rng.standard_normal(a.shape).astype(np.float32)
        lt = lt + (a * torch.from_numpy(w)).sum()
        le = le + (b * ember.from_numpy(w)).sum()
    lt.backward()
    le.backward()
    _close(xe.grad, xt.grad)
    for a, b in zip(t.parameters(), e.parameters()):
        _close(b.grad, a.grad)
    # The padded view of the output, as users read it back.
    _close(ER.pad_packed_sequence(oe, bf)[0], TR.pad_packed_sequence(ot, bf)[0])


def test_packed_hidden_size_error():
    t, e = _build("GRU", {})
    x = np.zeros((5, 3, 4), np.float32)
    pt = TR.pack_padded_sequence(torch.from_numpy(x), [5, 3, 2])
    pe = ER.pack_padded_sequence(ember.from_numpy(x), [5, 3, 2])
    assert_same_error(lambda: e(pe, ember.zeros(1, 2, 5)), lambda: t(pt, torch.zeros(1, 2, 5)))
