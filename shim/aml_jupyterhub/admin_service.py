"""The control plane's admin page inside JupyterHub: a hub-managed service that shows
`/api/admin` at `/services/aml-admin/` (a link in the hub's Services menu) to the hub's
admins, without anyone pasting a key.

The hub signs the person in (JupyterHub OAuth); only a person with access to this service
gets through (admins have it through their role, nobody else unless a role grants
`access:services!service=aml-admin`), everyone else gets 403. Each request under the
prefix goes to the control plane's `/api/<rest>` with the hub's own control-plane credential
(the key, or an Entra ID token, as the spawner uses), which never reaches the browser. The
page's own requests are same-origin fetches and carry JupyterHub's XSRF token.

Configuration (environment, as the spawner's defaults): AML_CONTROL_PLANE_URL,
AML_CONTROL_PLANE_KEY; for Entra ID tokens instead of the key AML_CONTROL_PLANE_AUTH_MODE
= "azure-identity", AML_CONTROL_PLANE_TOKEN_SCOPE, and optionally
AML_CONTROL_PLANE_CREDENTIAL ("default", "managed-identity", "client-secret") and
AZURE_CLIENT_ID; AML_CONTROL_PLANE_CA_BUNDLE for a private CA. See the README.

    c.JupyterHub.services = [{
        "name": "aml-admin",
        "url": "http://127.0.0.1:10110",
        "command": [sys.executable, "-m", "aml_jupyterhub.admin_service"],
        "environment": {"AML_CONTROL_PLANE_URL": "...", "AML_CONTROL_PLANE_KEY": os.environ["AML_CONTROL_PLANE_KEY"]},
        "oauth_no_confirm": True,
    }]
"""

from __future__ import annotations

import logging
import os
from typing import Mapping
from urllib.parse import urlparse

import httpx
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from . import __version__
from .control_plane import KEY_HEADER, tls_verification
from .token_auth import BearerTokenAuth, TokenCache, TokenSettings, build_credential

log = logging.getLogger("aml_jupyterhub.admin_service")

#: The control plane's headers passed back to the browser (its page's security policy included).
PASSED_BACK = ("content-type", "cache-control", "content-security-policy", "x-content-type-options", "referrer-policy", "retry-after", "allow")
#: The browser's headers passed on; its cookies and any credential of its own are not.
PASSED_ON = ("content-type", "accept", "if-match")
MAX_BODY_BYTES = 64 * 1024


class Upstream:
    """The control plane, called with the hub's own credential."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.base_url = env.get("AML_CONTROL_PLANE_URL", "http://127.0.0.1:7071").rstrip("/")
        auth: httpx.Auth | None = None
        headers = {"user-agent": f"aml-jupyterhub-admin-service/{__version__}"}
        if env.get("AML_CONTROL_PLANE_AUTH_MODE", "key") == "azure-identity":
            settings = TokenSettings(
                scope=env.get("AML_CONTROL_PLANE_TOKEN_SCOPE", ""),
                credential=env.get("AML_CONTROL_PLANE_CREDENTIAL", "default"),
                client_id=env.get("AZURE_CLIENT_ID", ""),
            )
            auth = BearerTokenAuth(TokenCache(build_credential(settings), settings.scope))
        else:
            key = env.get("AML_CONTROL_PLANE_KEY", "")
            if not key:
                raise SystemExit("aml-admin: set AML_CONTROL_PLANE_KEY (or AML_CONTROL_PLANE_AUTH_MODE=azure-identity)")
            headers[KEY_HEADER] = key
        self.http = httpx.AsyncClient(
            base_url=self.base_url, headers=headers, auth=auth, timeout=30,
            verify=tls_verification(env.get("AML_CONTROL_PLANE_CA_BUNDLE") or True), follow_redirects=False,
        )


class AdminProxyHandler(HubOAuthenticated, web.RequestHandler):
    """`<prefix><rest>` → the control plane's `/api/<rest>`, for a person allowed this service."""

    def initialize(self, upstream: Upstream, prefix: str) -> None:
        self.upstream = upstream
        self.prefix = prefix

    def check_origin_of_change(self) -> None:
        # A change (stop, delete, schedule) must come from this service's own page.
        origin = self.request.headers.get("Origin")
        if origin and urlparse(origin).netloc != self.request.host:
            raise web.HTTPError(403, "cross-origin request refused")

    async def forward(self, rest: str) -> None:
        user = self.current_user
        if self.request.method not in ("GET", "HEAD"):
            self.check_origin_of_change()
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise web.HTTPError(413)
        if rest in ("", "admin/"):
            self.redirect(url_path_join(self.prefix, "admin"))
            return
        headers = {name: self.request.headers[name] for name in PASSED_ON if name in self.request.headers}
        try:
            answer = await self.upstream.http.request(
                self.request.method, f"/api/{rest}", params=list(self._query()), content=self.request.body or None, headers=headers,
            )
        except httpx.HTTPError as error:
            log.warning("aml-admin: the control plane did not answer %s /api/%s: %s", self.request.method, rest, error)
            raise web.HTTPError(502, "the control plane did not answer") from error
        if self.request.method not in ("GET", "HEAD"):
            log.info("aml-admin: %s %s /api/%s → %s", user.get("name"), self.request.method, rest, answer.status_code)
        self.set_status(answer.status_code)
        for name in PASSED_BACK:
            if name in answer.headers:
                self.set_header(name, answer.headers[name])
        if answer.status_code != 204 and self.request.method != "HEAD":
            self.write(answer.content)

    def _query(self):
        for name, values in self.request.query_arguments.items():
            for value in values:
                yield name, value.decode("utf-8", "replace")

    @web.authenticated
    async def get(self, rest: str) -> None:
        await self.forward(rest)

    @web.authenticated
    async def head(self, rest: str) -> None:
        await self.forward(rest)

    @web.authenticated
    async def post(self, rest: str) -> None:
        await self.forward(rest)

    @web.authenticated
    async def put(self, rest: str) -> None:
        await self.forward(rest)

    @web.authenticated
    async def delete(self, rest: str) -> None:
        await self.forward(rest)


def make_app(env: Mapping[str, str] | None = None) -> web.Application:
    env = os.environ if env is None else env
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "/services/aml-admin/")
    upstream = Upstream(env)
    return web.Application(
        [
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
            (url_path_join(prefix, "(.*)"), AdminProxyHandler, {"upstream": upstream, "prefix": prefix}),
            (prefix.rstrip("/"), web.RedirectHandler, {"url": prefix}),
        ],
        cookie_secret=os.urandom(32),
    )


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10110"))
    app = make_app()
    app.listen(url.port or 80, url.hostname or "127.0.0.1")
    log.info("aml-admin: serving %s on %s, the control plane at %s", os.environ.get("JUPYTERHUB_SERVICE_PREFIX"), url.geturl(), os.environ.get("AML_CONTROL_PLANE_URL"))
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
