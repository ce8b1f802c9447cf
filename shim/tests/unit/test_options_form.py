import re

from aml_jupyterhub.options_form import render_options_form
from aml_jupyterhub.user_options import NO_PROJECT_MESSAGE

OFFERED = {
    "projects": [{"name": "climate-lab", "location": "westeurope"}, {"name": "ocean-lab", "location": "northeurope"}],
    "sizes": [
        {"label": "Small", "vmSize": "Standard_DS1_v2", "gpu": False},
        {"label": "Medium", "vmSize": "Standard_DS3_v2", "gpu": False},
        {"label": "GPU", "vmSize": "Standard_NC4as_T4_v3", "gpu": True},
    ],
}


def selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html)
    assert select, f"no select {name}"
    match = re.search(r'<option value="([^"]+)" selected[ >]', select.group(1))
    return match.group(1) if match else None


def test_lists_projects_and_sizes():
    html = render_options_form(OFFERED)
    assert 'name="project"' in html and 'name="size"' in html
    assert "climate-lab (westeurope)" in html
    assert "GPU — Standard_NC4as_T4_v3" in html
    assert "Medium — Standard_DS3_v2" in html
    assert selected(html, "project") == "climate-lab"
    assert selected(html, "size") == "Small"


SCIENCE = {
    "projects": OFFERED["projects"],
    "sizes": [
        {"label": "Small", "vmSize": "Standard_DS3_v2", "gpu": False, "vcpus": 4, "memoryGB": 14, "gpus": 0},
        {"label": "Tiny", "vmSize": "Standard_DS1_v2", "gpu": False, "vcpus": 1, "memoryGB": 3.5, "gpus": 0},
        {"label": "GPU", "vmSize": "Standard_NC6s_v3", "gpu": True, "vcpus": 6, "memoryGB": 56, "gpus": 1,
         "gpuName": "NVIDIA T4", "description": "For deep learning <b>only</b>."},
        {"label": "Mystery", "vmSize": "Standard_NC4", "gpu": True, "vcpus": 4, "memoryGB": 28, "gpus": 2},
    ],
}


def test_sizes_say_cores_memory_and_gpus_when_the_control_plane_gives_them():
    html = render_options_form(SCIENCE, {"project": "ocean-lab", "size": "GPU"})
    assert ">Small — 4 cores, 14 GB RAM<" in html
    assert ">Tiny — 1 core, 3.5 GB RAM<" in html
    assert ">GPU — 6 cores, 56 GB, 1 × NVIDIA T4<" in html
    assert ">Mystery — 4 cores, 28 GB, 2 × GPU<" in html
    assert "Standard_" not in html  # the SKU is for administrators
    # the chosen size's description under the picker, escaped; each option carries its own
    assert '<div id="aml-size-description" class="form-text" aria-live="polite">For deep learning &lt;b&gt;only&lt;/b&gt;.</div>' in html
    assert 'data-description="For deep learning &lt;b&gt;only&lt;/b&gt;."' in html
    assert selected(html, "size") == "GPU"


def test_no_description_no_description_line():
    assert "aml-size-description" not in render_options_form(OFFERED)


def test_preselects_the_last_choice():
    html = render_options_form(OFFERED, {"project": "ocean-lab", "size": "GPU"})
    assert selected(html, "project") == "ocean-lab"
    assert selected(html, "size") == "GPU"


def test_last_choice_no_longer_offered_falls_back():
    html = render_options_form(OFFERED, {"project": "gone-lab", "size": "Huge"}, default_size="Medium")
    assert selected(html, "project") == "climate-lab"
    assert selected(html, "size") == "Medium"


def test_no_project_gives_a_clear_message_and_no_picker():
    html = render_options_form({"projects": [], "sizes": OFFERED["sizes"]})
    assert NO_PROJECT_MESSAGE in html
    assert "<select" not in html


def test_error_is_shown():
    html = render_options_form(None, error="The control plane could not be reached.")
    assert "could not be reached" in html and "alert-danger" in html


def test_escapes_names():
    html = render_options_form({"projects": [{"name": '<script>"x'}], "sizes": []})
    assert "<script>" not in html and "&lt;script&gt;&quot;x" in html


def test_no_project_shows_the_control_planes_reason_when_given():
    html = render_options_form({"projects": [], "sizes": [], "message": "No project gives you access yet: <ask>."})
    assert "No project gives you access yet: &lt;ask&gt;." in html
    assert NO_PROJECT_MESSAGE not in html


