"""AMLSpawner in a real JupyterHub, driven through the hub's REST API with a token.

Each test runs against the fake control plane and against the repository's local stack
(control plane on the local host, ARM emulator, Azurite); those marked
`both_credentials` also with the hub authenticating by Entra ID token (`stack-token`).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sqlite3
from urllib.parse import quote

import httpx
import jupyterhub
import pytest

from aml_jupyterhub.messages import IDENTITY_MISSING

from ..support.backends import Backend, eventually, free_port
from ..support.hub import Hub

pytestmark = pytest.mark.hub

OPTIONS = {"project": "climate-lab", "size": "Small"}


async def aml_server(backend, user: str, server_name: str = "") -> dict:
    servers = [s for s in await backend.servers_of(user) if (s.get("serverName") or "") == server_name]
    assert servers, f"no control-plane server for {user}:{server_name}"
    return max(servers, key=lambda s: s.get("updatedAt") or "")


def assert_redirects_to_lab(response, server: dict, path: str = "") -> None:
    """To the instance's JupyterLab in the person's folder (Users/<name>), or with `path`
    (and query) the same path on the instance."""
    assert response.status_code == 302, response.text
    base = server["url"].rstrip("/").removesuffix("/lab")
    expected = f"{base}/lab/tree/Users/{quote(server['user'], safe='')}" if not path else base + "/" + path
    assert response.headers["location"] == expected
    assert server["id"] in server["url"]


@pytest.mark.both_credentials
async def test_spawn_progress_redirect_and_stop(hub, backend, username):
    await hub.create_user(username)
    response = await hub.spawn(username, **OPTIONS)
    assert response.status_code in (201, 202), response.text

    first_reader = asyncio.ensure_future(hub.progress(username))
    await asyncio.sleep(backend.create_seconds / 3)
    second_reader = asyncio.ensure_future(hub.progress(username))  # a second browser tab
    first, second = await asyncio.gather(first_reader, second_reader)
    await hub.wait_ready(username)

    server = await aml_server(backend, username)
    assert server["state"] == "Running"
    # the stream carries the control plane's own messages, the same for both readers
    plane_messages = [p["message"] for p in server["progress"]]
    assert [e["message"] for e in first if e["message"] in plane_messages] == plane_messages
    assert [e for e in first if not e.get("ready")] == [e for e in second if not e.get("ready")]
    assert first[-1]["ready"] and second[-1]["ready"]

    assert_redirects_to_lab(await hub.get_user_url(username), server)
    # deep links, nbgitpuller's among them, keep their path and query on the instance
    for path in ("lab/tree/x.ipynb", "lab/tree/data/run%201.ipynb",
                 "git-pull?repo=https%3A%2F%2Fgithub.com%2Fexample%2Fcourse&urlpath=lab%2Ftree%2Fcourse"):
        assert_redirects_to_lab(await hub.get_user_url(username, path=path), server, path)

    response = await hub.stop_server(username)
    assert response.status_code in (202, 204), response.text
    await hub.wait_gone(username)

    async def stopped():
        return await backend.instance_state(server) == "Stopped"

    await eventually(stopped, 60, what="instance Stopped in Azure")
    assert (await backend.server(server["id"]))["state"] == "Stopped"


@pytest.mark.both_credentials
async def test_named_server_alongside_the_default_one(hub, backend, username):
    await hub.create_user(username)
    assert (await hub.spawn(username, **OPTIONS)).status_code in (201, 202)
    assert (await hub.spawn(username, "gpu-box", project="climate-lab", size="GPU")).status_code in (201, 202)
    await asyncio.gather(hub.wait_ready(username), hub.wait_ready(username, "gpu-box"))

    default = await aml_server(backend, username)
    named = await aml_server(backend, username, "gpu-box")
    assert default["id"] != named["id"] and named["size"] == "GPU"
    assert_redirects_to_lab(await hub.get_user_url(username), default)
    assert_redirects_to_lab(await hub.get_user_url(username, "gpu-box"), named)

    assert (await hub.stop_server(username, "gpu-box")).status_code in (202, 204)
    await hub.wait_gone(username, "gpu-box")
    assert (await hub.server_model(username))["ready"]  # the default one is untouched
    assert_redirects_to_lab(await hub.get_user_url(username), default)

    # deleting the named server deletes its instance
    response = await hub.api.request("DELETE", f"/users/{username}/servers/gpu-box", json={"remove": True})
    assert response.status_code in (202, 204), response.text

    async def deleted():
        # the stack forgets a deleted instance (None); the fake keeps it as Deleted
        return (await backend.instance_state(named)) in (None, "Deleting", "Deleted")

    await eventually(deleted, 60, what="named instance deleted")


async def test_create_failed_fails_the_spawn_with_azures_message(hub, backend, username):
    message = "Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota."
    await backend.fail_next_create(message, code="QuotaExceeded")
    await hub.create_user(username)
    assert (await hub.spawn(username, **OPTIONS)).status_code in (201, 202)
    events = await hub.progress(username)
    assert events[-1]["failed"]
    assert events[-1]["message"] == f"Spawn failed: {message}"
    await hub.wait_gone(username)
    if jupyterhub.version_info >= (5, 5):  # older hubs log every spawn error with a traceback
        # reported as a handled spawn failure, not as an error of the hub
        assert "Unhandled error" not in hub.log_tail(100000)


@pytest.mark.both_credentials
async def test_server_stopped_outside_the_hub_is_noticed(hub, backend, username):
    await hub.create_user(username)
    await hub.spawn(username, **OPTIONS)
    await hub.wait_ready(username)
    server = await aml_server(backend, username)
    # e.g. the idle stop, or someone pressing Stop in the studio
    response = await backend.control_plane("POST", f"/api/servers/{server['id']}/stop", json={"reason": "admin"})
    assert response.status_code in (200, 202), response.text
    await hub.wait_gone(username, timeout=30)  # poll_interval is 2 s here


@pytest.mark.both_credentials
async def test_hub_restart_while_a_server_runs(hub, backend, username):
    await hub.create_user(username)
    await hub.spawn(username, **OPTIONS)
    await hub.wait_ready(username)
    server = await aml_server(backend, username)

    hub.restart()
    model = await hub.wait_ready(username, timeout=60)
    assert model["ready"]
    assert_redirects_to_lab(await hub.get_user_url(username), server)
    assert (await backend.server(server["id"]))["state"] == "Running"


@pytest.mark.both_credentials
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
async def test_hub_restart_while_a_spawn_is_in_progress(hub, backend, username, sig):
    await hub.create_user(username)
    assert (await hub.spawn(username, **OPTIONS)).status_code == 202

    async def creating():
        servers = await backend.servers_of(username)
        return servers and servers[0]["state"] in ("Creating", "Requested", "Starting")

    await eventually(creating, 30, what="a spawn in progress")
    hub.restart(sig)

    async def settled():
        model = await hub.server_model(username)
        if model is None:
            return "gone"
        if model.get("ready"):
            return "ready"
        return None

    outcome = await eventually(settled, 180, 0.5, "ready or cleanly failed")
    server = await aml_server(backend, username)
    if outcome == "ready":
        # the hub counts a server still being created as started at once; its address
        # holds the person until the instance runs, then sends them on
        async def running():
            current = await aml_server(backend, username)
            return current["state"] == "Running" and current

        response = await hub.get_user_url(username)
        assert response.status_code in (200, 302), response.text
        if response.status_code == 200:
            assert "Your server is still starting" in response.text
        server = await eventually(running, 180, 0.5, "instance Running")

        async def redirected():
            response = await hub.get_user_url(username)
            return response if response.status_code == 302 else None

        assert_redirects_to_lab(await eventually(redirected, 30, 0.5, "redirect to the lab"), server)
    else:
        # cleanly failed: nothing left running
        async def not_running():
            state = (await backend.server(server["id"]))["state"]
            return state not in ("Requested", "Creating", "Starting", "Running") and state

        await eventually(not_running, 60, what="nothing left running")
    assert "Unhandled error" not in hub.log_tail(100000), hub.log_tail()


@pytest.mark.both_credentials
async def test_hub_restart_while_a_failing_spawn_is_in_progress(hub, backend, username):
    message = "The compute instance was created but its setup script exited with code 1."
    await backend.fail_next_create(message, code="SetupScriptFailed")
    await hub.create_user(username)
    assert (await hub.spawn(username, **OPTIONS)).status_code == 202

    async def creating():
        servers = await backend.servers_of(username)
        return servers and servers[0]["state"] in ("Creating", "Requested")

    await eventually(creating, 30, what="a spawn in progress")
    hub.restart()
    await hub.wait_gone(username, timeout=120)  # the hub gives up after http_timeout
    server = await aml_server(backend, username)
    assert server["state"] == "Failed" and server["error"]["message"] == message


@pytest.mark.both_credentials
async def test_stopping_a_spawn_in_progress_leaves_nothing_running(hub, backend, username):
    await hub.create_user(username)
    assert (await hub.spawn(username, **OPTIONS)).status_code == 202

    async def creating():
        servers = await backend.servers_of(username)
        return servers and servers[0]["state"] in ("Creating", "Requested") and servers[0]

    server = await eventually(creating, 30, what="a spawn in progress")
    assert (await hub.stop_server(username)).status_code in (202, 204)
    await hub.wait_gone(username)

    async def nothing_running():
        state = (await backend.server(server["id"]))["state"]
        return state in ("Stopped", "Deleted", "Failed") and state

    await eventually(nothing_running, 90, what="the spawn cancelled")
    await asyncio.sleep(backend.create_seconds)  # the create would have finished by now
    assert await backend.instance_state(server) != "Running"


@pytest.mark.both_credentials
async def test_hub_restart_after_losing_the_server_id_finds_the_server_again(hub, backend, username):
    """The hub stopped in the instant between the spawn request and its answer, so no
    server id was saved: the spawner finds the server by listing the user's servers."""
    await hub.create_user(username)
    await hub.spawn(username, **OPTIONS)
    await hub.wait_ready(username)
    server = await aml_server(backend, username)

    hub.stop()
    with sqlite3.connect(hub.workdir / "jupyterhub.sqlite") as db:
        rows = db.execute("SELECT id, state FROM spawners WHERE state LIKE ?", (f"%{server['id']}%",)).fetchall()
        assert len(rows) == 1
        state = {k: v for k, v in json.loads(rows[0][1]).items() if k not in ("server_id", "lab_url", "server_ids", "last_server_id")}
        db.execute("UPDATE spawners SET state = ? WHERE id = ?", (json.dumps(state), rows[0][0]))
    hub.start()

    await hub.wait_ready(username, timeout=60)
    assert_redirects_to_lab(await hub.get_user_url(username), server)
    assert "aml-recovered" in hub.log_tail(100000)


