"""The admin page from the hub, without a key: a real JupyterHub runs the `aml-admin`
service (`python -m aml_jupyterhub.admin_service`) against the repository's local stack.
An admin signs in, opens Services → aml-admin and sees the page — servers, budgets and
class schedules, fetched through the service with the hub's own credential — creates a
schedule and deletes it; a person who is not an admin has no link and gets 403.
Screenshots: test-artifacts/admin-service-*.png.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from ..support.backends import ARTIFACTS, StackBackend, free_port
from ..support.hub import PASSWORD, Hub

pytestmark = [pytest.mark.stack, pytest.mark.browser]

ADMIN = "ann"
PERSON = "pat"
ALICE_OID = "a11ce000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def stack():
    reason = StackBackend.unavailable_reason()
    if reason:
        pytest.skip(reason)
    backend = StackBackend()
    yield backend
    backend.close()


@pytest.fixture
async def hub(tmp_path, stack):
    hub = Hub(tmp_path, stack, "admin-service")
    port = free_port()
    with (tmp_path / "jupyterhub_config.py").open("a") as config:
        config.write(f"""
# The control plane's admin page in the Services menu, for the hub's admins.
c.JupyterHub.services.append({{
    "name": "aml-admin",
    "url": "http://127.0.0.1:{port}",
    "command": [{sys.executable!r}, "-m", "aml_jupyterhub.admin_service"],
    "environment": {{"AML_CONTROL_PLANE_URL": {stack.url!r}, "AML_CONTROL_PLANE_KEY": {stack.key!r}}},
    "oauth_no_confirm": True,
}})
c.Authenticator.admin_users = {{{ADMIN!r}}}
""")
    hub.start()
    yield hub
    await hub.close()


async def sign_in(browser, hub, user: str):
    # Playwright's waits evaluate strings, which the page's policy forbids (no 'unsafe-eval'): bypassed for the test only.
    context = await browser.new_context(viewport={"width": 1360, "height": 900}, timezone_id="UTC", bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{hub.url}/hub/login")
    await page.fill("#username_input", user)
    await page.fill("#password_input", PASSWORD)
    await page.click("#login_submit")
    await page.wait_for_url("**/hub/**")
    return context, page


async def test_an_admin_opens_the_admin_page_from_the_services_menu(hub, stack, browser):
    # A server to see: alice's, spawned at the control plane directly.
    async with httpx.AsyncClient(base_url=stack.url, headers={"x-functions-key": stack.key}, timeout=30) as api:
        spawned = await api.post("/api/servers", json={"user": "alice", "project": "ocean-lab", "size": "Small", "userObjectId": ALICE_OID})
        assert spawned.status_code in (200, 202), spawned.text

    context, page = await sign_in(browser, hub, ADMIN)
    await page.goto(f"{hub.url}/hub/home")
    await page.get_by_role("button", name="Services").or_(page.get_by_role("link", name="Services")).first.click()
    await page.get_by_role("link", name="aml-admin").click()
    await page.wait_for_url("**/services/aml-admin/admin")
    await page.wait_for_selector("#dashboard:not([hidden])")
    assert await page.is_hidden("#sign-in")
    assert await page.is_hidden("#sign-out")  # no credential of the browser's own to forget
    await page.wait_for_selector(f"#servers tbody tr >> text=alice")
    # No key anywhere the browser can see.
    assert stack.key not in await page.content()
    assert stack.key not in (await context.cookies()).__repr__()
    await page.screenshot(path=str(ARTIFACTS / "admin-service-page.png"), full_page=True)

    # A schedule, created and deleted from the page: the service passes changes on with the hub's XSRF check.
    start = (datetime.now(timezone.utc) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    await page.select_option("#schedule-project", "ocean-lab")
    await page.select_option("#schedule-size", "Small")
    await page.fill("#schedule-users", f"alice {ALICE_OID}\nbob")
    await page.fill("#schedule-start", start.strftime("%Y-%m-%dT%H:%M"))
    await page.fill("#schedule-end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    await page.click("#new-schedule button[type=submit]")
    row = page.locator("#schedules tbody tr")
    await row.first.wait_for()
    cells = await row.first.locator("td").all_text_contents()
    assert cells[:3] == ["ocean-lab", "Small", "alice, bob"], cells
    assert cells[5] == "—"
    async with httpx.AsyncClient(base_url=stack.url, headers={"x-functions-key": stack.key}, timeout=30) as api:
        [stored] = (await api.get("/api/schedules")).json()["schedules"]
    assert stored["start"] == start.isoformat().replace("+00:00", ".000Z")
    assert stored["nextSession"] == {"start": stored["start"], "end": stored["end"]}
    assert stored["users"] == [
        {"user": "alice", "userObjectId": ALICE_OID, "tenantId": None},
        {"user": "bob", "userObjectId": None, "tenantId": None},
    ]
    await page.screenshot(path=str(ARTIFACTS / "admin-service-schedule.png"), full_page=True)

    # A bad schedule is refused with the API's words, and nothing is stored.
    await page.fill("#schedule-users", "carol")
    await page.check("input[name=schedule-kind][value=recurring]")
    await page.fill("#schedule-cron", "0 9 * * 1")
    await page.fill("#schedule-duration", "90")
    await page.fill("#schedule-zone", "Mars/Olympus")
    await page.click("#new-schedule button[type=submit]")
    await page.wait_for_selector("#status.error >> text=The schedule was not created")
    assert "time zone" in await page.text_content("#status")

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name="Delete the ocean-lab schedule for 2 people").click()
    await page.wait_for_function("document.querySelectorAll('#schedules tbody tr').length === 0")
    async with httpx.AsyncClient(base_url=stack.url, headers={"x-functions-key": stack.key}, timeout=30) as api:
        assert (await api.get("/api/schedules")).json()["schedules"] == []
    await context.close()


async def test_a_person_who_is_not_an_admin_gets_403(hub, browser):
    context, page = await sign_in(browser, hub, PERSON)
    await page.goto(f"{hub.url}/hub/home")
    assert await page.get_by_role("link", name="aml-admin").count() == 0
    answer = await page.goto(f"{hub.url}/services/aml-admin/admin")
    assert answer is not None and answer.status == 403
    await page.screenshot(path=str(ARTIFACTS / "admin-service-forbidden.png"), full_page=True)
    # Nor through the API path of the service.
    answer = await page.goto(f"{hub.url}/services/aml-admin/servers")
    assert answer is not None and answer.status == 403
    await context.close()
