"""The op database: every public ember op, with samples, dtypes and error inputs.

Each family module defines ``OPS`` (a list of OpInfo) and may define ``TESTED_ELSEWHERE``
({public name: "tests/test_x.py"}) for public names the generic tests cannot express.
"""

from __future__ import annotations

import importlib

from .core import OpInfo

FAMILIES = (
    "elementwise", "reduction", "shape", "indexing", "linalg", "creation",
    "nn_core", "nn_conv", "nn_activation", "nn_loss", "nn_norm", "nn_attention",
)


def _load():
    ops: list[OpInfo] = []
    elsewhere: dict[str, str] = {}
    for fam in FAMILIES:
        mod = importlib.import_module(f"{__name__}.{fam}")
        ops.extend(mod.OPS)
        elsewhere.update(getattr(mod, "TESTED_ELSEWHERE", {}))
    return ops, elsewhere


OP_DB, TESTED_ELSEWHERE = _load()
