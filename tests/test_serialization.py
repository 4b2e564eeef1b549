"""ember.save / ember.load against torch.save / torch.load: identical bytes, values, dtypes, shapes,
strides and storage sharing in both directions; weights-only refusals with torch's text;
map_location forms; mmap; legacy files; crash safety."""

from __future__ import annotations

import io
import os
import pathlib
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember import serialization as es

DTYPES = [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
]
DOCS_URL = "https://pytorch.org/docs/stable/generated/torch.load.html"


def ember_bytes(obj) -> bytes:
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def as_torch_text(msg: str) -> str:
    """ember's message as torch prints it (ember names its own API where torch names torch's)."""
    return msg.replace("ember.", "torch.")


def both(fn):
    """The same construction in ember and in torch."""
    return fn(ember), fn(torch)


def tensor_of(m, dtype: str, shape=(3, 4)):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) % 7 - 3
    return m.tensor(a).to(getattr(m, dtype))


def assert_tensor_matches(e, t, path="x"):
    """Same values, dtype, shape, strides, offset and requires_grad; Parameter kept."""
    assert isinstance(e, ember.Tensor), path
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1], path
    assert tuple(e.shape) == tuple(t.shape), path
    assert e.stride() == t.stride(), path
    assert e.storage_offset() == t.storage_offset(), path
    assert e.requires_grad == t.requires_grad, path
    assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter), path
    a = e.detach()
    b = t.detach()
    if t.dtype == torch.bfloat16:
        a, b = a.float(), b.float()
    np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=path)


def assert_structure_matches(e, t, path="obj"):
    if isinstance(t, torch.Tensor):
        assert_tensor_matches(e, t, path)
    elif isinstance(t, dict):
        assert type(e) is type(t), path
        assert list(e.keys()) == list(t.keys()), path
        for k in t:
            assert_structure_matches(e[k], t[k], f"{path}[{k!r}]")
        if hasattr(t, "_metadata"):
            assert e._metadata == t._metadata
    elif isinstance(t, (list, tuple)) and not isinstance(t, torch.Size):
        assert type(e) is type(t) and len(e) == len(t), path
        for i, (x, y) in enumerate(zip(e, t)):
            assert_structure_matches(x, y, f"{path}[{i}]")
    elif isinstance(t, torch.dtype):
        assert e is getattr(ember, str(t).split(".")[1]), path
    elif isinstance(t, torch.device):
        assert isinstance(e, ember.device) and str(e) == str(t), path
    elif isinstance(t, torch.Size):
        assert isinstance(e, ember.Size) and tuple(e) == tuple(t), path
    elif isinstance(t, torch.layout):
        assert e is getattr(ember, str(t).split(".")[1]), path
    else:
        assert type(e) is type(t) and e == t, path


def shares(a: ember.Tensor, b: ember.Tensor) -> bool:
    return np.shares_memory(a._data, b._data)


# ------------------------------------------------------------------ the objects both sides build
def _views(m):
    x = m.arange(24.0).reshape(4, 6)
    return [x, x[1:3, ::2], x.t(), x[2], x[:, 5], x.view(-1)[7:]]


def _state_dict(m):
    sd = OrderedDict()
    sd["0.weight"] = tensor_of(m, "float32", (4, 3))
    sd["0.bias"] = tensor_of(m, "float32", (4,))
    sd["1.running_mean"] = tensor_of(m, "float32", (4,))
    sd["1.num_batches_tracked"] = m.tensor(0)
    sd._metadata = OrderedDict([("", {"version": 1}), ("0", {"version": 1}), ("1", {"version": 2})])
    return sd


