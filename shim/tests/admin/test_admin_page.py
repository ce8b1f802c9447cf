"""The control plane's admin page (`GET /api/admin`) on the repository's local stack, in
Debian's chromium driven by Playwright: servers of several people in several states,
filtered by project and state (the filters survive a refresh and a reload), one stopped
with confirmation, the budgets of the month; and without a credential, only the sign-in
form. Screenshots are saved to test-artifacts/admin-page-*.png.

The stack runs with its own budgets (PROJECT_BUDGETS), so it is started here rather than
shared with the hub tests.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading

import httpx
import pytest

from ..support.backends import ARTIFACTS, REPO, SHIM, StackBackend, eventually

pytestmark = [pytest.mark.stack, pytest.mark.browser]

KEY = "admin-page-key"
PEOPLE = {
    "alice": "a11ce000-0000-4000-8000-000000000001",
    "bob": "b0b00000-0000-4000-8000-000000000002",
    "carol": "ca201000-0000-4000-8000-000000000003",
}
START_TIMEOUT = float(os.environ.get("AML_TEST_STACK_START_TIMEOUT", "180"))


@pytest.fixture(scope="module")
def stack():
    reason = StackBackend.unavailable_reason()
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "admin-page-stack.log", "w")
    env = {
        **os.environ,
        "AML_STACK_KEY": KEY,
        "AML_STACK_HOST_LOG": str(ARTIFACTS / "admin-page-stack-host.log"),
        "AML_STACK_EMULATOR": json.dumps({"createSeconds": 4, "startSeconds": 2, "stopSeconds": 2, "deleteSeconds": 1}),
        "AML_STACK_APP_SETTINGS": json.dumps({
            "PROVISION_POLL_SECONDS": "1",
            "STOP_POLL_SECONDS": "1",
            "PROJECT_BUDGETS": "climate-lab=0.002,ocean-lab=250",
        }),
    }
    process = subprocess.Popen(
        ["node", str(SHIM / "tests" / "support" / "local_stack.js")], cwd=REPO, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    try:
        if not lines or not lines[0].strip():
            raise RuntimeError(f"the local stack did not start within {START_TIMEOUT}s")
        yield json.loads(lines[0])
    finally:
        if process.poll() is None:
            try:
                process.stdin.close()  # the driver stops the stack when stdin closes
                process.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


async def call(stack, method: str, path: str, **kwargs):
    async with httpx.AsyncClient(base_url=stack["controlPlane"], headers={"x-functions-key": KEY}, timeout=30) as client:
        return await client.request(method, path, **kwargs)


async def spawn(stack, user: str, project: str, size: str) -> str:
    response = await call(stack, "POST", "/api/servers", json={"user": user, "project": project, "size": size, "userObjectId": PEOPLE[user]})
    assert response.status_code in (200, 202), response.text
    return response.json()["id"]


async def state_of(stack, server_id: str) -> dict:
    return (await call(stack, "GET", f"/api/servers/{server_id}")).json()


async def wait_state(stack, server_id: str, *states: str, timeout: float = 120) -> dict:
    async def reached():
        server = await state_of(stack, server_id)
        return server if server["state"] in states else None

    return await eventually(reached, timeout=timeout, interval=0.5, what=f"{server_id} {states}")


async def rows(page) -> list[dict]:
    return await page.eval_on_selector_all(
        "#servers tbody tr",
        "rows => rows.map(r => ({id: r.dataset.id, cells: [...r.cells].map(c => c.textContent)}))",
    )


async def test_admin_page_lists_filters_and_stops(stack, browser):
    alice = await spawn(stack, "alice", "climate-lab", "Medium")
    bob = await spawn(stack, "bob", "ocean-lab", "Small")
    carol = await spawn(stack, "carol", "ocean-lab", "Medium")
    for server in (alice, bob, carol):
        await wait_state(stack, server, "Running")
    assert (await call(stack, "POST", f"/api/servers/{carol}/stop", json={"reason": "user"})).status_code == 202
    await wait_state(stack, carol, "Stopped")
    # climate-lab's tiny budget is used up by alice's few seconds of Medium; then a new spawn there is refused
    async def climate_exceeded():
        projects = (await call(stack, "GET", "/api/budgets")).json()["projects"]
        return next(p for p in projects if p["name"] == "climate-lab")["budget"]["status"] == "exceeded"

    await eventually(climate_exceeded, timeout=90, interval=1, what="climate-lab over budget")
    refused = await call(stack, "POST", "/api/servers", json={"user": "carol", "project": "climate-lab", "size": "Small", "userObjectId": PEOPLE["carol"]})
    assert refused.status_code == 409 and refused.json()["code"] == "budget-exceeded", refused.text

    # Playwright's waits evaluate strings, which the page's policy forbids (no 'unsafe-eval'): bypassed for the test only.
    context = await browser.new_context(viewport={"width": 1360, "height": 820}, bypass_csp=True)
    page = await context.new_page()
    # The static page holds no credential.
    served = await call(stack, "GET", "/api/admin")
    assert KEY not in served.text and "<table id=\"servers\">" in served.text
    assert "script-src 'self'" in served.headers["content-security-policy"]

    # From the hub's link: the key in the fragment, moved to session storage and out of the address.
    await page.goto(f"{stack['controlPlane']}/api/admin#key={KEY}")
    await page.wait_for_selector("#servers tbody tr")
    assert "#" not in page.url and KEY not in page.url
    listed = await rows(page)
    assert {row["id"] for row in listed} == {alice, bob, carol}
    by_id = {row["id"]: row["cells"] for row in listed}
    assert by_id[alice][:4] == ["alice", "climate-lab", "Medium (Standard_DS3_v2)", "Running"]
    assert by_id[carol][3] == "Stopped" and by_id[carol][7] == "user"
    assert re.match(r"^\D?\d+\.\d\d", by_id[alice][6].replace("US", "")), by_id[alice][6]  # a cost, in dollars
    budgets = await page.eval_on_selector_all("#budgets tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert [row[0] for row in budgets] == ["climate-lab", "ocean-lab"]
    assert budgets[0][4] == "exceeded" and budgets[1][4] == "ok"
    await page.screenshot(path=str(ARTIFACTS / "admin-page-all.png"), full_page=True)

    # Filters: project, then state; they go into the address and survive a refresh and a reload.
    await page.select_option("#filter-project", "ocean-lab")
    await page.wait_for_function("document.querySelectorAll('#servers tbody tr').length === 2")
    await page.select_option("#filter-state", "Running")
    await page.wait_for_function("document.querySelectorAll('#servers tbody tr').length === 1")
    assert [row["id"] for row in await rows(page)] == [bob]
    assert "project=ocean-lab" in page.url and "state=Running" in page.url
    await page.screenshot(path=str(ARTIFACTS / "admin-page-filtered.png"), full_page=True)
    await page.reload()
    await page.wait_for_selector("#servers tbody tr")
    assert [row["id"] for row in await rows(page)] == [bob]
    assert await page.input_value("#filter-project") == "ocean-lab"
    assert await page.input_value("#filter-state") == "Running"

    # Stop bob's server, confirming the dialog; the page refreshes and the server winds down as admin.
    await page.select_option("#filter-state", "")
    await page.wait_for_function("document.querySelectorAll('#servers tbody tr').length === 2")
    dialogs: list[str] = []

    async def accept(dialog):
        dialogs.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    await page.get_by_role("button", name="Stop bob's server in ocean-lab").click()
    await page.wait_for_function(
        f"[...document.querySelectorAll('#servers tbody tr')].some(r => r.dataset.id === '{bob}' && ['Stopping', 'Stopped'].includes(r.cells[3].textContent))"
    )
    assert dialogs and bob in dialogs[0]
    assert (await wait_state(stack, bob, "Stopped"))["stopReason"] == "admin"
    await page.wait_for_function(
        f"[...document.querySelectorAll('#servers tbody tr')].some(r => r.dataset.id === '{bob}' && r.cells[3].textContent === 'Stopped' && r.cells[7].textContent === 'admin')",
        timeout=60_000,
    )
    await page.screenshot(path=str(ARTIFACTS / "admin-page-stopped.png"), full_page=True)

    # Class schedules: a weekly class, with its next session; deleted with confirmation.
    weekly = await call(stack, "POST", "/api/schedules", json={
        "project": "ocean-lab", "size": "Small", "users": [{"user": "bob", "userObjectId": PEOPLE["bob"]}, {"user": "carol"}],
        "cron": "0 9 * * 1", "durationMinutes": 90, "timeZone": "Europe/Paris",
    })
    assert weekly.status_code == 201, weekly.text
    next_start = weekly.json()["nextSession"]["start"]
    await page.click("#filters button[type=submit]")
    await page.wait_for_selector("#schedules tbody tr")
    [schedule_row] = await page.eval_on_selector_all("#schedules tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert schedule_row[:4] == ["ocean-lab", "Small", "bob, carol", "0 9 * * 1 (Europe/Paris), 90 min"], schedule_row
    shown_next = await page.evaluate(f"new Date('{next_start}').toLocaleString(undefined, {{dateStyle: 'medium', timeStyle: 'short'}})")
    assert schedule_row[4] == shown_next and schedule_row[5] == "—"
    await page.screenshot(path=str(ARTIFACTS / "admin-page-schedules.png"), full_page=True)

    # A dismissed confirmation changes nothing.
    page.remove_listener("dialog", accept)
    page.once("dialog", lambda dialog: dialog.dismiss())
    await page.get_by_role("button", name="Delete carol's server in ocean-lab").click()
    await page.wait_for_timeout(500)
    assert (await state_of(stack, carol))["state"] == "Stopped"
    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Delete the ocean-lab schedule for 2 people").click()
    await page.wait_for_function("document.querySelectorAll('#schedules tbody tr').length === 0")
    assert (await call(stack, "GET", "/api/schedules")).json()["schedules"] == []
    await context.close()


async def test_admin_page_without_a_credential_shows_only_the_sign_in(stack, browser):
    context = await browser.new_context(viewport={"width": 1000, "height": 600}, bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{stack['controlPlane']}/api/admin")
    await page.wait_for_selector("#sign-in:not([hidden])")
    assert await page.is_hidden("#dashboard")
    await page.fill("#credential", "not-the-key")
    await page.click("#sign-in button[type=submit]")
    await page.wait_for_selector("#status.error >> text=The credential was not accepted.")
    assert await page.is_hidden("#dashboard")
    await page.screenshot(path=str(ARTIFACTS / "admin-page-sign-in.png"), full_page=True)
    await page.fill("#credential", KEY)
    await page.click("#sign-in button[type=submit]")
    await page.wait_for_selector("#servers tbody tr")
    assert await page.is_hidden("#sign-in")
    await context.close()
