"""OpInfo entries: reductions, scans, sorting and selection (sum, mean, prod, std/var, norm,
logsumexp, cumsum/cumprod, all/any, argmax/argmin, amax/amin, max/min, median, topk, sort,
argsort, unique, count_nonzero, aminmax, nansum/nanmean, nonzero)."""

from __future__ import annotations

import numpy as np

import ember

from .core import ALL, ALL_FLOAT, FLOAT, INT, ErrorSample, OpInfo, Sample, make

NUM = ALL_FLOAT + INT  # every dtype but bool
F64 = ember.float64
I64 = ember.int64


def _rng():
    return np.random.default_rng(0)


def _f32(shape):
    return make(shape, np.dtype(np.float32), _rng())


def _with_zeros(dtype, rng, shape, zeros):
    """A float array with ``zeros`` zeros placed in each row (last dim)."""
    x = make(shape, dtype, rng, positive=True)
    if dtype.kind in "fV":
        x = np.where(rng.random(shape) < 0.5, x, -x).astype(dtype)
    flat = x.reshape(-1, shape[-1])
    for row in flat:
        row[rng.choice(shape[-1], zeros, replace=False)] = 0
    return flat.reshape(shape)


def _with_nans(dtype, rng, shape):
    x = make(shape, dtype, rng)
    if dtype.kind in "fV":
        x[rng.random(shape) < 0.3] = np.nan
    return x


# ---------------------------------------------------------------------------------- samples
def dim_samples(all_dims=True, tuple_dims=True, empty_tuple=True, none_dim=True, zero_d=True,
                empty=True, kwargs=None):
    """Reductions over dims: none given, int, negative, tuple, keepdim; 0-d, empty and
    non-contiguous inputs."""
    kw = kwargs or {}

    def gen(dtype, rng):
        if all_dims:
            yield Sample(make((3, 4), dtype, rng), kwargs=dict(kw))
            yield Sample(make((2, 3, 4), dtype, rng), kwargs=dict(kw))
        yield Sample(make((3, 4), dtype, rng), (1,), dict(kw))
        yield Sample(make((3, 4), dtype, rng), (-2,), dict(kw, keepdim=True))
        yield Sample(make((2, 3, 4), dtype, rng), (-1, True), dict(kw))
        yield Sample(make((5,), dtype, rng), (0,), dict(kw))
        if tuple_dims:
            yield Sample(make((2, 3, 4), dtype, rng), ((0, 2),), dict(kw))
            yield Sample(make((2, 3, 4), dtype, rng), ([-1, 0], True), dict(kw))
            yield Sample(make((2, 3, 4), dtype, rng), ((0, 1, 2),), dict(kw))
        if empty_tuple:
            yield Sample(make((2, 3), dtype, rng), ((),), dict(kw))
        if none_dim:
            yield Sample(make((2, 3), dtype, rng), (None,), dict(kw))
            yield Sample(make((2, 3), dtype, rng), (None, True), dict(kw))
        if zero_d:
            if all_dims:
                yield Sample(make((), dtype, rng), kwargs=dict(kw))
            yield Sample(make((), dtype, rng), (0,), dict(kw))
            yield Sample(make((), dtype, rng), (-1, True), dict(kw))
        if empty:
            if all_dims:
                yield Sample(make((0, 3), dtype, rng), kwargs=dict(kw))
            yield Sample(make((0, 3), dtype, rng), (0,), dict(kw))
            yield Sample(make((0, 3), dtype, rng), (1, True), dict(kw))
        # non-contiguous inputs
        yield Sample(make((4, 3), dtype, rng).T, (1,), dict(kw))
        yield Sample(make((4, 6), dtype, rng)[:, ::2], (0,), dict(kw))
        if all_dims:
            yield Sample(make((4, 3), dtype, rng).T, kwargs=dict(kw))

    return gen


def _dim_errors(name_kwargs=None, tuple_ok=True):
    kw = name_kwargs or {}

    def gen():
        x = _f32((2, 3))
        yield ErrorSample(Sample(x, (2,), dict(kw)), IndexError)
        yield ErrorSample(Sample(x, (-3,), dict(kw)), IndexError)
        yield ErrorSample(Sample(_f32(()), (1,), dict(kw)), IndexError)
        if tuple_ok:
            yield ErrorSample(Sample(x, ((0, -2),), dict(kw)), RuntimeError)

    return gen


