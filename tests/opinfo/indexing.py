"""OpInfo entries: gather/scatter, index_* ops, masked ops, take/put, where, fills.

``x[key]`` / ``x[key] = v`` and the in-place, view and version-counter semantics are tested
against torch in tests/test_indexing.py.
"""

from __future__ import annotations

import numpy as np

from .core import ALL, ErrorSample, OpInfo, Sample, make

I64 = np.dtype(np.int64)
I32 = np.dtype(np.int32)
F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
B = np.dtype(np.bool_)


def _idx(values, dtype=I64) -> np.ndarray:
    return np.asarray(values, dtype=dtype)


def _scalar_for(dtype: np.dtype):
    if dtype == B:
        return True
    if dtype.kind in "iu":
        return 2
    return 2.5


def _rows_perm(rng, rows: int, n: int, k: int) -> np.ndarray:
    # k distinct positions per row (scatter/index_copy writes must not collide).
    return np.stack([rng.permutation(n)[:k] for _ in range(rows)]).astype(np.int64)


# ---------------------------------------------------------------------------------- gather
def gather_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx(rng.integers(0, 4, (3, 2)))))
    yield Sample(x, (0, _idx(rng.integers(0, 3, (2, 4)))))
    yield Sample(x, (-1, _idx(rng.integers(0, 4, (2, 5)), I32)))  # smaller dim 0, int32
    yield Sample(x, (1, _idx([[0, 0, 0], [3, 3, 3]])))  # duplicates: gradients sum
    yield Sample(make((4, 3), dtype, rng).T, (0, _idx(rng.integers(0, 3, (2, 3)))))
    yield Sample(make((2, 3, 4), dtype, rng), (2, _idx(rng.integers(0, 4, (2, 2, 3)))))
    yield Sample(make((), dtype, rng), (0, _idx(0)))
    yield Sample(make((5,), dtype, rng), (0, _idx(3)))
    yield Sample(x, (1, np.zeros((0, 2), dtype=np.int64)))


def gather_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (1, _idx([[4]]))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([[-1]]))), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros((1, 1), dtype=F32))), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros((1, 1), dtype=np.int16))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0]))), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros((4, 4), dtype=np.int64))), RuntimeError)
    yield ErrorSample(Sample(x, (2, _idx([[0]]))), IndexError)


# ---------------------------------------------------------------------------------- scatter
def scatter_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _rows_perm(rng, 3, 4, 2), make((3, 2), dtype, rng)))
    yield Sample(x, (0, _rows_perm(rng, 4, 3, 2).T.copy(), make((2, 4), dtype, rng)))
    yield Sample(x, (-1, _rows_perm(rng, 2, 4, 3).astype(np.int32), make((2, 3), dtype, rng)))
    yield Sample(make((4, 3), dtype, rng).T, (1, _rows_perm(rng, 3, 4, 1),
                                              make((3, 1), dtype, rng)))
    yield Sample(x, (1, _rows_perm(rng, 3, 4, 2)), {"value": _scalar_for(dtype)})
    yield Sample(make((), dtype, rng), (0, _idx(0), make((), dtype, rng)))
    yield Sample(x, (1, np.zeros((0, 2), dtype=np.int64), make((0, 2), dtype, rng)))


def scatter_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    s = make((2, 2), F32, rng)
    i = _idx([[0, 1], [2, 0]])
    yield ErrorSample(Sample(x, (1, _idx([[5]]), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, i, s.astype(F64))), RuntimeError)
    yield ErrorSample(Sample(x, (1, i.astype(F32), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, i, make((1, 1), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0]), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros((4, 4), dtype=np.int64), make((4, 4), F32, rng))),
                      RuntimeError)
    yield ErrorSample(Sample(x, (1, i, make((2,), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, (1, i), {"value": 1.0, "reduce": "sum"}), RuntimeError)


def scatter_add_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx(rng.integers(0, 4, (3, 3))), make((3, 3), dtype, rng)))
    yield Sample(x, (0, _idx([[0, 0, 0, 0], [0, 1, 2, 2]]), make((2, 4), dtype, rng)))
    yield Sample(make((4, 3), dtype, rng).T, (1, _idx(rng.integers(0, 4, (3, 5)), I32),
                                              make((3, 5), dtype, rng)))
    yield Sample(make((), dtype, rng), (0, _idx(0), make((), dtype, rng)))


