"""OpInfo entries of the nn_conv family: convolution, pooling, padding, pixel shuffle.

``OPS`` holds the ops torch exposes at top level (``torch.conv2d``...), driven by
tests/test_ops.py. ``FUNCTIONAL`` holds the ``nn.functional``-only forms (``avg_pool2d``,
``interpolate``, ``pad``, ``unfold``...), driven the same way by tests/nn/test_conv_functional.py.
The first samples of each entry are small so that ``gradcheck`` runs on them.
"""

from __future__ import annotations

import numpy as np

from .core import ALL_FLOAT, FLOAT, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)


def _r():
    return np.random.default_rng(0)


def _e(shape, dtype=F32):
    return make(shape, dtype, _r())


# ---------------------------------------------------------------------------------- convolution
def conv2d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 4, 4), (m(2, 2, 2, 2), m(2)))
    yield Sample(m(1, 2, 5, 4), (m(2, 1, 2, 3),), {"stride": 2, "padding": 1, "groups": 2})
    yield Sample(m(2, 5, 5), (m(2, 2, 3, 2),), {"padding": "same", "dilation": (1, 2)})
    yield Sample(m(2, 4, 7, 6), (m(6, 4, 3, 3), m(6)), {"stride": (2, 1), "padding": (1, 2),
                                                         "dilation": (2, 1)})
    yield Sample(m(2, 4, 7, 6), (m(6, 2, 3, 2), None, 1, "valid", 1, 2))
    yield Sample(m(3, 6, 9, 9), (m(6, 1, 3, 3), m(6)), {"padding": 1, "groups": 6})
    yield Sample(m(2, 3, 8, 8), (m(4, 3, 5, 5), m(4)), {"padding": "same"})
    yield Sample(m(2, 3, 8, 8), (m(4, 3, 4, 4),), {"padding": "same"})  # asymmetric 'same'
    yield Sample(m(2, 3, 9, 8), (m(4, 3, 3, 3), m(4)), {"stride": 3, "dilation": 2})
    yield Sample(m(0, 3, 6, 6), (m(4, 3, 3, 3), m(4)))
    yield Sample(m(2, 3, 6, 6)[:, :, ::-1], (m(4, 3, 3, 3),))  # non-contiguous input
    # weights large enough for the one-GEMM weight gradient (stride 1 and strided, groups)
    yield Sample(m(2, 16, 5, 6), (m(32, 16, 3, 3), m(32)), {"padding": 1})
    yield Sample(m(2, 32, 6, 5), (m(64, 16, 3, 3),), {"stride": 2, "groups": 2})


def conv2d_errors():
    x, w = _e((2, 3, 8, 8)), _e((4, 3, 3, 3))
    yield ErrorSample(Sample(_e((2, 5, 8, 8)), (w,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 2, 2)), (w,)), RuntimeError)
    yield ErrorSample(Sample(x, (w, _e((3,)))), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"stride": 0}), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"padding": -1}), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"dilation": 0}), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"groups": 2}), RuntimeError)
    yield ErrorSample(Sample(x, (_e((4, 3, 3)),)), RuntimeError)
    yield ErrorSample(Sample(_e((8, 8)), (w,)), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"padding": "same", "stride": 2}), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"padding": "foo"}), RuntimeError)
    yield ErrorSample(Sample(x, (_e((4, 3, 3, 3), F64),)), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"stride": (1, 1, 1)}), RuntimeError)


def conv1d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 5), (m(2, 2, 2), m(2)))
    yield Sample(m(2, 6), (m(2, 2, 3),), {"stride": 2, "padding": 1})
    yield Sample(m(1, 4, 7), (m(4, 2, 3),), {"groups": 2, "dilation": 2})
    yield Sample(m(2, 4, 11), (m(6, 4, 3), m(6)), {"stride": 2, "padding": 2, "dilation": 3})
    yield Sample(m(2, 4, 10), (m(6, 2, 4),), {"padding": "same", "groups": 2})
    yield Sample(m(2, 4, 10), (m(6, 4, 3), m(6), 1, "valid"))


