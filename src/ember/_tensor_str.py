"""Tensor printing, character for character as torch's ``torch/_tensor_str.py`` prints.

The rules (see shared/specs/pytorch-exactness.md, part 2): one formatter per tensor decides
integer/fixed/scientific mode and a common width from the (summarised) values; rows are laid
out recursively within ``linewidth``; suffixes (``dtype=``, ``grad_fn=``...) wrap at the same
width. Values are formatted from Python floats (exact doubles, as torch's ``.tolist()`` and
``.item()`` give them), never through NumPy's repr. The structure follows torch's module
function by function, so a difference from torch can be found by reading the two side by side.
"""

from __future__ import annotations

import contextlib
import math
import sys

import numpy as np

from . import _dtype as D


class __PrinterOptions:  # torch's name (a dataclass there), so ``repr(PRINT_OPTS)`` reads the same
    _FIELDS = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self, precision: int = 4, threshold: float = 1000, edgeitems: int = 3,
                 linewidth: int = 80, sci_mode: bool | None = None) -> None:
        self.precision = precision
        self.threshold = threshold
        self.edgeitems = edgeitems
        self.linewidth = linewidth
        self.sci_mode = sci_mode

    def _asdict(self) -> dict:
        return {f: getattr(self, f) for f in self._FIELDS}

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._asdict().items())
        return f"__PrinterOptions({fields})"


PRINT_OPTS = __PrinterOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
) -> None:
    """Set options for printing (torch's options and profiles).

    ``profile`` is one of ``"default"``, ``"short"``, ``"full"`` (an unknown name is ignored,
    as in torch); the other arguments override it. NOTE: as in torch, every call sets
    ``sci_mode`` to its argument, so ``set_printoptions(precision=2)`` turns a forced
    scientific mode back to automatic.
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options, as a dict that ``set_printoptions(**d)`` accepts."""
    return PRINT_OPTS._asdict()


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


