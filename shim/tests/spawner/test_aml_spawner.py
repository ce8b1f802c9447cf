"""AMLSpawner without a hub: the Spawner API as JupyterHub calls it (start, progress,
poll, stop, state, delete_forever). Tests taking `cp` run against the fake control plane
and against the local stack (tests/spawner/conftest.py); those taking `fake_cp` need
what only the fake can do."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import quote

import httpx
import pytest
from tornado import web

from aml_jupyterhub.aml_spawner import AMLSpawner
from aml_jupyterhub.control_plane import ControlPlaneClient
from aml_jupyterhub.errors import ControlPlaneError, SpawnError
from aml_jupyterhub.redirector import Redirector

from ..support.backends import eventually
from ..support.fake_control_plane import server_id

OID = "6f1c2f43-1111-4a0b-9c1d-2e3f4a5b6c7d"
TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


#: What an Entra sign-in with auth state gives the spawner.
SIGNED_IN = {"user": {"oid": OID, "tid": TID}}


class FakeUser:
    def __init__(self, name: str = "alice", auth_state: dict | None = SIGNED_IN) -> None:
        self.name = name
        self.auth_state = auth_state

    async def get_auth_state(self):
        return self.auth_state


def orm_spawner(name: str = "", **fields):
    """What the spawner reads from the hub's database row."""
    return SimpleNamespace(name=name, server=None, state=None, last_activity=None, started=None, **fields)


@pytest.fixture
def redirector():
    redirector = Redirector()
    yield redirector
    redirector.stop()


@pytest.fixture
def make_spawner(request, cp_client, redirector):
    target = request.getfixturevalue("cp") if "cp" in request.fixturenames else None
    user_name = target.user if target else "alice"
    on_stack = target is not None and target.kind == "stack"

    def make(user: FakeUser | None = None, name: str = "", user_options: dict | None = None, **traits) -> AMLSpawner:
        user = user or FakeUser(user_name)
        prefix = f"/user/{user.name}/" + (f"{name}/" if name else "")
        settings = dict(
            control_plane=cp_client,
            redirector=redirector,
            redirect_port=0,
            status_poll_interval=0.05 if not on_stack else 0.5,
            start_timeout=30 if not on_stack else 120,
            stop_timeout=10 if not on_stack else 60,
        )
        settings.update(traits)
        spawner = AMLSpawner(
            user=user,
            orm_spawner=orm_spawner(name),
            proxy_spec=prefix,
            user_options=user_options if user_options is not None else {"project": "climate-lab", "size": "Small"},
            **settings,
        )
        spawner.load_state({})
        return spawner

    return make


