"""nn primitives (family nn_conv): convolution, pooling, padding, upsampling, im2col/col2im.

Spatial kernels work on 2-D images (1-D inputs gain a size-1 height). Convolution is im2col
through ``as_strided`` views plus one batched BLAS product; its input gradient is one product
plus col2im, which accumulates over the kernel offsets (k*k vectorised adds). Prims are named
after torch's ATen ops so that node names and the autocast policy line up with torch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _dtype as D
from .._tensor import Tensor
from . import registry as _reg
from . import shape as _shape
from .registry import apply, prim, public

_HALF = (np.dtype(np.float16), D.bfloat16._np)
_F32 = np.dtype(np.float32)


def _compute_dtype(dt: np.dtype) -> np.dtype:
    """Half types accumulate in float32 (as torch's CPU kernels do)."""
    return _F32 if dt in _HALF else dt


def _legacy(t: Tensor) -> str:
    return f"ember.{D._FROM_NP[t._data.dtype]._legacy}Tensor"


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ---------------------------------------------------------------------------------- kernels
def _pad(x: np.ndarray, lo, hi=None, value=0) -> np.ndarray:
    """Zero (or ``value``) padding of the last ``len(lo)`` dims: ``lo`` before, ``hi``
    (default: the same) after."""
    hi = lo if hi is None else hi
    if not (any(lo) or any(hi)):
        return x
    nd = len(lo)
    sp = x.shape[-nd:]
    out = np.full((*x.shape[:-nd], *(n + a + b for n, a, b in zip(sp, lo, hi))), value,
                  dtype=x.dtype)
    out[(...,) + tuple(slice(a, a + n) for a, n in zip(lo, sp))] = x
    return out


def _cols(xp: np.ndarray, k, s, d, o) -> np.ndarray:
    """im2col of a padded (N, C, *spatial) array: a (N, C, *k, *o) strided view."""
    st = xp.strides
    sp = st[2:]
    return as_strided(xp, (*xp.shape[:2], *k, *o),
                      (st[0], st[1], *(a * b for a, b in zip(sp, d)),
                       *(a * b for a, b in zip(sp, s))), writeable=False)


def _col2im(cols: np.ndarray, padded, k, s, d) -> np.ndarray:
    """Sum a (N, C, *k, *o) array back onto a (N, C, *padded) image (zeros elsewhere): one
    vectorised add per kernel offset."""
    nd = len(k)
    o = cols.shape[2 + nd:]
    out = np.zeros((*cols.shape[:2], *padded), dtype=cols.dtype)
    for off in np.ndindex(*k):
        sl = tuple(slice(i * di, i * di + (oi - 1) * si + 1, si)
                   for i, di, oi, si in zip(off, d, o, s))
        out[(slice(None), slice(None)) + sl] += cols[(slice(None), slice(None)) + off]
    return out


def _crop(a: np.ndarray, p, sizes) -> np.ndarray:
    """a[:, :, p0:p0+n0, p1:p1+n1, ...]: the padding taken off again."""
    return a[(slice(None), slice(None)) + tuple(slice(q, q + n) for q, n in zip(p, sizes))]


def _bshape(nd: int) -> tuple:
    """The shape a per-channel bias takes to broadcast over ``nd`` spatial dims."""
    return (-1,) + (1,) * nd


def _out_size(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _conv_fwd(x, w, b, s, p, d, g):
    """Cross-correlation of (N, C, *sp) ``x`` with (O, C/g, *k) ``w``: (N, O, *o)."""
    n, c = x.shape[:2]
    o_ch, cg = w.shape[:2]
    k = w.shape[2:]
    if s == (1, 1):  # (2-D only)
        kh, kw = k
        cols, wp, oh, ow = _wide_cols(x, (kh, kw), p, d)
        out = _group_mm(w.reshape(g, o_ch // g, cg * kh * kw), cols, n, g)
        out = out.reshape(n, o_ch, oh, wp)[..., :ow]
        if b is not None:
            return out + b.reshape(-1, 1, 1)
        return np.ascontiguousarray(out)
    o = tuple(_out_size(x.shape[2 + i], k[i], s[i], p[i], d[i]) for i in range(len(k)))
    kk = math.prod(k)
    cols = _cols(_pad(x, p), k, s, d, o).reshape(n, c * kk, math.prod(o))
    out = _group_mm(w.reshape(g, o_ch // g, cg * kk), cols, n, g)
    out = out.reshape(n, o_ch, *o)
    if b is not None:
        out += b.reshape(_bshape(len(k)))
    return out


def _group_mm(wg, cols, n, g):
    """(g, A, K) weights times (n, g*K, L) columns: (n, g*A, L), one BLAS call per sample and
    group."""
    if g == 1:
        return np.matmul(wg[0], cols)
    return np.matmul(wg, cols.reshape(n, g, wg.shape[2], -1))


def _wide_cols(x, k, p, d, channel_major: bool = False):
    """Stride-1 im2col with rows as wide as the padded image: for each kernel offset the
    window is one contiguous run of the flattened plane, so the copy moves long runs. Output
    columns ``ow..wp`` are junk the caller drops (or multiplies by zero). The padded copy has
    one spare row so that the last window never reads past the buffer."""
    n, c, h, wd = x.shape
    hp, wp = h + 2 * p[0], wd + 2 * p[1]
    oh, ow = hp - d[0] * (k[0] - 1), wp - d[1] * (k[1] - 1)
    if p == (0, 0):  # only the spare row needs zeros
        xp = np.empty((n, c, hp + 1, wp), dtype=x.dtype)
        xp[:, :, :h] = x
        xp[:, :, h] = 0
    else:
        xp = np.zeros((n, c, hp + 1, wp), dtype=x.dtype)
        xp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd] = x
    sn, sc, sh, sw = xp.strides
    if channel_major:  # (C*kh*kw, N*L): the batch folded into the columns
        cols = as_strided(xp, (c, k[0], k[1], n, oh * wp), (sc, sh * d[0], sw * d[1], sn, sw),
                          writeable=False)
        return cols.reshape(c * k[0] * k[1], n * oh * wp), wp, oh, ow
    cols = as_strided(xp, (n, c, k[0], k[1], oh * wp), (sn, sc, sh * d[0], sw * d[1], sw),
                      writeable=False)
    return cols.reshape(n, c * k[0] * k[1], oh * wp), wp, oh, ow


def _wide_grad(gy, wp):
    """(N, O, oh, ow) gradient widened to rows of ``wp`` with zeros (see ``_wide_cols``)."""
    n, o_ch, oh, ow = gy.shape
    if ow == wp:
        return gy.reshape(n, o_ch, oh * wp)
    gw = np.zeros((n, o_ch, oh, wp), dtype=gy.dtype)
    gw[..., :ow] = gy
    return gw.reshape(n, o_ch, oh * wp)


def _conv_bwd_input(gy, w, in_hw, s, p, d, g, gyw=None):
    """Gradient of ``_conv_fwd`` with respect to its input (of spatial size ``in_hw``)."""
    n, o_ch = gy.shape[:2]
    o = gy.shape[2:]
    cg = w.shape[1]
    k = w.shape[2:]
    kk = math.prod(k)
    wt = w.reshape(g, o_ch // g, cg * kk).transpose(0, 2, 1)
    padded = tuple(a + 2 * q for a, q in zip(in_hw, p))
    if s == (1, 1) and all(oi == a - di * (ki - 1) for oi, a, di, ki in zip(o, padded, d, k)):
        # (2-D only, as s == (1, 1))
        (oh, ow), (kh, kw), (h, wd), (hp, wp) = o, k, in_hw, padded
        # Wide rows: each kernel offset adds one contiguous run per (sample, channel).
        if gyw is None:
            gyw = _wide_grad(gy, wp)
        gc = _group_mm(wt, gyw, n, g).reshape(n, g * cg, kh, kw, oh * wp)
        # The junk columns are W^T times zero, unless a weight is not finite (NaN there
        # would reach the shifted sums): clear them then (checking w is cheap, it is small).
        if gc.dtype.kind == "f" and not np.isfinite(w).all():
            gc.reshape(n, g * cg * kh * kw, oh, wp)[..., ow:] = 0
        return _wide_col2im(gc, hp, wp, d)[:, :, p[0]:p[0] + h, p[1]:p[1] + wd]
    gc = _group_mm(wt, gy.reshape(n, o_ch, math.prod(o)), n, g).reshape(n, g * cg, *k, *o)
    # The padded image is as large as the windows reach (at least the padded input).
    padded = tuple(max(a, (oi - 1) * si + (ki - 1) * di + 1)
                   for a, oi, si, ki, di in zip(padded, o, s, k, d))
    return _crop(_col2im(gc, padded, k, s, d), p, in_hw)


def _wide_col2im(gc, hp: int, wp: int, d) -> np.ndarray:
    """col2im of wide columns (N, C, kh, kw, oh*wp) onto the padded (N, C, hp, wp) image.

    The kernel offsets shift each column row by ``j*dw`` (then ``i*dh*wp``) elements of the
    flattened plane. A strided view that steps one row minus the shift lines the shifted rows
    up, so each sum is one ``np.add.reduce``. What the view reads out of place is zero: the
    junk columns of the wide rows for the ``j`` shifts, the zero tail of ``tb`` for ``i``."""
    n, c, kh, kw, length = gc.shape
    it = gc.itemsize
    s = gc.strides
    v = as_strided(gc, (n, c, kh, kw, length), (s[0], s[1], s[2], (length - d[1]) * it, it),
                   writeable=False)
    r = hp * wp
    tb = np.zeros((n, c, kh, r), dtype=gc.dtype)
    np.add.reduce(v, axis=3, out=tb[..., :length])
    st = tb.strides
    v2 = as_strided(tb, (n, c, kh, r), (st[0], st[1], (r - d[0] * wp) * it, it),
                    writeable=False)
    return np.add.reduce(v2, axis=2).reshape(n, c, hp, wp)


def _conv_bwd_weight(gy, x, w_shape, s, p, d, g, gyw=None):
    """Gradient of ``_conv_fwd`` with respect to its weight."""
    n, o_ch = gy.shape[:2]
    o = gy.shape[2:]
    cg = w_shape[1]
    k = w_shape[2:]
    nd = len(k)
    kk = math.prod(k)
    ckk = g * cg * kk
    # Large weights: one GEMM over the whole batch (columns laid out channel-major), which
    # BLAS runs far faster than many small products; small ones: one product per sample.
    one_gemm = (o_ch // g) * cg * kk >= 4096
    if s == (1, 1) and o[0] == x.shape[2] + 2 * p[0] - d[0] * (k[0] - 1):  # (2-D only)
        (oh, ow), (kh, kw) = o, k
        cols, wp, _, _ = _wide_cols(x, (kh, kw), p, d, one_gemm)
        length = oh * wp
        # Junk columns hold input values that meet zero gradients; an infinite input would
        # turn that into NaN (0 * inf), so clear them when the input is not all finite.
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            cols = cols.copy() if not cols.flags.writeable else cols
            cols.reshape(-1, oh, wp)[..., ow:] = 0
        gy3 = _wide_grad(gy, wp) if gyw is None else gyw
    else:
        cols = _cols(_pad(x, p), k, s, d, o)
        length = math.prod(o)
        if one_gemm:
            cols = cols.transpose(1, *range(2, 2 + nd), 0, *range(2 + nd, 2 + 2 * nd))
            cols = cols.reshape(ckk, n * length)
        else:
            cols = cols.reshape(n, ckk, length)
        gy3 = gy.reshape(n, o_ch, length)
    if one_gemm:
        gy_t = gy3.transpose(1, 0, 2).reshape(g, o_ch // g, n * length)
        cols = cols.reshape(g, cg * kk, n * length)
        gw = np.matmul(gy_t, cols.transpose(0, 2, 1))
        return gw.reshape(w_shape)
    cols = cols.reshape(n, g, cg * kk, length)
    gy4 = gy3.reshape(n, g, o_ch // g, length)
    # One product per sample and group (each a BLAS call), summed over the batch.
    gw = np.add.reduce(np.matmul(gy4, cols.transpose(0, 1, 3, 2)), axis=0)
    return gw.reshape(w_shape)


def _conv_nd(x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution forward on 3-D (1-d conv), 4-D or 5-D arrays."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None, :], w[:, :, None, :]
        stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
        output_padding = (0,) + output_padding
    dt = x.dtype
    ct = _compute_dtype(dt)
    if ct != dt:
        x, w = x.astype(ct), w.astype(ct)
        b = b.astype(ct) if b is not None else None
    if not transposed:
        out = _conv_fwd(x, w, b, stride, padding, dilation, groups)
    else:
        outs = tuple((a - 1) * si - 2 * q + di * (ki - 1) + op + 1 for a, ki, si, q, di, op in
                     zip(x.shape[2:], w.shape[2:], stride, padding, dilation, output_padding))
        out = _conv_bwd_input(x, w, outs, stride, padding, dilation, groups)
        if b is not None:
            out = out + b.reshape(_bshape(len(outs)))
        else:
            out = np.ascontiguousarray(out)
    if ct != dt:
        out = out.astype(dt)
    return out[:, :, 0, :] if one_d else out


def _conv_backward_nd(gy, x, w, need, stride, padding, dilation, transposed, groups):
    """(grad_input, grad_weight, grad_bias) as arrays (None where ``need`` is False)."""
    one_d = x.ndim == 3
    if one_d:
        gy, x, w = gy[:, :, None, :], x[:, :, None, :], w[:, :, None, :]
        stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
    dt = x.dtype
    ct = _compute_dtype(dt)
    if ct != dt:
        gy, x, w = gy.astype(ct), x.astype(ct), w.astype(ct)
    gi = gw = gb = None
    if not transposed:
        gyw = None
        if need[0] and need[1] and stride == (1, 1):  # (2-D only)
            gyw = _wide_grad(gy, x.shape[3] + 2 * padding[1])  # shared by both products
        if need[0]:
            gi = _conv_bwd_input(gy, w, x.shape[2:], stride, padding, dilation, groups, gyw)
        if need[1]:
            gw = _conv_bwd_weight(gy, x, w.shape, stride, padding, dilation, groups, gyw)
    else:
        if need[0]:
            gi = _conv_fwd(gy, w, None, stride, padding, dilation, groups)
            # output_padding below the dilation can leave one more output than input
            gi = gi[(..., *(slice(0, n) for n in x.shape[2:]))]
        if need[1]:
            gw = _conv_bwd_weight(x, gy, w.shape, stride, padding, dilation, groups)
    if need[2]:
        gb = np.add.reduce(gy, axis=(0, *range(2, gy.ndim)))
    res = []
    for a, full in ((gi, True), (gw, True), (gb, False)):
        if a is None:
            res.append(_EMPTY.astype(dt))
            continue
        if one_d and full:
            a = a[:, :, 0, :]
        res.append(np.ascontiguousarray(a, dtype=dt))
    return tuple(res)


_EMPTY = np.empty((0,), dtype=np.float32)


# ---------------------------------------------------------------------------------- convolution
@prim("convolution")
def _convolution(input, weight, bias, *, stride, padding, dilation, transposed, output_padding,
                 groups):
    return _conv_nd(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                    groups)


@_convolution.vjp
def _convolution_vjp(grad, input, weight, stride, padding, dilation, transposed,
                     output_padding, groups, needs_input_grad):
    return _conv_backward(grad, input, weight, stride, padding, dilation, transposed,
                          output_padding, groups, needs_input_grad)


@prim("convolution_backward", nout=3)
def _convolution_backward(grad_output, input, weight, *, stride, padding, dilation, transposed,
                          output_padding, groups, output_mask):
    return _conv_backward_nd(grad_output, input, weight, output_mask, stride, padding, dilation,
                             transposed, groups)


def _conv_backward(grad, input, weight, stride, padding, dilation, transposed, output_padding,
                   groups, mask) -> tuple:
    mask = tuple(bool(m) for m in mask)
    params = {"stride": stride, "padding": padding, "dilation": dilation,
              "transposed": transposed, "output_padding": output_padding, "groups": groups,
              "output_mask": mask}
    res = apply(_convolution_backward, (grad, input, weight),
                (grad._data, input._data, weight._data), params)
    return tuple(r if m else None for r, m in zip(res, mask))


@_convolution_backward.vjp
def _convolution_backward_vjp(grads, grad_output, input, weight, stride, padding, dilation,
                              transposed, output_padding, groups, needs_input_grad):
    # The convolution is bilinear in (input, weight), so every second-order term is again a
    # convolution or a convolution backward with the same parameters.
    ggi, ggw, ggb = grads
    params = (stride, padding, dilation, transposed, output_padding, groups)
    g_go = g_in = g_w = None
    if needs_input_grad[0]:
        if ggi is not None:
            g_go = _conv_raw(ggi, weight, ggb, *params)
        elif ggb is not None:
            g_go = _conv_raw(_zeros_like(input), weight, ggb, *params)
        if ggw is not None:
            t = _conv_raw(input, ggw, None, *params)
            g_go = t if g_go is None else g_go + t
    if needs_input_grad[1] and ggw is not None:
        g_in = _conv_backward(grad_output, input, ggw, *params, (True, False, False))[0]
    if needs_input_grad[2] and ggi is not None:
        g_w = _conv_backward(grad_output, ggi, weight, *params, (False, True, False))[1]
    return g_go, g_in, g_w


def _zeros_like(t: Tensor) -> Tensor:
    from .creation import zeros_like

    return zeros_like(t)


def _conv_raw(input, weight, bias, stride, padding, dilation, transposed, output_padding,
              groups) -> Tensor:
    # (Keeping the forward's im2col columns alive for the weight gradient was tried: the
    # long-lived buffer fragments the heap and page faults cost more than the copy it saves.)
    params = {"stride": stride, "padding": padding, "dilation": dilation,
              "transposed": transposed, "output_padding": output_padding, "groups": groups}
    return apply(_convolution, (input, weight, bias),
                 (input._data, weight._data, None if bias is None else bias._data), params)


def _expand(v, n: int) -> tuple:
    """An int (or a one-element list) repeated to ``n`` values, as torch's IntArrayRef[n]."""
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(x) for x in v)
    return v * n if len(v) == 1 and n > 1 else v


def _tuple(v, n: int, name: str) -> tuple:
    v = _expand(v, n)
    if len(v) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to match the "
            f"convolution dimensions, but got {name}={list(v)}"
        )
    return v


def _check_conv(input: Tensor, weight: Tensor, bias, stride, padding, dilation, transposed,
                output_padding, groups) -> None:
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"Input type ({_legacy(input)}) and weight type ({_legacy(weight)}) should be the same "
            "or input should be a MKLDNN tensor and weight is a dense tensor"
        )
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(
            f"Input type ({_legacy(input)}) and bias type ({_legacy(bias)}) should be the same "
            "or input should be a MKLDNN tensor and bias is a dense tensor"
        )
    if any(v <= 0 for v in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(v < 0 for v in padding):
        raise RuntimeError("negative padding is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.ndim != x.ndim:
        raise RuntimeError(
            f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight "
            f"{_sizes(w.shape)}, but got {x.ndim}-dimensional input of size {_sizes(x.shape)} "
            "instead"
        )
    if not transposed:
        if w.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                f"0, but got weight of size {_sizes(w.shape)} instead"
            )
        if x.shape[1] != w.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {_sizes(w.shape)}, expected "
                f"input{_sizes(x.shape)} to have {w.shape[1] * groups} channels, but got "
                f"{x.shape[1]} channels instead"
            )
        if bias is not None and (bias._data.ndim != 1 or bias._data.shape[0] != w.shape[0]):
            raise RuntimeError(
                f"Given weight of size {_sizes(w.shape)}, expected bias to be 1-dimensional with "
                f"{w.shape[0]} elements, but got bias of size {_sizes(bias._data.shape)} instead"
            )
        padded = [x.shape[2 + i] + 2 * padding[i] for i in range(x.ndim - 2)]
        eff = [dilation[i] * (w.shape[2 + i] - 1) + 1 for i in range(x.ndim - 2)]
        if any(a < b for a, b in zip(padded, eff)):
            raise RuntimeError(
                "Calculated padded input size per channel: ("
                + " x ".join(str(v) for v in padded) + "). Kernel size: ("
                + " x ".join(str(v) for v in eff)
                + "). Kernel size can't be greater than actual input size"
            )
    else:
        if x.shape[1] != w.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(w.shape)}, expected "
                f"input{_sizes(x.shape)} to have {w.shape[0]} channels, but got {x.shape[1]} "
                "channels instead"
            )
        if bias is not None and (bias._data.ndim != 1
                                 or bias._data.shape[0] != w.shape[1] * groups):
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(w.shape)}, expected bias to be "
                f"1-dimensional with {w.shape[1] * groups} elements, but got bias of size "
                f"{_sizes(bias._data.shape)} instead"
            )
        ins = x.shape[2:]
        outs = [(ins[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (w.shape[2 + i] - 1)
                + output_padding[i] + 1 for i in range(len(ins))]
        if any(o < 1 for o in outs):
            raise RuntimeError(
                "Given input size per channel: (" + " x ".join(str(v) for v in ins)
                + "). Calculated output size per channel: (" + " x ".join(str(v) for v in outs)
                + "). Output size is too small")
        if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
            names = ("depth", "height", "width")[-len(stride):]
            # torch reports every dimension's values in one message
            parts = [f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
            parts += [f"stride_{n}: {v}" for n, v in zip(names, stride)]
            parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation)]
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                + " ".join(parts)
            )


_SAME_WARNED: list = []


def _conv_call(name: str, nd: int, input, weight, bias, stride, padding, dilation, groups,
               transposed=False, output_padding=0) -> Tensor:
    """conv1d/conv2d/conv_transpose: torch's argument handling, unbatched inputs, 'same'."""
    # conv* are autocast entry points in torch: cast before the dtype checks
    input, weight, bias = _reg.autocast_args(name, input, weight, bias)
    x = input._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_sizes(x.shape)}"
        )
    kd = weight._data.ndim - 2
    # torch expands the arguments to the function's dims, then checks them against the weight
    stride = _tuple(_expand(stride, nd), kd, "stride")
    if not isinstance(padding, str):
        padding = _tuple(_expand(padding, nd), kd, "padding")
    dilation = _tuple(_expand(dilation, nd), kd, "dilation")
    output_padding = _tuple(output_padding, kd, "output_padding")
    extra = None
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * kd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dilation[i] * (weight._data.shape[2 + i] - 1) for i in range(kd)]
            padding = tuple(t // 2 for t in total)
            if any(t % 2 for t in total):
                extra = [t - 2 * (t // 2) for t in total]  # one more on the right, as torch
                if not _SAME_WARNED:  # torch warns once per process (TORCH_WARN_ONCE)
                    _SAME_WARNED.append(True)
                    warnings.warn(
                        "Using padding='same' with even kernel lengths and odd dilation may "
                        "require a zero-padded copy of the input be created (Triggered "
                        "internally at "
                        "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)",
                        UserWarning, stacklevel=3)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    unbatched = x.ndim == nd + 1
    if unbatched:
        input = _shape.unsqueeze(input, 0)
    if extra is not None:
        pad = []
        for e in reversed(extra):
            pad += [0, e]
        input = constant_pad_nd(input, pad, 0)
    _check_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups)
    out = _conv_raw(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                    groups)
    return _shape.squeeze(out, 0) if unbatched else out


@public(method=False)
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L) or (C, L) inputs."""
    return _conv_call("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@public(method=False)
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) or (C, H, W) inputs."""
    return _conv_call("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@public(method=False)
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _conv_call("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@public(method=False)
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _conv_call("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation,
                      groups, True, output_padding)


@public(method=False)
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution (the gradient of conv2d with respect to its input)."""
    return _conv_call("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation,
                      groups, True, output_padding)


@public(method=False)
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution (the gradient of conv3d with respect to its input)."""
    return _conv_call("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation,
                      groups, True, output_padding)


@public(method=False)
def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation,
                transposed: bool, output_padding, groups: int) -> Tensor:
    """ATen's generic convolution (batched 3-D or 4-D inputs)."""
    kd = weight._data.ndim - 2
    stride = _tuple(stride, kd, "stride")
    padding = _tuple(padding, kd, "padding")
    dilation = _tuple(dilation, kd, "dilation")
    output_padding = _tuple(output_padding, kd, "output_padding")
    _check_conv(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups)
    return _conv_raw(input, weight, bias, stride, padding, dilation, bool(transposed),
                     output_padding, groups)


# ---------------------------------------------------------------------------------- pooling
def _pool_out(size: int, k: int, p: int, s: int, d: int, ceil: bool) -> int:
    """torch's pooling_output_shape."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _as3(x: np.ndarray) -> np.ndarray:
    """Leading dims folded into one: (B, H, W)."""
    return x.reshape(-1, *x.shape[-2:])


def _windows(xp, k, s, d, o):
    """(B, *o, *k) strided windows of a padded (B, *spatial) array."""
    st = xp.strides
    return as_strided(xp, (xp.shape[0], *o, *k),
                      (st[0], *(a * b for a, b in zip(st[1:], s)),
                       *(a * b for a, b in zip(st[1:], d))), writeable=False)


def _pool_pad(xb, k, s, p, d, o, value):
    """Pad (B, *spatial) by ``p`` before and far enough after for every window."""
    hi = tuple(max((oi - 1) * si + (ki - 1) * di + 1 - n - pi, 0)
               for n, ki, si, pi, di, oi in zip(xb.shape[1:], k, s, p, d, o))
    return _pad(xb, p, hi, value)


def _flat_offsets(axes, sizes) -> np.ndarray:
    """sum_a axes[a] * (row-major stride of dim a in ``sizes``), over the outer product of the
    1-D ``axes``: flat plane indices of a grid of positions."""
    nd = len(axes)
    st = np.cumprod((1, *sizes[:0:-1]))[::-1]
    tot = np.zeros((1,) * nd, dtype=np.int64)
    for a, (v, sa) in enumerate(zip(axes, st)):
        tot = tot + (v * int(sa)).reshape([-1 if b == a else 1 for b in range(nd)])
    return tot


def _lowest(dt: np.dtype):
    if dt.kind == "f" or dt in _HALF:
        return -np.inf
    return np.iinfo(dt).min


def _max_pool_nd(x, k, s, p, d, ceil_mode) -> tuple:
    """Max pool over the last ``len(k)`` dims: (values, flat indices into each input plane)."""
    nd = len(k)
    sp = x.shape[-nd:]
    o = tuple(_pool_out(n, ki, pi, si, di, ceil_mode) for n, ki, pi, si, di in zip(sp, k, p, s, d))
    xp = _pool_pad(x.reshape(-1, *sp), k, s, p, d, o, _lowest(x.dtype))
    ext = [(oi - 1) * si + 1 for oi, si in zip(o, s)]

    def view(off):
        return xp[(slice(None),) + tuple(slice(i * di, i * di + e, si)
                                         for i, di, e, si in zip(off, d, ext, s))]

    # A running max over the kernel offsets, each a strided view (no window copies). torch
    # keeps the first maximum, except that a NaN always wins: `v > m or isnan(v)`.
    out = view((0,) * nd).copy()
    kk = math.prod(k)
    adt = np.int8 if kk <= 127 else np.int64  # small offset numbers: cheap blends
    arg = np.zeros(out.shape, dtype=adt)
    isf = out.dtype.kind == "f" or out.dtype in _HALF
    for n_off, off in enumerate(np.ndindex(*k)):
        if n_off == 0:
            continue
        v = view(off)
        upd = v > out
        if isf:
            upd |= np.isnan(v)
        arg += upd.astype(adt) * (adt(n_off) - arg)  # np.where is several times slower
        np.maximum(out, v, out=out)  # NaN propagates, as torch's max does
    offs = _flat_offsets([np.arange(ki) * di for ki, di in zip(k, d)], sp).ravel()
    base = _flat_offsets([np.arange(oi) * si - pi for oi, si, pi in zip(o, s, p)], sp)
    idx = base + offs[arg.astype(np.intp)]
    lead = x.shape[:-nd]
    return out.reshape(*lead, *o), idx.reshape(*lead, *o)


def _scatter_max(grad, idx, in_shape, overlap: bool, nd: int = 2) -> np.ndarray:
    """Gradient of a max pool: ``grad`` sent to the flat ``idx`` of each input plane (the
    last ``nd`` dims)."""
    hw = math.prod(in_shape[-nd:])
    b = math.prod(in_shape[:-nd])
    n_out = math.prod(grad.shape[-nd:])
    g = grad.reshape(b, n_out)
    ix = idx.reshape(b, n_out)
    if not overlap:  # windows do not overlap: each input cell receives at most one gradient
        out = np.zeros((b, hw), dtype=grad.dtype)
        np.put_along_axis(out, ix, g, axis=1)
        return out.reshape(in_shape)
    flat = (ix + (np.arange(b) * hw)[:, None]).ravel()
    out = np.bincount(flat, weights=g.ravel().astype(np.float64), minlength=b * hw)
    return out.astype(grad.dtype).reshape(in_shape)


def _pool_overlap(k, s, d) -> bool:
    return any(si < (ki - 1) * di + 1 for ki, si, di in zip(k, s, d))


def _gather_flat(src: Tensor, indices: Tensor, nd: int = 2) -> Tensor:
    """src[..., idx] over flattened input planes: the max-pool gradient's own gradient."""
    flat = src.flatten(-nd)
    return flat.gather(-1, indices.flatten(-nd)).view(indices.shape)


def _wrap_idx(a: np.ndarray) -> Tensor:
    from .._tensor import _wrap

    return _wrap(a)


def _make_max_pool_prims(nd: int) -> tuple:
    """max_pool{nd}d_with_indices and its backward (torch's ops and node names)."""

    @prim(f"max_pool{nd}d_with_indices", nout=2,
          backward=f"MaxPool{nd}DWithIndicesBackward0")
    def fwd(self, *, kernel_size, stride, padding, dilation, ceil_mode, cache):
        out, idx = _max_pool_nd(self, kernel_size, stride, padding, dilation, ceil_mode)
        # The backward reads the indices from here, not from a saved output: torch saves
        # only the indices, so an in-place op on the pooled values (relu_) must stay legal.
        cache.append(idx)
        return out, idx

    @prim(f"max_pool{nd}d_with_indices_backward",
          backward=f"MaxPool{nd}DWithIndicesBackwardBackward0")
    def bwd(grad_output, indices, *, self_shape, overlap):
        return _scatter_max(grad_output, indices, self_shape, overlap, nd)

    bwd.defvjp(grad_output=lambda grad, indices: _gather_flat(grad, indices, nd))

    def vjp(grads, self_shape, cache, kernel_size, stride, dilation):
        g = grads[0]
        idx = _wrap_idx(cache[0])
        return apply(bwd, (g, idx), (g._data, idx._data),
                     {"self_shape": self_shape,
                      "overlap": _pool_overlap(kernel_size, stride, dilation)})

    fwd.defvjp(self=vjp)
    return fwd, bwd


_max_pool2d_with_indices, _max_pool2d_with_indices_backward = _make_max_pool_prims(2)
_max_pool3d_with_indices, _max_pool3d_with_indices_backward = _make_max_pool_prims(3)


def _pool_args(name, kernel_size, stride, padding, dilation=1):
    k = _tuple2(kernel_size, name, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple2(stride, name, "stride")
    p = _tuple2(padding, name, "padding")
    d = _tuple2(dilation, name, "dilation")
    return k, s, p, d


def _tuple2(v, name, what) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v), int(v))
    v = tuple(int(x) for x in v)
    if len(v) == 1:
        return v * 2
    if len(v) != 2:
        raise RuntimeError(
            f"{name}: {what} must either be a single int, or a tuple of two ints"
        )
    return v


def _check_pool(name: str, x: np.ndarray, k, s, p, d, o, check_dilation=True) -> None:
    if any(v <= 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got kH: "
                           f"{k[0]} kW: {k[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if check_dilation and any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    if x.ndim not in (3, 4) or any(v == 0 for v in x.shape[1:]):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    for ki, pi, di in zip(k, p, d):
        if pi > ((ki - 1) * di + 1) // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={pi}, kernel_size={ki} and dilation={di}"
            )
    if o[0] < 1 or o[1] < 1:
        c = x.shape[-3]
        raise RuntimeError(
            f"Given input size: ({c}x{x.shape[-2]}x{x.shape[-1]}). Calculated output size: "
            f"({c}x{o[0]}x{o[1]}). Output size is too small"
        )


def _max_pool2d_impl(input: Tensor, kernel_size, stride, padding, dilation, ceil_mode,
                     name="max_pool2d") -> tuple:
    k, s, p, d = _pool_args(name, kernel_size, stride, padding, dilation)
    x = input._data
    h, w = x.shape[-2:] if x.ndim >= 2 else (0, 0)
    o = (_pool_out(h, k[0], p[0], s[0], d[0], ceil_mode) if k[0] > 0 and s[0] > 0 else 0,
         _pool_out(w, k[1], p[1], s[1], d[1], ceil_mode) if k[1] > 0 and s[1] > 0 else 0)
    _check_pool(name, x, k, s, p, d, o)
    return apply(_max_pool2d_with_indices, (input,), (x,),
                 {"kernel_size": k, "stride": s, "padding": p, "dilation": d,
                  "ceil_mode": bool(ceil_mode), "cache": []})


@public(method=False)
def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """2-D max pooling over (N, C, H, W) or (C, H, W) inputs."""
    out, idx = _max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


@public(method=False)
def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False) -> tuple:
    """1-D max pooling returning (values, indices)."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def _dims_error(x: np.ndarray, name: str) -> RuntimeError:
    return RuntimeError(
        f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
        f"(while checking arguments for {name})")


_ONE_MSG = {
    "kernel_size":
        "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1",
    "stride": "max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1",
    "padding": "max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1",
    "dilation": "max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1",
}


def _one(v, name):
    if isinstance(v, (int, np.integer)):
        return (1, int(v))
    v = tuple(v)
    if len(v) != 1:
        raise RuntimeError(f"{_ONE_MSG[name]} but got size {len(v)}")
    return (1, int(v[0]))


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, checks=False):
    x = input._data
    if x.ndim not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{_sizes(x.shape)}")
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "stride")
    p = (0, _one(padding, "padding")[1])
    d = _one(dilation, "dilation")
    if checks:  # torch.max_pool1d's own argument checks (the _with_indices form has 2-D ones)
        if k[1] <= 0:
            raise RuntimeError(
                f"max_pool1d() kernel_size must be greater than zero, but got {k[1]}")
        if s[1] <= 0:
            raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s[1]}")
        if p[1] < 0:
            raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p[1]}")
        if p[1] > k[1] // 2:
            raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but "
                               f"got padding={p[1]} and kernel_size={k[1]}")
        if d[1] <= 0:
            raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d[1]}")
        ow = _pool_out(x.shape[-1], k[1], p[1], s[1], d[1], ceil_mode)
        if ow <= 0:
            raise RuntimeError(f"max_pool1d() Invalid computed output size: {ow}")
    out, idx = _max_pool2d_impl(_shape.unsqueeze(input, -2), k, s, p, d, ceil_mode)
    return _shape.squeeze(out, -2), _shape.squeeze(idx, -2)


@public(method=False)
def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """1-D max pooling over (N, C, L) or (C, L) inputs."""
    out, idx = _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)
    return (out, idx) if return_indices else out


# ---- average pooling
def _avg_divisor(sp, k, s, p, o, count_include_pad, divisor_override, dt):
    """The divisors (shape ``o``) of an average pool (torch's rules for padding and
    ceil_mode): a product of per-axis window lengths."""
    if divisor_override:
        return None
    nd = len(k)
    tot = np.ones((1,) * nd, dtype=np.int64)
    for a in range(nd):
        st = np.arange(o[a]) * s[a] - p[a]
        en = np.minimum(st + k[a], sp[a] + p[a])
        c = en - st if count_include_pad else np.minimum(en, sp[a]) - np.maximum(st, 0)
        tot = tot * c.reshape([-1 if b == a else 1 for b in range(nd)])
    return tot.astype(dt)


def _avg_pool_nd(x, k, s, p, ceil_mode, count_include_pad, divisor_override):
    nd = len(k)
    dt = x.dtype
    ct = _compute_dtype(dt)
    sp = x.shape[-nd:]
    ones = (1,) * nd
    o = tuple(_pool_out(n, ki, pi, si, 1, ceil_mode) for n, ki, pi, si in zip(sp, k, p, s))
    xb = x.reshape(-1, *sp).astype(ct, copy=False)
    win = _windows(_pool_pad(xb, k, s, p, ones, o, 0), k, s, ones, o)
    axes = tuple(range(1 + nd, 1 + 2 * nd))
    tot = np.add.reduce(win, axis=axes) if ct.kind == "f" else win.sum(axis=axes)
    div = _avg_divisor(sp, k, s, p, o, count_include_pad, divisor_override, ct)
    if ct.kind == "f":
        out = tot / (divisor_override if div is None else div)
    else:
        out = tot // (divisor_override if div is None else div.astype(np.int64))
    return out.astype(dt, copy=False).reshape(*x.shape[:-nd], *o)


def _avg_pool_nd_backward(g, self_shape, k, s, p, ceil_mode, count_include_pad,
                          divisor_override):
    nd = len(k)
    dt = g.dtype
    ct = _compute_dtype(dt)
    sp = self_shape[-nd:]
    o = g.shape[-nd:]
    div = _avg_divisor(sp, k, s, p, o, count_include_pad, divisor_override, ct)
    gb = g.reshape(-1, *o).astype(ct, copy=False)
    gb = gb / (divisor_override if div is None else div)
    padded = tuple(max(n + 2 * pi, (oi - 1) * si + ki) for n, pi, oi, si, ki in zip(sp, p, o, s, k))
    cols = np.broadcast_to(gb.reshape(gb.shape[0], 1, *(1,) * nd, *o), (gb.shape[0], 1, *k, *o))
    gi = _crop(_col2im(cols, padded, k, s, (1,) * nd), p, sp)[:, 0]
    return np.ascontiguousarray(gi, dtype=dt).reshape(self_shape)


def _avg_params(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    return {"kernel_size": kernel_size, "stride": stride, "padding": padding,
            "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
            "divisor_override": divisor_override}


def _make_avg_pool_prims(nd: int) -> tuple:
    """avg_pool{nd}d and its backward, each the other's gradient (both are linear)."""

    @prim(f"avg_pool{nd}d", backward=f"AvgPool{nd}DBackward0")
    def fwd(self, *, kernel_size, stride, padding, ceil_mode, count_include_pad,
            divisor_override):
        return _avg_pool_nd(self, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            divisor_override)

    @prim(f"avg_pool{nd}d_backward", backward=f"AvgPool{nd}DBackwardBackward0")
    def bwd(grad_output, *, self_shape, kernel_size, stride, padding, ceil_mode,
            count_include_pad, divisor_override):
        return _avg_pool_nd_backward(grad_output, self_shape, kernel_size, stride, padding,
                                     ceil_mode, count_include_pad, divisor_override)

    fwd.defvjp(
        self=lambda grad, self_shape, kernel_size, stride, padding, ceil_mode,
        count_include_pad, divisor_override: apply(
            bwd, (grad,), (grad._data,),
            dict(_avg_params(kernel_size, stride, padding, ceil_mode, count_include_pad,
                             divisor_override), self_shape=self_shape)),
    )
    bwd.defvjp(
        grad_output=lambda grad, kernel_size, stride, padding, ceil_mode, count_include_pad,
        divisor_override: apply(
            fwd, (grad,), (grad._data,),
            _avg_params(kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override)),
    )
    return fwd, bwd


