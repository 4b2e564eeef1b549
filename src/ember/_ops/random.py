"""Random sampling ops (rand, randn, randint, ...) over ember's torch-compatible generator."""

from __future__ import annotations
