"""Array backends: NumPy for the CPU; CuPy for CUDA when it is installed and a GPU is present.

ember's op forwards call NumPy functions; CuPy arrays reach CuPy's kernels through NumPy's
``__array_ufunc__``/``__array_function__`` protocols, so the same forward code serves both.
Only this module imports CuPy, and only on first use.
"""

from __future__ import annotations

import numpy as np

from .._device import CPU, device

_cupy = None
_cupy_checked = False


def cupy():
    """The CuPy module if it imports and sees a GPU, else None (checked once)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy as cp  # noqa: PLC0415  (optional dependency)

            if cp.cuda.runtime.getDeviceCount() > 0:
                _cupy = cp
        except Exception:  # ImportError, or a CUDA runtime without a device
            _cupy = None
    return _cupy


def device_of(arr) -> device:
    if type(arr) is np.ndarray:
        return CPU
    cp = cupy()
    if cp is not None and isinstance(arr, cp.ndarray):
        return device("cuda", arr.device.id)
    return CPU


def to_numpy(arr) -> np.ndarray:
    if type(arr) is np.ndarray:
        return arr
    return arr.get()
