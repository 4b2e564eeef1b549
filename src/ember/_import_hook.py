"""``import torch`` resolved to ember: a ``sys.meta_path`` finder that aliases module objects.

After ``install()``, importing ``torch`` or any ``torch.X.Y`` imports ``ember`` / ``ember.X.Y``
and registers *the same module object* under the torch name, so ``sys.modules["torch"] is
ember`` and ``torch.autograd is ember.autograd``; nothing is copied. A submodule ember lacks
raises ``ModuleNotFoundError`` naming torch's module (``No module named 'torch.fx'``), and the
real torch is never reached, even when it is installed.

This is what ``python -m ember run script.py`` uses to run unchanged PyTorch scripts.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

_TORCH = "torch"
_EMBER = "ember"


def _ember_name(fullname: str) -> str:
    return _EMBER + fullname[len(_TORCH) :]


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already imported ember module instead of a new one."""

    def __init__(self, module):
        self.module = module
        self.own_spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        # The import system stamps the torch-named spec onto the module it was given; the
        # module stays ember's (its own name, spec and path), so put its own spec back.
        module.__spec__ = self.own_spec


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch`` and ``torch.*`` by importing ``ember`` and ``ember.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _TORCH and not fullname.startswith(_TORCH + "."):
            return None
        ember_name = _ember_name(fullname)
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as exc:
            # Only "ember lacks this module" becomes torch's error; a module that exists but
            # fails to import one of its own dependencies keeps its own error.
            if exc.name is not None and (
                ember_name == exc.name or ember_name.startswith(exc.name + ".")
            ):
                missing = _TORCH + exc.name[len(_EMBER) :]
                raise ModuleNotFoundError(f"No module named '{missing}'", name=missing) from None
            raise
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(module),
            is_package=hasattr(module, "__path__"),
        )


_FINDER = TorchAliasFinder()


def install() -> None:
    """Resolve ``import torch`` (and every ``torch.*``) to ember from now on in this process.

    Must run before the real torch is imported; a torch already in ``sys.modules`` is an error.
    """
    real = sys.modules.get(_TORCH)
    if real is not None and real is not sys.modules.get(_EMBER):
        raise RuntimeError(
            "ember's torch alias must be installed before torch is imported "
            "(the real torch is already in sys.modules)"
        )
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Remove the finder and every ``torch`` / ``torch.*`` alias it registered."""
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if n == _TORCH or n.startswith(_TORCH + ".")]:
        module = sys.modules[name]
        if getattr(module, "__name__", None) == _ember_name(name):
            del sys.modules[name]


def is_installed() -> bool:
    return _FINDER in sys.meta_path
