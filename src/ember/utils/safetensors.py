"""The safetensors format without the dependency: ``save``/``load`` (bytes), ``save_file``/
``load_file`` (paths) and ``safe_open``, writing the same bytes as the ``safetensors`` package.

Layout: an 8-byte little-endian header length N, N bytes of compact JSON (``__metadata__``
first when given, then one ``{"dtype", "shape", "data_offsets"}`` entry per tensor, padded with
spaces to a multiple of 8), then the raw little-endian buffers back to back. Tensors are laid out
by dtype (widest first, safetensors' order) and then by name. Nothing in a file is executed:
the header is JSON and is validated before any buffer is allocated.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap

__all__ = ["SafetensorError", "save", "load", "save_file", "load_file", "safe_open"]

_CODE = {
    D.float64: "F64",
    D.float32: "F32",
    D.float16: "F16",
    D.bfloat16: "BF16",
    D.int64: "I64",
    D.int32: "I32",
    D.int16: "I16",
    D.int8: "I8",
    D.uint8: "U8",
    D.bool_: "BOOL",
}
_FROM_CODE = {v: k for k, v in _CODE.items()}
# safetensors sorts tensors by its Dtype enum, descending, then by name.
_RANK = {
    code: i
    for i, code in enumerate(["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"])
}
_MAX_HEADER = 100_000_000


class SafetensorError(Exception):
    """A malformed safetensors file or an object that cannot be saved (the package's error)."""


def _le(np_dtype: np.dtype) -> np.dtype:
    return np_dtype.newbyteorder("<") if np_dtype.itemsize > 1 else np_dtype


def _prepare(tensors: dict, metadata) -> tuple[bytes, list[np.ndarray]]:
    if not isinstance(tensors, dict):
        raise SafetensorError(f"expected a dict of tensors, got {type(tensors).__name__}")
    entries = []
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise SafetensorError(f"tensor names must be str, got {type(name).__name__}")
        if not isinstance(t, Tensor):
            raise SafetensorError(
                f"Key `{name}` is invalid, expected an ember.Tensor, got {type(t).__name__}"
            )
        code = _CODE[t.dtype]
        entries.append((name, code, t._data))
    entries.sort(key=lambda e: (-_RANK[e[1]], e[0]))
    header: dict[str, Any] = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise SafetensorError("metadata must be a dict of str to str")
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    arrays = []
    for name, code, a in entries:
        n = a.nbytes
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + n]}
        offset += n
        arrays.append(np.ascontiguousarray(a, dtype=_le(a.dtype)))
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    return struct.pack("<Q", len(text)) + text, arrays


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors bytes of ``tensors`` (a dict of name to tensor)."""
    head, arrays = _prepare(tensors, metadata)
    return head + b"".join(a.tobytes() for a in arrays)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write ``tensors`` to ``filename`` in the safetensors format."""
    head, arrays = _prepare(tensors, metadata)
    with open(filename, "wb") as f:
        f.write(head)
        for a in arrays:
            if a.nbytes:
                f.write(memoryview(a.reshape(-1).view(np.uint8)))


def _parse_header(head8: bytes, read_header, total: int) -> tuple[dict, dict | None, int]:
    """Validate the header; returns ({name: (dtype, shape, begin, end)}, metadata, data start)."""
    if len(head8) < 8:
        raise SafetensorError("Error while deserializing header: header too small")
    n = struct.unpack("<Q", head8)[0]
    if n > _MAX_HEADER:
        raise SafetensorError("Error while deserializing header: header too large")
    if 8 + n > total:
        raise SafetensorError("Error while deserializing header: invalid header length")
    raw = read_header(n)
    try:
        text = raw.decode("utf-8")
        header = json.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorError(
            f"Error while deserializing header: invalid JSON in header: {e}"
        ) from None
    if not isinstance(header, dict):
        raise SafetensorError("Error while deserializing header: header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise SafetensorError("Error while deserializing header: invalid metadata")
    entries = {}
    spans = []
    for name, info in header.items():
        if not isinstance(info, dict):
            raise SafetensorError(f"Error while deserializing header: invalid entry {name!r}")
        code = info.get("dtype")
        shape = info.get("shape")
        offsets = info.get("data_offsets")
        if code not in _FROM_CODE:
            raise SafetensorError(
                f"Error while deserializing header: unsupported dtype {code!r} for {name!r}"
            )
        if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
            raise SafetensorError(f"Error while deserializing header: invalid shape for {name!r}")
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(type(o) is int and o >= 0 for o in offsets)
        ):
            raise SafetensorError(f"Error while deserializing header: invalid offsets for {name!r}")
        begin, end = offsets
        dtype = _FROM_CODE[code]
        numel = 1
        for s in shape:
            numel *= s
        if end < begin or end - begin != numel * dtype.itemsize:
            raise SafetensorError(
                f"Error while deserializing header: info data offsets mismatch for {name!r}"
            )
        entries[name] = (dtype, tuple(shape), begin, end)
        spans.append((begin, end))
    # The buffers must tile the data section exactly (as the package checks).
    spans.sort()
    pos = 0
    for begin, end in spans:
        if begin != pos:
            raise SafetensorError("Error while deserializing header: invalid offset")
        pos = end
    if 8 + n + pos != total:
        raise SafetensorError(
            "Error while deserializing header: incomplete metadata, file not fully covered"
        )
    return entries, metadata, 8 + n


def _check_device(device) -> None:
    if str(device).split(":")[0] != "cpu":
        raise SafetensorError(f"ember.utils.safetensors loads to the CPU only, not {device}")


def _build(dtype: D.dtype, shape: tuple, buf: np.ndarray) -> Tensor:
    a = buf.view(_le(dtype._np)).reshape(shape)
    if a.dtype.byteorder not in ("=", "|") and sys.byteorder != "little":
        a = a.astype(dtype._np)
    return _wrap(a)


def load(data: bytes) -> dict:
    """Tensors from safetensors bytes (each owns its memory)."""
    data = bytes(data)
    entries, _, start = _parse_header(data[:8], lambda n: data[8 : 8 + n], len(data))
    out = {}
    for name in sorted(entries):
        dtype, shape, begin, end = entries[name]
        buf = np.frombuffer(data, np.uint8, end - begin, start + begin).copy()
        out[name] = _build(dtype, shape, buf)
    return out


class safe_open:
    """Lazy access to a safetensors file: ``keys()``, ``metadata()``, ``get_tensor(name)``."""

    def __init__(self, filename, framework: str = "pt", device="cpu"):
        _check_device(device)
        self._path = os.fspath(filename)
        self._f = open(self._path, "rb")
        try:
            total = os.fstat(self._f.fileno()).st_size
            self._entries, self._metadata, self._start = _parse_header(
                self._f.read(8), self._f.read, total
            )
        except BaseException:
            self._f.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def offset_keys(self) -> list[str]:
        return sorted(self._entries, key=lambda k: self._entries[k][2])

    def metadata(self) -> dict | None:
        return self._metadata

    def get_tensor(self, name: str) -> Tensor:
        if name not in self._entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        dtype, shape, begin, end = self._entries[name]
        buf = np.empty(end - begin, np.uint8)
        self._f.seek(self._start + begin)
        if buf.nbytes and self._f.readinto(memoryview(buf)) != buf.nbytes:
            raise SafetensorError(f"unexpected end of file reading {name}")
        return _build(dtype, shape, buf)


def load_file(filename, device="cpu") -> dict:
    """All tensors of a safetensors file, by name."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {name: f.get_tensor(name) for name in f.keys()}