_avg_pool2d, _avg_pool2d_backward = _make_avg_pool_prims(2)
_avg_pool3d, _avg_pool3d_backward = _make_avg_pool_prims(3)


def _avg_pool2d_impl(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, name="avg_pool2d"):
    k, s, p, _ = _pool_args(name, kernel_size, stride, padding)
    x = input._data
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    h, w = x.shape[-2:] if x.ndim >= 2 else (0, 0)
    o = (_pool_out(h, k[0], p[0], s[0], 1, ceil_mode) if k[0] > 0 and s[0] > 0 else 0,
         _pool_out(w, k[1], p[1], s[1], 1, ceil_mode) if k[1] > 0 and s[1] > 0 else 0)
    _check_pool(name, x, k, s, p, (1, 1), o)
    return apply(_avg_pool2d, (input,), (x,),
                 _avg_params(k, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override))


@public(method=False)
def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L) inputs."""
    x = input._data
    if x.ndim not in (2, 3):
        raise _dims_error(x, "avg_pool1d")
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _one(stride, "stride")
    p = (0, _one(padding, "padding")[1])
    out = _avg_pool2d_impl(_shape.unsqueeze(input, -2), k, s, p, ceil_mode, count_include_pad,
                           None)
    return _shape.squeeze(out, -2)


# ---- 3-D max and average pooling
_POOL3_MSG = {
    ("max_pool3d", "kernel_size"): "must either be a single int, or a tuple of three ints",
    ("max_pool3d", "stride"): "must either be omitted, a single int, or a tuple of three ints",
    ("max_pool3d", "padding"): "must either be a single int, or a tuple of three ints",
    ("max_pool3d", "dilation"): "must be either a single int, or a tuple of three ints",
    ("avg_pool3d", "kernel_size"): "must be a single int, or a tuple of three ints",
    ("avg_pool3d", "stride"): "must be omitted, a single int, or a tuple of three ints",
    ("avg_pool3d", "padding"): "must be a single int, or a tuple of three ints",
}


def _tuple3(v, name: str, what: str) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * 3
    v = tuple(int(x) for x in v)
    if len(v) == 1:
        return v * 3
    if len(v) != 3:
        raise RuntimeError(f"{name}: {what} {_POOL3_MSG[name, what]}")
    return v


def _pool3d_args(name, kernel_size, stride, padding, dilation=1) -> tuple:
    k = _tuple3(kernel_size, name, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple3(stride, name, "stride")
    return k, s, _tuple3(padding, name, "padding"), _tuple3(dilation, name, "dilation")


def _check_pool3d(x: np.ndarray, k, s, p, d, ceil_mode, avg: bool) -> tuple:
    """torch's 3-D pooling checks, in its order (the output size first); the output size."""
    sp = x.shape[-3:] if x.ndim >= 3 else (0, 0, 0)
    o = []
    for n, ki, si, pi, di in zip(sp, k, s, p, d):
        if si == 0:
            raise RuntimeError("stride should not be zero")
        if pi < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pi}")
        if pi > int(((ki - 1) * di + 1) / 2):  # C's division truncates
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={pi}, kernel_size={ki} and dilation={di}")
        o.append(_pool_out(n, ki, pi, si, di, ceil_mode))
    if any(v <= 0 for v in k):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kT: {k[0]} kH: {k[1]} kW: {k[2]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(
            f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} dW: {s[2]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} "
                           f"dilationH: {d[1]} dilationW: {d[2]}")
    if x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if any(v == 0 for v in x.shape[x.ndim - 4:]):
        fn = "avg_pool3d" if avg else "max_pool3d_with_indices_out_cpu_template"
        # (torch names dimension 0 whichever one is empty)
        raise RuntimeError(
            f"{fn}(): Expected input's non-batch dimensions to have positive length, but input "
            f"has a shape of {_sizes(x.shape)} and non-batch dimension 0 has length zero!")
    if avg and any(n < ki for n, ki in zip(sp, k)):
        raise RuntimeError(f"input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than kernel "
                           f"size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    if any(v < 1 for v in o):
        c = x.shape[-4]
        raise RuntimeError(
            f"Given input size: ({c}x{sp[0]}x{sp[1]}x{sp[2]}). Calculated output size: "
            f"({c}x{o[0]}x{o[1]}x{o[2]}). Output size is too small")
    return tuple(o)


def _max_pool3d_impl(input: Tensor, kernel_size, stride, padding, dilation, ceil_mode) -> tuple:
    k, s, p, d = _pool3d_args("max_pool3d", kernel_size, stride, padding, dilation)
    # an autocast entry point under torch's name (the prim is max_pool3d_with_indices)
    (input,) = _reg.autocast_args("max_pool3d", input)
    x = input._data
    _check_pool3d(x, k, s, p, d, ceil_mode, False)
    return apply(_max_pool3d_with_indices, (input,), (x,),
                 {"kernel_size": k, "stride": s, "padding": p, "dilation": d,
                  "ceil_mode": bool(ceil_mode), "cache": []})


@public(method=False)
def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W) inputs."""
    out, idx = _max_pool3d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def avg_pool3d_impl(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode=False,
                    count_include_pad=True, divisor_override=None) -> Tensor:
    k, s, p, _ = _pool3d_args("avg_pool3d", kernel_size, stride, padding)
    x = input._data
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_pool3d(x, k, s, p, (1, 1, 1), ceil_mode, True)
    return apply(_avg_pool3d, (input,), (x,),
                 _avg_params(k, s, p, bool(ceil_mode), bool(count_include_pad), divisor_override))


# ---- max unpooling
def _make_unpool_prim(nd: int):
    """max_unpool{nd}d: each value written to its flat index of an ``output_size`` plane (a
    repeated index keeps the last value, as torch's CPU kernel does)."""

    @prim(f"max_unpool{nd}d", backward=f"MaxUnpool{nd}DBackward0")
    def fwd(self, indices, *, output_size):
        size = math.prod(output_size)
        lead = self.shape[:-nd]
        b = math.prod(lead)
        n_in = math.prod(self.shape[-nd:])
        ix = indices.reshape(b, n_in)
        bad = ((ix < 0) | (ix >= size)).ravel()
        if bad.any():  # torch reports the last one
            v = int(ix.ravel()[bad.size - 1 - np.argmax(bad[::-1])])
            raise RuntimeError(f"Found an invalid max index: {v} (output volumes are of size "
                               + "x".join(str(n) for n in output_size) + ")")
        out = np.zeros((b, size), dtype=self.dtype)
        np.put_along_axis(out, ix, self.reshape(b, n_in), axis=1)
        return out.reshape(*lead, *output_size)

    fwd.defvjp(self=lambda grad, indices: _gather_flat(grad, indices, nd))
    return fwd


_max_unpool2d = _make_unpool_prim(2)
_max_unpool3d = _make_unpool_prim(3)


def max_unpool_impl(input: Tensor, indices: Tensor, output_size: tuple, nd: int,
                    stride=None) -> Tensor:
    """ATen's max_unpool2d/3d checks and op (``output_size`` already resolved)."""
    x, ix = input._data, indices._data
    if ix.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64" + (
            f" but got: {D._FROM_NP[ix.dtype]._legacy}" if nd == 2 else ""))
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
            f"tensor with {x.ndim} dimensions.")
    if stride is not None and any(v <= 0 for v in stride):
        raise RuntimeError(
            f"strides should be greater than zero, but got stride: {_sizes(stride)}")
    if x.shape != ix.shape:
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({_sizes(x.shape)}"
            f") but got indices tensor with shape: {_sizes(ix.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(
                f"max_unpooling{nd}d_forward_out_cpu(): Expected input to have non-zero size for "
                f"non-batch dimensions, but got {_sizes(x.shape)} with dimension {i} being empty.")
    if not (x.dtype.kind == "f" or x.dtype in _HALF):
        raise NotImplementedError(
            f'"max_unpool{nd}d" not implemented for \'{D._FROM_NP[x.dtype]._legacy}\'')
    return apply(_max_unpool2d if nd == 2 else _max_unpool3d, (input, indices), (x, ix),
                 {"output_size": tuple(int(v) for v in output_size)})


