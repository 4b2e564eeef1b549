"""Shape and view ops: view, reshape, expand, squeeze, transpose, permute, flatten, casts...

View primitives (``view=True``) return NumPy views that share memory and the version counter
with their input, exactly where torch's do; the others copy.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ._util import shape_arg, to_np_dtype, wrap_dim, wrap_dims
from .registry import apply, prim, public


def _sizes_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def infer_size(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` against ``numel``, with torch's errors."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            if known == 0 and numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {_sizes_str(shape)} because "
                    "the unspecified dimension size -1 can be any value and is ambiguous"
                )
            raise RuntimeError(f"shape '{_sizes_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{_sizes_str(shape)}' is invalid for input of size {numel}")
    return shape


# ---------------------------------------------------------------------------------- view/reshape
@prim("view", view=True)
def _view(self, *, shape):
    out = self.view()
    try:
        out.shape = shape  # raises if the strides cannot express the new shape without a copy
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return out


_view.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@prim("_unsafe_view", backward="UnsafeViewBackward0")
def _reshape_copy(self, *, shape):
    return np.reshape(np.ascontiguousarray(self), shape)


_reshape_copy.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@public()
def view(self: Tensor, *shape) -> Tensor:
    """Same data, new shape (no copy); fails if the strides do not allow it."""
    if len(shape) == 1 and isinstance(shape[0], (D.dtype, type)):
        return _view_dtype(self, shape[0])
    shape = infer_size(shape_arg(shape), self._data.size)
    return apply(_view, (self,), (self._data,), {"shape": shape})


def _view_dtype(self: Tensor, dtype) -> Tensor:
    np_dtype = to_np_dtype(dtype)
    if np_dtype.itemsize != self._data.itemsize:
        raise RuntimeError(
            "self.size(-1) must be divisible by 1 to view Byte as Float (different element sizes), "
            "but got " + str(self._data.shape[-1])
        )
    out = _wrap(self._data.view(np_dtype))
    out._vc = self._vc
    out._base = self._base if self._base is not None else self
    return out


@public()
def reshape(input: Tensor, *shape) -> Tensor:
    """A view when the strides allow one, else a copy."""
    d = input._data
    shape = infer_size(shape_arg(shape), d.size)
    probe = d.view()
    try:
        probe.shape = shape
    except AttributeError:
        return apply(_reshape_copy, (input,), (d,), {"shape": shape})
    return apply(_view, (input,), (d,), {"shape": shape})


@public(function=False)
def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, other._data.shape)


@public(function=False)
def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return reshape(self, other._data.shape)


@public()
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    d = input._data
    if d.ndim == 0:
        return reshape(input, 1)
    s = wrap_dim(start_dim, d.ndim)
    e = wrap_dim(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in d.shape[s:e + 1]:
        n *= k
    return reshape(input, d.shape[:s] + (n,) + d.shape[e + 1:])


@public()
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes``."""
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    sizes = tuple(sizes)
    n = 1
    infer = False
    for s in sizes:
        if s == -1:
            infer = True
        else:
            n *= s
    if (infer and (n == 0 or d.shape[dim] % n)) or (not infer and n != d.shape[dim]):
        raise RuntimeError(
            f"unflatten: Provided sizes {_sizes_str(sizes)} don't multiply up to the size of dim "
            f"{dim} ({d.shape[dim]}) in the input tensor"
        )
    sizes = infer_size(sizes, d.shape[dim])
    return view(input, d.shape[:dim] + sizes + d.shape[dim + 1:])


# ---------------------------------------------------------------------------------- expand
def broadcast_view(a: np.ndarray, shape: tuple) -> np.ndarray:
    """A read-only broadcast view of ``a`` (np.broadcast_to, minus its Python overhead)."""
    if not a.flags.c_contiguous or a.ndim > len(shape):
        return np.broadcast_to(a, shape)
    lead = len(shape) - a.ndim
    strides = [0] * lead
    for s_in, s_out, st in zip(a.shape, shape[lead:], a.strides):
        if s_in == s_out:
            strides.append(st)
        elif s_in == 1:
            strides.append(0)
        else:
            return np.broadcast_to(a, shape)  # raises NumPy's error
    out = np.ndarray(shape, a.dtype, a, 0, tuple(strides))
    out.flags.writeable = False
    return out


@prim("expand", view=True)
def _expand(self, *, shape):
    return broadcast_view(self, shape)


