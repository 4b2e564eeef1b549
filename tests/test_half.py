"""float16 / bfloat16 numerics of the core op families against torch's CPU kernels.

Every op of the database families elementwise, reduction, shape, indexing, linalg and
creation runs forward on half inputs, and (where differentiable) forward plus backward with
half inputs and gradients; results are compared in units in the last place (the distance
between the two values in the half type's ordered bit patterns; NaNs must match NaNs).

What holds, per family (torch computes most half ops in float32 and rounds once, "opmath";
ember does the same, and mirrors torch's extra roundings where torch has them):

- shape, creation, indexing (data movement): bit for bit, forward and backward, except the
  accumulating ops (index_add, scatter_add, the backward of gather/repeat_interleave/tile):
  within 1 ulp, 6 for repeat_interleave's backward (torch accumulates in its own order,
  rounding to the half type between additions);
- elementwise: forward bit for bit, except rsqrt/pow/lerp (1 ulp: torch's scalar tail loop
  rounds an intermediate to the half type, ember models this for add/sub/rsub with alpha
  only). Backward: formulas are torch's derivatives.yaml formulas made of half ops, each
  rounding, and fused kernels (tanh_backward, sigmoid_backward, relu's threshold_backward)
  round as torch's do (bfloat16: float32 math rounded once; sigmoid's float16: per op); most
  agree bit for bit, the inverse-trig/hyperbolic ones within 2 ulps, rsqrt within 4,
  fmod within 76 ulps (trunc division near integers) - listed in BWD_ULPS;
- reduction: float32 accumulation, rounded once: bit for bit, except prod (1 ulp),
  nansum/nanmean over several dims (4: torch rounds the partial sums of outer dims);
  logsumexp follows torch's composition of half ops (each rounding) bit for bit;
- linalg: float32 accumulation rounded once (mm, bmm, matmul, addmm...): within 1 ulp (the
  summation order differs); addr and cross follow torch's half arithmetic bit for bit;
  einsum (1 ulp forward; 11 backward for 3-operand chains, whose intermediates round).
"""

from __future__ import annotations

import importlib

import ml_dtypes
import numpy as np
import pytest
import torch

import ember

from .helpers import to_ember, to_torch, torch_text
from .opinfo.core import NP_DTYPES
from .test_ops import _call, _convert, _grads, _samples

FAMILIES = ("elementwise", "reduction", "shape", "indexing", "linalg", "creation")
HALF = ("float16", "bfloat16")

# Forward: the largest ulp distance allowed per op (default 0: bit for bit).
FWD_ULPS = {
    "rsqrt": 1, "pow": 1, "lerp": 1, "prod": 1, "nansum": 4, "nanmean": 4, "scatter_add": 1,
    "index_add": 1, "addmv": 1, "einsum": 1, "mm": 1, "bmm": 1, "matmul": 1, "addmm": 1,
    "baddbmm": 1, "addbmm": 1, "mv": 1, "dot": 1, "vdot": 1, "inner": 1, "tensordot": 1,
    "chain_matmul": 1, "multi_dot": 1, "kron": 1, "trace": 1,
}
# Backward (half inputs and gradients).
BWD_ULPS = {
    "fmod": 76, "rsqrt": 4, "exp2": 2, "asin": 2, "arcsin": 2, "acos": 2, "arccos": 2,
    "asinh": 2, "arcsinh": 2, "acosh": 2, "arccosh": 2, "atanh": 1, "arctanh": 1, "prod": 2,
    "norm": 1, "cumprod": 1, "tile": 1, "repeat_interleave": 6, "gather": 2, "einsum": 11,
    "pow": 1, "dist": 1,  # dist: norm's 1 ulp (bfloat16 pow at p=0.5)
    # composites whose half intermediates round in another order than torch's decomposition
    # (combinations: torch accumulates the scattered gradient in half, one rounding per add)
    "combinations": 56, "cov": 128, "corrcoef": 293,
}


def _ops(fam: str):
    return importlib.import_module(f"tests.opinfo.{fam}").OPS


def _cases(kind: str):
    for fam in FAMILIES:
        for op in _ops(fam):
            if kind == "bwd" and not op.grad_dtypes:
                continue
            if op.name in ("det",):  # torch's half det: only empty batches work
                continue
            for dt in HALF:
                if kind == "fwd" and dt not in op.dtypes:
                    continue
                yield pytest.param(op, dt, id=f"{op.name}-{dt}")


def _ordered(a: np.ndarray) -> np.ndarray:
    """Half values as integers ordered like the values they encode."""
    i = a.view(np.int16).astype(np.int64)
    return np.where(i < 0, -32768 - i, i)


def ulp_distance(e, t) -> int:
    a = e.detach()._data
    b = t.detach()
    assert str(e.dtype) == torch_text(str(b.dtype)), f"dtype {e.dtype} != {b.dtype}"
    assert tuple(a.shape) == tuple(b.shape), f"shape {a.shape} != {tuple(b.shape)}"
    if b.dtype in (torch.float16, torch.bfloat16):
        b = b.float().numpy().astype(a.dtype)
    else:
        b = b.numpy()
    if a.dtype.kind not in "fV":
        assert np.array_equal(a, b)
        return 0
    if a.dtype.itemsize != 2:  # a float32/float64 result of a half input: tight tolerance
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=1e-6,
                                   atol=1e-7, equal_nan=True)
        return 0
    fa, fb = a.astype(np.float32), b.astype(np.float32)
    nan_a, nan_b = np.isnan(fa), np.isnan(fb)
    assert np.array_equal(nan_a, nan_b), "NaNs differ"
    d = np.abs(_ordered(a) - _ordered(b))
    d = np.where(nan_a | ((fa == 0) & (fb == 0)), 0, d)  # +0 and -0 alike
    return int(d.max()) if d.size else 0


