"""Loss primitives: nll_loss/nll_loss2d, mse_loss, smooth_l1_loss, huber_loss,
binary_cross_entropy(_with_logits), soft_margin_loss, and the composite losses torch builds
from other ops (cross_entropy, l1_loss, kl_div, margin/hinge/cosine embedding, poisson_nll).

``reduction`` is torch's enum: 0 none, 1 mean, 2 sum. Pointwise losses compute the elementwise
loss in one NumPy pass and reduce it as ``mean``/``sum`` do; their gradients are a few ember
ops (so double backward works). float16/bfloat16 compute in float32 and round once.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import STATE
from . import registry as _reg
from ._util import FLOAT_NP
from .creation import zeros_like
from .indexing import where
from .nn_activation import _add_s, _div_s, _mul_s, _scalar, _sub_s, log_softmax
from .registry import apply, prim, public

_F32 = np.dtype(np.float32)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))
_FROM_NP = D._FROM_NP
_INT64 = np.dtype(np.int64)
_UINT8 = np.dtype(np.uint8)
_add_reduce = np.add.reduce
NONE, MEAN, SUM = 0, 1, 2


def _legacy(dt) -> str:
    return _FROM_NP[dt]._legacy


def no_grad_arg(fn_name: str, arg: str, t) -> None:
    """torch's error for an input its derivative formulas declare non-differentiable."""
    if t is not None and t._requires_grad and STATE.enabled:
        raise RuntimeError(f"The function '{fn_name}' is not differentiable with respect to "
                           f"argument '{arg}'. This input cannot have requires_grad True.")


