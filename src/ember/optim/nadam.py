"""NAdam (Nesterov-accelerated Adam) with torch's CPU single-tensor arithmetic."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (``torch.optim.NAdam``), with optional decoupled weight decay."""

    _setstate_defaults = {
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
    }
    _tensor_state = ("step", "mu_product")

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        _check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["mu_product"] = _step_tensor(1.0)
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
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            steps = self._params_for_step(group, "params, mu_products and state_steps")
            for p, st, param, grad in steps:
                mp_t = st["mu_product"]
                step = st["step"]._data.item()
                bias_correction2 = 1 - beta2**step
                if wd != 0:
                    if decoupled:
                        K.mul_(param, 1 - lr * wd)
                        K.bump(p)
                    else:
                        grad = K.add_alpha(grad, param, wd)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                K.mul_(K.arr(mp_t), mu)
                K.bump(mp_t)
                ea_t, eas_t = st["exp_avg"], st["exp_avg_sq"]
                exp_avg, exp_avg_sq = K.arr(ea_t), K.arr(eas_t)
                K.lerp_(exp_avg, grad, 1 - beta1)
                K.mul_(exp_avg_sq, beta2)
                K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                K.bump(ea_t)
                K.bump(eas_t, 2)
                denom = np.divide(exp_avg_sq, K.opmath(param.dtype).type(bias_correction2))
                np.sqrt(denom, out=denom)
                mu_product = mp_t._data.item()
                mu_product_next = mu_product * mu_next
                np.add(denom, K.opmath(denom.dtype).type(eps), out=denom, casting="unsafe")
                K.addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                K.addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
                K.bump(p, 2)
        return loss