# ---- adaptive pooling
def _adaptive_ranges(size: int, out: int):
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    return start, end


def _adaptive_matrix(size: int, out: int, dt) -> np.ndarray:
    """(out, size) 0/1 matrix of adaptive windows."""
    start, end = _adaptive_ranges(size, out)
    j = np.arange(size)
    return ((j >= start[:, None]) & (j < end[:, None])).astype(dt)


def _along_axes(x: np.ndarray, mats) -> np.ndarray:
    """Each of the last ``len(mats)`` axes of ``x`` multiplied by its (out, in) matrix."""
    nd = len(mats)
    for a, m in enumerate(mats):
        ax = x.ndim - nd + a
        x = np.moveaxis(np.matmul(m, np.moveaxis(x, ax, -2)), -2, ax)
    return x


def _adaptive_mats(sizes, outs, dt) -> tuple:
    """Per-axis window matrices and the (outs) window sizes."""
    mats = [_adaptive_matrix(n, o, dt) for n, o in zip(sizes, outs)]
    cnt = np.ones((1,) * len(mats), dtype=dt)
    for a, m in enumerate(mats):
        cnt = cnt * m.sum(1).reshape([-1 if b == a else 1 for b in range(len(mats))])
    return mats, cnt


def _adaptive_avg_fwd(self, output_size):
    dt = self.dtype
    ct = _compute_dtype(dt)
    nd = len(output_size)
    mats, cnt = _adaptive_mats(self.shape[-nd:], output_size, ct)
    out = _along_axes(self.astype(ct, copy=False), mats)
    return (out / cnt).astype(dt, copy=False)


