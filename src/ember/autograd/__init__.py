"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes."""

from __future__ import annotations

import numpy as np

from .. import _tensor as _T  # partially initialised at this point: use its names lazily
from . import anomaly_mode, engine, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .graph import Node

__all__ = [
    "Function",
    "FunctionCtx",
    "Node",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "once_differentiable",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _make_grads(outputs: tuple, grads: tuple, is_grads_batched: bool = False) -> list:
    """Seed gradients for the roots: given ones are checked, missing ones made (scalars only)."""
    Tensor, _wrap = _T.Tensor, _T._wrap
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if g is None:
            d = t._data
            if d.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.is_floating_point():
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{t.dtype}"
                )
            out.append(_wrap(np.ones(d.shape, d.dtype)))
        elif isinstance(g, Tensor):
            if g._data.shape != t._data.shape and not is_grads_batched:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {t.shape}."
                )
            if g._data.dtype != t._data.dtype:
                g = g.to(t.dtype)
            out.append(g)
        else:
            raise TypeError(
                "gradients can be either Tensors or None, but got " + type(g).__name__
            )
    return out


def _roots(outputs: tuple) -> list:
    grad_accumulator = graph.grad_accumulator
    roots = []
    for i, t in enumerate(outputs):
        if t._grad_fn is not None:
            roots.append((t._grad_fn, t._output_nr))
        elif t._requires_grad:
            roots.append((grad_accumulator(t), 0))
        else:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    return roots


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables=None,
    inputs=None,
) -> None:
    """Accumulate into ``.grad`` of the leaves the gradients of ``tensors``."""
    if (
        grad_tensors is None and grad_variables is None and inputs is None
        and hasattr(tensors, "_grad_fn") and tensors._grad_fn is not None
    ):
        # The common case, loss.backward(): skip the general argument handling.
        d = tensors._data
        if d.size == 1 and d.dtype.kind in "fV":
            seed = _T._wrap(np.ones(d.shape, d.dtype))
            keep = create_graph if retain_graph is None else retain_graph
            engine.execute([(tensors._grad_fn, tensors._output_nr)], [seed], keep, create_graph)
            return
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs:
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(tensors)
    seeds = _make_grads(tensors, grads)
    captured = engine.execute(roots, seeds, retain_graph, create_graph,
                              list(inputs) if inputs else None, accumulate=True)
    # With inputs=, only those accumulate; leaves did so in the engine, non-leaves do here.
    for t, g in zip(inputs, captured or ()):
        if t._grad_fn is not None and g is not None:
            t._grad = g.detach().clone() if t._grad is None else t._grad + g.detach()


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``."""
    from .. import _ops as ops

    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outputs)
    seeds = _make_grads(outputs, grads)
    captured = engine.execute(roots, seeds, retain_graph, create_graph, list(inputs),
                              accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                g = ops.zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


from . import functional  # noqa: E402,F401  (torch.autograd.functional)