async def test_a_hub_that_passes_no_identity_says_so_to_the_person(hub, backend, username):
    """Personal instances need the person's Entra object id; a hub that does not pass it
    gets a sentence for the person on the spawn page and the detail in its log."""
    await hub.create_user(username, signed_in=False)
    assert (await hub.spawn(username, **OPTIONS)).status_code in (201, 202)
    try:
        events = await hub.progress(username)
    except httpx.HTTPStatusError as e:
        # The refusal can come before the progress stream is opened: the hub then answers 400
        # "not starting", and the sentence it gave the person is in its log.
        assert e.response.status_code == 400
        await hub.wait_gone(username)
        # JupyterHub 6 logs "Not starting <user>'s server : <sentence>", 5 "Unhandled error
        # starting <user>'s server: HTTP 403: AML spawn failed (<sentence>)".
        said = rf"starting {re.escape(username)}'s server.*{re.escape(IDENTITY_MISSING)}"
        assert re.search(said, hub.log_tail(200000)), "the hub did not log the person's sentence"
    else:
        assert events[-1]["failed"] and events[-1]["message"] == f"Spawn failed: {IDENTITY_MISSING}"
    await hub.wait_gone(username)
    log = hub.log_tail(200000)
    assert f"aml-identity-missing user={username}" in log
    assert not await backend.servers_of(username)


