"""``ember.cuda.amp.common``: torch's availability helper."""

from __future__ import annotations

__all__ = ["amp_definitely_not_available"]


def amp_definitely_not_available() -> bool:
    """True when CUDA autocast cannot run (no CUDA device)."""
    from .. import is_available

    return not is_available()
