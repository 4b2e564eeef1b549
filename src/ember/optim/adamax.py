"""Adamax (Adam with the infinity norm) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr,
    _check_nonnegative,
    _check_not_differentiable,
    _run_closure,
    _step_tensor,
    _to_scalar,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (``torch.optim.Adamax``)."""

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
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps)
        _check_betas(betas)
        _check_nonnegative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_like(p)
        st["exp_inf"] = _zeros_like(p)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            beta1, beta2 = group["betas"]
            eps, wd = group["eps"], group["weight_decay"]
            lr = _to_scalar(group["lr"])
            for p, st, param, grad in self._params_for_step(group):
                if wd != 0:
                    grad = K.add_alpha(grad, param, wd)
                ea_t, ei_t = st["exp_avg"], st["exp_inf"]
                K.lerp_(K.arr(ea_t), grad, 1 - beta1)
                exp_inf = K.arr(ei_t)
                K.mul_(exp_inf, beta2)
                norm = np.abs(grad)
                np.add(norm, K.opmath(norm.dtype).type(eps), out=norm, casting="unsafe")
                np.maximum(exp_inf, norm, out=exp_inf)
                K.bump(ea_t)
                K.bump(ei_t, 2)
                clr = lr / (1 - beta1 ** st["step"]._data.item())
                K.addcdiv_(param, K.arr(ea_t), exp_inf, -clr)
                K.bump(p)
        return loss
