"""RAdam (rectified Adam) with torch's CPU single-tensor arithmetic."""

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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (``torch.optim.RAdam``), with optional decoupled weight decay."""

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "capturable": False,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
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
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_like(p)
        st["exp_avg_sq"] = _zeros_like(p)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            wd, eps = group["weight_decay"], group["eps"]
            decoupled = group["decoupled_weight_decay"]
            for p, st, param, grad in self._params_for_step(group):
                step = st["step"]._data.item()
                if wd != 0:
                    if decoupled:
                        K.mul_(param, 1 - lr * wd)
                        K.bump(p)
                    else:
                        grad = K.add_alpha(grad, param, wd)
                ea_t, eas_t = st["exp_avg"], st["exp_avg_sq"]
                exp_avg, exp_avg_sq = K.arr(ea_t), K.arr(eas_t)
                K.lerp_(exp_avg, grad, 1 - beta1)
                K.mul_(exp_avg_sq, beta2)
                K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                K.bump(ea_t)
                K.bump(eas_t, 2)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                op = K.opmath(param.dtype).type
                update = np.divide(exp_avg, op(bias_correction1))
                np.multiply(update, op(lr), out=update, casting="unsafe")
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    # (sqrt(v) + eps).reciprocal() * sqrt(bc2), torch's scalar / tensor
                    adaptive = np.sqrt(exp_avg_sq)
                    np.add(adaptive, op(eps), out=adaptive, casting="unsafe")
                    np.divide(op(1), adaptive, out=adaptive, casting="unsafe")
                    np.multiply(adaptive, op(bias_correction2**0.5), out=adaptive, casting="unsafe")
                    np.multiply(update, adaptive, out=update, casting="unsafe")
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    np.multiply(update, op(rect), out=update, casting="unsafe")
                np.subtract(param, update, out=param, casting="unsafe")
                K.bump(p)
        return loss
