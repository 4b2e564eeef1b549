"""``ember.linalg``: torch.linalg's functions (``import ember as torch; torch.linalg.vecdot``)."""

from __future__ import annotations

from ._ops.linalg import _LinAlgError as LinAlgError
from ._ops.linalg import (
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matrix_norm,
    multi_dot,
    norm,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
    vecdot,
)
from ._ops.linalg import linalg_cross as cross
from ._ops.linalg import linalg_matmul as matmul
from ._ops.linalg import linalg_vander as vander
from ._ops.reduction import vector_norm

__all__ = [
    "LinAlgError", "cholesky", "cross", "det", "eigh", "eigvalsh", "inv", "matmul",
    "matrix_norm", "multi_dot", "norm", "qr", "slogdet", "solve", "svd", "svdvals", "vander",
    "vecdot", "vector_norm",
]
