"""Server push: changes on the ingest thread, drawn once, sent to every open browser.

The Ingestor calls its listeners on its own thread; browsers are served on the
web server's event loop. `Broadcaster.notify` hands the changed targets over to
the loop, where changes that arrive together are merged (a burst of a hundred
state messages for one card draws that card once) and sent as one batch to
every connected browser. A browser that falls too far behind is dropped: its
EventSource reconnects and fetches a fresh snapshot, which is cheaper than
replaying a backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from frontdesk.manager.web.board import Target

log = logging.getLogger("frontdesk.manager.web")

BACKLOG = 200  # batches a browser may be behind before it is dropped

Render = Callable[[list[Target]], dict[str, Any]]


class Subscriber:
    """One open browser stream: batches waiting to be sent, on the server's loop."""

    def __init__(self) -> None:
        self._batches: deque[dict[str, Any]] = deque()
        self._ready = asyncio.Event()
        self.closed = False

    def send(self, batch: dict[str, Any]) -> bool:
        if len(self._batches) >= BACKLOG:
            return False
        self._batches.append(batch)
        self._ready.set()
        return True

    def close(self) -> None:
        self.closed = True
        self._batches.clear()
        self._ready.set()

    async def next(self) -> dict[str, Any] | None:
        """The next batch, or None once the stream is closed."""
        while not self._batches:
            if self.closed:
                return None
            self._ready.clear()
            await self._ready.wait()
        return None if self.closed else self._batches.popleft()


class Broadcaster:
    def __init__(self, render: Render) -> None:
        self._render = render
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[Subscriber] = set()
        self._dirty: list[Target] = []
        self._flush_scheduled = False

    @property
    def connected(self) -> int:
        return len(self._subscribers)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called when the server's loop starts; before that there is nobody to tell."""
        self._loop = loop

    def notify(self, targets: list[Target]) -> None:
        """From any thread: these targets changed."""
        loop = self._loop
        if not targets or loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._mark, targets)
        except RuntimeError:
            pass  # the loop closed between the check and the call: the server is stopping

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber()
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def close(self) -> None:
        """End every stream (on the loop): the server is stopping."""
        for subscriber in list(self._subscribers):
            subscriber.close()
        self._subscribers.clear()

    def close_threadsafe(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self.close)
            except RuntimeError:
                pass

    def _mark(self, targets: list[Target]) -> None:
        self._dirty.extend(targets)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            # call_soon runs after the callbacks already queued: changes of one burst merge.
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        targets = list(dict.fromkeys(self._dirty))  # unique, in order
        self._dirty.clear()
        if not self._subscribers or not targets:
            return
        try:
            batch = self._render(targets)
        except Exception:  # one bad message must not stop the pushes
            log.exception("could not draw the dashboard update for %s", targets[:5])
            batch = {"resync": True}
        for subscriber in list(self._subscribers):
            if not subscriber.send(batch):
                log.info("a browser fell %d updates behind; it will reconnect and resync", BACKLOG)
                self._subscribers.discard(subscriber)
                subscriber.close()
