"""nn.Module behaviour against torch: registration, traversal, state_dict/load_state_dict
(with torch's error texts), modes, conversions, hooks, printing, copying."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from tests.helpers import assert_same, same_scenario, torch_text


def _net(lib):
    """A small nested model built in either library, its weights from a seeded torch model."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.register_buffer("count", lib.zeros(1))
            self.register_buffer("scratch", lib.ones(2), persistent=False)

        def forward(self, x):
            return self.fc(x) * 2

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(4, 3)
            self.blocks = nn.ModuleList([Block(), Block()])
            self.head = nn.Sequential(OrderedDict(act=nn.Identity(), out=nn.Linear(3, 2)))
            self.scale = nn.Parameter(lib.ones(()))

        def forward(self, x):
            x = self.inp(x)
            for b in self.blocks:
                x = b(x)
            return self.head(x) * self.scale

    torch.manual_seed(0)
    ref = None
    if lib is ember:
        ref = _net(torch).state_dict()
    net = Net()
    if ref is not None:
        net.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in ref.items()})
    return net


def _x(lib, shape=(2, 4), seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return lib.from_numpy(a)


def test_printing_and_names():
    same_scenario(lambda lib: repr(_net(lib)))
    same_scenario(lambda lib: [n for n, _ in _net(lib).named_parameters()])
    same_scenario(lambda lib: [n for n, _ in _net(lib).named_buffers()])
    same_scenario(lambda lib: [n for n, _ in _net(lib).named_modules()])
    same_scenario(lambda lib: [n for n, _ in _net(lib).named_children()])
    same_scenario(lambda lib: [n for n, _ in _net(lib).named_parameters(prefix="m",
                                                                       recurse=False)])
    same_scenario(lambda lib: [n for n, _ in _net(lib).blocks.named_buffers(prefix="b")])
    same_scenario(lambda lib: [type(m).__name__ for m in _net(lib).modules()])
    same_scenario(lambda lib: list(_net(lib).state_dict()))
    same_scenario(lambda lib: list(_net(lib).state_dict(prefix="p.", keep_vars=True)))
    same_scenario(lambda lib: [type(v).__name__ for v in
                               _net(lib).state_dict(keep_vars=True).values()])
    same_scenario(lambda lib: list(_net(lib).state_dict()._metadata.items()))
    same_scenario(lambda lib: [k for k in dir(_net(lib)) if not k.startswith("_")])


def test_forward_and_grads_of_a_nested_model():
    def run(lib):
        net = _net(lib)
        y = net(_x(lib))
        (y * y).sum().backward()
        return [y] + [p.grad for p in net.parameters()]

    same_scenario(run)


def test_shared_modules_and_parameters():
    def run(lib):
        lib.manual_seed(0)
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lib.nn.ReLU() if hasattr(lib.nn, "ReLU") else
                                lib.nn.Identity(), lin)
        seq.extra = lib.nn.Parameter(lib.ones(1))
        seq.alias = seq.extra
        return [
            [n for n, _ in seq.named_modules()],
            [n for n, _ in seq.named_modules(remove_duplicate=False)],
            [n for n, _ in seq.named_parameters()],
            [n for n, _ in seq.named_parameters(remove_duplicate=False)],
            len(list(seq.parameters())), len(list(seq.children())), list(seq.state_dict()),
        ]

    same_scenario(run)


def test_registration_errors():
    def reg(fn):
        def scenario(lib):
            m = lib.nn.Linear(2, 2)
            return fn(lib, m)
        return scenario

    cases = [
        lambda lib, m: m.register_parameter("a.b", None),
        lambda lib, m: m.register_parameter("", None),
        lambda lib, m: m.register_parameter("training", None),
        lambda lib, m: m.register_parameter("p", lib.ones(2)),
        lambda lib, m: m.register_parameter(3, None),
        lambda lib, m: m.register_parameter("p", lib.nn.Parameter(lib.ones(2)) * 2),
        lambda lib, m: m.register_buffer("a.b", None),
        lambda lib, m: m.register_buffer("", None),
        lambda lib, m: m.register_buffer("weight", lib.ones(1)),
        lambda lib, m: m.register_buffer("b", 3),
        lambda lib, m: m.add_module("x", 3),
        lambda lib, m: m.add_module("a.b", lib.nn.Identity()),
        lambda lib, m: m.add_module("", lib.nn.Identity()),
        lambda lib, m: m.add_module("weight", lib.nn.Identity()),
        lambda lib, m: m.add_module(1, lib.nn.Identity()),
        lambda lib, m: setattr(m, "weight", lib.ones(2, 2)),
        lambda lib, m: m.nothing,
        lambda lib, m: m.get_submodule("a.b"),
        lambda lib, m: m.get_parameter("nothing"),
        lambda lib, m: m.get_parameter("training"),
        lambda lib, m: m.get_buffer("weight"),
        lambda lib, m: m.train("yes"),
        lambda lib, m: m.to(lib.int64),
        lambda lib, m: lib.nn.Module()(1),
        lambda lib, m: lib.nn.Module(unexpected=1),
        lambda lib, m: lib.nn.Module(1),
    ]
    for case in cases:
        same_scenario(reg(case), quiet=True)

    def with_child(lib):
        m = lib.nn.Sequential(lib.nn.Identity())
        m.register_buffer("buf", lib.ones(1))
        out = []
        for value in (lib.ones(1), 3):
            try:
                setattr(m, "0", value)
            except TypeError as e:
                out.append(str(e))
        try:
            m.buf = 3
        except TypeError as e:
            out.append(str(e))
        return out

    same_scenario(with_child)

    def before_init(lib):
        class Bad(lib.nn.Module):
            def __init__(self, what):
                if what == "p":
                    self.p = lib.nn.Parameter(lib.ones(1))
                elif what == "m":
                    self.m = lib.nn.Identity()
                else:
                    self.register_buffer("b", lib.ones(1))

        out = []
        for what in "pmb":
            try:
                Bad(what)
            except AttributeError as e:
                out.append(str(e))
        return out

    same_scenario(before_init)

    def no_super(lib):
        class X(lib.nn.Module):
            def __init__(self):
                pass

            def forward(self, x):
                return x

        return X()(1)

    same_scenario(no_super)


