"""OpInfo entries: activations and the softmax family.

``OPS`` holds the ops torch has at top level (``torch.softmax``, ``torch.selu``...), driven by
tests/test_ops.py. ``F_OPS`` holds the ``torch.nn.functional`` forms (gelu, elu, hardtanh...),
driven the same way through ``nn.functional`` by tests/nn/test_activation.py. Dropout (random)
and the in-place forms are compared with torch in tests/nn/test_dropout.py and
tests/nn/test_activation.py.
"""

from __future__ import annotations

import warnings

import numpy as np

import ember

from .core import ALL_FLOAT, FLOAT, INT, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64 = np.dtype(np.int64)

FUNC = ("function",)
FM = ("function", "method")
GRAD = ("float32", "float64")

TESTED_ELSEWHERE = {
    "selu_": "tests/nn/test_activation.py",
    "celu_": "tests/nn/test_activation.py",
    "threshold_": "tests/nn/test_activation.py",
    "dropout": "tests/nn/test_dropout.py",
    "dropout_": "tests/nn/test_dropout.py",
    "feature_dropout": "tests/nn/test_dropout.py",
    "feature_dropout_": "tests/nn/test_dropout.py",
    "alpha_dropout": "tests/nn/test_dropout.py",
    "alpha_dropout_": "tests/nn/test_dropout.py",
    "feature_alpha_dropout": "tests/nn/test_dropout.py",
    "feature_alpha_dropout_": "tests/nn/test_dropout.py",
    "rrelu": "tests/nn/test_activation.py",
    "rrelu_": "tests/nn/test_activation.py",
}

SHAPES = [(), (5,), (3, 4), (2, 3, 4), (0, 3)]


def _rng():
    return np.random.default_rng(0)


# ---------------------------------------------------------------------------------- samples
def unary_samples(kwargs_list=({},), low=-4.0, high=4.0, edges=True):
    """Every shape with each kwargs; non-contiguous input; values at the edges."""

    def gen(dtype, rng):
        for kw in kwargs_list:
            for shape in SHAPES:
                yield Sample(make(shape, dtype, rng, low, high), kwargs=dict(kw))
            yield Sample(make((4, 6), dtype, rng, low, high)[:, ::2], kwargs=dict(kw))
        if edges and dtype.kind in "fV":
            vals = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 3.0, -3.0, 6.0, 25.0, -25.0,
                             np.inf, -np.inf, np.nan]).astype(dtype)
            for kw in kwargs_list:
                yield Sample(vals, kwargs=dict(kw), grad=())

    return gen


def softmax_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (0,))
    yield Sample(make((3, 4), dtype, rng), (-1,))
    yield Sample(make((2, 3, 4), dtype, rng), (1,))
    yield Sample(make((2, 3, 4), dtype, rng, -30, 30), (2,))
    yield Sample(make((5,), dtype, rng), (0,))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((), dtype, rng), (-1,))
    yield Sample(make((0, 3), dtype, rng), (1,))
    yield Sample(make((3, 0), dtype, rng), (1,))
    yield Sample(make((4, 6), dtype, rng)[:, ::2], (0,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    if dtype.kind in "fV":
        big = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, 0.0, 1.0],
                        [-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0]]).astype(dtype)
        yield Sample(big, (1,), grad=())
        yield Sample(make((3, 4), dtype, rng), (1,), {"dtype": ember.float64}, grad=())
    if dtype == F32:
        yield Sample(make((3, 4), dtype, rng), (1, ember.float64), grad=())


def softmax_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), (1,)), IndexError)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (-3,)), IndexError)
    yield ErrorSample(Sample(np.arange(3), (0,)), NotImplementedError)
    yield ErrorSample(Sample(np.arange(6).reshape(3, 2), (0,)), NotImplementedError)
    yield ErrorSample(Sample(np.array([True, False]), (0,)), NotImplementedError)


def int_errors():
    yield ErrorSample(Sample(np.arange(3)), NotImplementedError)


def prelu_samples(dtype, rng):
    yield Sample(make((2, 3, 4), dtype, rng), (make((3,), dtype, rng, 0, 1),))
    yield Sample(make((2, 3, 4, 2), dtype, rng), (make((1,), dtype, rng, 0, 1),))
    yield Sample(make((4, 5), dtype, rng), (make((5,), dtype, rng, 0, 1),))
    yield Sample(make((5,), dtype, rng), (make((1,), dtype, rng, 0, 1),))
    yield Sample(make((5,), dtype, rng), (make((), dtype, rng, 0, 1),))
    yield Sample(make((3, 2), dtype, rng), (make((), dtype, rng, 0, 1),))


