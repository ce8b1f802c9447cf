"""Bounded waits on the control plane: retry a call, follow a server until it settles.

Plain async functions over a `Clock` and a `Deadline`, so that tests drive them
with a fake clock and a scripted control plane.
"""

from __future__ import annotations

import logging
import socket
from typing import Any, Awaitable, Callable, TypeVar

import httpx

from .clock import Clock, Deadline
from .errors import ControlPlaneError, ControlPlaneOutageError, ControlPlaneUnavailableError

T = TypeVar("T")
Server = dict[str, Any]

log = logging.getLogger(__name__)


#: 5xx problem codes that are the control plane's own considered answer (it is up and
#: says Azure is throttling it), not a sign that it cannot be reached.
ANSWERED_CODES = frozenset({"throttled"})


def is_transient(error: BaseException) -> bool:
    return isinstance(error, (ControlPlaneError, ControlPlaneUnavailableError)) and bool(
        getattr(error, "transient", False)
    )


def is_unreachable(error: BaseException) -> bool:
    """The control plane is not there to answer: connection refused, DNS failure, a
    timeout, or a 5xx from it or from what stands in front of it (the Functions host,
    a gateway)."""
    if isinstance(error, ControlPlaneUnavailableError):
        return True
    return (
        isinstance(error, ControlPlaneError)
        and error.status >= 500
        and error.code not in ANSWERED_CODES
    )


def outage_reason(error: BaseException) -> str:
    """A few words on why the control plane cannot be reached, for a person."""
    if isinstance(error, ControlPlaneError):
        return f"it answers {error.status} {error.title}".rstrip()
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    if any(isinstance(e, socket.gaierror) for e in chain) or any(
        marker in str(e).lower() for e in chain
        for marker in ("name or service not known", "nodename nor servname", "name resolution")
    ):
        return "its name cannot be resolved"
    if any(isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower() for e in chain):
        return "the connection is refused"
    if any(isinstance(e, (TimeoutError, httpx.TimeoutException)) for e in chain) or "in time" in str(error):
        return "it does not answer in time"
    return "the connection fails"


class Outage:
    """How long the control plane has been unreachable, bounded by `limit` seconds.

    `failed()` is told of each failure to reach it and raises `ControlPlaneOutageError`
    once the outage has lasted `limit` seconds; `answered()` of each answer. `notify`
    gets one sentence for the person when the outage starts, every `notice_every`
    seconds while it lasts, and when it ends (the spawn's progress shows them).
    """

    def __init__(
        self,
        clock: Clock,
        limit: float,
        notify: Callable[[str], None] = lambda message: None,
        *,
        notice_every: float = 15.0,
    ) -> None:
        self.clock = clock
        self.limit = limit
        self.notify = notify
        self.notice_every = notice_every
        self.since: float | None = None
        self._last_notice = 0.0

    def failed(self, error: BaseException) -> None:
        now = self.clock.monotonic()
        if self.since is None:
            self.since = self._last_notice = now
            self.notify(f"Cannot reach the control plane ({outage_reason(error)}), retrying…")
        elapsed = now - self.since
        if elapsed >= self.limit:
            raise ControlPlaneOutageError(elapsed, error) from error
        if now - self._last_notice >= self.notice_every:
            self._last_notice = now
            self.notify(
                f"Still cannot reach the control plane after {elapsed:.0f} seconds "
                f"({outage_reason(error)}); retrying for up to {self.limit:.0f} seconds…"
            )

    def answered(self) -> None:
        if self.since is not None:
            self.since = None
            self.notify("The control plane answers again.")

    def lasted(self) -> float:
        return 0.0 if self.since is None else self.clock.monotonic() - self.since

    def remaining(self) -> float:
        if self.since is None:
            return self.limit
        return max(0.0, self.limit - (self.clock.monotonic() - self.since))


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    deadline: Deadline,
    what: str,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
    logger: logging.Logger | logging.LoggerAdapter = log,
    outage: Outage | None = None,
) -> T:
    """Run `call`, retrying transient failures (throttling, 409 busy, 5xx, network)
    with exponential back-off or the server's `Retry-After`, until the deadline.

    With an `outage`, failures to reach the control plane are retried only for as long
    as it allows (`ControlPlaneOutageError` then), and reported to it."""
    delay = first_delay
    while True:
        try:
            result = await call()
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            unreachable = outage is not None and is_unreachable(e)
            if outage is not None and not unreachable:
                outage.answered()
            if not (is_transient(e) or unreachable):
                raise
            wait = delay
            if isinstance(e, ControlPlaneError) and e.retry_after is not None:
                wait = e.retry_after
            if unreachable:
                outage.failed(e)  # raises once the outage has lasted too long
                wait = max(0.1, min(wait, outage.remaining()))
            if wait >= deadline.remaining():
                if unreachable:
                    raise ControlPlaneOutageError(outage.lasted(), e) from e
                raise
            logger.warning("%s: %s; retrying in %.1fs", what, e, wait)
            await deadline.clock.sleep(wait)
            delay = min(delay * 2, max_delay)
        else:
            if outage is not None:
                outage.answered()
            return result


async def follow_server(
    fetch: Callable[[], Awaitable[Server]],
    *,
    deadline: Deadline,
    interval: float,
    settled: Callable[[Server], bool],
    on_update: Callable[[Server], None] = lambda server: None,
    logger: logging.Logger | logging.LoggerAdapter = log,
    outage: Outage | None = None,
) -> tuple[Server | None, bool]:
    """Read a server every `interval` seconds until `settled(server)` or the deadline.

    Returns the last representation read and whether it settled. Transient failures
    of a read are logged and the next read tried; other errors (404…) propagate, and
    with an `outage`, so does a control plane unreachable for too long.
    """
    server: Server | None = None
    while True:
        try:
            server = await fetch()
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            unreachable = outage is not None and is_unreachable(e)
            if not (is_transient(e) or unreachable):
                raise
            logger.warning("Reading server status failed: %s", e)
            if unreachable:
                outage.failed(e)
        else:
            if outage is not None:
                outage.answered()
            on_update(server)
            if settled(server):
                return server, True
        if deadline.expired:
            return server, False
        await deadline.sleep(interval)