def conv1d_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (_e((4, 3, 3)),)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 5, 8)), (_e((4, 3, 3)),)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 2)), (_e((4, 3, 3)),)), RuntimeError)


def conv_transpose2d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 3, 3), (m(2, 2, 2, 2), m(2)))
    yield Sample(m(1, 2, 3, 2), (m(2, 1, 2, 2),), {"stride": 2, "groups": 2})
    yield Sample(m(2, 3, 3), (m(2, 2, 3, 2),), {"padding": 1, "output_padding": (0, 1),
                                                 "stride": 2})
    yield Sample(m(2, 4, 5, 6), (m(4, 3, 3, 3), m(6)), {"stride": 2, "padding": 1,
                                                         "output_padding": 1, "groups": 2,
                                                         "dilation": 2})
    yield Sample(m(2, 4, 5, 6), (m(4, 3, 2, 3), m(3), (3, 1), (0, 1), (2, 0), 1, (1, 2)))


def conv_transpose2d_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, (_e((3, 4, 3, 3)),), {"output_padding": 1}), RuntimeError)
    yield ErrorSample(Sample(x, (_e((4, 4, 3, 3)),)), RuntimeError)
    yield ErrorSample(Sample(x, (_e((3, 4, 3, 3)), _e((3,)))), RuntimeError)


def conv_transpose1d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 3), (m(2, 2, 2), m(2)))
    yield Sample(m(2, 3), (m(2, 1, 3),), {"stride": 3, "padding": 1, "output_padding": 2})
    yield Sample(m(2, 4, 6), (m(4, 2, 3), m(4)), {"groups": 2, "dilation": 2, "stride": 2,
                                                   "output_padding": 1})


def conv3d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 3, 3, 3), (m(2, 2, 2, 2, 2), m(2)))
    yield Sample(m(2, 3, 4, 3), (m(2, 1, 2, 2, 2),), {"stride": 2, "padding": 1, "groups": 2})
    yield Sample(m(2, 4, 6, 5, 7), (m(6, 2, 3, 2, 3), m(6)),
                 {"stride": (1, 2, 1), "padding": (0, 1, 2), "dilation": (2, 1, 1), "groups": 2})
    yield Sample(m(2, 3, 5, 5, 4), (m(4, 3, 2, 3, 2),), {"padding": "same"})
    yield Sample(m(1, 2, 4, 5, 4), (m(3, 2, 3, 3, 1), m(3), 1, "valid"))
    # weights large enough for the one-GEMM weight gradient
    yield Sample(m(2, 16, 4, 4, 3), (m(16, 16, 3, 3, 3), m(16)), {"padding": 1})


def conv3d_errors():
    x, w = _e((2, 3, 5, 5, 5)), _e((4, 3, 3, 3, 3))
    yield ErrorSample(Sample(_e((2, 5, 5, 5, 5)), (w,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 2, 5, 5)), (w,)), RuntimeError)
    yield ErrorSample(Sample(x, (w, _e((3,)))), RuntimeError)
    yield ErrorSample(Sample(x, (w,), {"stride": (1, 1)}), RuntimeError)
    yield ErrorSample(Sample(_e((5, 5)), (w,)), RuntimeError)


def conv_transpose3d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 2, 3, 2), (m(2, 2, 2, 2, 2), m(2)))
    yield Sample(m(2, 2, 3, 2), (m(2, 1, 2, 2, 2),), {"stride": 2, "groups": 2,
                                                      "output_padding": (1, 0, 1)})
    yield Sample(m(2, 4, 5, 4, 3), (m(4, 3, 3, 2, 3), m(6)),
                 {"stride": (1, 2, 1), "padding": (0, 1, 2), "dilation": (2, 1, 1), "groups": 2,
                  "output_padding": (1, 0, 0)})
    yield Sample(m(2, 4, 3, 4, 3), (m(4, 3, 2, 3, 2), m(3), (3, 1, 2), (0, 1, 1), (2, 0, 1), 1,
                                    (1, 2, 1)))