def prelu_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((2, 4), F32, rng), (make((3,), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(make((3,), F32, rng), (make((3,), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(make((3, 2), F32, rng), (make((2, 1), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(make((), F32, rng), (make((2,), F32, rng),)), RuntimeError)
    yield ErrorSample(Sample(np.arange(3), (make((1,), F32, rng),)), RuntimeError)


def threshold_samples(dtype, rng):
    for shape in SHAPES:
        yield Sample(make(shape, dtype, rng), (0.5, -2.0))
    yield Sample(make((3, 4), dtype, rng), (0.0, 0.0))
    yield Sample(make((3, 4), dtype, rng), (1, 20))


def cosine_samples(dtype, rng):
    yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),))
    yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),), {"dim": 0})
    yield Sample(make((2, 3, 4), dtype, rng), (make((3, 4), dtype, rng),), {"dim": -1})
    yield Sample(make((3, 4), dtype, rng), (make((1, 4), dtype, rng),), {"eps": 0.5})
    yield Sample(make((4,), dtype, rng), (make((4,), dtype, rng),), {"dim": 0})


def pairwise_samples(dtype, rng):
    yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),))
    yield Sample(make((4, 5), dtype, rng), (make((4, 5), dtype, rng),), {"p": 1.0})
    yield Sample(make((4, 5), dtype, rng), (make((5,), dtype, rng),), {"keepdim": True})
    yield Sample(make((2, 3, 4), dtype, rng), (make((2, 3, 4), dtype, rng),), {"p": 3.0})
    yield Sample(make((5,), dtype, rng), (make((5,), dtype, rng),), {"eps": 0.1})


# ---------------------------------------------------------------------------------- top level
OPS = [
    OpInfo("softmax", softmax_samples, variants=FM, grad_dtypes=GRAD, errors=softmax_errors),
    OpInfo("log_softmax", softmax_samples, variants=FM, grad_dtypes=GRAD,
           errors=softmax_errors),
    OpInfo("selu", unary_samples(), variants=FUNC, grad_dtypes=GRAD, errors=int_errors),
    OpInfo("celu", unary_samples(({}, {"alpha": 0.5}, {"alpha": 2.0})), variants=FUNC,
           grad_dtypes=GRAD, errors=int_errors),
    OpInfo("hardshrink", unary_samples(({}, {"lambd": 1.5}, {"lambd": 0.0})), variants=FM,
           grad_dtypes=GRAD, gradcheck=False),
    OpInfo("threshold", threshold_samples, variants=FUNC, grad_dtypes=GRAD,
           dtypes=ALL_FLOAT + INT, gradcheck=False),
    OpInfo("prelu", prelu_samples, variants=FM, grad_dtypes=GRAD, errors=prelu_errors),
    OpInfo("cosine_similarity", cosine_samples, variants=FUNC, dtypes=FLOAT, grad_dtypes=GRAD),
    OpInfo("pairwise_distance", pairwise_samples, variants=FUNC, dtypes=FLOAT,
           grad_dtypes=GRAD),
]


# ---------------------------------------------------------------------------------- functional
def glu_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((4, 3), dtype, rng), (0,))
    yield Sample(make((2, 6, 2), dtype, rng), kwargs={"dim": 1})
    yield Sample(make((6,), dtype, rng))
    yield Sample(make((0, 4), dtype, rng))


def glu_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng)), RuntimeError)
    yield ErrorSample(Sample(make((3, 2), F32, rng), (0,)), RuntimeError)
    yield ErrorSample(Sample(make((), F32, rng)), RuntimeError)


def fsoftmax_samples(dtype, rng):
    for s in softmax_samples(dtype, rng):
        if s.args:
            yield Sample(s.input, (), {"dim": s.args[0], **s.kwargs}, grad=s.grad)


def gelu_errors():
    rng = _rng()
    yield ErrorSample(Sample(make((3,), F32, rng), kwargs={"approximate": "foo"}), RuntimeError)
    yield ErrorSample(Sample(make((3,), F32, rng), kwargs={"approximate": None}), TypeError)
    yield ErrorSample(Sample(np.arange(3)), NotImplementedError)


def shrink_errors():
    yield ErrorSample(Sample(make((3,), F32, _rng()), (-1.0,)), RuntimeError)
    yield ErrorSample(Sample(make((3,), F64, _rng()), (-0.5,)), RuntimeError)


