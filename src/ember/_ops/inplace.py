"""In-place ops (``x.add_(y)``, ``x[i] = v``...): one generic mechanism for all of them.

An in-place op runs its out-of-place form, writes the result into the tensor's own buffer
(so every view sees it), bumps the shared version counter and moves the tensor's autograd
history onto the new node. On a view whose base is in a graph, the base's history is
rewritten with a ``CopySlices`` node and the view's with an ``AsStridedBackward0`` node, as
torch does.

Other views of the same base made before the in-place op still hold their old ``grad_fn``;
torch regenerates such a view's history lazily (an ``AsStridedBackward0`` on the base's new
history). ``refresh`` does that here: every in-place op that rewrites a history stamps the
base with the sequence number of the new node, and a view whose ``grad_fn`` is older than the
stamp is stale.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from ..autograd.graph import Node, edge_of
from .registry import OpNode, apply

_FROM_NP = D._FROM_NP

OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


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


# ---------------------------------------------------------------------------------- memory
def has_internal_overlap(a: np.ndarray) -> bool:
    """Whether two elements of ``a`` share memory (a broadcast dim), as torch's check."""
    for n, st in zip(a.shape, a.strides):
        if st == 0 and n > 1:
            return True
    return False


class _Interface:
    __slots__ = ("__array_interface__", "base")


def writable(a: np.ndarray) -> np.ndarray:
    """``a`` itself, or a writable alias of a read-only view (broadcast views are read-only in
    NumPy; torch lets some ops, like ``fill_``, write through them)."""
    if a.flags.writeable:
        return a
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not root.flags.writeable:
        raise RuntimeError(OVERLAP_MESSAGE)
    iface = dict(a.__array_interface__)
    iface["data"] = (iface["data"][0], False)
    holder = _Interface()
    holder.__array_interface__ = iface
    holder.base = root
    out = np.asarray(holder)
    if out.dtype != a.dtype:
        out = out.view(a.dtype)
    return out


def target(self: Tensor, overlap_ok: bool = False) -> np.ndarray:
    """The array an in-place op writes into, with torch's error for overlapping memory."""
    d = self._data
    if d.flags.writeable:
        return d
    if not overlap_ok and has_internal_overlap(d):
        raise RuntimeError(OVERLAP_MESSAGE)
    return writable(d)


# ---------------------------------------------------------------------------------- commit
def commit(self: Tensor, result: Tensor, overlap_ok: bool = False) -> Tensor:
    """Write ``result`` into ``self`` in place and hand ``self`` the result's history.

    ``overlap_ok``: the op may write into a tensor with overlapping memory (an expanded
    tensor), as torch's ``fill_``/``index_put_``/``masked_fill_`` may.
    """
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
    dst = target(self, overlap_ok)
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
    np.copyto(dst, rd, casting="unsafe")
    self._vc[0] += 1
    if node is not None:
        set_history(self, node, result._output_nr)
    return self


def set_history(self: Tensor, node, output_nr: int = 0) -> None:
    """``self`` was modified in place by the op of ``node``: move its history there."""
    if self._base is None:
        self._grad_fn = node
        self._output_nr = output_nr
        self._requires_grad = True
        _stamp(self, node)
    else:
        _rebase_view(self, node)


def make_inplace(fn, name: str):
    """The in-place method ``name`` from the out-of-place function ``fn``.

    ``fn._overlap_ok = True`` marks ops torch lets write into expanded tensors.
    """
    overlap_ok = getattr(fn, "_overlap_ok", False)

    @functools.wraps(fn)
    def inplace(self: Tensor, *args, **kwargs) -> Tensor:
        if STATE.enabled:
            if self._base is not None:
                refresh(self)
                err = _multi_output_view_error(self)
                if err is not None:
                    raise err
            check_inplace(self)
        return commit(self, fn(self, *args, **kwargs), overlap_ok)

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place version of ``{fn.__name__}``."
    return inplace


# ---------------------------------------------------------------------------------- views
def _steps(chain) -> list:
    steps = []
    while chain is not None:
        prev, op, params = chain
        steps.append((op, params))
        chain = prev
    steps.reverse()
    return steps


def _replay(chain, arr: np.ndarray) -> np.ndarray:
    """Apply a view's recorded chain of view ops (from its base) to ``arr``."""
    for op, params in _steps(chain):
        arr = op.fwd(arr, **params) if params else op.fwd(arr)
    return arr