def _adaptive_avg_bwd(g, self_shape, nd: int):
    # the forward allows empty channels, torch's backward does not
    for i in range(1, g.ndim):
        if g.shape[i] == 0:
            raise RuntimeError(
                f"adaptive_avg_pool{nd}d_backward(): Expected grad_output to have non-zero size "
                f"for non-batch dimensions, but grad_output has sizes {_sizes(g.shape)} with "
                f"dimension {i} being empty")
    dt = g.dtype
    ct = _compute_dtype(dt)
    mats, cnt = _adaptive_mats(self_shape[-nd:], g.shape[-nd:], ct)
    gi = _along_axes(g.astype(ct, copy=False) / cnt, [m.T for m in mats])
    return np.ascontiguousarray(gi.astype(dt, copy=False))


def _adaptive_max_fwd(self, output_size):
    nd = len(output_size)
    sp = self.shape[-nd:]
    xb = self.reshape(-1, *sp)
    taps = [_adaptive_taps(n, o) for n, o in zip(sp, output_size)]  # (o_a, k_a) each
    ks = [t.shape[1] for t in taps]
    # (B, o0, k0, o1, k1, ...) windows by fancy indexing, then (B, *o, k0*k1*...)
    ix = tuple(t.reshape([t.shape[0] if b == 2 * a else t.shape[1] if b == 2 * a + 1 else 1
                          for b in range(2 * nd)]) for a, t in enumerate(taps))
    win = xb[(slice(None),) + ix]
    win = win.transpose(0, *range(1, 2 * nd, 2), *range(2, 2 * nd + 1, 2))
    win = win.reshape(xb.shape[0], *output_size, math.prod(ks))
    am = win.argmax(axis=-1)
    out = np.take_along_axis(win, am[..., None], axis=-1)[..., 0]
    js = np.unravel_index(am, ks)
    st = np.cumprod((1, *sp[:0:-1]))[::-1]
    idx = np.zeros(am.shape, dtype=np.int64)
    for a, (t, j) in enumerate(zip(taps, js)):
        oa = np.arange(output_size[a]).reshape([-1 if b == a else 1 for b in range(nd)])
        idx += t[oa, j] * int(st[a])
    lead = self.shape[:-nd]
    return out.reshape(*lead, *output_size), idx.reshape(*lead, *output_size)


