"""ember.get/set_num_threads and the inter-op pair: torch's API, values and errors."""

from __future__ import annotations

import pytest
import torch

import ember

from .helpers import assert_same_error


@pytest.mark.parametrize("kind", ["num_threads", "num_interop_threads"])
def test_thread_counts(kind):
    get_t, get_e = getattr(torch, "get_" + kind), getattr(ember, "get_" + kind)
    set_t, set_e = getattr(torch, "set_" + kind), getattr(ember, "set_" + kind)
    before_t, before_e = get_t(), get_e()
    assert isinstance(before_e, int) and before_e >= 1
    for bad in (0, -1, 1.5, "a", True):
        assert_same_error(lambda bad=bad: set_e(bad), lambda bad=bad: set_t(bad))
    if kind == "num_threads":  # torch's inter-op pool cannot be resized once it has started
        assert set_e(before_e) is set_t(before_t) is None
        set_e(3)
        assert get_e() == 3
        set_e(before_e)
    assert get_e() == before_e