class Unreachable(Backend):
    """A control plane that is not there: a port nobody listens on."""

    kind = "unreachable"

    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize("outage", ["connection-refused", "503"])
async def test_an_unreachable_control_plane_is_shown_and_the_spawn_fails_in_bounded_time(tmp_path, fake_backend, outage, username):
    backend = Unreachable() if outage == "connection-refused" else fake_backend
    hub = Hub(tmp_path, backend, f"unreachable-{outage}", extra_settings={"control_plane_unreachable_timeout": 8})
    hub.start()
    try:
        await hub.create_user(username)
        if outage == "503":
            async with httpx.AsyncClient() as client:
                (await client.post(f"{fake_backend.url}/_fake/outage", json={"seconds": 60})).raise_for_status()
        started = asyncio.get_running_loop().time()
        assert (await hub.spawn(username, **OPTIONS)).status_code in (201, 202)
        events = await hub.progress(username, timeout=60)
        took = asyncio.get_running_loop().time() - started
        messages = [e["message"] for e in events]
        reason = "the connection is refused" if outage == "connection-refused" else "it answers 503 Service Unavailable"
        assert f"Cannot reach the control plane ({reason}), retrying…" in messages
        assert events[-1]["failed"]
        assert events[-1]["message"].startswith(
            "Spawn failed: The service that starts servers (the control plane) could not be reached for 8 seconds"
        )
        assert 8 <= took < 40  # bounded by control_plane_unreachable_timeout, not start_timeout (240)
        await hub.wait_gone(username)
        assert "aml-control-plane-unreachable" in hub.log_tail(100000)
    finally:
        if outage == "503":
            async with httpx.AsyncClient() as client:
                await client.post(f"{fake_backend.url}/_fake/outage", json={"seconds": 0})
        await hub.close()


