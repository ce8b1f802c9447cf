"""Shared fixtures. The hub-level fixtures live in tests/support/hub.py."""

from __future__ import annotations

import pytest

from aml_jupyterhub.control_plane import ControlPlaneClient

from .support.backends import StackBackend
from .support.clock import FakeClock
from .support.fake_control_plane import FakeControlPlane, FakeSettings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_cp():
    """The fake control plane, in this test's event loop, with short delays."""
    fake = FakeControlPlane(FakeSettings(create_seconds=0.4, start_seconds=0.2, stop_seconds=0.2))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
async def cp_client(fake_cp):
    client = ControlPlaneClient(fake_cp.url, "local-key", timeout=5)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def stack_backend():
    """The repository's local stack, once per test session (hub and spawner tests);
    skipped only when it is not built."""
    reason = StackBackend.unavailable_reason()
    if reason:
        pytest.skip(reason)
    backend = StackBackend()
    yield backend
    backend.close()
