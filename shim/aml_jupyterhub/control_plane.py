"""HTTP client of the control plane API (DESIGN.md, "Control plane HTTP API").

Async all the way (httpx.AsyncClient); every answer that is not a success becomes a
`ControlPlaneError` carrying the problem+json fields, every transport failure a
`ControlPlaneUnavailableError`. No retry policy here: callers decide with a deadline.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref
from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import quote

import httpx

from . import __version__
from .errors import ControlPlaneError, ControlPlaneUnavailableError
from .token_auth import BearerTokenAuth, TokenCache, TokenSettings, build_credential

Server = dict[str, Any]

KEY_HEADER = "x-functions-key"
USER_AGENT = f"aml-jupyterhub-shim/{__version__}"
#: Upper bound on pages read when listing servers (the listing is a recovery path).
MAX_LIST_PAGES = 20


class ControlPlaneClient:
    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Authenticates with `api_key` (the x-functions-key header) or, when given,
        `auth` (e.g. `BearerTokenAuth` for Entra ID tokens) instead."""
        self.base_url = base_url.rstrip("/")
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        if api_key and auth is None:
            headers[KEY_HEADER] = api_key
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            auth=auth,
            timeout=timeout,
            verify=tls_verification(verify),
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- routes ---------------------------------------------------------------

    async def spawn(self, body: Mapping[str, Any]) -> Server:
        """`POST /api/servers`: 202 while provisioning, 200 when already Running."""
        return await self._json("POST", "/api/servers", json=dict(body))

    async def get_server(self, server_id: str) -> Server:
        return await self._json("GET", _server_path(server_id))

    async def stop_server(self, server_id: str, reason: str = "user") -> Server:
        return await self._json(
            "POST", _server_path(server_id, "stop"), json={"reason": reason}
        )

    async def delete_server(self, server_id: str) -> Server | None:
        return await self._json("DELETE", _server_path(server_id))

    async def post_activity(self, server_id: str, last_activity: datetime) -> None:
        await self._json(
            "POST",
            _server_path(server_id, "activity"),
            json={"lastActivity": to_iso8601(last_activity)},
        )

    async def get_options(
        self, user: str, user_object_id: str | None = None
    ) -> dict[str, Any]:
        params = {"user": user}
        if user_object_id:
            params["userObjectId"] = user_object_id
        return await self._json("GET", "/api/options", params=params)

    async def list_servers(
        self, user: str, project: str | None = None
    ) -> list[Server]:
        """Every server of `user` (admin listing, all pages up to a bound)."""
        params: dict[str, str] = {"user": user}
        if project:
            params["project"] = project
        servers: list[Server] = []
        for _ in range(MAX_LIST_PAGES):
            page = await self._json("GET", "/api/servers", params=params)
            servers.extend(page.get("servers") or [])
            token = page.get("continuationToken")
            if not token:
                break
            params["continuationToken"] = token
        return servers

    async def health(self) -> dict[str, Any]:
        return await self._json("GET", "/api/health")

    # -- plumbing -------------------------------------------------------------

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as e:
            raise ControlPlaneUnavailableError(
                f"The control plane at {self.base_url} did not answer {method} {path} in time."
            ) from e
        except httpx.TransportError as e:
            raise ControlPlaneUnavailableError(
                f"The control plane at {self.base_url} could not be reached ({e.__class__.__name__}: {e})."
            ) from e
        if response.status_code >= 400:
            raise problem_from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as e:
            raise ControlPlaneError(
                502,
                "Bad Gateway",
                f"The control plane answered {method} {path} with something that is not JSON.",
            ) from e


def tls_verification(verify: bool | str) -> bool | ssl.SSLContext:
    """httpx's `verify` from the setting: a path names a CA bundle."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verify


def problem_from_response(response: httpx.Response) -> ControlPlaneError:
    """An RFC 9457 problem from an error response (tolerates a non-JSON body)."""
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        pass
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors")
    return ControlPlaneError(
        int(body.get("status") or response.status_code),
        str(body.get("title") or response.reason_phrase or ""),
        str(body.get("detail") or ""),
        errors=errors if isinstance(errors, list) else None,
        problem_type=str(body.get("type") or "about:blank"),
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        code=str(body.get("code") or "") or None,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header (the delta-seconds form; dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def to_iso8601(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`; naive datetimes are UTC (as JupyterHub stores them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _server_path(server_id: str, action: str = "") -> str:
    path = f"/api/servers/{quote(server_id, safe='')}"
    return f"{path}/{action}" if action else path


# One client (one connection pool) per configuration and event loop, shared by all
# spawners of the hub: a thousand users do not make a thousand pools.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, ControlPlaneClient]]" = (
    weakref.WeakKeyDictionary()
)


def shared_client(
    base_url: str,
    api_key: str,
    *,
    timeout: float,
    verify: bool | str,
    token: TokenSettings | None = None,
) -> ControlPlaneClient:
    """The hub's client for these settings: the key, or Entra ID tokens when `token`
    is given (one credential and one token cache per configuration and loop)."""
    loop = asyncio.get_running_loop()
    per_loop = _clients.setdefault(loop, {})
    key = (base_url.rstrip("/"), "" if token else api_key, float(timeout), verify, token)
    client = per_loop.get(key)
    if client is None:
        auth = BearerTokenAuth(TokenCache(build_credential(token), token.scope)) if token else None
        client = per_loop[key] = ControlPlaneClient(
            base_url, api_key, auth=auth, timeout=timeout, verify=verify
        )
    return client
