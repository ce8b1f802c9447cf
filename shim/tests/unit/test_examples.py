"""The example configurations load, and configure what they claim to."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from aml_jupyterhub.aml_spawner import AMLSpawner
from aml_jupyterhub.identity import identity_from_auth_state

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    return PyFileConfigLoader(name, path=str(EXAMPLES)).load_config()


def entry_point(group: str, name: str):
    (found,) = [ep for ep in entry_points(group=group) if ep.name == name]
    return found.load()


def test_the_spawner_entry_point():
    assert entry_point("jupyterhub.spawners", "aml") is AMLSpawner


def test_local_example():
    config = load("jupyterhub_config_local.py")
    assert config.JupyterHub.spawner_class == "aml"
    spawner = AMLSpawner(config=config)
    assert spawner.control_plane_url == "http://127.0.0.1:7071"
    assert spawner.api_key == "local-key"
    assert config.JupyterHub.cleanup_servers is False
    (admin,) = config.JupyterHub.services
    assert admin["name"] == "aml-admin" and admin["command"][1:] == ["-m", "aml_jupyterhub.admin_service"]
    assert admin["environment"] == {"AML_CONTROL_PLANE_URL": "http://127.0.0.1:7071", "AML_CONTROL_PLANE_KEY": "local-key"}


SEED = json.loads((EXAMPLES.parents[1] / "local" / "arm-emulator" / "seed.json").read_text())


@pytest.mark.parametrize("person", ["alice", "bob", "carol"])
async def test_local_example_signs_in_the_seeded_people_with_their_entra_ids(person, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_CRYPT_KEY", raising=False)
    config = load("jupyterhub_config_local.py")
    authenticator = config.JupyterHub.authenticator_class(config=config)
    assert authenticator.enable_auth_state is True  # the example brings a (local-only) crypt key
    result = await authenticator.authenticate(None, {"username": person, "password": "aml-local"})
    (principal,) = [p for p in SEED["principals"] if p["displayName"] == person]
    assert result["name"] == person
    assert result["auth_state"] == {"user": {"oid": principal["objectId"], "tid": SEED["subscription"]["tenantId"]}}
    # where the spawner reads them
    identity = identity_from_auth_state(
        result["auth_state"], AMLSpawner(config=config).auth_state_object_id_key,
        AMLSpawner(config=config).auth_state_tenant_id_key,
    )
    assert identity.object_id == principal["objectId"]
    assert await authenticator.authenticate(None, {"username": person, "password": "wrong-password"}) is None


async def test_local_example_has_an_admin_and_only_the_seeded_people():
    config = load("jupyterhub_config_local.py")
    authenticator = config.JupyterHub.authenticator_class(config=config)
    assert authenticator.admin_users == {"admin"}
    assert authenticator.allowed_users == {"alice", "bob", "carol"}
    if hasattr(authenticator, "admin_password"):  # JupyterHub >= 5.3
        result = await authenticator.authenticate(
            None, {"username": "admin", "password": "aml-local-admin-password-testing-only"}
        )
        assert result["admin"] is True and "auth_state" not in result


def test_azure_example(monkeypatch):
    pytest.importorskip("oauthenticator")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "https://hub.example.org/")
    monkeypatch.setenv("AAD_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47")
    monkeypatch.setenv("AAD_CLIENT_ID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("AAD_CLIENT_SECRET", "secret")
    monkeypatch.setenv("AML_CONTROL_PLANE_URL", "https://aml-jupyterhub-fn.azurewebsites.net")
    monkeypatch.setenv("AML_CONTROL_PLANE_KEY", "function-key")
    config = load("jupyterhub_config_azure.py")

    authenticator_class = entry_point("jupyterhub.authenticators", config.JupyterHub.authenticator_class)
    authenticator = authenticator_class(config=config)
    assert authenticator.enable_auth_state is True
    assert authenticator.oauth_callback_url == "https://hub.example.org/hub/oauth_callback"
    assert authenticator.user_auth_state_key == "user"  # where the ID token's claims are kept

    spawner = AMLSpawner(config=config)
    assert spawner.control_plane_url == "https://aml-jupyterhub-fn.azurewebsites.net"
    assert spawner.api_key == "function-key"
    assert spawner.auth_state_object_id_key == f"{authenticator.user_auth_state_key}.oid"
    assert config.JupyterHub.cleanup_servers is False
