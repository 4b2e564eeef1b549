"""``ember.cuda.amp``: deprecated aliases of ``ember.amp`` for CUDA (as torch's).

Without a CUDA device they behave as torch's do on a CPU-only build: ``autocast()`` warns and
disables itself, ``GradScaler()`` warns and disables itself.
"""

from __future__ import annotations

import functools
import warnings

from ... import _dtype as D
from ...amp import autocast_mode as _am
from ...amp.grad_scaler import GradScaler as _GradScaler
from ...amp.grad_scaler import OptState  # noqa: F401  (torch exposes it here too)
from .common import amp_definitely_not_available

__all__ = ["amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd", "GradScaler"]


def _deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    warnings.warn(f"`{old}` is deprecated. Please use `{new}` instead.", FutureWarning,
                  stacklevel=stacklevel)


class autocast(_am.autocast):  # noqa: N801 - torch's name
    """``ember.amp.autocast('cuda', ...)`` under its deprecated name."""

    def __init__(self, enabled: bool = True, dtype: D.dtype = D.float16,
                 cache_enabled: bool = True):
        _deprecated("ember.cuda.amp.autocast(args...)", "ember.amp.autocast('cuda', args...)")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    _deprecated("ember.cuda.amp.custom_fwd(args...)",
                "ember.amp.custom_fwd(args..., device_type='cuda')")
    return functools.partial(_am.custom_fwd, device_type="cuda")(fwd=fwd,
                                                                  cast_inputs=cast_inputs)


def custom_bwd(bwd):
    _deprecated("ember.cuda.amp.custom_bwd(args...)",
                "ember.amp.custom_bwd(args..., device_type='cuda')")
    return functools.partial(_am.custom_bwd, device_type="cuda")(bwd)


class GradScaler(_GradScaler):
    """``ember.amp.GradScaler('cuda', ...)`` under its deprecated name."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _deprecated("ember.cuda.amp.GradScaler(args...)",
                    "ember.amp.GradScaler('cuda', args...)")
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)
