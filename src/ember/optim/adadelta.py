"""Adadelta with torch's CPU single-tensor arithmetic."""

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

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (``torch.optim.Adadelta``)."""

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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
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
            lr = _to_scalar(group["lr"])
            rho, eps, wd, maximize = (
                group["rho"],
                group["eps"],
                group["weight_decay"],
                group["maximize"],
            )
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["square_avg"] = _zeros_like(p)
                    st["acc_delta"] = _zeros_like(p)
                _check_capturable(group, p, xla=False)
                param = K.arr(p)
                step_t = st["step"]
                step_t._data += 1
                K.bump(step_t)
                grad = np.negative(K.arr(g)) if maximize else K.arr(g)
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
