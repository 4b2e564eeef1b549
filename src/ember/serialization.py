"""``ember.save`` / ``ember.load``: PyTorch's checkpoint format, byte for byte, safe by default.

A checkpoint is a zip archive (written uncompressed, every record 64-byte aligned) holding
``data.pkl`` -- a protocol-2 pickle in which every tensor reduces to
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` and every
storage is a persistent id ``('storage', torch.<X>Storage, key, 'cpu', numel)`` -- plus one raw
record ``data/<key>`` per storage. The writer emits torch's names (``torch.FloatStorage``...) as
plain GLOBAL opcodes through stand-ins, so nothing from torch has to exist; the reader maps those
names back to ember objects.

``load`` defaults to ``weights_only=True`` (as torch 2.6+): a small pickle interpreter that only
knows the opcodes and globals torch's weights-only unpickler allows, so no code from the file can
run. ``weights_only=False`` uses Python's unpickler (trusted files only).
"""

from __future__ import annotations

import contextlib
import io
import mmap as _mmap
import os
import pickle
import struct
import sys
import warnings
import zipfile
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable
from struct import unpack
from typing import Any

import numpy as np

from . import _dtype as D
from ._device import device as _Device
from ._size import Size
from ._tensor import Tensor, _wrap

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "DEFAULT_PROTOCOL",
]

DEFAULT_PROTOCOL = 2
_STORAGE_ALIGNMENT = 64
_MASK64 = (1 << 64) - 1

