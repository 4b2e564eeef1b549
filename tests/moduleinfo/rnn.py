"""ModuleInfo entries: recurrent layers, cells, MultiheadAttention and transformer layers.

Recurrent outputs are nested tuples (``(out, h_n)``, ``(out, (h_n, c_n))``); gradients through
time, initial states given as tuples, masks and errors are tested in ``tests/nn/test_rnn.py``,
``test_attention.py`` and ``test_transformer.py``.
"""

from __future__ import annotations

import numpy as np

from . import ModuleCase, ModuleInfo


def _seq(*shape, dtype=np.float32):
    return lambda rng: (rng.standard_normal(shape).astype(dtype),)


def _seq_h(x_shape, h_shape, dtype=np.float32):
    return lambda rng: (rng.standard_normal(x_shape).astype(dtype),
                        rng.standard_normal(h_shape).astype(dtype))


def _two(a_shape, b_shape):
    return lambda rng: (rng.standard_normal(a_shape).astype(np.float32),
                        rng.standard_normal(b_shape).astype(np.float32))


def _qkv(q_shape, kv_shape, kdim=None, vdim=None, self_attn=False):
    def make(rng):
        q = rng.standard_normal(q_shape).astype(np.float32)
        if self_attn:
            return (q, q, q)
        k = rng.standard_normal(kv_shape[:-1] + (kdim or kv_shape[-1],)).astype(np.float32)
        v = rng.standard_normal(kv_shape[:-1] + (vdim or kv_shape[-1],)).astype(np.float32)
        return (q, k, v)

    return make


_TOL = {"atol": 2e-5, "rtol": 1e-4}

MODULES = [
    ModuleInfo("RNN", [
        ModuleCase((4, 5), inputs=_seq(6, 3, 4), desc="tanh", **_TOL),
        ModuleCase((4, 5, 2), {"nonlinearity": "relu", "bidirectional": True},
                   inputs=_seq(6, 3, 4), desc="relu_bidir_2layers", **_TOL),
        ModuleCase((4, 5), {"batch_first": True, "bias": False},
                   inputs=_seq_h((3, 6, 4), (1, 3, 5)), desc="batch_first_h0", **_TOL),
        ModuleCase((4, 5), inputs=_seq(6, 4), desc="unbatched", **_TOL),
        ModuleCase((4, 5, 2), inputs=_seq(5, 2, 4, dtype=np.float64),
                   dtype="float64", desc="float64"),
    ]),
    ModuleInfo("GRU", [
        ModuleCase((4, 5), inputs=_seq(6, 3, 4), **_TOL),
        ModuleCase((4, 5, 2), {"bidirectional": True, "batch_first": True},
                   inputs=_seq_h((3, 6, 4), (4, 3, 5)), desc="bidir_batch_first_h0", **_TOL),
        ModuleCase((4, 5), inputs=_seq(6, 4), desc="unbatched", **_TOL),
    ]),
    ModuleInfo("LSTM", [
        ModuleCase((4, 5), inputs=_seq(6, 3, 4), **_TOL),
        ModuleCase((4, 5, 2), {"bidirectional": True}, inputs=_seq(6, 3, 4),
                   desc="bidir_2layers", **_TOL),
        ModuleCase((4, 5, 2), {"proj_size": 3, "batch_first": True}, inputs=_seq(3, 6, 4),
                   desc="proj", **_TOL),
        ModuleCase((4, 5), {"bias": False}, inputs=_seq(6, 4), desc="unbatched_nobias", **_TOL),
    ]),
    ModuleInfo("RNNCell", [
        ModuleCase((4, 5), inputs=_seq_h((3, 4), (3, 5)), **_TOL),
        ModuleCase((4, 5), {"nonlinearity": "relu", "bias": False}, inputs=_seq(4),
                   desc="relu_unbatched", **_TOL),
    ]),
    ModuleInfo("GRUCell", [
        ModuleCase((4, 5), inputs=_seq_h((3, 4), (3, 5)), **_TOL),
        ModuleCase((4, 5), inputs=_seq(4), desc="unbatched", **_TOL),
    ]),
    ModuleInfo("LSTMCell", [
        ModuleCase((4, 5), inputs=_seq(3, 4), **_TOL),
        ModuleCase((4, 5), {"bias": False}, inputs=_seq(4), desc="unbatched", **_TOL),
    ]),
    ModuleInfo("MultiheadAttention", [
        ModuleCase((8, 2), inputs=_qkv((5, 3, 8), (7, 3, 8)), desc="cross", **_TOL),
        ModuleCase((8, 2), {"batch_first": True}, inputs=_qkv((3, 5, 8), None, self_attn=True),
                   desc="self_batch_first", **_TOL),
        ModuleCase((8, 4), {"kdim": 6, "vdim": 3, "add_bias_kv": True, "add_zero_attn": True},
                   inputs=_qkv((5, 3, 8), (7, 3, 8), kdim=6, vdim=3), desc="kdim_vdim_bias_kv",
                   **_TOL),
        ModuleCase((8, 2), {"bias": False}, inputs=_qkv((5, 8), (7, 8)),
                   forward_kwargs={"need_weights": False}, desc="unbatched_no_weights", **_TOL),
    ]),
    ModuleInfo("TransformerEncoderLayer", [
        ModuleCase((8, 2, 16, 0.0), inputs=_seq(5, 3, 8), desc="post_norm", **_TOL),
        ModuleCase((8, 2, 16, 0.0), {"norm_first": True, "batch_first": True,
                                     "activation": "gelu"},
                   inputs=_seq(3, 5, 8), desc="pre_norm_gelu", **_TOL),
    ]),
    ModuleInfo("TransformerDecoderLayer", [
        ModuleCase((8, 2, 16, 0.0), inputs=_two((5, 3, 8), (7, 3, 8)), desc="post_norm", **_TOL),
        ModuleCase((8, 2, 16, 0.0), {"norm_first": True, "batch_first": True},
                   inputs=_two((3, 5, 8), (3, 7, 8)), desc="pre_norm", **_TOL),
    ]),
]