def scatter_add_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (1, _idx([[5]]), make((1, 1), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([[0]]), make((1, 1), F64, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([[0]]), 1.0)), TypeError)


# ---------------------------------------------------------------------------------- index_select
def index_select_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx([0, 0, 3])))
    yield Sample(x, (0, _idx([2, 0], I32)))
    yield Sample(x, (-1, _idx(2)))
    yield Sample(make((4, 3), dtype, rng).T, (0, _idx([1, 1, 0, 2])))
    yield Sample(x, (0, np.zeros((0,), dtype=np.int64)))
    yield Sample(make((), dtype, rng), (0, _idx([0])))
    yield Sample(make((2, 3, 4), dtype, rng), (1, _idx([2, 1, 2])))


def index_select_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (1, _idx([[2]]))), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([4]))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([-1]))), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros(1, F32))), RuntimeError)
    yield ErrorSample(Sample(x, (1, np.zeros(1, np.int16))), RuntimeError)
    yield ErrorSample(Sample(x, (2, _idx([0]))), IndexError)
    yield ErrorSample(Sample(x, (1, [0])), TypeError)
    yield ErrorSample(Sample(make((), F32, np.random.default_rng(0)), (0, _idx([0, 0]))),
                      RuntimeError)


# ---------------------------------------------------------------------------------- masked ops
def masked_select_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (make((3, 4), B, rng),))
    yield Sample(x, (make((4,), B, rng),))
    yield Sample(make((3, 1), dtype, rng), (make((2, 3, 4), B, rng),))
    yield Sample(make((4, 3), dtype, rng).T, (make((3, 4), B, rng),))
    yield Sample(make((), dtype, rng), (np.asarray(True),))
    yield Sample(make((0, 3), dtype, rng), (make((3,), B, rng),))


def masked_select_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (np.ones(4, np.uint8),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(4, np.int64),)), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(3, B),)), RuntimeError)


def masked_scatter_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (make((3, 4), B, rng), make((12,), dtype, rng)))
    yield Sample(x, (make((4,), B, rng), make((4, 4), dtype, rng)))
    yield Sample(make((4, 3), dtype, rng).T, (make((3, 4), B, rng), make((3, 5), dtype, rng)))
    yield Sample(make((), dtype, rng), (np.asarray(True), make((2,), dtype, rng)))


