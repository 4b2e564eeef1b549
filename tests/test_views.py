"""Shape, view and joining ops beyond what the op database expresses, always against torch:
memory sharing, ``_base``, ``_version``, strides, storage offsets, contiguity, ``grad_fn``
names, in-place shape ops, multi-output views, method-only forms (gradients and errors),
gradients of list-input ops (cat, stack...), printing, and random shapes with hypothesis.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

from .helpers import (
    assert_same,
    assert_same_error,
    grad_fn_chain,
    run_both,
    to_ember,
    to_torch,
    torch_text,
)

LIBS = (ember, torch)


# ---------------------------------------------------------------------------------- helpers
def arange(shape, dtype=np.float64) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    return np.asarray(np.arange(n, dtype=np.float64).reshape(shape) / 4 - 1, dtype=dtype)


def noncontig(shape, dtype=np.float64) -> np.ndarray:
    """A transposed (dense, non-contiguous) array of ``shape``."""
    return arange(tuple(reversed(shape)), dtype).T


def pair(a: np.ndarray, requires_grad: bool = False):
    return to_ember(a, requires_grad), to_torch(a, requires_grad)


def both(fn):
    """Run ``fn(lib)`` for ember and torch; exceptions are returned, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_both(lambda: fn(ember), lambda: fn(torch))


