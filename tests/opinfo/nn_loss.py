"""OpInfo entries: losses.

``OPS`` holds the losses torch has at top level (``torch.kl_div``,
``torch.binary_cross_entropy_with_logits``..., whose ``reduction`` is torch's enum 0/1/2);
``F_OPS`` the ``torch.nn.functional`` forms, driven by tests/nn/test_loss.py through the
functional driver of tests/opinfo/nn_activation.py.
"""

from __future__ import annotations

import numpy as np

from .core import FLOAT, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
I64 = np.dtype(np.int64)
GRAD = ("float32", "float64")
FUNC = ("function",)
REDUCTIONS = ("mean", "sum", "none")


def _rng():
    return np.random.default_rng(0)


def _cls(rng, shape, n, ignore=None):
    t = rng.integers(0, n, size=shape).astype(I64)
    if ignore is not None and t.size:
        t.reshape(-1)[0] = ignore
    return t


def _prob(dtype, rng, shape, axis=1):
    p = rng.random(shape) + 0.05
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)


# ---------------------------------------------------------------------------------- nll / ce
def nll_samples(dtype, rng):
    x = make((5, 4), dtype, rng)
    for red in REDUCTIONS:
        yield Sample(x, (_cls(rng, (5,), 4),), {"reduction": red})
    yield Sample(x, (_cls(rng, (5,), 4, -100),))
    yield Sample(x, (_cls(rng, (5,), 4, 2),), {"ignore_index": 2, "reduction": "none"})
    yield Sample(x, (_cls(rng, (5,), 4),), {"weight": make((4,), dtype, rng, 0.1, 1)},
                 grad=("input",))
    yield Sample(x, (_cls(rng, (5,), 4, -100),), {"weight": make((4,), dtype, rng, 0.1, 1),
                                                  "reduction": "sum"}, grad=("input",))
    yield Sample(make((4,), dtype, rng), (np.array(2),))
    yield Sample(make((4,), dtype, rng), (np.array(1),), {"reduction": "none"})
    yield Sample(make((2, 3, 4, 2), dtype, rng), (_cls(rng, (2, 4, 2), 3),))
    yield Sample(make((2, 3, 4, 2), dtype, rng), (_cls(rng, (2, 4, 2), 3, -100),),
                 {"reduction": "none"})
    yield Sample(make((2, 3, 4), dtype, rng), (_cls(rng, (2, 4), 3),))
    yield Sample(make((2, 3, 2, 2, 2), dtype, rng), (_cls(rng, (2, 2, 2, 2), 3),),
                 {"reduction": "none"})
    yield Sample(make((3, 4), dtype, rng), (np.array([-100, -100, -100]),), grad=())
    yield Sample(make((3, 4), dtype, rng), (_cls(rng, (3,), 4).astype(np.uint8),))


def nll_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (np.array([0, 1, 5]),)), IndexError)
    yield ErrorSample(Sample(x, (np.array([0, 1, -1]),)), IndexError)
    yield ErrorSample(Sample(x, (np.array([0, 1]),)), ValueError)
    yield ErrorSample(Sample(x, (np.array([0.0, 1.0, 2.0], F32),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2], np.int32),)), RuntimeError)
    yield ErrorSample(Sample(make((), F32, rng), (np.array(0),)), ValueError)
    yield ErrorSample(Sample(x, (np.array([[0, 1, 2]]),)), ValueError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),), {"weight": make((3,), F32, rng)}),
                      RuntimeError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),), {"reduction": "foo"}), ValueError)
    yield ErrorSample(Sample(x.reshape(3, 2, 2), (np.zeros((3, 3), I64),)), RuntimeError)
    yield ErrorSample(Sample(x.reshape(1, 3, 2, 2), (np.zeros((1, 2, 3), I64),)), RuntimeError)
    yield ErrorSample(Sample(x.reshape(1, 3, 2, 2), (np.full((1, 2, 2), 7),)), IndexError)
    yield ErrorSample(Sample(x.astype(np.float64), (np.array([0, 1, 2]),),
                             {"weight": make((4,), F32, rng)}), RuntimeError)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (np.array(1),)), ValueError)


