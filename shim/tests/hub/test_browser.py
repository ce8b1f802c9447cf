"""A person's path through the hub, in Debian's chromium driven by Playwright: log in,
pick a project and a size, watch the progress, land on the instance's JupyterLab.

Screenshots of the progress page and of the landing page are saved to
test-artifacts/ at the repository root.
"""

from __future__ import annotations

import os
import re
import shutil
import signal

from urllib.parse import quote, unquote

import httpx
import pytest

from ..support.backend_selection import SELECTED
from ..support.backends import ARTIFACTS, StackBackend, eventually
from ..support.hub import PASSWORD, Hub

pytestmark = [pytest.mark.hub, pytest.mark.browser]

CHROMIUM = os.environ.get("AML_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
async def page():
    if not shutil.which(CHROMIUM):
        message = f"no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser test
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
        page = await context.new_page()
        yield page
        await browser.close()


async def test_log_in_pick_watch_and_land_on_jupyterlab(hub, backend, username, page):
    ARTIFACTS.mkdir(exist_ok=True)
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("#username_input", username)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await page.wait_for_load_state()

    await page.goto(f"{hub.url}/hub/spawn")
    await page.wait_for_selector("select[name=project]")
    await page.select_option("select[name=project]", "ocean-lab")
    await page.select_option("select[name=size]", "Medium")
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-form-{backend.kind}.png"), full_page=True)
    await page.click("form#spawn_form [type=submit]")

    await page.wait_for_url(re.compile(r"/hub/spawn-pending/"))
    # the control plane says "Creating your Medium server — usually …"; the fake keeps the older wording
    await page.wait_for_selector(
        "#progress-log .progress-log-event >> text=/Creating (your .* server|compute instance)/", state="attached"
    )
    if not await page.is_visible("#progress-log"):
        await page.click("#progress-details summary, details summary")  # open the event log
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-progress-{backend.kind}.png"), full_page=True)

    await page.wait_for_url(re.compile(r"/instances/ci-[0-9a-p]{21}"), timeout=240_000)
    await page.wait_for_load_state()
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-landing-{backend.kind}.png"), full_page=True)

    servers = await backend.servers_of(username)
    assert len(servers) == 1
    server = servers[0]
    assert (server["project"], server["size"]) == ("ocean-lab", "Medium")
    assert page.url.startswith(server["url"].split("?")[0].rstrip("/").rsplit("/", 1)[0])
    assert server["id"] in await page.inner_text("body")
    # in the person's own folder of the workspace file share
    assert page.url.endswith(f"/lab/tree/Users/{quote(username, safe='')}")

    # the form remembers the last choice
    await hub.stop_server(username)
    await hub.wait_gone(username)
    await page.goto(f"{hub.url}/hub/spawn")
    await page.wait_for_selector("select[name=project]")
    assert await page.input_value("select[name=project]") == "ocean-lab"
    assert await page.input_value("select[name=size]") == "Medium"
    # another size is another instance: the form says so, and where the files are
    assert not await page.is_visible("#aml-size-change")
    await page.select_option("select[name=size]", "Small")
    await page.wait_for_selector("#aml-size-change", state="visible")
    assert "new compute instance" in await page.inner_text("#aml-size-change")
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-form-size-change-{backend.kind}.png"), full_page=True)
    await page.select_option("select[name=size]", "Medium")
    assert not await page.is_visible("#aml-size-change")


async def log_in(page, hub, username):
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("#username_input", username)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await page.wait_for_load_state()


async def test_the_form_says_why_the_last_server_stopped_and_that_a_start_failed(hub, backend, username, page):
    ARTIFACTS.mkdir(exist_ok=True)
    await log_in(page, hub, username)

    # a server stopped for inactivity (as the sweep records Azure ML's idle shutdown)
    await hub.spawn(username, project="climate-lab", size="Small")
    await hub.wait_ready(username)
    (server,) = await backend.servers_of(username)
    response = await backend.control_plane("POST", f"/api/servers/{server['id']}/stop", json={"reason": "idle"})
    assert response.status_code in (200, 202), response.text
    await hub.wait_gone(username, timeout=60)

    async def stopped():
        current = await backend.server(server["id"])
        return current["state"] == "Stopped" and current

    server = await eventually(stopped, 60, what="Stopped")
    await page.goto(f"{hub.url}/hub/spawn")
    notice = page.locator("#aml-last-server")
    await notice.wait_for()
    at = server["stoppedAt"][11:16]
    assert await notice.inner_text() == (
        f"Your Small server in climate-lab was stopped at {at} UTC after a period without activity.\n"
        "Press Start to start it again, with its files as you left them."
    )
    assert await page.input_value("select[name=project]") == "climate-lab"  # still preselected
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-form-idle-{backend.kind}.png"), full_page=True)

    # a start that failed: said in Azure's words, and nothing is preselected
    message = "Allocation failed. We do not have sufficient capacity for the requested VM size in this region."
    await backend.fail_next_create(message, code="AllocationFailed")
    await hub.spawn(username, project="ocean-lab", size="Medium")
    events = await hub.progress(username)
    assert events[-1]["failed"]
    await hub.wait_gone(username)
    await page.goto(f"{hub.url}/hub/spawn")
    await notice.wait_for()
    assert await notice.inner_text() == (
        f"Your last start of Medium in ocean-lab failed: {message.rstrip('.')}. "
        "Starting it again deletes the failed instance and creates a new one.\n"
        "Choose a project and a size below: the same ones to try again, or others."
    )
    assert await page.input_value("select[name=project]") == ""
    assert await page.input_value("select[name=size]") == ""
    assert "last start failed" in await page.inner_text("select[name=project]")
    await page.screenshot(path=str(ARTIFACTS / f"shim-browser-form-failed-{backend.kind}.png"), full_page=True)

    # starting without a deliberate choice is not possible: the browser asks for one
    spawns_before = len(await backend.servers_of(username))
    await page.click("form#spawn_form [type=submit]")
    await page.wait_for_timeout(1000)
    assert page.url.rstrip("/").endswith("/hub/spawn")
    assert await page.evaluate("document.querySelector('select[name=project]').validity.valueMissing")
    assert len(await backend.servers_of(username)) == spawns_before


async def test_an_unreachable_control_plane_is_shown_on_the_progress_page(tmp_path, fake_backend, username, page):
    ARTIFACTS.mkdir(exist_ok=True)
    hub = Hub(tmp_path, fake_backend, "browser-outage", extra_settings={"control_plane_unreachable_timeout": 15})
    hub.start()

    async def outage(seconds: int) -> None:
        async with httpx.AsyncClient() as client:
            (await client.post(f"{fake_backend.url}/_fake/outage", json={"seconds": seconds})).raise_for_status()

    try:
        await log_in(page, hub, username)
        await page.goto(f"{hub.url}/hub/spawn")
        await page.wait_for_selector("select[name=project]")
        await outage(120)  # the Functions host goes away while the person fills in the form
        await page.click("form#spawn_form [type=submit]")
        await page.wait_for_url(re.compile(r"/hub/spawn-pending/"))
        if not await page.is_visible("#progress-log"):
            await page.click("#progress-details summary, details summary")
        await page.wait_for_selector(
            "#progress-log .progress-log-event >> text=/Cannot reach the control plane .it answers 503 Service Unavailable., retrying/",
            state="attached",
        )
        await page.screenshot(path=str(ARTIFACTS / "shim-browser-progress-unreachable-fake.png"), full_page=True)

        failed = page.locator("#progress-message >> text=/could not be reached for 15 seconds/")
        await failed.wait_for(timeout=60_000)
        assert (await failed.inner_text()).startswith(
            "Spawn failed: The service that starts servers (the control plane) could not be reached for 15 seconds"
        )
        await page.screenshot(path=str(ARTIFACTS / "shim-browser-progress-unreachable-failed-fake.png"), full_page=True)

        await page.goto(f"{hub.url}/hub/spawn")  # still away: the form says so plainly
        alert = page.locator(".aml-options.alert")
        await alert.wait_for()
        assert "the service that starts servers (the control plane) cannot be reached (it answers 503" in await alert.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "shim-browser-form-unreachable-fake.png"), full_page=True)
    finally:
        await outage(0)
        await hub.close()


