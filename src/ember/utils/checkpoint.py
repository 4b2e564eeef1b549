"""ember.utils.checkpoint: activation checkpointing with torch.utils.checkpoint's API.

``use_reentrant=True`` (torch's default when the argument is left out, with a warning) runs
the function without recording a graph and reruns it in backward, restoring the RNG state so
dropout draws the same masks; its output hangs off one ``CheckpointFunctionBackward`` node.
``use_reentrant=False`` gives, in torch, the function's ordinary graph whose saved tensors are
recomputed on demand; ember keeps that graph as it is (same values, nodes and gradients; the
memory saving is not reproduced).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import ember
from ember.autograd.function import Function

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction"]

_MISSING_FLAG = (
    "the use_reentrant parameter should be passed explicitly. {when} use_reentrant=False is "
    "recommended, but if you need to preserve the current default behavior, you can pass "
    "use_reentrant=True. Refer to docs for more details on the differences between the two "
    "variants."
)


def _noop_context_fn():
    from contextlib import nullcontext

    return nullcontext(), nullcontext()


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng_state = ember.get_rng_state() if preserve_rng_state else None
        ctx.args = [None if isinstance(a, ember.Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, ember.Tensor)))
        with ember.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        saved = iter(ctx.saved_tensors)
        inputs = []
        for a in ctx.args:
            if a is None:
                t = next(saved)
                inputs.append(t.detach().requires_grad_(t.requires_grad))
            else:
                inputs.append(a)
        outer = ember.get_rng_state()
        if ctx.rng_state is not None:
            ember.set_rng_state(ctx.rng_state)
        try:
            with ember.enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            ember.set_rng_state(outer)
        if isinstance(outputs, ember.Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads)
                 if isinstance(o, ember.Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        ember.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, *(x.grad if isinstance(x, ember.Tensor) else None for x in inputs))


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None,
               context_fn: Callable = _noop_context_fn, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs) -> Any:
    """Run ``function(*args)`` so that backward recomputes its activations."""
    if use_reentrant is None:
        warnings.warn("ember.utils.checkpoint: " + _MISSING_FLAG.format(
            when="Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise "
                 "an exception."), stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not use_reentrant:
        return function(*args, **kwargs)
    if context_fn is not _noop_context_fn or debug is not False:
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    if ember.is_grad_enabled() and not any(
            isinstance(a, ember.Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
    return CheckpointFunction.apply(function, preserve, *args)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Checkpoint all but the last of ``segments`` consecutive runs of ``functions``."""
    if use_reentrant is None:
        warnings.warn("ember.utils.checkpoint.checkpoint_sequential: " + _MISSING_FLAG.format(
            when="In version 2.9 we will raise an exception if use_reentrant is not passed."),
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if isinstance(functions, ember.nn.Sequential):
        functions = list(functions.children())

    def segment(lo: int, hi: int):
        def run(x):
            for f in functions[lo:hi]:
                x = f(x)
            return x

        return run

    size = len(functions) // segments
    end = 0
    for start in range(0, size * (segments - 1), size):
        end = start + size
        input = checkpoint(segment(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return segment(end, len(functions))(input)
