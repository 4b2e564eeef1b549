"""NAdam (Nesterov-accelerated Adam) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_capturable,
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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
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

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0:
                    if not isinstance(p_state["step"], Tensor):
                        p_state["step"] = _step_tensor(float(p_state["step"]))
                    if not isinstance(p_state["mu_product"], Tensor):
                        p_state["mu_product"] = _step_tensor(float(p_state["mu_product"]))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            _check_not_differentiable(group)
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            wd, eps, maximize = group["weight_decay"], group["eps"], group["maximize"]
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["mu_product"] = _step_tensor(1.0)
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                _check_capturable(group, p, "params, mu_products and state_steps")
                param = K.arr(p)
                grad = np.negative(K.arr(g)) if maximize else K.arr(g)
                step_t, mp_t = st["step"], st["mu_product"]
                step_t._data += 1
                K.bump(step_t)
                step = step_t._data.item()
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
