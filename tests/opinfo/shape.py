"""OpInfo entries: shape, view and joining ops (src/ember/_ops/shape.py).

Method-only ops (``x.view``, ``x.expand``...) cannot go through the generic gradient, gradcheck
and error tests (they call the function form), so their gradients and error messages are
checked in tests/test_views.py; their forward values (and exception types) are checked here.
"""

from __future__ import annotations

import numpy as np

import ember

from .core import ALL, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64 = np.dtype(np.int64)

FM = ("function", "method")
FMI = ("function", "method", "inplace")
M = ("method",)
F = ("function",)

_RNG = np.random.default_rng(0)


def _a(shape, dtype=F32):
    return make(shape, np.dtype(dtype), _RNG)


def _err(input, *args, exc=RuntimeError, match="exact", **kwargs):
    return ErrorSample(Sample(input, args, kwargs), exc, match)


def _nc(shape, dtype, rng):
    """A non-contiguous (transposed) array of ``shape``."""
    return make(tuple(reversed(shape)), dtype, rng).T


def _samples(*specs):
    """A sample generator from specs ``(shape_or_fn, args, kwargs)``.

    ``shape_or_fn``: a shape (a fresh random array of the test dtype), "nc:<shape>" style
    tuples via ``("nc", shape)`` for a transposed array, or a callable ``(dtype, rng) -> input``.
    """

    def gen(dtype, rng):
        for spec in specs:
            src, args = spec[0], spec[1] if len(spec) > 1 else ()
            kwargs = spec[2] if len(spec) > 2 else {}
            if callable(src):
                inp = src(dtype, rng)
            elif isinstance(src, tuple) and src and src[0] == "nc":
                inp = _nc(src[1], dtype, rng)
            else:
                inp = make(src, dtype, rng)
            args = tuple(a(dtype, rng) if callable(a) else a for a in args)
            yield Sample(inp, args, dict(kwargs))

    return gen


def _arr(shape, dt=None):
    """An argument: a random array of ``shape`` (of the test dtype unless ``dt``)."""

    def f(dtype, rng):
        return make(shape, np.dtype(dt) if dt is not None else dtype, rng)

    return f


def _list(*shapes, dts=None):
    """An input list of arrays (of the test dtype, or of the given dtypes)."""

    def f(dtype, rng):
        out = []
        for i, s in enumerate(shapes):
            dt = dtype if dts is None or dts[i] is None else np.dtype(dts[i])
            if isinstance(s, tuple) and s and s[0] == "nc":
                out.append(_nc(s[1], dt, rng))
            else:
                out.append(make(s, dt, rng))
        return out

    return f


# ---------------------------------------------------------------------------------- view/reshape
_SAME_SIZE_INT = {1: ember.int8, 2: ember.int16, 4: ember.int32, 8: ember.int64}


def _view_samples(dtype, rng):
    yield from _samples(
        ((3, 4), ((4, 3),)), ((3, 4), (-1,)), ((3, 4), (2, -1, 2)), ((3, 4), (12, 1)),
        ((), (1,)), ((1, 1), ()), ((), (-1,)), ((0, 3), (3, 0)), ((0, 3), (-1, 0)),
        ((3, 4), ([2, 6],)), (("nc", (3, 4)), (4, 1, 3)),
        (("nc", (3, 4)), (-1,)),  # not viewable: both raise
        ((3, 4), (5,)), ((3, 4), (-1, -1)),
    )(dtype, rng)
    x = make((3, 8), dtype, rng)
    yield Sample(x, (_SAME_SIZE_INT[dtype.itemsize],))
    yield Sample(x, (ember.uint8,))
    yield Sample(x, (ember.int64,))
    yield Sample(x, (), {"dtype": ember.int16})
    yield Sample(make((3, 3), dtype, rng), (ember.int64,))


def _reshape_samples(dtype, rng):
    yield from _samples(
        ((3, 4), ((4, 3),)), ((3, 4), ((-1,),)), ((2, 3, 4), ((4, -1),)), ((), ((1, 1),)),
        ((1,), ((),)), ((0, 3), ((3, 0, 1),)), (("nc", (3, 4)), ((-1,),)),
        (("nc", (3, 4)), ((4, 3),)),
        (("nc", (2, 3, 4)), ((6, 4),)), ((3, 4), ([6, 2],)),
    )(dtype, rng)


def _reshape_errors():
    x = _a((3, 4))
    return [
        _err(x, (5,)), _err(x, (-1, -1)), _err(x, (-2, 6)), _err(_a((0, 3)), (-1, 0)),
        _err(x, 12, exc=TypeError), _err(x, (-2, -1, -1)),
        _err(_a((0, 3)), (0, -1)), _err(x, (-1, 0)),
    ]


def _flatten_samples(dtype, rng):
    yield from _samples(
        ((2, 3, 4), ()), ((2, 3, 4), (1,)), ((2, 3, 4), (0, 1)), ((2, 3, 4), (-2, -1)),
        ((2, 3, 4), (1, 1)), ((), ()), ((), (0, -1)), ((0, 3), ()), (("nc", (2, 3, 4)), (1,)),
        (("nc", (2, 3, 4)), (0, 1)), ((2, 3, 4), (), {"start_dim": 1, "end_dim": 2}),
    )(dtype, rng)


