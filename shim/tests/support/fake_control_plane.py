"""A small stand-in for the control plane, for the shim's own tests.

It serves the routes of openapi.yaml with a scripted state
machine driven by timers: a spawn goes Creating → Running after `create_seconds`, a
stop Stopping → Stopped after `stop_seconds`. Test-only routes under `/_fake/` script
failures, stop a server "in the studio" or for idleness, make the whole control plane
answer 503 for a while, change a user's projects and show what was asked. Each
instance's JupyterLab page is served at `/instances/{id}/lab`.

Like the control plane it mirrors: a spawn without `userObjectId` is 400
`user-object-id-required` unless the sharing policy is `Shared`; the key grants Hub and
Admin, a bearer token from `settings.tokens` the role it names; the Hub role may do what
JupyterHub does (delete included, and list the servers of one user), Admin also lists
everyone's; spawning a server whose instance failed deletes it and creates it anew.

Run alone: `python -m tests.support.fake_control_plane --port 7171`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from typing import Any

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

# with what the region's VM-size list says of each size (cores, memory, GPUs), and a
# description for one of them (SIZE_<LABEL>_DESCRIPTION on the control plane)
SIZES = [
    {"label": "Small", "vmSize": "Standard_DS1_v2", "gpu": False, "vcpus": 1, "memoryGB": 3.5, "gpus": 0},
    {"label": "Medium", "vmSize": "Standard_DS3_v2", "gpu": False, "vcpus": 4, "memoryGB": 14, "gpus": 0},
    {"label": "Large", "vmSize": "Standard_DS5_v2", "gpu": False, "vcpus": 16, "memoryGB": 56, "gpus": 0},
    {"label": "GPU", "vmSize": "Standard_NC4as_T4_v3", "gpu": True, "vcpus": 4, "memoryGB": 28, "gpus": 1,
     "gpuName": "NVIDIA T4", "description": "For training deep-learning models; costs more per hour."},
]
#: Where a person may land on every project (the control plane's standard apps).
STANDARD_APPS = [
    {"id": "jupyterlab", "name": "JupyterLab"},
    {"id": "jupyter", "name": "Jupyter"},
    {"id": "vscode", "name": "VS Code"},
]
PROJECTS = [
    {"name": "climate-lab", "location": "westeurope", "apps": STANDARD_APPS},
    {"name": "ocean-lab", "location": "westeurope", "apps": STANDARD_APPS},
]
PROJECT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$")
SERVER_NAME = re.compile(r"^[A-Za-z0-9._-]{0,64}$")
ALLOWED_FIELDS = {"user", "project", "size", "serverName", "app", "userObjectId", "tenantId"}


def server_id(user: str, project: str, vm_size: str, server_name: str) -> str:
    """The naming rule of docs/architecture.md."""
    digest = hashlib.md5("\n".join(["hub", user, project, vm_size, server_name]).encode()).hexdigest()[:21]
    if digest.isdigit():
        digest = chr(ord("g") + int(digest[0])) + digest[1:]
    return "ci-" + digest


def app_url(base_url: str, sid: str, app: str) -> str:
    """The chosen app's endpoint on a running instance, as the control plane serves it."""
    if app == "jupyterlab":
        return f"{base_url}/instances/{sid}/lab"
    if app == "jupyter":
        return f"{base_url}/instances/{sid}/tree"
    if app == "vscode":
        return f"{base_url}/instances/{sid}/vscode/"
    return f"{base_url}/instances/{sid}/services/{app}/"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class FakeSettings:
    key: str = "local-key"
    create_seconds: float = 1.0
    start_seconds: float = 0.5
    stop_seconds: float = 0.5
    delete_seconds: float = 0.2
    #: APPLICATION_SHARING_POLICY: "Personal" needs the person's object id, "Shared" not.
    sharing_policy: str = "Personal"
    #: Bearer tokens accepted besides the key, and the app role each carries.
    tokens: dict[str, str] = field(default_factory=dict)
    #: Seconds a spawn is held after the server is stored and before the answer leaves
    #: (a slow answer that the hub may give up on).
    spawn_answer_delay: float = 0.0


