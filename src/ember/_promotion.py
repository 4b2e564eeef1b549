"""PyTorch's type promotion: the pairwise lattice and the three-tier ``result_type`` rule.

Operands come in three priorities: tensors with dimensions, 0-dim tensors, and Python
scalars ("wrapped numbers"). A lower priority only matters when it is of a higher category
(bool < integer < floating) than everything above it: ``int32_tensor + 2.5`` is float32
(the default dtype), ``float16_tensor + 2.5`` stays float16, ``uint8_tensor + 1000`` stays uint8.

A Python int in [2**63, 2**64) is a uint64 wrapped number in torch; promoting it with another
integer or bool type is an error (ember has no uint64 dtype; such a value never decides a
result dtype).
"""

from __future__ import annotations

from . import _dtype as D

_ORDER = (D.bool_, D.uint8, D.int8, D.int16, D.int32, D.int64, D.float16, D.bfloat16, D.float32,
          D.float64)


def _build_table() -> dict:
    table = {}
    for a in _ORDER:
        for b in _ORDER:
            table[a, b] = _promote_pair(a, b)
    return table


def _promote_pair(a: D.dtype, b: D.dtype) -> D.dtype:
    if a is b:
        return a
    if a is D.bool_:
        return b
    if b is D.bool_:
        return a
    if a._cat != b._cat:  # integer with floating: the floating one wins
        return a if a._cat == D.FLOATING else b
    if a._cat == D.FLOATING:
        if {a, b} == {D.float16, D.bfloat16}:
            return D.float32
        return a if a.itemsize > b.itemsize else b
    # Integers: uint8 with a signed type needs the next signed type that holds 0..255.
    if D.uint8 in (a, b):
        other = b if a is D.uint8 else a
        return D.int16 if other is D.int8 else other
    return a if a.itemsize > b.itemsize else b


_TABLE = _build_table()


class _UInt64:
    """torch's dtype of a Python int in [2**63, 2**64) (a wrapped number only)."""

    _cat = D.INTEGRAL
    _legacy = "UInt64"


UINT64 = _UInt64()


def _uint64_error(a, b) -> RuntimeError:
    return RuntimeError(
        "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
        f"{a._legacy} and {b._legacy}"
    )


def _pair(a, b):
    """promote_types, with torch's error for the uint64 of large Python ints."""
    if a is UINT64 or b is UINT64:
        if a is b:
            return a
        other = b if a is UINT64 else a
        if other._cat == D.FLOATING:
            return other
        raise _uint64_error(a, b)
    return _TABLE[a, b]


def _type_name(x) -> str:
    return type(x).__name__


def promote_types(type1: D.dtype, type2: D.dtype) -> D.dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing category."""
    if not isinstance(type1, D.dtype):
        raise TypeError(
            f"promote_types(): argument 'type1' (position 1) must be ember.dtype, not "
            f"{_type_name(type1)}"
        )
    if not isinstance(type2, D.dtype):
        raise TypeError(
            f"promote_types(): argument 'type2' (position 2) must be ember.dtype, not "
            f"{_type_name(type2)}"
        )
    return _TABLE[type1, type2]


def _combine(higher, lower):
    # torch's combine_categories: a lower tier only counts if it raises the category.
    if higher is None:
        return lower
    if lower is None or higher._cat == D.FLOATING:
        return higher
    if higher is D.bool_ or lower._cat == D.FLOATING:
        return _pair(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python scalar takes as a wrapped number."""
    if value is True or value is False:
        return D.bool_
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            if value >= 2**64:
                raise OverflowError("int too big to convert")
            if value < 0:
                raise OverflowError("can't convert negative int to unsigned")
            return UINT64
        return D.int64
    return D._DefaultDtype.value


def result_type_of(operands) -> D.dtype:
    """torch.result_type over a sequence of tensors and Python scalars."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "_data", None)
        if d is None:
            if isinstance(x, (bool, int, float)):
                s = scalar_dtype(x)
                wrapped = s if wrapped is None else _pair(wrapped, s)
            continue
        t = D._FROM_NP[d.dtype]
        if d.ndim:
            dim = t if dim is None else _TABLE[dim, t]
        else:
            zero = t if zero is None else _TABLE[zero, t]
    out = _combine(dim, _combine(zero, wrapped))
    return D.int64 if out is UINT64 else out


def can_cast(from_: D.dtype, to: D.dtype) -> bool:
    """Whether an in-place result of ``from_`` may be written into a ``to`` tensor.

    torch forbids floating -> integral and non-bool -> bool (complex aside).
    """
    if not isinstance(from_, D.dtype):
        raise TypeError(
            f"can_cast(): argument 'from_' (position 1) must be ember.dtype, not "
            f"{_type_name(from_)}"
        )
    if not isinstance(to, D.dtype):
        raise TypeError(
            f"can_cast(): argument 'to' (position 2) must be ember.dtype, not {_type_name(to)}"
        )
    return from_._cat <= to._cat
