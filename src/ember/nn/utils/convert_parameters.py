"""Flatten parameters into one vector and back (torch.nn.utils.convert_parameters)."""

from __future__ import annotations

from collections.abc import Iterable

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One vector of every parameter's values, in order (differentiable)."""
    return ember.cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's data the matching slice of ``vec`` (sharing its memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected ember.Tensor, but got: {typename(vec)}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer: pointer + n].view_as(param).data
        pointer += n
