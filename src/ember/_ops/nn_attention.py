"""Primitives of attention (family nn_attention).

``_safe_softmax`` is torch's softmax for attention scores: a row whose every score is masked
(-inf) gives zeros rather than NaN, as in torch's math SDPA path and its CPU flash kernel.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import _wrap
from . import linalg as LA
from . import shape as S
from .creation import zeros_like
from .elementwise import _sigmoid_fwd
from .registry import apply, prim


@prim("_safe_softmax")
def _safe_softmax(self, *, dim):
    m = np.max(self, axis=dim, keepdims=True)
    dead = np.isneginf(m)  # rows where every score is -inf
    if dead.any():
        m = np.where(dead, self.dtype.type(0), m)
    e = np.exp(self - m)
    s = np.add.reduce(e, axis=dim, keepdims=True)
    if dead.any():
        s = np.where(dead, self.dtype.type(1), s)  # e is 0 there: the row stays 0
    # torch's CPU kernel multiplies by the reciprocal of the row sum.
    return e * (self.dtype.type(1) / s)


def _safe_softmax_grad(grad, result, dim):
    return result * (grad - (grad * result).sum(dim, keepdim=True))


_safe_softmax.defvjp(self=_safe_softmax_grad)


# ------------------------------------------------------------------------- recurrent cells
# One node per time step instead of ~10: the gate math of an LSTM/GRU step runs in NumPy and
# the gradient formulas recompute the gates with ember ops (so they are differentiable again).
# Arithmetic follows aten's CPU cells: gates = hidden_gates + input_gates, then the chunks.
_HALF = frozenset((D.float16._np, D.bfloat16._np))


@prim("_thnn_fused_lstm_cell", nout=2)
def _fused_lstm_cell(input_gates, hidden_gates, cx):
    dt = cx.dtype
    if dt in _HALF:
        input_gates, hidden_gates, cx = (a.astype(np.float32) for a in
                                         (input_gates, hidden_gates, cx))
    i, f, g, o = np.split(hidden_gates + input_gates, 4, axis=1)
    cy = _sigmoid_fwd(f) * cx + _sigmoid_fwd(i) * np.tanh(g)
    hy = _sigmoid_fwd(o) * np.tanh(cy)
    return hy.astype(dt, copy=False), cy.astype(dt, copy=False)


@_fused_lstm_cell.vjp
def _fused_lstm_cell_vjp(grads, input_gates, hidden_gates, cx):
    gh, gc = grads
    i, f, g, o = S.chunk(hidden_gates + input_gates, 4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    cy = f * cx + i * g
    tcy = cy.tanh()
    dcy = gc
    if gh is not None:
        d = gh * o * (1 - tcy * tcy)
        dcy = d if dcy is None else dcy + d
        do = gh * tcy * o * (1 - o)
    else:
        do = zeros_like(o)
    if dcy is None:
        dcy = zeros_like(cy)
    di = dcy * g * i * (1 - i)
    df = dcy * cx * f * (1 - f)
    dg = dcy * i * (1 - g * g)
    dgates = S.cat([di, df, dg, do], 1)
    return dgates, dgates, dcy * f


@prim("_thnn_fused_gru_cell")
def _fused_gru_cell(input_gates, hidden_gates, hx):
    dt = hx.dtype
    if dt in _HALF:
        input_gates, hidden_gates, hx = (a.astype(np.float32) for a in
                                         (input_gates, hidden_gates, hx))
    ir, iz, in_ = np.split(input_gates, 3, axis=1)
    hr, hz, hn = np.split(hidden_gates, 3, axis=1)
    r = _sigmoid_fwd(hr + ir)
    z = _sigmoid_fwd(hz + iz)
    n = np.tanh(in_ + hn * r)
    return ((hx - n) * z + n).astype(dt, copy=False)


@_fused_gru_cell.vjp
def _fused_gru_cell_vjp(grad, input_gates, hidden_gates, hx):
    ir, iz, in_ = S.chunk(input_gates, 3, 1)
    hr, hz, hn = S.chunk(hidden_gates, 3, 1)
    r = (hr + ir).sigmoid()
    z = (hz + iz).sigmoid()
    n = (in_ + hn * r).tanh()
    dn = grad * (1 - z) * (1 - n * n)
    dz = grad * (hx - n) * z * (1 - z)
    dr = dn * hn * r * (1 - r)
    return S.cat([dr, dz, dn], 1), S.cat([dr, dz, dn * r], 1), grad * z


# ------------------------------------------------------------------------- SDPA (flash path)
# torch's CPU flash kernel as one node: scores (q @ k^T) * scale, an additive mask (float; bool
# masks arrive converted) and/or a causal mask, a safe softmax, then @ v. The gradient
# recomputes the probabilities with ember ops. Heads of k/v may divide q's (grouped queries).
def _causal_fill(s, L: int, S: int):
    s[..., np.triu(np.ones((L, S), dtype=bool), 1)] = -np.inf


def _expand_heads(x, hq: int):
    hk = x.shape[-3]
    return x if hk == hq else np.repeat(x, hq // hk, axis=-3)


@prim("_scaled_dot_product_flash_attention_for_cpu",
      backward="ScaledDotProductFlashAttentionForCpuBackward0")
def _sdpa_flash(query, key, value, attn_mask, *, scale, is_causal):
    dt = query.dtype
    if dt in _HALF:
        query, key, value = (a.astype(np.float32) for a in (query, key, value))
        if attn_mask is not None:
            attn_mask = attn_mask.astype(np.float32)
    hq = query.shape[-3]
    # Head-split views have strides BLAS cannot take (NumPy then loops): copy once.
    query, key, value = (np.ascontiguousarray(a) for a in (query, key, value))
    key, value = _expand_heads(key, hq), _expand_heads(value, hq)
    s = np.matmul(query, np.swapaxes(key, -1, -2))
    s *= s.dtype.type(scale)
    if attn_mask is not None:
        s = s + attn_mask
    if is_causal:
        _causal_fill(s, s.shape[-2], s.shape[-1])
    p = _safe_softmax.fwd(s, dim=-1)
    return np.matmul(p, value).astype(dt, copy=False)


@_sdpa_flash.vjp
def _sdpa_flash_vjp(grad, query, key, value, attn_mask, scale, is_causal):
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    k = key.repeat_interleave(hq // hk, -3) if hk != hq else key
    v = value.repeat_interleave(hq // hv, -3) if hv != hq else value
    s = LA.matmul(query, k.transpose(-2, -1)) * scale
    if attn_mask is not None:
        # A bool mask arrives as its 0 / -inf array (an input without gradient).
        s = s + (_wrap(attn_mask) if isinstance(attn_mask, np.ndarray) else attn_mask)
    if is_causal:
        L, S_ = s.shape[-2], s.shape[-1]
        causal = np.zeros((L, S_), dtype=s._data.dtype)
        _causal_fill(causal, L, S_)
        s = s + _wrap(causal)
    p = apply(_safe_softmax, (s,), (s._data,), {"dim": -1})
    dv = LA.matmul(p.transpose(-2, -1), grad)
    dp = LA.matmul(grad, v.transpose(-2, -1))
    ds = p * (dp - (dp * p).sum(-1, keepdim=True))
    dq = LA.matmul(ds, k) * scale
    dk = LA.matmul(ds.transpose(-2, -1), query) * scale
    if hk != hq:
        dk = dk.unflatten(-3, (hk, hq // hk)).sum(-3)
    if hv != hq:
        dv = dv.unflatten(-3, (hv, hq // hv)).sum(-3)
    return dq, dk, dv, (ds if attn_mask is not None else None)
