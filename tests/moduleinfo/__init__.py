"""The module database: one ``ModuleInfo`` per ``nn`` layer, driving ``tests/test_modules.py``.

Each family file (``core``, ``conv``, ``activation``, ``loss``, ``normalization``, ``rnn``)
defines ``MODULES`` (a list of ModuleInfo). For every case the generic tests build the layer in
torch and in ember after ``manual_seed(0)`` and check, against torch:

- the parameters and buffers right after construction, bit for bit (``init_exact``);
- ``repr`` (module printing), ``state_dict`` keys, ``named_parameters``/``named_buffers`` names;
- with torch's weights loaded into ember (``load_state_dict``): forward outputs in train mode
  and, when ``eval_differs`` or always cheaply, in eval mode; the gradients of every floating
  input and every parameter for the cotangent ``sum(out * w)`` with a fixed random ``w``;
- buffers after the forward (running statistics);
- a ``state_dict`` round trip into a fresh ember module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class ModuleCase:
    """One constructor call and one forward call.

    ``inputs(rng)`` returns the forward's positional inputs as NumPy arrays (floating arrays
    become tensors that require grad when ``grad``; integer arrays stay index tensors) or plain
    Python values. ``dtype`` is the floating dtype of the module and its floating inputs.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inputs: Callable[[np.random.Generator], tuple] = lambda rng: ()
    forward_kwargs: dict = field(default_factory=dict)
    desc: str = ""
    dtype: str = "float32"
    grad: bool = True
    random: bool = False  # forward draws random numbers: both libraries seeded alike first
    atol: float | None = None
    rtol: float | None = None


@dataclass
class ModuleInfo:
    name: str  # attribute of torch.nn and ember.nn
    cases: list[ModuleCase]
    init_exact: bool = True  # construction after manual_seed(0) gives torch's exact weights
    extra: dict[str, Any] = field(default_factory=dict)


FAMILIES = ("core", "conv", "activation", "loss", "normalization", "rnn")


def _load() -> list[ModuleInfo]:
    mods: list[ModuleInfo] = []
    for fam in FAMILIES:
        mods.extend(importlib.import_module(f"{__name__}.{fam}").MODULES)
    return mods


MODULE_DB = _load()
