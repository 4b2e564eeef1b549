"""Rprop (resilient backpropagation) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_lr,
    _check_not_differentiable,
    _run_closure,
    _step_tensor,
    _to_scalar,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (``torch.optim.Rprop``)."""

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["prev"] = _zeros_like(p)
        # shaped and laid out like the gradient, as torch's full_like(grad, lr)
        st["step_size"] = _wrap(np.full_like(p._grad._data, _to_scalar(group["lr"])))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p, st, param, grad in self._params_for_step(group):
                prev_t, ss_t = st["prev"], st["step_size"]
                prev, step_size = K.arr(prev_t), K.arr(ss_t)
                dt = param.dtype
                sign = np.sign(np.multiply(grad, prev))
                up, down = sign > 0, sign < 0
                zero = sign == 0
                sign[up] = etaplus
                sign[down] = etaminus
                sign[zero] = 1
                np.multiply(step_size, sign, out=step_size)
                np.clip(step_size, dt.type(step_size_min), dt.type(step_size_max), out=step_size)
                grad = grad.copy()
                grad[sign == dt.type(etaminus)] = 0
                K.addcmul_(param, np.sign(grad), step_size, -1)
                np.copyto(prev, grad)
                K.bump(ss_t, 2)
                K.bump(prev_t)
                K.bump(p)
        return loss