def masked_scatter_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    m = make((4,), B, rng)
    m[0] = True
    yield ErrorSample(Sample(x, (m, make((1,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (m, make((12,), F64, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (m.astype(np.int64), make((12,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(3, B), make((12,), F32, rng))), RuntimeError)


# ---------------------------------------------------------------------------------- take, put
def take_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (_idx([[0, 11], [-1, 3]]),))
    yield Sample(x, (_idx([5, 5, 5]),))
    yield Sample(make((4, 3), dtype, rng).T, (_idx([1, 2, 3, 4]),))
    yield Sample(make((), dtype, rng), (_idx([0, 0]),))
    yield Sample(x, (_idx(7),))


def take_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (_idx([12]),)), IndexError)
    yield ErrorSample(Sample(x, (_idx([-13]),)), IndexError)
    yield ErrorSample(Sample(x, (_idx([1], I32),)), RuntimeError)


def put_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (_idx([0, 11, -2]), make((3,), dtype, rng)))
    yield Sample(x, (_idx([[1, 1], [5, 1]]), make((2, 2), dtype, rng)), {"accumulate": True})
    yield Sample(make((4, 3), dtype, rng).T, (_idx([2, 4]), make((2,), dtype, rng)))
    yield Sample(make((), dtype, rng), (_idx(0), make((), dtype, rng)))


def put_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (_idx([12]), make((1,), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, (_idx([1, 2]), make((3,), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, (_idx([1]), make((1,), F64, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (_idx([1], I32), make((1,), F32, rng))), RuntimeError)


def take_along_dim_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (_idx(rng.integers(0, 4, (3, 2))), 1))
    yield Sample(x, (_idx(rng.integers(0, 3, (2, 4))), 0))
    yield Sample(x, (_idx(rng.integers(0, 4, (1, 5))), -1))  # indices broadcast over dim 0
    yield Sample(make((3, 1), dtype, rng), (_idx(rng.integers(0, 3, (2, 4))), 0))
    yield Sample(x, (_idx([0, 5, 11, 5]),))
    yield Sample(x, (_idx([[0, 5], [11, 5]]),), {"dim": None})


def take_along_dim_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (_idx([0]), 1)), RuntimeError)
    yield ErrorSample(Sample(x, (np.zeros((1, 1), F32), 1)), RuntimeError)
    yield ErrorSample(Sample(x, (_idx([[0]], I32), 1)), RuntimeError)
    yield ErrorSample(Sample(x, (_idx([[0, 1]] * 2), 1)), RuntimeError)
    yield ErrorSample(Sample(x, (_idx([[0]]), 2)), IndexError)
    yield ErrorSample(Sample(x.T, (_idx([0]),)), RuntimeError)


# ---------------------------------------------------------------------------------- index_add & co
def index_add_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx([0, 0, 3]), make((3, 3), dtype, rng)))
    yield Sample(x, (0, _idx([2, 2], I32), make((2, 4), dtype, rng)))
    if dtype != B:
        yield Sample(x, (-1, _idx([1]), make((3, 1), dtype, rng)), {"alpha": 2})
    yield Sample(make((4, 3), dtype, rng).T, (0, _idx([1, 0]), make((4, 3), dtype, rng).T[:2]))
    yield Sample(make((), dtype, rng), (0, _idx([0]), make((), dtype, rng)))
    yield Sample(make((3,), dtype, rng), (0, _idx(1), make((1,), dtype, rng)))


def index_add_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    s = make((3, 2), F32, rng)
    yield ErrorSample(Sample(x, (1, _idx([0, 0]), s.astype(F64))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0, 0]), make((3, 3), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0, 0]), make((2, 2), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0, 4]), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([[0, 1]]), s)), IndexError)
    yield ErrorSample(Sample(x, (1, np.zeros(2, F32), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([1]), make((4,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(make((3,), F32, rng), (0, _idx([1]), make((), F32, rng))),
                      RuntimeError)


def index_fill_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx([0, 2]), _scalar_for(dtype)))
    yield Sample(x, (0, _idx([1, 1, 0]), make((), dtype, rng)))
    yield Sample(x, (0, _idx([1, -1]), _scalar_for(dtype)))
    yield Sample(x, (-1, _idx(3), _scalar_for(dtype)))
    yield Sample(make((4, 3), dtype, rng).T, (0, _idx([2]), make((), dtype, rng)))
    yield Sample(make((), dtype, rng), (0, _idx([0]), _scalar_for(dtype)))
    yield Sample(x, (1, np.zeros((0,), np.int64), _scalar_for(dtype)))


def index_fill_errors():
    x = make((3, 4), F32, np.random.default_rng(0))
    yield ErrorSample(Sample(x, (1, _idx([0, 2]), np.ones(1, F32))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0, 9]), 5.0)), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0], I32), 5.0)), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([[0]]), 5.0)), RuntimeError)
    yield ErrorSample(Sample(x, (2, _idx([0]), 5.0)), IndexError)


def index_copy_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (1, _idx([0, 2]), make((3, 2), dtype, rng)))
    yield Sample(x, (0, _idx([2, 0, 1]), make((3, 4), dtype, rng)))
    yield Sample(x, (-1, _idx(3), make((3, 1), dtype, rng)))
    yield Sample(make((4, 3), dtype, rng).T, (1, _idx([1]), make((1, 3), dtype, rng).T))
    yield Sample(make((), dtype, rng), (0, _idx([0]), make((), dtype, rng)))


def index_copy_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    s = make((3, 2), F32, rng)
    yield ErrorSample(Sample(x, (1, _idx([0, 9]), s)), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0, -1]), s)), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0, 2]), make((3, 3), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0, 2]), s.astype(F64))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0, 2], I32), s)), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([0]), make((2, 1), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, (1, _idx([[0]]), s)), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0, 1]), make((), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, (1, _idx([0]), make((3,), F32, rng))), IndexError)
    yield ErrorSample(Sample(make((2, 3, 4), F32, rng), (1, _idx([0]), make((3, 1, 3), F32, rng))),
                      RuntimeError)


