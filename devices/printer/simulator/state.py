"""The printer's physical condition, shared by every job and changed from other threads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

PAPER_LEVELS = ("ok", "near_end", "out")
ERROR_KINDS = (None, "mechanical", "cutter", "unrecoverable", "recoverable")


@dataclass(frozen=True)
class StateSnapshot:
    paper: str
    cover_open: bool
    online: bool
    error: str | None
    drawer_open: bool
    answers_status: bool

    @property
    def ready(self) -> bool:
        """True when the printer would print what it receives."""
        return self.online and not self.cover_open and self.paper != "out" and self.error is None


@dataclass
class PrinterState:
    paper: str = "ok"
    cover_open: bool = False
    online: bool = True
    error: str | None = None
    drawer_open: bool = False
    answers_status: bool = True  # False: never answers status requests, like some Star models
    drops_after: int | None = None  # the server cuts the next connection after this many bytes
    paper_left: int | None = None  # printable bytes until the roll ends mid-job; None: endless
    # Called after every change, in the thread that made it: the in-memory transport sends
    # its GS a reports from here, where the TCP and pty ones need a thread waiting on `changed`.
    # Declared before _lock, so that __init__ never announces to a list not made yet.
    _listeners: list[Callable[[], None]] = field(default_factory=list, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    # Notified on every change, for connections that report status by themselves (ASB).
    changed: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False, compare=False)
    version: int = field(default=0, init=False, repr=False, compare=False)  # counts changes

    def __setattr__(self, name: str, value: Any) -> None:
        _check_value(name, value)
        lock = self.__dict__.get("_lock")
        if lock is None:  # still inside __init__
            object.__setattr__(self, name, value)
            return
        with lock:
            object.__setattr__(self, name, value)
        self._announce()

    def snapshot(self) -> StateSnapshot:
        with self._lock:
            return StateSnapshot(
                paper=self.paper,
                cover_open=self.cover_open,
                online=self.online,
                error=self.error,
                drawer_open=self.drawer_open,
                answers_status=self.answers_status,
            )

    def use_paper(self, amount: int) -> bool:
        """Count printable bytes against the roll; False once it has run out."""
        with self._lock:
            if self.paper_left is None:
                return True
            if self.paper_left >= amount:
                object.__setattr__(self, "paper_left", self.paper_left - amount)
                return True
            object.__setattr__(self, "paper_left", 0)
            object.__setattr__(self, "paper", "out")
        self._announce()
        return False

    def add_listener(self, listener: Callable[[], None]) -> None:
        with self.changed:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        with self.changed:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _announce(self) -> None:
        with self.changed:
            object.__setattr__(self, "version", self.version + 1)
            self.changed.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:  # outside the lock: a listener may take a snapshot
            listener()

    def claim_drop_budget(self) -> int | None:
        """Take the pending `drops_after` value, so that only one connection gets cut."""
        with self._lock:
            budget = self.drops_after
            object.__setattr__(self, "drops_after", None)
            return budget


def _check_value(name: str, value: Any) -> None:
    if name == "paper" and value not in PAPER_LEVELS:
        raise ValueError(f"paper must be one of {PAPER_LEVELS}, not {value!r}")
    if name == "error" and value not in ERROR_KINDS:
        raise ValueError(f"error must be one of {ERROR_KINDS}, not {value!r}")
    if name == "paper_left" and value is not None and (not isinstance(value, int) or value < 0):
        raise ValueError(f"paper_left must be None or a byte count >= 0, not {value!r}")
    if name == "drops_after" and value is not None and (not isinstance(value, int) or value < 0):
        raise ValueError(f"drops_after must be None or a byte count >= 0, not {value!r}")
