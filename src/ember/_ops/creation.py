"""Tensor creation: from data, filled, ranges, identity, and the ``*_like`` forms."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._device import as_device
from .._tensor import Tensor, _wrap
from ._util import check_out, shape_arg, to_np_dtype
from .registry import public

_DEF = D._DefaultDtype


def _finish(t: Tensor, requires_grad: bool, device=None) -> Tensor:
    if device is not None:
        dev = as_device(device)
        if dev.type != "cpu":
            from ..cuda import _lazy_init

            _lazy_init()
    if requires_grad:
        t.requires_grad_(True)
    return t


def _check_sizes(size: tuple, name: str) -> None:
    for s in size:
        if s < 0:
            raise RuntimeError(f"{name}: Dimension size must be non-negative.")


def _infer_np_dtype(data) -> np.dtype:
    """torch.tensor's dtype inference for Python data: bool < int64 < default float."""
    kind = _scan_kind(data)
    if kind == 2:
        return _DEF.value._np
    if kind == 1:
        return np.dtype(np.int64)
    if kind == 0:
        return np.dtype(np.bool_)
    return _DEF.value._np  # empty sequences


def _scan_kind(data) -> int:
    # -1: no elements, 0: bool, 1: int, 2: float.
    if isinstance(data, bool):
        return 0
    if isinstance(data, int):
        return 1
    if isinstance(data, float):
        return 2
    if isinstance(data, Tensor):
        return {D.BOOL: 0, D.INTEGRAL: 1, D.FLOATING: 2}[data.dtype._cat]
    if isinstance(data, np.generic):
        k = data.dtype.kind
        return 0 if k == "b" else 1 if k in "iu" else 2
    if isinstance(data, np.ndarray):
        k = data.dtype.kind
        return 0 if k == "b" else 1 if k in "iu" else 2
    if isinstance(data, (list, tuple)):
        kind = -1
        for x in data:
            kind = max(kind, _scan_kind(x))
            if kind == 2:
                break
        return kind
    if isinstance(data, complex):
        raise TypeError("ember does not support complex tensors")
    raise TypeError(f"new(): invalid data type '{type(data).__name__}'")


def _check_rectangular(data, dim: int = 0) -> None:
    """torch's error for ragged nested sequences."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    if isinstance(first, (list, tuple)):
        n = len(first)
        for x in data:
            if not isinstance(x, (list, tuple)) or len(x) != n:
                got = len(x) if isinstance(x, (list, tuple)) else type(x).__name__
                raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {got})")
            _check_rectangular(x, dim + 1)


def _to_array(data, np_dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        return np.array(data._data, dtype=np_dtype, copy=True)
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=np_dtype, copy=True)
    _check_rectangular(data)
    try:
        arr = np.array(data, dtype=np_dtype if np_dtype.kind != "V" else np.float64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except ValueError:
        # Floats into an integer dtype: torch truncates toward zero.
        arr = np.array(data, dtype=np.float64)
    if arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    return arr


@public(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, arrays or tensors)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True)"
            ", rather than ember.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    np_dtype = to_np_dtype(dtype)
    if np_dtype is None:
        if isinstance(data, Tensor):
            np_dtype = data._data.dtype
        elif isinstance(data, np.ndarray):
            np_dtype = D.from_numpy_dtype(data.dtype)._np
        elif isinstance(data, np.generic):
            np_dtype = D.from_numpy_dtype(data.dtype)._np
            if np_dtype == np.float64:
                np_dtype = np.dtype(np.float64)
        else:
            np_dtype = _infer_np_dtype(data)
    return _finish(_wrap(_to_array(data, np_dtype)), requires_grad, device)


@public(method=False)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with a tensor or array of the right dtype."""
    np_dtype = to_np_dtype(dtype)
    if isinstance(data, Tensor):
        if np_dtype is None or data._data.dtype == np_dtype:
            return data
        return data.to(D._FROM_NP[np_dtype])
    if isinstance(data, np.ndarray) and (np_dtype is None or data.dtype == np_dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


@public(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """Like ``as_tensor``; ``copy=True`` always copies."""
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype)
    return _finish(t, requires_grad, device)


@public(method=False)
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around this "
            "by making a copy of your array  with array.copy().) "
        )
    if not ndarray.dtype.isnative:
        ndarray = ndarray.astype(ndarray.dtype.newbyteorder("="))
    return _wrap(ndarray)


def _filled(name: str, size, fill, dtype, requires_grad, device, out=None) -> Tensor:
    shape = shape_arg(size)
    _check_sizes(shape, name)
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    if fill is None:
        arr = np.empty(shape, dtype=np_dtype)
    elif fill == 0:
        arr = np.zeros(shape, dtype=np_dtype)
    else:
        arr = np.full(shape, fill, dtype=np_dtype)
    t = _wrap(arr)
    if out is not None:
        return check_out(out, t, name)
    return _finish(t, requires_grad, device)


@public(method=False)
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _filled("zeros", size, 0, dtype, requires_grad, device, out)


@public(method=False)
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False) -> Tensor:
    """A tensor of ones of the given size."""
    return _filled("ones", size, 1, dtype, requires_grad, device, out)