def ce_samples(dtype, rng):
    yield from nll_samples(dtype, rng)
    x = make((5, 4), dtype, rng)
    for red in REDUCTIONS:
        yield Sample(x, (_cls(rng, (5,), 4, -100),), {"label_smoothing": 0.2, "reduction": red})
        yield Sample(x, (_cls(rng, (5,), 4, -100),), {"label_smoothing": 0.1, "reduction": red,
                                                       "weight": make((4,), dtype, rng, .1, 1)},
                     grad=("input",))
        yield Sample(x, (_prob(dtype, rng, (5, 4)),), {"reduction": red})
        yield Sample(x, (_prob(dtype, rng, (5, 4)),), {"reduction": red, "label_smoothing": 0.3,
                                                       "weight": make((4,), dtype, rng, .1, 1)},
                     grad=("input", 0))
    yield Sample(make((2, 3, 4), dtype, rng), (_prob(dtype, rng, (2, 3, 4)),))
    yield Sample(make((2, 3, 2, 2), dtype, rng), (_cls(rng, (2, 2, 2), 3, -100),),
                 {"label_smoothing": 0.25, "weight": make((3,), dtype, rng, .1, 1)},
                 grad=("input",))
    yield Sample(make((4,), dtype, rng), (_prob(dtype, rng, (4,), 0),))
    yield Sample(make((0, 4), dtype, rng), (np.zeros((0,), I64),), grad=())
    yield Sample(make((0, 4), dtype, rng), (np.zeros((0, 4), dtype),), grad=())


def ce_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield from nll_errors()
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),), {"label_smoothing": 1.5}), RuntimeError)
    yield ErrorSample(Sample(x, (make((3, 5), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.zeros((3, 4), I64),)), RuntimeError)
    yield ErrorSample(Sample(x, (make((3, 4), F32, rng),), {"ignore_index": 1}), RuntimeError)
    yield ErrorSample(Sample(x, (make((3, 4), F32, rng),), {"weight": make((3,), F32, rng)}),
                      RuntimeError)
    yield ErrorSample(Sample(np.arange(12).reshape(3, 4), (np.array([0, 1, 2]),)),
                      NotImplementedError)


# ---------------------------------------------------------------------------------- pointwise
def regression_samples(extra=({},)):
    def gen(dtype, rng):
        for kw in extra:
            for red in REDUCTIONS:
                yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),),
                             {"reduction": red, **kw})
            yield Sample(make((2, 3, 2), dtype, rng), (make((2, 3, 2), dtype, rng),), dict(kw))
            yield Sample(make((), dtype, rng), (make((), dtype, rng),), dict(kw))
            yield Sample(make((0, 3), dtype, rng), (make((0, 3), dtype, rng),), dict(kw),
                         grad=())
        d = make((3, 4), dtype, rng)
        yield Sample(d, (d.copy(),))  # zero differences: the kinks
        yield Sample(make((3, 4), dtype, rng), (make((4,), dtype, rng),))  # broadcast, warns

    return gen


def weighted_regression_samples(dtype, rng):
    yield from regression_samples()(dtype, rng)
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),),
                     {"reduction": red, "weight": make((3, 4), dtype, rng, 0.1, 1)})


def weighted_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3, 4), F32, rng), (make((3, 4), F32, rng),),
                             {"weight": make((4,), F32, rng)}), ValueError)
    yield ErrorSample(Sample(make((3, 4), F32, rng), (make((3, 4), F32, rng),),
                             {"weight": make((3, 4), F32, rng), "reduction": "foo"}), ValueError)
    yield ErrorSample(Sample(make((3, 4), F32, rng), (make((3, 4), F32, rng),),
                             {"reduction": "foo"}), ValueError)
    yield ErrorSample(Sample(make((3, 4), F32, rng), (make((2, 4), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(np.ones((3,), I64), (np.ones((3,), I64),)), NotImplementedError)


def smooth_l1_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (make((3,), F32, rng),), {"beta": -1.0}),
                      RuntimeError)


def huber_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (make((3,), F32, rng),), {"delta": 0.0}),
                      RuntimeError)
    yield ErrorSample(Sample(make((3, 4), F32, rng), (make((3, 4), F32, rng),),
                             {"weight": make((4,), F32, rng)}), ValueError)