async def test_rest_spawn_takes_jupyterhub_6s_body_form_and_the_top_level_form(hub, backend, username):
    await hub.create_user(username)
    # {"user_options": {…}}: JupyterHub 6's form (a JupyterHub 5 hub hands the whole body over)
    response = await hub.api.post(
        hub.server_path(username), json={"user_options": {"project": "ocean-lab", "size": "Medium"}}
    )
    assert response.status_code in (201, 202), response.text
    # {"project": …, "size": …}: the top-level form, on a named server
    response = await hub.spawn(username, "second", project="climate-lab", size="Large")
    assert response.status_code in (201, 202), response.text
    await asyncio.gather(hub.wait_ready(username), hub.wait_ready(username, "second"))
    default = await aml_server(backend, username)
    named = await aml_server(backend, username, "second")
    assert (default["project"], default["size"]) == ("ocean-lab", "Medium")
    assert (named["project"], named["size"]) == ("climate-lab", "Large")
    # the hub keeps the options as the person chose them (the home page shows them)
    model = (await hub.api.get(f"/users/{username}")).json()["servers"]
    assert model[""]["user_options"] == {"project": "ocean-lab", "size": "Medium"}
    assert model["second"]["user_options"] == {"project": "climate-lab", "size": "Large"}


async def test_renaming_a_named_server_with_an_instance_is_refused_clearly(hub, backend, username):
    await hub.create_user(username)
    assert (await hub.spawn(username, "first", **OPTIONS)).status_code in (201, 202)
    await hub.wait_ready(username, "first")
    (first,) = [s for s in await backend.servers_of(username) if s.get("serverName") == "first"]
    assert (await hub.stop_server(username, "first")).status_code in (202, 204)
    await hub.wait_gone(username, "first")
    response = await hub.api.patch(f"/users/{username}/servers/first", json={"name": "renamed"})
    if jupyterhub.version_info < (6,):
        # JupyterHub 5 has no rename: the hub refuses the request before any spawner is asked.
        assert response.status_code in (404, 405), response.text
    else:
        assert response.status_code == 409, response.text
        assert "cannot be renamed" in response.json()["message"]
    servers = (await hub.api.get(f"/users/{username}", params={"include_stopped_servers": "1"})).json()["servers"]
    assert "first" in servers and "renamed" not in servers
    # and a start without options (`{}`) starts its own instance again, with its project and
    # size: JupyterHub 6 passes the server's last options, JupyterHub 5 the empty body, and the
    # spawner then takes the last instance's. No second instance beside it, no "choose a project".
    assert (await hub.spawn(username, "first")).status_code in (201, 202)
    try:
        events = await hub.progress(username, "first", timeout=120)
    except httpx.HTTPStatusError as e:  # already over when the stream opened: the log says how
        raise AssertionError(f"the start failed: {e}\n{hub.log_tail()}") from e
    assert events[-1].get("ready"), events
    await hub.wait_ready(username, "first")
    assert [s["id"] for s in await backend.servers_of(username) if s.get("serverName") == "first"] == [first["id"]]
    assert (await backend.server(first["id"]))["state"] == "Running"
    model = (await hub.api.get(f"/users/{username}")).json()["servers"]["first"]
    assert model["user_options"] == OPTIONS
