"""``ember.cuda``: device queries. Without CuPy and a GPU, CUDA is simply not available."""

from __future__ import annotations

from .. import _backend


def is_available() -> bool:
    return _backend.cupy() is not None


def device_count() -> int:
    cp = _backend.cupy()
    return 0 if cp is None else int(cp.cuda.runtime.getDeviceCount())


def _lazy_init() -> None:
    """Raise torch's error when CUDA is asked for and not available."""
    if not is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    raise NotImplementedError(
        "ember's CUDA backend (CuPy) is not implemented yet: tensors stay on the CPU"
    )


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seeding the (absent) CUDA generator is a no-op, as torch's is without a GPU."""


def manual_seed_all(seed: int) -> None:
    """See ``manual_seed``."""


def synchronize(device=None) -> None:
    """Nothing to wait for on the CPU."""


def __getattr__(name: str):
    # ``ember.cuda.amp`` loads on first use (it imports ember.amp), as torch.cuda.amp is there.
    if name == "amp":
        import importlib

        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
