"""One small HTTP endpoint, inside the hub's process, that sends users on to their
compute instance.

JupyterHub's proxy routes `/user/<name>/[<server>/]` to the URL `Spawner.start()`
returned, and the hub checks that URL answers before calling the server ready. There is
no per-user process here, so every AML server gets the same target: this endpoint, bound
once per hub process on one port. It finds the spawner that owns the request's path
prefix and answers `302 Found` to the instance's JupyterLab URL, keeping the path
below the prefix and the query (`/user/alice/lab/tree/x.ipynb` lands on the instance's
`/lab/tree/x.ipynb`, nbgitpuller's `/user/alice/git-pull?repo=…` on its `/git-pull?repo=…`).
The bare server address lands in the application the person chose (`user_options.app`:
VS Code, a custom service) when the instance lists it; deep links stay Jupyter's.

While the instance is being created or started (after a hub restart the hub counts such
a server as started: see `AMLSpawner.get_url`), it answers `200` with a small "still
starting" page that reloads itself and follows the control plane, so a person who
arrives then is sent on once the instance runs. Otherwise 503 (not running).
"""

from __future__ import annotations

import logging
import socket
import weakref
from dataclasses import dataclass
from html import escape
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from jupyterhub import __version__ as jupyterhub_version
from tornado import httpserver, netutil, web

log = logging.getLogger(__name__)


class RedirectTarget(Protocol):
    def redirect_target(self) -> str | None:
        """The instance's JupyterLab URL, or None while it is not running."""

    def landing_target(self) -> str | None:
        """Where the server's own address lands when the person chose an application
        other than JupyterLab (VS Code, a custom service), or None: JupyterLab."""


@dataclass(frozen=True)
class Holding:
    """What the "still starting" page says about a server on its way up."""

    message: str
    progress: int | None = None
    minutes_so_far: int | None = None


#: The last path segment of a JupyterLab URL that is the app, not the server's base.
_LAB_APPS = ("lab", "tree")


def instance_url(lab_url: str, rest: str, query: str) -> str:
    """Where a request for `<prefix><rest>?<query>` goes on the instance: `rest` and
    `query` below the instance's base URL (the lab URL without its `/lab`). Without a
    path or query, the lab URL itself."""
    rest = rest.lstrip("/")
    if not rest and not query:
        return lab_url
    scheme, netloc, path, lab_query, _ = urlsplit(lab_url)
    segments = path.rstrip("/").split("/")
    if segments and segments[-1] in _LAB_APPS:
        segments = segments[:-1]
    base = "/".join(segments) + "/"
    merged = "&".join(q for q in (lab_query, query) if q)
    return urlunsplit((scheme, netloc, base + rest, merged, ""))


def landing_url(target: RedirectTarget, lab_url: str, rest: str, query: str) -> str:
    """The server's own address lands in the application the person chose; a deep link
    (a path or query below it, e.g. `/lab/tree/x.ipynb` or nbgitpuller's `/git-pull?…`)
    names a Jupyter path, so it goes below JupyterLab's base whatever was chosen. JupyterLab
    itself opens in the spawner's landing folder."""
    if not rest.strip("/") and not query:
        landing = getattr(target, "landing_target", None)
        chosen = landing() if landing is not None else None
        if chosen and chosen.rstrip("/") != lab_url.rstrip("/"):
            return chosen
        # JupyterLab: where the spawner lands people (their own folder of the file share).
        landing_path = getattr(target, "landing_path", None)
        rest = landing_path() if landing_path else ""
    return instance_url(lab_url, rest, query)


def normalize_prefix(prefix: str) -> str:
    """The path part of a proxy spec (`host/user/alice/` → `/user/alice/`), with a
    trailing slash."""
    if not prefix.startswith("/"):
        prefix = prefix[prefix.find("/") :] if "/" in prefix else "/"
    return prefix if prefix.endswith("/") else prefix + "/"


def connect_url(host: str, port: int, path: str) -> str:
    """The URL the proxy uses to reach the endpoint: a wildcard bind address becomes
    this machine's host name, an IPv6 address gets brackets."""
    if host in ("", "0.0.0.0", "::"):
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


class RedirectRegistry:
    """Path prefix → the spawner serving it (weakly held: a spawner the hub dropped
    does not linger here)."""

    def __init__(self) -> None:
        self._routes: dict[str, weakref.ReferenceType[RedirectTarget]] = {}

    def register(self, prefix: str, target: RedirectTarget) -> None:
        self._routes[normalize_prefix(prefix)] = weakref.ref(target)

    def unregister(self, prefix: str, target: RedirectTarget) -> None:
        key = normalize_prefix(prefix)
        ref = self._routes.get(key)
        if ref is not None and ref() in (None, target):
            del self._routes[key]

    def match(self, path: str) -> RedirectTarget | None:
        """The target of the longest registered prefix of `path`."""
        found = self.match_prefix(path)
        return found[1] if found else None

    def match_prefix(self, path: str) -> tuple[str, RedirectTarget] | None:
        """The longest registered prefix of `path` and its target."""
        segments = path.split("?", 1)[0].split("/")
        for end in range(len(segments), 0, -1):
            prefix = normalize_prefix("/".join(segments[:end]) or "/")
            ref = self._routes.get(prefix)
            if ref is not None:
                target = ref()
                if target is None:
                    del self._routes[prefix]
                    continue
                return prefix, target
        return None

    def __len__(self) -> int:
        return len(self._routes)


