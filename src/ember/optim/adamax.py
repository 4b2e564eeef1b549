"""Adamax (Adam with the infinity norm) with torch's CPU single-tensor arithmetic."""

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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (``torch.optim.Adamax``)."""

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

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(float(p_state["step"]))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            _check_not_differentiable(group)
            beta1, beta2 = group["betas"]
            eps, wd, maximize = group["eps"], group["weight_decay"], group["maximize"]
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_inf"] = _zeros_like(p)
                _check_capturable(group, p)
                param = K.arr(p)
                grad = np.negative(K.arr(g)) if maximize else K.arr(g)
                step_t = st["step"]
                step_t._data += 1
                K.bump(step_t)
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
                clr = lr / (1 - beta1 ** step_t._data.item())
                K.addcdiv_(param, K.arr(ea_t), exp_inf, -clr)
                K.bump(p)
        return loss