def _make_adaptive_prims(nd: int) -> tuple:
    """_adaptive_avg_pool{nd}d (with its backward) and adaptive_max_pool{nd}d."""

    @prim(f"_adaptive_avg_pool{nd}d", backward=f"AdaptiveAvgPool{nd}DBackward0")
    def avg(self, *, output_size):
        return _adaptive_avg_fwd(self, output_size)

    @prim(f"_adaptive_avg_pool{nd}d_backward",
          backward=f"AdaptiveAvgPool{nd}DBackwardBackward0")
    def avg_bwd(grad_output, *, self_shape):
        return _adaptive_avg_bwd(grad_output, self_shape, nd)

    avg.defvjp(self=lambda grad, self_shape: apply(avg_bwd, (grad,), (grad._data,),
                                                   {"self_shape": self_shape}))
    avg_bwd.defvjp(grad_output=lambda grad, grad_output_shape: apply(
        avg, (grad,), (grad._data,), {"output_size": tuple(grad_output_shape[-nd:])}))

    @prim(f"adaptive_max_pool{nd}d", nout=2, backward=f"AdaptiveMaxPool{nd}DBackward0")
    def amax(self, *, output_size, cache):
        out, idx = _adaptive_max_fwd(self, output_size)
        cache.append(idx)
        return out, idx

    @prim(f"adaptive_max_pool{nd}d_backward",
          backward=f"AdaptiveMaxPool{nd}DBackwardBackward0")
    def amax_bwd(grad_output, indices, *, self_shape):
        return _scatter_max(grad_output, indices, self_shape, True, nd)

    amax_bwd.defvjp(grad_output=lambda grad, indices: _gather_flat(grad, indices, nd))

    def amax_vjp(grads, self_shape, cache):
        g = grads[0]
        idx = _wrap_idx(cache[0])
        return apply(amax_bwd, (g, idx), (g._data, idx._data), {"self_shape": self_shape})

    amax.defvjp(self=amax_vjp)
    return avg, avg_bwd, amax