# ---------------------------------------------------------------------------------- index_put
def index_put_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, ((_idx([0, 2]),), make((2, 4), dtype, rng)))
    yield Sample(x, ((_idx([0, 2]), _idx([1, 3])), make((2,), dtype, rng)))
    yield Sample(x, ((_idx([[0], [2]]), _idx([1, 3], I32)), make((1, 2), dtype, rng)))
    yield Sample(x, ((make((3, 4), B, rng),), make((), dtype, rng)))
    yield Sample(x, ((_idx([1, 1, 0]),), make((4,), dtype, rng)), {"accumulate": True})
    yield Sample(x, ((_idx([2, 2]), _idx([0, 0])), make((), dtype, rng)), {"accumulate": True})
    yield Sample(make((4, 3), dtype, rng).T, ((_idx([1]),), make((1, 4), dtype, rng)))
    yield Sample(make((2, 3, 4), dtype, rng), ((make((2, 3), B, rng), _idx([1])),
                                               make((1,), dtype, rng)))


def index_put_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, ((_idx([0, 2]),), make((3,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, ((_idx([0, 1]),), make((1, 1, 4), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(x, ((_idx([0]),), make((), F64, rng))), RuntimeError)
    yield ErrorSample(Sample(x, ((_idx([5]),), make((), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, ((_idx([0]),) * 3, make((), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, ((np.zeros(1, F32),), make((4,), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, ((np.ones(4, B),), make((), F32, rng))), IndexError)
    yield ErrorSample(Sample(x, ((_idx([0, 1]), _idx([0, 1, 2])), make((), F32, rng))),
                      IndexError)


# ---------------------------------------------------------------------------------- where
def where_samples(dtype, rng):
    c = make((3, 4), B, rng)
    yield Sample(c, (make((3, 4), dtype, rng), make((3, 4), dtype, rng)))
    yield Sample(make((3, 1), B, rng), (make((4,), dtype, rng), make((2, 1, 1), dtype, rng)))
    yield Sample(c, (make((3, 4), dtype, rng), _scalar_for(dtype)))
    yield Sample(c, (0, make((4,), dtype, rng)))
    yield Sample(c, (make((3, 4), dtype, rng), make((3, 4), F32, rng)))  # promotion
    yield Sample(c, (make((), I64, rng), make((3, 4), dtype, rng)))
    yield Sample(make((4, 3), B, rng).T, (make((4, 3), dtype, rng).T, 1.5))
    yield Sample(np.asarray(True), (make((), dtype, rng), make((), dtype, rng)))


def where_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(np.ones(4, np.int64), (x, x)), RuntimeError)
    yield ErrorSample(Sample(make((2, 1), B, rng), (make((3,), F32, rng), make((4,), F32, rng))),
                      RuntimeError)


def where_scalar_samples(dtype, rng):
    # torch.where(cond, a, b) with Python scalars for both branches.
    c = make((3, 4), B, rng)
    yield Sample(c, (1, 0))
    yield Sample(c, (1.5, 0))
    yield Sample(c, (True, False))


def where_nonzero_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((5,), dtype, rng))
    yield Sample(make((), dtype, rng))


# ---------------------------------------------------------------------------------- masked_fill
def masked_fill_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    yield Sample(x, (make((3, 4), B, rng), _scalar_for(dtype)))
    yield Sample(x, (make((4,), B, rng), make((), dtype, rng)))
    yield Sample(x, (make((3, 1), B, rng), make((), F64, rng)))  # value of another dtype
    yield Sample(make((4, 3), dtype, rng).T, (make((3, 4), B, rng), -1))
    yield Sample(make((), dtype, rng), (np.asarray(True), _scalar_for(dtype)))
    yield Sample(x, (make((2, 3, 4), B, rng), _scalar_for(dtype)))  # mask broadcasts input


def masked_fill_errors():
    rng = np.random.default_rng(0)
    x = make((3, 4), F32, rng)
    yield ErrorSample(Sample(x, (np.ones(4, np.int64), 1.0)), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(4, np.uint8), 1.0)), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(4, B), np.ones(1, F32))), RuntimeError)
    yield ErrorSample(Sample(x, (np.ones(3, B), 1.0)), RuntimeError)


# ---------------------------------------------------------------------------------- fills
def fill_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng), (_scalar_for(dtype),))
    yield Sample(make((3, 4), dtype, rng), (make((), dtype, rng),))
    yield Sample(make((4, 3), dtype, rng).T, (make((), F64, rng),))
    yield Sample(make((), dtype, rng), (0,))
    yield Sample(make((0, 2), dtype, rng), (1,))


def fill_errors():
    rng = np.random.default_rng(0)
    yield ErrorSample(Sample(make((3,), F32, rng), (np.ones(1, F32),)), RuntimeError)
    yield ErrorSample(Sample(make((3,), np.dtype(np.uint8), rng), (300,)), RuntimeError)
    yield ErrorSample(Sample(make((3,), np.dtype(np.int8), rng), (127.5,)), RuntimeError)
    yield ErrorSample(Sample(make((3,), np.dtype(np.float16), rng), (1e10,)), RuntimeError)
    yield ErrorSample(Sample(make((3,), F32, rng), ("a",)), TypeError)


def zero_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng))
    yield Sample(make((4, 3), dtype, rng).T)
    yield Sample(make((), dtype, rng))


