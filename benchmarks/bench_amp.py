"""Mixed precision speed: an MLP training step (784-256-128-10, batch 64) under CPU autocast.

    python benchmarks/bench_amp.py [--quick]

Reports, interleaved in one process (best CPU time of several rounds, one BLAS thread):
- ember autocast(bfloat16) step vs ember float32 step (the issue's budget: at most 1.3x);
- ember autocast step vs torch autocast step, and ember float32 vs torch float32.

A step is zero_grad, forward under autocast (linear, relu, linear, relu, linear,
cross_entropy), backward outside the region, SGD step.
"""

from __future__ import annotations

import argparse
import os
import time
import timeit

# one BLAS thread for NumPy and torch alike; CPU time (not wall time) is what gets compared,
# which keeps the ratios meaningful on a loaded machine
for _v in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402


def make_step(lib, amp_dtype, rng_seed: int = 0):
    rng = np.random.default_rng(rng_seed)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.from_numpy(rng.uniform(-0.05, 0.05, size=tuple(p.shape))
                                   .astype(np.float32)))
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x = lib.from_numpy(rng.standard_normal((64, 784)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, size=64).astype(np.int64))
    loss_fn = nn.functional.cross_entropy

    if amp_dtype is None:
        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    else:
        def step():
            opt.zero_grad()
            with lib.autocast("cpu", dtype=amp_dtype):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    return step


def best(fn, number: int, rounds: int) -> float:
    t = timeit.Timer(fn, timer=time.process_time)
    return min(t.repeat(number=number, repeat=rounds)) / number


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="fewer rounds")
    args = p.parse_args()
    rounds = 3 if args.quick else 7
    number = 5 if args.quick else 10
    import torch

    import ember

    torch.set_num_threads(1)  # compare single-threaded kernels with NumPy's
    cases = {
        "ember f32": make_step(ember, None),
        "ember amp bf16": make_step(ember, ember.bfloat16),
        "ember amp f16": make_step(ember, ember.float16),
        "torch f32": make_step(torch, None),
        "torch amp bf16": make_step(torch, torch.bfloat16),
    }
    for fn in cases.values():
        fn()  # warm up
    times = {k: float("inf") for k in cases}
    for _ in range(rounds):
        for k, fn in cases.items():
            times[k] = min(times[k], best(fn, number, 1))
    for k, t in times.items():
        print(f"{k:16s} {t * 1e3:8.3f} ms/step")
    print(f"ember amp bf16 / ember f32: {times['ember amp bf16'] / times['ember f32']:.2f}x")
    print(f"ember amp f16  / ember f32: {times['ember amp f16'] / times['ember f32']:.2f}x")
    ratio = times["ember amp bf16"] / times["torch amp bf16"]
    print(f"ember amp bf16 / torch amp bf16: {ratio:.2f}x")
    print(f"ember f32 / torch f32: {times['ember f32'] / times['torch f32']:.2f}x")


if __name__ == "__main__":
    main()
