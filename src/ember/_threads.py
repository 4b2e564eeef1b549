"""``get_num_threads``/``set_num_threads`` and the inter-op pair, as torch's API has them.

ember computes with NumPy in the calling thread, so the counts are bookkeeping: scripts that
tune torch's thread pools (``torch.set_num_threads(1)``) run unchanged and read back what they
set. The default is the number of CPUs this process may use (torch: its intra-op pool size).
"""

from __future__ import annotations

import os


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_COUNTS = {"num_threads": _cpus(), "num_interop_threads": _cpus()}


def _set(kind: str, n) -> None:
    if type(n) is not int:
        raise RuntimeError(f"set_{kind} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"set_{kind} expects a positive integer")
    if n >= 2**31:
        raise ValueError("Overflow when unpacking long")
    _COUNTS[kind] = n


def get_num_threads() -> int:
    return _COUNTS["num_threads"]


def set_num_threads(int: int) -> None:  # noqa: A002 - torch's parameter name
    _set("num_threads", int)


def get_num_interop_threads() -> int:
    return _COUNTS["num_interop_threads"]


def set_num_interop_threads(int: int) -> None:  # noqa: A002 - torch's parameter name
    _set("num_interop_threads", int)
