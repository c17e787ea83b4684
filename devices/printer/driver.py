"""`ReceiptPrinter`: print documents, read status, kick the drawer; one per printer."""

from __future__ import annotations

import select
from dataclasses import dataclass
from collections.abc import Callable
from typing import Protocol

from frontdesk.contract.config import OfficeConfig, PrinterConfig
from frontdesk.devices.printer.blocks import Block, Cut
from frontdesk.devices.printer.compose import Composer
from frontdesk.devices.printer.connections import Connection, connection_for
from frontdesk.devices.printer.errors import (
    CoverOpen,
    NoConfirmation,
    PaperOut,
    PrinterError,
    PrinterFault,
    PrinterOffline,
    PrinterUnreachable,
    PrintNotConfirmed,
)
from frontdesk.devices.printer.status import PrinterStatus, StatusQuery

GS_A_TRIES = 2  # GS a sent to a ready printer without a report: it does not send them


class Document(Protocol):
    def blocks(self, office: OfficeConfig) -> list[Block]: ...


@dataclass(frozen=True)
class PrintResult:
    printer_id: str
    bytes_sent: int
    # True when the printer answered a status query after the job and was fine;
    # False when it cannot tell (no status from this printer or connection).
    confirmed: bool
    status: PrinterStatus


Connect = Callable[[PrinterConfig], Connection]


