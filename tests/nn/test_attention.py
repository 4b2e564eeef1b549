"""scaled_dot_product_attention, multi_head_attention_forward and MultiheadAttention vs torch.

SDPA: values and gradients of q, k, v (and of a float mask) for torch's two CPU paths (4-D
inputs: flash kernel; others: math path), bool/float/broadcast masks, is_causal, scale,
enable_gqa, fully masked rows, dropout (same random masks), half precision, errors.
Tolerances: float32 2e-6 abs / 1e-5 rel for values and 1e-5 for gradients (torch's flash
kernel sums in blocks), float64 1e-12, float16/bfloat16 one unit in the last place.
"""

from __future__ import annotations

import warnings

import ml_dtypes
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.nn.functional as EF
from tests.helpers import assert_same_error

TOL = {np.float32: (1e-5, 1e-5), np.float64: (1e-12, 1e-12)}


def _both(x, grad=False):
    if x is None or isinstance(x, (bool, int, float)):
        return x, x
    t = torch.from_numpy(x.copy())
    e = ember.from_numpy(x.copy())
    if grad:
        t.requires_grad_()
        e.requires_grad_()
    return t, e


def check_sdpa(q, k, v, mask=None, grad_mask=False, seed=None, **kw):
    dtype = q.dtype.type
    atol, rtol = TOL[dtype]
    qt, qe = _both(q, True)
    kt, ke = _both(k, True)
    vt, ve = _both(v, True)
    mt, me = _both(mask, grad_mask)
    if seed is not None:
        torch.manual_seed(seed)
    ot = TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt, **kw)
    if seed is not None:
        ember.manual_seed(seed)
    oe = EF.scaled_dot_product_attention(qe, ke, ve, attn_mask=me, **kw)
    assert tuple(oe.shape) == tuple(ot.shape)
    assert str(oe.dtype) == str(ot.dtype).replace("torch", "ember")
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), atol=atol, rtol=rtol)
    w = np.random.default_rng(1).standard_normal(ot.shape).astype(dtype)
    (ot * torch.from_numpy(w)).sum().backward()
    (oe * ember.from_numpy(w)).sum().backward()
    pairs = [(qt, qe), (kt, ke), (vt, ve)] + ([(mt, me)] if grad_mask else [])
    for a, b in pairs:
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=atol, rtol=rtol)


