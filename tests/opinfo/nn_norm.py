"""OpInfo entries: normalization (torch's top-level batch_norm, instance_norm, layer_norm,
native_layer_norm, group_norm, native_group_norm), and ``F_OPS`` for the nn.functional forms,
driven by tests/nn/test_norm.py.

Tolerances: layer and group norm compute mean and variance in float64 and round once, where
torch runs a float32 Welford pass: results agree within 1-2 float32 ulps (default tolerances).
Batch norm follows torch's kernel (float64 sums, fused multiply-adds) bit for bit in float32.
"""

from __future__ import annotations

import numpy as np

from .core import ALL_FLOAT, FLOAT, ErrorSample, OpInfo, Sample, make

F32 = np.dtype(np.float32)
GRAD = ("float32", "float64")
FUNC = ("function",)
# LayerNorm/GroupNorm of float16 round the float32 statistics differently: ~2 half ulps
HALF_TOL = {"atol": 4e-3, "rtol": 4e-3}


def _rng():
    return np.random.default_rng(0)


def _stats(rng, c, dtype=F32):
    return make((c,), dtype, rng), make((c,), dtype, rng, 0.5, 2.0)


# ---------------------------------------------------------------------------------- batch norm
def batch_norm_samples(top: bool):
    """``top``: torch.batch_norm(input, weight, bias, rm, rv, training, momentum, eps, cudnn);
    else F.batch_norm(input, rm, rv, weight, bias, training, momentum, eps)."""

    def gen(dtype, rng):
        pdt = F32 if dtype.kind == "V" or dtype == np.float16 else dtype
        for shape, train, affine, stats in [
            ((6, 3), True, True, True), ((6, 3), False, True, True),
            ((4, 3, 5), True, False, True), ((2, 3, 4, 4), True, True, False),
            ((2, 3, 2, 3, 2), False, False, True), ((3, 2, 4), False, True, True),
            ((2, 4, 3, 3), True, True, True),
        ]:
            if dtype.kind == "V" or dtype == np.float16:
                if affine:  # torch: mixed half input with float params only without params
                    continue
            c = shape[1]
            x = make(shape, dtype, rng)
            w, b = (make((c,), pdt, rng), make((c,), pdt, rng)) if affine else (None, None)
            rm, rv = _stats(rng, c, pdt) if stats else (None, None)
            grad = ("input", 0, 1) if top else ("input", "weight", "bias")
            if top:
                yield Sample(x, (w, b, rm, rv, train, 0.1, 1e-5, False), grad=grad)
            else:
                yield Sample(x, (rm, rv), {"weight": w, "bias": b, "training": train,
                                           "momentum": 0.3, "eps": 1e-3}, grad=grad)

    return gen


def batch_norm_errors():
    rng = _rng()
    x = make((4, 3), F32, rng)
    rm, rv = _stats(rng, 3)
    yield ErrorSample(Sample(make((1, 3), F32, rng), (rm, rv), {"training": True}), ValueError)
    yield ErrorSample(Sample(x, (make((2,), F32, rng), rv)), RuntimeError)
    yield ErrorSample(Sample(x, (rm, rv), {"weight": make((2,), F32, rng)}), RuntimeError)
    yield ErrorSample(Sample(x, (rm, make((4,), F32, rng))), RuntimeError)
    yield ErrorSample(Sample(np.arange(6).reshape(2, 3), (rm, rv)), NotImplementedError)
    yield ErrorSample(Sample(x, (rm, rv), {"training": True, "eps": 0.0}), ValueError)
    yield ErrorSample(Sample(x, (rm, rv), {"eps": -1.0}), ValueError)
    yield ErrorSample(Sample(make((3,), F32, rng), (rm, rv)), RuntimeError)
    yield ErrorSample(Sample(x.astype(np.float64), (rm, rv), {"training": True}), RuntimeError)


