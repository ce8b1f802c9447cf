"""JupyterHub against the local stack (`npm start` at the repository root): the control
plane on http://127.0.0.1:7071 with the ARM emulator behind it. No Azure account needed.

  npm start                                   # in one terminal, at the repository root
  pip install ./shim                          # JupyterHub comes with it
  npm install -g configurable-http-proxy      # JupyterHub's proxy
  jupyterhub -f shim/examples/jupyterhub_config_local.py

Then open http://127.0.0.1:8000, sign in as any name with the password below, pick a
project and a size, and you land on the emulator's stand-in for JupyterLab.
"""

import importlib.util
import os

c = get_config()  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:8000"

# Any user name, one shared password (testing only).
c.JupyterHub.authenticator_class = "dummy"
password = os.environ.get("JUPYTERHUB_TEST_PASSWORD", "aml-local")
if importlib.util.find_spec("jupyterhub.authenticators.shared"):  # JupyterHub >= 5.3
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password
else:
    c.DummyAuthenticator.password = password
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = "aml"
c.AMLSpawner.control_plane_url = "http://127.0.0.1:7071"
c.AMLSpawner.api_key = os.environ.get("FUNCTIONS_KEY", "local-key")
c.AMLSpawner.status_poll_interval = 2
c.AMLSpawner.poll_interval = 10

c.JupyterHub.cleanup_servers = False
c.JupyterHub.allow_named_servers = True
