"""Shape, view and joining ops: view, reshape, expand, squeeze, transpose, permute, cat, stack,
split, chunk, unbind, flip, roll, repeat, tril, diagonal, casts...

View primitives (``view=True``) return NumPy views that share memory and the version counter
with their input, exactly where torch's do; the others copy. Copies keep torch's layout rules:
``clone``/``to``/``flip`` preserve a dense input's strides (``preserve_format``), the rest
return C-contiguous results.

Multi-output views (``split``, ``chunk``, ``unbind``) use one primitive per output count
(``nout`` is fixed per primitive, the count varies per call); each output then records a
single-output replay (a slice or a select) so in-place ops on it can rewrite the base.

In-place shape ops (``t_``, ``squeeze_``, ``unsqueeze_``, ``transpose_``, ``as_strided_``)
change the tensor's metadata: its array becomes a new view of the same memory, the version
counter is bumped and the history gets torch's ``...Backward1`` node.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE
from . import inplace as _inplace
from . import reduction as _reduction  # (reduction imports this module too)
from ._util import broadcast_shapes, check_out, shape_arg, to_np_dtype, wrap_dim
from .inplace import check_inplace
from .registry import apply, prim, public

_ndarray = np.ndarray
_FROM_NP = D._FROM_NP
_INT_TYPES = (int, np.integer)


def _sizes_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _type_name(t: Tensor) -> str:
    """torch's ``toString()`` of a tensor type: ``ember.FloatTensor``."""
    return "ember." + _FROM_NP[t._data.dtype]._legacy + "Tensor"


def _int_list(value, fn: str, arg: str, pos: int) -> tuple:
    """An int or a sequence of ints as a tuple (torch's ``IntArrayRef`` arguments)."""
    if isinstance(value, _INT_TYPES) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, Tensor) and value._data.ndim == 0:
        return (int(value.item()),)
    if isinstance(value, (tuple, list)):
        out = []
        for v in value:
            if isinstance(v, Tensor):
                v = v.item()
            if not isinstance(v, _INT_TYPES) or isinstance(v, bool):
                raise TypeError(
                    f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                    f"element of type {type(v).__name__} at pos {len(out)}"
                )
            out.append(int(v))
        return tuple(out)
    raise TypeError(
        f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
        f"{type(value).__name__}"
    )


def _seq_arg(value, fn: str, arg: str, pos: int = 2):
    """A function form's ``int[]`` argument: torch's functions take no bare int there."""
    if isinstance(value, (tuple, list)):
        return value
    raise TypeError(
        f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
        f"{type(value).__name__}"
    )


def _method(name: str, fn) -> None:
    """Bind ``fn`` as ``Tensor.name`` (a method whose signature differs from the function's)."""
    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)


def _no_dims_error(dim: int) -> IndexError:
    return IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def _copy_order(a: np.ndarray) -> str:
    """NumPy order for a copy that keeps torch's ``preserve_format`` layout.

    Dense inputs (transposed, permuted) keep their strides, sliced ones keep their dim order
    (NumPy's "K" does both); expanded inputs (zero strides) come out C-contiguous.
    """
    if a.flags.c_contiguous:
        return "C"
    for n, st in zip(a.shape, a.strides):
        if st == 0 and n > 1:
            return "C"
    return "K"


def _c_contiguous(a: np.ndarray) -> np.ndarray:
    return a if a.flags.c_contiguous else a.copy(order="C")


def _root(a: np.ndarray) -> np.ndarray:
    """The array owning ``a``'s memory (torch's storage)."""
    while isinstance(a.base, _ndarray):
        a = a.base
    return a


