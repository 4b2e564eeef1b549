"""ember.amp.GradScaler against torch.amp.GradScaler('cpu'), step by step.

Every scenario runs with both libraries and logs what a user can observe: the scale, the
growth tracker, step results, parameters and gradients after each call, state dicts and
error texts. Values must agree exactly (the scaler's arithmetic is float32 in both).
"""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
import torch

import ember

from .helpers import assert_same_error, compare_results, run_scenario, same_scenario

W0 = np.array([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]], np.float32)
B0 = np.array([0.1, -0.2], np.float32)
X = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0], [2.0, 1.0, 0.0]], np.float32)


def _params(lib, dtype=None):
    w = lib.tensor(W0, requires_grad=True)
    b = lib.tensor(B0, requires_grad=True)
    if dtype is not None:
        w = w.detach().to(dtype).requires_grad_()
        b = b.detach().to(dtype).requires_grad_()
    return w, b


def _loss(lib, w, b, poison=None):
    out = lib.tensor(X).to(w.dtype) @ w.t() + b
    loss = (out.float() ** 2).mean()
    if poison is not None:  # an overflow in the backward pass
        loss = loss * poison
    return loss


def _training(lib, steps, growth_interval=3, poison_at=(), nan_at=(), clip=None, dtype=None):
    w, b = _params(lib, dtype)
    # half params: a power-of-two lr keeps SGD's ``p.add_(buf, alpha=-lr)`` exact, so the
    # scenario tests the scaler, not the optimizer's half-precision rounding
    opt = lib.optim.SGD([w, b], lr=0.01 if dtype is None else 2**-7, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0**10, growth_factor=2.0,
                                backoff_factor=0.25, growth_interval=growth_interval)
    log = [scaler.get_scale(), scaler._get_growth_tracker(), scaler.state_dict()]
    for i in range(steps):
        opt.zero_grad()
        poison = math.inf if i in poison_at else math.nan if i in nan_at else None
        loss = _loss(lib, w, b, poison)
        scaled = scaler.scale(loss)
        scaled.backward()
        if clip is not None:
            scaler.unscale_(opt)
            log.append(w.grad.clone())
            norm = lib.nn.utils.clip_grad_norm_([w, b], clip)
            log.append(norm)
        ret = scaler.step(opt)
        log += [scaled.detach(), ret, w.detach().clone(), b.grad.clone()]
        scaler.update()
        log += [scaler.get_scale(), scaler._get_growth_tracker(), scaler.state_dict()]
    return log


@pytest.mark.parametrize("kw", [
    {"steps": 7},
    {"steps": 8, "poison_at": (1, 5)},
    {"steps": 6, "nan_at": (0, 2, 3)},
    {"steps": 6, "poison_at": (2,), "clip": 0.5},
    {"steps": 4, "growth_interval": 1},
    {"steps": 5, "poison_at": (1,), "dtype": "bfloat16"},
], ids=["growth", "inf", "nan", "clip", "interval1", "bf16"])
def test_training_steps_match_torch(kw):
    def scenario(lib):
        kw2 = dict(kw)
        if "dtype" in kw2:
            kw2["dtype"] = getattr(lib, kw2["dtype"])
        return _training(lib, **kw2)

    same_scenario(scenario)


def test_growth_stops_at_inf_scale():
    def scenario(lib):
        s = lib.amp.GradScaler("cpu", init_scale=2.0**126, growth_interval=1)
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.0)
        out = []
        for _ in range(4):
            opt.zero_grad()
            s.scale(w.sum() * 1e-30).backward()
            s.step(opt)
            s.update()
            out.append(s.get_scale())
        return out

    same_scenario(scenario)


def test_scale_nested_structures():
    def scenario(lib):
        s = lib.amp.GradScaler("cpu", init_scale=4.0)
        a, b = lib.ones(2), lib.full((3,), 0.5, dtype=lib.bfloat16)
        out = [s.scale(a), s.scale([a, (b, a)]), s.scale((a,)), list(s.scale(iter([a, b])))]
        out.append(str(s.scale(b).dtype))
        return out

    same_scenario(scenario)


def test_scale_errors():
    def bad(lib):
        return lib.amp.GradScaler("cpu").scale([lib.ones(1), 3])

    assert_same_error(lambda: bad(ember), lambda: bad(torch))


def _stage_error(lib, calls):
    w = lib.ones(2, requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1)
    s = lib.amp.GradScaler("cpu")
    for c in calls:
        if c == "scale":
            s.scale(w.sum()).backward()
        elif c == "closure":
            s.step(opt, closure=lambda: None)
        else:
            getattr(s, c)(opt) if c != "update" else s.update()


@pytest.mark.parametrize("calls", [
    ["scale", "unscale_", "unscale_"],
    ["scale", "step", "step"],
    ["scale", "step", "unscale_"],
    ["scale", "closure"],
    ["update"],
    ["step"],
    ["unscale_"],
    ["scale", "update"],
])
def test_stage_errors_match_torch(calls):
    assert_same_error(lambda: _stage_error(ember, calls), lambda: _stage_error(torch, calls))


def test_constructor_errors():
    for kw in ({"growth_factor": 1.0}, {"backoff_factor": 1.0}):
        assert_same_error(lambda kw=kw: ember.amp.GradScaler("cpu", **kw),
                          lambda kw=kw: torch.amp.GradScaler("cpu", **kw))