def _flat(x) -> list:
    if isinstance(x, (tuple, list)):
        return [y for v in x for y in _flat(v)]
    return [x]


@pytest.mark.parametrize("op,dt", list(_cases("fwd")))
def test_forward_half_matches_torch(op, dt):
    limit = FWD_ULPS.get(op.name, 0)
    worst = 0
    for s in _samples(op, dt):
        e_in, e_args, e_kw = _convert(s, to_ember)
        t_in, t_args, t_kw = _convert(s, to_torch)
        try:
            t = _call(torch, op, op.variants[0], t_in, t_args, t_kw)
        except Exception as exc:  # noqa: BLE001 - ember must fail alike
            with pytest.raises(type(exc)):
                _call(ember, op, op.variants[0], e_in, e_args, e_kw)
            continue
        e = _call(ember, op, op.variants[0], e_in, e_args, e_kw)
        for a, b in zip(_flat(e), _flat(t)):
            if isinstance(b, torch.Tensor):
                worst = max(worst, ulp_distance(a, b))
    assert worst <= limit, f"{op.name} {dt}: {worst} ulps (allowed {limit})"


@pytest.mark.parametrize("op,dt", list(_cases("bwd")))
def test_backward_half_matches_torch(op, dt):
    limit = BWD_ULPS.get(op.name, FWD_ULPS.get(op.name, 0))
    worst = 0
    for s in _samples(op, dt):
        try:
            t_grads = _grads(torch, op, s, to_torch)
        except Exception:  # noqa: BLE001 - a half backward torch lacks: not compared
            continue
        e_grads = _grads(ember, op, s, to_ember)
        if t_grads is None:
            assert e_grads is None
            continue
        for a, b in zip(e_grads, t_grads):
            if b is None:
                continue
            worst = max(worst, ulp_distance(a, b))
    assert worst <= limit, f"{op.name} {dt} backward: {worst} ulps (allowed {limit})"


# ---------------------------------------------------------------------------------- promotion
PROMOTION = [
    ("float16", "bfloat16"), ("bfloat16", "float16"), ("float16", "float32"),
    ("bfloat16", "float64"), ("bfloat16", "int64"), ("float16", "bool"),
]


@pytest.mark.parametrize("a,b", PROMOTION)
def test_promotion_with_half_types(a, b):
    x = np.array([1.5, -2.25, 3.0], np.float32)
    ta, tb = (to_torch(x.astype(NP_DTYPES[d])) for d in (a, b))
    ea, eb = (to_ember(x.astype(NP_DTYPES[d])) for d in (a, b))
    assert str((ea + eb).dtype) == torch_text(str((ta + tb).dtype))
    assert str(ember.promote_types(ea.dtype, eb.dtype)) == torch_text(
        str(torch.promote_types(ta.dtype, tb.dtype)))
    assert str(ember.result_type(ea, eb)) == torch_text(str(torch.result_type(ta, tb)))


@pytest.mark.parametrize("dt", HALF)
@pytest.mark.parametrize("scalar", [2.5, 3, 1e-3, -7])
def test_half_with_python_scalars_stays_half(dt, scalar):
    x = np.array([1.5, -2.25, 3.0], np.float32).astype(NP_DTYPES[dt])
    t, e = to_torch(x), to_ember(x)
    for fn in (lambda v, s: v + s, lambda v, s: v * s, lambda v, s: s - v, lambda v, s: v / s):
        rt, re = fn(t, scalar), fn(e, scalar)
        assert str(re.dtype) == torch_text(str(rt.dtype))
        assert ulp_distance(re, rt) == 0


@pytest.mark.parametrize("dt", HALF)
def test_half_printing(dt):
    x = np.array([[1.5, -2.25, 3.0], [1e-3, 65504 if dt == "float16" else 1e30, 0.1]],
                 np.float32).astype(NP_DTYPES[dt])
    t, e = to_torch(x), to_ember(x)
    assert repr(e) == torch_text(repr(t))
    w = np.ones((3, 2), np.float32)
    tw = to_torch(w).requires_grad_()
    ew = to_ember(w).requires_grad_()
    with torch.autocast("cpu", dtype=getattr(torch, dt)):
        rt = to_torch(np.ones((2, 3), np.float32)) @ tw
    with ember.autocast("cpu", dtype=getattr(ember, dt)):
        re = to_ember(np.ones((2, 3), np.float32)) @ ew
    assert repr(re).split("grad_fn")[0] == torch_text(repr(rt)).split("grad_fn")[0]
    assert "dtype=ember." + dt in repr(re)


def test_bfloat16_numpy_dtype_is_ml_dtypes():
    assert ember.bfloat16._np == np.dtype(ml_dtypes.bfloat16)