def sum_samples(dtype, rng):
    yield from dim_samples()(dtype, rng)
    yield Sample(make((3, 4), dtype, rng), (1,), {"dtype": F64})
    yield Sample(make((3, 4), dtype, rng), kwargs={"dtype": F64})
    # integer results: nothing may require grad (torch: "Autograd not support dtype")
    yield Sample(make((3, 4), dtype, rng), (1, True), {"dtype": ember.int32}, grad=())
    yield Sample(make((3, 4), dtype, rng), ((0, 1),), {"dtype": ember.float16})
    yield Sample(make((2, 3), dtype, rng), (1,), {"dtype": ember.bool}, grad=())


def mean_samples(dtype, rng):
    yield from dim_samples()(dtype, rng)
    yield Sample(make((3, 4), dtype, rng), (1,), {"dtype": F64})
    yield Sample(make((3, 4), dtype, rng), kwargs={"dtype": F64})


def mean_errors():
    xi = make((2, 3), np.dtype(np.int64), _rng())
    yield ErrorSample(Sample(xi), RuntimeError)
    yield ErrorSample(Sample(xi, (1,)), RuntimeError)
    yield ErrorSample(Sample(_f32((2, 3)), (1,), {"dtype": I64}), RuntimeError)
    yield from _dim_errors()()


def prod_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((2, 3, 4), dtype, rng, -1.5, 1.5), (1,))
    yield Sample(make((3, 4), dtype, rng), (-1, True))
    yield Sample(make((3, 4), dtype, rng), (0,), {"dtype": F64})
    yield Sample(make((3, 4), dtype, rng), kwargs={"dtype": F64})
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    if dtype.kind in "fV":  # the gradient with one and with several zeros
        yield Sample(_with_zeros(dtype, rng, (3, 4), 1), (1,))
        yield Sample(_with_zeros(dtype, rng, (3, 4), 2), (1, True))
        yield Sample(_with_zeros(dtype, rng, (2, 4), 1), (0,))
        yield Sample(_with_zeros(dtype, rng, (1, 5), 1))
        yield Sample(_with_zeros(dtype, rng, (2, 3), 1))


def var_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((2, 3, 4), dtype, rng), ((0, 2),))
    yield Sample(make((3, 4), dtype, rng), (1, False))
    yield Sample(make((3, 4), dtype, rng), (1, True, True))
    yield Sample(make((3, 4), dtype, rng), (False,))
    yield Sample(make((3, 4), dtype, rng), kwargs={"unbiased": False})
    yield Sample(make((3, 4), dtype, rng), (-1,), {"correction": 0, "keepdim": True})
    yield Sample(make((3, 4), dtype, rng), (0,), {"correction": 2})
    yield Sample(make((3, 4), dtype, rng), (1,), {"correction": 1.5})
    yield Sample(make((2, 3), dtype, rng), (None,), {"correction": 0, "keepdim": True})
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), kwargs={"correction": 0})
    yield Sample(make((1, 3), dtype, rng), (0,))  # dof 0: nan, with a warning
    yield Sample(make((2, 3), dtype, rng), (1,), {"correction": 3})  # dof 0: inf
    yield Sample(make((2, 3), dtype, rng), (1,), {"correction": 5})  # dof < 0
    yield Sample(make((2, 3), dtype, rng), kwargs={"correction": 7})
    yield Sample(make((2, 3), dtype, rng), ((),))  # torch's gradient treats () as 1 element
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (1,))


def var_errors():
    yield ErrorSample(Sample(make((2, 3), np.dtype(np.int64), _rng())), RuntimeError)
    yield from _dim_errors()()


def var_mean_errors():
    yield ErrorSample(Sample(make((2, 3), np.dtype(np.int64), _rng())), RuntimeError)


NORM_PS = (2, "fro", float("inf"), float("-inf"), 0, 1, 3, 0.5, -1, 1.5, 2.5)


