"""PyTorch's type promotion: the pairwise lattice and the three-tier ``result_type`` rule.

Operands come in three priorities: tensors with dimensions, 0-dim tensors, and Python
scalars ("wrapped numbers"). A lower priority only matters when it is of a higher category
(bool < integer < floating) than everything above it: ``int32_tensor + 2.5`` is float32
(the default dtype), ``float16_tensor + 2.5`` stays float16, ``uint8_tensor + 1000`` stays uint8.
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


def promote_types(type1: D.dtype, type2: D.dtype) -> D.dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing category."""
    return _TABLE[type1, type2]


def _combine(higher: D.dtype | None, lower: D.dtype | None) -> D.dtype | None:
    # torch's combine_categories: a lower tier only counts if it raises the category.
    if higher is None:
        return lower
    if lower is None or higher._cat == D.FLOATING:
        return higher
    if higher is D.bool_ or lower._cat == D.FLOATING:
        return _TABLE[higher, lower]
    return higher


def scalar_dtype(value) -> D.dtype:
    """The dtype a Python scalar takes as a wrapped number."""
    if value is True or value is False:
        return D.bool_
    if isinstance(value, int):
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
                wrapped = s if wrapped is None else _TABLE[wrapped, s]
            continue
        t = D._FROM_NP[d.dtype]
        if d.ndim:
            dim = t if dim is None else _TABLE[dim, t]
        else:
            zero = t if zero is None else _TABLE[zero, t]
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_: D.dtype, to: D.dtype) -> bool:
    """Whether an in-place result of ``from_`` may be written into a ``to`` tensor."""
    return from_._cat <= to._cat
