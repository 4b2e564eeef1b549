"""Training-step speed: ember vs torch on the same model, weights and data, interleaved.

    python benchmarks/bench_train.py [--rounds N] [--cpu]

A step is forward, loss, backward and the optimizer's update. Reported: the best time per step
of each library and the ratio ember/torch (below 1.0 means ember is faster). The machine is
shared and noisy: compare ratios from one run only. ``--cpu`` times process CPU time instead of
wall clock (steadier on a loaded machine; run it with OPENBLAS_NUM_THREADS=1 and
BENCH_ONE_THREAD=1 so that both libraries compute on one thread).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_core import interleave, report  # noqa: E402


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def make_step(lib, build, x: np.ndarray, y: np.ndarray, opt: str, state: dict | None):
    model = build(lib)
    if state is not None:  # the same initial weights in both libraries
        model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in state.items()})
    if opt == "sgd":
        optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = lib.from_numpy(x), lib.from_numpy(y)
    F = lib.nn.functional

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        return loss

    return model, step


def cpu_interleave(contenders: dict, number: int, rounds: int) -> dict:
    """Best process CPU time per call of each contender, alternating between them."""
    best = {k: float("inf") for k in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            t = time.process_time()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.process_time() - t) / number)
    return best


def bench(
    torch,
    ember,
    name: str,
    build,
    x_shape: tuple,
    opt: str,
    number: int,
    rounds: int,
    cpu: bool = False,
) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape, dtype=np.float32)
    y = rng.integers(0, 10, x_shape[0]).astype(np.int64)
    torch.manual_seed(0)
    tmodel, tstep = make_step(torch, build, x, y, opt, None)
    state = {k: v.detach().numpy() for k, v in tmodel.state_dict().items()}
    _, estep = make_step(ember, build, x, y, opt, state)
    el, tl = estep().item(), tstep().item()  # warm up; first losses agree
    assert abs(el - tl) <= 1e-4 * max(1.0, abs(tl)), (el, tl)
    timer = cpu_interleave if cpu else interleave
    times = timer({"ember": estep, "torch": tstep}, number, rounds)
    report(f"{name} step ({opt}){' cpu' if cpu else ''}", times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cpu", action="store_true", help="process CPU time, not wall clock")
    args = p.parse_args()
    import torch

    import ember

    torch.set_num_threads(1 if os.environ.get("BENCH_ONE_THREAD") else torch.get_num_threads())
    print(f"torch {torch.__version__} threads={torch.get_num_threads()}, numpy {np.__version__}")
    mlp_name, lenet_name = "MLP 784-256-128-10 batch 64", "LeNet 1x28x28 batch 32"
    for opt in ("sgd", "adam"):
        bench(torch, ember, mlp_name, mlp, (64, 784), opt, 50, args.rounds, args.cpu)
    for opt in ("sgd", "adam"):
        bench(torch, ember, lenet_name, lenet, (32, 1, 28, 28), opt, 10, args.rounds, args.cpu)


if __name__ == "__main__":
    main()