def norm_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), (2, 0))
    for p in NORM_PS:
        yield Sample(make((3, 4), dtype, rng), (p,))
        yield Sample(make((2, 3, 4), dtype, rng), (p, 1))
        yield Sample(make((2, 3, 4), dtype, rng), (p,), {"dim": (0, 2), "keepdim": True})
    yield Sample(make((2, 3, 4), dtype, rng), ("fro", (0, 1, 2)[:2]))
    yield Sample(make((3, 4), dtype, rng), kwargs={"dim": -1, "keepdim": True})
    yield Sample(make((3, 4), dtype, rng), kwargs={"p": None})
    yield Sample(make((3, 4), dtype, rng), kwargs={"dim": []})
    yield Sample(make((3, 4), dtype, rng), (2, 1), {"dtype": F64})
    yield Sample(make((4, 3), dtype, rng).T, (2, 1))
    yield Sample(make((0, 3), dtype, rng))
    yield Sample(make((0, 3), dtype, rng), (float("inf"), 1))
    yield Sample(make((0, 3), dtype, rng), (3, 0))


def dist_samples(dtype, rng):
    # Broadcasting, every p torch.dist takes, and a mixed-dtype pair (other promotes input).
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),))
    yield Sample(make((2, 3, 4), dtype, rng), (make((4,), dtype, rng), 3))
    for p in (1, 2.5, 0.5, float("inf"), float("-inf"), 0):
        yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),), {"p": p},
                     grad=() if p == 0 else None)
    yield Sample(make((3, 4), dtype, rng), (make((3, 1), dtype, rng),), {"p": 1.5})
    yield Sample(make((), dtype, rng), (make((), dtype, rng),))
    yield Sample(make((3,), dtype, rng), (make((3,), np.dtype(np.int64), rng),))


def dist_errors():
    i64 = np.dtype(np.int64)
    yield ErrorSample(Sample(_f32((2, 3)), (_f32((4,)),)), RuntimeError)
    yield ErrorSample(Sample(make((2,), i64, _rng()), (make((2,), i64, _rng()),)), RuntimeError)


def norm_errors():
    x = _f32((2, 3))
    yield ErrorSample(Sample(make((2, 3), np.dtype(np.int64), _rng())), RuntimeError)
    yield ErrorSample(Sample(x, kwargs={"dtype": ember.float16}), RuntimeError)
    yield ErrorSample(Sample(x, kwargs={"dtype": ember.int32}), RuntimeError)
    yield ErrorSample(Sample(make((2, 3), np.dtype(np.float64), _rng()),
                             kwargs={"dtype": ember.float32}), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), (float("inf"),)), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), (-1,)), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), (-1.5, 0)), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), (float("-inf"), (1, -2))), RuntimeError)
    yield ErrorSample(Sample(x, ("abc",)), RuntimeError)
    yield ErrorSample(Sample(x, ("nuc", 1)), RuntimeError)
    yield ErrorSample(Sample(_f32((3,)), ("nuc",)), RuntimeError)
    yield ErrorSample(Sample(_f32((1, 2, 3)), ("fro", (0, 1, 2))), RuntimeError)
    yield ErrorSample(Sample(x, (2, 2)), IndexError)


def logsumexp_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((2, 3, 4), dtype, rng), ((0, 2),))
    yield Sample(make((3, 4), dtype, rng), (-1, True))
    yield Sample(make((3, 4), dtype, rng), ([0, 1],), {"keepdim": True})
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (1,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    if dtype.kind in "fV":
        x = make((3, 3), dtype, rng)
        x[0, 0] = np.inf
        x[1, :] = -np.inf
        x[2, 1] = np.nan
        yield Sample(x, (1,))


def logsumexp_errors():
    yield ErrorSample(Sample(_f32((2, 3)), ((),)), RuntimeError)
    yield ErrorSample(Sample(_f32((3,)), ([],)), RuntimeError)
    yield from _dim_errors()()


def scan_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (0,))
    yield Sample(make((2, 3, 4), dtype, rng, -1.5, 1.5), (-2,))
    yield Sample(make((5,), dtype, rng), (0,))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    yield Sample(make((3, 4), dtype, rng), (1,), {"dtype": F64})
    yield Sample(make((3, 1), dtype, rng), (1,))
    if dtype.kind in "fV":
        yield Sample(_with_zeros(dtype, rng, (3, 5), 1), (1,))
        yield Sample(_with_zeros(dtype, rng, (2, 6), 2), (-1,))
        yield Sample(_with_zeros(dtype, rng, (4, 3), 1).T.copy(), (0,))


