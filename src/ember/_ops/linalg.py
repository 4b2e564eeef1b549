"""Linear algebra: matmul and friends (BLAS through NumPy).

torch does not promote the operands of the matrix products (mm, bmm, mv, dot, matmul,
addmm...): they must share a dtype, and each product raises its own error text when they do
not. Integer products are allowed (no BLAS), bool ones are not. float16/bfloat16 products are
computed in float32 and rounded once, as torch accumulates them in float32.

``matmul`` follows torch's dispatch (dot, mv, mm, folding into one mm, or a broadcast bmm)
for its checks, error texts and the name of its result's ``grad_fn``; the arithmetic is one
NumPy ``matmul`` on the original (possibly transposed) arrays, and the gradient formulas use
matmul on transposed views, so no operand is copied.
"""

from __future__ import annotations

import string
import warnings

import numpy as np

from .. import _dtype as D
from .. import _promotion as P
from .._tensor import Tensor
from ..autograd.grad_mode import STATE
from . import creation as C
from . import elementwise as E
from . import reduction as _red
from . import registry as _reg
from . import shape as S
from ._util import (
    broadcast_error,
    broadcast_shapes,
    check_out,
    scalar_to_array,
    wrap_dim,
    wrap_dims,
)
from .inplace import check_inplace, commit
from .registry import Op, apply, prim, public

_FROM_NP = D._FROM_NP
_F32 = np.dtype(np.float32)
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
_HALF_NP = frozenset((D.float16._np, D.bfloat16._np))

# The C++ type names torch prints in some dtype errors ("expected m1 and m2 to have the same
# dtype, but got: float != double"); other errors print the ScalarType name (``_legacy``).
_CPP = {
    D.float32._np: "float",
    D.float64._np: "double",
    D.float16._np: "c10::Half",
    D.bfloat16._np: "c10::BFloat16",
    D.int64._np: "long int",
    D.int32._np: "int",
    D.int16._np: "short int",
    D.int8._np: "signed char",
    D.uint8._np: "unsigned char",
    D.bool_._np: "bool",
}


def _st(dt) -> str:
    """torch's ScalarType name of a NumPy dtype (Float, Double, Long...)."""
    return _FROM_NP[dt]._legacy


def _cpp(dt) -> str:
    return _CPP.get(dt, str(dt))


def _type_name(x) -> str:
    """Python's tp_name, which torch prints: "int", "list", but "numpy.float32"."""
    t = type(x)
    if t.__module__ == "builtins" or t.__flags__ & (1 << 9):  # builtin or Python class
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def _need(x, fname: str, arg: str, pos: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {_type_name(x)}"
        )


def _bool_error(kernel: str) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _mmul(a, b):
    """NumPy matmul; half types accumulate in float32 and round once."""
    dt = a.dtype
    if dt in _HALF_NP:
        return np.matmul(a.astype(_F32), b.astype(_F32)).astype(dt)
    return np.matmul(a, b)


def _variant(base: Op, node_name: str) -> Op:
    """``base`` recorded under another torch node name.

    torch names the result's node after the last op of its decomposition (matmul ends in
    UnsafeViewBackward0, CloneBackward0...). These names belong to other primitives in the
    PRIMS registry, so the variants are not registered there.
    """
    op = Op(base.fwd, base.name, node_name, base.nout, base.view, base.variadic)
    op.vjps = base.vjps
    op.joint = base.joint
    return op


def _out_same_dtype(out, result: Tensor, name: str) -> Tensor:
    """out= of the BLAS products: torch requires out's dtype to be the result's."""
    if isinstance(out, Tensor) and out._data.dtype != result._data.dtype:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_cpp(result._data.dtype)}, but got "
            f"{_cpp(out._data.dtype)} instead"
        )
    return check_out(out, result, name)


# ---------------------------------------------------------------------------------- checks
def _check_mm(a_shape, b_shape, adt, bdt) -> None:
    """mm's checks after the matrix dims: shapes, dtypes, bool (torch's order)."""
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x{a_shape[1]} and "
            f"{b_shape[0]}x{b_shape[1]})"
        )
    if adt != bdt:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_cpp(adt)} != {_cpp(bdt)}"
        )
    if adt == _BOOL and a_shape[0] * b_shape[1] and a_shape[1]:
        raise _bool_error("addmm_impl_cpu_")


def _check_mv(in_dt, in_size, mat_shape, vec_len, mdt, vdt) -> None:
    """addmv's size and dtype checks (mv is addmv into a fresh vector of vec's dtype)."""
    if mat_shape[1] != vec_len or (mat_shape[0] != in_size and in_size != 1):
        raise RuntimeError(
            f"size mismatch, got input ({in_size}), mat ({mat_shape[0]}x{mat_shape[1]}), "
            f"vec ({vec_len})"
        )
    if not (in_dt == mdt == vdt):
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {_st(in_dt)}, {_st(mdt)}, "
            f"and {_st(vdt)}"
        )
    if mdt == _BOOL and mat_shape[0] and mat_shape[1]:
        raise _bool_error("addmv_impl_cpu")


def _check_bmm(a_shape, b_shape, adt, bdt) -> None:
    bs, k = a_shape[0], a_shape[2]
    if b_shape[0] != bs or b_shape[1] != k:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but "
            f"got: [{b_shape[0]}, {b_shape[1]}]."
        )
    if adt != bdt:
        raise RuntimeError(f"expected scalar type {_st(adt)} but found {_st(bdt)}")
    if adt == _BOOL:
        raise _bool_error("bmm")


def _check_dot(a, b) -> None:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_st(a.dtype)} and "
            f"{_st(b.dtype)}"
        )
    if a.shape[0] != b.shape[0]:
        n, m = a.shape[0], b.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    if a.dtype == _BOOL:
        raise _bool_error("dot")


# ---------------------------------------------------------------------------------- dot, vdot
def _dot_fwd(self, tensor):
    if self.dtype in _HALF_NP:
        return np.asarray(np.dot(self.astype(_F32), tensor.astype(_F32))).astype(self.dtype)
    return np.dot(self, tensor)


_dot = prim("dot")(_dot_fwd)
_dot.defvjp(self=lambda grad, tensor: grad * tensor, tensor=lambda grad, self: grad * self)


@prim("vdot")
def _vdot(self, other):
    return _dot_fwd(self, other)


_vdot.defvjp(self=lambda grad, other: grad * other, other=lambda grad, self: grad * self)


@public()
def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors of the same dtype."""
    _need(input, "dot", "input", 1)
    _need(tensor, "dot", "tensor", 2)
    a, b = input._data, tensor._data
    _check_dot(a, b)
    res = apply(_dot, (input, tensor), (a, b))
    return res if out is None else _dot_out(out, res, "dot")


@public()
def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``dot`` with the first argument conjugated (the same for real tensors)."""
    _need(input, "vdot", "input", 1)
    _need(other, "vdot", "other", 2)
    a, b = input._data, other._data
    _check_dot(a, b)
    res = apply(_vdot, (input, other), (a, b))
    return res if out is None else _dot_out(out, res, "vdot")


def _dot_out(out, res: Tensor, name: str) -> Tensor:
    if isinstance(out, Tensor) and out._data.dtype != res._data.dtype:
        raise RuntimeError(
            f"result dtype {_st(out._data.dtype)} does not match input dtype "
            f"{_st(res._data.dtype)}"
        )
    return check_out(out, res, name)


# ---------------------------------------------------------------------------------- mv
@prim("mv")
def _mv(self, vec):
    return _mmul(self, vec)


_mv.defvjp(
    self=lambda grad, vec: grad.unsqueeze(-1) * vec,
    vec=lambda grad, self: _mv_raw(self.mT, grad),
)


def _mv_raw(m: Tensor, v: Tensor) -> Tensor:
    return apply(_mv, (m, v), (m._data, v._data))


@public()
def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix-vector product."""
    _need(input, "mv", "input", 1)
    _need(vec, "mv", "vec", 2)
    a, b = input._data, vec._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_mv(b.dtype, a.shape[0], a.shape, b.shape[0], a.dtype, b.dtype)
    res = apply(_mv, (input, vec), (a, b))
    return res if out is None else _out_same_dtype(out, res, "mv")


# ---------------------------------------------------------------------------------- mm, bmm
@prim("mm")
def _mm(self, mat2):
    return _mmul(self, mat2)


_mm.defvjp(
    self=lambda grad, mat2: _mm_raw(grad, mat2.mT),
    mat2=lambda grad, self: _mm_raw(self.mT, grad),
)


def _mm_raw(a: Tensor, b: Tensor) -> Tensor:
    return apply(_mm, (a, b), (a._data, b._data))


@public()
def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Matrix product of two 2-D tensors of the same dtype."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, mat2 = _reg.cast_args_impl("mm", (input, mat2))
    _need(input, "mm", "input", 1)
    _need(mat2, "mm", "mat2", 2)
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(a.shape, b.shape, a.dtype, b.dtype)
    res = apply(_mm, (input, mat2), (a, b))
    return res if out is None else _out_same_dtype(out, res, "mm")


@prim("bmm")
def _bmm(self, mat2):
    return _mmul(self, mat2)


_bmm.defvjp(
    self=lambda grad, mat2: _bmm_raw(grad, mat2.mT),
    mat2=lambda grad, self: _bmm_raw(self.mT, grad),
)


def _bmm_raw(a: Tensor, b: Tensor) -> Tensor:
    return apply(_bmm, (a, b), (a._data, b._data))


@public()
def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product of two 3-D tensors (no broadcasting)."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, mat2 = _reg.cast_args_impl("bmm", (input, mat2))
    _need(input, "bmm", "input", 1)
    _need(mat2, "bmm", "mat2", 2)
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_bmm(a.shape, b.shape, a.dtype, b.dtype)
    res = apply(_bmm, (input, mat2), (a, b))
    return res if out is None else _out_same_dtype(out, res, "bmm")


# ---------------------------------------------------------------------------------- matmul
def _matmul_fwd(self, other):
    if self.ndim >= 3 and other.ndim <= 2:
        # Fold the batch into the rows: one GEMM rather than one per matrix (a view when the
        # batch is contiguous, as in torch's folding path).
        lead = self.shape[:-1]
        out = _mmul(self.reshape(_prod(lead), self.shape[-1]), other)
        return out.reshape(lead + out.shape[1:])
    return _mmul(self, other)


def _matmul_grad_self(grad, other, self_shape):
    if len(self_shape) == 1 and other._data.ndim >= 3:
        # torch folds (k,) @ (..., k, p) into one mv when self requires grad: so is its gradient
        d = other._data
        m, p, b = d.shape[-2], d.shape[-1], _prod(d.shape[:-2])
        return mv(other.reshape(b, m, p).permute(1, 0, 2).reshape(m, b * p), grad.reshape(b * p))
    if len(self_shape) == 1:
        # (k,) @ (..., k, p): grad (..., p) -> (..., k), summed over the batch by the engine
        return matmul(other, grad.unsqueeze(-1)).squeeze(-1)
    if other.dim() == 1:
        return grad.unsqueeze(-1) * other
    return matmul(grad, other.mT)


def _matmul_grad_other(grad, self, other_shape):
    d = self._data
    if len(other_shape) == 1:
        # (..., n, k) @ (k,): one mv over the folded batch
        rows = _prod(d.shape[:-1])
        return mv(self.reshape(rows, d.shape[-1]).mT, grad.reshape(rows))
    if d.ndim == 1:
        return self.unsqueeze(-1) * grad.unsqueeze(-2)
    if len(other_shape) == 2:
        # (..., n, k) @ (k, p): fold the batch, one mm instead of a batch to sum
        rows = _prod(d.shape[:-1])
        return mm(self.reshape(rows, d.shape[-1]).mT, grad.reshape(rows, other_shape[1]))
    return matmul(self.mT, grad)


_matmul = prim("matmul")(_matmul_fwd)
_matmul.defvjp(self=_matmul_grad_self, other=_matmul_grad_other)
# The node names torch gives matmul's result in its different paths.
_MATMUL_SQUEEZE = _variant(_matmul, "SqueezeBackward4")  # 1-D @ 2-D: mm then squeeze_
_MATMUL_VIEW = _variant(_matmul, "UnsafeViewBackward0")  # folded or batched (bmm)
_MATMUL_CLONE = _variant(_matmul, "CloneBackward0")  # 2-D @ N-D folded: (...).mT.contiguous()
_MATMUL_T = _variant(_matmul, "TransposeBackward0")  # ... when that transpose is contiguous


def _folded_grad_self(grad, other, self_shape):
    """2-D @ N-D folded into one GEMM (torch computes ``(other.mT @ self.mT).mT``): the
    gradient of ``self`` is one GEMM over (batch, p) too, rounded once in half types."""
    d = other._data
    m, p, b = d.shape[-2], d.shape[-1], _prod(d.shape[:-2])
    n = self_shape[0]
    o = other.reshape(b, m, p).permute(1, 0, 2).reshape(m, b * p)
    g = grad.reshape(b, n, p).permute(1, 0, 2).reshape(n, b * p)
    return mm(g, o.mT)


for _v in (_MATMUL_T, _MATMUL_CLONE):
    _v.defvjp(self=_folded_grad_self, other=_matmul_grad_other)


def _strides(a) -> tuple:
    n = a.itemsize
    return tuple(s // n for s in a.strides)


def _should_fold(input: Tensor, other: Tensor, a, b) -> bool:
    """torch's should_fold: whether the N-D operand is folded into one mm/mv."""
    d1, d2 = a.ndim, b.ndim
    if d1 >= d2:
        big_shape, big_strides, small_dim, small = a.shape, _strides(a), d2, other
    else:
        st = _strides(b)
        big_shape = b.shape[:-2] + (b.shape[-1], b.shape[-2])
        big_strides = st[:-2] + (st[-1], st[-2])
        small_dim, small = d1, input
    if not (len(big_shape) >= 3 and small_dim <= 2):
        return False
    if small._requires_grad:
        return True
    if d1 == 2:
        return False
    if _prod(big_shape) == 0:
        return True
    for i in range(len(big_shape) - 2):
        if big_strides[i] != big_strides[i + 1] * big_shape[i + 1]:
            return False
    return True