def _flatten_errors():
    x = _a((2, 3, 4))
    return [_err(x, 2, 1), _err(x, 0, 3, exc=IndexError), _err(_a(()), 1, exc=IndexError)]


def _unflatten_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (1, (2, 2))), ((3, 4), (-1, (-1, 2))), ((3, 4), (1, [4])),
        ((3, 4), (0, (3, 1, 1))), (("nc", (3, 4)), (1, (2, 2))), ((3, 0), (1, (2, 0))),
        ((3, 4), (), {"dim": 1, "sizes": (2, 2)}),
    )(dtype, rng)


def _unflatten_errors():
    x = _a((3, 4))
    return [
        _err(x, 1, (3, 2)), _err(x, 1, (-1, 3)), _err(x, 1, ()),
        _err(x, 1, (-1, -1), match="unflatten got an unexpected error:\nonly one dimension can"),
        _err(_a(()), 0, (1,), match="unflatten got an unexpected error:\nDimension specified as"),
        _err(x, 2, (2, 2), exc=IndexError),
    ]


def _ravel_samples(dtype, rng):
    yield from _samples(((3, 4),), ((),), (("nc", (3, 4)),), ((0, 2),))(dtype, rng)


def _as_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (_arr((4, 3)),)), ((3, 4), (_arr((12,)),)), ((), (_arr((1, 1)),)),
        ((3, 4), (_arr((2, 6), "int64"),)), ((3, 4), (_arr((5,)),)),
    )(dtype, rng)


# ---------------------------------------------------------------------------------- expand
def _expand_samples(dtype, rng):
    yield from _samples(
        ((3, 1), (3, 4)), ((3, 1), (2, 3, 4)), ((3, 1), (-1, 4)), ((3, 1), (2, -1, 5)),
        ((), (2, 3)), ((), ()), ((3, 4), (3, 4)), ((1, 4), (0, 4)), ((3, 1), ((2, 3, 4),)),
        (("nc", (1, 3)), (2, 1, 3)), ((3, 1), (), {"size": (3, 2)}),
        ((3, 4), (3,)), ((3, 4), (3, 5)), ((3, 4), (-1, 3, 4)), ((3, 4), (-1, 5, 4)),
    )(dtype, rng)


def _broadcast_to_samples(dtype, rng):
    yield from _samples(
        ((3, 1), ((3, 4),)), ((3, 1), ((2, -1, 4),)), ((), ((2,),)), ((4,), ((3, 4),)),
    )(dtype, rng)


def _broadcast_to_errors():
    x = _a((3, 4))
    return [
        _err(x, (3,)), _err(x, (3, 5)), _err(x, (-1, 3, 4)), _err(x, (2, -1, 5)),
        _err(x.astype(np.int32), (3,)), _err(x.astype(np.float64), (3, 5, 4)),
    ]


def _sum_to_size_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (1, 4)), ((3, 4), (4,)), ((3, 4), ((3, 1),)), ((2, 3, 4), (3, 1)),
        ((3, 4), (3, 4)), ((3, 4), ((),)), ((3, 4), (2, 4)), ((3, 4), (1, 1, 4)), ((3, 4), ()),
    )(dtype, rng)


def _broadcast_tensors_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (_arr((2, 1, 4)), _arr(()))), ((3, 4), (_arr((3, 4)),)), ((3,), ()),
        ((3, 1), (_arr((1, 4), "float32"),)), ((0, 1), (_arr((3,)),)),
    )(dtype, rng)


def _broadcast_tensors_errors():
    return [_err(_a((3, 4)), _a((2, 3)))]


def _meshgrid_samples(dtype, rng):
    for idx in ("ij", "xy"):
        yield from _samples(
            ((3,), (_arr((4,)),), {"indexing": idx}),
            ((3,), (_arr((4,)), _arr((2,))), {"indexing": idx}),
            ((), (_arr((4,)),), {"indexing": idx}),
            ((3,), (), {"indexing": idx}),
            ((0,), (_arr((2,)),), {"indexing": idx}),
        )(dtype, rng)


def _meshgrid_errors():
    x = _a((3,))
    return [
        _err(x, _a((2,)), indexing="foo"),
        _err(x, _a((2,), np.int32), indexing="ij"),
        _err(x, _a((2, 2)), indexing="ij",
             match="ember.meshgrid: Expected 0D or 1D tensor in the tensor list but got:"),
    ]


# ---------------------------------------------------------------------------------- squeeze etc.
def _squeeze_samples(dtype, rng):
    yield from _samples(
        ((3, 1, 4),), ((3, 1, 4), (1,)), ((3, 1, 4), (-2,)), ((3, 1, 4), (0,)),
        ((3, 1, 4), ((0, 1),)), ((1, 1, 4), ([0, -2],)), ((3, 1, 4), ((),)), ((),), ((), (0,)),
        ((), (-1,)), ((), ((0,),)), ((0, 1),), ((1, 0, 1), (2,)), (("nc", (1, 3, 1)),),
        ((3, 1, 4), (), {"dim": 1}),
    )(dtype, rng)


def _squeeze_errors():
    x = _a((3, 1, 4))
    return [_err(x, 3, exc=IndexError), _err(x, (1, -2)), _err(_a(()), 1, exc=IndexError)]