class _Formatter:
    """Decides mode and width for all elements of one tensor (torch's ``_Formatter``).

    ``values`` is the NumPy array the decision is made on: the whole tensor, or its summarised
    edges. Floating arrays arrive widened to float32/float64, which hold every value exactly.
    """

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not floating:
            if values.size:
                if values.dtype.kind == "b":
                    texts = [str(v) for v in np.unique(values).tolist()]
                else:
                    # str(int) is widest at the smallest or the largest value.
                    texts = [str(values.min().item()), str(values.max().item())]
                self.max_width = max(self.max_width, *map(len, texts))
            return

        flat = values.reshape(-1)
        nz = flat[np.isfinite(flat) & (flat != 0)]
        if nz.size == 0:
            # No valid number: torch returns before it even looks at PRINT_OPTS.sci_mode.
            return

        # torch computes min/max/ratio in double on the dtype-rounded values.
        absvals = np.abs(nz.astype(np.float64))
        nz_min = float(absvals.min())
        nz_max = float(absvals.max())
        self.int_mode = bool(np.all(nz == np.ceil(nz)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = nz_max / nz_min > 1000.0 or nz_max > 1.0e8 or nz_min < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        p = PRINT_OPTS.precision
        # Each distinct value gives the same text; formatting the distinct ones is enough.
        vals = np.unique(nz).tolist() if nz.size > 64 else nz.tolist()
        if self.sci_mode:
            spec = f".{p}e"
            width = max(len(format(v, spec)) for v in vals)
        elif self.int_mode:
            # The "+ 1" holds the "." appended to every integral float.
            width = max(len(f"{v:.0f}") for v in vals) + 1
        else:
            spec = f".{p}f"
            width = max(len(format(v, spec)) for v in vals)
        self.max_width = max(self.max_width, width)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        # Left-padded, never truncated: "-0.0000" may be wider than the column.
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(a: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    fmt = formatter.format

    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt(v) for v in a[:e].tolist()] + [" ..."] + [fmt(v) for v in a[-e:].tolist()]
    else:
        data = [fmt(v) for v in a.tolist()]

    lines = [
        ", ".join(data[i : i + elements_per_line]) for i in range(0, len(data), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    a: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    dim = a.ndim
    if dim == 0:
        return formatter.format(a.item())
    if dim == 1:
        return _vector_str(a, indent, summarize, formatter)

    e = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * e:
        slices = (
            [_tensor_str_with_formatter(a[i], indent + 1, summarize, formatter) for i in range(e)]
            + ["..."]
            + [
                _tensor_str_with_formatter(a[i], indent + 1, summarize, formatter)
                for i in range(n - e, n)
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(a[i], indent + 1, summarize, formatter) for i in range(n)
        ]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(a: np.ndarray) -> np.ndarray:
    """The values the formatter sees when printing is summarised (torch's get_summarized_data).

    Along every dimension longer than ``2 * edgeitems`` only the first and last ``edgeitems``
    entries are kept. NOTE: torch's quirks are kept too: with ``edgeitems == 0`` a 1-D tensor
    keeps all its values (``self[-0:]`` is the whole row) while an n-D tensor keeps none.
    """
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        if a.shape[0] > 2 * e:
            return np.concatenate((a[:e], a[-e:]))
        return a
    if not e:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            a = np.take(a, list(range(e)) + list(range(n - e, n)), axis=axis)
    return a


def _tensor_str(a: np.ndarray, floating: bool, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    if floating and a.dtype.itemsize < 4:
        # float16/bfloat16: float32 holds every value exactly, and formats/compares natively.
        a = a.astype(np.float32)
    formatter = _Formatter(_summarized_data(a) if summarize else a, floating)
    return _tensor_str_with_formatter(a, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list, indent: int, force_newline: bool) -> str:
    tensor_strs = [tensor_str]
    # NOTE: torch's "+ 1" quirk: the length counts 2 more than the line when there is no "\n".
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def _parameter_class():
    # nn is above this module in the layering; look the class up only if nn is loaded.
    nn = sys.modules.get("ember.nn")
    return getattr(nn, "Parameter", None) if nn is not None else None


def _str(t, *, tensor_contents: str | None = None) -> str:
    """``repr(t)`` / ``str(t)`` as torch prints them (torch's ``_str_intern``)."""
    from ._tensor import Tensor

    param_cls = _parameter_class()
    cls = type(t)
    is_plain_tensor = cls is Tensor or (param_cls is not None and cls is param_cls)
    prefix = "tensor(" if is_plain_tensor else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    custom_contents_provided = tensor_contents is not None
    tensor_str = tensor_contents if custom_contents_provided else ""

    a = t._data
    dt = D._FROM_NP[a.dtype]
    dev = t.device
    if dev.type != "cpu":
        suffixes.append("device='" + str(dev) + "'")

    default = D._DefaultDtype.value
    # ember has no complex dtypes, so the default complex dtype never matches.
    has_default_dtype = dt is default or dt is D.int64 or dt is D.bool_
    if a.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        # An empty tensor has no elements to infer the dtype from: shown unless the default.
        if dt is not default:
            suffixes.append("dtype=" + str(dt))
        if not custom_contents_provided:
            tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + str(dt))
        if not custom_contents_provided:
            host = a if type(a) is np.ndarray else _to_host(a)
            tensor_str = _tensor_str(host, dt._cat == D.FLOATING, indent)

    grad_fn = t._grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")

    string_repr = _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
    if param_cls is not None and isinstance(t, param_cls) and not is_plain_tensor:
        string_repr = f"Parameter({string_repr})"
    return string_repr


def tensor_repr(t, *, tensor_contents: str | None = None) -> str:
    """``repr(t)`` as torch prints it (what ``Tensor.__repr__`` calls)."""
    return _str(t, tensor_contents=tensor_contents)


def _to_host(a) -> np.ndarray:
    from ._backend import to_numpy

    return to_numpy(a)