def _adam_state(m):
    return {
        "state": {
            0: {
                "step": m.tensor(3.0),
                "exp_avg": tensor_of(m, "float32", (4, 3)),
                "exp_avg_sq": tensor_of(m, "float32", (4, 3)) * 2,
            },
            1: {
                "step": m.tensor(3.0),
                "exp_avg": tensor_of(m, "float32", (4,)),
                "exp_avg_sq": tensor_of(m, "float32", (4,)),
            },
        },
        "param_groups": [
            {
                "lr": 0.001,
                "betas": (0.9, 0.999),
                "eps": 1e-08,
                "weight_decay": 0,
                "amsgrad": False,
                "maximize": False,
                "foreach": None,
                "capturable": False,
                "differentiable": False,
                "fused": None,
                "decoupled_weight_decay": False,
                "params": [0, 1],
            }
        ],
    }


def _checkpoint(m):
    return {
        "epoch": 7,
        "model": _state_dict(m),
        "optim": _adam_state(m),
        "loss": 0.25,
        "name": "run-1",
        "tags": ("a", "b"),
        "best": None,
        "done": True,
    }


def _shared(m):
    w = tensor_of(m, "float32", (3, 3))
    return {"a": w, "b": w, "c": w.t(), "d": [w[0], w[1:]]}


def _misc(m):
    return {
        "dtype": m.float16,
        "dev": m.device("cpu"),
        "size": m.Size([2, 3]),
        "layout": m.strided,
        "bytes": b"\x00ab",
        "big": 2**70,
        "neg": -5,
        "f": float("inf"),
        "s": "tensor",
        "nested": [[1, [2, (3,)]], {"k": {}}],
        "set": {1, 2},
        "c": 1 + 2j,
    }


def _subclass_and_grad(m):
    p = m.nn.Parameter(tensor_of(m, "float32", (2, 2)))
    frozen = m.nn.Parameter(tensor_of(m, "float32", (2,)), requires_grad=False)
    leaf = m.ones(3, requires_grad=True)
    return [p, frozen, leaf, leaf * 2, p.data]


def _with_attrs(m):
    t = tensor_of(m, "float32", (2,))
    t.note = "hello"
    p = m.nn.Parameter(tensor_of(m, "float32", (2,)))
    p.tag = 3
    return [t, p]


def _empty_and_scalar(m):
    return [m.tensor(2.5), m.tensor(7), m.zeros(0), m.zeros(2, 0), m.ones(()), m.tensor(True)]


def _many(m):
    return [m.full((2,), float(i)) for i in range(300)]


_FORTRAN = np.asfortranarray(np.arange(12.0).reshape(3, 4))  # a dense root in F order

BUILDERS = {
    "views": _views,
    "state_dict": _state_dict,
    "adam": _adam_state,
    "checkpoint": _checkpoint,
    "shared": _shared,
    "misc": _misc,
    "subclass_grad": _subclass_and_grad,
    "attrs": _with_attrs,
    "empty_scalar": _empty_and_scalar,
    "many": _many,
    "plain_int": lambda m: 3,
    "none": lambda m: None,
    "list_dtypes": lambda m: [tensor_of(m, d) for d in DTYPES],
    "noncontig": lambda m: tensor_of(m, "float64", (4, 5)).t()[1:, ::2],
    "expand": lambda m: m.arange(3.0).reshape(3, 1).expand(3, 4),
    "permute": lambda m: m.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
    "narrow": lambda m: m.arange(10.0).narrow(0, 2, 5),
    "split": lambda m: list(m.arange(10.0).split(3)),
    "diagonal": lambda m: m.arange(9.0).reshape(3, 3).diagonal(),
    "fortran_numpy": lambda m: (lambda x: [x[1:], x, x.t()])(m.from_numpy(_FORTRAN)),
}


# ------------------------------------------------------------------ byte identity
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_same_bytes_as_torch(name):
    e, t = both(BUILDERS[name])
    assert ember_bytes(e) == torch_bytes(t)


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_same_bytes_other_pickle_protocols(protocol):
    for name, build in BUILDERS.items():
        e, t = both(build)
        be, bt = io.BytesIO(), io.BytesIO()
        ember.save(e, be, pickle_protocol=protocol)
        torch.save(t, bt, pickle_protocol=protocol)
        assert be.getvalue() == bt.getvalue(), name
        assert_structure_matches(ember.load(io.BytesIO(bt.getvalue()), weights_only=False), t)


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_bytes_every_dtype(dtype):
    e, t = both(lambda m: {"x": tensor_of(m, dtype), "y": tensor_of(m, dtype, (5,))[1:4]})
    assert ember_bytes(e) == torch_bytes(t)