def _size(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def get_enum(reduction: str) -> int:
    """torch's ``_Reduction.get_enum``."""
    if reduction == "none":
        return NONE
    if reduction == "mean":
        return MEAN
    if reduction == "elementwise_mean":
        import warnings

        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return MEAN
    if reduction == "sum":
        return SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """torch's ``_Reduction.legacy_get_string`` (the deprecated size_average/reduce pair)."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if size_average and reduce else ("sum" if reduce else "none")
    if emit_warning:
        import warnings

        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduce_np(loss: np.ndarray, reduction: int, dt) -> np.ndarray:
    if reduction == MEAN:
        loss = np.true_divide(_add_reduce(loss, None), loss.dtype.type(loss.size))
    elif reduction == SUM:
        loss = _add_reduce(loss, None)
    return np.asarray(loss).astype(dt, copy=False)


def _scale(grad: Tensor, reduction: int, n: int) -> Tensor:
    """The incoming gradient of a reduced loss, per element (mean divides by the count)."""
    return grad / n if reduction == MEAN else grad


def _f32(*arrays):
    if arrays[0].dtype in _HALF_NP:
        return tuple(a.astype(_F32) for a in arrays)
    return arrays


def _rsub_tensor(c, x: Tensor) -> Tensor:
    """``c - x`` as torch's C++ ``operator-(Scalar, Tensor)`` (a SubBackward0 node)."""
    from .creation import full_like

    return full_like(x, c) - x


# ---------------------------------------------------------------------------------- nll_loss
def _nll_check_bounds(t: np.ndarray, ignore_index: int, n_classes: int) -> np.ndarray:
    """The valid-target mask; torch's IndexError for the first out-of-range target."""
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    return valid


def _nll_parts(self, target, weight, ignore_index):
    """(picked log-probs, per-element weights) with class dim 1 (or 0 for a 1-D input)."""
    cdim = 1 if self.ndim > 1 else 0
    t = target.astype(_INT64, copy=False)
    valid = _nll_check_bounds(t, ignore_index, self.shape[cdim])
    ts = np.where(valid, t, 0)
    if self.ndim == 2:  # (N, C): plain fancy indexing, without take_along_axis' Python layers
        picked = self[np.arange(ts.shape[0]), ts]
    else:
        picked = np.take_along_axis(self, np.expand_dims(ts, cdim), cdim)
        picked = np.squeeze(picked, cdim)
    w = (np.ones((), self.dtype) if weight is None else weight)
    w = np.where(valid, np.take(w, ts) if weight is not None else w, self.dtype.type(0))
    return picked, w.astype(self.dtype, copy=False), ts, valid, cdim


def _nll_fwd(self, target, weight, reduction, ignore_index):
    dt = self.dtype
    (x,) = _f32(self)
    wv = weight.astype(x.dtype) if weight is not None else None
    picked, w, _, _, _ = _nll_parts(x, target, wv, ignore_index)
    loss = -(picked * w)
    if reduction == NONE:
        return np.asarray(loss).astype(dt, copy=False)
    total = _add_reduce(loss, None)
    if reduction == MEAN:
        total = np.true_divide(total, _add_reduce(w, None))
    return np.asarray(total).astype(dt, copy=False)


@prim("nll_loss")
def _nll_loss(self, *, target, weight, reduction, ignore_index):
    return _nll_fwd(self, target, weight, reduction, ignore_index)


@prim("nll_loss2d", backward="NllLoss2DBackward0")
def _nll_loss2d(self, *, target, weight, reduction, ignore_index):
    return _nll_fwd(self, target, weight, reduction, ignore_index)


def _nll_bwd(grad_output, self_shape, self_dtype, target, weight, reduction, ignore_index):
    dt = self_dtype._np
    wdt = _F32 if dt in _HALF_NP else dt
    zeros = np.zeros(self_shape, wdt)
    wv = weight.astype(wdt) if weight is not None else None
    _, w, ts, _, cdim = _nll_parts(zeros, target, wv, ignore_index)
    g = grad_output.astype(wdt) if grad_output.dtype != wdt else grad_output
    if reduction == MEAN:
        g = np.true_divide(g, _add_reduce(w, None))
    vals = -(w * g)
    if zeros.ndim == 2:
        zeros[np.arange(ts.shape[0]), ts] = vals
    else:
        np.put_along_axis(zeros, np.expand_dims(ts, cdim), np.expand_dims(vals, cdim), cdim)
    return zeros.astype(dt, copy=False)


# ``self`` is an input of torch's backward (its derivative is zero), so a gradient of the
# gradient requires grad as in torch.
@prim("nll_loss_backward")
def _nll_loss_backward(grad_output, self, *, self_shape, self_dtype, target, weight, reduction,
                       ignore_index):
    return _nll_bwd(grad_output, self_shape, self_dtype, target, weight, reduction, ignore_index)


@prim("nll_loss2d_backward")
def _nll_loss2d_backward(grad_output, self, *, self_shape, self_dtype, target, weight,
                         reduction, ignore_index):
    return _nll_bwd(grad_output, self_shape, self_dtype, target, weight, reduction, ignore_index)


def _nll_grad(fwd_op, bwd_op):
    def first(grad, self, target, weight, reduction, ignore_index):
        d = self._data
        params = {"self_shape": d.shape, "self_dtype": _FROM_NP[d.dtype], "target": target,
                  "weight": weight, "reduction": reduction, "ignore_index": ignore_index}
        return apply(bwd_op, (grad, self), (grad._data, d), params)

    def second(grad, self_shape, self_dtype, target, weight, reduction, ignore_index):
        # the backward is linear in grad_output: its gradient is the loss of ``grad``
        params = {"target": target, "weight": weight, "reduction": reduction,
                  "ignore_index": ignore_index}
        return apply(fwd_op, (grad,), (grad._data,), params)

    fwd_op.defvjp(self=first)
    bwd_op.defvjp(grad_output=second, self=lambda grad, self: zeros_like(self))


_nll_grad(_nll_loss, _nll_loss_backward)
_nll_grad(_nll_loss2d, _nll_loss2d_backward)


def _check_target_dtype(target: Tensor) -> None:
    dt = target._data.dtype
    if dt != _INT64 and dt != _UINT8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy(dt)}")


