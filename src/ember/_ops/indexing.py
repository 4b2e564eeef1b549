"""Indexing: ``__getitem__``/``__setitem__``, ``where``, ``masked_fill``.

Basic indices (ints, slices, None, ...) give views, as in torch; integer/bool tensors, lists
and arrays give copies (``IndexBackward0``). Assignment is in place and recorded by autograd.
"""

from __future__ import annotations

import numpy as np

from .. import _promotion as P
from .._tensor import Tensor
from ..autograd.grad_mode import STATE
from ._util import broadcast_error
from .registry import apply, prim, public

_INT_KINDS = "iu"


# ---------------------------------------------------------------------------------- index keys
def _convert_key(key, ndim: int):
    """A torch index as a NumPy index; returns (np_key, is_basic, last_view_op)."""
    if not isinstance(key, tuple):
        if isinstance(key, list) and _is_nested_index_list(key):
            key = tuple(key)
        else:
            np_key, basic = _convert_item(key)
            if basic:
                op = _view_op_of(key)
                if isinstance(key, slice):
                    op = "slice"
                return np_key, True, op or "alias"
            return np_key, False, None
    items = []
    basic = True
    last = None
    for k in key:
        nk, b = _convert_item(k)
        items.append(nk)
        basic = basic and b
        op = _view_op_of(k)
        if op is not None:
            last = op
    return tuple(items), basic, last or "alias"


def _is_nested_index_list(key: list) -> bool:
    # torch (like old NumPy) reads x[[0, slice(1, None)]] as a tuple index.
    return any(isinstance(k, (slice, type(None), type(Ellipsis), list, Tensor)) for k in key)


def _view_op_of(k):
    if k is None:
        return "unsqueeze"
    if isinstance(k, slice):
        if k.start in (None, 0) and k.stop is None and k.step in (None, 1):
            return None  # a full slice inside a tuple is skipped by torch
        return "slice"
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return "select"
    if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in _INT_KINDS:
        return "select"
    return None


def _convert_item(k):
    """One index element: (numpy element, is_basic)."""
    if k is None or k is Ellipsis:
        return k, True
    if isinstance(k, bool):
        return k, False
    if isinstance(k, (int, np.integer)):
        return int(k), True
    if isinstance(k, slice):
        if k.step is not None and _as_int(k.step) <= 0:
            raise ValueError("step must be greater than zero")
        return slice(_as_int(k.start), _as_int(k.stop), _as_int(k.step)), True
    if isinstance(k, Tensor):
        a = k._data
        if a.dtype.kind in _INT_KINDS:
            if a.ndim == 0:
                return int(a), True
            return a, False
        if a.dtype.kind == "b":
            return a, False
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if isinstance(k, (list, np.ndarray)):
        a = np.asarray(k)
        if a.dtype.kind not in "iub":
            if a.size == 0:
                return a.astype(np.int64), False
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return a, False
    if isinstance(k, float):
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            "valid indices (got float)"
        )
    raise TypeError(f"new(): invalid data type '{type(k).__name__}'")


def _as_int(v):
    if v is None:
        return None
    if isinstance(v, Tensor):
        return int(v.item())
    return int(v)