def instance_norm_samples(top: bool):
    def gen(dtype, rng):
        for shape, affine, stats, use in [((2, 3, 5), False, False, True),
                                          ((2, 3, 4, 4), True, True, True),
                                          ((3, 2, 6), True, True, False),
                                          ((1, 4, 3, 2, 2), False, True, True)]:
            c = shape[1]
            x = make(shape, dtype, rng)
            w, b = (make((c,), dtype, rng), make((c,), dtype, rng)) if affine else (None, None)
            rm, rv = _stats(rng, c, dtype) if stats else (None, None)
            if top:
                yield Sample(x, (w, b, rm, rv, use, 0.1, 1e-5, False), grad=("input", 0, 1))
            else:
                yield Sample(x, (rm, rv, w, b, use, 0.2), grad=("input", 2, 3))

    return gen


def instance_norm_errors():
    yield ErrorSample(Sample(make((2, 3, 1), F32, _rng())), ValueError)


# ---------------------------------------------------------------------------------- layer norm
def layer_norm_samples(dtype, rng):
    yield Sample(make((4, 6, 10), dtype, rng), ((10,),))
    yield Sample(make((4, 6, 10), dtype, rng), ([10],), {"weight": make((10,), dtype, rng),
                                                         "bias": make((10,), dtype, rng)})
    yield Sample(make((4, 6, 10), dtype, rng), ((6, 10),), {"weight": make((6, 10), dtype, rng)})
    yield Sample(make((3, 5), dtype, rng), ((5,),), {"bias": make((5,), dtype, rng),
                                                     "eps": 1e-2})
    yield Sample(make((7,), dtype, rng), ((7,),), {"weight": make((7,), dtype, rng),
                                                   "bias": make((7,), dtype, rng)})
    yield Sample(make((0, 4), dtype, rng), ((4,),), grad=())
    yield Sample(make((3, 4), dtype, rng, -1e3, 1e3) + 5e3 if dtype.kind == "f" and
                 dtype.itemsize > 2 else make((3, 4), dtype, rng), ((4,),))


def layer_norm_errors():
    rng = _rng()
    x = make((4, 3, 5), F32, rng)
    yield ErrorSample(Sample(x, ((4,),)), RuntimeError)
    yield ErrorSample(Sample(x, ((5,),), {"weight": make((4,), F32, rng)}), RuntimeError)
    yield ErrorSample(Sample(x, ((5,),), {"bias": make((4,), F32, rng)}), RuntimeError)
    yield ErrorSample(Sample(x, ((2, 3, 5, 1),)), RuntimeError)
    yield ErrorSample(Sample(x, ((),)), RuntimeError)
    yield ErrorSample(Sample(x, ((5,),), {"weight": np.ones(5)}), RuntimeError)


def f_layer_norm_errors():
    yield from layer_norm_errors()
    yield ErrorSample(Sample(make((4, 5), F32, _rng()), (5,)), TypeError)


def native_layer_norm_samples(dtype, rng):
    for s in layer_norm_samples(dtype, rng):
        kw = s.kwargs
        yield Sample(s.input, (s.args[0], kw.get("weight"), kw.get("bias"), kw.get("eps", 1e-5)),
                     grad=("input", 1, 2) if s.grad is None else s.grad)


def native_layer_norm_errors():
    for e in layer_norm_errors():
        kw = e.sample.kwargs
        yield ErrorSample(Sample(e.sample.input, (e.sample.args[0], kw.get("weight"),
                                                  kw.get("bias"), 1e-5)), e.exc, e.match)


# ---------------------------------------------------------------------------------- group norm
def group_norm_samples(dtype, rng):
    yield Sample(make((4, 6, 7), dtype, rng), (3,))
    yield Sample(make((4, 6, 7), dtype, rng), (2,), {"weight": make((6,), dtype, rng),
                                                     "bias": make((6,), dtype, rng)})
    yield Sample(make((2, 4, 3, 3), dtype, rng), (4,), {"weight": make((4,), dtype, rng)})
    # (torch's backward fails with a bias and no weight: "tensor does not have a device")
    yield Sample(make((2, 4, 3, 3), dtype, rng), (1,), {"bias": make((4,), dtype, rng),
                                                        "eps": 0.1}, grad=())
    yield Sample(make((3, 6), dtype, rng), (2,), {"weight": make((6,), dtype, rng),
                                                  "bias": make((6,), dtype, rng)})
    yield Sample(make((2, 4, 2, 2, 2), dtype, rng), (2,))


