"""OpInfo entries: creation ops that take a tensor first (``*_like``, ``Tensor.new_*``).

Most creation ops take sizes or data rather than a tensor, and the random ops need seeded
streams: they are tested in tests/test_creation.py and tests/test_random.py (listed in
``TESTED_ELSEWHERE`` below).
"""

from __future__ import annotations

import numpy as np

from .core import ALL, SHAPES_UNARY, ErrorSample, OpInfo, Sample, make


def like_samples(*args):
    def gen(dtype, rng):
        for shape in SHAPES_UNARY:
            yield Sample(make(shape, dtype, rng), args)
        yield Sample(make((4, 3), dtype, rng).T, args)  # strides are preserved
        yield Sample(make((2, 3), dtype, rng), args, {"dtype": _dtype("float64")})
        yield Sample(make((2, 3), dtype, rng), args, {"dtype": _dtype("int32")})

    return gen


def _dtype(name):
    import ember

    return getattr(ember, name)


def full_like_samples(dtype, rng):
    for fill in (3, -1.5, True, 0.25):
        for shape in ((), (3,), (2, 3)):
            yield Sample(make(shape, dtype, rng), (fill,))
    yield Sample(make((4, 3), dtype, rng).T, (7,))


def new_samples(*extra):
    def gen(dtype, rng):
        for size in ((2, 3), (), (0,), [4]):
            yield Sample(make((2,), dtype, rng), (size, *extra))
        yield Sample(make((2,), dtype, rng), ((3,), *extra), {"dtype": _dtype("float64")})

    return gen


def new_tensor_samples(dtype, rng):
    x = make((2,), dtype, rng)
    for data in ([1, 2], [[1.5, -2.0], [3.0, 4.25]], 3, True, [], [[True, False]]):
        yield Sample(x, (data,))
    yield Sample(x, ([1, 2],), {"dtype": _dtype("int16")})


def like_errors():
    x = np.zeros((2,), dtype=np.int64)
    return [ErrorSample(Sample(x, (), {"requires_grad": True}), RuntimeError)]


NO_GRAD = dict(dtypes=ALL, grad_dtypes=(), gradcheck=False)

OPS = [
    OpInfo("zeros_like", like_samples(), variants=("function",), errors=like_errors, **NO_GRAD),
    OpInfo("ones_like", like_samples(), variants=("function",), errors=like_errors, **NO_GRAD),
    OpInfo("full_like", full_like_samples, variants=("function",), **NO_GRAD),
    OpInfo("new_zeros", new_samples(), variants=("method",), **NO_GRAD),
    OpInfo("new_ones", new_samples(), variants=("method",), **NO_GRAD),
    OpInfo("new_full", new_samples(5), variants=("method",), **NO_GRAD),
    OpInfo("new_tensor", new_tensor_samples, variants=("method",), **NO_GRAD),
]

_C = "tests/test_creation.py"
_R = "tests/test_random.py"
TESTED_ELSEWHERE = {
    # creation: sizes, data or scalars rather than a tensor first; uninitialised values
    "tensor": _C, "as_tensor": _C, "asarray": _C, "from_numpy": _C, "scalar_tensor": _C,
    "zeros": _C, "ones": _C, "empty": _C, "full": _C, "empty_like": _C, "new_empty": _C,
    "arange": _C, "range": _C, "linspace": _C, "logspace": _C, "eye": _C,
    # random: seeded streams, generator states
    "manual_seed": _R, "seed": _R, "initial_seed": _R, "get_rng_state": _R,
    "set_rng_state": _R, "rand": _R, "rand_like": _R, "randn": _R, "randn_like": _R,
    "randint": _R, "randint_like": _R, "randperm": _R, "normal": _R, "bernoulli": _R,
    "uniform_": _R, "normal_": _R, "random_": _R, "bernoulli_": _R, "exponential_": _R,
    "log_normal_": _R, "cauchy_": _R, "geometric_": _R,
    # (row, col) index tables: ints and dtypes only, no tensor input
    "tril_indices": "tests/test_more_linalg_shape.py",
    "triu_indices": "tests/test_more_linalg_shape.py",
    "multinomial": "tests/test_random_exact.py", "poisson": "tests/test_random_exact.py",
}
