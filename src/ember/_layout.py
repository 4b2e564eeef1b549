"""``ember.strided`` (the one tensor layout) and the memory-format markers torch APIs accept."""

from __future__ import annotations


class layout:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return "ember." + self._name

    def __reduce__(self):
        return self._name


class memory_format(layout):
    """Only the contiguous layouts exist in ember; the markers let torch code pass them."""

    __slots__ = ()


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
