"""Tensor creation: from data, filled, ranges, identity, and the ``*_like`` / ``new_*`` forms.

Each factory follows torch's Python argument parsing (sizes as varargs or one sequence, dtype
inference, checked scalar conversion) and its CPU kernels' arithmetic, so values are bit-exact:
``arange``/``linspace`` replay the vectorised loops and the fused multiply-adds GCC emitted,
``logspace`` the unfused double arithmetic (see the notes at each op).
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from .. import _dtype as D
from .._device import as_device
from .._promotion import promote_types
from .._random import _type_name, fma32, fma64
from .._tensor import Tensor, _wrap
from ._util import check_out
from .registry import public

_DEF = D._DefaultDtype
_MISSING = object()
_MAX_DIMS = 64  # NumPy's limit on dimensions
_F16 = np.dtype(np.float16)
_BF16 = D.bfloat16._np
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_I64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)


# ---------------------------------------------------------------------------------- arguments
def _finish(t: Tensor, requires_grad: bool, device=None) -> Tensor:
    """Apply a factory's ``device`` and ``requires_grad`` arguments to a fresh tensor."""
    if device is not None:
        dev = as_device(device)
        if dev.type != "cpu":
            from ..cuda import _lazy_init

            _lazy_init()
    if requires_grad:
        if t._data.dtype.kind not in "fV":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _check_device(device) -> None:
    if device is not None and as_device(device).type != "cpu":
        from ..cuda import _lazy_init

        _lazy_init()


def _check_rg(np_dtype: np.dtype, requires_grad: bool) -> None:
    if requires_grad and np_dtype.kind not in "fV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")


def dtype_arg(fname: str, dtype) -> np.dtype | None:
    """A factory's ``dtype`` argument as a NumPy dtype (None stays None)."""
    if dtype is None:
        return None
    if isinstance(dtype, D.dtype):
        return dtype._np
    if dtype is float:
        return _F64
    if dtype is int:
        return _I64
    if dtype is bool:
        return _BOOL
    raise TypeError(f"{fname}(): argument 'dtype' must be ember.dtype, not {_type_name(dtype)}")


def _is_index(x) -> bool:
    """THPUtils_checkIndex: an int-like that is not a bool."""
    if isinstance(x, bool):
        return False
    if isinstance(x, (int, np.integer)):
        return True
    if isinstance(x, Tensor):
        return x._data.size == 1 and x._data.dtype.kind in "iub"
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def _size_elem_ok(x) -> bool:
    # torch's is_int_or_symint: only the first element of a size sequence is checked early.
    if isinstance(x, Tensor):
        return x._data.size == 1 and x._data.dtype.kind in "iub"
    return _is_index(x)


def size_arg(fname: str, args: tuple, size=_MISSING, name: str = "size",
             pos: int | None = None) -> tuple:
    """torch's parsing of an ``int[] size`` parameter given as varargs or keyword
    (``pos``: the position of a size passed positionally to a non-varargs signature)."""
    if size is not _MISSING:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument '{name}'")
        seq = size
        where = f"argument '{name}'" if pos is None else f"argument '{name}' (position {pos})"
    else:
        if not args:
            raise TypeError(f'{fname}() missing 1 required positional arguments: "{name}"')
        if _is_index(args[0]):
            seq = args  # varargs: f(2, 3)
        elif len(args) > 1:
            raise TypeError(f"{fname}() takes 1 positional argument but {len(args)} were given")
        else:
            seq = args[0]
        where = f"argument '{name}' (position 1)"
    if not isinstance(seq, (tuple, list)):
        raise TypeError(f"{fname}(): {where} must be tuple of ints, not {_type_name(seq)}")
    if seq and not _size_elem_ok(seq[0]):
        raise TypeError(
            f"{fname}(): {where} must be tuple of ints, but found element of type "
            f"{_type_name(seq[0])} at pos 0"
        )
    out = []
    for i, s in enumerate(seq):
        if isinstance(s, int):
            v = int(s)
        elif isinstance(s, Tensor) and s._data.size == 1 and s._data.dtype.kind in "iub":
            v = int(s._data.reshape(()))
        elif isinstance(s, Tensor):
            v = None
        else:
            try:
                v = operator.index(s)
            except TypeError:
                v = None
        if v is None:
            raise TypeError(
                f"{fname}(): argument '{name}' failed to unpack the object at pos {i + 1} with "
                f'error "type must be tuple of ints,but got {_type_name(s)}"'
            )
        out.append(v)
    return tuple(out)


# ---------------------------------------------------------------------------------- overloads
# torch's functions with several overloads answer a call no overload accepts with one message
# listing them all, unless exactly one overload is plausible for the number of arguments given
# (then that overload's own error). These are the overloads as torch prints them.
_TAIL = ("Tensor out = None, ember.dtype dtype = None, ember.layout layout = None, "
         "ember.device device = None, bool pin_memory = False, bool requires_grad = False")
_TAIL_NO_OUT = _TAIL[len("Tensor out = None, "):]
_LIKE_TAIL = "ember.memory_format memory_format = None, " + _TAIL_NO_OUT
_GEN = "ember.Generator generator"
_LIN = (("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"), ("Number", "Number"))
OVERLOADS = {  # name: ((signature, minimum number of arguments), ...)
    "rand": ((f"tuple of ints size, *, {_GEN}, {_TAIL}", 2),
             (f"tuple of ints size, *, {_TAIL}", 1)),
    "randperm": ((f"int n, *, {_GEN}, {_TAIL}", 2), (f"int n, *, {_TAIL}", 1)),
    "randint": ((f"int high, tuple of ints size, *, {_GEN}, {_TAIL}", 3),
                (f"int high, tuple of ints size, *, {_TAIL}", 2),
                (f"int low, int high, tuple of ints size, *, {_GEN}, {_TAIL}", 4),
                (f"int low, int high, tuple of ints size, *, {_TAIL}", 3)),
    "linspace": tuple((f"{a} start, {b} end, int steps, *, {_TAIL}", 3) for a, b in _LIN),
    "logspace": tuple((f"{a} start, {b} end, int steps, float base = 10.0, *, {_TAIL}", 3)
                      for a, b in _LIN),
    "normal": (
        (f"Tensor mean, Tensor std, *, {_GEN} = None, Tensor out = None", 2),
        (f"Tensor mean, float std = 1, *, {_GEN} = None, Tensor out = None", 1),
        (f"float mean, Tensor std, *, {_GEN} = None, Tensor out = None", 2),
        (f"float mean, float std, tuple of ints size, *, {_GEN} = None, {_TAIL}", 3),
    ),
    "eye": ((f"int n, *, {_TAIL}", 1), (f"int n, int m, *, {_TAIL}", 2)),
    "arange": ((f"Number end, *, {_TAIL}", 1), (f"Number start, Number end, *, {_TAIL_NO_OUT}", 2),
               (f"Number start, Number end, Number step = 1, *, {_TAIL}", 2)),
    "bernoulli": ((f"Tensor input, *, {_GEN} = None, Tensor out = None", 1),
                  (f"Tensor input, float p, *, {_GEN} = None", 2)),
    "rand_like": ((f"Tensor input, *, {_GEN}, {_LIKE_TAIL}", 2),
                  (f"Tensor input, *, {_LIKE_TAIL}", 1)),
    "bernoulli_": ((f"Tensor p, *, {_GEN} = None", 1), (f"float p = 0.5, *, {_GEN} = None", 0)),
}
OVERLOADS["randn"] = OVERLOADS["rand"]
OVERLOADS["randn_like"] = OVERLOADS["rand_like"]