class ReceiptPrinter:
    def __init__(
        self, config: PrinterConfig, office: OfficeConfig | None = None, *, connect: Connect = connection_for,
    ) -> None:
        """`connect` makes a new, unopened connection for each job: the one the config names,
        unless a test passes another (MemoryConnection.to(simulator))."""
        self.config = config
        self.office = office or OfficeConfig()
        self.composer = Composer(config.profile)
        self._connect = connect

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def columns(self) -> int:
        return self.composer.columns

    def render(self, document: Document | list[Block]) -> bytes:
        """The exact bytes a document becomes on this printer."""
        blocks = document if isinstance(document, list) else document.blocks(self.office)
        return self.composer.compose(blocks)

    def status(self) -> PrinterStatus:
        try:
            with self._connect(self.config) as connection:
                return self._query(connection)
        except PrinterUnreachable:
            return PrinterStatus(reachable=False)

    def print_document(self, document: Document | list[Block]) -> PrintResult:
        return self.print_bytes(self.render(document))

    def render_parts(self, document: Document) -> tuple[bytes, bytes]:
        """The document's bytes split before its final cut: (body, cut)."""
        blocks = document.blocks(self.office)
        if blocks and isinstance(blocks[-1], Cut):
            return self.composer.compose(blocks[:-1]), self.composer.compose(blocks[-1:])
        return self.composer.compose(blocks), b""

    def print_bytes(
        self, data: bytes, on_sent: Callable[[], None] | None = None, *,
        on_start: Callable[[], None] | None = None, finish: bytes = b"",
    ) -> PrintResult:
        """Send a job, refusing it when the printer says it cannot print now.

        `on_start` runs when the first byte is about to go; `on_sent` once the
        printer has confirmed every byte of `data`, before `finish` (the cut) is
        sent: a durable queue records both moments (see agent/ledger/print_jobs.py).

        A printer that answered the status query before the job confirms `data`, then
        `finish`, by answering the query sent after each. It answers once what came before
        the query is in its buffer, which empties only as fast as it prints, so each answer
        is waited for `status_timeout` plus the time those bytes take at its config's `rate`. No answer
        raises NoConfirmation: what is on paper is unknown. A printer that did not answer
        before the job (some never do, a file cannot) cannot confirm it: the job is done
        once sent, and `PrintResult.confirmed` is False.
        """
        with self._connect(self.config) as connection:
            before = self._query(connection)
            self._refuse_unless_ready(before)
            if on_start is not None:
                on_start()
            connection.write(data)
            after = self._confirm(connection, len(data), before)
            if on_sent is not None:
                on_sent()
            if finish:
                connection.write(finish)
                after = self._confirm(connection, len(finish), before)
        return PrintResult(self.id, len(data), confirmed=after.answered, status=after)

    def open_drawer(self) -> PrintResult:
        return self.print_bytes(self.drawer_kick())

    def drawer_kick(self) -> bytes:
        if self.config.drawer_pin is None:
            raise PrinterError(
                f"printer {self.id!r} has no cash drawer configured; set drawer_pin = 2 "
                "(or 5) in its [[printer]] section",
                device_id=self.id,
            )
        from escpos.printer import Dummy

        kick = Dummy()
        kick.cashdraw(self.config.drawer_pin)
        return bytes(kick.output)

    @property
    def can_watch_status(self) -> bool:
        """Whether `watch_status` can follow this printer: its connection reads status."""
        return self._connect(self.config).can_read_status

    def watch_status(self, on_status: Callable[[PrinterStatus], None], interrupt: int, check_every: float) -> None:
        """Keep a line open between jobs, calling `on_status` with each report or answer.

        With Automatic Status Back on, the printer tells of every change by itself and is
        asked only when it said nothing for `check_every` seconds, which also notices a line
        that died silently. A printer that does not report (many 58 mm models ignore GS a;
        a USB line cannot be watched) is asked every `status_poll` seconds instead.
        Returns when `interrupt` (a file descriptor) becomes readable: someone needs the
        printer, which may take one connection at a time. Raises PrinterError when the line
        is lost.
        """
        with self._connect(self.config) as connection:
            if connection.supports_status_back:
                self._follow_status_back(connection, on_status, interrupt, check_every)
            else:
                while not _readable([interrupt], self.config.status_poll):
                    on_status(self._query(connection))

    def _follow_status_back(
        self, connection: Connection, on_status: Callable[[PrinterStatus], None], interrupt: int, check_every: float,
    ) -> None:
        connection.status_back(True)
        unanswered, ready = 1, False  # GS a sent since the last report; the printer's last word
        while True:
            # Until a report shows the printer took a GS a it is asked every status_poll, for good
            # if it never reports (many 58 mm printers ignore GS a). GS a goes again when a query
            # finds it ready, up to GS_A_TRIES times in a row, and whenever it is ready after it was
            # not: a printer that is not ready ignores GS a (offline, it takes only real-time
            # commands), and a power cycle resets it.
            wait = min(check_every, self.config.status_poll) if unanswered else check_every
            readable = _readable([connection.fileno(), interrupt], wait)
            if interrupt in readable:
                connection.status_back(False)
                return
            if readable:
                frame = connection.read_status_back(self.config.status_timeout)
                if frame is None:
                    continue
                status, unanswered = PrinterStatus.from_status_back(frame), 0
            else:
                status = self._query(connection)
                if status.ready and (not ready or unanswered <= GS_A_TRIES):
                    connection.status_back(True)
                    unanswered += 1
            ready = status.ready
            on_status(status)

    def _confirm(self, connection: Connection, size: int, before: PrinterStatus) -> PrinterStatus:
        """The status after `size` bytes were sent, once the printer has taken them; raises unless
        it says it printed them (or it cannot say: it did not answer `before` either)."""
        within = self.config.status_timeout + size / self.config.rate
        after = self._query(connection, within)
        if after.answered and not after.ready:
            raise PrintNotConfirmed(
                f"printer {self.id!r} {after.describe('').strip()} The document may be "
                "incomplete; keep it and print it again once the printer is fixed.",
                device_id=self.id,
            )
        if before.answered and not after.answered:
            raise NoConfirmation(
                f"printer {self.id!r} ({self.config.address}) did not answer within {within:.1f} s of the "
                "job, as it did before it: it may have been switched off or cut off. The document may be "
                "incomplete; keep it and print it again.",
                device_id=self.id,
            )
        return after

    def _query(self, connection: Connection, first_within: float | None = None) -> PrinterStatus:
        """DLE EOT 1-4; the first answer may take `first_within` seconds (the printer still
        printing what came before), the others `status_timeout`."""
        if not connection.can_read_status:
            return PrinterStatus(reachable=True)
        replies: dict[StatusQuery, int] = {}
        for query in StatusQuery:
            timeout = first_within if first_within is not None and not replies else self.config.status_timeout
            reply = connection.read_status(query, timeout)
            if reply is None:
                # A printer that ignored one query will ignore the rest: don't wait 4x.
                break
            replies[query] = reply
        return PrinterStatus.from_replies(replies)

    def _refuse_unless_ready(self, status: PrinterStatus) -> None:
        if not status.answered:
            return
        reasons = set(status.reasons)
        nothing = "Nothing was printed."
        if "paper_out" in reasons:
            raise PaperOut(f"printer {self.id!r} is out of paper: load a new roll. {nothing}", device_id=self.id)
        if "cover_open" in reasons:
            raise CoverOpen(f"printer {self.id!r} has its cover open: close it. {nothing}", device_id=self.id)
        if status.errors and set(status.errors) != {"recoverable_error"}:
            raise PrinterFault(f"{status.describe(f'printer {self.id!r}')} {nothing}", device_id=self.id)
        if status.online is False:
            raise PrinterOffline(f"printer {self.id!r} is offline. {nothing}", device_id=self.id)


def _readable(descriptors: list[int], timeout: float) -> list[int]:
    readable, _, _ = select.select(descriptors, [], [], timeout)
    return readable
