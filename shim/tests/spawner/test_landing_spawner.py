"""AMLSpawner and the landing choice, against the fake control plane: the spawn asks for
the app, the redirect lands there, a refusal is the control plane's words."""

from __future__ import annotations

import pytest

from aml_jupyterhub.errors import SpawnError

from ..support.fake_control_plane import server_id
from .test_aml_spawner import make_spawner, redirect_of, redirector  # noqa: F401 (fixtures)


async def test_spawn_asks_for_the_app_and_the_redirect_lands_there(make_spawner, fake_cp):
    spawner = make_spawner(user_options={"project": "climate-lab", "size": "Small", "app": "vscode"})
    url = await spawner.start()
    sid = server_id("alice", "climate-lab", "Standard_DS1_v2", "")
    spawn = [r for r in fake_cp.state.requests if r["method"] == "POST" and r["path"] == "/api/servers"][-1]
    assert spawn["body"]["app"] == "vscode"
    assert (await redirect_of(url)).headers["location"] == f"{fake_cp.url}/instances/{sid}/vscode/"
    assert (await redirect_of(url + "lab/tree/x.ipynb")).headers["location"] == f"{fake_cp.url}/instances/{sid}/lab/tree/x.ipynb"
    # remembered across a hub restart, with the rest of the state
    assert spawner.get_state()["app_url"] == f"{fake_cp.url}/instances/{sid}/vscode/"
    await spawner.stop()
    assert "app_url" not in spawner.get_state()


async def test_no_app_asked_lands_in_jupyterlab(make_spawner, fake_cp):
    spawner = make_spawner()
    url = await spawner.start()
    spawn = [r for r in fake_cp.state.requests if r["method"] == "POST" and r["path"] == "/api/servers"][-1]
    assert "app" not in spawn["body"]
    # JupyterLab, in the person's own folder of the workspace file share
    assert (await redirect_of(url)).headers["location"].endswith("/lab/tree/Users/alice")


async def test_an_app_the_project_does_not_offer_is_refused_in_the_control_planes_words(make_spawner, fake_cp):
    spawner = make_spawner(user_options={"project": "climate-lab", "size": "Small", "app": "rstudio"})
    with pytest.raises(SpawnError) as caught:
        await spawner.start()
    assert "does not offer the application 'rstudio'" in str(caught.value)
    assert caught.value.status_code == 400