@pytest.mark.parametrize("count", [0, 1, 12, 13, 14, 28, 29, 30, 58, 59, 60, 125, 126, 127])
def test_same_bytes_storage_counts(count):
    # the serialization id walks a libstdc++ unordered_set, which rehashes at these sizes
    e, t = both(lambda m: [m.full((1,), float(i)) for i in range(count)])
    assert ember_bytes(e) == torch_bytes(t)


@given(
    dtype=st.sampled_from(DTYPES),
    shape=st.lists(st.integers(2, 4), min_size=1, max_size=3),  # views never empty (*)
    view=st.sampled_from(["none", "t", "slice", "step", "select", "flatten_slice"]),
    requires_grad=st.booleans(),
)
def test_same_bytes_random_views(dtype, shape, view, requires_grad):
    def build(m):
        x = tensor_of(m, dtype, tuple(shape))
        if requires_grad and dtype in ("float32", "float64"):
            x.requires_grad_(True)
            x = x.detach().requires_grad_(True)
        if view == "t":
            v = x.transpose(0, -1)
        elif view == "slice":
            v = x[1:]
        elif view == "step":
            v = x[::2]
        elif view == "select":
            v = x[-1]
        elif view == "flatten_slice":
            v = x.detach().reshape(-1)[1:]
        else:
            v = x
        return {"base": x, "view": v}

    e, t = both(build)
    assert ember_bytes(e) == torch_bytes(t)


def test_same_bytes_to_paths(tmp_path):
    e, t = both(_checkpoint)
    for name in ["model.pt", "my.model.pt", "noext", "ckpt.tar.gz"]:
        (tmp_path / "e").mkdir(exist_ok=True)
        (tmp_path / "t").mkdir(exist_ok=True)
        ember.save(e, str(tmp_path / "e" / name))
        torch.save(t, str(tmp_path / "t" / name))
        assert (tmp_path / "e" / name).read_bytes() == (tmp_path / "t" / name).read_bytes()
    ember.save(e, tmp_path / "e" / "path.pt")  # pathlib.Path
    torch.save(t, tmp_path / "t" / "path.pt")
    assert (tmp_path / "e" / "path.pt").read_bytes() == (tmp_path / "t" / "path.pt").read_bytes()
    assert zipfile.ZipFile(tmp_path / "e" / "my.model.pt").namelist()[0] == "my.model/data.pkl"
    with open(tmp_path / "e" / "fobj.pt", "wb") as fe, open(tmp_path / "t" / "fobj.pt", "wb") as ft:
        ember.save(e, fe)
        torch.save(t, ft)
    assert (tmp_path / "e" / "fobj.pt").read_bytes() == (tmp_path / "t" / "fobj.pt").read_bytes()


def test_resave_of_torch_file_is_identical(tmp_path):
    # torch file -> ember.load -> ember.save gives torch's bytes back (sharing, strides, offsets)
    for name, build in BUILDERS.items():
        data = torch_bytes(build(torch))
        assert ember_bytes(ember.load(io.BytesIO(data))) == data, name


def test_save_errors():
    x = ember.arange(4.0)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        ember.save([x, x.view(ember.int32)], io.BytesIO())
    with pytest.raises(RuntimeError) as e:
        ember.save(x, "/nonexistent-dir-ember/x.pt")
    with pytest.raises(RuntimeError) as t:
        torch.save(torch.arange(4.0), "/nonexistent-dir-ember/x.pt")
    assert str(e.value) == str(t.value)
    with pytest.raises(AttributeError) as e:
        ember.save(x, 3)
    with pytest.raises(AttributeError) as t:
        torch.save(torch.arange(4.0), 3)
    assert str(e.value) == str(t.value)