def _index_error(err: IndexError, shape: tuple) -> IndexError:
    msg = str(err)
    # NumPy: "index 5 is out of bounds for axis 0 with size 3"; torch says "dimension".
    if "out of bounds for axis" in msg:
        return IndexError(msg.replace("axis", "dimension"))
    if msg.startswith("too many indices for array"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if "boolean index did not match" in msg:
        return IndexError(_mask_message(msg, shape))
    return IndexError(msg)


def _mask_message(msg: str, shape: tuple) -> str:
    import re

    m = re.search(r"dimension is (\d+) but corresponding boolean dimension is (\d+)", msg)
    ax = re.search(r"along (?:axis|dimension) (\d+)", msg)
    if m and ax:
        i = int(ax.group(1))
        return (
            f"The shape of the mask [{m.group(2)}] at index {i} does not match the shape of the "
            f"indexed tensor [{', '.join(str(s) for s in shape)}] at index {i}"
        )
    return msg


# ---------------------------------------------------------------------------------- getitem
def _basic_index(self, *, key):
    return self[key]


def _scatter_into_zeros(grad, self_shape, key):
    return _index_put_zeros(grad, self_shape, key, accumulate=False)


_view_ops = {}
for _name, _backward in (("select", "SelectBackward0"), ("slice", "SliceBackward0"),
                         ("unsqueeze", "UnsqueezeBackward0"), ("alias", "AliasBackward0")):
    _op = prim("index_" + _name, backward=_backward, view=True)(_basic_index)
    _op.defvjp(self=lambda grad, self_shape, key: _scatter_into_zeros(grad, self_shape, key))
    _view_ops[_name] = _op


@prim("index", backward="IndexBackward0")
def _advanced_index(self, *, key):
    return self[key]


_advanced_index.defvjp(
    self=lambda grad, self_shape, key: _index_put_zeros(grad, self_shape, key, accumulate=True)
)


@prim("_index_put_zeros", backward="IndexPutBackward0")
def _index_put_zeros_fwd(grad, *, shape, key, accumulate):
    out = np.zeros(shape, dtype=grad.dtype)
    if accumulate:
        np.add.at(out, key, grad)
    else:
        out[key] = grad
    return out


_index_put_zeros_fwd.defvjp(grad=lambda grad, key: grad[_KeyWrap(key)])


class _KeyWrap:
    """An already-converted NumPy key passed back through ``__getitem__``."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key


def _index_put_zeros(grad: Tensor, shape, key, accumulate: bool) -> Tensor:
    return apply(_index_put_zeros_fwd, (grad,), (grad._data,),
                 {"shape": tuple(shape), "key": key, "accumulate": accumulate})


def getitem(self: Tensor, key) -> Tensor:
    """``self[key]`` with torch's semantics (views for basic indices)."""
    d = self._data
    if isinstance(key, _KeyWrap):
        np_key, basic, last = key.key, _is_basic_np(key.key), "alias"
    elif type(key) is int:
        np_key, basic, last = key, True, "select"
    else:
        np_key, basic, last = _convert_key(key, d.ndim)
    if d.ndim == 0 and basic and np_key not in (None, Ellipsis) and not (
        isinstance(np_key, tuple) and all(k is None or k is Ellipsis for k in np_key)
    ):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    try:
        if basic:
            return apply(_view_ops[last], (self,), (d,), {"key": np_key})
        return apply(_advanced_index, (self,), (d,), {"key": np_key})
    except IndexError as e:
        raise _index_error(e, d.shape) from None


def _is_basic_np(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in items)


# ---------------------------------------------------------------------------------- setitem
@prim("index_put", backward="IndexPutBackward0")
def _index_put(self, values, *, key):
    out = self.copy()
    out[key] = values
    return out


def _index_put_values_grad(grad, values_shape, key):
    from .shape import sum_to_size

    g = grad[_KeyWrap(key)]
    return sum_to_size(g, values_shape) if g._data.shape != tuple(values_shape) else g


_index_put.defvjp(self=lambda grad, key: _zero_at(grad, key), values=_index_put_values_grad)


@prim("_zero_at", backward="IndexPutBackward0")
def _zero_at_fwd(grad, *, key):
    out = grad.copy()
    out[key] = 0
    return out


_zero_at_fwd.defvjp(grad=lambda grad, key: _zero_at(grad, key))


def _zero_at(grad: Tensor, key) -> Tensor:
    return apply(_zero_at_fwd, (grad,), (grad._data,), {"key": key})


def setitem(self: Tensor, key, value) -> None:
    """``self[key] = value``, in place, recorded by autograd and the version counter."""
    from .inplace import check_inplace, commit

    d = self._data
    np_key, basic, _ = _convert_key(key, d.ndim) if type(key) is not int else (key, True, None)
    vt = value if isinstance(value, Tensor) else None
    if vt is not None:
        vd = vt._data
    else:
        vd = value.item() if isinstance(value, np.generic) else value
        if isinstance(vd, (list, tuple)):
            from .creation import tensor

            vt = tensor(vd, dtype=self.dtype)
            vd = vt._data
    record = STATE.enabled and (self._requires_grad or (vt is not None and vt._requires_grad))
    target_shape = _target_shape(d, np_key)
    if vt is not None and not _broadcasts_into(vd.shape, target_shape):
        from .shape import expand_shape

        expand_shape(_strip_leading_ones(vd.shape, len(target_shape)), target_shape)
        raise broadcast_error(vd.shape, target_shape)
    if not record:
        try:
            d[np_key] = vd if vt is None else _fit(vd, target_shape)
        except IndexError as e:
            raise _index_error(e, d.shape) from None
        except ValueError as e:
            if not d.flags.writeable:
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation."
                ) from None
            raise RuntimeError(str(e)) from None
        self._vc[0] += 1
        return
    check_inplace(self)
    if vt is None:
        from .creation import scalar_tensor_like

        vt = scalar_tensor_like(vd, self)
    vd = vt._data.astype(d.dtype, copy=False)
    result = apply(_index_put, (self, vt), (d, _fit(vd, target_shape)), {"key": np_key})
    commit(self, result)


