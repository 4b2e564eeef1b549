"""Convolution and pooling speed: ember vs torch, interleaved in one process.

    python benchmarks/bench_conv.py [--quick] [--threads N] [--cpu]

Cases: conv2d forward+backward at LeNet / small-CNN sizes, max_pool2d forward+backward, and a
LeNet training step (conv-relu-pool x2, three linear layers, cross-entropy, SGD) when the
layers it needs exist. Each case runs its contenders alternately and reports the best time of
each and the ratio ember/torch (below 1.0: ember is faster). On a shared machine only ratios
measured in one run mean anything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit

# BLAS threads must be fixed before NumPy loads: both libraries get the same count.
_THREADS = "1"
if "--threads" in sys.argv:
    _THREADS = sys.argv[sys.argv.index("--threads") + 1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", _THREADS)
os.environ.setdefault("OMP_NUM_THREADS", _THREADS)

import numpy as np  # noqa: E402

TIMER = time.perf_counter


def interleave(contenders: dict, number: int, rounds: int) -> dict:
    best = {k: float("inf") for k in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            best[name] = min(best[name], timeit.timeit(fn, number=number, timer=TIMER) / number)
    return best


def report(title: str, times: dict) -> None:
    e, t = times["ember"], times["torch"]
    print(f"{title:<46} ember {e * 1e3:8.3f} ms | torch {t * 1e3:8.3f} ms | "
          f"ember/torch = {e / t:.2f}", flush=True)


def _pair(lib, arrays, grads):
    return [lib.from_numpy(a.copy()).requires_grad_(g) for a, g in zip(arrays, grads)]


def conv_cases(torch, ember, number, rounds) -> None:
    rng = np.random.default_rng(0)
    cases = [  # (N, C, H, O, k, stride, padding, input needs grad)
        ("conv 32x1x28x28 -> 6 k5 (LeNet conv1)", 32, 1, 28, 6, 5, 1, 0, False),
        ("conv 32x6x12x12 -> 16 k5 (LeNet conv2)", 32, 6, 12, 16, 5, 1, 0, True),
        ("conv 32x16x16x16 -> 32 k3 p1", 32, 16, 16, 32, 3, 1, 1, True),
        ("conv 32x32x16x16 -> 64 k3 s2 p1", 32, 32, 16, 64, 3, 2, 1, True),
    ]
    for title, n, c, h, o, k, s, p, xg in cases:
        arrays = [rng.standard_normal((n, c, h, h)).astype(np.float32),
                  rng.standard_normal((o, c, k, k)).astype(np.float32),
                  rng.standard_normal(o).astype(np.float32)]
        te = _pair(ember, arrays, (xg, True, True))
        tt = _pair(torch, arrays, (xg, True, True))

        def fwd(lib, ts):
            return lambda: lib.nn.functional.conv2d(ts[0], ts[1], ts[2], s, p)

        def step(lib, ts):
            def run():
                lib.nn.functional.conv2d(ts[0], ts[1], ts[2], s, p).sum().backward()
            return run

        with torch.no_grad(), ember.no_grad():
            report(title + " fwd", interleave({"ember": fwd(ember, te), "torch": fwd(torch, tt)},
                                             number, rounds))
        report(title + " fwd+bwd",
               interleave({"ember": step(ember, te), "torch": step(torch, tt)}, number, rounds))


def pool_cases(torch, ember, number, rounds) -> None:
    rng = np.random.default_rng(0)
    for title, shape, k, s in (("max_pool2d 32x6x24x24 k2", (32, 6, 24, 24), 2, 2),
                               ("max_pool2d 32x16x8x8 k2", (32, 16, 8, 8), 2, 2),
                               ("max_pool2d 32x32x16x16 k3 s2", (32, 32, 16, 16), 3, 2)):
        a = rng.standard_normal(shape).astype(np.float32)
        te, tt = _pair(ember, [a], (True,))[0], _pair(torch, [a], (True,))[0]

        def step(lib, t):
            return lambda: lib.nn.functional.max_pool2d(t, k, s).sum().backward()

        report(title + " fwd+bwd",
               interleave({"ember": step(ember, te), "torch": step(torch, tt)}, number, rounds))


def lenet_step(torch, ember, number, rounds) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 32)

    def build(lib):
        nn = lib.nn

        class LeNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
                self.pool = nn.MaxPool2d(2)
                self.fc1, self.fc2, self.fc3 = (nn.Linear(256, 120), nn.Linear(120, 84),
                                                nn.Linear(84, 10))

            def forward(self, x):
                x = self.pool(self.conv1(x).relu())
                x = self.pool(self.conv2(x).relu()).flatten(1)
                return self.fc3(self.fc2(self.fc1(x).relu()).relu())

        lib.manual_seed(0)
        m = LeNet()
        opt = lib.optim.SGD(m.parameters(), lr=0.01)
        xs, ys = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())

        def step():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(m(xs), ys)
            loss.backward()
            opt.step()

        return step

    try:
        fns = {"ember": build(ember), "torch": build(torch)}
        fns["ember"]()
    except (AttributeError, NotImplementedError) as exc:  # a layer not written yet
        print(f"LeNet training step skipped: {exc!r}")
        return
    report("LeNet training step (batch 32)", interleave(fns, number, rounds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="threads for torch and BLAS")
    ap.add_argument("--cpu", action="store_true",
                    help="time process CPU time (steadier than wall time on a loaded machine)")
    args = ap.parse_args()
    import torch

    import ember

    torch.set_num_threads(args.threads)
    print(f"threads: torch {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    global TIMER
    if args.cpu:
        TIMER = time.process_time
    number, rounds = (5, 3) if args.quick else (20, 7)

    conv_cases(torch, ember, number, rounds)
    pool_cases(torch, ember, number, rounds)
    lenet_step(torch, ember, number, rounds)


if __name__ == "__main__":
    main()
