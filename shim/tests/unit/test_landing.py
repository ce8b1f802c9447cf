"""Where a person lands: the `app` user option, the form's "Open in" choice, and the
redirect of the server's own address to the chosen application."""

import re

import httpx
import pytest

from aml_jupyterhub.options_form import render_options_form
from aml_jupyterhub.redirector import Redirector
from aml_jupyterhub.errors import UserOptionsError
from aml_jupyterhub.user_options import SpawnChoice, complete_choice, options_from_form, parse_user_options, unknown_keys

STANDARD = [{"id": "jupyterlab", "name": "JupyterLab"}, {"id": "jupyter", "name": "Jupyter"}, {"id": "vscode", "name": "VS Code"}]
OFFERED = {
    "projects": [
        {"name": "climate-lab", "location": "westeurope", "apps": STANDARD},
        {"name": "ocean-lab", "location": "westeurope", "apps": [*STANDARD, {"id": "rstudio", "name": "rstudio"}]},
    ],
    "sizes": [{"label": "Small", "vmSize": "Standard_DS1_v2", "gpu": False}],
}


def radios(html: str) -> list[dict[str, str]]:
    found = []
    for tag in re.findall(r'<input class="form-check-input" type="radio" name="app"[^>]*>', html):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
        attrs["checked"] = " checked" in tag
        label = re.search(rf'<label class="form-check-label" for="{attrs["id"]}">([^<]*)</label>', html)
        attrs["label"] = label.group(1) if label else ""
        found.append(attrs)
    return found


def test_app_is_a_user_option_from_the_form_and_the_rest_body():
    assert options_from_form({"project": ["climate-lab"], "size": ["Small"], "app": ["vscode"]}) == {
        "project": "climate-lab", "size": "Small", "app": "vscode",
    }
    choice = parse_user_options({"project": "climate-lab", "size": "Small", "app": "vscode"})
    assert choice == SpawnChoice("climate-lab", "Small", "vscode")
    assert choice.as_user_options() == {"project": "climate-lab", "size": "Small", "app": "vscode"}
    assert unknown_keys({"project": "p", "app": "vscode"}) == []
    assert parse_user_options({"project": "climate-lab"}).app is None
    with pytest.raises(UserOptionsError, match="'app' must be a string"):
        parse_user_options({"project": "climate-lab", "app": ["vscode"]})


def test_completing_a_choice_keeps_the_app():
    choice = complete_choice(SpawnChoice(app="vscode"), {"projects": [{"name": "climate-lab"}], "sizes": [{"label": "Small"}]})
    assert choice == SpawnChoice("climate-lab", "Small", "vscode")


def test_form_offers_open_in_with_every_app_and_jupyterlab_first():
    html = render_options_form(OFFERED)
    assert "Open in" in html
    found = radios(html)
    assert [r["value"] for r in found] == ["jupyterlab", "jupyter", "vscode", "rstudio"]
    assert [r["label"] for r in found] == ["JupyterLab", "Jupyter", "VS Code", "rstudio (ocean-lab only)"]
    assert [r["value"] for r in found if r["checked"]] == ["jupyterlab"]
    # offered everywhere: no project list; a custom service names its projects for the script
    assert [r.get("data-projects") for r in found] == [None, None, None, "ocean-lab"]


def test_form_remembers_the_last_app_and_ignores_one_no_longer_offered():
    assert [r["value"] for r in radios(render_options_form(OFFERED, {"project": "ocean-lab", "app": "vscode"})) if r["checked"]] == ["vscode"]
    assert [r["value"] for r in radios(render_options_form(OFFERED, {"app": "shiny"})) if r["checked"]] == ["jupyterlab"]


def test_form_has_no_landing_choice_when_the_control_plane_lists_no_apps():
    offered = {"projects": [{"name": "climate-lab", "location": "westeurope"}], "sizes": OFFERED["sizes"]}
    html = render_options_form(offered)
    assert 'name="app"' not in html and "Open in" not in html


class Target:
    def __init__(self, lab, landing=None):
        self.lab, self.landing = lab, landing

    def redirect_target(self):
        return self.lab

    def landing_target(self):
        return self.landing


@pytest.fixture
async def redirector():
    redirector = Redirector()
    redirector.ensure_listening("127.0.0.1", 0)
    yield redirector
    redirector.stop()


async def location(redirector, path):
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{redirector.port}") as client:
        response = await client.get(path)
    assert response.status_code == 302, path
    return response.headers["location"]


async def test_the_server_address_lands_in_the_chosen_app_and_deep_links_stay_jupyters(redirector):
    host = "https://ci-abc.westeurope.instances.azureml.ms"
    target = Target(f"{host}/lab", f"{host}/vscode/")
    redirector.registry.register("/user/alice/", target)
    assert await location(redirector, "/user/alice/") == f"{host}/vscode/"
    assert await location(redirector, "/user/alice") == f"{host}/vscode/"
    assert await location(redirector, "/user/alice/lab/tree/x.ipynb") == f"{host}/lab/tree/x.ipynb"
    assert await location(redirector, "/user/alice/git-pull?repo=r") == f"{host}/git-pull?repo=r"
    target.landing = None  # JupyterLab chosen, or the instance does not list the app
    assert await location(redirector, "/user/alice/") == f"{host}/lab"