def conv_transpose3d_errors():
    x = _e((2, 3, 4, 4, 4))
    yield ErrorSample(Sample(x, (_e((3, 4, 3, 3, 3)),), {"output_padding": 1}), RuntimeError)
    yield ErrorSample(Sample(x, (_e((4, 4, 3, 3, 3)),)), RuntimeError)
    yield ErrorSample(Sample(x, (_e((3, 4, 3, 3, 3)), _e((3,)))), RuntimeError)


def convolution_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng, -1, 1)

    yield Sample(m(1, 2, 4, 3), (m(2, 2, 2, 2), m(2), [1, 1], [0, 0], [1, 1], False, [0, 0], 1))
    yield Sample(m(1, 2, 3, 3), (m(2, 1, 2, 2), None, [2, 1], [1, 0], [1, 1], True, [1, 0], 2))
    yield Sample(m(2, 2, 6), (m(4, 2, 3), m(4), [2], [1], [2], False, [0], 1))


# ---------------------------------------------------------------------------------- pooling
def max_pool2d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 4, 4), (2,))
    yield Sample(m(2, 5, 5), (3, 2, 1))
    yield Sample(m(1, 1, 5, 6), ((2, 3), (2, 1), (1, 1), 2, True))
    yield Sample(m(2, 3, 9, 8), (3,), {"stride": 2, "ceil_mode": True})
    yield Sample(m(2, 3, 8, 8), (2,), {"stride": 1, "dilation": (2, 1)})
    yield Sample(m(2, 3, 7, 7), ((3, 2),), {"padding": (1, 1), "stride": (2, 3)})
    # ties: torch keeps the first maximum of each window
    yield Sample(np.round(m(2, 2, 6, 6)).astype(dtype), (2,))


def max_pool2d_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, (2, 2, 2)), RuntimeError)
    yield ErrorSample(Sample(x, (9,)), RuntimeError)
    yield ErrorSample(Sample(x, (0, 1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 0)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 1, 0, 0)), RuntimeError)
    yield ErrorSample(Sample(_e((8,)), (2,)), RuntimeError)
    yield ErrorSample(Sample(x, ((2, 2, 2),)), RuntimeError)


def max_pool1d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 6), (2,))
    yield Sample(m(2, 7), (3, 2, 1))
    yield Sample(m(2, 3, 9), (3,), {"stride": 2, "ceil_mode": True, "dilation": 2})
    yield Sample(m(2, 3, 10), (4, 3, 2))


def max_pool1d_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 8)), ((2, 2),)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 8)), (2, 2, 2)), RuntimeError)


def avg_pool2d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 4, 4), (2,))
    yield Sample(m(2, 5, 5), (3, 2, 1))
    yield Sample(m(1, 1, 5, 6), ((2, 3), (2, 1), (1, 1), True, False))
    yield Sample(m(2, 3, 9, 8), (3,), {"stride": 2, "padding": 1, "ceil_mode": True})
    yield Sample(m(2, 3, 9, 8), (3,), {"stride": 2, "padding": 1, "ceil_mode": True,
                                       "count_include_pad": False})
    yield Sample(m(2, 3, 7, 7), ((3, 2),), {"padding": (1, 1), "stride": (2, 3),
                                            "divisor_override": 4})


def avg_pool2d_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, (2, 2, 2)), RuntimeError)
    yield ErrorSample(Sample(x, (9,)), RuntimeError)
    yield ErrorSample(Sample(x, (2,), {"divisor_override": 0}), RuntimeError)
    yield ErrorSample(Sample(x, ((2, 2, 2),)), RuntimeError)


def avg_pool1d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 6), (2,))
    yield Sample(m(2, 7), (3, 2, 1))
    yield Sample(m(2, 3, 9), (3,), {"stride": 2, "ceil_mode": True, "padding": 1,
                                    "count_include_pad": False})


def avg_pool1d_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (2,)), RuntimeError)


def adaptive2d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 4, 5), ((2, 3),))
    yield Sample(m(2, 5, 5), (3,))
    yield Sample(m(2, 3, 9, 7), ((4, None),))
    yield Sample(m(2, 3, 7, 10), ((7, 3),))
    yield Sample(m(2, 3, 4, 4), (1,))
    yield Sample(m(2, 3, 3, 3), (5,))  # output larger than input


