"""One record per differentiable primitive, and the one road from an op call to array math.

A primitive pairs a forward over raw arrays with gradient formulas over tensors::

    @prim("mul")
    def mul(self, other):                 # positional parameters are the tensor inputs
        return np.multiply(self, other)

    mul.defvjp(
        self=lambda grad, other: grad * other,     # parameter names decide what is saved
        other=lambda grad, self: grad * self,
    )

Keyword-only parameters of the forward are op parameters (``dim``, ``keepdim``...); a formula
may name them, the tensor inputs, ``result`` (the forward output) and ``needs_input_grad``.
Only what the formulas of the inputs that require grad name is saved, as torch does. The
engine, not each formula, sums a broadcast gradient back to its input's shape and dtype.

``apply(op, inputs, arrays, params)`` runs the forward on already promoted arrays, wraps the
outputs and, if grad mode is on and an input requires grad, records one graph node.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd import anomaly_mode
from ..autograd import graph as _graph
from ..autograd.grad_mode import STATE
from ..autograd.graph import Node, _seq, grad_accumulator

_new = object.__new__
_FREED = object()  # marks saved values released after a backward pass
_MISSING = object()


class Op:
    """A primitive: forward over arrays, gradient formulas over tensors, node class."""

    __slots__ = (
        "name", "fwd", "inputs", "params", "nout", "view", "node_name", "_node_cls",
        "vjps", "joint", "_plans", "variadic", "meta_names", "defaults",
    )

    def __init__(self, fwd, name: str, backward: str | None, nout: int, view: bool,
                 variadic: bool, inputs: tuple | None = None):
        self.name = name
        self.fwd = fwd
        if inputs is not None:  # a forward without Python code (a NumPy ufunc): inputs only
            self.inputs, self.params, self.defaults = tuple(inputs), (), {}
        else:
            code = fwd.__code__
            n, k = code.co_argcount, code.co_kwonlyargcount
            self.inputs = code.co_varnames[:n]
            self.params = code.co_varnames[n: n + k]
            self.defaults = fwd.__kwdefaults__ or {}
        self.nout = nout
        self.view = view
        self.variadic = variadic  # one positional input that is a list of tensors
        self.node_name = backward or _camel(name) + "Backward0"
        self._node_cls = None  # made on first use: class creation is slow at import time
        self.vjps = None  # per input: (fn, arg names) or None
        self.joint = None  # (fn, arg names): one formula returning every input's gradient
        self._plans = {}
        # ``<input>_shape`` / ``<input>_dtype``: input metadata a formula may use unsaved.
        self.meta_names = {}
        for i, n in enumerate(self.inputs):
            self.meta_names[n + "_shape"] = (i, 0)
            self.meta_names[n + "_dtype"] = (i, 1)

    @property
    def node_cls(self) -> type:
        """The backward node class, named as torch names it (e.g. ``MulBackward0``)."""
        cls = self._node_cls
        if cls is None:
            cls = self._node_cls = type(
                self.node_name, (OpNode,), {"__slots__": (), "_nout": self.nout}
            )
        return cls

    def defvjp(op, /, **formulas) -> Op:  # noqa: N805  (`self` is a common input name)
        """Gradient formulas, one per tensor input (missing inputs are not differentiable)."""
        unknown = set(formulas) - set(op.inputs)
        if unknown:
            raise TypeError(f"{op.name}: no tensor input named {sorted(unknown)}")
        op.vjps = tuple(
            (f, _arg_names(f)) if (f := formulas.get(n)) is not None else None
            for n in op.inputs
        )
        return op

    def vjp(self, fn) -> Op:
        """Decorator: one formula returning a tuple with every input's gradient (or None)."""
        self.joint = (fn, _arg_names(fn))
        return self

    def __call__(self, *arrays, **params):
        return self.fwd(*arrays, **params)

    def __repr__(self) -> str:
        return f"<prim {self.name}>"

    def save_plan(self, needs: tuple) -> tuple:
        """The names to save when the inputs flagged in ``needs`` require grad."""
        plan = self._plans.get(needs)
        if plan is None:
            # A formula's first parameter is the incoming gradient; the rest name saved values.
            names: list = []
            if self.joint is not None:
                names = list(self.joint[1][1:])
            else:
                for need, v in zip(needs, self.vjps or ()):
                    if need and v is not None:
                        names.extend(n for n in v[1][1:] if n not in names)
            plan = self._plans[needs] = tuple(n for n in names if n not in self.meta_names)
        return plan


