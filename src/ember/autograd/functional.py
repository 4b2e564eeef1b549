"""ember.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp of a Python function.

Reverse mode throughout, as torch's default strategies: one ``autograd.grad`` per output
element for the Jacobian (torch's ``vectorize=False`` loop), the double-backward trick for the
forward-mode products (jvp, hvp). Results follow torch's nesting: a tuple level per argument
or output that was given as a tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _tensor as _T
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _ops():
    import ember

    return ember


def _as_tuple(x, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, _T.Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {i} has type {type(el)}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the given {arg_name} has type {type(el)}."
            )
    return is_tuple, items


def _prep(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    # Fresh leaves the function is differentiated against (views keep an outer graph alive).
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in inputs)


def _post(x, create_graph: bool):
    if isinstance(x, tuple):
        return tuple(_post(y, create_graph) for y in x)
    return x if x is None or create_graph else x.detach()


def _unpack(res, *flags: bool):
    """Drop the tuple levels (outer first) that stood for a non-tuple argument."""
    outer, *rest = flags
    if rest:
        res = tuple(_unpack(r, *rest) for r in res)
    return res if outer else res[0]


def _grad(outputs: tuple, inputs: tuple, grad_outputs, create_graph: bool) -> tuple:
    """``autograd.grad`` that skips outputs without a graph and gives None for unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _ops().autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                                retain_graph=True, create_graph=create_graph, allow_unused=True)


def _fill(grads: tuple, refs: tuple, strict: bool, what: str) -> tuple:
    out = []
    for i, (g, r) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The {what} for input {i} is independent of the inputs.")
            g = _ops().zeros_like(r)
        out.append(g)
    return tuple(out)


def _call(func, inputs, fn_name: str) -> tuple[bool, tuple]:
    outputs = func(*inputs)
    return _as_tuple(outputs, "outputs of the user-provided function", fn_name)


def _check_v(v, outputs: tuple, is_tuple: bool, fn_name: str, ref_name: str) -> tuple | None:
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        return None
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(outputs):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(outputs)} but got {len(vs)}."
        )
    for i, (a, b) in enumerate(zip(vs, outputs)):
        if a.size() != b.size():
            where = f"Entry {i} in v" if is_tuple else "v"
            raise RuntimeError(
                f"{where} has invalid size: should be {b.size()} but got {a.size()}."
            )
    return vs


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _call(func, inputs, "vjp")
        vs = _check_v(v, outputs, out_tuple, "vjp", "outputs")
        grads = _fill(_grad(outputs, inputs, vs, create_graph), inputs, strict,
                      "output of the user-provided function")
    return (_unpack(_post(outputs, create_graph), out_tuple),
            _unpack(_post(grads, create_graph), in_tuple))


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)`` by differentiating ``u -> u^T J`` with respect to ``u``."""
    ember = _ops()
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prep(inputs, create_graph, True)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function "
                    "is a single Tensor with a single element."
                )
            vs = None
        else:
            vs = _check_v(v, inputs, in_tuple, "jvp", "inputs")
        out_tuple, outputs = _call(func, inputs, "jvp")
        us = tuple(ember.zeros_like(o, requires_grad=True) for o in outputs)
        g = _grad(outputs, inputs, us, True)
        g = _fill(g, inputs, False, "")
        res = _fill(_grad(g, us, vs, create_graph), outputs, strict,
                    "output of the user-provided function")
    return (_unpack(_post(outputs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), out_tuple))


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian: per output, per input, a tensor of shape ``out.shape + in.shape``."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         "Hint: If your function has more outputs than inputs, \"forward-mode\" "
                         "tends to be more performant. Otherwise, prefer to use "
                         '"reverse-mode".')
    ember = _ops()
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prep(inputs, create_graph, True)
        out_tuple, outputs = _call(func, inputs, "jacobian")
        jac = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            flat = out.reshape(-1)
            for j in range(flat.numel()):
                grads = _grad((flat[j],), inputs, None, create_graph)
                for k, (g, x) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict and create_graph and not x.requires_grad:
                            raise RuntimeError(
                                "The jacobian of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode when "
                                "create_graph=True."
                            )
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode."
                            )
                        g = ember.zeros_like(x)
                    rows[k].append(g)
            jac.append(tuple(
                ember.stack(r, 0).view(out.size() + x.size()) if r
                else ember.zeros(out.size() + x.size(), dtype=x.dtype)
                for r, x in zip(rows, inputs)))
        res = _post(tuple(jac), create_graph)
    return _unpack(res, out_tuple, in_tuple)


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: a tensor (or tuples of them, per pair of inputs)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar(*inp):
        out = func(*inp)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()

    def jac_func(*inp):
        return jacobian(scalar, inp, create_graph=True, strict=strict)

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict)
    return _unpack(res, in_tuple, in_tuple)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)``."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _prep(inputs, create_graph, True)
        vs = None if v is None else _check_v(v, inputs, in_tuple, "vhp", "inputs")
        out_tuple, outputs = _call(func, inputs, "vhp")
        if out_tuple or outputs[0].nelement() != 1:
            raise RuntimeError(
                "The function given to vhp should return a single Tensor with a single element"
                if not out_tuple else "The function given to vhp must return a single Tensor"
            )
        jac = _fill(_grad(outputs, inputs, None, True), inputs, strict, "output")
        res = _fill(_grad(jac, inputs, vs, create_graph), inputs, strict, "hessian")
    return (_unpack(_post(outputs, create_graph), out_tuple),
            _unpack(_post(res, create_graph), in_tuple))


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` (H is symmetric for twice-differentiable functions)."""
    return vhp(func, inputs, v, create_graph, strict)
