"""ember's random number generator: torch's CPU generator, bit for bit (``ember.random``).

The engine is the 32-bit Mersenne Twister MT19937, as in ``at::CPUGeneratorImpl``. NumPy's
``MT19937`` bit generator with a *legacy* (``init_genrand``) seed and ``pos == 624`` has exactly
the state torch has after ``manual_seed``: the first draw twists. ``random64()`` is two
consecutive draws, the first one being the high word. ``get_state()`` writes torch's 5056-byte
``CPUGeneratorImplState`` (spec: /work/shared/specs/pytorch-exactness.md, part 1), so states can
be exchanged with torch in both directions.

This module is also the ``ember.random`` module (``ember.random.manual_seed``, ``fork_rng``...).
It imports nothing from the op library, so ``ember._ops`` can import it.
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
import sys

import numpy as np

from ._device import as_device
from ._tensor import Tensor, _wrap

__all__ = [
    "Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
    "manual_seed", "seed", "set_rng_state",
]

_DEFAULT_SEED = 67280421310721  # torch.Generator()'s seed (c10::default_rng_seed_val)
_STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)
_N = 624  # MT19937 state words
_HEAD = struct.Struct("<QiiQ")  # the_initial_seed, left, seeded, next
_TAIL = struct.Struct("<dddiifB")  # normal_x, normal_y, normal_rho, normal_is_valid, pad,
#                                    next_float_normal_sample, is_next_float_normal_sample_valid
_MASK24 = np.uint64(0xFFFFFF)
_MASK53 = np.uint64((1 << 53) - 1)
_U64_MOD = 1 << 64
_LITTLE = sys.byteorder == "little"
_SMALL = 16  # up to this many values, draws are transformed with Python scalars

_CUDA_GENERATOR_ERROR = (
    "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into two "
    "shared libraries: a CPU library and a CUDA library; this error has occurred because you "
    "are trying to use some CUDA functionality, but the CUDA library has not been loaded by the "
    "dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you don't "
    "directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if this "
    "has occurred by using ldd on your binary to see if there is a dependency on *_cuda.so "
    "library."
)


def _is_int(x) -> bool:
    """THPUtils_checkLong: a Python int (not bool) or a NumPy integer."""
    return (isinstance(x, int) and not isinstance(x, bool)) or isinstance(x, np.integer)


def _seed_key(seed: int) -> np.ndarray:
    """MT19937's init_genrand key for the low 32 bits of ``seed`` (torch's seeding)."""
    key = np.empty(_N, np.uint32)
    x = seed & 0xFFFFFFFF
    key[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key[j] = x
    return key


class Generator:
    """A pseudo-random number generator with torch's CPU engine and state layout.

    ``ember.Generator()`` starts seeded with 67280421310721, as ``torch.Generator()`` does.
    """

    __slots__ = ("_bg", "_seed", "_header", "_normal", "_normal_f", "__weakref__")

    def __init__(self, device="cpu") -> None:
        dev = as_device(device)
        if dev.type == "cuda":
            raise RuntimeError(_CUDA_GENERATOR_ERROR)
        if dev.type != "cpu":
            raise RuntimeError(f"{dev.type.upper()} device type not an accelerator.")
        self._reseed(_DEFAULT_SEED)

    def __getattr__(self, name: str):
        # The engine is made on first use, so `import ember` need not import numpy.random.
        if name != "_bg":
            raise AttributeError(name)
        bg = np.random.MT19937(0)
        _seed_engine(bg, self._seed)
        self._bg = bg
        return bg

    # ------------------------------------------------------------------ seeding
    def _reseed(self, seed: int) -> None:
        self._seed = seed
        self._header = (1, 0)  # torch's (left, next) right after seeding
        # Seeding also drops the cached normal samples (CPUGeneratorImpl::set_current_seed).
        self._normal = None
        self._normal_f = None
        try:
            bg = object.__getattribute__(self, "_bg")
        except AttributeError:  # no engine yet: __getattr__ seeds it from self._seed
            return
        _seed_engine(bg, seed)

    def manual_seed(self, seed) -> Generator:
        """Seed the generator (only the low 32 bits matter for the stream); returns self."""
        if not _is_int(seed):
            raise RuntimeError(
                f"manual_seed expected a long, but got {_type_name(seed)}"
            )
        s = int(seed)
        if not -(1 << 63) <= s < _U64_MOD:
            raise ValueError("Overflow when unpacking long long")
        self._reseed(s % _U64_MOD)
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic 64-bit value (``/dev/urandom``) and return it."""
        s = int.from_bytes(os.urandom(8), "little")
        self._reseed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with (full 64 bits)."""
        return self._seed

    @property
    def device(self):
        return as_device("cpu")

    # ------------------------------------------------------------------ state
    def get_state(self) -> Tensor:
        """The generator state as torch's 5056-byte ``uint8`` tensor."""
        st = self._bg.state["state"]
        pos = int(st["pos"])
        if self._header is not None:
            left, nxt = self._header
        elif pos >= _N:
            left, nxt = 1, _N
        else:
            left, nxt = _N + 1 - pos, pos
        buf = bytearray(_STATE_SIZE)
        _HEAD.pack_into(buf, 0, self._seed, left, 1, nxt)
        buf[24:24 + 8 * _N] = np.asarray(st["key"], dtype="<u8").tobytes()
        normal = self._normal
        fnormal = self._normal_f
        _TAIL.pack_into(
            buf, 24 + 8 * _N,
            0.0, 0.0 if normal is None else normal, 0.0, int(normal is not None), 0,
            0.0 if fnormal is None else fnormal, int(fnormal is not None),
        )
        return _wrap(np.frombuffer(bytes(buf), dtype=np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        """Restore a state from ``get_state()`` (ember's or torch's bytes); returns self."""
        if not isinstance(new_state, Tensor):
            raise TypeError(
                f"expected a ember.ByteTensor, but got {_type_name(new_state)}"
            )
        a = new_state._data
        if a.dtype != np.uint8:
            raise TypeError("RNG state must be a ember.ByteTensor")
        if not a.flags.c_contiguous:
            raise RuntimeError("RNG state must be contiguous")
        if a.size != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input "
                f"RNG state size to be {a.size}"
            )
        raw = a.reshape(-1).tobytes()
        seed, left, seeded, nxt = _HEAD.unpack_from(raw, 0)
        nxt &= 0xFFFFFFFF  # torch keeps `next` as uint32
        if not (seeded != 0 and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        words = np.frombuffer(raw, dtype="<u8", count=_N, offset=24)
        _, normal_y, _, normal_valid, _, fsample, fvalid = _TAIL.unpack_from(raw, 24 + 8 * _N)
        # torch twists on the next draw when left == 1; otherwise it reads state[next].
        pos = _N if left == 1 else nxt
        self._bg.state = {
            "bit_generator": "MT19937",
            "state": {"key": (words & 0xFFFFFFFF).astype(np.uint32), "pos": pos},
        }
        self._seed = seed
        self._header = (left, nxt)
        self._normal = normal_y if normal_valid else None
        self._normal_f = float(np.float32(fsample)) if fvalid else None
        return self

    def clone_state(self) -> Generator:
        """A new generator in the same state."""
        g = Generator()
        g.set_state(self.get_state())
        g._seed = self._seed
        return g

    def get_offset(self) -> int:
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset) -> Generator:
        raise RuntimeError("CPU Generator does not use offset")

    def graphsafe_get_state(self) -> Generator:
        raise NotImplementedError("graphsafe_get_state is not supported in this Generator")

    def graphsafe_set_state(self, state) -> Generator:
        raise NotImplementedError("graphsafe_set_state is not supported in this Generator")

    # pickle / copy.deepcopy: (device,) to construct, then (seed, offset, state) as torch does
    def __reduce__(self):
        return (Generator, (self.device,), (self._seed, None, self.get_state()))

    def __setstate__(self, state) -> None:
        seed, _offset, st = state
        self.manual_seed(seed)
        if st is not None:
            self.set_state(st)

    def __repr__(self) -> str:
        return f"<ember.Generator object at {hex(id(self))}>"

    # ------------------------------------------------------------------ draws (internal)
    # Every op draws through these, in bulk: one NumPy call per op, never per element.
    def _raw(self, n: int) -> np.ndarray:
        """``n`` consecutive 32-bit outputs (as uint64)."""
        if n <= 0:
            return np.empty(0, np.uint64)
        self._header = None
        return self._bg.random_raw(n)

    def _u64(self, n: int) -> np.ndarray:
        """``n`` values of torch's ``random64()``: two draws each, the first is the high word."""
        r = self._raw(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _uniform24(self, n: int) -> np.ndarray:
        """float32 uniforms ``(u32 & 0xFFFFFF) * 2^-24`` (one draw each; exact)."""
        r = self._raw(n)
        if _LITTLE:  # the words as int32 (fast conversion), read off the uint64 array in place
            x = (r.view(np.int32)[0::2] & 0xFFFFFF).astype(np.float32)
            x *= np.float32(2.0 ** -24)
            return x
        return (r & _MASK24).astype(np.float32) * np.float32(2.0 ** -24)

    def _uniform53(self, n: int) -> np.ndarray:
        """float64 uniforms ``(random64() & (2^53 - 1)) * 2^-53`` (two draws each; exact)."""
        r = self._raw(2 * n)
        if n <= _SMALL:  # Python ints: cheaper than five NumPy calls on a few elements
            r = r.tolist()
            return np.array([((r[k] & 0x1FFFFF) * 4294967296 + r[k + 1]) * 2.0 ** -53
                             for k in range(0, 2 * n, 2)], np.float64)
        if _LITTLE:  # hi * 2^32 + lo is exact in double: no 64-bit integer conversions
            w = r.view(np.uint32)
            x = (w[0::4] & np.uint32(0x1FFFFF)).astype(np.float64)
            x *= 4294967296.0
            x += w[2::4]
            x *= 2.0 ** -53
            return x
        return (self._u64(n) & _MASK53).astype(np.float64) * (2.0 ** -53)

    def _normal_pairs(self, n: int) -> np.ndarray:
        """``n`` standard normals from torch's scalar (double Box-Muller) path, in order.

        A cached sample is used first; each new pair draws u1 (angle) then u2 (radius) and
        yields ``rad * cos`` now and caches ``rad * sin`` for the next element.
        """
        out = np.empty(n, np.float64)
        if n == 0:
            return out
        i = 0
        if self._normal is not None:
            out[0] = self._normal
            self._normal = None
            i = 1
        need = n - i
        if need and need <= _SMALL:  # a few pairs: plain Python floats and libm are faster
            vals = []
            r = self._raw(4 * ((need + 1) // 2)).tolist()
            for k in range(0, len(r), 4):
                u1 = ((r[k] & 0x1FFFFF) * 4294967296 + r[k + 1]) * 2.0 ** -53
                u2 = ((r[k + 2] & 0x1FFFFF) * 4294967296 + r[k + 3]) * 2.0 ** -53
                rad = math.sqrt(-2.0 * math.log1p(-u2))
                theta = 6.283185307179586 * u1
                vals += (rad * math.cos(theta), rad * math.sin(theta))
            out[i:] = vals[:need]
            if need % 2:
                self._normal = vals[-1]
        elif need:
            pairs = (need + 1) // 2
            u = self._uniform53(2 * pairs)
            u1, u2 = u[0::2], u[1::2]
            rad = np.sqrt(-2.0 * log1p(-u2))
            theta = 6.283185307179586 * u1
            c, s = cos(theta), sin(theta)
            vals = np.empty(2 * pairs, np.float64)
            vals[0::2] = rad * c
            vals[1::2] = rad * s
            out[i:] = vals[:need]
            if need % 2:
                self._normal = float(vals[-1])
        return out


def _type_name(obj) -> str:
    """The type name CPython's tp_name shows (``numpy.float64``, ``list``, ``Tensor``...)."""
    t = type(obj)
    mod = t.__module__
    if mod == "numpy":
        return "numpy." + t.__name__
    return t.__name__


# ---------------------------------------------------------------------------------- libm
# torch's double paths call glibc's log/log1p/sin/cos. Python's math module calls the same
# libm, NumPy may not (its SIMD loops differ by an ulp on some CPUs), so log and log1p always
# go through math; sin/cos/sqrt use NumPy only where it was checked to agree with libm here.
def _math_map(fn):
    def f(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64)
        return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)

    return f


log = _math_map(math.log)
log1p = _math_map(math.log1p)


def _numpy_agrees(np_fn, math_fn) -> bool:
    # Irregularly spaced points in [0, 2*pi) (golden-ratio sequence), small and large too.
    x = (np.arange(4096) * 0.6180339887498949 % 1.0) * 6.283185307179586
    x = np.concatenate([x, x * 1e-3, x * 37.0])
    return bool(np.array_equal(np_fn(x), _math_map(math_fn)(x)))


_LIBM: dict = {}


def _libm(name: str, np_fn, math_fn):
    """NumPy's function if it agrees with libm on this machine, else libm's (checked once,
    on first use, to keep the check out of ``import ember``)."""
    fn = _LIBM.get(name)
    if fn is None:
        fn = _LIBM[name] = np_fn if _numpy_agrees(np_fn, math_fn) else _math_map(math_fn)
    return fn


def sin(x: np.ndarray) -> np.ndarray:
    return _libm("sin", np.sin, math.sin)(x)


def cos(x: np.ndarray) -> np.ndarray:
    return _libm("cos", np.cos, math.cos)(x)


# ---------------------------------------------------------------------------------- fma
# GCC contracts several of torch's kernels into fused multiply-adds. NumPy has no fma, so it is
# emulated exactly: Dekker's TwoProduct and Knuth's TwoSum give the exact a*b + c as a sum of
# doubles, rounded once with Boldo-Melquiond's round-to-odd trick.
_SPLIT = 134217729.0  # 2^27 + 1


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _round_odd(s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """s (= RN(x)) moved to the neighbour with an odd last bit when x != s (e = x - s)."""
    s, e = np.broadcast_arrays(s, e) if np.shape(s) != np.shape(e) else (s, e)
    s = np.asarray(s, np.float64)
    if not s.flags.c_contiguous:
        s = s.copy()
    bits = s.view(np.int64)
    fix = (e != 0) & ((bits & 1) == 0)
    if fix.any():
        step = np.where((e > 0) == (s > 0), 1, -1).astype(np.int64)
        bits = np.where(fix, bits + step, bits)
    return bits.view(np.float64)


def fma64(a, b, c) -> np.ndarray:
    """Correctly rounded ``a * b + c`` in float64 (elementwise, broadcasting)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    c = np.asarray(c, np.float64)
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    pe = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    s, e = _two_sum(tl, pe)
    r = th + _round_odd(s, e)
    # Infinities, NaNs and products near overflow (where the splitting overflows) make NaNs
    # here: those fall back to the unfused a*b + c, which is right for inf/nan operands.
    bad = np.isnan(r)
    if bad.any():
        r = np.where(bad, p + c, r)
    return r


def fma32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c`` (inputs float32, broadcasting).

    The product is exact in double and the double sum is rounded once more to float32; that
    double rounding can only go wrong when the double sum lies exactly halfway between two
    floats, so only those (rare) elements are redone exactly with round-to-odd.
    """
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    c = np.asarray(c, np.float32)
    s = np.asarray(np.multiply(a, b, dtype=np.float64))
    shape = np.broadcast_shapes(s.shape, c.shape)
    ac = np.abs(c)
    if ((ac < 2.0 ** -100) & (ac > 0)).any():
        # A float32-subnormal result can be doubly rounded off the midpoint test below; that
        # needs a tiny non-zero c (for larger c such sums are exact in double): round to odd.
        t, e = _two_sum(np.broadcast_to(s, shape), np.broadcast_to(c, shape).astype(np.float64))
        return np.asarray(_round_odd(t, e).astype(np.float32))
    s = np.add(s, c, out=s if s.ndim and s.shape == shape else None)
    r = np.asarray(s.astype(np.float32))
    low = np.asarray(s).reshape(-1).view(np.uint64)
    np.bitwise_and(low, _LOW29, out=low)  # in place: s is not needed any more
    mid = low == _HALF29
    if not mid.any():
        return r
    # Midpoints: exact ones round right already; inexact ones are rounded to odd first.
    idx = np.flatnonzero(mid)
    a, b, c = (x if x.ndim == 0 else np.broadcast_to(x, shape).reshape(-1)[idx]
               if x.shape == shape else np.broadcast_to(x, shape)[np.unravel_index(idx, shape)]
               for x in (a, b, c))
    p = np.multiply(a, b, dtype=np.float64)
    t, e = _two_sum(p, np.asarray(c, np.float64))
    fixed = _round_odd(t, e).astype(np.float32)
    if r.ndim:
        r.reshape(-1)[idx] = fixed
        return r
    return fixed.reshape(())


_LOW29 = np.uint64((1 << 29) - 1)  # the double bits below a float32's last mantissa bit
_HALF29 = np.uint64(1 << 28)


# ---------------------------------------------------------------------------------- module API
def _seed_engine(bg, seed: int) -> None:
    try:  # NumPy's init_genrand (C); same key as the Python loop, which is the fallback
        bg._legacy_seeding(seed & 0xFFFFFFFF)
    except AttributeError:  # pragma: no cover - older/newer NumPy without the helper
        bg.state = {"bit_generator": "MT19937", "state": {"key": _seed_key(seed), "pos": _N}}


default_generator = Generator()
default_generator.seed()  # torch seeds its default generator non-deterministically


def manual_seed(seed) -> Generator:
    """Seed the default generator (``int(seed)``: floats and numeric strings work); returns it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (a 5056-byte ``uint8`` tensor, torch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None):
    """Run a block with the RNG state saved on entry and restored on exit (CPU only here)."""
    if device_type == "meta" or not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


# ``import ember.random`` finds this module.
sys.modules.setdefault(__name__.rpartition(".")[0] + ".random", sys.modules[__name__])
