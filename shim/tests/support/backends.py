"""What the hub-level tests run against: the fake control plane, or the repository's
local stack (control plane on the local host, ARM emulator, Azurite, token issuer),
with the hub holding the key or getting Entra ID tokens.

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
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

SHIM = Path(__file__).resolve().parents[2]
REPO = SHIM.parent
ARTIFACTS = REPO / "test-artifacts"
LOCAL_KEY = "local-key"
STACK_START_TIMEOUT = float(os.environ.get("AML_TEST_STACK_START_TIMEOUT", "180"))


_handed_out: set[int] = set()


def free_port() -> int:
    """A port free now and not handed out before in this test run.

    The OS may give a port it just gave (its socket is closed at once), and a hub's ports are
    taken one after another before any is bound: two of them alike made JupyterHub fail with
    "Address already in use".
    """
    import socket

    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


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

    def hub_env(self) -> dict[str, str]:
        """Environment for the hub process (e.g. where its managed identity gets tokens)."""
        return {}

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
    """The repository's local stack on free ports (`tests/support/local_stack.js` over the
    compiled `dist/`): the control plane on the local Functions host, the ARM emulator,
    Azurite in memory and the local token issuer. Started once per test session and
    stopped at its end; it never meets an `npm start` running on the standard ports.
    """

    kind = "stack"
    credential = "key"
    create_seconds = 6.0

    def __init__(
        self, name: str = "", create_seconds: float | None = None, start_seconds: float = 3,
        app_settings: dict[str, str] | None = None,
    ) -> None:
        """`name` sets the stack's log files apart (a second stack beside the session's);
        `create_seconds`/`start_seconds` are the emulator's durations; `app_settings`
        go to the control plane on top of the tests' fast pace."""
        ARTIFACTS.mkdir(exist_ok=True)
        suffix = f"-{name}" if name else ""
        if create_seconds is not None:
            self.create_seconds = create_seconds
        self.log_path = ARTIFACTS / f"shim-local-stack{suffix}.log"
        self._log = open(self.log_path, "w")
        self.key = LOCAL_KEY
        env = {
            **os.environ,
            "AML_STACK_KEY": self.key,
            "AML_STACK_HOST_LOG": str(ARTIFACTS / f"shim-local-stack{suffix}-host.log"),
            "AML_STACK_EMULATOR": json.dumps({
                "createSeconds": self.create_seconds, "startSeconds": start_seconds, "stopSeconds": 2, "deleteSeconds": 1,
            }),
            # the control plane's own pace (shared/config/settings.ts)
            "AML_STACK_APP_SETTINGS": json.dumps({
                "PROVISION_POLL_SECONDS": "1",
                "STOP_POLL_SECONDS": "1",
                "BUSY_RETRY_AFTER_SECONDS": "2",
                **(app_settings or {}),
            }),
        }
        self.process = subprocess.Popen(
            ["node", str(SHIM / "tests" / "support" / "local_stack.js")], cwd=REPO, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True,
            start_new_session=True,
        )
        self.info = self._read_addresses()
        self.url = self.info["controlPlane"]
        self.emulator = self.info["emulator"]
        self.ca = Path(self.info["caPath"])
        self.verify = ssl.create_default_context(cafile=str(self.ca))
        self.subscription = httpx.get(
            f"{self.emulator}/_emulator/health", verify=self.verify, timeout=5
        ).json().get("subscriptionId")

    @staticmethod
    def unavailable_reason() -> str | None:
        """Why the stack cannot be used here, or None."""
        if not (REPO / "dist" / "local" / "stack" / "local-stack.js").exists():
            return f"the local stack is not built: run `npm run build` in {REPO}"
        if not shutil.which("node"):
            return "no node on PATH"
        return None

    def _read_addresses(self) -> dict[str, Any]:
        """The driver's one JSON line, once the whole stack answers."""
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(STACK_START_TIMEOUT)
        if not lines or not lines[0].strip():
            self.close()
            tail = self.log_path.read_text()[-3000:]
            raise RuntimeError(f"the local stack did not start within {STACK_START_TIMEOUT}s\n{tail}")
        return json.loads(lines[0])

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
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # the driver stops the stack when stdin closes
                self.process.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._log.close()


class StackWithTokens(Backend):
    """The same local stack, with the hub authenticating by Entra ID token instead of
    the key: `auth_mode = "azure-identity"` with ManagedIdentityCredential, whose
    App Service endpoint (IDENTITY_ENDPOINT) hands out tokens with the app role Hub
    from the stack's token issuer. The tests' own control-plane calls keep the key."""

    kind = "stack-token"
    credential = "token"

    def __init__(self, stack: StackBackend) -> None:
        self.stack = stack
        self.url = stack.url
        self.key = stack.key
        self.verify = stack.verify
        self.create_seconds = stack.create_seconds

    def hub_settings(self) -> dict[str, Any]:
        return {
            "control_plane_url": self.url,
            "auth_mode": "azure-identity",
            "azure_credential": "managed-identity",
            "token_scope": f"{self.stack.info['audience']}/.default",
        }

    def hub_env(self) -> dict[str, str]:
        return {
            "IDENTITY_ENDPOINT": self.stack.info["identityEndpoint"],
            "IDENTITY_HEADER": self.stack.info["identityHeader"],
            "AML_CONTROL_PLANE_KEY": "",  # no key to fall back on
        }

    async def fail_next_create(self, message: str, code: str = "AllocationFailed") -> None:
        await self.stack.fail_next_create(message, code)

    async def instance_state(self, server: dict[str, Any]) -> str | None:
        return await self.stack.instance_state(server)


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