def scan_errors():
    yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)
    yield ErrorSample(Sample(_f32(()), (1,)), IndexError)


def bool_samples(dtype, rng):
    yield from dim_samples()(dtype, rng)
    x = make((3, 4), dtype, rng)
    if dtype.kind in "fV":
        x[0, 0] = np.nan
    yield Sample(x, (1,))


def count_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((2, 3, 4), dtype, rng), ((0, 2),))
    yield Sample(make((2, 3, 4), dtype, rng), kwargs={"dim": [-1]})
    yield Sample(make((2, 3), dtype, rng), ((),))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))


def arg_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (0, True))
    yield Sample(make((2, 3, 4), dtype, rng), (-1,))
    yield Sample(make((2, 3), dtype, rng), (None, True))
    yield Sample(make((2, 3), dtype, rng), kwargs={"keepdim": True})
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((3, 0), dtype, rng), (0,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    yield Sample(np.array([[1, 3, 3], [5, 5, 0]]).astype(dtype), (1,))  # ties: first index
    if dtype.kind in "fV":
        yield Sample(np.array([[1, np.nan, 3, np.nan], [5, 5, 2, np.nan]]).astype(dtype), (1,))


def arg_errors(name):
    def gen():
        yield ErrorSample(Sample(_f32((0, 3))), IndexError)
        yield ErrorSample(Sample(_f32((0, 3)), (0,)), IndexError)
        yield ErrorSample(Sample(_f32((3, 0)), (-1,)), IndexError)
        yield ErrorSample(Sample(np.array([True, False]), (0,)), RuntimeError)
        yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)

    return gen


def amax_samples(dtype, rng):
    yield from dim_samples(all_dims=True, none_dim=True, empty=False)(dtype, rng)
    yield Sample(make((0, 3), dtype, rng), (1,))
    yield Sample(make((0, 3), dtype, rng), (1, True))


def amax_errors():
    yield ErrorSample(Sample(_f32((0, 3))), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), (0,)), IndexError)
    yield ErrorSample(Sample(_f32((0, 3)), ((1, 0),)), IndexError)
    yield from _dim_errors()()


def max_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (-1, True))
    yield Sample(make((2, 3, 4), dtype, rng), kwargs={"dim": 0})
    yield Sample(make((2, 3, 4), dtype, rng), (1,), {"keepdim": True})
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (1,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    yield Sample(make((4, 3), dtype, rng).T)
    yield Sample(make((3, 4), dtype, rng), (make((4,), dtype, rng),))  # elementwise form
    yield Sample(make((3, 4), dtype, rng), kwargs={"other": make((3, 1), dtype, rng)})
    yield Sample(np.array([[1, 3, 3], [5, 5, 0]]).astype(dtype), (1,))  # ties: first index
    if dtype.kind in "fV":
        yield Sample(np.array([[1, np.nan, 3, np.nan], [5, 5, 2, 1]]).astype(dtype), (1,))
        yield Sample(np.array([[1, np.nan, 3, np.nan], [5, 5, 2, 1]]).astype(dtype))


def max_errors(name):
    def gen():
        yield ErrorSample(Sample(_f32((0, 3))), RuntimeError)
        yield ErrorSample(Sample(_f32((0, 3)), (0,)), IndexError)
        yield ErrorSample(Sample(_f32((0, 3)), (-2,)), IndexError)
        yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)
        yield ErrorSample(Sample(_f32((3,)), (_f32((2,)),)), RuntimeError)

    return gen


