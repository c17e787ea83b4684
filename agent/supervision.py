"""One supervisor per device: it alone talks to its device, on a thread of its own.

Each keeps its device's health up to date through a `HealthTracker`, never lets
a failing device stop the others, and runs the commands that need the device
(status, tare, ...) in turn with its own work, so two callers never share a port.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from frontdesk.agent.health import HealthTracker
from frontdesk.agent.ledger.print_jobs import PrintJob, PrintJobs
from frontdesk.agent.print_requests import badge_from, listing_from, receipt_from
from frontdesk.devices.printer import PrinterError, ReceiptPrinter
from frontdesk.devices.printer.documents import Badge, Listing, Receipt, interrupted_notice
from frontdesk.devices.printer.status import PrinterStatus
from frontdesk.devices.queues import PrintQueue, QueueProblem, QueueState, QueueWatcher
from frontdesk.devices.scale import Scale, ScaleOffline, ScaleProblem, ScaleReading

T = TypeVar("T")
log = logging.getLogger("frontdesk.agent.supervision")
# Unexpected faults (not the printer's state) a job may have before it is failed.
MAX_FAULTS = 3


class PrinterSupervisor:
    """Prints the durable jobs in order and follows the printer's status.

    Between jobs a printer that answers status is watched on a kept-open line
    (ReceiptPrinter.watch_status): with Automatic Status Back a fault is reported
    the moment it happens and the line is checked every `interval` seconds; one
    that does not report by itself is asked every `status_poll` of its config.
    One that cannot be read (unreachable, silent, a file) is tried every
    `interval` seconds. A new job, a command or `stop` ends the watch at once:
    many printers take one connection at a time.
    """

    kind = "printer"

    def __init__(
        self, printer: ReceiptPrinter, tracker: HealthTracker, jobs: PrintJobs,
        announce: Callable[[str, dict[str, Any]], None], interval: float = 30.0,
    ) -> None:
        self.device, self.tracker, self.jobs, self.interval = printer, tracker, jobs, interval
        self._announce = announce  # (event name, fields) on this printer's events topic
        self._lock = threading.Lock()  # a raw-TCP printer takes one connection at a time
        self._wake = threading.Event()
        self._interrupt_read, self._interrupt_write = os.pipe()  # ends a watch; select() can wait on it
        os.set_blocking(self._interrupt_write, False)
        os.set_blocking(self._interrupt_read, False)
        self._users = 0  # threads waiting for the printer
        self._users_changed = threading.Condition()

    @property
    def id(self) -> str:
        return self.device.id

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            status = self.check()
            # Print unless the printer is unreachable or says it cannot; one that
            # never answers status requests is tried (print_bytes then cannot confirm).
            if status.reachable and (status.ready or not status.answered):
                self._print_waiting()
            else:
                self._tell_waiting(status)
            if status.answered and self.device.can_watch_status:
                self._watch(stop)
            else:
                self._wake.wait(self.interval)

    def wake(self) -> None:
        self._wake.set()
        self._interrupt()

    def _watch(self, stop: threading.Event) -> None:
        with self._users_changed:
            self._users_changed.wait_for(lambda: self._users == 0)
        self._drain_interrupts()  # left by this thread's own use of the printer
        with self._lock:
            if self._wake.is_set() or stop.is_set() or self._users:
                return
            try:
                self.device.watch_status(self._reported, self._interrupt_read, self.interval)
            except PrinterError:
                pass  # the check that follows reports it
        self._drain_interrupts()

    def _reported(self, status: PrinterStatus) -> None:
        """A report during a watch: a printer ready again ends it if jobs wait."""
        self._report(status)
        if status.ready and self.jobs.next_waiting(self.device.id) is not None:
            self.wake()

    def _interrupt(self) -> None:
        try:
            os.write(self._interrupt_write, b"!")
        except BlockingIOError:
            pass  # already pending

    def _drain_interrupts(self) -> None:
        try:
            while os.read(self._interrupt_read, 64):
                pass
        except BlockingIOError:
            pass

    def submit(self, kind: str, request: dict[str, Any], request_id: str | None,
               ledger: Callable[[str], dict[str, Any]] | None = None) -> tuple[PrintJob, bool]:
        job, new = self.jobs.add(self.device.id, kind, request, request_id, ledger)
        self.wake()
        return job, new

    def _print_waiting(self) -> None:
        while (job := self.jobs.next_waiting(self.device.id)) is not None:
            if not self._print(job):
                return

    def _tell_waiting(self, status: PrinterStatus) -> None:
        """Jobs that cannot print now say why (`last_error`), and each is announced once per
        reason as `job_waiting`: the requester's reply and the manager both learn of it."""
        why = status.describe(f"printer {self.device.id!r}")
        for job in self.jobs.waiting(self.device.id):
            if job.last_error != why:
                self.jobs.note_waiting(job.id, why)
                self._announce("job_waiting", {**job.as_dict(), "last_error": why, "reason": status.reasons[0]})

    def _print(self, job: PrintJob) -> bool:
        """One job; its state follows the paper (see agent/ledger/print_jobs.py).

        Returns whether the queue may go on. A job that can never print (its document does
        not render, or it keeps failing for a reason that is not the printer's state) is
        `failed` and the queue goes on; a printer fault leaves it waiting, first in line:
        `uncertain` if the fault came once bytes had gone out (announced as job_uncertain),
        then it is voided on paper and printed again at the next chance."""
        try:
            body, cut = (b"", self.device.drawer_kick()) if job.kind == "drawer" else self.device.render_parts(
                _document(job))
        except Exception as error:  # noqa: BLE001 - no printer state will ever make it render
            self._fail(job, f"the document cannot be laid out: {error}")
            return True
        try:
            if job.kind == "drawer":
                self.use(lambda printer: printer.print_bytes(cut, on_start=lambda: self.jobs.mark(job.id, "sending")))
            elif job.state == "sent":  # its body is confirmed on paper; only its cut is owed
                self.use(lambda printer: printer.print_bytes(cut))
            else:
                self.use(lambda printer: self._send(printer, job, body, cut))
        except PrinterError as error:
            unconfirmed = self._requeue(job, str(error))
            self._announce("job_uncertain" if unconfirmed else "job_waiting",
                           {**self.jobs.get(job.id).as_dict(), "reason": error.reason})
            return False
        except Exception as error:  # noqa: BLE001 - a fault of ours must not stop the queue for good
            log.exception("printing job %d on %s failed", job.id, self.device.id)
            self._requeue(job, None)
            if self.jobs.count_fault(job.id, f"{type(error).__name__}: {error}") >= MAX_FAULTS:
                self._fail(job, f"it failed {MAX_FAULTS} times: {type(error).__name__}: {error}")
                return True
            return False
        self.jobs.mark(job.id, "printed")
        self._announce("job_completed", self.jobs.get(job.id).as_dict())
        return True

    def _requeue(self, job: PrintJob, error: str | None) -> bool:
        """Back in line after a failed attempt; True if it is `uncertain` because of this attempt.

        Caught `sending`, the paper may hold the uncut body or part of it; `sent`, the printer
        confirmed the body and only the cut is owed; otherwise this attempt sent nothing."""
        state = self.jobs.get(job.id).state
        self.jobs.mark(job.id, "uncertain" if state == "sending" else state, error)
        return state == "sending"

    def _fail(self, job: PrintJob, reason: str) -> None:
        self.jobs.fail(job.id, reason)
        log.error("print job %d (%s%s) on %s failed and was taken off the queue: %s", job.id, job.kind,
                  f" {job.receipt_number}" if job.receipt_number else "", self.device.id, reason)
        self._announce("job_failed", {**job.as_dict(), "state": "failed", "reason": "unprintable",
                                      "last_error": reason})

    def _send(self, printer: ReceiptPrinter, job: PrintJob, body: bytes, cut: bytes) -> None:
        if job.attempts:  # an earlier attempt may have left part of it on the paper: void that first
            body = printer.render(interrupted_notice(printer.office, job.request.get("language"))) + body
        printer.print_bytes(body, on_start=lambda: self.jobs.mark(job.id, "sending"),
                            on_sent=lambda: self.jobs.mark(job.id, "sent"), finish=cut)

    def check(self) -> PrinterStatus:
        status = self.use(lambda printer: printer.status())
        self._report(status)
        return status

    def _report(self, status: PrinterStatus) -> None:
        self.tracker.report(status.health, status.reasons, paper=status.paper, online=status.online,
                            cover_open=status.cover_open, columns=self.device.columns)

    def use(self, action: Callable[[ReceiptPrinter], T]) -> T:
        """Run `action` with the printer to itself, ending a status watch first."""
        with self._users_changed:
            self._users += 1
        self._interrupt()
        try:
            with self._lock:
                return action(self.device)
        finally:
            with self._users_changed:
                self._users -= 1
                self._users_changed.notify_all()


