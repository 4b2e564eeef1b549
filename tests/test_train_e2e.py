"""End to end: the same model, weights and batches trained under ember and torch give the same
losses step after step, and the main job (examples/train_digits.py) runs."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _digits_cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 4 * 4, 32), nn.ReLU(), nn.Linear(32, 10))


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))


def _optimizer(lib, name, params):
    if name == "sgd":
        return lib.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-4)
    if name == "adamw":
        return lib.optim.AdamW(params, lr=1e-2)
    return lib.optim.Adam(params, lr=1e-2)


@pytest.mark.parametrize("build,shape", [(_mlp, (16, 64)), (_digits_cnn, (16, 1, 8, 8))],
                         ids=["mlp", "cnn"])
@pytest.mark.parametrize("opt", ["sgd", "adam", "adamw"])
def test_same_losses_as_torch(build, shape, opt):
    rng = np.random.default_rng(1)
    batches = [(rng.standard_normal(shape, dtype=np.float32), rng.integers(0, 10, shape[0]))
               for _ in range(8)]
    torch.manual_seed(0)
    tmodel = build(torch)
    emodel = build(ember)
    emodel.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy())
                            for k, v in tmodel.state_dict().items()})
    topt = _optimizer(torch, opt, tmodel.parameters())
    eopt = _optimizer(ember, opt, emodel.parameters())
    tlosses, elosses = [], []
    for x, y in batches:
        for lib, model, o, losses in ((torch, tmodel, topt, tlosses),
                                      (ember, emodel, eopt, elosses)):
            o.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)),
                                                   lib.from_numpy(y.astype(np.int64)))
            loss.backward()
            o.step()
            losses.append(loss.item())
    np.testing.assert_allclose(elosses, tlosses, rtol=2e-5, atol=2e-6)
    for (tn, tp), (en, ep) in zip(tmodel.named_parameters(), emodel.named_parameters()):
        assert tn == en
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)


def test_main_job_runs(tmp_path, capsys):
    """Two epochs of the digits example on ember: it learns, and torch loads its checkpoint."""
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        import train_digits
    finally:
        sys.path.pop(0)
    acc = train_digits.main(["--epochs", "2", "--out", str(tmp_path), "--no-progress"])
    assert acc > 0.8
    out = capsys.readouterr().out
    assert "test accuracy:" in out
    ckpt = torch.load(tmp_path / "digits_cnn.pt")
    assert set(ckpt) == {"model", "optimizer", "epoch", "test_acc"}
    assert ckpt["model"]["conv1.weight"].shape == (16, 1, 3, 3)
    png = tmp_path / "curves.png"
    assert (png.exists() and png.stat().st_size > 0) or "matplotlib is not installed" in out


def test_checkpoint_round_trip_between_libraries(tmp_path):
    """Train a few steps in torch, save; load in ember, continue, save; load in torch: the
    weights and optimizer state carry over and ember's continued training matches torch's."""
    rng = np.random.default_rng(2)
    batches = [(rng.standard_normal((16, 1, 8, 8), dtype=np.float32),
                rng.integers(0, 10, 16).astype(np.int64)) for _ in range(6)]

    def train(lib, model, opt, data):
        losses = []
        for x, y in data:
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.from_numpy(x)), lib.from_numpy(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    torch.manual_seed(0)
    tmodel = _digits_cnn(torch)
    topt = torch.optim.Adam(tmodel.parameters(), lr=1e-2)
    train(torch, tmodel, topt, batches[:3])
    torch.save({"model": tmodel.state_dict(), "opt": topt.state_dict()}, tmp_path / "a.pt")

    ckpt = ember.load(tmp_path / "a.pt")
    emodel = _digits_cnn(ember)
    emodel.load_state_dict(ckpt["model"])
    eopt = ember.optim.Adam(emodel.parameters(), lr=1e-2)
    eopt.load_state_dict(ckpt["opt"])
    elosses = train(ember, emodel, eopt, batches[3:])
    tlosses = train(torch, tmodel, topt, batches[3:])  # torch continues alongside
    np.testing.assert_allclose(elosses, tlosses, rtol=2e-5, atol=2e-6)
    ember.save({"model": emodel.state_dict(), "opt": eopt.state_dict()}, tmp_path / "b.pt")

    back = torch.load(tmp_path / "b.pt")
    t2 = _digits_cnn(torch)
    t2.load_state_dict(back["model"])
    topt2 = torch.optim.Adam(t2.parameters(), lr=1e-2)
    topt2.load_state_dict(back["opt"])
    assert back["opt"]["state"][0]["step"].item() == 6
    for (n, p), (_, q) in zip(t2.named_parameters(), tmodel.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=n)