def _arg_names(fn) -> tuple:
    code = fn.__code__
    return code.co_varnames[: code.co_argcount]


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.strip("_").split("_"))


PRIMS: dict = {}


def prim(name: str, *, backward: str | None = None, nout: int = 1, view: bool = False,
         variadic: bool = False, inputs: tuple | None = None):
    """Declare a primitive from its forward function (see the module docstring).

    ``inputs`` names the tensor inputs of a forward that has no Python signature, such as a
    NumPy ufunc used directly (``prim("exp", inputs=("self",))(np.exp)``).
    """

    def deco(fwd) -> Op:
        op = Op(fwd, name, backward, nout, view, variadic, inputs)
        PRIMS[op.name] = op
        return op

    return deco


# ---------------------------------------------------------------------------------- nodes
class OpNode(Node):
    """The backward node of a primitive: runs the op's gradient formulas on saved values."""

    __slots__ = ("_op", "_saved", "_versions", "_needs", "_params")
    _nout = 1

    def apply(self, grads: list) -> tuple:
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(_graph.FREED_MESSAGE)
        if self._versions:
            for vc, version, holder, nr in self._versions:
                if vc[0] != version:
                    raise self._version_error(saved, holder, nr, vc[0], version)
        op = self._op
        # By convention a formula's first parameter is the incoming gradient(s).
        g = grads[0] if op.nout == 1 else tuple(grads)
        if op.joint is not None:
            fn, names = op.joint
            out = fn(g, *[self._value(n, saved) for n in names[1:]])
            if not isinstance(out, tuple):
                out = (out,)
            return tuple(x if need else None for x, need in zip(out, self._needs))
        res = []
        for need, v in zip(self._needs, op.vjps):
            if not need or v is None:
                res.append(None)
                continue
            fn, names = v
            if len(names) == 1:
                res.append(fn(g))
                continue
            args = [g]
            for n in names[1:]:
                val = saved.get(n, _MISSING) if saved else _MISSING
                if val is _MISSING:
                    val = self._lookup(n)
                elif type(val) is _PackedResult:
                    val = self._unpack_result(val)
                args.append(val)
            res.append(fn(*args))
        return tuple(res)

    def _value(self, name: str, saved):
        if saved is not None and name in saved:
            v = saved[name]
            if type(v) is _PackedResult:
                return self._unpack_result(v)
            return v
        return self._lookup(name)

    def _version_error(self, saved, holder, nr: int, now: int, expected: int) -> RuntimeError:
        """torch's error for a saved tensor modified in place since it was saved.

        torch names a saved input's current grad_fn, and this node for a saved output.
        """
        if holder is None:  # output nr of this node
            d = saved["result"].arrays[nr]
            producer = self
        else:
            d = holder._data
            if holder._base is not None:
                _graph.refresh_view(holder)
            producer = holder._grad_fn
        return RuntimeError(_modified_message((d.dtype, d.shape), producer, nr, now, expected))

    def _lookup(self, name: str):
        """Values a formula may name that are not saved: input metadata, needs_input_grad."""
        if name == "needs_input_grad":
            return self._needs
        i, field = self._op.meta_names[name]
        meta = self._in_meta[i]
        return meta[0] if field == 0 else D._FROM_NP[meta[1]]

    def _unpack_result(self, packed):
        # Saved outputs are kept as arrays (a tensor would point back at this node: a cycle);
        # they are rebuilt as tensors whose grad_fn is this node, for double backward.
        outs = []
        for i, (a, vc) in enumerate(zip(packed.arrays, packed.vcs)):
            t = _wrap(a)
            t._vc = vc
            if STATE.enabled:
                t._grad_fn, t._output_nr, t._requires_grad = self, i, True
            outs.append(t)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def _release(self) -> None:
        if self._saved:
            self._saved = _FREED

    def _replace_saved(self, old: Tensor, new: Tensor) -> None:
        """Swap a saved input for a snapshot (used before an in-place op overwrites it)."""
        if not self._saved:
            return
        for k, v in self._saved.items():
            if v is old:
                self._saved[k] = new
        if self._versions:
            self._versions = [
                (new._vc, new._vc[0], new, nr) if vc is old._vc else (vc, ver, h, nr)
                for vc, ver, h, nr in self._versions
            ]

    @property
    def _saved_tensors(self):
        return tuple(v for v in (self._saved or {}).values() if isinstance(v, Tensor))