# torch's storage class per ember dtype (its legacy name + "Storage")
_STORAGE_NAME = {d: d._legacy + "Storage" for d in D.ALL_DTYPES}
_DTYPE_OF_STORAGE = {v: k for k, v in _STORAGE_NAME.items()}
# Storage types ember cannot hold (recognised, refused when a tensor is built from them).
_FOREIGN_STORAGES = (
    "ComplexFloatStorage",
    "ComplexDoubleStorage",
    "QInt8Storage",
    "QUInt8Storage",
    "QInt32Storage",
    "QUInt4x2Storage",
    "QUInt2x4Storage",
)
_FOREIGN_DTYPES = (
    "complex32 complex64 complex128 cfloat cdouble chalf quint8 qint8 qint32 quint4x2 "
    "quint2x4 bits1x8 bits2x4 bits4x2 bits8 bits16 uint16 uint32 uint64 float8_e5m2 "
    "float8_e4m3fn float8_e5m2fnuz float8_e4m3fnuz float8_e8m0fnu float4_e2m1fn_x2 "
    "uint1 uint2 uint3 uint4 uint5 uint6 uint7 int1 int2 int3 int4 int5 int6 int7"
).split()

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `ember.load` "
    "from `False` to `True`. Re-running `ember.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source."
)
DOCS_MESSAGE = (
    "\n\nCheck the documentation of ember.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


# ================================================================== writing
class _Global:
    """Stand-in for a torch global (``torch._utils._rebuild_tensor_v2``...): pickled as
    ``GLOBAL module name``; never called."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name

    def __call__(self, *args, **kwargs):  # callable, so pickle accepts it in a reduce tuple
        raise TypeError(f"{self.module}.{self.name} is a serialization stand-in")

    def __repr__(self) -> str:
        return f"<global {self.module}.{self.name}>"


_GLOBALS: dict = {}


def _fresh(s: str) -> str:
    # A new str object equal to s (so the memo cannot link it to an interned literal)
    return (s + "\x00")[:-1]


_MODULE_NAMES: dict = {}


def _g(module: str, name: str, *, c_type: bool = False, kind: str = "") -> _Global:
    """The stand-in for ``module.name``: one object per name, so the pickler's memo references
    it (BINGET) as torch's does. Protocol >= 4 pickles the strings themselves (memoized by
    identity), so they mimic torch's objects: one str per defining module (``kind`` "dtype":
    dtypes carry a module str of their own), and a fresh str for names of C types."""
    key = (module, name)
    g = _GLOBALS.get(key)
    if g is None:
        mod = _MODULE_NAMES.get((module, kind))
        if mod is None:
            mod = _MODULE_NAMES[(module, kind)] = _fresh(module)
        g = _GLOBALS[key] = _Global(mod, _fresh(name) if c_type else name)
    return g


_REBUILD_V2 = _g("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAM = _g("torch._utils", "_rebuild_parameter")
_REBUILD_PARAM_STATE = _g("torch._utils", "_rebuild_parameter_with_state")
_REBUILD_FROM_TYPE = _g("torch._tensor", "_rebuild_from_type_v2")
_TORCH_TENSOR = _g("torch", "Tensor")
_TORCH_PARAMETER = _g("torch.nn.parameter", "Parameter")
_TORCH_SIZE = _g("torch", "Size", c_type=True)
_TORCH_DEVICE = _g("torch", "device", c_type=True)
_GET_LAYOUT = _g("torch.serialization", "_get_layout")

# Tensor attributes that are ember bookkeeping, not user state to serialize.
_INTERNAL_ATTRS = frozenset({"_post_accumulate_hooks"})


class _StorageRef:
    """One saved storage: the root array, its dtype and its key (the same str object every time,
    so repeated references hit the pickle memo exactly as torch's do)."""

    __slots__ = ("root", "dtype", "key", "numel", "cls")

    def __init__(self, root: np.ndarray, dtype: D.dtype, key: str):
        self.root = root
        self.dtype = dtype
        self.key = key
        self.numel = root.nbytes // dtype.itemsize
        self.cls = _g("torch", _STORAGE_NAME[dtype])


def _root_of(a: np.ndarray) -> np.ndarray:
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    return root


def _dense_memory(root: np.ndarray):
    """``root``'s memory as a 1-D array in address order, or None when it is not one dense
    block (torch's storage is such a block; a C-contiguous root is the common case)."""
    if root.flags.c_contiguous:
        return root.reshape(-1)
    strides = root.strides
    if root.size == 0 or any(s < 0 for s in strides):
        return None
    span = sum((n - 1) * s for n, s in zip(root.shape, strides)) + root.itemsize
    if span != root.nbytes:
        return None
    return np.lib.stride_tricks.as_strided(root, shape=(root.size,), strides=(root.itemsize,))


def _ptr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _tensor_state(t: Tensor):
    d = t.__dict__
    if not d:
        return None
    state = {k: v for k, v in d.items() if k not in _INTERNAL_ATTRS}
    return state or None


def _plain_alias(t: Tensor) -> Tensor:
    # Parameter.data: a plain tensor over the same array (torch's ``self.data``)
    return _wrap(t._data)


class _Pickler(pickle._Pickler):
    """CPython's pure-Python pickler (byte-identical to the C one at protocol 2) with torch's
    tensor reduction, storage persistent ids and stand-in globals."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol: int):
        super().__init__(file, protocol)
        self.storages: dict[int, _StorageRef] = {}  # id(root array) -> ref
        self.order: list[_StorageRef] = []
        self.extra_keepalive: list = []

    # -- persistent ids: storages
    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return None

    # -- tensors
    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def _reduce_tensor(self, t: Tensor):
        state = _tensor_state(t)
        param_cls = _parameter_class()
        if param_cls is not None and isinstance(t, param_cls):
            data = _plain_alias(t)
            self.extra_keepalive.append(data)
            if state is None:
                return (_REBUILD_PARAM, (data, t._requires_grad, OrderedDict()))
            return (_REBUILD_PARAM_STATE, (data, t._requires_grad, OrderedDict(), state))
        func, args = _REBUILD_V2, self._tensor_args(t)
        if type(t) is Tensor and state is None:
            return (func, args)
        cls = _TORCH_TENSOR if type(t) is Tensor else type(t)
        return (_REBUILD_FROM_TYPE, (func, cls, args, state or {}))

    def _tensor_args(self, t: Tensor) -> tuple:
        a = t._data
        if type(a) is not np.ndarray and not isinstance(a, np.ndarray):
            a = np.asarray(a.get()) if hasattr(a, "get") else np.asarray(a)  # device arrays
        dt = D._FROM_NP[a.dtype]
        item = a.itemsize
        root = _root_of(a)
        memory = _dense_memory(root)
        offset_bytes = _ptr(a) - _ptr(root)
        ok = (
            memory is not None
            and offset_bytes % item == 0
            and all(s >= 0 and s % item == 0 for s in a.strides)
        )
        if ok:
            offset = offset_bytes // item
            stride = t.stride()
        else:
            # Memory torch cannot describe (negative strides, overlapping or gappy roots): save
            # a contiguous copy as the tensor's own storage.
            root = memory = np.ascontiguousarray(a).reshape(-1)
            self.extra_keepalive.append(root)
            offset = 0
            stride = _contiguous_strides(a.shape)
        ref = self.storages.get(id(root))
        if ref is None:
            ref = _StorageRef(memory, dt, str(len(self.storages)))
            self.storages[id(root)] = ref
            self.order.append(ref)
        elif ref.dtype is not dt:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different "
                "types"
            )
        return (ref, offset, tuple(a.shape), tuple(stride), t._requires_grad, OrderedDict())

    # -- stand-ins and ember types that must pickle under torch's names
    def _save_global_standin(self, obj: _Global):
        if self.proto >= 4:  # as pickle's save_global: two memoized strings + STACK_GLOBAL
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_g("torch", obj._name, c_type=True, kind="dtype"))

    def _save_device(self, obj):
        # torch's device reduces to a fresh str each time (never memo-shared with other strings)
        self.save_reduce(_TORCH_DEVICE, _fresh_str_args(obj), obj=obj)

    def _save_size(self, obj):
        self.save_reduce(_TORCH_SIZE, (tuple(obj),), obj=obj)

    def _save_layout(self, obj):
        self.save_reduce(_GET_LAYOUT, (_fresh("torch." + obj._name),), obj=obj)

    dispatch[_Global] = _save_global_standin
    dispatch[D.dtype] = _save_dtype
    dispatch[_Device] = _save_device
    dispatch[Size] = _save_size


def _fresh_str_args(dev: _Device) -> tuple:
    if dev.index is None:
        return (_fresh(dev.type),)
    return (_fresh(dev.type), dev.index)


def _register_layouts() -> None:
    from . import _layout

    for cls in (_layout.layout, _layout.memory_format):
        _Pickler.dispatch[cls] = _Pickler._save_layout


_register_layouts()


def _contiguous_strides(shape) -> tuple:
    out = []
    acc = 1
    for s in reversed(shape):
        out.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(out))


_PARAMETER_CLASS: list = []


def _parameter_class():
    if not _PARAMETER_CLASS:
        try:
            from .nn.parameter import Parameter
        except Exception:  # nn not importable (being written): plain tensors still work
            return None
        _PARAMETER_CLASS.append(Parameter)
    return _PARAMETER_CLASS[0]


# ------------------------------------------------------------------ the serialization id
_PRIMES = (
    13,
    29,
    59,
    127,
    257,
    541,
    1109,
    2357,
    5087,
    10273,
    20753,
    42043,
    85229,
    172933,
    351061,
    712697,
    1447153,
    2938679,
    5967347,
    12117689,
    24607243,
    49969847,
    101473717,
    206062531,
    418451333,
    849749479,
    1725587117,
    3504151727,
    6442450933,
    12884901857,
    25769803693,
)  # the libstdc++ __prime_list entries an unordered_set grows through (x2 each rehash)
_HASH_MUL = 0xC6A4A7935BD1E995


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _hash_bytes(data: bytes, seed: int = 0xC70F6907) -> int:
    """libstdc++ ``std::_Hash_bytes`` (64-bit): what ``std::hash<std::string>`` returns."""
    n = len(data)
    h = (seed ^ (n * _HASH_MUL)) & _MASK64
    aligned = n & ~7
    for i in range(0, aligned, 8):
        k = int.from_bytes(data[i : i + 8], "little")
        k = (_shift_mix((k * _HASH_MUL) & _MASK64) * _HASH_MUL) & _MASK64
        h = ((h ^ k) * _HASH_MUL) & _MASK64
    if n & 7:
        k = int.from_bytes(data[aligned:], "little")
        h = ((h ^ k) * _HASH_MUL) & _MASK64
    h = (_shift_mix(h) * _HASH_MUL) & _MASK64
    return _shift_mix(h)


def _hash_combine(seed: int, value: int) -> int:
    return (seed ^ ((value + 0x9E3779B9 + (seed << 6) + (seed >> 2)) & _MASK64)) & _MASK64


def _unordered_set_order(names: list[str]) -> list[int]:
    """Hashes of ``names`` in the iteration order of a libstdc++
    ``std::unordered_set<std::string>`` filled in that order: a singly linked list where each
    bucket holds the node *before* its first node (-1: the list head)."""
    hashes = [_hash_bytes(n.encode("utf-8")) for n in names]
    nxt = [-1] * len(hashes)
    head = -1
    buckets: dict[int, int] = {}
    nbkt = 1
    prime_idx = -1

    def after(before: int) -> int:
        return head if before == -1 else nxt[before]

    for i, h in enumerate(hashes):
        if i + 1 > nbkt or prime_idx < 0:  # _Prime_rehash_policy::_M_need_rehash
            prime_idx += 1
            nbkt = _PRIMES[prime_idx]
            p, head, buckets, bbegin = head, -1, {}, 0
            while p != -1:  # _M_rehash_aux for unique keys
                following = nxt[p]
                b = hashes[p] % nbkt
                if b not in buckets:
                    nxt[p] = head
                    head = p
                    buckets[b] = -1
                    if nxt[p] != -1:
                        buckets[bbegin] = p
                    bbegin = b
                else:
                    before = buckets[b]
                    nxt[p] = after(before)
                    if before == -1:
                        head = p
                    else:
                        nxt[before] = p
                p = following
        b = h % nbkt
        if b in buckets:  # _M_insert_bucket_begin
            before = buckets[b]
            nxt[i] = after(before)
            if before == -1:
                head = i
            else:
                nxt[before] = i
        else:
            nxt[i] = head
            head = i
            if nxt[i] != -1:
                buckets[hashes[nxt[i]] % nbkt] = i
            buckets[b] = -1
    out = []
    p = head
    while p != -1:
        out.append(hashes[p])
        p = nxt[p]
    return out


def _serialization_id(names: list[str], crcs: list[int]) -> str:
    name_hash = 0
    for h in _unordered_set_order(names):
        name_hash = _hash_combine(name_hash, h)
    crc_hash = 0
    for c in crcs:
        crc_hash = _hash_combine(crc_hash, c)
    return f"{name_hash:020d}{crc_hash:020d}"


# ------------------------------------------------------------------ the zip writer
class _ZipWriter:
    """The archive caffe2's PyTorchStreamWriter (miniz) writes: stored records, 64-byte aligned
    data, data descriptors, a ZIP64 end record; offsets count from where writing started."""

    def __init__(self, out, archive_name: str):
        self.out = out
        self.prefix = archive_name + "/"
        self.pos = 0
        self.central: list[bytes] = []
        self.names: list[str] = []
        self.crcs: list[int] = []

    def _write(self, data) -> None:
        self.out.write(data)
        self.pos += len(data) if not isinstance(data, memoryview) else data.nbytes

    def write_record(self, name: str, data) -> None:
        full = (self.prefix + name).encode("utf-8")
        if isinstance(data, np.ndarray):
            size = data.nbytes
            buf = memoryview(data.reshape(-1).view(np.uint8)) if size else b""
        else:
            size = len(data)
            buf = data
        header_at = self.pos
        # ZIP64 (as miniz writes it): sizes >= 4 GiB and/or a header offset >= 4 GiB go into a
        # zip64 extra field (the local one carries a compressed size of 0), and the data
        # descriptor uses 64-bit sizes.
        big_size = size >= _U32
        big_offset = header_at >= _U32
        local64 = _zip64_extra(
            size if big_size else None, 0 if big_size else None, header_at if big_offset else None
        )
        central64 = _zip64_extra(
            size if big_size else None,
            size if big_size else None,
            header_at if big_offset else None,
        )
        start = header_at + 30 + len(full) + len(local64) + 4
        pad = (-start) % _STORAGE_ALIGNMENT
        extra = local64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        flags = 0x0808 if size else 0x0800
        crc = zlib.crc32(buf) if size else 0
        self._write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0, 0, 0, len(full), len(extra)
            )
        )
        self._write(full)
        self._write(extra)
        if size:
            self._write(buf)
            if big_size or big_offset:
                self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
            else:
                self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
            self.crcs.append(crc)
        self.names.append(name)
        size32 = _U32 if big_size else size
        self.central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0,
                0,
                flags,
                0,
                0,
                0,
                crc,
                size32,
                size32,
                len(full),
                len(central64),
                0,
                0,
                0,
                0,
                _U32 if big_offset else header_at,
            )
            + full
            + central64
        )

    def finish(self) -> None:
        self.write_record("version", b"3\n")
        sid = _serialization_id(self.names, self.crcs)
        self.write_record(".data/serialization_id", sid.encode("ascii"))
        cd_start = self.pos
        for entry in self.central:
            self._write(entry)
        cd_size = self.pos - cd_start
        n = len(self.central)
        eocd64 = self.pos
        self._write(
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x2D, 0, 0, n, n, cd_size, cd_start)
        )
        self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        n16 = min(n, 0xFFFF)
        self._write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, n16, n16, min(cd_size, _U32), min(cd_start, _U32), 0
            )
        )


_U32 = 0xFFFFFFFF


def _zip64_extra(uncompressed, compressed, offset) -> bytes:
    """miniz's ZIP64 extended-information field with the members that overflow 32 bits."""
    fields = [v for v in (uncompressed, compressed, offset) if v is not None]
    if not fields:
        return b""
    return struct.pack("<HH", 1, 8 * len(fields)) + b"".join(struct.pack("<Q", v) for v in fields)


def _archive_name(path: str) -> str:
    try:
        path.encode("ascii")
    except UnicodeEncodeError:
        return "archive"  # torch writes non-ASCII paths through a Python stream
    base = path.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[:dot] if dot != -1 else base


def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _write_checkpoint(obj, out, archive_name: str, protocol: int, byteorder_record: bool) -> None:
    buf = io.BytesIO()
    pickler = _Pickler(buf, protocol)
    pickler.dump(obj)
    writer = _ZipWriter(out, archive_name)
    writer.write_record("data.pkl", buf.getvalue())
    writer.write_record(".format_version", b"1")
    writer.write_record(".storage_alignment", str(_STORAGE_ALIGNMENT).encode())
    if byteorder_record:
        writer.write_record("byteorder", sys.byteorder.encode())
    for ref in pickler.order:
        writer.write_record("data/" + ref.key, ref.root)
    writer.finish()


def save(
    obj: object,
    f,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file object) in PyTorch's checkpoint format.

    The bytes equal ``torch.save``'s for the same objects. Saving to a path is atomic: the data
    goes to a temporary file in the same folder, which is fsynced and then renamed over ``f``,
    so a crash never leaves a half-written checkpoint behind.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "ember.save writes only the zip format (_use_new_zipfile_serialization=True)"
        )
    byteorder = not _disable_byteorder_record
    if not _is_path(f) and not hasattr(f, "write"):
        raise AttributeError(
            "expected 'f' to be string, path, or a file-like object with a 'write' attribute"
        )
    if _is_path(f):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        parent = os.path.dirname(path)
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        name = _archive_name(path)
        if not name:
            raise RuntimeError(f"invalid file name: {path}")
        # Write beside the real file (through a symlink, as torch writes through it), keep its
        # permission bits, and only rename over it once the bytes are on disk.
        real = os.path.realpath(path) if os.path.islink(path) else path
        folder = os.path.dirname(real)
        tmp = os.path.join(folder, f".{os.path.basename(real)}.{os.urandom(6).hex()}.tmp")
        try:
            with open(tmp, "xb") as out:
                _write_checkpoint(obj, out, name, pickle_protocol, byteorder)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(OSError):
                os.chmod(tmp, os.stat(real).st_mode & 0o7777)
            os.replace(tmp, real)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(folder or ".")
        return
    if not callable(getattr(f, "write", None)):
        msg = f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'"
        if not hasattr(f, "write"):
            raise AttributeError(msg)
        raise TypeError(msg)
    _write_checkpoint(obj, f, "archive", pickle_protocol, byteorder)
    if hasattr(f, "flush"):
        f.flush()


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ================================================================== reading
class _StorageType:
    """What a ``torch.<X>Storage`` global unpickles to: the storage's element type."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype):
        self.name = name
        self.dtype = dtype  # ember dtype, or None for UntypedStorage / types ember lacks

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class _ForeignDtype:
    """A torch dtype ember has no counterpart for; loading a tensor of it fails clearly."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"


class UntypedStorage:
    """The raw bytes of one loaded storage (what a callable ``map_location`` receives)."""

    def __init__(self, data: np.ndarray, location: str = "cpu"):
        self._data = data  # 1-D uint8
        self.device = _Device(location if location.split(":")[0] in ("cpu", "cuda") else "cpu")

    def nbytes(self) -> int:
        return self._data.nbytes

    def size(self) -> int:
        return self._data.nbytes

    def __len__(self) -> int:
        return self._data.nbytes

    def cpu(self):
        return self

    def __repr__(self) -> str:
        return f"ember.UntypedStorage(nbytes={self._data.nbytes})"


class _Loaded:
    """A storage as the unpickler hands it to a rebuild function: bytes plus element type."""

    __slots__ = ("raw", "dtype", "key")

    def __init__(self, raw: np.ndarray, dtype, key):
        self.raw = raw
        self.dtype = dtype
        self.key = key


def _storage_type_for(name: str) -> _StorageType:
    if name in _DTYPE_OF_STORAGE:
        return _StorageType(name, _DTYPE_OF_STORAGE[name])
    return _StorageType(name, None)


_RESIZE_MSG = "Trying to resize storage that is not resizable"


def _check_int(v, what: str) -> int:
    if type(v) is bool or not isinstance(v, int):
        raise TypeError(f"{what} must be an int, not {type(v).__name__}")
    return v


def _build_array(storage, storage_offset, size, stride, dtype) -> np.ndarray:
    if not isinstance(storage, _Loaded):
        raise TypeError(f"expected a storage, got {type(storage).__name__}")
    if isinstance(dtype, _ForeignDtype) or dtype is None:
        name = dtype.name if isinstance(dtype, _ForeignDtype) else "this storage type"
        raise TypeError(f"ember cannot load tensors of dtype {name}")
    storage_offset = _check_int(storage_offset, "storage_offset")
    if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)):
        raise TypeError("size and stride must be tuples")
    size = tuple(_check_int(s, "size") for s in size)
    stride = tuple(_check_int(s, "stride") for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    if any(s < 0 for s in size):
        bad = next(s for s in size if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {list(size)}")
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment")
    item = dtype.itemsize
    raw = storage.raw
    if raw is None:  # first pass over a legacy file: no bytes yet
        return np.zeros(0, dtype._np)
    nelem = raw.nbytes // item
    if 0 in size:
        needed = 0
    else:
        needed = storage_offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed * item >= 1 << 63:
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}"
        )
    if needed > nelem:
        raise RuntimeError(_RESIZE_MSG)
    typed = raw[: nelem * item].view(dtype._np) if raw.nbytes else np.empty(0, dtype._np)
    if needed == 0:
        off = min(storage_offset, nelem) * item
    else:
        off = storage_offset * item
    return np.ndarray(
        size, dtype._np, buffer=typed, offset=off, strides=tuple(s * item for s in stride)
    )


def _rebuild_tensor(storage, storage_offset, size, stride):
    dtype = storage.dtype if isinstance(storage, _Loaded) else None
    return _wrap(_build_array(storage, storage_offset, size, stride, dtype))


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    _apply_metadata(t, metadata)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    if not isinstance(dtype, D.dtype):
        dtype = dtype if isinstance(dtype, _ForeignDtype) else None
    t = _wrap(_build_array(storage, storage_offset, size, stride, dtype))
    _apply_metadata(t, metadata)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _apply_metadata(t: Tensor, metadata) -> None:
    if metadata:
        if metadata.get("conj") or metadata.get("neg"):
            raise TypeError("ember cannot load conjugate or negative-bit views (no complex dtypes)")


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _parameter_class()(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _parameter_class()(data, requires_grad)
    _set_obj_state(p, state)
    return p


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    if dict_state:
        for k, v in dict_state.items():
            setattr(obj, k, v)
    if slots_state:
        for k, v in slots_state.items():
            setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if type(ret) is not new_type:
        if new_type is Tensor:
            ret = _wrap(ret._data) if isinstance(ret, Tensor) else ret
        elif isinstance(new_type, type) and issubclass(new_type, Tensor):
            from ._tensor import _as_subclass

            ret = _as_subclass(ret, new_type)
        else:
            raise TypeError(f"cannot rebuild a tensor as {new_type!r}")
    setstate = getattr(type(ret), "__setstate__", None)
    if setstate is not None and setstate is not Tensor.__setstate__:
        ret.__setstate__(state)
    else:
        ret = _set_obj_state(ret, state)
    return ret


def _unsupported_rebuild(name: str) -> Callable:
    def fn(*args, **kwargs):
        raise TypeError(f"ember cannot load tensors rebuilt by torch._utils.{name}")

    fn.__name__ = name
    fn.__qualname__ = name
    return fn


def _get_layout(name):
    from . import _layout

    if not isinstance(name, str) or not name.startswith("torch."):
        raise KeyError(name)
    obj = getattr(_layout, name[6:], None)
    if not isinstance(obj, _layout.layout):
        raise KeyError(name)
    return obj


_ALLOWED: dict | None = None
_ALLOWED_IDS: set[int] = set()  # ids of the (immortal) allow-list values, for fast checks
_MAX_BYTEARRAY = 1 << 30


def _bytearray(*args):
    # Pickles spell bytearrays as (str, encoding); a bare size would only allocate memory.
    if args and isinstance(args[0], int) and args[0] > _MAX_BYTEARRAY:
        raise pickle.UnpicklingError(f"bytearray of {args[0]} bytes refused")
    return bytearray(*args)


_bytearray.__qualname__ = _bytearray.__name__ = "bytearray"


def _allowed_globals() -> dict:
    """torch's weights-only allow-list, each name mapped to its ember counterpart."""
    global _ALLOWED
    if _ALLOWED is not None:
        return _ALLOWED
    from codecs import encode

    rc: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": _parameter_class(),
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _Device,
        "_codecs.encode": encode,
        "builtins.bytearray": _bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
    }
    for d in D.ALL_DTYPES:
        rc["torch." + d._name] = d
    for name in _FOREIGN_DTYPES:
        rc["torch." + name] = _ForeignDtype(name)
    for d in D.ALL_DTYPES:
        rc[f"torch.{d._legacy}Tensor"] = Tensor
    for name in list(_DTYPE_OF_STORAGE) + list(_FOREIGN_STORAGES):
        rc["torch." + name] = _storage_type_for(name)
    rc["torch.storage.TypedStorage"] = _StorageType("TypedStorage", None)
    rc["torch.storage.UntypedStorage"] = _StorageType("UntypedStorage", None)
    for q in (
        "per_tensor_affine",
        "per_tensor_symmetric",
        "per_channel_affine",
        "per_channel_symmetric",
        "per_channel_affine_float_qparams",
    ):
        rc["torch." + q] = _ForeignDtype(q)
    rc["torch._utils._rebuild_tensor"] = _rebuild_tensor
    rc["torch._utils._rebuild_tensor_v2"] = _rebuild_tensor_v2
    rc["torch._utils._rebuild_tensor_v3"] = _rebuild_tensor_v3
    rc["torch._utils._rebuild_parameter"] = _rebuild_parameter
    rc["torch._utils._rebuild_parameter_with_state"] = _rebuild_parameter_with_state
    for name in (
        "_rebuild_qtensor",
        "_rebuild_sparse_tensor",
        "_rebuild_meta_tensor_no_storage",
        "_rebuild_nested_tensor",
        "_rebuild_wrapper_subclass",
        "_rebuild_device_tensor_from_numpy",
        "_rebuild_device_tensor_from_cpu_tensor",
    ):
        rc["torch._utils." + name] = _unsupported_rebuild(name)
    rc["torch._tensor._rebuild_from_type_v2"] = _rebuild_from_type_v2
    _ALLOWED_IDS.update(id(v) for v in rc.values())
    _ALLOWED = rc
    return rc


# ------------------------------------------------------------------ user allow-list
_safe_globals_set: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """Allow these globals (objects, or ``(object, "module.name")`` pairs) in weights-only
    loads."""
    global _safe_globals_set
    _safe_globals_set = _safe_globals_set.union(set(safe_globals))


def get_safe_globals() -> list:
    return list(_safe_globals_set)


def clear_safe_globals() -> None:
    global _safe_globals_set
    _safe_globals_set = set()


def _remove_safe_globals(globals_to_remove: list) -> None:
    global _safe_globals_set
    _safe_globals_set = _safe_globals_set - set(globals_to_remove)


class safe_globals:
    """Context manager that allows the given globals in weights-only loads within it."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def _user_allowed_globals() -> dict:
    rc: dict[str, Any] = {}
    for f in _safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(
                    "Expected tuple of length 2 (global, str of callable full path), but got "
                    f"tuple of length: {len(f)}"
                )
            if type(f[1]) is not str:
                raise TypeError(
                    "Expected second item in tuple to be str of callable full path, but got: "
                    f"{type(f[1])}"
                )
            f, name = f
            rc[name] = f
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


# ------------------------------------------------------------------ the weights-only unpickler
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_IMPORT_MAPPING = {
    "__builtin__": "builtins",
    "copy_reg": "copyreg",
    "Queue": "queue",
    "repr": "reprlib",
    "_abcoll": "collections.abc",
    "UserDict": "collections",
    "UserList": "collections",
    "UserString": "collections",
    "whichdb": "dbm",
    "StringIO": "io",
    "cStringIO": "io",
}
_NAME_MAPPING = {
    ("__builtin__", "xrange"): ("builtins", "range"),
    ("__builtin__", "reduce"): ("functools", "reduce"),
    ("__builtin__", "intern"): ("sys", "intern"),
    ("__builtin__", "unichr"): ("builtins", "chr"),
    ("__builtin__", "unicode"): ("builtins", "str"),
    ("__builtin__", "long"): ("builtins", "int"),
    ("itertools", "izip"): ("builtins", "zip"),
    ("itertools", "imap"): ("builtins", "map"),
    ("itertools", "ifilter"): ("builtins", "filter"),
    ("itertools", "ifilterfalse"): ("itertools", "filterfalse"),
    ("itertools", "izip_longest"): ("itertools", "zip_longest"),
    ("UserDict", "IterableUserDict"): ("collections", "UserDict"),
    ("UserList", "UserList"): ("collections", "UserList"),
    ("UserString", "UserString"): ("collections", "UserString"),
    ("__builtin__", "basestring"): ("builtins", "str"),
    ("exceptions", "StandardError"): ("builtins", "Exception"),
    ("UserDict", "UserDict"): ("collections", "UserDict"),
}
_NJT = (
    "torch.nested._internal.nested_tensor.NestedTensor",
    "torch.nested._internal.nested_tensor._rebuild_njt",
    "torch._dynamo.decorators._DimRange",
)
_DTENSOR = (
    "torch.distributed.device_mesh.DeviceMesh",
    "torch.distributed.tensor._dtensor_spec.DTensorSpec",
    "torch.distributed.tensor._dtensor_spec.TensorMeta",
    "torch.distributed.tensor.DTensor",
    "torch.distributed.tensor.placement_types.Partial",
    "torch.distributed.tensor.placement_types.Replicate",
    "torch.distributed.tensor.placement_types.Shard",
)

_UnpicklingError = pickle.UnpicklingError


def _read_global(readline) -> tuple[str, str]:
    module = readline()[:-1].decode("utf-8")
    name = readline()[:-1].decode("utf-8")
    if (module, name) in _NAME_MAPPING:
        module, name = _NAME_MAPPING[(module, name)]
    elif module in _IMPORT_MAPPING:
        module = _IMPORT_MAPPING[module]
    return module, name


def _contains(values, obj) -> bool:
    # ``obj in dict.values()`` by identity first, then equality (as torch's check does)
    if id(obj) in _ALLOWED_IDS:
        return True
    for v in values:
        if v is obj:
            return True
    try:
        return any(v == obj for v in values if type(v) is type(obj))
    except Exception:
        return False


class _WeightsUnpickler:
    """Interprets only the opcodes and globals torch's weights-only unpickler accepts."""

    def __init__(self, file, persistent_load, *, encoding: str = "bytes"):
        self.encoding = encoding
        self.readline = file.readline
        self.read = file.read
        self.memo: dict[int, Any] = {}
        self.proto = -1
        self.persistent_load = persistent_load

    def load(self):
        self.metastack: list = []
        self.stack: list = []
        read = self.read
        allowed = _allowed_globals()
        user = _user_allowed_globals()
        allowed_values = list(allowed.values())
        user_values = list(user.values())
        param_cls = allowed["torch.nn.parameter.Parameter"]
        while True:
            key = read(1)
            if not key:
                raise EOFError
            op = key[0]
            stack = self.stack
            if op == 0x63:  # GLOBAL
                module, name = _read_global(self.readline)
                full_path = f"{module}.{name}"
                if module in _BLOCKED_MODULES:
                    raise _UnpicklingError(
                        f"Trying to load unsupported GLOBAL {full_path} whose module {module} "
                        "is blocked."
                    )
                if full_path in allowed:
                    stack.append(allowed[full_path])
                elif full_path in user:
                    stack.append(user[full_path])
                elif module.startswith("torch.") and _user_allows_counterpart(
                    module, name, allowed, user_values
                ):
                    stack.append(_find_trusted(module, name, allowed))
                elif full_path in _NJT:
                    raise _UnpicklingError(
                        "``torch.nested`` and ``torch._dynamo`` must be imported to load nested "
                        "jagged tensors (NJTs)"
                    )
                elif full_path in _DTENSOR:
                    raise _UnpicklingError(
                        "``torch.distributed.tensor`` must be imported to load DTensors"
                    )
                else:
                    if full_path.startswith("builtins"):
                        rest = full_path[len("builtins") :]
                        full_path = rest[1:] if rest[:1] == "." else "builtins" + rest
                    raise _UnpicklingError(
                        f"Unsupported global: GLOBAL {full_path} was not an allowed global by "
                        "default. Please use `ember.serialization.add_safe_globals"
                        f"([{full_path}])` or the `ember.serialization.safe_globals"
                        f"([{full_path}])` context manager to allowlist this global if you "
                        "trust this class/function."
                    )
            elif op == 0x81:  # NEWOBJ
                args = stack.pop()
                cls = stack.pop()
                if param_cls is not None and cls is param_cls:
                    stack.append(param_cls(*args))
                elif _contains(user_values, cls) or _contains(allowed_values, cls):
                    stack.append(cls.__new__(cls, *args))
                else:
                    raise _UnpicklingError(
                        "Can only create new object for nn.Parameter or classes allowlisted "
                        f"via `add_safe_globals` but got {cls}"
                    )
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                func = stack[-1]
                if not _contains(allowed_values, func) and not _contains(user_values, func):
                    msg = f"Trying to call reduce for unrecognized function {func}"
                    if hasattr(func, "__self__"):
                        msg += f" which belongs to {func.__self__}"
                    raise _UnpicklingError(msg)
                if type(args) is not tuple:
                    raise _UnpicklingError("REDUCE arguments must be a tuple")
                stack[-1] = func(*args)
            elif op == 0x62:  # BUILD
                state = stack.pop()
                inst = stack[-1]
                t = type(inst)
                if t is Tensor:
                    raise _UnpicklingError("ember cannot load legacy tensor state (Tensor.set_)")
                elif param_cls is not None and t is param_cls:
                    raise _UnpicklingError("ember cannot load legacy Parameter state")
                elif t is OrderedDict:
                    inst.__dict__.update(state)
                elif _contains(user_values, t) or _contains(allowed_values, t):
                    if hasattr(inst, "__setstate__"):
                        inst.__setstate__(state)
                    else:
                        slotstate = None
                        if isinstance(state, tuple) and len(state) == 2:
                            state, slotstate = state
                        if state:
                            inst.__dict__.update(state)
                        if slotstate:
                            for k, v in slotstate.items():
                                setattr(inst, k, v)
                else:
                    raise _UnpicklingError(
                        "Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                        f"via `add_safe_globals`, but got {t}"
                    )
            elif op == 0x61:  # APPEND
                item = stack.pop()
                target = stack[-1]
                if type(target) is not list:
                    raise _UnpicklingError(f"Can only append to lists, but got {type(target)}")
                target.append(item)
            elif op == 0x65:  # APPENDS
                items = self._pop_mark()
                target = self.stack[-1]
                if type(target) is not list:
                    raise _UnpicklingError(f"Can only extend lists, but got {type(target)}")
                target.extend(items)
            elif op == 0x73:  # SETITEM
                v = stack.pop()
                k = stack.pop()
                self._check_set_item_target("SETITEM")
                stack[-1][k] = v
            elif op == 0x75:  # SETITEMS
                items = self._pop_mark()
                self._check_set_item_target("SETITEMS")
                target = self.stack[-1]
                for i in range(0, len(items), 2):
                    target[items[i]] = items[i + 1]
            elif op == 0x28:  # MARK
                self.metastack.append(stack)
                self.stack = []
            elif op == 0x74:  # TUPLE
                items = self._pop_mark()
                self.stack.append(tuple(items))
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == 0x87:  # TUPLE3
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op == 0x89:  # NEWFALSE
                stack.append(False)
            elif op == 0x88:  # NEWTRUE
                stack.append(True)
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x7D:  # EMPTY_DICT
                stack.append({})
            elif op == 0x8F:  # EMPTY_SET
                stack.append(set())
            elif op == 0x4A:  # BININT
                stack.append(unpack("<i", read(4))[0])
            elif op == 0x4B:  # BININT1
                stack.append(read(1)[0])
            elif op == 0x4D:  # BININT2
                stack.append(unpack("<H", read(2))[0])
            elif op == 0x47:  # BINFLOAT
                stack.append(unpack(">d", read(8))[0])
            elif op == 0x58:  # BINUNICODE
                strlen = unpack("<I", read(4))[0]
                if strlen > sys.maxsize:
                    raise _UnpicklingError("String is too long")
                stack.append(str(read(strlen), "utf-8", "surrogatepass"))
            elif op == 0x55:  # SHORT_BINSTRING
                strlen = read(1)[0]
                data = read(strlen)
                if self.encoding != "bytes":
                    data = data.decode(self.encoding, "strict")
                stack.append(data)
            elif op == 0x51:  # BINPERSID
                pid = stack.pop()
                if type(pid) is not tuple and type(pid) is not int:
                    raise _UnpicklingError(
                        f"persistent_load id must be tuple or int, but got {type(pid)}"
                    )
                if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != "storage":
                    raise _UnpicklingError(
                        f"Only persistent_load of storage is allowed, but got {type(pid[0])}"
                    )
                stack.append(self.persistent_load(pid))
            elif op == 0x68 or op == 0x6A:  # BINGET, LONG_BINGET
                idx = read(1)[0] if op == 0x68 else unpack("<I", read(4))[0]
                stack.append(self.memo[idx])
            elif op == 0x71 or op == 0x72:  # BINPUT, LONG_BINPUT
                idx = read(1)[0] if op == 0x71 else unpack("<I", read(4))[0]
                self.memo[idx] = stack[-1]
            elif op == 0x8A:  # LONG1
                n = read(1)[0]
                stack.append(pickle.decode_long(read(n)))
            elif op == 0x80:  # PROTO
                self.proto = read(1)[0]
                if self.proto != 2:
                    warnings.warn(
                        f"Detected pickle protocol {self.proto} in the checkpoint, which was "
                        "not the default pickle protocol used by `ember.load` (2). The "
                        "weights_only Unpickler might not support all instructions implemented "
                        "by this protocol, please file an issue for adding support if you "
                        "encounter this.",
                        stacklevel=2,
                    )
            elif op == 0x2E:  # STOP
                return self.stack.pop()
            else:
                raise _UnpicklingError(f"Unsupported operand {op}")

    def _pop_mark(self) -> list:
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def _check_set_item_target(self, opcode: str) -> None:
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise _UnpicklingError(
                f"Can only {opcode} for dict, collections.OrderedDict, "
                f"collections.Counter, but got {type(self.stack[-1])}"
            )


