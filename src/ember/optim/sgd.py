"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_not_differentiable,
    _run_closure,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (``torch.optim.SGD``), with torch's CPU arithmetic."""

    _setstate_defaults = {
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": False,
    }

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            _check_not_differentiable(group)
            wd = _to_scalar(group["weight_decay"])
            momentum = group["momentum"]
            lr = _to_scalar(group["lr"])
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                grad = K.arr(g)
                if maximize:
                    grad = np.negative(grad)
                if wd != 0:
                    grad = K.add_alpha(grad, K.arr(p), wd)
                if momentum != 0:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        buf_t = _wrap(grad.copy().reshape(p._data.shape))
                        st["momentum_buffer"] = buf_t
                    elif (
                        dampening == 0 and not nesterov and K.fusable(K.arr(p), grad, K.arr(buf_t))
                    ):
                        K.sgd_momentum_f32(K.arr(p), grad, K.arr(buf_t), momentum, lr)
                        K.bump(buf_t, 2)
                        K.bump(p)
                        continue
                    else:
                        buf = K.arr(buf_t)
                        K.mul_(buf, momentum)
                        K.add_alpha_(buf, grad, 1 - dampening)
                        K.bump(buf_t, 2)
                    buf = K.arr(buf_t)
                    grad = K.add_alpha(grad, buf, momentum) if nesterov else buf
                K.add_alpha_(K.arr(p), grad, -lr)
                K.bump(p)
        return loss