def _matmul_nd(input: Tensor, other: Tensor, a, b) -> Tensor:
    """matmul with an operand of 3 or more dims: torch's checks per path, one NumPy call."""
    d1, d2 = a.ndim, b.ndim
    op = _MATMUL_VIEW
    if _should_fold(input, other, a, b):
        transpose = d2 > d1
        if not transpose:
            fold = (_prod(a.shape[:-1]), a.shape[-1])
            small, m1dt, m2dt = b.shape, a.dtype, b.dtype
        else:
            fold = (_prod(b.shape[:-2]) * b.shape[-1], b.shape[-2])
            small = a.shape[::-1]
            m1dt, m2dt = b.dtype, a.dtype
        if len(small) == 2:
            _check_mm(fold, small, m1dt, m2dt)
            if transpose:
                n, p = a.shape[0], b.shape[-1]
                contiguous = n == 1 or p == 1 or _prod(b.shape[:-2]) * n * p == 0
                op = _MATMUL_T if contiguous else _MATMUL_CLONE
        else:
            _check_mv(m2dt, fold[0], fold, small[0], m1dt, m2dt)
    else:
        if d1 == 3 and d2 == 3 and a.shape[0] != b.shape[0]:
            # torch drops a size-1 batch of an operand that requires grad (then folds)
            if a.shape[0] == 1 and input._requires_grad:
                return matmul(input.squeeze(0), other)
            if b.shape[0] == 1 and other._requires_grad:
                return matmul(input, other.squeeze(0))
        batch1 = a.shape[:-2]
        batch2 = b.shape[:-2] if d2 > 1 else ()
        try:
            batch = np.broadcast_shapes(batch1, batch2)
        except ValueError:
            raise broadcast_error(batch1, batch2) from None
        bs = _prod(batch)
        n = a.shape[-2] if d1 > 1 else 1
        m2 = b.shape[-2] if d2 > 1 else b.shape[0]
        p = b.shape[-1] if d2 > 1 else 1
        _check_bmm((bs, n, a.shape[-1]), (bs, m2, p), a.dtype, b.dtype)
    return apply(op, (input, other), (a, b))


@public()
def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with torch's rules for 1-D operands and broadcast batch dims."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, other = _reg.cast_args_impl("matmul", (input, other))
    _need(input, "matmul", "input", 1)
    _need(other, "matmul", "other", 2)
    a, b = input._data, other._data
    d1, d2 = a.ndim, b.ndim
    if d1 == 2 and d2 == 2:
        _check_mm(a.shape, b.shape, a.dtype, b.dtype)
        res = apply(_mm, (input, other), (a, b))
    elif d1 == 0 or d2 == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D"
        )
    elif d1 == 1 and d2 == 1:
        _check_dot(a, b)
        res = apply(_dot, (input, other), (a, b))
    elif d1 == 2 and d2 == 1:
        _check_mv(b.dtype, a.shape[0], a.shape, b.shape[0], a.dtype, b.dtype)
        res = apply(_mv, (input, other), (a, b))
    elif d1 == 1 and d2 == 2:
        _check_mm((1, a.shape[0]), b.shape, a.dtype, b.dtype)
        res = apply(_MATMUL_SQUEEZE, (input, other), (a, b))
    else:
        res = _matmul_nd(input, other, a, b)
    return res if out is None else _out_same_dtype(out, res, "matmul")


def linalg_matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``ember.linalg.matmul``: ``matmul`` under torch.linalg's name."""
    _need(input, "linalg_matmul", "input", 1)
    _need(other, "linalg_matmul", "other", 2)
    return matmul(input, other, out=out)


def matmul_operator(self: Tensor, other):
    """``Tensor.__matmul__``: only tensors (torch returns NotImplemented for anything else)."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def rmatmul_operator(self: Tensor, other):
    """``Tensor.__rmatmul__``: ``other @ self``."""
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


# ---------------------------------------------------------------------------------- addmm & co
def _scalar_for(x, dt):
    """beta/alpha as torch converts them for a result of NumPy dtype ``dt``."""
    if isinstance(x, Tensor):
        x = x.item()
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if dt.kind in "iub" and not isinstance(x, (int, np.integer)):
        return int(x)  # torch casts the scalar to the integer type (truncation)
    return x


def _axpy(inp, prod, beta, alpha):
    """``beta * inp + alpha * prod``; beta == 0 ignores ``inp`` (NaNs included), as torch."""
    if alpha != 1:
        prod = np.multiply(prod, scalar_to_array(alpha, prod.dtype))
    if beta == 0:
        return prod
    if beta != 1:
        inp = np.multiply(inp, scalar_to_array(beta, inp.dtype))
    return np.add(prod, inp)


def _half_axpy(inp, prod_fn, beta, alpha, dt):
    if dt in _HALF_NP:
        return _axpy(inp.astype(_F32), prod_fn(_F32), beta, alpha).astype(dt)
    return _axpy(inp, prod_fn(None), beta, alpha)


def _scaled(grad, s):
    return grad if s == 1 else grad * s


@prim("addmm")
def _addmm(self, mat1, mat2, *, beta=1, alpha=1):
    def prod(f):
        return np.matmul(mat1.astype(f), mat2.astype(f)) if f else np.matmul(mat1, mat2)

    return _half_axpy(self, prod, beta, alpha, mat1.dtype)


_addmm.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    mat1=lambda grad, mat2, alpha: _scaled(_mm_raw(grad, mat2.mT), alpha),
    mat2=lambda grad, mat1, alpha: _scaled(_mm_raw(mat1.mT, grad), alpha),
)

# addmm for a column-major mat2 (Linear's weight.t()). As torch's mm_mat2_backward, its mat2
# gradient is computed as (grad^T @ mat1)^T, laid out like mat2: TBackward then hands the
# weight a C-contiguous gradient, which AccumulateGrad adopts without a copy.
_addmm_cm = Op(_addmm.fwd, "addmm", "AddmmBackward0", 1, False, False)
_addmm_cm.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    mat1=lambda grad, mat2, alpha: _scaled(_mm_raw(grad, mat2.mT), alpha),
    mat2=lambda grad, mat1, alpha: _scaled(_mm_raw(grad.mT, mat1).mT, alpha),
)


def addmm_op(mat2: np.ndarray) -> Op:
    """The addmm primitive whose mat2 gradient has ``mat2``'s layout (torch's choice)."""
    st = mat2.strides
    if mat2.ndim == 2 and st[0] == mat2.itemsize and st[1] == mat2.shape[0] * mat2.itemsize:
        return _addmm_cm
    return _addmm


def _expand_check(t: Tensor, sizes: tuple) -> None:
    """torch's errors for ``t.expand(sizes)`` (sizes non-negative: product shapes)."""
    shape = t._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(ember.{_st(t._data.dtype)}Tensor{{{_sizes(shape)}}}, size={_sizes(sizes)}): "
            f"the number of sizes provided ({len(sizes)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    for i in range(len(sizes) - 1, lead - 1, -1):
        size = shape[i - lead]
        if size != sizes[i] and size != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[i]}) must match the existing size "
                f"({size}) at non-singleton dimension {i}.  Target sizes: {_sizes(sizes)}.  "
                f"Tensor sizes: {_sizes(shape)}"
            )


def _bad_inplace(self_shape, out_shape) -> RuntimeError:
    return RuntimeError(
        f"Bad in-place call: input tensor size {_sizes(self_shape)} and output tensor size "
        f"{_sizes(out_shape)} should match"
    )


def _params(beta, alpha, dt):
    beta = _scalar_for(beta, dt)
    alpha = _scalar_for(alpha, dt)
    if beta == 1 and alpha == 1:
        return None
    return {"beta": beta, "alpha": alpha}


def _addmm_impl(input, mat1, mat2, beta, alpha, inplace: bool, name: str = "addmm"):
    _need(input, name, "input", 1)
    _need(mat1, name, "mat1", 2)
    _need(mat2, name, "mat2", 3)
    s, a, b = input._data, mat1._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    _check_shapes_mm(a.shape, b.shape)
    _check_addmm_dtypes(s.dtype, a.dtype, b.dtype)
    out_shape = (a.shape[0], b.shape[1])
    if inplace:
        if s.shape != out_shape:
            raise _bad_inplace(s.shape, out_shape)
    else:
        _expand_check(input, out_shape)
    if a.dtype == _BOOL and out_shape[0] * out_shape[1] and a.shape[1]:
        raise _bool_error("addmm_impl_cpu_")
    return apply(addmm_op(b), (input, mat1, mat2), (s, a, b), _params(beta, alpha, a.dtype))


def _check_addmm_dtypes(sdt, adt, bdt) -> None:
    if sdt != bdt:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_st(sdt)} and {_st(bdt)}"
        )
    if adt != bdt:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_st(adt)} and {_st(bdt)}"
        )


