"""Small shared helpers of the op library: dims, dtypes, shapes and torch's error texts."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap, _wrap_dim

wrap_dim = _wrap_dim

FLOAT_NP = frozenset(d._np for d in D.FLOAT_DTYPES)
INT_NP = frozenset(d._np for d in D.INT_DTYPES)
BOOL_NP = D.bool_._np
Number = (bool, int, float)


def np_to_dtype(np_dtype) -> D.dtype:
    return D._FROM_NP[np_dtype]


def default_float_np():
    return D._DefaultDtype.value._np


def to_np_dtype(dtype) -> np.dtype | None:
    """An ember dtype (or None) as a NumPy dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, D.dtype):
        return dtype._np
    if dtype in (float, int, bool):  # torch accepts Python types as dtypes
        return {float: np.dtype(np.float64), int: np.dtype(np.int64), bool: BOOL_NP}[dtype]
    raise TypeError(f"expected a dtype, got {type(dtype).__name__}")


def wrap_dims(dim, ndim: int) -> tuple:
    """Normalise an int or a sequence of ints to a tuple of non-negative dims."""
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    dims = tuple(wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        seen = set()
        for d in dims:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return dims


def broadcast_error(a_shape: tuple, b_shape: tuple) -> RuntimeError:
    """torch's message for shapes that do not broadcast (it reports the rightmost clash)."""
    n = max(len(a_shape), len(b_shape))
    a = (1,) * (n - len(a_shape)) + tuple(a_shape)
    b = (1,) * (n - len(b_shape)) + tuple(b_shape)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )
    return RuntimeError(f"shapes {list(a_shape)} and {list(b_shape)} are not broadcastable")


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of several shapes, with torch's error on a clash."""
    out: tuple = ()
    for s in shapes:
        s = tuple(s)
        try:
            out = np.broadcast_shapes(out, s)
        except ValueError:
            raise broadcast_error(out, s) from None
    return tuple(out)


def is_expandable_to(shape: tuple, desired: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to ``desired`` (torch.is_expandable_to)."""
    if len(shape) > len(desired):
        return False
    for s, d in zip(reversed(shape), reversed(desired)):
        if s != d and s != 1:
            return False
    return True


def shape_arg(size) -> tuple:
    """Sizes passed as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` (or an ember.Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"expected a sequence of integers or a single integer, got '{type(s).__name__}'"
            )
        out.append(int(s))
    return tuple(out)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """A tensor from a tensor, Python scalar or array-like (scalars keep torch's dtypes)."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    return tensor(x)


def scalar_to_array(value, np_dtype) -> np.ndarray:
    """A Python scalar as a 0-d array of ``np_dtype``, wrapping integers as C casts do."""
    try:
        return np.asarray(value, dtype=np_dtype)
    except OverflowError:
        return np.asarray(value).astype(np_dtype)


def check_out(out: Tensor, result: Tensor, name: str, warn_resize: bool = True) -> Tensor:
    """Write ``result`` into a user-given ``out=`` tensor, as torch's out= variants do."""
    from ..autograd.grad_mode import STATE

    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (out._requires_grad or result._requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    rd, od = result._data, out._data
    if D._FROM_NP[rd.dtype]._cat > D._FROM_NP[od.dtype]._cat:
        raise RuntimeError(
            f"result type {D._FROM_NP[rd.dtype]._legacy} can't be cast to the desired output "
            f"type {D._FROM_NP[od.dtype]._legacy}"
        )
    if od.shape != rd.shape:
        if od.size and warn_resize:  # factories (zeros, arange...) resize silently
            import warnings

            warnings.warn(
                "An output with one or more elements was resized since it had shape "
                f"{list(od.shape)}, which does not match the required output shape "
                f"{list(rd.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(rd.shape, dtype=od.dtype)
    np.copyto(out._data, rd, casting="unsafe")
    out._vc[0] += 1
    return out


__all__ = ["Tensor", "_wrap"]
