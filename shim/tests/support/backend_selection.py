"""Which control planes a test runs against, for the hub and the spawner tests alike.

`AML_TEST_BACKENDS` (comma-separated; all by default) picks them: `fake` is the fake
control plane, `stack` the local stack with the hub holding the key, `stack-token` the
local stack with the hub getting Entra ID tokens. The stack cases carry the `stack`
marker.
"""

from __future__ import annotations

import os

import pytest

SELECTED = set(os.environ.get("AML_TEST_BACKENDS", "fake,stack,stack-token").split(","))


def backend_params(*, with_tokens: bool = False) -> list:
    """The selected backends as pytest params; `stack-token` only when `with_tokens`."""
    params = []
    if "fake" in SELECTED:
        params.append(pytest.param("fake", id="fake"))
    if "stack" in SELECTED:
        params.append(pytest.param("stack", id="stack", marks=pytest.mark.stack))
    if with_tokens and "stack-token" in SELECTED:
        params.append(pytest.param("stack-token", id="stack-token", marks=pytest.mark.stack))
    return params
