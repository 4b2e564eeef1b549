"""ember.optim.lr_scheduler against torch's: learning rates bit for bit, state dicts, warnings."""

from __future__ import annotations

import warnings

import pytest
import torch

import ember
import ember.optim
from tests.helpers import assert_same_error, torch_text


def _opt(lib, name="SGD", groups=2, **kw):
    ps = [{"params": [lib.ones(2, requires_grad=True)], "lr": 0.1 * (i + 1)} for i in range(groups)]
    kw.setdefault("lr", 0.1)
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(ps, **kw)


def _mult(epoch):
    return 0.95


class _Lambda:  # a callable object: its __dict__ goes into the state dict
    def __init__(self, k):
        self.k = k

    def __call__(self, epoch):
        return self.k**epoch


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1)),
    "LambdaLR_obj": lambda S, o: S.LambdaLR(o, lr_lambda=[_Lambda(0.9), _Lambda(0.8)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lr_lambda=_mult),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=6),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.3, total_iters=4),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=8, power=1.7),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=40),
    "OneCycleLR_3": lambda S, o: S.OneCycleLR(
        o, max_lr=[1.0, 0.5], total_steps=40, three_phase=True, anneal_strategy="linear"
    ),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR_tri2": lambda S, o: S.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2"
    ),
    "CyclicLR_exp": lambda S, o: S.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.97
    ),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01
    ),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o,
        [S.LinearLR(o, start_factor=0.1, total_iters=3), S.ExponentialLR(o, gamma=0.9)],
        milestones=[4],
    ),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.9)]
    ),
}


def _state(sd):
    """A scheduler state dict with nested state dicts and non-comparable values normalised."""
    out = {}
    for k, v in sd.items():
        if k == "_schedulers":
            v = [_state(s) for s in v]
        out[k] = v
    return out


def _run(lib, key, steps, optimizer="SGD"):
    opt = _opt(lib, optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = SCHEDULERS[key](lib.optim.lr_scheduler, opt)
    lrs = [sched.get_last_lr()]
    moms = []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        moms.append([g.get("momentum", g.get("betas")) for g in opt.param_groups])
    return lrs, moms, [g["lr"] for g in opt.param_groups], sched


@pytest.mark.parametrize("key", sorted(SCHEDULERS))
def test_scheduler_values_match_torch(key):
    steps = 39 if key.startswith("OneCycle") else 60
    te = _run(ember, key, steps)
    tt = _run(torch, key, steps)
    assert te[0] == tt[0]  # learning rates, exactly
    assert te[1] == tt[1]  # momentum cycling
    assert te[2] == tt[2]
    se, st = _state(te[3].state_dict()), _state(tt[3].state_dict())
    assert se.keys() == st.keys()
    for k in st:
        if k in ("lr_lambdas", "_scale_fn_ref", "_schedulers"):
            continue
        assert se[k] == st[k], k


@pytest.mark.parametrize("key", ["CyclicLR", "OneCycleLR"])
def test_beta1_cycling_with_adam(key):
    te = _run(ember, key, 30, optimizer="Adam")
    tt = _run(torch, key, 30, optimizer="Adam")
    assert te[:3] == tt[:3]


@pytest.mark.parametrize(
    "key", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
            "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts", "LambdaLR"],
)  # fmt: skip
def test_closed_form_with_epoch(key):
    res = []
    for lib in (ember, torch):
        opt = _opt(lib)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = SCHEDULERS[key](lib.optim.lr_scheduler, opt)
            out = []
            for epoch in [1, 2, 5, 3, 8, 13, 20, 7]:
                opt.step()
                sched.step(epoch)
                out.append(sched.get_last_lr())
        res.append(out)
    assert res[0] == res[1]


def test_reduce_lr_on_plateau():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.2] * 3
    for kw in (
        {"patience": 2},
        {"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2, "min_lr": [0.01, 0.02]},
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 0, "eps": 1e-3},
    ):
        res = []
        for lib in (ember, torch):
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
            out = []
            for m in metrics:
                opt.step()
                sched.step(m)
                out.append(sched.get_last_lr())
            sd = sched.state_dict()
            res.append((out, {k: v for k, v in sd.items() if k != "optimizer"}))
        assert res[0] == res[1]


def test_state_dict_round_trip():
    for key in ("StepLR", "CosineAnnealingLR", "LambdaLR_obj", "SequentialLR", "OneCycleLR"):
        _, _, _, sched = _run(torch, key, 10)
        tsd = sched.state_dict()
        opt = _opt(ember)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            es = SCHEDULERS[key](ember.optim.lr_scheduler, opt)
        es.load_state_dict(tsd)
        for g, lr in zip(opt.param_groups, sched.get_last_lr()):
            g["lr"] = lr
        lrs_e, lrs_t = [], []
        for _ in range(10):
            opt.step()
            sched.optimizer.step()
            es.step()
            sched.step()
            lrs_e.append(es.get_last_lr())
            lrs_t.append(sched.get_last_lr())
        assert lrs_e == lrs_t, key


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [torch_text(str(x.message)) for x in w]


def test_warnings():
    def before(lib):
        def f():
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.StepLR(opt, 2)
            sched.step()
            sched.get_lr()
            sched.step(3)

        return f

    we, wt = _warnings_of(before(ember)), _warnings_of(before(torch))
    assert we == wt and len(wt) == 3

    def overridden(lib):
        def f():
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
            opt.step = lambda: None
            sched.step()

        return f

    assert _warnings_of(overridden(ember)) == _warnings_of(overridden(torch))

    def in_order(lib):
        def f():
            opt = _opt(lib)
            sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.9)
            opt.step()
            sched.step()

        return f

    assert _warnings_of(in_order(ember)) == _warnings_of(in_order(torch)) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda S, o: S.StepLR("not an optimizer", 3),
        lambda S, o: S.StepLR(o, 3, last_epoch=4),
        lambda S, o: S.LambdaLR(o, [lambda e: 1.0]),
        lambda S, o: S.MultiplicativeLR(o, 3),
        lambda S, o: S.ConstantLR(o, factor=2.0),
        lambda S, o: S.LinearLR(o, start_factor=0),
        lambda S, o: S.LinearLR(o, end_factor=2),
        lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda S, o: S.OneCycleLR(o, max_lr=1.0),
        lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=2),
        lambda S, o: S.OneCycleLR(o, max_lr=[1.0], total_steps=10),
        lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="x"),
        lambda S, o: S.CyclicLR(o, 0.1, 1.0, mode="x"),
        lambda S, o: S.ReduceLROnPlateau(o, factor=1.0),
        lambda S, o: S.ReduceLROnPlateau(o, mode="x"),
        lambda S, o: S.ReduceLROnPlateau(o, min_lr=[0.1]),
        lambda S, o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
        lambda S, o: S.SequentialLR(o, [], milestones=[]),
        lambda S, o: S.ChainedScheduler([S.StepLR(o, 2), S.ReduceLROnPlateau(o)]),
    ],
)
def test_errors(make):
    assert_same_error(
        lambda: make(ember.optim.lr_scheduler, _opt(ember)),
        lambda: make(torch.optim.lr_scheduler, _opt(torch)),
    )


def test_one_cycle_too_many_steps():
    def run(lib):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()

    assert_same_error(lambda: run(ember), lambda: run(torch))