def _unsqueeze_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (0,)), ((3, 4), (2,)), ((3, 4), (-1,)), ((3, 4), (-3,)), ((), (0,)),
        ((), (-1,)), ((0, 2), (1,)), (("nc", (3, 4)), (1,)),
    )(dtype, rng)


def _unsqueeze_errors():
    return [_err(_a((3, 4)), 3, exc=IndexError), _err(_a(()), -2, exc=IndexError)]


def _transpose_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (0, 1)), ((2, 3, 4), (0, -1)), ((2, 3, 4), (1, 1)), ((), (0, -1)),
        ((3,), (0, 0)), (("nc", (2, 3, 4)), (2, 0)), ((0, 3), (0, 1)),
    )(dtype, rng)


def _transpose_errors():
    return [_err(_a((2, 3, 4)), 0, 3, exc=IndexError)]


def _t_samples(dtype, rng):
    yield from _samples(((3, 4),), ((3,),), ((),), (("nc", (3, 4)),), ((0, 2),))(dtype, rng)


def _t_errors():
    return [_err(_a((2, 3, 4)))]


def _permute_samples(dtype, rng):
    yield from _samples(
        ((2, 3, 4), ((2, 0, 1),)), ((2, 3, 4), ([-1, 0, 1],)), ((), ((),)),
        ((3, 4), ((1, 0),)), (("nc", (2, 3, 4)), ((1, 2, 0),)),
        ((2, 3, 4), (), {"dims": (1, 0, 2)}), ((0, 3), ((1, 0),)),
    )(dtype, rng)


def _permute_errors():
    x = _a((2, 3, 4))
    return [
        _err(x, 2, 0, 1, exc=TypeError), _err(_a((3,)), 0, exc=TypeError),
        _err(x, (0, 1)), _err(x, (0, 1, 1)), _err(x, (0, 1, -2)),
        _err(x, (0, 1, 3), exc=IndexError),
        _err(x, (0, 0, 3)),
    ]


def _movedim_samples(dtype, rng):
    yield from _samples(
        ((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, 0)), ((2, 3, 4), ((0, 1), (2, 0))),
        ((2, 3, 4), ([0], [1])), ((2, 3, 4), ((), ())), ((), (0, 0)), ((), (-1, 0)),
        (("nc", (2, 3, 4)), (0, -1)), ((2, 3, 4), (), {"source": 1, "destination": 0}),
    )(dtype, rng)


def _movedim_errors():
    x = _a((2, 3, 4))
    return [
        _err(x, (0, 1), (2,)), _err(x, (0, 0), (2, 1)), _err(x, (0, 1), (2, 2)),
        _err(x, (0, -3), (1, 2)), _err(x, 0, 3, exc=IndexError),
    ]


def _narrow_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (1, 1, 2)), ((3, 4), (-1, -2, 2)), ((3, 4), (1, 4, 0)), ((3, 4), (0, 0, 3)),
        (("nc", (3, 4)), (0, 1, 2)), ((0, 4), (1, 1, 2)),
    )(dtype, rng)


def _narrow_errors():
    x = _a((3, 4))
    return [
        _err(x, 1, 3, 2), _err(x, 1, 5, 0, exc=IndexError), _err(x, 1, -5, 0, exc=IndexError),
        _err(x, 1, 0, -1), _err(_a(()), 0, 0, 1), _err(x, 2, 0, 1, exc=IndexError),
        _err(x, 5, 0, -1),
    ]


def _select_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (1, -1)), ((3, 4), (0, 2)), ((2, 3, 4), (-2, 1)), ((3,), (0, 1)),
        (("nc", (3, 4)), (1, 0)), ((3, 0), (0, 1)),
    )(dtype, rng)


def _select_errors():
    x = _a((3, 4))
    return [
        _err(x, 1, 4, exc=IndexError), _err(x, 1, -5, exc=IndexError),
        _err(_a(()), 0, 0, exc=IndexError), _err(x, 2, 0, exc=IndexError),
    ]


# ---------------------------------------------------------------------------------- diagonals
def _diagonal_samples(dtype, rng):
    yield from _samples(
        ((3, 4),), ((3, 4), (1,)), ((3, 4), (-1,)), ((3, 4), (5,)), ((3, 4), (-5,)),
        ((2, 3, 4), (0, 0, 2)), ((2, 3, 4), (1, -1, 1)), ((2, 3, 4), (1, 2, 0)),
        (("nc", (3, 4)), (1,)), ((0, 3),), ((3, 4), (), {"offset": 1, "dim1": 1, "dim2": 0}),
    )(dtype, rng)


def _diagonal_errors():
    x = _a((3, 4))
    return [_err(x, 0, 0, 0), _err(x, 0, 1, -1), _err(_a((3,)), exc=IndexError)]


def _diag_embed_samples(dtype, rng):
    yield from _samples(
        ((2, 3),), ((2, 3), (1,)), ((2, 3), (-2,)), ((2, 3), (-1, 0, 2)), ((2, 3), (0, -1, -2)),
        ((3,),), ((3,), (1, 1, 0)), (("nc", (2, 3)), (1,)), ((0,),), ((2, 0), (1,)),
    )(dtype, rng)


def _diag_embed_errors():
    x = _a((2, 3))
    return [_err(x, 0, 1, 1), _err(x, 0, 3, 1, exc=IndexError), _err(_a(()), exc=IndexError)]


