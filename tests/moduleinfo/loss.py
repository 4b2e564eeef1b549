"""Module database entries of the loss layers (inputs: predictions, then targets; class
indices stay integer tensors)."""

from __future__ import annotations

import numpy as np

from . import ModuleCase, ModuleInfo


def _reg(rng):
    return rng.standard_normal((3, 4)), rng.standard_normal((3, 4))


def _cls(rng):
    return rng.standard_normal((5, 4)), rng.integers(0, 4, 5)


def _cls2d(rng):
    return rng.standard_normal((2, 4, 3, 3)), rng.integers(0, 4, (2, 3, 3))


def _prob(rng):
    p = rng.random((5, 4)) + 0.1
    return rng.standard_normal((5, 4)), p / p.sum(1, keepdims=True)


def _bce(rng):
    return rng.uniform(0.05, 0.95, (3, 4)), rng.uniform(0, 1, (3, 4))


def _logits(rng):
    return rng.standard_normal((3, 4)) * 3, rng.uniform(0, 1, (3, 4))


def _sign(rng):
    return rng.standard_normal((3, 4)), np.sign(rng.standard_normal((3, 4)))


def _pair(rng):
    return (rng.standard_normal((4, 5)), rng.standard_normal((4, 5)), np.array([1, -1, 1, -1]))


def _rank(rng):
    return rng.standard_normal(6), rng.standard_normal(6), np.sign(rng.standard_normal(6))


def _w(n):
    return np.linspace(0.2, 1.0, n)


RED = ("mean", "sum", "none")

MODULES = [
    ModuleInfo("CrossEntropyLoss", [
        ModuleCase(inputs=_cls, desc="indices"),
        ModuleCase(kwargs={"weight": _w(4), "ignore_index": 1}, inputs=_cls, desc="weight"),
        ModuleCase(kwargs={"label_smoothing": 0.1, "reduction": "none"}, inputs=_cls,
                   desc="smoothing"),
        ModuleCase(inputs=_prob, desc="probs"),
        ModuleCase(kwargs={"weight": _w(4)}, inputs=_cls2d, desc="2d"),
        ModuleCase(inputs=_cls, dtype="float64", desc="f64"),
    ]),
    ModuleInfo("NLLLoss", [
        ModuleCase(inputs=_cls, desc="default"),
        ModuleCase(kwargs={"weight": _w(4), "reduction": "sum"}, inputs=_cls, desc="weight"),
        ModuleCase(inputs=_cls2d, desc="2d"),
    ]),
    ModuleInfo("MSELoss", [ModuleCase(kwargs={"reduction": r}, inputs=_reg, desc=r)
                           for r in RED]),
    ModuleInfo("L1Loss", [ModuleCase(kwargs={"reduction": r}, inputs=_reg, desc=r)
                          for r in RED]),
    ModuleInfo("SmoothL1Loss", [ModuleCase(kwargs={"beta": 0.5}, inputs=_reg)]),
    ModuleInfo("HuberLoss", [ModuleCase(kwargs={"delta": 0.5, "reduction": "sum"},
                                        inputs=_reg)]),
    ModuleInfo("BCELoss", [
        ModuleCase(inputs=_bce, desc="default"),
        ModuleCase(kwargs={"weight": _w(4)}, inputs=_bce, desc="weight"),
    ]),
    ModuleInfo("BCEWithLogitsLoss", [
        ModuleCase(inputs=_logits, desc="default"),
        ModuleCase(kwargs={"weight": _w(4), "pos_weight": _w(4) * 3}, inputs=_logits,
                   desc="weights"),
    ]),
    ModuleInfo("KLDivLoss", [
        ModuleCase(kwargs={"reduction": "batchmean"}, inputs=_prob, desc="batchmean"),
        ModuleCase(kwargs={"log_target": True, "reduction": "sum"}, inputs=_reg, desc="log"),
    ]),
    # (torch: the target of soft_margin_loss may not require grad; gradients in test_loss.py)
    ModuleInfo("SoftMarginLoss", [ModuleCase(inputs=_sign, grad=False)]),
    ModuleInfo("HingeEmbeddingLoss", [ModuleCase(kwargs={"margin": 0.5}, inputs=_sign)]),
    ModuleInfo("PoissonNLLLoss", [
        ModuleCase(inputs=lambda rng: (rng.standard_normal((3, 4)), rng.uniform(0, 3, (3, 4))),
                   desc="log"),
        ModuleCase(kwargs={"log_input": False, "full": True},
                   inputs=lambda rng: (rng.uniform(0.1, 2, (3, 4)), rng.uniform(0, 3, (3, 4))),
                   desc="full"),
    ]),
    ModuleInfo("CosineEmbeddingLoss", [ModuleCase(kwargs={"margin": 0.2}, inputs=_pair)]),
    ModuleInfo("MarginRankingLoss", [ModuleCase(kwargs={"margin": 0.1}, inputs=_rank)]),
    ModuleInfo("MultiMarginLoss", [
        ModuleCase(inputs=_cls, desc="default"),
        ModuleCase(kwargs={"p": 2, "margin": 0.5, "weight": _w(4)}, inputs=_cls, desc="opts"),
    ]),
    ModuleInfo("MultiLabelMarginLoss", [ModuleCase(inputs=lambda rng: (
        rng.standard_normal((3, 4)), np.array([[0, 1, -1, 0], [3, -1, 0, 0], [1, 2, 3, 0]])))]),
    ModuleInfo("MultiLabelSoftMarginLoss", [ModuleCase(
        kwargs={"weight": _w(4)},
        inputs=lambda rng: (rng.standard_normal((3, 4)), (rng.random((3, 4)) > 0.5) * 1.0))]),
    ModuleInfo("GaussianNLLLoss", [ModuleCase(kwargs={"full": True}, inputs=lambda rng: (
        rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.uniform(0.1, 2, (3, 4))))]),
    ModuleInfo("TripletMarginLoss", [
        ModuleCase(inputs=lambda rng: tuple(rng.standard_normal((4, 5)) for _ in range(3))),
        ModuleCase(kwargs={"swap": True, "p": 1.0},
                   inputs=lambda rng: tuple(rng.standard_normal((4, 5)) for _ in range(3)),
                   desc="swap"),
    ]),
    ModuleInfo("TripletMarginWithDistanceLoss", [ModuleCase(
        kwargs={"margin": 0.5},
        inputs=lambda rng: tuple(rng.standard_normal((4, 5)) for _ in range(3)))]),
]
