"""Indexing: ``x[key]``, ``x[key] = v``, the in-place fills and copies, and the index ops.

Keys are read as torch reads them (``python_variable_indexing.cpp``): ints, slices, ``None``
and ``...`` are view ops applied left to right (SelectBackward0, SliceBackward0,
UnsqueezeBackward0; AliasBackward0 when nothing is left), then integer/bool tensors, lists and
arrays index what those views left ("advanced" indexing, IndexBackward0). Assignment follows
torch's ``set_item``: a basic key writes through a view (``view.copy_(v)`` / ``view.fill_(v)``,
so the base gets a CopySlices history), an advanced key uses ``index_put_``
(IndexPutBackward0).

Without autograd the same keys run as one NumPy indexing expression (the fast path); with
autograd each view op is recorded, so graphs and ``grad_fn`` chains match torch's.
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from . import registry as _reg
from ._util import broadcast_error, broadcast_shapes, check_out, is_expandable_to, wrap_dim
from .inplace import check_inplace, commit, has_internal_overlap, refresh, target
from .registry import apply, prim, public

_FULL = slice(None)
_BOOL = np.dtype(np.bool_)
_UINT8 = np.dtype(np.uint8)
_INT32 = np.dtype(np.int32)
_INT64 = np.dtype(np.int64)
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1
_FROM_NP = D._FROM_NP
_SEQ_TYPES = (list, tuple, range, np.ndarray)

_C_NAMES = {
    "bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
    "int64": "int64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
    "float64": "double",
}


def _legacy(a) -> str:
    return _FROM_NP[a.dtype if isinstance(a, np.ndarray) else a]._legacy


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _tp_name(x) -> str:
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _zeros(shape, like: Tensor) -> Tensor:
    return _wrap(np.zeros(tuple(shape), dtype=like._data.dtype))


def _tensor_arg(x, fname: str, arg: str, pos: int) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )
    return x


# ---------------------------------------------------------------------------------- scalars
_FMAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38,
         "float64": math.inf}


def _scalar_value(value, np_dtype, setitem: bool) -> np.ndarray:
    """A Python scalar as a 0-d array of ``np_dtype``, with torch's overflow checks.

    ``setitem``: the checks of ``x[i] = v`` (Python ints unpacked as int64 first; float16 and
    bfloat16 round to inf) rather than those of ``fill_``.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if type(value) is not bool and isinstance(value, int):
        if setitem and not _I64_MIN <= value <= _I64_MAX:
            raise ValueError("Overflow when unpacking long long")
        if not _I64_MIN <= value < (1 << 64):
            raise OverflowError("int too big to convert")
    kind = np_dtype.kind
    if isinstance(value, bool) or kind == "b":
        return np.asarray(bool(value) if kind == "b" else value).astype(np_dtype)
    name = _FROM_NP[np_dtype]._name
    if kind in "iu":
        info = np.iinfo(np_dtype)
        if isinstance(value, int):
            # Negative ints wrap into unsigned types (two's complement), as C++ casts do.
            ok = (-info.max if kind == "u" else info.min) <= value <= info.max
        else:
            ok = value == value and info.min <= value <= info.max
        if not ok:
            raise RuntimeError(
                f"value cannot be converted to type {_C_NAMES[name]} without overflow"
            )
        if isinstance(value, int):
            return np.asarray(value, dtype=np.int64).astype(np_dtype)
        return np.asarray(value).astype(np_dtype)
    if not (setitem and np_dtype.itemsize == 2):
        v = float(value)
        if v == v and abs(v) != math.inf and abs(v) > _FMAX[name]:
            raise RuntimeError(
                f"value cannot be converted to type {_C_NAMES[name]} without overflow"
            )
    return np.asarray(value).astype(np_dtype)


# ---------------------------------------------------------------------------------- view prims
@prim("getitem_select", backward="SelectBackward0", view=True)
def _select(self, *, dim, index):
    # The trailing ``...`` keeps a 0-d result a view (NumPy would return a scalar copy).
    return self[(_FULL,) * dim + (index, Ellipsis)]


@prim("getitem_slice", backward="SliceBackward0", view=True)
def _slice(self, *, dim, start, end, step):
    return self[(_FULL,) * dim + (slice(start, end, step),)]


@prim("getitem_unsqueeze", backward="UnsqueezeBackward0", view=True)
def _unsqueeze(self, *, dim):
    return np.expand_dims(self, dim)


@prim("getitem_alias", backward="AliasBackward0", view=True)
def _alias(self):
    return self.view()


@prim("getitem_basic", backward="AsStridedBackward0", view=True)
def _basic(self, *, key):
    # The fast path's view: one NumPy basic index (ints, slices, None) for a chain of views.
    return self[key]


@prim("select_backward", backward="SelectBackwardBackward0")
def _embed_select(grad, *, shape, key):
    out = np.zeros(shape, dtype=grad.dtype)
    out[key] = grad
    return out


@prim("slice_backward", backward="SliceBackwardBackward0")
def _embed_slice(grad, *, shape, key):
    out = np.zeros(shape, dtype=grad.dtype)
    out[key] = grad
    return out


def _view_of(grad: Tensor, key) -> Tensor:
    return apply(_basic, (grad,), (grad._data,), {"key": key})


_embed_select.defvjp(grad=lambda grad, key: _view_of(grad, key))
_embed_slice.defvjp(grad=lambda grad, key: _view_of(grad, key))


def _embed(op, grad: Tensor, shape, key) -> Tensor:
    return apply(op, (grad,), (grad._data,), {"shape": tuple(shape), "key": key})


_select.defvjp(self=lambda grad, self_shape, dim, index: _embed(
    _embed_select, grad, self_shape, (_FULL,) * dim + (index, Ellipsis)))
_slice.defvjp(self=lambda grad, self_shape, dim, start, end, step: _embed(
    _embed_slice, grad, self_shape, (_FULL,) * dim + (slice(start, end, step),)))
_unsqueeze.defvjp(self=lambda grad, dim: _view_of(grad, (_FULL,) * dim + (0, Ellipsis)))
_alias.defvjp(self=lambda grad: grad)
_basic.defvjp(self=lambda grad, self_shape, key: _embed(_embed_slice, grad, self_shape, key))


# ---------------------------------------------------------------------------------- advanced prims
@prim("index", backward="IndexBackward0")
def _index(self, *, key):
    return self[key]


@prim("index_backward", backward="IndexPutBackward0")
def _index_backward(grad, *, shape, key):
    out = np.zeros(shape, dtype=grad.dtype)
    np.add.at(out, key, grad)
    return out


_index.defvjp(self=lambda grad, self_shape, key: apply(
    _index_backward, (grad,), (grad._data,), {"shape": tuple(self_shape), "key": key}))
_index_backward.defvjp(grad=lambda grad, key: apply(_index, (grad,), (grad._data,), {"key": key}))


@prim("index_put", backward="IndexPutBackward0")
def _index_put(self, values, *, key, accumulate):
    out = self.copy()
    _put_kernel(out, key, values, accumulate)
    return out


def _put_kernel(out: np.ndarray, key, values: np.ndarray, accumulate: bool) -> None:
    if values.dtype != out.dtype:
        values = values.astype(out.dtype)
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values


def _index_put_self_grad(grad, values, key, accumulate):
    if accumulate:
        return grad
    z = _wrap(np.zeros((), dtype=grad._data.dtype))
    return apply(_index_put, (grad, z), (grad._data, z._data), {"key": key, "accumulate": False})


_index_put.defvjp(
    self=lambda grad, key, accumulate: _index_put_self_grad(grad, None, key, accumulate),
    values=lambda grad, key: apply(_index, (grad,), (grad._data,), {"key": key}),
)


# ---------------------------------------------------------------------------------- key parsing
_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[ember.tensor(seq)], which will result either in an error or "
    "a different result"
)


def _items(key) -> tuple:
    """The key as a tuple of index items (torch's treatSequenceAsTuple heuristic)."""
    if isinstance(key, tuple):
        return tuple(key)
    if type(key) is list and len(key) < 32:
        for k in key:
            if isinstance(k, (Tensor, slice, str) + _SEQ_TYPES) or k is None or k is Ellipsis:
                warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=3)
                return tuple(key)
    return (key,)


