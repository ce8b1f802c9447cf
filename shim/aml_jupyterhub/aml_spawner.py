"""`AMLSpawner`: a JupyterHub Spawner whose servers are Azure Machine Learning compute
instances, created and stopped by the aml-jupyterhub control plane.

The spawner is thin. It turns the hub's calls into control-plane requests
(DESIGN.md, "Spawner shim contract") and keeps only what it needs to find its
server again after a hub restart. There is no process or port per user: `start()`
returns the address of one redirect endpoint inside the hub's process (see
`redirector.py`), which sends the user's browser on to the instance's JupyterLab.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from typing import Any
from urllib.parse import quote

from jupyterhub.spawner import Spawner
from sqlalchemy import inspect as sqlalchemy_inspect
from tornado import web
from traitlets import Any as AnyTrait
from traitlets import Bool, CaselessStrEnum, Float, Integer, List, Unicode, Union, default

from . import lifecycle, messages
from .clock import SYSTEM_CLOCK, Deadline
from .control_plane import ControlPlaneClient, shared_client
from .errors import (
    ControlPlaneError,
    ControlPlaneOutageError,
    ControlPlaneUnavailableError,
    SpawnError,
    UserOptionsError,
)
from .identity import Identity, identity_from_auth_state
from .options_form import render_options_form
from .recovery import find_live_server, remaining_start_budget
from .redirector import Holding, Redirector, connect_url, normalize_prefix, shared_redirector
from .server_watch import ServerWatch
from .token_auth import CREDENTIAL_KINDS, TokenSettings
from .user_options import (
    SpawnChoice,
    complete_choice,
    options_from_form,
    parse_user_options,
    unknown_keys,
    unwrap,
)
from .waits import Outage, call_with_retries, follow_server, is_unreachable, outage_reason

URL_ENV = "AML_CONTROL_PLANE_URL"
KEY_ENV = "AML_CONTROL_PLANE_KEY"
DEFAULT_URL = "http://127.0.0.1:7071"
#: How often, and how far apart, a stop looks for the server of a spawn cancelled before
#: its answer came (the request may still be on its way to the control plane).
UNANSWERED_SPAWN_LOOKUPS = 3
UNANSWERED_SPAWN_LOOKUP_INTERVAL = 1.0


class AMLSpawner(Spawner):
    """Spawn each server as an Azure ML compute instance through the control plane."""

    # -- configuration ---------------------------------------------------------

    control_plane_url = Unicode(
        help=f"""
        Base URL of the aml-jupyterhub control plane (the Function App).

        Defaults to the environment variable `{URL_ENV}`, else `{DEFAULT_URL}`
        (the local stack started by `npm start`). Example::

            c.AMLSpawner.control_plane_url = "https://aml-jupyterhub-fn.azurewebsites.net"
        """,
    ).tag(config=True)

    @default("control_plane_url")
    def _default_control_plane_url(self) -> str:
        return os.environ.get(URL_ENV, DEFAULT_URL)

    api_key = Unicode(
        help=f"""
        Function key sent in the `x-functions-key` header of every control-plane request.

        Defaults to the environment variable `{KEY_ENV}` (keep the key out of
        jupyterhub_config.py), else empty. The local stack's key is `local-key`. Example::

            c.AMLSpawner.api_key = os.environ["AML_CONTROL_PLANE_KEY"]
        """,
    ).tag(config=True)

    @default("api_key")
    def _default_api_key(self) -> str:
        return os.environ.get(KEY_ENV, "")

    auth_mode = CaselessStrEnum(
        ["key", "azure-identity"],
        default_value="key",
        help="""
        How the hub proves itself to the control plane: "key" (default) sends `api_key`
        in `x-functions-key`; "azure-identity" sends an Entra ID access token for
        `token_scope`, from `azure_credential` (needs `pip install "aml-jupyterhub[azure]"`
        and the control plane's AUTH_MODE `entra` or `key-or-entra`). Example::

            c.AMLSpawner.auth_mode = "azure-identity"
        """,
    ).tag(config=True)

    token_scope = Unicode(
        "",
        help="""
        With auth_mode "azure-identity": the scope tokens are requested for, the control
        plane's API app with `/.default` (no default). The hub's identity needs the
        API's app role Hub. Example::

            c.AMLSpawner.token_scope = "api://11111111-2222-3333-4444-555555555555/.default"
        """,
    ).tag(config=True)

    azure_credential = CaselessStrEnum(
        list(CREDENTIAL_KINDS),
        default_value="default",
        help="""
        With auth_mode "azure-identity": where tokens come from. "default" (default):
        DefaultAzureCredential (managed identity, workload identity, environment, Azure
        CLI…); "managed-identity": ManagedIdentityCredential (system-assigned, or the
        user-assigned one named by `azure_client_id`); "client-secret":
        ClientSecretCredential from AZURE_TENANT_ID, AZURE_CLIENT_ID and
        AZURE_CLIENT_SECRET in the hub's environment. Example::

            c.AMLSpawner.azure_credential = "managed-identity"
        """,
    ).tag(config=True)

    azure_client_id = Unicode(
        help="""
        With auth_mode "azure-identity": client id of the hub's user-assigned managed
        identity (or of the app registration for "client-secret"). Defaults to the
        environment variable `AZURE_CLIENT_ID`, else empty (system-assigned). Example::

            c.AMLSpawner.azure_client_id = "66666666-7777-8888-9999-000000000000"
        """,
    ).tag(config=True)

    @default("azure_client_id")
    def _default_azure_client_id(self) -> str:
        return os.environ.get("AZURE_CLIENT_ID", "")

    request_timeout = Float(
        30.0,
        help="""
        Seconds to wait for one control-plane request before treating it as failed
        (default 30). Example::

            c.AMLSpawner.request_timeout = 10
        """,
    ).tag(config=True)

    status_poll_interval = Float(
        5.0,
        help="""
        Seconds between two reads of a server's status while it is being created,
        started or stopped (default 5). Progress events reach the spawn page at this
        pace. The periodic check of running servers is `poll_interval`. Example::

            c.AMLSpawner.status_poll_interval = 2
        """,
    ).tag(config=True)

    verify_tls = Union(
        [Bool(), Unicode()],
        default_value=True,
        help="""
        TLS verification for the control plane: True (default) checks against the
        system's certificate authorities, False disables checking (never in production),
        a path names a CA bundle. Example::

            c.AMLSpawner.verify_tls = "/etc/ssl/certs/internal-ca.pem"
        """,
    ).tag(config=True)

    stop_timeout = Float(
        300.0,
        help="""
        Seconds `stop()` waits for the control plane to report the instance stopped
        (default 300). When it takes longer the hub still records the server as
        stopped, and the control plane finishes the stop. Example::

            c.AMLSpawner.stop_timeout = 120
        """,
    ).tag(config=True)

    default_size = Unicode(
        "",
        help="""
        Size label used when a spawn names none (a REST spawn without options, or a hub
        without the options form), and preselected in the form for a user's first
        spawn. Empty (default) means the first size the control plane offers. Example::

            c.AMLSpawner.default_size = "Medium"
        """,
    ).tag(config=True)

    auth_state_object_id_key = Unicode(
        "user.oid",
        help="""
        Where the user's Entra ID object id is in the authenticator's auth_state, as a
        dotted path. The default `user.oid` fits OAuthenticator's AzureAdOAuthenticator
        with `enable_auth_state = True`. The id goes to the control plane as
        `userObjectId` (project access, the instance's assigned user). Example::

            c.AMLSpawner.auth_state_object_id_key = "oauth_user.oid"
        """,
    ).tag(config=True)

    auth_state_tenant_id_key = Unicode(
        "user.tid",
        help="""
        Where the user's Entra ID tenant id is in auth_state, as a dotted path
        (default `user.tid`). Example::

            c.AMLSpawner.auth_state_tenant_id_key = "oauth_user.tid"
        """,
    ).tag(config=True)

    forward_activity = Bool(
        True,
        help="""
        Send the hub's last activity of each running server to the control plane
        (`POST /api/servers/{id}/activity`) at every poll, for its idle stop
        (default True). Example::

            c.AMLSpawner.forward_activity = False
        """,
    ).tag(config=True)

    redirect_ip = Unicode(
        "127.0.0.1",
        help="""
        Address the hub process binds its one redirect endpoint to. JupyterHub's proxy
        sends `/user/<name>/` there, and it answers with a redirect to the instance's
        JupyterLab. Bind where the proxy can reach it: the default 127.0.0.1 fits a proxy
        on the same machine; use "0.0.0.0" when the proxy runs elsewhere. Example::

            c.AMLSpawner.redirect_ip = "0.0.0.0"
        """,
    ).tag(config=True)

    redirect_port = Integer(
        8082,
        help="""
        Port of the redirect endpoint (default 8082; 0 picks a free port at each hub
        start). One port for the whole hub, not one per user. Example::

            c.AMLSpawner.redirect_port = 8082
        """,
    ).tag(config=True)

    redirect_connect_ip = Unicode(
        "",
        help="""
        Host name or address the proxy uses to reach the redirect endpoint, when it
        differs from `redirect_ip` (e.g. the hub's service name in Kubernetes). Empty
        (default) means `redirect_ip`, or this machine's host name when that is a
        wildcard address. Example::

            c.AMLSpawner.redirect_connect_ip = "hub"
        """,
    ).tag(config=True)

    control_plane_unreachable_timeout = Float(
        120.0,
        help="""
        Seconds a spawn keeps retrying while the control plane cannot be reached
        (connection refused, name not resolved, no answer in time, or a 5xx answer)
        before it fails with a clear message (default 120). Meanwhile the progress page
        says "Cannot reach the control plane, retrying…". Any answer resets the count.
        Example::

            c.AMLSpawner.control_plane_unreachable_timeout = 60
        """,
    ).tag(config=True)

    start_timeout = Integer(
        900,
        help="""
        Seconds before a spawn is given up (default 900: creating a compute instance
        takes up to ten minutes). The spawner reports the control plane's last state a
        little before the hub's own timeout fires. Example::

            c.AMLSpawner.start_timeout = 1200
        """,
    ).tag(config=True)

    # -- collaborators that tests replace (not configuration) -------------------

    clock = AnyTrait(SYSTEM_CLOCK, help="Clock for deadlines and sleeps (tests replace it).")
    control_plane = AnyTrait(
        None, allow_none=True, help="ControlPlaneClient to use (default: shared per hub)."
    )
    redirector = AnyTrait(help="The redirect endpoint (default: the hub process's one).")

    @default("redirector")
    def _default_redirector(self) -> Redirector:
        return shared_redirector()

    # -- state kept in the hub's database ---------------------------------------

    server_id = Unicode("", help="Id (= compute instance name) of the current server.")
    last_server_id = Unicode(
        "", help="Id of the last server started, kept after it stopped (the form says why it did)."
    )
    lab_url = Unicode("", help="JupyterLab URL of the running instance.")
    app_url = Unicode(
        "",
        help="URL of the application the person chose to land in (user_options `app`), "
        "when the running instance lists it; empty: land in JupyterLab.",
    )
    known_server_ids = List(
        Unicode(), help="Every instance this spawner has created (for delete_forever)."
    )

    @default("options_form")
    def _default_options_form(self):
        return _options_form

    @default("default_url")
    def _default_default_url(self) -> str:
        # The person's own folder of the workspace file share, which every instance mounts
        # (~/cloudfiles/code/Users/<name>): their files outlive any one instance or size.
        return "/lab/tree/Users/{username}"

    def landing_path(self) -> str:
        """Where a person who opens the server without a path lands, below the instance's
        base URL (`default_url` with `{username}` filled in; empty: JupyterLab's own start)."""
        path = self.format_string(self.default_url or "").lstrip("/")
        return quote(path, safe="/")

    if "apply_user_options" in Spawner.class_trait_names():  # JupyterHub >= 5.3

        @default("apply_user_options")
        def _default_apply_user_options(self):
            return _check_user_options

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._watch = ServerWatch()
        self._starting = False
        self._activity_sent: datetime | None = None
        # The project of a spawn request sent but not yet answered: a cancel arriving then
        # must still find and stop what that request started.
        self._unanswered_spawn: str | None = None
        self._resume_task: asyncio.Future | None = None

    # -- JupyterHub's Spawner API -----------------------------------------------

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(state)
        self.server_id = state.get("server_id") or ""
        self.lab_url = state.get("lab_url") or ""
        self.app_url = state.get("app_url") or ""
        ids = list(state.get("server_ids") or [])
        if self.server_id and self.server_id not in ids:
            ids.append(self.server_id)
        self.known_server_ids = ids
        self.last_server_id = state.get("last_server_id") or self.server_id or (ids[-1] if ids else "")
        self._register_route()

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        if self.server_id:
            state["server_id"] = self.server_id
        if self.lab_url:
            state["lab_url"] = self.lab_url
        if self.app_url:
            state["app_url"] = self.app_url
        if self.known_server_ids:
            state["server_ids"] = list(self.known_server_ids)
        if self.last_server_id:
            state["last_server_id"] = self.last_server_id
        return state

    def clear_state(self) -> None:
        """Forget the running instance; keep the ids of every instance ever created,
        which `delete_forever()` needs after the server has stopped."""
        super().clear_state()
        self.server_id = ""
        self.lab_url = self.app_url = ""
        if self._resume_task is not None and not self._resume_task.done():
            self._resume_task.cancel()
        self._resume_task = None
        self._watch.reset()
        self._activity_sent = None

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, str]:
        return options_from_form(formdata)

    async def render_options_form(self) -> str:
        """The options form: the user's projects and sizes, last choice preselected,
        and why the last server is not running when the person could not know."""
        identity = await self._identity()
        client = self._client()
        offered, notice = await asyncio.gather(
            client.get_options(self.user.name, identity.object_id),
            self._last_server_notice(client),
            return_exceptions=True,
        )
        if isinstance(offered, ControlPlaneError) and messages.is_missing_identity(
            offered, identity.object_id, listing=True
        ):
            self._log_missing_identity(offered)
            return render_options_form(None, error=messages.IDENTITY_MISSING, error_is_final=True)
        if isinstance(offered, ControlPlaneError) and messages.is_hub_refused(offered):
            self.log.error("aml-hub-refused user=%s: the control plane refused the hub's credential: %s", self.user.name, offered)
            return render_options_form(None, error=messages.HUB_REFUSED, error_is_final=True)
        if isinstance(offered, (ControlPlaneError, ControlPlaneUnavailableError)):
            self.log.warning("aml-options-failed user=%s: %s", self.user.name, offered)
            if is_unreachable(offered):  # the address and the error are for the log
                return render_options_form(None, error=messages.unreachable_now(outage_reason(offered)))
            return render_options_form(None, error=str(offered))
        if isinstance(offered, BaseException):
            raise offered
        if isinstance(notice, BaseException):
            self.log.warning("aml-last-server-unknown user=%s id=%s: %s", self.user.name, self.last_server_id, notice)
            notice = None
        return render_options_form(
            offered, self._last_choice(), default_size=self.default_size, notice=notice
        )

    def _last_choice(self) -> dict[str, Any]:
        """This server's last options, else the person's latest choice on any of their
        servers (a new named server starts from what they picked last)."""
        if parse_user_options_safely(self.user_options).get("project"):
            return dict(self.user_options)
        latest: tuple[datetime, dict[str, Any]] | None = None
        spawners = getattr(self.user, "all_spawners", None)
        for other in spawners() if callable(spawners) else []:
            if other is self or other.name == self.name:
                continue
            options = getattr(other, "user_options", None) or {}
            if not parse_user_options_safely(options).get("project"):
                continue
            orm = getattr(other, "orm_spawner", None)
            when = getattr(orm, "started", None) or getattr(orm, "last_activity", None)
            when = when if isinstance(when, datetime) else datetime.min
            if latest is None or when.replace(tzinfo=None) > latest[0]:
                latest = (when.replace(tzinfo=None), dict(options))
        return latest[1] if latest else {}

    async def _last_server_notice(self, client: ControlPlaneClient) -> messages.LastServerNotice | None:
        """Why the last server is not running, from its status (None when it runs, is
        unknown, or stopped as the person asked)."""
        if not self.last_server_id:
            return None
        try:
            server = await client.get_server(self.last_server_id)
        except ControlPlaneError as e:
            if e.status == 404:
                return None
            raise
        return messages.last_server_notice(server, self.clock.utcnow())

    async def rename(self, old_name: str, new_name: str) -> None:
        """JupyterHub 6 renames a stopped named server. Its compute instance keeps the
        old name (an Azure ML instance cannot be renamed), and a start under the new
        name would create a second instance beside it; so a server that has an instance
        is not renamed."""
        if not self.known_server_ids:
            return
        self.log.info(
            "aml-rename-refused user=%s server=%r -> %r ids=%s",
            self.user.name, old_name, new_name, ",".join(self.known_server_ids),
        )
        raise web.HTTPError(
            409,
            f"The server {old_name!r} cannot be renamed: its Azure Machine Learning compute "
            "instance, with your files, keeps its name. Create a new named server instead "
            f"(and delete {old_name!r} when you no longer need its files).",
        )

    async def start(self) -> str:
        self._starting = True
        try:
            return await self._start()
        finally:
            self._starting = False

    async def _start(self) -> str:
        self._ensure_redirector()
        self._watch.reset()
        try:
            return await self._spawn_and_follow()
        except ControlPlaneOutageError as e:
            self.log.error(
                "aml-control-plane-unreachable user=%s url=%s for %.0fs (control_plane_unreachable_timeout=%s): %s",
                self.user.name, self._client().base_url, e.seconds,
                self.control_plane_unreachable_timeout, e.last_error,
            )
            raise SpawnError(messages.unreachable(e.seconds), status_code=503) from e

    async def _spawn_and_follow(self) -> str:
        client = self._client()
        deadline = Deadline(self.clock, self._start_budget())
        outage = self._outage()
        identity = await self._identity()
        body = await self._spawn_body(client, identity, deadline, outage)
        self.log.info(
            "aml-spawn-requested user=%s server=%r project=%s size=%s",
            self.user.name, self.name, body["project"], body["size"],
        )
        self._unanswered_spawn = body["project"]
        try:
            server = await call_with_retries(
                lambda: client.spawn(body), deadline=deadline, what="Spawn request",
                logger=self.log, outage=outage,
            )
        except ControlPlaneError as e:
            self._unanswered_spawn = None
            raise self._refusal(e, identity) from e
        except ControlPlaneUnavailableError as e:
            raise SpawnError(str(e), status_code=_status_for(e)) from e
        self._unanswered_spawn = None
        self._adopt(server)
        self.log.info("aml-spawn-accepted %s", lifecycle.describe(server))

        if not lifecycle.is_spawn_settled(server):
            try:
                last, settled = await follow_server(
                    lambda: client.get_server(self.server_id),
                    deadline=deadline,
                    interval=self.status_poll_interval,
                    settled=lifecycle.is_spawn_settled,
                    on_update=self._observe,
                    logger=self.log,
                    outage=outage,
                )
            except ControlPlaneError as e:
                raise SpawnError(
                    f"The server {self.server_id} disappeared: {e}", status_code=_status_for(e)
                ) from e
            server = last or server
            if not settled:
                raise SpawnError(lifecycle.timeout_message(server, self.start_timeout), status_code=504)
        if not lifecycle.is_running(server):
            self.log.warning("aml-spawn-failed %s error=%s", lifecycle.describe(server), server.get("error"))
            raise SpawnError(lifecycle.failure_message(server), code=lifecycle.failure_code(server))
        self.lab_url, self.app_url = server["url"], server.get("appUrl") or ""
        self._register_route()
        self.log.info("aml-spawn-ready %s", lifecycle.describe(server))
        return self._redirect_url()

    async def progress(self):
        """Every progress event of the server, from the first, then new ones as they
        come: each viewer (a second tab too) gets the same list."""
        async for event in self._watch.progress(wake_every=self.status_poll_interval):
            yield event

    async def poll(self) -> int | None:
        """None while the instance is being created, started or is running; 0 once it
        is stopping or stopped (idle stop, stopped in the studio…); 1 if it failed."""
        if self._starting:
            return None
        self._ensure_redirector(quiet=True)
        client = self._client()
        if not self.server_id:
            found = await self._recover_server_id(client)
            if found is None:
                return None
            if not found:
                return 0
        try:
            server = await client.get_server(self.server_id)
        except ControlPlaneError as e:
            if e.status == 404:
                self.log.warning("aml-poll-missing user=%s id=%s", self.user.name, self.server_id)
                return 0
            self.log.warning("aml-poll-error id=%s: %s", self.server_id, e)
            return None
        except ControlPlaneUnavailableError as e:
            self.log.warning("aml-poll-error id=%s: %s", self.server_id, e)
            return None
        self._observe(server)
        status = lifecycle.exit_status(server.get("state"))
        if status is not None:
            self.log.info("aml-poll-exited %s stopReason=%s", lifecycle.describe(server), server.get("stopReason"))
        elif lifecycle.is_running(server) and self.forward_activity:
            await self._forward_activity(client)
        return status

    async def get_url(self) -> str:
        """Asked after a hub restart for a server the hub thinks is running. If the
        instance is still being created or started, answer at once and follow it in the
        background: the hub counts the server as started, so a progress page left open
        across the restart moves on to the server's address, where the redirect
        endpoint holds the person on a "still starting" page until the instance runs
        (waiting here instead would leave that page stuck: the hub answers "not
        starting" to its progress stream while it checks)."""
        self._ensure_redirector(quiet=True)
        if self.server_id and not self.lab_url:
            self._follow_in_background()
        return self._redirect_url()

    def _follow_in_background(self) -> None:
        if self._resume_task is not None and not self._resume_task.done():
            return
        self._resume_task = asyncio.ensure_future(self._resume_spawn())

    def holding_status(self):
        """For the redirect endpoint: what to say while the instance is on its way up
        (None when it is not: then there is nothing to wait for)."""
        server = self._watch.server
        if not self.server_id or server is None or not lifecycle.is_provisioning(server):
            return None
        events = lifecycle.progress_events(server)
        message = next((e["message"] for e in reversed(events) if e.get("message")), "")
        progress = next((e["progress"] for e in reversed(events) if "progress" in e), None)
        label = " ".join(filter(None, [server.get("size"), "server"]))
        what = "Creating" if server.get("state") in ("Requested", "Creating") else "Starting"
        headline = f"{what} your {label}" + (f" in {server['project']}" if server.get("project") else "")
        started = getattr(self.orm_spawner, "started", None)
        minutes = None
        if isinstance(started, datetime):
            now = self.clock.utcnow()
            if started.tzinfo is None and now.tzinfo is not None:
                now = now.replace(tzinfo=None)
            minutes = max(0, int((now - started).total_seconds() // 60))
        said = f"{what} your {label}"
        if message.startswith(said):  # the control plane's own line: the project added, not said twice
            text = headline + message[len(said):]
        else:
            text = f"{headline}: {message}" if message else headline + "."
        return Holding(
            message=text,
            progress=progress,
            minutes_so_far=minutes,
        )

    async def stop(self, now: bool = False) -> None:
        client = self._client()
        server_id = self.server_id or await self._server_of_unanswered_spawn(client)
        if not server_id:
            return
        if self._resume_task is not None and not self._resume_task.done():
            self._resume_task.cancel()  # stop() follows the server from here
        deadline = Deadline(self.clock, self.stop_timeout)
        self.log.info("aml-stop-requested user=%s id=%s now=%s", self.user.name, server_id, now)
        try:
            server = await call_with_retries(
                lambda: client.stop_server(server_id, "user"),
                deadline=deadline, what="Stop request", logger=self.log,
            )
        except ControlPlaneError as e:
            if e.status == 404:
                return
            raise SpawnError(f"Stopping {server_id} failed: {e}", status_code=502) from e
        except ControlPlaneUnavailableError as e:
            raise SpawnError(f"Stopping {server_id} failed: {e}", status_code=502) from e
        finally:
            self.lab_url = self.app_url = ""
        self._observe(server)
        if now or lifecycle.is_stop_settled(server):
            return
        try:
            server, settled = await follow_server(
                lambda: client.get_server(server_id),
                deadline=deadline,
                interval=self.status_poll_interval,
                settled=lifecycle.is_stop_settled,
                on_update=self._observe,
                logger=self.log,
            )
        except ControlPlaneError as e:
            if e.status != 404:
                self.log.warning("aml-stop-follow-error id=%s: %s", server_id, e)
            return
        if settled:
            self.log.info("aml-stop-done %s", lifecycle.describe(server))
        else:
            self.log.warning(
                "aml-stop-slow id=%s not stopped after %ss; the control plane finishes it",
                server_id, self.stop_timeout,
            )

    async def delete_forever(self) -> None:
        """Delete every compute instance this spawner created (user or named server
        deleted). Deletion finishes in the control plane."""
        client = self._client()
        ids = list(dict.fromkeys([*self.known_server_ids, self.server_id]))
        for server_id in filter(None, ids):
            try:
                await client.delete_server(server_id)
            except ControlPlaneError as e:
                if e.status != 404:
                    raise SpawnError(f"Deleting {server_id} failed: {e}", status_code=502) from e
            self.log.info("aml-delete-requested user=%s id=%s", self.user.name, server_id)
        self.known_server_ids = []
        self.last_server_id = ""

    # -- helpers ------------------------------------------------------------------

    def _client(self) -> ControlPlaneClient:
        if self.control_plane is not None:
            return self.control_plane
        return shared_client(
            self.control_plane_url,
            self.api_key,
            timeout=self.request_timeout,
            verify=self.verify_tls,
            token=self.token_settings(),
        )

    def token_settings(self) -> TokenSettings | None:
        """The Entra ID token settings, or None in key mode."""
        if self.auth_mode != "azure-identity":
            return None
        return TokenSettings(
            scope=self.token_scope, credential=self.azure_credential, client_id=self.azure_client_id
        )

    def _start_budget(self) -> float:
        """Our own deadline, a little before the hub's, so the user reads why."""
        margin = min(10.0, 0.05 * self.start_timeout)
        return max(1.0, self.start_timeout - margin)

    def _outage(self) -> Outage:
        return Outage(self.clock, self.control_plane_unreachable_timeout, self._watch.notice)

    def _refusal(self, error: ControlPlaneError, identity: Identity, listing: bool = False) -> SpawnError:
        """The SpawnError for a spawn the control plane refused: its own words, except
        when the refusal is about how the hub is set up (then words for the person,
        and the administrator's detail in the log)."""
        if messages.is_missing_identity(error, identity.object_id, listing=listing):
            self._log_missing_identity(error)
            return SpawnError(messages.IDENTITY_MISSING, code=error.code, status_code=403)
        if messages.is_hub_refused(error):
            self.log.error("aml-hub-refused user=%s: the control plane refused the hub's credential: %s", self.user.name, error)
            return SpawnError(messages.HUB_REFUSED, code=error.code, status_code=502)
        return SpawnError(str(error), code=error.code, status_code=_status_for(error))

    def _log_missing_identity(self, error: ControlPlaneError) -> None:
        self.log.error(
            "aml-identity-missing user=%s: the control plane needs the person's Entra object id "
            "(userObjectId) and the hub passed none. Sign people in with Entra ID "
            "(OAuthenticator's AzureAdOAuthenticator), set c.Authenticator.enable_auth_state = True "
            "and check c.AMLSpawner.auth_state_object_id_key (now %r). The control plane said: %s %s: %s",
            self.user.name, self.auth_state_object_id_key, error.status, error.code or error.title, error,
        )

    async def _identity(self) -> Identity:
        get_auth_state = getattr(self.user, "get_auth_state", None)
        auth_state = await get_auth_state() if get_auth_state else None
        return identity_from_auth_state(
            auth_state, self.auth_state_object_id_key, self.auth_state_tenant_id_key
        )

    async def _spawn_body(
        self, client: ControlPlaneClient, identity: Identity, deadline: Deadline, outage: Outage
    ) -> dict[str, Any]:
        try:
            choice = parse_user_options(self.user_options)
            if not (choice.project or choice.size):
                choice = await self._last_instance_choice(client) or choice
            if not (choice.project and (choice.size or self.default_size)):
                offered = await call_with_retries(
                    lambda: client.get_options(self.user.name, identity.object_id),
                    deadline=deadline,
                    what="Reading the user's projects", logger=self.log, outage=outage,
                )
                choice = complete_choice(choice, offered, self.default_size)
            elif not choice.size:
                choice = complete_choice(choice, {}, self.default_size)
        except UserOptionsError as e:
            raise SpawnError(str(e)) from e
        except ControlPlaneError as e:
            if messages.is_missing_identity(e, identity.object_id, listing=True) or messages.is_hub_refused(e):
                raise self._refusal(e, identity, listing=True) from e
            raise SpawnError(
                f"Your projects could not be loaded: {e}", status_code=_status_for(e)
            ) from e
        except ControlPlaneUnavailableError as e:
            raise SpawnError(
                f"Your projects could not be loaded: {e}", status_code=_status_for(e)
            ) from e
        body: dict[str, Any] = {
            "user": self.user.name,
            "project": choice.project,
            "size": choice.size,
        }
        if self.name:
            body["serverName"] = self.name
        if choice.app:
            body["app"] = choice.app
        if identity.object_id:
            body["userObjectId"] = identity.object_id
        if identity.tenant_id:
            body["tenantId"] = identity.tenant_id
        return body

    async def _last_instance_choice(self, client: ControlPlaneClient) -> SpawnChoice | None:
        """A start without options starts this server's last instance again, with its
        project and size. JupyterHub 6 gives a REST start without options the server's
        last options; JupyterHub 5 gives it the request's empty body (`{}`), in place of
        them. The choice is written back as the server's options (the home page shows them)."""
        if not self.last_server_id:
            return None
        try:
            server = await client.get_server(self.last_server_id)
        except (ControlPlaneError, ControlPlaneUnavailableError):
            return None  # gone, or not answering: the options are completed as for a new server
        if not (server.get("project") and server.get("size")):
            return None
        choice = SpawnChoice(project=server["project"], size=server["size"])
        self.user_options = {**(self.user_options or {}), **choice.as_user_options()}
        if self.orm_spawner is not None:
            self.orm_spawner.user_options = dict(self.user_options)
        self.log.info("aml-spawn-last-choice user=%s server=%r id=%s", self.user.name, self.name, self.last_server_id)
        return choice

    def _adopt(self, server: dict[str, Any]) -> None:
        """Take `server` as this spawner's, and write the id to the hub's database at
        once: a hub restarted during the spawn finds it there."""
        self.server_id = self.last_server_id = server["id"]
        if self.server_id not in self.known_server_ids:
            self.known_server_ids = [*self.known_server_ids, self.server_id]
        self._observe(server)
        self._persist_state()

    def _observe(self, server: dict[str, Any]) -> None:
        """A new representation of the server: note its URL, wake progress viewers."""
        if server.get("id") and server.get("id") != self.server_id:
            return
        if lifecycle.is_running(server):
            self.lab_url, self.app_url = server["url"], server.get("appUrl") or ""
        elif server.get("state") not in lifecycle.PROVISIONING:
            self.lab_url = self.app_url = ""
        self._watch.update(server)

    def _persist_state(self) -> None:
        orm_spawner = self.orm_spawner
        if orm_spawner is None:
            return
        try:
            orm_spawner.state = self.get_state()
            mapped = sqlalchemy_inspect(orm_spawner, raiseerr=False)
            if mapped is not None and mapped.session is not None:
                mapped.session.commit()
        except Exception:  # the hub saves the state again after start() anyway
            self.log.exception("aml-state-save-failed user=%s id=%s", self.user.name, self.server_id)

    async def _server_of_unanswered_spawn(self, client: ControlPlaneClient) -> str:
        """The id of the server a cancelled start had asked for before its answer came
        (JupyterHub cancels a pending spawn, and then stops it): the control plane may have
        stored and started it all the same, so it is looked up by user and server name, a
        few times while the request may still be on its way. "" when there is none."""
        project = self._unanswered_spawn
        self._unanswered_spawn = None
        if project is None:
            return ""
        for attempt in range(UNANSWERED_SPAWN_LOOKUPS):
            if attempt:
                await self.clock.sleep(UNANSWERED_SPAWN_LOOKUP_INTERVAL)
            try:
                server = await find_live_server(client, self.user.name, self.name, project)
            except (ControlPlaneError, ControlPlaneUnavailableError) as e:
                self.log.warning("aml-cancel-lookup-failed user=%s server=%r: %s", self.user.name, self.name, e)
                return ""
            if server is not None:
                self.log.info("aml-cancel-found user=%s server=%r id=%s", self.user.name, self.name, server["id"])
                self._adopt(server)
                return server["id"]
        return ""

    async def _recover_server_id(self, client: ControlPlaneClient) -> bool | None:
        """The hub thinks a server runs but no id was saved (the hub stopped in the
        instant between the spawn request and its answer): look for the server by user
        and server name. None when the listing could not be read (ask again later)."""
        if self.server is None:
            return False
        project = parse_user_options_safely(self.user_options).get("project")
        try:
            server = await find_live_server(client, self.user.name, self.name, project)
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            self.log.warning("aml-recover-failed user=%s server=%r: %s", self.user.name, self.name, e)
            return None
        if server is None:
            return False
        self.log.info("aml-recovered user=%s server=%r id=%s", self.user.name, self.name, server["id"])
        self._adopt(server)
        return True

    async def _resume_spawn(self) -> None:
        """Follow a spawn that a previous hub process started. Never raises: the hub's
        readiness check that follows decides (503 from the redirect endpoint while the
        instance is not running, then the hub stops the server)."""
        client = self._client()
        started = getattr(self.orm_spawner, "started", None)
        budget = remaining_start_budget(
            self._start_budget(),
            started if isinstance(started, datetime) else None,
            self.clock.utcnow(),
            floor=self.status_poll_interval,
        )
        self.log.info("aml-spawn-resumed user=%s id=%s budget=%.0fs", self.user.name, self.server_id, budget)
        try:
            server, settled = await follow_server(
                lambda: client.get_server(self.server_id),
                deadline=Deadline(self.clock, budget),
                interval=self.status_poll_interval,
                settled=lifecycle.is_spawn_settled,
                on_update=self._observe,
                logger=self.log,
                outage=self._outage(),
            )
        except (ControlPlaneError, ControlPlaneOutageError) as e:
            self.log.warning("aml-spawn-resume-failed id=%s: %s", self.server_id, e)
            return
        if server and lifecycle.is_running(server):
            self._persist_state()
        else:
            self.log.warning(
                "aml-spawn-resume-failed %s settled=%s", lifecycle.describe(server or {}), settled
            )

    async def _forward_activity(self, client: ControlPlaneClient) -> None:
        last = getattr(self.orm_spawner, "last_activity", None)
        if not isinstance(last, datetime):
            return
        if self._activity_sent is not None and last <= self._activity_sent:
            return
        try:
            await client.post_activity(self.server_id, last)
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            self.log.warning("aml-activity-failed id=%s: %s", self.server_id, e)
            return
        self._activity_sent = last

    def _ensure_redirector(self, quiet: bool = False) -> None:
        hub = getattr(self, "hub", None)
        if hub is not None and getattr(hub, "base_url", None):
            self.redirector.hub_home = hub.base_url.rstrip("/") + "/home"
        try:
            self.redirector.ensure_listening(self.redirect_ip, self.redirect_port)
        except OSError as e:
            message = (
                f"The AML redirect endpoint cannot listen on {self.redirect_ip}:{self.redirect_port} "
                f"({e.strerror or e}). Set c.AMLSpawner.redirect_port to a free port."
            )
            if quiet:
                self.log.error(message)
                return
            raise SpawnError(message, status_code=500) from e

    def _register_route(self) -> None:
        self.redirector.registry.register(self._route_prefix(), self)

    def _route_prefix(self) -> str:
        if self.server is not None:
            return normalize_prefix(self.server.base_url)
        return normalize_prefix(self.proxy_spec or "/")

    def redirect_target(self) -> str | None:
        """For the redirect endpoint: where this server's users go, if it is running."""
        return self.lab_url or None

    def landing_target(self) -> str | None:
        """For the redirect endpoint: where the server's own address lands (the app the
        person chose), if it is running; deep links still go below `redirect_target`."""
        return (self.app_url or None) if self.lab_url else None

    def _redirect_url(self) -> str:
        base = self.server.base_url if self.server is not None else self._route_prefix()
        host = self.redirect_connect_ip or self.redirect_ip
        return connect_url(host, self.redirector.port or self.redirect_port, base)


def _status_for(error: Exception) -> int:
    """The HTTP status of a SpawnError caused by `error`: the caller's mistakes and
    Azure's refusals stay below 500; an unreachable or failing control plane is 502."""
    if isinstance(error, ControlPlaneError) and error.status < 500:
        return error.status if error.status != 401 else 502
    return 502


def parse_user_options_safely(options: Any) -> dict[str, str]:
    try:
        return parse_user_options(options).__dict__
    except UserOptionsError:
        return {}


async def _options_form(spawner: AMLSpawner) -> str:
    return await spawner.render_options_form()


def _check_user_options(spawner: AMLSpawner, user_options: dict[str, Any]) -> None:
    """`apply_user_options` (JupyterHub >= 5.3): reject malformed options with a 400
    before anything starts. Whether the project and size are allowed is for the
    control plane to say."""
    try:
        parse_user_options(user_options)
    except UserOptionsError as e:
        raise web.HTTPError(400, str(e)) from e
    inner = unwrap(user_options)
    if inner is not user_options:  # JupyterHub 5 given JupyterHub 6's body form
        spawner.user_options = dict(inner)
    extra = unknown_keys(user_options)
    if extra:
        spawner.log.warning("aml-options-ignored user=%s keys=%s", spawner.user.name, ",".join(extra))
