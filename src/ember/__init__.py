"""ember: a deep learning library on NumPy that speaks PyTorch (``import ember as torch``)."""

from __future__ import annotations

import numpy as _np

# torch never warns about overflow, division by zero or invalid values; NumPy would, once per
# call site. ember silences them (a process-wide NumPy setting, made on import).
_np.seterr(all="ignore")

from . import (
    _dtype,  # noqa: E402
    _ops,  # noqa: E402
    autograd,  # noqa: E402
    cuda,  # noqa: E402
)
from . import linalg, return_types  # noqa: E402
from ._device import device  # noqa: E402
from ._layout import (  # noqa: E402
    channels_last,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    strided,
)
from ._dtype import (  # noqa: E402
    bfloat16,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ._dtype import bool_ as bool  # noqa: E402,A001
from ._promotion import can_cast, promote_types  # noqa: E402
from ._size import Size  # noqa: E402
from ._tensor import (  # noqa: E402
    Tensor,
    is_complex,
    is_floating_point,
    is_inference,
    is_signed,
    is_tensor,
    numel,
)
from . import _random as random  # noqa: E402  (the ember.random module)
from ._random import Generator, default_generator  # noqa: E402
from ._tensor_str import set_printoptions  # noqa: E402
from ._threads import (  # noqa: E402
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled  # noqa: E402
from .autograd.anomaly_mode import is_enabled as is_anomaly_enabled  # noqa: E402
from .autograd.grad_mode import (  # noqa: E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

globals().update(_ops.FUNCTIONS)

half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

__version__ = "0.1.0"

# The user-facing packages load on first use, so ``import ember`` stays fast; ``ember.nn`` and
# friends behave as attributes exactly as torch's do.
_LAZY_MODULES = frozenset({"nn", "optim", "utils", "amp", "serialization", "cpu"})
_LAZY_ATTRS = {
    "save": "serialization",
    "load": "serialization",
    "autocast": "amp",
    "is_autocast_enabled": "amp",
    "get_autocast_dtype": "amp",
    "set_autocast_enabled": "amp",
    "set_autocast_dtype": "amp",
    "is_autocast_cache_enabled": "amp",
    "set_autocast_cache_enabled": "amp",
    "clear_autocast_cache": "amp",
    "autocast_increment_nesting": "amp",
    "autocast_decrement_nesting": "amp",
}


def __getattr__(name: str):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_ATTRS:
        module = importlib.import_module(f"{__name__}.{_LAZY_ATTRS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
