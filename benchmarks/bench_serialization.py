"""Checkpoint speed: ember.save / ember.load vs torch.save / torch.load on a 100 MB state_dict,
interleaved in one process.

    python benchmarks/bench_serialization.py [--mb 100] [--rounds 5]

Cases: save to a path (ember's save is atomic: temp file + fsync + rename; torch's is neither,
so both are also timed to a BytesIO), load from a path (weights_only=True, the default), and
load with mmap=True. Each contender runs alternately ``rounds`` times; the best time of each and
the ratio ember/torch (below 1.0: ember is faster) are printed. Run it on a quiet machine; only
ratios from one run are meaningful.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from collections import OrderedDict

import numpy as np


def state_dicts(torch, ember, mb: int):
    """The same state_dict in both libraries: a stack of linear layers, float32, ~mb MB."""
    rng = np.random.default_rng(0)
    sd_t, sd_e = OrderedDict(), OrderedDict()
    per_layer = 1024 * 1024  # 4 MB weight
    layers = max(1, (mb * 1024 * 1024) // (4 * (per_layer + 1024)))
    for i in range(layers):
        w = rng.standard_normal((1024, 1024), dtype=np.float32)
        b = rng.standard_normal(1024, dtype=np.float32)
        sd_t[f"{i}.weight"], sd_e[f"{i}.weight"] = torch.from_numpy(w), ember.from_numpy(w)
        sd_t[f"{i}.bias"], sd_e[f"{i}.bias"] = torch.from_numpy(b), ember.from_numpy(b)
    meta = OrderedDict([("", {"version": 1})] + [(str(i), {"version": 1}) for i in range(layers)])
    sd_t._metadata, sd_e._metadata = meta, meta
    return sd_t, sd_e


def best_of(fn, rounds: int) -> float:
    fn()  # warm the page cache and imports
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def interleave(contenders: dict, rounds: int) -> dict:
    best = {k: float("inf") for k in contenders}
    for fn in contenders.values():
        fn()
    for _ in range(rounds):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def report(title: str, times: dict) -> None:
    parts = " | ".join(f"{k} {v * 1e3:8.1f} ms" for k, v in times.items())
    print(f"{title:<34} {parts} | ember/torch = {times['ember'] / times['torch']:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import torch

    import ember

    sd_t, sd_e = state_dicts(torch, ember, args.mb)
    nbytes = sum(v.numel() * 4 for v in sd_t.values())
    print(f"state_dict: {len(sd_t)} tensors, {nbytes / 2**20:.1f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        pe, pt = os.path.join(tmp, "e.pt"), os.path.join(tmp, "t.pt")

        report(
            "save to BytesIO",
            interleave(
                {
                    "ember": lambda: ember.save(sd_e, io.BytesIO()),
                    "torch": lambda: torch.save(sd_t, io.BytesIO()),
                },
                args.rounds,
            ),
        )
        report(
            "save to path (ember: atomic+fsync)",
            interleave(
                {
                    "ember": lambda: ember.save(sd_e, pe),
                    "torch": lambda: torch.save(sd_t, pt),
                },
                args.rounds,
            ),
        )

        report(
            "load torch's file",
            interleave(
                {
                    "ember": lambda: ember.load(pt),
                    "torch": lambda: torch.load(pt),
                },
                args.rounds,
            ),
        )
        report(
            "load ember's file",
            interleave(
                {
                    "ember": lambda: ember.load(pe),
                    "torch": lambda: torch.load(pe),
                },
                args.rounds,
            ),
        )
        report(
            "load mmap=True",
            interleave(
                {
                    "ember": lambda: ember.load(pt, mmap=True),
                    "torch": lambda: torch.load(pt, mmap=True),
                },
                args.rounds,
            ),
        )
        report(
            "load mmap=True + sum all",
            interleave(
                {
                    "ember": lambda: [float(v.sum()) for v in ember.load(pt, mmap=True).values()],
                    "torch": lambda: [float(v.sum()) for v in torch.load(pt, mmap=True).values()],
                },
                args.rounds,
            ),
        )


if __name__ == "__main__":
    main()
