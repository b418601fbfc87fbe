"""Hypothesis budgets: a small fixed one in `make test`, a long random one behind `make fuzz`."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
# Deterministic and quick: the same cases on every run of `make test`.
settings.register_profile(
    "papersift-fast", max_examples=40, derandomize=True, deadline=timedelta(seconds=30), suppress_health_check=_CHECKS
)
# `make fuzz`: many random cases (PAPERSIFT_FUZZ_EXAMPLES to change how many).
settings.register_profile(
    "papersift-long",
    max_examples=int(os.environ.get("PAPERSIFT_FUZZ_EXAMPLES", "1500")),
    derandomize=False,
    deadline=timedelta(seconds=60),
    suppress_health_check=_CHECKS,
    print_blob=True,
)
settings.load_profile("papersift-long" if os.environ.get("PAPERSIFT_FUZZ") == "long" else "papersift-fast")