def _arg_type(x) -> str:
    """How torch's argument parser names a value's type."""
    if isinstance(x, Tensor):
        return "Tensor"
    if isinstance(x, D.dtype):
        return "ember.dtype"
    name = type(x).__name__
    if name in ("Size", "Generator", "device") and type(x).__module__.startswith("ember"):
        return "ember." + name
    return _type_name(x)


def invalid_args(fname: str, args: tuple, kwargs: dict) -> TypeError:
    """torch's "received an invalid combination of arguments" error."""
    got = [_arg_type(a) for a in args] + [f"{k}={_arg_type(v)}" for k, v in kwargs.items()]
    sigs = "".join(f" * ({sig})\n" for sig, _ in OVERLOADS[fname])
    return TypeError(
        f"{fname}() received an invalid combination of arguments - got ({', '.join(got)}), but "
        f"expected one of:\n{sigs}"
    )


class parsing:  # noqa: N801 - used as ``with parsing(...)``
    """Turn an argument error into torch's overload error when several overloads fit."""

    def __init__(self, fname: str, args: tuple, kwargs: dict):
        self.fname, self.args, self.kwargs = fname, args, kwargs

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if typ is None or not issubclass(typ, TypeError) or "failed to unpack" in str(exc):
            return False
        n = len(self.args) + len(self.kwargs)
        if sum(1 for _, m in OVERLOADS[self.fname] if m <= n) != 1:
            raise invalid_args(self.fname, self.args, self.kwargs) from None
        return False


def explicit(**kwargs) -> dict:
    """The keyword arguments a caller passed (those not at their default None/False)."""
    return {k: v for k, v in kwargs.items() if v is not None and v is not False
            and v is not _MISSING}


def check_sizes(shape: tuple) -> None:
    """torch's error for negative sizes (empty, ones, full, rand...)."""
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: "
                f"[{', '.join(str(x) for x in shape)}]"
            )


def _scalar_arg(fname: str, value, name: str, pos: int):
    """A ``Number`` argument: Python/NumPy scalars and one-element tensors of 0 dims."""
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, Tensor) and value._data.ndim == 0:
        return value.item()
    raise TypeError(
        f"{fname}(): argument '{name}' (position {pos}) must be Number, not {_type_name(value)}"
    )


# C++ type names torch prints in Scalar conversion errors.
_C_NAMES = {
    "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
    "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double",
    "bool": "bool",
}


_LIMITS = {d._np: ((int(np.iinfo(d._np).min), int(np.iinfo(d._np).max)) if d in D.INT_DTYPES
                    else (-D.finfo(d).max, D.finfo(d).max))
           for d in D.ALL_DTYPES if d is not D.bool_}


def _overflow(np_dtype: np.dtype, cname: str | None) -> RuntimeError:
    name = cname or _C_NAMES[D._FROM_NP[np_dtype]._name]
    return RuntimeError(f"value cannot be converted to type {name} without overflow")


def scalar_to(value, np_dtype: np.dtype, cname: str | None = None):
    """``Scalar::to<T>()``: a checked conversion (torch's overflow error) to ``np_dtype``."""
    kind = np_dtype.kind
    if kind == "b":
        return np.bool_(bool(value))
    if kind in "iu":
        lo, hi = _LIMITS[np_dtype]
        if isinstance(value, float):
            if value != value or not lo <= value <= hi:
                raise _overflow(np_dtype, cname)
            return np_dtype.type(int(value))
        v = int(value)
        if kind == "u" and v < 0:
            # c10::overflows lets negative values wrap into unsigned types (two's complement).
            if -v > hi:
                raise _overflow(np_dtype, cname)
            return np_dtype.type(v % (hi + 1))
        if not lo <= v <= hi:
            raise _overflow(np_dtype, cname)
        return np_dtype.type(v)
    v = float(value)
    if v == v and not math.isinf(v):
        if abs(v) > _LIMITS[np_dtype][1]:
            raise _overflow(np_dtype, cname)
    if np_dtype == _F64:
        return np.float64(v)
    return np.array(v, _F32).astype(np_dtype)[()] if np_dtype != _F32 else np.float32(v)


def _out_arg(fname: str, out, dtype_np):
    if out is None:
        return None
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname}(): argument 'out' must be Tensor, not {_type_name(out)}")
    if dtype_np is not None and dtype_np != out._data.dtype:
        raise RuntimeError(
            f"dtype {D._FROM_NP[dtype_np]._legacy} does not match dtype of out parameter "
            f"({out.dtype._legacy})"
        )
    return out


def _result(fname: str, arr: np.ndarray, out, requires_grad: bool, device) -> Tensor:
    """Wrap a factory's result, or write it into ``out``."""
    _check_device(device)
    if out is not None:
        return check_out(out, _wrap(arr), fname, warn_resize=False)
    _check_rg(arr.dtype, requires_grad)
    t = _wrap(arr)
    if requires_grad:
        t._requires_grad = True
    return t


# ---------------------------------------------------------------------------------- tensor()
_NP_LIST_WARNED = [False]


def _is_sequence(x) -> bool:
    """PySequence_Check, with ember tensors excluded (torch's tensors are not sequences)."""
    if isinstance(x, (list, tuple, str, bytes, bytearray, range)):
        return True
    if isinstance(x, np.ndarray):
        return True
    if isinstance(x, (Tensor, dict)):
        return False
    t = type(x)
    return hasattr(t, "__getitem__") and hasattr(t, "__len__") and not hasattr(t, "keys")