def _r(rng, *shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


SHAPES = [
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)),  # 4-D: torch's flash kernel
    ((3, 4, 8), (3, 5, 8), (3, 5, 6)),  # 3-D, value head size differs: math path
    ((4, 8), (5, 8), (5, 8)),
    ((2, 2, 3, 4, 8), (2, 2, 3, 5, 8), (2, 2, 3, 5, 8)),
    ((2, 3, 4, 8), (2, 1, 5, 8), (2, 1, 5, 8)),  # broadcast heads (math path)
]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("mask_kind", [None, "bool", "float", "bool_bcast", "float_grad"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sdpa_masks(shapes, mask_kind, dtype):
    rng = np.random.default_rng(0)
    q, k, v = (_r(rng, *s, dtype=dtype) for s in shapes)
    L, S = shapes[0][-2], shapes[1][-2]
    mask = None
    if mask_kind == "bool":
        mask = rng.random((L, S)) > 0.3
        mask[:, 0] = True
    elif mask_kind == "bool_bcast":
        mask = rng.random(shapes[0][:-2][:1] + (1,) * (len(shapes[0]) - 3) + (L, S)) > 0.4
    elif mask_kind is not None:
        mask = _r(rng, L, S, dtype=dtype)
    check_sdpa(q, k, v, mask, grad_mask=mask_kind == "float_grad")


@pytest.mark.parametrize("shapes", SHAPES[:3], ids=str)
@pytest.mark.parametrize("kw", [{"is_causal": True}, {"scale": 0.3}, {"scale": -0.7},
                                {"is_causal": True, "scale": 2.0}])
def test_sdpa_causal_scale(shapes, kw):
    rng = np.random.default_rng(2)
    q, k, v = (_r(rng, *s) for s in shapes)
    check_sdpa(q, k, v, **kw)


def test_sdpa_causal_with_mask_flash_path():
    # torch's CPU flash kernel (4-D) applies both; the math path refuses (tested below).
    rng = np.random.default_rng(3)
    q, k, v = _r(rng, 1, 2, 4, 8), _r(rng, 1, 2, 6, 8), _r(rng, 1, 2, 6, 8)
    check_sdpa(q, k, v, _r(rng, 4, 6), is_causal=True)


def test_sdpa_fully_masked_rows_are_zero():
    rng = np.random.default_rng(4)
    for qs, ks in (((1, 2, 3, 4), (1, 2, 5, 4)), ((3, 4), (5, 4))):
        q, k, v = _r(rng, *qs), _r(rng, *ks), _r(rng, *ks)
        mask = np.ones((qs[-2], ks[-2]), bool)
        mask[1] = False
        check_sdpa(q, k, v, mask)


@pytest.mark.parametrize("hk", [1, 2])
def test_sdpa_enable_gqa(hk):
    rng = np.random.default_rng(5)
    q, k, v = _r(rng, 2, 4, 3, 8), _r(rng, 2, hk, 5, 8), _r(rng, 2, hk, 5, 8)
    check_sdpa(q, k, v, enable_gqa=True)
    check_sdpa(q[0], k[0], v[0], enable_gqa=True)


@pytest.mark.parametrize("shapes", SHAPES[:2], ids=str)
def test_sdpa_dropout_same_masks(shapes):
    rng = np.random.default_rng(6)
    q, k, v = (_r(rng, *s) for s in shapes)
    check_sdpa(q, k, v, dropout_p=0.3, seed=11)


@pytest.mark.parametrize("np_dtype,tdt", [(np.float16, torch.float16),
                                          (ml_dtypes.bfloat16, torch.bfloat16)])
@pytest.mark.parametrize("shapes", SHAPES[:2], ids=str)
def test_sdpa_half(np_dtype, tdt, shapes):
    rng = np.random.default_rng(7)
    q, k, v = (_r(rng, *s) for s in shapes)
    mask = rng.random((shapes[0][-2], shapes[1][-2])) > 0.3
    out_t = TF.scaled_dot_product_attention(*(torch.from_numpy(x).to(tdt) for x in (q, k, v)),
                                            attn_mask=torch.from_numpy(mask))
    out_e = EF.scaled_dot_product_attention(*(ember.from_numpy(x.astype(np_dtype))
                                              for x in (q, k, v)),
                                            attn_mask=ember.from_numpy(mask))
    assert str(out_e.dtype) == str(out_t.dtype).replace("torch", "ember")
    ulp = 2.0 ** -10 if np_dtype is np.float16 else 2.0 ** -7
    np.testing.assert_allclose(out_e.float().numpy(), out_t.float().numpy(), atol=2 * ulp,
                               rtol=ulp)


@settings(max_examples=10)
@given(b=st.integers(1, 2), h=st.integers(1, 3), L=st.integers(1, 5), S=st.integers(1, 5),
       E=st.integers(1, 6), four_d=st.booleans(), causal=st.booleans())
def test_sdpa_hypothesis(b, h, L, S, E, four_d, causal):
    rng = np.random.default_rng(b * 1000 + h * 100 + L * 10 + S)
    lead = (b, h) if four_d else (b * h,)
    q, k, v = _r(rng, *lead, L, E), _r(rng, *lead, S, E), _r(rng, *lead, S, E)
    check_sdpa(q, k, v, is_causal=causal)


def test_sdpa_grad_fn_double_backward():
    # The gradients are built from ember ops, so they are differentiable again.
    rng = np.random.default_rng(8)
    q, k, v = _r(rng, 3, 4, dtype=np.float64), _r(rng, 5, 4, dtype=np.float64), _r(
        rng, 5, 4, dtype=np.float64)
    qe = ember.from_numpy(q).requires_grad_()
    ke, ve = ember.from_numpy(k), ember.from_numpy(v)
    assert ember.autograd.gradcheck(
        lambda a: EF.scaled_dot_product_attention(a, ke, ve), (qe,))
    assert ember.autograd.gradgradcheck(
        lambda a: EF.scaled_dot_product_attention(a, ke, ve), (qe,))


def _sdpa_errors():
    f = np.float32
    z = np.zeros
    return [
        ((z((3, 4, 8), f), z((3, 5, 8), np.float64), z((3, 5, 8), f)), {}),
        ((z((3, 4, 8), f), z((3, 5, 8), f), z((3, 5, 8), np.float16)), {}),
        ((z(8, f), z(8, f), z(8, f)), {}),
        ((z((3, 4, 8), f), z((3, 5, 8), f), z((3, 5, 8), f)),
         {"attn_mask": z((4, 5), np.int64)}),
        ((z((3, 4, 8), f), z((3, 5, 8), f), z((3, 5, 8), f)),
         {"attn_mask": z((4, 5), np.float64)}),
        ((z((3, 4, 8), f), z((3, 5, 8), f), z((3, 5, 8), f)),
         {"attn_mask": z((4, 5), bool), "is_causal": True}),
        ((z((3, 4, 8), f), z((3, 5, 8), f), z((3, 5, 8), f)), {"dropout_p": 1.5}),
        ((z((3, 4, 8), np.int32), z((3, 5, 8), np.int32), z((3, 5, 8), np.int32)), {}),
        ((z((1, 3, 4, 8), f), z((1, 2, 5, 8), f), z((1, 2, 5, 8), f)), {"enable_gqa": True}),
    ]


@pytest.mark.parametrize("case", range(len(_sdpa_errors())))
def test_sdpa_errors(case):
    arrays, kw = _sdpa_errors()[case]
    kt = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ke = {k: ember.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    assert_same_error(
        lambda: EF.scaled_dot_product_attention(*(ember.from_numpy(a) for a in arrays), **ke),
        lambda: TF.scaled_dot_product_attention(*(torch.from_numpy(a) for a in arrays), **kt))


# ---------------------------------------------------------------------------------- MHA
def build(name, *args, **kwargs):
    torch.manual_seed(0)
    ember.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kwargs)
    e = getattr(ember.nn, name)(*args, **kwargs)
    tn, en = list(t.named_parameters()), list(e.named_parameters())
    assert [n for n, _ in en] == [n for n, _ in tn]
    for (n, a), (_, b) in zip(tn, en):
        np.testing.assert_array_equal(b.detach().numpy(), a.detach().numpy(), err_msg=n)
    assert repr(e) == repr(t)
    return t, e


def run_mha(t, e, q, k, v, rng, self_attn=False, **kw):
    qt, qe = _both(q, True)
    if self_attn:
        kt = vt = qt
        ke = ve = qe
    else:
        (kt, ke), (vt, ve) = _both(k, True), _both(v, True)
    kwt = {n: (torch.from_numpy(x) if isinstance(x, np.ndarray) else x) for n, x in kw.items()}
    kwe = {n: (ember.from_numpy(x) if isinstance(x, np.ndarray) else x) for n, x in kw.items()}
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        ot, wt_ = t(qt, kt, vt, **kwt)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        oe, we_ = e(qe, ke, ve, **kwe)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]
    np.testing.assert_allclose(oe.detach().numpy(), ot.detach().numpy(), atol=2e-6, rtol=1e-5)
    assert (we_ is None) == (wt_ is None)
    loss_t = (ot * torch.from_numpy(np.cos(np.arange(ot.numel())).reshape(ot.shape)
                                    .astype(np.float32))).sum()
    loss_e = (oe * ember.from_numpy(np.cos(np.arange(ot.numel())).reshape(ot.shape)
                                    .astype(np.float32))).sum()
    if wt_ is not None:
        assert tuple(we_.shape) == tuple(wt_.shape)
        np.testing.assert_allclose(we_.detach().numpy(), wt_.detach().numpy(), atol=2e-6,
                                   rtol=1e-5)
        loss_t = loss_t + wt_.square().sum()
        loss_e = loss_e + we_.square().sum()
    if not t.training or not ot.requires_grad:
        return
    loss_t.backward()
    loss_e.backward()
    for (n, a), (_, b) in zip(t.named_parameters(), e.named_parameters()):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=1e-5, rtol=1e-4,
                                   err_msg=n)
    grads = [(qt, qe)] + ([] if self_attn else [(kt, ke), (vt, ve)])
    for a, b in grads:
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=1e-5, rtol=1e-4)