# ------------------------------------------------------------------ loading torch's files
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_load_torch_files(name):
    t = BUILDERS[name](torch)
    data = torch_bytes(t)
    for weights_only in (True, False):
        e = ember.load(io.BytesIO(data), weights_only=weights_only)
        assert_structure_matches(e, t)


def test_load_keeps_storage_sharing():
    t = _shared(torch)
    e = ember.load(io.BytesIO(torch_bytes(t)))
    assert e["a"] is e["b"]
    assert shares(e["a"], e["c"]) and shares(e["a"], e["d"][1])
    assert not e["c"]._is_view()  # torch rebuilds each tensor over the storage, not as a view
    e["a"][0, 0] = 100.0
    assert e["c"][0, 0].item() == 100.0
    assert e["d"][0][0].item() == 100.0


def test_ember_files_load_in_torch(tmp_path):
    for name, build in BUILDERS.items():
        e = build(ember)
        t_ref = build(torch)
        buf = io.BytesIO(ember_bytes(e))
        t = torch.load(buf)  # weights_only=True: ember writes nothing torch refuses
        assert_structure_matches(ember.load(io.BytesIO(ember_bytes(e))), t_ref, name)
        assert_structure_matches(ember.load(io.BytesIO(torch_bytes(t))), t_ref, name)
    sd = _shared(ember)
    t = torch.load(io.BytesIO(ember_bytes(sd)))
    assert t["a"].untyped_storage().data_ptr() == t["c"].untyped_storage().data_ptr()


def test_load_optimizer_state_from_real_torch_optimizer():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    opt = torch.optim.Adam(model.parameters())
    model(torch.ones(2, 3)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "optim": opt.state_dict()}
    data = torch_bytes(obj)
    e = ember.load(io.BytesIO(data))
    assert_structure_matches(e, obj)
    assert ember_bytes(e) == data


def test_load_file_object_and_offsets(tmp_path):
    t = _checkpoint(torch)
    path = tmp_path / "c.pt"
    torch.save(t, path)
    with open(path, "rb") as f:
        assert_structure_matches(ember.load(f), t)
    assert_structure_matches(ember.load(str(path)), t)
    assert_structure_matches(ember.load(path), t)
    # a checkpoint appended after other bytes in a stream (offsets count from its start)
    buf = io.BytesIO(b"header!" + torch_bytes(t))
    buf.seek(7)
    assert_structure_matches(ember.load(buf), t)


def test_load_big_endian_storage():
    # a byteorder record of "big": storages are byte-swapped on load, as torch does
    data = torch_bytes({"x": torch.arange(4, dtype=torch.int32)})
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            raw = zin.read(info)
            if info.filename.endswith("byteorder"):
                raw = b"big"
            elif info.filename.endswith("data/0"):
                raw = np.arange(4, dtype=">i4").tobytes()
            zout.writestr(info.filename, raw)
    e = ember.load(io.BytesIO(out.getvalue()))
    t = torch.load(io.BytesIO(out.getvalue()))
    assert_structure_matches(e, t)


def test_load_deflated_archive():
    data = torch_bytes(_views(torch))
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    e = ember.load(io.BytesIO(out.getvalue()))
    assert_structure_matches(e, torch.load(io.BytesIO(out.getvalue())))


def test_load_legacy_format(tmp_path):
    for name in ["views", "checkpoint", "shared", "subclass_grad", "empty_scalar"]:
        t = BUILDERS[name](torch)
        path = tmp_path / f"{name}.pt"
        torch.save(t, path, _use_new_zipfile_serialization=False)
        for weights_only in (True, False):
            e = ember.load(path, weights_only=weights_only)
            assert_structure_matches(e, torch.load(path, weights_only=weights_only))
    t = _shared(torch)
    torch.save(t, tmp_path / "s.pt", _use_new_zipfile_serialization=False)
    e = ember.load(tmp_path / "s.pt")
    assert shares(e["a"], e["c"])
    with pytest.raises(RuntimeError) as e_err:
        ember.load(str(tmp_path / "s.pt"), mmap=True)
    with pytest.raises(RuntimeError) as t_err:
        torch.load(str(tmp_path / "s.pt"), mmap=True)
    assert as_torch_text(str(e_err.value)) == str(t_err.value)