def test_says_why_the_last_server_stopped_and_keeps_the_last_choice():
    from aml_jupyterhub.messages import LastServerNotice

    notice = LastServerNotice("Your Small server in climate-lab was stopped at 14:02 UTC after a period without activity.")
    html = render_options_form(OFFERED, {"project": "ocean-lab", "size": "Medium"}, notice=notice)
    assert '<div id="aml-last-server" class="alert alert-info" role="status">Your Small server in climate-lab was stopped' in html
    assert 'aria-describedby="aml-last-server"' in html
    assert "Press Start to start it again, with its files as you left them." in html
    assert selected(html, "project") == "ocean-lab"
    assert selected(html, "size") == "Medium"


def test_a_failed_choice_is_shown_but_not_preselected():
    from aml_jupyterhub.messages import LastServerNotice

    notice = LastServerNotice(
        "Your last start of Small in climate-lab failed: quota. Starting it again deletes the failed instance "
        "and creates a new one.", failed=True, project="climate-lab", size="Small",
    )
    html = render_options_form(OFFERED, {"project": "climate-lab", "size": "Small"}, notice=notice)
    assert 'class="alert alert-warning" role="status">Your last start of Small in climate-lab failed' in html
    assert "Choose a project and a size below: the same ones to try again, or others." in html
    # an empty, disabled first choice is selected: `required` makes the person pick
    assert '<option value="" selected disabled>Choose a project…</option>' in html
    assert '<option value="" selected disabled>Choose a size…</option>' in html
    assert selected(html, "project") is None  # no real choice preselected
    assert selected(html, "size") is None
    assert html.count(" required") == 2
    # the failed choice is still there, marked
    assert '<option value="climate-lab">climate-lab (westeurope) — last start failed</option>' in html
    assert '<option value="Small">Small — Standard_DS1_v2 — last start failed</option>' in html
    assert '<option value="ocean-lab">ocean-lab (northeurope)</option>' in html


def test_a_final_error_replaces_the_form_without_a_retry_hint():
    html = render_options_form(None, error="Your JupyterHub is not set up to pass your identity to Azure; please contact your hub administrator.", error_is_final=True)
    assert "<select" not in html
    assert "Your projects could not be loaded" not in html and "Try again" not in html
    assert "not set up to pass your identity" in html


def test_each_size_shows_its_hourly_price_when_the_control_plane_knows_it():
    offered = {
        "projects": OFFERED["projects"],
        "sizes": [
            {"label": "Small", "vmSize": "Standard_DS3_v2", "gpu": False, "vcpus": 4, "memoryGB": 14, "gpus": 0,
             "pricePerHour": 0.29, "currency": "USD"},
            {"label": "Large", "vmSize": "Standard_DS5_v2", "gpu": False, "pricePerHour": 1.171, "currency": "CHF"},
            {"label": "GPU", "vmSize": "Standard_NC4as_T4_v3", "gpu": True},
        ],
    }
    html = render_options_form(offered)
    assert "Small — 4 cores, 14 GB RAM · about $0.29/h" in html
    assert "Large — Standard_DS5_v2 · about 1.17 CHF/h" in html
    assert re.search(r'<option value="GPU"[^>]*>GPU — Standard_NC4as_T4_v3<', html)  # no price known: none shown


def test_a_project_near_or_over_its_budget_is_said_in_the_control_planes_words():
    offered = {
        "projects": [
            {"name": "climate-lab", "budget": {"status": "warning", "message": "80% of this month's budget is spent."}},
            {"name": "ocean-lab", "budget": {"status": "exceeded", "message": "This month's budget is spent."}},
            {"name": "quiet-lab", "budget": {"status": "ok"}},
        ],
        "sizes": OFFERED["sizes"],
    }
    html = render_options_form(offered)
    assert '<div class="alert alert-warning" role="status">climate-lab: 80% of this month&#x27;s budget is spent.</div>' in html
    assert '<div class="alert alert-danger" role="status">ocean-lab: This month&#x27;s budget is spent.</div>' in html
    assert "quiet-lab:" not in html


def test_says_where_the_files_are_when_the_size_changes():
    html = render_options_form(OFFERED, {"project": "ocean-lab", "size": "GPU"})
    note = re.search(r'<div id="aml-size-change"[^>]*>(.*?)</div>', html)
    assert note, html
    # hidden until the person picks another size in the same project (a line of script)
    assert " hidden " in note.group(0)
    assert 'data-project="ocean-lab"' in note.group(0) and 'data-size="GPU"' in note.group(0)
    assert "new compute instance" in note.group(1)
    assert "Users/&lt;your name&gt;" in note.group(1) and "~/cloudfiles/code/Users/" in note.group(1)


def test_no_size_change_note_without_a_last_choice():
    assert "aml-size-change" not in render_options_form(OFFERED)
    assert "aml-size-change" not in render_options_form(OFFERED, {"project": "gone-lab", "size": "GPU"})
