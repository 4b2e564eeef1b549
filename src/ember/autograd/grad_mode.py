"""Grad modes: whether ops record the backward graph. Thread-local, as in torch."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    # Class attributes are the defaults each new thread sees.
    enabled = True
    inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _DecoratorContextManager:
    """A context manager that also works as a decorator (``@no_grad()`` or ``@no_grad``)."""

    def __new__(cls, orig_func=None, *args, **kwargs):
        if orig_func is not None and callable(orig_func) and cls._bare_decorator_ok:
            # `@no_grad` without parentheses: decorate at once.
            return cls()(orig_func)
        return super().__new__(cls)

    _bare_decorator_ok = True

    def __call__(self, func):
        if isinstance(func, type):
            raise TypeError("Decorating classes is not supported")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Disable graph recording inside the block (or the decorated function)."""

    def __init__(self, orig_func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc) -> None:
        STATE.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Enable graph recording inside the block, even within ``no_grad``."""

    def __init__(self, orig_func=None) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = STATE.enabled
        STATE.enabled = True

    def __exit__(self, *exc) -> None:
        STATE.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode at once; as a context manager, restore the previous mode on exit."""

    _bare_decorator_ok = False

    def __init__(self, mode: bool) -> None:
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self) -> None:
        STATE.enabled = self.mode

    def __exit__(self, *exc) -> None:
        STATE.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)

    def __repr__(self) -> str:
        return f"ember.autograd.grad_mode.set_grad_enabled(mode={self.mode})"


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``; ember does not mark the tensors made inside as inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        if callable(mode) and not isinstance(mode, bool):
            mode = True
        self.mode = mode
        self.prev = (True, False)

    def __enter__(self) -> None:
        self.prev = (STATE.enabled, STATE.inference)
        if self.mode:
            STATE.enabled = False
            STATE.inference = True

    def __exit__(self, *exc) -> None:
        STATE.enabled, STATE.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)
