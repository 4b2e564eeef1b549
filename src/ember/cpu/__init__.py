"""``ember.cpu``: the CPU device module (``ember.cpu.amp`` holds torch's deprecated aliases)."""

from __future__ import annotations

from . import amp


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def synchronize(device=None) -> None:
    """Nothing to wait for on the CPU."""


__all__ = ["amp", "device_count", "is_available", "synchronize"]
