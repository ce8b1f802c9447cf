"""Fixtures for tests that run a real JupyterHub: the backend (fake control plane, or
the local stack with the hub holding the key or getting Entra ID tokens) and a hub
configured with AMLSpawner against it."""

from __future__ import annotations

import re
import uuid

import pytest

from ..support.backend_selection import backend_params
from ..support.backends import FakeBackend, StackWithTokens
from ..support.hub import Hub


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        # start, stop, delete and recovery with either credential the hub may hold
        with_tokens = metafunc.definition.get_closest_marker("both_credentials") is not None
        metafunc.parametrize("backend", backend_params(with_tokens=with_tokens), indirect=True, scope="session")


@pytest.fixture(scope="session")
def fake_backend():
    backend = FakeBackend()
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def stack_token_backend(stack_backend):
    return StackWithTokens(stack_backend)


@pytest.fixture(scope="session")
def backend(request):
    return request.getfixturevalue(f"{request.param.replace('-', '_')}_backend")


@pytest.fixture
async def hub(tmp_path, backend, request):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    hub = Hub(tmp_path, backend, name)
    hub.start()
    yield hub
    await hub.close()


@pytest.fixture
def username() -> str:
    """A user name of its own for each test: the stack keeps servers between tests."""
    return f"alice-{uuid.uuid4().hex[:8]}"