def aminmax_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), kwargs={"dim": 1})
    yield Sample(make((3, 4), dtype, rng), kwargs={"dim": -2, "keepdim": True})
    yield Sample(make((2, 3), dtype, rng), kwargs={"dim": None, "keepdim": True})
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), kwargs={"dim": 0})
    yield Sample(make((0, 3), dtype, rng), kwargs={"dim": 1})
    yield Sample(make((4, 3), dtype, rng).T, kwargs={"dim": 1})


def aminmax_errors():
    yield ErrorSample(Sample(_f32((0, 3))), RuntimeError)
    yield ErrorSample(Sample(_f32((0, 3)), kwargs={"dim": 0}), IndexError)
    yield ErrorSample(Sample(_f32((2, 3)), kwargs={"dim": 2}), IndexError)


def median_samples(dtype, rng):
    yield Sample(make((3, 5), dtype, rng))
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((3, 5), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (1,))
    yield Sample(make((3, 4), dtype, rng), (0, True))
    yield Sample(make((2, 3, 4), dtype, rng), (-1,))
    yield Sample(make((), dtype, rng))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (1,))
    yield Sample(make((4, 3), dtype, rng).T, (1,))
    yield Sample(np.array([[3, 1, 3, 2, 1], [0, 0, 5, -1, 0]]).astype(dtype), (1,))  # ties
    yield Sample(np.array([[3, 1, 3, 2], [0, 0, 5, -1]]).astype(dtype), (1,))
    if dtype.kind in "fV":
        yield Sample(make((0, 3), dtype, rng))
        yield Sample(np.array([[3, np.nan, 1, np.nan], [0, 0, 5, -1]]).astype(dtype), (1,))
        yield Sample(np.array([[3, np.nan, 1, np.nan], [0, 0, 5, -1]]).astype(dtype))


def median_errors():
    yield ErrorSample(Sample(_f32((0, 3)), (0,)), IndexError)
    yield ErrorSample(Sample(np.array([True, False])), NotImplementedError)
    yield ErrorSample(Sample(np.array([True, False]), (0,)), NotImplementedError)
    yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)


def topk_samples(dtype, rng):
    yield Sample(make((3, 6), dtype, rng), (2,))
    yield Sample(make((3, 6), dtype, rng), (3,), {"largest": False})
    yield Sample(make((3, 6), dtype, rng), (2, 0))
    yield Sample(make((2, 3, 4), dtype, rng), (2,), {"dim": 1, "largest": False})
    yield Sample(make((3, 6), dtype, rng), (6,))
    yield Sample(make((3, 6), dtype, rng), (0,))
    yield Sample(make((3, 6), dtype, rng), (4,), {"sorted": False})
    yield Sample(make((3, 6), dtype, rng), (4,), {"sorted": False, "largest": False})
    yield Sample(make((), dtype, rng), (1,))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((2, 0), dtype, rng), (0,))
    yield Sample(make((2, 0), dtype, rng), (1, 0))
    yield Sample(make((6, 3), dtype, rng).T, (2,))
    yield Sample(make((2, 200), dtype, rng), (3,))  # k * 64 <= n: partial_sort
    yield Sample(make((2, 200), dtype, rng), (3,), {"largest": False, "sorted": False})
    yield Sample(np.array([[3, 1, 3, 2, 1], [0, 0, 5, -1, 0]]).astype(dtype), (3,))  # ties
    yield Sample(np.array([[3, 1, 3, 2, 1], [0, 0, 5, -1, 0]]).astype(dtype), (3,),
                 {"largest": False})
    if dtype.kind in "fV":
        yield Sample(np.array([[3, np.nan, 1, np.nan, -np.inf]]).astype(dtype), (2,))
        yield Sample(np.array([[3, np.nan, 1, np.nan, -np.inf]]).astype(dtype), (3,),
                     {"largest": False})


def topk_errors():
    x = _f32((2, 5))
    yield ErrorSample(Sample(x, (6,)), RuntimeError)
    yield ErrorSample(Sample(x, (-1,)), RuntimeError)
    yield ErrorSample(Sample(_f32(()), (2,)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 2)), IndexError)
    yield ErrorSample(Sample(np.array([[True, False]]), (1,)), RuntimeError)