def test_fp16_grads_cannot_be_unscaled():
    def run(lib):
        w = lib.ones(2, dtype=lib.float16, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        s = lib.amp.GradScaler("cpu")
        s.scale(w.float().sum()).backward()
        s.step(opt)

    assert_same_error(lambda: run(ember), lambda: run(torch))


def test_step_passes_arguments_and_return_value():
    def scenario(lib):
        class Opt:
            def __init__(self, params):
                self.param_groups = [{"params": params}]
                self.calls = []

            def step(self, *args, **kwargs):
                self.calls.append((args, sorted(kwargs)))
                return "stepped"

        w = lib.ones(2, requires_grad=True)
        opt = Opt([w, lib.zeros(1, requires_grad=True)])  # a param without grad is skipped
        s = lib.amp.GradScaler("cpu")
        s.scale(w.sum()).backward()
        r1 = s.step(opt, 1, 2, foo=3)
        s.update()
        w.grad.fill_(float("inf"))
        s.scale(w.sum())
        r2 = s.step(opt)
        s.update()
        return [r1, r2, str(opt.calls), s.get_scale(), w.grad]

    same_scenario(scenario)


def test_update_with_new_scale():
    def scenario(lib):
        s = lib.amp.GradScaler("cpu")
        w = lib.ones(2, requires_grad=True)
        s.scale(w.sum())
        s.update(8.0)
        out = [s.get_scale()]
        s.update(lib.tensor(3.0))
        out.append(s.get_scale())
        try:
            s.update(lib.tensor([1.0, 2.0]))
        except AssertionError as e:
            out.append(str(e))
        return out

    same_scenario(scenario)


def test_state_dict_round_trip_and_pickle():
    def scenario(lib):
        a = lib.amp.GradScaler("cpu", init_scale=16.0, growth_interval=2)
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            a.scale(w.sum()).backward()
            a.step(opt)
            a.update()
        sd = a.state_dict()
        b = lib.amp.GradScaler("cpu")
        b.load_state_dict(sd)
        c = lib.amp.GradScaler("cpu")
        c.scale(w.sum())
        c.load_state_dict(sd)
        d = pickle.loads(pickle.dumps(a))
        e = copy.deepcopy(a)
        out = [sd, b.state_dict(), c.state_dict(), d.state_dict(), e.get_scale()]
        b.set_growth_factor(3.0)
        b.set_backoff_factor(0.125)
        b.set_growth_interval(7)
        out += [b.get_growth_factor(), b.get_backoff_factor(), b.get_growth_interval(),
                b.is_enabled()]
        return out

    same_scenario(scenario)


def test_load_empty_state_dict_and_pickle_mid_iteration():
    def empty(lib):
        lib.amp.GradScaler("cpu").load_state_dict({})

    assert_same_error(lambda: empty(ember), lambda: empty(torch))

    def mid(lib):
        s = lib.amp.GradScaler("cpu")
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        s.scale(w.sum()).backward()
        s.unscale_(opt)
        pickle.dumps(s)

    assert_same_error(lambda: mid(ember), lambda: mid(torch))


def test_disabled_scaler():
    def scenario(lib):
        s = lib.amp.GradScaler("cpu", enabled=False)
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        loss = w.sum()
        scaled = s.scale(loss)
        scaled.backward()
        r = s.step(opt)
        s.update()
        s.unscale_(opt)
        s.load_state_dict({})
        return [scaled is loss, r, w, s.get_scale(), s.state_dict(), s.is_enabled(),
                s._get_growth_tracker()]

    same_scenario(scenario)


def test_cuda_scaler_warns_and_disables():
    def run(lib, deprecated):
        return lambda: (lib.cuda.amp.GradScaler() if deprecated else
                        lib.amp.GradScaler()).is_enabled()

    import warnings

    for deprecated in (False, True):
        res = {}
        for lib in (ember, torch):
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                res[lib] = (run(lib, deprecated)(),
                            [(w.category.__name__, str(w.message).replace("torch.", "ember."))
                             for w in rec])
        assert res[ember] == res[torch]
        assert res[ember][0] is False


def test_cpu_deprecated_alias():
    e, t = run_scenario(lambda lib: lib.cpu.amp.GradScaler(init_scale=8.0).state_dict(),
                        quiet=True)
    compare_results(e, t)


@pytest.mark.parametrize("opt", ["SGD", "Adam", "Adagrad"])
def test_fused_optimizer_under_grad_scaler(opt):
    """fused=True runs ember's single-tensor step, so GradScaler unscales the gradients and
    skips steps with inf itself: the parameters follow torch's fused step (within float32
    rounding) and stay put on an overflow."""

    def run(lib):
        lib.manual_seed(0)
        w = lib.nn.Parameter(lib.randn(4, 3))
        o = getattr(lib.optim, opt)([w], lr=0.1, fused=True)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0**8)
        out = []
        for step in range(4):
            o.zero_grad()
            loss = (w * w).sum() * (float("inf") if step == 2 else 1.0)
            scaler.scale(loss).backward()
            scaler.step(o)
            scaler.update()
            out.append(w.detach().clone().numpy())
        return out, scaler.get_scale()

    (e, es), (t, ts) = run(ember), run(torch)
    assert es == ts
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(e[2], e[1])  # the overflow step was skipped
