"""nn primitives (family nn_core): embedding, embedding_bag, the bilinear form.

Index tensors are op parameters (arrays), not prim inputs, so a node's ``next_functions`` list
only the differentiable inputs, as torch's EmbeddingBackward0 / EmbeddingBagBackward0 do.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from . import registry as _reg
from .registry import apply, prim, public

_INT64 = np.dtype(np.int64)
_INT32 = np.dtype(np.int32)
_HALF = frozenset((np.dtype(np.float16), D.bfloat16._np))
_F32 = np.dtype(np.float32)


def _legacy(a: np.ndarray) -> str:
    return D._FROM_NP[a.dtype]._legacy


def _check_indices(idx: np.ndarray, fname: str, argno: int = 1, arg: str = "indices") -> None:
    if idx.dtype != _INT64 and idx.dtype != _INT32:
        raise RuntimeError(
            f"Expected tensor for argument #{argno} '{arg}' to have one of the following scalar "
            f"types: Long, Int; but got ember.{_legacy(idx)}Tensor instead (while checking "
            f"arguments for {fname})"
        )


def _check_range(idx: np.ndarray, n: int) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")


# ---------------------------------------------------------------------------------- embedding
@prim("embedding")
def _embedding(weight, *, indices, padding_idx, scale_grad_by_freq):
    return weight[indices]


@prim("embedding_dense_backward")
def _embedding_dense_backward(grad, *, indices, num_weights, padding_idx, scale_grad_by_freq):
    d = grad.shape[-1]
    idx = indices.reshape(-1)
    g = grad.reshape(-1, d)
    # Accumulated in the gradient's own dtype, in index order, as torch's CPU kernel does
    # (half types included: the same roundings).
    out = np.zeros((num_weights, d), dtype=g.dtype)
    scale = _row_scale(idx, padding_idx, scale_grad_by_freq, num_weights)
    if scale is not None:
        g = g * scale[:, None].astype(g.dtype)
    np.add.at(out, idx, g)
    return out


def _row_scale(idx: np.ndarray, padding_idx: int, by_freq: bool, n: int):
    """Per-index factor of the weight gradient: 0 at padding_idx, 1/count with by_freq."""
    if not by_freq and padding_idx < 0:
        return None
    scale = np.ones(idx.shape, dtype=np.float64)
    if by_freq:
        scale /= np.bincount(idx, minlength=n)[idx]
    if padding_idx >= 0:
        scale[idx == padding_idx] = 0
    return scale


def _embedding_grad(grad, indices, weight_shape, padding_idx, scale_grad_by_freq):
    return apply(_embedding_dense_backward, (grad,), (grad._data,), {
        "indices": indices, "num_weights": weight_shape[0], "padding_idx": padding_idx,
        "scale_grad_by_freq": scale_grad_by_freq,
    })


def _embedding_double_grad(gg, indices, padding_idx):
    # torch's embedding_dense_double_backward: a lookup with padding rows zeroed (the
    # scale_grad_by_freq factor is not applied here, as in torch).
    out = _embed(gg, indices, -1, False)
    if padding_idx >= 0:
        keep = (indices != padding_idx)[..., None].astype(gg._data.dtype)
        out = out * _wrap(keep)
    return out


_embedding.defvjp(weight=_embedding_grad)
_embedding_dense_backward.defvjp(grad=_embedding_double_grad)


def _embed(weight: Tensor, idx: np.ndarray, padding_idx: int, by_freq: bool) -> Tensor:
    return apply(_embedding, (weight,), (weight._data,), {
        "indices": idx, "padding_idx": padding_idx, "scale_grad_by_freq": by_freq,
    })


@public(method=False)
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by ``indices`` (``EmbeddingBackward0``)."""
    w, idx = weight._data, indices._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices(idx, "embedding")
    _check_range(idx, w.shape[0])
    return _embed(weight, idx, padding_idx, scale_grad_by_freq)