def _storage_offset(a: np.ndarray) -> int:
    root = _root(a)
    if root is a:
        return 0
    return (a.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // a.itemsize


def _strides(a: np.ndarray) -> tuple:
    item = a.itemsize
    return tuple(s // item for s in a.strides)


class _Interface:
    __slots__ = ("__array_interface__", "base")


def _strided(a: np.ndarray, shape: tuple, strides: tuple, offset: int) -> np.ndarray:
    """A view of ``a``'s storage with element ``shape``/``strides``/``offset`` (as_strided)."""
    root = _root(a)
    item = a.itemsize
    bstrides = tuple(s * item for s in strides)
    buf = root
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        # A dense but permuted owner: its memory is still one block; expose it flat.
        order = sorted(range(root.ndim), key=lambda i: -root.strides[i])
        buf = root.transpose(order).reshape(-1)
        if not np.may_share_memory(buf, root):
            # Not one block after all (an alias made elsewhere): point at the memory directly.
            iface = dict(a.__array_interface__)
            start = root.__array_interface__["data"][0] + offset * item
            iface.update(shape=tuple(shape), strides=bstrides, data=(start, iface["data"][1]))
            holder = _Interface()
            holder.__array_interface__ = iface
            holder.base = a
            out = np.asarray(holder)
            return out if out.dtype == a.dtype else out.view(a.dtype)
    out = np.ndarray(shape, a.dtype, buf, offset * item, bstrides)
    if not a.flags.writeable and out.flags.writeable:
        out.flags.writeable = False
    return out


def _restrided(a: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A view of ``a`` (same first element) with element ``strides`` (torch's, not NumPy's)."""
    item = a.itemsize
    if a.flags.c_contiguous:
        out = np.ndarray(shape, a.dtype, a, 0, tuple(s * item for s in strides))
        if not a.flags.writeable:
            out.flags.writeable = False
        return out
    return _strided(a, shape, strides, _storage_offset(a))


# ---------------------------------------------------------------------------------- sizes
def infer_size(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` against ``numel``, with torch's errors (infer_size_impl)."""
    infer = None
    newsize = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            newsize *= s
        else:
            raise RuntimeError(
                f"invalid shape dimension {s} at index {i} of shape {_sizes_str(shape)}"
            )
    if numel == newsize or (infer is not None and newsize > 0 and numel % newsize == 0):
        if infer is not None:
            if newsize == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {_sizes_str(shape)} because "
                    "the unspecified dimension size -1 can be any value and is ambiguous"
                )
            shape = shape[:infer] + (numel // newsize,) + shape[infer + 1:]
        return shape
    raise RuntimeError(f"shape '{_sizes_str(shape)}' is invalid for input of size {numel}")


def _invalid_combination(fn: str, args: tuple, overloads: str) -> TypeError:
    got = ", ".join(type(a).__name__ for a in args)
    return TypeError(
        f"{fn}() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n{overloads}\n"
    )


_VIEW_OVERLOADS = " * (ember.dtype dtype)\n * (tuple of ints size)"


def _size_args(fn: str, args: tuple, overloads: str) -> tuple:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if not args:
        raise _invalid_combination(fn, args, overloads)
    try:
        return shape_arg(args)
    except TypeError:
        raise _invalid_combination(fn, args, overloads) from None


# ---------------------------------------------------------------------------------- view/reshape
_VIEW_ERROR = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)


def compute_stride(oldshape: tuple, oldstride: tuple, newshape: tuple):
    """torch's strides for viewing (``oldshape``, ``oldstride``) as ``newshape``, or None when
    no view can express it (at::detail::computeStride; strides in elements)."""
    if not oldshape:
        return (1,) * len(newshape)
    numel = 1
    for n in oldshape:
        numel *= n
    if numel == 0:
        if tuple(oldshape) == tuple(newshape):
            return tuple(oldstride)
        out = [1] * len(newshape)
        for d in range(len(newshape) - 2, -1, -1):
            out[d] = max(newshape[d + 1], 1) * out[d + 1]
        return tuple(out)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1 and
                             oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def _view_strides(a: np.ndarray, shape: tuple):
    item = a.itemsize
    return compute_stride(a.shape, tuple(s // item for s in a.strides), shape)


@prim("view", view=True)
def _view(self, *, shape):
    if self.flags.c_contiguous:
        return self.reshape(shape)  # no copy; C strides are what torch computes here too
    strides = _view_strides(self, shape)
    if strides is None:
        raise RuntimeError(_VIEW_ERROR)
    return _restrided(self, shape, strides)


_view.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@prim("_unsafe_view", backward="UnsafeViewBackward0")
def _unsafe_view(self, *, shape):
    return self.reshape(shape)


_unsafe_view.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


@prim("alias", view=True)
def _alias(self):
    return self.view()


_alias.defvjp(self=lambda grad: grad)


@public(function=False)
def view(self: Tensor, *shape, size=None, dtype=None) -> Tensor:
    """Same data, new shape (no copy); fails if the strides do not allow it.

    ``view(dtype)`` reinterprets the bytes (torch's view_dtype: no autograd, shared version).
    """
    if dtype is not None:
        return _view_dtype(self, dtype)
    if size is not None:
        shape = (size,)
    if len(shape) == 1 and isinstance(shape[0], (D.dtype, type)):
        return _view_dtype(self, shape[0])
    d = self._data
    shape = infer_size(_size_args("view", shape, _VIEW_OVERLOADS), d.size)
    return apply(_view, (self,), (d,), {"shape": shape})


def _view_dtype(self: Tensor, dtype) -> Tensor:
    a = self._data
    np_dtype = to_np_dtype(dtype)
    old, new = a.itemsize, np_dtype.itemsize
    if old != new:
        tail = (f"to view {_FROM_NP[a.dtype]._legacy} as {_FROM_NP[np_dtype]._legacy} "
                "(different element sizes)")
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {tail}")
        strides = self.stride()
        if old > new:
            if strides[-1] != 1:
                raise RuntimeError(f"self.stride(-1) must be 1 {tail}, but got {strides[-1]}")
        else:
            ratio = new // old
            if a.shape[-1] % ratio:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {ratio} {tail}, but got {a.shape[-1]}"
                )
            if strides[-1] != 1:
                raise RuntimeError(f"self.stride(-1) must be 1 {tail}, but got {strides[-1]}")
            off = _storage_offset(a)
            if off % ratio:
                raise RuntimeError(
                    f"self.storage_offset() must be divisible by {ratio} {tail}, but got {off}"
                )
            for i in range(a.ndim - 1):
                if strides[i] % ratio:
                    raise RuntimeError(
                        f"self.stride({i}) must be divisible by {ratio} {tail}, but got "
                        f"{strides[i]}"
                    )
        if a.size == 0:
            shape = a.shape[:-1] + (a.shape[-1] * old // new,)
            arr = np.empty(shape, np_dtype)
        else:
            arr = a.view(np_dtype)
    else:
        arr = a.view(np_dtype)
    # Not a differentiable view (no _base, no grad), but the same memory and version counter.
    out = _wrap(arr)
    out._vc = self._vc
    return out


def _reshape(input: Tensor, shape: tuple) -> Tensor:
    d = input._data
    if not d.flags.c_contiguous and _view_strides(d, shape) is None:
        # torch: clone(contiguous) then _unsafe_view (two nodes; the result is not a view).
        c = apply(_clone, (input,), (d,), {"order": "C"})
        return apply(_unsafe_view, (c,), (c._data,), {"shape": shape})
    return apply(_view, (input,), (d,), {"shape": shape})


@public(method=False)
def reshape(input: Tensor, shape) -> Tensor:
    """A view when the strides allow one, else a copy (``UnsafeViewBackward0``)."""
    shape = shape_arg((_seq_arg(shape, "reshape", "shape"),))
    return _reshape(input, infer_size(shape, input._data.size))


def _reshape_method(self: Tensor, *shape, **kw) -> Tensor:
    if "shape" in kw:
        shape = (kw.pop("shape"),)
    if kw:
        raise TypeError(f"reshape() got an unexpected keyword argument '{next(iter(kw))}'")
    if not shape:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    return _reshape(self, infer_size(shape_arg(shape), self._data.size))


_method("reshape", _reshape_method)


@public(function=False)
def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, tuple(other._data.shape))


@public(function=False)
def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return _reshape(self, infer_size(other._data.shape, self._data.size))


@public()
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (``input`` itself when they are one dim)."""
    d = input._data
    s = wrap_dim(start_dim, d.ndim)
    e = wrap_dim(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if d.ndim == 0:
        return _reshape(input, (1,))
    if s == e:
        return input
    n = 1
    for k in d.shape[s:e + 1]:
        n *= k
    return _reshape(input, d.shape[:s] + (n,) + d.shape[e + 1:])


@public()
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (a view)."""
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    sizes = shape_arg((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if d.ndim == 0:
        raise RuntimeError(
            "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no "
            "dimensions"
        )
    try:
        sizes = infer_size(sizes, d.shape[dim])
    except RuntimeError as e:
        if "is invalid for input of size" in str(e):
            raise RuntimeError(
                f"unflatten: Provided sizes {_sizes_str(sizes)} don't multiply up to the size of "
                f"dim {dim} ({d.shape[dim]}) in the input tensor"
            ) from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return apply(_view, (input,), (d,), {"shape": d.shape[:dim] + sizes + d.shape[dim + 1:]})


@public()
def ravel(input: Tensor) -> Tensor:
    """``input.contiguous().view(-1)``."""
    c = contiguous(input)
    return apply(_view, (c,), (c._data,), {"shape": (c._data.size,)})


# ---------------------------------------------------------------------------------- expand
def expand_strides(a: np.ndarray, shape: tuple) -> tuple:
    """torch's strides for ``a`` expanded to ``shape`` (inferExpandGeometry)."""
    n = len(shape)
    lead = n - a.ndim
    item = a.itemsize
    strides = [0] * n
    for i in range(n - 1, -1, -1):
        dim = i - lead
        if dim >= 0:
            size, stride = a.shape[dim], a.strides[dim] // item
        else:
            size, stride = 1, (shape[i + 1] * strides[i + 1] if i + 1 < n else 0)
        strides[i] = stride if size == shape[i] else 0
    return tuple(strides)


def broadcast_view(a: np.ndarray, shape: tuple) -> np.ndarray:
    """A read-only broadcast view of ``a`` with torch's strides."""
    shape = tuple(shape)
    if a.ndim > len(shape):
        return np.broadcast_to(a, shape)  # raises NumPy's error
    lead = len(shape) - a.ndim
    for s_in, s_out in zip(a.shape, shape[lead:]):
        if s_in != s_out and s_in != 1:
            return np.broadcast_to(a, shape)  # raises NumPy's error
    out = _restrided(a, shape, expand_strides(a, shape))
    out.flags.writeable = False
    return out


@prim("expand", view=True)
def _expand(self, *, shape):
    return broadcast_view(self, shape)


def sum_to_size(grad: Tensor, shape: tuple) -> Tensor:
    """Sum a broadcast gradient back to ``shape`` (leading dims dropped, size-1 dims kept)."""
    _sum = _reduction.sum
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


@public("sum_to_size", function=False)
def _sum_to_size_method(self: Tensor, *size) -> Tensor:
    """``Tensor.sum_to_size(*size)``: sum this tensor down to a shape it broadcasts from."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    size = shape_arg(size)
    shape = self._data.shape
    lead = len(shape) - len(size)
    ok = lead >= 0
    if ok:
        for s, t in zip(size, shape[lead:]):
            if s != t and s != 1:
                ok = False
                break
    if not ok:
        raise RuntimeError(
            f"size {{{_sizes_str(size)}}} is not expandable to size {{{_sizes_str(shape)}}}."
        )
    return sum_to_size(self, size)


def expand_shape(tensor: Tensor, sizes: tuple) -> tuple:
    """Target shape of ``tensor.expand(*sizes)``, with torch's errors (inferExpandGeometry)."""
    shape = tensor._data.shape
    n = len(sizes)
    if n < len(shape):
        raise RuntimeError(
            f"expand({_type_name(tensor)}{{{_sizes_str(shape)}}}, size={_sizes_str(sizes)}): the "
            f"number of sizes provided ({n}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    lead = n - len(shape)
    out = list(sizes)
    for i in range(n - 1, -1, -1):
        dim = i - lead
        size = shape[dim] if dim >= 0 else 1
        target = sizes[i]
        if target == -1:
            if dim < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            target = size
        elif size != target and size != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size "
                f"({size}) at non-singleton dimension {i}.  Target sizes: {_sizes_str(sizes)}.  "
                f"Tensor sizes: {_sizes_str(shape)}"
            )
        out[i] = target
    for s in out:
        if s < 0:
            raise RuntimeError("numel: integer multiplication overflow")
    return tuple(out)


@public(function=False)
def expand(self: Tensor, *sizes, size=None) -> Tensor:
    """A broadcast view of ``self`` at a larger size (``-1`` keeps a dim)."""
    if size is not None:
        sizes = (size,)
    elif not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    shape = expand_shape(self, shape_arg(sizes))
    return apply(_expand, (self,), (self._data,), {"shape": shape})


@public(function=False)
def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other._data.shape)


@public(method=False)
def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, shape_arg((_seq_arg(size, "broadcast_to", "size"),)))


def _broadcast_to_method(self: Tensor, *size) -> Tensor:
    return expand(self, shape_arg(size))


_method("broadcast_to", _broadcast_to_method)


@public(method=False)
def broadcast_tensors(*tensors) -> tuple:
    """Expand every tensor to their common shape (tensors already at that shape come back)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    shape = broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(t if t._data.shape == shape else
                 apply(_expand, (t,), (t._data,), {"shape": shape}) for t in tensors)


@public(method=False)
def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 0-d/1-d tensors (views: a reshape then an expand each)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "ember.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    n = len(tensors)
    if n == 0:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i in range(n - 1):
        if tensors[i]._data.dtype != tensors[i + 1]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    refs = list(tensors)
    swap = False
    if indexing == "xy":
        swap = n >= 2
        if swap:
            refs[0], refs[1] = refs[1], refs[0]
    elif indexing != "ij":
        raise RuntimeError(
            'ember.meshgrid: indexing must be one of "xy" or "ij", but received: ' + str(indexing)
        )
    for t in refs:
        if t._data.ndim > 1:
            raise RuntimeError(
                "ember.meshgrid: Expected 0D or 1D tensor in the tensor list but got: " + repr(t)
            )
    shape = tuple(t._data.size for t in refs)
    grids = []
    for i, t in enumerate(refs):
        vshape = (1,) * i + (shape[i],) + (1,) * (n - i - 1)
        v = apply(_view, (t,), (t._data,), {"shape": vshape})
        grids.append(apply(_expand, (v,), (v._data,), {"shape": shape}))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ---------------------------------------------------------------------------------- (un)squeeze
def _squeeze_fwd(self, *, dims):
    return np.squeeze(self, axis=dims) if dims else self.view()


def _unsqueeze_fwd(self, *, dim):
    out = np.expand_dims(self, dim)
    item = self.itemsize
    # torch's stride for the new dim: size * stride of the dim it displaces (1 at the end).
    want = self.shape[dim] * self.strides[dim] if dim < self.ndim else item
    if out.strides[dim] == want or self.size == 0:
        return out
    strides = list(s // item for s in self.strides)
    strides.insert(dim, want // item)
    return _restrided(self, out.shape, tuple(strides))


def _unsqueeze_to(grad, self_shape):
    return grad.reshape(self_shape)


# torch names the nodes by overload: squeeze() / squeeze(dim) / squeeze(dims), and the
# in-place forms 3/4/5.
_squeeze = prim("squeeze", view=True)(_squeeze_fwd)
_squeeze_dim = prim("squeeze_dim", backward="SqueezeBackward1", view=True)(_squeeze_fwd)
_squeeze_dims = prim("squeeze_dims", backward="SqueezeBackward2", view=True)(_squeeze_fwd)
_squeeze_ = prim("squeeze_", backward="SqueezeBackward3", view=True)(_squeeze_fwd)
_squeeze_dim_ = prim("squeeze_dim_", backward="SqueezeBackward4", view=True)(_squeeze_fwd)
_squeeze_dims_ = prim("squeeze_dims_", backward="SqueezeBackward5", view=True)(_squeeze_fwd)
for _op in (_squeeze, _squeeze_dim, _squeeze_dims, _squeeze_, _squeeze_dim_, _squeeze_dims_):
    _op.defvjp(self=_unsqueeze_to)

_unsqueeze = prim("unsqueeze", view=True)(_unsqueeze_fwd)
_unsqueeze_ = prim("unsqueeze_", backward="UnsqueezeBackward1", view=True)(_unsqueeze_fwd)
for _op in (_unsqueeze, _unsqueeze_):
    _op.defvjp(self=lambda grad, dim: grad.squeeze(dim))


def _squeeze_args(input: Tensor, dim):
    d = input._data
    shape = d.shape
    if dim is None:
        return 0, tuple(i for i, s in enumerate(shape) if s == 1)
    if isinstance(dim, (tuple, list)):
        dims = []
        for x in dim:
            x = wrap_dim(int(x), d.ndim)
            if x in dims:
                raise RuntimeError(f"dim {x} appears multiple times in the list of dims")
            dims.append(x)
        return 2, tuple(x for x in dims if d.ndim and shape[x] == 1)
    x = wrap_dim(int(dim), d.ndim)
    return 1, ((x,) if d.ndim and shape[x] == 1 else ())


@public()
def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``), as a view."""
    kind, dims = _squeeze_args(input, dim)
    op = (_squeeze, _squeeze_dim, _squeeze_dims)[kind]
    return apply(op, (input,), (input._data,), {"dims": dims})


@public()
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` (a view)."""
    d = input._data
    dim = wrap_dim(dim, d.ndim + 1)
    return apply(_unsqueeze, (input,), (d,), {"dim": dim})


# ---------------------------------------------------------------------------------- transpose
def _transpose_fwd(self, *, dim0, dim1):
    return self.view() if dim0 == dim1 else np.swapaxes(self, dim0, dim1)


def _t_fwd(self):
    return self.T


_transpose = prim("transpose", view=True)(_transpose_fwd)
_transpose_ = prim("transpose_", backward="TransposeBackward1", view=True)(_transpose_fwd)
for _op in (_transpose, _transpose_):
    _op.defvjp(self=lambda grad, dim0, dim1: grad.transpose(dim0, dim1))

_t = prim("t", backward="TBackward0", view=True)(_t_fwd)
_t_ = prim("t_", backward="TBackward1", view=True)(_t_fwd)
for _op in (_t, _t_):
    _op.defvjp(self=lambda grad: grad.t())


def _transpose_dims(input: Tensor, dim0: int, dim1: int) -> dict:
    n = input._data.ndim
    return {"dim0": wrap_dim(dim0, n), "dim1": wrap_dim(dim1, n)}


@public(aliases=("swapaxes", "swapdims"))
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    return apply(_transpose, (input,), (input._data,), _transpose_dims(input, dim0, dim1))


def _check_t(input: Tensor, name: str = "t") -> None:
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"{name}() expects a tensor with <= 2 dimensions, but self is {n}D")


@public()
def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims (a view)."""
    _check_t(input)
    return apply(_t, (input,), (input._data,))


@prim("permute", view=True)
def _PERMUTE(self, *, dims):  # noqa: N802
    return np.transpose(self, dims)


def _permute_grad(grad, dims):
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return _permute_impl(grad, tuple(inverse))


_PERMUTE.defvjp(self=_permute_grad)


def _permute_impl(input: Tensor, dims: tuple) -> Tensor:
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(dims)}"
        )
    seen = [False] * n
    wrapped = []
    for d in dims:
        d = wrap_dim(d, n)
        if seen[d]:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        seen[d] = True
        wrapped.append(d)
    return apply(_PERMUTE, (input,), (input._data,), {"dims": tuple(wrapped)})


@public(method=False)
def permute(input: Tensor, dims) -> Tensor:
    """Reorder dims (a view)."""
    return _permute_impl(input, shape_arg((_seq_arg(dims, "permute", "dims"),)))


def _permute_method(self: Tensor, *dims, **kw) -> Tensor:
    if "dims" in kw:
        dims = (kw.pop("dims"),)
    if kw:
        raise TypeError(f"permute() got an unexpected keyword argument '{next(iter(kw))}'")
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    return _permute_impl(self, shape_arg(dims))


_method("permute", _permute_method)


@public(aliases=("moveaxis",))
def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (a permute view)."""
    n = input._data.ndim
    src = _int_list(source, "movedim", "source", 2)
    dst = _int_list(destination, "movedim", "destination", 3)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({_sizes_str(src)} dims) "
            f"should contain the same number of dims as destination ({_sizes_str(dst)} dims)"
        )
    nsrc = [wrap_dim(d, n) for d in src]
    ndst = [wrap_dim(d, n) for d in dst]
    if len(set(nsrc)) != len(nsrc):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_sizes_str(src)})")
    if len(set(ndst)) != len(ndst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_sizes_str(dst)})")
    if n == 0:
        return apply(_alias, (input,), (input._data,))
    order = [-1] * n
    for s, d in zip(nsrc, ndst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in nsrc)
    for i in range(n):
        if order[i] == -1:
            order[i] = next(rest)
    return apply(_PERMUTE, (input,), (input._data,), {"dims": tuple(order)})


def _T(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n == 0:
        warnings.warn(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
            "cases.",
            UserWarning,
            stacklevel=2,
        )
    elif n != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*ember.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return apply(_PERMUTE, (self,), (self._data,), {"dims": tuple(range(n - 1, -1, -1))})


def _mT(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    return apply(_transpose, (self,), (self._data,), {"dim0": n - 2, "dim1": n - 1})


def _H(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    if n != 2:
        hint = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.{hint}"
        )
    return apply(_transpose, (self,), (self._data,), {"dim0": 0, "dim1": 1})


def _mH(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    return apply(_transpose, (self,), (self._data,), {"dim0": n - 2, "dim1": n - 1})


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mH)


# ---------------------------------------------------------------------------------- slicing views
def _slice_fwd(self, *, dim, start, end, step):
    return self[(slice(None),) * dim + (slice(start, end, step),)]


def _select_fwd(self, *, dim, index):
    # The trailing Ellipsis keeps a 0-d result an array view (not a NumPy scalar copy).
    return self[(slice(None),) * dim + (index, Ellipsis)]


@prim("_view_scatter", backward="SliceBackwardBackward0")
def _view_scatter(grad, *, shape, key):
    out = np.zeros(shape, dtype=grad.dtype)
    out[key] = grad
    return out


_view_scatter.defvjp(grad=lambda grad, key: grad[key])


def _scatter_into(grad: Tensor, shape: tuple, key: tuple) -> Tensor:
    """Zeros of ``shape`` with ``grad`` at ``key`` (the gradient of a basic-index view)."""
    return apply(_view_scatter, (grad,), (grad._data,), {"shape": tuple(shape), "key": key})


_slice = prim("slice", view=True)(_slice_fwd)
_slice.defvjp(
    self=lambda grad, self_shape, dim, start, end, step: _scatter_into(
        grad, self_shape, (slice(None),) * dim + (slice(start, end, step),))
)
_select = prim("select", view=True)(_select_fwd)
_select.defvjp(
    self=lambda grad, self_shape, dim, index: _scatter_into(
        grad, self_shape, (slice(None),) * dim + (index,))
)


def _slice_view(input: Tensor, dim: int, start: int, end: int) -> Tensor:
    """``input.slice(dim, start, end)`` with torch's clamping (SliceBackward0)."""
    size = input._data.shape[dim]
    if start < 0:
        start += size
    if end < 0:
        end += size
    start = min(max(start, 0), size)
    end = min(max(end, start), size)
    params = {"dim": dim, "start": start, "end": end, "step": 1}
    return apply(_slice, (input,), (input._data,), params)


@public()
def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """The ``length`` entries of ``dim`` from ``start`` (a view)."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    length = int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = wrap_dim(dim, d.ndim)
    start = int(start)
    size = d.shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start > size - length:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    params = {"dim": dim, "start": start, "end": start + length, "step": 1}
    return apply(_slice, (input,), (d,), params)


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


# ---------------------------------------------------------------------------------- diagonal
def _diagonal_np(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    out = np.diagonal(a, offset, dim1, dim2)
    if a.flags.writeable:
        out.flags.writeable = True  # NumPy hands out read-only diagonals; torch's are views
    return out


@prim("diagonal", view=True)
def _diagonal(self, *, offset, dim1, dim2):
    return _diagonal_np(self, offset, dim1, dim2)


@prim("diagonal_backward", backward="DiagonalBackwardBackward0")
def _diagonal_backward(grad, *, shape, offset, dim1, dim2):
    out = np.zeros(shape, dtype=grad.dtype)
    _diagonal_np(out, offset, dim1, dim2)[...] = grad
    return out


def _diagonal_grad(grad, self_shape, offset, dim1, dim2):
    params = {"shape": tuple(self_shape), "offset": offset, "dim1": dim1, "dim2": dim2}
    return apply(_diagonal_backward, (grad,), (grad._data,), params)


_diagonal.defvjp(self=_diagonal_grad)
_diagonal_backward.defvjp(grad=lambda grad, offset, dim1, dim2: grad.diagonal(offset, dim1, dim2))


@prim("diagonal_copy", backward="DiagonalBackward0_copy")
def _diagonal_copy(self, *, offset, dim1, dim2):
    return np.diagonal(self, offset, dim1, dim2).copy()


_diagonal_copy.defvjp(self=_diagonal_grad)


def _diagonal_dims(input: Tensor, dim1: int, dim2: int, ndim: int) -> tuple:
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@public()
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal over ``dim1``/``dim2`` as the last dim (a view)."""
    d1, d2 = _diagonal_dims(input, dim1, dim2, input._data.ndim)
    params = {"offset": int(offset), "dim1": d1, "dim2": d2}
    return apply(_diagonal, (input,), (input._data,), params)


@prim("diag_embed")
def _diag_embed(self, *, offset, dim1, dim2):
    n = self.shape[-1] + abs(offset)
    sizes = list(self.shape[:-1])
    sizes.insert(min(dim1, dim2), n)
    sizes.insert(max(dim1, dim2), n)
    out = np.zeros(sizes, dtype=self.dtype)
    _diagonal_np(out, offset, dim1, dim2)[...] = self
    return out


_diag_embed.defvjp(self=lambda grad, offset, dim1, dim2: grad.diagonal(offset, dim1, dim2))


@public()
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A tensor whose diagonals (over ``dim1``/``dim2``) are the last dim of ``input``."""
    n = input._data.ndim + 1
    d1 = wrap_dim(dim1, n)
    d2 = wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    params = {"offset": int(offset), "dim1": d1, "dim2": d2}
    return apply(_diag_embed, (input,), (input._data,), params)


@public()
def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """1-D -> the square matrix with that diagonal; 2-D -> the diagonal (a copy)."""
    n = input._data.ndim
    params = {"offset": int(diagonal), "dim1": 0, "dim2": 1}
    if n == 1:
        result = apply(_diag_embed, (input,), (input._data,), params)
    elif n == 2:
        result = apply(_diagonal_copy, (input,), (input._data,), params)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return result if out is None else check_out(out, result, "diag")


# ---------------------------------------------------------------------------------- as_strided
def _geometry_index(shape: tuple, strides: tuple, offset: int) -> np.ndarray:
    idx = np.full(shape, offset, dtype=np.int64)
    n = len(shape)
    for k, (size, st) in enumerate(zip(shape, strides)):
        idx += (np.arange(size, dtype=np.int64) * st).reshape((size,) + (1,) * (n - k - 1))
    return idx


@prim("as_strided_scatter", backward="AsStridedScatterBackward0")
def _as_strided_scatter(grad, *, numel, src, dst):
    # Scatter-add ``grad`` (laid out as geometry ``src`` in a storage of ``numel`` elements),
    # then read geometry ``dst``: the gradient of as_strided, and (swapped) its own gradient.
    buf = np.zeros(numel, dtype=grad.dtype)
    np.add.at(buf, _geometry_index(*src), grad)
    return buf[_geometry_index(*dst)]


def _as_strided_scatter_grad(grad, numel, src, dst):
    params = {"numel": numel, "src": dst, "dst": src}
    return apply(_as_strided_scatter, (grad,), (grad._data,), params)


_as_strided_scatter.defvjp(grad=_as_strided_scatter_grad)


def _as_strided_fwd(self, *, size, stride, storage_offset, geometry):
    return _strided(self, size, stride, storage_offset)


def _as_strided_grad(grad, size, stride, storage_offset, geometry):
    numel, in_geom = geometry
    params = {"numel": numel, "src": (size, stride, storage_offset), "dst": in_geom}
    return apply(_as_strided_scatter, (grad,), (grad._data,), params)


_as_strided = prim("as_strided", view=True)(_as_strided_fwd)
_as_strided_ = prim("as_strided_", backward="AsStridedBackward1", view=True)(_as_strided_fwd)
for _op in (_as_strided, _as_strided_):
    _op.defvjp(self=_as_strided_grad)


def _as_strided_params(input: Tensor, size, stride, storage_offset) -> dict:
    size = shape_arg((size,))
    stride = shape_arg((stride,))
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    for s in stride:
        if s < 0:
            raise RuntimeError(
                "as_strided: Negative strides are not supported at the moment, got strides: "
                + _sizes_str(stride)
            )
    a = input._data
    offset = _storage_offset(a) if storage_offset is None else int(storage_offset)
    item = a.itemsize
    need = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    have = _root(a).nbytes
    if need and (need + offset) * item > have:
        raise RuntimeError(
            f"setStorage: sizes {_sizes_str(size)}, strides {_sizes_str(stride)}, storage offset "
            f"{offset}, and itemsize {item} requiring a storage size of {(need + offset) * item} "
            f"are out of bounds for storage of size {have}"
        )
    in_geom = (a.shape, _strides(a), _storage_offset(a))
    in_need = 0 if a.size == 0 else in_geom[2] + 1 + sum(
        (n - 1) * s for n, s in zip(a.shape, in_geom[1]))
    numel = max(need + offset, in_need)
    return {"size": size, "stride": stride, "storage_offset": offset,
            "geometry": (numel, in_geom)}


@public()
def as_strided(input: Tensor, size, stride, storage_offset=None) -> Tensor:
    """A view of ``input``'s storage with the given sizes, strides and offset."""
    params = _as_strided_params(input, size, stride, storage_offset)
    return apply(_as_strided, (input,), (input._data,), params)


# ---------------------------------------------------------------------------------- in-place views
MULTI_OUTPUT_VIEWS: dict = {}  # replay op of an output of split/chunk/unbind -> torch's name
_refresh = getattr(_inplace, "refresh", None)  # regenerates a stale view's history


def multi_output_view_error(t: Tensor) -> RuntimeError | None:
    """torch's error for an in-place op on an output of split/chunk/unbind in a graph, or None.

    The in-place shape ops below check it; the generic in-place mechanism (inplace.py) should
    too (``test_elementwise_inplace_on_multi_output_view_errors`` is xfail until it does).
    """
    chain = t._view
    if chain is None or t._grad_fn is None or not STATE.enabled:
        return None
    name = MULTI_OUTPUT_VIEWS.get(chain[1])
    if name is None:
        return None
    return RuntimeError(
        f"Output {t._output_nr} of {name} is a view and is being modified inplace. This view "
        "is the output of a function that returns multiple views. Such functions do not allow "
        "the output views to be modified inplace. You should replace the inplace operation by "
        "an out-of-place one."
    )


def _inplace_view(self: Tensor, op, params) -> Tensor:
    """Apply view ``op`` to ``self`` in place: new metadata, same memory, version + 1."""
    if STATE.enabled:
        if self._base is not None and _refresh is not None:
            _refresh(self)
        check_inplace(self)
        err = multi_output_view_error(self)
        if err is not None:
            raise err
    r = apply(op, (self,), (self._data,), params) if params else apply(op, (self,), (self._data,))
    self._data = r._data
    self._vc[0] += 1
    if self._base is not None:
        self._view = r._view
    if r._grad_fn is not None:
        self._grad_fn = r._grad_fn
        self._output_nr = 0
    return self


def _squeeze_inplace(self: Tensor, dim=None) -> Tensor:
    kind, dims = _squeeze_args(self, dim)
    return _inplace_view(self, (_squeeze_, _squeeze_dim_, _squeeze_dims_)[kind], {"dims": dims})


def _unsqueeze_inplace(self: Tensor, dim: int) -> Tensor:
    return _inplace_view(self, _unsqueeze_, {"dim": wrap_dim(dim, self._data.ndim + 1)})


def _transpose_inplace(self: Tensor, dim0: int, dim1: int) -> Tensor:
    return _inplace_view(self, _transpose_, _transpose_dims(self, dim0, dim1))


def _t_inplace(self: Tensor) -> Tensor:
    _check_t(self, "t_")
    return _inplace_view(self, _t_, None)


def _as_strided_inplace(self: Tensor, size, stride, storage_offset=None) -> Tensor:
    return _inplace_view(self, _as_strided_,
                         _as_strided_params(self, size, stride, storage_offset))


for _name, _fn in (("squeeze_", _squeeze_inplace), ("unsqueeze_", _unsqueeze_inplace),
                   ("transpose_", _transpose_inplace), ("swapaxes_", _transpose_inplace),
                   ("swapdims_", _transpose_inplace), ("t_", _t_inplace),
                   ("as_strided_", _as_strided_inplace)):
    _fn.__name__ = _fn.__qualname__ = _name
    setattr(Tensor, _name, _fn)
_as_strided_inplace.__name__ = "as_strided_"
public("as_strided_", method=False)(_as_strided_inplace)


# ---------------------------------------------------------------------------------- split family
def _split_fwd(self, *, dim, bounds):
    pre = (slice(None),) * dim
    out = tuple(self[pre + (slice(s, e),)] for s, e in bounds)
    return out[0] if len(out) == 1 else out


def _split_vjp(grads, self_shape, dim, bounds):
    from .creation import zeros

    if not isinstance(grads, tuple):
        return (grads,)
    dt = None
    for g in grads:
        if g is not None:
            dt = g.dtype
            break
    parts = []
    for g, (s, e) in zip(grads, bounds):
        if g is None:
            shape = list(self_shape)
            shape[dim] = e - s
            g = zeros(shape, dtype=dt)
        parts.append(g)
    return (cat(parts, dim),)


def _unbind_fwd(self, *, dim):
    pre = (slice(None),) * dim
    out = tuple(self[pre + (i, Ellipsis)] for i in range(self.shape[dim]))
    return out[0] if len(out) == 1 else out


def _unbind_vjp(grads, self_shape, dim):
    from .creation import zeros

    if not isinstance(grads, tuple):
        return (grads.unsqueeze(dim),)
    dt = None
    for g in grads:
        if g is not None:
            dt = g.dtype
            break
    shape = self_shape[:dim] + self_shape[dim + 1:]
    parts = [g if g is not None else zeros(shape, dtype=dt) for g in grads]
    return (stack(parts, dim),)


# kind -> (node name, forward, joint formula, replay forward of one output, torch's op name)
_MULTI_KINDS = {
    "split": ("SplitBackward0", _split_fwd, _split_vjp, _slice_fwd, "Split"),
    "split_with_sizes": ("SplitWithSizesBackward0", _split_fwd, _split_vjp, _slice_fwd,
                         "SplitWithSizes"),
    "unbind": ("UnbindBackward0", _unbind_fwd, _unbind_vjp, _select_fwd, "Unbind"),
}
_MULTI_OPS: dict = {}  # (kind, number of outputs) -> prim
_MULTI_PARTS: dict = {}  # kind -> single-output replay prim
for _kind, (_node, _fwd, _vjp, _part, _torch_name) in _MULTI_KINDS.items():
    # Replays (and, recorded in double backward through CopySlices, differentiates) one output.
    _op = prim(f"_{_kind}_part", backward=_node, view=True)(_part)
    _op.vjps = (_select if _kind == "unbind" else _slice).vjps
    _MULTI_PARTS[_kind] = _op
    MULTI_OUTPUT_VIEWS[_op] = _torch_name


def _multi_op(kind: str, n: int):
    op = _MULTI_OPS.get((kind, n))
    if op is None:
        node, fwd, vjp = _MULTI_KINDS[kind][:3]
        op = prim(kind, backward=node, nout=n, view=True)(fwd)
        op.vjp(vjp)
        _MULTI_OPS[kind, n] = op
    return op


def _multi_view(input: Tensor, kind: str, dim: int, parts: list) -> tuple:
    """The outputs of one split/unbind call: views sharing one backward node."""
    n = len(parts)
    if n == 0:
        return ()
    params = {"dim": dim, "bounds": tuple(parts)} if kind != "unbind" else {"dim": dim}
    out = apply(_multi_op(kind, n), (input,), (input._data,), params)
    if n == 1:
        out = (out,)
    chain = input._view if input._base is not None else None
    part_op = _MULTI_PARTS[kind]
    for r, p in zip(out, parts):
        if kind == "unbind":
            r._view = (chain, part_op, {"dim": dim, "index": p})
        else:
            r._view = (chain, part_op, {"dim": dim, "start": p[0], "end": p[1], "step": 1})
    return out


def _split_size(input: Tensor, split_size: int, dim: int) -> tuple:
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim]
    if split_size < 0:
        raise RuntimeError(
            f"split expects split_size be non-negative, but got split_size={split_size}"
        )
    if split_size == 0 and size != 0:
        raise RuntimeError(
            "split_size can only be 0 if dimension size is 0, but got dimension size of "
            f"{size}"
        )
    n = max((size + split_size - 1) // split_size, 1) if split_size else 1
    bounds = [(i * split_size, min((i + 1) * split_size, size)) for i in range(n)]
    return _multi_view(input, "split", dim, bounds)


def _split_with_sizes(input: Tensor, sizes: tuple, dim: int) -> tuple:
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    given = dim
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim]
    total = 0
    for s in sizes:
        if s < 0:
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={_sizes_str(sizes)}"
            )
        total += s
    if total != size:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
            f"at dimension {given}), but got split_sizes={_sizes_str(sizes)}"
        )
    bounds = []
    start = 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return _multi_view(input, "split_with_sizes", dim, bounds)


def _split_sizes_arg(value) -> tuple:
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            if isinstance(v, Tensor):
                v = v.item()
            if not isinstance(v, _INT_TYPES) or isinstance(v, bool):
                raise TypeError(
                    "split_with_sizes(): argument 'split_sizes' failed to unpack the object at "
                    f'pos {i + 1} with error "type must be tuple of ints,but got '
                    f'{type(v).__name__}"'
                )
            out.append(int(v))
        return tuple(out)
    raise TypeError(
        "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
        f"{type(value).__name__}"
    )


def _split(input: Tensor, split_size, dim: int) -> tuple:
    if isinstance(split_size, Tensor):
        try:
            split_size = int(split_size)
        except (ValueError, TypeError, RuntimeError):
            pass
    if isinstance(split_size, _INT_TYPES) and not isinstance(split_size, bool):
        return _split_size(input, int(split_size), dim)
    return _split_with_sizes(input, _split_sizes_arg(split_size), dim)


@public(method=False)
def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Views of ``split_size``-long chunks along ``dim``, or of the given section sizes."""
    return _split(tensor, split_size_or_sections, dim)


def _split_method(self: Tensor, split_size, dim: int = 0) -> tuple:
    return _split(self, split_size, dim)


_method("split", _split_method)


@public()
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    return _split_with_sizes(input, _split_sizes_arg(split_sizes), dim)


@public()
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` views of equal size (``ceil(size / chunks)``; the last may be smaller)."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim]
    split_size = (size + chunks - 1) // chunks
    if split_size == 0 and size == 0:
        # torch: `chunks` empty pieces, through split_with_sizes.
        return _split_with_sizes(input, (0,) * chunks, dim)
    return _split_size(input, split_size, dim)


@public()
def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim`` as views (``UnbindBackward0``)."""
    d = input._data
    if d.ndim == 0:
        raise _no_dims_error(dim)
    dim = wrap_dim(dim, d.ndim)
    return _multi_view(input, "unbind", dim, list(range(d.shape[dim])))


_TENSOR_SPLIT_OVERLOADS = (
    " * (tuple of ints indices, int dim = 0)\n"
    " * (Tensor tensor_indices_or_sections, int dim = 0)\n"
    " * (int sections, int dim = 0)"
)


@public()
def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *, sections=None,
                 indices=None, tensor_indices_or_sections=None) -> tuple:
    """Split into ``sections`` nearly equal pieces or at ``indices`` (each a slice view)."""
    arg = indices_or_sections
    for alt in (sections, indices, tensor_indices_or_sections):
        if alt is not None:
            arg = alt
    d = input._data
    if d.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    if isinstance(arg, Tensor):
        a = arg._data
        if a.dtype != np.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                f"got {_FROM_NP[a.dtype]._legacy}"
            )
        if a.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {a.ndim} dims"
            )
        arg = int(a) if a.ndim == 0 else [int(v) for v in a]
    dim = wrap_dim(dim, d.ndim)
    if isinstance(arg, _INT_TYPES) and not isinstance(arg, bool):
        sections = int(arg)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size = d.shape[dim]
        extra = size % sections
        small = size // sections
        out = []
        start = 0
        for i in range(sections):
            stop = start + small + (1 if i < extra else 0)
            out.append(_slice_view(input, dim, start, stop))
            start = stop
        return tuple(out)
    if not isinstance(arg, (list, tuple)):
        raise _invalid_combination("tensor_split", (arg,), _TENSOR_SPLIT_OVERLOADS)
    out = []
    start = 0
    for idx in shape_arg((arg,)) if arg else ():
        out.append(_slice_view(input, dim, start, idx))
        start = idx
    out.append(_slice_view(input, dim, start, d.shape[dim]))
    return tuple(out)


def _dim_split(input: Tensor, arg, name: str, min_dim: int, dim: int) -> tuple:
    n = input._data.ndim
    if n < min_dim:
        raise RuntimeError(
            f"ember.{name} requires a tensor with at least {min_dim} dimension, but got a tensor "
            f"with {n} dimensions!"
        )
    if isinstance(arg, _INT_TYPES) and not isinstance(arg, bool):
        size = input._data.shape[dim]
        if arg == 0 or size % arg:
            raise RuntimeError(
                f"ember.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {arg}!"
            )
    return tensor_split(input, arg, dim)


@public()
def hsplit(input: Tensor, indices_or_sections) -> tuple:
    return _dim_split(input, indices_or_sections, "hsplit", 1,
                      0 if input._data.ndim == 1 else 1)


@public()
def vsplit(input: Tensor, indices_or_sections) -> tuple:
    return _dim_split(input, indices_or_sections, "vsplit", 2, 0)


@public()
def dsplit(input: Tensor, indices_or_sections) -> tuple:
    return _dim_split(input, indices_or_sections, "dsplit", 3, 2)


# ---------------------------------------------------------------------------------- cat/stack
def _skip_in_cat(a: np.ndarray) -> bool:
    # torch's legacy rule: 1-d empty tensors of shape (0,) are ignored by cat.
    return a.ndim == 1 and a.shape[0] == 0


@prim("cat", variadic=True)
def _cat(tensors, *, dim, sizes):
    parts = [a for a in tensors if not _skip_in_cat(a)]
    if not parts:
        return np.concatenate(tensors)
    return _c_contiguous(np.concatenate(parts, axis=dim))  # NumPy may keep an F layout


@_cat.vjp
def _cat_vjp(grad, dim, sizes):
    from .creation import zeros

    out = []
    off = 0
    for s in sizes:
        if s is None:
            out.append(zeros(0, dtype=grad.dtype))
        else:
            out.append(narrow(grad, dim, off, s))
            off += s
    return tuple(out)


def _tensor_list(tensors, fn: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return list(tensors)


def _int_dim(dim, fn: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, _INT_TYPES):
        # (torch omits the position when dim was passed by keyword; we cannot tell.)
        raise TypeError(f"{fn}(): argument 'dim' (position 2) must be int, not "
                        f"{type(dim).__name__}")
    return int(dim)


def _promoted(tensors: list) -> tuple:
    dt = tensors[0]._data.dtype
    for t in tensors:
        if t._data.dtype != dt:
            dt = P.result_type_of(tensors)._np
            break
    return [t._data if t._data.dtype == dt else t._data.astype(dt) for t in tensors], dt


def _cat_out(result: Tensor, out: Tensor, name: str) -> Tensor:
    rd, od = result._data.dtype, out._data.dtype
    if _FROM_NP[rd]._cat > _FROM_NP[od]._cat:
        raise TypeError(
            f"ember.{name}(): input types can't be cast to the desired output type "
            f"{_FROM_NP[od]._legacy}"
        )
    return check_out(out, result, name)


@public(method=False)
def cat(tensors, dim: int = 0, *, axis=None, out=None) -> Tensor:
    """Concatenate along ``dim`` (type-promoted; 1-d empty tensors are skipped)."""
    return _cat_impl(tensors, dim if axis is None else axis, out, "cat")


@public(method=False)
def concat(tensors, dim: int = 0, *, axis=None, out=None) -> Tensor:
    return _cat_impl(tensors, dim if axis is None else axis, out, "concat")


@public(method=False)
def concatenate(tensors, axis: int = 0, out=None, *, dim=None) -> Tensor:
    return _cat_impl(tensors, axis if dim is None else dim, out, "concatenate")


def _cat_impl(tensors, dim, out, name: str) -> Tensor:
    tensors = _tensor_list(tensors, name)
    dim = _int_dim(dim, name)
    if not tensors:
        raise ValueError("ember.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = None
    for t in tensors:
        if not _skip_in_cat(t._data):
            ref = t._data
            break
    sizes = []
    if ref is not None:
        dim = wrap_dim(dim, ref.ndim)
        rshape = ref.shape
        for i, t in enumerate(tensors):
            shape = t._data.shape
            if _skip_in_cat(t._data):
                sizes.append(None)
                continue
            if len(shape) != len(rshape):
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {len(rshape)} and "
                    f"{len(shape)}"
                )
            for k, (a, b) in enumerate(zip(rshape, shape)):
                if k != dim and a != b:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size "
                        f"{a} but got size {b} for tensor number {i} in the list."
                    )
            sizes.append(shape[dim])
    else:
        sizes = [None] * len(tensors)
    arrays, _ = _promoted(tensors)
    result = apply(_cat, (tensors,), (arrays,), {"dim": dim, "sizes": tuple(sizes)})
    return result if out is None else _cat_out(result, out, "cat")


@prim("stack", variadic=True)
def _stack(tensors, *, dim):
    return _c_contiguous(np.stack(tensors, axis=dim))


@_stack.vjp
def _stack_vjp(grad, dim):
    return unbind(grad, dim)


@public(method=False)
def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join equally shaped tensors along a new dim ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    dim = _int_dim(dim, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    dim = wrap_dim(dim, len(shape) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {_sizes_str(shape)} at "
                f"entry 0 and {_sizes_str(t._data.shape)} at entry {i}"
            )
    arrays, _ = _promoted(tensors)
    result = apply(_stack, (tensors,), (arrays,), {"dim": dim})
    return result if out is None else check_out(out, result, "stack")


def _nonempty(tensors, fn: str) -> list:
    tensors = _tensor_list(tensors, fn)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return tensors


@public(method=False)
def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-d tensors), after ``atleast_1d``."""
    rep = [_atleast_1d(t) for t in _nonempty(tensors, "hstack")]
    return cat(rep, 0 if rep[0]._data.ndim == 1 else 1, out=out)


@public(method=False, aliases=("row_stack",))
def vstack(tensors, *, out=None) -> Tensor:
    """Concatenate along dim 0, after ``atleast_2d``."""
    return cat([_atleast_2d(t) for t in _nonempty(tensors, "vstack")], 0, out=out)


@public(method=False)
def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate along dim 2, after ``atleast_3d``."""
    return cat([_atleast_3d(t) for t in _nonempty(tensors, "dstack")], 2, out=out)


@public(method=False)
def column_stack(tensors, *, out=None) -> Tensor:
    """0-d/1-d tensors become (n, 1) columns; then ``hstack``."""
    tensors = _nonempty(tensors, "column_stack")
    rep = [_reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(rep, out=out)


def _atleast_1d(t: Tensor) -> Tensor:
    return _reshape(t, (1,)) if t._data.ndim == 0 else t


def _atleast_2d(t: Tensor) -> Tensor:
    n = t._data.ndim
    if n == 0:
        return _reshape(t, (1, 1))
    if n == 1:
        return unsqueeze(t, 0)
    return t


def _atleast_3d(t: Tensor) -> Tensor:
    n = t._data.ndim
    if n == 0:
        return _reshape(t, (1, 1, 1))
    if n == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    if n == 2:
        return unsqueeze(t, -1)
    return t


def _atleast(fn, name: str, tensors: tuple):
    if len(tensors) == 1:
        tensors = tensors[0]
    if isinstance(tensors, Tensor):
        return fn(tensors)
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({type(tensors).__name__}), but expected one of:\n * (Tensor input)\n      didn't "
            f"match because some of the arguments have invalid types: "
            f"(!{type(tensors).__name__}!)\n * (tuple of Tensors tensors)\n      didn't match "
            f"because some of the arguments have invalid types: (!{type(tensors).__name__}!)\n"
        )
    return tuple(fn(t) for t in _tensor_list(tensors, name))


@public(method=False)
def atleast_1d(*tensors):
    return _atleast(_atleast_1d, "atleast_1d", tensors)


@public(method=False)
def atleast_2d(*tensors):
    return _atleast(_atleast_2d, "atleast_2d", tensors)


@public(method=False)
def atleast_3d(*tensors):
    return _atleast(_atleast_3d, "atleast_3d", tensors)


# ---------------------------------------------------------------------------------- flip/roll/rot90
@prim("flip")
def _flip(self, *, dims):
    order = _copy_order(self)
    if not dims:
        return np.array(self, copy=True, order=order)
    return np.flip(self, dims).copy(order=order)


_flip.defvjp(self=lambda grad, dims: grad.flip(dims))


def _dims_arg(args: tuple, kw_dims, fn: str) -> tuple:
    """A method's ``dims``: varargs ints, one int, or one sequence (or the ``dims=`` keyword)."""
    if kw_dims is not None:
        args = (kw_dims,)
    if not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "dims"')
    if len(args) == 1:
        return _int_list(args[0], fn, "dims", 1)
    return _int_list(args, fn, "dims", 1)


def _unique_dims(dims: tuple, ndim: int) -> tuple:
    out = []
    for d in dims:
        d = wrap_dim(d, ndim)
        if d in out:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        out.append(d)
    return tuple(out)


def _flip_impl(input: Tensor, dims: tuple) -> Tensor:
    d = input._data
    dims = _unique_dims(dims, d.ndim)
    if d.ndim == 0:
        dims = ()
    return apply(_flip, (input,), (d,), {"dims": dims})


@public(method=False)
def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order along ``dims`` (a copy)."""
    return _flip_impl(input, _int_list(_seq_arg(dims, "flip", "dims"), "flip", "dims", 2))


def _flip_method(self: Tensor, *dims, **kw) -> Tensor:
    return _flip_impl(self, _dims_arg(dims, kw.pop("dims", None), "flip"))


_method("flip", _flip_method)


@public()
def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return apply(_flip, (input,), (input._data,), {"dims": (1,)})


@public()
def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return apply(_flip, (input,), (input._data,), {"dims": (0,)})


@prim("roll")
def _roll(self, *, shifts, dims):
    if self.size == 0:
        return self.copy(order="C")
    if dims is None:
        return np.roll(self, shifts[0]).copy(order="C") if self.ndim else self.copy()
    return _c_contiguous(np.roll(self, shifts, axis=dims))


def _roll_grad(grad, shifts, dims):
    neg = tuple(-s for s in shifts)
    return grad.roll(neg, dims) if dims is not None else grad.roll(neg)


_roll.defvjp(self=_roll_grad)


@public()
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotate elements along ``dims`` by ``shifts`` (all elements, flattened, if no dims)."""
    d = input._data
    shifts = _int_list(shifts, "roll", "shifts", 2)
    dims = () if dims is None else _int_list(dims, "roll", "dims", 3)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if not dims and len(shifts) == 1:
        return apply(_roll, (input,), (d,), {"shifts": shifts, "dims": None})
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    if d.ndim == 0:
        raise _no_dims_error(dims[0])
    dims = tuple(wrap_dim(x, d.ndim) for x in dims)
    return apply(_roll, (input,), (d,), {"shifts": shifts, "dims": dims})


@prim("rot90")
def _rot90(self, *, k, dims):
    d0, d1 = dims
    order = _copy_order(self)
    if k == 1:
        return np.swapaxes(np.flip(self, d1).copy(order=order), d0, d1)
    if k == 2:
        return np.flip(self, dims).copy(order=order)
    if k == 3:
        return np.swapaxes(np.flip(self, d0).copy(order=order), d0, d1)
    return self.copy(order="C")


_rot90.defvjp(self=lambda grad, k, dims: grad.rot90(-k, dims))


@public()
def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``."""
    d = input._data
    dims = _int_list(dims, "rot90", "dims", 3)
    n = d.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = "
            f"{dims[1]}"
        )
    dims = (d0, d1)
    return apply(_rot90, (input,), (d,), {"k": int(k) % 4, "dims": dims})


# ---------------------------------------------------------------------------------- repeat/tile
@prim("repeat")
def _repeat(self, *, repeats):
    out = np.tile(self, repeats)
    return out if out.flags.c_contiguous else out.copy(order="C")


def _repeat_grad(grad, self_shape, repeats):
    n = len(repeats)
    if n == 0:
        return grad.reshape(self_shape)
    padded = (1,) * (n - len(self_shape)) + tuple(self_shape)
    inter = []
    for r, s in zip(repeats, padded):
        inter.append(r)
        inter.append(s)
    g = grad.reshape(inter).sum(tuple(range(0, 2 * n, 2)))
    return g.reshape(self_shape)


_repeat.defvjp(self=_repeat_grad)


def _repeat_impl(self: Tensor, repeats: tuple) -> Tensor:
    shape = self._data.shape
    if len(repeats) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    padded = (1,) * (len(repeats) - len(shape)) + shape
    target = [s * r for s, r in zip(padded, repeats)]
    for s in target:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {_sizes_str(target)}"
            )
    return apply(_repeat, (self,), (self._data,), {"repeats": repeats})


@public(function=False)
def repeat(self: Tensor, *repeats, **kw) -> Tensor:
    """Tile ``self`` ``repeats[i]`` times along each dim (leading new dims allowed)."""
    if "repeats" in kw:
        repeats = (kw.pop("repeats"),)
    if kw:
        raise TypeError(f"repeat() got an unexpected keyword argument '{next(iter(kw))}'")
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    return _repeat_impl(self, shape_arg(repeats))


def _tile_impl(input: Tensor, dims: tuple) -> Tensor:
    diff = input._data.ndim - len(dims)
    if diff > 0:
        dims = (1,) * diff + dims
    return _repeat_impl(input, dims)


@public(method=False)
def tile(input: Tensor, dims) -> Tensor:
    """``repeat`` with ``dims`` padded with leading ones to the tensor's rank."""
    return _tile_impl(input, _int_list(_seq_arg(dims, "tile", "dims"), "tile", "dims", 2))


def _tile_method(self: Tensor, *dims, **kw) -> Tensor:
    return _tile_impl(self, _dims_arg(dims, kw.pop("dims", None), "tile"))


_method("tile", _tile_method)


def _repeats_index(repeats: Tensor, output_size) -> Tensor:
    """torch.repeat_interleave(repeats): each index i repeated repeats[i] times."""
    a = repeats._data
    if a.dtype not in (np.int32, np.int64):
        raise NotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{_FROM_NP[a.dtype]._legacy}'"
        )
    if a.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if a.size == 0:
        return _wrap(np.empty(0, a.dtype))
    total = int(a.sum())
    if output_size is not None:
        if int(output_size) != total:
            raise RuntimeError("allocated size does not match required size")
    elif (a < 0).any():
        raise RuntimeError("repeats can not be negative")
    return _wrap(np.repeat(np.arange(a.size, dtype=a.dtype), a))


@public()
def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (of the flattened input if None)."""
    if repeats is None:
        return _repeats_index(input, output_size)
    if isinstance(repeats, Tensor):
        x = input
        if dim is None:
            x = flatten(input)
            dim = 0
        else:
            dim = wrap_dim(dim, input._data.ndim)
        r = repeats._data
        n = x._data.shape[dim]
        if r.ndim == 0 or (r.ndim == 1 and r.shape[0] == 1):
            repeats = _wrap(np.broadcast_to(r.reshape(1), (n,)))
        elif r.ndim == 1:
            if r.shape[0] != n:
                raise RuntimeError(
                    "repeats must have the same size as input along dim, but got "
                    f"repeats.size(0) = {r.shape[0]} and input.size({dim}) = {n}"
                )
        else:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        from .indexing import index_select

        return index_select(x, dim, _repeats_index(repeats, output_size))
    repeats = int(repeats)
    x = input if dim is not None else flatten(input)
    dim = wrap_dim(dim if dim is not None else 0, input._data.ndim)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    x = unsqueeze(x, dim + 1)
    shape = list(x._data.shape)
    shape[dim + 1] = repeats
    x = expand(x, shape)
    if output_size is not None and int(output_size) != repeats * shape[dim]:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {repeats * shape[dim]} but got "
            f"{output_size}"
        )
    x = apply(_clone, (x,), (x._data,), {"order": "C"})
    return flatten(x, dim, dim + 1)


# ---------------------------------------------------------------------------------- tril/triu
def _tri(name: str, fn):
    @prim(name)
    def forward(self, *, diagonal):
        return _c_contiguous(fn(self, diagonal))

    forward.defvjp(self=lambda grad, diagonal: getattr(grad, name)(diagonal))

    def public_fn(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        result = apply(forward, (input,), (input._data,), {"diagonal": int(diagonal)})
        return result if out is None else check_out(out, result, name)

    public_fn.__name__ = public_fn.__qualname__ = name
    public_fn.__doc__ = f"``{name}`` of the last two dims (``diagonal`` shifts the boundary)."
    return public(name, inplace=True)(public_fn)


tril = _tri("tril", np.tril)
triu = _tri("triu", np.triu)


# ---------------------------------------------------------------------------------- copies, casts
@prim("clone")
def _clone(self, *, order="K"):
    return np.array(self, copy=True, order=order)


_clone.defvjp(self=lambda grad: grad)


def _format_order(a: np.ndarray, memory_format) -> str:
    if memory_format is not None and "contiguous_format" in str(memory_format):
        return "C"
    return _copy_order(a)


@public()
def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy that stays in the graph (``CloneBackward0``); keeps a dense input's strides."""
    d = input._data
    return apply(_clone, (input,), (d,), {"order": _format_order(d, memory_format)})


@public(function=False)
def contiguous(self: Tensor, memory_format=None) -> Tensor:
    """``self`` if already C-contiguous, else a contiguous copy (``CloneBackward0``)."""
    if self._data.flags.c_contiguous:
        return self
    return apply(_clone, (self,), (self._data,), {"order": "C"})


@public()
def detach(input: Tensor) -> Tensor:
    """A tensor sharing data and version counter, cut from the graph."""
    out = _wrap(input._data)
    out._vc = input._vc
    return out


@public()
def detach_(input: Tensor) -> Tensor:
    if input._base is not None:
        raise RuntimeError(
            "Can't detach views in-place. Use detach() instead. If you are using "
            "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
            "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
            "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
            "function in torch/optim/optimizer.py as the solution."
        )
    input._grad_fn = None
    input._output_nr = 0
    input._requires_grad = False
    return input


@prim("_to_copy", backward="ToCopyBackward0")
def _to_copy(self, *, dtype):
    return self.astype(dtype, order=_copy_order(self))


_to_copy.defvjp(self=lambda grad, self_dtype: _cast(grad, self_dtype._np))


def _cast(t: Tensor, np_dtype, copy: bool = False) -> Tensor:
    if t._data.dtype == np_dtype and not copy:
        return t
    return apply(_to_copy, (t,), (t._data,), {"dtype": np_dtype})


_TO_OVERLOADS = (
    " * (ember.device device = None, ember.dtype dtype = None, bool non_blocking = False, bool "
    "copy = False, *, ember.memory_format memory_format = None)\n"
    " * (ember.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "ember.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, ember.memory_format "
    "memory_format = None)"
)


def _is_dtype(x) -> bool:
    return isinstance(x, D.dtype) or x in (float, int, bool)


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
        got = ", ".join(f"{k}={type(v).__name__}" for k, v in kwargs.items())
        raise TypeError(
            f"to() received an invalid combination of arguments - got ({got}, ), but expected "
            f"one of:\n{_TO_OVERLOADS}\n"
        )
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype, dev = other.dtype, other.device
    elif rest and _is_dtype(rest[0]):
        dtype = rest.pop(0)
    elif rest and (rest[0] is None or isinstance(rest[0], (str, device, int))) and \
            not isinstance(rest[0], bool):
        dev = rest.pop(0)
        if rest and (rest[0] is None or _is_dtype(rest[0])):
            dtype = rest.pop(0) if rest[0] is not None else dtype
    if len(rest) > 2 or any(not isinstance(a, bool) for a in rest):
        raise _invalid_combination("to", args, _TO_OVERLOADS)
    if len(rest) == 2:
        copy = rest[1]
    if dev is not None and as_device(dev).type != "cpu":
        from ..cuda import _lazy_init

        _lazy_init()
    np_dtype = to_np_dtype(dtype) if dtype is not None else self._data.dtype
    return _cast(self, np_dtype, copy)


def _caster(name: str, dt: D.dtype):
    np_dtype = dt._np

    def cast(self: Tensor, memory_format=None) -> Tensor:
        return _cast(self, np_dtype)

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = f"``self.to({dt})``"
    return cast


for _name, _dt in (("float", D.float32), ("double", D.float64), ("half", D.float16),
                   ("bfloat16", D.bfloat16), ("long", D.int64), ("int", D.int32),
                   ("short", D.int16), ("char", D.int8), ("byte", D.uint8), ("bool", D.bool_)):
    public(_name, function=False)(_caster(_name, _dt))


@public("type", function=False)
def type_(self: Tensor, dtype=None, non_blocking: bool = False, **kwargs):
    """``type()``: the legacy type name; ``type(dtype)``: a cast."""
    if dtype is None:
        return _type_name(self)
    if isinstance(dtype, str):
        if dtype not in D.LEGACY_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = D.LEGACY_NAMES[dtype]
    elif not isinstance(dtype, (D.dtype, type)):
        raise TypeError("dtype must be a type, str, or dtype object")
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


# ---------------------------------------------------------- block_diag, products of vectors
@prim("block_diag", variadic=True)
def _block_diag(tensors, *, shapes, orig):
    out = np.zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), tensors[0].dtype)
    r = c = 0
    for a, (h, w) in zip(tensors, shapes):
        out[r:r + h, c:c + w] = a.reshape(h, w)
        r, c = r + h, c + w
    return out