async def redirect_of(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def answered(spawner, task) -> None:
    """Until the spawn request is answered (the server has an id): the instance is on its way."""
    for _ in range(1500):
        if spawner.server_id:
            return
        assert not task.done(), task
        await asyncio.sleep(0.02)
    raise AssertionError("the spawn was not answered within 30 s")


#: the create's line: the control plane's wording, or the fake's older one
CREATING = re.compile(r"^(Creating your Small server — usually|Creating compute instance ci-)")
STARTING = re.compile(r"^(Starting your Small server — usually|Starting compute instance)")


async def test_start_returns_the_redirect_endpoint_which_sends_users_to_jupyterlab(make_spawner, cp):
    spawner = make_spawner()
    url = await spawner.start()
    sid = server_id(cp.user, "climate-lab", "Standard_DS1_v2", "")
    assert spawner.server_id == sid
    assert url == f"http://127.0.0.1:{spawner.redirector.port}/user/{cp.user}/"
    response = await redirect_of(url)
    assert response.status_code == 302
    lab = (await cp.server(sid))["url"]
    assert re.fullmatch(rf"https?://127\.0\.0\.1:\d+/instances/{sid}/lab", lab)
    # no path asked for: JupyterLab in the person's own folder of the workspace file share
    assert response.headers["location"] == f"{lab}/tree/Users/{quote(cp.user, safe='')}"
    # what the hub checks before it calls the server ready
    assert (await redirect_of(url + "api")).status_code == 302
    assert await spawner.poll() is None


async def test_spawn_body_carries_identity_and_server_name(make_spawner, fake_cp):
    user = FakeUser(auth_state={"user": {"oid": OID, "tid": TID.upper()}})
    spawner = make_spawner(user=user, name="gpu-box", user_options={"project": "ocean-lab", "size": "GPU"})
    await spawner.start()
    spawn = [r for r in fake_cp.state.requests if r["method"] == "POST" and r["path"] == "/api/servers"][-1]
    assert spawn["body"] == {
        "user": "alice", "project": "ocean-lab", "size": "GPU",
        "serverName": "gpu-box", "userObjectId": OID, "tenantId": TID,
    }
    assert spawner.server_id == server_id("alice", "ocean-lab", "Standard_NC4as_T4_v3", "gpu-box")


async def test_failure_raises_azures_message(make_spawner, cp):
    message = "Operation could not be completed as it results in exceeding approved standardNCASv3_T4 Family Cores quota."
    await cp.fail_next_create(message, code="QuotaExceeded")
    spawner = make_spawner()
    with pytest.raises(SpawnError) as caught:
        await spawner.start()
    assert str(caught.value) == message
    assert caught.value.jupyterhub_message == message
    assert caught.value.code == "QuotaExceeded"
    assert caught.value.status_code < 500
    assert await spawner.poll() == 1  # the hub then cleans up without a stop


async def test_refused_spawn_shows_the_control_planes_reason(make_spawner, fake_cp):
    fake_cp.state.projects_by_user["alice"] = [{"name": "ocean-lab", "location": "westeurope"}]
    spawner = make_spawner(user_options={"project": "climate-lab", "size": "Small"})
    with pytest.raises(SpawnError, match="alice may not use project climate-lab"):
        await spawner.start()
    assert await spawner.poll() == 0


async def test_a_quota_refusal_is_shown_at_once_not_retried(make_spawner, fake_cp):
    fake_cp.state.max_active_per_user = 1
    await make_spawner(name="first").start()
    spawner = make_spawner(name="second", start_timeout=600)
    with pytest.raises(SpawnError, match=r"most allowed per user \(1\)\. Stop one of them") as caught:
        await spawner.start()
    assert caught.value.status_code == 409
    spawns = [r for r in fake_cp.state.requests if r.get("method") == "POST" and r.get("path") == "/api/servers"]
    assert len(spawns) == 2


async def test_no_project_is_a_clear_message(make_spawner, fake_cp):
    fake_cp.state.projects_by_user["alice"] = []
    spawner = make_spawner(user_options={})
    with pytest.raises(SpawnError, match="You do not have access to any project yet"):
        await spawner.start()


async def test_rest_spawn_without_options_uses_the_only_project_and_default_size(make_spawner, fake_cp):
    fake_cp.state.projects_by_user["alice"] = [{"name": "ocean-lab", "location": "westeurope"}]
    spawner = make_spawner(user_options={}, default_size="Medium")
    await spawner.start()
    assert spawner.server_id == server_id("alice", "ocean-lab", "Standard_DS3_v2", "")


async def test_start_times_out_with_the_last_state(make_spawner, cp):
    if cp.kind == "fake":
        cp.fake.state.settings.create_seconds = 60
    spawner = make_spawner(start_timeout=2)  # the stack's create takes longer
    with pytest.raises(SpawnError, match=r"was not ready after 2 seconds \(still (Requested|Creating); Azure ML ") as caught:
        await spawner.start()
    assert caught.value.status_code == 504
    assert await spawner.poll() is None  # still creating: the hub will call stop()
    await spawner.stop()
    assert (await cp.server(spawner.server_id))["state"] == "Stopped"


async def test_progress_replays_everything_to_every_viewer(make_spawner, cp):
    spawner = make_spawner()

    async def read_all():
        return [event async for event in spawner.progress()]

    first = asyncio.ensure_future(read_all())
    start = asyncio.ensure_future(spawner.start())
    await asyncio.sleep(0.3)  # a second tab opened half way through
    second = asyncio.ensure_future(read_all())
    await start
    events_first, events_second = await asyncio.wait_for(asyncio.gather(first, second), 30)
    assert events_first == events_second
    messages = [e["message"] for e in events_first]
    assert re.match(r"^Spawn requested(: your Small server| for ci-)", messages[0]), messages
    assert any(CREATING.match(m) for m in messages), messages
    assert messages[-1].endswith("is running")
    assert events_first[-1]["progress"] == 100
    # a viewer arriving after the end still sees the whole list
    assert await asyncio.wait_for(read_all(), 5) == events_first


async def test_poll_reports_a_server_stopped_outside_the_hub(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    assert await spawner.poll() is None
    await cp.stopped_outside(spawner.server_id, "idle")
    assert await spawner.poll() == 0


async def test_poll_never_reports_exit_while_creating(make_spawner, cp):
    if cp.kind == "fake":
        cp.fake.state.settings.create_seconds = 60
    spawner = make_spawner(start_timeout=60)
    task = asyncio.ensure_future(spawner.start())
    await answered(spawner, task)
    assert await spawner.poll() is None  # during start()
    task.cancel()  # e.g. the hub process going down mid-spawn
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await spawner.poll() is None  # still Creating in the control plane
    assert (await cp.server(spawner.server_id))["state"] in ("Requested", "Creating")


async def test_poll_when_the_control_plane_is_down_keeps_the_server(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    spawner.control_plane = type(spawner.control_plane)("http://127.0.0.1:9", "k", timeout=1)
    assert await spawner.poll() is None


async def test_stop_waits_until_stopped(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    await spawner.stop()
    server = await cp.server(spawner.server_id)
    assert server["state"] == "Stopped" and server["stopReason"] == "user"
    assert spawner.redirect_target() is None
    assert await spawner.poll() == 0


async def test_a_cancel_before_the_spawn_was_answered_still_stops_what_it_started(make_spawner, fake_cp):
    # The control plane stores the server and starts provisioning, but its answer is slow;
    # JupyterHub cancels the pending start and then stops the spawner, which has no id yet.
    fake_cp.state.settings.spawn_answer_delay = 1.0
    spawner = make_spawner()
    task = asyncio.ensure_future(spawner.start())
    for _ in range(100):
        if fake_cp.state.servers:
            break
        await asyncio.sleep(0.02)
    assert fake_cp.state.servers, "the spawn request never reached the control plane"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert spawner.server_id == ""

    await spawner.stop()

    [server] = fake_cp.state.servers.values()
    assert spawner.server_id == server["id"]
    assert server["state"] == "Stopped" and server["stopReason"] == "user"


async def test_a_stop_with_no_spawn_sent_asks_nothing(make_spawner, fake_cp):
    spawner = make_spawner()
    await spawner.stop()
    assert [r for r in fake_cp.state.requests if r.get("path", "").startswith("/api/servers")] == []


async def test_stop_now_does_not_wait(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    await spawner.stop(now=True)
    assert (await cp.server(spawner.server_id))["state"] == "Stopping"


async def test_restart_after_stop_waits_out_a_stopping_instance(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    await spawner.stop(now=True)  # still Stopping: the spawn gets 409 + Retry-After
    spawner.clear_state()
    await spawner.start()
    server = await cp.server(spawner.server_id)
    assert server["state"] == "Running"
    assert any(STARTING.match(p["message"]) for p in server["progress"]), server["progress"]


async def test_the_landing_folder_follows_default_url(make_spawner, cp):
    spawner = make_spawner()
    spawner.default_url = "/lab/tree/Users/{username}/work space"
    url = await spawner.start()
    sid = spawner.server_id
    base = (await cp.server(sid))["url"].removesuffix("/lab")
    user = quote(cp.user, safe="")
    assert (await redirect_of(url)).headers["location"] == f"{base}/lab/tree/Users/{user}/work%20space"
    # a path asked for wins over the landing folder
    assert (await redirect_of(url + "lab/tree/x.ipynb")).headers["location"] == f"{base}/lab/tree/x.ipynb"
    spawner.default_url = ""
    assert (await redirect_of(url)).headers["location"] == f"{base}/lab"
    await spawner.stop()


async def test_state_survives_a_hub_restart(make_spawner, cp):
    spawner = make_spawner()
    url = await spawner.start()
    state = spawner.get_state()
    assert state["server_id"] == spawner.server_id and state["lab_url"].endswith("/lab")
    # a new hub process: a new spawner loads the state from the database
    restored = make_spawner()
    restored.load_state(state)
    assert await restored.poll() is None
    assert await restored.get_url() == url
    assert (await redirect_of(url)).headers["location"] == state["lab_url"] + f"/tree/Users/{quote(cp.user, safe='')}"
    await restored.stop()
    assert (await cp.server(spawner.server_id))["state"] == "Stopped"


async def test_get_url_after_a_restart_mid_create_answers_at_once_and_holds_the_person(make_spawner, cp):
    if cp.kind == "fake":
        cp.fake.state.settings.create_seconds = 1.5
    first = make_spawner()
    task = asyncio.ensure_future(first.start())
    await answered(first, task)
    state = first.get_state()
    task.cancel()
    assert state["server_id"] and "lab_url" not in state
    restored = make_spawner()
    restored.load_state(state)
    assert await restored.poll() is None
    # at once, not after the create: the hub counts the server as started
    url = await asyncio.wait_for(restored.get_url(), 0.5)
    held = await redirect_of(url + "lab/tree/x.ipynb")
    assert held.status_code == 200  # what the hub's check of the address counts as up
    assert "Your server is still starting" in held.text
    assert "Creating your Small server in climate-lab" in held.text
    assert held.text.count("Creating your Small server") == 1  # the control plane's line, not said twice

    async def landed():
        response = await redirect_of(url + "lab/tree/x.ipynb")
        return response if response.status_code == 302 else None

    response = await eventually(landed, 10 + 4 * cp.create_seconds, what="the instance running")
    lab = (await cp.server(restored.server_id))["url"]
    assert response.headers["location"] == f"{lab}/tree/x.ipynb"
    assert restored.get_state()["lab_url"]


async def test_a_renamed_server_with_an_instance_is_refused(make_spawner, cp):
    fresh = make_spawner(name="gpu")
    await fresh.rename("gpu", "gpu-2")  # nothing created yet: nothing to keep apart
    spawner = make_spawner(name="gpu")
    await spawner.start()
    await spawner.stop()
    with pytest.raises(web.HTTPError) as refused:
        await spawner.rename("gpu", "gpu-2")
    assert refused.value.status_code == 409
    assert "cannot be renamed" in refused.value.log_message


async def test_a_start_without_options_starts_the_last_instance_again(make_spawner, cp):
    """JupyterHub 5 hands a REST start without options over as `{}` (JupyterHub 6 passes
    the server's last options): the spawner starts its last instance, with its project
    and size, instead of asking which of the person's projects."""
    spawner = make_spawner(user_options={"project": "ocean-lab", "size": "Medium"})
    await spawner.start()
    first_id = spawner.server_id
    await spawner.stop()
    spawner.clear_state()
    spawner.user_options = {}
    await spawner.start()
    assert spawner.server_id == first_id
    assert (await cp.server(first_id))["state"] == "Running"
    assert [s["id"] for s in await cp.servers()] == [first_id]
    # kept as the server's options: the hub's home page shows them, the next start uses them
    assert spawner.user_options == spawner.orm_spawner.user_options == {"project": "ocean-lab", "size": "Medium"}


async def test_a_first_start_without_options_still_asks_for_a_project(make_spawner, cp):
    spawner = make_spawner(user_options={})
    with pytest.raises(SpawnError, match=r"Choose a project for your server: one of climate-lab, ocean-lab\."):
        await spawner.start()
    assert not await cp.servers()


async def test_a_new_named_server_preselects_the_persons_last_choice(make_spawner, cp):
    user = FakeUser(cp.user)
    default = make_spawner(user=user, user_options={"project": "ocean-lab", "size": "Large"})
    named = make_spawner(user=user, name="second", user_options={})
    user.all_spawners = lambda: [default, named]
    html = await named.render_options_form()
    assert '<option value="ocean-lab" selected>' in html
    assert '<option value="Large" selected>' in html


async def test_poll_finds_a_server_whose_id_was_never_saved(make_spawner, cp):
    first = make_spawner()
    await first.start()
    restored = make_spawner()  # the hub died before the state was written
    orm_server = object()  # the hub believes a server is there
    restored.orm_spawner.server = orm_server
    restored._server = SimpleNamespace(base_url=f"/user/{cp.user}/", orm_server=orm_server)
    assert await restored.poll() is None
    assert restored.server_id == first.server_id


async def test_clear_state_keeps_ids_for_delete_forever(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    first_id = spawner.server_id
    await spawner.stop()
    spawner.clear_state()
    spawner.user_options = {"project": "ocean-lab", "size": "Medium"}
    await spawner.start()
    await spawner.stop()
    spawner.clear_state()
    second_id = spawner.known_server_ids[1]
    # the last one is remembered too: the form says why it stopped
    assert spawner.get_state() == {"server_ids": [first_id, second_id], "last_server_id": second_id}
    await spawner.delete_forever()
    assert first_id != second_id
    for sid in (first_id, second_id):
        try:
            state = (await cp.server(sid))["state"]
        except httpx.HTTPStatusError as e:  # the stack forgets a deleted server
            assert e.response.status_code == 404
            state = None
        assert state in (None, "Deleting", "Deleted"), (sid, state)
    assert spawner.get_state() == {}


async def test_activity_is_forwarded_once_per_change(make_spawner, fake_cp):
    spawner = make_spawner()
    await spawner.start()
    moment = datetime(2025, 5, 1, 12, 0, 0)
    spawner.orm_spawner.last_activity = moment
    await spawner.poll()
    await spawner.poll()
    spawner.orm_spawner.last_activity = moment + timedelta(minutes=5)
    await spawner.poll()
    activity = [r["body"] for r in fake_cp.state.requests if r["path"].endswith("/activity")]
    assert activity == [{"lastActivity": "2025-05-01T12:00:00Z"}, {"lastActivity": "2025-05-01T12:05:00Z"}]
    assert fake_cp.state.servers[spawner.server_id]["lastActivityAt"] == "2025-05-01T12:05:00Z"


async def test_named_servers_have_their_own_instances_and_routes(make_spawner, cp):
    default = make_spawner()
    named = make_spawner(name="gpu", user_options={"project": "climate-lab", "size": "Small"})
    default_url, named_url = await asyncio.gather(default.start(), named.start())
    assert default.server_id != named.server_id
    assert named_url.endswith(f"/user/{cp.user}/gpu/")
    user = quote(cp.user, safe="")
    assert (await redirect_of(default_url)).headers["location"].endswith(f"/instances/{default.server_id}/lab/tree/Users/{user}")
    assert (await redirect_of(named_url)).headers["location"].endswith(f"/instances/{named.server_id}/lab/tree/Users/{user}")


async def test_options_form_lists_projects_with_the_last_choice(make_spawner, fake_cp):
    user = FakeUser(auth_state={"user": {"oid": OID}})
    spawner = make_spawner(user=user, user_options={"project": "ocean-lab", "size": "Large"})
    html = await spawner.get_options_form()
    assert '<option value="ocean-lab" selected>' in html
    assert '<option value="Large" selected>' in html
    options_request = [r for r in fake_cp.state.requests if r["path"] == "/api/options"][-1]
    assert options_request["query"] == f"user=alice&userObjectId={OID}"


async def test_options_form_when_the_control_plane_is_down(make_spawner):
    spawner = make_spawner()
    spawner.control_plane = type(spawner.control_plane)("http://127.0.0.1:9", "k", timeout=1)
    html = await spawner.get_options_form()
    assert "Your projects could not be loaded" in html


def test_options_from_form_has_no_side_effects(make_spawner):
    spawner = make_spawner(user_options={"project": "ocean-lab"})
    before = spawner.get_state()
    assert spawner.options_from_form({"project": ["climate-lab"], "size": ["GPU"]}) == {"project": "climate-lab", "size": "GPU"}
    assert spawner.user_options == {"project": "ocean-lab"} and spawner.get_state() == before


# -- the control plane unreachable (issue 9.7) --------------------------------------


async def start_collecting_progress(spawner):
    """Start the spawn with a progress viewer; the spawn's outcome and what the viewer read."""
    events = []

    async def read():
        async for event in spawner.progress():
            events.append(event)

    viewer = asyncio.ensure_future(read())
    try:
        await spawner.start()
        outcome = None
    except SpawnError as e:
        outcome = e
    await asyncio.sleep(0.05)
    viewer.cancel()
    return outcome, [e["message"] for e in events]


async def test_a_port_that_refuses_connections_fails_the_spawn_in_bounded_time(make_spawner, clock):
    from ..support.backends import free_port

    client = ControlPlaneClient(f"http://127.0.0.1:{free_port()}", "local-key", timeout=5)
    try:
        spawner = make_spawner(control_plane=client, clock=clock, control_plane_unreachable_timeout=45, start_timeout=900)
        error, messages = await start_collecting_progress(spawner)
    finally:
        await client.aclose()
    assert isinstance(error, SpawnError) and error.status_code == 503
    assert str(error).startswith(
        "The service that starts servers (the control plane) could not be reached for 45 seconds, "
        "so your server was not started."
    )
    assert 45 <= clock.now < 60  # not start_timeout
    assert messages[0] == "Cannot reach the control plane (the connection is refused), retrying…"
    assert any(m.startswith("Still cannot reach the control plane after") for m in messages)


async def test_a_control_plane_answering_503_fails_the_spawn_in_bounded_time(make_spawner, fake_cp, clock):
    fake_cp.state.outage_until = float("inf")
    spawner = make_spawner(clock=clock, control_plane_unreachable_timeout=30, start_timeout=900)
    error, messages = await start_collecting_progress(spawner)
    assert "could not be reached for 30 seconds" in str(error)
    assert messages[0] == "Cannot reach the control plane (it answers 503 Service Unavailable), retrying…"
    assert 30 <= clock.now < 45


async def test_a_brief_outage_is_shown_and_then_the_spawn_goes_on(make_spawner, fake_cp):
    fake_cp.state.outage_until = asyncio.get_running_loop().time() + 1.5
    spawner = make_spawner(control_plane_unreachable_timeout=30)
    error, messages = await start_collecting_progress(spawner)
    assert error is None
    assert messages[0].startswith("Cannot reach the control plane (it answers 503")
    assert messages[1] == "The control plane answers again."
    assert messages[-1].endswith("is running")


async def test_an_outage_while_following_the_create(make_spawner, fake_cp, clock):
    fake_cp.state.settings.create_seconds = 60
    spawner = make_spawner(clock=clock, control_plane_unreachable_timeout=20, status_poll_interval=2, start_timeout=900)
    task = asyncio.ensure_future(start_collecting_progress(spawner))
    while not spawner.server_id:
        await asyncio.sleep(0.01)
    fake_cp.state.outage_until = float("inf")
    error, messages = await task
    assert "could not be reached for 20 seconds" in str(error)
    assert messages[0].startswith("Spawn requested for ci-")
    assert "Cannot reach the control plane (it answers 503 Service Unavailable), retrying…" in messages


# -- the person's identity (issue 9.4) ------------------------------------------------


async def test_a_spawn_without_the_persons_object_id_says_the_hub_is_not_set_up(make_spawner, cp, caplog):
    spawner = make_spawner(user=FakeUser(cp.user, auth_state=None))
    with pytest.raises(SpawnError) as caught:
        await spawner.start()
    assert str(caught.value) == (
        "Your JupyterHub is not set up to pass your identity to Azure; please contact your hub administrator."
    )
    assert caught.value.code == "user-object-id-required"
    # the administrator's detail is in the hub's log
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert f"aml-identity-missing user={cp.user}" in logged and "enable_auth_state" in logged
    assert "user-object-id-required" in logged
    assert not await cp.servers()


async def test_a_shared_control_plane_spawns_without_an_object_id(make_spawner, fake_cp):
    fake_cp.state.settings.sharing_policy = "Shared"
    spawner = make_spawner(user=FakeUser(auth_state=None))
    await spawner.start()
    spawn = [r for r in fake_cp.state.requests if r["method"] == "POST" and r["path"] == "/api/servers"][-1]
    assert "userObjectId" not in spawn["body"]


async def test_the_form_says_so_when_the_options_need_the_object_id(make_spawner, fake_cp, caplog):
    class RbacOptions(ControlPlaneClient):
        async def get_options(self, user, user_object_id=None):
            raise ControlPlaneError(
                403, "The project is not offered to this user",
                "Projects are offered by Azure role assignments (PROJECT_ACCESS=rbac), and this request does "
                "not say who the user is: it needs the user's Entra object id (userObjectId).",
                code="project-forbidden",
            )

    client = RbacOptions(fake_cp.url, "local-key")
    try:
        spawner = make_spawner(user=FakeUser(auth_state=None), control_plane=client)
        html = await spawner.render_options_form()
    finally:
        await client.aclose()
    assert "Your JupyterHub is not set up to pass your identity to Azure; please contact your hub administrator." in html
    assert "<select" not in html and "PROJECT_ACCESS" not in html
    assert "PROJECT_ACCESS=rbac" in " ".join(r.getMessage() for r in caplog.records)


# -- why the last server is not running (issues 9.1, 9.2) ----------------------------


async def test_the_form_says_the_last_server_was_stopped_for_inactivity(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    await cp.stopped_outside(spawner.server_id, "idle")
    at = (await cp.server(spawner.server_id))["stoppedAt"][11:16]
    assert await spawner.poll() == 0
    spawner.clear_state()  # what the hub does when poll() says the server is gone
    restored = make_spawner()  # and after a hub restart
    restored.load_state(spawner.get_state())
    for form_of in (spawner, restored):
        html = await form_of.render_options_form()
        assert f"Your Small server in climate-lab was stopped at {at} UTC after a period without activity." in html
        assert 'value="climate-lab" selected' in html  # the last choice stays preselected


async def test_the_form_makes_the_person_choose_again_after_a_failed_start(make_spawner, cp):
    message = "Allocation failed: no capacity for Standard_DS1_v2 in westeurope."
    await cp.fail_next_create(message, code="AllocationFailed")
    spawner = make_spawner()
    with pytest.raises(SpawnError):
        await spawner.start()
    await spawner.stop()
    spawner.clear_state()
    html = await spawner.render_options_form()
    assert (
        f"Your last start of Small in climate-lab failed: {message.rstrip('.')}. "
        "Starting it again deletes the failed instance and creates a new one."
    ) in html
    assert 'selected disabled>Choose a project…' in html
    assert "climate-lab (westeurope) — last start failed" in html

    # choosing it again deliberately: the control plane deletes the failed instance and creates it anew
    await spawner.start()
    events = [e["message"] for e in lifecycle_events(await cp.server(spawner.server_id))]
    # the control plane's words, or the fake's older ones
    replacing = ("The previous instance failed; deleting it and creating a new one", "Deleting the failed compute instance")
    assert any(m.startswith(replacing) for m in events), events
    html = await spawner.render_options_form()
    assert "failed" not in html  # running now: nothing to say


async def test_the_form_says_nothing_when_the_person_stopped_the_server(make_spawner, cp):
    spawner = make_spawner()
    await spawner.start()
    await spawner.stop()
    spawner.clear_state()
    html = await spawner.render_options_form()
    assert "aml-last-server" not in html


async def test_the_form_works_when_the_last_server_cannot_be_read(make_spawner, cp):
    spawner = make_spawner()
    spawner.last_server_id = "ci-00000000000000000000a"  # unknown to the control plane: 404
    html = await spawner.render_options_form()
    assert "<select" in html and "aml-last-server" not in html


def lifecycle_events(server):
    from aml_jupyterhub.lifecycle import progress_events

    return progress_events(server)


# -- the Hub role with an Entra ID token (issue 9.6) ----------------------------------


async def test_with_a_hub_role_token_the_spawner_starts_stops_recovers_and_deletes(make_spawner, fake_cp):
    from types import SimpleNamespace as Token

    from aml_jupyterhub.token_auth import BearerTokenAuth, TokenCache

    class HubIdentity:
        async def get_token(self, *scopes, **kwargs):
            return Token(token="hub-role-token", expires_on=4_000_000_000)

    fake_cp.state.settings.tokens = {"hub-role-token": "Hub"}
    auth = BearerTokenAuth(TokenCache(HubIdentity(), "api://local-api/.default"))
    client = ControlPlaneClient(fake_cp.url, "", auth=auth, timeout=5)
    try:
        spawner = make_spawner(control_plane=client)
        await spawner.start()
        await spawner.stop()
        assert fake_cp.state.servers[spawner.server_id]["state"] == "Stopped"
        # recovery lists the user's servers: the Hub role may
        assert [s["id"] for s in await client.list_servers("alice")] == [spawner.server_id]
        # everyone's servers are the Admin's to list
        with pytest.raises(ControlPlaneError) as caught:
            await client._json("GET", "/api/servers")
        assert caught.value.status == 403
        sid = spawner.server_id
        spawner.clear_state()
        await spawner.delete_forever()
        assert fake_cp.state.servers[sid]["state"] in ("Deleting", "Deleted")
    finally:
        await client.aclose()
    assert {r["auth"] for r in fake_cp.state.requests if r["path"] != "/api/health"} == {"token"}


async def test_the_form_says_plainly_when_the_control_plane_cannot_be_reached(make_spawner, fake_cp):
    fake_cp.state.outage_until = float("inf")
    html = await make_spawner().render_options_form()
    assert (
        "Your projects could not be loaded: the service that starts servers (the control plane) "
        "cannot be reached (it answers 503 Service Unavailable)."
    ) in html
    assert "Try again in a moment" in html and "<select" not in html
