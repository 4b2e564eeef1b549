"""Backward-graph nodes.

A ``Node`` is what a tensor's ``grad_fn`` holds: given the gradients of the forward op's
outputs it returns the gradients of the forward op's inputs. ``next_functions`` holds one
``(node, output_nr)`` edge per forward input, ``(None, 0)`` where an input needs no gradient.
Leaves that require grad end their edges in an ``AccumulateGrad`` node.
"""

from __future__ import annotations

import itertools
import weakref

_seq = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)  # creation order; the engine runs later-created nodes first


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_key")
    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self._key = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: dict, fn) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle._key] = fn
    return handle


class Node:
    """Base class of every backward function."""

    __slots__ = (
        "next_functions",
        "_seq",
        "_in_meta",  # per forward input: (shape, np dtype) the gradient must have, or None
        "_pre_hooks",  # dict of fn(grad_outputs) -> new grad_outputs or None
        "_post_hooks",  # dict of fn(grad_inputs, grad_outputs) -> new grad_inputs or None
        "_tensor_hooks",  # {output_nr: dict of fn(grad) -> new grad or None}
        "_retained",  # {output_nr: weakref to a non-leaf tensor that retains its grad}
        "_anomaly_trace",  # forward stack text, recorded in anomaly mode
        "metadata_",
        "__weakref__",
    )

    def __init__(self) -> None:
        self.next_functions = ()
        self._seq = next(_seq)
        self._in_meta = ()
        self._pre_hooks = self._post_hooks = self._tensor_hooks = self._retained = None
        self._anomaly_trace = None
        self.metadata_ = None

    _nout = 1  # number of forward outputs (gradient slots); per class

    def name(self) -> str:
        return type(self).__name__

    def _release(self) -> None:
        """Free saved values after a backward pass without retain_graph (if any)."""

    @property
    def metadata(self) -> dict:
        if self.metadata_ is None:
            self.metadata_ = {}
        return self.metadata_

    def _sequence_nr(self) -> int:
        return self._seq

    def apply(self, grads: list) -> tuple:
        """Map the gradients of the forward outputs to those of the forward inputs."""
        raise NotImplementedError

    def __call__(self, *grads):
        out = self.apply(list(grads))
        return out[0] if len(out) == 1 else out

    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        return add_hook(self._post_hooks, fn)

    def register_prehook(self, fn) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return add_hook(self._pre_hooks, fn)

    def _tensor_hook_dict(self, output_nr: int) -> dict:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        return self._tensor_hooks.setdefault(output_nr, {})

    def _retain(self, output_nr: int, tensor) -> None:
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The end of every path to a leaf: adds the arriving gradient into ``variable.grad``.

    The leaf owns its accumulator; the accumulator refers to the leaf weakly, so there is no
    reference cycle (a leaf nobody can reach any more has no ``.grad`` anyone could read).
    Hooks registered on the leaf live here, so they run even then.
    """

    __slots__ = ("_variable",)

    def __init__(self, variable) -> None:
        super().__init__()
        self._seq += 1 << 62  # torch gives these top priority: accumulate as soon as ready
        self._variable = weakref.ref(variable)
        self._in_meta = ((variable._data.shape, variable._data.dtype),)

    @property
    def variable(self):
        return self._variable()


def grad_accumulator(t) -> AccumulateGrad:
    """The one AccumulateGrad of a leaf tensor."""
    acc = t._grad_acc
    if acc is None:
        acc = t._grad_acc = AccumulateGrad(t)
    return acc


# Set by the op library: regenerates the history of a view whose base was modified in place
# after the view was made (torch does this lazily whenever a view's grad_fn is read).
refresh_view = None


def edge_of(t) -> tuple:
    """The graph edge a forward input contributes to its consumer's next_functions."""
    if t._base is not None:
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return (None, 0)