def sum_to_size(grad: Tensor, shape: tuple) -> Tensor:
    """Sum a broadcast gradient back to ``shape`` (leading dims dropped, size-1 dims kept)."""
    from .reduction import sum as _sum

    gshape = grad._data.shape
    if gshape == tuple(shape):
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    out = _sum(grad, dims, keepdim=True) if dims else grad
    if lead:
        out = out.reshape(shape)
    return out


_expand.defvjp(self=lambda grad, self_shape: sum_to_size(grad, self_shape))


@public(method=True, function=False)
def sum_to_size_method(self: Tensor, *size) -> Tensor:
    return sum_to_size(self, shape_arg(size))


def expand_shape(shape: tuple, sizes: tuple) -> tuple:
    """Target shape of ``expand(*sizes)`` on ``shape``, with torch's errors."""
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(ember.FloatTensor{{{_sizes_str(shape)}}}, size={_sizes_str(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            out.append(cur)
        elif cur == 1 or cur == s:
            out.append(s)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {_sizes_str(sizes)}.  Tensor "
                f"sizes: {_sizes_str(shape)}"
            )
    return tuple(out)


@public()
def expand(self: Tensor, *sizes) -> Tensor:
    """A broadcast view of ``self`` at a larger size (``-1`` keeps a dim)."""
    shape = expand_shape(self._data.shape, shape_arg(sizes))
    return apply(_expand, (self,), (self._data,), {"shape": shape})


@public(function=False)
def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other._data.shape)


@public()
def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, tuple(size))


# ---------------------------------------------------------------------------------- (un)squeeze
@prim("squeeze", view=True)
def _squeeze(self, *, dims):
    return np.squeeze(self, axis=dims)


_squeeze.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@public(inplace=True)
def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``)."""
    d = input._data
    if dim is None:
        dims = tuple(i for i, s in enumerate(d.shape) if s == 1)
    else:
        dims = tuple(i for i in wrap_dims(dim, d.ndim) if d.ndim and d.shape[i] == 1)
    return apply(_squeeze, (input,), (d,), {"dims": dims})


@prim("unsqueeze", view=True)
def _unsqueeze(self, *, dim):
    return np.expand_dims(self, dim)


_unsqueeze.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@public(inplace=True)
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim``."""
    d = input._data
    dim = wrap_dim(dim, d.ndim + 1)
    return apply(_unsqueeze, (input,), (d,), {"dim": dim})


# ---------------------------------------------------------------------------------- transpose
@prim("transpose", view=True)
def _transpose(self, *, dim0, dim1):
    return np.swapaxes(self, dim0, dim1)


_transpose.defvjp(self=lambda grad, dim0, dim1: grad.transpose(dim0, dim1))


@public(inplace=True, aliases=("swapaxes", "swapdims"))
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    n = input._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    return apply(_transpose, (input,), (input._data,), {"dim0": d0, "dim1": d1})


@prim("t", backward="TBackward0", view=True)
def _t(self):
    return self.T


_t.defvjp(self=lambda grad: grad.t())


@public(inplace=True)
def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return apply(_t, (input,), (input._data,))


@prim("permute", view=True)
def _permute(self, *, dims):
    return np.transpose(self, dims)


def _permute_grad(grad, dims):
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return grad.permute(*inverse)


_permute.defvjp(self=_permute_grad)


@public()
def permute(input: Tensor, *dims) -> Tensor:
    """Reorder dims (a view)."""
    dims = shape_arg(dims) if dims and not isinstance(dims[0], (list, tuple)) else \
        tuple(dims[0])
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(_permute, (input,), (input._data,), {"dims": dims})


@public(aliases=("moveaxis",))
def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination``."""
    n = input._data.ndim
    src = wrap_dims(source, n)
    dst = wrap_dims(destination, n)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


def _T(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return permute(self, *range(n - 1, -1, -1))


def _mT(self: Tensor) -> Tensor:
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


def _H(self: Tensor) -> Tensor:
    return _T(self)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mT)


# ---------------------------------------------------------------------------------- narrow/select
@prim("slice", view=True)
def _slice(self, *, dim, start, end, step):
    key = (slice(None),) * dim + (slice(start, end, step),)
    return self[key]


def _slice_grad(grad, self_shape, dim, start, end, step):
    from .creation import zeros

    out = zeros(self_shape, dtype=grad.dtype)
    key = (slice(None),) * dim + (slice(start, end, step),)
    out[key] = grad
    return out


_slice.defvjp(self=_slice_grad)


@public()
def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """The ``length`` entries of ``dim`` from ``start`` (a view)."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, d.ndim)
    start = int(start)
    size = d.shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    params = {"dim": dim, "start": start, "end": start + length, "step": 1}
    return apply(_slice, (input,), (d,), params)