def test_attribute_assignment_moves_between_kinds():
    def run(lib):
        m = lib.nn.Module()
        m.x = lib.ones(1)  # a plain attribute
        m.x = lib.nn.Parameter(lib.ones(1))
        kinds = [list(m._parameters), list(m._buffers), "x" in m.__dict__]
        m.x = None  # stays a (None) parameter
        m.b = lib.nn.Buffer(lib.ones(2), persistent=False)
        m.b = lib.zeros(2)  # stays a non-persistent buffer
        m.sub = lib.nn.Identity()
        m.sub = None
        del m.b
        m.c = lib.nn.Buffer(lib.ones(1))
        return kinds + [list(m._parameters.items()), list(m._buffers), list(m._modules.items()),
                        list(m.state_dict()), m._non_persistent_buffers_set, repr(m)]

    same_scenario(run)


def test_state_dict_and_load_errors():
    def load(sd_fn, **kw):
        def scenario(lib):
            m = _net(lib)
            sd = m.state_dict()
            sd = sd_fn(lib, sd)
            res = m.load_state_dict(sd, **kw)
            return [repr(res), str(res), list(res.missing_keys), list(res.unexpected_keys)]
        return scenario

    def drop(lib, sd):
        del sd["inp.weight"], sd["blocks.1.count"]
        return sd

    def extra(lib, sd):
        sd["inp.extra"] = lib.ones(1)
        sd["blocks.0.fc.more"] = lib.ones(1)
        sd["nosuch.child.w"] = lib.ones(1)
        return sd

    def size(lib, sd):
        sd["inp.bias"] = lib.ones(5)
        sd["head.out.weight"] = lib.ones(1, 1)
        return sd

    def wrong_type(lib, sd):
        sd["inp.bias"] = [1.0, 2.0, 3.0]
        return sd

    def scalar_as_1(lib, sd):
        sd["scale"] = lib.full((1,), 3.0)
        return sd

    for fn in (drop, extra, size, wrong_type):
        same_scenario(load(fn))
        if fn is not size and fn is not wrong_type:
            same_scenario(load(fn, strict=False))
    same_scenario(load(scalar_as_1))
    same_scenario(load(lambda lib, sd: sd))
    same_scenario(lambda lib: _net(lib).load_state_dict([1, 2]))


def test_load_state_dict_copies_values_and_assign():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 2)
        w = m.weight
        m.load_state_dict({"weight": lib.ones(2, 2), "bias": lib.zeros(2)})
        same_object = m.weight is w
        values = [m.weight.detach().clone(), m.bias.detach().clone(), m.weight._version]
        new_w = lib.full((2, 2), 2.0)
        m.load_state_dict({"weight": new_w, "bias": lib.zeros(2)}, assign=True)
        return [same_object, type(m.weight).__name__, m.weight.requires_grad,
                m.weight.data_ptr() == new_w.data_ptr()] + values

    same_scenario(run)


def test_state_dict_values_are_detached_aliases():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 2)
        sd = m.state_dict()
        sd["weight"].fill_(3.0)
        return [sd["weight"].requires_grad, m.weight.detach().clone(),
                type(sd["weight"]).__name__]

    same_scenario(run)


