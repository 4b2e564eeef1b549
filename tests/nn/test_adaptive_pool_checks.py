"""Adaptive pooling at its edges, against torch: empty channels (allowed by the average
pooling's forward, refused by its backward), and the order and text of the input and
``output_size`` errors (nn.functional resolves None entries and checks the input's rank first,
the ATen ops check the rest)."""

from __future__ import annotations

import itertools

import pytest
import torch

import ember
from tests.helpers import assert_same, assert_same_error, run_both

_SHAPES = {
    1: [(3,), (1, 4), (2, 0, 4), (0, 2, 4), (2, 3, 0), (1, 2, 3, 4)],
    2: [(3, 3), (2, 3, 3), (1, 0, 3, 3), (0, 2, 3, 3), (1, 2, 0, 3), (2, 0, 3),
        (1, 1, 1, 3, 3)],
}
_SIZES = {1: [2, (2,), (None,), (1, 2)], 2: [2, (2, 2), (None, 2), (1, 2, 3), (2,)]}
_CASES = [
    pytest.param(f"adaptive_{kind}_pool{nd}d", shape, size, id=f"{kind}{nd}d-{shape}-{size}")
    for nd in (1, 2) for kind in ("avg", "max")
    for shape, size in itertools.product(_SHAPES[nd], _SIZES[nd])
]


@pytest.mark.parametrize("name,shape,size", _CASES)
def test_adaptive_pool_edges(name, shape, size):
    def call(lib):
        return getattr(lib.nn.functional, name)(lib.zeros(*shape), size)

    e, t = run_both(lambda: call(ember), lambda: call(torch))
    if isinstance(t, Exception):
        assert_same_error(lambda: call(ember), lambda: call(torch))
    else:
        assert not isinstance(e, Exception), f"ember raised {e!r}"
        assert_same(e, t)


@pytest.mark.parametrize("shape", [(1, 0, 3, 3), (0, 2, 3, 3), (0, 3, 3)])
def test_adaptive_avg_pool2d_empty_backward(shape):
    def grad(lib):
        x = lib.zeros(*shape, requires_grad=True)
        lib.nn.functional.adaptive_avg_pool2d(x, 2).sum().backward()
        return x.grad

    e, t = run_both(lambda: grad(ember), lambda: grad(torch))
    if isinstance(t, Exception):
        assert_same_error(lambda: grad(ember), lambda: grad(torch))
    else:
        assert_same(e, t)
