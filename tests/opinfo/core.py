"""The op database's building blocks: one ``OpInfo`` per public op, with sample inputs.

A sample holds NumPy arrays and Python values; the generic tests in ``tests/test_ops.py`` turn
the same arrays into ember and torch tensors, call the op in both libraries and compare
values, dtypes, shapes, gradients and error messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import ml_dtypes
import numpy as np

FLOAT = ("float32", "float64")
HALF = ("float16", "bfloat16")
INT = ("uint8", "int8", "int16", "int32", "int64")
ALL_FLOAT = FLOAT + HALF
ALL = ("bool",) + INT + ALL_FLOAT

NP_DTYPES = {
    "bool": np.dtype(np.bool_),
    "uint8": np.dtype(np.uint8),
    "int8": np.dtype(np.int8),
    "int16": np.dtype(np.int16),
    "int32": np.dtype(np.int32),
    "int64": np.dtype(np.int64),
    "float16": np.dtype(np.float16),
    "bfloat16": np.dtype(ml_dtypes.bfloat16),
    "float32": np.dtype(np.float32),
    "float64": np.dtype(np.float64),
}


@dataclass
class Sample:
    """One call: ``op(input, *args, **kwargs)``. Arrays become tensors in both libraries.

    ``grad`` names the positions ("input", 0, 1, ... for args, or kwarg names) whose float
    arrays should require grad in gradient tests; None means every float array argument.
    """

    input: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    grad: tuple | None = None
    name: str = ""

    def __repr__(self) -> str:
        def short(x):
            if isinstance(x, np.ndarray):
                return f"array{x.shape}:{x.dtype}"
            return repr(x)

        parts = [short(self.input)] + [short(a) for a in self.args]
        parts += [f"{k}={short(v)}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"


@dataclass
class ErrorSample:
    """A call that must fail in both libraries with the same exception type and message.

    ``match``: "exact" (message equal after torch. -> ember.), "type" (type only), or a
    substring both messages must contain.
    """

    sample: Sample
    exc: type
    match: str = "exact"


@dataclass
class OpInfo:
    name: str
    samples: Callable[[np.dtype, np.random.Generator], Iterable[Sample]]
    dtypes: tuple = ALL_FLOAT
    grad_dtypes: tuple = ("float64",)  # () for ops that are not differentiable
    variants: tuple = ("function", "method")  # plus "inplace" where torch has x.name_()
    errors: Callable[[], Iterable[ErrorSample]] | None = None
    gradcheck: bool = True
    atol: float | None = None
    rtol: float | None = None
    ref_name: str | None = None  # torch's name, where it differs from ember's public name
    skip_out_dtype: bool = False

    @property
    def torch_name(self) -> str:
        return self.ref_name or self.name


def make(shape, dtype: np.dtype, rng: np.random.Generator, low=-3.0, high=3.0,
         positive: bool = False) -> np.ndarray:
    """A random array of ``shape`` and ``dtype`` (values chosen to be exact in every dtype)."""
    shape = tuple(shape)
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) > 0.5)
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" or positive else max(int(low), -5)
        hi = max(int(high), 1) + 3
        return np.asarray(rng.integers(lo if not positive else 1, hi, size=shape)).astype(dtype)
    x = rng.uniform(low, high, size=shape)
    if positive:
        x = np.abs(x) + 0.1
    # Round through the target dtype so both libraries see identical values.
    return np.asarray(x).astype(dtype)


SHAPES_UNARY = [(), (5,), (3, 4), (2, 3, 4), (0, 3)]
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((2, 1, 4), (3, 1)),
    ((), (3,)),
    ((5,), ()),
    ((2, 3), (1, 3)),
]
