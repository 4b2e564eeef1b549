"""``ember.autocast``: regions where ops run in an op-specific dtype (torch's autocast).

The state is thread-local, as torch's: per device type an enabled flag and a dtype, plus the
weight-cast cache, its switch and the nesting depth. ember tensors live on the CPU, so only
the CPU policy ever casts; the other device types keep their state for the queries.

While any thread has CPU autocast enabled, ``registry.set_autocast_hook`` makes ``apply()``
run this module's hook first; with autocast off, ``apply()`` runs without any check.
"""

from __future__ import annotations

import collections.abc
import functools
import threading
import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .._ops import registry as _registry
from .._ops.shape import _cast as _cast_tensor
from .._tensor import Tensor
from ..autograd.grad_mode import STATE as _GRAD
from . import policy as _policy

__all__ = [
    "autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "is_autocast_enabled",
    "get_autocast_dtype", "set_autocast_enabled", "set_autocast_dtype",
    "is_autocast_cache_enabled", "set_autocast_cache_enabled", "clear_autocast_cache",
    "autocast_increment_nesting", "autocast_decrement_nesting",
]

# torch's device types with an autocast dispatch key, and their default autocast dtypes.
_DEFAULT_DTYPES = {
    "cpu": D.bfloat16, "cuda": D.float16, "xpu": D.float16, "mps": D.float16,
    "hpu": D.bfloat16, "mtia": D.float16, "maia": D.bfloat16, "xla": D.bfloat16,
    "ipu": D.float16, "privateuseone": D.float16,
}
_KNOWN_TYPES = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
    "vulkan, mps, meta, hpu, mtia, privateuseone"
)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_HALF = (D.float16._np, D.bfloat16._np)
_FLOAT = frozenset((D.float16._np, D.bfloat16._np, _F32))  # eligible for casting (not f64)


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled: dict = {}
        self.dtype: dict = {}
        self.cache_enabled = True
        self.nesting = 0
        self.cache: dict = {}  # id(weight) -> (weight, its cast)
        self.cpu = False  # CPU autocast enabled (the only policy that casts ember tensors)
        self.cpu_np = D.bfloat16._np


_tls = _State()
_cpu_threads: set = set()  # threads with CPU autocast enabled
_lock = threading.Lock()


def _device_error(device_type: str) -> RuntimeError:
    return RuntimeError(
        f"Expected one of {_KNOWN_TYPES} device type at start of device string: {device_type}"
    )


def _check_type(device_type, fname: str) -> str:
    if not isinstance(device_type, str):
        raise TypeError(
            f"{fname}(): argument 'device_type' (position 1) must be str, not "
            f"{type(device_type).__name__}"
        )
    dev = device_type.split(":")[0]
    if dev not in _DEFAULT_DTYPES:
        raise _device_error(device_type)
    return dev


