"""The backward engine: one pass over the graph in reverse creation order.

1. Count, for every node reachable from the roots, how many edges lead into it.
2. Keep a heap of ready nodes (all incoming gradients arrived), latest-created first, as
   torch does, so gradients are summed in the same order.
3. Run each node: hooks, its formula, then sum each produced gradient to the shape and dtype
   of the forward input it belongs to, and add it into the consumer's buffer.

With ``inputs`` (``autograd.grad`` or ``backward(inputs=...)``) only nodes on a path to an
input run, and the gradients arriving at the inputs are captured instead of (or, for
``backward``, as well as) accumulated.
"""

from __future__ import annotations

import heapq
import sys

import numpy as np

from .. import _tensor as _T  # partially initialised here: use its names lazily
from . import anomaly_mode, graph
from .grad_mode import STATE
from .graph import AccumulateGrad, grad_accumulator


def _ops():
    # The op library imports the autograd package, so bind it on first use.
    global _ops_module
    if _ops_module is None:
        from .. import _ops as ops

        _ops_module = ops
    return _ops_module


_ops_module = None


def _target(t):
    """The (node, output_nr) where the gradient of tensor ``t`` arrives."""
    if t._base is not None:
        graph.refresh_view(t)
    if t._grad_fn is not None:
        return t._grad_fn, t._output_nr
    return grad_accumulator(t), 0


def _needed_nodes(roots, targets: set) -> set:
    """Nodes lying on some path from a root to a target node (targets included)."""
    needed: set = set()
    done: set = set()
    stack = [(n, False) for n in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            if node in targets or any(
                nxt in needed for nxt, _ in node.next_functions if nxt is not None
            ):
                needed.add(node)
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in done:
                stack.append((nxt, False))
    return needed


def _validate_grad(node, i: int, g):
    """Sum a produced gradient to its input's shape and cast it to the input's dtype."""
    shape, dt = node._in_meta[i]
    d = g._data
    if d.shape != shape:
        ops = _ops()
        if not ops.is_expandable_to(shape, d.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(d.shape)} but expected shape compatible with {list(shape)}"
            )
        if STATE.enabled or type(d) is not _ndarray:
            g = ops.sum_to_size(g, shape)
            d = g._data
        else:
            # Not recorded: sum on the array, as sum_to_size's sum(dims, keepdim=True) does.
            d = _sum_to(d, shape)
            g = _T._wrap(d)
    if d.dtype is not dt and d.dtype != dt:
        g = g.to(_ops().np_to_dtype(dt))
    return g


def _sum_to(d, shape: tuple):
    lead = d.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and d.shape[i + lead] != 1
    )
    if dims:
        d = _ops().reduction._sum_np(d, dims, True, None)
    return d.reshape(shape) if lead else d