@public(method=False)
def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float,
                      norm_type: float) -> Tensor:
    """Rescale in place the rows of ``input`` named in ``indices`` whose norm exceeds max_norm."""
    w, idx = input._data, indices._data
    _check_indices(idx, "embedding_renorm_", 2)
    _check_range(idx, w.shape[0])
    rows = np.unique(idx.reshape(-1))
    sel = w[rows].astype(np.float64) if w.dtype in _HALF else w[rows]
    a = np.abs(sel)
    if norm_type == 0:
        norms = np.count_nonzero(a, axis=1).astype(sel.dtype)
    elif norm_type == np.inf:
        norms = a.max(axis=1, initial=0)
    elif norm_type == 1:
        norms = a.sum(axis=1)
    elif norm_type == 2:
        norms = np.sqrt((a * a).sum(axis=1))
    else:
        norms = (a ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(sel.dtype)
        w[rows[big]] = (sel[big] * scale[:, None]).astype(w.dtype)
        input._vc[0] += 1
    return input


# ---------------------------------------------------------------------------------- embedding_bag
_MODE_SUM, _MODE_MEAN, _MODE_MAX = 0, 1, 2


def _bags(idx: np.ndarray, offsets: np.ndarray, include_last: bool):
    """(bag id of every index, number of bags); indices past the last offset (with
    include_last_offset) get the id ``nbags``: they belong to no bag."""
    n = idx.shape[0]
    starts = offsets[:-1] if include_last else offsets
    nb = starts.shape[0]
    bag = np.searchsorted(starts, np.arange(n), side="right") - 1
    if include_last and nb:
        bag[offsets[-1]:] = nb
    return bag, nb


@prim("_embedding_bag", backward="EmbeddingBagBackward0", nout=4)
def _embedding_bag(weight, per_sample_weights, *, indices, bag, nbags, mode, padding_idx,
                   scale_grad_by_freq):
    d = weight.shape[1]
    keep = _kept(indices, bag, nbags, padding_idx)
    bag_size = np.bincount(bag if keep is None else bag[keep], minlength=nbags)
    bag = np.minimum(bag, max(nbags - 1, 0))  # rows outside every bag are masked by ``keep``
    wide = weight.dtype in _HALF
    acc = _F32 if wide else weight.dtype
    if mode == _MODE_MAX:
        rows = weight[indices].astype(acc, copy=False)
        out = np.full((nbags, d), -np.inf, dtype=acc)
        sel = np.ones(indices.shape, dtype=bool) if keep is None else keep
        np.maximum.at(out, bag[sel], rows[sel])
        empty = bag_size == 0
        out[empty] = 0
        # The row that gave each maximum (the first one, as torch's ``>`` scan keeps it).
        hit = (rows == out[bag]) & sel[:, None]
        pos = np.where(hit, np.arange(len(indices))[:, None], len(indices))
        first = np.full((nbags, d), len(indices), dtype=np.int64)
        np.minimum.at(first, bag, pos)
        # -1 where a bag is empty (no row gets its gradient)
        max_idx = np.append(indices, -1)[first]
        result = out.astype(weight.dtype) if wide else out
        return result, bag, bag_size.astype(np.int64), max_idx.astype(np.int64)
    rows = weight[indices].astype(acc, copy=False)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.astype(acc)[:, None]
    if keep is not None:
        rows = rows * keep[:, None]
    out = np.zeros((nbags, d), dtype=acc)
    np.add.at(out, bag, rows)
    if wide:
        out = out.astype(weight.dtype)  # half types: the sum is rounded before the mean's divide
    if mode == _MODE_MEAN:
        out = out / np.maximum(bag_size, 1).astype(out.dtype)[:, None]
    result = out
    return (result, bag, bag_size.astype(np.int64),
            np.zeros(nbags if mode == _MODE_MEAN else 0, dtype=np.int64))


def _kept(indices, bag, nbags, padding_idx):
    """Mask of the indices that count (not padding, inside a bag); None when all do."""
    keep = indices != padding_idx if padding_idx >= 0 else None
    if bag.size and bag[-1] >= nbags:
        inside = bag < nbags
        keep = inside if keep is None else keep & inside
    return keep


def _bag_scale(indices, bag, nbags, mode, padding_idx, per_sample_weights):
    """Each index's factor in its bag's output (None where it is 1 everywhere)."""
    scale = None
    if per_sample_weights is not None:
        scale = per_sample_weights
    keep = _kept(indices, bag, nbags, padding_idx)
    clipped = np.minimum(bag, max(nbags - 1, 0))
    if mode == _MODE_MEAN:
        size = np.bincount(bag if keep is None else bag[keep], minlength=nbags)
        inv = (1.0 / np.maximum(size, 1))[clipped]
        if keep is not None:
            inv = inv * keep
        inv = _wrap(inv)
        scale = inv if scale is None else scale * inv
    elif keep is not None and bag.size and bag[-1] >= nbags:
        mask = _wrap(keep.astype(np.float64))
        scale = mask if scale is None else scale * mask
    return scale


def _bag_freq_scale(indices: np.ndarray) -> np.ndarray:
    # torch's CPU embedding_bag divides the k-th distinct index's gradient (sorted order) by the
    # count of sorted_indices[k], not by its own count; reproduced for identical gradients.
    uniq, inverse, counts = np.unique(indices, return_inverse=True, return_counts=True)
    srt = np.sort(indices)[: len(uniq)]
    divisor = counts[np.searchsorted(uniq, srt)].astype(np.float64)
    return 1.0 / divisor[inverse.reshape(-1)]


@_embedding_bag.vjp
def _embedding_bag_vjp(grads, weight, per_sample_weights, result, indices, bag, nbags, mode,
                       padding_idx, scale_grad_by_freq, needs_input_grad):
    g = grads[0]
    wd = weight._data
    gw = gp = None
    if mode == _MODE_MAX:
        max_idx = result[3]._data
        d = wd.shape[1]
        valid = max_idx >= 0
        if needs_input_grad[0]:
            cols = np.broadcast_to(np.arange(d), max_idx.shape)
            gw = g.new_zeros(wd.shape).index_put_(
                (_wrap(max_idx[valid]), _wrap(cols[valid])), g[_wrap(valid)], accumulate=True)
        return gw, None
    clipped = _wrap(np.minimum(bag, max(nbags - 1, 0)))
    if needs_input_grad[0]:
        per_index = g.index_select(0, clipped)
        scale = _bag_scale(indices, bag, nbags, mode, padding_idx, per_sample_weights)
        if scale_grad_by_freq:
            freq = _wrap(_bag_freq_scale(indices))
            scale = freq if scale is None else scale * freq
        if scale is not None:
            per_index = per_index * scale.to(g.dtype).unsqueeze(1)
        gw = _embedding_grad(per_index, indices, wd.shape, padding_idx, False)
    if needs_input_grad[1]:
        rows = _embed(weight.detach() if not STATE.enabled else weight, indices, -1, False)
        gp = (g.index_select(0, clipped) * rows).sum(1)
        keep = _kept(indices, bag, nbags, padding_idx)
        if keep is not None:
            gp = gp * _wrap(keep.astype(gp._data.dtype))
    return gw, gp


@public(method=False)
def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor,
                  scale_grad_by_freq: bool = False, mode: int = 0, sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> tuple:
    """Sums, means or maxima of bags of embedding rows; returns (output, offset2bag, bag_size,
    max_indices) as torch.embedding_bag (the last three are bookkeeping)."""
    w, idx, off = weight._data, indices._data, offsets._data
    _check_indices(idx, "embedding_bag", 2)
    _check_indices(off, "embedding_bag", 3, "offsets")
    if idx.ndim != 1:
        raise RuntimeError(f"input has to be a 1D or 2D Tensor, but got Tensor of dimension "
                           f"{idx.ndim}")
    if off.ndim != 1:
        raise RuntimeError("offsets has to be a 1D Tensor")
    if off.size and off[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(off[0])}\n[ ember.{_legacy(off)}Tensor{{}} ]"
        )
    if off.size and off[-1] > idx.shape[0]:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length ({idx.shape[0]}), but got "
            f"offsets[-1] of {int(off[-1])}"
        )
    n = w.shape[0]
    bad = np.flatnonzero((idx < 0) | (idx >= n))
    if bad.size:
        i = int(bad[0])
        raise RuntimeError(
            f"Index {i} of input takes value {int(idx[i])} which is not in the valid range "
            f"[0, {n})"
        )
    pad = -1 if padding_idx is None else (padding_idx + n if padding_idx < 0 else padding_idx)
    bag, nbags = _bags(idx.astype(np.int64), off.astype(np.int64), include_last_offset)
    psw = None if per_sample_weights is None else per_sample_weights._data
    params = {"indices": idx.astype(np.int64, copy=False), "bag": bag, "nbags": nbags,
              "mode": mode, "padding_idx": pad, "scale_grad_by_freq": scale_grad_by_freq}
    return apply(_embedding_bag, (weight, per_sample_weights), (w, psw), params)