def _document(job: PrintJob):
    """The job's document; marked as a reprint after an attempt, which `_send` voids first."""
    document: Receipt | Listing | Badge
    if job.kind == "receipt":
        document = receipt_from(job.request, job.receipt_number)
    elif job.kind == "list":
        document = listing_from(job.request)
    else:
        document = badge_from(job.request)
    return dataclasses.replace(document, reprint=True) if job.attempts else document


# A weight left unchanged this long stops the live stream until it changes (see Scale.readings).
QUIET_AFTER = 5.0


class ScaleSupervisor:
    """Streams live readings while the weight moves; commands interrupt briefly and it resumes."""

    kind = "scale"

    def __init__(
        self, scale: Scale, tracker: HealthTracker, publish_weight: Callable[[dict[str, Any]], None],
        min_interval: float = 0.1,
    ) -> None:
        self.device, self.tracker = scale, tracker
        self._publish_weight, self._min_interval = publish_weight, min_interval
        self._pending: queue.Queue = queue.Queue()
        self._latest: ScaleReading | None = None
        self._fresh = threading.Condition()
        self._published: tuple | None = None
        self._published_at = 0.0
        self._wake = threading.Event()

    @property
    def id(self) -> str:
        return self.device.id

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            readings = self.device.readings(stop, quiet_after=QUIET_AFTER, wake=self._wake)
            try:
                for event in readings:
                    self._take(event)
                    if not self._pending.empty():
                        break
            finally:
                readings.close()  # leaves streaming mode before a command uses the line
            self._run_pending()
        self.device.close()

    def use(self, action: Callable[[Scale], T], timeout: float = 10.0) -> T:
        if self.tracker.health == "offline":
            raise ScaleOffline(f"scale {self.device.id!r} is offline", device_id=self.device.id)
        job: concurrent.futures.Future = concurrent.futures.Future()
        self._pending.put((action, job))
        self._wake.set()
        return job.result(timeout=timeout)

    def latest(self, stable: bool, timeout: float) -> ScaleReading | None:
        """The newest reading (a stable one if asked), waiting up to `timeout` for it."""
        with self._fresh:
            self._fresh.wait_for(lambda: self._latest is not None and (self._latest.stable or not stable), timeout)
            return self._latest

    def _take(self, event: ScaleReading | ScaleProblem) -> None:
        if isinstance(event, ScaleProblem):
            self.tracker.report("offline", (event.reason,), message=event.message)
            return
        with self._fresh:
            self._latest = event
            self._fresh.notify_all()
        health = "ok" if event.condition == "ok" else "warning"
        self.tracker.report(health, () if event.condition == "ok" else (event.condition,), unit=event.unit)
        shown = (event.value, event.stable, event.condition)
        now = time.monotonic()
        if shown != self._published and now - self._published_at >= self._min_interval:
            self._published, self._published_at = shown, now
            self._publish_weight(event.as_dict())

    def _run_pending(self) -> None:
        while not self._pending.empty():
            action, job = self._pending.get()
            try:
                job.set_result(action(self.device))
            except Exception as error:  # noqa: BLE001 - handed to the caller
                job.set_exception(error)