def sort_samples(dtype, rng):
    yield Sample(make((3, 5), dtype, rng))
    yield Sample(make((3, 5), dtype, rng), (0,))
    yield Sample(make((3, 5), dtype, rng), (1, True))
    yield Sample(make((2, 3, 4), dtype, rng), kwargs={"dim": 1, "descending": True})
    yield Sample(make((3, 5), dtype, rng), kwargs={"stable": True, "descending": True})
    yield Sample(make((), dtype, rng))
    yield Sample(make((0,), dtype, rng))
    yield Sample(make((2, 0), dtype, rng), (0,))
    yield Sample(make((5, 3), dtype, rng).T)
    yield Sample(np.array([[3, 1, 3, 2, 1], [0, 0, 5, -1, 0]]).astype(dtype))  # ties
    yield Sample(np.array([[3, 1, 3, 2, 1], [0, 0, 5, -1, 0]]).astype(dtype), (1, True))
    if dtype.kind in "fV":
        yield Sample(np.array([3, np.nan, 1, np.nan, -np.inf]).astype(dtype))
        yield Sample(np.array([3, np.nan, 1, np.nan, -np.inf]).astype(dtype), (0, True))


def sort_errors():
    yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)


def unique_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x)
    yield Sample(x, kwargs={"sorted": False})
    yield Sample(x, kwargs={"return_inverse": True})
    yield Sample(x, kwargs={"return_counts": True})
    yield Sample(x, (True, True, True))
    yield Sample(make((), dtype, rng), kwargs={"return_inverse": True})
    yield Sample(make((0,), dtype, rng), kwargs={"return_inverse": True, "return_counts": True})
    yield Sample(make((2, 0), dtype, rng), kwargs={"return_inverse": True})
    rows = np.array([[3, 1], [3, 2], [3, 1], [0, 1]]).astype(dtype)
    yield Sample(rows, kwargs={"dim": 0, "return_inverse": True, "return_counts": True})
    yield Sample(rows, kwargs={"dim": 1, "return_inverse": True, "return_counts": True})
    yield Sample(rows, kwargs={"dim": -1})
    yield Sample(make((2, 0), dtype, rng), kwargs={"dim": 1, "return_counts": True})
    yield Sample(make((4, 3), dtype, rng).T, kwargs={"return_inverse": True})
    if dtype.kind in "fV":
        yield Sample(np.array([3, np.nan, 1, np.nan, 1]).astype(dtype),
                     kwargs={"return_inverse": True, "return_counts": True})


def unique_errors():
    yield ErrorSample(Sample(_f32((2, 3)), kwargs={"dim": 2}), IndexError)
    yield ErrorSample(Sample(_f32((2, 0)), kwargs={"dim": 0}), RuntimeError)


def nan_samples(dtype, rng):
    yield Sample(_with_nans(dtype, rng, (3, 4)))
    yield Sample(_with_nans(dtype, rng, (3, 4)), (1,))
    yield Sample(_with_nans(dtype, rng, (2, 3, 4)), ((0, 2), True))
    yield Sample(_with_nans(dtype, rng, (2, 3)), (None, True))
    yield Sample(_with_nans(dtype, rng, (2, 3)), ((),))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 3), dtype, rng), (0,))
    yield Sample(_with_nans(dtype, rng, (4, 3)).T, (1,))
    yield Sample(_with_nans(dtype, rng, (3, 4)), (1,), {"dtype": F64})
    if dtype.kind in "fV":
        x = make((2, 3), dtype, rng)
        x[0] = np.nan
        yield Sample(x, (1,))


def nanmean_errors():
    yield ErrorSample(Sample(make((2, 3), np.dtype(np.int64), _rng())), RuntimeError)


def nonzero_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng, 0, 2))
    yield Sample(make((3, 4), dtype, rng, 0, 2), kwargs={"as_tuple": True})
    yield Sample(make((), dtype, rng))
    yield Sample(make((0, 3), dtype, rng))