_adaptive_avg_pool2d, _adaptive_avg_pool2d_backward, _adaptive_max_pool2d = \
    _make_adaptive_prims(2)
_adaptive_avg_pool3d, _adaptive_avg_pool3d_backward, _adaptive_max_pool3d = \
    _make_adaptive_prims(3)


def _adaptive_taps(size: int, out: int) -> np.ndarray:
    """(out, kmax) input positions of each adaptive window, the last one repeated to pad
    shorter windows (a repeat cannot change a max, and comes after the first occurrence)."""
    start, end = _adaptive_ranges(size, out)
    kmax = int((end - start).max()) if out else 0
    return np.minimum(start[:, None] + np.arange(kmax), (end - 1)[:, None])


def _adaptive_size(x: np.ndarray, output_size, nd: int, length_error: str) -> tuple:
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) != nd:
        raise RuntimeError(length_error)
    # None keeps the input's size
    return tuple(x.shape[-nd + i] if v is None else int(v) for i, v in enumerate(output_size))


def _check_nonempty(name: str, shape: tuple, dims) -> None:
    """torch's error for the first empty dimension among ``dims``."""
    for i in dims:
        if shape[i] == 0:
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_sizes(shape)} with dimension {i} being empty")


def adaptive_avg_pool_impl(input: Tensor, output_size, nd: int = 2) -> Tensor:
    name = f"adaptive_avg_pool{nd}d"
    if nd == 3:  # an autocast entry point under torch's name (the prim is _adaptive_...)
        (input,) = _reg.autocast_args(name, input)
    x = input._data
    # torch checks output_size first, then the dims; which dims must be non-empty: the
    # spatial ones in 2-D, all but the first in 3-D
    o = _adaptive_size(x, output_size, nd, f"{name}: output_size must be {nd}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {_sizes(x.shape)}")
    _check_nonempty(name, x.shape, range(x.ndim - nd, x.ndim) if nd == 2 else range(1, x.ndim))
    if o == (1,) * nd:  # torch takes the mean here (MeanBackward1)
        from .reduction import mean

        return mean(input, tuple(range(-1, -nd - 1, -1)), keepdim=True)
    return apply(_adaptive_avg_pool2d if nd == 2 else _adaptive_avg_pool3d, (input,), (x,),
                 {"output_size": o})