def test_modes_grads_and_conversions():
    def run(lib):
        net = _net(lib)
        net.eval()
        flags = [m.training for m in net.modules()]
        net.blocks[0].train()
        flags += [m.training for m in net.modules()]
        net(_x(lib)).sum().backward()
        before = [p.grad is None for p in net.parameters()]
        net.zero_grad(set_to_none=False)
        zeros = [p.grad.abs().sum().item() for p in net.parameters()]
        net.zero_grad()
        after = [p.grad is None for p in net.parameters()]
        net.requires_grad_(False)
        rg = [p.requires_grad for p in net.parameters()]
        seen = []
        net.apply(lambda m: seen.append(type(m).__name__))
        return [flags, before, zeros, after, rg, seen]

    same_scenario(run)

    def convert(lib):
        net = _net(lib)
        p = net.inp.weight
        net(_x(lib)).sum().backward()
        out = []
        for call in (lambda: net.double(), lambda: net.to(lib.float16), lambda: net.float(),
                     lambda: net.to("cpu", lib.float64), lambda: net.to(lib.ones(1)),
                     lambda: net.bfloat16(), lambda: net.half(),
                     lambda: net.to(dtype=lib.float32), lambda: net.type(lib.float64),
                     lambda: net.cpu()):
            r = call()
            out.append([r is net, net.inp.weight is p, str(net.inp.weight.dtype),
                        str(net.inp.weight.grad.dtype), str(net.blocks[0].count.dtype),
                        type(net.inp.weight).__name__])
        return out

    same_scenario(convert)


def test_submodule_access():
    def run(lib):
        net = _net(lib)
        out = [type(net.get_submodule("blocks.1.fc")).__name__,
               tuple(net.get_parameter("blocks.0.fc.bias").shape),
               tuple(net.get_buffer("blocks.1.count").shape),
               net.get_submodule("") is net]
        net.set_submodule("head.act", lib.nn.Linear(3, 3))
        out.append(repr(net.head))
        return out

    same_scenario(run)


def test_forward_hooks():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        log = []

        def pre(mod, args):
            log.append(("pre", len(args)))
            return (args[0] * 2,)

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))
            return None

        def post(mod, args, out):
            log.append(("post", tuple(out.shape)))
            return out + 1

        def post_kw(mod, args, kwargs, out):
            log.append(("post_kw", len(args)))

        h1 = m.register_forward_pre_hook(pre)
        h2 = m.register_forward_pre_hook(pre_kw, with_kwargs=True, prepend=True)
        h3 = m.register_forward_hook(post)
        h4 = m.register_forward_hook(post_kw, with_kwargs=True)
        x = _x(lib, (2, 3))
        y1 = m(x)
        for h in (h1, h2, h3, h4):
            h.remove()
        y2 = m(x)
        return [log, y1, y2, len(m._forward_hooks), len(m._forward_pre_hooks_with_kwargs)]

    same_scenario(run)

    def always(lib):
        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        log = []
        m.register_forward_hook(lambda mod, a, out: log.append(out), always_call=True)
        try:
            m(1)
        except ValueError as e:
            log.append(str(e))
        return log

    same_scenario(always)


def test_full_backward_hooks():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        log = []

        def hook(mod, gin, gout):
            log.append(("hook", [g if g is None else g.clone() for g in gin],
                        [g.clone() for g in gout]))
            return (gin[0] * 3,)

        def pre(mod, gout):
            log.append(("pre", [g.clone() for g in gout]))
            return (gout[0] * 2,)

        m.register_full_backward_hook(hook)
        m.register_full_backward_pre_hook(pre)
        x = _x(lib, (2, 3)).requires_grad_()
        y = m(x)
        (y * _x(lib, (2, 2), 1)).sum().backward()
        # No input requiring grad: the hook still runs with grad_input (None,).
        m(_x(lib, (2, 3))).sum().backward()
        return [log, x.grad, m.weight.grad]

    same_scenario(run)

    def mixed(lib):
        m = lib.nn.Linear(2, 2)
        m.register_backward_hook(lambda *a: None)
        return m.register_full_backward_hook(lambda *a: None)

    same_scenario(mixed)


