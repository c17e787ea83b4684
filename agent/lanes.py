"""Commands run side by side, one lane per device: a slow printer never holds up the scale.

A lane runs its work in order, one item at a time, so two commands for the same
printer keep their order and never share its port. Lanes run on a bounded pool of
threads: a lane with work takes one thread until its backlog is done, so at most
`workers` devices are busy at once and each lane uses at most one thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections import deque
from collections.abc import Callable

log = logging.getLogger("frontdesk.agent.lanes")

# Lanes busy at once. Each device is a lane (and the agent's own books one more), so this
# is more than a Pi's devices; the rest wait their turn rather than start more threads.
WORKERS = 8
# Commands one lane may hold waiting: a client flooding a slow device is told it is busy
# (LaneFull) rather than filling the Pi's memory with requests nobody waits for any more.
BACKLOG = 100


class LaneFull(Exception):
    """The lane already holds BACKLOG commands waiting."""


class Lanes:
    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lane")
        self._backlog: dict[str, deque[Callable[[], None]]] = {}  # only lanes that are running
        self._lock = threading.Lock()

    def submit(self, lane: str, work: Callable[[], None]) -> None:
        """Run `work` after everything submitted to `lane` before it. Raises LaneFull when the lane
        holds BACKLOG commands already, RuntimeError after stop()."""
        with self._lock:
            backlog = self._backlog.get(lane)
            if backlog is not None:
                if len(backlog) >= BACKLOG:
                    raise LaneFull(f"{len(backlog)} commands are waiting for {lane}")
                backlog.append(work)
                return
            self._backlog[lane] = deque([work])
        try:
            self._pool.submit(self._drain, lane)
        except RuntimeError:
            with self._lock:
                del self._backlog[lane]
            raise

    def _drain(self, lane: str) -> None:
        while True:
            with self._lock:
                backlog = self._backlog[lane]
                if not backlog:
                    del self._backlog[lane]
                    return
                work = backlog.popleft()
            try:
                work()
            except Exception:  # noqa: BLE001 - one failed item must not stop its lane
                log.exception("work on lane %s failed", lane)

    def stop(self) -> None:
        """Finish what is running; what waits in a backlog is dropped (its requester times out)."""
        with self._lock:
            for backlog in self._backlog.values():
                backlog.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
