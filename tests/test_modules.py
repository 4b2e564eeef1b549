"""Generic tests driven by the module database (``tests/moduleinfo``): every nn layer against
torch, the same way (construction, printing, state, forward, gradients, buffers)."""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember

from .helpers import BF16, as_numpy, assert_same, dtype_name, torch_text
from .moduleinfo import MODULE_DB

CASES = [
    pytest.param(info, case, id=f"{info.name}-{case.desc or i}")
    for info in MODULE_DB
    for i, case in enumerate(info.cases)
]

_NP = {"float16": np.dtype(np.float16), "bfloat16": BF16, "float32": np.dtype(np.float32),
       "float64": np.dtype(np.float64)}


def _lib_value(lib, x, dtype: str, grad: bool):
    """An input value in ``lib``: floating arrays in the case's dtype (requiring grad when
    ``grad``), other arrays as they are, containers element-wise, the rest unchanged."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "fV":
            x = x.astype(_NP[dtype])
        if lib is torch:
            if x.dtype == BF16:
                t = torch.from_numpy(x.astype(np.float32)).to(torch.bfloat16)
            else:
                t = torch.from_numpy(np.array(x, copy=True))
        else:
            t = ember.from_numpy(np.array(x, copy=True))
        if grad and x.dtype.kind in "fV":
            t.requires_grad_(True)
        return t
    if isinstance(x, (list, tuple)):
        return type(x)(_lib_value(lib, v, dtype, grad) for v in x)
    if isinstance(x, dict):
        return {k: _lib_value(lib, v, dtype, grad) for k, v in x.items()}
    return x


def _build(lib, info, case):
    """The module, constructed right after ``manual_seed(0)``, in the case's dtype."""
    lib.manual_seed(0)
    kwargs = {k: _lib_value(lib, v, case.dtype, False) for k, v in case.kwargs.items()}
    args = tuple(_lib_value(lib, v, case.dtype, False) for v in case.args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = getattr(lib.nn, info.name)(*args, **kwargs)
    if case.dtype != "float32":
        m = m.to(getattr(lib, case.dtype))
    return m


def _to_ember(t: torch.Tensor) -> ember.Tensor:
    e = ember.from_numpy(np.array(as_numpy(t), copy=True))
    name = dtype_name(t)
    return e if dtype_name(e) == name else e.to(getattr(ember, name))


def _ember_state(tm) -> OrderedDict:
    sd = tm.state_dict()
    out = OrderedDict((k, _to_ember(v)) for k, v in sd.items())
    out._metadata = sd._metadata
    return out


def _assert_bits(e, t, path: str) -> None:
    assert dtype_name(e) == dtype_name(t), f"{path}: dtype {e.dtype} != {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} != {t.shape}"
    np.testing.assert_array_equal(as_numpy(e), as_numpy(t), err_msg=path)


def _floats(out, lib) -> list:
    """The floating tensors of a (possibly nested) output that carry gradients."""
    if isinstance(out, lib.Tensor):
        return [out] if out.is_floating_point() and out.requires_grad else []
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _floats(o, lib)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in _floats(o, lib)]
    return []


def _leaves(x, lib) -> list:
    if isinstance(x, lib.Tensor):
        return [x] if x.requires_grad else []
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _leaves(v, lib)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _leaves(v, lib)]
    return []


