"""Parameter and Buffer (placeholder until the nn-core work lands)."""

from ember._tensor import Tensor


class Parameter(Tensor):
    pass


class Buffer(Tensor):
    pass
