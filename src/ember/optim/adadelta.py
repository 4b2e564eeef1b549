"""Adadelta with torch's CPU single-tensor arithmetic."""

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

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (``torch.optim.Adadelta``)."""

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
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(epsilon=eps, weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["square_avg"] = _zeros_like(p)
        st["acc_delta"] = _zeros_like(p)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            lr = _to_scalar(group["lr"])
            rho, eps, wd = group["rho"], group["eps"], group["weight_decay"]
            for p, st, param, grad in self._params_for_step(group, xla=False):
                if wd != 0:
                    grad = K.add_alpha(grad, param, wd)
                sa_t, ad_t = st["square_avg"], st["acc_delta"]
                square_avg, acc_delta = K.arr(sa_t), K.arr(ad_t)
                K.mul_(square_avg, rho)
                K.addcmul_(square_avg, grad, grad, 1 - rho)
                op = K.opmath(param.dtype).type
                std = np.add(square_avg, op(eps), out=np.empty_like(square_avg), casting="unsafe")
                np.sqrt(std, out=std)
                delta = np.add(acc_delta, op(eps), out=np.empty_like(acc_delta), casting="unsafe")
                np.sqrt(delta, out=delta)
                np.divide(delta, std, out=delta)
                np.multiply(delta, grad, out=delta)
                K.mul_(acc_delta, rho)
                K.addcmul_(acc_delta, delta, delta, 1 - rho)
                K.bump(sa_t, 2)
                K.bump(ad_t, 2)
                K.add_alpha_(param, delta, -lr)
                K.bump(p)
        return loss
