"""Finding a server again after a hub restart (pure helpers and one listing call)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import lifecycle
from .control_plane import ControlPlaneClient

Server = dict[str, Any]


def pick_live_server(servers: list[Server], server_name: str) -> Server | None:
    """The most recently updated server of that name that has not exited."""
    live = [
        s for s in servers
        if (s.get("serverName") or "") == server_name
        and s.get("id")
        and lifecycle.exit_status(s.get("state")) is None
    ]
    return max(live, key=lambda s: s.get("updatedAt") or "", default=None)


async def find_live_server(
    client: ControlPlaneClient, user: str, server_name: str, project: str | None
) -> Server | None:
    """Look a server up by user and server name (admin listing). Errors propagate."""
    return pick_live_server(await client.list_servers(user, project), server_name)


def remaining_start_budget(
    budget: float, started: datetime | None, now: datetime, floor: float
) -> float:
    """What is left of a spawn's `budget` seconds, `started` (naive or aware UTC) being
    when the hub began it; never less than `floor`."""
    if started is None:
        return max(floor, budget)
    elapsed = (now.replace(tzinfo=None) - started.replace(tzinfo=None)).total_seconds()
    return max(floor, budget - max(0.0, elapsed))