def adaptive1d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 5), (3,))
    yield Sample(m(2, 7), (4,))
    yield Sample(m(2, 3, 10), (1,))
    yield Sample(m(2, 3, 10), ((3,),))


def adaptive_avg2d_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), ((2,),)), RuntimeError)
    yield ErrorSample(Sample(_e((8,)), (2,)), RuntimeError)


def adaptive_max2d_errors():
    yield ErrorSample(Sample(_e((8,)), (2,)), RuntimeError)


def adaptive1d_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (2,)), RuntimeError)


def max_pool3d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 3, 4, 4), (2,))
    yield Sample(m(2, 4, 5, 3), (3, 2, 1))  # unbatched
    yield Sample(m(1, 2, 5, 4, 6), ((2, 1, 3), (1, 2, 2), (1, 0, 1), (2, 1, 1), True))
    yield Sample(m(2, 2, 5, 6, 5), (3,), {"stride": 2, "ceil_mode": True})
    # ties: torch keeps the first maximum of each window
    yield Sample(np.round(m(2, 2, 4, 4, 4)).astype(dtype), (2,), {"stride": 1})


def max_pool3d_errors():
    x = _e((1, 2, 5, 5, 5))
    yield ErrorSample(Sample(x, (2, 2, 2)), RuntimeError)  # padding above half the kernel
    yield ErrorSample(Sample(x, (6,)), RuntimeError)
    yield ErrorSample(Sample(x, (0, 1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 0)), RuntimeError)
    yield ErrorSample(Sample(x, (-1, 1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, -1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 2, -1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, 1, 0, 0)), RuntimeError)
    yield ErrorSample(Sample(_e((5, 5, 5)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((1, 0, 4, 4, 4)), (2,)), RuntimeError)
    yield ErrorSample(Sample(x, ((2, 2),)), RuntimeError)
    yield ErrorSample(Sample(x, (2, (1, 1))), RuntimeError)
    yield ErrorSample(Sample(x, (2, 1, (1, 1))), RuntimeError)
    yield ErrorSample(Sample(x, (2, 1, 0, (1, 1))), RuntimeError)


def avg_pool3d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 3, 4, 4), (2,))
    yield Sample(m(2, 4, 5, 3), (3, 2, 1))  # unbatched
    yield Sample(m(1, 2, 5, 4, 6), ((2, 1, 3), (1, 2, 2), (1, 0, 1), True, False))
    yield Sample(m(2, 2, 5, 6, 5), (3,), {"stride": 2, "padding": 1, "ceil_mode": True})
    yield Sample(m(2, 2, 5, 6, 5), (3,), {"stride": 2, "padding": 1, "ceil_mode": True,
                                          "count_include_pad": False})
    yield Sample(m(1, 2, 5, 4, 6), ((3, 2, 2),), {"padding": (1, 1, 0), "stride": (2, 3, 1),
                                                  "divisor_override": 5})


def avg_pool3d_errors():
    x = _e((1, 2, 5, 5, 5))
    yield ErrorSample(Sample(x, (2, 2, 2)), RuntimeError)
    yield ErrorSample(Sample(x, (6,)), RuntimeError)
    yield ErrorSample(Sample(x, (0, 1)), RuntimeError)
    yield ErrorSample(Sample(x, (2, -1)), RuntimeError)
    yield ErrorSample(Sample(x, (2,), {"divisor_override": 0}), RuntimeError)
    yield ErrorSample(Sample(_e((5, 5, 5)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 0, 4, 4)), (2,)), RuntimeError)
    yield ErrorSample(Sample(x, ((2, 2),)), RuntimeError)
    yield ErrorSample(Sample(x, (2, (1, 1))), RuntimeError)
    yield ErrorSample(Sample(x, (2, 1, (1, 1))), RuntimeError)


def adaptive3d_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 3, 4, 5), ((2, 3, 2),))
    yield Sample(m(2, 5, 4, 3), (3,))  # unbatched
    yield Sample(m(2, 2, 5, 7, 4), ((4, None, 3),))
    yield Sample(m(2, 2, 3, 4, 4), (1,))
    yield Sample(m(1, 2, 3, 2, 3), ((5, 4, 3),))  # output larger than input
    yield Sample(m(0, 2, 3, 4, 4), (2,))