def _target_shape(d: np.ndarray, key) -> tuple:
    try:
        return d[key].shape
    except IndexError as e:
        raise _index_error(e, d.shape) from None


def _strip_leading_ones(shape: tuple, n: int) -> tuple:
    shape = tuple(shape)
    while len(shape) > n and shape[0] == 1:
        shape = shape[1:]
    return shape


def _broadcasts_into(vshape: tuple, target: tuple) -> bool:
    v = _strip_leading_ones(vshape, len(target))
    if len(v) > len(target):
        return False
    for a, b in zip(reversed(v), reversed(target)):
        if a != b and a != 1:
            return False
    return True


def _fit(vd: np.ndarray, target: tuple) -> np.ndarray:
    # torch allows extra leading 1s in the value (x[0] = ones(1, 4)); NumPy does not.
    if vd.ndim > len(target):
        vd = vd.reshape(_strip_leading_ones(vd.shape, len(target)))
    return vd


# ---------------------------------------------------------------------------------- where
@prim("where")
def _where(condition, self, other):
    return np.where(condition, self, other)


_where.defvjp(
    self=lambda grad, condition: where(condition, grad, 0.0),
    other=lambda grad, condition: where(condition, 0.0, grad),
)


@public()
def where(condition: Tensor, input=None, other=None, *, out=None):
    """Pick ``input`` where ``condition`` holds, else ``other`` (scalars allowed)."""
    if input is None and other is None:
        from .reduction import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' (position 1) must be Tensor, not "
                        + type(condition).__name__)
    if condition._data.dtype != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + condition.dtype._legacy
        )
    ops = [x for x in (input, other)]
    dt = P.result_type_of(ops)._np
    xs = []
    arrays = []
    for x in (input, other):
        if isinstance(x, Tensor):
            xs.append(x)
            arrays.append(x._data if x._data.dtype == dt else x._data.astype(dt))
        else:
            xs.append(None)
            arrays.append(np.asarray(x.item() if isinstance(x, np.generic) else x, dtype=dt))
    cd = condition._data
    shapes = [cd.shape] + [a.shape for a in arrays]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        from ._util import broadcast_shapes

        broadcast_shapes(*shapes)
    result = apply(_where, (condition, *xs), (cd, *arrays))
    if out is not None:
        from ._util import check_out

        return check_out(out, result, "where")
    return result


# ---------------------------------------------------------------------------------- masked_fill
@prim("masked_fill")
def _masked_fill(self, mask, *, value):
    return np.where(mask, np.asarray(value, dtype=self.dtype), self)


_masked_fill.defvjp(self=lambda grad, mask: grad.masked_fill(mask, 0))


@prim("masked_fill_tensor", backward="MaskedFillBackward1")
def _masked_fill_tensor(self, mask, value):
    return np.where(mask, value.astype(self.dtype), self)


_masked_fill_tensor.defvjp(
    self=lambda grad, mask: grad.masked_fill(mask, 0),
    value=lambda grad, mask: where(mask, grad, 0.0).sum(),
)


@public(inplace=True)
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``value`` where ``mask`` is True, else ``input``."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        got = mask.dtype._legacy if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_c_type(got)}")
    md = mask._data
    try:
        np.broadcast_shapes(input._data.shape, md.shape)
    except ValueError:
        raise broadcast_error(input._data.shape, md.shape) from None
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return apply(_masked_fill_tensor, (input, mask, value), (input._data, md, value._data))
    value = value.item() if isinstance(value, np.generic) else value
    return apply(_masked_fill, (input, mask), (input._data, md), {"value": value})


def _c_type(legacy: str) -> str:
    return {"Byte": "unsigned char", "Float": "float", "Long": "long int", "Int": "int",
            "Double": "double"}.get(legacy, legacy)

