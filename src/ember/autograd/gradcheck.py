"""Compare autograd's gradients with central finite differences (``gradcheck``)."""

from __future__ import annotations

import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical Jacobians disagree."""


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _differentiable_outputs(out) -> list:
    from .._tensor import Tensor

    return [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.requires_grad]


def _numerical_jacobian(func, inputs, idx: int, outputs, eps: float) -> list:
    """d(outputs)/d(inputs[idx]) by central differences, one column per input element."""
    x = inputs[idx]
    a = x._data
    jac = [np.zeros((a.size, o._data.size), dtype=np.float64) for o in outputs]
    # Perturb the raw array in place (autograd never sees it), element by element in C order
    # (the order of the analytical Jacobian's rows); func may itself need grad mode
    # (gradgradcheck differentiates inside it).
    for j, pos in enumerate(np.ndindex(a.shape)):
        orig = a[pos].item()
        a[pos] = orig - eps
        lo = [o._data.astype(np.float64).reshape(-1).copy()
              for o in _differentiable_outputs_nograd(func(*inputs), len(outputs))]
        a[pos] = orig + eps
        hi = [o._data.astype(np.float64).reshape(-1).copy()
              for o in _differentiable_outputs_nograd(func(*inputs), len(outputs))]
        a[pos] = orig
        for k in range(len(outputs)):
            jac[k][j] = (hi[k] - lo[k]) / (2 * eps)
    return jac


def _differentiable_outputs_nograd(out, n: int) -> list:
    from .._tensor import Tensor

    outs = [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.is_floating_point()]
    return outs[:n]


def _analytical_jacobian(inputs, outputs, diff_idx: list) -> dict:
    from .. import _ops as ops
    from . import grad

    jac = {}
    for k, o in enumerate(outputs):
        for i in diff_idx:
            jac[k, i] = np.zeros((inputs[i]._data.size, o._data.size), dtype=np.float64)
        for j in range(o._data.size):
            seed = np.zeros(o._data.size, dtype=o._data.dtype)
            seed[j] = 1
            g_out = ops.from_numpy(seed.reshape(o._data.shape))
            gs = grad(o, [inputs[i] for i in diff_idx], g_out, retain_graph=True,
                      allow_unused=True)
            for i, g in zip(diff_idx, gs):
                if g is not None:
                    jac[k, i][:, j] = g._data.astype(np.float64).reshape(-1)
    return jac


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True if the gradients of ``func`` at ``inputs`` match finite differences."""
    from .._tensor import Tensor

    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype._name != "float64":
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _differentiable_outputs(func(*inputs))
    if not outputs:
        # No differentiable output: every input's gradient must be zero, trivially true.
        return True
    analytical = _analytical_jacobian(inputs, outputs, diff_idx)
    for i in diff_idx:
        numerical = _numerical_jacobian(func, inputs, i, outputs, eps)
        for k in range(len(outputs)):
            a, n = analytical[k, i], numerical[k]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                from .. import _ops as ops

                dt = inputs[i].dtype
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{ops.from_numpy(n.astype(dt._np))}\n"
                    f"analytical:{ops.from_numpy(a.astype(dt._np))}\n"
                )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the first-order gradients: checks second derivatives via create_graph."""
    from .. import _ops as ops
    from .._tensor import Tensor
    from . import grad

    inputs = _as_tuple(inputs)
    outputs = _differentiable_outputs(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            ops.from_numpy(rng.standard_normal(o._data.shape).astype(o._data.dtype))
            .requires_grad_()
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_order(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _differentiable_outputs(func(*ins))
        gs = grad(outs, [ins[i] for i in diff], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
