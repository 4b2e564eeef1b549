"""Adagrad (lr decay, initial accumulator value) with torch's CPU single-tensor arithmetic."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
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
)

__all__ = ["Adagrad"]


def _full_like(p: Tensor, value: float) -> Tensor:
    return _wrap(np.full_like(p._data, value))


class Adagrad(Optimizer):
    """Adagrad (``torch.optim.Adagrad``)."""

    _setstate_defaults = {
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    }

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
        _check_lr(lr)
        _check_nonnegative(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            epsilon=eps,
        )
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
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(group, p, self.state[p])

    def __setstate__(self, state):
        super().__setstate__(state)
        # torch converts every state's step here, not only those of the groups' params
        for s in self.state.values():
            if "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = _step_tensor(float(s["step"]))

    def share_memory(self) -> None:
        """A no-op in ember (one process owns each array); kept for API compatibility."""

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["sum"] = _full_like(p, self.defaults["initial_accumulator_value"])

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            lr = _to_scalar(group["lr"])
            wd, lr_decay, eps = group["weight_decay"], group["lr_decay"], group["eps"]
            for p, st, param, grad in self._params_for_step(group, capturable=None):
                step = st["step"]._data.item()
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