def _check_shapes_mm(a_shape, b_shape) -> None:
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x{a_shape[1]} and "
            f"{b_shape[0]}x{b_shape[1]})"
        )


@public()
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, input broadcast to the product's shape."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, mat1, mat2 = _reg.cast_args_impl("addmm", (input, mat1, mat2))
    res = _addmm_impl(input, mat1, mat2, beta, alpha, False)
    return res if out is None else _out_same_dtype(out, res, "addmm")


def _make_inplace(impl, name: str):
    def inplace(self: Tensor, *args, beta=1, alpha=1) -> Tensor:
        if STATE.enabled:
            check_inplace(self)
        return commit(self, impl(self, *args, beta, alpha, True))

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"In-place ``{name[:-1]}``."
    return inplace


public("addmm_", function=False)(_make_inplace(_addmm_impl, "addmm_"))


@prim("addmv")
def _addmv(self, mat, vec, *, beta=1, alpha=1):
    def prod(f):
        return np.matmul(mat.astype(f), vec.astype(f)) if f else np.matmul(mat, vec)

    return _half_axpy(self, prod, beta, alpha, mat.dtype)


_addmv.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    mat=lambda grad, vec, alpha: _scaled(grad.unsqueeze(-1) * vec, alpha),
    vec=lambda grad, mat, alpha: _scaled(_mv_raw(mat.mT, grad), alpha),
)


def _addmv_impl(input, mat, vec, beta, alpha, inplace: bool, name: str = "addmv"):
    _need(input, name, "input", 1)
    _need(mat, name, "mat", 2)
    _need(vec, name, "vec", 3)
    s, a, b = input._data, mat._data, vec._data
    if not (a.ndim == 2 and b.ndim == 1 and s.ndim <= 1):
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {s.ndim}, {a.ndim}, {b.ndim}"
        )
    if a.shape[1] != b.shape[0] or (a.shape[0] != s.size and s.size != 1):
        if s.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    _check_mv(s.dtype, s.shape[0] if s.ndim else s.size, a.shape, b.shape[0], a.dtype,
              b.dtype)
    if inplace and s.shape != (a.shape[0],):
        raise _bad_inplace(s.shape, (a.shape[0],))
    return apply(_addmv, (input, mat, vec), (s, a, b), _params(beta, alpha, a.dtype))


@public()
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    res = _addmv_impl(input, mat, vec, beta, alpha, False)
    return res if out is None else _out_same_dtype(out, res, "addmv")


public("addmv_", function=False)(_make_inplace(_addmv_impl, "addmv_"))


@prim("addbmm")
def _addbmm(self, batch1, batch2, *, beta=1, alpha=1):
    dt = batch1.dtype
    if dt in _HALF_NP:
        # torch adds one batch at a time into the half result (addmm_ per batch), so each
        # step rounds; the sums differ visibly from one float32 sum when they cancel.
        out = np.broadcast_to(self, (batch1.shape[1], batch2.shape[2])).astype(dt)
        b = beta
        for i in range(batch1.shape[0]):
            prod = np.matmul(batch1[i].astype(_F32), batch2[i].astype(_F32))
            out = _axpy(out.astype(_F32), prod, b, alpha).astype(dt)
            b = 1
        return out if batch1.shape[0] else _axpy(out, out, beta, 0)
    if batch1.shape[0] == 0:
        prod = np.zeros((batch1.shape[1], batch2.shape[2]), dtype=dt)
    else:
        prod = np.add.reduce(np.matmul(batch1, batch2), axis=0, dtype=dt)
    return _axpy(self, prod, beta, alpha)


def _addbmm_grad_b1(grad, batch2, alpha):
    b = batch2._data.shape[0]
    g = grad.unsqueeze(0).expand(b, *grad._data.shape)
    return _scaled(_bmm_raw(g, batch2.mT), alpha)


def _addbmm_grad_b2(grad, batch1, alpha):
    b = batch1._data.shape[0]
    g = grad.unsqueeze(0).expand(b, *grad._data.shape)
    return _scaled(_bmm_raw(batch1.mT, g), alpha)


_addbmm.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    batch1=_addbmm_grad_b1,
    batch2=_addbmm_grad_b2,
)


def _size(shape, dim: int) -> int:
    return shape[wrap_dim(dim, len(shape))]


def _addbmm_impl(input, batch1, batch2, beta, alpha, inplace: bool, name: str = "addbmm"):
    _need(input, name, "input", 1)
    _need(batch1, name, "batch1", 2)
    _need(batch2, name, "batch2", 3)
    s, a, b = input._data, batch1._data, batch2._data
    out_shape = (_size(a.shape, 1), _size(b.shape, 2))
    _expand_check(input, out_shape)  # torch expands self even for addbmm_ (then resizes)
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {a.shape[0]} and "
            f"{b.shape[0]}"
        )
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
            f"{b.shape[1]}x{b.shape[2]})"
        )
    if a.shape[0]:
        _check_addmm_dtypes(s.dtype, a.dtype, b.dtype)
        if a.dtype == _BOOL and out_shape[0] * out_shape[1] and a.shape[2]:
            raise _bool_error("addmm_impl_cpu_")
    if inplace and s.shape != out_shape:
        # torch resizes self to the product's shape (addbmm_ writes through addbmm_out)
        input._data = np.empty(out_shape, dtype=s.dtype)
        input._data[...] = s
        s = input._data
    return apply(_addbmm, (input, batch1, batch2), (s, a, b), _params(beta, alpha, a.dtype))


@public()
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
           out=None) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, batch1, batch2 = _reg.cast_args_impl("addbmm", (input, batch1, batch2))
    res = _addbmm_impl(input, batch1, batch2, beta, alpha, False)
    return res if out is None else _out_same_dtype(out, res, "addbmm")


public("addbmm_", function=False)(_make_inplace(_addbmm_impl, "addbmm_"))


@prim("baddbmm")
def _baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
    def prod(f):
        return np.matmul(batch1.astype(f), batch2.astype(f)) if f else np.matmul(batch1, batch2)

    return _half_axpy(self, prod, beta, alpha, batch1.dtype)


_baddbmm.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    batch1=lambda grad, batch2, alpha: _scaled(_bmm_raw(grad, batch2.mT), alpha),
    batch2=lambda grad, batch1, alpha: _scaled(_bmm_raw(batch1.mT, grad), alpha),
)


def _baddbmm_impl(input, batch1, batch2, beta, alpha, inplace: bool, name: str = "baddbmm"):
    _need(input, name, "input", 1)
    _need(batch1, name, "batch1", 2)
    _need(batch2, name, "batch2", 3)
    s, a, b = input._data, batch1._data, batch2._data
    out_shape = (_size(a.shape, 0), _size(a.shape, 1), _size(b.shape, 2))
    _expand_check(input, out_shape)
    if s.dtype != a.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_cpp(s.dtype)}, batch1: "
            f"{_cpp(a.dtype)}, batch2: {_cpp(b.dtype)}"
        )
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
            f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if inplace and s.shape != out_shape:
        raise _bad_inplace(s.shape, out_shape)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_st(a.dtype)} but found {_st(b.dtype)}")
    if a.dtype == _BOOL:
        raise _bool_error("baddbmm")
    return apply(_baddbmm, (input, batch1, batch2), (s, a, b), _params(beta, alpha, a.dtype))


@public()
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
            out=None) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)``, batch by batch."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        input, batch1, batch2 = _reg.cast_args_impl("baddbmm", (input, batch1, batch2))
    res = _baddbmm_impl(input, batch1, batch2, beta, alpha, False)
    return res if out is None else _out_same_dtype(out, res, "baddbmm")


public("baddbmm_", function=False)(_make_inplace(_baddbmm_impl, "baddbmm_"))


# ---------------------------------------------------------------------------------- outer, addr
def _check_1d(x: Tensor, arg: str, fname: str) -> None:
    if x._data.ndim != 1:
        raise RuntimeError(f"{fname}: Expected 1-D argument {arg}, but got {x._data.ndim}-D")


def _outer(input, vec2, out, name: str) -> Tensor:
    _need(input, name, "input", 1)
    _need(vec2, name, "vec2", 2)
    _check_1d(input, "self", "outer")
    _check_1d(vec2, "vec2", "outer")
    res = E.mul(input.reshape(input._data.shape[0], 1), vec2)
    return res if out is None else check_out(out, res, name)