MHA_CONFIGS = [
    {},
    {"bias": False},
    {"add_bias_kv": True},
    {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True},
    {"kdim": 6, "vdim": 3},
    {"batch_first": True},
]


@pytest.mark.parametrize("kw", MHA_CONFIGS, ids=str)
@pytest.mark.parametrize("fkw", [{}, {"need_weights": False}, {"average_attn_weights": False}],
                         ids=str)
def test_mha_configs(kw, fkw):
    rng = np.random.default_rng(10)
    t, e = build("MultiheadAttention", 8, 2, **kw)
    L, S, B = 5, 7, 3
    if kw.get("batch_first"):
        q, k, v = _r(rng, B, L, 8), _r(rng, B, S, 8), _r(rng, B, S, 8)
    else:
        q, k, v = _r(rng, L, B, 8), _r(rng, S, B, kw.get("kdim", 8)), _r(rng, S, B,
                                                                         kw.get("vdim", 8))
    run_mha(t, e, q, k, v, rng, **fkw)
    if "kdim" not in kw:
        run_mha(t, e, q, None, None, rng, self_attn=True, **fkw)


def _masks(rng, B, L, S, H):
    kpm = rng.random((B, S)) > 0.7
    kpm[:, 0] = False
    am = rng.random((L, S)) > 0.7
    am[:, 0] = False
    return [
        {"key_padding_mask": kpm},
        {"key_padding_mask": np.where(kpm, -np.inf, 0.0).astype(np.float32)},
        {"attn_mask": am},
        {"attn_mask": _r(rng, L, S)},
        {"attn_mask": rng.random((B * H, L, S)) > 0.8},
        {"attn_mask": am, "key_padding_mask": kpm},
        {"attn_mask": _r(rng, L, S), "key_padding_mask": kpm},  # mismatched: warns
        {"attn_mask": np.triu(np.full((L, S), -np.inf, np.float32), 1), "is_causal": True},
    ]


