"""Anomaly detection: remember where each node was made, and stop at the first NaN gradient."""

from __future__ import annotations

import traceback
import warnings


class _Anomaly:
    enabled = False
    check_nan = True


def is_enabled() -> bool:
    return _Anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _Anomaly.check_nan


_WARNING = (
    "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
    "be enabled for debugging."
)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _Anomaly.enabled
        self.prev_check_nan = _Anomaly.check_nan
        self.check_nan = check_nan
        warnings.warn(_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self.prev, self.prev_check_nan = _Anomaly.enabled, _Anomaly.check_nan
        _Anomaly.enabled, _Anomaly.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> None:
        _Anomaly.enabled, _Anomaly.check_nan = self.prev, self.prev_check_nan

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (at once, or for a ``with`` block)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = _Anomaly.enabled, _Anomaly.check_nan
        _Anomaly.enabled, _Anomaly.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _Anomaly.enabled, _Anomaly.check_nan = self.prev, self.prev_check_nan


def record_trace(node) -> None:
    """Called when a node is made in anomaly mode: keep the forward stack for error reports."""
    node._anomaly_trace = "".join(traceback.format_stack()[:-3])


def report(node) -> None:
    """Warn with the forward traceback of the node whose backward failed."""
    if node._anomaly_trace:
        msg = (
            f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
            + node._anomaly_trace
        )
    else:
        msg = (
            f"Error detected in {node.name()}. No forward pass information available. Enable "
            "detect anomaly during forward pass for more information."
        )
    warnings.warn(msg, UserWarning, stacklevel=4)


def check_nan(node, outs) -> None:
    if not _Anomaly.check_nan:
        return
    import numpy as np

    from .._dtype import _FROM_NP, FLOATING

    for i, g in enumerate(outs):
        if g is None or _FROM_NP[g._data.dtype]._cat != FLOATING:
            continue
        if np.isnan(g._data).any():
            report(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