def _compute_sizes(data) -> list:
    sizes: list = []
    seq = data
    while _is_sequence(seq):
        n = len(seq)
        sizes.append(n)
        if len(sizes) > _MAX_DIMS:
            raise ValueError(f"too many dimensions '{_type_name(seq)}'")
        if n == 0:
            break
        seq = seq[0]
    return sizes


_PY_KIND = {bool: D.bool_, int: D.int64}


def _infer(obj) -> D.dtype:
    """torch's infer_scalar_type: the promoted dtype of everything in ``obj``."""
    if isinstance(obj, np.ndarray):
        return D.from_numpy_dtype(obj.dtype)
    if isinstance(obj, np.generic):
        return D.from_numpy_dtype(obj.dtype)
    if isinstance(obj, float):
        return _DEF.value
    if isinstance(obj, bool):
        return D.bool_
    if isinstance(obj, int):
        return D.int64
    if isinstance(obj, complex):
        raise TypeError("ember does not support complex tensors")
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{_type_name(obj)}'")
    if _is_sequence(obj):
        if len(obj) == 0:
            return _DEF.value
        types = set(map(type, obj)) if isinstance(obj, (list, tuple)) else None
        if types is not None and types <= {bool, int, float}:
            # The common case, decided without looking at each element.
            if float in types:
                return _DEF.value
            return D.int64 if int in types else D.bool_
        result = None
        for x in obj:
            if x is obj:
                raise TypeError("new(): self-referential lists are incompatible")
            d = _infer(x)
            result = d if result is None else promote_types(result, d)
        return result
    raise RuntimeError(f"Could not infer dtype of {_type_name(obj)}")


def _flatten(obj, sizes: list, dim: int, leaves: list) -> None:
    """recursive_store's walk: the leaves in order, with torch's shape errors."""
    n = sizes[dim]
    if isinstance(obj, (list, tuple)):
        seq = obj
    elif _is_sequence(obj):
        seq = list(obj)
    else:
        raise TypeError("not a sequence")
    if len(seq) != n:
        raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(seq)})")
    if dim + 1 == len(sizes):
        leaves.extend(seq)
        return
    for x in seq:
        if isinstance(x, np.ndarray) and not _NP_LIST_WARNED[0]:
            _NP_LIST_WARNED[0] = True
            warnings.warn(
                "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                "consider converting the list to a single numpy.ndarray with numpy.array() "
                "before converting to a tensor.",
                UserWarning,
                stacklevel=4,
            )
        _flatten(x, sizes, dim + 1, leaves)


def _as_double(x) -> float:
    """THPUtils_unpackDouble: ``__float__``, else ``__index__``, else torch's TypeError."""
    if isinstance(x, float):
        return x
    t = type(x)
    if isinstance(x, (str, bytes)) or not (hasattr(t, "__float__") or hasattr(t, "__index__")):
        raise TypeError(f"must be real number, not {_type_name(x)}")
    return float(x)


def _as_long(x) -> int:
    """THPUtils_unpackLong: ``__index__`` only, with torch's overflow error."""
    v = operator.index(x)
    if not -(1 << 63) <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return v


_STORE_NAMES = {"uint8": "uint8", "int8": "int8", "int16": "int16", "int32": "int32",
                "int64": "int64"}


def _store(leaves: list, np_dtype: np.dtype) -> np.ndarray:
    """store_scalar over all leaves at once: torch's per-element conversion rules."""
    types = set(map(type, leaves))
    plain = types <= {bool, int, float}
    kind = np_dtype.kind
    if kind in "fV":
        if plain:
            arr = np.array(leaves, dtype=np.float64) if leaves else np.empty(0, np.float64)
        else:
            arr = np.array([_as_double(x) for x in leaves], dtype=np.float64)
        if np_dtype == _F64:
            return arr
        arr = arr.astype(np.float32)  # torch converts double -> float -> half/bfloat16
        return arr if np_dtype == _F32 else arr.astype(np_dtype)
    if kind == "b":
        if plain:
            return np.array([bool(x) for x in leaves], dtype=np.bool_)
        return np.array(
            [bool(x) if isinstance(x, (float, np.bool_)) else bool(operator.index(x))
             for x in leaves],
            dtype=np.bool_,
        )
    # Integers: floats go through a checked double conversion, the rest through __index__.
    name = _STORE_NAMES[D._FROM_NP[np_dtype]._name]
    msg = f"value cannot be converted to type {name} without overflow"
    info = np.iinfo(np_dtype)
    if plain and float not in types:
        ints = np.array(leaves) if leaves else np.empty(0, np.int64)
        if ints.dtype != np.int64:  # Python ints beyond int64
            for x in leaves:
                _as_long(x)
        isf = None
        floats = None
    else:
        isf = np.array([isinstance(x, float) for x in leaves], dtype=bool)
        floats = np.array([x if isinstance(x, float) else 0.0 for x in leaves], dtype=np.float64)
        ints = np.array([0 if isinstance(x, float) else _as_long(x) for x in leaves],
                        dtype=np.int64)
    if floats is not None and isf.any():
        f = floats[isf]
        if np.isnan(f).any() or (f < info.min).any() or (f > info.max).any():
            raise RuntimeError(msg)
        ints = np.where(isf, np.trunc(np.where(isf, floats, 0.0)).astype(np.int64), ints)
        ints_only = ints[~isf]
    else:
        ints_only = ints
    if ints_only.size:
        hi = int(ints_only.max())
        lo = int(ints_only.min())
        if hi > info.max or (lo < info.min and not (info.min == 0 and -lo <= info.max)):
            raise RuntimeError(msg)
    return ints.astype(np_dtype)


def _check_numpy(a: np.ndarray) -> None:
    """tensor_from_numpy's checks, in its order: strides, byte order, dtype."""
    item = a.itemsize
    for s in a.strides:
        if s % item:
            raise ValueError(
                "given numpy array strides not a multiple of the element byte size. Copy the "
                "numpy array to reallocate the memory."
            )
    if any(s < 0 for s in a.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around this "
            "by making a copy of your array  with array.copy().) "
        )
    if not a.dtype.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. "
            "Conversion between byte orders is currently not supported."
        )
    D.from_numpy_dtype(a.dtype)