def test_load_ember_full_unpickler_maps_torch_globals():
    # weights_only=False resolves torch's names to ember objects and other globals normally
    obj = {
        "dt": torch.bfloat16,
        "od": OrderedDict(a=1),
        "counter": __import__("collections").Counter("aab"),
        "fn": os.path.join,
    }
    e = ember.load(io.BytesIO(torch_bytes(obj)), weights_only=False)
    assert e["dt"] is ember.bfloat16 and e["od"] == obj["od"] and e["fn"] is os.path.join
    assert e["counter"] == obj["counter"]


# ------------------------------------------------------------------ map_location and mmap
@pytest.mark.parametrize(
    "map_location",
    [
        "cpu",
        ember.device("cpu"),
        {"cpu": "cpu"},
        lambda storage, loc: storage,
        lambda storage, loc: None,
        b"cpu",
    ],
)
def test_map_location_forms(map_location):
    t = _checkpoint(torch)
    e = ember.load(io.BytesIO(torch_bytes(t)), map_location=map_location)
    assert_structure_matches(e, t)


def test_map_location_callable_sees_storage_and_location():
    seen = []

    def fn(storage, location):
        seen.append((storage.nbytes(), location))
        return storage

    ember.load(
        io.BytesIO(torch_bytes([torch.ones(3), torch.ones(2, dtype=torch.int64)])), map_location=fn
    )
    assert seen == [(12, "cpu"), (16, "cpu")]


@pytest.mark.parametrize("map_location", ["cuda", "cuda:0", {"cpu": "cuda:1"}])
def test_map_location_to_missing_cuda(map_location):
    data = torch_bytes(torch.ones(2))
    with pytest.raises(RuntimeError) as e:
        ember.load(io.BytesIO(data), map_location=map_location)
    with pytest.raises(RuntimeError) as t:
        torch.load(io.BytesIO(data), map_location=map_location)
    assert as_torch_text(str(e.value)) == str(t.value)


def test_mmap(tmp_path):
    t = _checkpoint(torch)
    path = tmp_path / "m.pt"
    torch.save(t, path)
    before = path.read_bytes()
    e = ember.load(path, mmap=True)
    assert_structure_matches(e, t)
    w = e["model"]["0.weight"]
    w.add_(1.0)  # copy-on-write: the file is untouched
    assert path.read_bytes() == before
    assert ember_bytes(ember.load(str(path), mmap=True)) == torch_bytes(t)
    with pytest.raises(ValueError) as e_err, open(path, "rb") as f:
        ember.load(f, mmap=True)
    with pytest.raises(ValueError) as t_err, open(path, "rb") as f:
        torch.load(f, mmap=True)
    assert str(e_err.value) == str(t_err.value)


# ------------------------------------------------------------------ weights-only refusals
class _Custom:
    pass


class _EvilReduce:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


class _EvalReduce:
    def __reduce__(self):
        return (eval, ("1+1",))


class _PopenReduce:
    def __reduce__(self):
        return (subprocess.Popen, (["true"],))


class _ExecReduce:
    def __reduce__(self):
        return (exec, ("import os",))


REFUSED = {
    "os.system": lambda: {"x": _EvilReduce()},
    "eval": lambda: [_EvalReduce()],
    "exec": lambda: [_ExecReduce()],
    "Popen": lambda: _PopenReduce(),
    "custom_class": lambda: {"x": _Custom()},
    "function": lambda: {"fn": os.path.join},
    "slice": lambda: slice(1, 2),
    "numpy": lambda: np.arange(3),
    "nested": lambda: {"a": [1, {"b": (torch.ones(1), _EvalReduce())}]},
    "protocol4": None,  # built below: opcodes the weights-only unpickler does not implement
}


