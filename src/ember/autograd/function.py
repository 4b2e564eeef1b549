"""User-defined differentiable operations: ``ember.autograd.Function``.

``MyOp.apply(*args)`` runs ``forward`` without recording, then attaches one node (the ``ctx``
the user saw) to the outputs; the engine calls ``MyOp.backward(ctx, *grad_outputs)``.
"""

from __future__ import annotations

import functools

from .grad_mode import STATE, no_grad
from .graph import FREED_MESSAGE, Node, edge_of


class FunctionCtx:
    """What ``forward`` and ``backward`` receive as ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self._to_save_forward = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = value


class FunctionNode(FunctionCtx, Node):
    """The backward node of a custom Function; also the ``ctx`` object."""

    _function = None  # set on each generated subclass
    _nout = 1

    def __repr__(self) -> str:
        # A Python class: the default object repr, module included (built-in nodes have none).
        return f"<{type(self).__module__}.{type(self).__qualname__} object at {hex(id(self))}>"

    def __init__(self) -> None:
        Node.__init__(self)
        self._to_save = ()
        self._saved_packed = None
        self._non_differentiable = ()
        self._dirty = ()
        self._materialize_grads = True
        self.needs_input_grad = ()

    @property
    def saved_tensors(self) -> tuple:
        packed = self._saved_packed
        if packed == "freed":
            raise RuntimeError(FREED_MESSAGE)
        if packed is None:
            return tuple(self._to_save)
        from .._ops.registry import _modified_message
        from .._tensor import _wrap

        out = []
        for item in packed:
            if item is None or not isinstance(item, tuple):
                out.append(item)
                continue
            kind, t, vc, version, nr = item  # t: the input tensor, or an output's array
            if vc[0] != version:
                d = t._data if kind == "input" else t
                producer = self if kind == "output" else t._grad_fn
                raise RuntimeError(
                    _modified_message((d.dtype, d.shape), producer, nr, vc[0], version)
                )
            if kind == "output":
                alias = _wrap(t)
                alias._vc = vc
                if STATE.enabled:
                    alias._grad_fn, alias._output_nr, alias._requires_grad = self, nr, True
                t = alias
            out.append(t)
        return tuple(out)

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def _release(self) -> None:
        if self._saved_packed is not None:
            self._saved_packed = "freed"

    def apply(self, grads: list) -> tuple:
        from .. import _ops as ops

        if self._materialize_grads:
            grads = [
                g if g is not None or dt is None else ops.zeros(shape, dtype=ops.np_to_dtype(dt))
                for g, (shape, dt) in zip(grads, self._out_meta)
            ]
        fn = self._function
        out = fn.backward(self, *grads)
        if not isinstance(out, tuple):
            out = (out,)
        n = len(self.next_functions)
        if len(out) < n or any(g is not None for g in out[n:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n}, got {len(out)})"
            )
        return out[:n]


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(
            # torch makes these classes in torch.autograd.function, whoever defines the Function
            name + "Backward", (FunctionNode,), {"_function": cls, "__module__": __name__}
        )


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call
    ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, _wrap

        ctx = cls._backward_cls()
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        with no_grad():
            if cls.setup_context is Function.setup_context:
                outputs = cls.forward(ctx, *args, **kwargs)
            else:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        record = STATE.enabled and any(needs)
        if not record:
            return outputs
        dirty = {id(t) for t in ctx._dirty}
        non_diff = {id(t) for t in ctx._non_differentiable}
        input_ids = {id(a) for a in tensor_args}
        ctx.next_functions = tuple(
            edge_of(a) if isinstance(a, Tensor) else (None, 0) for a in args
        )
        ctx._in_meta = tuple(
            (a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None for a in args
        )
        new_outs = []
        for nr, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            differentiable = id(o) not in non_diff  # judged on the tensor forward returned
            if id(o) in dirty:
                o._vc[0] += 1
            elif id(o) in input_ids:
                # Returning an input unchanged: torch hands back a view of it.
                src = o
                o = _wrap(src._data)
                o._vc = src._vc
                if differentiable:  # a non-differentiable one is a detached alias instead
                    o._base = src._base if src._base is not None else src
            if differentiable and o.is_floating_point():
                o._grad_fn, o._output_nr, o._requires_grad = ctx, nr, True
            new_outs.append(o)
        ctx._out_meta = tuple(
            (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), None)
            for o in new_outs
        )
        ctx._nout = len(new_outs)
        # Pack saved tensors: outputs by array (no reference cycle), inputs by reference.
        out_ids = {id(o): i for i, o in enumerate(new_outs) if isinstance(o, Tensor)}
        orig_ids = {id(o): i for i, o in enumerate(outs) if isinstance(o, Tensor)}
        packed = []
        for t in ctx._to_save:
            if t is None:
                packed.append(None)
            elif id(t) in out_ids or (id(t) in orig_ids and id(t) not in input_ids):
                nr = out_ids.get(id(t), orig_ids.get(id(t)))
                packed.append(("output", t._data, t._vc, t._vc[0], nr))
            else:
                packed.append(("input", t, t._vc, t._vc[0], t._output_nr))
        ctx._saved_packed = packed
        ctx._to_save = ()
        return new_outs[0] if single else tuple(new_outs)


def once_differentiable(fn):
    """Mark a backward as not differentiable twice: it runs without recording."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper
