"""The control plane a spawner test runs against: the fake (in this test's event loop,
quick) or the repository's local stack (the real control plane on the local Functions
host, the ARM emulator, Azurite; one per test session, shared with the hub tests).

A test that takes the `cp` fixture runs against both (`AML_TEST_BACKENDS` picks them,
as for the hub tests); the stack cases are skipped only when the stack is not built.
A test that takes `fake_cp` instead needs what only the fake can do (its request log,
an outage, a slow answer, a user's projects set per test) and runs against it alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

from aml_jupyterhub.control_plane import ControlPlaneClient

from ..support.backend_selection import backend_params
from ..support.backends import eventually
from ..support.fake_control_plane import FakeControlPlane


def pytest_generate_tests(metafunc):
    if "cp" in metafunc.fixturenames:
        metafunc.parametrize("cp", backend_params(), indirect=True)


class FakeCP:
    """The fake control plane, as a spawner test sees it."""

    kind = "fake"
    #: what a spawner may wait for a create here (the fake creates in 0.4 s)
    create_seconds = 0.4

    def __init__(self, fake: FakeControlPlane) -> None:
        self.fake = fake
        self.url = fake.url
        self.key = "local-key"
        self.user = "alice"

    async def server(self, server_id: str) -> dict[str, Any]:
        return dict(self.fake.state.servers[server_id])

    async def servers(self) -> list[dict[str, Any]]:
        return [dict(s) for s in self.fake.state.servers.values() if s["user"] == self.user]

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        self.fake.state.failures.append({"code": code, "message": message})

    async def stopped_outside(self, server_id: str, reason: str) -> None:
        """Stopped outside the hub (the studio, the idle shutdown), and recorded so."""
        stopped_at = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.fake.state.set_state(
            self.fake.state.servers[server_id], "Stopped", stopReason=reason, url=None, stoppedAt=stopped_at
        )


class StackCP(FakeCP):
    """The local stack, as a spawner test sees it: each test has a user of its own (the
    stack keeps servers between tests)."""

    kind = "stack"

    def __init__(self, stack) -> None:
        self.stack = stack
        self.url = stack.url
        self.key = stack.key
        self.create_seconds = stack.create_seconds
        self.user = f"alice-{uuid.uuid4().hex[:8]}"

    async def server(self, server_id: str) -> dict[str, Any]:
        return await self.stack.server(server_id)

    async def servers(self) -> list[dict[str, Any]]:
        return await self.stack.servers_of(self.user)

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        await self.stack.fail_next_create(message, code)

    async def stopped_outside(self, server_id: str, reason: str) -> None:
        response = await self.stack.control_plane("POST", f"/api/servers/{server_id}/stop", json={"reason": reason})
        assert response.status_code in (200, 202), response.text

        async def stopped():
            return (await self.server(server_id))["state"] == "Stopped"

        await eventually(stopped, 60, what=f"{server_id} Stopped")


@pytest.fixture
def cp(request):
    if request.param == "fake":
        return FakeCP(request.getfixturevalue("fake_cp"))
    return StackCP(request.getfixturevalue("stack_backend"))


@pytest.fixture
def cp_target(request) -> tuple[str, str]:
    """Where the spawner's client goes: `cp` when the test runs over both, else the fake."""
    if "cp" in request.fixturenames:
        target = request.getfixturevalue("cp")
        return target.url, target.key
    return request.getfixturevalue("fake_cp").url, "local-key"


@pytest.fixture
async def cp_client(cp_target):
    url, key = cp_target
    client = ControlPlaneClient(url, key, timeout=5)
    yield client
    await client.aclose()