def bce_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng, 0.05, 0.95), (make((3, 4), dtype, rng, 0, 1),),
                     {"reduction": red})
    yield Sample(make((3, 4), dtype, rng, 0.05, 0.95), (make((3, 4), dtype, rng, 0, 1),),
                 {"weight": make((4,), dtype, rng, 0.1, 1)}, grad=("input", 0))
    yield Sample(make((5,), dtype, rng, 0.05, 0.95), (make((5,), dtype, rng, 0, 1),),
                 {"weight": make((5,), dtype, rng, 0.1, 1), "reduction": "none"},
                 grad=("input", 0))
    if dtype.kind in "fV":
        edge = np.array([0.0, 1.0, 0.5, 1e-30]).astype(dtype)
        yield Sample(edge, (np.array([0.0, 1.0, 1.0, 1.0]).astype(dtype),), grad=())
        yield Sample(edge, (np.array([1.0, 0.0, 1.0, 0.0]).astype(dtype),), grad=())


def bce_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng, 0, 1), (make((4,), F32, rng, 0, 1),)),
                      ValueError)
    yield ErrorSample(Sample(np.array([1.5, 0.5], F32), (np.array([1.0, 0.0], F32),)),
                      RuntimeError)
    yield ErrorSample(Sample(np.array([0.5, 0.5], F32), (np.array([1.0, 0.0]),)), RuntimeError)


def bce_logits_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng, -5, 5), (make((3, 4), dtype, rng, 0, 1),),
                     {"reduction": red})
        yield Sample(make((3, 4), dtype, rng, -5, 5), (make((3, 4), dtype, rng, 0, 1),),
                     {"reduction": red, "weight": make((4,), dtype, rng, 0.1, 1),
                      "pos_weight": make((4,), dtype, rng, 0.5, 3)}, grad=("input", 0))
    yield Sample(make((2, 3, 2), dtype, rng, -30, 30), (make((2, 3, 2), dtype, rng, 0, 1),),
                 {"pos_weight": make((2,), dtype, rng, 0.5, 3)}, grad=("input", 0))


def bce_logits_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (make((4,), F32, rng),)), ValueError)


def kl_samples(dtype, rng):
    for red in REDUCTIONS + ("batchmean",):
        yield Sample(np.log(_prob(dtype, rng, (3, 4))), (_prob(dtype, rng, (3, 4)),),
                     {"reduction": red})
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),),
                     {"reduction": red, "log_target": True})
    t = _prob(dtype, rng, (2, 3))
    t[0, 0] = 0
    yield Sample(make((2, 3), dtype, rng), (t,), {"reduction": "sum"}, grad=("input",))


def margin_ranking_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((6,), dtype, rng), (make((6,), dtype, rng),
                                              np.sign(make((6,), dtype, rng)) + 0),
                     {"reduction": red, "margin": 0.5}, grad=("input", 0))
    yield Sample(make((2, 3), dtype, rng), (make((2, 3), dtype, rng),
                                            np.ones((2, 3), dtype)), grad=("input", 0))


def margin_ranking_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (make((3, 1), F32, rng),
                                                    make((3,), F32, rng))), RuntimeError)


def hinge_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), (np.where(make((3, 4), F32, rng) > 0, 1, -1)
                                                .astype(dtype),),
                     {"reduction": red, "margin": 0.7}, grad=("input",))
    yield Sample(make((5,), dtype, rng), (np.array([1, -1, 1, 1, -1]).astype(dtype),),
                 grad=("input",))


def soft_margin_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), (np.where(make((3, 4), F32, rng) > 0, 1, -1)
                                                .astype(dtype),), {"reduction": red},
                     grad=("input",))


def cosine_emb_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),
                                                np.array([1, -1, 1, -1])),
                     {"reduction": red, "margin": 0.2}, grad=("input", 0))
    yield Sample(make((5,), dtype, rng), (make((5,), dtype, rng), np.array(-1)),
                 grad=("input", 0))


