"""Adam (and, with decoupled weight decay, AdamW) with torch's CPU single-tensor arithmetic."""

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

__all__ = ["Adam"]


def _check_lr_betas(lr, eps, betas, weight_decay, foreach, capturable) -> None:
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
    _check_lr(lr)
    _check_nonnegative(epsilon=eps)
    _check_betas(betas)
    _check_nonnegative(weight_decay=weight_decay)


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``): amsgrad, weight decay (L2 or decoupled), maximize."""

    _setstate_defaults = {
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "decoupled_weight_decay": False,
        "fused": None,
    }
    _tensor_state = ("step",)

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_lr_betas(lr, eps, betas, weight_decay, foreach, capturable)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(
                        f"betas[{i}] as a Tensor is not supported for capturable=False and "
                        "foreach=True"
                    )
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _init_state(self, group, p, st):
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_like(p)
        st["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _zeros_like(p)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Perform a single optimization step (``closure`` re-evaluates the loss)."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            _check_not_differentiable(group)
            amsgrad = group["amsgrad"]
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            lr = _to_scalar(group["lr"])
            wd = group["weight_decay"]
            eps = group["eps"]
            decoupled = group["decoupled_weight_decay"]
            for p, st, param, grad in self._params_for_step(group):
                step_t = st["step"]
                if wd != 0:
                    if decoupled:
                        K.mul_(param, 1 - lr * wd)
                        K.bump(p)
                    else:
                        grad = K.add_alpha(grad, param, wd)
                ea_t, eas_t = st["exp_avg"], st["exp_avg_sq"]
                exp_avg, exp_avg_sq = K.arr(ea_t), K.arr(eas_t)
                if not amsgrad and K.fusable(param, grad, exp_avg, exp_avg_sq):
                    step = step_t._data.item()
                    K.adam_f32(
                        param,
                        grad,
                        exp_avg,
                        exp_avg_sq,
                        beta1,
                        beta2,
                        (1 - beta2**step) ** 0.5,
                        eps,
                        lr / (1 - beta1**step),
                    )
                    K.bump(ea_t)
                    K.bump(eas_t, 2)
                    K.bump(p)
                    continue
                K.lerp_(exp_avg, grad, 1 - beta1)
                K.mul_(exp_avg_sq, beta2)
                K.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                K.bump(ea_t)
                K.bump(eas_t, 2)

                step = step_t._data.item()
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                step_size = lr / bias_correction1
                bc2_sqrt = K.opmath(param.dtype).type(bias_correction2**0.5)
                if amsgrad:
                    m_t = st["max_exp_avg_sq"]
                    np.maximum(K.arr(m_t), exp_avg_sq, out=K.arr(m_t))
                    K.bump(m_t)
                    denom = np.sqrt(K.arr(m_t))
                elif type(exp_avg_sq) is np.ndarray:
                    denom = np.sqrt(exp_avg_sq, out=K.scratch_like(exp_avg_sq, 2))
                else:
                    denom = np.sqrt(exp_avg_sq)
                np.divide(denom, bc2_sqrt, out=denom, casting="unsafe")
                np.add(denom, K.opmath(param.dtype).type(eps), out=denom, casting="unsafe")
                K.addcdiv_(param, exp_avg, denom, -step_size)
                K.bump(p)
        return loss