def _diag_samples(dtype, rng):
    yield from _samples(
        ((3,),), ((3,), (-2,)), ((3,), (1,)), ((3, 4),), ((3, 4), (2,)), ((3, 4), (-1,)),
        ((3, 4), (10,)), ((3, 4), (-5,)), ((0,),), (("nc", (3, 4)), (1,)),
    )(dtype, rng)


def _diag_errors():
    return [_err(_a(())), _err(_a((2, 2, 2)))]


def _as_strided_samples(dtype, rng):
    yield from _samples(
        ((3, 4), ((2, 2), (1, 2))), ((3, 4), ((2, 2), (1, 2), 3)), ((3, 4), ((4, 3), (1, 4))),
        ((3, 4), ((3, 3), (1, 1))), ((3, 4), ((0, 2), (1, 1))), ((3, 4), ((), (), 5)),
        ((12,), ((3, 2, 2), (4, 1, 0))),
    )(dtype, rng)


def _as_strided_errors():
    x = _a((3, 4))
    return [_err(x, (4, 4), (4, 1)), _err(x, (4, 4), (4,)), _err(x, (2,), (-1,)),
            _err(x, (2, 2), (4, 1), 9)]


# ---------------------------------------------------------------------------------- split family
def _split_samples(dtype, rng):
    yield from _samples(
        ((5, 6), (2,)), ((5, 6), (2, -1)), ((5, 6), (10,)), ((5, 6), (5,)), ((0, 3), (0,)),
        ((0, 3), (2,)), ((5, 6), ([2, 3],)), ((5, 6), ((1, 0, 4),)), ((5, 6), ([6], 1)),
        (("nc", (5, 6)), (2, 1)), ((5,), (1,)),
    )(dtype, rng)


def _split_errors():
    x = _a((5, 6))
    return [
        _err(x, 0), _err(x, -1), _err(x, [2, 2]), _err(x, [2, -1, 4]), _err(_a(()), 1),
        _err(x, 2, 2, exc=IndexError), _err(x, 2.0, exc=TypeError),
        _err(x, [2, "a"], exc=TypeError),
    ]


def _split_with_sizes_samples(dtype, rng):
    yield from _samples(
        ((5, 6), ([2, 3],)), ((5, 6), ([1, 0, 4],)), ((5, 6), ([6], -1)), ((5,), ([5],)),
        (("nc", (5, 6)), ([3, 3], 1)),
    )(dtype, rng)


def _chunk_samples(dtype, rng):
    yield from _samples(
        ((5, 6), (3,)), ((5, 6), (4,)), ((5, 6), (6,)), ((5, 6), (10,)), ((6,), (4,)),
        ((7,), (4,)), ((6,), (5,)), ((0,), (2,)), ((0, 3), (2,)), ((0, 3), (2, 1)),
        ((2,), (3,)), ((5, 6), (2, -1)), (("nc", (5, 6)), (4, 1)), ((5, 6), (1,)),
    )(dtype, rng)


def _chunk_errors():
    x = _a((5, 6))
    return [_err(x, 0), _err(x, -1), _err(_a(()), 1), _err(x, 2, 2, exc=IndexError)]


def _unbind_samples(dtype, rng):
    yield from _samples(
        ((3, 4),), ((3, 4), (1,)), ((3, 4), (-1,)), ((0, 3),), ((1, 3),), ((2, 3, 4), (1,)),
        (("nc", (3, 4)), (0,)), ((3,),),
    )(dtype, rng)


def _unbind_errors():
    return [_err(_a((3, 4)), 2, exc=IndexError), _err(_a(()), exc=IndexError)]


def _tensor_split_samples(dtype, rng):
    yield from _samples(
        ((5, 6), (3,)), ((5, 6), (1,)), ((5, 6), ([1, 4],)), ((5, 6), ([4, 1],)),
        ((5, 6), ([1, 10],)), ((5, 6), ([-1],)), ((5, 6), ([],)), ((5, 6), (4, 1)),
        ((5, 6), (_arr((2,), "int64"),)), ((5, 6), (), {"indices": [1], "dim": 1}),
        ((5, 6), (), {"sections": 2, "dim": 1}), (("nc", (5, 6)), (2, -1)), ((0, 3), (2,)),
    )(dtype, rng)


def _tensor_split_errors():
    x = _a((5, 6))
    return [
        _err(x, 0), _err(x, -1), _err(_a(()), 2), _err(x, np.array([1.0]), exc=RuntimeError),
        _err(x, np.array([[1]])), _err(x, 2, 2, exc=IndexError),
    ]


def _hsplit_samples(dtype, rng):
    yield from _samples(
        ((4, 6), (2,)), ((4, 6), ([1, 4],)), ((6,), (3,)), ((2, 4, 6), (2,)),
    )(dtype, rng)


def _vsplit_samples(dtype, rng):
    yield from _samples(((4, 6), (2,)), ((4, 6), ([1],)), ((4, 3, 2), (4,)))(dtype, rng)


def _dsplit_samples(dtype, rng):
    yield from _samples(((2, 3, 4), (2,)), ((2, 3, 4), ([1, 3],)))(dtype, rng)


