"""Bounded waits on the control plane: retry a call, follow a server until it settles.

Plain async functions over a `Clock` and a `Deadline`, so that tests drive them
with a fake clock and a scripted control plane.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, TypeVar

from .clock import Deadline
from .errors import ControlPlaneError, ControlPlaneUnavailableError

T = TypeVar("T")
Server = dict[str, Any]

log = logging.getLogger(__name__)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, (ControlPlaneError, ControlPlaneUnavailableError)) and bool(
        getattr(error, "transient", False)
    )


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    deadline: Deadline,
    what: str,
    first_delay: float = 1.0,
    max_delay: float = 15.0,
    logger: logging.Logger | logging.LoggerAdapter = log,
) -> T:
    """Run `call`, retrying transient failures (throttling, 409 busy, 5xx, network)
    with exponential back-off or the server's `Retry-After`, until the deadline."""
    delay = first_delay
    while True:
        try:
            return await call()
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            if not is_transient(e):
                raise
            wait = delay
            if isinstance(e, ControlPlaneError) and e.retry_after is not None:
                wait = e.retry_after
            if wait >= deadline.remaining():
                raise
            logger.warning("%s: %s; retrying in %.1fs", what, e, wait)
            await deadline.clock.sleep(wait)
            delay = min(delay * 2, max_delay)


async def follow_server(
    fetch: Callable[[], Awaitable[Server]],
    *,
    deadline: Deadline,
    interval: float,
    settled: Callable[[Server], bool],
    on_update: Callable[[Server], None] = lambda server: None,
    logger: logging.Logger | logging.LoggerAdapter = log,
) -> tuple[Server | None, bool]:
    """Read a server every `interval` seconds until `settled(server)` or the deadline.

    Returns the last representation read and whether it settled. Transient failures
    of a read are logged and the next read tried; other errors (404…) propagate.
    """
    server: Server | None = None
    while True:
        try:
            server = await fetch()
        except (ControlPlaneError, ControlPlaneUnavailableError) as e:
            if not is_transient(e):
                raise
            logger.warning("Reading server status failed: %s", e)
        else:
            on_update(server)
            if settled(server):
                return server, True
        if deadline.expired:
            return server, False
        await deadline.sleep(interval)
