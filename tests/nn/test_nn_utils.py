"""nn.utils against torch: gradient clipping (the returned total norm and the clipped
gradients, bit for bit) and parameter vectors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import same_scenario


def _params(lib, scale: float = 1.0, dtypes=("float32", "float32", "float32"), seed: int = 0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    ps = []
    for shape, dt in zip(shapes, dtypes):
        p = lib.nn.Parameter(lib.from_numpy(rng.standard_normal(shape).astype(dt)))
        p.grad = lib.from_numpy((rng.standard_normal(shape) * scale).astype(dt))
        ps.append(p)
    ps.append(lib.nn.Parameter(lib.ones(2)))  # no grad: skipped
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), "inf", 0.5, 3.0])
@pytest.mark.parametrize("foreach", [None, False, True])
def test_clip_grad_norm(norm_type, foreach):
    def run(lib):
        ps = _params(lib, 3.0)
        total = lib.nn.utils.clip_grad_norm_(ps, 1.5, norm_type=norm_type, foreach=foreach)
        return [total] + [p.grad for p in ps[:3]]

    same_scenario(run)


@given(scale=st.sampled_from([1e-3, 0.1, 1.0, 10.0]), max_norm=st.floats(0.01, 100.0),
       seed=st.integers(0, 50))
def test_clip_grad_norm_values(scale, max_norm, seed):
    def run(lib):
        ps = _params(lib, scale, seed=seed)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm)
        return [total] + [p.grad for p in ps[:3]]

    same_scenario(run)


def test_clip_grad_norm_mixed_dtypes_single_tensor_and_empty():
    def run(lib):
        ps = _params(lib, 2.0, dtypes=("float64", "float32", "float64"))
        out = [lib.nn.utils.clip_grad_norm_(ps, 0.7)] + [p.grad for p in ps[:3]]
        single = _params(lib)[0]
        out.append(lib.nn.utils.clip_grad_norm_(single, 0.1))
        out.append(single.grad)
        out.append(lib.nn.utils.clip_grad_norm_([], 1.0))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out.append(lib.nn.utils.clip_grad_norm_((p for p in []), 1.0))
            lib.nn.utils.clip_grad_norm(_params(lib), 1.0)
        out.append([(x.category.__name__, str(x.message)) for x in w])
        total = lib.nn.utils.get_total_norm([p.grad for p in _params(lib)[:3]], 3.0)
        ps = _params(lib)
        lib.nn.utils.clip_grads_with_norm_(ps, 0.5, total)
        return out + [total] + [p.grad for p in ps[:3]]

    same_scenario(run)


def test_clip_grad_norm_nonfinite():
    def run(lib, error):
        ps = _params(lib)
        ps[1].grad[0] = float("inf")
        total = lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=error)
        return [total] + [p.grad for p in ps[:3]]

    same_scenario(lambda lib: run(lib, False))
    same_scenario(lambda lib: run(lib, True))


def test_clip_grad_value():
    def run(lib):
        ps = _params(lib, 2.0)
        r = lib.nn.utils.clip_grad_value_(ps, 0.8)
        single = _params(lib)[2]
        lib.nn.utils.clip_grad_value_(single, 0.1, foreach=True)
        return [r] + [p.grad for p in ps[:3]] + [single.grad]

    same_scenario(run)


def test_parameter_vectors():
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1))
        v = lib.nn.utils.parameters_to_vector(m.parameters())
        out = [v, v.grad_fn.name()]
        new = lib.arange(float(v.numel()))
        lib.nn.utils.vector_to_parameters(new, m.parameters())
        out += [p.detach().clone() for p in m.parameters()]
        new[0] = 100.0  # the parameters now share the vector's memory
        out.append(m[0].weight.detach().clone())
        out.append([type(p).__name__ for p in m.parameters()])
        return out

    same_scenario(run)
    same_scenario(lambda lib: lib.nn.utils.vector_to_parameters([1.0], []))


def test_rnn_helpers_at_torchs_path():
    def run(lib):
        rnn = lib.nn.utils.rnn
        seqs = [lib.arange(float(n)).unsqueeze(1) for n in (3, 1, 2)]
        padded = rnn.pad_sequence(seqs, batch_first=True)
        packed = rnn.pack_padded_sequence(padded, lib.tensor([3, 1, 2]), batch_first=True,
                                          enforce_sorted=False)
        back, lengths = rnn.pad_packed_sequence(packed, batch_first=True)
        return [padded, packed.data, packed.batch_sizes, back, lengths,
                type(packed).__name__]

    same_scenario(run)
