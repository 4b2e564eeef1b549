"""Optimizer step time, ember vs torch (interleaved, one process) on an MLP 784-256-128-10.

Both run single-threaded and are timed in process CPU time, so a busy machine distorts the
ratio less. Run: python benchmarks/bench_optim.py
"""

from __future__ import annotations

import time

import numpy as np
import torch

import ember
import ember.optim

SHAPES = [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
CONFIGS = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("Adam", {"lr": 1e-3}),
    ("AdamW", {"lr": 1e-3}),
    ("RMSprop", {"lr": 1e-3}),
]


def make(lib, name, kw, init, grads):
    ps = [lib.tensor(a.copy(), requires_grad=True) for a in init]
    for p, g in zip(ps, grads):
        p.grad = lib.tensor(g.copy())
    return getattr(lib.optim, name)(ps, **kw)


def main(reps: int = 200) -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in SHAPES]
    for name, kw in CONFIGS:
        opts = {lib: make(lib, name, kw, init, grads) for lib in (torch, ember)}
        times = {torch: [], ember: []}
        for _ in range(reps):
            for lib, opt in opts.items():
                t0 = time.process_time()
                opt.step()
                times[lib].append(time.process_time() - t0)
        te, tt = np.median(times[ember]), np.median(times[torch])
        print(
            f"{name:8s} {kw!s:30s} ember {te * 1e3:7.3f} ms  torch {tt * 1e3:7.3f} ms  "
            f"ratio {te / tt:5.2f}"
        )


if __name__ == "__main__":
    main()
