"""Tensor printing, character for character as torch's ``_tensor_str`` prints.

The rules (see shared/specs/pytorch-exactness.md, part 2): one formatter per tensor decides
integer/fixed/scientific mode and a common width from the (summarised) values; rows are laid
out recursively within ``linewidth``; suffixes (``dtype=``, ``grad_fn=``...) wrap at the same
width. Values are formatted from Python floats (exact doubles), never through NumPy's repr.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from . import _dtype as D


class _PrintOptions:
    precision = 4
    threshold = 1000.0
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:
    """Set how tensors print (same options and profiles as torch)."""
    if profile is not None:
        p, t, e, w = _PROFILES[profile]
        PRINT_OPTS.precision, PRINT_OPTS.threshold = p, t
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = e, w
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode  # as in torch, every call resets sci_mode


def get_printoptions() -> dict:
    return {
        "precision": PRINT_OPTS.precision,
        "threshold": PRINT_OPTS.threshold,
        "edgeitems": PRINT_OPTS.edgeitems,
        "linewidth": PRINT_OPTS.linewidth,
        "sci_mode": PRINT_OPTS.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs):
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Decides mode and width for all elements of one tensor."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        if not floating:
            for v in values.reshape(-1).tolist():
                self.max_width = max(self.max_width, len(str(v)))
        else:
            flat = values.reshape(-1).astype(np.float64)
            nz = flat[np.isfinite(flat) & (flat != 0)]
            if nz.size:
                absvals = np.abs(nz)
                lo = float(absvals.min())
                hi = float(absvals.max())
                vals = nz.tolist()
                self.int_mode = bool(np.all(nz == np.ceil(nz)))
                if self.int_mode:
                    if hi / lo > 1000.0 or hi > 1.0e8:
                        self.sci_mode = True
                        self.max_width = max(len(f"{v:.{p}e}") for v in vals)
                    else:
                        self.max_width = max(len(f"{v:.0f}") for v in vals) + 1
                elif hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                    self.sci_mode = True
                    self.max_width = max(len(f"{v:.{p}e}") for v in vals)
                else:
                    self.max_width = max(len(f"{v:.{p}f}") for v in vals)
                self.max_width = max(self.max_width, 1)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def format(self, value) -> str:
        p = PRINT_OPTS.precision
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = str(value)
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    """The values the formatter sees when printing is summarised (edge items only)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim > 1 and not e:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    if a.shape[0] > 2 * e:
        a = np.concatenate((a[:e], a[a.shape[0] - e:]))
    if a.ndim == 1:
        return a
    return np.stack([_summarized(x) for x in a]) if a.shape[0] else a


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    e = PRINT_OPTS.edgeitems
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2))))
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                + [fmt.format(v) for v in a[a.shape[0] - e:].tolist()])
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nd_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        rows = ([_nd_str(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                + [_nd_str(a[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        rows = [_nd_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _values_str(a: np.ndarray, floating: bool, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if a.dtype in (D.float16._np, D.bfloat16._np):
        a = a.astype(np.float32)
    fmt = _Formatter(_summarized(a) if summarize else a, floating)
    return _nd_str(a, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)`` as torch prints it."""
    a = t._data
    dt = D._FROM_NP[a.dtype]
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")
    default = D._DefaultDtype.value
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt is not default:
            suffixes.append("dtype=" + str(dt))
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if dt not in (default, D.int64, D.bool_):
            suffixes.append("dtype=" + str(dt))
        host = a if type(a) is np.ndarray else _to_host(a)
        body = _values_str(host, dt._cat == D.FLOATING, indent)
    fn = t._grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def _to_host(a) -> np.ndarray:
    from ._backend import to_numpy

    return to_numpy(a)
