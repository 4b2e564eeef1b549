"""OpInfo entries of the nn_core prims exposed at top level: embedding, bilinear.

``embedding_bag`` (whose bookkeeping outputs are implementation details) and
``embedding_renorm_`` (in place on a weight) are compared with torch in
tests/nn/test_linear_functional.py.
"""

from __future__ import annotations

import numpy as np

from .core import ErrorSample, OpInfo, Sample, make

I64 = np.dtype(np.int64)
I32 = np.dtype(np.int32)
F32 = np.dtype(np.float32)


def embedding_samples(dtype, rng):
    w = make((10, 3), dtype, rng)
    yield Sample(w, (rng.integers(0, 10, (2, 4)),), grad=("input",))
    yield Sample(w, (rng.integers(0, 10, (5,)).astype(I32),), grad=("input",))
    yield Sample(w, (np.array(4),), grad=("input",))
    # padding_idx and scale_grad_by_freq alter the gradient on purpose (no gradcheck: first 3)
    yield Sample(w, (np.array([1, 1, 3, 1]),), {"padding_idx": 3}, grad=("input",))
    yield Sample(w, (np.array([[1, 2], [1, 5]]),), {"scale_grad_by_freq": True},
                 grad=("input",))
    yield Sample(w, (np.zeros((0, 2), dtype=I64),), grad=("input",))


def embedding_errors():
    w = make((10, 3), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(w, (np.array([10]),)), IndexError)
    yield ErrorSample(Sample(w, (np.array([-1]),)), IndexError)
    yield ErrorSample(Sample(w, (np.array([1.0], dtype=F32),)), RuntimeError)
    yield ErrorSample(Sample(make((10,), F32, np.random.default_rng(0)), (np.array([1]),)),
                      RuntimeError)


def bilinear_samples(dtype, rng):
    w = make((4, 2, 3), dtype, rng, -1, 1)
    yield Sample(make((5, 2), dtype, rng, -1, 1), (make((5, 3), dtype, rng, -1, 1), w,
                                                   make((4,), dtype, rng)))
    yield Sample(make((5, 2), dtype, rng, -1, 1), (make((5, 3), dtype, rng, -1, 1), w))
    yield Sample(make((2, 3, 2), dtype, rng, -1, 1), (make((2, 3, 3), dtype, rng, -1, 1), w,
                                                      make((4,), dtype, rng)))
    yield Sample(make((2,), dtype, rng, -1, 1), (make((3,), dtype, rng, -1, 1), w))


def bilinear_errors():
    rng = np.random.default_rng(0)
    w = make((5, 3, 4), F32, rng)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (make((2, 3), F32, rng), w)),
                      RuntimeError)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (make((3, 4), F32, rng), w)),
                      RuntimeError)
    yield ErrorSample(Sample(make((2, 4), F32, rng), (make((2, 4), F32, rng), w)),
                      RuntimeError)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (make((2, 4), F32, rng), w,
                                                      make((4,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(make((2, 3), F32, rng), (make((2, 1, 4), F32, rng), w)),
                      RuntimeError)


OPS = [
    OpInfo("embedding", embedding_samples, variants=("function",), errors=embedding_errors),
    OpInfo("bilinear", bilinear_samples, variants=("function",), errors=bilinear_errors,
           atol=1e-4, rtol=1e-4),
]

TESTED_ELSEWHERE = {
    "embedding_bag": "tests/nn/test_linear_functional.py",
    "embedding_renorm_": "tests/nn/test_linear_functional.py",
}