def hardtanh_errors():
    yield ErrorSample(Sample(make((3,), F32, _rng()), (2.0, 1.0)), ValueError)


def celu_errors():
    yield ErrorSample(Sample(make((3,), F32, _rng()), (0.0,)), RuntimeError)
    yield ErrorSample(Sample(np.arange(3)), NotImplementedError)


def normalize_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), kwargs={"dim": 0, "p": 1.0})
    yield Sample(make((2, 3, 4), dtype, rng), kwargs={"dim": -1, "p": 3.0})
    yield Sample(np.zeros((2, 3), dtype), kwargs={"eps": 1e-3}, grad=())
    yield Sample(make((5,), dtype, rng), kwargs={"dim": 0})


F_OPS = [
    OpInfo("relu", unary_samples(), grad_dtypes=GRAD, dtypes=ALL_FLOAT + INT, variants=FUNC,
           gradcheck=False),
    OpInfo("relu6", unary_samples(low=-8, high=8), grad_dtypes=GRAD, dtypes=ALL_FLOAT + INT,
           variants=FUNC, gradcheck=False),
    OpInfo("leaky_relu", unary_samples(({}, {"negative_slope": 0.2})), grad_dtypes=GRAD,
           variants=FUNC, errors=int_errors),
    OpInfo("elu", unary_samples(({}, {"alpha": 0.3})), grad_dtypes=GRAD, variants=FUNC,
           errors=int_errors),
    OpInfo("selu", unary_samples(), grad_dtypes=GRAD, variants=FUNC),
    OpInfo("celu", unary_samples(({}, {"alpha": 1.7})), grad_dtypes=GRAD, variants=FUNC,
           errors=celu_errors),
    OpInfo("gelu", unary_samples(({}, {"approximate": "tanh"})), grad_dtypes=GRAD,
           variants=FUNC, errors=gelu_errors),
    OpInfo("silu", unary_samples(), grad_dtypes=GRAD, variants=FUNC, errors=int_errors),
    OpInfo("mish", unary_samples(), grad_dtypes=GRAD, variants=FUNC, errors=int_errors),
    OpInfo("sigmoid", unary_samples(), grad_dtypes=GRAD, variants=FUNC),
    OpInfo("tanh", unary_samples(), grad_dtypes=GRAD, variants=FUNC),
    OpInfo("hardtanh", unary_samples(({}, {"min_val": -2.0, "max_val": 0.5})),
           grad_dtypes=GRAD, dtypes=ALL_FLOAT + INT, variants=FUNC, errors=hardtanh_errors,
           gradcheck=False),
    OpInfo("hardsigmoid", unary_samples(), grad_dtypes=GRAD, variants=FUNC,
           errors=int_errors, gradcheck=False),
    OpInfo("hardswish", unary_samples(), grad_dtypes=GRAD, variants=FUNC, errors=int_errors,
           gradcheck=False),
    OpInfo("softplus", unary_samples(({}, {"beta": 2.0, "threshold": 3.0})),
           grad_dtypes=GRAD, variants=FUNC, errors=int_errors),
    OpInfo("softsign", unary_samples(), grad_dtypes=GRAD, dtypes=ALL_FLOAT + INT,
           variants=FUNC),
    OpInfo("tanhshrink", unary_samples(), grad_dtypes=GRAD, dtypes=ALL_FLOAT + INT,
           variants=FUNC),
    OpInfo("softshrink", unary_samples(({}, {"lambd": 1.0})), grad_dtypes=GRAD,
           variants=FUNC, errors=shrink_errors, gradcheck=False),
    OpInfo("hardshrink", unary_samples(({}, {"lambd": 1.0})), grad_dtypes=GRAD,
           variants=FUNC, gradcheck=False),
    OpInfo("threshold", threshold_samples, grad_dtypes=GRAD, variants=FUNC,
           dtypes=ALL_FLOAT + INT, gradcheck=False),
    OpInfo("logsigmoid", unary_samples(), grad_dtypes=GRAD, variants=FUNC, errors=int_errors),
    OpInfo("glu", glu_samples, grad_dtypes=GRAD, variants=FUNC, errors=glu_errors),
    OpInfo("prelu", prelu_samples, grad_dtypes=GRAD, variants=FUNC, errors=prelu_errors),
    OpInfo("softmax", fsoftmax_samples, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("log_softmax", fsoftmax_samples, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("softmin", fsoftmax_samples, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("normalize", normalize_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("cosine_similarity", cosine_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
    OpInfo("pairwise_distance", pairwise_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
]


# ---------------------------------------------------------------------------------- driver
# The generic checks of tests/test_ops.py, run on ``nn.functional`` (for the ``F_OPS`` tables
# of this module and of nn_loss.py / nn_norm.py; the test files are in tests/nn/).
class FunctionalNamespace:
    """``lib.nn.functional`` seen as a library: ``getattr(ns, name)`` is ``F.<name>``."""

    def __init__(self, lib):
        self._lib = lib
        self.Tensor = lib.Tensor

    def __getattr__(self, name):
        return getattr(self._lib.nn.functional, name)


def cases(ops, kind: str):
    import pytest

    out = []
    for op in ops:
        for dt in (op.dtypes if kind == "forward" else op.grad_dtypes):
            out.append(pytest.param(op, dt, id=f"{op.name}-{dt}"))
    return out


def _namespaces():
    import torch

    return FunctionalNamespace(ember), FunctionalNamespace(torch)


def _call(ns, op, inp, args, kwargs):
    name = op.name if ns._lib is ember else op.torch_name
    return getattr(ns, name)(inp, *args, **kwargs)


def check_forward(op, dt) -> None:
    from tests.helpers import assert_same, run_both, to_ember, to_torch
    from tests.test_ops import _convert, _samples

    FE, FT = _namespaces()
    for s in _samples(op, dt):
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e, t = run_both(lambda: _call(FE, op, e_in, e_args, e_kw),
                            lambda: _call(FT, op, t_in, t_args, t_kw))
        where = repr(s)
        if isinstance(t, Exception):
            assert isinstance(e, Exception), f"{where}: torch raised {t!r}, ember returned"
            assert type(e).__name__ == type(t).__name__, f"{where}: {e!r} vs {t!r}"
            continue
        assert not isinstance(e, Exception), f"{where}: ember raised {e!r}"
        assert_same(e, t, op.atol, op.rtol, path=where)


def check_grads(op, dt) -> None:
    from tests.helpers import assert_same, to_ember, to_torch
    from tests.test_ops import _grads, _samples

    FE, FT = _namespaces()
    for s in _samples(op, dt):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_grads = _grads(FT, op, s, to_torch)
            e_grads = _grads(FE, op, s, to_ember)
        if t_grads is None:
            assert e_grads is None, f"{s!r}: ember output requires grad, torch's does not"
            continue
        assert e_grads is not None, f"{s!r}: torch output requires grad, ember's does not"
        assert len(e_grads) == len(t_grads)
        for i, (ge, gt) in enumerate(zip(e_grads, t_grads)):
            if gt is None:
                assert ge is None or not np.any(ge._data), f"{s!r}: grad {i}"
                continue
            assert ge is not None, f"{s!r}: ember grad {i} is None, torch's is not"
            assert_same(ge, gt, op.atol, op.rtol, path=f"grad {i} of {s!r}")


def check_gradcheck(op) -> None:
    from tests.helpers import to_ember
    from tests.test_ops import _convert, _samples

    FE, _ = _namespaces()
    done = 0
    for s in _samples(op, "float64")[:4]:
        inp, args, kwargs = _convert(s, to_ember, grad_positions=True)
        arrays = [x for x in [inp, *args, *kwargs.values()] if isinstance(x, ember.Tensor)]
        if sum(x.numel() for x in arrays) > 80 or not any(x.requires_grad for x in arrays):
            continue

        def fn(*xs, _inp=inp, _args=args, _kw=kwargs):
            it = iter(xs)
            new_inp = next(it) if isinstance(_inp, ember.Tensor) else _inp
            new_args = tuple(next(it) if isinstance(a, ember.Tensor) else a for a in _args)
            new_kw = {k: (next(it) if isinstance(v, ember.Tensor) else v) for k, v in _kw.items()}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return _call(FE, op, new_inp, new_args, new_kw)

        assert ember.autograd.gradcheck(fn, tuple(arrays), eps=1e-6, atol=1e-5, rtol=1e-3), s
        done += 1
    assert done, f"{op.name}: no sample small enough for gradcheck"


def check_errors(op) -> None:
    from tests.helpers import assert_same_error, to_ember, to_torch
    from tests.test_ops import _convert

    FE, FT = _namespaces()
    for err in op.errors():
        s = err.sample
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same_error(lambda: _call(FE, op, e_in, e_args, e_kw),
                              lambda: _call(FT, op, t_in, t_args, t_kw), err.match)
