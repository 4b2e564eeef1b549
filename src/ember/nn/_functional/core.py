"""Functional forms of the core layers: linear, bilinear, embedding, embedding_bag, one_hot."""

from __future__ import annotations

import warnings

import numpy as np

from ember._ops import nn_core as _core
from ember._ops import registry as _reg
from ember._ops.linalg import addmm as _addmm
from ember._ops.linalg import addmm_op as _addmm_op
from ember._ops.linalg import matmul as _matmul
from ember._ops.linalg import pdist  # torch.nn.functional.pdist is torch.pdist
from ember._ops.registry import apply as _apply
from ember._ops.shape import _t
from ember._tensor import Tensor, _wrap

__all__ = ["linear", "bilinear", "embedding", "embedding_bag", "one_hot", "pdist"]

_INT64 = np.dtype(np.int64)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, decomposed as ATen's linear does (same autograd nodes):
    2-D input with bias: addmm; contiguous input with a 1-D bias: flatten, addmm, view; else
    matmul (+ in-place bias add)."""
    if _reg._autocast is not None:  # torch's autocast entry point is linear itself
        input, weight, bias = _reg.autocast_args("linear", input, weight, bias)
    x = input._data
    nd = x.ndim
    if bias is not None:
        if nd == 2:
            w = weight._data
            if w.ndim == 2:
                wt = _apply(_t, (weight,), (w,))
                b = bias._data
                # The common case, checks inline: addmm's own checks only to report errors.
                if (x.dtype == w.dtype == b.dtype and b.shape == (w.shape[0],)
                        and x.shape[1] == w.shape[1] and x.dtype.kind == "f"):
                    return _apply(_addmm_op(wt._data), (bias, input, wt), (b, x, wt._data))
                return _addmm(bias, input, wt)
            return _addmm(bias, input, weight.t())
        if nd == 0 or weight._data.ndim == 0:
            pass  # matmul's error
        elif x.flags.c_contiguous and (nd == 3 or bias._data.ndim == 1):
            lead = x.shape[:-1]
            n = 1
            for s in lead:
                n *= s
            out = _addmm(bias, input.reshape(n, x.shape[-1]), weight.t())
            return out.view(lead + (out._data.shape[1],))
    if nd == 0 or weight._data.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are "
            f"{nd}D and {weight._data.ndim}D"
        )
    out = _matmul(input, weight.t())
    if bias is not None:
        out.add_(bias)
    return out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    return _core.bilinear(input1, input2, weight, bias)


def _no_grad_embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float,
                               norm_type: float) -> None:
    _core.embedding_renorm_(weight, input, max_norm, norm_type)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    if padding_idx is not None:
        n = weight.size(0)
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        input = input.contiguous()
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    return _core.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    if weight.dtype._np == _INT64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{_type_str(offsets)}"
            )
        b, n = input._data.shape
        offsets = _wrap(np.arange(0, b * n, max(n, 1), dtype=input._data.dtype)[:b])
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode == "sum":
        mode_enum = 0
    elif mode == "mean":
        mode_enum = 1
    elif mode == "max":
        mode_enum = 2
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    else:
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        _no_grad_embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    return _core.embedding_bag(weight, input, offsets, scale_grad_by_freq, mode_enum, sparse,
                               per_sample_weights, include_last_offset, padding_idx)[0]


def _type_str(x) -> str:
    t = type(x)
    mod = "ember" if t is Tensor else t.__module__
    return f"<class '{mod}.{t.__qualname__}'>"


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot codes along a new last dim (not differentiable)."""
    a = tensor._data
    if a.dtype != _INT64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1 and a.size == 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(a.max()) + 1
        elif a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(a.shape + (num_classes,), dtype=_INT64)
    if a.size:
        np.put_along_axis(out, a[..., None], 1, axis=-1)
    return _wrap(out)
