"""nn.utils: gradient clipping, parameter vectors, and the packed-sequence helpers (rnn)."""

from . import clip_grad, convert_parameters, rnn  # noqa: F401
from .clip_grad import (  # noqa: F401
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
