"""Random number speed: ember vs torch on the same calls, interleaved in one process.

    python benchmarks/bench_random.py [--quick]

Each case runs ember and torch alternately for several rounds and reports the best time of
each and their ratio (ember / torch: below 1.0 means ember is faster). Both produce the same
values bit for bit, which is checked once per case. Timings on a shared machine are noisy;
only ratios measured in one run are meaningful, and CPU time (not wall time) is measured.
torch runs on one thread (its RNG kernels are serial anyway).
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def best_time(fn, number: int, rounds: int) -> float:
    """Best per-call CPU time of this process (less disturbed by other processes than wall
    time on a shared machine; torch is pinned to one thread, so the two are comparable)."""
    best = float("inf")
    for _ in range(rounds):
        best = min(best, timeit.timeit(fn, number=number, timer=time.process_time) / number)
    return best


def fmt(sec: float) -> str:
    return f"{sec * 1e6:8.2f} us" if sec < 1e-3 else f"{sec * 1e3:8.2f} ms"


CASES = {
    "randn(1_000_000)": lambda L: L.randn(1_000_000),
    "rand(1_000_000)": lambda L: L.rand(1_000_000),
    "randperm(100_000)": lambda L: L.randperm(100_000),
    "empty(1_000_000).bernoulli_(0.9)": lambda L: L.empty(1_000_000).bernoulli_(0.9),
    "empty(1_000_000).normal_(2, 3)": lambda L: L.empty(1_000_000).normal_(2, 3),
    "empty(1_000_000).uniform_(-1, 1)": lambda L: L.empty(1_000_000).uniform_(-1, 1),
    "randn(100_000, dtype=float64)": lambda L: L.randn(100_000, dtype=L.float64),
    "randint(0, 1000, (1_000_000,))": lambda L: L.randint(0, 1000, (1_000_000,)),
    "multinomial(rand(100, 1000), 10)": lambda L: L.multinomial(L.rand(100, 1000), 10),
    "empty(1_000_000).exponential_()": lambda L: L.empty(1_000_000).exponential_(),
    "poisson(rand(10_000) * 5)": lambda L: L.poisson(L.rand(10_000) * 5),
    "randn(7) (small call)": lambda L: L.randn(7),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    ns = ap.parse_args()
    rounds = 3 if ns.quick else 7

    import torch

    import ember

    torch.set_num_threads(1)
    for title, fn in CASES.items():
        torch.manual_seed(0)
        ember.manual_seed(0)
        t, e = fn(torch), fn(ember)
        same = np.array_equal(t.numpy(), e.numpy()) and np.array_equal(
            torch.get_rng_state().numpy(), ember.get_rng_state().numpy())
        number = 200 if "small" in title else 1
        best = {"ember": float("inf"), "torch": float("inf")}
        for _ in range(rounds):
            best["ember"] = min(best["ember"], best_time(lambda: fn(ember), number, 1))  # noqa: B023
            best["torch"] = min(best["torch"], best_time(lambda: fn(torch), number, 1))  # noqa: B023
        ratio = best["ember"] / best["torch"]
        print(f"{title:<36} ember {fmt(best['ember'])} | torch {fmt(best['torch'])} | "
              f"ember/torch = {ratio:5.2f} | bit-exact: {same}", flush=True)


if __name__ == "__main__":
    main()
