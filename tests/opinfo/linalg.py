"""OpInfo entries: matrix products (matmul, mm, bmm, mv, dot, addmm...), einsum, tensordot,
kron, inner, trace, cross."""

from __future__ import annotations

import numpy as np

from .core import FLOAT, HALF, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64 = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)

# torch multiplies float and integer matrices, never bool ones (tested as errors).
PROD = FLOAT + HALF + ("int64", "int32")
GRAD = ("float32", "float64")


def _m(shape, dtype, rng):
    return make(shape, dtype, rng, -2.0, 2.0)


def _pairs(pairs, transposed=()):
    """Samples over (shape_a, shape_b) pairs; ``transposed``: pairs given as the transposed
    view of an array (non-contiguous inputs)."""

    def gen(dtype, rng):
        for a, b in pairs:
            yield Sample(_m(a, dtype, rng), (_m(b, dtype, rng),))
        for a, b, ta, tb in transposed:
            x = _m(a[::-1] if ta else a, dtype, rng)
            y = _m(b[::-1] if tb else b, dtype, rng)
            yield Sample(x.T if ta else x, (y.T if tb else y,))

    return gen


def _err(inp, *args, exc=RuntimeError, match="exact", **kwargs):
    return ErrorSample(Sample(inp, args, kwargs), exc, match)


def _z(*shape, dtype=F32):
    return np.full(shape, 0.5, dtype=dtype)


# ---------------------------------------------------------------------------------- matmul
MATMUL_PAIRS = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)),
    ((2, 3), (5, 3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)),
    ((5, 1, 3), (3, 4)),
    ((0, 3), (3, 4)),
    ((2, 0), (0, 4)),
    ((0, 2, 3), (3, 4)),
    ((2, 3), (3, 0)),
    ((0,), (0,)),
]


def matmul_samples(dtype, rng):
    yield from _pairs(MATMUL_PAIRS, [
        ((2, 3), (3, 4), True, False),
        ((2, 3), (3, 4), False, True),
        ((2, 3), (3, 4), True, True),
        ((4, 3), (3,), True, False),
    ])(dtype, rng)
    if dtype.kind == "f":
        # Only one operand requiring grad changes torch's folding decision (and its errors).
        yield Sample(_m((2, 3), dtype, rng), (_m((5, 3, 4), dtype, rng),), grad=("input",))
        yield Sample(_m((2, 3), dtype, rng), (_m((5, 3, 4), dtype, rng),), grad=(0,))
        yield Sample(_m((5, 2, 3), dtype, rng), (_m((3, 4), dtype, rng),), grad=(0,))
        yield Sample(_m((3,), dtype, rng), (_m((5, 3, 4), dtype, rng),), grad=("input",))
        yield Sample(_m((1, 3), dtype, rng), (_m((5, 3, 4), dtype, rng),), grad=("input",))


def matmul_errors():
    return [
        _err(_z(2, 3), _z(4, 5)),
        _err(_z(3), _z(4)),
        _err(_z(2, 3), _z(4)),
        _err(_z(3), _z(4, 5)),
        _err(_z(5, 2, 3), _z(5, 4, 5)),
        _err(_z(5, 2, 3), _z(4, 3, 5)),
        _err(_z(5, 2, 3), _z(4, 5)),
        _err(_z(5, 2, 3), _z(4)),
        _err(_z(2, 3), _z(5, 4, 5)),
        _err(_z(3), _z(5, 4, 5)),
        _err(_z(), _z(3)),
        _err(_z(3), _z()),
        _err(_z(2, 3), _z(3, 4, dtype=F64)),
        _err(_z(3), _z(3, dtype=F64)),
        _err(_z(2, 3), _z(3, dtype=F64)),
        _err(_z(3), _z(3, 4, dtype=F64)),
        _err(_z(5, 2, 3), _z(5, 3, 4, dtype=F64)),
        _err(_z(5, 2, 3), _z(3, 4, dtype=F64)),
        _err(_z(5, 2, 3), _z(3, dtype=F64)),
        _err(_z(2, 3), _z(5, 3, 4, dtype=F64)),
        _err(np.ones((2, 3), I64), _z(3, 4)),
        _err(np.ones((2, 3), BOOL), np.ones((3, 4), BOOL), exc=NotImplementedError),
        _err(np.ones(3, BOOL), np.ones(3, BOOL), exc=NotImplementedError),
        _err(np.ones((2, 3), BOOL), np.ones(3, BOOL), exc=NotImplementedError),
        _err(np.ones((2, 2, 3), BOOL), np.ones((2, 3, 4), BOOL), exc=NotImplementedError),
        _err(_z(2, 3), [1.0, 2.0, 3.0], exc=TypeError),
        _err(3, _z(2, 3), exc=TypeError),
    ]