def _check_weight(input: Tensor, weight, n_classes: int, msg: str | None = None):
    if weight is None:
        return None
    w = weight._data
    if w.size != n_classes:
        raise RuntimeError(
            msg or f"weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {_size(w.shape)}")
    if w.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(input._data.dtype)} but found "
                           f"{_legacy(w.dtype)}")
    return w.reshape(-1)


def _nll_call(op, input: Tensor, target: Tensor, w, reduction: int, ignore_index: int):
    d = input._data
    if d.dtype not in FLOAT_NP:
        kernel = "nll_loss_out_frame" if op is _nll_loss else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(d.dtype)}\'')
    params = {"target": target._data, "weight": w, "reduction": reduction,
              "ignore_index": int(ignore_index)}
    return apply(op, (input,), (d,), params)


def nll_loss_nd(input: Tensor, target: Tensor, weight: Tensor | None = None,
                reduction: int = MEAN, ignore_index: int = -100) -> Tensor:
    """torch's ``nll_loss_nd``: 1-D/2-D inputs go to nll_loss, 4-D to nll_loss2d, other
    K-dim inputs are viewed as (N, C, 1, -1)."""
    d, t = input._data, target._data
    if d.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {d.ndim})")
    if d.ndim != 1 and d.shape[0] != (t.shape[0] if t.ndim else 0):
        raise ValueError(f"Expected input batch_size ({d.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if d.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if not (d.ndim == 1 and t.ndim == 0) and d.shape[0] != t.shape[0]:
            raise RuntimeError(f"size mismatch (got input: {_size(d.shape)}, target: "
                               f"{_size(t.shape)})")
        w = _check_weight(input, weight, d.shape[-1])
        _check_target_dtype(target)
        no_grad_arg("nll_loss_forward", "weight", weight)
        return _nll_call(_nll_loss, input, target, w, reduction, ignore_index)
    if d.ndim == 4:
        return _nll_loss2d_call(input, target, weight, reduction, ignore_index)
    n, c = d.shape[:2]
    out_size = (n,) + d.shape[2:]
    if t.shape[1:] != d.shape[2:]:
        raise RuntimeError(f"Expected target size {_size(out_size)}, got {_size(t.shape)}")
    x = input.reshape(n, c, 1, -1) if d.size else input.reshape(n, c, 0, 0)
    tt = target.reshape(n, 1, -1) if t.size else target.reshape(n, 0, 0)
    out = _nll_loss2d_call(x, tt, weight, reduction, ignore_index)
    return out.view(out_size) if reduction == NONE else out


def _nll_loss2d_call(input, target, weight, reduction, ignore_index):
    d, t = input._data, target._data
    if t.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {t.ndim}")
    if weight is not None and weight._data.size != d.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if (d.shape[0], d.shape[2], d.shape[3]) != t.shape:
        raise RuntimeError(f"size mismatch (got input: {_size(d.shape)} , target: "
                           f"{_size(t.shape)}")
    w = _check_weight(input, weight, d.shape[1])
    _check_target_dtype(target)
    no_grad_arg("nll_loss2d_forward", "weight", weight)
    return _nll_call(_nll_loss2d, input, target, w, reduction, ignore_index)


def cross_entropy_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                       reduction: int = MEAN, ignore_index: int = -100,
                       label_smoothing: float = 0.0) -> Tensor:
    """torch's ``cross_entropy_loss``: log_softmax over the class dim, then nll_loss_nd (class
    indices) or ``-sum(log_probs * target)`` (class probabilities)."""
    input, target, weight = _reg.autocast_args("cross_entropy_loss", input, target, weight)
    d, t = input._data, target._data
    cdim = 0 if d.ndim == 1 else 1
    if d.shape == t.shape:
        if t.dtype not in FLOAT_NP:
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_legacy(t.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _ce_prob(input, target, weight, reduction, label_smoothing, cdim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        return _ce_smooth(input, target, weight, reduction, ignore_index, label_smoothing, cdim)
    return nll_loss_nd(log_softmax(input, cdim), target, weight, reduction, ignore_index)


def _weight_view(weight: Tensor, ndim: int) -> Tensor:
    if ndim > 1:
        shape = [1] * ndim
        shape[1] = weight.shape[0]
        return weight.view(shape)
    return weight


def _ce_prob(input, target, weight, reduction, label_smoothing, cdim):
    n_classes = input._data.shape[cdim]
    if weight is not None and not (weight.dim() == 1 and weight.numel() == n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {_size(weight.shape)}")
    logp = log_softmax(input, cdim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(
                f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        target = _scalar(_add_s, _scalar(_mul_s, target, 1 - label_smoothing),
                         label_smoothing / n_classes)
    prod = logp * target
    if weight is not None:
        prod = prod * _weight_view(weight, logp.dim())
    if reduction == MEAN:
        if logp.numel() == 0:
            return (-prod.sum()).fill_(math.nan)
        return _scalar(_div_s, -prod.sum(), logp.numel() // n_classes)
    if reduction == SUM:
        return -prod.sum()
    return -prod.sum(cdim)


def _ce_smooth(input, target, weight, reduction, ignore_index, ls, cdim):
    n_classes = input._data.shape[cdim]
    logp = log_softmax(input, cdim)
    nll = nll_loss_nd(logp, target, weight, reduction, ignore_index)
    ignore = target == ignore_index
    if weight is not None:
        smooth = -(logp * _weight_view(weight, logp.dim())).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == MEAN:
        if weight is not None:
            picked = target.masked_select(ignore.logical_not()).flatten()
            ret = smooth.sum() / weight.gather(0, picked).sum()
        else:
            ret = smooth.sum() / ignore.logical_not().sum()
    elif reduction == SUM:
        ret = smooth.sum()
    else:
        ret = smooth
    return _scalar(_mul_s, nll, 1 - ls) + _scalar(_mul_s, ret, ls / n_classes)


# ---------------------------------------------------------------------------------- pointwise
def _pair(name: str, input, target) -> tuple:
    """The two inputs broadcast and promoted as torch's TensorIterator would."""
    from .shape import broadcast_tensors

    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}(): argument 'target' (position 2) must be Tensor, not "
                        f"{type(target).__name__}")
    if input._data.shape != target._data.shape:
        input, target = broadcast_tensors(input, target)
    if input._data.dtype != target._data.dtype:
        from .._promotion import result_type_of

        dt = result_type_of((input, target))
        input, target = input.to(dt), target.to(dt)
    return input, target


@prim("mse_loss")
def _mse_loss(self, target, *, reduction):
    dt = self.dtype
    x, t = _f32(self, target)
    d = x - t
    return _reduce_np(np.multiply(d, d), reduction, dt)


def _mse_grad(grad, self, target, reduction):
    return _scale(grad, reduction, self.numel()) * 2 * (self - target)


_mse_loss.defvjp(
    self=_mse_grad,
    target=lambda grad, self, target, reduction: -_mse_grad(grad, self, target, reduction),
)


def mse_loss(input: Tensor, target: Tensor, reduction: int = MEAN) -> Tensor:
    input, target = _pair("mse_loss", input, target)
    if input._data.dtype not in FLOAT_NP:
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{_legacy(input._data.dtype)}\'')
    return apply(_mse_loss, (input, target), (input._data, target._data),
                 {"reduction": reduction})


def l1_loss(input: Tensor, target: Tensor, reduction: int = MEAN) -> Tensor:
    input, target = _reg.autocast_args("l1_loss", input, target)
    input, target = _pair("l1_loss", input, target)
    loss = (input - target).abs()
    return loss.mean() if reduction == MEAN else (loss.sum() if reduction == SUM else loss)


def _smooth_l1_np(d, beta):
    a = np.abs(d)
    return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


@prim("smooth_l1_loss")
def _smooth_l1_loss(self, target, *, reduction, beta):
    dt = self.dtype
    x, t = _f32(self, target)
    return _reduce_np(_smooth_l1_np(x - t, beta), reduction, dt)


def _smooth_l1_grad(grad, self, target, reduction, beta):
    d = self - target
    local = where(d <= -beta, -1.0, where(d >= beta, 1.0, d / beta))
    return _scale(grad, reduction, self.numel()) * local


_smooth_l1_loss.defvjp(
    self=_smooth_l1_grad,
    target=lambda grad, self, target, reduction, beta: -_smooth_l1_grad(
        grad, self, target, reduction, beta),
)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: int = MEAN,
                   beta: float = 1.0) -> Tensor:
    input, target = _pair("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction)
    return apply(_smooth_l1_loss, (input, target), (input._data, target._data),
                 {"reduction": reduction, "beta": beta})


@prim("huber_loss")
def _huber_loss(self, target, *, reduction, delta):
    dt = self.dtype
    x, t = _f32(self, target)
    d = x - t
    a = np.abs(d)
    loss = np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce_np(loss, reduction, dt)


def _huber_grad(grad, self, target, reduction, delta):
    d = self - target
    local = where(d <= -delta, -delta, where(d >= delta, delta, d))
    return _scale(grad, reduction, self.numel()) * local


_huber_loss.defvjp(
    self=_huber_grad,
    target=lambda grad, self, target, reduction, delta: -_huber_grad(
        grad, self, target, reduction, delta),
)


def huber_loss(input: Tensor, target: Tensor, reduction: int = MEAN,
               delta: float = 1.0) -> Tensor:
    input, target = _pair("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError(
            "huber_loss does not support non-positive values for delta.")
    return apply(_huber_loss, (input, target), (input._data, target._data),
                 {"reduction": reduction, "delta": delta})


# -- binary cross entropy
@prim("binary_cross_entropy")
def _bce(self, target, *, weight, reduction):
    dt = self.dtype
    x, t = _f32(self, target)
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    lo = x.dtype.type(-100)
    loss = (t - 1) * np.maximum(np.log1p(-x), lo) - t * np.maximum(np.log(x), lo)
    if weight is not None:
        loss = loss * weight.astype(loss.dtype)
    return _reduce_np(loss, reduction, dt)


def _bce_grads(grad, self, target, weight, reduction, needs_input_grad):
    g = _scale(grad, reduction, self.numel())
    w = None if weight is None else _wrap_const(weight)
    gx = gt = None
    if needs_input_grad[0]:
        gx = g * (self - target) / ((1 - self) * self).clamp_min(1e-12)
        if w is not None:
            gx = gx * w
    if needs_input_grad[1]:
        gt = g * ((-self).log1p() - self.log())
        if w is not None:
            gt = gt * w
    return gx, gt


_bce.vjp(_bce_grads)


def _wrap_const(a: np.ndarray) -> Tensor:
    from .._tensor import _wrap

    return _wrap(a)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: int = MEAN) -> Tensor:
    d = input._data
    if d.dtype not in FLOAT_NP:
        raise NotImplementedError(
            f'"binary_cross_entropy" not implemented for \'{_legacy(d.dtype)}\'')
    if target._data.dtype != d.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy} but expected "
                           f"{input.dtype._legacy}")
    no_grad_arg("binary_cross_entropy", "weight", weight)
    w = None if weight is None else np.broadcast_to(weight._data, d.shape)
    return apply(_bce, (input, target), (d, target._data), {"weight": w, "reduction": reduction})


