"""ember.optim against torch.optim: step-by-step values, state, state dicts, errors, repr."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim
from tests.helpers import assert_same_error

SHAPES = [(7, 5), (5,), (3, 4, 2), ()]

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "maximize": True, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1,
                 "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "maximize": True, "eps": 1e-6}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "betas": (0.8, 0.9)}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.7), "step_sizes": (1e-3, 0.2), "maximize": True}),
]  # fmt: skip

# No square root in the update: torch's CPU arithmetic is reproduced bit for bit. The others take
# torch.sqrt, which is MKL's (not correctly rounded), so they agree to about an ulp.
BIT_EXACT = {"SGD", "Adamax", "Rprop"}
TOL = {np.float32: (2e-5, 1e-6), np.float64: (1e-12, 1e-14)}


def _ids(configs):
    return [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in configs]


def _pair(name, kw, init, groups=False):
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    ep = [ember.tensor(a.copy(), requires_grad=True) for a in init]
    if groups:  # two groups, the second with its own lr
        tp = [{"params": tp[:2]}, {"params": tp[2:], "lr": 0.05}]
        ep = [{"params": ep[:2]}, {"params": ep[2:], "lr": 0.05}]
    return getattr(torch.optim, name)(tp, **kw), getattr(ember.optim, name)(ep, **kw)


def _params(opt):
    return [p for g in opt.param_groups for p in g["params"]]


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach()._data


def _close(e, t, exact, dtype, what):
    a, b = _np(e), _np(t)
    assert a.dtype == b.dtype and a.shape == b.shape, what
    if exact:
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        rtol, atol = TOL[dtype]
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def _set_grads(rng, to, eo, dtype, skip=None):
    for i, (a, b) in enumerate(zip(_params(to), _params(eo))):
        if skip is not None and i == skip:
            a.grad = b.grad = None
            continue
        g = rng.standard_normal(a.shape).astype(dtype)
        a.grad = torch.tensor(g.copy())
        b.grad = ember.tensor(g.copy())


def _compare(to, eo, exact, dtype, where):
    for i, (a, b) in enumerate(zip(_params(to), _params(eo))):
        _close(b, a, exact, dtype, f"{where} param {i}")
        ts, es = to.state.get(a, {}), eo.state.get(b, {})
        assert sorted(ts) == sorted(es), f"{where} state keys {sorted(es)} != {sorted(ts)}"
        for k in ts:
            if isinstance(ts[k], torch.Tensor):
                _close(es[k], ts[k], exact or k == "step", dtype, f"{where} state {i} {k}")
            else:
                assert es[k] == ts[k]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(("name", "kw"), CONFIGS, ids=_ids(CONFIGS))
def test_steps_match_torch(name, kw, dtype):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    to, eo = _pair(name, kw, init, groups=name in ("SGD", "Adam"))
    exact = name in BIT_EXACT
    for step in range(50):
        # Every 7th step one parameter has no gradient (it is skipped).
        _set_grads(rng, to, eo, dtype, skip=1 if step % 7 == 3 else None)
        to.step()
        eo.step()
        if step % 10 == 0 or step == 49:
            _compare(to, eo, exact, dtype, f"step {step}")
    # In-place ops bump version counters as torch's do.
    assert [p._version for p in _params(eo)] == [p._version for p in _params(to)]


def test_adam_bitwise_on_most_elements():
    # Adam's only inexact op is MKL's sqrt: nearly every float32 element is bit-identical.
    rng = np.random.default_rng(1)
    init = [rng.standard_normal((64, 64)).astype(np.float32)]
    to, eo = _pair("Adam", {"lr": 0.01}, init)
    for _ in range(20):
        _set_grads(rng, to, eo, np.float32)
        to.step()
        eo.step()
    same = np.mean(_np(_params(eo)[0]) == _np(_params(to)[0]))
    assert same > 0.97


# ------------------------------------------------------------------------------ state dicts
def _to_torch_sd(x):
    if isinstance(x, ember.Tensor):
        return torch.from_numpy(np.array(x._data, copy=True))
    if isinstance(x, dict):
        return {k: _to_torch_sd(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_to_torch_sd(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_to_torch_sd(v) for v in x)
    return x


def _to_ember_sd(x):
    if isinstance(x, torch.Tensor):
        return ember.tensor(x.numpy().copy())
    if isinstance(x, dict):
        return {k: _to_ember_sd(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_to_ember_sd(v) for v in x]
    if isinstance(x, tuple):
        return tuple(_to_ember_sd(v) for v in x)
    return x


def _assert_same_sd(e, t, path="sd"):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), path
        assert str(e.dtype) == str(t.dtype).replace("torch", "ember"), path
        assert tuple(e.shape) == tuple(t.shape), path
        np.testing.assert_allclose(_np(e), _np(t), rtol=2e-5, atol=1e-6, err_msg=path)
    elif isinstance(t, dict):
        assert isinstance(e, dict) and list(e) == list(t), f"{path}: {list(e)} != {list(t)}"
        for k in t:
            _assert_same_sd(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), path
        for i, (a, b) in enumerate(zip(e, t)):
            _assert_same_sd(a, b, f"{path}[{i}]")
    else:
        assert type(e) is type(t) and e == t, f"{path}: {e!r} != {t!r}"


SD_CONFIGS = [(n, kw) for n, kw in CONFIGS if n != "SGD" or kw.get("momentum")]


@pytest.mark.parametrize(("name", "kw"), SD_CONFIGS[::2], ids=_ids(SD_CONFIGS[::2]))
def test_state_dict_structure_and_round_trip(name, kw):
    rng = np.random.default_rng(2)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    to, eo = _pair(name, kw, init, groups=True)
    _assert_same_sd(eo.state_dict(), to.state_dict())  # before any step
    for _ in range(3):
        _set_grads(rng, to, eo, np.float32)
        to.step()
        eo.step()
    tsd, esd = to.state_dict(), eo.state_dict()
    _assert_same_sd(esd, tsd)

    # torch's state dict loaded into a fresh ember optimizer continues exactly as torch does.
    cur = [_np(p).copy() for p in _params(to)]
    to2, eo2 = _pair(name, kw, cur, groups=True)
    to2.load_state_dict(copy.deepcopy(tsd))
    eo2.load_state_dict(_to_ember_sd(tsd))
    _assert_same_sd(eo2.state_dict(), to2.state_dict())
    # ... and ember's state dict loads into torch.
    to3, _ = _pair(name, kw, cur, groups=True)
    to3.load_state_dict(_to_torch_sd(eo.state_dict()))
    for _ in range(3):
        g_rng = np.random.default_rng(3)
        _set_grads(g_rng, to2, eo2, np.float32)
        _set_grads(np.random.default_rng(3), to3, eo2, np.float32)
        to2.step()
        to3.step()
        eo2.step()
    _compare(to2, eo2, name in BIT_EXACT, np.float32, "after load")
    _compare(to3, eo2, name in BIT_EXACT, np.float32, "torch after loading ember's")


def test_state_dict_float64_default_dtype_step():
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        to, eo = _pair("Adam", {}, [np.ones(3)])
        _set_grads(np.random.default_rng(0), to, eo, np.float64)
        to.step()
        eo.step()
        _assert_same_sd(eo.state_dict(), to.state_dict())
    finally:
        ember.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


def test_load_state_dict_errors():
    to, eo = _pair("SGD", {"lr": 0.1}, [np.ones(2, np.float32), np.ones(3, np.float32)])
    bad = {"state": {}, "param_groups": []}
    assert_same_error(lambda: eo.load_state_dict(bad), lambda: to.load_state_dict(bad))
    bad = {"state": {}, "param_groups": [{**to.state_dict()["param_groups"][0], "params": [0]}]}
    assert_same_error(lambda: eo.load_state_dict(bad), lambda: to.load_state_dict(bad))


# ------------------------------------------------------------------------------ API
def test_repr_and_param_groups():
    for name, kw in CONFIGS[::3]:
        to, eo = _pair(name, kw, [np.ones(2, np.float32)])
        assert repr(eo) == repr(to)
        te = {k: v for k, v in eo.param_groups[0].items() if k != "params"}
        tt = {k: v for k, v in to.param_groups[0].items() if k != "params"}
        assert te == tt


def test_add_param_group_and_errors():
    t = [torch.ones(2, requires_grad=True)]
    e = [ember.ones(2, requires_grad=True)]
    to, eo = torch.optim.SGD(t, lr=0.1), ember.optim.SGD(e, lr=0.1)
    to.add_param_group({"params": torch.ones(3, requires_grad=True), "lr": 0.5})
    eo.add_param_group({"params": ember.ones(3, requires_grad=True), "lr": 0.5})
    assert repr(eo) == repr(to)
    assert_same_error(
        lambda: eo.add_param_group({"params": e}), lambda: to.add_param_group({"params": t})
    )
    assert_same_error(lambda: eo.add_param_group([1]), lambda: to.add_param_group([1]))
    assert_same_error(
        lambda: eo.add_param_group({"params": set(e)}),
        lambda: to.add_param_group({"params": set(t)}),
    )
    assert_same_error(
        lambda: eo.add_param_group({"params": [1.0]}), lambda: to.add_param_group({"params": [1.0]})
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.optim.SGD([], lr=0.1),
        lambda lib: lib.optim.SGD(lib.ones(2), lr=0.1),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=-1.0),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1, momentum=-1),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1, nesterov=True),
        lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], weight_decay=-1),
        lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(1.0, 0.9)),
        lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(0.9, 1.5)),
        lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], eps=-1.0),
        lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)], betas=(0.9, 1)),
        lambda lib: lib.optim.AdamW([lib.ones(2, requires_grad=True)], lr=-0.1),
        lambda lib: lib.optim.RMSprop([lib.ones(2, requires_grad=True)], alpha=-0.1),
        lambda lib: lib.optim.Adagrad([lib.ones(2, requires_grad=True)], lr_decay=-0.1),
        lambda lib: lib.optim.Adagrad(
            [lib.ones(2, requires_grad=True)], initial_accumulator_value=-1
        ),
        lambda lib: lib.optim.Adamax([lib.ones(2, requires_grad=True)], betas=(0.9, -1.0)),
        lambda lib: lib.optim.NAdam([lib.ones(2, requires_grad=True)], momentum_decay=-1.0),
        lambda lib: lib.optim.SGD([{"params": [lib.ones(2, requires_grad=True)], "x": 1}, 3]),
    ],
)
def test_constructor_errors(make):
    assert_same_error(lambda: make(ember), lambda: make(torch))


def test_duplicate_params_warn():
    for lib in (torch, ember):
        p = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def test_named_params():
    tp = [("a", torch.ones(2, requires_grad=True)), ("b", torch.ones(1, requires_grad=True))]
    ep = [("a", ember.ones(2, requires_grad=True)), ("b", ember.ones(1, requires_grad=True))]
    to, eo = torch.optim.Adam(tp), ember.optim.Adam(ep)
    assert eo.param_groups[0]["param_names"] == ["a", "b"]
    _assert_same_sd(eo.state_dict(), to.state_dict())
    assert_same_error(
        lambda: eo.add_param_group({"params": [ember.ones(1, requires_grad=True)]}),
        lambda: to.add_param_group({"params": [torch.ones(1, requires_grad=True)]}),
    )


def test_zero_grad():
    for set_to_none in (True, False):
        p = ember.ones(3, requires_grad=True)
        opt = ember.optim.SGD([p], lr=0.1)
        (p * 2).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is g and g.tolist() == [0.0, 0.0, 0.0]


def test_closure_hooks_and_grad_mode():
    p = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = ember.optim.SGD([p], lr=0.5)
    calls = []

    def closure():
        calls.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    with ember.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0 and calls == ["pre", True, "post"]
    assert p.tolist() == [0.0, 0.0]
    h1.remove()
    h2.remove()
    opt.step(closure)
    assert calls == ["pre", True, "post", True]


def test_parameters_of_a_module_and_training_loop_match():
    import ember.nn as enn

    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal((8, 1)).astype(np.float32)
    w = rng.standard_normal((1, 4)).astype(np.float32)
    res = {}
    for lib, nn in ((torch, torch.nn), (ember, enn)):
        lin = nn.Linear(4, 1)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
            lin.bias.zero_()
        opt = lib.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
        for _ in range(10):
            opt.zero_grad()
            loss = ((lin(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
            loss.backward()
            opt.step()
        res[lib] = _np(lin.weight).copy()
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-5, atol=1e-6)


def test_no_warning_from_step():
    p = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([p])
    p.grad = ember.ones(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize(("name", "kw"), CONFIGS[1::3], ids=_ids(CONFIGS[1::3]))
def test_half_precision_params(name, kw, dtype):
    # Half types compute in float32 as torch does; torch's scalar tail loop (the last
    # n % 64 elements) rounds after every op, so a few elements may differ by an ulp.
    if name != "SGD":  # eps=1e-8 underflows in float16
        kw = {**kw, "eps": 1e-3}
    rng = np.random.default_rng(4)
    a = rng.standard_normal(300).astype(np.float32)
    tp = torch.tensor(a).to(getattr(torch, dtype)).requires_grad_()
    ep = ember.tensor(a).to(getattr(ember, dtype)).requires_grad_()
    to, eo = getattr(torch.optim, name)([tp], **kw), getattr(ember.optim, name)([ep], **kw)
    for _ in range(10):
        g = rng.standard_normal(300).astype(np.float32)
        tp.grad = torch.tensor(g).to(tp.dtype)
        ep.grad = ember.tensor(g).to(ep.dtype)
        to.step()
        eo.step()
    assert str(ep.dtype) == str(tp.dtype).replace("torch", "ember")
    x, y = tp.detach().float().numpy(), ep.detach().float().numpy()
    np.testing.assert_allclose(y, x, rtol=2e-2, atol=2e-2)
    assert np.mean(x == y) > 0.8


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_matches_torch(line_search_fn):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((12, 4))
    b = rng.standard_normal(12)
    w0 = rng.standard_normal(4)
    out = {}
    for lib in (torch, ember):
        w = lib.tensor(w0.copy(), requires_grad=True)
        c = lib.tensor(0.5, requires_grad=True)
        A, B = lib.tensor(a), lib.tensor(b)
        opt = lib.optim.LBFGS([w, c], lr=0.8, max_iter=7, history_size=3,
                              line_search_fn=line_search_fn)  # fmt: skip

        def closure():
            opt.zero_grad()
            loss = ((A @ w + c - B) ** 2).mean() + (w**4).sum() * 0.01
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(3)]
        st = opt.state[w]
        out[lib] = (losses, _np(w).copy(), c.item(), st["func_evals"], st["n_iter"])
    (le, we, ce, fe, ne), (lt, wt, ct, ft, nt) = out[ember], out[torch]
    np.testing.assert_allclose(le, lt, rtol=1e-10)
    np.testing.assert_allclose(we, wt, rtol=1e-9, atol=1e-12)
    assert abs(ce - ct) < 1e-9 and (fe, ne) == (ft, nt)


@pytest.mark.parametrize(
    "name", ["Adam", "AdamW", "NAdam", "RMSprop", "RAdam", "Adadelta", "Adamax"]
)
def test_capturable_on_cpu_errors(name):
    def run(lib):
        p = lib.ones(2, requires_grad=True)
        p.grad = lib.ones(2)
        getattr(lib.optim, name)([p], capturable=True).step()

    assert_same_error(lambda: run(ember), lambda: run(torch))


def test_swa_utils_match_torch():
    import ember.nn  # noqa: F401

    def run(lib):
        lib.manual_seed(0)
        nn, swa_utils = lib.nn, lib.optim.swa_utils
        m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
        x = lib.tensor(np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32))
        swa = swa_utils.AveragedModel(m)
        ema = swa_utils.AveragedModel(m, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
        ema2 = swa_utils.AveragedModel(m, avg_fn=swa_utils.get_ema_avg_fn(0.8), use_buffers=True)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
        lrs = []
        for _ in range(5):
            opt.zero_grad()
            m(x).pow(2).mean().backward()
            opt.step()
            for avg in (swa, ema, ema2):
                avg.update_parameters(m)
            sched.step()
            lrs.append(sched.get_last_lr())
        swa_utils.update_bn([x, x * 2], swa)
        tensors = [*swa.parameters(), *swa.buffers(), *ema.parameters(), *ema2.parameters()]
        return [_np(t).copy() for t in tensors] + [_np(swa(x))], lrs, swa.n_averaged.item()

    (te, le, ne), (tt, lt, nt) = run(ember), run(torch)
    assert le == lt and ne == nt
    for a, b in zip(te, tt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
