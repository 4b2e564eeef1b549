"""Run the same call in ember and torch and compare what comes out."""

from __future__ import annotations

import re
import warnings

import ml_dtypes
import numpy as np
import torch

import ember

BF16 = np.dtype(ml_dtypes.bfloat16)


def to_torch(x, requires_grad: bool = False):
    """A NumPy array (or nested structure of them) as torch tensors; other values unchanged."""
    if isinstance(x, np.ndarray):
        if x.dtype == BF16:
            t = torch.from_numpy(x.astype(np.float32)).to(torch.bfloat16)
        else:
            t = torch.from_numpy(np.array(x, copy=True))
        return t.requires_grad_(requires_grad) if requires_grad else t
    if isinstance(x, list):
        return [to_torch(v, requires_grad) for v in x]
    if isinstance(x, tuple):
        return tuple(to_torch(v, requires_grad) for v in x)
    if isinstance(x, ember.dtype):
        return getattr(torch, x._name)
    return x


def to_ember(x, requires_grad: bool = False):
    if isinstance(x, np.ndarray):
        t = ember.from_numpy(np.array(x, copy=True))
        return t.requires_grad_(requires_grad) if requires_grad else t
    if isinstance(x, list):
        return [to_ember(v, requires_grad) for v in x]
    if isinstance(x, tuple):
        return tuple(to_ember(v, requires_grad) for v in x)
    return x


def ember_dtype(name: str):
    return getattr(ember, name)


def torch_dtype(name: str):
    return getattr(torch, name)


def as_numpy(t) -> np.ndarray:
    """A tensor of either library as a NumPy array (bfloat16/float16 widened to float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype in (torch.bfloat16, torch.float16):
            return t.float().numpy()
        return t.numpy()
    a = t.detach()._data
    if a.dtype in (BF16, np.float16):
        return a.astype(np.float32)
    return a


def dtype_name(t) -> str:
    return str(t.dtype).split(".")[-1]


DEFAULT_TOL = {
    "float16": (1e-3, 1e-3),
    "bfloat16": (1e-2, 1e-2),
    "float32": (1e-5, 1.3e-6),
    "float64": (1e-7, 1e-7),
}


def assert_same(e, t, atol=None, rtol=None, check_dtype=True, path="out"):
    """Assert that an ember result equals a torch result (recursing into tuples/lists)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: expected a Tensor, got {type(e)}"
        assert tuple(e.shape) == tuple(t.shape), (
            f"{path}: shape {tuple(e.shape)} != {tuple(t.shape)}"
        )
        if check_dtype:
            assert dtype_name(e) == dtype_name(t), f"{path}: dtype {e.dtype} != {t.dtype}"
        a, b = as_numpy(e), as_numpy(t)
        if b.dtype.kind in "biu":
            np.testing.assert_array_equal(a, b, err_msg=path)
        else:
            r, at = DEFAULT_TOL.get(dtype_name(t), (1e-5, 1e-6))
            np.testing.assert_allclose(
                a.astype(np.float64), b.astype(np.float64),
                rtol=rtol if rtol is not None else r, atol=atol if atol is not None else at,
                equal_nan=True, err_msg=path,
            )
        return
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{path}: expected a sequence, got {type(e)}"
        assert len(e) == len(t), f"{path}: length {len(e)} != {len(t)}"
        if hasattr(t, "_fields"):
            assert getattr(e, "_fields", None) == t._fields, f"{path}: fields differ"
        for i, (x, y) in enumerate(zip(e, t)):
            assert_same(x, y, atol, rtol, check_dtype, f"{path}[{i}]")
        return
    if isinstance(t, float) and isinstance(e, float):
        assert (np.isnan(e) and np.isnan(t)) or np.isclose(e, t, rtol=1e-6), f"{path}: {e} != {t}"
        return
    if isinstance(t, torch.dtype):
        assert str(e) == str(t).replace("torch.", "ember."), f"{path}: {e} != {t}"
        return
    if isinstance(t, torch.Size):
        assert tuple(e) == tuple(t), f"{path}: {e} != {t}"
        return
    assert e == t, f"{path}: {e!r} != {t!r}"


def torch_text(s: str) -> str:
    """torch's text with its own name replaced by ember's, as ember prints it."""
    return re.sub(r"\btorch\.", "ember.", s)


def run_both(fn_ember, fn_torch):
    """Call both; return (ember_result_or_exc, torch_result_or_exc)."""
    out = []
    for fn in (fn_ember, fn_torch):
        try:
            out.append(fn())
        except Exception as exc:  # noqa: BLE001 - we compare exceptions
            out.append(exc)
    return out


def assert_same_error(fn_ember, fn_torch, match: str = "exact"):
    e, t = run_both(fn_ember, fn_torch)
    assert isinstance(t, Exception), f"torch did not raise; returned {t!r}"
    assert isinstance(e, Exception), f"ember did not raise (torch raised {type(t).__name__}: {t})"
    assert type(e).__name__ == type(t).__name__ or isinstance(e, type(t)), (
        f"exception type {type(e).__name__}: {e} != {type(t).__name__}: {t}"
    )
    if match == "exact":
        assert str(e) == torch_text(str(t)), f"message:\n ember: {e}\n torch: {torch_text(str(t))}"
    elif match != "type":
        assert match in str(e) and match in torch_text(str(t)), (
            f"message lacks {match!r}:\n ember: {e}\n torch: {t}"
        )


# ------------------------------------------------------------------------------ scenarios
def run_scenario(scenario, quiet: bool = False):
    """Run ``scenario(lib)`` with ember and with torch; an exception becomes
    ``("raised", type name, message)``. ``quiet`` silences warnings while it runs."""
    out = {}
    for lib in (torch, ember):
        try:
            with warnings.catch_warnings():
                if quiet:
                    warnings.simplefilter("ignore")
                out[lib] = scenario(lib)
        except Exception as exc:  # noqa: BLE001 - we compare exceptions
            out[lib] = ("raised", type(exc).__name__, str(exc))
    return out[ember], out[torch]


def compare_results(e, t) -> None:
    """Compare scenario results: strings (torch. -> ember.), sequences, None, tensors."""
    if isinstance(t, str):
        assert e == torch_text(t), f"\n ember: {e}\n torch: {torch_text(t)}"
    elif isinstance(t, (list, tuple)):
        assert isinstance(e, (list, tuple)) and len(e) == len(t), f"{e!r} vs {t!r}"
        for a, b in zip(e, t):
            compare_results(a, b)
    elif t is None:
        assert e is None, f"expected None, got {e!r}"
    else:
        assert_same(e, t)


def same_scenario(scenario, quiet: bool = False) -> None:
    """``scenario(lib)`` gives the same result, or raises the same error, in both libraries."""
    e, t = run_scenario(scenario, quiet)
    if isinstance(t, tuple) and t and t[0] == "raised":
        assert isinstance(e, tuple) and e[:2] == t[:2], f"ember {e!r} vs torch {t!r}"
        assert e[2] == torch_text(t[2]), f"\n ember: {e[2]}\n torch: {torch_text(t[2])}"
        return
    assert not (isinstance(e, tuple) and e and e[0] == "raised"), f"ember raised {e!r}"
    compare_results(e, t)


def grad_fn_chain(t) -> list:
    """The grad_fn names of ``t``, following each node's first edge."""
    out = []
    fn = t.grad_fn
    while fn is not None:
        out.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    # ember's AccumulateGrad is named without torch's namespace.
    return [n.replace("torch::autograd::AccumulateGrad", "AccumulateGrad") for n in out]