@prim("binary_cross_entropy_with_logits")
def _bce_logits(self, target, *, weight, pos_weight, reduction):
    dt = self.dtype
    x, t = _f32(self, target)
    # torch composes ops in the input dtype: half types round after each one
    r = (lambda v: v.astype(dt).astype(_F32)) if dt in _HALF_NP else (lambda v: v)
    logsig = r(np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))))
    if pos_weight is not None:
        logsig = r(logsig * r(r((pos_weight.astype(x.dtype) - 1) * t) + 1))
    loss = r(r(r(1 - t) * x) - logsig)
    if weight is not None:
        loss = r(loss * weight.astype(x.dtype))
    return _reduce_np(loss, reduction, dt)


def _bce_logits_grads(grad, self, target, weight, pos_weight, reduction, needs_input_grad):
    g = _scale(grad, reduction, self.numel())
    gx = gt = None
    pw = None if pos_weight is None else _wrap_const(pos_weight)
    if needs_input_grad[0]:
        if pw is not None:
            tt = pw * target
            gx = (tt + 1 - target) * self.sigmoid() - tt
        else:
            gx = self.sigmoid() - target
        gx = gx * g
        if weight is not None:
            gx = gx * _wrap_const(weight)
    if needs_input_grad[1]:
        if pw is not None:
            from .nn_activation import logsigmoid

            gt = logsigmoid(-self) - logsigmoid(self) * pw
        else:
            gt = -self
        gt = gt * g
        if weight is not None:
            gt = gt * _wrap_const(weight)
    return gx, gt