@dataclass
class FakeState:
    settings: FakeSettings
    base_url: str = ""
    servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    projects_by_user: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: MAX_ACTIVE_SERVERS_PER_USER of the real control plane; None: no limit.
    max_active_per_user: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    timers: dict[str, list[asyncio.TimerHandle]] = field(default_factory=dict)
    #: Until this loop time every /api route answers 503 (the host is down); None: up.
    outage_until: float | None = None

    def reset(self) -> None:
        for handles in self.timers.values():
            for handle in handles:
                handle.cancel()
        self.servers.clear()
        self.failures.clear()
        self.projects_by_user.clear()
        self.max_active_per_user = None
        self.requests.clear()
        self.timers.clear()
        self.outage_until = None
        self.settings.sharing_policy = "Personal"

    # -- the state machine ------------------------------------------------------

    def later(self, sid: str, seconds: float, action) -> None:
        handle = asyncio.get_running_loop().call_later(seconds, action)
        self.timers.setdefault(sid, []).append(handle)

    def cancel_timers(self, sid: str) -> None:
        for handle in self.timers.pop(sid, []):
            handle.cancel()

    def set_state(self, server: dict[str, Any], state: str, aml_state: str | None = None, **changes: Any) -> None:
        server["state"] = state
        server["amlState"] = aml_state or state
        server["updatedAt"] = now_iso()
        server.update(changes)

    def add_progress(self, server: dict[str, Any], progress: int, message: str) -> None:
        server["progress"].append({"at": now_iso(), "progress": progress, "message": message})
        server["updatedAt"] = now_iso()

    def provision(self, server: dict[str, Any], creating: bool, recreated: bool = False) -> None:
        sid = server["id"]
        seconds = self.settings.create_seconds if creating else self.settings.start_seconds
        server["progress"] = []
        server["error"] = None
        server["stopReason"] = None
        self.add_progress(server, 10, f"Spawn requested for {sid} ({server['vmSize']})")
        if recreated:
            self.add_progress(server, 15, f"Deleting the failed compute instance {sid} to create it anew")
        if creating:
            self.set_state(server, "Creating")
            self.add_progress(server, 20, f"Creating compute instance {sid} ({server['vmSize']})")
        else:
            self.set_state(server, "Starting", "Starting")
            self.add_progress(server, 30, f"Starting compute instance {sid}")
        failure = self.failures.pop(0) if (creating and self.failures) else None

        def halfway() -> None:
            if server["state"] in ("Creating", "Starting"):
                self.add_progress(server, 60, f"Compute instance {sid} is being set up")

        def done() -> None:
            if server["state"] not in ("Creating", "Starting"):
                return
            if failure:
                self.set_state(
                    server, "Failed", "CreateFailed",
                    error={"code": failure.get("code", "CreateFailed"), "message": failure["message"]},
                )
                self.add_progress(server, 100, f"Creating {sid} failed: {failure['message']}")
                return
            self.set_state(
                server, "Running", "Running",
                url=f"{self.base_url}/instances/{sid}/lab", startedAt=now_iso(),
                appUrl=app_url(self.base_url, sid, server["app"]),
            )
            self.add_progress(server, 100, f"Compute instance {sid} is running")

        self.later(sid, seconds / 2, halfway)
        self.later(sid, seconds, done)

    def stop(self, server: dict[str, Any], reason: str) -> None:
        sid = server["id"]
        self.cancel_timers(sid)
        self.set_state(server, "Stopping", "Stopping", stopReason=reason, url=None, appUrl=None)

        def done() -> None:
            if server["state"] == "Stopping":
                self.set_state(server, "Stopped", "Stopped", stoppedAt=now_iso())

        self.later(sid, self.settings.stop_seconds, done)