def cosine_emb_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((4, 5), F32, rng), (make((4, 5), F32, rng),
                                                      np.ones((4, 1)))), RuntimeError)
    yield ErrorSample(Sample(make((5,), F32, rng), (make((5,), F32, rng), np.ones(1))),
                      RuntimeError)
    yield ErrorSample(Sample(make((4, 5), F32, rng), (make((4, 5), F32, rng), np.array(1))),
                      RuntimeError)


def poisson_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng, 0, 4),),
                     {"reduction": red}, grad=("input",))
    yield Sample(make((3, 4), dtype, rng, 0.1, 3), (make((3, 4), dtype, rng, 0, 4),),
                 {"log_input": False, "full": True}, grad=("input",))
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng, 0, 4),),
                 {"full": True, "eps": 1e-3}, grad=("input",))


def poisson_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (make((3,), F32, rng),),
                             {"reduction": "foo"}), ValueError)


def multi_margin_samples(dtype, rng):
    t = np.array([0, 1, 3, 2, 1])
    for red in REDUCTIONS:
        yield Sample(make((5, 4), dtype, rng), (t,), {"reduction": red})
    yield Sample(make((5, 4), dtype, rng), (t,), {"p": 2, "margin": 0.5,
                                                  "weight": make((4,), dtype, rng, 0.1, 1)},
                 grad=("input",))
    yield Sample(make((4,), dtype, rng), (np.array(2),))


def multi_margin_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (np.array([0, 1, 4]),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.array([0, 1]),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),), {"p": 3}), ValueError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),), {"weight": make((3,), F32, rng)}),
                      RuntimeError)


def multilabel_margin_samples(dtype, rng):
    t = np.array([[0, 1, -1, 0], [3, -1, 0, 0], [1, 2, 3, 0], [0, 1, 2, 3], [-1, 0, 0, 0]])
    for red in REDUCTIONS:
        yield Sample(make((5, 4), dtype, rng), (t,), {"reduction": red})
    yield Sample(make((4,), dtype, rng), (np.array([2, 0, -1, 1]),))


def multilabel_margin_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (np.array([[0, 1, -1, 0], [3, -1, 0, 0], [1, 2, 5, 0]]),)),
                      RuntimeError)
    yield ErrorSample(Sample(x, (np.array([0, 1, 2]),)), RuntimeError)


def gaussian_nll_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),
                                                make((3, 4), dtype, rng, 0.1, 2)),
                     {"reduction": red, "full": red == "sum"})
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),
                                            make((3,), dtype, rng, 0.1, 2)))
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),
                                            make((3, 1), dtype, rng, 0.1, 2)))
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),
                                            np.full((3, 4), 1e-9, dtype)), {"eps": 1e-3})


def gaussian_nll_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (x, make((3, 2), F32, rng, 0.1, 1))), ValueError)
    yield ErrorSample(Sample(x, (x, -np.ones((3, 4), F32))), ValueError)
    yield ErrorSample(Sample(x, (x, -1.0)), ValueError)
    yield ErrorSample(Sample(x, (x, np.ones((3, 4), F32)), {"reduction": "foo"}), ValueError)


def multilabel_soft_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((3, 4), dtype, rng), ((make((3, 4), F32, rng) > 0).astype(dtype),),
                     {"reduction": red}, grad=("input",))
    yield Sample(make((3, 4), dtype, rng), ((make((3, 4), F32, rng) > 0).astype(dtype),),
                 {"weight": make((4,), dtype, rng, 0.1, 1)}, grad=("input",))


def triplet_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),
                                                make((4, 5), dtype, rng)), {"reduction": red})
    yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng), make((4, 5), dtype, rng)),
                 {"swap": True, "p": 1.0, "margin": 0.5})
    yield Sample(make((5,), dtype, rng), (make((5,), dtype, rng), make((5,), dtype, rng)))


def triplet_errors():
    rng = _rng()
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (x, x[0])), RuntimeError)
    yield ErrorSample(Sample(x, (x, x), {"margin": 0.0}), ValueError)


def triplet_distance_samples(dtype, rng):
    for red in REDUCTIONS:
        yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),
                                                make((4, 5), dtype, rng)),
                     {"reduction": red, "swap": red == "sum"})