def _replay_tensor(chain, t: Tensor) -> Tensor:
    """``_replay`` with recorded ops (views of ``t`` in the graph, for double backward)."""
    for op, params in _steps(chain):
        t = apply(op, (t,), (t._data,), params)
    return t


def _fit(g: Tensor, shape: tuple) -> Tensor:
    if g._data.shape != shape:
        from .shape import sum_to_size

        g = sum_to_size(g, shape)
    return g


class CopySlices(Node):
    """The base's new history after an in-place op on one of its views.

    Its gradient is the base's gradient with the view's region replaced by what the in-place
    op's node (``_fn``) makes of that region; the op's other inputs get the rest of its output.
    """

    __slots__ = ("_fn", "_chain", "_view_meta")

    def name(self) -> str:
        return "torch::autograd::CopySlices"  # torch's name, namespace included

    def apply(self, grads: list) -> tuple:
        grad = grads[0]
        shape, dt = self._view_meta
        if STATE.enabled:  # create_graph: the same steps, recorded
            result = grad.clone()
            region = _replay_tensor(self._chain, result)
            res = self._fn.apply([region.clone()])
            r0 = res[0]
            if r0 is None:
                region.zero_()
            else:
                region.copy_(_fit(r0, shape))
            return (result,) + tuple(res[1:])
        g = np.array(grad._data, copy=True)
        region = writable(_replay(self._chain, g))
        res = self._fn.apply([_wrap(np.array(region, copy=True))])
        r0 = res[0]
        if r0 is None:
            region[...] = 0
        else:
            np.copyto(region, _fit(r0, shape)._data, casting="unsafe")
        return (_wrap(g),) + tuple(res[1:])

    def _release(self) -> None:
        self._fn._release()


class AsStridedBackward0(Node):
    """A view's history after an in-place op rewrote its base: the view's gradient, placed
    into a zero gradient of the base's shape."""

    __slots__ = ("_chain", "_base_meta")

    def apply(self, grads: list) -> tuple:
        shape, dt = self._base_meta
        out = np.zeros(shape, dtype=dt)
        if STATE.enabled:
            t = _wrap(out)
            _replay_tensor(self._chain, t).copy_(grads[0])
            return (t,)
        np.copyto(writable(_replay(self._chain, out)), grads[0]._data, casting="unsafe")
        return (_wrap(out),)


def _as_strided_node(view: Tensor, base: Tensor) -> AsStridedBackward0:
    vnode = AsStridedBackward0()
    vnode._chain = view._view
    meta = (base._data.shape, base._data.dtype)
    vnode._base_meta = meta
    vnode.next_functions = (edge_of(base),)
    vnode._in_meta = (meta,)
    return vnode


def _rebase_view(view: Tensor, node) -> None:
    base = view._base
    cs = CopySlices()
    cs._fn = node
    cs._chain = view._view
    cs._view_meta = (view._data.shape, view._data.dtype)
    cs.next_functions = (edge_of(base),) + tuple(node.next_functions[1:])
    cs._in_meta = ((base._data.shape, base._data.dtype),) + tuple(node._in_meta[1:])
    base._grad_fn = cs
    base._output_nr = 0
    base._requires_grad = True
    view._grad_fn = _as_strided_node(view, base)
    view._output_nr = 0
    view._requires_grad = True
    _stamp(base, cs)


def _stamp(base: Tensor, node) -> None:
    # Views of `base` whose grad_fn is older than `node` are stale from now on.
    base.__dict__["_inplace_seq"] = node._seq


def refresh(t: Tensor) -> None:
    """Regenerate the history of a view made stale by an in-place op on its base (or on
    another view of it), as torch does when it reads a view's ``grad_fn``."""
    base = t._base
    if base is None:
        return
    seq = base.__dict__.get("_inplace_seq")
    if seq is None:
        return
    fn = t._grad_fn
    if fn is not None:
        if fn._seq > seq:
            return
    elif not base._requires_grad or not STATE.enabled:
        return
    t._grad_fn = _as_strided_node(t, base)
    t._output_nr = 0
    t._requires_grad = True


def _multi_output_view_error(t: Tensor):
    # shape.py imports this module, so reach it at call time.
    from .shape import multi_output_view_error

    return multi_output_view_error(t)
