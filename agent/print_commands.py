"""The printer's commands, and the replies that wait for a printout.

A print command stores its job in the printer's lane (so jobs keep the order their
requests came in) and leaves the lane at once: the reply waits for the printout in
`PrintReplies`, off every lane, so a print waiting for paper holds up nothing but
its own reply.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from frontdesk.agent.ledger.print_jobs import DONE, PrintJob, PrintJobs
from frontdesk.agent.print_requests import receipt_record, stored
from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract


@dataclass(frozen=True)
class PendingPrint:
    """A stored job whose reply waits up to `wait` s for its printout."""

    jobs: PrintJobs
    job_id: int
    wait: float
    duplicate: bool

    def reply(self, job: PrintJob) -> dict[str, Any]:
        return {**job.as_dict(), "duplicate": self.duplicate}


def submit_print(commands, request, supervisor, kind: str) -> PendingPrint:
    """Stored durably first (a receipt with its number and ledger record), then printed in order."""
    if kind == "drawer" and supervisor.device.config.drawer_pin is None:
        from frontdesk.agent.commands import CommandError

        raise CommandError(contract.INVALID_REQUEST, f"printer {supervisor.device.id!r} has no cash drawer")
    document = stored(request, clock.now())
    record = None if kind != "receipt" else (
        lambda number: contract.event("receipt_issued", **receipt_record(document, number, commands.office)))
    job, new = supervisor.submit(kind, document, request.request_id, ledger=record)
    commands.relay(supervisor.jobs)
    return PendingPrint(supervisor.jobs, job.id, request.wait, duplicate=not new)


def printer_status(commands, request, supervisor) -> dict[str, Any]:
    printer = supervisor.device
    status = supervisor.check()
    return {**status.as_dict(), "printer": printer.id, "address": printer.config.address,
            "columns": printer.columns, "message": status.describe(f"Printer {printer.id!r} ({printer.config.address})")}


def printer_test(commands, request, supervisor) -> dict[str, Any]:
    from frontdesk.devices.printer.samples import sample_badge, sample_receipt

    document = sample_badge(request.badge, request.language) if request.badge else sample_receipt(request.language)
    result = supervisor.use(lambda printer: printer.print_document(document))
    return {"printer": result.printer_id, "bytes": result.bytes_sent, "confirmed": result.confirmed,
            "columns": supervisor.device.columns, "document": "badge" if request.badge else "receipt"}


def forget_jobs(commands, request, device) -> dict[str, Any]:
    """Withdraw and scrub (agent/ledger/personal_data.py)."""
    jobs = commands.print_jobs
    return {"withdrawn": jobs.forget(request.request_ids) if jobs is not None else 0}


class PrintReplies:
    """One thread that answers every waiting print request: when its job is printed or
    failed, or when its `wait` is up, whichever comes first. It sleeps on the queue's
    change notification, never polls."""

    def __init__(self, jobs: PrintJobs) -> None:
        self._jobs = jobs
        self._waiting: list[tuple[float, PendingPrint, Callable[[PrintJob], None]]] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="print-replies", daemon=True)
        self._thread.start()

    def add(self, pending: PendingPrint, answer: Callable[[PrintJob], None]) -> None:
        with self._jobs.changed:
            self._waiting.append((time.monotonic() + pending.wait, pending, answer))
            self._jobs.changed.notify_all()

    def stop(self) -> None:
        with self._jobs.changed:
            self._stopping = True
            self._jobs.changed.notify_all()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._jobs.changed:
                due = self._take_due()
                if not due:
                    if self._stopping:
                        return
                    nearest = min((deadline for deadline, _, _ in self._waiting), default=None)
                    self._jobs.changed.wait(None if nearest is None else max(0.0, nearest - time.monotonic()))
                    continue
            for job, answer in due:  # outside the lock: answering publishes
                answer(job)

    def _take_due(self) -> list[tuple[PrintJob, Callable[[PrintJob], None]]]:
        now, due, still = time.monotonic(), [], []
        for deadline, pending, answer in self._waiting:
            job = self._jobs.get(pending.job_id)
            if job.state in DONE or now >= deadline or self._stopping:
                due.append((job, answer))
            else:
                still.append((deadline, pending, answer))
        self._waiting = still
        return due