def _long(k) -> int:
    v = int(k)
    if not _I64_MIN <= v <= _I64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return v


def _check_select(i: int, size: int, real: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {real} with size {size}")
    return i + size if i < 0 else i


def _slice_parts(s: slice):
    """(start, stop, step) of a Python slice as torch unpacks it (missing bounds: 0, max)."""
    try:
        step = 1 if s.step is None else operator.index(s.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        start = 0 if s.start is None else operator.index(s.start)
        stop = _I64_MAX if s.stop is None else operator.index(s.stop)
    except TypeError:
        raise TypeError(
            "slice indices must be integers or None or have an __index__ method"
        ) from None
    if step < 0:
        raise ValueError("step must be greater than zero")
    return max(min(start, _I64_MAX), _I64_MIN), max(min(stop, _I64_MAX), _I64_MIN), step


def _slice_bounds(start: int, stop: int, size: int):
    if start < 0:
        start += size
    if stop < 0:
        stop += size
    start = 0 if start < 0 else min(start, size)
    stop = start if stop < start else min(stop, size)
    return start, stop


def _seq_array(k) -> np.ndarray:
    """A list/tuple/array index as torch.tensor(seq) would read it."""
    if isinstance(k, np.ndarray):
        a = k
    else:
        a = np.asarray(k)
    if a.dtype.kind not in "biuf":
        name = "str" if a.dtype.kind in "US" else _tp_name(k)
        raise TypeError(f"new(): invalid data type '{name}'")
    if not _is_mask(a) and a.dtype != _INT64:
        return a.astype(_INT64)  # torch reads other sequences as long indices (floats truncate)
    return a


_MASK_CHARS = frozenset((_BOOL.char, _UINT8.char))
_INDEX_CHARS = frozenset((_BOOL.char, _UINT8.char, _INT64.char, _INT32.char))


def _is_mask(a: np.ndarray) -> bool:
    return a.dtype.char in _MASK_CHARS


class _Parsed:
    """A key resolved against a shape: the basic views, then the advanced indices."""

    __slots__ = ("np_key", "steps", "adv", "shape")

    def __init__(self, np_key, steps, adv, shape):
        self.np_key = np_key  # one NumPy basic index (ints, slices, None) for all the views
        self.steps = steps  # [(view prim, params)], applied left to right
        self.adv = adv  # [(dim of the viewed result, array)] or None
        self.shape = shape  # shape after the views


def _parse(items: tuple, shape: tuple, optimize: bool = True) -> _Parsed:
    """torch's applySlicing over a tuple of index items."""
    ndim = len(shape)
    spec = 0
    for k in items:
        if isinstance(k, Tensor):
            a = k._data
            spec += a.ndim if _is_mask(a) else 1
        elif not (k is None or k is Ellipsis or k is True or k is False):
            spec += 1
    if spec > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    cur = list(shape)
    np_key: list = []
    steps: list = []
    adv = None
    dim = 0
    consumed = 0  # input dims covered by np_key
    for real, k in enumerate(items):
        tk = type(k)
        if tk is slice:
            start, stop, step = _slice_parts(k)
            size = cur[dim]
            if optimize and start == 0 and step == 1 and stop >= size:
                np_key.append(_FULL)  # torch skips a slice that keeps the whole dim
            else:
                s, e = _slice_bounds(start, stop, size)
                np_key.append(slice(s, e, step))
                steps.append((_slice, {"dim": dim, "start": s, "end": e, "step": step}))
                cur[dim] = len(range(s, e, step))
            consumed += 1
            dim += 1
            continue
        if k is None:
            np_key.append(None)
            steps.append((_unsqueeze, {"dim": dim}))
            cur.insert(dim, 1)
            dim += 1
            continue
        if k is Ellipsis:
            n = ndim - spec
            take = min(n, ndim - consumed)
            np_key.extend([_FULL] * take)
            consumed += take
            dim += n
            continue
        if tk is bool:
            a = np.asarray(k)
        elif tk is int or isinstance(k, (int, np.integer)):
            i = _check_select(_long(k), cur[dim], real)
            np_key.append(i)
            steps.append((_select, {"dim": dim, "index": i}))
            del cur[dim]
            consumed += 1
            continue
        elif isinstance(k, Tensor):
            a = k._data
        elif isinstance(k, _SEQ_TYPES):
            a = _seq_array(k)
        elif isinstance(k, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                f"are valid indices (got {_tp_name(k)})"
            )
        if a.ndim == 0 and a.dtype.kind in "biu":
            if _is_mask(a):
                # A scalar bool: a new dim of size 1, indexed by the long index [0] (True) or
                # [] (False), as torch's boolToIndexingTensor.
                np_key.append(None)
                steps.append((_unsqueeze, {"dim": dim}))
                cur.insert(dim, 1)
                if adv is None:
                    adv = []
                adv.append((dim, np.zeros(1 if a else 0, dtype=_INT64)))
                dim += 1
            else:
                i = _check_select(int(a), cur[dim], real)
                np_key.append(i)
                steps.append((_select, {"dim": dim, "index": i}))
                del cur[dim]
                consumed += 1
            continue
        width = a.ndim if _is_mask(a) else 1
        if adv is None:
            adv = []
        adv.append((dim, a))
        np_key.extend([_FULL] * width)
        consumed += width
        dim += width
    np_key.append(Ellipsis)  # a 0-d result stays a view, not a NumPy scalar
    return _Parsed(tuple(np_key), steps, adv, tuple(cur))


def _adv_key(adv: list, shape: tuple, check_bounds: bool = True):
    """torch's index(): the advanced indices as one NumPy key (masks become nonzero indices),
    with torch's errors. Returns (key, [(dim, index array)]).

    ``check_bounds=False`` leaves the index values unchecked: the caller lets NumPy index and
    turns its IndexError into torch's with ``bounds_error``, or checks later (``index_put_``
    checks values after the value's shape and dtype, as torch does).
    """
    pos = _Pos()
    masks = False
    for _, a in adv:
        c = a.dtype.char
        if c not in _INDEX_CHARS:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if c in _MASK_CHARS:
            masks = True
    # torch's index_put_ sends one bool mask (other dims unindexed) to masked_fill_.
    pos.single_mask = masks and len(adv) == 1
    if masks:
        for dim, a in adv:
            if _is_mask(a):
                if a.dtype == _UINT8:
                    warnings.warn("indexing with dtype ember.uint8 is now deprecated, please use "
                                  "a dtype ember.bool instead.", UserWarning, stacklevel=4)
                for j in range(a.ndim):
                    src = dim + j
                    if src >= len(shape) or a.shape[j] != shape[src]:
                        raise IndexError(
                            f"The shape of the mask {_sizes(a.shape)} at index {j} does not "
                            f"match the shape of the indexed tensor {_sizes(shape)} at index {src}"
                        )
                for j, nz in enumerate(np.nonzero(a)):
                    pos.append((dim + j, nz))
            else:
                pos.append((dim, a))
    else:
        pos.extend(adv)
    if len(pos) > 1:
        try:
            b = np.broadcast_shapes(*[a.shape for _, a in pos])
        except ValueError:
            raise IndexError(
                "shape mismatch: indexing tensors could not be broadcast together with shapes "
                + ", ".join(_sizes(a.shape) for _, a in pos)
            ) from None
        empty = 0 in b
    else:
        empty = pos[0][1].size == 0
    if not empty:
        for dim, _ in pos:
            if shape[dim] == 0:  # torch checks this while preparing the indices
                raise IndexError("index is out of bounds for dimension with size 0")
    if check_bounds:
        bounds_error(pos, shape, empty)
    key = [_FULL] * (pos[-1][0] + 1)
    for dim, a in pos:
        key[dim] = a
    return tuple(key), pos


def bounds_error(pos: list, shape: tuple, empty: bool | None = None) -> None:
    """Raise torch's error for index values out of range (none if no element is read)."""
    if empty is None:
        empty = 0 in np.broadcast_shapes(*[a.shape for _, a in pos])
    if empty:
        return
    for i, (dim, a) in enumerate(pos):
        size = shape[dim]
        if a.size and (a.max() >= size or a.min() < -size):
            bad = (a >= size) | (a < -size)
            # torch numbers the dimension among the indexed ones only.
            raise IndexError(
                f"index {int(a[bad].flat[0])} is out of bounds for dimension {i} with size {size}"
            )


def _adv_shape(shape: tuple, pos: list) -> tuple:
    """The shape NumPy/torch give ``x[key]`` for index arrays at the dims in ``pos``."""
    if len(pos) == 1:
        d, a = pos[0]
        return tuple(shape[:d]) + a.shape + tuple(shape[d + 1:])
    dims = [d for d, _ in pos]
    b = np.broadcast_shapes(*[a.shape for _, a in pos]) if pos else ()
    rest = [s for i, s in enumerate(shape) if i not in dims]
    first = min(dims)
    if dims == list(range(first, first + len(dims))):
        return tuple(shape[:first]) + tuple(b) + tuple(shape[first + len(dims):])
    return tuple(b) + tuple(rest)


def _chain(t: Tensor, steps: list) -> Tensor:
    for op, params in steps:
        t = apply(op, (t,), (t._data,), params)
    return t


# ---------------------------------------------------------------------------------- getitem
def _first_dim_index(i: int, d: np.ndarray) -> int:
    """An int key on dim 0, checked as torch checks it (0-dim tensors have their own text)."""
    if d.ndim == 0:
        if i == 0:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        raise IndexError(f"index {i} is out of bounds for dimension 0 with size 0")
    return _check_select(i, d.shape[0], 0)


def getitem(self: Tensor, key) -> Tensor:
    """``self[key]`` with torch's semantics (views for basic indices)."""
    d = self._data
    tk = type(key)
    if self._base is not None:
        refresh(self)
    # torch's single-item paths come first (they differ from the tuple path at the edges).
    if tk is int or (isinstance(key, (int, np.integer)) and tk is not bool):
        i = _first_dim_index(_long(key), d)
        return apply(_select, (self,), (d,), {"dim": 0, "index": i})
    if tk is slice:
        if d.ndim == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        start, stop, step = _slice_parts(key)
        s, e = _slice_bounds(start, stop, d.shape[0])
        return apply(_slice, (self,), (d,), {"dim": 0, "start": s, "end": e, "step": step})
    if key is None:
        return apply(_unsqueeze, (self,), (d,), {"dim": 0})
    if key is Ellipsis:
        return apply(_alias, (self,), (d,))
    p = _parse(_items(key), d.shape)
    record = STATE.enabled and self._requires_grad
    if p.adv is None:
        if not p.steps:
            return apply(_alias, (self,), (d,))
        if record:
            return _chain(self, p.steps)
        return apply(_basic, (self,), (d,), {"key": p.np_key})
    akey, pos = _adv_key(p.adv, p.shape, check_bounds=False)
    try:
        if record:
            t = _chain(self, p.steps)
            return apply(_index, (t,), (t._data,), {"key": akey})
        v = d[p.np_key] if p.steps else d
        return _wrap(v[akey])
    except IndexError:  # NumPy found an index out of range: torch's message instead
        bounds_error(pos, p.shape)
        raise


# ---------------------------------------------------------------------------------- setitem
def _setitem_value(self: Tensor, value):
    """The assigned value: a tensor, or a 0-d array of ``self``'s dtype for a scalar."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float, np.integer)) and not isinstance(
        value, (np.floating, np.bool_)
    ) or type(value) is np.float64:
        return _scalar_value(value, self._data.dtype, True)
    raise TypeError(f"can't assign a {_tp_name(value)} to a ember.{_legacy(self._data)}Tensor")


def _strip_ones(shape: tuple) -> tuple:
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return tuple(shape[i:])


def _check_expand(vshape: tuple, target_shape: tuple, vdtype) -> None:
    """torch's expand() errors for the value of an assignment."""
    if len(target_shape) < len(vshape):
        raise RuntimeError(
            f"expand(ember.{_legacy(vdtype)}Tensor{{{_sizes(vshape)}}}, size="
            f"{_sizes(target_shape)}): the number of sizes provided ({len(target_shape)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(vshape)})"
        )
    lead = len(target_shape) - len(vshape)
    for i, s in enumerate(vshape):
        t = target_shape[lead + i]
        if s != t and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {_sizes(target_shape)}.  "
                f"Tensor sizes: {_sizes(vshape)}"
            )


def setitem(self: Tensor, key, value) -> None:
    """``self[key] = value``, in place, recorded by autograd and the version counter."""
    d = self._data
    v = _setitem_value(self, value)
    vt = v if isinstance(v, Tensor) else None
    tk = type(key)
    if key is False:
        return
    if self._base is not None:
        refresh(self)
    # torch's set_item: single ints, slices, None, True and ... first.
    if tk is int or (isinstance(key, (int, np.integer)) and tk is not bool):
        i = _first_dim_index(_long(key), d)
        p = _Parsed((i, Ellipsis), [(_select, {"dim": 0, "index": i})], None, d.shape[1:])
    elif tk is slice:
        if d.ndim == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        p = _parse((key,), d.shape)
    elif key is None or key is True:
        p = _Parsed((None,), [(_unsqueeze, {"dim": 0})], None, (1,) + d.shape)
    elif key is Ellipsis:
        p = _Parsed((), [], None, d.shape)
    else:
        p = _parse(_items(key), d.shape)
    record = STATE.enabled and (self._requires_grad or (vt is not None and vt._requires_grad))
    if p.adv is None:
        if record:
            dst = _chain(self, p.steps)
            if vt is None:
                vt = _wrap(v)
            _copy_to(dst, vt)
            return
        vd = v if vt is None else vt._data
        if vd.shape != p.shape and vd.ndim:
            vs = _strip_ones(vd.shape)
            _check_expand(vs, p.shape, vd.dtype)
            vd = vd.reshape(vs)
        dst = d[p.np_key] if p.steps else d
        if not dst.flags.writeable:
            dst = target(_wrap(dst))  # torch's copy_/fill_(tensor) refuse overlapping memory
        np.copyto(dst, vd, casting="unsafe")
        self._vc[0] += 1
        return
    akey, pos = _adv_key(p.adv, p.shape, check_bounds=False)
    if vt is None:
        vt = _wrap(v)
    vs = _strip_ones(vt._data.shape)
    if vs != vt._data.shape:
        vt = vt.view(vs) if record else _wrap(vt._data.reshape(vs))
    if record:
        dst = _chain(self, p.steps)
        _index_put_impl(dst, akey, pos, vt, False, p.shape)
        return
    dst = _wrap(d[p.np_key]) if p.steps else self
    if p.steps:
        dst._vc = self._vc
    _index_put_impl(dst, akey, pos, vt, False, p.shape)


def delitem(self: Tensor, key) -> None:
    """``del x[key]``: torch's error."""
    raise TypeError("Tensor does not support deleting items")


def _copy_to(dst: Tensor, vt: Tensor) -> None:
    """torch's copy_to: the value copied (or filled, or expanded) into a view."""
    vs = vt._data.shape
    ds = dst._data.shape
    if vs == ds:
        copy_(dst, vt)
        return
    if not vs:
        fill_(dst, vt)
        return
    stripped = _strip_ones(vs)
    _check_expand(stripped, ds, vt._data.dtype)
    if stripped != vs:
        vt = vt.view(stripped)
    if stripped != ds:
        vt = vt.expand(ds)
    copy_(dst, vt)


# ---------------------------------------------------------------------------------- copy_, fill_
@prim("copy_", backward="CopyBackwards")
def _copy(self, src):
    return np.broadcast_to(src, self.shape).astype(self.dtype)


_copy.defvjp(self=lambda grad: _zeros(grad._data.shape, grad), src=lambda grad: grad)
_copy.node_cls.name = lambda self: "torch::autograd::CopyBackwards"  # torch's exact name


def _check_copy_shape(dshape: tuple, sshape: tuple) -> None:
    try:
        b = np.broadcast_shapes(dshape, sshape)
    except ValueError:
        raise broadcast_error(dshape, sshape) from None
    if b != dshape:
        raise RuntimeError(
            f"output with shape {_sizes(dshape)} doesn't match the broadcast shape {_sizes(b)}"
        )


@public(function=False)
def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to ``self``'s dtype) into ``self``."""
    if not isinstance(src, Tensor):
        if isinstance(src, (bool, int, float, np.number, np.bool_)):
            src = _wrap(np.asarray(src.item() if isinstance(src, np.generic) else src))
        else:
            raise TypeError(
                f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
            )
    sd, vd = self._data, src._data
    if STATE.enabled and (self._requires_grad or src._requires_grad):
        if self._base is not None:
            refresh(self)
        check_inplace(self)
        if vd.shape != sd.shape:
            _check_copy_shape(sd.shape, vd.shape)
        return commit(self, apply(_copy, (self, src), (sd, vd)))
    if vd.shape != sd.shape:
        _check_copy_shape(sd.shape, vd.shape)
    np.copyto(target(self), vd, casting="unsafe")
    self._vc[0] += 1
    return self


def _fill_fwd(self, *, value):
    return np.full(self.shape, value, dtype=self.dtype)


def _fill_t_fwd(self, value):
    return np.full(self.shape, value, dtype=self.dtype)


_fill_ops = {}
for _n, _fwd, _b in (("fill", _fill_fwd, 0), ("fill_tensor", _fill_t_fwd, 1),
                     ("fill_", _fill_fwd, 2), ("fill__tensor", _fill_t_fwd, 3)):
    _op = prim(_n, backward=f"FillBackward{_b}")(_fwd)
    if _b % 2:
        _op.defvjp(self=lambda grad: _zeros(grad._data.shape, grad), value=lambda grad: grad.sum())
    else:
        _op.defvjp(self=lambda grad: _zeros(grad._data.shape, grad))
    _fill_ops[_n] = _op


def _fill_invalid(name: str, value) -> TypeError:
    # The method's text (x.fill_(v)); ember.fill(x, v) names the input too, as torch's does.
    t = type(value).__name__
    got, inp, mark = (f"Tensor, {t}", "Tensor input, ", "Tensor, ") if name == "fill" else \
        (t, "", "")
    return TypeError(
        f"{name}() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * ({inp}Tensor value)\n      didn't match because some of the arguments have "
        f"invalid types: ({mark}!{t}!)\n * ({inp}Number value)\n      didn't match because some "
        f"of the arguments have invalid types: ({mark}!{t}!)\n"
    )


def _fill_value(self: Tensor, value, name: str):
    if isinstance(value, Tensor):
        n = value._data.ndim
        if n:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {n} dimensions."
            )
        return value
    if not isinstance(value, (bool, int, float, np.number, np.bool_)):
        raise _fill_invalid(name, value)
    return _scalar_value(value, self._data.dtype, False)


