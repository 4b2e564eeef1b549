"""Reductions against torch where the op database cannot reach: result types and their
printing, grad_fn names, gradients at ties and zeros, double backward, out=, in-place scans,
warnings, and property-based comparisons over random shapes, dims and dtypes.

Every scenario is written once against a library parameter and run with torch and ember.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import same_scenario


def same(scenario) -> None:
    same_scenario(scenario, quiet=True)


def T(lib, data, dtype="float64", grad=False):
    return lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=grad)


TIES = [[1.0, 3.0, 3.0, -1.0], [5.0, 5.0, 0.0, 5.0], [2.0, 2.0, 2.0, 2.0]]


# ---------------------------------------------------------------------------------- return types
def test_return_type_repr_matches_torch():
    def s(lib):
        x = T(lib, [[1.0, 3.0, 3.0], [5.0, 5.0, 0.0]], "float32")
        out = []
        for r in (x.max(1), x.min(1, keepdim=True), x.sort(), x.topk(2), x.median(1),
                  lib.aminmax(x), x.max(0), lib.sort(x, out=(lib.empty(0), lib.empty(
                      0, dtype=lib.int64)))):
            out += [repr(r), str(r), f"{r}", repr((r,)), type(r).__name__, len(r)]
        return out

    same(s)


def test_return_type_behaves_like_torch_structseq():
    x = ember.tensor([[1.0, 3.0, 3.0], [5.0, 5.0, 0.0]])
    r = x.max(1)
    values, indices = r
    assert values is r.values is r[0] and indices is r.indices is r[1] and r[-1] is indices
    assert type(r).__module__ == "ember.return_types" and isinstance(r, tuple)
    assert type(r) is ember.return_types.max
    assert type(r[:]) is tuple and len(r) == 2 and r.n_fields == 2
    with pytest.raises(AttributeError, match="readonly attribute"):
        r.values = values
    assert type(pickle.loads(pickle.dumps(r))) is ember.return_types.max
    assert type(copy.deepcopy(r)) is ember.return_types.max
    with pytest.raises(TypeError, match=r"ember.return_types.max\(\) takes a 2-sequence"):
        ember.return_types.max((1,))
    r2 = ember.return_types.aminmax((1, 2))
    assert (r2.min, r2.max) == (1, 2)
    assert repr(r2) == "ember.return_types.aminmax(\nmin=1,\nmax=2)"


# ---------------------------------------------------------------------------------- grad_fn names
GRAD_FN_CASES = [
    lambda lib, x: x.sum(), lambda lib, x: x.sum(1), lambda lib, x: x.sum(None),
    lambda lib, x: x.sum(()), lambda lib, x: x.sum(dtype=lib.float64),
    lambda lib, x: x.mean(), lambda lib, x: x.mean(None), lambda lib, x: x.mean((0, 1)),
    lambda lib, x: x.prod(), lambda lib, x: x.prod(1), lambda lib, x: x.nansum(),
    lambda lib, x: x.nansum(1), lambda lib, x: x.nanmean(1),
    lambda lib, x: x.std(), lambda lib, x: x.var(1), lambda lib, x: lib.std_mean(x, 1)[0],
    lambda lib, x: lib.var_mean(x)[1],
    lambda lib, x: x.norm(), lambda lib, x: x.norm(1, dim=1), lambda lib, x: x.norm("fro"),
    lambda lib, x: x.norm(float("inf")), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.cumsum(1), lambda lib, x: x.cumprod(0),
    lambda lib, x: x.amax(1), lambda lib, x: x.amin(), lambda lib, x: x.max(),
    lambda lib, x: x.min(), lambda lib, x: x.max(1)[0], lambda lib, x: x.min(0).values,
    lambda lib, x: x.max(x * 2), lambda lib, x: x.min(x * 2),
    lambda lib, x: x.median(), lambda lib, x: x.median(1)[0],
    lambda lib, x: x.topk(2)[0], lambda lib, x: x.sort()[0], lambda lib, x: lib.aminmax(x)[0],
    lambda lib, x: lib.aminmax(x, dim=1).max, lambda lib, x: x.unique(),
    lambda lib, x: x.unique(dim=1),
]


@pytest.mark.parametrize("case", range(len(GRAD_FN_CASES)))
def test_grad_fn_names(case):
    def s(lib):
        x = T(lib, [[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], "float32", grad=True)
        return GRAD_FN_CASES[case](lib, x).grad_fn.name()

    same(s)


def test_non_float_outputs_have_no_grad_fn():
    def s(lib):
        x = T(lib, [[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], grad=True)
        outs = [x.max(1).indices, x.sort().indices, x.topk(1).indices, x.argmax(),
                x.argsort(), x.all(), x.any(1), x.count_nonzero(), x.median(0).indices,
                x.unique(return_counts=True)[1]]
        return [(o.requires_grad, o.grad_fn is None) for o in outs]

    same(s)


# ---------------------------------------------------------------------------------- ties
TIE_CASES = [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(),
    lambda lib, x: x.amax(1), lambda lib, x: x.amin(0), lambda lib, x: x.amax((0, 1), True),
    lambda lib, x: x.median(), lambda lib, x: x.max(1).values, lambda lib, x: x.min(1)[0],
    lambda lib, x: x.median(1).values, lambda lib, x: x.median(0).values,
    lambda lib, x: x.topk(2).values, lambda lib, x: x.topk(3, 0, largest=False).values,
    lambda lib, x: x.sort(1).values, lambda lib, x: x.sort(0, descending=True).values,
    lambda lib, x: lib.aminmax(x).min + lib.aminmax(x).max * 2,
    lambda lib, x: lib.aminmax(x, dim=1).max, lambda lib, x: x.norm(float("inf"), 1),
    lambda lib, x: x.norm(float("-inf")),
]


@pytest.mark.parametrize("case", range(len(TIE_CASES)))
def test_gradients_at_ties(case):
    def s(lib):
        x = T(lib, TIES, grad=True)
        y = TIE_CASES[case](lib, x)
        w = T(lib, np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)).tolist())
        (y * w).sum().backward()
        return y, x.grad

    same(s)


def test_selection_indices_at_ties():
    def s(lib):
        x = T(lib, TIES + [[0.0, float("nan"), 1.0, float("nan")]])
        return [x.max(1), x.min(1), x.median(1), x.sort(1), x.sort(1, True),
                x.sort(dim=1, stable=True), x.topk(2), x.topk(3, largest=False),
                x.topk(3, sorted=False), x.argmax(1), x.argmin(1), x.argsort(1, True)]

    same(s)


@given(st.integers(0, 2**32 - 1), st.sampled_from([5, 17, 40, 130, 300]),
       st.sampled_from(["float32", "int64", "bfloat16"]), st.booleans())
def test_sort_and_topk_tie_order_random(seed, n, dtype, descending):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 4, (3, n)).astype(np.float64)
    if dtype != "int64" and rng.random() < 0.5:
        data[rng.random(data.shape) < 0.2] = np.nan
    k = int(rng.integers(0, n + 1))

    def s(lib):
        x = T(lib, data.tolist(), dtype)
        return [x.sort(1, descending), x.argsort(1, descending),
                x.sort(dim=-1, descending=descending, stable=True), x.topk(k, largest=descending),
                x.topk(k, largest=not descending, sorted=False), x.median(1), x.max(1)]

    same(s)


def test_sort_large_1d_integers_and_expanded():
    def s(lib):
        x = lib.tensor((np.arange(40000) * 7919 % 13).tolist())  # radix sort: stable
        e = T(lib, [[1.0], [2.0]]).expand(2, 20)  # stride 0: torch keeps 0..n-1
        return [x.sort().indices[:50], x.sort(descending=True).indices[:50], e.sort()]

    same(s)


# ---------------------------------------------------------------------------------- zeros
ZERO_CASES = [
    ([[2.0, 0.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [0.0, 5.0, 0.0, 2.0]], 1),
    ([[2.0, 0.0, 3.0], [0.0, 2.0, 0.0]], 0),
    ([[0.0, 1.5, 2.0, 0.0, 3.0, -1.0]], 1),
]


@pytest.mark.parametrize("data,dim", ZERO_CASES)
@pytest.mark.parametrize("op", ["prod", "prod_all", "cumprod"])
def test_gradients_with_zeros_first_and_second_order(data, dim, op):
    def s(lib):
        x = T(lib, data, grad=True)
        if op == "prod":
            y = x.prod(dim)
        elif op == "prod_all":
            y = x.prod()
        else:
            y = x.cumprod(dim)
        w = T(lib, np.linspace(-1, 2, y.numel()).reshape(tuple(y.shape)).tolist())
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        (g1,) = lib.autograd.grad((x.cumprod(dim) * w).sum() if op == "cumprod" else y.sum(),
                                  x)  # first order only: the O(n) path
        return y, g, gg, g1

    same(s)


# ---------------------------------------------------------------------------------- double backward
DOUBLE_CASES = [
    lambda lib, x: x.std(1), lambda lib, x: x.var(), lambda lib, x: lib.var_mean(x, 0)[0],
    lambda lib, x: lib.std_mean(x)[1] * lib.std_mean(x)[0], lambda lib, x: x.norm(),
    lambda lib, x: x.norm(3, 1), lambda lib, x: x.norm(1.5), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.max(1).values * x.min(1).values, lambda lib, x: x.sort(1).values.exp(),
    lambda lib, x: x.topk(2).values.pow(2), lambda lib, x: x.cumsum(1).pow(2),
    lambda lib, x: x.cumprod(1), lambda lib, x: x.prod(1), lambda lib, x: x.mean(0).pow(3),
    lambda lib, x: x.amax(1).pow(2), lambda lib, x: x.median(1).values.pow(2),
    lambda lib, x: x.nansum(1).pow(2),
]


@pytest.mark.parametrize("case", range(len(DOUBLE_CASES)))
def test_double_backward(case):
    def s(lib):
        x = T(lib, [[1.0, -2.0, 4.5, 0.5], [0.25, 1.5, -3.0, 2.0], [2.5, 0.75, 1.25, -0.5]],
              grad=True)
        y = DOUBLE_CASES[case](lib, x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g.detach().sin()).sum(), x, allow_unused=True)
        return y, g, gg

    same(s)


# ---------------------------------------------------------------------------------- edge gradients
def test_var_std_gradient_edge_cases():
    def s(lib):
        out = []
        for f in (lambda x: x.var(()), lambda x: x.std([]), lambda x: x.var(1, correction=3),
                  lambda x: x.var(1, correction=5), lambda x: x.var(correction=6),
                  lambda x: x.std(0), lambda x: x.std(1, correction=3)):
            x = T(lib, [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]], grad=True)
            f(x).sum().backward()
            out.append(x.grad)
        return out

    same(s)


def test_norm_gradients():
    def s(lib):
        out = []
        for p in (0, 0.5, 1, 1.5, 2, 3, -1, float("inf"), "fro"):
            x = T(lib, [[1.0, 0.0, 2.0], [0.0, -4.0, 3.0]], grad=True)
            y = x.norm(p, dim=1, keepdim=p == 3)
            y.sum().backward()
            out.append((y, x.grad))
        z = T(lib, [[0.0, 0.0]], grad=True)
        z.norm().backward()
        out.append(z.grad)
        return out

    same(s)


def test_norm_strings_other_than_fro_go_to_matrix_norm():
    def s(lib):
        x = T(lib, [[1.0, -2.0, 4.0], [0.0, 1.0, 5.0]], grad=True)
        y = x.norm("nuc")
        y.backward()
        return y, x.grad, x.norm("fro", dim=(0, 1)), y.grad_fn.name()

    same(s)
    for p, dim, shape in (("nuc", None, (3,)), ("nuc", 1, (2, 3)), ("abc", None, (2, 3)),
                          ("fro", (0, 1, 2), (1, 2, 3))):
        same(lambda lib, p=p, dim=dim, shape=shape: lib.ones(shape).norm(p, dim))


def test_unique_is_not_differentiable():
    def s(lib):
        x = T(lib, [[3.0, 1.0, 3.0]], grad=True)
        return x.unique().sum().backward()

    same(s)

    def s2(lib):
        x = T(lib, [[3.0, 1.0, 3.0]], grad=True)
        return x.unique(dim=1).sum().backward()

    same(s2)


def test_integer_dtype_on_input_requiring_grad():
    for f in (lambda lib, x: x.sum(dtype=lib.int64), lambda lib, x: x.sum(1, dtype=lib.bool),
              lambda lib, x: x.prod(dtype=lib.int32), lambda lib, x: x.cumsum(0, dtype=lib.int64),
              lambda lib, x: x.nansum(dtype=lib.int16)):
        same(lambda lib, f=f: f(lib, T(lib, [[1.0, 2.0]], grad=True)))
        # without grad mode there is no graph, hence no error
        same(lambda lib, f=f: _no_grad(lib, f))


def _no_grad(lib, f):
    with lib.no_grad():
        return f(lib, T(lib, [[1.0, 2.0]], grad=True))


# ---------------------------------------------------------------------------------- max/min forms
def test_max_min_call_forms():
    def s(lib):
        x = T(lib, [[1.0, 3.0, 2.0], [4.0, 0.0, 4.0]], "float32")
        y = T(lib, [2.0, 2.0, 2.0], "float32")
        out = []
        for m in ("max", "min"):
            out += [getattr(x, m)(), getattr(x, m)(1), getattr(x, m)(1, True),
                    getattr(x, m)(dim=0, keepdim=True), getattr(x, m)(y),
                    getattr(x, m)(other=y), getattr(lib, m)(x), getattr(lib, m)(x, 0),
                    getattr(lib, m)(x, y), getattr(lib, m)(x, -1, keepdim=True)]
        return out

    same(s)


# ---------------------------------------------------------------------------------- out=
OUT_CASES = [
    lambda lib, x: lib.sum(x, 1, out=lib.empty(2, dtype=lib.int64)),
    lambda lib, x: lib.sum(x, 1, dtype=lib.float64, out=lib.empty(2)),
    lambda lib, x: lib.prod(x, 1, out=lib.empty(0, dtype=lib.int64)),
    lambda lib, x: lib.mean(x, 1, out=lib.empty(2, dtype=lib.float64)),
    lambda lib, x: lib.mean(x, 1, out=lib.empty(2, dtype=lib.int64)),
    lambda lib, x: lib.var(x, 1, out=lib.empty(2, dtype=lib.float64)),
    lambda lib, x: lib.amax(x, 1, out=lib.empty(2, dtype=lib.float64)),
    lambda lib, x: lib.amax(x, 1, out=lib.empty(2)),
    lambda lib, x: lib.argmax(x, 1, out=lib.empty(2, dtype=lib.int32)),
    lambda lib, x: lib.argmax(x, 1, out=lib.empty(2, dtype=lib.int64)),
    lambda lib, x: lib.logsumexp(x, 1, out=lib.empty(2, dtype=lib.float16)),
    lambda lib, x: lib.cumsum(x, 1, out=lib.empty(0, dtype=lib.int64)),
    lambda lib, x: lib.cumprod(x, 1, dtype=lib.float64, out=lib.empty(0)),
    lambda lib, x: lib.norm(x, dim=1, out=lib.empty(2, dtype=lib.float64)),
    lambda lib, x: lib.norm(x, dim=1, out=lib.empty(2)),
    lambda lib, x: lib.all(x, 1, out=lib.empty(2, dtype=lib.uint8)),
    lambda lib, x: lib.any(x, 1, out=lib.empty(2)),
    lambda lib, x: lib.max(x, 1, out=(lib.empty(2), lib.empty(2, dtype=lib.int64))),
    lambda lib, x: lib.max(x, 1, out=(lib.empty(2, dtype=lib.float64),
                                      lib.empty(2, dtype=lib.int64))),
    lambda lib, x: lib.min(x, out=lib.empty(0)),
    lambda lib, x: lib.sort(x, 1, out=[lib.empty(0), lib.empty(0, dtype=lib.int64)]),
    lambda lib, x: lib.topk(x, 1, out=(lib.empty(0), lib.empty(0, dtype=lib.int64))),
    lambda lib, x: lib.median(x, 1, out=(lib.empty(0), lib.empty(0, dtype=lib.int64))),
    lambda lib, x: lib.aminmax(x, out=(lib.empty(0), lib.empty(0))),
    lambda lib, x: lib.sum(x.requires_grad_(), 1, out=lib.empty(2)),
]


@pytest.mark.parametrize("case", range(len(OUT_CASES)))
def test_out_argument(case):
    def s(lib):
        x = T(lib, [[1.5, 1.5, -2.0], [0.5, 3.0, 2.0]], "float32")
        r = OUT_CASES[case](lib, x)
        return [r, type(r).__name__]

    same(s)


# ---------------------------------------------------------------------------------- in-place scans
INPLACE_CASES = [
    lambda lib: T(lib, [[1, -2, 4], [0, 1, 5]], "int32").cumsum_(1),
    lambda lib: T(lib, [[1, -2, 4], [0, 1, 5]], "int8").cumprod_(0),
    lambda lib: T(lib, [[1.5, -2.0, 4.0]], "float16").cumsum_(-1),
    lambda lib: T(lib, [[1.5, -2.0, 4.0]], "float32").cumsum_(1, dtype=lib.float32),
    lambda lib: T(lib, [[1.5, -2.0, 4.0]], "float32").cumsum_(1, dtype=lib.float64),
    lambda lib: T(lib, [[1, 2]], "int64").cumprod_(1, dtype=lib.float32),
    lambda lib: T(lib, [[True, False]], "bool").cumsum_(1),
    lambda lib: T(lib, [[1.0, 2.0]], grad=True).cumsum_(1),
]


@pytest.mark.parametrize("case", range(len(INPLACE_CASES)))
def test_inplace_scans(case):
    same(lambda lib: INPLACE_CASES[case](lib))


def test_inplace_scan_autograd():
    def s(lib):
        a = T(lib, [[1.0, 2.0, 0.5], [3.0, -1.0, 2.0]], grad=True)
        b = a * 1
        c = b.cumprod_(1)
        c.sum().backward()
        return c is b, b.grad_fn.name(), a.grad, b._version

    same(s)


# ---------------------------------------------------------------------------------- warnings
def test_degrees_of_freedom_warning():
    for f in (lambda lib: T(lib, [[1.0, 2.0, 4.0]]).std(1, correction=3),
              lambda lib: lib.ones(1).var(),
              lambda lib: lib.var_mean(T(lib, [1.0, 2.0]), correction=2)):
        msgs = []
        for lib in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                f(lib)
            msgs.append([str(x.message).split(" (Triggered")[0] for x in w
                         if issubclass(x.category, UserWarning)])
        assert msgs[0] == msgs[1] and len(msgs[0]) == 1, msgs
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        T(ember, [[1.0, 2.0, 4.0]]).var(1, correction=3)
    assert w[0].filename == __file__  # points at the caller, as torch's does


# ---------------------------------------------------------------------------------- numerics
def test_accumulation_dtypes():
    def s(lib):
        h = T(lib, [60000.0, 60000.0, -60000.0], "float16")
        b = T(lib, [1e38, 1e38, -1e38], "bfloat16")
        i8 = T(lib, [100, 100, 100], "int8")
        f = T(lib, (np.arange(1000) * 0.1).tolist(), "float32")
        return [h.sum(), b.sum(), i8.sum(), i8.prod(), i8.cumsum(0), h.mean(), f.cumsum(0),
                f.cumprod(0)[:40], i8.cumsum(0, dtype=lib.int8), h.norm(), h.cumsum(0),
                lib.ones(3, dtype=lib.bool).sum(), lib.ones(3, dtype=lib.bool).prod()]

    same(s)


# ---------------------------------------------------------------------------------- property based
DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16"]


@st.composite
def _reduction_case(draw):
    ndim = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=ndim, max_size=ndim)))
    dtype = draw(st.sampled_from(DTYPES))
    if ndim:
        dims = draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda d: d % ndim,
                             max_size=ndim))
    else:
        dims = draw(st.lists(st.sampled_from([0, -1]), max_size=1))
    form = draw(st.sampled_from(["none", "int", "tuple"]))
    keepdim = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return shape, dtype, dims, form, keepdim, seed


def _data(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return (rng.random(shape) < 0.5).tolist()
    if dtype in ("int32", "int64", "uint8"):
        return rng.integers(0, 5, shape).tolist()
    return np.round(rng.uniform(-2, 2, shape), 2).tolist()


def _dim_arg(dims, form):
    if form == "none" or not dims:
        return None
    return dims[0] if form == "int" else tuple(dims)


@given(_reduction_case(), st.sampled_from(["sum", "mean", "prod", "amax", "argmax", "cumsum",
                                           "nansum", "logsumexp", "std", "count_nonzero"]))
def test_reductions_property(case, name):
    shape, dtype, dims, form, keepdim, seed = case
    data = _data(shape, dtype, seed)
    dim = _dim_arg(dims, form)
    floating = dtype.startswith("float")

    def s(lib):
        x = lib.tensor(data, dtype=getattr(lib, dtype))
        if floating:
            x.requires_grad_()
        if name in ("sum", "mean", "nansum", "amax", "std"):
            y = getattr(x, name)() if dim is None and name != "amax" else getattr(x, name)(
                dim if dim is not None else (), keepdim=keepdim)
        elif name == "prod":
            y = x.prod() if not isinstance(dim, int) else x.prod(dim, keepdim)
        elif name == "argmax":
            y = x.argmax(dim if isinstance(dim, int) else None, keepdim)
        elif name == "cumsum":
            y = x.cumsum(dim if isinstance(dim, int) else 0)
        elif name == "logsumexp":
            y = x.logsumexp(dim if dim is not None else list(range(x.dim())), keepdim)
        else:
            y = x.count_nonzero(dim)
        out = [y]
        if floating and y.requires_grad and y.is_floating_point():
            w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)).tolist(),
                           dtype=y.dtype)
            (y * w).sum().backward()
            out.append(x.grad)
        return out

    same(s)
