"""Retained topics the agent published, remembered in its data dir across restarts.

A retained message stays at the broker until someone clears it. When a device leaves the
config, only the agent that published it knows (after its restart) that it is gone, so the
agent remembers what it published: every device's state (agent/runtime.py; the Home
Assistant discovery configs have a memory of their own, agent/discovery/memory.py). On start, what is remembered but no longer
published is cleared with an empty retained message. Such a topic is forgotten only once the
broker has acknowledged the clearing (`cleared`): an agent that stops before it reached the
broker clears it again on its next start, and one that did clears nothing needlessly.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger("frontdesk.agent.remembered")


class RememberedTopics:
    """A JSON list of topics in one file: those published now, plus those still being cleared."""

    def __init__(self, path: Path, first: Callable[[], Iterable[str]] = tuple) -> None:
        """`first()`: what to start from when there is no file yet (an agent upgraded from a
        version that kept none may know its devices some other way)."""
        self._path = path
        self._lock = threading.Lock()
        self._current: set[str] = set()
        # Until `replace` says what is published now, everything remembered may be stale.
        self._clearing: set[str] = set(first()) if not path.exists() else self._read()

    def replace(self, current: Iterable[str]) -> list[str]:
        """Remember `current` as what is published from now on; returns the remembered topics
        that are not, for the caller to clear (and to report with `cleared` once done)."""
        with self._lock:
            self._current = set(current)
            self._clearing -= self._current
            self._write()
            return sorted(self._clearing)

    def add(self, topics: Iterable[str]) -> None:
        """Also remember these (published later, e.g. a copier's supplies once it reports them)."""
        with self._lock:
            new = set(topics) - self._current
            if new:
                self._current |= new
                self._clearing -= new
                self._write()

    def cleared(self, topic: str) -> None:
        """The broker took the clearing of `topic`: forget it (other topics are not ours)."""
        with self._lock:
            if topic in self._clearing:
                self._clearing.discard(topic)
                self._write()

    def remembered(self) -> set[str]:
        with self._lock:
            return self._current | self._clearing

    def _read(self) -> set[str]:
        try:
            topics = json.loads(self._path.read_text())
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as error:
            log.warning("cannot read %s (%s); starting with nothing remembered", self._path, error)
            return set()
        if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
            log.warning("%s is not a list of topics; starting with nothing remembered", self._path)
            return set()
        return set(topics)

    def _write(self) -> None:
        # Written whole to a new file, then renamed over the old one: a crash mid-write
        # must not leave half a list (which would make the agent forget what to clear).
        spare = self._path.with_name(self._path.name + ".new")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            spare.write_text(json.dumps(sorted(self._current | self._clearing), indent=0))
            spare.replace(self._path)
        except OSError as error:
            log.warning("cannot remember the published topics in %s: %s", self._path, error)