class QueueSupervisor:
    """Turns the CUPS watcher's snapshots of every queue into health reports."""

    def __init__(self, queues: list[PrintQueue], trackers: dict[str, HealthTracker], watcher_options: dict) -> None:
        self.queues = {q.id: q for q in queues}
        self.trackers = trackers
        self.watcher = QueueWatcher(queues, queues[0].client, self._changed, **watcher_options)

    def run(self, stop: threading.Event) -> None:
        self.watcher.run(stop)

    def _changed(self, change: QueueState | QueueProblem) -> None:
        tracker = self.trackers[change.queue_id]
        if isinstance(change, QueueProblem):
            tracker.report("offline", (change.reason,), message=change.message)
            return
        active = change.active_job
        tracker.report(change.health, change.problems, state=change.state, accepting=change.accepting,
                       message=change.message, jobs_waiting=change.jobs_waiting, jobs_held=change.jobs_held,
                       active_job=active.as_dict() if active else None,
                       supplies=_supplies(change.supplies))


def _supplies(supplies) -> list[dict[str, Any]]:
    """As the state carries them: each with its stable id (devices/queues/supplies.py) and thresholds."""
    from frontdesk.devices.queues.supplies import supply_ids

    return [{"id": supply_id, "name": s.name, "level": s.level, "kind": s.kind, "color": s.color,
             "low_level": s.low_level, "high_level": s.high_level}
            for supply_id, s in zip(supply_ids(supplies), supplies)]