def check_error(fn, match: str = "exact"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(lambda: fn(ember), lambda: fn(torch), match)


names = grad_fn_chain


def flat(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def meta(t, x) -> tuple:
    """Everything about a result that should match torch (strides only when non-empty)."""
    return (
        tuple(t.shape),
        str(t.dtype).split(".")[-1],
        t.stride() if t.numel() else None,
        t.storage_offset() if t.numel() else None,
        t.is_contiguous(),
        t._version,
        t._base is not None,
        t is x,
        t._base is x or (x._base is not None and t._base is x._base),
        t.requires_grad,
    )


def assert_view_semantics(fn, a: np.ndarray, write: bool = True):
    """``fn(lib, x)`` on the same input in both libraries: results, metadata, grad_fn names,
    and (when ``write``) what an in-place write through each result does to the input."""
    # 1. values and metadata, no autograd
    xe, xt = pair(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = run_both(lambda: fn(ember, xe), lambda: fn(torch, xt))
    if isinstance(t, Exception):
        assert isinstance(e, Exception), f"torch raised {t!r}, ember returned"
        assert type(e).__name__ == type(t).__name__
        assert str(e) == torch_text(str(t))
        return
    assert not isinstance(e, Exception), f"ember raised {e!r}"
    assert_same(e, t)
    es, ts = flat(e), flat(t)
    for i, (oe, ot) in enumerate(zip(es, ts)):
        assert meta(oe, xe) == meta(ot, xt), f"output {i}"
    # 2. writing through every result
    if write and a.dtype.kind == "f":
        for i, (oe, ot) in enumerate(zip(es, ts)):
            if oe is xe:
                continue
            re, rt = both(lambda lib, o=None, i=i: (oe if lib is ember else ot).add_(1))
            if isinstance(rt, Exception):
                assert isinstance(re, Exception) and type(re).__name__ == type(rt).__name__
                continue
            assert not isinstance(re, Exception), f"output {i}: ember raised {re!r}"
            assert_same(xe, xt, path=f"input after writing through output {i}")
            assert (xe._version, oe._version) == (xt._version, ot._version), f"output {i}"
            for j, (pe, pt) in enumerate(zip(es, ts)):
                assert_same(pe, pt, path=f"output {j} after writing through output {i}")
    # 3. autograd: requires_grad, grad_fn chain names
    if a.dtype.kind == "f":
        xe, xt = pair(a, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e, t = fn(ember, xe), fn(torch, xt)
        for i, (oe, ot) in enumerate(zip(flat(e), flat(t))):
            assert names(oe) == names(ot), f"output {i}"
            assert meta(oe, xe) == meta(ot, xt), f"output {i} (requires grad)"


# ---------------------------------------------------------------------------------- views
VIEW_CASES = {
    "view": ((3, 4), lambda L, x: x.view(2, 6)),
    "view_tuple": ((3, 4), lambda L, x: x.view((4, 3))),
    "view_size_kw": ((3, 4), lambda L, x: x.view(size=(12,))),
    "view_nc": ("nc", (3, 4), lambda L, x: x.view(4, 1, 3)),
    "view_nc_bad": ("nc", (3, 4), lambda L, x: x.view(12)),
    "view_0d": ((), lambda L, x: x.view(1, 1)),
    "view_empty": ((0, 3), lambda L, x: x.view(3, 0)),
    "view_dtype_same_size": ((3, 4), lambda L, x: x.view(L.int64)),
    "view_dtype_smaller": ((3, 4), lambda L, x: x.view(L.uint8)),
    "view_dtype_larger": ((3, 4), lambda L, x: x.float().view(L.float64)),
    "view_dtype_kw": ((3, 4), lambda L, x: x.view(dtype=L.int64)),
    "view_dtype_sliced": ((3, 6), lambda L, x: x.float()[:, 2:4].view(L.float64)),
    "reshape_view": ((3, 4), lambda L, x: x.reshape(6, 2)),
    "reshape_copy": ("nc", (3, 4), lambda L, x: x.reshape(12)),
    "reshape_same": ((3, 4), lambda L, x: x.reshape(3, 4)),
    "reshape_fn": ((3, 4), lambda L, x: L.reshape(x, (2, -1))),
    "reshape_kw": ((3, 4), lambda L, x: x.reshape(shape=(4, 3))),
    "view_as": ((3, 4), lambda L, x: x.view_as(L.zeros(2, 6))),
    "reshape_as_copy": ("nc", (3, 4), lambda L, x: x.reshape_as(L.zeros(12))),
    "flatten": ((2, 3, 4), lambda L, x: x.flatten(1)),
    "flatten_same": ((2, 3, 4), lambda L, x: x.flatten(1, 1)),
    "flatten_nc": ("nc", (2, 3, 4), lambda L, x: x.flatten()),
    "flatten_0d": ((), lambda L, x: x.flatten()),
    "unflatten": ((3, 4), lambda L, x: x.unflatten(1, (2, 2))),
    "ravel": ((3, 4), lambda L, x: x.ravel()),
    "ravel_nc": ("nc", (3, 4), lambda L, x: x.ravel()),
    "expand": ((3, 1), lambda L, x: x.expand(2, 3, 4)),
    "expand_same": ((3, 4), lambda L, x: x.expand(3, 4)),
    "expand_as": ((3, 1), lambda L, x: x.expand_as(L.zeros(3, 5))),
    "broadcast_to": ((3, 1), lambda L, x: x.broadcast_to(2, 3, 2)),
    "broadcast_to_fn": ((3, 1), lambda L, x: L.broadcast_to(x, (3, 2))),
    "squeeze": ((3, 1, 4, 1), lambda L, x: x.squeeze()),
    "squeeze_dim": ((3, 1, 4), lambda L, x: x.squeeze(1)),
    "squeeze_dim_noop": ((3, 1, 4), lambda L, x: x.squeeze(0)),
    "squeeze_dims": ((3, 1, 4, 1), lambda L, x: x.squeeze((1, -1))),
    "unsqueeze": ((3, 4), lambda L, x: x.unsqueeze(1)),
    "unsqueeze_nc": ("nc", (3, 4), lambda L, x: x.unsqueeze(-1)),
    "transpose": ((2, 3, 4), lambda L, x: x.transpose(0, 2)),
    "transpose_same": ((2, 3, 4), lambda L, x: x.transpose(1, 1)),
    "swapaxes": ((2, 3, 4), lambda L, x: x.swapaxes(0, 1)),
    "swapdims": ((2, 3, 4), lambda L, x: L.swapdims(x, -1, 0)),
    "t": ((3, 4), lambda L, x: x.t()),
    "t_1d": ((3,), lambda L, x: x.t()),
    "permute": ((2, 3, 4), lambda L, x: x.permute(2, 0, 1)),
    "permute_fn": ((2, 3, 4), lambda L, x: L.permute(x, (1, 2, 0))),
    "permute_kw": ((2, 3, 4), lambda L, x: x.permute(dims=[1, 2, 0])),
    "movedim": ((2, 3, 4), lambda L, x: x.movedim(0, -1)),
    "movedim_0d": ((), lambda L, x: x.movedim(0, 0)),
    "moveaxis": ((2, 3, 4), lambda L, x: L.moveaxis(x, (0, 1), (2, 0))),
    "T": ((3, 4), lambda L, x: x.T),
    "T_3d": ((2, 3, 4), lambda L, x: x.T),
    "T_0d": ((), lambda L, x: x.T),
    "mT": ((2, 3, 4), lambda L, x: x.mT),
    "H": ((3, 4), lambda L, x: x.H),
    "H_0d": ((), lambda L, x: x.H),
    "mH": ((2, 3, 4), lambda L, x: x.mH),
    "narrow": ((3, 4), lambda L, x: x.narrow(1, 1, 2)),
    "narrow_nc": ("nc", (3, 4), lambda L, x: x.narrow(0, 1, 2)),
    "select": ((3, 4), lambda L, x: x.select(1, -1)),
    "diagonal": ((3, 4), lambda L, x: x.diagonal(1)),
    "diagonal_3d": ((2, 3, 4), lambda L, x: x.diagonal(-1, 2, 1)),
    "diagonal_empty": ((3, 4), lambda L, x: x.diagonal(9)),
    "as_strided": ((3, 4), lambda L, x: x.as_strided((2, 2), (1, 2), 1)),
    "as_strided_of_view": ((3, 4), lambda L, x: x[1].as_strided((2,), (2,))),
    "as_strided_overlap": ((3, 4), lambda L, x: x.as_strided((3, 3), (1, 1))),
    "split": ((5, 3), lambda L, x: x.split(2)),
    "split_dim": ((3, 5), lambda L, x: x.split(2, 1)),
    "split_sizes": ((5, 3), lambda L, x: x.split([1, 0, 4])),
    "split_one": ((5, 3), lambda L, x: L.split(x, 5)),
    "split_with_sizes": ((5, 3), lambda L, x: x.split_with_sizes([2, 3])),
    "chunk": ((5, 3), lambda L, x: x.chunk(3)),
    "chunk_empty": ((0, 3), lambda L, x: x.chunk(2)),
    "unbind": ((3, 4), lambda L, x: x.unbind(1)),
    "unbind_nc": ("nc", (3, 4), lambda L, x: x.unbind()),
    "iter": ((3, 4), lambda L, x: tuple(x)),
    "tensor_split": ((5, 3), lambda L, x: x.tensor_split([1, 4])),
    "tensor_split_sections": ((5, 3), lambda L, x: x.tensor_split(3)),
    "hsplit": ((3, 4), lambda L, x: x.hsplit(2)),
    "vsplit": ((4, 3), lambda L, x: L.vsplit(x, [1])),
    "dsplit": ((2, 3, 4), lambda L, x: x.dsplit(2)),
    "broadcast_tensors": ((3, 1), lambda L, x: L.broadcast_tensors(x, L.zeros(2, 1, 4))),
    "broadcast_tensors_same": ((3, 4), lambda L, x: L.broadcast_tensors(x, L.zeros(3, 4))),
    "meshgrid": ((3,), lambda L, x: L.meshgrid(x, x[:2], indexing="xy")),
    "atleast_1d": ((), lambda L, x: L.atleast_1d(x)),
    "atleast_1d_same": ((3,), lambda L, x: L.atleast_1d(x)),
    "atleast_2d": ((3,), lambda L, x: L.atleast_2d(x)),
    "atleast_3d": ((3,), lambda L, x: L.atleast_3d(x)),
    "atleast_3d_2d": ((2, 3), lambda L, x: L.atleast_3d([x, x[0]])),
    "detach": ((3, 4), lambda L, x: x.detach()),
    "alias_index": ((3, 4), lambda L, x: x[...]),
}

COPY_CASES = {
    "clone": ("nc", (3, 4), lambda L, x: x.clone()),
    "clone_sliced": ((3, 8), lambda L, x: x[:, ::2].clone()),
    "clone_expanded": ((3, 1), lambda L, x: x.expand(3, 4).clone()),
    "clone_contiguous_format": ("nc", (3, 4), lambda L, x: x.clone(
        memory_format=torch.contiguous_format if L is torch else "ember.contiguous_format")),
    "contiguous": ("nc", (3, 4), lambda L, x: x.contiguous()),
    "contiguous_same": ((3, 4), lambda L, x: x.contiguous()),
    "to_same": ((3, 4), lambda L, x: x.to(L.float64)),
    "to_copy": ((3, 4), lambda L, x: x.to(L.float64, copy=True)),
    "to_float_nc": ("nc", (3, 4), lambda L, x: x.float()),
    "double_same": ((3, 4), lambda L, x: x.double()),
    "type_same": ((3, 4), lambda L, x: x.type(L.float64)),
    "type_as": ((3, 4), lambda L, x: x.type_as(L.zeros(1, dtype=L.float32))),
    "cpu": ((3, 4), lambda L, x: x.cpu()),
    "flip": ("nc", (3, 4), lambda L, x: x.flip(0)),
    "flip_all": ((3, 4), lambda L, x: x.flip(0, 1)),
    "flip_none": ("nc", (3, 4), lambda L, x: x.flip(())),
    "fliplr": ((3, 4), lambda L, x: x.fliplr()),
    "roll": ("nc", (3, 4), lambda L, x: x.roll(1, 0)),
    "roll_flat": ("nc", (3, 4), lambda L, x: x.roll(2)),
    "rot90": ((3, 4), lambda L, x: x.rot90()),
    "rot90_nc": ("nc", (3, 4), lambda L, x: x.rot90(1)),
    "rot90_2": ("nc", (3, 4), lambda L, x: x.rot90(2)),
    "rot90_0": ("nc", (3, 4), lambda L, x: x.rot90(0)),
    "rot90_3d": ((2, 3, 4), lambda L, x: x.rot90(3, (0, 2))),
    "repeat": ("nc", (3, 4), lambda L, x: x.repeat(1, 1)),
    "tile": ((3, 4), lambda L, x: x.tile(2)),
    "repeat_interleave": ((3, 4), lambda L, x: x.repeat_interleave(2)),
    "repeat_interleave_dim": ((3, 4), lambda L, x: x.repeat_interleave(2, dim=1)),
    "repeat_interleave_tensor": ((3, 4), lambda L, x: x.repeat_interleave(
        L.tensor([1, 0, 2]), dim=0)),
    "tril": ("nc", (3, 4), lambda L, x: x.tril()),
    "triu": ((3, 4), lambda L, x: x.triu(1)),
    "diag_2d": ((3, 4), lambda L, x: x.diag(1)),
    "diag_1d": ((3,), lambda L, x: x.diag(-1)),
    "diag_embed": ((2, 3), lambda L, x: x.diag_embed()),
    "cat": ("nc", (3, 4), lambda L, x: L.cat([x, x])),
    "cat_one": ((3, 4), lambda L, x: L.cat([x])),
    "stack": ("nc", (3, 4), lambda L, x: L.stack([x, x], 1)),
    "hstack": ((3,), lambda L, x: L.hstack([x, x])),
    "vstack": ((3,), lambda L, x: L.vstack([x, x])),
    "dstack": ((3,), lambda L, x: L.dstack([x, x])),
    "column_stack": ((3,), lambda L, x: L.column_stack([x, x])),
}


def _case_input(spec):
    if spec[0] == "nc":
        return noncontig(spec[1]), spec[2]
    return arange(spec[0]), spec[1]


@pytest.mark.parametrize("name", list(VIEW_CASES) + list(COPY_CASES))
def test_view_and_copy_semantics_match_torch(name):
    a, fn = _case_input(VIEW_CASES.get(name) or COPY_CASES[name])
    # (torch adds through overlapping memory element by element; ember computes, then writes)
    assert_view_semantics(fn, a, write=name != "as_strided_overlap")


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float16])
def test_views_of_other_dtypes(dtype):
    a = arange((3, 4)).astype(dtype)
    for fn in (lambda L, x: x.t(), lambda L, x: x.split(2), lambda L, x: x.view(2, 6),
               lambda L, x: x.expand(2, 3, 4), lambda L, x: x.unbind(1),
               lambda L, x: x.diagonal(), lambda L, x: L.cat([x, x]).flip(0)):
        assert_view_semantics(fn, a)


def test_view_dtype_is_not_differentiable_but_shares_version():
    for lib in LIBS:
        x = lib.ones(2, 4)
        x.requires_grad_()
        v = x.view(lib.int32)
        assert not v.requires_grad and v.grad_fn is None and v._base is None
        y = lib.ones(2, 4)
        w = y.view(lib.uint8)
        w.add_(1)
        assert y._version == w._version == 1


# ---------------------------------------------------------------------------------- in-place views
INPLACE_VIEW_CASES = {
    "t_": ((3, 4), lambda x: x.t_()),
    "t_1d": ((3,), lambda x: x.t_()),
    "squeeze_": ((3, 1, 4, 1), lambda x: x.squeeze_()),
    "squeeze_dim": ((3, 1, 4), lambda x: x.squeeze_(1)),
    "squeeze_dims": ((3, 1, 4, 1), lambda x: x.squeeze_((1, 3))),
    "unsqueeze_": ((3, 4), lambda x: x.unsqueeze_(-1)),
    "transpose_": ((2, 3, 4), lambda x: x.transpose_(0, 2)),
    "swapaxes_": ((2, 3, 4), lambda x: x.swapaxes_(0, 1)),
    "swapdims_": ((2, 3, 4), lambda x: x.swapdims_(2, 1)),
    "as_strided_": ((3, 4), lambda x: x.as_strided_((2, 3), (1, 2), 1)),
    "as_strided_fn": ((3, 4), lambda x: (torch if isinstance(x, torch.Tensor) else ember)
                      .as_strided_(x, (2, 2), (4, 1))),
    "chain": ((3, 1), lambda x: x.squeeze_(1).unsqueeze_(0).transpose_(0, 1)),
}


def _inplace_meta(t):
    return (tuple(t.shape), t.stride(), t.storage_offset(), t._version, t.is_contiguous(),
            t.requires_grad, t.grad_fn.name() if t.grad_fn is not None else None,
            t._base is not None)


@pytest.mark.parametrize("name", list(INPLACE_VIEW_CASES))
def test_inplace_shape_ops_match_torch(name):
    shape, fn = INPLACE_VIEW_CASES[name]
    a = arange(shape)
    # plain tensors: metadata changes in place, version bumps, views made before keep theirs
    xe, xt = pair(a)
    ve, vt = xe.view(-1), xt.view(-1)
    re, rt = fn(xe), fn(xt)
    assert re is xe and rt is xt
    assert _inplace_meta(xe) == _inplace_meta(xt)
    assert_same(xe, xt)
    assert (ve._version, tuple(ve.shape)) == (vt._version, tuple(vt.shape))
    # a detached alias changes alone
    xe, xt = pair(a)
    de, dt = xe.detach(), xt.detach()
    fn(de), fn(dt)
    assert tuple(xe.shape) == tuple(xt.shape) and xe._version == xt._version > 0
    # leaves that require grad refuse; non-leaves get torch's ...Backward1 node
    check_error(lambda lib: fn((to_ember if lib is ember else to_torch)(a, True)))
    grads = []
    for conv in (to_ember, to_torch):
        x = conv(a, True)
        y = x * 1
        fn(y)
        grads.append((x, y))
    (xe, ye), (xt, yt) = grads
    assert _inplace_meta(ye) == _inplace_meta(yt)
    assert names(ye) == names(yt)
    w = arange(tuple(ye.shape))
    (ye * to_ember(w)).sum().backward()
    (yt * to_torch(w)).sum().backward()
    assert_same(xe.grad, xt.grad)


def test_inplace_shape_op_on_view_then_inplace_write():
    out = []
    for conv in (to_ember, to_torch):
        x = conv(arange((4, 3)), True)
        y = x * 1
        v = y[1]
        v.unsqueeze_(0)
        meta = _inplace_meta(v), v._base is y, y._version
        v.mul_(2)
        (y * conv(arange((4, 3)))).sum().backward()
        out.append((meta, names(v), names(y), x.grad))
    (me, ne, nye, ge), (mt, nt, nyt, gt) = out
    assert me == mt and ne == nt and nye == nyt
    assert_same(ge, gt)


def test_inplace_shape_op_errors():
    check_error(lambda lib: lib.zeros(2, 3, 4).t_())
    check_error(lambda lib: lib.zeros(2, 3).squeeze_(2))
    check_error(lambda lib: lib.zeros(2, 3).unsqueeze_(3))
    check_error(lambda lib: lib.zeros(2, 3).transpose_(0, 2))
    check_error(lambda lib: lib.zeros(2, 3).as_strided_((4, 4), (1, 1)))
    check_error(lambda lib: lib.zeros(3, requires_grad=True)[1:].t_())


def test_inplace_shape_op_under_no_grad_keeps_history():
    for lib in LIBS:
        y = lib.ones(3, 4, requires_grad=True) * 1
        with lib.no_grad():
            y.t_()
        assert y.grad_fn.name() == "MulBackward0" and tuple(y.shape) == (4, 3)
        assert y._version == 1


# ---------------------------------------------------------------------------------- multi-output
def test_split_outputs_share_base_and_version():
    for lib in LIBS:
        x = lib.zeros(5, 3)
        parts = x.split(2)
        parts[1].add_(1)
        assert [p._version for p in parts] == [1, 1, 1] and x._version == 1
        assert all(p._base is x for p in parts)
        assert x[2:4].sum().item() == 6
        v = x[1:]
        a, b = v.unbind(1)[:2]
        assert a._base is x and b._base is x


@pytest.mark.parametrize("op", ["split", "chunk", "split_sizes", "unbind", "empty_chunk"])
def test_inplace_shape_op_on_multi_output_view_errors(op):
    def fn(lib):
        y = lib.ones(4, 3, requires_grad=True) * 1
        part = {"split": lambda: y.split(2)[1], "chunk": lambda: y.chunk(2)[0],
                "split_sizes": lambda: y.split([1, 3])[1], "unbind": lambda: y.unbind()[2],
                "empty_chunk": lambda: y[:0].chunk(2)[1]}[op]()
        return part.t_()

    check_error(fn)


def test_elementwise_inplace_on_multi_output_view_errors():
    check_error(lambda lib: (lib.ones(4, 3, requires_grad=True) * 1).split(2)[0].mul_(2))


def test_multi_output_views_inplace_without_grad_and_backward():
    out = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        x = conv(arange((5, 3)), True)
        with lib.no_grad():
            y = x * 1
        a, b, c = y.split(2)
        b.mul_(3)  # y does not require grad: allowed in both
        z = x * 1
        p, q = z.unbind(1)[:2]
        loss = (p * 2).sum() + (q * q).sum() + (z.chunk(2)[1] * 5).sum()
        loss.backward()
        out.append((y, x.grad, [t._version for t in (a, b, c)]))
    assert_same(out[0][0], out[1][0])
    assert_same(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]


# ---------------------------------------------------------------------------------- gradients
def grads_match(fn, arrays, create_graph: bool = False):
    """``sum(fn(*xs) * w)`` backward in both libraries: the same gradients (and, with
    ``create_graph``, the same gradients of those gradients)."""
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        xs = [conv(a, a.dtype.kind == "f") for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = flat(fn(lib, *xs))
        loss = 0
        for i, o in enumerate(out):
            if o.requires_grad:
                w = conv(np.asarray(arange(tuple(o.shape)) + i)).to(o.dtype)
                loss = loss + (o * w).sum()
        diff = [x for x in xs if x.requires_grad]
        gs = lib.autograd.grad(loss, diff, create_graph=create_graph, allow_unused=True)
        second = None
        if create_graph:
            total = sum((g * g).sum() for g in gs if g is not None and g.requires_grad)
            if isinstance(total, lib.Tensor):
                second = lib.autograd.grad(total, diff, allow_unused=True)
        res.append((gs, second))
    (ge, se), (gt, st_) = res
    assert len(ge) == len(gt)
    for a, b in zip(ge, gt):
        if b is None:
            assert a is None or not np.any(a._data)
        else:
            assert_same(a, b)
    if create_graph:
        assert (se is None) == (st_ is None)
        if st_ is not None:
            for a, b in zip(se, st_):
                if b is None:
                    assert a is None or not np.any(a._data)
                else:
                    assert_same(a, b)


GRAD_CASES = {
    # method-only forms (the generic tests call the function form)
    "view": (lambda L, x: x.view(4, 3), [(3, 4)]),
    "view_as": (lambda L, x, o: x.view_as(o), [(3, 4), (12,)]),
    "reshape_method": (lambda L, x: x.reshape(2, 6), [(3, 4)]),
    "reshape_as_copy": (lambda L, x: x.t().reshape_as(L.zeros(12)), [(3, 4)]),
    "expand": (lambda L, x: x.expand(2, 3, 4), [(3, 1)]),
    "expand_as": (lambda L, x, o: x.expand_as(o), [(3, 1), (3, 4)]),
    "sum_to_size": (lambda L, x: x.sum_to_size(1, 4), [(3, 4)]),
    "sum_to_size_lead": (lambda L, x: x.sum_to_size(4), [(2, 3, 4)]),
    "repeat": (lambda L, x: x.repeat(2, 1, 3), [(3, 4)]),
    "repeat_0d": (lambda L, x: x.repeat(2, 3), [()]),
    "tile_method": (lambda L, x: x.tile(2, 2), [(3, 4)]),
    "permute_method": (lambda L, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "flip_method": (lambda L, x: x.flip(0, 1), [(3, 4)]),
    "contiguous": (lambda L, x: x.t().contiguous(), [(3, 4)]),
    "to": (lambda L, x: x.to(L.float32), [(3, 4)]),
    "to_copy": (lambda L, x: x.to(L.float64, copy=True), [(3, 4)]),
    "float": (lambda L, x: x.float() * 2, [(3, 4)]),
    "half": (lambda L, x: x.half(), [(3, 4)]),
    "type": (lambda L, x: x.type(L.float32), [(3, 4)]),
    "type_as": (lambda L, x, o: x.type_as(o), [(3, 4), (2,)]),
    "T": (lambda L, x: x.T, [(2, 3, 4)]),
    "mT": (lambda L, x: x.mT, [(2, 3, 4)]),
    "H": (lambda L, x: x.H, [(3, 4)]),
    # list inputs (the generic tests do not make list elements require grad)
    "cat": (lambda L, a, b: L.cat([a, b], 1), [(2, 3), (2, 4)]),
    "cat_promoted": (lambda L, a, b: L.cat([a, b.float()]), [(2, 3), (1, 3)]),
    "cat_skip_empty": (lambda L, a, b: L.cat([a, b, a], -1), [(0,), (2, 3)]),
    "cat_all_empty": (lambda L, a, b: L.cat([a, b]), [(0,), (0,)]),
    "cat_int": (lambda L, a, b: L.cat([a, b.long()]), [(2, 3), (2, 3)]),
    "concat": (lambda L, a, b: L.concat([a, b]), [(2, 3), (1, 3)]),
    "concatenate": (lambda L, a, b: L.concatenate([a, b], axis=1), [(2, 3), (2, 1)]),
    "stack": (lambda L, a, b: L.stack([a, b], -1), [(2, 3), (2, 3)]),
    "stack_0d": (lambda L, a, b: L.stack([a, b]), [(), ()]),
    "hstack": (lambda L, a, b: L.hstack([a, b]), [(2,), (3,)]),
    "vstack": (lambda L, a, b: L.vstack([a, b]), [(3,), (2, 3)]),
    "row_stack": (lambda L, a, b: L.row_stack([a, b]), [(3,), (3,)]),
    "dstack": (lambda L, a, b: L.dstack([a, b]), [(2, 3), (2, 3, 2)]),
    "column_stack": (lambda L, a, b: L.column_stack([a, b]), [(3,), (3, 2)]),
    "atleast_3d": (lambda L, a, b: L.atleast_3d(a, b), [(), (3,)]),
    "meshgrid": (lambda L, a, b: L.meshgrid(a, b, indexing="xy"), [(3,), (2,)]),
    "broadcast_tensors": (lambda L, a, b: L.broadcast_tensors(a, b), [(3, 1), (4,)]),
    # multi-output views, partly used
    "split_partial": (lambda L, x: x.split(2)[1:], [(5, 3)]),
    "chunk_one_used": (lambda L, x: x.chunk(3, 1)[0], [(2, 5)]),
    "unbind_partial": (lambda L, x: x.unbind(1)[::2], [(2, 3)]),
    "split_sizes": (lambda L, x: x.split([1, 0, 4]), [(5, 3)]),
    "chunk_empty": (lambda L, x: x.chunk(2), [(0, 3)]),
    "tensor_split": (lambda L, x: x.tensor_split([1, 4]), [(5, 3)]),
    "iter": (lambda L, x: tuple(x), [(3, 2)]),
    # the rest, with second-order checks below
    "as_strided_overlap": (lambda L, x: x.as_strided((3, 3), (1, 1)), [(3, 4)]),
    "as_strided_view": (lambda L, x: x[1:].as_strided((2, 2), (1, 4), 1), [(3, 4)]),
    "diagonal": (lambda L, x: x.diagonal(1, 0, 2), [(3, 2, 4)]),
    "diag_embed": (lambda L, x: x.diag_embed(-1, 0, 2), [(2, 3)]),
    "diag": (lambda L, x: x.diag(1), [(3, 4)]),
    "repeat_interleave": (lambda L, x: x.repeat_interleave(L.tensor([2, 0, 1]), dim=0),
                          [(3, 2)]),
    "repeat_interleave_int": (lambda L, x: x.repeat_interleave(3), [(2, 2)]),
    "rot90": (lambda L, x: x.rot90(-1, (1, 0)), [(3, 4)]),
    "roll": (lambda L, x: x.roll((1, -2), (0, 1)), [(3, 4)]),
    "roll_flat": (lambda L, x: x.roll(5), [(3, 4)]),
    "tril": (lambda L, x: x.tril(-1), [(3, 4)]),
    "triu_": (lambda L, x: (x * 1).triu_(1), [(3, 4)]),
    "select": (lambda L, x: x.select(1, 2), [(3, 4)]),
    "narrow": (lambda L, x: x.narrow(0, 1, 2), [(3, 4)]),
    "unflatten": (lambda L, x: x.unflatten(1, (2, 2)), [(3, 4)]),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_match_torch(name):
    fn, shapes = GRAD_CASES[name]
    grads_match(fn, [arange(s) for s in shapes])


SECOND_ORDER = ["cat", "stack", "split_partial", "unbind_partial", "chunk_one_used", "diag",
                "diagonal", "diag_embed", "as_strided_overlap", "repeat", "rot90", "roll", "tril",
                "select", "narrow", "expand", "repeat_interleave", "meshgrid", "T"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_double_backward_matches_torch(name):
    fn, shapes = GRAD_CASES[name]

    def squared(L, *xs):  # make the first gradient depend on the inputs
        return [o * o for o in flat(fn(L, *xs)) if o.requires_grad]

    grads_match(squared, [arange(s) for s in shapes], create_graph=True)


def test_gradcheck_joint_formulas():
    x = ember.from_numpy(arange((2, 3))).requires_grad_()
    y = ember.from_numpy(arange((1, 3))).requires_grad_()
    assert ember.autograd.gradcheck(lambda a, b: ember.cat([a, b, a]), (x, y))
    assert ember.autograd.gradcheck(lambda a, b: ember.stack([a, a * b], 1), (x, y))
    assert ember.autograd.gradgradcheck(lambda a: a.split([1, 2], 1)[1] ** 2, (x,))
    assert ember.autograd.gradgradcheck(lambda a: a.unbind(1)[2] ** 2, (x,))


# ---------------------------------------------------------------------------------- errors
ERROR_CASES = {
    "view_numel": lambda L: L.zeros(3, 4).view(5),
    "view_infer_twice": lambda L: L.zeros(3, 4).view(-1, -1),
    "view_bad_dim": lambda L: L.zeros(3, 4).view(-2, 6),
    "view_ambiguous": lambda L: L.zeros(0, 3).view(0, -1),
    "view_stride": lambda L: L.zeros(3, 4).t().view(12),
    "view_float": lambda L: L.zeros(3, 4).view(3.0, 4),
    "view_no_args": lambda L: L.zeros(3, 4).view(),
    "view_dtype_size": lambda L: L.zeros(3, 3).view(L.float64),
    "view_dtype_stride": lambda L: L.zeros(3, 4).t().view(L.uint8),
    "view_dtype_0d": lambda L: L.zeros(()).view(L.float64),
    "view_dtype_offset": lambda L: L.zeros(3, 4)[:, 1:3].view(L.float64),
    "view_dtype_row_stride": lambda L: L.zeros(3, 5)[:, :4].view(L.float64),
    "reshape_method_numel": lambda L: L.zeros(3, 4).reshape(5),
    "reshape_method_none": lambda L: L.zeros(3, 4).reshape(),
    "reshape_fn_int": lambda L: L.reshape(L.zeros(3, 4), 12),
    "reshape_as": lambda L: L.zeros(3, 4).reshape_as(L.zeros(5)),
    "view_as": lambda L: L.zeros(3, 4).view_as(L.zeros(5)),
    "expand_ndim": lambda L: L.zeros(3, 4).expand(3),
    "expand_ndim_int": lambda L: L.zeros(3, 4, dtype=L.int32).expand(3),
    "expand_size": lambda L: L.zeros(3, 4).expand(3, 5),
    "expand_rightmost_first": lambda L: L.zeros(3, 4).expand(-1, 5, 4),
    "expand_leading_minus_one": lambda L: L.zeros(3, 4).expand(2, -1, 3, 4),
    "expand_negative": lambda L: L.zeros(3, 4).expand(-2, 3, 4),
    "expand_none": lambda L: L.zeros(3, 4).expand(),
    "expand_as": lambda L: L.zeros(3, 4).expand_as(L.zeros(5)),
    "broadcast_to_method": lambda L: L.zeros(3, 4).broadcast_to(3),
    "broadcast_to_fn_int": lambda L: L.broadcast_to(L.zeros(1), 3),
    "sum_to_size": lambda L: L.zeros(3, 4).sum_to_size(2, 4),
    "sum_to_size_ndim": lambda L: L.zeros(3, 4).sum_to_size(1, 1, 4),
    "sum_to_size_none": lambda L: L.zeros(3, 4).sum_to_size(),
    "repeat_ndim": lambda L: L.zeros(3, 4).repeat(2),
    "repeat_negative": lambda L: L.zeros(3, 4).repeat(2, -1),
    "repeat_none": lambda L: L.zeros(3, 4).repeat(),
    "tile_fn_int": lambda L: L.tile(L.zeros(3), 2),
    "flip_fn_int": lambda L: L.flip(L.zeros(3), 0),
    "flip_method_dup": lambda L: L.zeros(3, 4).flip(0, -2),
    "permute_fn_varargs": lambda L: L.permute(L.zeros(3, 4), 1, 0),
    "permute_method_len": lambda L: L.zeros(3, 4).permute(1),
    "permute_method_dup": lambda L: L.zeros(3, 4).permute(1, 1),
    "permute_method_none": lambda L: L.zeros(3, 4).permute(),
    "mT_1d": lambda L: L.zeros(3).mT,
    "mH_1d": lambda L: L.zeros(3).mH,
    "H_1d": lambda L: L.zeros(3).H,
    "H_3d": lambda L: L.zeros(2, 3, 4).H,
    "t_3d": lambda L: L.zeros(2, 3, 4).t(),
    "to_bad_kwarg": lambda L: L.zeros(3).to(foo=1),
    "type_bad": lambda L: L.zeros(3).type("float"),
    "detach_view": lambda L: L.zeros(3)[1:].detach_(),
    "detach_view_requires_grad": lambda L: L.zeros(3, requires_grad=True)[1:].detach_(),
    "cat_out_cast": lambda L: L.cat([L.zeros(2), L.zeros(2)], out=L.zeros(4, dtype=L.int32)),
    "concat_out_cast": lambda L: L.concat([L.zeros(2)], out=L.zeros(2, dtype=L.int64)),
    "cat_out_grad": lambda L: L.cat([L.zeros(2, requires_grad=True)], out=L.zeros(2)),
    "meshgrid_empty": lambda L: L.meshgrid(indexing="ij"),
    "split_float": lambda L: L.zeros(5).split(2.0),
    "tensor_split_float": lambda L: L.zeros(5).tensor_split(2.0),
    "atleast_1d_int": lambda L: L.atleast_1d(3),
    "broadcast_tensors_list": lambda L: L.broadcast_tensors([L.zeros(2)]),
    "cuda": lambda L: L.zeros(2).cuda(),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_errors_match_torch(name):
    check_error(ERROR_CASES[name])


def test_unflatten_unexpected_error_keeps_torchs_first_lines():
    e, t = both(lambda lib: lib.zeros(3, 4).unflatten(1, (-1, -1)))
    assert type(e) is type(t) is RuntimeError
    assert str(t).startswith(str(e))


# ---------------------------------------------------------------------------------- odds and ends
def test_results_that_are_the_input_itself():
    for lib in LIBS:
        x = lib.ones(3, 4)
        assert x.to(lib.float32) is x and x.float() is x and x.type(lib.float32) is x
        assert x.type("torch.FloatTensor") is x and x.cpu() is x and x.contiguous() is x
        assert x.type_as(lib.zeros(1)) is x and x.flatten(1, 1) is x
        assert lib.atleast_1d(x) is x and lib.broadcast_tensors(x, x)[0] is x
        assert x.sum_to_size(3, 4) is x
        assert x.to(lib.float32, copy=True) is not x
        assert x.expand(3, 4) is not x and x.reshape(3, 4) is not x
        assert x.split(3)[0] is not x


def test_type_names_and_returned_containers():
    e, t = ember.zeros(2, dtype=ember.int16), torch.zeros(2, dtype=torch.int16)
    assert e.type() == torch_text(t.type()) == "ember.ShortTensor"
    for fn in (lambda L, x: x.split(1), lambda L, x: x.chunk(2), lambda L, x: x.unbind(),
               lambda L, x: x.tensor_split(2), lambda L, x: L.broadcast_tensors(x),
               lambda L, x: L.meshgrid(x, indexing="ij"), lambda L, x: L.atleast_1d(x, x),
               lambda L, x: L.atleast_2d([x]), lambda L, x: L.atleast_3d(),
               lambda L, x: x.hsplit(2), lambda L, x: L.split(x, [1, 1])):
        assert type(fn(ember, e)) is type(fn(torch, t)) is tuple


def test_warnings_match_torch():
    cases = [lambda L: L.zeros(3).T, lambda L: L.zeros(()).T, lambda L: L.zeros(()).H,
             lambda L: L.meshgrid(L.zeros(2), L.zeros(3))]
    for fn in cases:
        msgs = []
        for lib in LIBS:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                fn(lib)
            msgs.append([torch_text(str(m.message)).split(" (Triggered internally")[0]
                         for m in w if m.category is UserWarning])
        # torch warns once per process (TORCH_WARN_ONCE): compare when it still does.
        assert len(msgs[0]) == 1
        if msgs[1]:
            assert msgs[0] == msgs[1]


def test_printing_of_results_matches_torch():
    a = arange((3, 4))
    cases = [
        lambda L, x: x.split(2),
        lambda L, x: x.unbind(1)[0],
        lambda L, x: x.expand(2, 3, 4),
        lambda L, x: L.cat([x, x.t().reshape(3, 4)]),
        lambda L, x: L.stack([x, x])[1],
        lambda L, x: x.t().reshape(-1),
        lambda L, x: x.view(L.int64),
        lambda L, x: x.diagonal(),
        lambda L, x: x.T.flip(0),
        lambda L, x: x.repeat_interleave(2, 0)[:2],
        lambda L, x: x.float().roll(1).tril(),
        lambda L, x: x.diag_embed()[0],
        lambda L, x: x.as_strided((2, 2), (1, 2)),
        lambda L, x: x.squeeze(),
        lambda L, x: L.meshgrid(x[0], x[1], indexing="ij"),
    ]
    for rg in (False, True):
        xe, xt = pair(a, rg)
        for fn in cases:
            assert repr(fn(ember, xe)) == torch_text(repr(fn(torch, xt)))


# ---------------------------------------------------------------------------------- hypothesis
@st.composite
def shapes(draw, min_dims=1, max_dims=4, max_side=4):
    n = draw(st.integers(min_dims, max_dims))
    return tuple(draw(st.lists(st.integers(0, max_side), min_size=n, max_size=n)))


def _layout(draw, shape):
    """An array of ``shape``: contiguous, permuted, or sliced (both libraries copy it as is)."""
    kind = draw(st.sampled_from(["c", "perm", "slice"]))
    if kind == "perm" and len(shape) > 1:
        perm = draw(st.permutations(range(len(shape))))
        inv = np.argsort(perm)
        return arange(tuple(shape[i] for i in perm)).transpose(inv)
    return arange(shape)


def _sliced_pair(draw, a: np.ndarray):
    """(ember, torch) tensors holding ``a``, maybe as strided views of a larger tensor."""
    if a.ndim == 0 or not draw(st.booleans()):
        return pair(a)
    d = draw(st.integers(0, a.ndim - 1))
    big_shape = list(a.shape)
    big_shape[d] = 2 * a.shape[d] + 1
    big = np.zeros(big_shape, dtype=a.dtype)
    key = (slice(None),) * d + (slice(1, None, 2),)
    big[key] = a
    be, bt = pair(big)
    return be[key], bt[key]


def _same_layout(e, t):
    assert_same(e, t)
    if t.numel():
        assert (e.stride(), e.storage_offset(), e.is_contiguous()) == (
            t.stride(), t.storage_offset(), t.is_contiguous())
    assert (e._base is not None) == (t._base is not None)


@given(st.data())
def test_hypothesis_cat_stack(data):
    base = data.draw(shapes(1, 3))
    n = data.draw(st.integers(1, 3))
    dim = data.draw(st.integers(-len(base), len(base) - 1))
    arrays = []
    for _ in range(n):
        s = list(base)
        s[dim] = data.draw(st.integers(0, 3))
        if data.draw(st.integers(0, 5)) == 0:
            s = [0]  # the legacy skipped empty tensor
        arrays.append(_layout(data.draw, tuple(s)))
    for fn in (lambda L, xs: L.cat(xs, dim), lambda L, xs: L.stack(xs, dim)):
        e, t = run_both(lambda: fn(ember, [to_ember(a) for a in arrays]),
                        lambda: fn(torch, [to_torch(a) for a in arrays]))
        if isinstance(t, Exception):
            assert type(e) is type(t) and str(e) == torch_text(str(t))
            continue
        _same_layout(e, t)
    ok = [a for a in arrays if a.shape == arrays[0].shape]
    grads_match(lambda L, *xs: L.cat(list(xs), dim), ok)


@given(st.data())
def test_hypothesis_split_chunk(data):
    shape = data.draw(shapes(1, 3, 6))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    a = _layout(data.draw, shape)
    size = shape[dim]
    sections = data.draw(st.lists(st.integers(0, 3), max_size=4))
    if data.draw(st.booleans()) and size:
        sections = sections + [max(size - sum(sections), 0)]
    calls = [
        lambda L, x: x.split(data_split, dim),
        lambda L, x: x.split(sections, dim),
        lambda L, x: x.chunk(data_chunks, dim),
        lambda L, x: x.unbind(dim),
        lambda L, x: x.tensor_split(data_chunks, dim),
        lambda L, x: L.tensor_split(x, sorted(sections), dim),
    ]
    data_split = data.draw(st.integers(0, 4))
    data_chunks = data.draw(st.integers(1, 5))
    for fn in calls:
        xe, xt = _sliced_pair(data.draw, a)
        e, t = run_both(lambda: fn(ember, xe), lambda: fn(torch, xt))
        if isinstance(t, Exception):
            assert type(e) is type(t) and str(e) == torch_text(str(t)), (e, t)
            continue
        assert len(e) == len(t)
        for oe, ot in zip(e, t):
            _same_layout(oe, ot)
            base_e = xe if xe._base is None else xe._base
            base_t = xt if xt._base is None else xt._base
            assert oe._base is base_e and ot._base is base_t
        if len(t):
            grads_match(lambda L, x: fn(L, x)[::2], [a])


@given(st.data())
def test_hypothesis_permute_reshape_expand(data):
    shape = data.draw(shapes(0, 4))
    a = _layout(data.draw, shape)
    n = len(shape)
    perm = list(data.draw(st.permutations(range(n))))
    perm = [p - n if data.draw(st.booleans()) else p for p in perm]
    numel = int(np.prod(shape, dtype=np.int64))
    # a target shape with the same number of elements (maybe with one -1)
    factors = []
    rest = numel
    for _ in range(data.draw(st.integers(0, 3))):
        d = data.draw(st.sampled_from([f for f in (1, 2, 3, 4) if rest % f == 0] or [1]))
        factors.append(d)
        rest //= d if d else 1
    target = factors + [rest] if numel else factors + [0]
    if target and numel and data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    lead = data.draw(st.lists(st.integers(0, 2), max_size=2))
    sizes = lead + [data.draw(st.sampled_from([-1, s, 2])) if s == 1 else
                    data.draw(st.sampled_from([-1, s])) for s in shape]
    calls = [
        lambda L, x: x.permute(*perm),
        lambda L, x: x.reshape(target),
        lambda L, x: x.view(target),
        lambda L, x: x.flatten(),
        lambda L, x: x.expand(*sizes),
        lambda L, x: x.movedim(list(range(n))[:1], perm[:1]) if n else x.movedim((), ()),
    ]
    for fn in calls:
        xe, xt = _sliced_pair(data.draw, a)
        e, t = run_both(lambda: fn(ember, xe), lambda: fn(torch, xt))
        if isinstance(t, Exception):
            assert type(e) is type(t) and str(e) == torch_text(str(t)), (e, t)
            continue
        assert not isinstance(e, Exception), e
        _same_layout(e, t)
        try:  # (the gradient runs on ``a`` itself, whose layout may not allow a view)
            fn(torch, to_torch(a))
        except RuntimeError:
            continue
        grads_match(fn, [a])