def _cast(a: np.ndarray, np_dtype: np.dtype, copy: bool) -> np.ndarray:
    """``Tensor.to(dtype)`` on an array (a C cast: floats truncate toward zero into ints)."""
    if a.dtype == np_dtype:
        return np.array(a, copy=True) if copy else a
    if a.dtype.kind in "fV" and np_dtype.kind in "iu" and np_dtype != _I64:
        with np.errstate(all="ignore"):
            return a.astype(np.float64).astype(np.int64).astype(np_dtype)
    return a.astype(np_dtype)


def _from_data(data, np_dtype: np.dtype | None) -> np.ndarray:
    """The array torch.tensor(data) builds (a copy; ``np_dtype`` None: inferred)."""
    if isinstance(data, Tensor):
        a = data._data
        return _cast(a, np_dtype or a.dtype, True)
    if isinstance(data, np.ndarray):
        _check_numpy(data)
        return _cast(data, np_dtype or data.dtype, True)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{_type_name(data)}'")
    sizes = _compute_sizes(data)
    if np_dtype is None:
        np_dtype = _infer(data)._np
    if 0 in sizes:  # nothing to store: torch skips the walk (and its shape checks)
        return np.empty(sizes, np_dtype)
    leaves: list = []
    if sizes:
        _flatten(data, sizes, 0, leaves)
    else:
        leaves.append(data)
    return _store(leaves, np_dtype).reshape(sizes)


_COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than {}(sourceTensor)."
)


@public(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested sequences, scalars, arrays, tensors).

    dtype inference as torch: bool < int64 < the default float dtype, NumPy scalars and
    tensors inside sequences keep their dtype in the promotion.
    """
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING.format("ember.tensor"), UserWarning, stacklevel=2)
    np_dtype = dtype_arg("tensor", dtype)
    arr = _from_data(data, np_dtype)
    _check_rg(arr.dtype, requires_grad)
    return _finish(_wrap(arr), requires_grad, device)


@public(function=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False) -> Tensor:
    """A tensor from ``data``, with this tensor's dtype unless ``dtype`` is given."""
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING.format("tensor.new_tensor"), UserWarning, stacklevel=2)
    np_dtype = dtype_arg("new_tensor", dtype) or self._data.dtype
    arr = _from_data(data, np_dtype)
    _check_rg(arr.dtype, requires_grad)
    return _finish(_wrap(arr), requires_grad, device)


@public(method=False)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """A 0-dim tensor holding ``s`` (default float dtype unless ``dtype`` is given)."""
    v = _scalar_arg("scalar_tensor", s, "s", 1)
    np_dtype = dtype_arg("scalar_tensor", dtype) or _DEF.value._np
    if np_dtype in (_F16, _BF16):
        # torch converts without a range check here (1e10 becomes inf).
        val = np.asarray(float(v), np.float64).astype(np.float32).astype(np_dtype)
    else:
        val = np.asarray(scalar_to(v, np_dtype))
    return _result("scalar_tensor", val, None, requires_grad, device)


def scalar_tensor_like(value, like: Tensor) -> Tensor:
    """A 0-dim tensor for a Python scalar operand (dtype as torch wraps numbers)."""
    return _wrap(np.asarray(value, dtype=_scalar_np_dtype(value)))


def _scalar_np_dtype(value) -> np.dtype:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _I64
    return _DEF.value._np


# ---------------------------------------------------------------------------------- sharing
@public(method=False)
def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {_type_name(ndarray)})")
    if not ndarray.flags.writeable:
        _warn_readonly_array()
    _check_numpy(ndarray)
    return _wrap(ndarray)


_READONLY_WARNED = [False, False]


def _warn_readonly_array() -> None:
    if not _READONLY_WARNED[0]:
        _READONLY_WARNED[0] = True
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable "
            "tensors. This means writing to this tensor will result in undefined behavior. You "
            "may want to copy the array to protect its data or make it writable before "
            "converting it to a tensor. This type of warning will be suppressed for the rest of "
            "this program.",
            UserWarning,
            stacklevel=3,
        )