def _refused_bytes(name: str) -> bytes:
    if name == "protocol4":
        buf = io.BytesIO()
        torch.save({"a": 1, "b": "x"}, buf, pickle_protocol=4)
        return buf.getvalue()
    return torch_bytes(REFUSED[name]())


def torch_message(msg: str) -> str:
    # ember names ember.load / ember.serialization where torch names its own; the docs URL stays
    return msg.replace("ember.", "torch.")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_weights_only_refusals_match_torch(name):
    data = _refused_bytes(name)
    with pytest.raises(Exception) as t:
        torch.load(io.BytesIO(data))
    with pytest.raises(Exception) as e:
        ember.load(io.BytesIO(data))
    assert type(e.value) is type(t.value)
    assert torch_message(str(e.value)) == str(t.value)
    assert DOCS_URL in str(e.value) or "Weights only" not in str(t.value)


def test_weights_only_false_runs_trusted_pickles():
    e = ember.load(io.BytesIO(torch_bytes([_EvalReduce()])), weights_only=False)
    assert e == [2]


def test_safe_globals():
    data = torch_bytes({"x": _Custom()})
    es.clear_safe_globals()
    with es.safe_globals([_Custom]):
        assert es.get_safe_globals() == [_Custom]
        assert isinstance(ember.load(io.BytesIO(data))["x"], _Custom)
    assert es.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(data))
    es.add_safe_globals([(_Custom, f"{__name__}._Custom")])
    try:
        assert isinstance(ember.load(io.BytesIO(data))["x"], _Custom)
    finally:
        es.clear_safe_globals()
    with pytest.raises(RuntimeError) as e:
        ember.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    with pytest.raises(RuntimeError) as t:
        torch.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    assert str(e.value) == str(t.value)
    # a pickle_module alone turns weights_only off, as in torch
    assert isinstance(ember.load(io.BytesIO(data), pickle_module=pickle)["x"], _Custom)


# ------------------------------------------------------------------ archive-level errors
def _torch_error(data: bytes):
    try:
        torch.load(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - we compare whatever torch raises
        return exc
    return None


@pytest.mark.parametrize(
    "case",
    ["truncated", "empty", "not_zip", "no_version", "version_11", "short_record", "oob_view"],
)
def test_archive_errors_match_torch(case):
    good = torch_bytes(torch.arange(4.0))
    pkl = zipfile.ZipFile(io.BytesIO(good)).read("archive/data.pkl")

    def rezip(pkl_bytes=pkl, data0=np.arange(4, dtype=np.float32).tobytes(), version=b"3\n"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("archive/data.pkl", pkl_bytes)
            z.writestr("archive/data/0", data0)
            if version is not None:
                z.writestr("archive/version", version)
        return out.getvalue()

    data = {
        "truncated": good[:100],
        "empty": b"",
        "not_zip": b"PK\x03\x04garbage",
        "no_version": rezip(version=None),
        "version_11": rezip(version=b"11\n"),
        "short_record": rezip(data0=b"\x00" * 8),
        "oob_view": rezip(pkl.replace(b"K\x00K\x04\x85", b"K\x00Kd\x85")),
    }[case]
    t = _torch_error(data)
    with pytest.raises(type(t)) as e:
        ember.load(io.BytesIO(data))
    if case == "version_11":  # torch prefixes its C++ source location
        assert str(t).endswith(". " + str(e.value))
    else:
        assert str(e.value) == str(t)


# ------------------------------------------------------------------ crash safety
def test_kill_during_save_keeps_previous_checkpoint(tmp_path):
    target = tmp_path / "ckpt.pt"
    old = {"step": 1, "w": ember.arange(10.0)}
    ember.save(old, target)
    before = target.read_bytes()
    script = textwrap.dedent(
        f"""
        import numpy as np
        import ember
        big = [ember.from_numpy(np.ones(4_000_000, np.float32)) for _ in range(30)]
        print("ready", flush=True)
        ember.save({{"step": 2, "big": big}}, {str(target)!r})
        """
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdout.readline().strip() == b"ready"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # kill once the temporary file has data in it
            tmps = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            try:
                if any(p.stat().st_size > 1_000_000 for p in tmps):
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.0005)
        else:
            pytest.fail("the child never started writing")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == before  # the previous checkpoint, untouched
    loaded = ember.load(target)
    assert loaded["step"] == 1
    np.testing.assert_array_equal(loaded["w"].numpy(), np.arange(10.0, dtype=np.float32))
    assert torch.load(target)["step"] == 1
    # only a stray temporary file is left behind, never a torn target
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".tmp")) == ["ckpt.pt"]


