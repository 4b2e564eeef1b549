"""Core speed: ember vs torch (and vs raw NumPy) on the same workload, interleaved in one process.

    python benchmarks/bench_core.py [--quick]

Each case runs its contenders alternately for several rounds and reports the best time of
each and their ratio (ember / other: below 1.0 means ember is faster). Timings on a shared
machine are noisy; only the ratios measured in one run are meaningful.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import timeit

import numpy as np


def best_time(fn, number: int, rounds: int) -> float:
    """Best per-call time over ``rounds`` of ``number`` calls (seconds)."""
    best = float("inf")
    for _ in range(rounds):
        t = timeit.timeit(fn, number=number)
        best = min(best, t / number)
    return best


def interleave(contenders: dict, number: int, rounds: int) -> dict:
    """Time each contender ``rounds`` times, alternating between them."""
    best = {k: float("inf") for k in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            best[name] = min(best[name], best_time(fn, number, 1))
    return best


def fmt(sec: float) -> str:
    if sec < 1e-3:
        return f"{sec * 1e6:8.2f} us"
    return f"{sec * 1e3:8.2f} ms"


def report(title: str, times: dict, base: str = "ember") -> str:
    others = [k for k in times if k != base]
    parts = [f"{k} {fmt(v)}" for k, v in times.items()]
    ratios = [f"{base}/{k} = {times[base] / times[k]:.2f}" for k in others]
    line = f"{title:<44} {' | '.join(parts)} | {', '.join(ratios)}"
    print(line, flush=True)
    return line


def tiny_ops(torch, ember, rounds: int) -> None:
    for name, stmt in (("add", lambda a, b: a + b), ("mul", lambda a, b: a * b),
                       ("sigmoid", lambda a, b: a.sigmoid())):
        ta, tb = torch.ones(2, 4), torch.ones(2, 4)
        ea, eb = ember.ones(2, 4), ember.ones(2, 4)
        times = interleave({"ember": lambda: stmt(ea, eb), "torch": lambda: stmt(ta, tb)},
                           20000, rounds)
        report(f"tiny op 2x4 {name}", times)


def tiny_graph(torch, ember, rounds: int) -> None:
    def make(lib):
        x = lib.ones(2, 4, requires_grad=True)
        y = lib.ones(2, 4)

        def step():
            (x.sigmoid() * y).sum().backward()

        return step

    times = interleave({"ember": make(ember), "torch": make(torch)}, 3000, rounds)
    report("tiny graph (x.sigmoid()*y).sum().backward()", times)


def big_elementwise(ember, rounds: int) -> None:
    n = 4_000_000
    a = np.random.default_rng(0).random(n, dtype=np.float32)
    b = np.random.default_rng(1).random(n, dtype=np.float32)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    for name, e_fn, n_fn in (
        ("add", lambda: ea + eb, lambda: a + b),
        ("mul", lambda: ea * eb, lambda: a * b),
        ("exp", lambda: ea.exp(), lambda: np.exp(a)),
    ):
        times = interleave({"ember": e_fn, "numpy": n_fn}, 20, rounds)
        report(f"4M float32 {name}", times)


def matmul(ember, rounds: int) -> None:
    if not hasattr(ember, "matmul"):
        print("matmul: not available")
        return
    rng = np.random.default_rng(0)
    a = rng.random((1024, 1024), dtype=np.float32)
    b = rng.random((1024, 1024), dtype=np.float32)
    ea, eb = ember.from_numpy(a), ember.from_numpy(b)
    times = interleave({"ember": lambda: ember.matmul(ea, eb), "numpy": lambda: a @ b}, 5,
                       rounds)
    report("1024x1024 float32 matmul", times)


def import_time(rounds: int) -> None:
    # Bytecode caching on, as in a normal install (a warm-up run writes the .pyc files).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(mod: str) -> float:
        subprocess.run([sys.executable, "-c", f"import {mod}"], check=True, env=env)
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import {mod}"], check=True, env=env)
            best = min(best, time.perf_counter() - t0)
        return best

    base = run("sys")  # the interpreter's own start-up, subtracted from both
    times = {"ember": run("ember") - base, "torch": run("torch") - base}
    report("import (minus bare interpreter start)", times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="fewer rounds")
    args = p.parse_args()
    rounds = 3 if args.quick else 7
    import torch

    import ember

    tiny_ops(torch, ember, rounds)
    tiny_graph(torch, ember, rounds)
    big_elementwise(ember, rounds)
    matmul(ember, rounds)
    import_time(rounds)


if __name__ == "__main__":
    main()
