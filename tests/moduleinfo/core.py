"""Module database entries of the core layers: Linear, Bilinear, Identity, Flatten, Unflatten,
Embedding, EmbeddingBag."""

from __future__ import annotations

import numpy as np

from . import ModuleCase, ModuleInfo


def _x(*shape):
    return lambda rng: (rng.standard_normal(shape),)


def _idx(high, *shape):
    return lambda rng: (rng.integers(0, high, size=shape),)


MODULES = [
    ModuleInfo("Linear", [
        ModuleCase((4, 3), inputs=_x(2, 4), desc="2d"),
        ModuleCase((4, 3), inputs=_x(4), desc="1d"),
        ModuleCase((4, 3), inputs=_x(2, 5, 4), desc="3d"),
        ModuleCase((4, 3), inputs=_x(2, 2, 3, 4), desc="4d"),
        ModuleCase((4, 3), {"bias": False}, inputs=_x(2, 5, 4), desc="nobias_3d"),
        ModuleCase((4, 3), {"bias": False}, inputs=_x(4), desc="nobias_1d"),
        ModuleCase((6, 2), inputs=_x(3, 6), dtype="float64", desc="f64"),
        ModuleCase((4, 3), inputs=_x(0, 4), desc="empty_batch"),
        ModuleCase((0, 3), inputs=_x(2, 0), desc="no_in_features"),
        ModuleCase((8, 5), inputs=_x(4, 8), dtype="bfloat16", desc="bf16",
                   atol=2e-2, rtol=2e-2),
    ]),
    ModuleInfo("Bilinear", [
        ModuleCase((3, 4, 5), inputs=lambda rng: (rng.standard_normal((2, 3)),
                                                  rng.standard_normal((2, 4))), desc="2d"),
        ModuleCase((3, 4, 5), {"bias": False},
                   inputs=lambda rng: (rng.standard_normal((2, 6, 3)),
                                       rng.standard_normal((2, 6, 4))), desc="3d_nobias"),
        ModuleCase((2, 2, 3), inputs=lambda rng: (rng.standard_normal((4, 2)),
                                                  rng.standard_normal((4, 2))),
                   dtype="float64", desc="f64"),
    ]),
    ModuleInfo("Identity", [
        ModuleCase((3,), {"unused": 1}, inputs=_x(2, 3), desc="args"),
    ]),
    ModuleInfo("Flatten", [
        ModuleCase(inputs=_x(2, 3, 4, 5), desc="default"),
        ModuleCase((0, 2), inputs=_x(2, 3, 4, 5), desc="0_2"),
        ModuleCase((-3, -2), inputs=_x(2, 3, 4, 5), desc="neg"),
    ]),
    ModuleInfo("Unflatten", [
        ModuleCase((1, (2, 3)), inputs=_x(4, 6, 5), desc="tuple"),
        ModuleCase((-1, [2, -1]), inputs=_x(4, 6), desc="list_infer"),
    ]),
    ModuleInfo("Embedding", [
        ModuleCase((10, 3), inputs=_idx(10, 2, 4), desc="2d"),
        ModuleCase((10, 3), {"padding_idx": 1}, inputs=lambda rng: (
            np.array([[1, 2, 1, 3], [4, 1, 5, 2]]),), desc="padding"),
        ModuleCase((10, 3), {"padding_idx": -2}, inputs=_idx(10, 7), desc="padding_neg"),
        ModuleCase((10, 3), {"scale_grad_by_freq": True}, inputs=lambda rng: (
            np.array([[1, 2, 1, 3], [4, 1, 5, 2]]),), desc="scale_grad_by_freq"),
        ModuleCase((10, 4), {"max_norm": 1.0}, inputs=_idx(10, 3, 3), desc="max_norm"),
        ModuleCase((10, 4), {"max_norm": 1.5, "norm_type": 1.0}, inputs=_idx(10, 6),
                   desc="max_norm_l1"),
        ModuleCase((10, 3), inputs=lambda rng: (np.array(3),), desc="scalar_index"),
        ModuleCase((7, 3), inputs=_idx(7, 5), dtype="float64", desc="f64"),
    ]),
    ModuleInfo("EmbeddingBag", [
        ModuleCase((10, 3), {"mode": "sum"}, inputs=lambda rng: (
            np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4, 4, 6])), desc="sum"),
        ModuleCase((10, 3), inputs=lambda rng: (
            np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 4, 4, 6])), desc="mean"),
        ModuleCase((10, 3), {"mode": "max"}, inputs=lambda rng: (
            np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 3, 6])), desc="max"),
        ModuleCase((10, 3), {"mode": "mean"}, inputs=_idx(10, 3, 4), desc="2d_mean"),
        ModuleCase((10, 3), {"mode": "sum", "padding_idx": 2}, inputs=lambda rng: (
            np.array([1, 2, 4, 2, 2, 3]), np.array([0, 3, 5])), desc="sum_padding"),
        ModuleCase((10, 3), {"mode": "mean", "padding_idx": 2}, inputs=lambda rng: (
            np.array([1, 2, 4, 2, 2, 3]), np.array([0, 3, 4])), desc="mean_padding"),
        ModuleCase((10, 3), {"mode": "sum", "include_last_offset": True}, inputs=lambda rng: (
            np.array([1, 2, 4, 5, 4, 3]), np.array([0, 2, 5, 6])), desc="last_offset"),
        ModuleCase((10, 3), {"mode": "sum"}, inputs=lambda rng: (
            np.array([1, 2, 4, 5]), np.array([0, 2]), rng.standard_normal(4)),
            desc="per_sample_weights"),
        ModuleCase((10, 3), {"mode": "sum", "scale_grad_by_freq": True}, inputs=lambda rng: (
            np.array([1, 2, 1, 5, 1]), np.array([0, 2])), desc="scale_grad_by_freq"),
    ]),
]