def _user_allows_counterpart(module: str, name: str, allowed: dict, user_values: list) -> bool:
    """Whether a torch global's ember counterpart was allowed with ``add_safe_globals``
    (allowing ``ember.nn.Linear`` allows the file's ``torch.nn.modules.linear.Linear``)."""
    if not user_values:
        return False
    try:
        obj = _find_trusted(module, name, allowed)
    except AttributeError:
        return False
    return any(obj is v for v in user_values)


# bytes of argument that follow each fixed-size opcode torch's weights-only unpickler knows
_OPCODE_ARG_BYTES = {
    **dict.fromkeys(b"\x81Rbae(st\x85\x86\x87N\x89\x88)]}\x8fQsu", 0),
    0x4A: 4,  # BININT
    0x4B: 1,  # BININT1
    0x4D: 2,  # BININT2
    0x47: 8,  # BINFLOAT
    0x68: 1,  # BINGET
    0x6A: 4,  # LONG_BINGET
    0x71: 1,  # BINPUT
    0x72: 4,  # LONG_BINPUT
}


def _globals_in_pickle(file) -> set[str]:
    """The GLOBAL names a pickle mentions, read without executing anything."""
    found = set()
    read = file.read
    while True:
        key = read(1)
        if not key:
            raise EOFError
        op = key[0]
        if op == 0x63:  # GLOBAL
            module, name = _read_global(file.readline)
            found.add(f"{module}.{name}")
        elif op in _OPCODE_ARG_BYTES:
            if _OPCODE_ARG_BYTES[op]:
                read(_OPCODE_ARG_BYTES[op])
        elif op == 0x58:  # BINUNICODE
            read(unpack("<I", read(4))[0])
        elif op in (0x55, 0x8A):  # SHORT_BINSTRING, LONG1
            read(read(1)[0])
        elif op == 0x80:  # PROTO
            read(1)
        elif op == 0x2E:  # STOP
            return found
        else:
            raise _UnpicklingError(f"Unsupported operand {op}")


def get_unsafe_globals_in_checkpoint(f) -> list[str]:
    """The GLOBALs in a checkpoint that a weights-only load would refuse (read statically)."""
    safe = set(_allowed_globals()) | set(_user_allowed_globals())
    with _open_for_read(f) as fh:
        start = fh.tell()
        magic = fh.read(4)
        fh.seek(start)
        if magic != b"PK\x03\x04":
            raise ValueError("Expected input to be a checkpoint returned by ember.save")
        if start:
            fh = io.BytesIO(fh.read())
        reader = _ZipReader(fh)
        found = _globals_in_pickle(io.BytesIO(reader.get_record("data.pkl")))
    return list(found - safe)


def _decode_ascii(s):
    if isinstance(s, bytes):
        return str(s, "ascii")
    return s


def _find_trusted(module: str, name: str, allowed: dict):
    """``weights_only=False``: torch's names map to ember objects (``torch.nn.Linear`` to
    ``ember.nn.Linear``...); everything else resolves as Python's unpickler would."""
    if module == "torch.tensor":
        module = "torch._tensor"
    full = f"{module}.{name}"
    if full in allowed:
        return allowed[full]
    if "Storage" in name and module == "torch":
        return _storage_type_for(name)
    if module == "torch" or module.startswith("torch."):
        # the same path under ember, else the name on an enclosing package (torch's
        # torch.nn.modules.batchnorm.BatchNorm1d is ember.nn.BatchNorm1d)
        import importlib

        parts = ("ember" + module[5:]).split(".")
        for depth in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:depth]))
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                continue
        raise AttributeError(f"ember has no counterpart of {full}")
    return None


# ------------------------------------------------------------------ the archive reader
_MINIZ_HINT = (
    ". This is an internal miniz error. If you are seeing this error, there is a high likelihood "
    "that your checkpoint file is corrupted. This can happen if the checkpoint was not saved "
    "properly, was transferred incorrectly, or the file was modified after saving."
)


def _zip_error(what: str) -> RuntimeError:
    return RuntimeError(f"PytorchStreamReader failed reading zip archive: {what}{_MINIZ_HINT}")


