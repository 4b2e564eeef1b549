"""The op library. Importing it binds every public op in one place: ``ember.<name>``
functions, ``Tensor.<name>`` methods, ``Tensor.<name>_`` in-place forms and the operators."""

from __future__ import annotations

from .._tensor import Tensor
from . import creation, elementwise, indexing, linalg, random, reduction, shape  # noqa: F401
from . import nn_core, nn_conv, nn_activation, nn_loss, nn_norm, nn_attention  # noqa: F401
from ._util import is_expandable_to, np_to_dtype
from ..autograd import graph as _graph
from . import inplace
from .inplace import make_inplace
from .registry import PRIMS, PUBLIC

FUNCTIONS: dict = {}


def _bind() -> None:
    for name, (fn, function, method, has_inplace) in PUBLIC.items():
        if function:
            FUNCTIONS[name] = fn
        if method and name not in _NOT_METHODS:
            setattr(Tensor, name, fn)
        if has_inplace and not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", make_inplace(fn, name + "_"))


_NOT_METHODS = frozenset()


def _rev(fn):
    def reflected(self, other):
        return fn(other, self)

    return reflected


def _dunder(fn):
    """A binary operator: a TypeError (a foreign operand) becomes NotImplemented, as in torch,
    so Python can try the other operand's reflected method."""

    def op(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented

    op.__name__ = fn.__name__
    return op


def _binary_dunder(prim, kind: int, name: str):
    """``+``, ``*``, ``/``: straight to the elementwise dispatcher (these are the hot ones; the
    public functions add only argument handling that operators do not need)."""
    binary = elementwise.binary

    def op(self, other):
        try:
            return binary(prim, self, other, kind, None, None, name)
        except TypeError:
            return NotImplemented

    op.__name__ = name
    return op


def _bind_operators() -> None:
    e = elementwise
    T = Tensor
    T.__add__ = _binary_dunder(e._add, e.SAME, "add")
    T.__radd__ = _binary_dunder(e._add, e.SAME, "add")
    T.__iadd__ = _dunder(T.add_)
    T.__sub__ = _dunder(e.sub)
    T.__rsub__ = _dunder(e.rsub)
    T.__isub__ = _dunder(T.sub_)
    T.__mul__ = _binary_dunder(e._mul, e.SAME | e.OPMATH, "mul")
    T.__rmul__ = _binary_dunder(e._mul, e.SAME | e.OPMATH, "mul")
    T.__imul__ = _dunder(T.mul_)
    T.__truediv__ = _binary_dunder(e._div, e.FLOAT | e.OPMATH, "div")
    T.__rtruediv__ = _dunder(lambda self, other: e.mul(e.reciprocal(self), other))
    T.__itruediv__ = _dunder(T.div_)
    T.__floordiv__ = _dunder(e.floor_divide)
    T.__rfloordiv__ = _dunder(_rev(e.floor_divide))
    T.__ifloordiv__ = _dunder(T.floor_divide_)
    T.__mod__ = _dunder(e.remainder)
    T.__rmod__ = _dunder(_rev(e.remainder))
    T.__imod__ = _dunder(T.remainder_)
    T.__pow__ = _dunder(e.pow)
    T.__rpow__ = _dunder(_rev(e.pow))
    T.__ipow__ = _dunder(T.pow_)
    T.__neg__ = e.neg
    T.__pos__ = e.positive
    T.__abs__ = e.abs
    T.__invert__ = _invert
    T.__and__ = _dunder(e.bitwise_and)
    T.__rand__ = _dunder(e.bitwise_and)
    T.__iand__ = _dunder(T.bitwise_and_)
    T.__or__ = _dunder(e.bitwise_or)
    T.__ror__ = _dunder(e.bitwise_or)
    T.__ior__ = _dunder(T.bitwise_or_)
    T.__xor__ = _dunder(e.bitwise_xor)
    T.__rxor__ = _dunder(e.bitwise_xor)
    T.__ixor__ = _dunder(T.bitwise_xor_)
    T.__lshift__ = _dunder(e.bitwise_left_shift)
    T.__rshift__ = _dunder(e.bitwise_right_shift)
    T.__rlshift__ = _dunder(_rev(e.bitwise_left_shift))
    T.__rrshift__ = _dunder(_rev(e.bitwise_right_shift))
    T.__ilshift__ = _dunder(T.bitwise_left_shift_)
    T.__irshift__ = _dunder(T.bitwise_right_shift_)
    T.__eq__ = _dunder(e.eq)
    T.__ne__ = _dunder(e.ne)
    T.__lt__ = _dunder(e.lt)
    T.__le__ = _dunder(e.le)
    T.__gt__ = _dunder(e.gt)
    T.__ge__ = _dunder(e.ge)
    T.__matmul__ = linalg.matmul_operator
    T.__rmatmul__ = linalg.rmatmul_operator
    T.__getitem__ = indexing.getitem
    T.__delitem__ = indexing.delitem
    T.__setitem__ = indexing.setitem
    T.__hash__ = object.__hash__


def _invert(self: Tensor) -> Tensor:
    if self._data.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return elementwise.bitwise_not(self)


_bind()
_bind_operators()
_graph.refresh_view = inplace.refresh

# Names the engine and other layers reach through ember._ops.
ones_like = creation.ones_like
zeros_like = creation.zeros_like
zeros = creation.zeros
from_numpy = creation.from_numpy
sum_to_size = shape.sum_to_size

__all__ = ["FUNCTIONS", "PRIMS", "is_expandable_to", "np_to_dtype"]