def adaptive_avg_pool2d_impl(input: Tensor, output_size) -> Tensor:
    return adaptive_avg_pool_impl(input, output_size, 2)


def adaptive_max_pool_impl(input: Tensor, output_size, nd: int = 2, name: str | None = None,
                           shape: tuple | None = None) -> tuple:
    """``name`` and the caller's input ``shape`` are adaptive_max_pool1d's, for its errors."""
    x = input._data
    own = f"adaptive_max_pool{nd}d"
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{own}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {_sizes(x.shape)}")
    shape = x.shape if shape is None else shape
    _check_nonempty(name or own, shape, range(1, len(shape)))
    o = _adaptive_size(
        x, output_size, nd, f"{own}(): internal error: output_size.size() must be {nd}")
    return apply(_adaptive_max_pool2d if nd == 2 else _adaptive_max_pool3d, (input,), (x,),
                 {"output_size": o, "cache": []})


def adaptive_max_pool2d_impl(input: Tensor, output_size, name: str = "adaptive_max_pool2d",
                             shape: tuple | None = None) -> tuple:
    return adaptive_max_pool_impl(input, output_size, 2, name, shape)


def _adaptive_1d_size(name: str, x: np.ndarray, output_size) -> tuple:
    """Check a 2-D/3-D input and read output_size as torch's ``int[1]`` argument (elements
    are checked first, by the argument parser, and the length after the input's dims)."""
    if not isinstance(output_size, (int, np.integer)):
        output_size = tuple(output_size)
        for i, v in enumerate(output_size):
            if not isinstance(v, (int, np.integer)):
                raise TypeError(
                    f"{name}(): argument 'output_size' (position 2) must be tuple of ints, but "
                    f"found element of type {type(v).__name__} at pos {i}")
    if x.ndim not in (2, 3):
        raise _dims_error(x, name)
    if isinstance(output_size, (int, np.integer)):
        return (1, int(output_size))
    if len(output_size) != 1:
        raise RuntimeError(
            f"{name}() argument 'output_size' should contain one int (got {len(output_size)})")
    return (1, int(output_size[0]))