def _modified_message(info, producer, nr: int, now: int, expected: int) -> str:
    np_dtype, shape = info
    dims = ", ".join(str(s) for s in shape)
    desc = f"[ember.{D._FROM_NP[np_dtype]._legacy}Tensor [{dims}]]"
    if producer is not None:
        # torch names the producer by its forward op: "output 0 of Sigmoid".
        name = producer.name()
        i = name.find("Backward")
        desc += f", which is output {nr} of {name[:i] if i > 0 else name},"
    if anomaly_mode.is_enabled():
        hint = (
            "Hint: the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good luck!"
        )
    else:
        hint = (
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with ember.autograd.set_detect_anomaly(True, check_nan=False)."
        )
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {desc} is at version {now}; expected version {expected} instead. {hint}"
    )



# ---------------------------------------------------------------------------------- autocast
# ``ember.amp``'s hook while CPU autocast is enabled in any thread (see set_autocast_hook): it
# casts the inputs of prims on the autocast policy (by prim name, as torch's lists).
_autocast = None
cast_args_impl = None  # ember.amp's cast_args, once ember.amp is imported


def autocast_args(name: str, *args):
    """``args`` with their tensors cast for torch op ``name`` under the active autocast policy.

    For public functions and composites whose torch counterpart is an autocast entry point
    (``linear``, ``conv2d``, ``cross_entropy_loss``...): called before their dtype checks, so
    mixed float32/bfloat16 operands work inside an autocast region, as in torch. Costs one
    ``is None`` test when autocast is off.
    """
    if _autocast is None:
        return args
    return cast_args_impl(name, args)


# ---------------------------------------------------------------------------------- apply
def apply(op: Op, inputs: tuple, arrays: tuple, params: dict | None = None, cast=None):
    """Run ``op`` on ``arrays`` (the promoted data of ``inputs``); wrap and record.

    ``cast``: a NumPy dtype to round a single output to (ops computed in a wider type).
    """
    out = op.fwd(*arrays, **params) if params else op.fwd(*arrays)
    if cast is not None:
        out = np.asarray(out).astype(cast)
    if op.nout == 1:
        result = _wrap(out)
        if op.view:
            _mark_view(result, inputs[0], op, params)
    else:
        result = tuple(_wrap(o) for o in out)
        if op.view:
            for r in result:
                _mark_view(r, inputs[0], op, params)
    if STATE.enabled:
        flat = inputs[0] if op.variadic else inputs
        for t in flat:
            if t is not None and t._requires_grad:
                record(op, flat, params, result, arrays)
                break
    return result


# While autocast is on (in any thread), apply() runs ember.amp's hook first. The switch swaps
# apply's code object, so that the hot path pays nothing at all when autocast is off, and every
# module holding ``apply`` (imported by name) sees the switch.
_APPLY_CODE = apply.__code__
_apply_plain = type(apply)(_APPLY_CODE, apply.__globals__, "_apply_plain", apply.__defaults__)


def _apply_autocast(op: Op, inputs: tuple, arrays: tuple, params: dict | None = None, cast=None):
    cast_in = _autocast(op, inputs, arrays)
    if cast_in is not None:
        inputs, arrays = cast_in
    return _apply_plain(op, inputs, arrays, params, cast)


def set_autocast_hook(hook) -> None:
    """Install ``hook(op, inputs, arrays) -> (inputs, arrays) | None`` (ember.amp), or remove
    it with None."""
    global _autocast
    _autocast = hook
    apply.__code__ = _APPLY_CODE if hook is None else _apply_autocast.__code__


def _mark_view(result: Tensor, src: Tensor, op: Op, params) -> None:
    result._vc = src._vc
    base = src._base
    result._base = src if base is None else base
    # How to replay this view on another tensor shaped like the base (for in-place on views).
    result._view = (src._view if base is not None else None, op, params)


