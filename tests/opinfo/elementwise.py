"""OpInfo entries: elementwise arithmetic, math, comparisons, logical and bitwise ops."""

from __future__ import annotations

import numpy as np

from .core import (
    ALL,
    ALL_FLOAT,
    BROADCAST_PAIRS,
    INT,
    SHAPES_UNARY,
    ErrorSample,
    OpInfo,
    Sample,
    make,
)


def unary_samples(low=-3.0, high=3.0, positive=False):
    def gen(dtype, rng):
        for shape in SHAPES_UNARY:
            yield Sample(make(shape, dtype, rng, low, high, positive))
        if dtype.kind == "f":  # non-contiguous input
            yield Sample(make((4, 3), dtype, rng, low, high, positive).T)

    return gen


def binary_samples(low=-3.0, high=3.0, positive_other=False, scalars=(2, -1.5, True)):
    def gen(dtype, rng):
        for a, b in BROADCAST_PAIRS:
            yield Sample(make(a, dtype, rng, low, high), (make(b, dtype, rng, low, high,
                                                                positive_other),))
        for sc in scalars:
            yield Sample(make((3, 2), dtype, rng, low, high), (sc,))
        # mixed dtypes: promotion with a float32 and an int64 operand
        yield Sample(make((2, 3), dtype, rng, low, high),
                     (make((2, 3), np.dtype(np.float32), rng, low, high, positive_other),))
        yield Sample(make((2, 3), dtype, rng, low, high),
                     (make((), np.dtype(np.int64), rng, 1, 3, True),))

    return gen


def _bcast_error():
    return [ErrorSample(Sample(make((2, 3), np.dtype(np.float32), np.random.default_rng(0)),
                               (make((4,), np.dtype(np.float32), np.random.default_rng(0)),)),
                        RuntimeError)]


U = dict(dtypes=ALL_FLOAT + INT, variants=("function", "method", "inplace"))
UF = dict(dtypes=ALL_FLOAT, variants=("function", "method", "inplace"))

OPS = [
    OpInfo("add", binary_samples(), dtypes=ALL, variants=("function", "method", "inplace"),
           errors=_bcast_error),
    OpInfo("sub", binary_samples(scalars=(2, -1.5)), dtypes=ALL_FLOAT + INT,
           variants=("function", "method", "inplace")),
    OpInfo("mul", binary_samples(), dtypes=ALL, variants=("function", "method", "inplace")),
    OpInfo("div", binary_samples(positive_other=True, scalars=(2, -1.5)), dtypes=ALL_FLOAT + INT,
           variants=("function", "method", "inplace")),
    OpInfo("neg", unary_samples(), **U),
    OpInfo("abs", unary_samples(), **U),
    OpInfo("exp", unary_samples(), **UF),
    OpInfo("log", unary_samples(positive=True), **UF),
    OpInfo("sqrt", unary_samples(positive=True), **UF),
    OpInfo("sin", unary_samples(), **UF),
    OpInfo("cos", unary_samples(), **UF),
    OpInfo("tanh", unary_samples(), **UF),
    OpInfo("sigmoid", unary_samples(), **UF),
    OpInfo("relu", unary_samples(), **U),
    OpInfo("eq", binary_samples(), dtypes=ALL, grad_dtypes=()),
    OpInfo("lt", binary_samples(), dtypes=ALL_FLOAT + INT, grad_dtypes=()),
    OpInfo("maximum", binary_samples(scalars=()), dtypes=ALL_FLOAT + INT),
]