@public(method=False)
def fill(input: Tensor, value) -> Tensor:
    """A tensor like ``input`` filled with ``value`` (a number or a 0-d tensor)."""
    v = _fill_value(input, value, "fill")
    d = input._data
    if isinstance(v, Tensor):
        return apply(_fill_ops["fill_tensor"], (input, v), (d, v._data))
    return apply(_fill_ops["fill"], (input,), (d,), {"value": v})


@public()
def fill_(input: Tensor, value) -> Tensor:
    """Fill ``input`` with ``value`` in place (a number may fill an expanded tensor)."""
    if STATE.enabled:
        if input._base is not None:
            refresh(input)
        check_inplace(input)
    v = _fill_value(input, value, "fill_")
    d = input._data
    vt = v if isinstance(v, Tensor) else None
    if STATE.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        if vt is not None:
            r = apply(_fill_ops["fill__tensor"], (input, vt), (d, vt._data))
        else:
            r = apply(_fill_ops["fill_"], (input,), (d,), {"value": v})
        return commit(input, r, overlap_ok=vt is None)
    dst = target(input, overlap_ok=vt is None)
    dst[...] = v if vt is None else vt._data.astype(d.dtype)
    input._vc[0] += 1
    return input


@prim("zero_", backward="ZeroBackward0")
def _zero(self):
    return np.zeros_like(self)


