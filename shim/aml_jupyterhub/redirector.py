"""One small HTTP endpoint, inside the hub's process, that sends users on to their
compute instance.

JupyterHub's proxy routes `/user/<name>/[<server>/]` to the URL `Spawner.start()`
returned, and the hub checks that URL answers before calling the server ready. There is
no per-user process here, so every AML server gets the same target: this endpoint, bound
once per hub process on one port. It finds the spawner that owns the request's path
prefix and answers `302 Found` to the instance's JupyterLab URL (or 503 while the
instance is not running yet, which the hub's readiness check treats as "not up").
"""

from __future__ import annotations

import logging
import socket
import weakref
from html import escape
from typing import Protocol

from jupyterhub import __version__ as jupyterhub_version
from tornado import httpserver, netutil, web

log = logging.getLogger(__name__)


class RedirectTarget(Protocol):
    def redirect_target(self) -> str | None:
        """The instance's JupyterLab URL, or None while it is not running."""


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
        segments = path.split("?", 1)[0].split("/")
        for end in range(len(segments), 0, -1):
            prefix = normalize_prefix("/".join(segments[:end]) or "/")
            ref = self._routes.get(prefix)
            if ref is not None:
                target = ref()
                if target is None:
                    del self._routes[prefix]
                    continue
                return target
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
        target = self.redirector.registry.match(self.request.path)
        hub_home = self.redirector.hub_home
        if target is None:
            self.set_status(404)
            self._page(
                "No server here",
                "There is no Azure Machine Learning server at this address.",
                hub_home,
            )
            return
        url = target.redirect_target()
        if not url:
            self.set_status(503)
            self.set_header("Retry-After", "5")
            self._page(
                "Server starting",
                "Your Azure Machine Learning compute instance is not running yet. "
                "This page will send you on once it is.",
                hub_home,
                refresh=5,
            )
            return
        self.redirect(url, permanent=False)

    head = get

    def _page(self, title: str, message: str, hub_home: str, refresh: int = 0) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
        self.finish(
            f"<!doctype html><html><head><title>{escape(title)}</title>{meta}</head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="{escape(hub_home)}">Back to JupyterHub</a></p></body></html>'
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