@public(method=False)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with a tensor or array of the right dtype."""
    np_dtype = dtype_arg("as_tensor", dtype)
    _check_device(device)
    if isinstance(data, Tensor):
        if np_dtype is None or data._data.dtype == np_dtype:
            return data
        return data.to(D._FROM_NP[np_dtype])
    if isinstance(data, np.ndarray):
        if not data.flags.writeable:
            _warn_readonly_array()
        _check_numpy(data)
        if np_dtype is None or data.dtype == np_dtype:
            return _wrap(data)
        return _wrap(_cast(data, np_dtype, True))
    return _wrap(_from_data(data, np_dtype))


def _legacy_name(np_dtype) -> str:
    return D._FROM_NP[np_dtype]._legacy


def _is_buffer(obj) -> bool:
    try:
        memoryview(obj)
    except TypeError:
        return False
    return True


@public(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None) -> Tensor:
    """Convert ``obj`` to a tensor, sharing memory with tensors, arrays and buffers if it can.

    ``requires_grad=None`` keeps a tensor's flag (torch 2.13 warns when that flag is set).
    """
    np_dtype = dtype_arg("asarray", dtype)
    _check_device(device)
    if isinstance(obj, Tensor):
        src = obj._data.dtype
        wrong = np_dtype is not None and np_dtype != src
        if copy is False and wrong:
            raise ValueError(
                f"can't alias tensor with dtype '{_legacy_name(src)}' into dtype "
                f"'{_legacy_name(np_dtype)}'."
            )
        if copy or wrong:
            t = obj.to(D._FROM_NP[np_dtype]) if wrong else obj.clone()
            copied = True
        else:
            t = obj
            copied = False
        if requires_grad is None:
            if not copied and t._requires_grad and t._grad_fn is None:
                warnings.warn(
                    "ember.asarray: unspecified requires_grad now defaults to "
                    "obj.requires_grad instead of False. Pass requires_grad=False explicitly to "
                    "get the old behavior and silence this warning.",
                    UserWarning,
                    stacklevel=2,
                )
            return t
        if requires_grad:
            return t if t._grad_fn is not None else t.requires_grad_(True)
        if t._grad_fn is None:
            return t.requires_grad_(False)
        return t.detach()
    if isinstance(obj, np.ndarray):
        _check_numpy(obj)
        wrong = np_dtype is not None and np_dtype != obj.dtype
        if copy is False and wrong:
            raise ValueError(
                f"can't alias tensor with dtype '{_legacy_name(obj.dtype)}' into dtype "
                f"'{_legacy_name(np_dtype)}'."
            )
        arr = _cast(obj, np_dtype or obj.dtype, bool(copy) or wrong)
        return _finish(_wrap(arr), bool(requires_grad), None)
    if isinstance(obj, np.generic):
        if copy is False:
            raise RuntimeError(
                "can't alias NumPy scalars. Either remove copy=False or transform it in a "
                "ndarray. "
            )
        arr = _from_data(obj, np_dtype)
        return _finish(_wrap(arr), bool(requires_grad), None)
    if not isinstance(obj, (str, bytes)) and _is_buffer(obj) or isinstance(obj, bytes):
        return _finish(_wrap(_frombuffer(obj, np_dtype or _DEF.value._np, copy)),
                       bool(requires_grad), None)
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    arr = _from_data(obj, np_dtype)
    _check_rg(arr.dtype, bool(requires_grad))
    return _finish(_wrap(arr), bool(requires_grad), None)


def _frombuffer(obj, np_dtype: np.dtype, copy) -> np.ndarray:
    mv = memoryview(obj)
    nbytes = mv.nbytes
    item = np_dtype.itemsize
    if nbytes % item:
        raise ValueError(
            f"buffer length ({nbytes} bytes) after offset (0 bytes) must be a multiple of "
            f"element size ({item})"
        )
    arr = np.frombuffer(mv.cast("B"), dtype=np_dtype)
    if copy or not arr.flags.writeable:
        if not arr.flags.writeable and not copy and not _READONLY_WARNED[1]:
            _READONLY_WARNED[1] = True
            warnings.warn(
                "The given buffer is not writable, and PyTorch does not support non-writable "
                "tensors. This means you can write to the underlying (supposedly non-writable) "
                "buffer using the tensor. You may want to copy the buffer to protect its data or "
                "make it writable before converting it to a tensor. This type of warning will be "
                "suppressed for the rest of this program.",
                UserWarning,
                stacklevel=4,
            )
        arr = arr.copy()
    return arr


# ---------------------------------------------------------------------------------- filled
def _fill_array(shape: tuple, np_dtype: np.dtype, fill) -> np.ndarray:
    if fill is None:
        return np.empty(shape, dtype=np_dtype)
    if isinstance(fill, (int, float)) and fill == 0:
        return np.zeros(shape, dtype=np_dtype)
    return np.full(shape, fill, dtype=np_dtype)


def _factory(fname: str, args: tuple, size, fill, out, dtype, requires_grad, device,
             zeros_msg: bool = False) -> Tensor:
    shape = size_arg(fname, args, size)
    if zeros_msg:
        for s in shape:
            if s < 0:
                raise RuntimeError(f"{fname}: Dimension size must be non-negative.")
    else:
        check_sizes(shape)
    np_dtype = dtype_arg(fname, dtype)
    _out_arg(fname, out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    _check_rg(np_dtype, requires_grad)
    return _result(fname, _fill_array(shape, np_dtype, fill), out, requires_grad, device)


@public(method=False)
def zeros(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, names=None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros(size=[2, 3])``."""
    return _factory("zeros", args, size, 0, out, dtype, requires_grad, device, True)


@public(method=False)
def ones(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, names=None) -> Tensor:
    """A tensor of ones of the given size."""
    return _factory("ones", args, size, 1, out, dtype, requires_grad, device)


@public(method=False)
def empty(*args, size=_MISSING, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None, names=None) -> Tensor:
    """An uninitialised tensor of the given size."""
    return _factory("empty", args, size, None, out, dtype, requires_grad, device)


def _fill_value(fname: str, value, pos: int = 2):
    return _scalar_arg(fname, value, "fill_value", pos)


@public(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, names=None) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    shape = size_arg("full", (), size, pos=1)
    v = _fill_value("full", fill_value)
    check_sizes(shape)
    np_dtype = dtype_arg("full", dtype)
    _out_arg("full", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _scalar_np_dtype(v)
    _check_rg(np_dtype, requires_grad)
    arr = np.full(shape, scalar_to(v, np_dtype), dtype=np_dtype)
    return _result("full", arr, out, requires_grad, device)


# ---------------------------------------------------------------------------------- *_like
def like_array(input: Tensor, np_dtype: np.dtype, memory_format=None) -> np.ndarray:
    """An uninitialised array shaped like ``input``, with its strides where torch keeps them.

    ``preserve_format`` (the default) keeps the strides of a non-overlapping and dense input
    and falls back to a contiguous layout otherwise, as ``empty_like`` does in torch.
    """
    a = input._data
    fmt = "preserve" if memory_format is None else str(memory_format).rpartition(".")[2]
    if fmt == "preserve_format" or fmt == "preserve":
        if a.flags.c_contiguous:
            return np.empty(a.shape, np_dtype)
        if _dense(a):
            return np.empty_like(a, dtype=np_dtype, order="K")
        perm = _dense_order(a)  # torch's infer_dense_strides: dense, in the input's order
        if perm is not None:
            inv = [0] * a.ndim
            for i, d in enumerate(perm):
                inv[d] = i
            return np.empty([a.shape[d] for d in perm], np_dtype).transpose(inv)
    return np.empty(a.shape, np_dtype)


def _dense_order(a: np.ndarray) -> list | None:
    """Axes outermost first in the order torch's TensorIterator sorts them for ``a``'s strides
    (an insertion sort that leaves broadcast (0-stride) axes where they are); None: C order."""
    nd = a.ndim
    shape, strides = a.shape, a.strides

    def swap(d0: int, d1: int) -> int:
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return -1 if s0 < s1 else 1
        return 1 if shape[d0] > shape[d1] else 0

    perm = list(range(nd - 1, -1, -1))  # innermost first
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    perm.reverse()
    return None if perm == list(range(nd)) else perm


def _dense(a: np.ndarray) -> bool:
    """torch's is_non_overlapping_and_dense."""
    if a.size <= 1:
        return True
    dims = sorted((abs(st), sh) for st, sh in zip(a.strides, a.shape) if sh != 1)
    expected = a.itemsize
    for st, sh in dims:
        if st != expected:
            return False
        expected *= sh
    return True


def _check_like_input(fname: str, input) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fname}(): argument 'input' (position 1) must be Tensor, not {_type_name(input)}"
        )


def _like(fname, input, fill, dtype, requires_grad, device, memory_format) -> Tensor:
    _check_like_input(fname, input)
    np_dtype = dtype_arg(fname, dtype) or input._data.dtype
    _check_rg(np_dtype, requires_grad)
    arr = like_array(input, np_dtype, memory_format)
    if fill is not None:
        arr[...] = fill
    return _result(fname, arr, None, requires_grad, device)