def adaptive_avg3d_errors():
    yield ErrorSample(Sample(_e((2, 3, 4, 4, 4)), ((2, 2),)), RuntimeError)
    yield ErrorSample(Sample(_e((4, 4, 4)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((1, 0, 4, 4, 4)), (2,)), RuntimeError)


def adaptive_max3d_errors():
    yield ErrorSample(Sample(_e((4, 4, 4)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((1, 0, 4, 4, 4)), (2,)), RuntimeError)


def _unpool_idx(pooled, k, rng) -> np.ndarray:
    """Indices a max pool with kernel = stride = ``k`` could return for a ``pooled`` output:
    one random cell per window, so all distinct (a repeated index has no smooth gradient)."""
    nd = len(k)
    o = pooled[-nd:]
    sizes = [oi * ki for oi, ki in zip(o, k)]
    st = np.cumprod((1, *sizes[:0:-1]))[::-1]
    idx = np.zeros(pooled, dtype=np.int64)
    for a in range(nd):
        pos = (np.arange(o[a]) * k[a]).reshape([-1 if b == a else 1 for b in range(nd)])
        idx += (pos + rng.integers(0, k[a], size=pooled)) * int(st[a])
    return idx


def max_unpool_samples(nd):
    def samples(dtype, rng):
        def m(*s):
            return make(s, dtype, rng)

        k2 = (2,) * nd
        sh = (2, 3) + (3, 2, 2)[:nd]
        yield Sample(m(*sh), (_unpool_idx(sh, k2, rng), 2), grad=("input",))
        yield Sample(m(*sh[1:]), (_unpool_idx(sh[1:], k2, rng), 2), grad=("input",))
        # output_size one larger than the default (with and without the leading dims)
        big = [2 * n + 1 for n in sh[2:]]
        yield Sample(m(*sh), (_unpool_idx(sh, k2, rng), 2), {"output_size": big},
                     grad=("input",))
        yield Sample(m(*sh), (_unpool_idx(sh, k2, rng), k2, 2, 0, [*sh[:2], *big]),
                     grad=("input",))
        k3 = (3, 1, 2)[:nd]
        yield Sample(m(*sh), (_unpool_idx(sh, k3, rng), k3, None, 0), grad=("input",))
    return samples


def max_unpool_errors(nd):
    def errors():
        sh = (1, 2) + (2,) * nd
        x, i = _e(sh), _unpool_idx(sh, (2,) * nd, _r())
        yield ErrorSample(Sample(x, (i.astype(np.int32), 2)), RuntimeError)
        yield ErrorSample(Sample(x, (i[..., :1], 2)), RuntimeError)
        yield ErrorSample(Sample(x, (i, 2), {"output_size": [9] * nd}), ValueError)
        yield ErrorSample(Sample(x, (i, 2), {"output_size": [4] * (nd + 1)}), ValueError)
        yield ErrorSample(Sample(x[0, 0], (i[0, 0], 2)), RuntimeError)
        bad = i.copy()
        bad.flat[-1] = 100  # one invalid index (torch names the last one it meets)
        yield ErrorSample(Sample(x, (bad, 2)), RuntimeError)
        yield ErrorSample(Sample(x.astype(np.float64).astype(np.int64), (i, 2)),
                          NotImplementedError)
    return errors


# ---------------------------------------------------------------------------------- padding
def constant_pad_samples(dtype, rng):
    yield Sample(make((2, 3), dtype, rng), ((1, 2),))
    yield Sample(make((2, 3, 4), dtype, rng), ((1, 0, 2, 1), 2.5))
    yield Sample(make((2, 3, 4), dtype, rng), ((-1, 2, 0, -1, 1, 1),))
    yield Sample(make((2, 3), dtype, rng), ((1, 1),), {"value": -1})


def constant_pad_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, ((1,),)), RuntimeError)
    yield ErrorSample(Sample(x, ((1, 1) * 5,)), RuntimeError)
    yield ErrorSample(Sample(x, ((-5, -5),)), RuntimeError)