@pytest.mark.parametrize("case", range(8))
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("add_bias_kv", [False, True])
def test_mha_masks(case, need_weights, add_bias_kv):
    rng = np.random.default_rng(11)
    L, S, B, H = 5, 5, 3, 2
    t, e = build("MultiheadAttention", 8, H, add_bias_kv=add_bias_kv)
    masks = _masks(rng, B, L, S, H)[case]
    q, k, v = _r(rng, L, B, 8), _r(rng, S, B, 8), _r(rng, S, B, 8)
    run_mha(t, e, q, k, v, rng, need_weights=need_weights, **masks)


def test_mha_unbatched():
    rng = np.random.default_rng(12)
    t, e = build("MultiheadAttention", 8, 2)
    q, k, v = _r(rng, 5, 8), _r(rng, 7, 8), _r(rng, 7, 8)
    kpm = np.array([False, True, False, False, True, False, False])
    for kw in ({}, {"need_weights": False}, {"key_padding_mask": kpm},
               {"attn_mask": rng.random((2, 5, 7)) > 0.8}):
        run_mha(t, e, q, k, v, rng, **kw)


def test_mha_dropout_same_masks():
    rng = np.random.default_rng(13)
    t, e = build("MultiheadAttention", 8, 2, dropout=0.3)
    q, k, v = _r(rng, 5, 3, 8), _r(rng, 7, 3, 8), _r(rng, 7, 3, 8)
    for need in (True, False):
        torch.manual_seed(3)
        ember.manual_seed(3)
        run_mha(t, e, q, k, v, rng, need_weights=need)


def test_mha_eval_matches_fast_path():
    # torch runs _native_multi_head_attention here (eval, no grad, batch_first self-attn).
    rng = np.random.default_rng(14)
    t, e = build("MultiheadAttention", 8, 2, batch_first=True)
    t.eval()
    e.eval()
    x = _r(rng, 3, 5, 8)
    kpm = rng.random((3, 5)) > 0.7
    kpm[:, 0] = False
    with torch.no_grad(), ember.no_grad():
        for kw in ({}, {"need_weights": False}, {"key_padding_mask": kpm},
                   {"key_padding_mask": kpm, "need_weights": False}):
            run_mha(t, e, x, None, None, rng, self_attn=True, **kw)