class RedirectHandler(web.RequestHandler):
    def initialize(self, redirector: "Redirector") -> None:
        self.redirector = redirector

    def set_default_headers(self) -> None:
        # the hub compares this with its own version when it checks a server is up
        self.set_header("X-JupyterHub-Version", jupyterhub_version)
        self.set_header("Cache-Control", "no-store")

    def get(self, path: str = "") -> None:
        found = self.redirector.registry.match_prefix(self.request.path)
        hub_home = self.redirector.hub_home
        if found is None:
            self.set_status(404)
            self._page(
                "No server here",
                ["There is no Azure Machine Learning server at this address."],
                hub_home,
            )
            return
        prefix, target = found
        url = target.redirect_target()
        if url:
            rest = self.request.path[len(prefix):] if len(self.request.path) > len(prefix) else ""
            self.redirect(landing_url(target, url, rest, self.request.query), permanent=False)
            return
        holding_status = getattr(target, "holding_status", None)
        holding = holding_status() if holding_status else None
        if holding is not None:
            # 200: after a hub restart the hub checks this address to count the server
            # as up; the person is held here until the instance runs.
            self._holding_page(holding, hub_home)
            return
        self.set_status(503)
        self.set_header("Retry-After", "5")
        self._page(
            "Your server is not running",
            [
                "Your Azure Machine Learning compute instance is not running.",
                "Start it again from the JupyterHub home page.",
            ],
            hub_home,
        )

    head = get

    def _holding_page(self, holding: Holding, hub_home: str) -> None:
        so_far = ""
        if holding.minutes_so_far is not None:
            minutes = holding.minutes_so_far
            so_far = "less than a minute so far" if minutes < 1 else f"{minutes} min so far"
        title = "Your server is still starting" + (f" ({so_far})" if so_far else "")
        bar = ""
        if holding.progress is not None:
            value = max(0, min(100, holding.progress))
            bar = (
                f'<div class="bar" role="progressbar" aria-valuenow="{value}" aria-valuemin="0" '
                f'aria-valuemax="100"><div style="width:{value}%"></div></div>'
            )
        self._page(
            title,
            [
                holding.message,
                "This page follows it and opens your server by itself as soon as it is ready: "
                "you can leave it open.",
            ],
            hub_home,
            refresh=5,
            extra=bar,
        )

    def _page(
        self, title: str, lines: list[str], hub_home: str, refresh: int = 0, extra: str = ""
    ) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
        self.finish(
            f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title>{meta}<style>{_STYLE}</style></head>"
            f"<body><main><h1>{escape(title)}</h1>{extra}{paragraphs}"
            f'<p><a href="{escape(hub_home)}">Back to JupyterHub</a></p></main></body></html>'
        )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#222}"
    "main{max-width:40rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.4rem;margin-top:0}"
    ".bar{height:.8rem;background:#e3e6ea;border-radius:4px;overflow:hidden;margin:1rem 0}"
    ".bar div{height:100%;background:#2c7be5}"
)


class Redirector:
    """The registry plus the HTTP server answering for it, started at most once."""

    def __init__(self) -> None:
        self.registry = RedirectRegistry()
        self.hub_home = "/hub/home"
        self._server: httpserver.HTTPServer | None = None
        self._bound: tuple[str, int] | None = None

    @property
    def listening(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int | None:
        return self._bound[1] if self._bound else None

    def application(self) -> web.Application:
        return web.Application(
            [(r"(.*)", RedirectHandler, {"redirector": self})],
            log_function=_log_request,
        )

    def ensure_listening(self, ip: str, port: int) -> int:
        """Bind `ip:port` unless already listening; returns the port bound.

        Must be called on the hub's event loop. A later call with another address
        keeps the first binding (one endpoint per process) and says so in the log.
        """
        if self._bound is not None:
            if (ip, port) != self._bound and port not in (0, self._bound[1]):
                log.warning(
                    "AML redirect endpoint already listening on %s:%s; ignoring %s:%s",
                    *self._bound,
                    ip,
                    port,
                )
            return self._bound[1]
        sockets = netutil.bind_sockets(port, address=ip or None, family=socket.AF_UNSPEC)
        server = httpserver.HTTPServer(self.application())
        server.add_sockets(sockets)
        bound_port = sockets[0].getsockname()[1]
        self._server = server
        self._bound = (ip, bound_port)
        log.info("AML redirect endpoint listening on %s:%s", ip or "*", bound_port)
        return bound_port

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None
        self._bound = None


def _log_request(handler: web.RequestHandler) -> None:
    status = handler.get_status()
    level = logging.WARNING if status >= 500 and status != 503 else logging.DEBUG
    log.log(
        level,
        "%s %s %s %.1fms",
        status,
        handler.request.method,
        handler.request.path,
        1000 * handler.request.request_time(),
    )


_redirector: Redirector | None = None


def shared_redirector() -> Redirector:
    """The hub process's redirect endpoint."""
    global _redirector
    if _redirector is None:
        _redirector = Redirector()
    return _redirector