# ---------------------------------------------------------------------------------- state
def is_autocast_available(device_type: str) -> bool:
    """Whether autocast has a policy for ``device_type`` (torch's device types do)."""
    return _check_type(device_type, "_is_autocast_available") in _DEFAULT_DTYPES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (no argument: CUDA, as torch's legacy form)."""
    dev = "cuda" if device_type is None else _check_type(device_type, "is_autocast_enabled")
    return _tls.enabled.get(dev, False)


def get_autocast_dtype(device_type: str) -> D.dtype:
    dev = _check_type(device_type, "get_autocast_dtype")
    return _tls.dtype.get(dev, _DEFAULT_DTYPES[dev])


def set_autocast_enabled(device_type, enabled=None) -> None:
    """``set_autocast_enabled(device_type, enabled)``; ``set_autocast_enabled(enabled)`` is CUDA."""
    if enabled is None:  # the one-argument overload: (bool enabled), for CUDA
        device_type, enabled, pos = "cuda", device_type, 1
    else:
        pos = 2
    if not isinstance(enabled, bool):
        raise TypeError(
            f"set_autocast_enabled(): argument 'enabled' (position {pos}) must be bool, not "
            f"{type(enabled).__name__}"
        )
    dev = _check_type(device_type, "set_autocast_enabled")
    st = _tls
    st.enabled[dev] = enabled
    if dev == "cpu" and st.cpu != enabled:
        st.cpu = enabled
        _track_cpu(enabled)


def _track_cpu(enabled: bool) -> None:
    me = threading.get_ident()
    with _lock:
        was = bool(_cpu_threads)
        if enabled:
            _cpu_threads.add(me)
        else:
            _cpu_threads.discard(me)
        if was != bool(_cpu_threads):
            _registry.set_autocast_hook(_hook if _cpu_threads else None)


def _set_state(st: _State, dev: str, enabled: bool, dtype: D.dtype) -> None:
    """This thread's autocast state for ``dev`` (the hook follows the CPU flag)."""
    st.enabled[dev] = enabled
    st.dtype[dev] = dtype
    if dev == "cpu":
        st.cpu_np = dtype._np
        if st.cpu != enabled:
            st.cpu = enabled
            _track_cpu(enabled)


def set_autocast_dtype(device_type: str, dtype: D.dtype) -> None:
    dev = _check_type(device_type, "set_autocast_dtype")
    if not isinstance(dtype, D.dtype):
        raise TypeError(
            f"set_autocast_dtype(): argument 'dtype' (position 2) must be ember.dtype, not "
            f"{type(dtype).__name__}"
        )
    _tls.dtype[dev] = dtype
    if dev == "cpu":
        _tls.cpu_np = dtype._np


def is_autocast_cache_enabled() -> bool:
    return _tls.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    _tls.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    _tls.cache.clear()


def autocast_increment_nesting() -> int:
    _tls.nesting += 1
    return _tls.nesting


def autocast_decrement_nesting() -> int:
    _tls.nesting -= 1
    return _tls.nesting


# ---------------------------------------------------------------------------------- casting
def _eligible(t) -> bool:
    return isinstance(t, Tensor) and t._data.dtype in _FLOAT


def _cast_to(t: Tensor, np_dtype, st: _State) -> Tensor:
    """``t`` cast to ``np_dtype``; float32 weights (leaves requiring grad) cast down are cached
    for the rest of the outermost autocast region, as torch does."""
    d = t._data.dtype
    if d == np_dtype or d not in _FLOAT:
        return t
    if (st.cache_enabled and d == _F32 and np_dtype == st.cpu_np and t._requires_grad
            and t._grad_fn is None and t._base is None and _GRAD.enabled):
        hit = st.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        out = _cast_tensor(t, np_dtype)
        st.cache[id(t)] = (t, out)
        return out
    return _cast_tensor(t, np_dtype)


def _promote_target(st: _State, tensors) -> Any:
    low = st.cpu_np
    cur = low
    for t in tensors:
        if isinstance(t, Tensor):
            d = t._data.dtype
            if d == _F64 or d not in _FLOAT:
                continue
            if cur == _F32 or d == _F32:
                cur = _F32
            elif not (cur == low and d == low):
                raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return cur


def _target(kind: int, st: _State, tensors):
    if kind == _policy.LOWER:
        return st.cpu_np
    if kind == _policy.FP32:
        return _F32
    return _promote_target(st, tensors)


def cast_args(name: str, args: tuple) -> tuple:
    """The tensors of ``args`` cast for op ``name`` (torch's name) under the CPU policy."""
    st = _tls
    if not st.cpu:
        return args
    kind = _CPU_BY_NAME.get(name)
    if kind is None:
        return args
    target = st.cpu_np if kind == _LOWER else _F32 if kind == _FP32 else \
        _promote_target(st, args)
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a._data.dtype
            if d != target and d in _FLOAT:
                a = _cast_to(a, target, st)
        out.append(a)
    return tuple(out)


def _hook(op, inputs: tuple, arrays: tuple):
    """``apply()``'s autocast step: new (inputs, arrays) for a prim on the CPU policy, or None."""
    st = _tls
    if not st.cpu:
        return None
    kind = _CPU_POLICY.get(op.name)
    if kind is None:
        return None
    if op.variadic:  # one list of tensors (cat, stack)
        ts = inputs[0]
        target = _target(kind, st, ts)
        new = [_cast_to(t, target, st) for t in ts]
        if all(a is b for a, b in zip(new, ts)):
            return None
        arrs = [n._data if t._data is a else a for n, t, a in zip(new, ts, arrays[0])]
        return (new,) + tuple(inputs[1:]), (arrs,) + tuple(arrays[1:])
    target = _target(kind, st, inputs)
    changed = False
    new_in, new_arr = list(inputs), list(arrays)
    for i, t in enumerate(inputs):
        if t is None or not _eligible(t):
            continue
        c = _cast_to(t, target, st)
        if c is not t:
            changed = True
            new_in[i] = c
            if arrays[i] is t._data:
                new_arr[i] = c._data
    return (tuple(new_in), tuple(new_arr)) if changed else None


_CPU_POLICY = _policy.CPU_POLICY
_LOWER, _FP32 = _policy.LOWER, _policy.FP32
_CPU_BY_NAME = {}
for _kind, _names in ((_policy.LOWER, _policy.CPU_LOWER), (_policy.FP32, _policy.CPU_FP32),
                      (_policy.PROMOTE, _policy.CPU_PROMOTE)):
    for _n in _names:
        _CPU_BY_NAME[_n] = _kind
_registry.cast_args_impl = cast_args


# ---------------------------------------------------------------------------------- autocast
class autocast:  # noqa: N801 - torch's name
    """Context manager / decorator: ops in the region run in an op-specific dtype.

    ``device_type``: 'cpu' (default dtype bfloat16) or 'cuda' (float16; without CUDA the
    region warns and stays disabled, as torch's). Nestable; the state is thread-local.
    """

    def __init__(self, device_type: str, dtype: D.dtype | None = None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(
                f"Expected `device_type` of type `str`, got: `{type(device_type)}`"
            )
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        self._dev = _check_type(device_type, "autocast")
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{self.device}'"
            )
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else \
            cache_enabled
        if enabled:
            if device_type == "cuda":
                from ..cuda import is_available

                if not is_available():
                    warnings.warn(
                        "CUDA is not available or torch_xla is imported. Disabling autocast.",
                        stacklevel=2,
                    )
                    enabled = False
            elif self.fast_dtype not in (D.bfloat16, D.float16):
                name = device_type.upper()
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of ember.bfloat16, "
                    "ember.float16 currently.",
                    stacklevel=2,
                )
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        st = _tls
        dev = self._dev
        self.prev_cache_enabled = st.cache_enabled
        self.prev = st.enabled.get(dev, False)
        self.prev_fastdtype = st.dtype.get(dev, _DEFAULT_DTYPES[dev])
        _set_state(st, dev, self._enabled, self.fast_dtype)
        st.nesting += 1
        st.cache_enabled = bool(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        st = _tls
        st.nesting -= 1
        if st.nesting == 0:  # the weight cache lives until the outermost region ends
            st.cache.clear()
        _set_state(st, self._dev, self.prev, self.prev_fastdtype)
        st.cache_enabled = self.prev_cache_enabled
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with ember.autocast(device_type=...):\n"
                "        output = model(input)"
            )

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


# ---------------------------------------------------------------------------------- custom_fwd
def _cast(value, device_type: str, dtype: D.dtype):
    """Floating tensors (not float64) in ``value`` and its containers cast to ``dtype``."""
    if isinstance(value, Tensor):
        ok = value.is_floating_point() and value._data.dtype != _F64
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs: D.dtype | None = None):
    """Decorator for a custom Function's ``forward``: records the autocast state for
    ``backward``; with ``cast_inputs``, runs ``forward`` on cast inputs with autocast off."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if is_autocast_enabled(device_type):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs),
                           **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for a custom Function's ``backward``: runs it under ``forward``'s autocast
    state."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
