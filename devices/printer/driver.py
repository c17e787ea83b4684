"""`ReceiptPrinter`: print documents, read status, kick the drawer; one per printer."""

from __future__ import annotations

import select
from dataclasses import dataclass
from collections.abc import Callable
from typing import Protocol

from contract.config import OfficeConfig, PrinterConfig
from devices.printer.blocks import Block, Cut
from devices.printer.compose import Composer
from devices.printer.connections import Connection, connection_for
from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterFault,
    PrinterOffline,
    PrinterUnreachable,
    PrintNotConfirmed,
)
from devices.printer.status import PrinterStatus, StatusQuery

NOT_READY_CHECK_SECONDS = 1.0
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
        printer has every byte of `data` (confirmed by a status answer when it
        gives one), before `finish` (the cut) is sent: a durable queue records
        both moments (see agent/ledger/print_jobs.py).
        """
        with self._connect(self.config) as connection:
            self._refuse_unless_ready(self._query(connection))
            if on_start is not None:
                on_start()
            connection.write(data)
            if finish:
                self._raise_unless_ready(self._query(connection))
            if on_sent is not None:
                on_sent()
            if finish:
                connection.write(finish)
            after = self._query(connection)
        self._raise_unless_ready(after)
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
        return self._connect(self.config).supports_status_back

    def watch_status(self, on_status: Callable[[PrinterStatus], None], interrupt: int, check_every: float) -> None:
        """Keep a line open with Automatic Status Back on, calling `on_status` with each report.

        Returns when `interrupt` (a file descriptor) becomes readable: someone needs
        the printer, which may take one connection at a time. With no report for
        `check_every` seconds the printer is asked, which also notices a line that
        died silently. Raises PrinterError when the line is lost.
        """
        with self._connect(self.config) as connection:
            connection.status_back(True)
            unanswered, ready = 1, False  # GS a sent since the last report; the printer's last word
            while True:
                # A printer that is not ready ignores GS a (offline, it takes only real-time
                # commands): until a report shows it took one, it is asked every second and sent
                # GS a again whenever it is ready. One that never reports is asked every check_every.
                fast = unanswered and (not ready or unanswered <= GS_A_TRIES)
                readable, _, _ = select.select([connection.fileno(), interrupt], [], [],
                                               min(check_every, NOT_READY_CHECK_SECONDS) if fast else check_every)
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
                    if status.ready:
                        connection.status_back(True)  # again: also after a power cycle, which resets it
                        unanswered += 1
                ready = status.ready
                on_status(status)

    def _raise_unless_ready(self, after: PrinterStatus) -> None:
        if after.answered and not after.ready:
            raise PrintNotConfirmed(
                f"printer {self.id!r} {after.describe('').strip()} The document may be "
                "incomplete; keep it and print it again once the printer is fixed.",
                device_id=self.id,
            )

    def _query(self, connection: Connection) -> PrinterStatus:
        if not connection.can_read_status:
            return PrinterStatus(reachable=True)
        replies: dict[StatusQuery, int] = {}
        for query in StatusQuery:
            reply = connection.read_status(query, self.config.status_timeout)
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
