"""Seeded randomness in the library's consumers of the generator, against torch: module
initialisation, nn.init, dropout masks, samplers and loaders. After ``manual_seed`` the values
must be bit-identical and the generator left in the same state (same draws, same order)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

from .helpers import as_numpy


def _arrays(x) -> list:
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, np.integer)):
        return [a for item in x for a in _arrays(item)]
    if isinstance(x, (list, tuple)):
        return [np.asarray(x)]
    return [np.ascontiguousarray(as_numpy(x.detach() if hasattr(x, "detach") else x))]


def both(fn, seed=0, atol=None):
    torch.manual_seed(seed)
    t = fn(torch)
    ember.manual_seed(seed)
    e = fn(ember)
    ta, ea = _arrays(t), _arrays(e)
    assert len(ta) == len(ea)
    for a, b in zip(ta, ea):
        assert a.shape == b.shape
        if atol is None:
            assert np.array_equal(a, b), f"{(a != b).sum()} of {a.size} values differ"
        else:
            np.testing.assert_allclose(b, a, rtol=0, atol=atol)
    assert np.array_equal(torch.get_rng_state().numpy(), ember.get_rng_state()._data), (
        "generator states differ")


def params(m) -> list:
    return list(m.parameters())


MODULES = {
    "Linear(5,3)": lambda L: L.nn.Linear(5, 3),
    "Linear(100,50)": lambda L: L.nn.Linear(100, 50),
    "Linear_nobias": lambda L: L.nn.Linear(7, 4, bias=False),
    "Bilinear": lambda L: L.nn.Bilinear(3, 4, 5),
    "Conv1d": lambda L: L.nn.Conv1d(3, 8, 5),
    "Conv2d": lambda L: L.nn.Conv2d(3, 8, 3),
    "ConvTranspose2d": lambda L: L.nn.ConvTranspose2d(4, 6, 3),
    "Embedding": lambda L: L.nn.Embedding(10, 4),
    "Embedding_padding": lambda L: L.nn.Embedding(10, 4, padding_idx=2),
    "RNN": lambda L: L.nn.RNN(4, 6),
    "LSTM": lambda L: L.nn.LSTM(4, 6, num_layers=2),
    "GRU": lambda L: L.nn.GRU(4, 6, bidirectional=True),
    "MultiheadAttention": lambda L: L.nn.MultiheadAttention(8, 2),
    "TransformerEncoderLayer": lambda L: L.nn.TransformerEncoderLayer(8, 2, 16),
    "Sequential": lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Linear(8, 2)),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_init(name):
    both(lambda L: params(MODULES[name](L)))


def _w(L, *shape, dtype=None):
    return L.empty(*shape, dtype=dtype)


INITS = {
    "uniform_": lambda L: L.nn.init.uniform_(_w(L, 5, 40), -0.3, 0.7),
    "normal_": lambda L: L.nn.init.normal_(_w(L, 5, 40), 0.1, 0.2),
    "normal_small": lambda L: L.nn.init.normal_(_w(L, 3, 4), 0.1, 0.2),
    "xavier_uniform_": lambda L: L.nn.init.xavier_uniform_(_w(L, 5, 40), gain=2.0),
    "xavier_normal_": lambda L: L.nn.init.xavier_normal_(_w(L, 5, 40)),
    "kaiming_uniform_": lambda L: L.nn.init.kaiming_uniform_(_w(L, 5, 40), a=0.1),
    "kaiming_normal_": lambda L: L.nn.init.kaiming_normal_(_w(L, 5, 40), mode="fan_out",
                                                           nonlinearity="relu"),
    "kaiming_normal_conv": lambda L: L.nn.init.kaiming_normal_(_w(L, 8, 3, 3, 3)),
    "trunc_normal_": lambda L: L.nn.init.trunc_normal_(_w(L, 5, 40), std=0.02),
    "trunc_normal_f64": lambda L: L.nn.init.trunc_normal_(_w(L, 5, 40, dtype=L.float64),
                                                          mean=0.5, std=1.0, a=-1.0, b=2.0),
    "sparse_": lambda L: L.nn.init.sparse_(_w(L, 10, 6), 0.3),
}


@pytest.mark.parametrize("name", list(INITS))
def test_init(name):
    both(INITS[name])


def test_orthogonal_init_draws():
    # the QR factorisation differs from torch's LAPACK in the last bits; the draws do not
    both(lambda L: L.nn.init.orthogonal_(_w(L, 5, 8)), atol=1e-6)
    both(lambda L: (L.nn.init.orthogonal_(_w(L, 5, 8)), L.rand(3))[1])


DROPOUTS = {
    "dropout": lambda L: L.nn.functional.dropout(L.ones(4, 50), 0.3),
    "dropout_f64": lambda L: L.nn.functional.dropout(L.ones(3, 7, dtype=L.float64), 0.5),
    "dropout_f16": lambda L: L.nn.functional.dropout(L.ones(4, 50, dtype=L.float16), 0.3),
    "dropout_inplace": lambda L: L.nn.functional.dropout(L.ones(4, 50), 0.3, inplace=True),
    "dropout_eval": lambda L: L.nn.functional.dropout(L.ones(4, 50), 0.3, training=False),
    "dropout_p1": lambda L: L.nn.functional.dropout(L.ones(4, 50), 1.0),
    "dropout_p0": lambda L: L.nn.functional.dropout(L.ones(4, 50), 0.0),
    "Dropout": lambda L: L.nn.Dropout(0.2)(L.ones(4, 50)),
    "dropout1d": lambda L: L.nn.functional.dropout1d(L.ones(2, 5, 6), 0.5),
    "dropout2d": lambda L: L.nn.functional.dropout2d(L.ones(2, 5, 3, 3), 0.5),
    "dropout3d": lambda L: L.nn.functional.dropout3d(L.ones(2, 5, 2, 3, 3), 0.5),
    "alpha_dropout": lambda L: L.nn.functional.alpha_dropout(L.ones(4, 50), 0.3, True),
    "feature_alpha_dropout": lambda L: L.nn.functional.feature_alpha_dropout(
        L.ones(4, 5, 3), 0.3, True),
    "sdpa_dropout": lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(1, 2, 3, 4), L.ones(1, 2, 3, 4), L.ones(1, 2, 3, 4), dropout_p=0.5),
    "rrelu_train": lambda L: L.nn.functional.rrelu(L.linspace(-3, 3, 40), training=True),
    "rrelu_f64": lambda L: L.nn.functional.rrelu(L.linspace(-3, 3, 40, dtype=L.float64),
                                                 training=True),
    "RReLU": lambda L: L.nn.RReLU(0.1, 0.4)(L.linspace(-3, 3, 40).reshape(4, 10).t()),
    "mha_dropout_weights": lambda L: L.nn.MultiheadAttention(8, 2, dropout=0.5)(
        L.ones(3, 1, 8), L.ones(3, 1, 8), L.ones(3, 1, 8))[1],
}


@pytest.mark.parametrize("name", list(DROPOUTS))
def test_dropout_masks(name):
    both(DROPOUTS[name])


def _data(n=10):
    return list(range(n))


SAMPLERS = {
    "RandomSampler": lambda L: list(L.utils.data.RandomSampler(_data())),
    "RandomSampler_100": lambda L: list(L.utils.data.RandomSampler(_data(100))),
    "RandomSampler_replacement": lambda L: list(
        L.utils.data.RandomSampler(_data(), replacement=True)),
    "RandomSampler_replacement_n": lambda L: list(
        L.utils.data.RandomSampler(_data(), replacement=True, num_samples=50)),
    "RandomSampler_num_samples": lambda L: list(
        L.utils.data.RandomSampler(_data(), num_samples=25)),
    "RandomSampler_generator": lambda L: list(
        L.utils.data.RandomSampler(_data(), generator=L.Generator().manual_seed(3))),
    "RandomSampler_two_epochs": lambda L: (lambda s: list(s) + list(s))(
        L.utils.data.RandomSampler(_data())),
    "SubsetRandomSampler": lambda L: list(L.utils.data.SubsetRandomSampler([5, 7, 9, 11])),
    "WeightedRandomSampler": lambda L: list(
        L.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7], 8)),
    "WeightedRandomSampler_no_replacement": lambda L: list(
        L.utils.data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7], 3, replacement=False)),
    "random_split": lambda L: [list(s.indices)
                               for s in L.utils.data.random_split(_data(), [3, 7])],
    "random_split_fractions": lambda L: [list(s.indices) for s in L.utils.data.random_split(
        _data(), [0.3, 0.7], generator=L.Generator().manual_seed(1))],
    "DataLoader_shuffle": lambda L: list(
        L.utils.data.DataLoader(L.arange(10), batch_size=3, shuffle=True)),
    "DataLoader_two_epochs": lambda L: (lambda dl: list(dl) + list(dl))(
        L.utils.data.DataLoader(L.arange(10), batch_size=4, shuffle=True)),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_samplers(name):
    both(SAMPLERS[name])
