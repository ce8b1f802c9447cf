"""A person's path through the hub, in Debian's chromium driven by Playwright: log in,
pick a project and a size, watch the progress, land on the instance's JupyterLab.

Screenshots of the progress page and of the landing page are saved to
test-artifacts/ at the repository root.
"""

from __future__ import annotations

import os
import re
import shutil

import httpx
import pytest

from ..support.backends import ARTIFACTS, eventually
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
    await page.wait_for_selector("#progress-log .progress-log-event >> text=/Creating your .* server/", state="attached")
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

    # the form remembers the last choice
    await hub.stop_server(username)
    await hub.wait_gone(username)
    await page.goto(f"{hub.url}/hub/spawn")
    await page.wait_for_selector("select[name=project]")
    assert await page.input_value("select[name=project]") == "ocean-lab"
    assert await page.input_value("select[name=size]") == "Medium"


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