@public(method=False)
def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-D adaptive average pooling."""
    x = input._data
    o = _adaptive_1d_size("adaptive_avg_pool1d", x, output_size)
    return _shape.squeeze(adaptive_avg_pool2d_impl(_shape.unsqueeze(input, -2), o), -2)


@public(method=False)
def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False) -> tuple:
    """1-D adaptive max pooling: (values, indices), as torch.adaptive_max_pool1d."""
    x = input._data
    o = _adaptive_1d_size("adaptive_max_pool1d", x, output_size)
    out, idx = adaptive_max_pool2d_impl(_shape.unsqueeze(input, -2), o, "adaptive_max_pool1d",
                                        x.shape)
    return _shape.squeeze(out, -2), _shape.squeeze(idx, -2)


# ---------------------------------------------------------------------------------- padding
@prim("constant_pad_nd")
def _constant_pad_nd(self, *, pad, value):
    x = self
    nd = len(pad) // 2
    new_shape = list(x.shape)
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    for i in range(nd):
        ax = x.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = x.shape[ax]
        new_shape[ax] = size + lo + hi
        src[ax] = slice(max(-lo, 0), size - max(-hi, 0))
        dst[ax] = slice(max(lo, 0), max(lo, 0) + max(size - max(-lo, 0) - max(-hi, 0), 0))
    out = np.full(new_shape, value, dtype=x.dtype)
    if all(s > 0 for s in new_shape):
        out[tuple(dst)] = x[tuple(src)]
    return out


_constant_pad_nd.defvjp(
    self=lambda grad, pad: apply(_constant_pad_nd, (grad,), (grad._data,),
                                 {"pad": tuple(-p for p in pad), "value": 0}),
)


@public(method=False)
def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    """Pad the last len(pad)//2 dims with ``value`` (negative pads crop)."""
    pad = tuple(int(p) for p in pad)
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)}while the input has {x.ndim}dimensions.")
    for i in range(len(pad) // 2):
        size = x.shape[x.ndim - 1 - i]
        new = size + pad[2 * i] + pad[2 * i + 1]
        if new < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return apply(_constant_pad_nd, (input,), (x,), {"pad": pad, "value": value})


def _pad_index(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Source positions of a reflect/replicate/circular padded axis."""
    if mode == "circular":
        # torch crops (negative pads) first, then wraps around what is left
        center = np.arange(max(-lo, 0), size - max(-hi, 0))
        parts = [center]
        if lo > 0:
            parts.insert(0, center[len(center) - lo:])
        if hi > 0:
            parts.append(center[:hi])
        return np.concatenate(parts)
    j = np.arange(-lo, size + hi)
    if mode == "reflect":
        period = 2 * (size - 1)
        if period == 0:
            return np.zeros_like(j)
        j = np.abs(j) % period
        return np.where(j >= size, period - j, j)
    return np.clip(j, 0, size - 1)  # replicate


def _index_maps(shape, pad, mode):
    nd = len(pad) // 2
    return [_pad_index(shape[len(shape) - nd + a], pad[2 * (nd - 1 - a)],
                       pad[2 * (nd - 1 - a) + 1], mode) for a in range(nd)]


def _gather_axes(x: np.ndarray, idxs) -> np.ndarray:
    """x indexed by one integer array per trailing axis (outer product of the maps)."""
    for a, ix in enumerate(idxs):
        x = np.take(x, ix, axis=x.ndim - len(idxs) + a)
    return x


def _scatter_axes(g: np.ndarray, idxs, sizes) -> np.ndarray:
    """The adjoint of ``_gather_axes``: sums each axis back through a 0/1 matrix."""
    dt = g.dtype
    ct = _compute_dtype(dt)
    g = g.astype(ct, copy=False)
    for a, (ix, n) in enumerate(zip(idxs, sizes)):
        ax = g.ndim - len(idxs) + a
        m = np.zeros((len(ix), n), dtype=ct)
        np.add.at(m, (np.arange(len(ix)), ix), 1)
        g = np.moveaxis(np.matmul(np.moveaxis(g, ax, -1), m), -1, ax)
    return np.ascontiguousarray(g, dtype=dt)


def _make_pad_prims(mode: str, name: str, nd: int):
    cname = name.replace("_", " ").title().replace(" ", "")[:-1] + "D"

    @prim(name, backward=f"{cname}Backward0")
    def fwd(self, *, padding):
        return _gather_axes(self, _index_maps(self.shape, padding, mode))

    @prim(name + "_backward", backward=f"{cname}BackwardBackward0")
    def bwd(grad_output, *, self_shape, padding):
        idxs = _index_maps(self_shape, padding, mode)
        return _scatter_axes(grad_output, idxs, self_shape[-nd:])

    fwd.defvjp(self=lambda grad, self_shape, padding: apply(
        bwd, (grad,), (grad._data,), {"self_shape": self_shape, "padding": padding}))
    bwd.defvjp(grad_output=lambda grad, padding: apply(fwd, (grad,), (grad._data,),
                                                      {"padding": padding}))
    return fwd


_PAD_PRIMS = {}
for _mode, _base in (("reflect", "reflection_pad"), ("replicate", "replication_pad"),
                     ("circular", "_pad_circular")):
    for _nd in (1, 2, 3):
        _PAD_PRIMS[_mode, _nd] = _make_pad_prims(
            _mode, f"{_base}{_nd}d" if _mode != "circular" else f"_pad_circular{_nd}d", _nd)


def pad_nonconstant(input: Tensor, pad: tuple, mode: str) -> Tensor:
    x = input._data
    nd = len(pad) // 2
    if not (1 <= nd <= 3 and x.ndim in (nd + 1, nd + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    for i in range(nd):
        dim = x.ndim - 1 - i
        size = x.shape[dim]
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"{_sizes(x.shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError(
                "Padding value causes wrapping around more than once.")
    return apply(_PAD_PRIMS[mode, nd], (input,), (x,), {"padding": pad})


# ---------------------------------------------------------------------------------- upsampling
def _src_scale(in_size: int, out_size: int, align_corners: bool, scale, ct) -> float:
    """torch's area_pixel_compute_scale, in the compute type."""
    if align_corners:
        return ct.type((in_size - 1) / (out_size - 1)) if out_size > 1 else ct.type(0)
    if scale is not None and scale > 0:
        return ct.type(1.0 / scale)
    return ct.type(in_size) / ct.type(out_size)


def _taps(mode: str, in_size: int, out_size: int, align_corners, scale, ct):
    """Per output position: a list of (input index array, weight array or None)."""
    dst = np.arange(out_size)
    if mode == "nearest" and out_size in (in_size, 2 * in_size):
        # torch's shortcuts, which sidestep float rounding whatever the scale says
        return [(dst if out_size == in_size else dst >> 1, None)]
    if mode in ("nearest", "nearest-exact"):
        if scale is not None and scale > 0:
            sc = np.float32(1.0 / scale)
        else:
            sc = np.float32(in_size) / np.float32(out_size)
        if mode == "nearest":
            src = np.floor(dst.astype(np.float32) * sc).astype(np.int64)
        else:
            src = np.floor((dst.astype(np.float32) + np.float32(0.5)) * sc).astype(np.int64)
        return [(np.minimum(src, in_size - 1), None)]
    if mode == "linear" and out_size == in_size:
        return [(dst, None)]  # torch copies a dim whose size is unchanged, whatever the scale
    sc = _src_scale(in_size, out_size, align_corners, scale, ct)
    d = dst.astype(ct)
    if mode == "linear":
        if align_corners:
            src = sc * d
        else:
            src = np.maximum(sc * (d + ct.type(0.5)) - ct.type(0.5), ct.type(0))
        i0 = src.astype(np.int64)
        i1 = i0 + (i0 < in_size - 1)
        l1 = (src - i0).astype(ct)
        l0 = ct.type(1) - l1
        return [(i0, l0), (i1, l1)]
    # cubic (A = -0.75), taps at floor(src) - 1 .. + 2 clamped to the image
    src = sc * d if align_corners else sc * (d + ct.type(0.5)) - ct.type(0.5)
    i = np.floor(src).astype(np.int64)
    t = (src - i).astype(ct)
    a = ct.type(-0.75)

    def c1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def c2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    ws = [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]
    return [(np.clip(i - 1 + n, 0, in_size - 1), ws[n].astype(ct)) for n in range(4)]


def _interp_fwd(x: np.ndarray, taps_per_axis) -> np.ndarray:
    """Separable interpolation, last axis first (torch's order of evaluation)."""
    dt = x.dtype
    nd = len(taps_per_axis)
    if all(w is None for taps in taps_per_axis for _, w in taps):
        return _gather_axes(x, [taps[0][0] for taps in taps_per_axis])
    ct = _compute_dtype(dt)
    y = x.astype(ct, copy=False)
    for a in range(nd - 1, -1, -1):
        ax = y.ndim - nd + a
        shape = [1] * y.ndim
        acc = None
        for ix, w in taps_per_axis[a]:
            shape[ax] = len(ix)
            term = np.take(y, ix, axis=ax)
            if w is not None:
                term = term * w.reshape(shape)
            acc = term if acc is None else acc + term
        y = acc
    return y.astype(dt, copy=False)


def _interp_bwd(g: np.ndarray, taps_per_axis, sizes) -> np.ndarray:
    dt = g.dtype
    ct = _compute_dtype(dt)
    y = g.astype(ct, copy=False)
    nd = len(taps_per_axis)
    for a in range(nd):
        ax = y.ndim - nd + a
        taps = taps_per_axis[a]
        n_out = len(taps[0][0])
        m = np.zeros((n_out, sizes[a]), dtype=ct)
        rows = np.arange(n_out)
        for ix, w in taps:
            np.add.at(m, (rows, ix), 1 if w is None else w)
        y = np.moveaxis(np.matmul(np.moveaxis(y, ax, -1), m), -1, ax)
    return np.ascontiguousarray(y, dtype=dt)


def _all_taps(mode, in_sizes, out_sizes, align_corners, scales, dt):
    ct = np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)
    return [_taps(mode, i, o, align_corners, s, ct)
            for i, o, s in zip(in_sizes, out_sizes, scales)]


def _make_upsample(name: str, mode: str, nd: int, cname: str):
    @prim(name, backward=f"{cname}Backward0")
    def fwd(self, *, output_size, align_corners, scales):
        taps = _all_taps(mode, self.shape[-nd:], output_size, align_corners, scales, self.dtype)
        return _interp_fwd(self, taps)

    @prim(name + "_backward", backward=f"{cname}BackwardBackward0")
    def bwd(grad_output, *, input_size, output_size, align_corners, scales):
        if mode == "cubic" and tuple(input_size[-nd:]) == tuple(output_size):
            # torch's bicubic backward copies when no size changes, though its forward still
            # filters: the same here
            return grad_output.copy()
        taps = _all_taps(mode, input_size[-nd:], output_size, align_corners, scales,
                         grad_output.dtype)
        return _interp_bwd(grad_output, taps, input_size[-nd:])

    fwd.defvjp(self=lambda grad, self_shape, output_size, align_corners, scales: apply(
        bwd, (grad,), (grad._data,),
        {"input_size": self_shape, "output_size": output_size, "align_corners": align_corners,
         "scales": scales}))
    bwd.defvjp(grad_output=lambda grad, output_size, align_corners, scales: apply(
        fwd, (grad,), (grad._data,),
        {"output_size": output_size, "align_corners": align_corners, "scales": scales}))
    return fwd


UPSAMPLE = {}
for _mode, _nm, _cn in (("nearest", "upsample_nearest", "UpsampleNearest"),
                        ("nearest-exact", "_upsample_nearest_exact", "UpsampleNearestExact"),
                        ("linear", "upsample_linear1d", "UpsampleLinear1D"),
                        ("linear", "upsample_bilinear2d", "UpsampleBilinear2D"),
                        ("linear", "upsample_trilinear3d", "UpsampleTrilinear3D"),
                        ("cubic", "upsample_bicubic2d", "UpsampleBicubic2D")):
    if _mode in ("nearest", "nearest-exact"):
        for _nd in (1, 2, 3):
            UPSAMPLE[_mode, _nd] = _make_upsample(f"{_nm}{_nd}d", _mode, _nd, f"{_cn}{_nd}D")
    else:
        _nd = int(_nm[-2])
        UPSAMPLE[_mode, _nd] = _make_upsample(_nm, _mode, _nd, _cn)


# ---------------------------------------------------------------------------------- im2col
@prim("im2col", backward="Im2ColBackward0")
def _im2col(self, *, kernel_size, dilation, padding, stride):
    x = self if self.ndim == 4 else self[None]
    k, d, p, s = kernel_size, dilation, padding, stride
    n, c, h, w = x.shape
    o = (_out_size(h, k[0], s[0], p[0], d[0]), _out_size(w, k[1], s[1], p[1], d[1]))
    cols = _cols(_pad(x, p), k, s, d, o)
    out = cols.reshape(n, c * k[0] * k[1], o[0] * o[1])
    return out if self.ndim == 4 else out[0]


@prim("col2im", backward="Col2ImBackward0")
def _col2im_prim(self, *, output_size, kernel_size, dilation, padding, stride):
    x = self if self.ndim == 3 else self[None]
    k, d, p, s = kernel_size, dilation, padding, stride
    h, w = output_size
    n, ckk, _ = x.shape
    o = (_out_size(h, k[0], s[0], p[0], d[0]), _out_size(w, k[1], s[1], p[1], d[1]))
    dt = x.dtype
    ct = _compute_dtype(dt)
    cols = x.astype(ct, copy=False).reshape(n, ckk // (k[0] * k[1]), k[0], k[1], *o)
    hp = max(h + 2 * p[0], (o[0] - 1) * s[0] + (k[0] - 1) * d[0] + 1)
    wp = max(w + 2 * p[1], (o[1] - 1) * s[1] + (k[1] - 1) * d[1] + 1)
    out = _col2im(cols, (hp, wp), k, s, d)[:, :, p[0]:p[0] + h, p[1]:p[1] + w]
    out = np.ascontiguousarray(out, dtype=dt)
    return out if self.ndim == 3 else out[0]


_im2col.defvjp(self=lambda grad, self_shape, kernel_size, dilation, padding, stride: apply(
    _col2im_prim, (grad,), (grad._data,),
    {"output_size": tuple(self_shape[-2:]), "kernel_size": kernel_size, "dilation": dilation,
     "padding": padding, "stride": stride}))
_col2im_prim.defvjp(self=lambda grad, kernel_size, dilation, padding, stride: apply(
    _im2col, (grad,), (grad._data,),
    {"kernel_size": kernel_size, "dilation": dilation, "padding": padding, "stride": stride}))


# ---------------------------------------------------------------------------------- pixel shuffle
@prim("pixel_shuffle")
def _pixel_shuffle(self, *, upscale_factor):
    r = upscale_factor
    *lead, c, h, w = self.shape
    x = self.reshape(*lead, c // (r * r), r, r, h, w)
    nl = len(lead)
    perm = list(range(nl)) + [nl, nl + 3, nl + 1, nl + 4, nl + 2]
    return np.ascontiguousarray(x.transpose(perm)).reshape(*lead, c // (r * r), h * r, w * r)


@prim("pixel_unshuffle")
def _pixel_unshuffle(self, *, downscale_factor):
    r = downscale_factor
    *lead, c, h, w = self.shape
    x = self.reshape(*lead, c, h // r, r, w // r, r)
    nl = len(lead)
    perm = list(range(nl)) + [nl, nl + 2, nl + 4, nl + 1, nl + 3]
    return np.ascontiguousarray(x.transpose(perm)).reshape(*lead, c * r * r, h // r, w // r)


_pixel_shuffle.defvjp(self=lambda grad, upscale_factor: apply(
    _pixel_unshuffle, (grad,), (grad._data,), {"downscale_factor": upscale_factor}))
_pixel_unshuffle.defvjp(self=lambda grad, downscale_factor: apply(
    _pixel_shuffle, (grad,), (grad._data,), {"upscale_factor": downscale_factor}))


@public(method=False)
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    x = input._data
    r = int(upscale_factor)
    if x.ndim < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if x.shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by {r * r}")
    return apply(_pixel_shuffle, (input,), (x,), {"upscale_factor": r})


@public(method=False)
def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    x = input._data
    r = int(downscale_factor)
    if x.ndim < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if x.shape[-2] % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={x.shape[-2]} is not divisible by {r}")
    if x.shape[-1] % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={x.shape[-1]} is not divisible by {r}")
    return apply(_pixel_unshuffle, (input,), (x,), {"downscale_factor": r})

