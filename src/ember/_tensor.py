"""The Tensor: a NumPy array plus dtype/view metadata plus autograd fields.

Everything here is independent of the op library; the ops (``add``, ``view``, ``__getitem__``...)
are bound onto the class by ``ember._ops`` when the package is imported.

Memory model: ``_data`` is the array. Views (``view``, slicing, ``transpose``...) hold NumPy
views of their base's array, point ``_base`` at the root tensor and share its version counter
``_vc`` (a one-element list), so an in-place write through any alias bumps ``_version`` for all.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from . import _dtype as D
from ._device import CPU
from ._size import Size
from .autograd import graph as _graph
from .autograd.graph import RemovableHandle, add_hook

_new = object.__new__
_ndarray = np.ndarray
_asarray = np.asarray


class Tensor:
    """A multi-dimensional array with autograd, behaving like ``torch.Tensor``."""

    __slots__ = (
        "_data",  # np.ndarray
        "_requires_grad",  # True for leaves that require grad and for every graph output
        "_grad_fn",  # Node or None
        "_output_nr",  # which output of _grad_fn this tensor is
        "_vc",  # version counter: [int], shared with views and detached aliases
        "_base",  # root tensor this one is a view of, or None
        "_view",  # for views: (parent's _view, view op, params), to replay the view on a base
        "_grad",
        "_grad_acc",  # this leaf's AccumulateGrad, made on first use
        "__dict__",
        "__weakref__",
    )

    def __new__(cls, *args, **kwargs):
        # Legacy constructor: Tensor(2, 3) (uninitialised float), Tensor([1, 2]), Tensor().
        from ._ops import creation

        t = creation.legacy_new(cls, args, kwargs)
        if cls is not Tensor:
            t = _as_subclass(t, cls)
        return t

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return D._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU if type(self._data) is _ndarray else _backend_device(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False

    @property
    def layout(self):
        from ._layout import strided

        return strided

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def is_floating_point(self) -> bool:
        return D._FROM_NP[self._data.dtype]._cat == D.FLOATING

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return D._FROM_NP[self._data.dtype].is_signed

    def stride(self, dim: int | None = None):
        a = self._data
        item = a.itemsize
        strides = tuple(s // item for s in a.strides)
        if a.size == 0 and a.base is None:
            # NumPy gives fresh empty arrays zero strides; torch gives them contiguous ones.
            strides = _contiguous_strides(a.shape)
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, a.ndim)]

    def storage_offset(self) -> int:
        a = self._data
        root = a
        while isinstance(root.base, _ndarray):
            root = root.base
        if root is a:
            return 0
        start = a.__array_interface__["data"][0]
        return (start - root.__array_interface__["data"][0]) // a.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def is_inference(self) -> bool:
        return False

    def _is_view(self) -> bool:
        return self._base is not None

    @property
    def _version(self) -> int:
        return self._vc[0]

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and D._FROM_NP[self._data.dtype]._cat != D.FLOATING:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        if self._base is not None:
            _graph.refresh_view(self)
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        if self._base is not None:
            _graph.refresh_view(self)
        return self._grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information. (Triggered internally at "
                "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    "assigned grad expected to be a Tensor or None but got grad of type "
                    + type(value).__name__
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{self.dtype._legacy}'. The gradient must match "
                    "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def data(self) -> Tensor:
        """An alias of the values with no autograd history and its own version counter."""
        return _wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    def retain_grad(self) -> None:
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._grad_fn._retain(self._output_nr, self)

    @property
    def retains_grad(self) -> bool:
        fn = self._grad_fn
        if fn is None or not fn._retained:
            return False
        ref = fn._retained.get(self._output_nr)
        return ref is not None and ref() is self

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return add_hook(self._grad_fn._tensor_hook_dict(self._output_nr), hook)
        # A leaf's hooks live on its AccumulateGrad (which the leaf owns), as pre-hooks.
        from .autograd.graph import grad_accumulator

        return add_hook(grad_accumulator(self)._tensor_hook_dict(0), hook)

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        hooks = self.__dict__.setdefault("_post_accumulate_hooks", {})
        return add_hook(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. graph leaves (see ``ember.autograd``)."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # Helpers for the engine: kept here because they touch raw arrays.
    def _detached_copy(self) -> Tensor:
        return _wrap(np.array(self._data, copy=True, order="C"))

    def _add_inplace_nograd(self, other: Tensor) -> None:
        a, b = self._data, other._data
        if a.dtype is b.dtype:
            np.add(a, b, out=a)
        else:
            np.add(a, b, out=a, casting="unsafe")
        self._vc[0] += 1

    # ------------------------------------------------------------------ conversions
    def item(self):
        a = self._data
        if a.size != 1:
            raise RuntimeError(
                f"a Tensor with {a.size} elements cannot be converted to Scalar"
            )
        return _py_scalar(a)

    def tolist(self):
        a = self._data
        if a.dtype.kind == "V":  # bfloat16: go through float32, which holds it exactly
            a = a.astype(np.float32)
        return a.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self._data
        return a if dtype is None else a.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        a = self._data
        if a.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(a.reshape(()))

    def __float__(self) -> float:
        return float(self._scalar_for_conversion())

    def __int__(self) -> int:
        return int(self._scalar_for_conversion())

    def __complex__(self) -> complex:
        return complex(self._scalar_for_conversion())

    def _scalar_for_conversion(self):
        a = self._data
        if a.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return _py_scalar(a)

    def __index__(self) -> int:
        a = self._data
        if a.size != 1 or a.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(a.reshape(()))

    __hash__ = object.__hash__

    def __format__(self, spec: str) -> str:
        # torch formats a plain 0-d tensor as its number (f"{t}" -> "1.5"); subclasses as repr.
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import tensor_repr

        return tensor_repr(self, tensor_contents=tensor_contents)

    def __str__(self) -> str:
        return self.__repr__()

    def __dir__(self):
        return sorted(set(object.__dir__(self)))

    # ------------------------------------------------------------------ copying and pickling
    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        if id(self) in memo:
            return memo[id(self)]
        new = _wrap(self._data.copy())
        if type(self) is not Tensor:
            new = _as_subclass(new, type(self))
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        if self.__dict__:
            for k, v in self.__dict__.items():
                if k != "_post_accumulate_hooks":
                    new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild, (type(self), self._data, self._requires_grad))

    def __setstate__(self, state):  # pragma: no cover - pickles carry no extra state
        pass


def _autograd_backward(*args, **kwargs):
    # Bound to ember.autograd.backward on first use (autograd imports this module).
    global _autograd_backward
    from .autograd import backward

    _autograd_backward = backward
    return backward(*args, **kwargs)


def _rebuild(cls, data, requires_grad):
    t = _wrap(data)
    t._requires_grad = requires_grad
    if cls is not Tensor:
        t = _as_subclass(t, cls)
    return t


def _wrap(data) -> Tensor:
    """The fast constructor: a fresh leaf over ``data`` (an array, or a NumPy scalar)."""
    if type(data) is not _ndarray:
        data = _asarray(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._vc = [0]
    t._base = None
    t._view = None
    t._grad = None
    t._grad_acc = None
    return t


def _as_subclass(t: Tensor, cls) -> Tensor:
    """Re-type a fresh tensor as a Tensor subclass (e.g. Parameter), keeping its data."""
    new = _new(cls)
    for name in Tensor.__slots__[:-2]:
        setattr(new, name, getattr(t, name))
    return new


def _py_scalar(a: np.ndarray):
    v = a.reshape(())
    if a.dtype.kind == "V":
        return float(v.astype(np.float32))
    return v.item()


def _c_name(dt: D.dtype) -> str:
    # The C type names torch uses in some messages ('double', 'float', 'long int'...).
    return {
        "float64": "double",
        "float32": "float",
        "float16": "c10::Half",
        "bfloat16": "c10::BFloat16",
        "int64": "long int",
        "int32": "int",
        "int16": "short int",
        "int8": "signed char",
        "uint8": "unsigned char",
        "bool": "bool",
    }[dt._name]


def _contiguous_strides(shape) -> tuple:
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _wrap_dim(dim: int, ndim: int) -> int:
    """Normalise a possibly negative dim, with torch's IndexError text when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


def _backend_device(arr):
    from ._backend import device_of

    return device_of(arr)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def _tensor_query(name: str):
    """``ember.<name>(t)``: the function form of a Tensor query method, as torch's."""

    def fn(input: Tensor):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        return getattr(input, name)()

    fn.__name__ = fn.__qualname__ = name
    return fn


numel = _tensor_query("numel")
is_floating_point = _tensor_query("is_floating_point")
is_complex = _tensor_query("is_complex")
is_signed = _tensor_query("is_signed")
is_inference = _tensor_query("is_inference")