def copy_samples(dtype, rng):
    yield Sample(make((3, 4), dtype, rng), (make((3, 4), dtype, rng),))
    yield Sample(make((3, 4), dtype, rng), (make((4,), F64, rng),))
    yield Sample(make((3, 4), dtype, rng), (make((3, 1), np.dtype(np.int64), rng),))
    yield Sample(make((4, 3), dtype, rng).T, (make((3, 4), B, rng),))
    yield Sample(make((3, 4), dtype, rng), (make((), F32, rng),))


INPLACE = ("function", "method", "inplace")

# ------------------------------------------------------------------------------- search, isin
_NUM = ALL[1:]  # every dtype but bool
_F = ("function",)


def _sorted(shape, dtype, rng):
    return np.sort(make(shape, dtype, rng), axis=-1)


def searchsorted_samples(dtype, rng):
    seq = _sorted((6,), dtype, rng)
    vals = make((3, 4), dtype, rng)
    yield Sample(seq, (vals,))
    yield Sample(seq, (vals,), {"right": True})
    yield Sample(seq, (vals,), {"side": "right", "out_int32": True})
    yield Sample(seq, (seq,), {"side": "left"}, name="ties")
    yield Sample(seq, (seq,), {"right": True, "side": "right"}, name="ties")
    yield Sample(_sorted((2, 3, 5), dtype, rng), (make((2, 3, 4), dtype, rng),), name="batched")
    yield Sample(seq, (2,), name="scalar")
    perm = rng.permutation(6)
    yield Sample(seq[perm], (vals,), {"sorter": np.argsort(perm)}, name="sorter")
    yield Sample(seq[:0], (vals,), name="empty_seq")


def searchsorted_errors():
    f = make((3,), np.dtype(np.float32), np.random.default_rng(0))
    yield ErrorSample(Sample(np.sort(f), (f,), {"side": "x"}), RuntimeError)
    yield ErrorSample(Sample(np.sort(f), (f,), {"side": "left", "right": True}), RuntimeError)
    yield ErrorSample(Sample(np.ones((2, 3), np.float32), (np.ones((3, 3), np.float32),)),
                      RuntimeError)
    yield ErrorSample(Sample(np.ones((2, 3), np.float32), (1.0,)), RuntimeError)
    yield ErrorSample(Sample(np.ones((), np.float32), (f,)), RuntimeError)
    yield ErrorSample(Sample(f, (f,), {"sorter": np.array([0, 1])}), RuntimeError)
    yield ErrorSample(Sample(f, (f,), {"sorter": np.array([0, 1, 3])}), RuntimeError)
    yield ErrorSample(Sample(f, (f,), {"sorter": np.array([0, 1, 2], np.int32)}), RuntimeError)


def bucketize_samples(dtype, rng):
    b = np.unique(make((6,), dtype, rng))
    vals = make((3, 4), dtype, rng)
    yield Sample(vals, (b,))
    yield Sample(vals, (b,), {"right": True, "out_int32": True})
    yield Sample(b, (b,), {"right": True}, name="ties")
    yield Sample(make((), dtype, rng), (b,))
    yield Sample(2, (b,), name="scalar")


def bucketize_errors():
    f = np.ones(3, np.float32)
    yield ErrorSample(Sample(f, (np.ones((2, 2), np.float32),)), RuntimeError)
    yield ErrorSample(Sample(f, (np.ones((), np.float32),)), RuntimeError)


def isin_samples(dtype, rng):
    x = make((3, 4), dtype, rng)
    t = make((5,), dtype, rng)
    yield Sample(x, (t,))
    yield Sample(x, (t,), {"invert": True})
    yield Sample(x, (np.unique(t),), {"assume_unique": True})
    yield Sample(x, (make((2, 2), np.dtype(np.int64), rng),), name="mixed")
    yield Sample(x, (1,), name="scalar_test")
    yield Sample(2, (t,), name="scalar_element")
    yield Sample(x[:0], (t,), name="empty")