def mm_errors():
    return [
        _err(_z(2, 3), _z(4, 5)),
        _err(_z(3), _z(3, 4)),
        _err(_z(2, 3), _z(3)),
        _err(_z(2, 2, 3), _z(3, 4)),
        _err(_z(2, 3), _z(4, 5, dtype=F64)),
        _err(_z(2, 3), _z(3, 4, dtype=F64)),
        _err(_z(2, 3, dtype=F64), _z(3, 4)),
        _err(np.ones((2, 3), I64), _z(3, 4)),
        _err(np.ones((2, 3), np.float16), _z(3, 4)),
        _err(np.ones((2, 3), BOOL), np.ones((3, 4), BOOL), exc=NotImplementedError),
        _err(_z(2, 3), 3, exc=TypeError),
        _err(_z(2, 3), _z(3, 4), out=np.zeros((2, 4), F64)),
    ]


def bmm_samples(dtype, rng):
    yield from _pairs([((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (1, 3, 1)), ((0, 2, 3), (0, 3, 4)),
                       ((2, 2, 0), (2, 0, 3))])(dtype, rng)
    x = _m((5, 3, 2), dtype, rng).transpose(0, 2, 1)
    yield Sample(x, (_m((5, 4, 3), dtype, rng).transpose(0, 2, 1),))


def bmm_errors():
    return [
        _err(_z(2, 3), _z(2, 3, 4)),
        _err(_z(2, 2, 3), _z(3, 4)),
        _err(_z(2, 2, 3), _z(3, 3, 4)),
        _err(_z(2, 2, 3), _z(2, 4, 4)),
        _err(_z(2, 2, 3), _z(2, 3, 4, dtype=F64)),
        _err(_z(2, 2, 3, dtype=F64), _z(2, 3, 4)),
        _err(np.ones((2, 2, 3), BOOL), np.ones((2, 3, 4), BOOL), exc=NotImplementedError),
    ]


def mv_samples(dtype, rng):
    yield from _pairs([((2, 3), (3,)), ((0, 3), (3,)), ((2, 0), (0,))],
                      [((3, 4), (4,), True, False)])(dtype, rng)


def mv_errors():
    return [
        _err(_z(2, 3), _z(4)),
        _err(_z(3), _z(3)),
        _err(_z(2, 3), _z(3, 1)),
        _err(_z(2, 3), _z(3, dtype=F64)),
        _err(_z(2, 3, dtype=F64), _z(3)),
        _err(np.ones((2, 3), BOOL), np.ones(3, BOOL), exc=NotImplementedError),
    ]


def dot_samples(dtype, rng):
    yield from _pairs([((3,), (3,)), ((0,), (0,)), ((1,), (1,))])(dtype, rng)
    yield Sample(_m((4, 3), dtype, rng)[:, 1], (_m((4,), dtype, rng),))


def dot_errors():
    return [
        _err(_z(2, 3), _z(2, 3)),
        _err(_z(3), _z(2, 3)),
        _err(_z(3), _z(4)),
        _err(_z(3), _z(3, dtype=F64)),
        _err(_z(3, 3), _z(4, dtype=F64)),
        _err(np.ones(3, BOOL), np.ones(3, BOOL), exc=NotImplementedError),
        _err(np.ones(3, BOOL), np.ones(4, BOOL)),
        _err(_z(3), 3, exc=TypeError),
        _err(_z(3), _z(3), out=np.zeros((), F64)),
    ]


def outer_samples(dtype, rng):
    yield from _pairs([((2,), (3,)), ((0,), (3,)), ((1,), (1,))])(dtype, rng)
    yield Sample(_m((2,), dtype, rng), (_m((3,), F64, rng),))  # promotes


def outer_errors():
    return [_err(_z(2, 3), _z(3)), _err(_z(2), _z(2, 3)), _err(_z(), _z(3))]


# ---------------------------------------------------------------------------------- addmm & co
def _scalars(dtype):
    if dtype.kind == "f":
        return [{}, {"beta": 0.5, "alpha": -2.0}, {"beta": 0}, {"alpha": 0}, {"beta": 2}]
    return [{}, {"beta": 2, "alpha": 3}, {"beta": 0}, {"alpha": 1.5}, {"beta": 0.5}]


def addmm_samples(dtype, rng):
    for kw in _scalars(dtype):
        yield Sample(_m((2, 4), dtype, rng), (_m((2, 3), dtype, rng), _m((3, 4), dtype, rng)),
                     kw)
    for inp in [(4,), (), (1, 4), (2, 1)]:
        yield Sample(_m(inp, dtype, rng), (_m((2, 3), dtype, rng), _m((3, 4), dtype, rng)))
    yield Sample(_m((2, 4), dtype, rng), (_m((3, 2), dtype, rng).T, _m((4, 3), dtype, rng).T))
    yield Sample(_m((2, 4), dtype, rng), (_m((2, 0), dtype, rng), _m((0, 4), dtype, rng)))
    if dtype.kind == "f":
        nan = np.full((2, 4), np.nan, dtype=dtype)
        yield Sample(nan, (_m((2, 3), dtype, rng), _m((3, 4), dtype, rng)), {"beta": 0},
                     grad=(0, 1))


def addmm_errors():
    return [
        _err(_z(2, 4), _z(3), _z(3, 4)),
        _err(_z(2, 4), _z(2, 3), _z(3)),
        _err(_z(2, 4), _z(2, 3), _z(5, 4)),
        _err(_z(3), _z(2, 3), _z(5, 4)),
        _err(_z(2, 4, dtype=F64), _z(2, 3), _z(3, 4)),
        _err(_z(2, 4), _z(2, 3), _z(3, 4, dtype=F64)),
        _err(_z(2, 4), _z(2, 3, dtype=F64), _z(3, 4)),
        _err(_z(3), _z(2, 3), _z(3, 4)),
        _err(_z(1, 2, 4), _z(2, 3), _z(3, 4)),
        _err(np.ones((2, 4), BOOL), np.ones((2, 3), BOOL), np.ones((3, 4), BOOL),
             exc=NotImplementedError),
        _err(2.0, _z(2, 3), _z(3, 4), exc=TypeError),
    ]


def addmv_samples(dtype, rng):
    for kw in _scalars(dtype):
        yield Sample(_m((2,), dtype, rng), (_m((2, 3), dtype, rng), _m((3,), dtype, rng)), kw)
    for inp in [(1,), ()]:
        yield Sample(_m(inp, dtype, rng), (_m((2, 3), dtype, rng), _m((3,), dtype, rng)))
    yield Sample(_m((2,), dtype, rng), (_m((3, 2), dtype, rng).T, _m((3,), dtype, rng)))


def addmv_errors():
    return [
        _err(_z(3), _z(2, 3), _z(3)),
        _err(_z(1, 2), _z(2, 3), _z(3)),
        _err(_z(2), _z(2, 3), _z(4)),
        _err(_z(2), _z(3), _z(3)),
        _err(_z(2, dtype=F64), _z(2, 3), _z(3)),
        _err(_z(2), _z(2, 3, dtype=F64), _z(3)),
        _err(_z(2), _z(2, 3), _z(3, dtype=F64)),
        _err(np.ones(2, BOOL), np.ones((2, 3), BOOL), np.ones(3, BOOL),
             exc=NotImplementedError),
    ]


def addbmm_samples(dtype, rng):
    for kw in _scalars(dtype):
        yield Sample(_m((2, 4), dtype, rng),
                     (_m((5, 2, 3), dtype, rng), _m((5, 3, 4), dtype, rng)), kw)
    yield Sample(_m((4,), dtype, rng), (_m((5, 2, 3), dtype, rng), _m((5, 3, 4), dtype, rng)))
    yield Sample(_m((2, 4), dtype, rng), (_m((0, 2, 3), dtype, rng), _m((0, 3, 4), dtype, rng)))


def addbmm_errors():
    return [
        _err(_z(3), _z(5, 2, 3), _z(5, 3, 4)),
        _err(_z(2, 4), _z(2, 3), _z(5, 3, 4)),
        _err(_z(2, 4), _z(5, 2, 3), _z(3, 4), exc=IndexError),
        _err(_z(2, 4), _z(5, 2, 3), _z(4, 3, 4)),
        _err(_z(2, 4), _z(5, 2, 3), _z(5, 2, 4)),
        _err(_z(2, 4, dtype=F64), _z(5, 2, 3), _z(5, 3, 4)),
        _err(_z(2, 4), _z(5, 2, 3), _z(5, 3, 4, dtype=F64)),
        _err(_z(2, 4), _z(5, 2, 3, dtype=F64), _z(5, 3, 4)),
        _err(np.ones((2, 4), BOOL), np.ones((5, 2, 3), BOOL), np.ones((5, 3, 4), BOOL),
             exc=NotImplementedError),
    ]


def baddbmm_samples(dtype, rng):
    for kw in _scalars(dtype):
        yield Sample(_m((5, 2, 4), dtype, rng),
                     (_m((5, 2, 3), dtype, rng), _m((5, 3, 4), dtype, rng)), kw)
    for inp in [(2, 4), (1, 1, 4), ()]:
        yield Sample(_m(inp, dtype, rng),
                     (_m((5, 2, 3), dtype, rng), _m((5, 3, 4), dtype, rng)))


def baddbmm_errors():
    return [
        _err(_z(3, 2, 4), _z(5, 2, 3), _z(5, 3, 4)),
        _err(_z(5, 2, 4), _z(2, 3), _z(5, 3, 4)),
        _err(_z(5, 2, 4), _z(5, 2, 3), _z(3, 4), exc=IndexError),
        _err(_z(5, 2, 4), _z(5, 2, 3), _z(4, 3, 4)),
        _err(_z(5, 2, 4), _z(5, 2, 3), _z(5, 2, 4)),
        _err(_z(5, 2, 4, dtype=F64), _z(5, 2, 3), _z(5, 3, 4)),
        _err(_z(5, 2, 4), _z(5, 2, 3), _z(5, 3, 4, dtype=F64)),
        _err(_z(5, 2, 4), _z(5, 2, 3, dtype=F64), _z(5, 3, 4)),
        _err(np.ones((5, 2, 4), BOOL), np.ones((5, 2, 3), BOOL), np.ones((5, 3, 4), BOOL),
             exc=NotImplementedError),
    ]


def addr_samples(dtype, rng):
    for kw in _scalars(dtype):
        if dtype.kind != "f" and any(isinstance(v, float) for v in kw.values()):
            continue  # torch rejects float scalars for integer results (an error sample)
        yield Sample(_m((2, 3), dtype, rng), (_m((2,), dtype, rng), _m((3,), dtype, rng)), kw)
    for inp in [(3,), (), (2, 1)]:
        yield Sample(_m(inp, dtype, rng), (_m((2,), dtype, rng), _m((3,), dtype, rng)))
    # promotes; torch's backward fails for vec2 then (its formula mixes the dtypes)
    yield Sample(_m((2, 3), dtype, rng), (_m((2,), dtype, rng), _m((3,), F64, rng)),
                 grad=("input", 0))


def addr_errors():
    ints = np.ones((2, 3), I64), np.ones(2, I64), np.ones(3, I64)
    bools = np.ones((2, 3), BOOL), np.ones(2, BOOL), np.ones(3, BOOL)
    return [
        _err(_z(2), _z(2), _z(3)),
        _err(_z(2, 3), _z(2, 1), _z(3)),
        _err(_z(2, 3), _z(2), _z(3, 1)),
        _err(*ints, alpha=1.5),
        _err(*ints, beta=1.5),
        _err(*bools, beta=1.5),
        _err(*ints, beta=True),
        _err(2, _z(2), _z(3), exc=TypeError),
    ]


# ---------------------------------------------------------------------------------- others
def trace_samples(dtype, rng):
    for shape in [(3, 3), (3, 4), (4, 2), (0, 3), (1, 1)]:
        yield Sample(_m(shape, dtype, rng))
    yield Sample(_m((4, 3), dtype, rng).T)


def trace_errors():
    return [_err(_z(3)), _err(_z(2, 2, 2)),
            _err(np.ones((3, 3), BOOL), exc=NotImplementedError)]


def cross_samples(dtype, rng):
    yield Sample(_m((4, 3), dtype, rng), (_m((4, 3), dtype, rng),), {"dim": 1})
    yield Sample(_m((3, 4), dtype, rng), (_m((3, 4), dtype, rng),), {"dim": 0})
    yield Sample(_m((4, 3), dtype, rng), (_m((1, 3), dtype, rng),), {"dim": -1})
    yield Sample(_m((2, 1, 3), dtype, rng), (_m((1, 5, 3), dtype, rng),), {"dim": 2})
    yield Sample(_m((3,), dtype, rng), (_m((3,), dtype, rng),), {"dim": 0})


def cross_errors():
    return [
        _err(_z(4, 4), _z(4, 4), dim=1),
        _err(_z(4, 4), _z(4, 4)),
        _err(_z(4, 3), _z(3), dim=1),
        _err(_z(4, 3), _z(2, 3), dim=1),
        _err(_z(4, 3), _z(4, 3, dtype=F64), dim=1),
        _err(_z(4, 3), _z(4, 3), dim=2, exc=IndexError),
        _err(np.ones(3, BOOL), np.ones(3, BOOL), dim=0, exc=NotImplementedError),
    ]


def kron_samples(dtype, rng):
    yield from _pairs([((2, 3), (4, 5)), ((2,), (3,)), ((2, 3), (5, 4, 5)), ((), (4, 5)),
                       ((2, 0), (3, 2))])(dtype, rng)
    yield Sample(_m((2, 3), dtype, rng), (_m((2, 2), F64, rng),))


def inner_samples(dtype, rng):
    yield from _pairs([((2, 3), (4, 3)), ((3,), (3,)), ((), (4, 3)), ((3,), (4, 3)),
                       ((2, 5, 3), (4, 3)), ((0, 3), (2, 3))],
                      [((2, 3), (4, 3), True, False)])(dtype, rng)


def inner_errors():
    return [_err(_z(2, 3), _z(4, 4)), _err(_z(3), _z(3, dtype=F64)),
            _err(np.ones(3, I64), _z(3))]


def tensordot_samples(dtype, rng):
    a = _m((2, 3, 4), dtype, rng)
    yield Sample(a, (_m((3, 4, 5), dtype, rng),))
    yield Sample(a, (_m((4, 5), dtype, rng),), {"dims": 1})
    yield Sample(_m((2, 3), dtype, rng), (_m((4, 5), dtype, rng),), {"dims": 0})
    yield Sample(a, (_m((4, 3, 5), dtype, rng),), {"dims": ([1, 2], [1, 0])})
    yield Sample(a, (_m((4, 3, 5), dtype, rng),), {"dims": ((1, 2), (1, 0))})
    yield Sample(a, (_m((4, 3, 5), dtype, rng),), {"dims": ([-1], [0])})
    yield Sample(_m((2, 1), dtype, rng), (_m((3, 4), dtype, rng),), {"dims": ([1], [0])})
    yield Sample(_m((2, 3), dtype, rng), (_m((1, 4), dtype, rng),), {"dims": ([1], [0])})


def tensordot_errors():
    return [
        _err(_z(2, 3, 4), _z(3, 4, 5), dims=([1], [1])),
        _err(_z(2, 3, 4), _z(3, 4, 5), dims=-1),
        _err(_z(2, 3), _z(3, 4, 5), dims=3),
        _err(_z(2, 3), _z(3, 4, 5), dims=([1], [0, 1])),
        _err(_z(2, 3), _z(3, 4, dtype=F64), dims=1),
        _err(_z(3, 3), _z(3, 3), dims=([0, 0], [0, 1])),
        _err(_z(2, 3), _z(3, 4), dims="a"),
        _err(_z(2, 3), _z(3, 4), dims=([2], [0]), exc=IndexError),
        _err(np.ones((2, 3), BOOL), np.ones((3, 4), BOOL), dims=1, exc=NotImplementedError),
    ]


def chain_matmul_samples(dtype, rng):
    yield Sample(_m((2, 3), dtype, rng), (_m((3, 4), dtype, rng), _m((4, 5), dtype, rng)))
    yield Sample(_m((2, 3), dtype, rng))
    yield Sample(_m((2, 3), dtype, rng), (_m((3, 4), dtype, rng),))
    yield Sample(_m((5, 2), dtype, rng), (_m((2, 6), dtype, rng), _m((6, 1), dtype, rng),
                                         _m((1, 3), dtype, rng)))


def chain_matmul_errors():
    return [
        _err(_z(3), _z(3, 4)),
        _err(_z(2, 2, 3), _z(3, 4)),
        _err(_z(2, 3), _z(3, 4, dtype=F64)),
        _err(_z(2, 3), _z(4, 4)),
    ]


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("ij->", [(3, 3)]),
    ("ij->ji", [(3, 4)]),
    ("i", [(3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i", [(3,), (3,)]),
    ("i,i->i", [(3,), (3,)]),
    ("ij,ij->ij", [(2, 3), (1, 3)]),
    ("...i,...i->...", [(2, 3), (5, 1, 3)]),
    ("", [()]),
    (",i->i", [(), (3,)]),
    ("iJ,Jk->ik", [(2, 3), (3, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("ij,jk->", [(2, 3), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("...ij->ij", [(5, 2, 3)]),
    ("ij->...ij", [(2, 3)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("ij,jk->ik", [(0, 3), (3, 4)]),
    ("ij,jk->ik", [(2, 0), (0, 4)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
    ("ij,kj,k->i", [(2, 3), (4, 3), (4,)]),
    ("a...b,b->...a", [(2, 5, 3), (3,)]),
    ("ij,jk->kji", [(2, 3), (3, 4)]),
    ("ijk,j->ik", [(2, 1, 4), (3,)]),
]


def einsum_samples(dtype, rng):
    for eq, shapes in EINSUM_CASES:
        yield Sample(eq, tuple(_m(s, dtype, rng) for s in shapes))
    yield Sample("ij,jk->ik", (_m((3, 2), dtype, rng).T, _m((3, 4), dtype, rng)))
    yield Sample("i,j->ij", (_m((3,), dtype, rng), _m((4,), F64, rng)))
    # a list of operands, and the sublist form
    yield Sample("ij,jk->ik", ([_m((2, 3), dtype, rng), _m((3, 4), dtype, rng)],))


def einsum_errors():
    return [
        _err("ij,jk->ik", _z(2, 3)),
        _err("ij->ij", _z(2, 3), _z(3, 3)),
        _err("ijk,jk->ik", _z(2, 3), _z(3, 4)),
        _err("ij,jk->ik", _z(2, 3), _z(4, 4)),
        _err("i1,jk->ik", _z(2, 3), _z(4, 4)),
        _err("ij,jk->iz", _z(2, 3), _z(3, 4)),
        _err("ij,jk->ii", _z(2, 3), _z(3, 4)),
        _err("..ij,jk->ik", _z(2, 3), _z(3, 4)),
        _err("...i...,i->i", _z(2, 3), _z(3)),
        _err("ij,jk->ik", _z(2, 3), _z(3, 4, dtype=F64)),
        _err("ij-ik", _z(2, 3)),
        _err("ii->i", _z(3, 4)),
        _err("...i,...i->...", _z(2, 3), _z(4, 3)),
        _err("...ijk", _z(2, 3)),
        _err("ij,jk->i.k", _z(2, 3), _z(3, 4)),
        _err("ij,jk->......ik", _z(2, 3), _z(3, 4)),
        _err("i->i", exc=ValueError),
        _err("i,i", _z(3), 3, exc=TypeError),
        _err(3, _z(3), exc=TypeError),
        _err("ij,jk->ik", np.ones((2, 3), BOOL), np.ones((3, 4), BOOL), exc=NotImplementedError),
    ]


def square_samples(dtype, rng):
    for shape in [(3, 3), (2, 3, 3), (1, 1), (0, 0), (2, 0, 0)]:
        x = _m(shape, dtype, rng)
        if shape[-1]:
            x = x + 3 * np.eye(shape[-1], dtype=dtype)  # well conditioned
        yield Sample(x)
    yield Sample((_m((3, 3), dtype, rng) + 3 * np.eye(3, dtype=dtype)).T)


def square_errors(name):
    def gen():
        out = [_err(np.ones((2, 2), I64)), _err(_z(3)), _err(_z(3, 2))]
        if name == "det":
            out.append(_err(np.ones((2, 2), np.float16), exc=NotImplementedError))
        else:
            out.append(_err(np.ones((2, 2), np.float16)))
            out.append(_err(np.zeros((3, 3), F32)))  # singular: linalg.LinAlgError
            out.append(_err(np.zeros((2, 3, 3), F64)))
        return out

    return gen


def _f(name, samples, **kw):
    return OpInfo(name, samples, **kw)


PV = ("function", "method")
PVI = ("function", "method", "inplace")

OPS = [
    _f("matmul", matmul_samples, dtypes=PROD, grad_dtypes=GRAD, errors=matmul_errors),
    _f("mm", _pairs([((2, 3), (3, 4)), ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((2, 3), (3, 0))],
                    [((2, 3), (3, 4), True, False), ((2, 3), (3, 4), True, True)]),
       dtypes=PROD, grad_dtypes=GRAD, errors=mm_errors),
    _f("bmm", bmm_samples, dtypes=PROD, grad_dtypes=GRAD, errors=bmm_errors),
    _f("mv", mv_samples, dtypes=PROD, grad_dtypes=GRAD, errors=mv_errors),
    _f("dot", dot_samples, dtypes=PROD, grad_dtypes=GRAD, errors=dot_errors),
    _f("vdot", dot_samples, dtypes=PROD, grad_dtypes=GRAD, errors=dot_errors),
    _f("outer", outer_samples, dtypes=PROD, grad_dtypes=GRAD, errors=outer_errors),
    _f("ger", outer_samples, dtypes=PROD, grad_dtypes=GRAD, errors=outer_errors),
    _f("addmm", addmm_samples, dtypes=PROD, grad_dtypes=GRAD, errors=addmm_errors,
       variants=PVI),
    _f("addmv", addmv_samples, dtypes=PROD, grad_dtypes=GRAD, errors=addmv_errors,
       variants=PVI),
    _f("addbmm", addbmm_samples, dtypes=PROD, grad_dtypes=GRAD, errors=addbmm_errors,
       variants=PVI),
    _f("baddbmm", baddbmm_samples, dtypes=PROD, grad_dtypes=GRAD, errors=baddbmm_errors,
       variants=PVI),
    _f("addr", addr_samples, dtypes=PROD + ("bool",), grad_dtypes=GRAD, errors=addr_errors,
       variants=PVI),
    _f("trace", trace_samples, dtypes=PROD, grad_dtypes=GRAD, errors=trace_errors),
    _f("cross", cross_samples, dtypes=PROD, grad_dtypes=GRAD, errors=cross_errors),
    _f("kron", kron_samples, dtypes=PROD + ("bool",), grad_dtypes=GRAD),
    _f("inner", inner_samples, dtypes=PROD, grad_dtypes=GRAD, errors=inner_errors),
    _f("tensordot", tensordot_samples, dtypes=PROD, grad_dtypes=GRAD, errors=tensordot_errors,
       variants=("function",)),
    _f("chain_matmul", chain_matmul_samples, dtypes=PROD, grad_dtypes=GRAD,
       errors=chain_matmul_errors, variants=("function",)),
    _f("det", square_samples, dtypes=FLOAT, grad_dtypes=GRAD, errors=square_errors("det")),
    _f("inverse", square_samples, dtypes=FLOAT, grad_dtypes=GRAD,
       errors=square_errors("inverse")),
    _f("einsum", einsum_samples, dtypes=PROD, grad_dtypes=GRAD, errors=einsum_errors,
       variants=("function",)),
]

# In-place forms with their own checks (torch's "Bad in-place call" texts, addbmm_'s resize):
# exercised by the "inplace" variants above and by tests/test_linalg.py.
TESTED_ELSEWHERE = {
    name: "tests/test_linalg.py" for name in ("addmm_", "addmv_", "addbmm_", "baddbmm_", "addr_")
}


# ----------------------------------------------- statistics, distances, integrals, vander
def cov_samples(dtype, rng):
    for shape in ((3, 7), (7,), (1, 5), (2, 1)):
        yield Sample(_m(shape, dtype, rng))
    x = _m((3, 6), dtype, rng)
    yield Sample(x, (), {"correction": 0})
    yield Sample(x, (), {"correction": 2})
    yield Sample(x, (), {"fweights": np.array([1, 2, 0, 1, 3, 1])}, grad=("input",))
    if dtype.kind == "f" or dtype.kind == "V":
        aw = np.array([0.5, 1.0, 2.0, 0.25, 1.5, 1.0], dtype=dtype)
        yield Sample(x, (), {"aweights": aw})
        yield Sample(x, (), {"aweights": aw, "fweights": np.array([1, 2, 0, 1, 3, 1])})
        yield Sample(x, (), {"aweights": aw, "correction": 0})


def cov_errors():
    x, i6 = _z(2, 3), np.ones(3, I64)
    return [
        _err(_z(2, 2, 2)),
        _err(x, fweights=np.ones((1, 3), I64)),
        _err(x, aweights=_z(1, 3)),
        _err(x, fweights=_z(3)),
        _err(x, aweights=i6),
        _err(x, fweights=np.ones(2, I64)),
        _err(x, aweights=_z(2)),
        _err(x, fweights=np.array([1, -1, 2])),
        _err(x, aweights=np.array([1.0, -1.0, 2.0], F32)),
    ]


def corrcoef_samples(dtype, rng):
    for shape in ((3, 7), (7,), (1, 5)):
        yield Sample(_m(shape, dtype, rng))


def cdist_samples(dtype, rng):
    for p in (2.0, 1.0, 0.5, 3.0, float("inf")):
        yield Sample(_m((4, 3), dtype, rng), (_m((5, 3), dtype, rng), p))
    yield Sample(_m((2, 4, 3), dtype, rng), (_m((5, 3), dtype, rng),))
    yield Sample(_m((2, 1, 4, 3), dtype, rng), (_m((3, 5, 3), dtype, rng),))
    yield Sample(_m((30, 3), dtype, rng), (_m((4, 3), dtype, rng),))  # the mm method
    yield Sample(_m((4, 3), dtype, rng), (_m((5, 3), dtype, rng),),
                 {"compute_mode": "use_mm_for_euclid_dist"})
    yield Sample(_m((30, 3), dtype, rng), (_m((4, 3), dtype, rng),),
                 {"compute_mode": "donot_use_mm_for_euclid_dist"})
    yield Sample(_m((0, 3), dtype, rng), (_m((4, 3), dtype, rng),))
    yield Sample(_m((2, 3), dtype, rng), (_m((4, 3), dtype, rng), 0.0))
    for p in (2.0, float("inf")):
        yield Sample(_m((2, 0), dtype, rng), (_m((3, 0), dtype, rng), p))


def cdist_errors():
    a = _z(2, 3)
    return [
        _err(a, _z(2, 4)),
        _err(a, a, -1.0),
        _err(a, a, compute_mode="foo", exc=ValueError),
        _err(a, a, compute_mode=None, exc=ValueError),
        _err(_z(2, 2, 3), _z(3, 4, 3)),
        _err(_z(3), a),
        _err(a, _z(3)),
        _err(np.ones((2, 3), I64), np.ones((2, 3), I64)),
        _err(a, _z(2, 3, dtype=F64)),
        _err(np.ones((2, 3), np.float16), np.ones((2, 3), np.float16), exc=NotImplementedError),
    ]


def vander_samples(dtype, rng):
    x = _m((4,), dtype, rng)
    for args in ((), (None,), (0,), (1,), (3,), (6,)):
        yield Sample(x, args)
    yield Sample(x, (3, True))
    yield Sample(x, (), {"increasing": True})
    yield Sample(_m((0,), dtype, rng), ())


def vander_errors():
    return [_err(_z(2, 2)), _err(_z(3), -1)]


def trapezoid_samples(dtype, rng):
    y = _m((3, 5), dtype, rng)
    yield Sample(y)
    yield Sample(y, (), {"dim": 0})
    yield Sample(y, (), {"dx": 0.5})
    yield Sample(y, (), {"dx": 2, "dim": 0})
    yield Sample(y, (np.sort(_m((5,), dtype, rng)),))
    yield Sample(y, (_m((3, 5), dtype, rng),), {"dim": 0})
    yield Sample(y, (_m((1, 5), dtype, rng),))  # broadcast spacing
    yield Sample(_m((2, 1), dtype, rng))
    yield Sample(_m((2, 0), dtype, rng))


def trapezoid_errors():
    return [_err(_z(2, 3), _z(4)), _err(_z(), exc=IndexError)]


def pdist_samples(dtype, rng):
    for p in (2.0, 1.0, 0.5, 3.0, float("inf"), 0.0):
        yield Sample(_m((4, 3), dtype, rng), (p,))
    for shape in ((1, 3), (3, 0), (5, 1)):  # (0, n): torch 2.13 backward segfaults
        yield Sample(_m(shape, dtype, rng))


def pdist_errors():
    return [_err(_z(3)), _err(_z(3, 2), -1.0), _err(np.ones((3, 2), I64)),
            _err(np.ones((3, 2), np.float16), exc=NotImplementedError)]


MORE = [
    _f("pdist", pdist_samples, dtypes=FLOAT, grad_dtypes=GRAD, errors=pdist_errors,
       variants=("function",), atol=1e-6, rtol=1e-5),
    _f("cov", cov_samples, dtypes=FLOAT + ("int64",), grad_dtypes=GRAD, errors=cov_errors,
       atol=1e-6, rtol=1e-5),
    _f("corrcoef", corrcoef_samples, dtypes=FLOAT + ("int64",), grad_dtypes=GRAD,
       atol=1e-6, rtol=1e-5),
    _f("cdist", cdist_samples, dtypes=FLOAT, grad_dtypes=GRAD, errors=cdist_errors,
       variants=("function",), atol=1e-6, rtol=1e-5),
    _f("vander", vander_samples, dtypes=FLOAT + HALF + ("int64", "int32", "bool"),
       # torch 2.13's vander backward always fails (an in-place cumprod on a saved tensor):
       # gradients are checked by gradcheck only, in tests/test_more_linalg_shape.py.
       grad_dtypes=(), gradcheck=False, errors=vander_errors, variants=("function",)),
    _f("trapezoid", trapezoid_samples, dtypes=FLOAT + ("int64",), grad_dtypes=GRAD,
       errors=trapezoid_errors, variants=("function",), atol=1e-6, rtol=1e-5),
    _f("trapz", trapezoid_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=("function",),
       atol=1e-6, rtol=1e-5),
    _f("cumulative_trapezoid", trapezoid_samples, dtypes=FLOAT + ("int64",), grad_dtypes=GRAD,
       errors=trapezoid_errors, variants=("function",), atol=1e-6, rtol=1e-5),
]
OPS += MORE