def _run(lib, m, case, train: bool, grads: bool):
    """Forward (and backward of ``sum(out * w)``): (output, input grads, parameter grads)."""
    m.train(train)
    inputs = _lib_value(lib, case.inputs(np.random.default_rng(0)), case.dtype,
                        grads and case.grad)
    fkw = {k: _lib_value(lib, v, case.dtype, False) for k, v in case.forward_kwargs.items()}
    if case.random:
        lib.manual_seed(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = m(*inputs, **fkw)
    if not grads:
        return out, None, None
    outs = _floats(out, lib)
    if not outs:
        return out, None, None
    rng = np.random.default_rng(7)
    loss = None
    for o in outs:
        w = rng.uniform(-1, 1, size=tuple(o.shape))
        wt = (torch.from_numpy(w) if lib is torch else ember.from_numpy(w)).to(o.dtype)
        term = (o * wt).sum()
        loss = term if loss is None else loss + term
    m.zero_grad()
    loss.backward()
    return out, [x.grad for x in _leaves(inputs, lib)], \
        [(n, p.grad) for n, p in m.named_parameters()]


def _same_state(e_mod, t_mod, what: str) -> None:
    e_sd, t_sd = e_mod.state_dict(), t_mod.state_dict()
    assert list(e_sd) == list(t_sd), f"{what}: state_dict keys {list(e_sd)} != {list(t_sd)}"


@pytest.mark.parametrize("info,case", CASES)
def test_construction_matches_torch(info, case):
    t = _build(torch, info, case)
    e = _build(ember, info, case)
    assert repr(e) == torch_text(repr(t))
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    _same_state(e, t, "construction")
    assert e.state_dict()._metadata == t.state_dict()._metadata
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert type(ep).__name__ == "Parameter" and ep.requires_grad == tp.requires_grad, n
        if info.init_exact:
            _assert_bits(ep, tp, f"parameter {n}")
        else:
            assert dtype_name(ep) == dtype_name(tp) and ep.shape == tp.shape, n
    for (n, eb), (_, tb) in zip(e.named_buffers(), t.named_buffers()):
        _assert_bits(eb, tb, f"buffer {n}")


@pytest.mark.parametrize("info,case", CASES)
def test_forward_backward_match_torch(info, case):
    t = _build(torch, info, case)
    e = _build(ember, info, case)
    res = e.load_state_dict(_ember_state(t))
    assert repr(res) == "<All keys matched successfully>"
    tol = {"atol": case.atol, "rtol": case.rtol}
    t_out, t_in_grads, t_p_grads = _run(torch, t, case, True, True)
    e_out, e_in_grads, e_p_grads = _run(ember, e, case, True, True)
    assert_same(e_out, t_out, path="train output", **tol)
    if t_in_grads is not None:
        assert e_in_grads is not None, "ember output carries no gradient"
        assert_same(e_in_grads, t_in_grads, path="input grads", **tol)
        for (n, ge), (_, gt) in zip(e_p_grads, t_p_grads):
            if gt is None:
                assert ge is None, f"parameter {n}: ember has a grad, torch none"
            else:
                assert ge is not None, f"parameter {n}: no grad"
                assert_same(ge, gt, path=f"grad of {n}", **tol)
    # Buffers after a training forward (running statistics and the like).
    for (n, eb), (_, tb) in zip(e.named_buffers(), t.named_buffers()):
        assert_same(eb, tb, path=f"buffer {n} after forward", **tol)
    t_out, _, _ = _run(torch, t, case, False, False)
    e_out, _, _ = _run(ember, e, case, False, False)
    assert_same(e_out, t_out, path="eval output", **tol)


@pytest.mark.parametrize("info,case", CASES)
def test_state_dict_round_trip(info, case):
    t = _build(torch, info, case)
    e = _build(ember, info, case)
    e.load_state_dict(_ember_state(t))
    sd = e.state_dict()
    assert all(not v.requires_grad for v in sd.values() if isinstance(v, ember.Tensor))
    ember.manual_seed(123)
    fresh = _build(ember, info, case)
    with ember.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict(sd)
    for (n, a), (_, b) in zip(fresh.state_dict().items(), sd.items()):
        np.testing.assert_array_equal(as_numpy(a), as_numpy(b), err_msg=n)
    e_out, _, _ = _run(ember, e, case, False, False)
    f_out, _, _ = _run(ember, fresh, case, False, False)
    assert_same(f_out, _to_torch_like(e_out), path="output after round trip")


def _to_torch_like(x):
    """An ember output as torch tensors (to reuse assert_same between two ember results)."""
    if isinstance(x, ember.Tensor):
        a = as_numpy(x)
        t = torch.from_numpy(np.array(a, copy=True))
        name = dtype_name(x)
        return t if dtype_name(t) == name else t.to(getattr(torch, name))
    if isinstance(x, (list, tuple)):
        vals = [_to_torch_like(v) for v in x]
        return type(x)(*vals) if hasattr(x, "_fields") else type(x)(vals)
    return x
