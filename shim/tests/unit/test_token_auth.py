"""auth_mode "azure-identity": tokens from a credential, cached until near expiry, sent as Bearer."""

import asyncio
import json
from types import SimpleNamespace

import httpx
import pytest

from aml_jupyterhub.aml_spawner import AMLSpawner
from aml_jupyterhub.control_plane import KEY_HEADER, ControlPlaneClient, shared_client
from aml_jupyterhub.errors import ControlPlaneError
from aml_jupyterhub.token_auth import (
    BearerTokenAuth,
    TokenCache,
    TokenConfigurationError,
    TokenSettings,
    build_credential,
)

SCOPE = "api://11111111-2222-3333-4444-555555555555/.default"


class FakeCredential:
    """An azure.identity.aio credential stand-in: numbered tokens valid for `lifetime` s."""

    def __init__(self, now, lifetime: float = 3600.0, delay: float = 0.0) -> None:
        self.now = now
        self.lifetime = lifetime
        self.delay = delay
        self.requests: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs):
        self.requests.append(scopes)
        if self.delay:
            await asyncio.sleep(self.delay)
        return SimpleNamespace(token=f"token-{len(self.requests)}", expires_on=int(self.now() + self.lifetime))


class Time:
    def __init__(self) -> None:
        self.value = 1_000_000.0

    def __call__(self) -> float:
        return self.value


async def test_caches_the_token_until_shortly_before_it_expires():
    now = Time()
    credential = FakeCredential(now, lifetime=3600)
    cache = TokenCache(credential, SCOPE, now=now, refresh_margin=300)
    assert await cache.token() == "token-1"
    now.value += 3299
    assert await cache.token() == "token-1"
    now.value += 2  # within five minutes of expiry
    assert await cache.token() == "token-2"
    assert credential.requests == [(SCOPE,), (SCOPE,)]


async def test_concurrent_requests_share_one_fetch():
    now = Time()
    credential = FakeCredential(now, delay=0.05)
    cache = TokenCache(credential, SCOPE, now=now)
    tokens = await asyncio.gather(*(cache.token() for _ in range(10)))
    assert set(tokens) == {"token-1"}
    assert len(credential.requests) == 1


def test_a_scope_is_required():
    with pytest.raises(TokenConfigurationError, match="token_scope"):
        TokenCache(FakeCredential(Time()), "")


def client_with(handler, credential) -> ControlPlaneClient:
    auth = BearerTokenAuth(TokenCache(credential, SCOPE, now=credential.now))
    return ControlPlaneClient("http://cp.test/", "ignored-key", auth=auth, transport=httpx.MockTransport(handler))


async def test_sends_a_bearer_token_instead_of_the_key():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get("authorization"), request.headers.get(KEY_HEADER)))
        return httpx.Response(200, json={"status": "ok"})

    credential = FakeCredential(Time())
    client = client_with(handler, credential)
    await client.health()
    await client.health()
    assert seen == [("Bearer token-1", None), ("Bearer token-1", None)]
    assert len(credential.requests) == 1


async def test_a_refused_token_is_renewed_once():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer token-1":
            return httpx.Response(401, json={"status": 401, "title": "A credential is required", "detail": "expired"})
        return httpx.Response(200, json={"status": "ok"})

    client = client_with(handler, FakeCredential(Time()))
    assert await client.health() == {"status": "ok"}
    assert seen == ["Bearer token-1", "Bearer token-2"]


async def test_a_token_refused_twice_is_an_error():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": 401, "title": "A credential is required", "detail": "wrong audience"})

    with pytest.raises(ControlPlaneError) as caught:
        await client_with(handler, FakeCredential(Time())).health()
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("settings", "env", "expected"),
    [
        (TokenSettings(SCOPE), {}, "DefaultAzureCredential"),
        (TokenSettings(SCOPE, "managed-identity", "66666666-7777-8888-9999-000000000000"), {}, "ManagedIdentityCredential"),
        (
            TokenSettings(SCOPE, "client-secret"),
            {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"},
            "ClientSecretCredential",
        ),
    ],
)
async def test_builds_the_named_async_credential(settings, env, expected):
    credential = build_credential(settings, env)
    try:
        assert type(credential).__name__ == expected
        assert type(credential).__module__.startswith("azure.identity.aio")
    finally:
        await credential.close()


def test_a_client_secret_comes_from_the_environment_only():
    with pytest.raises(TokenConfigurationError, match="AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"):
        build_credential(TokenSettings(SCOPE, "client-secret"), {})


def test_unknown_credential_kind():
    with pytest.raises(TokenConfigurationError, match="Unknown azure_credential"):
        build_credential(TokenSettings(SCOPE, "certificate"), {})


def test_spawner_token_settings_from_traits(monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_ID", "66666666-7777-8888-9999-000000000000")
    assert AMLSpawner().token_settings() is None
    spawner = AMLSpawner(auth_mode="azure-identity", token_scope=SCOPE, azure_credential="managed-identity")
    assert spawner.token_settings() == TokenSettings(SCOPE, "managed-identity", "66666666-7777-8888-9999-000000000000")


async def test_shared_client_in_token_mode_sends_no_key():
    client = shared_client("http://cp.test", "a-key", timeout=5, verify=True, token=TokenSettings(SCOPE))
    try:
        assert KEY_HEADER not in client._http.headers
        assert isinstance(client._http.auth, BearerTokenAuth)
        assert shared_client("http://cp.test", "other-key", timeout=5, verify=True, token=TokenSettings(SCOPE)) is client
    finally:
        await client._http.auth.cache.credential.close()


async def test_quota_refusal_is_not_retried():
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"status": 409, "title": "A quota does not allow this", "code": "quota-exceeded",
                "detail": "You already have 3 servers starting or running, the most allowed per user (3)."}
        return httpx.Response(409, headers={"content-type": "application/problem+json"}, content=json.dumps(body))

    client = ControlPlaneClient("http://cp.test/", "key", transport=httpx.MockTransport(handler))
    with pytest.raises(ControlPlaneError) as caught:
        await client.spawn({"user": "alice", "project": "climate-lab", "size": "Small"})
    assert caught.value.code == "quota-exceeded" and not caught.value.transient
    assert str(caught.value).startswith("You already have 3 servers")