class _ZipReader:
    """Records of one checkpoint archive; stored records are read straight from the file."""

    def __init__(self, fh):
        self.fh = fh
        fh.seek(0, 2)
        self.file_size = fh.tell()
        fh.seek(0)
        try:
            self.zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as e:
            msg = str(e)
            raise _zip_error(
                "not a ZIP archive"
                if "not a zip file" in msg.lower() and self.file_size < 22
                else "failed finding central directory"
            ) from None
        except (OSError, ValueError, EOFError, struct.error, OverflowError):
            raise _zip_error("failed finding central directory") from None
        infos = self.zf.infolist()
        if not infos:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: empty archive")
        first = infos[0].filename
        slash = first.find("/")
        if slash < 0:
            raise RuntimeError("file in archive is not in a subdirectory: " + first)
        self.prefix = first[: slash + 1]
        self.records: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.filename.startswith(self.prefix):
                raise RuntimeError(
                    f"file in archive is not in a subdirectory {self.prefix}: {info.filename}"
                )
            self.records[info.filename[len(self.prefix) :]] = info
        self.version = self._check_version()

    def _check_version(self) -> int:
        name = ".data/version" if ".data/version" in self.records else "version"
        if name not in self.records:
            raise RuntimeError(
                'Expected hasRecord("version") to be true, but got false.  (Could this error '
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        text = bytes(self.get_record(name)).strip()
        try:
            version = int(text)
        except ValueError:
            raise RuntimeError(f"Couldn't parse the version {text!r} as Long.") from None
        if version < 1:
            raise RuntimeError(
                f"Attempted to read a PyTorch file with version {version}, but the minimum "
                "supported version for reading is 1. Your PyTorch script module file is too "
                "old. Please regenerate it with latest version of PyTorch to mitigate this issue."
            )
        if version > 10:
            raise RuntimeError(
                f"Attempted to read a PyTorch file with version {version}, but the maximum "
                "supported version for reading is 10. The version of your PyTorch installation "
                "may be too old, please upgrade PyTorch to latest version to mitigate this issue."
            )
        return version

    def has_record(self, name: str) -> bool:
        return name in self.records

    def info(self, name: str) -> zipfile.ZipInfo:
        info = self.records.get(name)
        if info is None:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {name}: file not found{_MINIZ_HINT}"
            )
        return info

    def data_offset(self, name: str) -> int:
        info = self.info(name)
        self.fh.seek(info.header_offset)
        head = self.fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: invalid header")
        n, m = struct.unpack("<HH", head[26:30])
        start = info.header_offset + 30 + n + m
        if start + info.compress_size > self.file_size:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed")
        return start

    def get_record(self, name: str):
        info = self.info(name)
        if info.compress_type == zipfile.ZIP_STORED:
            start = self.data_offset(name)
            self.fh.seek(start)
            data = self.fh.read(info.file_size)
            if len(data) != info.file_size:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}")
            return data
        try:
            return self.zf.read(info)
        except Exception as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}") from None

    def read_into_array(self, name: str, nbytes: int) -> np.ndarray:
        info = self.info(name)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"record size ({info.file_size} bytes) does not match expected size "
                f"({nbytes} bytes = {nbytes} elements * 1 bytes/element) for dtype Byte"
            )
        if info.compress_type != zipfile.ZIP_STORED:
            return np.frombuffer(bytearray(self.get_record(name)), np.uint8)
        start = self.data_offset(name)
        out = np.empty(nbytes, np.uint8)
        if nbytes:
            self.fh.seek(start)
            got = self.fh.readinto(memoryview(out)) if hasattr(self.fh, "readinto") else None
            if got is None:
                chunk = self.fh.read(nbytes)
                got = len(chunk)
                out[:got] = np.frombuffer(chunk, np.uint8)
            if got != nbytes:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}")
        return out

    def mapped_array(self, name: str, nbytes: int, mapped) -> np.ndarray:
        info = self.info(name)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"record size ({info.file_size} bytes) does not match expected size "
                f"({nbytes} bytes = {nbytes} elements * 1 bytes/element) for dtype Byte"
            )
        if info.compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(
                f"ember.load(mmap=True): record {name} is compressed; only stored (uncompressed) "
                "checkpoints can be memory-mapped"
            )
        if nbytes == 0:
            return np.empty(0, np.uint8)
        return np.frombuffer(mapped, np.uint8, count=nbytes, offset=self.data_offset(name))


