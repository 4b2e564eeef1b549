"""Test-suite settings: hypothesis runs without per-example deadlines (the machine is shared
and noisy) and with a bounded number of examples so the whole suite stays fast."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ember",
    deadline=None,
    max_examples=int(os.environ.get("EMBER_HYPOTHESIS_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.load_profile("ember")