def execute(
    roots: list,
    grads: list,
    keep_graph: bool,
    create_graph: bool,
    inputs: list | None = None,
    accumulate: bool = True,
) -> list | None:
    """Run the backward pass from ``roots`` ((node, output_nr) pairs) seeded with ``grads``.

    Returns the gradients captured at ``inputs`` (a list of tensors) when given.
    """
    # 1. Dependencies: in-degree of each node reachable from the roots.
    deps: dict = {}
    stack = [node for node, _ in roots]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)

    captures = None
    needed = None
    capture_only = ()
    if inputs is not None:
        captures = {}
        targets = set()
        for idx, t in enumerate(inputs):
            node, nr = _target(t)
            captures.setdefault((node, nr), []).append(idx)
            targets.add(node)
        needed = _needed_nodes([n for n, _ in roots], targets)
        if not accumulate:
            # autograd.grad never writes .grad: its leaves are captured, not run.
            capture_only = {n for n in targets if isinstance(n, AccumulateGrad)}
    captured = [None] * len(inputs) if inputs is not None else None

    # 2. Seed the buffers of the roots.
    buffers: dict = {}
    heap: list = []
    for (node, nr), g in zip(roots, grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._nout
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    for node in buffers:
        if deps.get(node, 0) == 0:
            heapq.heappush(heap, (-node._seq, node))

    prev_enabled = STATE.enabled
    STATE.enabled = create_graph
    heappush, heappop = heapq.heappush, heapq.heappop
    try:
        while heap:
            _, node = heappop(heap)
            buf = buffers.pop(node)
            if node._tensor_hooks or node._retained or node._pre_hooks:
                buf = _call_pre_hooks(node, buf)
            if captures is not None:
                for nr, g in enumerate(buf):
                    idxs = captures.get((node, nr))
                    if idxs is not None:
                        for idx in idxs:
                            captured[idx] = g
                if node in capture_only or node not in needed:
                    continue
            if type(node) is AccumulateGrad:
                var = node._variable()
                g = buf[0]
                if g is not None and var is not None:
                    # Drop this frame's other references first: _accumulate steals a
                    # gradient nothing else holds (its reference count tells).
                    buf = None
                    _accumulate(var, g, create_graph)
                g = None
                continue
            if buf[0] is None and (len(buf) == 1 or all(g is None for g in buf)):
                outs = (None,) * len(node.next_functions)
            else:
                if anomaly_mode._Anomaly.enabled:
                    outs = _apply_with_anomaly(node, buf)
                else:
                    outs = node.apply(buf)
                if not keep_graph:
                    node._release()
                if node._post_hooks:
                    for hook in list(node._post_hooks.values()):
                        res = hook(outs, buf)
                        if res is not None:
                            outs = tuple(res)
            i = 0
            for nxt, nr in node.next_functions:
                g = outs[i]
                i += 1
                if nxt is None or (needed is not None and nxt not in needed):
                    continue
                if g is not None:
                    shape, dt = node._in_meta[i - 1]
                    d = g._data
                    if d.shape != shape or d.dtype != dt:
                        g = _validate_grad(node, i - 1, g)
                    nbuf = buffers.get(nxt)
                    if nbuf is None:
                        nbuf = buffers[nxt] = [None] * nxt._nout
                    old = nbuf[nr]
                    nbuf[nr] = g if old is None else old + g
                elif nxt not in buffers:
                    buffers[nxt] = [None] * nxt._nout
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heappush(heap, (-nxt._seq, nxt))
            outs = g = d = nbuf = old = None  # no stray references to the gradients
    finally:
        STATE.enabled = prev_enabled
    return captured


def _apply_with_anomaly(node, buf):
    try:
        outs = node.apply(buf)
    except Exception:
        anomaly_mode.report(node)
        raise
    anomaly_mode.check_nan(node, outs)
    return outs


def _call_pre_hooks(node, buf: list) -> list:
    th = node._tensor_hooks
    if th:
        for nr, hooks in th.items():
            g = buf[nr]
            if g is None:
                continue
            for hook in list(hooks.values()):
                res = hook(g)
                if res is not None:
                    g = res
            buf[nr] = g
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            g = buf[nr]
            if t is not None and g is not None:
                if t._grad is None:
                    t._grad = g.detach().clone() if not STATE.enabled else g.clone()
                else:
                    t._grad = t._grad + g
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            res = hook(tuple(buf))
            if res is not None:
                buf = list(res)
    return buf


def _accumulate(var, g, create_graph: bool) -> None:
    """AccumulateGrad: add ``g`` (after the leaf's hooks ran as pre-hooks) into ``var.grad``.

    The first gradient becomes ``.grad`` itself when nothing else can see it (torch steals it
    too); otherwise a fresh, writable, contiguous copy that nothing else aliases.
    """
    old = var._grad
    if old is None:
        if create_graph:
            var._grad = g.clone()
        else:
            d = _stealable(g) if _getrefcount(g) == _G_REFS and _steal_ok() else None
            var._grad = g._detached_copy() if d is None else _T._wrap(d)
    elif create_graph or STATE.enabled:
        var._grad = old + g
    else:
        old._add_inplace_nograd(g)
    post = var.__dict__.get("_post_accumulate_hooks")
    if post:
        for hook in list(post.values()):
            hook(var)


_getrefcount = sys.getrefcount
_ndarray = np.ndarray
# References to a gradient nobody else holds, seen from _accumulate: the engine's local, the
# parameter and getrefcount's own argument.
_G_REFS = 3


_STEAL_OK: list = []  # [bool] once checked


def _steal_ok() -> bool:
    """Whether reference counts read here as ``_stealable`` assumes (checked once, on first
    use). Interpreters count references differently (borrowed stack references in newer
    CPythons); where the counts differ, gradients are copied instead, never shared."""
    if not _STEAL_OK:
        _STEAL_OK.append(_self_test())
    return _STEAL_OK[0]


def _self_test() -> bool:
    def check(g):  # called as _accumulate is: the caller holds one local, `g` is a parameter
        return _getrefcount(g) == _G_REFS and _stealable(g) is not None

    g = _T._wrap(np.zeros(3))
    alone = check(g)
    keep = g  # a second holder of the tensor
    held = check(g)
    del keep
    view = _T._wrap(np.zeros(3)[:2])  # not a whole-array view
    arr = g._data  # a second holder of the array
    shared = check(g)
    del arr
    return alone and not held and not shared and not check(view)


def _stealable(g):
    """The array of gradient ``g`` if it can become a leaf's ``.grad`` without a copy, or None.

    It must be C-contiguous and writable, and its memory reachable only through ``g`` (whose
    caller holds the one other reference): an array owning its data, or a whole-array view of
    an owner that at most ``g``'s base tensor also holds (``reshape``/``mT`` of a fresh result).
    """
    if g._grad_fn is not None or g._requires_grad:
        return None
    base_t = g._base
    owner_refs = 3  # the view's base slot, `b` below, getrefcount's argument
    if base_t is not None:
        # the view's _base slot, `base_t`, the argument; the base must be a plain result
        if _getrefcount(base_t) != 3 or base_t._grad_fn is not None or base_t._requires_grad:
            return None
        owner_refs = 4  # ... and the base tensor's _data
    d = g._data
    if type(d) is not _ndarray or _getrefcount(d) != 3:  # g's _data slot, `d`, the argument
        return None
    flags = d.flags
    if not (flags.c_contiguous and flags.writeable):
        return None
    b = d.base
    if b is None:
        return d if base_t is None and flags.owndata else None
    if (
        type(b) is _ndarray
        and b.base is None
        and b.flags.owndata
        and b.nbytes == d.nbytes
        and (base_t is None or base_t._data is b)
        and _getrefcount(b) == owner_refs
    ):
        return d
    return None