def _dim_split_errors(name):
    def errors():
        if name == "hsplit":
            return [_err(_a((4, 6)), 4), _err(_a((4, 6)), 0), _err(_a(()), 1), _err(_a((5,)), 2)]
        if name == "vsplit":
            return [_err(_a((4, 6)), 3), _err(_a((4, 6)), 0), _err(_a((3,)), 1)]
        return [_err(_a((4, 6)), 2), _err(_a((2, 3, 4)), 3), _err(_a((2, 3, 4)), 0)]

    return errors


# ---------------------------------------------------------------------------------- cat/stack
def _cat_samples(dtype, rng):
    yield from _samples(
        (_list((2, 3), (4, 3)),), (_list((2, 3), (2, 5)), (1,)), (_list((2, 3), (2, 4)), (-1,)),
        (_list((2, 3), (0,)),), (_list((0,), (0,)),), (_list((0,), (2, 3)), (1,)),
        (_list((0, 3), (2, 3)),), (_list((2, 3),),), (_list(("nc", (2, 3)), (2, 3)), (1,)),
        (_list((2, 3), (1, 3), (3, 3)),), (_list((2, 3), (2, 3), dts=(None, "float64")),),
        (_list((2, 3), (2, 3), dts=(None, "int32")),),
        (_list((2, 3), (2, 3), dts=(None, "bool")), (), {"dim": 1}),
        (_list((0,), (2, 3), dts=("float64", None)),), (_list((0,), (0,)), (5,)),
        (_list((2, 0), (3, 0)),), (_list((2, 3, 4), (2, 1, 4)), (1,)),
        (_list((2, 3), (2, 3)), (), {"axis": 1}),
    )(dtype, rng)


def _cat_errors():
    x = _a((4, 6))
    return [
        _err([x, _a((4, 3))]), _err([x, _a((3, 5))], 1), _err([x, _a((4, 3)), _a((4, 5))]),
        _err([x, _a((3, 6)), _a((4, 5))], 1), _err([], exc=ValueError),
        _err([x, x], 2, exc=IndexError), _err([x, x], -3, exc=IndexError),
        _err([x, _a((6,))]), _err([_a(()), x]), _err([x, _a(())]), _err([_a((0,)), x], 5,
                                                                          exc=IndexError),
        _err([x, _a((4, 3, 2))], 1), _err([_a((2, 0)), _a((3, 1))]),
        _err(x, exc=TypeError), _err([x, 1], exc=TypeError), _err([x, x], 1.0, exc=TypeError),
        _err([_a((0, 3)), x], 1),
    ]


def _stack_samples(dtype, rng):
    yield from _samples(
        (_list((2, 3), (2, 3)),), (_list((2, 3), (2, 3)), (2,)), (_list((2, 3), (2, 3)), (-1,)),
        (_list((), ()),), (_list((0, 3), (0, 3)), (1,)), (_list((2, 3),),),
        (_list(("nc", (2, 3)), (2, 3)), (1,)), (_list((2, 3), (2, 3), dts=(None, "float64")),),
        (_list((2, 3), (2, 3), dts=(None, "int64")), (), {"dim": 0}),
    )(dtype, rng)


def _stack_errors():
    x = _a((4, 6))
    return [
        _err([x, _a((4, 3))]), _err([x, x], 3, exc=IndexError), _err([x, x], -4, exc=IndexError),
        _err([]), _err([x, _a((0,))]), _err(x, exc=TypeError), _err([x, _a((4, 3))], 5,
                                                                     exc=IndexError),
    ]


def _hstack_samples(dtype, rng):
    yield from _samples(
        (_list((2, 3), (2, 4)),), (_list((), ()),), (_list((), (2,)),), (_list((3,), (2,)),),
        (_list((2, 3, 1), (2, 1, 1)),), (_list((2, 3), (2, 3), dts=(None, "float64")),),
    )(dtype, rng)


def _vstack_samples(dtype, rng):
    yield from _samples(
        (_list((2, 3), (4, 3)),), (_list((), ()),), (_list((3,), (3,)),), (_list((3,), (2, 3)),),
    )(dtype, rng)


def _dstack_samples(dtype, rng):
    yield from _samples(
        (_list((3,), (3,)),), (_list((2, 3), (2, 3)),), (_list((), ()),),
        (_list((2, 3, 1), (2, 3, 2)),), (_list((2, 3), (2, 3, 4)),),
    )(dtype, rng)


def _column_stack_samples(dtype, rng):
    yield from _samples(
        (_list((3,), (3, 2)),), (_list((), (1, 2)),), (_list((3,), (3,)),),
        (_list((3, 2), (3, 1)),),
    )(dtype, rng)


def _stack_family_errors(name):
    def errors():
        out = [_err([])]
        if name in ("vstack", "row_stack"):
            out.append(_err([_a((3,)), _a((2,))]))
        if name == "column_stack":
            out.append(_err([_a((3,)), _a((2,))]))
        return out

    return errors


def _atleast_samples(dtype, rng):
    yield from _samples(
        ((),), ((3,),), ((3, 4),), ((2, 3, 4),), ((1, 2, 3, 4),), ((0,),), (("nc", (3, 4)),),
        (_list((), (3,), (3, 4)),), (_list((),),),
    )(dtype, rng)


