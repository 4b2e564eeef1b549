"""dtype objects, their NumPy counterparts, the default dtype, finfo and iinfo.

Every ember dtype wraps one NumPy dtype (bfloat16 comes from ml_dtypes). The mapping is
kept in two dicts so that going from an array to its ember dtype is one lookup.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np

# Categories order the type-promotion lattice: bool < integer < floating.
BOOL, INTEGRAL, FLOATING = 0, 1, 2


class dtype:
    """A tensor element type, e.g. ``ember.float32``."""

    __module__ = "ember"  # pickles (by name) and prints as ember.dtype, as torch.dtype does

    __slots__ = ("_name", "_np", "_cat", "_legacy", "_signed", "_abbr", "__weakref__")

    def __init__(self, name: str, np_dtype, category: int, legacy: str, is_signed: bool,
                 abbr: str):
        self._name = name
        self._np = np.dtype(np_dtype)
        self._cat = category
        self._legacy = legacy  # the "Float" of "ember.FloatTensor"
        self._signed = is_signed
        self._abbr = abbr

    @property
    def is_signed(self) -> bool:
        return self._signed

    @property
    def itemsize(self) -> int:
        return self._np.itemsize

    @property
    def abbr(self) -> str:
        """torch's short name (``f32``, ``i64``, ``b8``...)."""
        return self._abbr

    @property
    def is_floating_point(self) -> bool:
        return self._cat == FLOATING

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> dtype:
        return self

    def __repr__(self) -> str:
        return "ember." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name  # pickles as the module attribute ember.<name>


bool_ = dtype("bool", np.bool_, BOOL, "Bool", False, "b8")
uint8 = dtype("uint8", np.uint8, INTEGRAL, "Byte", False, "u8")
int8 = dtype("int8", np.int8, INTEGRAL, "Char", True, "i8")
int16 = dtype("int16", np.int16, INTEGRAL, "Short", True, "i16")
int32 = dtype("int32", np.int32, INTEGRAL, "Int", True, "i32")
int64 = dtype("int64", np.int64, INTEGRAL, "Long", True, "i64")
float16 = dtype("float16", np.float16, FLOATING, "Half", True, "f16")
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, FLOATING, "BFloat16", True, "bf16")
float32 = dtype("float32", np.float32, FLOATING, "Float", True, "f32")
float64 = dtype("float64", np.float64, FLOATING, "Double", True, "f64")

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
FLOAT_DTYPES = (float16, bfloat16, float32, float64)
INT_DTYPES = (uint8, int8, int16, int32, int64)

# Public names, torch's aliases included (ember.float is ember.float32, ...).
DTYPE_NAMES = {
    "bool": bool_,
    "uint8": uint8,
    "int8": int8,
    "int16": int16,
    "short": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "float16": float16,
    "half": float16,
    "bfloat16": bfloat16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
}

# np.dtype -> ember dtype. NumPy dtypes hash by value, so any equal np.dtype finds its entry.
_FROM_NP: dict = {d._np: d for d in ALL_DTYPES}


def from_numpy_dtype(np_dtype) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, bfloat16, int64, int32, int16, "
            "int8, uint8, and bool."
        ) from None


# Legacy tensor type names, as `Tensor.type()` returns them.
LEGACY_NAMES = {"ember." + d._legacy + "Tensor": d for d in ALL_DTYPES}
LEGACY_NAMES.update({"torch." + d._legacy + "Tensor": d for d in ALL_DTYPES})


class _DefaultDtype:
    # One mutable cell, read on every float creation; a class attribute is the cheapest global.
    value: dtype = float32


def get_default_dtype() -> dtype:
    """The dtype of Python floats turned into tensors (``float32`` unless changed)."""
    return _DefaultDtype.value


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or d._cat != FLOATING:
        msg = "only floating-point types are supported as the default type"
        raise TypeError(msg if isinstance(d, dtype) else "invalid dtype object: " + msg)
    _DefaultDtype.value = d


def _fmt(x: float) -> str:
    """C's %g with six significant digits, as torch prints finfo/iinfo fields."""
    return f"{x:g}"


_NOT_GIVEN = object()


def _require_dtype(fn: str, value) -> None:
    if not isinstance(value, dtype):
        raise TypeError(
            f"{fn}(): argument 'type' (position 1) must be ember.dtype, not "
            f"{type(value).__name__}"
        )


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``."""

    def __init__(self, type=_NOT_GIVEN):  # noqa: A002 - torch's argument name
        if type is _NOT_GIVEN:
            type = _DefaultDtype.value
        _require_dtype("finfo", type)
        if type._cat != FLOATING:
            raise TypeError(
                "ember.finfo() requires a floating point input type. Use ember.iinfo to "
                "handle 'ember.finfo'"
            )
        info = ml_dtypes.finfo(type._np) if type is bfloat16 else np.finfo(type._np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        # torch: 10 ** -digits10 (3 for float16, 2 for bfloat16, 6 for float32, 15 for float64)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = type._name

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        raise TypeError("unhashable type: 'ember.finfo'")  # as torch's

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, "
            f"max={_fmt(self.max)}, eps={_fmt(self.eps)}, "
            f"smallest_normal={_fmt(self.smallest_normal)}, tiny={_fmt(self.tiny)}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type=_NOT_GIVEN):  # noqa: A002 - torch's argument name
        if type is _NOT_GIVEN:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        _require_dtype("iinfo", type)
        if type is bool_:
            raise TypeError("ember.bool is not supported by ember.iinfo")
        if type._cat != INTEGRAL:
            raise TypeError(
                "ember.iinfo() requires an integer input type. Use ember.finfo to handle "
                "'ember.iinfo'"
            )
        info = np.iinfo(type._np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type._name

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        raise TypeError("unhashable type: 'ember.iinfo'")

    def __repr__(self) -> str:
        return f"iinfo(min={_fmt(self.min)}, max={_fmt(self.max)}, dtype={self.dtype})"