def _restore_location(map_location) -> Callable:
    """``(storage, location) -> storage``, per torch's map_location forms."""

    def check(location: str) -> None:
        kind = location.split(":")[0]
        if kind == "cpu":
            return
        if kind == "cuda":
            from . import cuda

            if not cuda.is_available():
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but "
                    "ember.cuda.is_available() is False. If you are running on a CPU-only "
                    "machine, please use ember.load with map_location=ember.device('cpu') to "
                    "map your storages to the CPU."
                )
            return
        raise RuntimeError(
            f"don't know how to restore data location of ember.storage.UntypedStorage "
            f"(tagged with {location})"
        )

    if map_location is None:

        def restore(storage, location):
            check(location)
            return storage

    elif isinstance(map_location, dict):

        def restore(storage, location):
            location = map_location.get(location, location)
            check(str(location))
            return storage

    elif isinstance(map_location, (str, bytes, _Device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)

        def restore(storage, location):
            check(target)
            return storage

    elif callable(map_location):

        def restore(storage, location):
            result = map_location(storage, location)
            if result is None:
                check(location)
                return storage
            return result

    else:
        raise TypeError(
            f"map_location must be str, device, dict or callable, not {type(map_location).__name__}"
        )
    return restore


def _load_archive(
    reader: _ZipReader,
    map_location,
    weights_only: bool,
    mapped,
    pickle_module,
    pickle_load_args: dict,
):
    restore = _restore_location(map_location)
    byteorder = b"little"
    if reader.has_record("byteorder"):
        byteorder = bytes(reader.get_record("byteorder"))
        if byteorder not in (b"little", b"big"):
            raise ValueError("Unknown endianness type: " + byteorder.decode(errors="replace"))
    swap = byteorder.decode() != sys.byteorder
    loaded: dict = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise AssertionError(f"saved_id must be a tuple, got {type(saved_id).__name__}")
        typename = _decode_ascii(saved_id[0])
        if typename != "storage":
            raise AssertionError(
                f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'"
            )
        if len(saved_id) != 5:
            raise RuntimeError(f"persistent id must have 5 entries, got {len(saved_id)}")
        storage_type, key, location, numel = saved_id[1:]
        if not isinstance(storage_type, _StorageType):
            raise RuntimeError(f"persistent id names no storage type: {storage_type!r}")
        if not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise RuntimeError("malformed storage persistent id")
        dtype = storage_type.dtype
        if key in loaded:
            raw = loaded[key]
        else:
            if storage_type.name in ("UntypedStorage", "TypedStorage"):
                item = 1
            elif dtype is None:
                item = _FOREIGN_ITEMSIZE.get(storage_type.name, 1)
            else:
                item = dtype.itemsize
            nbytes = numel * item
            name = f"data/{key}"
            if mapped is not None:
                raw = reader.mapped_array(name, nbytes, mapped)
            else:
                raw = reader.read_into_array(name, nbytes)
            if swap and dtype is not None and dtype.itemsize > 1:
                raw.view(dtype._np).byteswap(inplace=True)
            result = restore(UntypedStorage(raw, _decode_ascii(location)), _decode_ascii(location))
            raw = result._data if isinstance(result, UntypedStorage) else raw
            loaded[key] = raw
        if storage_type.name in _FOREIGN_STORAGES:
            dtype = _ForeignDtype(storage_type.name)
        return _Loaded(raw, dtype, key)

    data = io.BytesIO(reader.get_record("data.pkl"))
    return _unpickle(data, persistent_load, weights_only, pickle_module, pickle_load_args)


def _unpickle(fh, persistent_load, weights_only: bool, pickle_module, pickle_load_args: dict):
    """One pickle from ``fh``: the weights-only unpickler, or (trusted files) the given pickle
    module's, with torch's names mapped to ember's."""
    if weights_only:
        encoding = pickle_load_args.get("encoding", "utf-8")
        return _WeightsUnpickler(fh, persistent_load, encoding=encoding).load()
    module = pickle_module if pickle_module is not None else pickle
    allowed = _allowed_globals()

    class _TrustedUnpickler(module.Unpickler):  # type: ignore[name-defined]
        def find_class(self, mod_name, name):
            found = _find_trusted(mod_name, name, allowed)
            if found is not None:
                return found
            return super().find_class(mod_name, name)

    unpickler = _TrustedUnpickler(fh, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    return unpickler.load()


_FOREIGN_ITEMSIZE = {
    "ComplexFloatStorage": 8,
    "ComplexDoubleStorage": 16,
    "QInt8Storage": 1,
    "QUInt8Storage": 1,
    "QInt32Storage": 4,
    "QUInt4x2Storage": 1,
    "QUInt2x4Storage": 1,
}


def _wo_message(message: str) -> str:
    import re

    has_unsafe_global = (
        re.search(r"GLOBAL (\S+) was not an allowed global by default.", message) is not None
    )
    has_blocklist = re.search(r"whose module (\S+) is blocked", message) is not None
    has_import = re.search(r"(\S+) must be (\S+) to load", message) is not None
    if has_unsafe_global:
        updated = (
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, \033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` "
            "please check the recommended steps in the following error message.\n\t"
            "WeightsUnpickler error: " + message
        )
    else:
        if has_import:
            return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
        updated = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
        if not has_blocklist:
            updated += (
                "Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
            )
        updated += "\n\n" + message
    return updated + DOCS_MESSAGE


@contextlib.contextmanager
def _open_for_read(f):
    if _is_path(f):
        with open(f, "rb") as fh:
            yield fh
        return
    if not hasattr(f, "read"):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
    if not (hasattr(f, "seek") and (not hasattr(f, "seekable") or f.seekable())):
        yield io.BytesIO(f.read())
        return
    yield f


def load(
    f,
    map_location=None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip or legacy format).

    ``weights_only`` (the default unless a ``pickle_module`` is given) accepts exactly what
    torch's weights-only unpickler accepts: tensors, containers, primitive types and globals
    allowed with ``add_safe_globals``. ``mmap=True`` maps storages from the file (copy-on-write)
    instead of reading them.
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError(
                "Can not safely load weights when explicit pickle_module is specified"
            )
    elif pickle_module is None:
        pickle_module = pickle
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    pickle_load_args.setdefault("encoding", "utf-8")
    if _is_path(f):
        fspath = os.fspath(f)
        if isinstance(fspath, str) and fspath.endswith(".safetensors"):
            return _load_safetensors(fspath, map_location)
    with _open_for_read(f) as fh:
        start = fh.tell()
        magic = fh.read(4)
        fh.seek(start)
        if magic == b"PK\x03\x04":
            if start:
                fh = io.BytesIO(fh.read())
            reader = _ZipReader(fh)
            if reader.has_record("constants.pkl"):
                if weights_only:
                    raise RuntimeError(
                        "Cannot use ``weights_only=True`` with TorchScript archives passed to "
                        "``ember.load``. " + UNSAFE_MESSAGE
                    )
                raise RuntimeError("ember.load cannot load TorchScript archives")
            mapped = None
            if mmap:
                if not _is_path(f):
                    raise ValueError("f must be a file path in order to use the mmap argument")
                with open(f, "rb") as raw_fh:
                    mapped = _mmap.mmap(raw_fh.fileno(), 0, access=_mmap.ACCESS_COPY)
            try:
                return _load_archive(
                    reader, map_location, weights_only, mapped, pickle_module, pickle_load_args
                )
            except pickle.UnpicklingError as e:
                if weights_only:
                    raise pickle.UnpicklingError(_wo_message(str(e))) from None
                raise
        if mmap:
            f_name = "" if not isinstance(f, str) else f"{f}, "
            raise RuntimeError(
                "mmap can only be used with files saved with "
                f"`ember.save({f_name}_use_new_zipfile_serialization=True), "
                "please ember.save your checkpoint with this option in order to use mmap."
            )
        try:
            return _legacy_load(fh, map_location, weights_only, pickle_module, pickle_load_args)
        except pickle.UnpicklingError as e:
            if weights_only:
                raise pickle.UnpicklingError(_wo_message(str(e))) from None
            raise


def _load_safetensors(path: str, map_location):
    device = "cpu"
    if map_location is not None:
        if isinstance(map_location, (str, bytes, _Device)):
            device = str(map_location)
        elif isinstance(map_location, dict):
            raise RuntimeError(
                "Loading safetensors file with dict map_location is not supported. "
                "Use a device string or ember.device instead."
            )
        elif callable(map_location):
            raise RuntimeError(
                "Loading safetensors file with callable map_location is not supported. "
                "Use a device string or ember.device instead."
            )
    from .utils import safetensors

    return safetensors.load_file(path, device=device)


# ------------------------------------------------------------------ legacy (torch < 1.6) files
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


def _legacy_load(fh, map_location, weights_only: bool, pickle_module, pickle_load_args: dict):
    """The pre-zip format: pickled magic number, protocol, sys info, the object, the storage
    keys, then each storage as an int64 element count and its raw bytes. The storage bytes
    follow the object's pickle, so it is unpickled twice: once to learn the storages (tensors
    rebuilt over nothing), once more over the bytes read in between."""
    import tarfile

    restore = _restore_location(map_location)
    start = fh.tell()
    try:
        is_tar = tarfile.is_tarfile(fh)
    except Exception:
        is_tar = False
    if is_tar:
        if weights_only:
            raise RuntimeError(
                "Cannot use ``weights_only=True`` with files saved in the legacy .tar format. "
                + UNSAFE_MESSAGE
            )
        raise RuntimeError("ember.load cannot read the legacy .tar checkpoint format")
    fh.seek(start)

    def unpickle(persistent_load):
        return _unpickle(fh, persistent_load, weights_only, pickle_module, pickle_load_args)

    magic = unpickle(_no_persistent)
    if magic != _LEGACY_MAGIC:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol = unpickle(_no_persistent)
    if protocol != _LEGACY_PROTOCOL:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    sys_info = unpickle(_no_persistent)
    if not isinstance(sys_info, dict):
        raise RuntimeError("Invalid sys_info record")
    little = sys_info.get("little_endian", True)
    pickle_start = fh.tell()
    declared: dict = {}  # root key -> (dtype, numel, location)
    data: dict = {}  # root key -> raw bytes (second pass)

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or not saved_id:
            raise RuntimeError("malformed persistent id")
        typename = _decode_ascii(saved_id[0])
        if typename != "storage" or len(saved_id) != 6:
            raise RuntimeError(f"Unknown saved id type: {saved_id[0]!r}")
        storage_type, root_key, location, numel, view_metadata = saved_id[1:]
        if not isinstance(storage_type, _StorageType) or storage_type.dtype is None:
            raise TypeError(f"ember cannot load legacy storage type {storage_type!r}")
        if type(numel) is not int or numel < 0 or not isinstance(root_key, str):
            raise RuntimeError("malformed storage persistent id")
        dtype = storage_type.dtype
        declared.setdefault(root_key, (dtype, numel, _decode_ascii(location)))
        raw = data.get(root_key)
        if raw is None:
            return _Loaded(None, dtype, root_key)
        if view_metadata is not None:
            _, offset, size = view_metadata
            item = dtype.itemsize
            raw = raw[offset * item : (offset + size) * item]
        return _Loaded(raw, dtype, root_key)

    unpickle(persistent_load)  # first pass: tensors over no data
    keys = unpickle(_no_persistent)
    if not isinstance(keys, list):
        raise RuntimeError("Invalid storage key list")
    for key in keys:
        if key not in declared:
            raise RuntimeError(f"storage {key!r} listed but never referenced")
        dtype, numel, location = declared[key]
        head = fh.read(8)
        if len(head) != 8:
            raise RuntimeError(
                "unexpected EOF, expected 8 more bytes. The file might be corrupted."
            )
        count = struct.unpack("<q" if little else ">q", head)[0]
        if count != numel:
            raise RuntimeError(f"storage {key} has {count} elements, expected {numel}")
        nbytes = numel * dtype.itemsize
        raw = np.empty(nbytes, np.uint8)
        got = fh.readinto(memoryview(raw)) if nbytes else 0
        if got != nbytes:
            raise RuntimeError("unexpected EOF. The file might be corrupted.")
        if (sys.byteorder == "little") != bool(little) and dtype.itemsize > 1:
            raw.view(dtype._np).byteswap(inplace=True)
        restored = restore(UntypedStorage(raw, location), location)
        data[key] = restored._data if isinstance(restored, UntypedStorage) else raw
    missing = set(declared) - set(data)
    if missing:
        raise RuntimeError(f"storages {sorted(missing)} have no data in the file")
    end = fh.tell()
    fh.seek(pickle_start)
    result = unpickle(persistent_load)
    fh.seek(end)
    return result


def _no_persistent(pid):
    raise _UnpicklingError("unsupported persistent id encountered")
