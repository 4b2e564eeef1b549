"""Recurrent layers: RNN (tanh/relu), LSTM (optional projection), GRU and their cells.

The math follows torch's CPU implementation (aten's RNN.cpp): per layer and direction the input
projection of every time step is one matrix product, then a Python loop over time computes the
hidden projection (one addmm) and the gates (one fused LSTM/GRU cell node, see
``_ops/nn_attention.py``). Gradients through time come from ember's autograd over those ops.

PackedSequence and its helpers (torch.nn.utils.rnn) live here too, with the packed forward of
the layers (aten's PackedLayer / ReversedPackedLayer: sequences leave or join the batch).
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from typing import NamedTuple

import numpy as np

import ember
from ember._ops.nn_attention import _fused_gru_cell, _fused_lstm_cell
from ember._ops.registry import apply
from ember._tensor import Tensor
from ember.autograd.grad_mode import no_grad
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _F():
    return sys.modules["ember.nn.functional"]


def _lstm_cell(ig: Tensor, hg: Tensor, cx: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step from its input and hidden gate pre-activations: (h', c')."""
    return apply(_fused_lstm_cell, (ig, hg, cx), (ig._data, hg._data, cx._data))


def _gru_cell(ig: Tensor, hg: Tensor, hx: Tensor) -> Tensor:
    """One GRU step from its input and hidden gate pre-activations: h'."""
    return apply(_fused_gru_cell, (ig, hg, hx), (ig._data, hg._data, hx._data))


def _lstm_cell_ops(ig: Tensor, hg: Tensor, cx: Tensor) -> tuple[Tensor, Tensor]:
    """LSTMCell's step as aten's CPU cell composes it from ops, so h' and c' carry its node
    names (MulBackward0, AddBackward0); the sequence layers keep the one-node fused step."""
    i, f, g, o = (hg + ig).chunk(4, 1)
    cy = f.sigmoid() * cx + i.sigmoid() * g.tanh()
    return o.sigmoid() * cy.tanh(), cy


def _gru_cell_ops(ig: Tensor, hg: Tensor, hx: Tensor) -> Tensor:
    """GRUCell's step as aten's CPU cell composes it (h' from AddBackward0)."""
    ir, iz, in_ = ig.chunk(3, 1)
    hr, hz, hn = hg.chunk(3, 1)
    r = (hr + ir).sigmoid()
    z = (hz + iz).sigmoid()
    n = (in_ + hn * r).tanh()
    return (hx - n) * z + n