# ---------------------------------------------------------------------------------- flip/roll/rot90
def _flip_samples(dtype, rng):
    yield from _samples(
        ((3, 4), ((0,),)), ((3, 4), ((0, 1),)), ((3, 4), ([-1],)), ((3, 4), ((),)),
        ((), ((0,),)), ((), ((),)), (("nc", (3, 4)), ((0,),)), ((0, 3), ((0,),)),
        ((2, 3, 4), ((0, 2),)), ((3, 4), (), {"dims": (1,)}),
    )(dtype, rng)


def _flip_errors():
    x = _a((3, 4))
    return [_err(x, (0, 0)), _err(x, (0, -2)), _err(x, (2,), exc=IndexError),
            _err(x, 0, exc=TypeError)]


def _fliplr_samples(dtype, rng):
    yield from _samples(((3, 4),), ((2, 3, 4),), (("nc", (3, 4)),))(dtype, rng)


def _flipud_samples(dtype, rng):
    yield from _samples(((3, 4),), ((3,),), (("nc", (3, 4)),))(dtype, rng)


def _roll_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (1,)), ((3, 4), (-5,)), ((3, 4), (1, 0)), ((3, 4), ((1, -2), (0, 1))),
        ((3, 4), ((1, 1), (0, 0))), ((), (1,)), ((0, 3), (1, 0)), ((0, 3), (1,)),
        (("nc", (3, 4)), (2, 1)), (("nc", (3, 4)), (2,)), ((3, 4), (), {"shifts": 1, "dims": -1}),
        ((3, 4), (7, -1)),
    )(dtype, rng)


def _roll_errors():
    x = _a((3, 4))
    return [
        _err(x, (1, -2), 0), _err(x, 1, (0, 1)), _err(x, (), ()), _err(x, (1, 2)),
        _err(x, 1, 2, exc=IndexError), _err(_a(()), 1, 0, exc=IndexError),
    ]


def _rot90_samples(dtype, rng):
    yield from _samples(
        ((3, 4),), ((3, 4), (0,)), ((3, 4), (2,)), ((3, 4), (3,)), ((3, 4), (4,)),
        ((3, 4), (-1,)), ((3, 4), (5,)), ((3, 4), (-1, [1, 0])), ((2, 3, 4), (1, [0, 2])),
        ((2, 3, 4), (1, [-1, -3])), (("nc", (3, 4)), (1,)), (("nc", (3, 4)), (0,)),
        ((0, 3), (1,)), ((3, 4), (), {"k": 1, "dims": (0, 1)}),
    )(dtype, rng)


def _rot90_errors():
    x = _a((3, 4))
    return [
        _err(x, 1, [0, 0]), _err(x, 1, [0, 1, 1]), _err(_a((3,))), _err(_a(())),
        _err(x, 1, [0, 2], exc=IndexError), _err(x, 1, [0, -2]), _err(x, 1, (0,)),
        _err(x, 1, [3, 3], exc=IndexError), _err(x, 1, [1, -1]),
    ]


# ---------------------------------------------------------------------------------- repeat/tile
def _repeat_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (2, 3)), ((3, 4), (2, 1, 3)), ((3, 4), ((2, 1, 3),)), ((3, 4), (0, 2)),
        ((), (2,)), ((), ((),)), ((), (2, 3)), (("nc", (3, 4)), (1, 1)), (("nc", (3, 4)), (2, 2)),
        ((0, 3), (2, 2)), ((3, 4), (2,)), ((3, 4), (2, -1)),
    )(dtype, rng)


def _tile_samples(dtype, rng):
    yield from _samples(
        ((3, 4), ((2,),)), ((3, 4), ((2, 1, 1),)), ((3, 4), ((),)), ((3, 4), ([2, 2],)),
        ((), ((2, 3),)), (("nc", (3, 4)), ((1, 2),)), ((3, 4), (), {"dims": (2,)}),
    )(dtype, rng)


def _tile_errors():
    return [_err(_a((3, 4)), (-1,)), _err(_a((3, 4)), (2, -1, 1)),
            _err(_a((3, 4)), 2, exc=TypeError)]


def _repeat_interleave_samples(dtype, rng):
    def reps(values, dt="int64"):
        return lambda dtype, rng: np.array(values, dtype=dt)

    yield from _samples(
        ((3, 4), (2,)), ((3, 4), (2, 1)), ((3, 4), (2, -1)), ((3, 4), (0, 0)),
        ((3, 4), (reps([1, 0, 2]), 0)), ((3, 4), (reps([2]), 0)), ((3, 4), (reps(2), 0)),
        ((3, 4), (reps([2]),)), ((3, 4), (reps([1, 2, 1], "int32"), 0)),
        ((3, 4), (reps([1, 2, 1]), 0), {"output_size": 4}), ((3, 4), (2, 0), {"output_size": 6}),
        ((), (3,)), ((0, 3), (2, 0)), (("nc", (3, 4)), (2, 1)), ((3, 4), (reps([1, 3, 0, 2]), 1)),
    )(dtype, rng)


def _repeat_interleave_errors():
    x = _a((3, 4))
    i64 = np.int64
    return [
        _err(x, np.array([1, 2], i64), 0), _err(x, np.array([1, 2], i64)), _err(x, -1),
        _err(x, np.array([-1, 1, 1], i64), 0), _err(x, np.array([1.0, 1, 1]), 0,
                                                    exc=NotImplementedError),
        _err(x, np.array([1, 2, 1], i64), 0, output_size=5), _err(x, 2, 0, output_size=5),
        _err(x, np.array([[1, 2, 1]], i64), 0), _err(x, 2, 2, exc=IndexError),
        _err(_a(()), 3, 0, exc=IndexError), _err(x, np.array([True, True, False]), 0,
                                                 exc=NotImplementedError),
    ]


