"""ember.utils.safetensors: the format byte for byte (golden files written by the safetensors
0.8.0 package, which is not a dependency), round trips, values against torch, and refusal of
malformed files."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember.utils import safetensors as sf

# safetensors.torch.save(...) output (safetensors 0.8.0), for the dicts built in _golden_dicts
GOLDEN_MIXED = (
    b'\x98\x02\x00\x00\x00\x00\x00\x00{"__metadata__":{"format":"pt"},"step":{"dtype":"I64",'
    b'"shape":[],"data_offsets":[0,8]},"bias":{"dtype":"F64","shape":[2],"data_offsets":[8,24]},'
    b'"empty":{"dtype":"F32","shape":[0,2],"data_offsets":[24,24]},"weight":{"dtype":"F32",'
    b'"shape":[2,3],"data_offsets":[24,48]},"i32":{"dtype":"I32","shape":[1],"data_offsets":'
    b'[48,52]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[52,56]},"h":{"dtype":"F16",'
    b'"shape":[2],"data_offsets":[56,60]},"i16":{"dtype":"I16","shape":[1],"data_offsets":'
    b'[60,62]},"i8":{"dtype":"I8","shape":[2],"data_offsets":[62,64]},"u8":{"dtype":"U8",'
    b'"shape":[1],"data_offsets":[64,65]},"mask":{"dtype":"BOOL","shape":[3],"data_offsets":'
    b"[65,68]}}   \x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\xbf\x00\x00\x00"
    b"\x00\x00\x00\x02@\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@\x00\x00@@\x00\x00\x80@\x00"
    b"\x00\xa0@p\x11\x01\x00\x80?@@\x008\x00\xc0\xd4\xfe\xfd\x04\xfa\x01\x00\x01"
)
GOLDEN_SCALAR = (
    b'8\x00\x00\x00\x00\x00\x00\x00{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   '
    b"\x00\x00\x80?"
)

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8"]
DTYPES += ["uint8", "bool"]


def _golden_mixed(m):
    return {
        "weight": m.arange(6, dtype=m.float32).reshape(2, 3),
        "bias": m.tensor([-1.5, 2.25], dtype=m.float64),
        "step": m.tensor(7),
        "mask": m.tensor([True, False, True]),
        "h": m.tensor([0.5, -2.0], dtype=m.float16),
        "b": m.tensor([1.0, 3.0], dtype=m.bfloat16),
        "i8": m.tensor([-3, 4], dtype=m.int8),
        "u8": m.tensor([250], dtype=m.uint8),
        "i16": m.tensor([-300], dtype=m.int16),
        "i32": m.tensor([70000], dtype=m.int32),
        "empty": m.zeros(0, 2),
    }


def assert_same_tensor(e: ember.Tensor, t: torch.Tensor) -> None:
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())


def test_golden_bytes():
    assert sf.save(_golden_mixed(ember), metadata={"format": "pt"}) == GOLDEN_MIXED
    assert sf.save({"x": ember.tensor(1.0)}) == GOLDEN_SCALAR
    assert sf.save({}) == b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "


def test_golden_load_values():
    out = sf.load(GOLDEN_MIXED)
    ref = _golden_mixed(torch)
    assert list(out) == sorted(ref)
    for k in ref:
        assert_same_tensor(out[k], ref[k])


def test_files_and_safe_open(tmp_path):
    path = tmp_path / "m.safetensors"
    sf.save_file(_golden_mixed(ember), path, metadata={"format": "pt"})
    assert path.read_bytes() == GOLDEN_MIXED
    loaded = sf.load_file(path)
    ref = _golden_mixed(torch)
    for k in ref:
        assert_same_tensor(loaded[k], ref[k])
    with sf.safe_open(str(path), framework="pt", device="cpu") as f:
        assert f.keys() == sorted(ref)
        assert f.metadata() == {"format": "pt"}
        assert_same_tensor(f.get_tensor("weight"), ref["weight"])
        with pytest.raises(sf.SafetensorError):
            f.get_tensor("missing")
    # tensors own their memory (no shared root), so ember.save writes each on its own
    assert not np.shares_memory(loaded["weight"].numpy(), loaded["bias"].numpy())
    # ember.load dispatches on the extension, as torch.load does
    assert sorted(ember.load(str(path))) == sorted(ref)


def test_noncontiguous_and_views_are_saved_by_value():
    x = ember.arange(12.0).reshape(3, 4)
    out = sf.load(sf.save({"t": x.t(), "s": x[1:, ::2]}))
    np.testing.assert_array_equal(out["t"].numpy(), x.t().numpy())
    np.testing.assert_array_equal(out["s"].numpy(), x[1:, ::2].numpy())


@given(
    spec=st.dictionaries(
        st.text(min_size=1, max_size=6).filter(lambda s: s != "__metadata__"),
        st.tuples(st.sampled_from(DTYPES), st.lists(st.integers(0, 3), min_size=0, max_size=3)),
        max_size=5,
    ),
    with_meta=st.booleans(),
)
def test_roundtrip_and_header_invariants(spec, with_meta):
    rng = np.random.default_rng(0)
    tensors = {}
    for name, (dtype, shape) in spec.items():
        a = (rng.standard_normal(shape) * 4).astype(np.float32)
        tensors[name] = ember.tensor(a).to(getattr(ember, dtype))
    meta = {"k": "v"} if with_meta and tensors else None
    data = sf.save(tensors, metadata=meta)
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8 : 8 + n])
    assert header.pop("__metadata__", None) == meta
    pos = 0
    for _name, info in header.items():  # laid out back to back in header order
        assert info["data_offsets"][0] == pos
        pos = info["data_offsets"][1]
    assert 8 + n + pos == len(data)
    back = sf.load(data)
    assert list(back) == sorted(tensors)
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape
        np.testing.assert_array_equal(back[k].float().numpy(), t.float().numpy())


def _header(obj, pad=True) -> bytes:
    text = json.dumps(obj, separators=(",", ":")).encode()
    if pad:
        text += b" " * ((-len(text)) % 8)
    return struct.pack("<Q", len(text)) + text


MALFORMED = {
    "too_small": b"\x01\x00",
    "huge_header": struct.pack("<Q", 2**40) + b"{}",
    "header_past_end": struct.pack("<Q", 64) + b"{}",
    "not_json": struct.pack("<Q", 8) + b"{nope!!}",
    "not_object": _header([1, 2]),
    "bad_dtype": _header({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})
    + b"\x00" * 8,
    "negative_shape": _header({"x": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 0]}}),
    "size_mismatch": _header({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})
    + b"\x00" * 4,
    "huge_shape": _header({"x": {"dtype": "F32", "shape": [2**40], "data_offsets": [0, 4]}})
    + b"\x00" * 4,
    "gap": _header(
        {
            "x": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
            "y": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]},
        }
    )
    + b"\x00" * 3,
    "trailing_bytes": _header({"x": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})
    + b"\x00" * 2,
    "truncated_data": _header({"x": {"dtype": "F64", "shape": [4], "data_offsets": [0, 32]}})
    + b"\x00" * 8,
    "bad_metadata": _header({"__metadata__": {"a": 1}}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_are_refused(case, tmp_path):
    data = MALFORMED[case]
    with pytest.raises(sf.SafetensorError):
        sf.load(data)
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(sf.SafetensorError):
        sf.load_file(path)


def test_save_refusals():
    with pytest.raises(sf.SafetensorError):
        sf.save({"x": np.ones(2)})
    with pytest.raises(sf.SafetensorError):
        sf.save({"x": ember.ones(2)}, metadata={"a": 1})
    with pytest.raises(sf.SafetensorError):
        sf.load_file("unused", device="cuda")
