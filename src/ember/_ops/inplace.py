"""In-place ops (``x.add_(y)``, ``x[i] = v``...): one generic mechanism for all of them.

An in-place op runs its out-of-place form, writes the result into the tensor's own buffer
(so every view sees it), bumps the shared version counter and moves the tensor's autograd
history onto the new node. On a view whose base is in a graph, the base's history is
rewritten with a ``CopySlices`` node, as torch does.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ..autograd.graph import Node, edge_of
from .registry import OpNode

_FROM_NP = D._FROM_NP


def check_inplace(self: Tensor) -> None:
    """torch's errors for in-place ops on leaves that require grad (and views of them)."""
    if not STATE.enabled:
        return
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation."
        )


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def commit(self: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``self`` in place and hand ``self`` the result's history."""
    sd = self._data
    rd = result._data
    if rd.dtype != sd.dtype and _FROM_NP[rd.dtype]._cat > _FROM_NP[sd.dtype]._cat:
        raise RuntimeError(
            f"result type {_FROM_NP[rd.dtype]._legacy} can't be cast to the desired output "
            f"type {_FROM_NP[sd.dtype]._legacy}"
        )
    if rd.shape != sd.shape:
        raise RuntimeError(
            f"output with shape {_shape_str(sd.shape)} doesn't match the broadcast shape "
            f"{_shape_str(rd.shape)}"
        )
    node = result._grad_fn
    if node is not None and isinstance(node, OpNode) and node._saved:
        # The node may have saved `self`, whose buffer we are about to overwrite: keep a copy.
        for v in node._saved.values():
            if v is self:
                snap = _wrap(sd.copy())
                snap._grad_fn, snap._output_nr = self._grad_fn, self._output_nr
                snap._requires_grad = self._requires_grad
                node._replace_saved(self, snap)
                break
    if not sd.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    np.copyto(sd, rd, casting="unsafe")
    self._vc[0] += 1
    if node is not None:
        if self._base is None:
            self._grad_fn = node
            self._output_nr = result._output_nr
            self._requires_grad = True
        else:
            _rebase_view(self, node)
    return self


def make_inplace(fn, name: str):
    """The in-place method ``name`` from the out-of-place function ``fn``."""

    @functools.wraps(fn)
    def inplace(self: Tensor, *args, **kwargs) -> Tensor:
        if STATE.enabled:
            check_inplace(self)
        return commit(self, fn(self, *args, **kwargs))

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place version of ``{fn.__name__}``."
    return inplace


# ---------------------------------------------------------------------------------- views
def _replay(chain, arr: np.ndarray) -> np.ndarray:
    """Apply a view's recorded chain of view ops (from its base) to ``arr``."""
    steps = []
    while chain is not None:
        prev, op, params = chain
        steps.append((op, params))
        chain = prev
    for op, params in reversed(steps):
        arr = op.fwd(arr, **params) if params else op.fwd(arr)
    return arr


class CopySlices(Node):
    """The base's new history after an in-place op on one of its views."""

    __slots__ = ("_fn", "_chain", "_view_meta")

    def apply(self, grads: list) -> tuple:
        if STATE.enabled:
            raise RuntimeError(
                "ember: double backward through an in-place operation on a view is not "
                "supported"
            )
        grad = grads[0]
        g = np.array(grad._data, copy=True)
        region = _replay(self._chain, g)
        res = self._fn.apply([_wrap(np.array(region, copy=True))])
        r0 = res[0]
        if r0 is None:
            region[...] = 0
        else:
            from .shape import sum_to_size

            shape, dt = self._view_meta
            if r0._data.shape != shape:
                r0 = sum_to_size(r0, shape)
            region[...] = r0._data.astype(dt, copy=False)
        return (_wrap(g),) + tuple(res[1:])


class AsStridedBackward0(Node):
    """A view's history after its base was rewritten: scatter the grad into the base shape."""

    __slots__ = ("_chain", "_base_meta")

    def apply(self, grads: list) -> tuple:
        shape, dt = self._base_meta
        out = np.zeros(shape, dtype=dt)
        _replay(self._chain, out)[...] = grads[0]._data
        return (_wrap(out),)


def _rebase_view(view: Tensor, node) -> None:
    base = view._base
    chain = view._view
    cs = CopySlices()
    cs._fn = node
    cs._chain = chain
    cs._view_meta = (view._data.shape, view._data.dtype)
    cs.next_functions = (edge_of(base),) + tuple(node.next_functions[1:])
    cs._in_meta = ((base._data.shape, base._data.dtype),) + tuple(node._in_meta[1:])
    base._grad_fn = cs
    base._output_nr = 0
    base._requires_grad = True
    vnode = AsStridedBackward0()
    vnode._chain = chain
    vnode._base_meta = (base._data.shape, base._data.dtype)
    vnode.next_functions = ((cs, 0),)
    vnode._in_meta = ((base._data.shape, base._data.dtype),)
    view._grad_fn = vnode
    view._output_nr = 0
    view._requires_grad = True