class FakeHandler(web.RequestHandler):
    def initialize(self, state: FakeState) -> None:
        self.state = state

    #: The caller's app role: "Admin" for the key, the token's role for a bearer token.
    role = ""

    def prepare(self) -> None:
        if self.request.path.startswith("/api/"):
            self.state.requests.append(
                {"method": self.request.method, "path": self.request.path,
                 "query": self.request.query, "body": self.body_json(quiet=True),
                 "auth": "token" if self.request.headers.get("authorization") else "key"}
            )
            until = self.state.outage_until
            if until is not None and asyncio.get_running_loop().time() < until:
                self.problem(503, "Service Unavailable", "The Functions host is not running.")
            if self.request.path == "/api/health":
                return
            authorization = self.request.headers.get("authorization") or ""
            if self.request.headers.get("x-functions-key") == self.state.settings.key:
                self.role = "Admin"
            elif authorization.startswith("Bearer ") and authorization[7:] in self.state.settings.tokens:
                self.role = self.state.settings.tokens[authorization[7:]]
            else:
                self.problem(401, "Unauthorized", "A valid x-functions-key or bearer token is required.")
            if self.role not in ("Hub", "Admin"):
                self.problem(403, "The caller may not do this", "This route needs the Hub or Admin role.", code="forbidden")

    def body_json(self, quiet: bool = False) -> Any:
        if not self.request.body:
            return None
        try:
            return json.loads(self.request.body)
        except ValueError:
            if quiet:
                return None
            self.problem(415, "Unsupported Media Type", "The body is not JSON.")

    def problem(
        self, status: int, title: str, detail: str, errors: list | None = None, retry_after: int | None = None, code: str | None = None
    ) -> None:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
        if code:
            body["code"] = code
        if errors:
            body["errors"] = errors
        self.set_status(status)
        self.set_header("Content-Type", "application/problem+json")
        if retry_after is not None:
            self.set_header("Retry-After", str(retry_after))
        self.finish(json.dumps(body))
        raise web.Finish()

    def reply(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        if body is None:
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def server_or_404(self, sid: str) -> dict[str, Any]:
        server = self.state.servers.get(sid)
        if server is None or server["state"] == "Deleted":
            self.problem(404, "Not Found", f"No server {sid}.")
        return server


class HealthHandler(FakeHandler):
    def get(self) -> None:
        self.reply({"status": "ok"})


class OptionsHandler(FakeHandler):
    def get(self) -> None:
        user = self.get_query_argument("user", "")
        projects = self.state.projects_by_user.get(user, PROJECTS)
        self.reply({"projects": projects, "sizes": SIZES})


class ServersHandler(FakeHandler):
    async def post(self) -> None:
        body = self.body_json() or {}
        errors = []
        unknown = sorted(set(body) - ALLOWED_FIELDS)
        if unknown:
            errors.append({"path": ",".join(unknown), "message": "unknown field"})
        user, project, size = body.get("user"), body.get("project"), body.get("size")
        name = body.get("serverName") or ""
        if not isinstance(user, str) or not 1 <= len(user) <= 128:
            errors.append({"path": "user", "message": "1-128 characters"})
        if not isinstance(project, str) or not PROJECT_NAME.match(project):
            errors.append({"path": "project", "message": "not a valid workspace name"})
        sizes = {s["label"]: s for s in SIZES}
        if size not in sizes:
            errors.append({"path": "size", "message": "one of Small, Medium, Large, GPU"})
        if not isinstance(name, str) or not SERVER_NAME.match(name):
            errors.append({"path": "serverName", "message": "0-64 of [A-Za-z0-9._-]"})
        if errors:
            self.problem(400, "Bad Request", "The spawn request is not valid.", errors)
        if body.get("userObjectId") and not body.get("tenantId"):
            self.problem(400, "The request is not valid", "A tenantId is required with a userObjectId.", code="invalid-request")
        if not body.get("userObjectId") and self.state.settings.sharing_policy != "Shared":
            self.problem(
                400, "The request is not valid",
                "Compute instances are Personal (APPLICATION_SHARING_POLICY=Personal): the spawn needs the "
                "user's Entra object id (userObjectId). Sign in to JupyterHub with Entra ID and keep auth "
                "state on so the hub passes it.",
                code="user-object-id-required",
            )
        offered = {p["name"]: p for p in self.state.projects_by_user.get(user, PROJECTS)}
        if project not in offered:
            self.problem(403, "Forbidden", f"{user} may not use project {project}.")
        app = body.get("app") or "jupyterlab"
        apps = [a["id"] for a in offered[project].get("apps") or STANDARD_APPS]
        if app not in apps:
            self.problem(
                400, "The project does not offer that application",
                f"Project '{project}' does not offer the application '{app}'; choose one of: {', '.join(apps)}.",
                code="app-not-offered",
            )
        vm_size = sizes[size]["vmSize"]
        sid = server_id(user, project, vm_size, name)
        server = self.state.servers.get(sid)
        if server is not None and server["state"] in ("Stopping", "Deleting"):
            self.problem(409, "Conflict", f"{sid} is {server['state'].lower()}; try again shortly.", retry_after=1)
        if server is not None and server["state"] == "Running":
            server["app"] = app
            server["appUrl"] = app_url(self.state.base_url, sid, app)
            self.reply(server, 200)
            return
        limit = self.state.max_active_per_user
        if limit is not None and (server is None or server["state"] in ("Deleted", "Failed", "Stopped")):
            active = [
                s for s in self.state.servers.values()
                if s["user"] == user and s["id"] != sid and s["state"] in ("Requested", "Creating", "Starting", "Running")
            ]
            if len(active) >= limit:
                self.problem(
                    409, "A quota does not allow this",
                    f"You already have {len(active)} servers starting or running, the most allowed per user ({limit}). "
                    "Stop one of them before starting another.",
                    code="quota-exceeded",
                )
        recreated = server is not None and server["state"] == "Failed"
        if server is None or server["state"] in ("Deleted", "Failed"):
            server = {
                "id": sid, "user": user, "serverName": name, "project": project,
                "size": size, "vmSize": vm_size, "state": "Requested", "amlState": None,
                "url": None, "app": app, "appUrl": None, "progress": [], "error": None, "stopReason": None,
                "createdAt": now_iso(), "updatedAt": now_iso(), "startedAt": None,
                "stoppedAt": None, "lastActivityAt": None,
                "userObjectId": body.get("userObjectId"), "tenantId": body.get("tenantId"),
            }
            self.state.servers[sid] = server
            self.state.provision(server, creating=True, recreated=recreated)
        elif server["state"] == "Stopped":
            server["app"] = app
            self.state.provision(server, creating=False)
        else:
            server["app"] = app
        if self.state.settings.spawn_answer_delay:
            await asyncio.sleep(self.state.settings.spawn_answer_delay)
        self.set_header("Location", f"/api/servers/{sid}")
        self.reply(server, 202)

    def get(self) -> None:
        user = self.get_query_argument("user", None)
        project = self.get_query_argument("project", None)
        if user is None and self.role != "Admin":
            self.problem(403, "The caller may not do this", "Listing every user's servers needs the Admin role.", code="forbidden")
        servers = [
            s for s in self.state.servers.values()
            if (user is None or s["user"] == user) and (project is None or s["project"] == project)
        ]
        self.reply({"servers": servers, "continuationToken": None})


class ServerHandler(FakeHandler):
    def get(self, sid: str) -> None:
        self.reply(self.server_or_404(sid))

    def delete(self, sid: str) -> None:
        server = self.server_or_404(sid)
        self.state.cancel_timers(sid)
        self.state.set_state(server, "Deleting", "Deleting", url=None, appUrl=None)
        self.state.later(sid, self.state.settings.delete_seconds, lambda: self.state.set_state(server, "Deleted", "Deleted"))
        self.reply(server, 202)


class StopHandler(FakeHandler):
    def post(self, sid: str) -> None:
        server = self.server_or_404(sid)
        reason = (self.body_json() or {}).get("reason") or "user"
        if server["state"] in ("Stopped", "Failed"):
            self.reply(server, 200)
            return
        if server["state"] != "Stopping":
            self.state.stop(server, reason)
        self.reply(server, 202)


class ActivityHandler(FakeHandler):
    def post(self, sid: str) -> None:
        server = self.server_or_404(sid)
        server["lastActivityAt"] = (self.body_json() or {}).get("lastActivity")
        self.set_status(204)
        self.finish()


class LabHandler(FakeHandler):
    """The instance's JupyterLab (any path below the instance, as on Azure), saying
    which instance, path and query it was asked for."""

    def get(self, sid: str, path: str = "") -> None:
        server = self.state.servers.get(sid)
        if server is None or server["state"] != "Running":
            raise web.HTTPError(404)
        self.set_header("Content-Type", "text/html")
        asked = escape("/" + path + (f"?{self.request.query}" if self.request.query else ""))
        self.finish(
            f"<!doctype html><html><head><title>JupyterLab - {sid}</title></head>"
            f"<body><h1>JupyterLab</h1><p id='instance'>{sid}</p>"
            f"<p>Path on the instance: <code id='path'>{asked}</code></p></body></html>"
        )


class AppHandler(FakeHandler):
    """VS Code (Web) or a custom service of a running instance: a stand-in page saying
    which application and instance it is."""

    def get(self, sid: str, kind: str, rest: str = "") -> None:
        server = self.state.servers.get(sid)
        if server is None or server["state"] != "Running":
            raise web.HTTPError(404)
        title = "VS Code" if kind == "vscode" else rest.split("/", 1)[0]
        self.set_header("Content-Type", "text/html")
        self.finish(
            f"<!doctype html><html><head><title>{escape(title)} - {sid}</title></head>"
            f"<body><h1 id='application'>{escape(title)}</h1><p id='instance'>{sid}</p>"
            f"<p>This page stands in for {escape(title)} on the fake control plane.</p></body></html>"
        )


class FakeControlHandler(FakeHandler):
    """`/_fake/<action>`: scripting and inspection for tests (no key)."""

    def get(self, action: str) -> None:
        if action == "requests":
            self.reply({"requests": self.state.requests})
        elif action == "servers":
            self.reply({"servers": list(self.state.servers.values())})
        else:
            raise web.HTTPError(404)

    def post(self, action: str) -> None:
        body = self.body_json() or {}
        if action == "reset":
            self.state.reset()
        elif action == "fail-next-create":
            self.state.failures.append(body)
        elif action == "projects":
            self.state.projects_by_user[body["user"]] = body.get("projects", [])
        elif action == "settings":
            for key, value in body.items():
                setattr(self.state.settings, key, value)
        elif action == "external-stop":
            # stopped outside the hub: in the studio ("external"), by Azure ML's own idle
            # shutdown as the sweep records it ("idle"), for running too long ("max-runtime")
            server = self.server_or_404(body["id"])
            self.state.cancel_timers(server["id"])
            self.state.set_state(
                server, "Stopped", "Stopped", stopReason=body.get("reason", "external"), url=None, appUrl=None,
                stoppedAt=body.get("stoppedAt") or now_iso(),
                **({"startedAt": body["startedAt"]} if body.get("startedAt") else {}),
            )
        elif action == "outage":
            # every /api route answers 503 for `seconds` (null: until the next outage call)
            seconds = body.get("seconds")
            loop_time = asyncio.get_running_loop().time()
            self.state.outage_until = None if seconds == 0 else loop_time + (seconds if seconds is not None else 10**9)
        else:
            raise web.HTTPError(404)
        self.reply({"ok": True})


def make_app(state: FakeState) -> web.Application:
    args = {"state": state}
    return web.Application([
        (r"/api/health", HealthHandler, args),
        (r"/api/options", OptionsHandler, args),
        (r"/api/servers", ServersHandler, args),
        (r"/api/servers/([^/]+)", ServerHandler, args),
        (r"/api/servers/([^/]+)/stop", StopHandler, args),
        (r"/api/servers/([^/]+)/activity", ActivityHandler, args),
        (r"/instances/([^/]+)/(vscode|services)/(.*)", AppHandler, args),
        (r"/instances/([^/]+)/(.*)", LabHandler, args),
        (r"/_fake/([a-z-]+)", FakeControlHandler, args),
    ], log_function=lambda handler: None)


class FakeControlPlane:
    """In-process fake (for tests that run in the same event loop)."""

    def __init__(self, settings: FakeSettings | None = None) -> None:
        self.state = FakeState(settings or FakeSettings())
        self._server: HTTPServer | None = None
        self.url = ""

    def start(self, port: int = 0) -> str:
        sockets = bind_sockets(port, address="127.0.0.1")
        self._server = HTTPServer(make_app(self.state))
        self._server.add_sockets(sockets)
        self.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        self.state.base_url = self.url
        return self.url

    def stop(self) -> None:
        self.state.reset()
        if self._server is not None:
            self._server.stop()


async def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=7171)
    parser.add_argument("--key", default="local-key")
    parser.add_argument("--create-seconds", type=float, default=2.0)
    parser.add_argument("--start-seconds", type=float, default=1.0)
    parser.add_argument("--stop-seconds", type=float, default=1.0)
    args = parser.parse_args()
    fake = FakeControlPlane(FakeSettings(
        key=args.key, create_seconds=args.create_seconds,
        start_seconds=args.start_seconds, stop_seconds=args.stop_seconds,
    ))
    url = fake.start(args.port)
    print(f"fake control plane on {url}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_main())
