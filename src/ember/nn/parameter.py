"""Parameter and Buffer: the tensor kinds a Module registers when they are assigned to it."""

from __future__ import annotations

from ember._tensor import Tensor, _new, _wrap

__all__ = ["Parameter", "Buffer", "is_lazy"]


def _empty() -> Tensor:
    import numpy as np

    from ember._dtype import get_default_dtype

    return _wrap(np.empty((0,), dtype=get_default_dtype()._np))


class Parameter(Tensor):
    """A Tensor that a Module lists among its parameters when assigned as an attribute.

    ``Parameter(t)`` shares ``t``'s data and version counter, as a fresh leaf. Ops on a Parameter
    return plain Tensors (ember's ops always build plain Tensors).
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = _empty()
        p = _new(cls)
        p._data = data._data
        p._vc = data._vc
        p._grad_fn = None
        p._output_nr = 0
        p._base = None
        p._view = None
        p._grad = None
        p._grad_acc = None
        p._requires_grad = False
        if requires_grad:
            if not p.is_floating_point():
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            p._requires_grad = True
        return p

    def __init__(self, data=None, requires_grad=True):  # __new__ did the work
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        res = type(self)(_wrap(self._data.copy()), self._requires_grad)
        memo[id(self)] = res
        return res

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(_wrap(data), requires_grad)


class _BufferMeta(type):
    # Buffer(t) returns a plain Tensor marked ``_is_buffer``, which counts as a Buffer instance.
    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a module buffer when assigned as an attribute (``persistent``: whether
    ``state_dict`` includes it)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = _empty()
        t = data.detach()
        if data._requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param) -> bool:
    return False