def pad_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 3), ((1, 2),), {"mode": "reflect"})
    yield Sample(m(2, 3, 3), ((1, 2, 2, 0),), {"mode": "replicate"})
    yield Sample(m(1, 2, 3), ((2, 1),), {"mode": "circular"})
    yield Sample(m(2, 3, 4), ((1, 2),))
    yield Sample(m(2, 3, 4), ((1, 2, 0, 1),), {"value": 1.5})
    for mode in ("reflect", "replicate", "circular"):
        yield Sample(m(2, 3, 5, 6), ((2, 1, 3, 2),), {"mode": mode})
        yield Sample(m(3, 5, 6), ((2, 1, 1, 2),), {"mode": mode})
        yield Sample(m(2, 3, 6), ((3, 2),), {"mode": mode})
        yield Sample(m(4, 6), ((3, 2),), {"mode": mode})
        yield Sample(m(1, 2, 3, 4, 5), ((1, 2, 2, 1, 1, 1),), {"mode": mode})
        yield Sample(m(2, 3, 5, 6), ((-1, 2, 1, -2),), {"mode": mode})


def pad_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, ((1,),)), RuntimeError)
    yield ErrorSample(Sample(x, ((1, 1) * 5,)), RuntimeError)
    yield ErrorSample(Sample(x, ((9, 9),), {"mode": "reflect"}), NotImplementedError)
    yield ErrorSample(Sample(x, ((9, 9, 1, 1),), {"mode": "reflect"}), RuntimeError)
    yield ErrorSample(Sample(x, ((9, 1, 1, 1),), {"mode": "circular"}), RuntimeError)
    yield ErrorSample(Sample(x, ((1, 1),), {"mode": "foo"}), NotImplementedError)
    yield ErrorSample(Sample(x, ((1, 1, 1, 1),), {"mode": "reflect", "value": 1.0}),
                      RuntimeError)


# ---------------------------------------------------------------------------------- resampling
def interpolate_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 1, 2, 3), kwargs={"scale_factor": 2, "mode": "bilinear"})
    yield Sample(m(1, 2, 3), kwargs={"size": 5, "mode": "linear", "align_corners": True})
    yield Sample(m(1, 1, 3, 2), kwargs={"size": (4, 3), "mode": "bicubic"})
    for mode, ac in (("nearest", None), ("nearest-exact", None), ("bilinear", False),
                     ("bilinear", True), ("bicubic", False), ("bicubic", True),
                     ("area", None)):
        x = m(2, 3, 5, 6)
        yield Sample(x, kwargs={"scale_factor": 1.7, "mode": mode, "align_corners": ac})
        yield Sample(x, kwargs={"size": (9, 4), "mode": mode, "align_corners": ac})
        yield Sample(x, kwargs={"scale_factor": (0.5, 3.0), "mode": mode, "align_corners": ac,
                                "recompute_scale_factor": True})
        yield Sample(x, kwargs={"size": (1, 1), "mode": mode, "align_corners": ac})
    for mode in ("nearest", "linear", "area", "nearest-exact"):
        yield Sample(m(2, 3, 7), kwargs={"scale_factor": 2.5, "mode": mode})
    yield Sample(m(1, 2, 3, 4, 3), kwargs={"scale_factor": 2, "mode": "nearest"})
    yield Sample(m(1, 2, 3, 4, 3), kwargs={"size": (4, 5, 2), "mode": "trilinear"})


def interpolate_errors():
    x = _e((2, 3, 8, 8))
    yield ErrorSample(Sample(x, kwargs={"size": 4, "scale_factor": 2}), ValueError)
    yield ErrorSample(Sample(x), ValueError)
    yield ErrorSample(Sample(x, kwargs={"scale_factor": 2, "align_corners": True}), ValueError)
    yield ErrorSample(Sample(x, kwargs={"scale_factor": 2, "mode": "linear"}),
                      NotImplementedError)
    yield ErrorSample(Sample(x, kwargs={"size": (1, 2, 3)}), ValueError)
    yield ErrorSample(Sample(x, kwargs={"scale_factor": 2, "mode": "foo"}), NotImplementedError)
    yield ErrorSample(Sample(x, kwargs={"scale_factor": (2, 2, 2)}), ValueError)
    yield ErrorSample(Sample(x, kwargs={"size": 4, "recompute_scale_factor": True}), ValueError)


