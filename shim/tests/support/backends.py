"""What the hub-level tests run against: the fake control plane, or the repository's
local stack (control plane on the local host, ARM emulator, Azurite).

Both answer the same questions for a test: where the control plane is, how to make
the next create fail, and what state Azure (the fake, or the emulator) has for an
instance.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

SHIM = Path(__file__).resolve().parents[2]
REPO = SHIM.parent
ARTIFACTS = REPO / "test-artifacts"
STACK_URL = "http://127.0.0.1:7071"
EMULATOR_PORT = 7072
LOCAL_KEY = "local-key"
STACK_START_TIMEOUT = float(os.environ.get("AML_TEST_STACK_START_TIMEOUT", "420"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(
    url: str, timeout: float, process: subprocess.Popen | None = None, verify: Any = True, status: int | None = None
) -> None:
    """Wait until `url` answers (any status below 500, or exactly `status`)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            code = httpx.get(url, timeout=2, verify=verify).status_code
            if (code == status) if status else (code < 500):
                return
        except httpx.HTTPError as e:
            last = e
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout}s ({last})")


class Backend:
    kind = ""
    url = ""
    key = LOCAL_KEY
    #: slow enough that a test can act while an instance is being created
    create_seconds = 0.0
    verify: Any = True

    def hub_settings(self) -> dict[str, Any]:
        return {"control_plane_url": self.url, "api_key": self.key}

    async def reset(self) -> None: ...

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        raise NotImplementedError

    async def instance_state(self, server: dict[str, Any]) -> str | None:
        """Azure's state of the instance (the fake's amlState, the emulator's state)."""
        raise NotImplementedError

    async def control_plane(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, headers={"x-functions-key": self.key}, timeout=30) as client:
            return await client.request(method, path, **kwargs)

    async def server(self, server_id: str) -> dict[str, Any]:
        response = await self.control_plane("GET", f"/api/servers/{server_id}")
        response.raise_for_status()
        return response.json()

    async def servers_of(self, user: str) -> list[dict[str, Any]]:
        response = await self.control_plane("GET", "/api/servers", params={"user": user})
        response.raise_for_status()
        return response.json()["servers"]

    def close(self) -> None: ...


class FakeBackend(Backend):
    """tests/support/fake_control_plane.py in a subprocess."""

    kind = "fake"
    create_seconds = 3.0

    def __init__(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = ARTIFACTS / "shim-fake-control-plane.log"
        ARTIFACTS.mkdir(exist_ok=True)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fake_control_plane", "--port", str(port),
             "--create-seconds", str(self.create_seconds), "--start-seconds", "1", "--stop-seconds", "1"],
            cwd=SHIM, stdout=self._log, stderr=subprocess.STDOUT,
        )
        wait_http(f"{self.url}/api/health", 30, self.process)

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        async with httpx.AsyncClient() as client:
            (await client.post(f"{self.url}/_fake/fail-next-create", json={"code": code, "message": message})).raise_for_status()

    async def instance_state(self, server: dict[str, Any]) -> str | None:
        async with httpx.AsyncClient() as client:
            servers = (await client.get(f"{self.url}/_fake/servers")).json()["servers"]
        for s in servers:
            if s["id"] == server["id"]:
                return s["amlState"]
        return None

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


class StackBackend(Backend):
    """The repository's local stack (`npm start`), on its standard ports.

    Uses a stack that is already running, else starts one with short emulator delays
    and stops it at the end.
    """

    kind = "stack"
    url = STACK_URL
    create_seconds = 6.0

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.key = os.environ.get("FUNCTIONS_KEY", LOCAL_KEY)
        self.ca = REPO / ".local" / "tls" / "ca.pem"
        if not _answers(f"{self.url}/api/health"):
            self._start()
        self.emulator = self._find_emulator()
        self.subscription = httpx.get(f"{self.emulator}/_emulator/health", verify=self.verify, timeout=5).json().get("subscriptionId")

    @staticmethod
    def unavailable_reason() -> str | None:
        """Why the stack cannot be used here, or None."""
        if _answers(f"{STACK_URL}/api/health"):
            return None
        try:
            scripts = json.loads((REPO / "package.json").read_text()).get("scripts", {})
        except (OSError, ValueError) as e:
            return f"no readable package.json at {REPO} ({e})"
        if "start" not in scripts:
            return "the local stack is not there yet: package.json has no 'start' script (DESIGN.md, 'Local runtime contract')"
        return None

    def _start(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / "shim-local-stack.log"
        self._log = open(self.log_path, "w")
        env = {
            **os.environ,
            "FUNCTIONS_KEY": self.key,
            "EMULATOR_CREATE_SECONDS": str(self.create_seconds),
            "EMULATOR_START_SECONDS": "3",
            "EMULATOR_STOP_SECONDS": "2",
            "EMULATOR_DELETE_SECONDS": "1",
            # the control plane's own pace (shared/config/settings.ts)
            "PROVISION_POLL_SECONDS": "1",
            "STOP_POLL_SECONDS": "1",
            "BUSY_RETRY_AFTER_SECONDS": "2",
            # The test hub signs people in with a shared password: no Entra object ids, so its
            # instances are Shared (Personal ones need the object id; see APPLICATION_SHARING_POLICY).
            "APPLICATION_SHARING_POLICY": "Shared",
        }
        self.process = subprocess.Popen(
            ["npm", "start"], cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_http(f"{self.url}/api/health", STACK_START_TIMEOUT, self.process)
        except Exception as e:
            self.close()
            tail = self.log_path.read_text()[-3000:]
            raise RuntimeError(f"the local stack did not start: {e}\n--- npm start output ---\n{tail}") from e

    def _find_emulator(self) -> str:
        self.verify = ssl.create_default_context(cafile=str(self.ca)) if self.ca.exists() else True
        for scheme in ("https", "http"):
            url = f"{scheme}://127.0.0.1:{EMULATOR_PORT}"
            try:
                httpx.get(f"{url}/_emulator/health", verify=self.verify, timeout=5).raise_for_status()
                return url
            except httpx.HTTPError:
                continue
        raise RuntimeError(f"no ARM emulator answers on port {EMULATOR_PORT}")

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        async with httpx.AsyncClient(verify=self.verify) as client:
            response = await client.post(
                f"{self.emulator}/_emulator/scenarios",
                json={"outcome": "CreateFailed", "code": code, "message": message, "times": 1},
            )
            response.raise_for_status()

    async def instance_state(self, server: dict[str, Any]) -> str | None:
        project = server["project"]
        path = (
            f"/subscriptions/{self.subscription}/resourceGroups/{project}/providers/"
            f"Microsoft.MachineLearningServices/workspaces/{project}/computes/{server['id']}"
        )
        async with httpx.AsyncClient(verify=self.verify) as client:
            response = await client.get(
                f"{self.emulator}{path}", params={"api-version": "2022-10-01"},
                headers={"authorization": "Bearer shim-tests"},
            )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()["properties"]["properties"]["state"]

    def close(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C: the stack stops cleanly
            self.process.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()
        self.process = None


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def eventually(check, timeout: float, interval: float = 0.25, what: str = "condition"):
    """Await `check()` until it returns something truthy, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")