def _proj_all(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``x @ w^T + b`` for a (T, B, I) sequence as one matrix product (torch's linear)."""
    T, B, n = x.shape
    x2 = x.reshape(T * B, n)
    y = ember.addmm(b, x2, w.t()) if b is not None else x2.mm(w.t())
    return y.view(T, B, w.shape[0])


def _run_direction(mode: str, x: Tensor, h: Tensor, c: Tensor | None, w: tuple,
                   reverse: bool) -> tuple:
    """One layer in one direction over the whole sequence: (outputs (T,B,H), h_T, c_T)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    T = x.shape[0]
    xp = _proj_all(x, w_ih, b_ih)
    w_hh_t = w_hh.t()
    w_hr_t = w_hr.t() if w_hr is not None else None
    outs: list = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    steps = xp.unbind(0)
    if mode == "GRU":
        for t in order:
            hh = ember.addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)
            h = _gru_cell(steps[t], hh, h)
            outs[t] = h
        return ember.stack(outs), h, None
    if mode == "LSTM":
        for t in order:
            hh = ember.addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)
            h, c = _lstm_cell(steps[t], hh, c)
            if w_hr_t is not None:
                h = h.mm(w_hr_t)
            outs[t] = h
        return ember.stack(outs), h, c
    act = ember.tanh if mode == "RNN_TANH" else ember.relu
    for t in order:
        hh = ember.addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)
        h = act(hh + steps[t])
        outs[t] = h
    return ember.stack(outs), h, None


def _rnn_forward(mode: str, x: Tensor, hx: Tensor, cx: Tensor | None, weights: list,
                 has_bias: bool, num_layers: int, dropout: float, train: bool,
                 bidirectional: bool, batch_first: bool, has_proj: bool) -> tuple:
    """torch's ``_VF.rnn_tanh/rnn_relu/lstm/gru`` on a padded (3-D) input."""
    if batch_first:
        x = x.transpose(0, 1)

    def direction(x, h0, c0, w, reverse):
        return _run_direction(mode, x, h0, c0, w, reverse)

    x, h_n, c_n = _stack_layers(direction, x, hx, cx, weights, has_bias, num_layers, dropout,
                                train, bidirectional, has_proj)
    if batch_first:
        # aten's RNN/GRU transpose their fresh output in place (TransposeBackward1), its LSTM
        # returns a transposed view (TransposeBackward0).
        x = x.transpose(0, 1) if mode == "LSTM" else x.transpose_(0, 1)
    return x, h_n, c_n


def _stack_layers(direction, x: Tensor, hx: Tensor, cx, weights: list, has_bias: bool,
                  num_layers: int, dropout: float, train: bool, bidirectional: bool,
                  has_proj: bool) -> tuple:
    """Run the layers and directions of a multi-layer RNN over ``x`` (time-major, padded or
    packed): ``direction(x, h0, c0, weights, reverse)`` runs one, and returns its output and
    final h and c. Returns the last layer's output and the stacked final h (and c, for LSTM)."""
    ndir = 2 if bidirectional else 1
    per = 2 + 2 * has_bias + has_proj
    h0 = hx.unbind(0)
    c0 = cx.unbind(0) if cx is not None else None
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(ndir):
            k = layer * ndir + d
            ws = weights[k * per:(k + 1) * per]
            w = (ws[0], ws[1], ws[2] if has_bias else None, ws[3] if has_bias else None,
                 ws[-1] if has_proj else None)
            out, h, c = direction(x, h0[k], c0[k] if c0 is not None else None, w, d == 1)
            outs.append(out)
            hs.append(h)
            cs.append(c)
        # the features are the last dim, padded (T, B, H) or packed (sum of lengths, H)
        x = outs[0] if ndir == 1 else ember.cat(outs, outs[0].dim() - 1)
        if dropout != 0 and train and layer < num_layers - 1:
            x = _F().dropout(x, dropout, True)
    return x, ember.stack(hs, 0), (ember.stack(cs, 0) if cx is not None else None)


def _step(mode: str, x_t: Tensor, h: Tensor, c, w_hh_t, b_hh, w_hr_t):
    hh = ember.addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)
    if mode == "LSTM":
        h, c = _lstm_cell(x_t, hh, c)
        return (h.mm(w_hr_t) if w_hr_t is not None else h), c
    if mode == "GRU":
        return _gru_cell(x_t, hh, h), None
    return (ember.tanh if mode == "RNN_TANH" else ember.relu)(hh + x_t), None


def _packed_direction(mode: str, x: Tensor, sizes: list, h0: Tensor, c0, w: tuple,
                      reverse: bool) -> tuple:
    """One layer and direction over packed rows (aten's PackedLayer / ReversedPackedLayer):
    sequences leave the batch (forward) or join it (reverse) as ``sizes`` shrinks."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    xp = ember.addmm(b_ih, x, w_ih.t()) if b_ih is not None else x.mm(w_ih.t())
    steps = xp.split(sizes, 0)
    w_hh_t = w_hh.t()
    w_hr_t = w_hr.t() if w_hr is not None else None
    outs: list = []
    if not reverse:
        done_h, done_c = [], []
        h, c, last = h0, c0, sizes[0]
        for t, bs in enumerate(sizes):
            if bs < last:  # sequences that ended: their final states
                done_h.append(h[bs:last])
                h = h[:bs]
                if c is not None:
                    done_c.append(c[bs:last])
                    c = c[:bs]
            last = bs
            h, c = _step(mode, steps[t], h, c, w_hh_t, b_hh, w_hr_t)
            outs.append(h)
        h_n = ember.cat([h] + done_h[::-1], 0)
        c_n = ember.cat([c] + done_c[::-1], 0) if c is not None else None
        return ember.cat(outs, 0), h_n, c_n
    last = sizes[-1]
    h = h0[:last]
    c = c0[:last] if c0 is not None else None
    for t in range(len(sizes) - 1, -1, -1):
        bs = sizes[t]
        if bs > last:  # sequences that start here (counted from their ends)
            h = ember.cat([h, h0[last:bs]], 0)
            if c is not None:
                c = ember.cat([c, c0[last:bs]], 0)
        last = bs
        h, c = _step(mode, steps[t], h, c, w_hh_t, b_hh, w_hr_t)
        outs.append(h)
    return ember.cat(outs[::-1], 0), h, c


def _rnn_forward_packed(mode: str, x: Tensor, sizes: list, hx: Tensor, cx, weights: list,
                        has_bias: bool, num_layers: int, dropout: float, train: bool,
                        bidirectional: bool, has_proj: bool) -> tuple:
    def direction(x, h0, c0, w, reverse):
        return _packed_direction(mode, x, sizes, h0, c0, w, reverse)

    return _stack_layers(direction, x, hx, cx, weights, has_bias, num_layers, dropout, train,
                         bidirectional, has_proj)


class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (parameters, checks, repr)."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        ndir = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(
                f"input_size should be of type int, got: {type(input_size).__name__}"
            )
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(
                f"hidden_size should be of type int, got: {type(hidden_size).__name__}"
            )
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size

        def empty(*shape):
            return Parameter(ember.empty(shape, dtype=dtype, device=device))

        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(ndir):
                in_size = input_size if layer == 0 else real_hidden * ndir
                # Created in torch's order (all four, then the projection) before naming.
                w_ih, w_hh = empty(gate_size, in_size), empty(gate_size, real_hidden)
                b_ih, b_hh = empty(gate_size), empty(gate_size)
                params = [w_ih, w_hh] + ([b_ih, b_hh] if bias else [])
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(empty(proj_size, hidden_size))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """A no-op: ember has no cuDNN weight buffer to compact."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    def check_input(self, input: Tensor, batch_sizes) -> None:
        w0 = self._flat_weights[0]
        if input.dtype != w0.dtype and not _autocast_on():
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({w0.dtype}). "
                f"Convert input: input.to({w0.dtype}), or convert model: model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        ndir = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * ndir, mini_batch, size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def _prepare(self, input: Tensor, hx, name: str, cell_state: bool):
        """Unbatched handling and default states shared by RNN and GRU (not LSTM)."""
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                + ("tensor instead" if name == "RNN" else "instead")
            )
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
            if hx is not None:
                if hx.dim() != 2:
                    raise RuntimeError(
                        "For unbatched 2-D input, hx should also be 2-D but got "
                        f"{hx.dim()}-D tensor"
                    )
                hx = hx.unsqueeze(1)
        elif hx is not None and hx.dim() != 3:
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
            )
        if hx is None:
            ndir = 2 if self.bidirectional else 1
            mb = input.size(0) if self.batch_first else input.size(1)
            hx = ember.zeros(self.num_layers * ndir, mb, self.hidden_size, dtype=input.dtype)
        return input, hx, is_batched, batch_dim

    def _forward_packed(self, input: PackedSequence, hx):
        data, batch_sizes, sorted_indices, unsorted_indices = input
        sizes = [int(b) for b in batch_sizes._data]
        n = self.num_layers * (2 if self.bidirectional else 1)
        lstm = self.mode == "LSTM"
        if hx is None:
            real = self.proj_size if self.proj_size > 0 else self.hidden_size
            h = ember.zeros(n, sizes[0], real, dtype=data.dtype)
            hx = (h, ember.zeros(n, sizes[0], self.hidden_size, dtype=data.dtype)) if lstm else h
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, batch_sizes)
        h0, c0 = hx if lstm else (hx, None)
        out, h, c = _rnn_forward_packed(self.mode, data, sizes, h0, c0, self._flat_weights,
                                        self.bias, self.num_layers, self.dropout, self.training,
                                        self.bidirectional, self.proj_size > 0)
        out = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        return out, self.permute_hidden((h, c) if lstm else h, unsorted_indices)

    def _forward_one_state(self, input, hx, name: str) -> tuple:
        """``forward`` of the RNNs with a hidden state only (RNN, GRU; ``name`` for errors)."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        input, hx, is_batched, batch_dim = self._prepare(input, hx, name, False)
        self.check_forward_args(input, hx, None)
        out, h, _ = self._run(input, hx, None)
        if not is_batched:
            out, h = out.squeeze(batch_dim), h.squeeze(1)
        return out, h

    def _run(self, input: Tensor, hx: Tensor, cx: Tensor | None) -> tuple:
        return _rnn_forward(self.mode, input, hx, cx, self._flat_weights, self.bias,
                            self.num_layers, self.dropout, self.training, self.bidirectional,
                            self.batch_first, self.proj_size > 0)


def _autocast_on() -> bool:
    amp = sys.modules.get("ember.amp")
    fn = getattr(amp, "is_autocast_enabled", None) if amp is not None else None
    try:
        return bool(fn("cpu")) if fn is not None else False
    except Exception:  # noqa: BLE001 - an amp module still being written
        return False


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._forward_one_state(input, hx, "RNN")


class GRU(RNNBase):
    """Gated recurrent unit RNN (torch's gate order: reset, update, new)."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        return self._forward_one_state(input, hx, "GRU")


class LSTM(RNNBase):
    """Long short-term memory RNN (gate order input, forget, cell, output), optional projection."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        ndir = 2 if self.bidirectional else 1
        return (self.num_layers * ndir, mini_batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden, batch_sizes) -> None:  # type: ignore[override]
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):  # type: ignore[override]
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        if hx is None:
            ndir = 2 if self.bidirectional else 1
            mb = input.size(0) if self.batch_first else input.size(1)
            real = self.proj_size if self.proj_size > 0 else self.hidden_size
            n = self.num_layers * ndir
            hx = (ember.zeros(n, mb, real, dtype=input.dtype),
                  ember.zeros(n, mb, self.hidden_size, dtype=input.dtype))
        else:
            if is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError(
                        "For batched 3-D input, hx and cx should also be 3-D but got "
                        f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                    )
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError(
                        "For unbatched 2-D input, hx and cx should also be 2-D but got "
                        f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                    )
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, None)
        out, h, c = self._run(input, hx[0], hx[1])
        if not is_batched:
            out, h, c = out.squeeze(batch_dim), h.squeeze(1), c.squeeze(1)
        return out, (h, c)


# ------------------------------------------------------------------------- packed sequences
# torch keeps these in torch.nn.utils.rnn (torch.nn.modules.rnn imports PackedSequence).
class _PackedSequenceBase(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceBase):
    """Variable-length sequences packed time step by time step (``batch_sizes[t]`` rows each)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=ember.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=ember.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=ember.float16)

    def long(self) -> PackedSequence:
        return self.to(dtype=ember.int64)

    def int(self) -> PackedSequence:
        return self.to(dtype=ember.int32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    inv = np.empty_like(permutation._data)
    inv[permutation._data] = np.arange(permutation._data.size, dtype=inv.dtype)
    return ember.from_numpy(inv)


def _as_lengths(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) or (B, T, *) whose sequences have ``lengths``."""
    lens = _as_lengths(lengths)
    sorted_indices = None
    if not enforce_sorted:
        # ember.sort breaks ties as torch's sort does.
        srt, sorted_indices = ember.sort(ember.from_numpy(lens), descending=True)
        lens = srt._data
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens.size and (np.diff(lens) > 0).any():
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability."
        )
    if lens.size and lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T, B = input.shape[0], input.shape[1]
    steps = np.arange(int(lens[0]) if lens.size else 0)
    batch_sizes = (lens[None, :] > steps[:, None]).sum(1).astype(np.int64)
    # Row t*B + b of the (T*B, *) view for every (t, b) with b < batch_sizes[t].
    idx = np.concatenate([t * B + np.arange(bs) for t, bs in enumerate(batch_sizes)])
    data = input.reshape((T * B,) + tuple(input.shape[2:]))[ember.from_numpy(idx)]
    return PackedSequence(data, ember.from_numpy(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded batch, lengths)."""
    bs = sequence.batch_sizes._data
    max_len = bs.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
        max_len = total_length
    B = int(bs[0]) if bs.size else 0
    data = sequence.data
    feat = tuple(data.shape[1:])
    idx = np.concatenate([t * B + np.arange(b) for t, b in enumerate(bs)]) if bs.size else (
        np.zeros(0, np.int64))
    flat = ember.full((max_len * B,) + feat, padding_value, dtype=data.dtype)
    padded = flat.index_put((ember.from_numpy(idx),), data).view((max_len, B) + feat)
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = ember.from_numpy(lengths)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths (dim 0) into one padded batch."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = tuple(sequences)
    max_len = max(int(x.shape[0]) for x in sequences)
    pad = _F().pad
    padded = []
    for x in sequences:
        extra = max_len - x.shape[0]
        spec = [0, 0] * (x.dim() - 1) + ([0, extra] if padding_side == "right" else [extra, 0])
        padded.append(pad(x, tuple(spec), value=padding_value) if extra else x)
    return ember.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
                   ) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _as_lengths(lengths))]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of variable-length sequences."""
    lengths = [int(v.size(0)) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


# ---------------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """The parameters of one recurrent cell: weight_ih, weight_hh and optional biases."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        g = num_chunks * hidden_size
        self.weight_ih = Parameter(ember.empty((g, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(ember.empty((g, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(ember.empty(g, dtype=dtype, device=device))
            self.bias_hh = Parameter(ember.empty(g, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for weight in self.parameters():
                weight.uniform_(-stdv, stdv)

    def _check(self, input: Tensor, hx: Tensor, name: str) -> None:
        # aten's check_rnn_cell_forward_input / _hidden.
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected "
                f"{self.input_size}"
            )
        if input.size(0) != hx.size(0):
            raise RuntimeError(
                f"Input batch size {input.size(0)} doesn't match {name} batch size "
                f"{hx.size(0)}"
            )
        if hx.size(1) != self.hidden_size:
            raise RuntimeError(
                f"{name} has inconsistent hidden_size: got {hx.size(1)}, expected "
                f"{self.hidden_size}"
            )

    def _linear2(self, input: Tensor, hx: Tensor) -> tuple[Tensor, Tensor]:
        """(hx @ W_hh^T + b_hh, input @ W_ih^T + b_ih), torch's two cell projections."""
        b_ih, b_hh = self.bias_ih, self.bias_hh
        wi, wh = self.weight_ih.t(), self.weight_hh.t()
        hh = ember.addmm(b_hh, hx, wh) if b_hh is not None else hx.mm(wh)
        ih = ember.addmm(b_ih, input, wi) if b_ih is not None else input.mm(wi)
        return hh, ih


def _cell_dims(name: str, input: Tensor, what: str, t: Tensor | None) -> None:
    if input.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
    if t is not None and t.dim() not in (1, 2):
        raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {t.dim()}D instead")


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = act(W_ih x + b_ih + W_hh h + b_hh)``."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _cell_dims("RNNCell", input, "hidden", hx)
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check(input, hx, "hidden0")
        hh, ih = self._linear2(input, hx)
        ret = (hh + ih).tanh() if self.nonlinearity == "tanh" else (hh + ih).relu()
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        _cell_dims("LSTMCell", input, "", None)
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(
                        f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D "
                        "instead"
                    )
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hx = (z, z)
        elif not is_batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = hx
        self._check(input, h, "hidden0")
        self._check(input, c, "hidden1")
        hh, ih = self._linear2(input, h)
        hy, cy = _lstm_cell_ops(ih, hh, c)
        return (hy, cy) if is_batched else (hy.squeeze(0), cy.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        _cell_dims("GRUCell", input, "hidden", hx)
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = ember.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        self._check(input, hx, "hidden0")
        hh, ih = self._linear2(input, hx)
        ret = _gru_cell_ops(ih, hh, hx)
        return ret if is_batched else ret.squeeze(0)