def unfold_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 2, 3, 3), (2,))
    yield Sample(m(2, 4, 4), ((2, 3),), {"padding": 1, "stride": 2})
    yield Sample(m(2, 3, 7, 8), ((2, 3),), {"dilation": (1, 2), "padding": 1, "stride": (2, 1)})


def unfold_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (9,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (0,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (2,), {"stride": 0}), RuntimeError)


def fold_samples(dtype, rng):
    def m(*s):
        return make(s, dtype, rng)

    yield Sample(m(1, 4, 4), ((3, 3), 2))
    yield Sample(m(8, 4), ((4, 4), 2), {"stride": 2})
    yield Sample(m(2, 12, 18), ((5, 6), (2, 3)), {"padding": 1, "stride": (2, 1)})
    yield Sample(m(2, 6, 10), ((5, 6), (1, 2)), {"dilation": (2, 2), "stride": (1, 2)})


def fold_errors():
    yield ErrorSample(Sample(_e((2, 13, 9)), ((4, 4), 2)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 12, 8)), ((4, 4), 2)), RuntimeError)
    yield ErrorSample(Sample(_e((12,)), ((4, 4), 2)), RuntimeError)


def pixel_shuffle_samples(dtype, rng):
    yield Sample(make((1, 4, 2, 2), dtype, rng), (2,))
    yield Sample(make((2, 9, 2, 3), dtype, rng), (3,))
    yield Sample(make((8, 2, 2), dtype, rng), (2,))
    yield Sample(make((2, 2, 4, 2, 2), dtype, rng), (1,))


def pixel_shuffle_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 8)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((8, 8)), (2,)), RuntimeError)


def pixel_unshuffle_samples(dtype, rng):
    yield Sample(make((1, 1, 4, 2), dtype, rng), (2,))
    yield Sample(make((2, 2, 6, 9), dtype, rng), (3,))
    yield Sample(make((2, 4, 4), dtype, rng), (2,))


def pixel_unshuffle_errors():
    yield ErrorSample(Sample(_e((2, 3, 8, 9)), (2,)), RuntimeError)
    yield ErrorSample(Sample(_e((2, 3, 9, 8)), (2,)), RuntimeError)


FN = ("function",)
# Half types go through float32 in both libraries' CPU kernels but round differently.
HALF_TOL = {"atol": 2e-2, "rtol": 2e-2}
CONV3D_TOL = {"atol": 2e-5, "rtol": 1e-5}

OPS = [
    OpInfo("conv2d", conv2d_samples, FLOAT, variants=FN, errors=conv2d_errors),
    OpInfo("conv1d", conv1d_samples, FLOAT, variants=FN, errors=conv1d_errors),
    OpInfo("conv_transpose2d", conv_transpose2d_samples, FLOAT, variants=FN,
           errors=conv_transpose2d_errors),
    OpInfo("conv_transpose1d", conv_transpose1d_samples, FLOAT, variants=FN),
    # float32 sums of up to 432 products: the summation order differs from torch's kernel
    OpInfo("conv3d", conv3d_samples, FLOAT, variants=FN, errors=conv3d_errors, **CONV3D_TOL),
    OpInfo("conv_transpose3d", conv_transpose3d_samples, FLOAT, variants=FN,
           errors=conv_transpose3d_errors, **CONV3D_TOL),
    OpInfo("convolution", convolution_samples, FLOAT, variants=FN),
    OpInfo("max_pool2d", max_pool2d_samples, ALL_FLOAT, variants=FN, errors=max_pool2d_errors),
    OpInfo("max_pool3d", max_pool3d_samples, ALL_FLOAT, variants=FN, errors=max_pool3d_errors),
    OpInfo("max_pool1d", max_pool1d_samples, ALL_FLOAT, variants=FN, errors=max_pool1d_errors),
    OpInfo("max_pool1d_with_indices", max_pool1d_samples, FLOAT, variants=FN),
    OpInfo("avg_pool1d", avg_pool1d_samples, FLOAT, variants=FN, errors=avg_pool1d_errors),
    OpInfo("adaptive_avg_pool1d", adaptive1d_samples, FLOAT, variants=FN,
           errors=adaptive1d_errors),
    OpInfo("adaptive_max_pool1d", adaptive1d_samples, FLOAT, variants=FN,
           errors=adaptive1d_errors),
    OpInfo("constant_pad_nd", constant_pad_samples, ALL_FLOAT, variants=FN,
           errors=constant_pad_errors),
    OpInfo("pixel_shuffle", pixel_shuffle_samples, ALL_FLOAT, variants=FN,
           errors=pixel_shuffle_errors),
    OpInfo("pixel_unshuffle", pixel_unshuffle_samples, ALL_FLOAT, variants=FN,
           errors=pixel_unshuffle_errors),
]