@prim("select", view=True)
def _select(self, *, dim, index):
    return self[(slice(None),) * dim + (index,)]


def _select_grad(grad, self_shape, dim, index):
    from .creation import zeros

    out = zeros(self_shape, dtype=grad.dtype)
    out[(slice(None),) * dim + (index,)] = grad
    return out


_select.defvjp(self=_select_grad)


@public()
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """Index ``index`` along ``dim``, dropping that dim (a view)."""
    d = input._data
    if d.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim]
    index = int(index)
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {_sizes_str(d.shape)} at "
            f"dimension {dim}"
        )
    if index < 0:
        index += size
    return apply(_select, (input,), (d,), {"dim": dim, "index": index})


# ---------------------------------------------------------------------------------- copies, casts
@prim("clone")
def _clone(self):
    return np.array(self, copy=True, order="C")


_clone.defvjp(self=lambda grad: grad)


@public()
def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy that stays in the graph (``CloneBackward0``)."""
    return apply(_clone, (input,), (input._data,))


@public(function=False)
def contiguous(self: Tensor, memory_format=None) -> Tensor:
    """``self`` if already C-contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return apply(_clone, (self,), (self._data,))


@public()
def detach(input: Tensor) -> Tensor:
    """A tensor sharing data and version counter, cut from the graph."""
    out = _wrap(input._data)
    out._vc = input._vc
    return out


@public(function=False)
def detach_(self: Tensor) -> Tensor:
    if self._base is not None and self._grad_fn is not None:
        raise RuntimeError(
            "Can't detach views in-place. Use detach() instead. If you are using "
            "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
            "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
            "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
            "function in torch/optim/optimizer.py as the solution."
        )
    self._grad_fn = None
    self._requires_grad = False
    return self


@prim("_to_copy", backward="ToCopyBackward0")
def _to_copy(self, *, dtype):
    return self.astype(dtype)


_to_copy.defvjp(self=lambda grad, self_dtype: grad.to(self_dtype))


def _cast(t: Tensor, np_dtype, copy: bool = False) -> Tensor:
    if t._data.dtype == np_dtype:
        return clone(t) if copy else t
    return apply(_to_copy, (t,), (t._data,), {"dtype": np_dtype})


@public(function=False)
def to(self: Tensor, *args, **kwargs) -> Tensor:
    """Cast to a dtype and/or move to a device: ``to(dtype)``, ``to(device)``, ``to(other)``."""
    from .._device import as_device, device

    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool):
            copy = a if args.index(a) > 0 else copy
        elif a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({a!r})")
    if dev is not None and as_device(dev).type != "cpu":
        from ..cuda import _lazy_init

        _lazy_init()
    np_dtype = to_np_dtype(dtype) if dtype is not None else self._data.dtype
    return _cast(self, np_dtype, copy)


def _caster(dt: D.dtype):
    def cast(self: Tensor, memory_format=None) -> Tensor:
        return _cast(self, dt._np)

    cast.__doc__ = f"``self.to({dt})``"
    return cast


for _name, _dt in (("float", D.float32), ("double", D.float64), ("half", D.float16),
                   ("bfloat16", D.bfloat16), ("long", D.int64), ("int", D.int32),
                   ("short", D.int16), ("char", D.int8), ("byte", D.uint8), ("bool", D.bool_)):
    public(_name, function=False)(_caster(_dt))


@public("type", function=False)
def type_(self: Tensor, dtype=None, non_blocking: bool = False, **kwargs):
    """``type()``: the legacy type name; ``type(dtype)``: a cast."""
    if dtype is None:
        return "ember." + self.dtype._legacy + "Tensor"
    if isinstance(dtype, str):
        if dtype not in D.LEGACY_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = D.LEGACY_NAMES[dtype]
    return _cast(self, to_np_dtype(dtype))


@public("type_as", function=False)
def type_as(self: Tensor, other: Tensor) -> Tensor:
    return _cast(self, other._data.dtype)


@public(function=False)
def cpu(self: Tensor, memory_format=None) -> Tensor:
    return self


@public(function=False)
def cuda(self: Tensor, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    from ..cuda import _lazy_init

    _lazy_init()
    return self  # pragma: no cover - unreachable without a GPU backend