# -- the walk of a person through the hub (issue 11), a screenshot per step -----------
#
# The same walk against the fake control plane (quick, its durations set per step) and
# against the repository's local stack (the real control plane on the local Functions
# host, the ARM emulator, Azurite): a stack of its own, with PROJECT_ACCESS=rbac so the
# emulator's seeded role assignments decide who sees which project (alice: climate-lab
# and ocean-lab; carol: none), and an emulated create long enough for a hub restart to
# fall in the middle of it. Screenshots: test-artifacts/shim-walk-{fake,stack}-NN-*.png.

WALK = "shim-walk"
GPU_DESCRIPTION = "For training deep-learning models; costs more per hour."
#: the walk's stack: a create lasts this long, so a hub restart (stop, start, the page
#: noticing) falls inside it even on a loaded machine; a start is quicker
WALK_STACK_CREATE_SECONDS = 45
WALK_STACK_START_SECONDS = 4
#: the emulator's seeded people (local/arm-emulator/seed.json)
SEEDED_PEOPLE = {"alice": "a11ce000-0000-4000-8000-000000000001", "carol": "ca201000-0000-4000-8000-000000000003"}


@pytest.fixture(scope="module")
def walk_stack():
    reason = StackBackend.unavailable_reason()
    if reason:
        pytest.skip(reason)
    backend = StackBackend(
        "walk", create_seconds=WALK_STACK_CREATE_SECONDS, start_seconds=WALK_STACK_START_SECONDS,
        app_settings={"PROJECT_ACCESS": "rbac", "SIZE_GPU_DESCRIPTION": GPU_DESCRIPTION},
    )
    yield backend
    backend.close()