# ---------------------------------------------------------------------------------- bilinear
@prim("_trilinear", backward="TrilinearBackward0")
def _trilinear(input1, weight, input2):
    # out[b, o] = sum_ij input1[b, i] * weight[o, i, j] * input2[b, j]
    f = input1.dtype
    if f in _HALF:
        # torch contracts input1 with weight first, rounding that product to the half type,
        # then with input2 (each contraction accumulates in float32).
        t = np.matmul(input1.astype(_F32), weight.astype(_F32)).astype(f).astype(_F32)
        return np.einsum("obj,bj->bo", t, input2.astype(_F32)).astype(f)
    t = np.matmul(input1, weight)  # (O, B, J)
    return np.einsum("obj,bj->bo", t, input2)


def _einsum(eq: str, *ops):
    from .linalg import einsum

    return einsum(eq, *ops)


_trilinear.defvjp(
    input1=lambda grad, weight, input2: _einsum("bo,oij,bj->bi", grad, weight, input2),
    weight=lambda grad, input1, input2: _einsum("bo,bi,bj->oij", grad, input1, input2),
    input2=lambda grad, input1, weight: _einsum("bo,bi,oij->bj", grad, input1, weight),
)


@public(method=False)
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x1^T A x2 + b`` over the last dims (torch's _trilinear, then a view and the bias)."""
    a, b, w = input1._data, input2._data, weight._data
    if a.ndim != b.ndim:
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {a.ndim} and {b.ndim}"
        )
    for i in range(a.ndim - 1):
        if a.shape[i] != b.shape[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match at dim {i}: got "
                f"{a.shape[i]} and {b.shape[i]}"
            )
    if a.shape[-1] != w.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {a.shape[-1]} but "
            f"expected {w.shape[1]}"
        )
    if b.shape[-1] != w.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {b.shape[-1]} but "
            f"expected {w.shape[2]}"
        )
    if bias is not None and bias._data.shape[0] != w.shape[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias._data.shape[0]} but "
            f"expected {w.shape[0]}"
        )
    x1 = input1.reshape(-1, a.shape[-1])
    x2 = input2.reshape(-1, b.shape[-1])
    wide = None
    if _reg._autocast is not None:
        # torch's _trilinear contracts with bmm, which autocast runs in the lower precision;
        # its float32 operands then promote the result back to float32.
        wide = weight.dtype
        x1, weight, x2 = _reg.autocast_args("bmm", x1, weight, x2)
    out = apply(_trilinear, (x1, weight, x2), (x1._data, weight._data, x2._data))
    if wide is not None and out.dtype != wide:
        out = out.to(wide)
    out = out.reshape(a.shape[:-1] + (w.shape[0],))
    if bias is not None:
        out = out + bias
    return out