@public()
def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors (type-promoted, as torch's ``input[:, None] * vec2``)."""
    return _outer(input, vec2, out, "outer")


@public()
def ger(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Alias of ``outer``."""
    return _outer(input, vec2, out, "ger")


@prim("addr")
def _addr(self, vec1, vec2, *, beta=1, alpha=1):
    dt = self.dtype  # the operands arrive promoted
    if dt == _BOOL:
        out = np.logical_and(vec1[:, None], vec2) if alpha else np.zeros(
            (vec1.shape[0], vec2.shape[0]), dtype=_BOOL)
        return np.logical_or(out, self) if beta else out
    if dt in _HALF_NP:
        # torch's kernel does c10::Half/BFloat16 arithmetic: every product and sum rounds,
        # as ``beta * self + (alpha * vec1) * vec2``
        if alpha != 1:
            vec1 = np.multiply(vec1.astype(_F32), np.float32(np.asarray(alpha).astype(dt)))
            vec1 = vec1.astype(dt)
        prod = np.multiply(vec1.astype(_F32)[:, None], vec2.astype(_F32)).astype(dt)
        if beta == 0:
            return prod
        s = self.astype(_F32)
        if beta != 1:
            s = np.multiply(s, np.float32(np.asarray(beta).astype(dt))).astype(dt).astype(_F32)
        return np.add(s, prod.astype(_F32)).astype(dt)
    return _axpy(self, np.multiply(vec1[:, None], vec2), beta, alpha)


def _as(x: Tensor, dt) -> Tensor:
    return x if x._data.dtype == dt else x.to(_FROM_NP[dt])


_addr.defvjp(
    self=lambda grad, beta: _scaled(grad, beta),
    vec1=lambda grad, vec2, alpha: _scaled(_mv_raw(grad, _as(vec2, grad._data.dtype)), alpha),
    vec2=lambda grad, vec1, alpha: _scaled(_mv_raw(grad.mT, _as(vec1, grad._data.dtype)),
                                           alpha),
)


def _check_addr_scalar(dt, x, name: str) -> None:
    if isinstance(x, (bool, np.bool_)) and dt != _BOOL:
        raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
    if dt.kind not in "f" and dt not in _HALF_NP and not isinstance(
            x, (bool, int, np.integer, np.bool_)):
        raise RuntimeError(
            f"For integral input tensors, argument {name} must not be a floating point number."
        )


def _addr_impl(input, vec1, vec2, beta, alpha, inplace: bool, name: str = "addr"):
    _need(input, name, "input", 1)
    _need(vec1, name, "vec1", 2)
    _need(vec2, name, "vec2", 3)
    _check_1d(vec1, "vec1", "addr")
    _check_1d(vec2, "vec2", "addr")
    s, a, b = input._data, vec1._data, vec2._data
    out_shape = (a.shape[0], b.shape[0])
    if inplace:
        if s.ndim != 2:
            raise RuntimeError(f"2D tensor expected, got {s.ndim}D tensor for input")
        if s.shape != out_shape:
            raise RuntimeError(
                f"size mismatch, input: {_sizes(s.shape)}, v1: {_sizes(a.shape)}, v2: "
                f"{_sizes(b.shape)}"
            )
    else:
        _expand_check(input, out_shape)
    dt = P.promote_types(P.promote_types(_FROM_NP[s.dtype], _FROM_NP[a.dtype]),
                         _FROM_NP[b.dtype])._np
    _check_addr_scalar(dt, beta, "beta")
    _check_addr_scalar(dt, alpha, "alpha")
    arrays = (s if s.dtype == dt else s.astype(dt), a if a.dtype == dt else a.astype(dt),
              b if b.dtype == dt else b.astype(dt))
    if dt == _BOOL:
        params = {"beta": bool(beta), "alpha": bool(alpha)}
    else:
        params = _params(beta, alpha, dt)
    return apply(_addr, (input, vec1, vec2), arrays, params)


@public()
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` (type-promoted)."""
    res = _addr_impl(input, vec1, vec2, beta, alpha, False)
    return res if out is None else check_out(out, res, "addr")


public("addr_", function=False)(_make_inplace(_addr_impl, "addr_"))


# ---------------------------------------------------------------------------------- trace
@prim("trace")
def _trace(self):
    dt = self.dtype
    if dt in _HALF_NP:
        return np.asarray(np.trace(self, dtype=_F32)).astype(dt)
    if dt.kind in "iub":
        return np.trace(self, dtype=_INT64)
    return np.trace(self)


def _trace_grad(grad, self_shape):
    n, m = self_shape
    eye = C.eye(n, m, dtype=_FROM_NP[grad._data.dtype])
    return grad * eye


_trace.defvjp(self=_trace_grad)


@public()
def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor (integers sum to int64)."""
    _need(input, "trace", "input", 1)
    d = input._data
    if d.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {d.ndim}")
    if d.dtype == _BOOL:
        raise _bool_error("trace")
    return apply(_trace, (input,), (d,))


# ---------------------------------------------------------------------------------- cross
@prim("linalg_cross")
def _cross(self, other, *, dim):
    dt = self.dtype
    if dt in _HALF_NP:  # torch's kernel: a1*b2 - a2*b1 in half arithmetic (each op rounds)
        a = np.moveaxis(self, dim, -1).astype(_F32)
        b = np.moveaxis(other, dim, -1).astype(_F32)
        i, j = [1, 2, 0], [2, 0, 1]
        p = (a[..., i] * b[..., j]).astype(dt).astype(_F32)
        q = (a[..., j] * b[..., i]).astype(dt).astype(_F32)
        return np.moveaxis((p - q).astype(dt), -1, dim)
    return np.cross(self, other, axis=dim)


_cross.defvjp(
    self=lambda grad, other, dim: _cross_raw(other, grad, dim),
    other=lambda grad, self, dim: _cross_raw(grad, self, dim),
)


def _cross_raw(a: Tensor, b: Tensor, dim: int) -> Tensor:
    return apply(_cross, (a, b), (a._data, b._data), {"dim": dim})


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """``ember.linalg.cross``: cross product of 3-vectors along ``dim`` (batch broadcast)."""
    _need(input, "linalg_cross", "input", 1)
    _need(other, "linalg_cross", "other", 2)
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and "
            f"{b.shape[d]}"
        )
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_st(a.dtype)} but found {_st(b.dtype)}")
    if a.dtype == _BOOL:
        raise _bool_error("cross")
    res = apply(_cross, (input, other), (a, b), {"dim": d})
    return res if out is None else check_out(out, res, "linalg_cross")


_cross_warned = [False]


@public()
def cross(input: Tensor, other: Tensor, dim: int | None = None, *, out=None) -> Tensor:
    """Cross product along ``dim`` (default: the first dim of size 3, deprecated)."""
    _need(input, "cross", "input", 1)
    _need(other, "cross", "other", 2)
    if dim is None:
        if not _cross_warned[0]:
            _cross_warned[0] = True
            warnings.warn(
                "Using ember.cross without specifying the dim arg is deprecated.\nPlease either "
                "pass the dim explicitly or simply use ember.linalg.cross.\nThe default value "
                "of dim will change to agree with that of linalg.cross in a future release.",
                UserWarning, stacklevel=2,
            )
        for i, s in enumerate(input._data.shape):
            if s == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


# ---------------------------------------------------------------------------------- kron
def _unsafe_view_fwd(self, *, shape):
    return np.reshape(self, shape)


# torch's at::_unsafe_view: a reshape whose result autograd does not treat as a view (the
# name belongs to shape.py's primitive, so this one is not registered).
_UNSAFE_VIEW = Op(_unsafe_view_fwd, "_unsafe_view", "UnsafeViewBackward0", 1, False, False)
_UNSAFE_VIEW.defvjp(self=lambda grad, self_shape: grad.reshape(self_shape))


def _unsafe_view(t: Tensor, shape) -> Tensor:
    return apply(_UNSAFE_VIEW, (t,), (t._data,), {"shape": tuple(shape)})


@public()
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product (type-promoted; the shorter shape is padded with leading ones)."""
    _need(input, "kron", "input", 1)
    _need(other, "kron", "other", 2)
    a, b = input._data.shape, other._data.shape
    n = max(len(a), len(b))
    pa, pb = n - len(a), n - len(b)
    a_shape, b_shape, r_shape = [], [], []
    for i in range(n):
        x = a[i - pa] if i >= pa else 1
        y = b[i - pb] if i >= pb else 1
        a_shape += [x, 1]
        b_shape += [1, y]
        r_shape.append(x * y)
    res = _unsafe_view(E.mul(_unsafe_view(input, a_shape), _unsafe_view(other, b_shape)),
                       r_shape)
    return res if out is None else check_out(out, res, "kron")


# ---------------------------------------------------------------------------------- tensordot
def _tensordot(a: Tensor, b: Tensor, dims1: list, dims2: list) -> Tensor:
    """torch's tensordot: sum broadcast dims, permute, one mm, reshape (a view)."""
    if len(dims1) != len(dims2):
        raise RuntimeError("both dimension lists should have same length")
    ad, bd = a._data, b._data
    if ad.dtype != bd.dtype:
        raise RuntimeError("both inputs should have same dtype")
    csize = 1
    t1, t2 = a, b
    for x, y in zip(dims1, dims2):
        s1 = ad.shape[wrap_dim(x, ad.ndim)]
        s2 = bd.shape[wrap_dim(y, bd.ndim)]
        if s2 == 1:  # broadcast dims are summed right away
            t1 = t1.sum(x, True, dtype=_FROM_NP[ad.dtype])
        elif s1 == 1:
            t2 = t2.sum(y, True, dtype=_FROM_NP[bd.dtype])
        else:
            if s1 != s2:
                raise RuntimeError(
                    f"contracted dimensions need to match, but first has size {s1} in dim {x} "
                    f"and second has size {s2} in dim {y}"
                )
            csize *= s1
    c1 = wrap_dims(dims1, ad.ndim) if dims1 else ()
    c2 = wrap_dims(dims2, bd.ndim) if dims2 else ()
    p1, p2, rsizes = [], [], []
    size1 = size2 = 1
    t1s, t2s = t1._data.shape, t2._data.shape
    for i in range(ad.ndim):
        if i not in c1:
            p1.append(i)
            size1 *= t1s[i]
            rsizes.append(t1s[i])
    p1 += list(c1)
    p2 += list(c2)
    for i in range(bd.ndim):
        if i not in c2:
            p2.append(i)
            size2 *= t2s[i]
            rsizes.append(t2s[i])
    m1 = t1.permute(*p1).reshape(size1, csize)
    m2 = t2.permute(*p2).reshape(csize, size2)
    return mm(m1, m2).reshape(tuple(rsizes))


@public(method=False)
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` (an int: the last/first ones; or a pair of dim lists)."""
    _need(a, "tensordot", "a", 1)
    _need(b, "tensordot", "b", 2)
    if not isinstance(dims, (tuple, list, Tensor, int)) or isinstance(dims, bool):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "
            f"containing two lists, but got dims={dims}"
        )
    dims_a: list = []
    dims_b: list = []
    if isinstance(dims, (tuple, list)):
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    if isinstance(dims, Tensor):
        if dims._data.size > 1:
            if dims._data.shape[0] != 2:
                raise AssertionError(
                    f"dims tensor must have size 2 in first dimension, got {dims._data.shape[0]}"
                )
            dims_a = [int(x) for x in dims._data[0].reshape(-1)]
            dims_b = [int(x) for x in dims._data[1].reshape(-1)]
        else:
            n = int(dims._data.reshape(-1)[0])
            if n < 0:
                raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
            dims_a, dims_b = list(range(-n, 0)), list(range(n))
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    res = _tensordot(a, b, dims_a, dims_b)
    return res if out is None else check_out(out, res, "tensordot")


@public()
def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Inner product over the last dims (a product with a 0-d operand)."""
    _need(input, "inner", "input", 1)
    _need(other, "inner", "other", 2)
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        res = E.mul(input, other)
    else:
        if a.shape[-1] != b.shape[-1]:
            raise RuntimeError(
                "inner() the last dimension must match on both input tensors but got shapes "
                f"{_sizes(a.shape)} and {_sizes(b.shape)}"
            )
        res = _tensordot(input, other, [-1], [-1])
    return res if out is None else check_out(out, res, "inner")


# ---------------------------------------------------------------------------------- multi_dot
def _chain_order(shapes: list) -> list:
    """Optimal parenthesization (matrix chain DP): split[i][j]."""
    n = len(shapes)
    p = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j] = c
                    split[i][j] = k
    return split


def _chain(ts: list, split, i: int, j: int) -> Tensor:
    if i == j:
        return ts[i]
    k = split[i][j]
    return mm(_chain(ts, split, i, k), _chain(ts, split, k + 1, j))


def multi_dot(tensors, *, out=None) -> Tensor:
    """``ember.linalg.multi_dot``: a chain of matrix products in the cheapest order."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(
            "linalg_multi_dot(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{_type_name(tensors)}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {_type_name(t)}"
            )
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    out_shape: list = []
    ts = list(tensors)
    first, last = tensors[0]._data, tensors[-1]._data
    if first.ndim == 1:
        ts[0] = tensors[0].unsqueeze(0)
    elif first.ndim == 2:
        out_shape.append(first.shape[0])
    else:
        raise RuntimeError(
            f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D"
        )
    if last.ndim == 1:
        ts[-1] = tensors[-1].unsqueeze(-1)
    elif last.ndim == 2:
        out_shape.append(last.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i in range(1, n - 1):
        d = tensors[i]._data.ndim
        if d != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {d}D")
    dt = ts[0]._data.dtype
    for i in range(1, n):
        di = ts[i]._data.dtype
        if di != dt:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_cpp(dt)} and tensor {i} {_cpp(di)}"
            )
        if ts[i - 1]._data.shape[-1] != ts[i]._data.shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i - 1} and {i} with shapes "
                f"{_sizes(tensors[i - 1]._data.shape)} and {_sizes(tensors[i]._data.shape)} "
                "cannot be multiplied"
            )
    if n == 2:
        res = mm(ts[0], ts[1])
    elif n == 3:
        a, b = ts[0]._data.shape[0], ts[1]._data.shape[0]
        c, d = ts[2]._data.shape
        if (a * c) * (b + d) > (b * d) * (a + c):
            res = mm(ts[0], mm(ts[1], ts[2]))
        else:
            res = mm(mm(ts[0], ts[1]), ts[2])
    else:
        res = _chain(ts, _chain_order([t._data.shape for t in ts]), 0, n - 1)
    res = res.view(tuple(out_shape))
    return res if out is None else check_out(out, res, "linalg_multi_dot")


_chain_warned = [False]


@public(method=False)
def chain_matmul(*matrices, out=None) -> Tensor:
    """Deprecated ``linalg.multi_dot`` over 2-D arguments (one argument: a copy)."""
    if not _chain_warned[0]:
        _chain_warned[0] = True
        warnings.warn(
            "ember.chain_matmul is deprecated and will be removed in a future PyTorch release. "
            "Use ember.linalg.multi_dot instead, which accepts a list of two or more tensors "
            "rather than multiple parameters.",
            UserWarning, stacklevel=2,
        )
    for m in matrices:
        _need(m, "chain_matmul", "matrices", 1)
        if m._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m._data.ndim}, expected 2 instead.")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        res = matrices[0].clone()
        return res if out is None else check_out(out, res, "chain_matmul")
    return multi_dot(matrices, out=out)


# ---------------------------------------------------------------------------------- vecdot
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """``ember.linalg.vecdot``: dot products along ``dim`` with broadcasting."""
    if _reg._autocast is not None and out is None:  # autocast entry point (torch's op)
        x, y = _reg.cast_args_impl("linalg_vecdot", (x, y))
    _need(x, "linalg_vecdot", "x", 1)
    _need(y, "linalg_vecdot", "y", 2)
    a, b = x._data, y._data
    if a.dtype.kind != "f" and a.dtype not in _HALF_NP:
        raise RuntimeError(
            f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
            f"{_st(a.dtype)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
            f"{_st(a.dtype)} and y of type {_st(b.dtype)} instead"
        )
    if a.ndim == 1 and b.ndim == 1:
        res = vdot(x, y)
    else:
        res = E.mul(x, y).sum(dim)
    return res if out is None else check_out(out, res, "linalg_vecdot")


# ---------------------------------------------------------------------------------- einsum
# One primitive contracts any number of operands given as label lists (NumPy's einsum, with
# size-1 dims squeezed so that they broadcast as in torch). Its gradient for each operand is
# the same primitive over the incoming gradient and the other operands, plus ones vectors for
# labels only that operand has and identity matrices for its repeated (diagonal) labels.
_ELL = 52  # label ids: 0-25 'A'-'Z', 26-51 'a'-'z', 52+j: j-th ellipsis dim, then fresh ids


def _contract2(a, sa: list, b, sb: list, out: list):
    """One pairwise contraction as a (batched) matmul, as torch's sumproduct_pair does
    (NumPy's einsum would loop in C without BLAS, or spend long planning its path)."""
    if len(set(sa)) != len(sa) or len(set(sb)) != len(sb):
        return np.einsum(a, sa, b, sb, out)  # diagonals: NumPy's einsum takes them
    keep = set(out)
    in_a, in_b = set(sa), set(sb)
    only = [i for i, lab in enumerate(sa) if lab not in in_b and lab not in keep]
    if only:  # labels of one operand only, not in the output: sum them first
        a = np.add.reduce(a, axis=tuple(only), dtype=a.dtype)
        sa = [lab for lab in sa if lab in in_b or lab in keep]
    only = [i for i, lab in enumerate(sb) if lab not in in_a and lab not in keep]
    if only:
        b = np.add.reduce(b, axis=tuple(only), dtype=b.dtype)
        sb = [lab for lab in sb if lab in in_a or lab in keep]
    in_b = set(sb)
    size = dict(zip(sa, a.shape))
    size.update(zip(sb, b.shape))
    batch = [lab for lab in out if lab in in_a and lab in in_b]
    left = [lab for lab in out if lab in in_a and lab not in in_b]
    right = [lab for lab in out if lab in in_b and lab not in in_a]
    contr = [lab for lab in sa if lab in in_b and lab not in keep]
    nb, nl, nr, nc = (_prod(size[lab] for lab in g) for g in (batch, left, right, contr))
    a2 = np.transpose(a, [sa.index(lab) for lab in batch + left + contr]).reshape(nb, nl, nc)
    b2 = np.transpose(b, [sb.index(lab) for lab in batch + contr + right]).reshape(nb, nc, nr)
    cur = batch + left + right
    r = np.matmul(a2, b2).reshape([size[lab] for lab in cur])
    return np.transpose(r, [cur.index(lab) for lab in out])


def _einsum_fwd(operands, *, subs, out, shape, dtype):
    comp = _F32 if dtype in _HALF_NP else dtype
    arrs: list = []
    labels: list = []
    for arr, sub in zip(operands, subs):
        if arr.dtype != comp:
            arr = arr.astype(comp)
        # size-1 dims broadcast (torch's rule, not NumPy einsum's): drop them
        keep = [k for k, s in enumerate(arr.shape) if s != 1]
        if len(keep) != arr.ndim:
            arr = arr.reshape([arr.shape[k] for k in keep])
        arrs.append(arr)
        labels.append([sub[k] for k in keep])
    out_l = [lab for lab, s in zip(out, shape) if s != 1]
    n = len(arrs)
    if n == 1:
        ids: dict = {}
        sub0 = [ids.setdefault(lab, len(ids)) for lab in labels[0]]
        r = np.einsum(arrs[0], sub0, [ids[lab] for lab in out_l])
    else:
        # left to right, as torch without opt_einsum; half types round each intermediate
        acc, acc_l = arrs[0], labels[0]
        for k in range(1, n):
            if k == n - 1:
                target = out_l
            else:
                later = set(out_l)
                for m in range(k + 1, n):
                    later.update(labels[m])
                target = [i for i in dict.fromkeys(acc_l + labels[k]) if i in later]
            ids = {}
            sa = [ids.setdefault(lab, len(ids)) for lab in acc_l]
            sb = [ids.setdefault(lab, len(ids)) for lab in labels[k]]
            acc = _contract2(acc, sa, arrs[k], sb, [ids[lab] for lab in target])
            if k < n - 1 and comp != dtype:
                acc = np.asarray(acc).astype(dtype).astype(comp)
            acc_l = target
        r = acc
    r = np.asarray(r).reshape(shape)
    return r if r.dtype == dtype else r.astype(dtype)


_einsum = prim("einsum", variadic=True)(_einsum_fwd)


@_einsum.vjp
def _einsum_grads(grad, operands, subs, out, needs_input_grad):
    gd = grad._data.dtype
    res = []
    for i, need in enumerate(needs_input_grad):
        if not need:
            res.append(None)
            continue
        terms = [grad]
        tsubs = [tuple(out)]
        present = {lab for lab, s in zip(out, grad._data.shape) if s != 1}
        for j, t in enumerate(operands):
            if j != i:
                terms.append(t)
                tsubs.append(subs[j])
                present.update(lab for lab, s in zip(subs[j], t._data.shape) if s != 1)
        fresh = max(max(sub, default=0) for sub in (*subs, out)) + 1
        out_i = []
        seen = set()
        shp = operands[i]._data.shape
        for lab, s in zip(subs[i], shp):
            fresh += 1
            if s == 1:
                out_i.append(fresh)  # summed to size 1 (dropped by the forward)
            elif lab in seen:  # a repeated label: the gradient lies on the diagonal
                terms.append(C.eye(s, dtype=_FROM_NP[gd]))
                tsubs.append((lab, fresh))
                out_i.append(fresh)
            else:
                seen.add(lab)
                out_i.append(lab)
                if lab not in present:  # summed away in the forward: broadcast back
                    terms.append(C.ones(s, dtype=_FROM_NP[gd]))
                    tsubs.append((lab,))
                    present.add(lab)
        params = {"subs": tuple(tsubs), "out": tuple(out_i), "shape": tuple(shp), "dtype": gd}
        res.append(apply(_einsum, (terms,), ([t._data for t in terms],), params))
    return tuple(res)


# torch's einsum ends in a sum (one operand, contracted labels), a permute (one operand), a
# view (several operands, contracted labels) or a mul (several operands, no contraction).
_EINSUM_NODES = {
    name: _variant(_einsum, name)
    for name in ("SumBackward1", "PermuteBackward0", "ViewBackward0", "MulBackward0")
}
_LETTERS = frozenset(string.ascii_letters)


def _label_id(c: str) -> int:
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _label_char(s: int) -> str:
    return chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26)


def _sum_dtype(dt):
    return _INT64 if dt.kind in "iub" else dt


def _einsum_parse(equation: str, operands: list):
    """torch's einsum parse and checks: per operand label ids, output ids and shape, and the
    result dtype and node name of torch's left-to-right pairwise contraction."""
    num_ops = len(operands)
    if num_ops == 0:
        raise RuntimeError("einsum(): must provide at least one operand")
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels: list = [[] for _ in range(num_ops)]
    ell_in_input = False
    curr = 0
    i = 0
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if ell_in_input:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {curr} for which an ellipsis was already "
                    "found"
                )
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise RuntimeError(
                    f"einsum(): found '.' for operand {curr} that is not part of any ellipsis"
                )
            i += 2
            op_labels[curr].append(-1)
            ell_in_input = True
        elif c == ",":
            curr += 1
            if curr >= num_ops:
                raise RuntimeError(
                    "einsum(): fewer operands were provided than specified in the equation"
                )
            ell_in_input = False
        else:
            if c not in _LETTERS:
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {i} in the equation string, "
                    "subscripts must be in [a-zA-Z]"
                )
            op_labels[curr].append(_label_id(c))
        i += 1
    if curr != num_ops - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")

    label_count = [0] * 52
    ell_num_dim = 0
    for k, t in enumerate(operands):
        labels = op_labels[k]
        ndims = t._data.ndim
        nlabels = len(labels)
        has_ell = False
        for lab in labels:
            if lab == -1:
                nlabels -= 1
                has_ell = True
                ell_num_dim = max(ell_num_dim, ndims - nlabels)
            else:
                label_count[lab] += 1
        if (nlabels > ndims) if has_ell else (nlabels != ndims):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nlabels}"
                + (") is more than the number of dimensions (" if has_ell
                   else ") does not match the number of dimensions (")
                + f"{ndims}) for operand {k}" + ("" if has_ell else " and no ellipsis was given")
            )

    # Output: perm indices (torch's layout: output dims first, then contracted dims).
    perm_of: dict = {}  # label id (or _ELL + j) -> perm index
    perm = 0
    ell_in_output = False
    if arrow < 0:
        for j in range(ell_num_dim):
            perm_of[_ELL + j] = j
        perm = ell_num_dim
        ell_in_output = True
        for lab in range(52):
            if label_count[lab] == 1:
                perm_of[lab] = perm
                perm += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == " ":
                pass
            elif c == ".":
                if ell_in_output:
                    raise RuntimeError(
                        "einsum(): found '.' for output but an ellipsis (...) was already found"
                    )
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise RuntimeError(
                        "einsum(): found '.' for output that is not part of any ellipsis (...)"
                    )
                i += 2
                for j in range(ell_num_dim):
                    perm_of[_ELL + j] = perm + j
                perm += ell_num_dim
                ell_in_output = True
            else:
                if c not in _LETTERS:
                    raise RuntimeError(
                        f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                        "equation string, subscripts must be in [a-zA-Z]"
                    )
                lab = _label_id(c)
                if label_count[lab] == 0 or lab in perm_of:
                    raise RuntimeError(
                        f"einsum(): output subscript {c}"
                        + (" appears more than once in the output" if lab in perm_of
                           else " does not appear in the equation for any input operand")
                    )
                perm_of[lab] = perm
                perm += 1
            i += 1
    out_num_dim = perm
    if not ell_in_output:
        for j in range(ell_num_dim):
            perm_of[_ELL + j] = perm + j
        perm += ell_num_dim
    for lab in range(52):
        if label_count[lab] > 0 and lab not in perm_of:
            perm_of[lab] = perm
            perm += 1

    # Sizes, broadcasting and diagonals, operand by operand.
    label_size = {}
    dim_counts = [0] * perm
    subs = []
    metas = []  # per operand: sizes over the perm dims (1 where absent), dtype
    for k, t in enumerate(operands):
        shape = list(t._data.shape)
        sub = []
        psize = [1] * perm
        placed = {}
        dim = 0
        labels = op_labels[k]
        for lab in labels:
            if lab == -1:
                nd = t._data.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - nd, ell_num_dim):
                    key = _ELL + j
                    s = shape[dim]
                    if s != 1:
                        prev = label_size.get(key, 1)
                        if prev != 1 and prev != s:
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {k}"
                                f"has size {s} which does not broadcast with previously seen "
                                f"ellipsis with size {prev} for the respective dimension"
                            )
                        label_size[key] = s
                        dim_counts[perm_of[key]] += 1
                    placed[key] = dim
                    psize[perm_of[key]] = s
                    sub.append(key)
                    dim += 1
            elif lab not in placed:
                s = shape[dim]
                if s != 1:
                    prev = label_size.get(lab, 1)
                    if prev != 1 and prev != s:
                        raise RuntimeError(
                            f"einsum(): subscript {_label_char(lab)} has size {s} for operand "
                            f"{k} which does not broadcast with previously seen size {prev}"
                        )
                    label_size[lab] = s
                    dim_counts[perm_of[lab]] += 1
                placed[lab] = dim
                psize[perm_of[lab]] = s
                sub.append(lab)
                dim += 1
            else:
                prev_dim = placed[lab]
                if shape[dim] != shape[prev_dim]:
                    raise RuntimeError(
                        f"einsum(): subscript {_label_char(lab)} is repeated for operand {k} "
                        f"but the sizes don't match, {shape[dim]} != {shape[prev_dim]}"
                    )
                del shape[dim]  # the diagonal replaces both dims
                sub.append(lab)
        subs.append(tuple(sub))
        metas.append((psize, t._data.dtype))

    out_labels = sorted((p, lab) for lab, p in perm_of.items() if p < out_num_dim)
    out = tuple(lab for _, lab in out_labels)
    out_shape = tuple(label_size.get(lab, 1) for lab in out)

    # The dtype flow of torch's contraction: sums make integers int64, products without a
    # contraction promote, bmm requires equal dtypes.
    contracted = perm > out_num_dim
    if num_ops == 1:
        dt = metas[0][1]
        if contracted:
            return subs, out, out_shape, _sum_dtype(dt), "SumBackward1"
        return subs, out, out_shape, dt, "PermuteBackward0"
    queue = [(list(m[0]), m[1]) for m in metas]
    while len(queue) > 1:
        (asz, adt), (bsz, bdt) = queue[0], queue[1]
        del queue[:2]
        sum_dims = []
        for d in range(out_num_dim, perm):
            if asz[d] != 1 and bsz[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if asz[d] != 1:
                    asz[d] = 1
                    adt = _sum_dtype(adt)
                    dim_counts[d] = 0
                elif bsz[d] != 1:
                    bsz[d] = 1
                    bdt = _sum_dtype(bdt)
                    dim_counts[d] = 0
        size = [x if x != 1 else y for x, y in zip(asz, bsz)]
        if not sum_dims:
            dt = P.promote_types(_FROM_NP[adt], _FROM_NP[bdt])._np
        else:
            if adt != bdt:
                raise RuntimeError(f"expected scalar type {_st(adt)} but found {_st(bdt)}")
            if adt == _BOOL:
                raise _bool_error("bmm")
            dt = adt
            for d in sum_dims:
                size[d] = 1
        queue.insert(0, (size, dt))
    name = "ViewBackward0" if contracted else "MulBackward0"
    return subs, out, out_shape, queue[0][1], name


def _subscript(n) -> str:
    if n is Ellipsis:
        return "..."
    if isinstance(n, int) and 0 <= n < 26:
        return chr(ord("A") + n)
    if isinstance(n, int) and 26 <= n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _contracts(subs, out) -> bool:
    """Whether an index summed away is shared by two operands (torch then calls bmm)."""
    kept = set(out)
    seen: set = set()
    for sub in subs:
        mine = set(sub) - kept
        if mine & seen:
            return True
        seen |= mine
    return False


@public(method=False)
def einsum(*args) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (or the sublist form)."""
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], Tensor):
        equation = ",".join("".join(_subscript(s) for s in sl) for sl in args[1::2])
        if len(args) % 2 == 1:
            equation += "->" + "".join(_subscript(s) for s in args[-1])
            operands = list(args[:-1:2])
        else:
            operands = list(args[::2])
    else:
        equation = args[0]
        operands = list(args[1:])
        if not isinstance(equation, str):
            raise TypeError(
                f"einsum(): argument 'equation' (position 1) must be str, not "
                f"{_type_name(equation)}"
            )
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {k} in argument 1, but got {_type_name(t)}"
            )
    subs, out, shape, dt, node = _einsum_parse(equation, operands)
    if _reg._autocast is not None and len(operands) > 1 and _contracts(subs, out):
        # torch's einsum contracts through bmm, which autocast runs in the lower precision
        operands = list(_reg.cast_args_impl("bmm", tuple(operands)))
        subs, out, shape, dt, node = _einsum_parse(equation, operands)
    params = {"subs": tuple(subs), "out": out, "shape": shape, "dtype": dt}
    return apply(_EINSUM_NODES[node], (operands,), ([t._data for t in operands],), params)


# ---------------------------------------------------------------------------------- linalg
# Factorizations and solvers (LAPACK through numpy.linalg). Their gradients are torch's
# formulas (FunctionsManual.cpp), written with ember ops so that they differentiate again.
class _LinAlgError(RuntimeError):
    """``ember.linalg.LinAlgError``: a LAPACK failure (torch's ``torch._C._LinAlgError``)."""


_F64 = np.dtype(np.float64)
_LAPACK_NP = frozenset((_F32, _F64))


def _linalg_input(A, fname: str, tname: str, *, square: bool = True, kernel: str = "",
                  low_precision: bool = False, ints_kernel: bool = False) -> np.ndarray:
    """torch's checks of a linalg input: dims, squareness, then dtype (LAPACK types only)."""
    _need(A, tname, "A", 1)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if square and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(
            f"{fname}: A must be batches of square matrices, but they are {d.shape[-2]} by "
            f"{d.shape[-1]} matrices"
        )
    dt = d.dtype
    if dt in _LAPACK_NP:
        return d
    if dt not in _HALF_NP and not ints_kernel:
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got {_st(dt)}"
        )
    if low_precision:
        raise RuntimeError(f"{fname}: Low precision dtypes not supported. Got {_st(dt)}")
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{_st(dt)}'")


def _batches(a: np.ndarray):
    """(prefix, matrix) pairs: torch prefixes errors on batched inputs with the batch index."""
    if a.ndim == 2:
        yield "", a
        return
    for i, m in enumerate(a.reshape((-1,) + a.shape[-2:])):
        yield f"(Batch element {i}): ", m


def _lu_zero_pivot(m: np.ndarray) -> int:
    """LAPACK getrf's info: the 1-based index of the first zero pivot (0 if none)."""
    a = np.array(m, copy=True)
    n = a.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if a[p, j] == 0:
            return j + 1
        a[[j, p]] = a[[p, j]]
        a[j + 1:, j] /= a[j, j]
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return 0


def _mask(n: int, m: int, k: int, dt) -> Tensor:
    """tril(ones(n, m), k) as a constant tensor (ember has no tril op to differentiate)."""
    return C.from_numpy(np.tril(np.ones((n, m), dtype=dt), k))


def _tril(x: Tensor, k: int = 0) -> Tensor:
    n, m = x._data.shape[-2:]
    return x * _mask(n, m, k, x._data.dtype)


def _eye_like(x: Tensor, n: int) -> Tensor:
    return C.eye(n, dtype=_FROM_NP[x._data.dtype])


def _diag_embed(v: Tensor) -> Tensor:
    return v.unsqueeze(-1) * _eye_like(v, v._data.shape[-1])


# det, slogdet -------------------------------------------------------------------------
@prim("linalg_det")
def _det(A):
    return np.asarray(np.linalg.det(A))


def _cofactor_np(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix of (possibly singular) matrices, from an SVD."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    prods = np.empty_like(s)
    for i in range(n):
        prods[..., i] = np.prod(np.delete(s, i, axis=-1), axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    adj = np.swapaxes(vh, -1, -2) @ (prods[..., :, None] * np.swapaxes(u, -1, -2))
    return np.swapaxes(adj, -1, -2) * sign[..., None, None]


def _det_grad(grad, A, result):
    g = (grad * result).unsqueeze(-1).unsqueeze(-1)
    if np.all(result._data != 0):
        return g * inv(A).mT
    # singular: d det(A) = <cof(A), dA> (not differentiable again here)
    return grad.unsqueeze(-1).unsqueeze(-1) * C.from_numpy(_cofactor_np(A._data))


_det.defvjp(A=_det_grad)


def det(A: Tensor, *, out=None) -> Tensor:
    """``ember.linalg.det``: determinant of (batches of) square matrices."""
    d = _linalg_input(A, "linalg.det", "linalg_det", kernel="lu_cpu")
    res = apply(_det, (A,), (d,))
    return res if out is None else check_out(out, res, "linalg_det")


@public("det")
def det_(input: Tensor) -> Tensor:
    """Determinant (``ember.linalg.det``)."""
    return det(input)


@prim("linalg_slogdet", nout=2)
def _slogdet(A):
    sign, logabs = np.linalg.slogdet(A)
    return np.asarray(sign), np.asarray(logabs)


@_slogdet.vjp
def _slogdet_grad(grads, A):
    g = grads[1]
    if g is None:
        return (None,)
    return (g.unsqueeze(-1).unsqueeze(-1) * inv(A).mT,)


def slogdet(A: Tensor, *, out=None):
    """``ember.linalg.slogdet``: ``(sign, log|det|)``."""
    d = _linalg_input(A, "linalg.slogdet", "linalg_slogdet", low_precision=True)
    return _RT_SLOGDET(apply(_slogdet, (A,), (d,)))


# inv, solve -----------------------------------------------------------------------------
def _singular(fname: str, a: np.ndarray) -> _LinAlgError:
    for prefix, m in _batches(a):
        info = _lu_zero_pivot(m)
        if info:
            return _LinAlgError(
                f"{fname}: {prefix}The diagonal element {info} is zero, the inversion could "
                "not be completed because the input matrix is singular."
            )
    return _LinAlgError(f"{fname}: The input matrix is singular.")


@prim("linalg_inv", backward="LinalgInvExBackward0")
def _inv(A):
    try:
        return np.linalg.inv(A)
    except np.linalg.LinAlgError:
        raise _singular("linalg.inv", A) from None


_inv.defvjp(A=lambda grad, result: -matmul(result.mT, matmul(grad, result.mT)))


def inv(A: Tensor, *, out=None) -> Tensor:
    """``ember.linalg.inv``: inverse of (batches of) square matrices."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        (A,) = _reg.cast_args_impl("linalg_inv", (A,))
    d = _linalg_input(A, "linalg.inv", "linalg_inv", low_precision=True)
    res = apply(_inv, (A,), (d,))
    return res if out is None else check_out(out, res, "linalg_inv")


@public()
def inverse(input: Tensor, *, out=None) -> Tensor:
    """``ember.linalg.inv``."""
    return inv(input, out=out)


def _solve_np(A, B, vec: bool, left: bool):
    try:
        if vec:
            return np.linalg.solve(A, B[..., None])[..., 0]
        if left:
            return np.linalg.solve(A, B)
        return np.swapaxes(np.linalg.solve(np.swapaxes(A, -1, -2), np.swapaxes(B, -1, -2)),
                           -1, -2)
    except np.linalg.LinAlgError:
        a = np.broadcast_to(A, np.broadcast_shapes(A.shape[:-2], B.shape[:-2 + vec])
                            + A.shape[-2:])
        prefix = next((p for p, m in _batches(a) if _lu_zero_pivot(m)), "")
        raise _LinAlgError(
            f"ember.linalg.solve: {prefix}The solver failed because the input matrix is "
            "singular."
        ) from None


@prim("linalg_solve", backward="LinalgSolveExBackward0")
def _solve(A, B, *, vec=False, left=True):
    return _solve_np(A, B, vec, left)


def _solve_grads(grad, A, result, vec, left, needs_input_grad):
    gB = _solve_raw(A.mT, grad, vec, left)
    gA = None
    if needs_input_grad[0]:
        if vec:
            gA = -(gB.unsqueeze(-1) * result.unsqueeze(-2))
        elif left:
            gA = -matmul(gB, result.mT)
        else:
            gA = -matmul(result.mT, gB)
    return gA, gB


def _solve_raw(A: Tensor, B: Tensor, vec: bool, left: bool) -> Tensor:
    return apply(_solve, (A, B), (A._data, B._data), {"vec": vec, "left": left})


_solve.vjp(_solve_grads)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """``ember.linalg.solve``: ``X`` with ``A X = B`` (``X A = B`` when ``left=False``)."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        A, B = _reg.cast_args_impl("linalg_solve", (A, B))
    _need(A, "linalg_solve", "A", 1)
    _need(B, "linalg_solve", "B", 2)
    a, b = A._data, B._data
    if a.dtype not in _LAPACK_NP and a.dtype not in _HALF_NP:
        raise RuntimeError(
            f"linalg.solve: Expected a floating point or complex tensor as input. Got "
            f"{_st(a.dtype)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_st(a.dtype)} and B of type {_st(b.dtype)} instead"
        )
    _linalg_input(A, "linalg.solve", "linalg_solve", kernel="lu_cpu")
    n = a.shape[-1]
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b.shape + (1,) if vec else b.shape
    if (bm[-2] if left else bm[-1]) != n or len(bm) < 2:
        raise RuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{n} and {bm[-2]}x{bm[-1]})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], bm[:-2])
    except ValueError:
        raise broadcast_error(bm[:-2], a.shape[:-2]) from None
    res = apply(_solve, (A, B), (a, b), {"vec": bool(vec) and left, "left": left})
    return res if out is None else check_out(out, res, "linalg_solve")


# cholesky -------------------------------------------------------------------------------
def _not_pd(a: np.ndarray) -> _LinAlgError:
    for prefix, m in _batches(a):
        n = m.shape[0]
        low = np.zeros_like(m)
        for j in range(n):
            dj = m[j, j] - np.dot(low[j, :j], low[j, :j])
            if not dj > 0:
                return _LinAlgError(
                    f"linalg.cholesky: {prefix}The factorization could not be completed because "
                    f"the input is not positive-definite (the leading minor of order {j + 1} is "
                    "not positive-definite)."
                )
            low[j, j] = np.sqrt(dj)
            low[j + 1:, j] = (m[j + 1:, j] - low[j + 1:, :j] @ low[j, :j]) / low[j, j]
    return _LinAlgError("linalg.cholesky: The input is not positive-definite.")


@prim("linalg_cholesky", backward="LinalgCholeskyExBackward0")
def _cholesky(A, *, upper=False):
    try:
        low = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        raise _not_pd(A) from None
    return np.ascontiguousarray(np.swapaxes(low, -1, -2)) if upper else low


def _cholesky_grad(grad, result, upper):
    L, gL = (result.mT, grad.mT) if upper else (result, grad)
    gA = _tril(matmul(L.mT, gL))
    gA = (gA + _tril(gA, -1).mT) * 0.5
    gA = _solve_raw(L.mT, gA, False, True)
    return _solve_raw(L, gA, False, False)


_cholesky.defvjp(A=_cholesky_grad)


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """``ember.linalg.cholesky``: ``L`` with ``A = L L^T`` (``U^T U`` when ``upper``)."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        (A,) = _reg.cast_args_impl("linalg_cholesky", (A,))
    d = _linalg_input(A, "linalg.cholesky", "linalg_cholesky", kernel="cholesky_cpu")
    res = apply(_cholesky, (A,), (d,), {"upper": bool(upper)})
    return res if out is None else check_out(out, res, "linalg_cholesky")


# eigh -----------------------------------------------------------------------------------
@prim("linalg_eigh", nout=2)
def _eigh(A, *, UPLO="L"):  # noqa: N803 (torch's name)
    w, v = np.linalg.eigh(A, UPLO=UPLO)
    return w, v


@_eigh.vjp
def _eigh_grad(grads, result):
    gL, gV = grads
    L, V = result
    if gV is None:
        if gL is None:
            return (None,)
        return (matmul(V * gL.unsqueeze(-2), V.mT),)
    VhgV = matmul(V.mT, gV)
    VhgV = (VhgV - VhgV.mT) * 0.5
    n = L._data.shape[-1]
    E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye_like(L, n)
    gA = VhgV / E  # its diagonal is zero (VhgV is skew)
    if gL is not None:
        gA = gA + _diag_embed(gL)
    return (matmul(V, matmul(gA, V.mT)),)


def eigh(A: Tensor, UPLO: str = "L", *, out=None):  # noqa: N803 (torch's name)
    """``ember.linalg.eigh``: eigenvalues (ascending) and eigenvectors of symmetric matrices."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        (A,) = _reg.cast_args_impl("linalg_eigh", (A,))
    d = _linalg_input(A, "linalg.eigh", "linalg_eigh", kernel="linalg_eigh_cpu",
                      ints_kernel=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _RT_EIGH(apply(_eigh, (A,), (d,), {"UPLO": UPLO}))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """``ember.linalg.eigvalsh``: the eigenvalues of ``eigh``."""
    res = eigh(A, UPLO)[0]
    return res if out is None else check_out(out, res, "linalg_eigvalsh")


# qr -------------------------------------------------------------------------------------
@prim("linalg_qr", nout=2)
def _qr(A, *, mode="reduced"):
    if mode == "r":
        return np.empty((0,), dtype=A.dtype), np.linalg.qr(A, mode="r")
    q, r = np.linalg.qr(A, mode=mode)
    return q, r


@_qr.vjp
def _qr_grad(grads, result, mode):
    gQ, gR = grads
    Q, R = result
    if mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )
    m, n = Q._data.shape[-2], R._data.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if gQ is None and gR is None:
        return (None,)
    if gQ is not None:
        M = -matmul(Q.mT, gQ)
        if gR is not None:
            M = M + matmul(gR, R.mT)
    else:
        M = matmul(gR, R.mT)
    if m >= n:
        k = M._data.shape[-1]
        sym = M * _mask(k, k, 0, M._data.dtype).mT  # triu
        sym = sym + sym.mT
        sym = sym - _diag_embed(sym.diagonal(0, -2, -1)) * 0.5  # X + X^H, diagonal halved
        gA = matmul(Q, sym)
        if gQ is not None:
            gA = gA + gQ
        return (_solve_raw(R.mT, gA, False, False),)
    X = -M
    skew = _tril(X - X.mT)
    gA = _solve_raw(R[..., :m].mT, matmul(Q, skew), False, False)
    pad = C.zeros(*gA._data.shape[:-1], n - m, dtype=_FROM_NP[gA._data.dtype])
    gA = _cat_last(gA, pad)
    if gR is not None:
        gA = gA + matmul(Q, gR)
    return (gA,)


def _cat_last(a: Tensor, b: Tensor) -> Tensor:
    # a block matrix [a b] through a selection product (no cat dependency, differentiable)
    k, extra = a._data.shape[-1], b._data.shape[-1]
    dt = a._data.dtype
    left = np.eye(k, k + extra, dtype=dt)
    right = np.eye(extra, k + extra, k, dtype=dt)
    return matmul(a, C.from_numpy(left)) + matmul(b, C.from_numpy(right))


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """``ember.linalg.qr``: ``(Q, R)`` with ``A = Q R``."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        (A,) = _reg.cast_args_impl("linalg_qr", (A,))
    d = _linalg_input(A, "linalg.qr", "linalg_qr", square=False, kernel="geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    return _RT_QR(apply(_qr, (A,), (d,), {"mode": mode}))


# svd ------------------------------------------------------------------------------------
@prim("linalg_svd", nout=3)
def _svd(A, *, full_matrices=True):
    u, s, vh = np.linalg.svd(A, full_matrices=full_matrices)
    return u, s, vh


@_svd.vjp
def _svd_grad(grads, result, full_matrices):
    gU, gS, gVh = grads
    U, S, Vh = result
    if gU is None and gS is None and gVh is None:
        return (None,)
    k = S._data.shape[-1]
    if full_matrices:
        U, Vh = U[..., :k], Vh[..., :k, :]
        gU = None if gU is None else gU[..., :k]
        gVh = None if gVh is None else gVh[..., :k, :]
    m, n = U._data.shape[-2], Vh._data.shape[-1]
    if gU is None and gVh is None:
        if m >= n:
            return (matmul(U, gS.unsqueeze(-1) * Vh),)
        return (matmul(U * gS.unsqueeze(-2), Vh),)
    UhgU = None if gU is None else matmul(U.mT, gU)
    VhgV = None if gVh is None else matmul(Vh, gVh.mT)
    if UhgU is not None:
        UhgU = UhgU - UhgU.mT
    if VhgV is not None:
        VhgV = VhgV - VhgV.mT
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye_like(S, k)
    if UhgU is not None and VhgV is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif UhgU is not None:
        gA = (UhgU / E) * S.unsqueeze(-2)
    else:
        gA = S.unsqueeze(-1) * (VhgV / E)
    if gS is not None:
        gA = gA + _diag_embed(gS)
    if m > n and gU is not None:
        gA = matmul(U, gA)
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - matmul(U, matmul(U.mT, gUSinv))
        return (matmul(gA, Vh),)
    if m < n and gVh is not None:
        gA = matmul(gA, Vh)
        SinvgVh = gVh / S.unsqueeze(-1)
        gA = gA + SinvgVh - matmul(matmul(SinvgVh, Vh.mT), Vh)
        return (matmul(U, gA),)
    if m >= n:
        return (matmul(U, matmul(gA, Vh)),)
    return (matmul(matmul(U, gA), Vh),)


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """``ember.linalg.svd``: ``(U, S, Vh)`` with ``A = U diag(S) Vh``."""
    if _reg._autocast is not None and out is None:  # autocast entry point (float32)
        (A,) = _reg.cast_args_impl("linalg_svd", (A,))
    d = _linalg_input(A, "linalg.svd", "linalg_svd", square=False, kernel="linalg_svd_cpu")
    return _RT_SVD(apply(_svd, (A,), (d,), {"full_matrices": bool(full_matrices)}))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """``ember.linalg.svdvals``: the singular values, descending."""
    res = svd(A, False)[1]
    return res if out is None else check_out(out, res, "linalg_svdvals")


# norms ----------------------------------------------------------------------------------
def _vector_norm(*args, **kwargs):
    from .reduction import vector_norm as vn

    return vn(*args, **kwargs)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """``ember.linalg.matrix_norm``: 'fro', 'nuc', 2, -2, 1, -1, inf or -inf."""
    _need(A, "linalg_matrix_norm", "A", 1)
    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if d.dtype not in _LAPACK_NP and d.dtype not in _HALF_NP:
        raise RuntimeError(
            "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
            f"{_st(d.dtype)}"
        )
    dim = list(dim)
    if len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(x) for x in dim))
    d0, d1 = wrap_dim(dim[0], d.ndim), wrap_dim(dim[1], d.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif ord not in (1, -1, 2, -2, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt_ord(ord)} not supported.")
    if ord == "fro":
        res = _vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    elif ord == "nuc" or abs(ord) == 2:
        if d.dtype in _HALF_NP:
            raise RuntimeError(
                f"linalg.matrix_norm: Low precision dtypes not supported. Got {_st(d.dtype)}"
            )
        x = A if dtype is None else A.to(dtype)
        perm = [i for i in range(d.ndim) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(x.permute(*perm))
        if ord == "nuc":
            res = s.sum(-1, keepdim)
        else:
            res = s.amax(-1, keepdim) if ord == 2 else s.amin(-1, keepdim)
        if keepdim:
            rev = [0] * d.ndim
            for i, p in enumerate(perm):
                rev[p] = i
            res = res.unsqueeze(-1).permute(*rev)
    else:
        r0, r1 = (d1, d0) if abs(ord) == float("inf") else (d0, d1)
        if not keepdim and r0 < r1:
            r1 -= 1
        v = _vector_norm(A, 1.0, r0, keepdim, dtype=dtype)
        res = v.amax(r1, keepdim) if ord > 0 else v.amin(r1, keepdim)
    return res if out is None else check_out(out, res, "linalg_matrix_norm")


def _fmt_ord(o) -> str:
    if isinstance(o, float) and o.is_integer():
        return str(int(o))
    return str(o)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, out=None,
         dtype=None) -> Tensor:
    """``ember.linalg.norm``: a vector or a matrix norm, depending on ``ord`` and ``dim``."""
    _need(A, "linalg_norm", "input", 1)
    nd = A._data.ndim
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {_sizes(dim)}")
    elif ord is not None and nd not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {nd}D.")
    if isinstance(ord, str) or (ord is not None and ((dim is not None and len(dim) == 2)
                                                     or (dim is None and nd == 2))):
        res = matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    else:
        res = _vector_norm(A, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype)
    return res if out is None else check_out(out, res, "linalg_norm")


def _return_types():
    from .. import return_types as rt

    return (rt._make("linalg_slogdet", ("sign", "logabsdet")),
            rt._make("linalg_eigh", ("eigenvalues", "eigenvectors")),
            rt._make("linalg_qr", ("Q", "R")),
            rt._make("linalg_svd", ("U", "S", "Vh")))


_RT_SLOGDET, _RT_EIGH, _RT_QR, _RT_SVD = _return_types()


# ------------------------------------------------------------ statistics, distances, integrals
# Composites of ember ops (as torch composes them in ATen), so gradients come for free.
def _check_weights(name: str, w: Tensor, n: int, integral: bool) -> None:
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {w.ndim} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    kind = w._data.dtype.kind
    if integral and kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} "
                           f"with {_st(w._data.dtype)} dtype")
    if not integral and kind not in "fV":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{name} with {_st(w._data.dtype)} dtype")
    if (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


@public()
def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Covariance of the rows (variables) over the columns (observations)."""
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    if x._data.dtype.kind not in "fV":
        x = x.to(D.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, False)
        w = aweights if w is None else w * aweights
    if w is None:
        avg, w_sum = x.mean(1), n
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        norm = w_sum - correction
        if aweights is not None and correction != 0:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    if (np.asarray(norm._data if isinstance(norm, Tensor) else norm) <= 0).any():
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = 0 if not isinstance(norm, Tensor) else norm * 0
    x = x - avg.unsqueeze(1)
    return x.mm((x if w is None else x * w).t()).div(norm).squeeze()


@public()
def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients: the covariance scaled by the standard deviations."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.view(-1, 1)
    return (c / std.view(1, -1)).clip(-1, 1)


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0,
                "use_mm_for_euclid_dist": 1, "donot_use_mm_for_euclid_dist": 2}


@public(method=False)
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between the rows of ``x1`` and ``x2`` (batched)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if _reg._autocast is not None:  # cdist is an autocast entry point (float32 on CPU)
        x1, x2 = _reg.autocast_args("cdist", x1, x2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind not in "fV":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_st(t._data.dtype)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. "
                           f"X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {_st(x1._data.dtype)} but found "
                           f"{_st(x2._data.dtype)}")
    mode = _CDIST_MODES[compute_mode]
    if p == 2 and (mode == 1 or (mode == 0 and (x1.shape[-2] > 25 or x2.shape[-2] > 25))):
        # torch's matrix-multiply method: |a|^2 - 2ab + |b|^2 in one product, clamped.
        n1 = x1.pow(2).sum(-1, keepdim=True)
        n2 = x2.pow(2).sum(-1, keepdim=True)
        a = S.cat([x1.mul(-2), n1, C.ones_like(n1)], -1)
        b = S.cat([x2, C.ones_like(n2), n2], -1)
        return a.matmul(b.mT).clamp_min(1e-30).sqrt()
    if x1._data.dtype in _HALF_NP and x1._data.size and x2._data.size:
        # torch's direct kernel has no half types (its mm path and empty early-outs have)
        raise NotImplementedError(f"\"cdist\" not implemented for '{_st(x1._data.dtype)}'")
    broadcast_shapes(x1.shape[:-2], x2.shape[:-2])  # torch's error on a batch clash
    return apply(_cdist_forward, (x1, x2), (x1._data, x2._data), {"p": float(p)})


@prim("_cdist_forward", backward="CdistBackward0")
def _cdist_forward(x1, x2, *, p):
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    if diff.shape[-1] == 0:  # no columns: every distance is 0
        return np.zeros(diff.shape[:-1], x1.dtype)
    return _red._vector_norm_np(diff, p, -1, False, x1.dtype)


def _cdist_diff_grad(grad, x1, x2, result, p):
    # the gradient with respect to the pairwise differences (the p-norm's backward)
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _red._norm_grad(grad, diff, result, p, (diff.ndim - 1,), False)


def _cdist_x1(grad, x1, x2, result, p):
    g = _cdist_diff_grad(grad, x1, x2, result, p)
    return C.zeros_like(x1) if g is None else g.sum(-2)  # p=0: a zero gradient


def _cdist_x2(grad, x1, x2, result, p):
    g = _cdist_diff_grad(grad, x1, x2, result, p)
    return C.zeros_like(x2) if g is None else -g.sum(-3)


_cdist_forward.defvjp(x1=_cdist_x1, x2=_cdist_x2)


@public(method=False)
def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """Vandermonde matrix: the powers of ``x`` as columns (highest first unless increasing)."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = P.promote_types(x.dtype, D.int64)
    if n == 0:
        return C.empty((x.shape[0], 0), dtype=dt)
    col = x.to(dt).unsqueeze(1)
    # torch: a column of ones then n-1 copies of x, multiplied out by a cumulative product.
    res = S.cat([C.ones_like(col), col.expand(x.shape[0], n - 1)], 1).cumprod(1)
    return res if increasing else res.flip(1)


def _slice(t: Tensor, dim: int, start, stop) -> Tensor:
    return t.narrow(dim, start, (t.shape[dim] if stop is None else stop) - start)


def _integral_args(fname: str, y: Tensor, x, dx, dim: int):
    if x is not None and dx is not None:
        raise TypeError(f"{fname}() received an invalid combination of arguments")
    if y.ndim == 0:
        if fname == "cumulative_trapezoid":
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = wrap_dim(dim, y.ndim)
    if isinstance(x, Tensor):
        if x.ndim == 1:
            if x.shape[0] != y.shape[dim]:
                raise RuntimeError(f"{fname}: There must be one `x` value for each sample "
                                   "point")
            x = x.view(*([-1] + [1] * (y.ndim - 1 - dim)))
        x = _slice(x, -1 if x.ndim == 1 else dim, 1, None) - _slice(
            x, -1 if x.ndim == 1 else dim, 0, x.shape[dim] - 1 if x.ndim > 1 else x.shape[0] - 1)
    return x, (1 if dx is None else dx), dim


@public(method=False)
def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Integral of ``y`` along ``dim`` by the trapezoidal rule (spacing ``x`` or ``dx``)."""
    d, dx, dim = _integral_args("trapezoid", y, x, dx, dim)
    if y.shape[dim] == 0:
        return C.zeros(y.shape[:dim] + y.shape[dim + 1:], dtype=y.dtype)  # no history
    if d is None:
        return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx
    return (d * (_slice(y, dim, 1, None) + _slice(y, dim, 0, y.shape[dim] - 1))).sum(dim) / 2.0


@public(method=False)
def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Alias of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


@public(method=False)
def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoidal integral of ``y`` along ``dim``."""
    d, dx, dim = _integral_args("cumulative_trapezoid", y, x, dx, dim)
    if y.shape[dim] == 0:
        return y * (dx / 2.0)
    pairs = _slice(y, dim, 1, None) + _slice(y, dim, 0, y.shape[dim] - 1)
    if d is None:
        return (pairs * (dx / 2.0)).cumsum(dim)
    return (d / 2.0 * pairs).cumsum(dim)


@prim("_pdist_forward", backward="PdistBackward0")
def _pdist_forward(input, *, p, rows):
    i, j = rows
    if input.shape[1] == 0:
        return np.zeros(i.shape, input.dtype)
    return _red._vector_norm_np(input[i] - input[j], p, -1, False, input.dtype)


def _pdist_grad(grad, input, result, p, rows):
    i, j = (C.from_numpy(r) for r in rows)
    g = _red._norm_grad(grad, input[i] - input[j], result, p, (1,), False)
    if g is None:
        return C.zeros_like(input)
    return C.zeros_like(input).index_add(0, i, g).index_add(0, j, -g)


_pdist_forward.defvjp(input=_pdist_grad)


@public(method=False)
def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between every pair of rows i < j (condensed, row-major)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input._data.dtype in _HALF_NP:
        raise NotImplementedError(f"\"pdist\" not implemented for '{_st(input._data.dtype)}'")
    rows = np.triu_indices(input.shape[0], 1)
    return apply(_pdist_forward, (input,), (input._data,), {"p": float(p), "rows": rows})


def linalg_vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803 (torch's name)
    """``linalg.vander``: increasing powers x^0..x^(N-1) along a new last dim (batched)."""
    dt = x._data.dtype
    if dt == _BOOL or dt in _HALF_NP:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {_st(dt)}")
    if x.ndim == 0:
        x = x.reshape(1)
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    x = x.to(P.promote_types(x.dtype, D.int64)).unsqueeze(-1)
    # torch: a column of ones beside the running products of n-1 copies of x
    powers = x.expand(*x.shape[:-1], n - 1).cumprod(-1)
    return S.cat([C.ones_like(x), powers], -1)
