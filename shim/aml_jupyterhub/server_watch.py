"""The latest representation of one server, shared by everyone who wants it: the spawn
that reads it, and any number of progress viewers (each browser tab has its own).

Besides the control plane's own progress events it carries the spawner's notices
(e.g. "Cannot reach the control plane, retrying…"), in the order they happened, so
every viewer reads the same story."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

from . import lifecycle

Server = dict[str, Any]


class ServerWatch:
    def __init__(self) -> None:
        self.server: Server | None = None
        #: Every event so far: the server's progress interleaved with the notices.
        self.events: list[dict[str, Any]] = []
        self._server_events = 0
        self._changed = asyncio.Event()

    def update(self, server: Server) -> None:
        """A new representation: keep it, log its new progress events, wake every viewer."""
        events = lifecycle.progress_events(server)
        if len(events) < self._server_events:  # a new spawn of the same server
            self._server_events = 0
        self.events.extend(events[self._server_events:])
        self._server_events = len(events)
        self.server = server
        self._wake()

    def notice(self, message: str) -> None:
        """An event of the spawner's own, shown in the progress like the server's."""
        self.events.append({"message": message})
        self._wake()

    def reset(self) -> None:
        self.server = None
        self.events = []
        self._server_events = 0

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def progress(self, wake_every: float) -> AsyncIterator[dict[str, Any]]:
        """Every event from the first, then new ones as they arrive, until the spawn
        settles. Wakes at least every `wake_every` seconds."""
        sent = 0
        events = self.events
        while True:
            changed = self._changed
            if self.events is not events:  # reset: a new spawn
                events, sent = self.events, 0
            for event in events[sent:]:
                yield event
            sent = len(events)
            server = self.server
            if server is not None and lifecycle.is_spawn_settled(server):
                return
            try:
                await asyncio.wait_for(changed.wait(), wake_every)
            except asyncio.TimeoutError:
                pass