def _enum(samples):
    """Samples of the functional form turned into calls of torch's top-level op, whose
    ``reduction`` is the enum."""
    enum = {"none": 0, "mean": 1, "sum": 2}

    def gen(dtype, rng):
        for s in samples(dtype, rng):
            kw = dict(s.kwargs)
            red = kw.pop("reduction", "mean")
            if red not in enum:
                continue
            yield Sample(s.input, s.args, {**kw, "reduction": enum[red]}, grad=s.grad,
                         name=s.name)

    return gen


def _top_poisson(dtype, rng):
    for s in _enum(poisson_samples)(dtype, rng):
        kw = s.kwargs
        yield Sample(s.input, s.args + (kw.get("log_input", True), kw.get("full", False),
                                        kw.get("eps", 1e-8), kw["reduction"]), grad=s.grad)


def _top_kl(dtype, rng):
    yield from _enum(kl_samples)(dtype, rng)


OPS = [
    OpInfo("binary_cross_entropy_with_logits", _enum(bce_logits_samples), dtypes=FLOAT,
           grad_dtypes=GRAD, variants=FUNC),
    OpInfo("kl_div", _top_kl, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("margin_ranking_loss", _enum(margin_ranking_samples), dtypes=FLOAT,
           grad_dtypes=GRAD, variants=FUNC, gradcheck=False),
    OpInfo("hinge_embedding_loss", _enum(hinge_samples), dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, gradcheck=False),
    OpInfo("cosine_embedding_loss", _enum(cosine_emb_samples), dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
    OpInfo("poisson_nll_loss", _top_poisson, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("triplet_margin_loss", _enum(triplet_samples), dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
]

F_OPS = [
    OpInfo("nll_loss", nll_samples, dtypes=FLOAT + ("bfloat16",), grad_dtypes=GRAD,
           variants=FUNC, errors=nll_errors),
    OpInfo("cross_entropy", ce_samples, dtypes=FLOAT + ("bfloat16",), grad_dtypes=GRAD,
           variants=FUNC, errors=ce_errors),
    OpInfo("mse_loss", weighted_regression_samples, grad_dtypes=GRAD, variants=FUNC,
           errors=weighted_errors),
    OpInfo("l1_loss", weighted_regression_samples, grad_dtypes=GRAD, variants=FUNC,
           errors=weighted_errors, gradcheck=False),
    OpInfo("smooth_l1_loss", regression_samples(({"beta": 0.5}, {"beta": 0.0})),
           grad_dtypes=GRAD, variants=FUNC, errors=smooth_l1_errors, gradcheck=False),
    OpInfo("huber_loss", regression_samples(({"delta": 0.7},)), grad_dtypes=GRAD,
           variants=FUNC, errors=huber_errors, gradcheck=False),
    OpInfo("binary_cross_entropy", bce_samples, grad_dtypes=GRAD, variants=FUNC,
           errors=bce_errors),
    OpInfo("binary_cross_entropy_with_logits", bce_logits_samples, grad_dtypes=GRAD,
           variants=FUNC, errors=bce_logits_errors),
    OpInfo("kl_div", kl_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("margin_ranking_loss", margin_ranking_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=margin_ranking_errors, gradcheck=False),
    OpInfo("hinge_embedding_loss", hinge_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, gradcheck=False),
    OpInfo("soft_margin_loss", soft_margin_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
    OpInfo("cosine_embedding_loss", cosine_emb_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=cosine_emb_errors),
    OpInfo("poisson_nll_loss", poisson_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=poisson_errors),
    OpInfo("multi_margin_loss", multi_margin_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=multi_margin_errors, gradcheck=False),
    OpInfo("multilabel_margin_loss", multilabel_margin_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=multilabel_margin_errors, gradcheck=False),
    OpInfo("gaussian_nll_loss", gaussian_nll_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=gaussian_nll_errors),
    OpInfo("multilabel_soft_margin_loss", multilabel_soft_samples, dtypes=FLOAT,
           grad_dtypes=GRAD, variants=FUNC),
    OpInfo("triplet_margin_loss", triplet_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=triplet_errors),
    OpInfo("triplet_margin_with_distance_loss", triplet_distance_samples, dtypes=FLOAT,
           grad_dtypes=GRAD, variants=FUNC, errors=triplet_errors),
]