class FakeWalk:
    """What differs on the fake control plane: its durations are set per step, its
    people and their projects are set by the test."""

    user = "alice-walk"
    people = None
    gpu = "GPU — 4 cores, 28 GB, 1 × NVIDIA T4"
    medium = "Medium — 4 cores, 14 GB RAM"
    #: the fake keeps an older wording of the create line
    creating = "Creating compute instance"
    #: the shim's words when the control plane offers no project
    no_project = "You do not have access to any project yet"

    def __init__(self, backend) -> None:
        self.backend = backend

    async def settings(self, **settings) -> None:
        async with httpx.AsyncClient() as client:
            (await client.post(f"{self.backend.url}/_fake/settings", json=settings)).raise_for_status()

    async def quick_creates(self) -> None:
        await self.settings(create_seconds=6, start_seconds=4)

    async def slow_creates(self) -> None:
        await self.settings(create_seconds=40)

    async def without_projects(self, user: str) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{self.backend.url}/_fake/projects", json={"user": user, "projects": []})
            response.raise_for_status()

    async def close(self) -> None:
        await self.settings(create_seconds=1.0, start_seconds=0.5)


class StackWalk(FakeWalk):
    """On the local stack: the emulator's durations are fixed for the walk's stack,
    the people and their projects are the emulator's seeded ones (rbac)."""

    user = "alice"
    people = SEEDED_PEOPLE
    # the seeded westeurope sizes: Standard_NC6s_v3 for GPU (no NC4as_T4_v3 there)
    gpu = "GPU — 6 cores, 112 GB, 1 × NVIDIA V100"
    medium = "Medium — 4 cores, 14 GB RAM"
    creating = "Creating your {size} server — usually about 50 seconds"
    #: the control plane's words under PROJECT_ACCESS=rbac
    no_project = "No project gives you access yet: a project is offered when you (or a group you belong to) hold a role"

    async def quick_creates(self) -> None: ...

    async def slow_creates(self) -> None: ...

    async def without_projects(self, user: str) -> None:
        assert user in SEEDED_PEOPLE  # seeded without any role assignment

    async def close(self) -> None: ...


