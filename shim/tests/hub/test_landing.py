"""Where a person lands, in Debian's chromium driven by Playwright against a real
JupyterHub: "Open in: VS Code" in the form lands on the instance's VS Code (the
emulator's or the fake's stand-in page); the choice is remembered, and JupyterLab
chosen next time lands on JupyterLab.

Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from ..support.backends import ARTIFACTS
from .test_browser import log_in, page  # noqa: F401 (the browser fixture)

pytestmark = [pytest.mark.hub, pytest.mark.browser]


async def spawn_from_form(page, hub, app_label: str) -> None:
    await page.goto(f"{hub.url}/hub/spawn")
    await page.wait_for_selector("select[name=project]")
    await page.select_option("select[name=project]", "climate-lab")
    await page.select_option("select[name=size]", "Small")
    await page.get_by_label(app_label, exact=True).check()


async def test_lands_in_vs_code_then_in_jupyterlab(hub, backend, username, page):
    ARTIFACTS.mkdir(exist_ok=True)
    await log_in(page, hub, username)

    await spawn_from_form(page, hub, "VS Code")
    fieldset = page.locator("#aml-app")
    assert await fieldset.locator("legend").inner_text() == "Open in"
    assert await fieldset.locator("label").all_inner_texts() == ["JupyterLab", "Jupyter", "VS Code"]
    await page.screenshot(path=str(ARTIFACTS / f"shim-landing-form-{backend.kind}.png"), full_page=True)
    await page.click("form#spawn_form [type=submit]")

    await page.wait_for_url(re.compile(r"/instances/ci-[0-9a-p]{21}/vscode/"), timeout=240_000)
    await page.wait_for_load_state()
    await page.screenshot(path=str(ARTIFACTS / f"shim-landing-vscode-{backend.kind}.png"), full_page=True)
    (server,) = await backend.servers_of(username)
    assert (server["app"], server["state"]) == ("vscode", "Running")
    assert page.url == server["appUrl"]
    assert (await page.title()).startswith("VS Code")
    assert server["id"] in await page.inner_text("body")
    assert server["url"].endswith("/lab")  # JupyterLab stays the deep links' base

    # a deep link still opens the notebook in JupyterLab
    await page.goto(f"{hub.url}/user/{username}/lab/tree/analysis.ipynb")
    await page.wait_for_url(re.compile(r"/instances/ci-[0-9a-p]{21}/lab/tree/analysis\.ipynb"), timeout=60_000)

    # stopped, the home page says where it opens, and the form remembers VS Code; JupyterLab this time
    await hub.stop_server(username)
    await hub.wait_gone(username)
    await page.goto(f"{hub.url}/hub/home")
    summary = page.locator(".aml-server-summary")
    await summary.first.wait_for()
    assert await summary.first.inner_text() == "Your last server: climate-lab · Small · opens in VS Code"
    await page.screenshot(path=str(ARTIFACTS / f"shim-landing-home-{backend.kind}.png"), full_page=True)
    await page.goto(f"{hub.url}/hub/spawn")
    await page.wait_for_selector("#aml-app")
    assert await page.get_by_label("VS Code", exact=True).is_checked()
    await spawn_from_form(page, hub, "JupyterLab")
    await page.click("form#spawn_form [type=submit]")
    # JupyterLab opens in the person's own folder of the workspace file share
    folder = f"/tree/Users/{quote(username, safe='')}"
    await page.wait_for_url(re.compile(rf"/instances/ci-[0-9a-p]{{21}}/lab{re.escape(folder)}$"), timeout=240_000)
    await page.wait_for_load_state()
    await page.screenshot(path=str(ARTIFACTS / f"shim-landing-jupyterlab-{backend.kind}.png"), full_page=True)
    (again,) = await backend.servers_of(username)
    assert again["id"] == server["id"]  # the same instance: where to land is no part of it
    assert (again["app"], again["appUrl"]) == ("jupyterlab", again["url"])
    assert page.url == again["url"] + folder
    assert "JupyterLab" in await page.title()
