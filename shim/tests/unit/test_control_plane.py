import json
from datetime import datetime, timezone

import httpx
import pytest

from aml_jupyterhub.control_plane import ControlPlaneClient, parse_retry_after, to_iso8601
from aml_jupyterhub.errors import ControlPlaneError, ControlPlaneUnavailableError


def client_with(handler) -> ControlPlaneClient:
    return ControlPlaneClient("http://cp.test/", "secret", transport=httpx.MockTransport(handler))


async def test_sends_the_key_and_json():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["key"] = request.headers.get("x-functions-key")
        seen["url"] = str(request.url)
        seen["body"] = json.loads(request.content)
        return httpx.Response(202, json={"id": "ci-abc", "state": "Creating"})

    client = client_with(handler)
    server = await client.spawn({"user": "alice", "project": "climate-lab", "size": "Small"})
    assert server == {"id": "ci-abc", "state": "Creating"}
    assert seen == {
        "key": "secret",
        "url": "http://cp.test/api/servers",
        "body": {"user": "alice", "project": "climate-lab", "size": "Small"},
    }


async def test_problem_json_becomes_control_plane_error():
    def handler(request):
        return httpx.Response(
            400,
            headers={"content-type": "application/problem+json"},
            json={
                "type": "https://aml-jupyterhub/errors/validation",
                "title": "Bad Request",
                "status": 400,
                "detail": "The spawn request is not valid.",
                "errors": [{"path": "size", "message": "must be one of Small, Medium, Large, GPU"}],
            },
        )

    with pytest.raises(ControlPlaneError) as caught:
        await client_with(handler).spawn({"user": "a", "project": "p", "size": "Huge"})
    error = caught.value
    assert error.status == 400 and not error.transient
    assert str(error) == "The spawn request is not valid: size: must be one of Small, Medium, Large, GPU"


async def test_conflict_is_transient_with_retry_after():
    def handler(request):
        return httpx.Response(409, headers={"retry-after": "7"}, json={"title": "Conflict", "status": 409, "detail": "ci-x is stopping"})

    with pytest.raises(ControlPlaneError) as caught:
        await client_with(handler).spawn({})
    assert caught.value.transient and caught.value.retry_after == 7.0


async def test_error_without_json_body():
    with pytest.raises(ControlPlaneError) as caught:
        await client_with(lambda r: httpx.Response(502, text="<html>bad gateway</html>")).get_server("ci-x")
    assert caught.value.status == 502 and caught.value.transient


async def test_unreachable_is_unavailable_error():
    def handler(request):
        raise httpx.ConnectError("connection refused")

    with pytest.raises(ControlPlaneUnavailableError, match="could not be reached"):
        await client_with(handler).get_server("ci-x")


async def test_activity_options_and_paths():
    seen = []

    def handler(request):
        seen.append((request.method, request.url.path, dict(request.url.params), request.content))
        if request.url.path == "/api/options":
            return httpx.Response(200, json={"projects": [], "sizes": []})
        return httpx.Response(204)

    client = client_with(handler)
    await client.post_activity("ci-x", datetime(2025, 5, 1, 12, 0, 0))
    await client.get_options("alice", "6f1c2f43-1111-4a0b-9c1d-2e3f4a5b6c7d")
    assert seen[0][:2] == ("POST", "/api/servers/ci-x/activity")
    assert json.loads(seen[0][3]) == {"lastActivity": "2025-05-01T12:00:00Z"}
    assert seen[1][2] == {"user": "alice", "userObjectId": "6f1c2f43-1111-4a0b-9c1d-2e3f4a5b6c7d"}


async def test_list_servers_follows_continuation():
    def handler(request):
        if "continuationToken" in request.url.params:
            return httpx.Response(200, json={"servers": [{"id": "ci-2"}], "continuationToken": None})
        return httpx.Response(200, json={"servers": [{"id": "ci-1"}], "continuationToken": "next"})

    servers = await client_with(handler).list_servers("alice")
    assert [s["id"] for s in servers] == ["ci-1", "ci-2"]


@pytest.mark.parametrize("value, seconds", [("5", 5.0), (" 0 ", 0.0), ("-1", None), ("Wed, 21 Oct 2015 07:28:00 GMT", None), (None, None)])
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    "moment, text",
    [
        (datetime(2025, 5, 1, 12, 0, 0), "2025-05-01T12:00:00Z"),
        (datetime(2025, 5, 1, 12, 0, 0, 500000, tzinfo=timezone.utc), "2025-05-01T12:00:00.500000Z"),
    ],
)
def test_to_iso8601(moment, text):
    assert to_iso8601(moment) == text


def test_tls_verification():
    import ssl

    import certifi

    from aml_jupyterhub.control_plane import tls_verification

    assert tls_verification(True) is True
    assert tls_verification(False) is False
    assert isinstance(tls_verification(certifi.where()), ssl.SSLContext)