def test_save_to_path_replaces_atomically(tmp_path):
    target = tmp_path / "x.pt"
    ember.save(ember.ones(2), target)
    ember.save(ember.zeros(3), target)
    assert [p.name for p in tmp_path.iterdir()] == ["x.pt"]
    np.testing.assert_array_equal(ember.load(target).numpy(), np.zeros(3, np.float32))


def test_save_atomic_on_pickling_error(tmp_path):
    target = tmp_path / "x.pt"
    ember.save(ember.ones(2), target)
    before = target.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        ember.save({"bad": lambda: 0}, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.pt"]


def test_safetensors_path_dispatch(tmp_path):
    from ember.utils import safetensors as sf

    sf.save_file({"w": ember.ones(2)}, tmp_path / "m.safetensors")
    out = ember.load(str(tmp_path / "m.safetensors"))
    np.testing.assert_array_equal(out["w"].numpy(), np.ones(2, np.float32))
    with pytest.raises(RuntimeError, match="dict map_location is not supported"):
        ember.load(str(tmp_path / "m.safetensors"), map_location={"cpu": "cpu"})


def test_pathlib_and_str_equivalent(tmp_path):
    ember.save(_views(ember), str(tmp_path / "a.pt"))
    (tmp_path / "p").mkdir()
    ember.save(_views(ember), pathlib.Path(tmp_path / "p" / "a.pt"))
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "p" / "a.pt").read_bytes()


# ------------------------------------------------------------------ real modules
def _models():
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    e = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4), ember.nn.Linear(4, 2))
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return e, t


def test_module_state_dict_same_bytes():
    e, t = _models()
    assert ember_bytes(e.state_dict()) == torch_bytes(t.state_dict())
    loaded = ember.load(io.BytesIO(torch_bytes(t.state_dict())))
    assert loaded._metadata == t.state_dict()._metadata
    e2 = _models()[0]
    e2.load_state_dict(loaded)
    assert_structure_matches(e2.state_dict(), t.state_dict())


def test_whole_modules_with_weights_only_false():
    e, t = _models()
    from_torch = ember.load(io.BytesIO(torch_bytes(t)), weights_only=False)
    assert type(from_torch) is ember.nn.Sequential
    assert type(from_torch[0]) is ember.nn.Linear
    assert_structure_matches(from_torch.state_dict(), t.state_dict())
    roundtrip = ember.load(io.BytesIO(ember_bytes(e)), weights_only=False)
    assert type(roundtrip[1]) is ember.nn.BatchNorm1d
    assert isinstance(roundtrip[0].weight, ember.nn.Parameter)
    assert_structure_matches(roundtrip.state_dict(), t.state_dict())
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ember.load(io.BytesIO(torch_bytes(t)))


def test_safe_globals_accept_ember_counterparts_of_torch_names():
    _, t = _models()
    data = torch_bytes(t)
    allowed = [ember.nn.Sequential, ember.nn.Linear, ember.nn.BatchNorm1d]
    with es.safe_globals(allowed):
        m = ember.load(io.BytesIO(data))
    assert type(m[2]) is ember.nn.Linear
    assert_structure_matches(m.state_dict(), t.state_dict())