_bce_logits.vjp(_bce_logits_grads)


@public(method=False)
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None,
                                     pos_weight=None, reduction: int = MEAN) -> Tensor:
    """``-(pos_weight * t * log(sigmoid(x)) + (1 - t) * log(1 - sigmoid(x)))``, stably."""
    d = input._data
    if d.dtype not in FLOAT_NP:
        raise NotImplementedError(f'"log_sigmoid_cpu" not implemented for '
                                  f"'{_legacy(d.dtype)}'")
    t = target._data
    if t.dtype != d.dtype:
        target = target.to(input.dtype)
        t = target._data
    w = None if weight is None else np.broadcast_to(weight._data, np.broadcast_shapes(
        weight._data.shape, d.shape))
    no_grad_arg("binary_cross_entropy_with_logits", "weight", weight)
    no_grad_arg("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    pw = None if pos_weight is None else pos_weight._data
    return apply(_bce_logits, (input, target), (d, t),
                 {"weight": w, "pos_weight": pw, "reduction": reduction})


@prim("soft_margin_loss")
def _soft_margin_loss(self, target, *, reduction):
    dt = self.dtype
    x, t = _f32(self, target)
    return _reduce_np(np.log1p(np.exp(-t * x)), reduction, dt)


def _soft_margin_grad(grad, self, target, reduction):
    z = (-target * self).exp()
    return _scale(grad, reduction, self.numel()) * (-target * z / (1 + z))


_soft_margin_loss.defvjp(self=_soft_margin_grad)


def soft_margin_loss(input: Tensor, target: Tensor, reduction: int = MEAN) -> Tensor:
    input, target = _pair("soft_margin_loss", input, target)
    no_grad_arg("soft_margin_loss", "target", target)
    return apply(_soft_margin_loss, (input, target), (input._data, target._data),
                 {"reduction": reduction})


# ---------------------------------------------------------------------------------- composite
def _apply_reduction(loss: Tensor, reduction: int) -> Tensor:
    if reduction == MEAN:
        return loss.mean()
    if reduction == SUM:
        return loss.sum()
    return loss


@public(method=False)
def kl_div(input: Tensor, target: Tensor, reduction: int = MEAN, *,
           log_target: bool = False) -> Tensor:
    """``target * (log(target) - input)`` (or with a log-space target), reduced."""
    input, target = _reg.autocast_args("kl_div", input, target)
    if log_target:
        out = target.exp() * (target - input)
    else:
        # xlogy(t, t): 0 where t == 0 (NaN stays NaN)
        out = where(target == 0, 0.0, target * target.log()) - target * input
    return _apply_reduction(out, reduction)


@public(method=False)
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = MEAN) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``, reduced."""
    input1, input2, target = _reg.autocast_args("margin_ranking_loss", input1, input2, target)
    return _apply_reduction(_scalar(_add_s, -target * (input1 - input2), margin).clamp_min(0),
                            reduction)


@public(method=False)
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = MEAN) -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1, reduced."""
    input, target = _reg.autocast_args("hinge_embedding_loss", input, target)
    zeros = zeros_like(input)
    margin_clamp = _rsub_tensor(margin, input).clamp_min(0)
    out = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros)
    return _apply_reduction(out, reduction)


