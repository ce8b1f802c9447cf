"""Bearer tokens for the control plane from `azure-identity` (auth_mode "azure-identity").

The hub asks Entra ID for an access token for the control plane's API app (scope
`api://<API app client id>/.default`) with its managed identity or a client secret, and
sends it as `Authorization: Bearer …` instead of the key. Tokens are fetched with the
async credentials (`azure.identity.aio`), shared by every spawner of the hub, and cached
until shortly before they expire; one fetch serves every request waiting for it.

`azure-identity` is an optional dependency: `pip install "aml-jupyterhub[azure]"`.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any, AsyncGenerator, Callable, Protocol

import httpx

#: A token is renewed this many seconds before it expires.
REFRESH_MARGIN_SECONDS = 300.0

CREDENTIAL_KINDS = ("default", "managed-identity", "client-secret")


class AsyncTokenCredential(Protocol):
    """What `azure.identity.aio` credentials offer (azure.core's AsyncTokenCredential)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """An `AccessToken(token, expires_on)`; `expires_on` in epoch seconds."""


class TokenConfigurationError(ValueError):
    """The token settings cannot work (no scope, unknown credential, missing package)."""


@dataclass(frozen=True)
class TokenSettings:
    """How to get tokens; hashable, so one cache serves every spawner with the same settings."""

    scope: str
    credential: str = "default"
    #: Client id of a user-assigned managed identity (or of the app for a client secret).
    client_id: str = ""


def build_credential(settings: TokenSettings, env: dict[str, str] | None = None) -> AsyncTokenCredential:
    """The async credential the settings name. A client secret comes from the environment
    (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), never from configuration."""
    env = dict(os.environ if env is None else env)
    try:
        from azure.identity import aio as identity
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise TokenConfigurationError(
            'auth_mode "azure-identity" needs azure-identity: pip install "aml-jupyterhub[azure]"'
        ) from e
    client_id = settings.client_id or None
    if settings.credential == "default":
        return identity.DefaultAzureCredential(managed_identity_client_id=client_id)
    if settings.credential == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=client_id)
    if settings.credential == "client-secret":
        missing = [name for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_SECRET") if not env.get(name)]
        if not (client_id or env.get("AZURE_CLIENT_ID")):
            missing.insert(1, "AZURE_CLIENT_ID")
        if missing:
            raise TokenConfigurationError(
                "The client-secret credential reads " + ", ".join(missing) + " from the environment; set them."
            )
        return identity.ClientSecretCredential(
            env["AZURE_TENANT_ID"], client_id or env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"]
        )
    raise TokenConfigurationError(
        f"Unknown azure_credential {settings.credential!r}; expected one of {', '.join(CREDENTIAL_KINDS)}."
    )


class TokenCache:
    """One access token for one scope, renewed shortly before it expires."""

    def __init__(
        self,
        credential: AsyncTokenCredential,
        scope: str,
        *,
        now: Callable[[], float] = time.time,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
    ) -> None:
        if not scope:
            raise TokenConfigurationError(
                'auth_mode "azure-identity" needs token_scope, e.g. "api://<API app client id>/.default".'
            )
        self.credential = credential
        self.scope = scope
        self._now = now
        self._margin = refresh_margin
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._fresh():
            return self._token  # type: ignore[return-value]
        async with self._lock:
            if not self._fresh():  # another request may have renewed it meanwhile
                access = await self.credential.get_token(self.scope)
                self._token, self._expires_on = access.token, float(access.expires_on)
            return self._token  # type: ignore[return-value]

    def invalidate(self) -> None:
        """Forget the token (the control plane refused it), so the next request gets a new one."""
        self._token, self._expires_on = None, 0.0

    def _fresh(self) -> bool:
        return self._token is not None and self._now() < self._expires_on - self._margin


class BearerTokenAuth(httpx.Auth):
    """httpx authentication that sends the cached token; a 401 renews it and retries once."""

    def __init__(self, cache: TokenCache) -> None:
        self.cache = cache

    def sync_auth_flow(self, request: httpx.Request):  # pragma: no cover - the shim is async
        raise RuntimeError("BearerTokenAuth works with httpx.AsyncClient only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.cache.token()}"
        response = yield request
        if response.status_code == 401:
            self.cache.invalidate()
            request.headers["Authorization"] = f"Bearer {await self.cache.token()}"
            yield request
