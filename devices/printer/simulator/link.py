"""One host's line to the simulated printer, whatever carries its bytes.

The TCP server, the pty and the in-memory transport all hand what the host sent
to a `HostLink` and pass on what it sends back, so the protocol on a line (the
replies, a cable pulled mid-job, Automatic Status Back reports) is one piece of
code: only when the bytes travel is the transport's business.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Callable

from .machine import EscPosMachine
from .status import status_back

JOIN_TIMEOUT = 2.0

Send = Callable[[bytes], object]


class HostLink:
    """Feeds one line's bytes to `machine` and sends its replies and GS a reports with `send`."""

    def __init__(self, machine: EscPosMachine, send: Send, *, can_be_cut: bool = True,
                 status_back: bool = True) -> None:
        self.machine = machine
        self.state = machine.state
        self._send = send
        # False: a printer that parses GS a but never reports by itself, as many 58 mm models;
        # it still answers DLE EOT, so a host must ask it.
        self._status_back = status_back
        # A pty has no connection to cut: `drops_after` is for lines that can end (TCP, memory).
        self._can_be_cut = can_be_cut
        self._budget: int | None = None  # bytes the printer still takes before it cuts the line
        self._reports_were_on = False
        self._last_report: bytes | None = None
        self._reporting = threading.Lock()  # one report at a time, whichever thread noticed the change
        self.switched_reports_on = False  # the last chunk received had a GS a that turned reports on

    def receive(self, data: bytes) -> bool:
        """Feed what the host sent and send the replies; False once the printer has cut the line
        (the rest never reaches it)."""
        if self._can_be_cut and self._budget is None:
            self._budget = self.state.claim_drop_budget()
        if self._budget is not None:
            data = data[: self._budget]
            self._budget -= len(data)
        reply = self.machine.feed(data)
        if reply:
            self._send(reply)
        on = self.machine.asb_enabled and self._status_back
        self.switched_reports_on = on and not self._reports_were_on
        self._reports_were_on = on
        if self.switched_reports_on:
            with self._reporting:
                self._last_report = None  # switched on, the printer reports the state at once
        return self._budget != 0

    def report_if_due(self) -> None:
        """Send a GS a report if reports are on and the state differs from the one last reported."""
        with self._reporting:
            if not (self.machine.asb_enabled and self._status_back):
                return
            snapshot = self.state.snapshot()
            frame = status_back(snapshot)
            if snapshot.answers_status and frame != self._last_report:
                self._send(frame)
                self._last_report = frame


class StatusBackThread:
    """Sends a link's GS a reports from a thread of its own as the state changes (from a test,
    the console, another job): on a real line they arrive while the host does something else."""

    def __init__(self, link: HostLink, name: str) -> None:
        self.link, self.name = link, name
        self._thread: threading.Thread | None = None
        self._ended = threading.Event()

    def follow(self) -> None:
        """After each chunk the host sent: a GS a that switched reports on gets the state reported now."""
        if not self.link.switched_reports_on:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        else:
            self.link.state._announce()  # wakes the thread, which reports once its last report is forgotten

    def stop(self) -> None:
        self._ended.set()
        self.link.state._announce()
        if self._thread is not None:
            self._thread.join(JOIN_TIMEOUT)

    def _run(self) -> None:
        state, seen = self.link.state, -1
        while True:
            with state.changed:
                state.changed.wait_for(partial(self._changed_since, seen))
                seen = state.version
            if self._ended.is_set():
                return
            try:
                self.link.report_if_due()
            except OSError:  # the line is gone; the job's thread notices it too
                return

    def _changed_since(self, version: int) -> bool:
        return self.link.state.version != version or self._ended.is_set()