_zero.defvjp(self=lambda grad: _zeros(grad._data.shape, grad))


@public()
def zero_(input: Tensor) -> Tensor:
    """Fill ``input`` with zeros in place."""
    if STATE.enabled and input._requires_grad:
        if input._base is not None:
            refresh(input)
        check_inplace(input)
        return commit(input, apply(_zero, (input,), (input._data,)), overlap_ok=True)
    target(input, overlap_ok=True)[...] = 0
    input._vc[0] += 1
    return input


# ---------------------------------------------------------------------------------- index_put
def _index_put_checks(sd: np.ndarray, vd: np.ndarray, pos, accumulate: bool, shape) -> None:
    # torch sends one bool mask with a one-element value to masked_fill_ (no checks).
    if accumulate or vd.size != 1 or not pos.single_mask:
        if vd.ndim:
            res_shape = _adv_shape(shape, pos)
            if not is_expandable_to(vd.shape, res_shape):
                raise RuntimeError(
                    f"shape mismatch: value tensor of shape {_sizes(vd.shape)} cannot be "
                    f"broadcast to indexing result of shape {_sizes(res_shape)}"
                )
        if vd.dtype != sd.dtype:
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{_legacy(sd)} for the destination and {_legacy(vd)} for the source."
            )


def _index_put_impl(self: Tensor, key, pos, values: Tensor, accumulate: bool, shape) -> Tensor:
    """index_put_ with already converted indices: torch's checks, then the write."""
    vd = values._data
    sd = self._data
    if STATE.enabled:
        if self._base is not None:
            refresh(self)
        check_inplace(self)
    _index_put_checks(sd, vd, pos, accumulate, shape)
    if not sd.flags.writeable and has_internal_overlap(sd):
        warnings.warn(
            "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
            "before performing this operation. This also applies to advanced indexing e.g. "
            "tensor[indices] = tensor", UserWarning, stacklevel=3)
    if STATE.enabled and (self._requires_grad or values._requires_grad):
        bounds_error(pos, shape)
        r = apply(_index_put, (self, values), (sd, vd), {"key": key, "accumulate": accumulate})
        return commit(self, r, overlap_ok=True)
    try:
        # NumPy checks every index before it writes anything.
        _put_kernel(target(self, overlap_ok=True), key, vd, accumulate)
    except IndexError:
        bounds_error(pos, shape)
        raise
    self._vc[0] += 1
    return self


class _Pos(list):
    """Index positions that remember whether they came from exactly one bool mask."""

    single_mask = False


def _index_put_args(self: Tensor, indices, values, name: str):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"{name}(): argument 'indices' (position 2) must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}"
            )
    _tensor_arg(values, name, "values", 3)
    sd = self._data
    if not indices:
        raise RuntimeError(f"{name}(): expected at least one index tensor")
    if len(indices) > sd.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {sd.ndim} (got {len(indices)})"
        )
    adv = []
    dim = 0
    for t in indices:
        a = t._data
        adv.append((dim, a))
        dim += a.ndim if _is_mask(a) else 1
    return _adv_key(adv, sd.shape, check_bounds=False)


