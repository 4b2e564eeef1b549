"""Adagrad (lr decay, initial accumulator value) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from . import _kernels as K
from .optimizer import (
    Optimizer,
    _check_not_differentiable,
    _run_closure,
    _step_tensor,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad"]


def _full_like(p: Tensor, value: float) -> Tensor:
    return _wrap(np.full_like(p._data, value))


class Adagrad(Optimizer):
    """Adagrad (``torch.optim.Adagrad``)."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
            self._step_supports_amp_scaling = True
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["step"] = _step_tensor()
                st["sum"] = _full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for s in self.state.values():
            if "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = _step_tensor(float(s["step"]))

    def share_memory(self) -> None:
        """A no-op in ember (one process owns each array); kept for API compatibility."""

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            _check_not_differentiable(group)
            lr = _to_scalar(group["lr"])
            wd, lr_decay, eps = group["weight_decay"], group["lr_decay"], group["eps"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])
                param = K.arr(p)
                step_t = st["step"]
                step_t._data += 1
                K.bump(step_t)
                step = step_t._data.item()
                grad = np.negative(K.arr(g)) if maximize else K.arr(g)
                if wd != 0:
                    grad = K.add_alpha(grad, param, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                s_t = st["sum"]
                K.addcmul_(K.arr(s_t), grad, grad, 1)
                K.bump(s_t)
                std = np.sqrt(K.arr(s_t))
                np.add(std, K.opmath(std.dtype).type(eps), out=std, casting="unsafe")
                K.addcdiv_(param, grad, std, -clr)
                K.bump(p)
        return loss