# ------------------------------------------------------------- logcumsumexp, diff, renorm...
def logcumsumexp_samples(dtype, rng):
    for shape, dim in (((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -2), ((5,), 0), ((), 0), ((0, 3), 0)):
        yield Sample(make(shape, dtype, rng), (dim,))
    x = make((2, 5), dtype, rng)
    x[0, 1], x[1, 3] = -np.inf, np.inf
    yield Sample(x, (1,), name="infs", grad=())


def logcumsumexp_errors():
    yield ErrorSample(Sample(make((3,), np.dtype(np.int64), _rng()), (0,)), NotImplementedError)
    yield ErrorSample(Sample(_f32((2, 3)), (2,)), IndexError)


def diff_samples(dtype, rng):
    yield Sample(make((5,), dtype, rng))
    yield Sample(make((3, 4), dtype, rng), (2,))
    yield Sample(make((3, 4), dtype, rng), (1, 0))
    yield Sample(make((3, 4), dtype, rng), (3, -1))
    yield Sample(make((3, 4), dtype, rng), (0,))
    yield Sample(make((2, 3, 4), dtype, rng), (1, 1), {"prepend": make((2, 2, 4), dtype, rng),
                                                       "append": make((2, 1, 4), dtype, rng)})
    yield Sample(make((3, 4), dtype, rng), kwargs={"append": make((3, 1), dtype, rng)})
    yield Sample(make((2,), dtype, rng), (5,))
    yield Sample(make((0, 3), dtype, rng), (1, 0))


def diff_errors():
    yield ErrorSample(Sample(_f32(())), RuntimeError)
    yield ErrorSample(Sample(_f32((3,)), (-1,)), RuntimeError)
    yield ErrorSample(Sample(_f32((3, 2)), kwargs={"prepend": _f32((3,))}), RuntimeError)
    yield ErrorSample(Sample(_f32((3, 2)), (1, 2)), IndexError)


def bincount_samples(dtype, rng):
    x = make((10,), dtype, rng)
    x = np.abs(x.astype(np.int64)).astype(dtype)
    yield Sample(x)
    yield Sample(x, kwargs={"minlength": 12})
    yield Sample(x, (make((10,), np.dtype(np.float32), rng),))
    yield Sample(x, (make((10,), np.dtype(np.float64), rng),), {"minlength": 3})
    yield Sample(x, (make((10,), np.dtype(np.float16), rng),))
    yield Sample(x, (make((10,), np.dtype(np.int32), rng),))
    yield Sample(x[:0], kwargs={"minlength": 2})


def bincount_errors():
    i64 = np.dtype(np.int64)
    yield ErrorSample(Sample(np.array([1, -1], i64)), RuntimeError)
    yield ErrorSample(Sample(np.ones((2, 2), i64)), RuntimeError)
    yield ErrorSample(Sample(_f32((3,))), NotImplementedError)
    yield ErrorSample(Sample(np.ones(3, i64), kwargs={"minlength": -1}), RuntimeError)
    yield ErrorSample(Sample(np.ones(3, i64), (_f32((2,)),)), RuntimeError)


def histc_samples(dtype, rng):
    x = make((4, 5), dtype, rng)
    yield Sample(x)
    yield Sample(x, (7,))
    yield Sample(x, (4, -1, 1))
    yield Sample(x, kwargs={"bins": 3, "min": -2.5, "max": 0.5})
    yield Sample(np.array([2.0, 2.0, 2.0]).astype(dtype), (3,), name="constant")
    yield Sample(x[:0], (3,), name="empty")


def histc_errors():
    yield ErrorSample(Sample(np.ones(3, np.int64)), NotImplementedError)
    yield ErrorSample(Sample(_f32((3,)), (0,)), RuntimeError)
    yield ErrorSample(Sample(_f32((3,)), (3, 2, 1)), RuntimeError)
    yield ErrorSample(Sample(np.array([1.0, np.inf], np.float32)), RuntimeError)


def renorm_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (2, 0, 1.5))
    yield Sample(x, (1, 1, 2.0))
    yield Sample(x, (3.0, -1, 100.0))
    yield Sample(make((2, 3, 2), dtype, rng), (2, 1, 0.5))
    yield Sample(x, (2, 0, 0.0))