@_block_diag.vjp
def _block_diag_vjp(grad, shapes, orig):
    out, r, c = [], 0, 0
    for (h, w), shape in zip(shapes, orig):
        out.append(grad[r:r + h, c:c + w].reshape(shape))
        r, c = r + h, c + w
    return tuple(out)


@public(method=False)
def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-d as a row, or 2-d) as the blocks of a block-diagonal matrix."""
    if not tensors:
        return _reduction_zeros((1, 0))
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError("ember.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    shapes = tuple((1, 1) if t.ndim == 0 else (1, t.shape[0]) if t.ndim == 1 else tuple(t.shape)
                   for t in tensors)
    arrays, _ = _promoted(list(tensors))
    return apply(_block_diag, (list(tensors),), (arrays,),
                 {"shapes": shapes, "orig": tuple(tuple(t.shape) for t in tensors)})


def _reduction_zeros(shape):
    from .creation import zeros

    return zeros(shape)


def _need_vector(t: Tensor) -> None:
    if t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")


@public(method=False)
def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples of one element from each vector, as rows (in lexicographic order)."""
    for t in tensors:
        _need_vector(t)
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.flatten() for g in meshgrid(*tensors, indexing="ij")], 1)


@public(method=False)
def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a vector's elements, as rows (itertools' order)."""
    _need_vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.empty((0,), input._data.dtype))
    # every index tuple in row-major order, kept where it is (non-strictly) increasing
    idx = np.indices((input.shape[0],) * r).reshape(r, -1)
    keep = (idx[:-1] <= idx[1:]) if with_replacement else (idx[:-1] < idx[1:])
    idx = np.ascontiguousarray(idx[:, keep.all(0)])
    return stack([input[_wrap(k)] for k in idx], 1)