def record(op: Op, inputs, params, result, arrays=()) -> Node:
    """Make the graph node of one op call and attach it to the (differentiable) outputs.

    ``inputs`` holds tensors, or None where the caller passed a Python scalar (whose value,
    in ``arrays``, is what a formula naming that input receives).
    """
    node = _new(op._node_cls or op.node_cls)
    node._seq = next(_seq)
    node._pre_hooks = node._post_hooks = node._tensor_hooks = node._retained = None
    node._anomaly_trace = node.metadata_ = None
    if len(inputs) == 1:  # the common cases, unrolled: this runs once per recorded op
        needs, edge, meta = _input_edge(inputs[0])
        needs, edges, meta = (needs,), (edge,), (meta,)
    elif len(inputs) == 2:
        n0, e0, m0 = _input_edge(inputs[0])
        n1, e1, m1 = _input_edge(inputs[1])
        needs, edges, meta = (n0, n1), (e0, e1), (m0, m1)
    else:
        triples = [_input_edge(t) for t in inputs]
        needs = tuple(x[0] for x in triples)
        edges = tuple(x[1] for x in triples)
        meta = tuple(x[2] for x in triples)
    node._op = op
    node._needs = needs
    node._params = params
    node.next_functions = edges
    node._in_meta = meta
    plan = op._plans.get(needs)
    if plan is None:
        plan = op.save_plan(needs)
    saved = None
    versions = None
    if plan:
        saved = {}
        versions = []
        for name in plan:
            if name in op.inputs:
                if op.variadic:
                    saved[name] = tuple(inputs)
                    continue
                i = op.inputs.index(name)
                t = inputs[i]
                if t is None:
                    saved[name] = arrays[i]
                    continue
                saved[name] = t
                versions.append((t._vc, t._vc[0], t, t._output_nr))
            elif name == "result":
                if op.nout == 1:
                    vc = result._vc
                    saved[name] = _PackedResult((result._data,), (vc,))
                    versions.append((vc, vc[0], None, 0))
                    continue
                saved[name] = _PackedResult(tuple(r._data for r in result),
                                            tuple(r._vc for r in result))
                for i, r in enumerate(result):
                    versions.append((r._vc, r._vc[0], None, i))
            elif name in op.params:
                saved[name] = params[name] if params and name in params else op.defaults[name]
            elif name != "needs_input_grad":
                raise TypeError(f"{op.name}: gradient formula names unknown value {name!r}")
    node._saved = saved
    node._versions = versions
    if anomaly_mode._Anomaly.enabled:
        anomaly_mode.record_trace(node)
    if op.nout == 1:
        if result._data.dtype in _DIFF_NP:
            result._grad_fn = node
            result._requires_grad = True
    else:
        for i, r in enumerate(result):
            if r._data.dtype in _DIFF_NP:
                r._grad_fn = node
                r._output_nr = i
                r._requires_grad = True
    return node


_NO_EDGE = (None, 0)
_SCALAR_INPUT = (False, _NO_EDGE, None)


def _input_edge(t) -> tuple:
    """(requires grad, graph edge, (shape, dtype)) of one forward input (None: a scalar)."""
    if t is None:
        return _SCALAR_INPUT
    if t._base is not None:
        _graph.refresh_view(t)  # a view whose base changed in place gets a fresh history
    d = t._data
    fn = t._grad_fn
    if fn is not None:
        return True, (fn, t._output_nr), (d.shape, d.dtype)
    if t._requires_grad:
        return True, (grad_accumulator(t), 0), (d.shape, d.dtype)
    return False, _NO_EDGE, (d.shape, d.dtype)


class _PackedResult:
    """A saved forward output: its arrays and version counters (no tensor, so no cycle)."""

    __slots__ = ("arrays", "vcs")

    def __init__(self, arrays: tuple, vcs: tuple):
        self.arrays = arrays
        self.vcs = vcs


# Only floating outputs carry gradients (integer outputs such as argmax indices do not).
_DIFF_NP = frozenset(d._np for d in D.FLOAT_DTYPES)



# ---------------------------------------------------------------------------------- public API
# Every public op is declared once, where it is defined, with the forms torch offers:
# ``ember.name`` (function), ``Tensor.name`` (method), ``Tensor.name_`` (in-place).
PUBLIC: dict = {}  # name -> (fn, function?, method?, inplace?)


def public(name: str | None = None, *, function: bool = True, method: bool = True,
           inplace: bool = False, aliases: tuple = ()):
    """Register a public op and the variants under which ember exposes it."""

    def deco(fn):
        key = name or fn.__name__
        PUBLIC[key] = (fn, function, method, inplace)
        for alias in aliases:
            PUBLIC[alias] = (fn, function, method, inplace)
        return fn

    return deco
