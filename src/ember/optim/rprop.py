"""Rprop (resilient backpropagation) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
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

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (``torch.optim.Rprop``)."""

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
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
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
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["prev"] = _zeros_like(p)
                    st["step_size"] = _wrap(np.full_like(g._data, _to_scalar(group["lr"])))
                _check_capturable(group, p)
                param = K.arr(p)
                grad = np.negative(K.arr(g)) if maximize else K.arr(g)
                step_t = st["step"]
                step_t._data += 1
                K.bump(step_t)
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