def renorm_errors():
    yield ErrorSample(Sample(_f32((2, 2)), (2, 0, -1.0)), RuntimeError)
    yield ErrorSample(Sample(_f32((2, 2)), (0, 0, 1.0)), RuntimeError)
    yield ErrorSample(Sample(_f32((2,)), (2, 0, 1.0)), RuntimeError)
    yield ErrorSample(Sample(_f32((2, 2)), (2, 2, 1.0)), IndexError)


NO_GRAD = dict(grad_dtypes=())

OPS = [
    OpInfo("sum", sum_samples, dtypes=ALL, grad_dtypes=FLOAT, errors=_dim_errors()),
    OpInfo("nansum", nan_samples, dtypes=NUM),
    OpInfo("mean", mean_samples, dtypes=ALL_FLOAT, grad_dtypes=FLOAT, errors=mean_errors),
    OpInfo("nanmean", nan_samples, dtypes=ALL_FLOAT, errors=nanmean_errors),
    OpInfo("prod", prod_samples, dtypes=ALL, errors=_dim_errors(tuple_ok=False)),
    OpInfo("var", var_samples, errors=var_errors),
    OpInfo("std", var_samples, errors=var_errors),
    OpInfo("var_mean", var_samples, variants=("function",), errors=var_mean_errors),
    OpInfo("std_mean", var_samples, variants=("function",), errors=var_mean_errors),
    OpInfo("norm", norm_samples, errors=norm_errors),
    OpInfo("dist", dist_samples, errors=dist_errors),
    OpInfo("logsumexp", logsumexp_samples, dtypes=ALL, errors=logsumexp_errors),
    OpInfo("cumsum", scan_samples, dtypes=ALL, errors=scan_errors,
           variants=("function", "method", "inplace")),
    OpInfo("cumprod", scan_samples, dtypes=ALL, errors=scan_errors,
           variants=("function", "method", "inplace")),
    OpInfo("all", bool_samples, dtypes=ALL, errors=_dim_errors(), **NO_GRAD),
    OpInfo("any", bool_samples, dtypes=ALL, errors=_dim_errors(), **NO_GRAD),
    OpInfo("count_nonzero", count_samples, dtypes=ALL, errors=_dim_errors(), **NO_GRAD),
    OpInfo("argmax", arg_samples, dtypes=NUM, errors=arg_errors("argmax"), **NO_GRAD),
    OpInfo("argmin", arg_samples, dtypes=NUM, errors=arg_errors("argmin"), **NO_GRAD),
    OpInfo("amax", amax_samples, dtypes=ALL, errors=amax_errors),
    OpInfo("amin", amax_samples, dtypes=ALL, errors=amax_errors),
    OpInfo("max", max_samples, dtypes=ALL, errors=max_errors("max")),
    OpInfo("min", max_samples, dtypes=ALL, errors=max_errors("min")),
    OpInfo("aminmax", aminmax_samples, dtypes=ALL, errors=aminmax_errors),
    OpInfo("median", median_samples, dtypes=NUM, errors=median_errors),
    OpInfo("topk", topk_samples, dtypes=NUM, errors=topk_errors),
    OpInfo("sort", sort_samples, dtypes=ALL, errors=sort_errors),
    OpInfo("argsort", sort_samples, dtypes=ALL, errors=sort_errors, **NO_GRAD),
    OpInfo("unique", unique_samples, dtypes=ALL, errors=unique_errors, **NO_GRAD),
    OpInfo("nonzero", nonzero_samples, dtypes=ALL, **NO_GRAD),
    OpInfo("logcumsumexp", logcumsumexp_samples, errors=logcumsumexp_errors),
    OpInfo("diff", diff_samples, dtypes=ALL, errors=diff_errors),
    OpInfo("bincount", bincount_samples, dtypes=INT, errors=bincount_errors, **NO_GRAD),
    OpInfo("histc", histc_samples, errors=histc_errors, **NO_GRAD),
    OpInfo("renorm", renorm_samples, variants=("function", "method", "inplace"),
           errors=renorm_errors),
]

TESTED_ELSEWHERE = {
    "cumsum_": "tests/test_reductions.py",
    "cumprod_": "tests/test_reductions.py",
}
