"""Linear algebra: matmul and friends (BLAS through NumPy)."""

from __future__ import annotations
