import pytest

from aml_jupyterhub.errors import UserOptionsError
from aml_jupyterhub.user_options import (
    NO_PROJECT_MESSAGE,
    SpawnChoice,
    complete_choice,
    options_from_form,
    parse_user_options,
    unknown_keys,
)

OFFERED = {
    "projects": [{"name": "climate-lab", "location": "westeurope"}, {"name": "ocean-lab", "location": "northeurope"}],
    "sizes": [{"label": "Small", "vmSize": "Standard_DS1_v2", "gpu": False}, {"label": "GPU", "vmSize": "Standard_NC4as_T4_v3", "gpu": True}],
}
ONE_PROJECT = {**OFFERED, "projects": OFFERED["projects"][:1]}


@pytest.mark.parametrize(
    "formdata, options",
    [
        ({"project": ["climate-lab"], "size": ["GPU"]}, {"project": "climate-lab", "size": "GPU"}),
        ({"project": [" ocean-lab "], "size": [""]}, {"project": "ocean-lab"}),
        ({"project": [b"climate-lab"]}, {"project": "climate-lab"}),
        ({"other": ["x"]}, {}),
        ({}, {}),
    ],
)
def test_options_from_form(formdata, options):
    assert options_from_form(formdata) == options


def test_options_from_form_does_not_touch_its_input():
    formdata = {"project": ["climate-lab"], "size": ["Small"]}
    options_from_form(formdata)
    assert formdata == {"project": ["climate-lab"], "size": ["Small"]}


@pytest.mark.parametrize(
    "options, choice",
    [
        ({"project": "climate-lab", "size": "Small"}, SpawnChoice("climate-lab", "Small")),
        ({"project": "climate-lab"}, SpawnChoice("climate-lab", None)),
        ({}, SpawnChoice()),
        (None, SpawnChoice()),
        ({"project": "", "size": "  "}, SpawnChoice()),
    ],
)
def test_parse_user_options(options, choice):
    assert parse_user_options(options) == choice


@pytest.mark.parametrize("options", [{"project": 3}, {"size": ["Small"]}, ["project"]])
def test_parse_user_options_rejects_wrong_types(options):
    with pytest.raises(UserOptionsError):
        parse_user_options(options)


def test_unknown_keys():
    assert unknown_keys({"project": "p", "image": "x", "cpu": 2}) == ["cpu", "image"]


@pytest.mark.parametrize(
    "choice, offered, default_size, expected",
    [
        (SpawnChoice("ocean-lab", "GPU"), OFFERED, "", SpawnChoice("ocean-lab", "GPU")),
        (SpawnChoice(None, "GPU"), ONE_PROJECT, "", SpawnChoice("climate-lab", "GPU")),
        (SpawnChoice("ocean-lab", None), OFFERED, "", SpawnChoice("ocean-lab", "Small")),
        (SpawnChoice("ocean-lab", None), OFFERED, "GPU", SpawnChoice("ocean-lab", "GPU")),
        (SpawnChoice("ocean-lab", None), {}, "Medium", SpawnChoice("ocean-lab", "Medium")),
    ],
)
def test_complete_choice(choice, offered, default_size, expected):
    assert complete_choice(choice, offered, default_size) == expected


@pytest.mark.parametrize(
    "offered, message",
    [
        ({"projects": [], "sizes": OFFERED["sizes"]}, NO_PROJECT_MESSAGE),
        (OFFERED, "Choose a project for your server: one of climate-lab, ocean-lab."),
        ({"projects": ONE_PROJECT["projects"], "sizes": []}, "Choose a size for your server."),
    ],
)
def test_complete_choice_explains_what_is_missing(offered, message):
    with pytest.raises(UserOptionsError, match="^" + message.replace(".", r"\.") + "$"):
        complete_choice(SpawnChoice(), offered)


def test_jupyterhub_6_body_form_reaching_a_jupyterhub_5_hub_is_read():
    from aml_jupyterhub.user_options import unknown_keys

    wrapped = {"user_options": {"project": "ocean-lab", "size": "GPU"}}
    assert parse_user_options(wrapped) == SpawnChoice(project="ocean-lab", size="GPU")
    assert unknown_keys(wrapped) == []
    assert unknown_keys({"user_options": {"project": "p", "colour": "red"}}) == ["colour"]
    # a key of its own beside it is not JupyterHub's form: left as it is
    assert unknown_keys({"user_options": {}, "project": "p"}) == ["user_options"]