def test_containers():
    def run(lib):
        nn = lib.nn
        seq = nn.Sequential(nn.Linear(2, 3), nn.Identity(), nn.Linear(3, 1))
        out = [repr(seq[1:]), repr(seq[-1]), len(seq), [type(m).__name__ for m in seq]]
        seq.append(nn.Identity())
        seq.insert(1, nn.Flatten())
        seq.extend([nn.Identity()])
        out.append(repr(seq))
        del seq[0]
        out.append(list(seq._modules))
        out.append(repr(seq.pop(0)))
        out.append(repr(seq + nn.Sequential(nn.Identity())))
        out.append(repr(nn.Sequential(nn.Identity()) * 2))
        seq[0] = nn.Linear(1, 1)
        out.append(repr(seq))
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity()])
        out.append(repr(ml))
        out.append(repr(ml[1:3]))
        ml.insert(0, nn.Flatten())
        ml += [nn.Identity()]
        out.append(repr(ml))
        out.append(repr(nn.ModuleList()))
        md = nn.ModuleDict({"b": nn.Identity(), "a": nn.Linear(1, 1)})
        md["c"] = nn.Flatten()
        out.append([repr(md), list(md.keys()), "a" in md, len(md)])
        md.update([("z", nn.Identity())])
        out.append(repr(md.pop("b")))
        out.append(repr(md))
        pl = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3, 2), "x"])
        out.append([repr(pl), len(pl), [type(p).__name__ for p in pl]])
        pd = nn.ParameterDict({"w": lib.ones(2), "a": nn.Parameter(lib.zeros(1, 2))})
        pd["v"] = lib.ones(1, dtype=lib.float64)
        out.append([repr(pd), list(pd.keys()), [n for n, _ in pd.named_parameters()]])
        out.append(repr(nn.Unflatten(1, (2, 3))))
        out.append(repr(nn.Flatten(0, 2)))
        return out

    same_scenario(run)

    def errors(lib):
        nn = lib.nn
        out = []
        for call in (lambda: nn.Sequential(nn.Identity())[3],
                     lambda: nn.ModuleList([nn.Identity()])[-2],
                     lambda: nn.ModuleList().extend(3),
                     lambda: nn.Sequential() + 3,
                     lambda: nn.Sequential(nn.Identity()) * 0,
                     lambda: nn.ParameterList()(1),
                     lambda: nn.ParameterDict()[1],
                     lambda: nn.ModuleDict().update(3),
                     lambda: nn.Unflatten(1, 3),
                     lambda: nn.Unflatten(1, (2, 1.5))):
            try:
                call()
            except Exception as e:  # noqa: BLE001 - compared with torch
                out.append((type(e).__name__, torch_text(str(e)) if lib is torch else str(e)))
        return out

    same_scenario(errors)


def test_deepcopy_and_pickle():
    def run(lib):
        net = _net(lib)
        net(_x(lib)).sum().backward()
        c = copy.deepcopy(net)
        p = pickle.loads(pickle.dumps(net))
        same = [c.inp.weight is net.inp.weight, type(c.inp.weight).__name__,
                c.inp.weight.grad is not None]
        with lib.no_grad():
            net.inp.weight.add_(1.0)
        return same + [repr(c), repr(p), c(_x(lib)), p(_x(lib))]

    same_scenario(run)


def test_parameter_and_buffer_kinds():
    def run(lib):
        t = lib.ones(2, 3)
        p = lib.nn.Parameter(t)
        q = lib.nn.Parameter(t, requires_grad=False)
        b = lib.nn.Buffer(t, persistent=False)
        y = p * 2
        return [type(p).__name__, p.requires_grad, q.requires_grad, p.is_leaf,
                p.data_ptr() == t.data_ptr(), type(y).__name__, type(p.data).__name__,
                type(p.detach()).__name__, isinstance(b, lib.nn.Buffer), b.persistent,
                type(b).__name__, isinstance(t, lib.nn.Buffer), repr(lib.nn.Parameter()),
                isinstance(p, lib.Tensor), repr(copy.deepcopy(p)), type(p.clone()).__name__]

    same_scenario(run)
    same_scenario(lambda lib: lib.nn.Parameter(lib.ones(2, dtype=lib.int64)))


def test_load_torch_state_dict_values():
    torch.manual_seed(0)
    t = torch.nn.Linear(5, 4)
    e = ember.nn.Linear(5, 4)
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    assert_same(e(ember.from_numpy(x)), t(torch.from_numpy(x)))


@pytest.mark.parametrize("mode", [True, False])
def test_train_eval_flags_round_trip(mode):
    same_scenario(lambda lib: [m.training for m in _net(lib).train(mode).modules()])


def test_state_dict_hooks_and_global_forward_hooks():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 2)
        log = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", prefix)))
        m.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: log.append(("post", sorted(sd), dict(meta))))
        m.register_load_state_dict_post_hook(
            lambda mod, keys: log.append(("load", list(keys.missing_keys))))
        m.register_load_state_dict_pre_hook(
            lambda mod, sd, prefix, meta, strict, missing, unexpected, errors:
            log.append(("load_pre", prefix, sorted(sd))))
        sd = m.state_dict(prefix="p.")
        m.load_state_dict({"weight": sd["p.weight"]}, strict=False)
        mod = lib.nn.modules.module
        h1 = mod.register_module_forward_pre_hook(lambda md, a: log.append("gpre"))
        h2 = mod.register_module_forward_hook(lambda md, a, out: out * 0)
        try:
            y = lib.nn.Sequential(m)(lib.ones(1, 2))
        finally:
            h1.remove()
            h2.remove()
        return [log, y, m(lib.ones(1, 2))]

    same_scenario(run)