@public()
def index_put_(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``input[indices] = values`` (or ``+=`` with ``accumulate``), in place."""
    key, pos = _index_put_args(input, indices, values, "index_put_")
    return _index_put_impl(input, key, pos, values, accumulate, input._data.shape)


@public()
def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """Out-of-place ``index_put_``."""
    key, pos = _index_put_args(input, indices, values, "index_put")
    out = _wrap(input._data.copy()) if not (STATE.enabled and (
        input._requires_grad or values._requires_grad)) else None
    if out is not None:
        return _index_put_impl(out, key, pos, values, accumulate, input._data.shape)
    vd, sd = values._data, input._data
    _index_put_checks(sd, vd, pos, accumulate, sd.shape)
    bounds_error(pos, sd.shape)
    return apply(_index_put, (input, values), (sd, vd), {"key": key, "accumulate": accumulate})


# ---------------------------------------------------------------------------------- dim helpers
def _grid(index: np.ndarray, dim: int):
    """The NumPy key reading ``x[i][index[i][j][k]][k]`` (dim 1): index at ``dim``, aranges
    over index's own shape elsewhere."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _src_part(src: np.ndarray, shape: tuple) -> np.ndarray:
    return src[tuple(slice(0, n) for n in shape)]


def _nonempty_size(shape: tuple, d: int) -> int:
    return 1 if not shape else shape[d]


def _check_index_bounds(index: np.ndarray, size: int, dim: int) -> None:
    if index.size:
        bad = (index >= size) | (index < 0)
        if bad.any():
            raise RuntimeError(
                f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with size "
                f"{size}"
            )


# ---------------------------------------------------------------------------------- gather
@prim("gather")
def _gather(self, *, index, dim):
    if self.ndim == 0:
        return self.reshape(1)[index.reshape(-1)].reshape(index.shape)
    if index.ndim == 0:
        return self[index.reshape(1)].reshape(())
    return self[_grid(index, dim)]


_gather.defvjp(self=lambda grad, self_shape, index, dim: scatter_add(
    _zeros(self_shape, grad), dim, _wrap(index), grad))


def _gather_checks(self: Tensor, dim: int, index: Tensor, name: str = "gather") -> int:
    sd, idd = self._data, index._data
    nd = max(sd.ndim, 1)
    dim = wrap_dim(dim, nd)
    if idd.dtype != _INT64 and idd.dtype != _INT32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if idd.size == 0:
        return dim
    if nd != max(idd.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for i in range(nd):
        if i != dim and _nonempty_size(idd.shape, i) > _nonempty_size(sd.shape, i):
            raise RuntimeError(
                f"Size does not match at dimension {i} expected index {_sizes(idd.shape)} to be "
                f"no larger than self {_sizes(sd.shape)} apart from dimension {dim}"
            )
    _check_index_bounds(idd, _nonempty_size(sd.shape, dim), dim)
    return dim


@public()
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out=None) -> Tensor:
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` (for ``dim`` 1)."""
    _tensor_arg(index, "gather", "index", 3)
    dim = _gather_checks(input, dim, index)
    result = apply(_gather, (input,), (input._data,), {"index": index._data, "dim": dim})
    return result if out is None else check_out(out, result, "gather")


# ---------------------------------------------------------------------------------- scatter
def _scatter_np(self, index, src, dim, reduce):
    out = self.copy()
    if index.size == 0:
        return out
    if self.ndim == 0:
        flat = out.reshape(1)
        key = (index.reshape(-1),)
        vals = src if not isinstance(src, np.ndarray) else src.reshape(-1)[: index.size]
    else:
        flat = out
        if index.ndim == 0:
            key = (index.reshape(1),)
            vals = src if not isinstance(src, np.ndarray) else src.reshape(-1)[:1]
        else:
            key = _grid(index, dim)
            vals = src if not isinstance(src, np.ndarray) else _src_part(
                src, index.shape) if src.ndim else src
    if reduce is None:
        flat[key] = vals
    elif reduce == "add":
        np.add.at(flat, key, np.asarray(vals, dtype=out.dtype))
    else:
        np.multiply.at(flat, key, np.asarray(vals, dtype=out.dtype))
    return out


@prim("scatter", backward="ScatterBackward0")
def _scatter_src(self, src, *, index, dim):
    return _scatter_np(self, index, src, dim, None)


@prim("scatter_value", backward="ScatterBackward1")
def _scatter_value(self, *, index, dim, value):
    return _scatter_np(self, index, value, dim, None)


@prim("scatter_reduce_legacy", backward="NotImplemented")
def _scatter_reduce(self, src, *, index, dim, reduce):
    return _scatter_np(self, index, src, dim, reduce)


@prim("scatter_value_reduce_legacy", backward="NotImplemented")
def _scatter_value_reduce(self, *, index, dim, value, reduce):
    return _scatter_np(self, index, value, dim, reduce)


def _not_implemented(grad):
    raise RuntimeError("derivative for aten::scatter is not implemented")


_scatter_reduce.defvjp(self=_not_implemented, src=_not_implemented)
_scatter_value_reduce.defvjp(self=_not_implemented)
_scatter_reduce.node_cls.name = _scatter_value_reduce.node_cls.name = \
    lambda self: "torch::autograd::NotImplemented"


def _src_grad(grad: Tensor, index: np.ndarray, dim: int) -> Tensor:
    # torch returns the gathered gradient as is: if src is larger than index, the engine
    # reports an invalid gradient shape, as torch's does.
    return gather(grad, dim, _wrap(index))


_scatter_src.defvjp(
    self=lambda grad, index, dim: scatter(grad, dim, _wrap(index), 0),
    src=lambda grad, index, dim: _src_grad(grad, index, dim),
)
_scatter_value.defvjp(self=lambda grad, index, dim: scatter(grad, dim, _wrap(index), 0))


def _scatter_checks(name: str, self: Tensor, dim: int, index: Tensor, src) -> int:
    sd, idd = self._data, index._data
    nd = max(sd.ndim, 1)
    dim = wrap_dim(dim, nd)
    if idd.dtype != _INT64 and idd.dtype != _INT32:
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != sd.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idd.size == 0:
        return dim
    if nd != max(idd.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = False
    for d in range(nd):
        if d != dim and _nonempty_size(idd.shape, d) > _nonempty_size(sd.shape, d):
            wrong = True
            break
    if not wrong and src is not None:
        ss = src._data.shape
        for d in range(nd):
            if ss and d >= len(ss):
                raise IndexError(
                    f"Dimension out of range (expected to be in range of [{-len(ss)}, "
                    f"{len(ss) - 1}], but got {d})"
                )
            if _nonempty_size(idd.shape, d) > _nonempty_size(ss, d):
                wrong = True
                break
    if wrong:
        msg = (f"Expected index {_sizes(idd.shape)} to be no larger than self {_sizes(sd.shape)} "
               f"apart from dimension {dim}")
        if src is not None:
            msg += f" and to be no larger size than src {_sizes(src._data.shape)}"
        raise RuntimeError(msg)
    _check_index_bounds(idd, _nonempty_size(sd.shape, dim), dim)
    return dim


@public(inplace=True)
def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None,
            out=None) -> Tensor:
    """Write ``src`` (or ``value``) into a copy of ``input`` at ``index`` along ``dim``."""
    _tensor_arg(index, "scatter", "index", 3)
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if isinstance(src, Tensor):
        dim = _scatter_checks("scatter", input, dim, index, src)
        arrays = (input._data, src._data)
        params = {"index": index._data, "dim": dim}
        if reduce is None:
            result = apply(_scatter_src, (input, src), arrays, params)
        else:
            warnings.warn(
                "The reduce argument of ember.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use ember.scatter_reduce instead for more "
                "reduction options.", UserWarning, stacklevel=2)
            params["reduce"] = reduce
            result = apply(_scatter_reduce, (input, src), arrays, params)
    else:
        if not isinstance(src, (bool, int, float, np.number, np.bool_)):
            raise TypeError(
                f"scatter(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}"
            )
        dim = _scatter_checks("scatter", input, dim, index, None)
        v = _scalar_value(src, input._data.dtype, False)
        params = {"index": index._data, "dim": dim, "value": v}
        if reduce is None:
            result = apply(_scatter_value, (input,), (input._data,), params)
        else:
            params["reduce"] = reduce
            result = apply(_scatter_value_reduce, (input,), (input._data,), params)
    return result if out is None else check_out(out, result, "scatter")


@prim("scatter_add")
def _scatter_add(self, src, *, index, dim):
    return _scatter_np(self, index, src, dim, "add")


_scatter_add.defvjp(
    self=lambda grad: grad,
    src=lambda grad, index, dim: _src_grad(grad, index, dim),
)


@public(inplace=True)
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor, *, out=None) -> Tensor:
    """Add ``src`` into a copy of ``input`` at ``index`` along ``dim`` (duplicates sum)."""
    _tensor_arg(index, "scatter_add", "index", 3)
    _tensor_arg(src, "scatter_add", "src", 4)
    dim = _scatter_checks("scatter_add", input, dim, index, src)
    result = apply(_scatter_add, (input, src), (input._data, src._data),
                   {"index": index._data, "dim": dim})
    return result if out is None else check_out(out, result, "scatter_add")


# ---------------------------------------------------------------------------------- index_select
def _along(dim: int, index: np.ndarray):
    return (_FULL,) * dim + (index,)


@prim("index_select")
def _index_select(self, *, index, dim):
    if self.ndim == 0:
        return self.copy()  # the index is a single 0 (checked)
    return self[_along(dim, index.reshape(-1))]


_index_select.defvjp(self=lambda grad, self_shape, index, dim: index_add(
    _zeros(self_shape, grad), dim, _wrap(index), grad if self_shape else grad.reshape(())))


@public()
def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    """The entries ``index`` (a vector) of ``input`` along ``dim``."""
    _tensor_arg(index, "index_select", "index", 3)
    sd, idd = input._data, index._data
    dim = wrap_dim(dim, max(sd.ndim, 1))
    if idd.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idd.dtype != _INT64 and idd.dtype != _INT32:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if sd.ndim == 0 and idd.size != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {idd.size} value(s)"
        )
    size = _nonempty_size(sd.shape, dim)
    if idd.size:
        bad = (idd >= size) | (idd < 0)
        if bad.any():
            raise RuntimeError(
                f"INDICES element is out of DATA bounds, id={int(idd[bad].flat[0])} "
                f"axis_dim={size}"
            )
    result = apply(_index_select, (input,), (sd,), {"index": idd, "dim": dim})
    return result if out is None else check_out(out, result, "index_select")


# ---------------------------------------------------------------------------------- masked ops
def _check_mask(mask, name: str) -> np.ndarray:
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name}(): argument 'mask' (position 2) must be Tensor, not "
                        f"{type(mask).__name__}")
    return mask._data


@prim("masked_select")
def _masked_select(self, *, mask):
    shape = np.broadcast_shapes(self.shape, mask.shape)
    return np.broadcast_to(self, shape)[np.broadcast_to(mask, shape)]


_masked_select.defvjp(self=lambda grad, self_shape, mask: masked_scatter(
    _zeros(np.broadcast_shapes(tuple(self_shape), mask.shape), grad), _wrap(mask), grad))


@public()
def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    """The entries of ``input`` where ``mask`` (broadcast) is True, as a 1-d tensor."""
    md = _check_mask(mask, "masked_select")
    if md.dtype != _BOOL:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    broadcast_shapes(md.shape, input._data.shape)
    result = apply(_masked_select, (input,), (input._data,), {"mask": md})
    return result if out is None else check_out(out, result, "masked_select")


@prim("masked_scatter")
def _masked_scatter(self, source, *, mask):
    shape = np.broadcast_shapes(self.shape, mask.shape)
    out = np.array(np.broadcast_to(self, shape))
    m = np.broadcast_to(mask, shape)
    n = int(np.count_nonzero(m))
    out[m] = source.reshape(-1)[:n]
    return out


def _pad_to(g: Tensor, n: int) -> Tensor:
    k = g._data.shape[0]
    if k == n:
        return g
    out = _zeros((n,), g)
    out[:k] = g
    return out


_masked_scatter.defvjp(
    self=lambda grad, mask: grad.masked_fill(_wrap(mask), 0),
    source=lambda grad, mask, source_shape: _pad_to(masked_select(grad, _wrap(mask)), int(
        np.prod(source_shape, dtype=np.int64))).reshape(tuple(source_shape)),
)


def _masked_scatter_checks(input: Tensor, mask, source) -> None:
    md = _check_mask(mask, "masked_scatter")
    _tensor_arg(source, "masked_scatter", "source", 3)
    if md.dtype != _BOOL:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with dtype "
                           + _legacy(md))
    sd, vd = input._data, source._data
    if sd.dtype != vd.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_legacy(sd)} and {_legacy(vd)}")


@public()
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the entries where ``mask`` is True taken, in order, from ``source``."""
    _masked_scatter_checks(input, mask, source)
    md = mask._data
    shape = broadcast_shapes(md.shape, input._data.shape)
    if int(np.count_nonzero(np.broadcast_to(md, shape))) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return apply(_masked_scatter, (input, source), (input._data, source._data), {"mask": md})


@public(function=False)
def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """In-place ``masked_scatter`` (the mask broadcasts to ``self``)."""
    _masked_scatter_checks(self, mask, source)
    md = mask._data
    _check_expand(md.shape, self._data.shape, md.dtype)
    if STATE.enabled:
        if self._base is not None:
            refresh(self)
        check_inplace(self)
    if int(np.count_nonzero(np.broadcast_to(md, self._data.shape))) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    r = apply(_masked_scatter, (self, source), (self._data, source._data), {"mask": md})
    return commit(self, r)


# ---------------------------------------------------------------------------------- take, put
@prim("take")
def _take(self, *, index):
    return self.reshape(-1)[index]


_take.defvjp(self=lambda grad, self_shape, index: put(_zeros(self_shape, grad), _wrap(index), grad,
                                                       accumulate=True))


def _check_flat_bounds(index: np.ndarray, n: int) -> None:
    if index.size:
        bad = (index >= n) | (index < -n)
        if bad.any():
            raise IndexError(
                f"out of range: tried to access index {int(index[bad].flat[0])} on a tensor of "
                f"{n} elements."
            )


@public()
def take(input: Tensor, index: Tensor) -> Tensor:
    """``input`` read as 1-d at ``index`` (result shaped like ``index``)."""
    _tensor_arg(index, "take", "index", 2)
    idd = index._data
    if idd.dtype != _INT64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_legacy(idd)}")
    _check_flat_bounds(idd, input._data.size)
    return apply(_take, (input,), (input._data,), {"index": idd})


@prim("put")
def _put(self, source, *, index, accumulate):
    out = self.copy()
    flat = out.reshape(-1)
    idx = index.reshape(-1)
    src = source.reshape(-1)
    if accumulate:
        np.add.at(flat, idx, src)
    else:
        flat[idx] = src
    return out


_put.defvjp(
    self=lambda grad, index, source_shape, accumulate: grad if accumulate else put(
        grad, _wrap(index), _zeros(source_shape, grad)),
    source=lambda grad, index, source_shape: take(grad, _wrap(index)).reshape(
        tuple(source_shape)),
)


@public(inplace=True)
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` read as 1-d, with ``source`` written (or added) at ``index``."""
    _tensor_arg(index, "put", "index", 2)
    _tensor_arg(source, "put", "source", 3)
    idd, vd, sd = index._data, source._data, input._data
    if idd.dtype != _INT64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_legacy(idd)}")
    if vd.size != idd.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {vd.size}, index.numel() = {idd.size}"
        )
    if vd.dtype != sd.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_legacy(sd)} and source.dtype = {_legacy(vd)}"
        )
    _check_flat_bounds(idd, sd.size)
    return apply(_put, (input, source), (sd, vd), {"index": idd, "accumulate": bool(accumulate)})


# ---------------------------------------------------------------------------------- take_along_dim
@public()
def take_along_dim(input: Tensor, indices: Tensor, dim=None, *, out=None) -> Tensor:
    """``gather`` after broadcasting ``input`` and ``indices`` (all but ``dim``)."""
    _tensor_arg(indices, "take_along_dim", "indices", 2)
    sd, idd = input._data, indices._data
    if idd.dtype != _INT64:
        raise RuntimeError(
            f"ember.take_along_dim(): dtype of indices should be Long but got {_legacy(idd)}"
        )
    if dim is None:
        result = gather(input.view(-1), 0, indices.view(-1))
    else:
        if sd.ndim != idd.ndim:
            raise RuntimeError(
                "ember.take_along_dim(): input and indices should have the same number of "
                f"dimensions, but got {sd.ndim} dimensions for input, and {idd.ndim} dimensions "
                "for indices"
            )
        dim = wrap_dim(dim, max(sd.ndim, 1))
        if sd.ndim:
            s = list(sd.shape)
            s[dim] = idd.shape[dim]
            ishape = broadcast_shapes(tuple(s), idd.shape)
            t = list(idd.shape)
            t[dim] = sd.shape[dim]
            sshape = broadcast_shapes(tuple(t), sd.shape)
            if ishape != idd.shape:
                indices = indices.expand(ishape)
            if sshape != sd.shape:
                input = input.expand(sshape)
        result = gather(input, dim, indices)
    return result if out is None else check_out(out, result, "take_along_dim")


# ---------------------------------------------------------------------------------- index_add & co
@prim("index_add")
def _index_add(self, source, *, index, dim, alpha):
    out = self.copy()
    flat = out.reshape(1) if out.ndim == 0 else out
    src = source.reshape((1,) * flat.ndim) if source.ndim == 0 else source
    if alpha != 1:
        src = np.multiply(src, alpha).astype(out.dtype)
    np.add.at(flat, _along(dim, index.reshape(-1)), src)
    return out


def _index_add_source_grad(grad, index, source_shape, dim, alpha):
    g = index_select(grad, dim, _wrap(index)).reshape(tuple(source_shape)) if grad._data.ndim else \
        grad.reshape(tuple(source_shape))
    return g if alpha == 1 else g * alpha


_index_add.defvjp(self=lambda grad: grad, source=_index_add_source_grad)


@public(inplace=True)
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1,
              out=None) -> Tensor:
    """Add ``alpha * source`` into a copy of ``input`` at ``index`` along ``dim``."""
    _tensor_arg(index, "index_add", "index", 3)
    _tensor_arg(source, "index_add", "source", 4)
    sd, idd, vd = input._data, index._data, source._data
    dim = wrap_dim(dim, max(sd.ndim, 1))
    if idd.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idd.ndim} with type: "
            f"{_legacy(idd)} and size: {_sizes(idd.shape)}"
        )
    if idd.dtype != _INT64 and idd.dtype != _INT32:
        raise RuntimeError(
            f"index_add_(): Expected dtype int32/int64 for index but got: {_legacy(idd)}"
        )
    if sd.dtype != vd.dtype:
        raise RuntimeError(
            f"index_add_(): self ({_legacy(sd)}) and source ({_legacy(vd)}) must have the same "
            "scalar type"
        )
    if not (dim == 0 or dim < vd.ndim):
        raise RuntimeError(
            f"index_add_(): Indexing dim {dim} is out of bounds of the source tensor with dim "
            f"{vd.ndim}"
        )
    n = 1 if vd.ndim == 0 else vd.shape[dim]
    if idd.size != n:
        raise RuntimeError(
            f"index_add_(): Number of indices ({idd.size}) should be equal to source.size(dim): "
            f"({n}), for dim: {dim}"
        )
    ss, vs = list(sd.shape), list(vd.shape)
    if vd.ndim and sd.ndim:
        del ss[dim]
        del vs[dim]
    if ss != vs:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {_sizes(sd.shape)} source.shape = {_sizes(vd.shape)}"
        )
    size = _nonempty_size(sd.shape, dim)
    _check_index_bounds(idd, size, dim)
    result = apply(_index_add, (input, source), (sd, vd),
                   {"index": idd, "dim": dim, "alpha": alpha})
    return result if out is None else check_out(out, result, "index_add")


def _index_checks_fill(sd: np.ndarray, dim: int, idd: np.ndarray) -> int:
    if idd.dtype != _INT64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    dim = wrap_dim(dim, max(sd.ndim, 1))
    if idd.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = _nonempty_size(sd.shape, dim)
    if idd.size:
        bad = (idd >= size) | (idd < -size)
        if bad.any():
            raise IndexError(
                f"index {int(idd[bad].flat[0])} is out of bounds for dimension {dim} with size "
                f"{size}"
            )
    return dim


def _index_fill_np(self, index, value, dim):
    out = self.copy()
    if out.ndim == 0:
        out.reshape(1)[index.reshape(-1)] = value
    else:
        out[_along(dim, index.reshape(-1))] = value
    return out


@prim("index_fill")
def _index_fill(self, *, index, dim, value):
    return _index_fill_np(self, index, value, dim)


@prim("index_fill_tensor", backward="IndexFillBackward1")
def _index_fill_t(self, value, *, index, dim):
    return _index_fill_np(self, index, value.astype(self.dtype), dim)


def _index_fill_value_grad(grad, index, dim):
    if not grad._data.ndim:
        return grad
    return index_select(grad, dim, _unique(index)).sum()


def _unique(index: np.ndarray) -> Tensor:
    # torch sums the value's gradient over the distinct indices only.
    return _wrap(np.unique(index.reshape(-1)))


_index_fill.defvjp(self=lambda grad, index, dim: index_fill(grad, dim, _wrap(index), 0))
_index_fill_t.defvjp(
    self=lambda grad, index, dim: index_fill(grad, dim, _wrap(index), 0),
    value=_index_fill_value_grad,
)


@public(inplace=True)
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with the entries ``index`` along ``dim`` set to ``value``."""
    _tensor_arg(index, "index_fill", "index", 3)
    sd, idd = input._data, index._data
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    dim = _index_checks_fill(sd, dim, idd)
    if isinstance(value, Tensor):
        _scalar_value(value.item(), sd.dtype, False)  # torch's overflow check
        return apply(_index_fill_t, (input, value), (sd, value._data), {"index": idd, "dim": dim})
    v = _scalar_value(value, sd.dtype, False)
    return apply(_index_fill, (input,), (sd,), {"index": idd, "dim": dim, "value": v})


index_fill._overlap_ok = True


@prim("index_copy")
def _index_copy(self, source, *, index, dim):
    out = self.copy()
    if out.ndim == 0:
        out.reshape(1)[index.reshape(-1)] = source.reshape(-1)
    else:
        out[_along(dim, index.reshape(-1))] = source
    return out


_index_copy.defvjp(
    self=lambda grad, index, dim: index_fill(grad, dim, _wrap(index), 0),
    source=lambda grad, index, dim, source_shape: index_select(grad, dim, _wrap(index)).reshape(
        tuple(source_shape)) if grad._data.ndim else grad.reshape(tuple(source_shape)),
)


@public(inplace=True)
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the entries ``index`` along ``dim`` taken from ``source``."""
    if _reg._autocast is not None:  # autocast entry point: promote to the widest float
        input, index, source = _reg.cast_args_impl("index_copy", (input, index, source))
    _tensor_arg(index, "index_copy", "index", 3)
    _tensor_arg(source, "index_copy", "source", 4)
    sd, idd, vd = input._data, index._data, source._data
    dim = wrap_dim(dim, max(sd.ndim, 1))
    if idd.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idd.ndim})")
    n = idd.size
    if vd.ndim == 0 and n != 1:
        raise IndexError(
            f"index_copy_(): When source is scalar, index should have one element (got {n})"
        )
    if vd.ndim != sd.ndim and vd.ndim and sd.ndim:
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({vd.ndim}), destination dimensionality "
            f"({sd.ndim})"
        )
    if idd.dtype != _INT64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {_legacy(idd)}"
        )
    if sd.dtype != vd.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_legacy(sd)} and (source) {_legacy(vd)}"
        )
    ss, vs = list(sd.shape), list(vd.shape)
    if ss:
        del ss[dim]
    if vs:
        del vs[min(dim, len(vs) - 1)]
    if ss != vs:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {_vec(ss)} at dimension {dim} and source slice shape: {_vec(vs)} at "
            "dimension 0."
        )
    if vd.ndim and n != vd.shape[dim]:
        raise IndexError(
            f"index_copy_(): Number of indices ({n}) should be equal to source.size(dim) "
            f"({vd.shape[dim]})"
        )
    size = _nonempty_size(sd.shape, dim)
    if idd.size:
        bad = (idd >= size) | (idd < 0)
        if bad.any():
            raise IndexError(
                f"index_copy_(): index {int(idd[bad].flat[0])} is out of bounds for dimension "
                f"{dim} with size {size}"
            )
    return apply(_index_copy, (input, source), (sd, vd), {"index": idd, "dim": dim})


def _vec(v: list) -> str:
    # c10 prints a std::vector as its elements separated by spaces.
    return " ".join(str(x) for x in v)


# ---------------------------------------------------------------------------------- where
@prim("where")
def _where(self, other, *, condition):
    return np.where(condition, self, other)


_where.defvjp(
    self=lambda grad, condition: where(_wrap(condition), grad, 0.0),
    other=lambda grad, condition: where(_wrap(condition), 0.0, grad),
)


@public(method=False)
def where(condition: Tensor, input=None, other=None, *, out=None):
    """Pick ``input`` where ``condition`` holds, else ``other`` (scalars allowed)."""
    if input is None and other is None:
        from .reduction import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError("where(): argument 'condition' (position 1) must be Tensor, not "
                        + type(condition).__name__)
    cd = condition._data
    if cd.dtype != _BOOL:
        if cd.dtype != _UINT8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                + condition.dtype._legacy
            )
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning, stacklevel=2)
        cd = cd.astype(_BOOL)
    dt = P.result_type_of([input, other])._np
    xs = []
    arrays = []
    for x in (input, other):
        if isinstance(x, Tensor):
            xs.append(x)
            arrays.append(x._data if x._data.dtype == dt else x._data.astype(dt))
        else:
            xs.append(None)
            arrays.append(np.asarray(x.item() if isinstance(x, np.generic) else x).astype(dt))
    broadcast_shapes(cd.shape, *[a.shape for a in arrays])
    result = apply(_where, tuple(xs), tuple(arrays), {"condition": cd})
    if out is not None:
        return check_out(out, result, "where")
    return result


def _where_method(self: Tensor, condition: Tensor, other) -> Tensor:
    """``self.where(condition, other)``: torch's method puts ``self`` second."""
    return where(condition, self, other)


# The registry binds a public op as a method with the same signature; Tensor.where's differs.
Tensor.where = _where_method


# ---------------------------------------------------------------------------------- masked_fill
@prim("masked_fill")
def _masked_fill(self, *, mask, value):
    return np.where(mask, value, self)


_masked_fill.defvjp(self=lambda grad, mask: grad.masked_fill(_wrap(mask), 0))


@prim("masked_fill_tensor", backward="MaskedFillBackward1")
def _masked_fill_tensor(self, value, *, mask):
    return np.where(mask, value.astype(self.dtype), self)


_masked_fill_tensor.defvjp(
    self=lambda grad, mask: grad.masked_fill(_wrap(mask), 0),
    value=lambda grad, mask: where(_wrap(mask), grad, 0.0).sum(),
)


@public(inplace=True)
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``value`` where ``mask`` is True, else ``input``."""
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' (position 2) must be Tensor, not "
                        f"{type(mask).__name__}")
    md = mask._data
    if md.dtype != _BOOL:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           + _C_MASK.get(md.dtype.name, md.dtype.name))
    broadcast_shapes(md.shape, input._data.shape)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        _scalar_value(value.item(), input._data.dtype, False)  # torch's overflow check
        return apply(_masked_fill_tensor, (input, value), (input._data, value._data),
                     {"mask": md})
    v = _scalar_value(value, input._data.dtype, False)
    return apply(_masked_fill, (input,), (input._data,), {"mask": md, "value": v})


masked_fill._overlap_ok = True

_C_MASK = {"uint8": "unsigned char", "int64": "long int", "int32": "int", "int16": "short int",
           "int8": "signed char", "float32": "float", "float64": "double",
           "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


# ---------------------------------------------------------------------------------- search
def _search_side(name, right, side):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"ember.{name}(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"ember.{name}(): side and right can't be set to opposites, got "
                               "side of left while right was True")
        return side
    return "right" if right else "left"


def _search_np(seq, values, side, int32, dt):
    """torch's binary search, run for every value at once (log2(n) vectorised steps).

    Its comparisons (``!(mid >= v)`` / ``!(mid > v)``) decide where NaNs land, so NumPy's
    searchsorted (which orders NaN last) is not used."""
    n = seq.shape[-1]
    rows = seq.reshape(math.prod(seq.shape[:-1]), n)
    vals = values.reshape(rows.shape[0], -1) if seq.ndim > 1 else values.reshape(1, -1)
    # compare in the common dtype, as torch does
    rows, vals = rows.astype(dt, copy=False), vals.astype(dt, copy=False)
    start = np.zeros(vals.shape, np.int64)
    end = np.full(vals.shape, n, np.int64)
    r = np.arange(rows.shape[0])[:, None]
    active = start < end
    while active.any():
        mid = (start + end) >> 1
        mv = rows[r, np.minimum(mid, n - 1)]
        right = ~(mv > vals) if side == "right" else ~(mv >= vals)
        start = np.where(active & right, mid + 1, start)
        end = np.where(active & ~right, mid, end)
        active = start < end
    return _wrap(start.reshape(values.shape).astype(np.int32 if int32 else np.int64))


@public(method=False)
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None, out=None) -> Tensor:
    """Indices where ``input`` would be inserted into the innermost dim of ``sorted_sequence``."""
    side = _search_side("searchsorted", right, side)
    seq = sorted_sequence._data
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    if seq.ndim == 0:
        raise RuntimeError("ember.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if values.ndim == 0 and seq.ndim > 1 and not isinstance(input, Tensor):
        raise RuntimeError(
            "ember.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and input value's "
            f"dim(0) numel(1)")
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "ember.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        srt = sorter._data
        if srt.dtype != np.int64:
            raise RuntimeError("ember.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {sorter.dtype._legacy}")
        if srt.shape != seq.shape:
            raise RuntimeError(
                "ember.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(seq.shape)}and got sorter tensor {list(srt.shape)}")
        if srt.size and (srt.min() < 0 or srt.max() >= seq.shape[-1]):
            raise RuntimeError("ember.searchsorted(): sorter index out of range")
        seq = np.take_along_axis(seq, srt, -1)
    dt = P.result_type_of((sorted_sequence, input))._np
    result = _search_np(seq, values, side, out_int32, dt)
    return result if out is None else check_out(out, result, "searchsorted")


@public(method=False)
def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False,
              out=None) -> Tensor:
    """The bucket of each value of ``input`` among the 1-D sorted ``boundaries``."""
    b = boundaries._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    dt = P.result_type_of((input, boundaries))._np
    result = _search_np(b, values, "right" if right else "left", out_int32, dt)
    return result if out is None else check_out(out, result, "bucketize")


_ISIN_SIGS = ("Tensor elements, Tensor test_elements", "Number element, Tensor test_elements",
              "Tensor elements, Number test_element")


@public(method=False)
def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False,
         out=None) -> Tensor:
    """Whether each of ``elements`` is in ``test_elements`` (either may be a scalar)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(
            f"isin() received an invalid combination of arguments - got "
            f"({type(elements).__name__}, {type(test_elements).__name__}), but expected one of:\n"
            + "".join(f" * ({a}, *, bool assume_unique = False, bool invert = False, "
                      "Tensor out = None)\n" for a in _ISIN_SIGS))
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    if e.dtype == np.bool_ or t.dtype == np.bool_:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    # compare in the promoted dtype, as torch does
    dt = P.result_type_of((elements, test_elements))._np
    result = _wrap(np.isin(e.astype(dt, copy=False), t.astype(dt, copy=False),
                           assume_unique=assume_unique, invert=invert))
    return result if out is None else check_out(out, result, "isin")


@public(method=False)
def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates in ``shape`` of the flat ``indices`` (a tuple of int64 tensors)."""
    d = indices._data
    if d.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, Tensor):
        raise TypeError("expected 'shape' to be int or sequence of ints, but got "
                        "<class 'ember.Tensor'>")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for s in shape:
        if not isinstance(s, int):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(s)}")
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if 0 in shape and d.size:
        raise RuntimeError("ZeroDivisionError")  # torch's text, verbatim
    idx = d.astype(np.int64)
    coords = []
    for s in reversed(shape):  # torch wraps with floor division, like Python's divmod
        idx, c = np.divmod(idx, s)
        coords.append(c)
    return tuple(_wrap(c) for c in reversed(coords))