# ---------------------------------------------------------------------------------- tril/triu
def _tri_samples(dtype, rng):
    yield from _samples(
        ((3, 4),), ((3, 4), (-1,)), ((3, 4), (2,)), ((3, 4), (), {"diagonal": 1}),
        ((2, 3, 4), (1,)), (("nc", (3, 4)),), (("nc", (3, 4)), (-2,)), ((0, 3),),
        ((3, 4), (10,)), ((3, 4), (-10,)),
    )(dtype, rng)


def _tri_errors(name):
    return lambda: [_err(_a((3,))), _err(_a(()))]


# ---------------------------------------------------------------------------------- copies, casts
def _copy_samples(dtype, rng):
    yield from _samples(((3, 4),), ((),), (("nc", (3, 4)),), ((0, 3),), ((2, 3, 4),))(dtype, rng)


def _to_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (ember.float64,)), ((3, 4), (ember.int32,)), ((3, 4), (ember.bfloat16,)),
        ((3, 4), (ember.bool,)), ((3, 4), ("cpu",)), ((3, 4), ("cpu", ember.float16)),
        ((3, 4), (_arr((1,), "int64"),)), ((3, 4), (), {"dtype": ember.float32}),
        ((3, 4), (ember.float32, False, True)), (("nc", (3, 4)), (ember.float64,)),
        ((), (ember.uint8,)), ((3, 4), (None,)),
    )(dtype, rng)


def _type_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (ember.int32,)), ((3, 4), ("torch.DoubleTensor",)),
        ((3, 4), ("torch.FloatTensor",)), ((3, 4), (), {"dtype": ember.int16}),
        ((3, 4), ("float",)),
    )(dtype, rng)


def _type_as_samples(dtype, rng):
    yield from _samples(
        ((3, 4), (_arr((1,), "int8"),)), ((3, 4), (_arr((), "float64"),)),
        ((3, 4), (_arr((2,)),)),
    )(dtype, rng)


def _cast_op(name):
    return OpInfo(name, _copy_samples, dtypes=ALL, grad_dtypes=(), variants=M)


def _entry(name, samples, errors=None, variants=FM, **kw):
    kw.setdefault("dtypes", ALL)
    return OpInfo(name, samples, errors=errors, variants=variants, **kw)


OPS = [
    # view/reshape
    _entry("view", _view_samples, variants=M, grad_dtypes=()),
    _entry("reshape", _reshape_samples, _reshape_errors),
    _entry("view_as", _as_samples, variants=M, grad_dtypes=()),
    _entry("reshape_as", _as_samples, variants=M, grad_dtypes=()),
    _entry("flatten", _flatten_samples, _flatten_errors),
    _entry("unflatten", _unflatten_samples, _unflatten_errors),
    _entry("ravel", _ravel_samples),
    # expand
    _entry("expand", _expand_samples, variants=M, grad_dtypes=()),
    _entry("expand_as", _as_samples, variants=M, grad_dtypes=()),
    _entry("broadcast_to", _broadcast_to_samples, _broadcast_to_errors),
    _entry("sum_to_size", _sum_to_size_samples, variants=M, grad_dtypes=()),
    _entry("broadcast_tensors", _broadcast_tensors_samples, _broadcast_tensors_errors,
           variants=F),
    _entry("meshgrid", _meshgrid_samples, _meshgrid_errors, variants=F),
    # squeeze/transpose
    _entry("squeeze", _squeeze_samples, _squeeze_errors, variants=FMI),
    _entry("unsqueeze", _unsqueeze_samples, _unsqueeze_errors, variants=FMI),
    _entry("transpose", _transpose_samples, _transpose_errors, variants=FMI),
    _entry("swapaxes", _transpose_samples, _transpose_errors, variants=FMI),
    _entry("swapdims", _transpose_samples, _transpose_errors, variants=FMI),
    _entry("t", _t_samples, _t_errors, variants=FMI),
    _entry("permute", _permute_samples, _permute_errors),
    _entry("movedim", _movedim_samples, _movedim_errors),
    _entry("moveaxis", _movedim_samples, _movedim_errors),
    _entry("narrow", _narrow_samples, _narrow_errors),
    _entry("select", _select_samples, _select_errors),
    # diagonals, as_strided
    _entry("diagonal", _diagonal_samples, _diagonal_errors),
    _entry("diag_embed", _diag_embed_samples, _diag_embed_errors),
    _entry("diag", _diag_samples, _diag_errors),
    _entry("as_strided", _as_strided_samples, _as_strided_errors, variants=FMI),
    _entry("as_strided_", _as_strided_samples, _as_strided_errors, grad_dtypes=()),
    # split family
    _entry("split", _split_samples, _split_errors),
    _entry("split_with_sizes", _split_with_sizes_samples),
    _entry("chunk", _chunk_samples, _chunk_errors),
    _entry("unbind", _unbind_samples, _unbind_errors),
    _entry("tensor_split", _tensor_split_samples, _tensor_split_errors),
    _entry("hsplit", _hsplit_samples, _dim_split_errors("hsplit")),
    _entry("vsplit", _vsplit_samples, _dim_split_errors("vsplit")),
    _entry("dsplit", _dsplit_samples, _dim_split_errors("dsplit")),
    # joining (list inputs: gradients are checked in tests/test_views.py)
    _entry("cat", _cat_samples, _cat_errors, variants=F),
    _entry("concat", _cat_samples, _cat_errors, variants=F),
    _entry("concatenate", _cat_samples, variants=F),
    _entry("stack", _stack_samples, _stack_errors, variants=F),
    _entry("hstack", _hstack_samples, _stack_family_errors("hstack"), variants=F),
    _entry("vstack", _vstack_samples, _stack_family_errors("vstack"), variants=F),
    _entry("row_stack", _vstack_samples, _stack_family_errors("row_stack"), variants=F),
    _entry("dstack", _dstack_samples, _stack_family_errors("dstack"), variants=F),
    _entry("column_stack", _column_stack_samples, _stack_family_errors("column_stack"),
           variants=F),
    _entry("atleast_1d", _atleast_samples, variants=F),
    _entry("atleast_2d", _atleast_samples, variants=F),
    _entry("atleast_3d", _atleast_samples, variants=F),
    # flip/roll/rot90, repeat
    _entry("flip", _flip_samples, _flip_errors),
    _entry("fliplr", _fliplr_samples),
    _entry("flipud", _flipud_samples),
    _entry("roll", _roll_samples, _roll_errors),
    _entry("rot90", _rot90_samples, _rot90_errors),
    _entry("repeat", _repeat_samples, variants=M, grad_dtypes=()),
    _entry("tile", _tile_samples, _tile_errors),
    _entry("repeat_interleave", _repeat_interleave_samples, _repeat_interleave_errors),
    _entry("tril", _tri_samples, _tri_errors("tril"), variants=FMI),
    _entry("triu", _tri_samples, _tri_errors("triu"), variants=FMI),
    # copies and casts
    _entry("clone", _copy_samples),
    _entry("contiguous", _copy_samples, variants=M, grad_dtypes=()),
    _entry("detach", _copy_samples),
    _entry("detach_", _copy_samples),
    _entry("to", _to_samples, variants=M, grad_dtypes=()),
    _entry("type", _type_samples, variants=M, grad_dtypes=()),
    _entry("type_as", _type_as_samples, variants=M, grad_dtypes=()),
    _entry("cpu", _copy_samples, variants=M, grad_dtypes=()),
    *[_cast_op(n) for n in ("float", "double", "half", "bfloat16", "long", "int", "short",
                            "char", "byte", "bool")],
]

