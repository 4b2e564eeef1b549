"""ember.autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) against torch's."""

from __future__ import annotations

import pytest
import torch

import ember

from .helpers import torch_text


def _cases(lib):
    F = lib.autograd.functional
    t = lib.tensor
    lib.manual_seed(0)
    x = lib.randn(2, 3, dtype=lib.float64, requires_grad=True)
    lin = lib.nn.Linear(3, 2)
    return {
        "jac": lambda: F.jacobian(lambda a: a * 2, lib.ones(2)),
        "jac_tuples": lambda: F.jacobian(lambda a, b: (a * b, a.sum()), (lib.ones(2), t([1., 2.]))),
        "jac_module": lambda: F.jacobian(lin, t([0.5, -1.0, 2.0])),
        "jac_const": lambda: F.jacobian(lambda a: lib.ones(2), lib.ones(3)),
        "jac_scalar_out": lambda: F.jacobian(lambda a: a.sum(), lib.ones(2)),
        "jac_graph": lambda: (lambda J: (J, J.requires_grad, J.grad_fn is not None))(
            F.jacobian(lambda a: a.sin().sum(1), x, create_graph=True)),
        "hess": lambda: F.hessian(lambda a: a.pow(3).sum(), t([1., 2.])),
        "hess_tuple": lambda: F.hessian(lambda a, b: (a * b).sum(), (t([1., 2.]), t([3., 4.]))),
        "hess_2d": lambda: F.hessian(lambda a: (a.exp() * a).sum(), x.detach()),
        "vjp": lambda: F.vjp(lambda a: a.pow(2), t([1., 2.]), lib.ones(2)),
        "vjp_scalar": lambda: F.vjp(lambda a: a.sum(), t([1., 2.])),
        "jvp": lambda: F.jvp(lambda a: (a * 3, a.sum()), t([1., 2.]), t([1., 0.])),
        "hvp": lambda: F.hvp(lambda a: a.pow(3).sum(), t([1., 2.]), lib.ones(2)),
        "vhp": lambda: F.vhp(lambda a, b: (a.pow(3) * b).sum(), (t([1., 2.]), t([3., 1.])),
                             (lib.ones(2), lib.ones(2))),
        "err_out_type": lambda: F.jacobian(lambda a: 3, lib.ones(2)),
        "err_in_type": lambda: F.jacobian(lambda a: a * 2, [1.0]),
        "err_in_item": lambda: F.jacobian(lambda a: a * 2, (lib.ones(2), 3)),
        "err_hess_size": lambda: F.hessian(lambda a: a * 2, lib.ones(2)),
        "err_v_none": lambda: F.vjp(lambda a: a * 2, lib.ones(2)),
        "err_v_size": lambda: F.vjp(lambda a: a * 2, lib.ones(2), lib.ones(3)),
        "err_strict": lambda: F.jacobian(lambda a, b: a * 2, (lib.ones(2), lib.ones(2)),
                                         strict=True),
    }


def _run(fn):
    try:
        return repr(fn())
    except Exception as e:  # noqa: BLE001 - errors are compared too
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("name", list(_cases(ember)))
def test_functional_matches_torch(name):
    assert _run(_cases(ember)[name]) == torch_text(_run(_cases(torch)[name]))