# nn.functional-only forms (tests/nn/test_conv_functional.py runs them like test_ops does).
FUNCTIONAL = [
    OpInfo("conv2d", conv2d_samples, FLOAT, variants=FN),
    OpInfo("conv_transpose2d", conv_transpose2d_samples, FLOAT, variants=FN),
    OpInfo("conv3d", conv3d_samples, FLOAT, variants=FN, **CONV3D_TOL),
    OpInfo("conv_transpose3d", conv_transpose3d_samples, FLOAT, variants=FN, **CONV3D_TOL),
    OpInfo("max_pool2d", max_pool2d_samples, FLOAT, variants=FN),
    OpInfo("max_pool2d_with_indices", max_pool2d_samples, FLOAT, variants=FN),
    OpInfo("avg_pool2d", avg_pool2d_samples, FLOAT, variants=FN, errors=avg_pool2d_errors),
    OpInfo("adaptive_avg_pool2d", adaptive2d_samples, FLOAT, variants=FN,
           errors=adaptive_avg2d_errors),
    OpInfo("adaptive_max_pool2d", adaptive2d_samples, FLOAT, variants=FN,
           errors=adaptive_max2d_errors),
    OpInfo("adaptive_max_pool2d_with_indices", adaptive2d_samples, FLOAT, variants=FN),
    OpInfo("adaptive_max_pool1d", adaptive1d_samples, FLOAT, variants=FN),
    OpInfo("max_pool3d", max_pool3d_samples, FLOAT, variants=FN),
    OpInfo("max_pool3d_with_indices", max_pool3d_samples, FLOAT, variants=FN),
    OpInfo("avg_pool3d", avg_pool3d_samples, FLOAT, variants=FN, errors=avg_pool3d_errors),
    OpInfo("adaptive_avg_pool3d", adaptive3d_samples, FLOAT, variants=FN,
           errors=adaptive_avg3d_errors),
    OpInfo("adaptive_max_pool3d", adaptive3d_samples, FLOAT, variants=FN,
           errors=adaptive_max3d_errors),
    OpInfo("adaptive_max_pool3d_with_indices", adaptive3d_samples, FLOAT, variants=FN),
    OpInfo("max_unpool1d", max_unpool_samples(1), FLOAT, variants=FN,
           errors=max_unpool_errors(1)),
    OpInfo("max_unpool2d", max_unpool_samples(2), FLOAT, variants=FN,
           errors=max_unpool_errors(2)),
    OpInfo("max_unpool3d", max_unpool_samples(3), FLOAT, variants=FN,
           errors=max_unpool_errors(3)),
    OpInfo("pad", pad_samples, FLOAT, variants=FN, errors=pad_errors),
    OpInfo("interpolate", interpolate_samples, FLOAT, variants=FN, errors=interpolate_errors),
    OpInfo("unfold", unfold_samples, FLOAT, variants=FN, errors=unfold_errors),
    OpInfo("fold", fold_samples, FLOAT, variants=FN, errors=fold_errors),
]
