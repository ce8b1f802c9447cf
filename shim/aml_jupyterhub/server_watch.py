"""The latest representation of one server, shared by everyone who wants it: the spawn
that reads it, and any number of progress viewers (each browser tab has its own)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from . import lifecycle

Server = dict[str, Any]


class ServerWatch:
    def __init__(self) -> None:
        self.server: Server | None = None
        self._changed = asyncio.Event()

    def update(self, server: Server) -> None:
        """A new representation: keep it and wake every viewer."""
        self.server = server
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def reset(self) -> None:
        self.server = None

    async def progress(self, wake_every: float) -> AsyncIterator[dict[str, Any]]:
        """The server's progress events from the first, then new ones as they arrive,
        until the spawn settles. Wakes at least every `wake_every` seconds."""
        sent = 0
        while True:
            changed = self._changed
            server = self.server
            if server is not None:
                events = lifecycle.progress_events(server)
                for event in events[sent:]:
                    yield event
                sent = max(sent, len(events))
                if lifecycle.is_spawn_settled(server):
                    return
            try:
                await asyncio.wait_for(changed.wait(), wake_every)
            except asyncio.TimeoutError:
                pass