@public(method=False)
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = MEAN) -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos - margin)`` where it is -1."""
    input1, input2, target = _reg.autocast_args("cosine_embedding_loss", input1, input2, target)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1:
        if not (input1.dim() == 2 and input2.dim() == 2):
            raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with "
                               f"sizes {_size(input1.shape)} and {_size(input2.shape)}.")
    elif not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {_size(input1.shape)} and {_size(input2.shape)}.")
    prod_sum = (input1 * input2).sum(td)
    mag1 = _scalar(_add_s, (input1 * input1).sum(td), 1e-12)
    mag2 = _scalar(_add_s, (input2 * input2).sum(td), 1e-12)
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    pos = _rsub_tensor(1, cos)
    neg = _scalar(_sub_s, cos, margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _apply_reduction(out, reduction)


@public(method=False)
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """Negative log likelihood of a Poisson target, with the Stirling term when ``full``."""
    input, target = _reg.autocast_args("poisson_nll_loss", input, target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


# ---------------------------------------------------------------------------------- margins
def _mm_parts(x, t, p, margin, weight):
    """(z = margin - x[y] + x per element with the target column masked out, active mask,
    per-row weight) of multi_margin_loss on an (N, C) input."""
    xy = np.take_along_axis(x, t[:, None], 1)
    z = margin - xy + x
    active = z > 0
    active[np.arange(x.shape[0]), t] = False
    w = np.ones(x.shape[0], x.dtype) if weight is None else weight.astype(x.dtype)[t]
    return z, active, w


@prim("multi_margin_loss")
def _multi_margin(self, *, target, p, margin, weight, reduction):
    dt = self.dtype
    (x,) = _f32(self)
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    z, active, w = _mm_parts(x2, target.reshape(-1), p, margin, weight)
    h = np.where(active, z if p == 1 else z * z, 0)
    loss = _add_reduce(h * w[:, None], 1) / x2.dtype.type(x2.shape[1])
    if reduction == NONE:
        return loss.reshape(self.shape[:-1] if self.ndim > 1 else ()).astype(dt)
    return _reduce_np(loss, reduction, dt)


def _multi_margin_grad(grad, self, target, p, margin, weight, reduction):
    x = self.detach()._data
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    t = target.reshape(-1)
    z, active, w = _mm_parts(x2, t, p, margin, weight)
    n, c = x2.shape
    local = np.where(active, 1.0 if p == 1 else 2 * z, 0) * (w[:, None] / c)
    local[np.arange(n), t] = -_add_reduce(local, 1)
    g = grad.reshape(-1, 1) if reduction == NONE else _scale(grad, reduction, n)
    from .._tensor import _wrap

    return (g * _wrap(local.astype(x.dtype))).reshape(self.shape)


_multi_margin.defvjp(self=_multi_margin_grad)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, reduction: int = MEAN) -> Tensor:
    d, t = input._data, target._data
    c = d.shape[-1] if d.ndim else 1
    n = d.shape[0] if d.ndim == 2 else 1
    if d.ndim == 2 and (t.ndim != 1 or t.shape[0] != n):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{_size(t.shape)}. Input has shape {_size(d.shape)}.")
    if weight is not None and weight._data.size != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{_size(weight._data.shape)}")
    tt = t.astype(_INT64).reshape(-1)
    if ((tt < 0) | (tt >= c)).any():
        raise RuntimeError("target out of range")
    return apply(_multi_margin, (input,), (d,),
                 {"target": tt, "p": p, "margin": margin, "reduction": reduction,
                  "weight": None if weight is None else weight._data.reshape(-1)})


def _ml_masks(t: np.ndarray, c: int):
    """(target mask, is-target mask) of multilabel_margin_loss: targets are read up to the
    first -1 of each row."""
    stop = np.cumprod(t >= 0, axis=1).astype(bool)
    valid = stop & (t >= 0)
    if (t[valid] >= c).any():
        raise RuntimeError("argument #2 'target' is out of range")
    is_t = np.zeros(t.shape[:1] + (c,), bool)
    rows = np.nonzero(valid)[0]
    is_t[rows, t[valid]] = True
    return valid, is_t


@prim("multilabel_margin_loss")
def _multilabel_margin(self, *, target, reduction):
    dt = self.dtype
    (x,) = _f32(self)
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    t2 = target.reshape(x2.shape)
    c = x2.shape[1]
    valid, is_t = _ml_masks(t2, c)
    # loss = sum over target j, non-target i of max(0, 1 - (x_j - x_i)) / C
    xj = np.where(is_t, x2, np.nan)
    m = 1 - xj[:, :, None] + x2[:, None, :]
    m = np.where(is_t[:, :, None] & ~is_t[:, None, :] & (m > 0), m, 0)
    loss = _add_reduce(m.reshape(m.shape[0], -1), 1) / x2.dtype.type(c)
    if reduction == NONE:
        return loss.reshape(self.shape[:-1] if self.ndim > 1 else ()).astype(dt)
    return _reduce_np(loss, reduction, dt)


def _multilabel_margin_grad(grad, self, target, reduction):
    x = self.detach()._data
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    c = x2.shape[1]
    _, is_t = _ml_masks(target.reshape(x2.shape), c)
    xj = np.where(is_t, x2, np.nan)
    m = 1 - xj[:, :, None] + x2[:, None, :]
    act = (is_t[:, :, None] & ~is_t[:, None, :] & (m > 0)).astype(x.dtype) / c
    local = _add_reduce(act, 1) - _add_reduce(act, 2)  # +1 for each i, -1 for each j
    g = grad.reshape(-1, 1) if reduction == NONE else _scale(grad, reduction, x2.shape[0])
    from .._tensor import _wrap

    return (g * _wrap(local.astype(x.dtype))).reshape(self.shape)


_multilabel_margin.defvjp(self=_multilabel_margin_grad)


def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: int = MEAN) -> Tensor:
    d, t = input._data, target._data
    if t.shape != d.shape:
        raise RuntimeError(f"inconsistent target size: {_size(t.shape)} for input of size: "
                           f"{_size(d.shape)}")
    return apply(_multilabel_margin, (input,), (d,),
                 {"target": t.astype(_INT64), "reduction": reduction})


@public(method=False)
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        reduction: int = MEAN) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with pairwise distances."""
    anchor, positive, negative = _reg.autocast_args("triplet_margin_loss", anchor, positive,
                                                    negative)
    from .elementwise import minimum
    from .nn_activation import pairwise_distance

    a, b, c = anchor.dim(), positive.dim(), negative.dim()
    if not (a == b and b == c):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {b}D, and negative {c}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((_scalar(_add_s, dist_pos, margin) - dist_neg).clamp_min(0),
                            reduction)


__all__ = ["cross_entropy_loss", "get_enum", "legacy_get_string", "multi_margin_loss",
           "multilabel_margin_loss", "nll_loss_nd"]
