"""ember.utils.data against torch.utils.data: orders, shuffles, splits, collation, workers."""

from __future__ import annotations

import collections
import random
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as TD

import ember
import ember.utils.data as ED
from tests.helpers import assert_same_error

LIBS = ((ember, ED), (torch, TD))
Point = collections.namedtuple("Point", ["x", "y"])


def plain(x):
    """Tensors (of either library) as (dtype, shape, values); containers keep their types."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ("T", str(x.dtype).split(".")[-1], tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [plain(v) for v in x])
    if isinstance(x, np.ndarray):
        return ("ndarray", x.dtype.str, x.tolist())
    return x


def both(fn):
    """``fn(lib, data_module)`` run for ember and torch, as plain values."""
    return [plain(fn(lib, mod)) for lib, mod in LIBS]


def assert_both(fn):
    e, t = both(fn)
    assert e == t


def _dataset(lib, mod, n=23):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    return mod.TensorDataset(lib.tensor(x), lib.arange(n))


# ------------------------------------------------------------------------------ samplers
@pytest.mark.parametrize(
    "make",
    [
        lambda lib, mod, g: mod.SequentialSampler(range(7)),
        lambda lib, mod, g: mod.RandomSampler(range(11)),
        lambda lib, mod, g: mod.RandomSampler(range(11), generator=g),
        lambda lib, mod, g: mod.RandomSampler(range(11), num_samples=30),
        lambda lib, mod, g: mod.RandomSampler(range(11), num_samples=5, generator=g),
        lambda lib, mod, g: mod.RandomSampler(range(9), replacement=True, num_samples=70),
        lambda lib, mod, g: mod.RandomSampler(range(9), replacement=True, generator=g),
        lambda lib, mod, g: mod.SubsetRandomSampler([3, 8, 1, 9, 4], generator=g),
        lambda lib, mod, g: mod.SubsetRandomSampler([3, 8, 1, 9, 4]),
        lambda lib, mod, g: mod.BatchSampler(range(10), 3, drop_last=False),
        lambda lib, mod, g: mod.BatchSampler(range(10), 3, drop_last=True),
        lambda lib, mod, g: mod.BatchSampler(mod.RandomSampler(range(10), generator=g), 4, False),
        lambda lib, mod, g: mod.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0], 50, generator=g),
        lambda lib, mod, g: mod.WeightedRandomSampler([1, 0, 3], 40),
        lambda lib, mod, g: mod.WeightedRandomSampler([0.1, 0.9, 0.4, 2.0, 1.0], 4, False),
        lambda lib, mod, g: mod.WeightedRandomSampler([0.1, 0.9, 0.4], 1, generator=g),
    ],
)
def test_samplers_match_torch(make):
    def run(lib, mod):
        lib.manual_seed(7)
        g = lib.Generator()
        g.manual_seed(3)
        s = make(lib, mod, g)
        return [list(s), list(s), len(s)]  # two passes: the draws continue

    assert_both(run)


@pytest.mark.parametrize(
    "make",
    [
        lambda mod: mod.RandomSampler(range(3), replacement=1),
        lambda mod: mod.RandomSampler(range(3), num_samples=0),
        lambda mod: mod.RandomSampler([], num_samples=None),
        lambda mod: mod.BatchSampler(range(3), 0, False),
        lambda mod: mod.BatchSampler(range(3), True, False),
        lambda mod: mod.BatchSampler(range(3), 2, 1),
        lambda mod: mod.WeightedRandomSampler([1.0, 2.0], 0),
        lambda mod: mod.WeightedRandomSampler([1.0, 2.0], 3, replacement=0),
        lambda mod: mod.WeightedRandomSampler([[1.0, 2.0]], 3),
    ],
)
def test_sampler_errors(make):
    assert_same_error(lambda: make(ED), lambda: make(TD))


# ------------------------------------------------------------------------------ DataLoader
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 5},
        {"batch_size": 5, "shuffle": True},
        {"batch_size": 4, "shuffle": True, "drop_last": True},
        {"batch_size": None},
        {"batch_size": None, "shuffle": True},
        {"batch_size": 6, "shuffle": True, "generator": "gen"},
        {"batch_size": 3, "sampler": "weighted"},
        {"batch_sampler": "batch"},
    ],
    ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()),
)
def test_dataloader_orders_match_torch(kw):
    def run(lib, mod):
        lib.manual_seed(11)
        kw2 = dict(kw)
        if kw2.get("generator") == "gen":
            kw2["generator"] = lib.Generator().manual_seed(5)
        if kw2.get("sampler") == "weighted":
            kw2["sampler"] = mod.WeightedRandomSampler(list(range(1, 24)), 14)
        if kw2.get("batch_sampler") == "batch":
            kw2["batch_sampler"] = mod.BatchSampler(mod.RandomSampler(range(23)), 4, False)
        dl = mod.DataLoader(_dataset(lib, mod), **kw2)
        epochs = [list(dl) for _ in range(2)]  # a base seed is drawn at every iter()
        return [epochs, len(dl), lib.rand(2)]  # and the global stream continues identically

    assert_both(run)


def test_dataloader_errors():
    ds = list(range(5))
    cases = [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_size": None, "drop_last": True},
        {"multiprocessing_context": "fork"},
        {"num_workers": 1, "multiprocessing_context": "nonsense"},
    ]
    for kw in cases:
        assert_same_error(lambda: ED.DataLoader(ds, **kw), lambda: TD.DataLoader(ds, **kw))
    e, t = ED.DataLoader(ds), TD.DataLoader(ds)

    def set_bs(dl):
        dl.batch_size = 3

    assert_same_error(lambda: set_bs(e), lambda: set_bs(t))


def _range_class(mod):
    class Range(mod.IterableDataset):
        """An iterable dataset split across workers by worker id."""

        def __init__(self, n):
            self.n = n

        def __iter__(self):
            info = mod.get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, self.n, step))

        def __len__(self):
            return self.n

    return Range


_RANGES = {"ember": _range_class(ED), "torch": _range_class(TD)}


def _Range(n, lib_name):
    return _RANGES[lib_name](n)


def test_iterable_dataset():
    def run(lib, mod):
        ds = _Range(9, lib.__name__)
        out = [list(mod.DataLoader(ds, batch_size=2)), list(mod.DataLoader(ds, batch_size=None))]
        out.append(list(mod.DataLoader(ds, batch_size=4, drop_last=True)))
        out.append([len(mod.DataLoader(ds, batch_size=4)), len(mod.DataLoader(ds, batch_size=2))])
        return out

    assert_both(run)
    assert_same_error(
        lambda: ED.DataLoader(_Range(3, "ember"), shuffle=True),
        lambda: TD.DataLoader(_Range(3, "torch"), shuffle=True),
    )


def test_iterable_length_warning():
    class Short(ED.IterableDataset):
        def __iter__(self):
            return iter(range(4))

        def __len__(self):
            return 2

    dl = ED.DataLoader(Short(), batch_size=None)
    len(dl)
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(dl)


def test_pin_memory_warning():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true"):
        assert len(list(ED.DataLoader(list(range(4)), batch_size=2, pin_memory=True))) == 2


# ------------------------------------------------------------------------------ workers
class _Probe(ED.Dataset, TD.Dataset):
    """Each sample reports its index, the worker seed and draws from every RNG in the worker."""

    def __init__(self, lib_name):
        self.lib_name = lib_name

    def __len__(self):
        return 10

    def __getitem__(self, i):
        lib, mod = (ember, ED) if self.lib_name == "ember" else (torch, TD)
        info = mod.get_worker_info()
        wid = -1 if info is None else info.id
        seed = -1 if info is None else info.seed
        return {
            "i": i,
            "worker": wid,
            "seed": seed,
            "torch": lib.rand(2),
            "np": np.random.rand(2),
            "py": random.random(),
        }


def test_workers_match_torch_and_serial():
    def run(lib, mod, workers):
        lib.manual_seed(3)
        ds = _Probe(lib.__name__)
        dl = mod.DataLoader(ds, batch_size=3, shuffle=True, num_workers=workers)
        return [list(dl), lib.rand(1)]

    e2, t2 = plain(run(ember, ED, 2)), plain(run(torch, TD, 2))
    assert e2 == t2  # same batches, worker ids, seeds and in-worker random streams
    e0 = plain(run(ember, ED, 0))

    def indices(res):
        return [b[1]["i"] for b in res[1][0][1]]

    assert indices(e0) == indices(e2)


def test_workers_tensor_dataset_identical_to_serial():
    def run(workers):
        ember.manual_seed(0)
        dl = ED.DataLoader(_dataset(ember, ED), batch_size=4, shuffle=True, num_workers=workers)
        return [plain(b) for b in dl] + [plain(b) for b in dl]

    assert run(2) == run(0)


def test_persistent_workers_match_torch():
    # Persistent workers draw no new base seed for later epochs, so the orders differ from a
    # serial loader's, exactly as in torch.
    def run(lib, mod):
        lib.manual_seed(0)
        dl = mod.DataLoader(
            _dataset(lib, mod, 9), batch_size=4, shuffle=True, num_workers=2,
            persistent_workers=True, worker_init_fn=lambda i: None,
        )  # fmt: skip
        return [list(dl), list(dl), list(dl)]

    assert_both(run)


def test_workers_iterable_dataset_match_torch():
    def run(lib, mod):
        return list(mod.DataLoader(_Range(11, lib.__name__), batch_size=2, num_workers=2))

    assert_both(run)


class _Failing(ED.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 4:
            raise ValueError("bad sample")
        return i


def test_worker_error_is_reraised():
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        list(ED.DataLoader(_Failing(), batch_size=2, num_workers=2))


# ------------------------------------------------------------------------------ datasets
def test_random_split_matches_torch():
    def run(lib, mod):
        lib.manual_seed(1)
        g = lib.Generator().manual_seed(42)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            splits = [
                mod.random_split(range(10), [3, 7]),
                mod.random_split(range(10), [0.5, 0.3, 0.2], generator=g),
                mod.random_split(range(11), [0.25, 0.25, 0.5]),
                mod.random_split(range(3), [0.1, 0.1, 0.8]),
            ]
        return [[s.indices for s in split] for split in splits]

    assert_both(run)
    assert_same_error(
        lambda: ED.random_split(range(10), [3, 3]), lambda: TD.random_split(range(10), [3, 3])
    )
    assert_same_error(
        lambda: ED.random_split(range(10), [1.5, -0.5]),
        lambda: TD.random_split(range(10), [1.5, -0.5]),
    )
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        ED.random_split(range(3), [0.1, 0.1, 0.8])


def test_datasets():
    def run(lib, mod):
        a, b = _dataset(lib, mod, 4), _dataset(lib, mod, 3)
        cat = a + b
        sub = mod.Subset(cat, [6, 0, 3])
        stack_t = mod.StackDataset(a, list("abcd"))
        stack_d = mod.StackDataset(x=a, y=list("abcd"))
        chain = _Range(3, lib.__name__) + _Range(2, lib.__name__)
        return [
            len(cat), cat[5], cat[-1], cat.cumulative_sizes, len(sub), sub[0], sub[2],
            sub.__getitems__([1, 2]), stack_t[2], stack_d[1], stack_t.__getitems__([0, 3]),
            stack_d.__getitems__([1]), len(stack_t), list(chain), len(chain), a[1:3],
        ]  # fmt: skip

    assert_both(run)
    for make in (
        lambda lib, mod: mod.TensorDataset(lib.ones(3), lib.ones(4)),
        lambda lib, mod: mod.ConcatDataset([]),
        lambda lib, mod: mod.ConcatDataset([_Range(2, lib.__name__)]),
        lambda lib, mod: mod.ConcatDataset([[1, 2]])[-3],
        lambda lib, mod: mod.StackDataset([1], x=[1]),
        lambda lib, mod: mod.StackDataset([1], [1, 2]),
        lambda lib, mod: mod.StackDataset(),
        lambda lib, mod: mod.Dataset()[0],
    ):
        assert_same_error(lambda: make(ember, ED), lambda: make(torch, TD))


# ------------------------------------------------------------------------------ collate
def _samples(lib):
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    return [
        [lib.tensor(a) for a in arrs],
        [1, 2, 3],
        [1.5, 2.0, -3.25],
        [True, False, True],
        arrs,
        [np.float32(1.5), np.float32(2.5), np.float32(3)],
        [np.int16(1), np.int16(2), np.int16(-3)],
        [np.float64(2.0), np.float64(0.5), np.float64(1)],
        ["a", "bb", "c"],
        [b"x", b"y", b"z"],
        [(1, 2.0, "s"), (3, 4.0, "t"), (5, 6.0, "u")],
        [Point(1, 2.0), Point(3, 4.0), Point(5, 6.0)],
        [[1, 2], [3, 4], [5, 6]],
        [{"a": 1, "b": [1.0, np.int64(2)]}, {"a": 2, "b": [3.0, np.int64(4)]}],
        [collections.OrderedDict(k=lib.tensor([1.0])), collections.OrderedDict(k=lib.ones(1))],
        [{"t": (lib.tensor(1), lib.tensor(2.5))}, {"t": (lib.tensor(3), lib.tensor(4.5))}],
    ]  # fmt: skip


@pytest.mark.parametrize("i", range(len(_samples(ember))))
def test_default_collate_matches_torch(i):
    assert_both(lambda lib, mod: mod.default_collate(_samples(lib)[i]))
    assert_both(lambda lib, mod: mod.default_convert(_samples(lib)[i]))
    assert_both(lambda lib, mod: mod.default_convert(_samples(lib)[i][0]))


def test_collate_errors():
    for make in (
        lambda lib, mod: mod.default_collate([object(), object()]),
        lambda lib, mod: mod.default_collate([[1, 2], [3]]),
        lambda lib, mod: mod.default_collate([np.array(["a"]), np.array(["b"])]),
        lambda lib, mod: mod.default_collate([lib.ones(2), lib.ones(3)]),
    ):
        assert_same_error(lambda: make(ember, ED), lambda: make(torch, TD))


def test_dataloader_collates_like_torch():
    class Rows(ED.Dataset, TD.Dataset):
        def __init__(self, lib):
            self.lib = lib

        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float32), "y": i, "name": f"n{i}", "p": Point(i, 0.5)}

    assert_both(lambda lib, mod: list(mod.DataLoader(Rows(lib), batch_size=2)))
    assert_both(lambda lib, mod: list(mod.DataLoader(Rows(lib), batch_size=None)))


def test_tensor_dataset_batches_keep_autograd_like_torch():
    def run(lib, mod):
        x = lib.arange(12.0).reshape(6, 2).requires_grad_()
        batch = next(iter(mod.DataLoader(mod.TensorDataset(x, lib.arange(6)), batch_size=4)))
        return [batch[0].grad_fn.name(), batch[0].detach(), batch[1]]

    assert_both(run)