def test_mha_functional_separate_weights():
    rng = np.random.default_rng(15)
    args = [_r(rng, 5, 3, 8), _r(rng, 7, 3, 6), _r(rng, 7, 3, 4)]
    w = [_r(rng, 8, 8), _r(rng, 8, 6), _r(rng, 8, 4), _r(rng, 24), _r(rng, 8, 8), _r(rng, 8)]

    def call(lib, F):
        c = [lib.from_numpy(a.copy()) for a in args + w]
        q, k, v, wq, wk, wv, b, wo, bo = c
        return F.multi_head_attention_forward(
            q, k, v, 8, 2, None, b, None, None, False, 0.0, wo, bo,
            use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk,
            v_proj_weight=wv)

    out_t, w_t = call(torch, TF)
    out_e, w_e = call(ember, EF)
    np.testing.assert_allclose(out_e.numpy(), out_t.numpy(), atol=2e-6, rtol=1e-5)
    np.testing.assert_allclose(w_e.numpy(), w_t.numpy(), atol=2e-6, rtol=1e-5)


def _mha_errors():
    f = np.float32
    z = np.zeros
    return [
        ({}, (z((5, 3, 8), f), z((7, 8), f), z((7, 3, 8), f)), {}),
        ({}, (z((5, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)), {}),
        ({}, (z(8, f), z(8, f), z(8, f)), {}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)),
         {"key_padding_mask": z(7, bool)}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)),
         {"attn_mask": z((5, 6), bool)}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)),
         {"attn_mask": z((2, 5, 7), bool)}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)),
         {"attn_mask": z((5, 7), np.int64)}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)), {"is_causal": True}),
        ({}, (z((5, 3, 6), f), z((7, 3, 6), f), z((7, 3, 6), f)), {}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((6, 3, 8), f)), {}),
        ({}, (z((5, 3, 8), f), z((7, 3, 8), f), z((7, 3, 8), f)),
         {"key_padding_mask": z((3, 6), bool)}),
        ({}, (z((5, 8), f), z((7, 8), f), z((7, 8), f)), {"attn_mask": z((3, 5, 7), bool)}),
    ]


@pytest.mark.parametrize("case", range(len(_mha_errors())))
def test_mha_errors(case):
    kw, arrays, fkw = _mha_errors()[case]
    t, e = build("MultiheadAttention", 8, 2, **kw)
    kt = {k: torch.from_numpy(v) for k, v in fkw.items() if isinstance(v, np.ndarray)}
    ke = {k: ember.from_numpy(v) for k, v in fkw.items() if isinstance(v, np.ndarray)}
    other = {k: v for k, v in fkw.items() if not isinstance(v, np.ndarray)}
    assert_same_error(lambda: e(*(ember.from_numpy(a) for a in arrays), **ke, **other),
                      lambda: t(*(torch.from_numpy(a) for a in arrays), **kt, **other))


@pytest.mark.parametrize("args", [(0, 2), (8, 0), (8, 3)])
def test_mha_constructor_errors(args):
    assert_same_error(lambda: ember.nn.MultiheadAttention(*args),
                      lambda: torch.nn.MultiheadAttention(*args))


def test_mha_state_dict_keys():
    t, e = build("MultiheadAttention", 8, 2, add_bias_kv=True, kdim=4, vdim=4)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())


@pytest.mark.parametrize("shape", [(2, 3, 4, 8), (3, 4, 8), (4, 8)], ids=str)
@pytest.mark.parametrize("kw", [{}, {"dropout_p": 0.5}, {"is_causal": True}], ids=str)
def test_sdpa_grad_fn_names(shape, kw):
    a = np.random.default_rng(16).standard_normal(shape).astype(np.float32)
    qt, qe = _both(a, True)
    assert (EF.scaled_dot_product_attention(qe, qe, qe, **kw).grad_fn.name()
            == TF.scaled_dot_product_attention(qt, qt, qt, **kw).grad_fn.name())
    mha_t, mha_e = build("MultiheadAttention", 8, 2)
    if len(shape) == 3:
        for need in (True, False):
            ot = mha_t(qt, qt, qt, need_weights=need)
            oe = mha_e(qe, qe, qe, need_weights=need)
            assert oe[0].grad_fn.name() == ot[0].grad_fn.name()
            if need:
                assert oe[1].grad_fn.name() == ot[1].grad_fn.name()
