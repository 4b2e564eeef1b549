"""AccumulateGrad: a leaf's first gradient is adopted without a copy when nothing else holds it
(as torch steals it), never when someone else can see it; broadcast gradients are summed back.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same


def _both(fn):
    return fn(ember), fn(torch)


def test_fresh_gradient_is_adopted():
    # torch: the hook saw the very buffer that became .grad (it kept no reference to it).
    def f(lib):
        x = lib.ones(3, 4, requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.data_ptr()))
        (x * 2).sum().backward()
        return x.grad.data_ptr() == seen[0], x.grad.is_contiguous()

    e, t = _both(f)
    assert e == t == (True, True)


def test_held_gradient_is_copied():
    # A hook keeps the gradient: .grad must be a separate buffer.
    def f(lib):
        x = lib.ones(3, requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g))
        (x * 3).sum().backward()
        x.grad.add_(1)
        return seen[0].tolist(), x.grad.tolist()

    e, t = _both(f)
    assert e == t


def test_user_gradient_is_copied():
    def f(lib):
        x = lib.zeros(4, requires_grad=True)
        g = lib.arange(4.0)
        x.backward(g)
        g.mul_(10)
        y = lib.zeros(2, 2, requires_grad=True)
        h = lib.ones(2, 2)
        (y + 0).backward(h)  # AddBackward passes the user's tensor on unchanged
        h.add_(5)
        return x.grad.tolist(), y.grad.tolist(), x.grad.data_ptr() == g.data_ptr()

    e, t = _both(f)
    assert e == t


def test_gradient_shared_by_two_leaves():
    # AddBackward hands one tensor to both leaves: at most one may adopt it.
    def f(lib):
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(2, 3, requires_grad=True)
        ((a + b) * 2).sum().backward()
        a.grad.add_(1)
        return a.grad.tolist(), b.grad.tolist(), a.grad.data_ptr() == b.grad.data_ptr()

    e, t = _both(f)
    assert e == t


def test_forward_values_stay_apart_from_grad():
    # Overwriting .grad never changes a forward value the user holds.
    def f(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x.relu()
        before = y.tolist()
        y.sum().backward()
        x.grad.mul_(7)
        return before == y.tolist(), x.grad.tolist()

    e, t = _both(f)
    assert e == t


def test_second_backward_accumulates_in_place():
    def f(lib):
        x = lib.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        g = x.grad
        (x * 3).sum().backward()
        return g is x.grad, x.grad.tolist()

    e, t = _both(f)
    assert e == t == (True, [5.0, 5.0, 5.0])


def test_linear_gradients_match_and_are_contiguous():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((5, 7)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    x = rng.standard_normal((4, 7)).astype(np.float32)

    def f(lib):
        W = lib.tensor(w, requires_grad=True)
        B = lib.tensor(b, requires_grad=True)
        out = lib.nn.functional.linear(lib.tensor(x), W, B)
        (out * out).sum().backward()
        return W.grad, B.grad, W.grad.stride(), B.grad.stride()

    e, t = _both(f)
    assert_same(e[0], t[0], atol=1e-5, rtol=1e-5)
    assert_same(e[1], t[1], atol=1e-5, rtol=1e-5)
    assert e[2:] == t[2:]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    ("leaf", "other"),
    [((3,), (4, 3)), ((1, 3), (4, 3)), ((4, 1), (4, 3)), ((2, 1, 3), (5, 2, 4, 3)), ((), (2, 2))],
)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_broadcast_gradients_are_summed(leaf, other, create_graph, dtype):
    rng = np.random.default_rng(1)
    lv = rng.standard_normal(leaf).astype(dtype)
    ov = rng.standard_normal(other).astype(dtype)

    def f(lib):
        a = lib.tensor(lv, requires_grad=True)
        (a * lib.tensor(ov)).sum().backward(create_graph=create_graph)
        return a.grad.detach(), a.grad.requires_grad

    e, t = _both(f)
    assert_same(e[0], t[0])
    assert e[1] == t[1]