@public(method=False)
def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, pin_memory=False) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    return _like("zeros_like", input, 0, dtype, requires_grad, device, memory_format)


@public(method=False)
def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``input``."""
    return _like("ones_like", input, 1, dtype, requires_grad, device, memory_format)


@public(method=False)
def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, pin_memory=False) -> Tensor:
    """An uninitialised tensor shaped like ``input``."""
    return _like("empty_like", input, None, dtype, requires_grad, device, memory_format)


@public(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False) -> Tensor:
    """``fill_value`` everywhere, shaped like ``input``."""
    _check_like_input("full_like", input)
    v = _fill_value("full_like", fill_value)
    np_dtype = dtype_arg("full_like", dtype) or input._data.dtype
    return _like("full_like", input, scalar_to(v, np_dtype), dtype, requires_grad, device,
                 memory_format)


# ---------------------------------------------------------------------------------- new_*
def _new(fname: str, self: Tensor, args, size, fill, dtype, requires_grad, device) -> Tensor:
    shape = size_arg(fname, args, size)
    check_sizes(shape)
    np_dtype = dtype_arg(fname, dtype) or self._data.dtype
    _check_rg(np_dtype, requires_grad)
    return _result(fname, _fill_array(shape, np_dtype, fill), None, requires_grad, device)


@public(function=False)
def new_zeros(self, *args, size=_MISSING, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` is given)."""
    return _new("new_zeros", self, args, size, 0, dtype, requires_grad, device)