def test_archive_names_follow_torch(tmp_path):
    (tmp_path / "e").mkdir()
    (tmp_path / "t").mkdir()
    for name in ["modèle.pt", "a.b.c", "plain"]:
        ember.save(ember.ones(2), tmp_path / "e" / name)
        torch.save(torch.ones(2), tmp_path / "t" / name)
        assert (tmp_path / "e" / name).read_bytes() == (tmp_path / "t" / name).read_bytes()
    # non-ASCII paths go through a stream in torch, whose archive is called "archive"
    assert zipfile.ZipFile(tmp_path / "e" / "modèle.pt").namelist()[0] == "archive/data.pkl"
    assert zipfile.ZipFile(tmp_path / "e" / "a.b.c").namelist()[0] == "a.b/data.pkl"
    with pytest.raises(RuntimeError, match="invalid file name"):
        ember.save(ember.ones(2), tmp_path / ".hidden")


def test_zip64_record_past_4gib_matches_torch():
    # torch.save([ones(3), zeros(4_300_000_000, uint8), arange(5)]) places data/2 at offset
    # 4300000984; its headers (copied from that 4 GB file) carry miniz's ZIP64 extras. The
    # whole 4 GB file was checked byte-identical once by hand (too big for the suite).
    sink = io.BytesIO()
    writer = es._ZipWriter(sink, "big_t")
    writer.pos = 4300000984
    writer.write_record("data/2", np.arange(5, dtype=np.int64))
    local = bytes.fromhex("504b0304000008080000000000000000000000000000000000000c003e00")
    local += b"big_t/data/2" + bytes.fromhex("01000800d8ce4c000100000046422e00") + b"Z" * 46
    local += np.arange(5, dtype=np.int64).tobytes()
    local += bytes.fromhex("504b07081c4e8f6c28000000000000002800000000000000")
    assert sink.getvalue() == local
    central = writer.central[0]
    fields = struct.unpack("<IHHHHHHIIIHHHHHII", central[:46])
    assert fields[7:10] == (1821330972, 40, 40) and fields[16] == 0xFFFFFFFF
    assert central[46 + 12 :] == bytes.fromhex("01000800d8ce4c0001000000")


def test_get_unsafe_globals_in_checkpoint():
    for obj in [_checkpoint(torch), {"x": _Custom(), "f": os.path.join, "e": [_EvalReduce()]}]:
        data = torch_bytes(obj)
        assert sorted(es.get_unsafe_globals_in_checkpoint(io.BytesIO(data))) == sorted(
            torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data))
        )
    with es.safe_globals([_Custom]):
        assert f"{__name__}._Custom" not in es.get_unsafe_globals_in_checkpoint(
            io.BytesIO(torch_bytes({"x": _Custom()}))
        )


def test_torchscript_archives_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("m/data.pkl", b"\x80\x02N.")
        z.writestr("m/constants.pkl", b"\x80\x02).")
        z.writestr("m/version", b"3\n")
    with pytest.raises(RuntimeError) as e:
        ember.load(io.BytesIO(out.getvalue()))
    with pytest.raises(RuntimeError) as t:
        torch.load(io.BytesIO(out.getvalue()))
    assert torch_message(str(e.value)) == str(t.value)


def test_save_through_symlink_keeps_link_and_mode(tmp_path):
    real = tmp_path / "real.pt"
    ember.save(ember.ones(2), real)
    os.chmod(real, 0o600)
    link = tmp_path / "link.pt"
    link.symlink_to(real)
    ember.save(ember.zeros(3), link)
    assert link.is_symlink()
    assert (real.stat().st_mode & 0o777) == 0o600
    np.testing.assert_array_equal(ember.load(real).numpy(), np.zeros(3, np.float32))
    # the archive is named after the path given, as torch names it
    assert zipfile.ZipFile(real).namelist()[0] == "link/data.pkl"