async def shot(page, kind: str, step: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{WALK}-{kind}-{step}.png"), full_page=True)


async def creating_line(page, walk, size: str) -> str:
    """The create's line in the progress log: the control plane's wording, with the size."""
    line = page.locator("#progress-log .progress-log-event", has_text=walk.creating.format(size=size)).first
    await line.wait_for(state="attached")
    return await line.inner_text()


async def land(page, walk, server_id: str, path: str, timeout: float = 180_000) -> None:
    """The page reaches the instance's JupyterLab at `path`, by itself."""
    await page.wait_for_url(re.compile(rf"/instances/{server_id}/"), timeout=timeout)
    await page.wait_for_selector("#instance")
    assert await page.inner_text("#instance") == server_id
    assert page.url.split(f"/instances/{server_id}", 1)[1] == path
    assert await page.inner_text("#path") == unquote(path)


async def restart_with_the_page_open(page, hub, walk, server_name, size, sig, keep_proxy, step) -> dict:
    """The hub goes away while the spawn page is open and the instance is being created;
    the page carries on to the instance without anyone touching it."""
    backend = walk.backend
    await page.wait_for_url(re.compile(r"/hub/spawn-pending/"))
    await creating_line(page, walk, size)

    async def creating():
        servers = [s for s in await backend.servers_of(walk.user) if (s.get("serverName") or "") == server_name]
        return next((s for s in servers if s["state"] in ("Requested", "Creating")), None)

    server = await eventually(creating, 30, what="a create in progress")
    hub.stop(sig, keep_proxy=keep_proxy)
    if keep_proxy:  # the dead hub's proxy answers 503 for it: the page says what happens
        await page.wait_for_selector("#progress-message >> text=/JupyterHub is restarting/", timeout=30_000)
        await shot(page, backend.kind, f"{step}a-hub-restarting")
    hub.start()
    # held on the "still starting" page of the redirect endpoint while the create goes on
    await page.wait_for_selector("h1 >> text=/Your server is still starting/", timeout=60_000)
    assert "still starting" in await page.title()
    held = await page.inner_text("body")
    assert f"Creating your {size} server" in held, held
    assert (await backend.server(server["id"]))["state"] in ("Requested", "Creating"), "the create ended before the page was held"
    await shot(page, backend.kind, f"{step}b-still-starting-after-hub-restart")
    return server


@pytest.mark.parametrize("walk_on", [
    pytest.param(kind, id=kind, marks=[pytest.mark.stack] if kind == "stack" else [])
    for kind in ("fake", "stack") if kind in SELECTED
])
async def test_walk_log_in_spawn_land_restart_stop_start_named_and_no_access(tmp_path, request, walk_on, page):
    """Log in, the form, spawn with progress, land on a deep link, hub restarts (SIGTERM,
    SIGKILL) mid-create with the page open, stop, start again, a named server, and a
    person without a project. Screenshots: test-artifacts/shim-walk-<backend>-*.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    backend = request.getfixturevalue(f"{walk_on}_backend" if walk_on == "fake" else "walk_stack")
    walk = (FakeWalk if walk_on == "fake" else StackWalk)(backend)
    kind = backend.kind
    for old in ARTIFACTS.glob(f"{WALK}-{kind}-*.png"):
        old.unlink()
    user = walk.user
    hub = Hub(tmp_path, backend, f"browser-walk-{kind}", people=walk.people)
    hub.start()
    try:
        await walk.quick_creates()
        # 1. log in
        await page.goto(f"{hub.url}/hub/login?next=%2Fhub%2Fuser-redirect%2Flab%2Ftree%2Fexperiments%2Frun%25201.ipynb")
        await page.fill("#username_input", user)
        await page.fill("#password_input", PASSWORD)
        await shot(page, kind, "01-log-in")
        await page.click("#login_submit")

        # 2. the deep link meets no server yet: the hub asks for one with the form
        await page.wait_for_url(re.compile(rf"/hub/spawn/{user}\?next=%2Fuser%2F{user}%2Flab%2Ftree%2F"))
        await page.wait_for_selector("select[name=size]")
        sizes = await page.inner_text("select[name=size]")
        assert walk.gpu in sizes and walk.medium in sizes, sizes
        await page.select_option("select[name=project]", "ocean-lab")
        await page.select_option("select[name=size]", "GPU")
        assert await page.inner_text("#aml-size-description") == GPU_DESCRIPTION
        await shot(page, kind, "02-form-sizes-in-cores-memory-gpus")
        await page.click("form#spawn_form [type=submit]")

        # 3. progress, then the landing on the deep link's path on the instance
        await page.wait_for_url(re.compile(r"/hub/spawn-pending/"))
        await creating_line(page, walk, "GPU")
        await shot(page, kind, "03-spawn-progress")
        (first,) = await backend.servers_of(user)
        await land(page, walk, first["id"], "/lab/tree/experiments/run%201.ipynb")
        await shot(page, kind, "04-landed-on-the-deep-link")

        # 4. the home page says which project and size; stop from there
        await page.goto(f"{hub.url}/hub/home")
        summary = page.locator(".aml-server-summary")
        await summary.first.wait_for()
        assert await summary.first.inner_text() == "Your server: ocean-lab · GPU"
        await shot(page, kind, "05-home-running-with-project-and-size")
        await page.click("#stop")
        await hub.wait_gone(user)
        await page.goto(f"{hub.url}/hub/home")
        await summary.first.wait_for()
        assert await summary.first.inner_text() == "Your last server: ocean-lab · GPU"
        await shot(page, kind, "06-home-stopped")

        # 5. another size for the default server (a new instance, created), and the hub
        #    is stopped (SIGTERM) during the create with the spawn page open
        await walk.slow_creates()
        await page.goto(f"{hub.url}/hub/spawn")
        await page.wait_for_selector("select[name=size]")
        assert await page.input_value("select[name=size]") == "GPU"  # the last choice
        await page.select_option("select[name=size]", "Large")
        await page.click("form#spawn_form [type=submit]")
        await page.wait_for_url(re.compile(r"/hub/spawn-pending/"))
        await creating_line(page, walk, "Large")
        await shot(page, kind, "07-progress-before-hub-restart")
        second = await restart_with_the_page_open(page, hub, walk, "", "Large", signal.SIGTERM, False, "08")
        await land(page, walk, second["id"], f"/lab/tree/Users/{quote(user, safe='')}")
        await shot(page, kind, "09-landed-after-hub-restart-sigterm")

        # 6. stop, and start again (the same instance: a start, quicker than a create)
        await walk.quick_creates()
        assert (await hub.stop_server(user)).status_code in (202, 204)
        await hub.wait_gone(user)
        await page.goto(f"{hub.url}/hub/home")
        await page.click("#start")
        await page.wait_for_selector("select[name=size]")
        assert (await page.input_value("select[name=project]"), await page.input_value("select[name=size]")) == ("ocean-lab", "Large")
        await shot(page, kind, "11-form-start-again-last-choice")
        await page.click("form#spawn_form [type=submit]")
        await land(page, walk, second["id"], f"/lab/tree/Users/{quote(user, safe='')}")
        await shot(page, kind, "12-landed-after-start-again")
        assert (await backend.server(second["id"]))["state"] == "Running"

        # 7. a named server: its form preselects the last choice; the hub is killed
        #    (SIGKILL, its proxy left running as after a crash) during the create
        await walk.slow_creates()
        await page.goto(f"{hub.url}/hub/home")
        await page.fill(".new-server-name", "analysis")
        await page.click(".new-server-btn")
        # JupyterHub 6 adds the server to the list (then "start"); 5 goes to its form
        await page.wait_for_selector("select[name=size], #start-analysis:not(.hidden)")
        if not await page.locator("select[name=size]").count():
            await shot(page, kind, "13a-home-named-server-added")
            await page.click("#start-analysis")
            await page.wait_for_selector("select[name=size]")
        assert (await page.input_value("select[name=project]"), await page.input_value("select[name=size]")) == ("ocean-lab", "Large")
        await page.select_option("select[name=size]", "Medium")
        await shot(page, kind, "13b-named-server-form")
        await page.click("form#spawn_form [type=submit]")
        named = await restart_with_the_page_open(page, hub, walk, "analysis", "Medium", signal.SIGKILL, True, "14")
        await land(page, walk, named["id"], f"/lab/tree/Users/{quote(user, safe='')}")
        await shot(page, kind, "15-named-server-landed-after-hub-kill")
        await page.goto(f"{hub.url}/hub/home")
        row = page.locator("tr[data-server-name=analysis] .aml-server-summary")
        await row.wait_for()
        assert await row.inner_text() == "ocean-lab · Medium"
        await shot(page, kind, "16-home-named-server-with-project-and-size")
        servers = await backend.servers_of(user)
        assert sorted((s.get("serverName") or "", s["size"], s["state"]) for s in servers) == [
            ("", "GPU", "Stopped"), ("", "Large", "Running"), ("analysis", "Medium", "Running"),
        ]

        # 8. carol has no project (rbac: no Azure role on any workspace)
        await walk.without_projects("carol")
        await page.context.clear_cookies()
        await log_in(page, hub, "carol")
        await page.goto(f"{hub.url}/hub/spawn")
        notice = page.locator(".aml-options.alert")
        await notice.wait_for()
        assert walk.no_project in await notice.inner_text()
        assert not await page.is_visible("form#spawn_form [type=submit]")  # nothing to start
        await shot(page, kind, "17-carol-no-project")
    finally:
        await walk.close()
        await hub.close()