@public(function=False)
def new_ones(self, *args, size=_MISSING, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    """Ones of ``size`` with this tensor's dtype (unless ``dtype`` is given)."""
    return _new("new_ones", self, args, size, 1, dtype, requires_grad, device)


@public(function=False)
def new_empty(self, *args, size=_MISSING, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False) -> Tensor:
    """An uninitialised tensor of ``size`` with this tensor's dtype."""
    return _new("new_empty", self, args, size, None, dtype, requires_grad, device)


@public(function=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    """``fill_value`` everywhere, of ``size``, with this tensor's dtype."""
    shape = size_arg("new_full", (), size, pos=1)
    v = _fill_value("new_full", fill_value)
    check_sizes(shape)
    np_dtype = dtype_arg("new_full", dtype) or self._data.dtype
    _check_rg(np_dtype, requires_grad)
    arr = np.full(shape, scalar_to(v, np_dtype), dtype=np_dtype)
    return _result("new_full", arr, None, requires_grad, device)


# ---------------------------------------------------------------------------------- ranges
def _range_scalar(fname: str, value, name: str, pos: int):
    if isinstance(value, Tensor):
        if value._data.size != 1:
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Number, not "
                            "Tensor")
        return value.item()
    return _scalar_arg(fname, value, name, pos)


def _fmt(x) -> str:
    """C++ ostream formatting of a double (as in torch's error messages)."""
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def _arange_checks(start, end, step) -> None:
    ds, de, dst = float(start), float(end), float(step)
    if not (dst > 0 or dst < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(ds) and math.isfinite(de)):
        raise RuntimeError(f"unsupported range: {_fmt(ds)} -> {_fmt(de)}")
    if not ((dst > 0 and de >= ds) or (dst < 0 and de <= ds)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")


def _vec_arange(n: int, start, step, V: int, f, dt) -> np.ndarray:
    """Values of cpu_serial_kernel_vec's arange loop: blocks of 2V use Vectorized::arange
    (``base = start + step*idx`` rounded to the dtype, then ``base + i*step``), the tail the
    scalar ``start + step*idx``; every a*b+c is an FMA (``f``) in the accumulate type."""
    p = np.arange(n, dtype=np.float64)
    full = (n // (2 * V)) * (2 * V)
    out = f(step, p, start)  # scalar formula, correct for the tail
    if full:
        pb = p[:full]
        i = pb % V
        base = f(step, pb - i, start).astype(dt).astype(out.dtype)
        out[:full] = f(i, step, base)
    return out.astype(dt)


@public(method=False)
def arange(*args, start=_MISSING, end=_MISSING, step=_MISSING, out=None, dtype=None,
           layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """``arange(end)``, ``arange(start, end, step=1)``: values ``start + i*step`` below ``end``,
    as torch's kernel computes them (see ``_vec_arange``)."""
    kw = explicit(start=start, end=end, step=step, out=out, dtype=dtype, layout=layout,
                  device=device, requires_grad=requires_grad)
    with parsing("arange", args, kw):
        if len(args) > 3:
            raise TypeError(f"arange() takes from 1 to 3 positional arguments but {len(args)} "
                            "were given")
        if len(args) == 1 and end is _MISSING:
            end = args[0]
        elif args:
            names = ("start", "end", "step")
            given = dict(zip(names, args))
            start = given.get("start", start)
            end = given.get("end", end)
            step = given.get("step", step)
        if end is _MISSING:
            raise TypeError('arange() missing 1 required positional arguments: "end"')
        two = len(args) >= 2 or start is not _MISSING
        end = _range_scalar("arange", end, "end", 2 if two else 1)
        start = 0 if start is _MISSING else _range_scalar("arange", start, "start", 1)
        step = 1 if step is _MISSING else _range_scalar("arange", step, "step", 3)
        np_dtype = dtype_arg("arange", dtype)
    _out_arg("arange", out, np_dtype)
    if np_dtype is None:
        if out is not None:
            np_dtype = out._data.dtype
        elif any(isinstance(v, float) for v in (start, end, step)):
            np_dtype = _DEF.value._np
        else:
            np_dtype = _I64
    if np_dtype == _BOOL:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    _arange_checks(start, end, step)
    if np_dtype == _I64:
        # Integral accumulation: the bounds are truncated to int64 first.
        xs, xe, xst = (int(scalar_to(v, _I64)) for v in (start, end, step))
        if xst == 0:
            raise ValueError("step must be nonzero")
        sgn = (xst > 0) - (xst < 0)
        num = xe - xs + xst - sgn
        size = abs(num) // abs(xst) * (1 if (num >= 0) == (xst > 0) else -1)
        size_d = float(size)
    else:
        size_d = math.ceil((float(end) - float(start)) / float(step))
    if not (0 <= size_d <= 9.223372036854775807e18):
        raise RuntimeError("invalid size, possible overflow?")
    n = int(size_d)
    kind = np_dtype.kind
    if kind in "iu":
        if np_dtype == _I64:
            s0, st = xs, xst
        else:
            s0, st = (int(scalar_to(v, _I64)) for v in (start, step))
        arr = (np.arange(n, dtype=np.int64) * np.int64(st) + np.int64(s0)).astype(np_dtype)
    elif np_dtype == _F64:
        arr = _vec_arange(n, float(start), float(step), 4, fma64, _F64)
    elif np_dtype == _F32:
        arr = _vec_arange(n, float(start), float(step), 8, fma64, _F32)
    else:  # half / bfloat16: float accumulation, 16 lanes
        s32, st32 = np.float32(start), np.float32(step)
        arr = _vec_arange(n, s32, st32, 16, fma32, np_dtype)
    _check_rg(np_dtype, requires_grad and out is None)
    if out is not None and 0 < out._data.size != n:
        warnings.warn(
            f"The number of elements in the out tensor of shape [{', '.join(map(str, out.shape))}]"
            f" is {out._data.size} which does not match the computed number of elements {n}. "
            "Note that this may occur as a result of rounding error. The out tensor will be "
            f"resized to a tensor of shape ({n},).",
            UserWarning,
            stacklevel=2,
        )
    return _result("arange", arr, out, requires_grad, device)


@public("range", method=False)
def range_(start, end=_MISSING, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False) -> Tensor:
    """Deprecated in torch: like arange but including ``end`` (default float dtype)."""
    if end is _MISSING:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn(
        "ember.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use ember.arange, which "
        "produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    start = _range_scalar("range", start, "start", 1)
    end = _range_scalar("range", end, "end", 2)
    step = _range_scalar("range", step, "step", 3)
    np_dtype = dtype_arg("range", dtype)
    _out_arg("range", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    if np_dtype == _BOOL:
        raise NotImplementedError("\"range_cpu\" not implemented for 'Bool'")
    integral = np_dtype.kind in "iu"
    if integral:
        xs, xe, xst = (int(scalar_to(v, _I64)) for v in (start, end, step))
    elif np_dtype in (_F32, _F64):
        xs, xe, xst = float(start), float(end), float(step)
    else:
        xs, xe, xst = (float(np.float32(v)) for v in (start, end, step))
    if not (xst > 0 or xst < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(xs) and math.isfinite(xe)):
        raise RuntimeError(f"unsupported range: {_fmt(xs)} -> {_fmt(xe)}")
    if not ((xst > 0 and xe >= xs) or (xst < 0 and xe <= xs)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if integral:
        q = xe - xs
        n = (abs(q) // abs(xst)) * (1 if (q >= 0) == (xst > 0) else -1) + 1
        arr = (np.int64(xs) + np.arange(n, dtype=np.int64) * np.int64(xst)).astype(np_dtype)
    elif np_dtype in (_F32, _F64):
        n = int((xe - xs) / xst + 1)
        arr = (xs + np.arange(n, dtype=np.float64) * xst).astype(np_dtype)
    else:
        n = int(np.float32(np.float32(np.float32(xe) - np.float32(xs)) / np.float32(xst))
                + np.float32(1))
        i = np.arange(n, dtype=np.float32)
        arr = (np.float32(xs) + i * np.float32(xst)).astype(np.float32).astype(np_dtype)
    _check_rg(np_dtype, requires_grad and out is None)
    return _result("range", arr, out, requires_grad, device)


def _lin_scalar(fname: str, v, name: str, pos: int):
    if isinstance(v, Tensor):
        if v._data.ndim != 0:
            raise RuntimeError(
                f"{fname} only supports 0-dimensional start and end tensors, but got {name} "
                f"with {v._data.ndim} dimension(s)."
            )
        return v.item()
    return _scalar_arg(fname, v, name, pos)


def _steps_arg(fname: str, steps) -> int:
    if isinstance(steps, bool) or not _is_index(steps):
        raise TypeError(f"{fname}(): argument 'steps' (position 3) must be int, not "
                        f"{_type_name(steps)}")
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _half_round(x, dt) -> np.ndarray:
    """Round float32 values to half/bfloat16 and back (each c10::Half operation rounds)."""
    return np.asarray(x, np.float32).astype(dt).astype(np.float32)


@public(method=False)
def linspace(start, end, steps=_MISSING, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    torch's kernel fills the first half from ``start`` and the second from ``end``: with
    ``step = (end - start) / (steps - 1)`` (in the dtype; double for integers),
    ``start + step*i`` and ``end - step*(steps-1-i)``, both FMAs.
    """
    args = tuple(x for x in (start, end, steps) if x is not _MISSING)
    kw = explicit(out=out, dtype=dtype, layout=layout, device=device,
                  requires_grad=requires_grad)
    with parsing("linspace", args, kw):
        if steps is _MISSING:
            raise TypeError("linspace() missing required argument 'steps'")
        start = _lin_scalar("linspace", start, "start", 1)
        end = _lin_scalar("linspace", end, "end", 2)
        n = _steps_arg("linspace", steps)
        np_dtype = dtype_arg("linspace", dtype)
    _out_arg("linspace", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    if np_dtype == _BOOL:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    s = scalar_to(start, np_dtype)
    e = scalar_to(end, np_dtype)
    if n == 0:
        arr = np.empty(0, np_dtype)
    elif n == 1:
        arr = np.full(1, s, np_dtype)
    else:
        i = np.arange(n, dtype=np.float64)
        rev = (n - 1) - i
        first = i < n // 2
        # One FMA per element: (step, i, start) in the first half, (-step, n-1-i, end) after.
        if np_dtype.kind in "iu":
            sd, ed = float(int(s)), float(int(e))
            step = (ed - sd) / (n - 1)
            v = fma64(np.where(first, step, -step), np.where(first, i, rev),
                      np.where(first, sd, ed))
            arr = np.trunc(v).astype(np.int64).astype(np_dtype)
        elif np_dtype in (_F32, _F64):
            dt = np_dtype.type
            step = dt(dt(e - s) / dt(n - 1))
            f = fma32 if np_dtype == _F32 else fma64
            arr = f(np.where(first, step, -step).astype(np_dtype),
                    np.where(first, i, rev).astype(np_dtype),
                    np.where(first, s, e).astype(np_dtype)).astype(np_dtype)
        else:
            s32, e32 = float(np.float32(s)), float(np.float32(e))
            step = _half_round(_half_round(e32 - s32, np_dtype) / _half_round(n - 1, np_dtype),
                               np_dtype)
            a = _half_round(s32 + _half_round(step * _half_round(i, np_dtype), np_dtype),
                            np_dtype)
            b = _half_round(e32 - _half_round(step * _half_round(rev, np_dtype), np_dtype),
                            np_dtype)
            arr = np.where(first, a, b).astype(np_dtype)
    _check_rg(np_dtype, requires_grad and out is None)
    return _result("linspace", arr, out, requires_grad, device)


_pow = np.frompyfunc(math.pow, 2, 1)


@public(method=False)
def logspace(start, end, steps=_MISSING, base=_MISSING, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """``base ** linspace(start, end, steps)``, computed as torch does: exponents
    ``start + step*i`` / ``end - step*(steps-1-i)`` in double (unfused), libm ``pow``."""
    args = tuple(x for x in (start, end, steps, base) if x is not _MISSING)
    kw = explicit(out=out, dtype=dtype, layout=layout, device=device,
                  requires_grad=requires_grad)
    with parsing("logspace", args, kw):
        if steps is _MISSING:
            raise TypeError("logspace() missing required argument 'steps'")
        start = _lin_scalar("logspace", start, "start", 1)
        end = _lin_scalar("logspace", end, "end", 2)
        n = _steps_arg("logspace", steps)
        base = 10.0 if base is _MISSING else base
        if isinstance(base, (str, bytes)) or not isinstance(base, (int, float, np.number)):
            raise TypeError(f"logspace(): argument 'base' (position 4) must be float, not "
                            f"{_type_name(base)}")
        base = float(base)
        np_dtype = dtype_arg("logspace", dtype)
    _out_arg("logspace", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    if np_dtype == _BOOL:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    if n == 0:
        arr = np.empty(0, np_dtype)
    elif n == 1:
        arr = np.full(1, scalar_to(math.pow(base, float(start)), np_dtype), np_dtype)
    else:
        s = scalar_to(start, np_dtype)
        e = scalar_to(end, np_dtype)
        i = np.arange(n, dtype=np.float64)
        rev = (n - 1) - i
        if np_dtype.kind in "iu":
            sd, ed = float(int(s)), float(int(e))
            step = (ed - sd) / (n - 1)
        elif np_dtype in (_F32, _F64):
            sd, ed = float(s), float(e)
            step = float(np_dtype.type(e - s)) / (n - 1)
        else:
            sd, ed = float(np.float32(s)), float(np.float32(e))
            step = float(_half_round(ed - sd, np_dtype)[()]) / (n - 1)
        x = np.where(i < n // 2, sd + step * i, ed - step * rev)
        v = _pow(base, x).astype(np.float64)
        if np_dtype.kind in "iu":
            with np.errstate(all="ignore"):
                arr = np.trunc(v).astype(np.int64).astype(np_dtype)
        elif np_dtype in (_F32, _F64):
            arr = v.astype(np_dtype)
        else:
            arr = v.astype(np.float32).astype(np_dtype)
    _check_rg(np_dtype, requires_grad and out is None)
    return _result("logspace", arr, out, requires_grad, device)


@public(method=False)
def eye(n, m=_MISSING, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False, pin_memory=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    args = (n,) if m is _MISSING else (n, m)
    kw = explicit(out=out, dtype=dtype, layout=layout, device=device,
                  requires_grad=requires_grad)
    with parsing("eye", args, kw):
        for name, v, pos in (("n", n, 1), ("m", m, 2)):
            if v is _MISSING:
                continue
            if not _is_index(v) or isinstance(v, Tensor):
                raise TypeError(f"eye(): argument '{name}' (position {pos}) must be int, not "
                                f"{_type_name(v)}")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is _MISSING:
        m = n
    else:
        m = operator.index(m)
        if m < 0:
            raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    np_dtype = dtype_arg("eye", dtype)
    _out_arg("eye", out, np_dtype)
    if np_dtype is None:
        np_dtype = out._data.dtype if out is not None else _DEF.value._np
    _check_rg(np_dtype, requires_grad and out is None)
    return _result("eye", np.eye(n, m, dtype=np_dtype), out, requires_grad, device)


# ---------------------------------------------------------------------------------- Tensor(...)
def legacy_new(cls, args: tuple, kwargs: dict) -> Tensor:
    """``ember.Tensor(...)``: the legacy constructor (default dtype).

    ``Tensor()`` is empty, ``Tensor(2, 3)`` / ``Tensor(ember.Size([2, 3]))`` uninitialised,
    ``Tensor(sequence)`` holds the data (converted to the default dtype), ``Tensor(tensor)``
    aliases the tensor (keeping its dtype).
    """
    unknown = set(kwargs) - {"device"}
    if unknown:
        raise TypeError(
            f"new() received an invalid combination of arguments - got unexpected keyword "
            f"argument(s) {', '.join(sorted(unknown))}"
        )
    _check_device(kwargs.get("device"))
    np_dtype = _DEF.value._np
    if not args:
        return _wrap(np.empty(0, np_dtype))
    first = args[0]
    if len(args) == 1 and isinstance(first, Tensor):
        t = _wrap(first._data)
        t._vc = first._vc
        t._base = first if first._base is None else first._base
        return t
    if _is_index(first) or type(first).__name__ == "Size" and isinstance(first, tuple):
        shape = size_arg("new", args)
        check_sizes(shape)
        return _wrap(np.empty(shape, np_dtype))
    if len(args) > 1:
        raise TypeError(
            "new() received an invalid combination of arguments - got "
            f"({', '.join(_type_name(a) for a in args)})"
        )
    if isinstance(first, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{_type_name(first)}'")
    if not _is_sequence(first):
        raise TypeError(f"new(): data must be a sequence (got {_type_name(first)})")
    return _wrap(_from_data(first, np_dtype))



def _tri_indices(name: str, row: int, col: int, offset: int, dtype, lower: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dt = D.int64 if dtype is None else dtype
    if dt not in (D.int64, D.int32):
        raise NotImplementedError(f"\"{name}\" not implemented for '{dt._legacy}'")
    fn = np.tril_indices if lower else np.triu_indices
    return _wrap(np.stack(fn(row, offset, col)).astype(dt._np))  # row-major, as torch


@public(method=False)
def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, layout=None, device=None,
                 pin_memory: bool = False) -> Tensor:
    """The (row, column) indices of the lower triangle of a row x col matrix, as 2 x N."""
    return _tri_indices("tril_indices", row, col, offset, dtype, True)


@public(method=False)
def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, layout=None, device=None,
                 pin_memory: bool = False) -> Tensor:
    """The (row, column) indices of the upper triangle of a row x col matrix, as 2 x N."""
    return _tri_indices("triu_indices", row, col, offset, dtype, False)
