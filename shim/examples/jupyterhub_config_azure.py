"""JupyterHub on Azure: people sign in with Entra ID and each gets an Azure Machine
Learning compute instance, created by the aml-jupyterhub control plane.

Environment (keep secrets out of this file):
  AAD_TENANT_ID, AAD_CLIENT_ID, AAD_CLIENT_SECRET  the hub's Entra ID app registration
  JUPYTERHUB_PUBLIC_URL      e.g. https://hub.example.org
  JUPYTERHUB_CRYPT_KEY       32 random bytes in hex (`openssl rand -hex 32`): encrypts auth_state
  AML_CONTROL_PLANE_URL      the Function App, e.g. https://aml-jupyterhub-fn.azurewebsites.net
  AML_CONTROL_PLANE_KEY      a function key of the Function App (read by AMLSpawner itself)

Needs `pip install ./shim oauthenticator`.
"""

import os

import aml_jupyterhub

c = get_config()  # noqa: F821

public_url = os.environ["JUPYTERHUB_PUBLIC_URL"].rstrip("/")

# -- sign-in: Entra ID --------------------------------------------------------------
c.JupyterHub.authenticator_class = "azuread"
c.AzureAdOAuthenticator.tenant_id = os.environ["AAD_TENANT_ID"]
c.AzureAdOAuthenticator.client_id = os.environ["AAD_CLIENT_ID"]
c.AzureAdOAuthenticator.client_secret = os.environ["AAD_CLIENT_SECRET"]
c.AzureAdOAuthenticator.oauth_callback_url = f"{public_url}/hub/oauth_callback"
c.AzureAdOAuthenticator.username_claim = "preferred_username"
# Who may sign in; the control plane decides which projects each person may use.
c.AzureAdOAuthenticator.allow_all = True
c.Authenticator.admin_users = {"admin@example.org"}

# Keep the ID token's claims in auth_state: AMLSpawner passes the user's object id
# (auth_state["user"]["oid"]) and tenant (["tid"]) to the control plane, which checks
# project access and assigns the compute instance to that person.
c.Authenticator.enable_auth_state = True

# -- servers: Azure ML compute instances --------------------------------------------
c.JupyterHub.spawner_class = "aml"
# AMLSpawner's pages: the spawn page carries on across a hub restart, the home page
# shows each server's project and size.
c.JupyterHub.template_paths = [aml_jupyterhub.TEMPLATES]
c.AMLSpawner.control_plane_url = os.environ["AML_CONTROL_PLANE_URL"]
# c.AMLSpawner.api_key is read from AML_CONTROL_PLANE_KEY.
# Or, with the control plane's AUTH_MODE 'entra', the hub's managed identity instead of a
# key (`pip install "./shim[azure]"`; the identity needs the API app's app role Hub):
# c.AMLSpawner.auth_mode = "azure-identity"
# c.AMLSpawner.token_scope = "api://<API app client id>/.default"
# c.AMLSpawner.azure_credential = "managed-identity"
c.AMLSpawner.auth_state_object_id_key = "user.oid"  # the default, shown for clarity
c.AMLSpawner.auth_state_tenant_id_key = "user.tid"  # the default
c.AMLSpawner.default_size = "Small"
c.AMLSpawner.start_timeout = 900  # creating an instance can take ten minutes

# The proxy sends /user/<name>/ to one redirect endpoint inside the hub process, which
# forwards each person to their instance's JupyterLab. It must be reachable from the
# proxy: the defaults (127.0.0.1:8082) fit the proxy JupyterHub starts itself.
# c.AMLSpawner.redirect_ip = "0.0.0.0"
# c.AMLSpawner.redirect_connect_ip = "hub"

# A hub restart or upgrade must not stop everyone's compute instance.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 3