def isin_errors():
    i = np.arange(3)
    yield ErrorSample(Sample(i, (np.array([True]),)), RuntimeError)
    yield ErrorSample(Sample(i, (True,)), RuntimeError)
    yield ErrorSample(Sample(2, (3,)), TypeError)


def unravel_index_samples(dtype, rng):
    yield Sample(np.array([0, 4, 5, 1], dtype), ((2, 3),))
    yield Sample(make((2, 3), dtype, rng), ((4, 2, 3),))
    yield Sample(np.array(3, dtype), (5,))
    yield Sample(np.array([1, 2], dtype), ([3],))
    if dtype.kind == "i":
        yield Sample(np.array([-1, 7, -7], dtype), ((2, 3),), name="wraps")


def unravel_index_errors():
    i = np.array([4])
    yield ErrorSample(Sample(np.array([1.0]), ((2, 3),)), TypeError)
    yield ErrorSample(Sample(i, ((2, -3),)), ValueError)
    yield ErrorSample(Sample(i, ((2, 0),)), RuntimeError)
    yield ErrorSample(Sample(i, ((2.0, 3),)), TypeError)


OPS = [
    OpInfo("gather", gather_samples, dtypes=ALL, errors=gather_errors),
    OpInfo("scatter", scatter_samples, dtypes=ALL, variants=INPLACE, errors=scatter_errors),
    OpInfo("scatter_add", scatter_add_samples, dtypes=ALL, variants=INPLACE,
           errors=scatter_add_errors),
    OpInfo("index_select", index_select_samples, dtypes=ALL, errors=index_select_errors),
    OpInfo("masked_select", masked_select_samples, dtypes=ALL, errors=masked_select_errors),
    OpInfo("masked_scatter", masked_scatter_samples, dtypes=ALL, variants=INPLACE,
           errors=masked_scatter_errors),
    OpInfo("take", take_samples, dtypes=ALL, errors=take_errors),
    OpInfo("put", put_samples, dtypes=ALL, variants=INPLACE, errors=put_errors),
    OpInfo("take_along_dim", take_along_dim_samples, dtypes=ALL, errors=take_along_dim_errors),
    OpInfo("index_add", index_add_samples, dtypes=ALL, variants=INPLACE, errors=index_add_errors),
    OpInfo("index_fill", index_fill_samples, dtypes=ALL, variants=INPLACE,
           errors=index_fill_errors),
    OpInfo("index_copy", index_copy_samples, dtypes=ALL, variants=INPLACE,
           errors=index_copy_errors),
    OpInfo("index_put", index_put_samples, dtypes=ALL, variants=INPLACE, errors=index_put_errors),
    OpInfo("index_put_", index_put_samples, dtypes=ALL, grad_dtypes=()),
    OpInfo("where", where_samples, dtypes=ALL, variants=("function",), errors=where_errors),
    OpInfo("where", where_scalar_samples, dtypes=("float32",), grad_dtypes=(),
           variants=("function",)),
    OpInfo("where", where_nonzero_samples, dtypes=ALL, grad_dtypes=(), variants=("function",)),
    OpInfo("masked_fill", masked_fill_samples, dtypes=ALL, variants=INPLACE,
           errors=masked_fill_errors),
    OpInfo("fill", fill_samples, dtypes=ALL, variants=("function", "inplace"),
           errors=fill_errors),
    OpInfo("fill_", fill_samples, dtypes=ALL, grad_dtypes=(),
           errors=lambda: list(fill_errors())[:-1]),
    OpInfo("zero_", zero_samples, dtypes=ALL, grad_dtypes=()),
    OpInfo("copy_", copy_samples, dtypes=ALL, grad_dtypes=(), variants=("method",)),
    OpInfo("searchsorted", searchsorted_samples, dtypes=_NUM, grad_dtypes=(), variants=_F,
           errors=searchsorted_errors),
    OpInfo("bucketize", bucketize_samples, dtypes=_NUM, grad_dtypes=(), variants=_F,
           errors=bucketize_errors),
    OpInfo("isin", isin_samples, dtypes=_NUM, grad_dtypes=(), variants=_F, errors=isin_errors),
    OpInfo("unravel_index", unravel_index_samples, dtypes=("uint8", "int8", "int16", "int32",
           "int64"), grad_dtypes=(), variants=_F, errors=unravel_index_errors),
]

TESTED_ELSEWHERE = {
    "masked_scatter_": "tests/test_indexing.py",
}