@public(method=False)
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialised tensor of the given size."""
    return _filled("empty", size, None, dtype, requires_grad, device, out)


def _scalar_np_dtype(value) -> np.dtype:
    if isinstance(value, bool):
        return np.dtype(np.bool_)
    if isinstance(value, int):
        return np.dtype(np.int64)
    return _DEF.value._np


@public(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    np_dtype = to_np_dtype(dtype) or _scalar_np_dtype(fill_value)
    shape = shape_arg((size,))
    _check_sizes(shape, "full")
    t = _wrap(np.full(shape, fill_value, dtype=np_dtype))
    if out is not None:
        return check_out(out, t, "full")
    return _finish(t, requires_grad, device)


def scalar_tensor_like(value, like: Tensor) -> Tensor:
    """A 0-dim tensor for a Python scalar operand (dtype as torch wraps numbers)."""
    return _wrap(np.asarray(value, dtype=_scalar_np_dtype(value)))


@public(method=False)
def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    return _finish(_wrap(np.asarray(s, dtype=np_dtype)), requires_grad, device)


def _like(name, input, fill, dtype, requires_grad, device) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    np_dtype = to_np_dtype(dtype) or input._data.dtype
    shape = input._data.shape
    if fill is None:
        arr = np.empty(shape, dtype=np_dtype)
    elif fill == 0:
        arr = np.zeros(shape, dtype=np_dtype)
    else:
        arr = np.full(shape, fill, dtype=np_dtype)
    return _finish(_wrap(arr), requires_grad, device)


@public(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    return _like("zeros_like", input, 0, dtype, requires_grad, device)


@public(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``input``."""
    return _like("ones_like", input, 1, dtype, requires_grad, device)


@public(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """An uninitialised tensor shaped like ``input``."""
    return _like("empty_like", input, None, dtype, requires_grad, device)


@public(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    """``fill_value`` everywhere, shaped like ``input``."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _like("full_like", input, fill_value, dtype, requires_grad, device)


def _new_factory(fill):
    def new(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
        np_dtype = to_np_dtype(dtype) or self._data.dtype
        if fill == "full":
            size, value = size[0], size[1]
            t = _wrap(np.full(shape_arg((size,)), value, dtype=np_dtype))
        else:
            shape = shape_arg(size)
            t = _wrap(np.zeros(shape, np_dtype) if fill == 0 else
                      np.ones(shape, np_dtype) if fill == 1 else np.empty(shape, np_dtype))
        return _finish(t, requires_grad, device)

    return new


new_zeros = public("new_zeros", function=False)(_new_factory(0))
new_ones = public("new_ones", function=False)(_new_factory(1))
new_empty = public("new_empty", function=False)(_new_factory(None))
new_full = public("new_full", function=False)(_new_factory("full"))


@public(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor from ``data``, with this tensor's dtype unless ``dtype`` is given."""
    np_dtype = to_np_dtype(dtype) or self._data.dtype
    return _finish(_wrap(_to_array(data, np_dtype)), requires_grad, device)


def _num(x):
    return x.item() if isinstance(x, (Tensor, np.generic)) else x


@public(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values ``start, start + step, ...`` up to (not including) ``end``."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    np_dtype = to_np_dtype(dtype)
    if np_dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        np_dtype = _DEF.value._np if is_float else np.dtype(np.int64)
    n = math.ceil((end - start) / step)
    if np_dtype.kind in "iu":
        arr = (np.arange(n, dtype=np.int64) * int(step) + int(start)).astype(np_dtype)
        if not all(isinstance(v, int) for v in (start, step)):
            arr = (start + np.arange(n, dtype=np.float64) * step).astype(np_dtype)
    else:
        # torch computes start + i * step in double, then rounds once.
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(np_dtype)
    t = _wrap(arr)
    if out is not None:
        return check_out(out, t, "arange")
    return _finish(t, requires_grad, device)


@public("range", method=False)
def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in torch: like arange but including ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(np_dtype)
    return _finish(_wrap(arr), requires_grad, device)


def _linspace_np(start: float, end: float, steps: int) -> np.ndarray:
    # torch fills the first half from start and the second half from end, symmetrically.
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(i < half, start + step * i, end - step * (steps - i - 1))


@public(method=False)
def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    arr = _linspace_np(float(start), float(end), steps) if steps else np.empty(0)
    if np_dtype.kind in "iu":
        arr = np.trunc(arr)
    t = _wrap(arr.astype(np_dtype))
    if out is not None:
        return check_out(out, t, "linspace")
    return _finish(t, requires_grad, device)


@public(method=False)
def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None,
             layout=None, device=None, requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    arr = _linspace_np(float(_num(start)), float(_num(end)), steps) if steps else np.empty(0)
    t = _wrap(np.power(float(base), arr).astype(np_dtype))
    if out is not None:
        return check_out(out, t, "logspace")
    return _finish(t, requires_grad, device)


@public(method=False)
def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    np_dtype = to_np_dtype(dtype) or _DEF.value._np
    t = _wrap(np.eye(n, n if m is None else m, dtype=np_dtype))
    if out is not None:
        return check_out(out, t, "eye")
    return _finish(t, requires_grad, device)
