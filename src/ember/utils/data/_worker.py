"""DataLoader worker processes: seeding, the fetch loop, worker info and error transport.

Results travel back pickled by the worker itself (so a pickling failure is reported as an
error instead of being lost in a queue's feeder thread); ember tensors pickle as their arrays.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

_worker_info = None

# Seconds between checks that the loader is still there. The shutdown flag is polled too: when
# a loader iterator is garbage-collected together with its queues, the queues' feeder threads
# may already be gone, so the final ``None`` can never arrive.
_STATUS_CHECK_INTERVAL = 0.2


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself (``get_worker_info()`` inside a worker)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """Information about the current DataLoader worker, or None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    seed: int | None = None


class ExceptionWrapper:
    """An exception raised in a worker, re-raised in the main process with its traceback."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    # KeyError repr()s its message; this keeps the traceback readable.
    def __repr__(self):
        return self


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """The NumPy seed of a worker: NumPy's SeedSequence hashing of (worker_id, base_seed)."""
    mask = 0xFFFFFFFF
    xshift = 16
    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    hash_mult = [0x43B0D7E5]  # INIT_A, multiplied by MULT_A after every use

    def hashmix(value: int) -> int:
        value = (value ^ hash_mult[0]) & mask
        hash_mult[0] = (hash_mult[0] * 0x931E8875) & mask
        value = (value * hash_mult[0]) & mask
        return (value ^ (value >> xshift)) & mask

    def mix(x: int, y: int) -> int:
        r = ((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)
        r &= mask
        return (r ^ (r >> xshift)) & mask

    pool = [hashmix(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    mult_b = 0x8B51F9DD
    state = []
    for v in pool:
        v = (v ^ mult_b) & mask
        mult_b = (mult_b * 0x58F38DED) & mask
        v = (v * mult_b) & mask
        state.append((v ^ (v >> xshift)) & mask)
    return state


def _seed_worker(base_seed: int, worker_id: int) -> int:
    import numpy as np

    import ember

    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(
    dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn,
    drop_last, base_seed, init_fn, worker_id, num_workers,
) -> None:  # fmt: skip
    from .dataloader import _DatasetKind

    global _worker_info
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(
                dataset_kind, dataset, auto_collation, collate_fn, drop_last
            )
        except Exception:
            init_error = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        ended = False
        parent = os.getppid()
        while True:
            try:
                r = index_queue.get(timeout=_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent or done_event.is_set():
                    break
                continue
            if isinstance(r, _ResumeIteration):  # a new epoch with persistent workers
                data_queue.put((r, None))
                ended = False
                fetcher = _DatasetKind.create_fetcher(
                    dataset_kind, dataset, auto_collation, collate_fn, drop_last
                )
                continue
            if r is None:
                break
            if done_event.is_set() or ended:
                continue
            idx, index = r
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        ended = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            try:
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                payload = pickle.dumps(
                    ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                )
            data_queue.put((idx, payload))
            del data, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