def group_norm_errors():
    rng = _rng()
    x = make((4, 3, 5), F32, rng)
    yield ErrorSample(Sample(x, (2,)), RuntimeError)
    yield ErrorSample(Sample(make((3,), F32, rng), (1,)), RuntimeError)
    yield ErrorSample(Sample(make((1, 4), F32, rng), (4,)), ValueError)
    yield ErrorSample(Sample(x, (3,), {"weight": make((4,), F32, rng)}), RuntimeError)
    yield ErrorSample(Sample(x, (3,), {"weight": np.ones(3)}), RuntimeError)


def native_group_norm_samples(dtype, rng):
    for s in group_norm_samples(dtype, rng):
        x = s.input
        kw = s.kwargs
        hw = int(np.prod(x.shape[2:])) if x.ndim > 2 else 1
        yield Sample(x, (kw.get("weight"), kw.get("bias"), x.shape[0], x.shape[1], hw,
                         s.args[0], kw.get("eps", 1e-5)),
                     grad=("input", 0, 1) if s.grad is None else s.grad)


def lrn_samples(dtype, rng):
    yield Sample(make((2, 6, 7), dtype, rng), (3,))
    yield Sample(make((2, 5, 3, 2), dtype, rng), (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0})
    yield Sample(make((1, 4, 2, 2, 3), dtype, rng), (4,))
    yield Sample(make((0, 4, 2), dtype, rng), (2,), grad=())


def lrn_errors():
    yield ErrorSample(Sample(make((2, 3), F32, _rng()), (2,)), ValueError)


def rms_norm_samples(dtype, rng):
    yield Sample(make((4, 6, 10), dtype, rng), ((10,),))
    yield Sample(make((4, 6, 10), dtype, rng), ([6, 10],), {"weight": make((6, 10), dtype, rng)})
    yield Sample(make((3, 5), dtype, rng), ((5,),), {"weight": make((5,), dtype, rng),
                                                     "eps": 1e-2})
    yield Sample(np.full((2, 4), 1e-3, dtype), ((4,),))  # where the default eps matters
    yield Sample(make((0, 4), dtype, rng), ((4,),), grad=())


def rms_norm_errors():
    rng = _rng()
    x = make((2, 3, 4), F32, rng)
    yield ErrorSample(Sample(x, ((3,),)), RuntimeError)
    yield ErrorSample(Sample(x, ((4,),), {"weight": make((3,), F32, rng)}), RuntimeError)


OPS = [
    OpInfo("rms_norm", rms_norm_samples, dtypes=ALL_FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=rms_norm_errors),
    OpInfo("batch_norm", batch_norm_samples(True), grad_dtypes=GRAD, variants=FUNC),
    OpInfo("instance_norm", instance_norm_samples(True), dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
    OpInfo("layer_norm", layer_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=layer_norm_errors),
    OpInfo("native_layer_norm", native_layer_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=native_layer_norm_errors),
    OpInfo("group_norm", group_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC),
    OpInfo("native_group_norm", native_group_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC),
    # half types: statistics rounded from float32 differently (see the module docstring)
    OpInfo("layer_norm", layer_norm_samples, dtypes=("float16", "bfloat16"), grad_dtypes=(),
           variants=FUNC, gradcheck=False, **HALF_TOL),
    OpInfo("group_norm", group_norm_samples, dtypes=("float16", "bfloat16"), grad_dtypes=(),
           variants=FUNC, gradcheck=False, **HALF_TOL),
]

F_OPS = [
    OpInfo("batch_norm", batch_norm_samples(False), dtypes=ALL_FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=batch_norm_errors),
    OpInfo("instance_norm", instance_norm_samples(False), dtypes=FLOAT, grad_dtypes=GRAD,
           variants=FUNC, errors=instance_norm_errors),
    OpInfo("layer_norm", layer_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=f_layer_norm_errors),
    OpInfo("group_norm", group_norm_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=group_norm_errors),
    OpInfo("rms_norm", rms_norm_samples, dtypes=ALL_FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=rms_norm_errors),
    OpInfo("local_response_norm", lrn_samples, dtypes=FLOAT, grad_dtypes=GRAD, variants=FUNC,
           errors=lrn_errors),
]

