"""A real JupyterHub (from PyPI) in a subprocess, configured with AMLSpawner, with
configurable-http-proxy from tests/node_modules, and a token to drive its REST API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from .backends import ARTIFACTS, SHIM, Backend, eventually, free_port, wait_http

TOKEN = "aml-shim-tests-token-0123456789abcdef"
PASSWORD = "aml-test-password"
CRYPT_KEY = "5f3a" * 16  # auth_state is encrypted at rest; 32 bytes in hex
#: The local emulator's tenant (local/arm-emulator/seed.json).
TENANT_ID = "00000000-0000-0000-0000-0000000a4b10"


def object_id_for(user: str) -> str:
    """A stable Entra-like object id for a test user (what sign-in with Entra ID gives)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aml-shim-tests/{user}"))


def auth_state_for(user: str) -> dict[str, Any]:
    """auth_state as OAuthenticator's AzureAdOAuthenticator keeps it: the ID token's claims."""
    return {"user": {"oid": object_id_for(user), "tid": TENANT_ID}}

CHP_BIN = SHIM / "tests" / "node_modules" / ".bin"

CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{public_port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.auth_token = "aml-shim-tests-proxy-token"
c.JupyterHub.db_url = "sqlite:///{workdir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{workdir}/jupyterhub_cookie_secret"
import uuid
from jupyterhub.auth import DummyAuthenticator


class EntraLikeAuthenticator(DummyAuthenticator):
    # the dummy sign-in, with the person's Entra ids in auth_state as Entra ID sign-in
    # gives them (the control plane's Personal instances need them)

    async def authenticate(self, handler, data):
        name = await super().authenticate(handler, data)
        if not name:
            return name
        oid = {people!r}.get(name) or str(uuid.uuid5(uuid.NAMESPACE_URL, "aml-shim-tests/" + name))
        return {{"name": name, "auth_state": {{"user": {{"oid": oid, "tid": "{tenant}"}}}}}}


c.JupyterHub.authenticator_class = EntraLikeAuthenticator
c.DummyAuthenticator.password = "{password}"
c.Authenticator.allow_all = True
c.Authenticator.enable_auth_state = True
c.JupyterHub.allow_named_servers = True
c.JupyterHub.cleanup_servers = False
# answer a spawn request at once (202) instead of waiting up to 10 s for it to finish
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}
c.JupyterHub.services = [{{"name": "aml-tests", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{
    "name": "aml-tests",
    "scopes": ["admin:users", "admin:auth_state", "admin:servers", "access:servers", "read:users:activity"],
    "services": ["aml-tests"],
}}]

# a hub that does not exit on SIGTERM has its threads' stacks dumped to the log (Hub.stop)
import faulthandler, signal
faulthandler.register(signal.SIGUSR1, all_threads=True)

c.JupyterHub.spawner_class = "aml"
import aml_jupyterhub
c.JupyterHub.template_paths = [aml_jupyterhub.TEMPLATES]
c.AMLSpawner.redirect_port = {redirect_port}
c.AMLSpawner.status_poll_interval = 0.5
c.AMLSpawner.poll_interval = 2
c.AMLSpawner.http_timeout = 15
c.AMLSpawner.start_timeout = {start_timeout}
c.AMLSpawner.stop_timeout = 60
{spawner_settings}
"""


class Hub:
    def __init__(
        self, workdir: Path, backend: Backend, name: str, start_timeout: int = 240,
        extra_settings: dict[str, Any] | None = None, people: dict[str, str] | None = None,
    ) -> None:
        """`people`: Entra object ids by user name for the sign-in (e.g. the emulator's
        seeded people, whose role assignments decide their projects); others get a
        stable made-up one."""
        self.workdir = workdir
        self.backend = backend
        self.name = name
        self.public_port = free_port()
        self.hub_port = free_port()
        self.proxy_api_port = free_port()
        self.redirect_port = free_port()
        self.url = f"http://127.0.0.1:{self.public_port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"shim-hub-{name}.log"
        self.log_path.write_text("")
        spawner_settings = {**backend.hub_settings(), **(extra_settings or {})}
        settings = "\n".join(f"c.AMLSpawner.{k} = {v!r}" for k, v in spawner_settings.items())
        (workdir / "jupyterhub_config.py").write_text(CONFIG.format(
            public_port=self.public_port, hub_port=self.hub_port, proxy_api_port=self.proxy_api_port,
            redirect_port=self.redirect_port, workdir=workdir, password=PASSWORD, token=TOKEN,
            start_timeout=start_timeout, spawner_settings=settings, tenant=TENANT_ID, people=people or {},
        ))
        self.api = httpx.AsyncClient(
            base_url=f"{self.url}/hub/api", headers={"authorization": f"token {TOKEN}"}, timeout=30
        )

    # -- process ------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        env = {
            **os.environ,
            "PATH": f"{CHP_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "JUPYTERHUB_CRYPT_KEY": CRYPT_KEY,
            **self.backend.hub_env(),
        }
        self.starts += 1
        log = open(self.log_path, "a")
        log.write(f"\n===== hub start #{self.starts} =====\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py", "--debug"],
            cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        try:
            wait_http(f"{self.url}/hub/api/", timeout, self.process, status=200)
        except Exception as e:
            raise RuntimeError(f"JupyterHub did not start: {e}\n{self.log_tail()}") from e

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30, keep_proxy: bool = False) -> None:
        """Stop the hub with `sig`. `keep_proxy`: leave a killed hub's proxy running,
        as after a real crash (the next hub finds it by its pid file and takes it over)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGUSR1)  # where it hangs, into the log
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if not keep_proxy:
            self._kill_orphan_proxy()

    def restart(self, sig: int = signal.SIGTERM, keep_proxy: bool = False) -> None:
        self.stop(sig, keep_proxy=keep_proxy)
        self.start()

    def _kill_orphan_proxy(self) -> None:
        """A killed hub leaves its proxy running (a real crash does too; a hub that
        failed to start may as well); the next hub would find it by its pid file, but
        we stop it here to keep runs independent."""
        pid_file = self.workdir / "jupyterhub-proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
            time.sleep(0.5)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text()[-chars:]

    async def close(self) -> None:
        self.stop()
        await self.api.aclose()

    # -- REST API -----------------------------------------------------------------

    async def create_user(self, name: str, signed_in: bool = True) -> None:
        """A user, by default with the Entra ids a sign-in with Entra ID gives; without
        (`signed_in=False`) as on a hub that does not pass them."""
        response = await self.api.post(f"/users/{name}")
        assert response.status_code in (201, 409), response.text
        if signed_in:
            response = await self.api.patch(f"/users/{name}", json={"auth_state": auth_state_for(name)})
            assert response.status_code == 200, response.text

    @staticmethod
    def server_path(user: str, server_name: str = "") -> str:
        if server_name:
            return f"/users/{user}/servers/{quote(server_name, safe='')}"
        return f"/users/{user}/server"

    async def spawn(self, user: str, server_name: str = "", **options: Any) -> httpx.Response:
        return await self.api.post(self.server_path(user, server_name), json=options)

    async def stop_server(self, user: str, server_name: str = "") -> httpx.Response:
        return await self.api.delete(self.server_path(user, server_name))

    async def server_model(self, user: str, server_name: str = "") -> dict[str, Any] | None:
        response = await self.api.get(f"/users/{user}", params={"include_stopped_servers": "0"})
        response.raise_for_status()
        return response.json().get("servers", {}).get(server_name)

    async def wait_ready(self, user: str, server_name: str = "", timeout: float = 180) -> dict[str, Any]:
        async def ready():
            model = await self.server_model(user, server_name)
            return model if model and model.get("ready") else None

        try:
            return await eventually(ready, timeout, 0.5, f"{user}:{server_name} ready")
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- hub log ---\n{self.log_tail()}") from e

    async def wait_gone(self, user: str, server_name: str = "", timeout: float = 120) -> None:
        async def gone():
            return await self.server_model(user, server_name) is None

        try:
            await eventually(gone, timeout, 0.5, f"{user}:{server_name} gone")
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- hub log ---\n{self.log_tail()}") from e

    async def progress(self, user: str, server_name: str = "", timeout: float = 240) -> list[dict[str, Any]]:
        """Read the spawn's progress event stream to its end (ready or failed)."""
        events: list[dict[str, Any]] = []

        async def read() -> None:
            async with self.api.stream("GET", self.server_path(user, server_name) + "/progress", timeout=None) as response:
                response.raise_for_status()
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("ready") or event.get("failed"):
                        return

        await asyncio.wait_for(read(), timeout)
        return events

    async def get_user_url(self, user: str, server_name: str = "", path: str = "") -> httpx.Response:
        """`GET /user/<name>/[<server>/]` through the proxy, without following redirects."""
        prefix = f"/user/{user}/" + (f"{quote(server_name, safe='')}/" if server_name else "")
        async with httpx.AsyncClient(headers={"authorization": f"token {TOKEN}"}, timeout=30) as client:
            return await client.get(f"{self.url}{prefix}{path}")