TESTED_ELSEWHERE = {
    "cuda": "tests/test_views.py",  # raises without a GPU in both libraries
}


# ------------------------------------------------- block_diag, cartesian_prod, combinations
def block_diag_samples(dtype, rng):
    yield Sample(make((2, 3), dtype, rng), (make((4,), dtype, rng), make((), dtype, rng)))
    yield Sample(make((2, 2), dtype, rng), (make((1, 3), dtype, rng),))
    yield Sample(make((3, 2), dtype, rng))
    yield Sample(make((2, 0), dtype, rng), (make((0, 3), dtype, rng), make((2, 2), dtype, rng)))
    yield Sample(make((2, 2), dtype, rng), (make((2,), F64, rng),))  # promoted
    yield Sample(make((4, 3), dtype, rng).T, (make((2, 2), dtype, rng),))


def block_diag_errors():
    return [ErrorSample(Sample(np.ones((2, 2), F32), (np.ones((1, 2, 2), F32),)), RuntimeError)]


def cartesian_prod_samples(dtype, rng):
    yield Sample(make((3,), dtype, rng), (make((2,), dtype, rng),))
    yield Sample(make((2,), dtype, rng), (make((3,), dtype, rng), make((2,), dtype, rng)))
    yield Sample(make((4,), dtype, rng))
    yield Sample(make((0,), dtype, rng), (make((2,), dtype, rng),))


def cartesian_prod_errors():
    return [ErrorSample(Sample(np.ones((2, 2), F32)), RuntimeError),
            ErrorSample(Sample(np.ones(2, F32), (np.ones(2, F64),)), RuntimeError)]


def combinations_samples(dtype, rng):
    x = make((4,), dtype, rng)
    for args in ((), (1,), (3,), (4,), (5,), (0,), (2, True), (3, True)):
        yield Sample(x, args)
    yield Sample(x, (), {"r": 2, "with_replacement": True})
    yield Sample(make((0,), dtype, rng), ())


def combinations_errors():
    return [ErrorSample(Sample(np.ones((2, 2), F32)), RuntimeError),
            ErrorSample(Sample(np.ones(3, F32), (-1,)), RuntimeError)]


OPS += [
    OpInfo("block_diag", block_diag_samples, dtypes=ALL, grad_dtypes=("float32", "float64"),
           variants=F, errors=block_diag_errors),
    OpInfo("cartesian_prod", cartesian_prod_samples, dtypes=ALL,
           grad_dtypes=("float32", "float64"), variants=F, errors=cartesian_prod_errors),
    OpInfo("combinations", combinations_samples, dtypes=ALL, grad_dtypes=("float32", "float64"),
           variants=F, errors=combinations_errors),
]
