"""RMSprop (centered, momentum) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_lr,
    _check_nonnegative,
    _check_not_differentiable,
    _run_closure,
    _step_tensor,
    _to_scalar,
    _use_grad_for_differentiable,
    _zeros_like,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``)."""

    _setstate_defaults = {
        "momentum": 0,
        "centered": False,
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
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check_nonnegative(epsilon=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            st["grad_avg"] = _zeros_like(p)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            lr = _to_scalar(group["lr"])
            alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered = group["momentum"], group["centered"]
            for p, st, param, grad in self._params_for_step(group):
                if wd != 0:
                    grad = K.add_alpha(grad, param, wd)
                sa_t = st["square_avg"]
                square_avg = K.arr(sa_t)
                K.mul_(square_avg, alpha)
                K.addcmul_(square_avg, grad, grad, 1 - alpha)
                K.bump(sa_t, 2)
                if centered:
                    ga_t = st["grad_avg"]
                    K.lerp_(K.arr(ga_t), grad, 1 - alpha)
                    K.bump(ga_t)
                    avg = K.addcmul(square_avg, K.arr(ga_t), K.arr(ga_t), -1)
                    np.sqrt(avg, out=avg)
                else:
                    avg = np.sqrt(square_avg)
                np.add(avg, K.opmath(avg.dtype).type(eps), out=avg, casting="unsafe")
                if momentum > 0:
                    b_t = st["momentum_buffer"]
                    buf = K.arr(b_t)
                    K.mul_(buf, momentum)
                    K.addcdiv_(buf, grad, avg, 1)
                    K.bump(b_t, 2)
                    K.add_alpha_(param, buf, -lr)
                else:
                    K.addcdiv_(param, grad, avg, -lr)
                K.bump(p)
        return loss
