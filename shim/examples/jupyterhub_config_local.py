"""JupyterHub against the local stack (`npm start` at the repository root): the control
plane on http://127.0.0.1:7071 with the ARM emulator behind it. No Azure account needed.

  npm start                                   # in one terminal, at the repository root
  pip install ./shim                          # JupyterHub comes with it
  npm install -g configurable-http-proxy      # JupyterHub's proxy
  jupyterhub -f shim/examples/jupyterhub_config_local.py

Then open http://127.0.0.1:8000 and sign in as one of the emulator's seeded people,
alice, bob or carol, with the password below (`aml-local`); pick a project and a size,
and you land on the emulator's stand-in for JupyterLab. As with Entra ID sign-in, each
person's object id and tenant are kept in auth_state, so the control plane can assign
the compute instance to them (Personal instances) and, with `PROJECT_ACCESS=rbac`
(`PROJECT_ACCESS=rbac npm start`), offer the projects their Azure roles allow: alice
both, bob ocean-lab, carol none.

`admin` (password `aml-local-admin-password-testing-only`) opens /hub/admin. It has
no Entra identity, so a server it starts shows what a hub that does not pass the
person's identity looks like.
"""

import importlib.util
import os
import sys

import aml_jupyterhub
from jupyterhub.auth import DummyAuthenticator

c = get_config()  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:8000"

# The emulator's seeded people (local/arm-emulator/seed.json): their Entra object ids,
# in the emulator's tenant.
TENANT_ID = "00000000-0000-0000-0000-0000000a4b10"
PEOPLE = {
    "alice": "a11ce000-0000-4000-8000-000000000001",
    "bob": "b0b00000-0000-4000-8000-000000000002",
    "carol": "ca201000-0000-4000-8000-000000000003",
}
ADMIN = "admin"

# One shared password (testing only), another for the admin.
password = os.environ.get("JUPYTERHUB_TEST_PASSWORD", "aml-local")
admin_password = os.environ.get("JUPYTERHUB_TEST_ADMIN_PASSWORD", "aml-local-admin-password-testing-only")
if importlib.util.find_spec("jupyterhub.authenticators.shared"):  # JupyterHub >= 5.3
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator as PasswordAuthenticator

    c.SharedPasswordAuthenticator.user_password = password
    c.SharedPasswordAuthenticator.admin_password = admin_password
else:
    PasswordAuthenticator = DummyAuthenticator
    c.DummyAuthenticator.password = password


class LocalPeopleAuthenticator(PasswordAuthenticator):
    """Password sign-in that keeps the person's Entra ids in auth_state the way
    OAuthenticator's AzureAdOAuthenticator does (`auth_state["user"]["oid"]`, `["tid"]`),
    where AMLSpawner looks for them."""

    async def authenticate(self, handler, data):
        result = await super().authenticate(handler, data)
        if not result:
            return result
        if isinstance(result, str):
            result = {"name": result}
        object_id = PEOPLE.get(result["name"])
        if object_id:
            result["auth_state"] = {"user": {"oid": object_id, "tid": TENANT_ID}}
        return result


c.JupyterHub.authenticator_class = LocalPeopleAuthenticator
c.Authenticator.allowed_users = set(PEOPLE)
c.Authenticator.admin_users = {ADMIN}
# auth_state is stored encrypted; a fixed key is fine for a local tryout only.
os.environ.setdefault("JUPYTERHUB_CRYPT_KEY", "6c6f63616c2d6f6e6c792d6e6f742d612d7365637265742d6b65792d3332623a")
c.Authenticator.enable_auth_state = True

c.JupyterHub.spawner_class = "aml"
# AMLSpawner's pages: the spawn page carries on across a hub restart, the home page
# shows each server's project and size.
c.JupyterHub.template_paths = [aml_jupyterhub.TEMPLATES]
c.AMLSpawner.control_plane_url = "http://127.0.0.1:7071"
c.AMLSpawner.api_key = os.environ.get("FUNCTIONS_KEY", "local-key")
c.AMLSpawner.status_poll_interval = 2
c.AMLSpawner.poll_interval = 10

c.JupyterHub.cleanup_servers = False  # a hub restart must not stop everyone's instance
c.JupyterHub.allow_named_servers = True

# The control plane's admin page in the Services menu, for the admins (ADMIN) only: the
# service signs them in with the hub and calls the control plane with the hub's key.
c.JupyterHub.services = [{
    "name": "aml-admin",
    "url": "http://127.0.0.1:10110",
    "command": [sys.executable, "-m", "aml_jupyterhub.admin_service"],
    "environment": {
        "AML_CONTROL_PLANE_URL": c.AMLSpawner.control_plane_url,
        "AML_CONTROL_PLANE_KEY": c.AMLSpawner.api_key,
    },
    "oauth_no_confirm": True,
}]
