"""Durable print jobs and gapless receipt numbers (SQLite, WAL, synchronous=FULL).

A job is stored before the request is acknowledged, so nothing acknowledged is
lost. Its state says how far it got, which is what a restart needs to know:

    queued -> sending -> sent -> printed
              (body going out) (the printer confirmed the whole body; the cut follows)
              sending -> uncertain -> sending  (the body, or part of it, went out unconfirmed)
    queued -> failed   (it cannot be printed, whatever the printer does: see `fail`)

A job is `printed` only once the printer confirmed its end: its status answer
after the cut. A printer that never answers status (a file, some models) cannot
confirm anything: its jobs are `printed` once sent.
A job's cut is sent only after the printer has confirmed the body and `sent` is
on disk, so a crash or a fault at any moment leaves exactly one valid printout:
* in `sending`, the paper holds at most the uncut body, or part of it: the job is
  `uncertain`. At the next chance, because it has an attempt behind it, the
  printer first prints "INTERRUPTED - NOT VALID" and cuts (voiding that part),
  then the whole job, marked as a reprint and with the same number. A reprint
  that is not confirmed either is voided and printed again the same way;
* in `sent`, the body is on paper: only the cut is sent, until the printer
  confirms it (at worst one blank cut, never a second receipt).
A crash (`recover`), a line lost mid-job, a printer switched off mid-job (no
answer after the body in time) and paper running out mid-job all end that way.
A request_id seen before returns the job it made, so a repeated request prints nothing new.
Receipt numbers are allocated in the same transaction as their job: gapless,
and never reused, even if the printing fails. The receipt's ledger record is
staged in that transaction too (agent/ledger/staged.py), so the books never miss
a number that was taken.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frontdesk.agent.ledger.personal_data import without_personal_data
from frontdesk.agent.ledger.staged import Record, StagedLedger
from frontdesk.contract import clock
from frontdesk.contract.durable import open_durable, truncate_wal

WAITING, DONE = ("queued", "sending", "sent", "uncertain"), ("printed", "failed")
SCHEMA_VERSION = 2  # 1: the `failed` state; 2: `uncertain`

SCHEMA = """
CREATE TABLE IF NOT EXISTS print_job (
    id              INTEGER PRIMARY KEY,
    request_id      TEXT UNIQUE,
    printer_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    request         TEXT NOT NULL,
    receipt_number  TEXT UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'uncertain', 'printed', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    faults          INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    printed_at      TEXT
);
CREATE INDEX IF NOT EXISTS print_job_waiting ON print_job (printer_id, state, id);
CREATE TABLE IF NOT EXISTS receipt_series (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class PrintJob:
    id: int
    request_id: str | None
    printer_id: str
    kind: str
    request: dict[str, Any]
    receipt_number: str | None
    state: str
    attempts: int
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"job": self.id, "request_id": self.request_id, "printer": self.printer_id, "kind": self.kind,
                "receipt_number": self.receipt_number, "state": self.state, "attempts": self.attempts,
                "last_error": self.last_error}


class PrintJobs:
    """Shared by the command worker (adding) and the printer supervisors (printing)."""

    def __init__(self, path: Path) -> None:
        self._db = open_durable(path, "", shared=True)
        _migrate(self._db)
        self._lock = threading.RLock()
        self.changed = threading.Condition(self._lock)
        self.ledger = StagedLedger(self._db, self._lock)

    def add(
        self, printer_id: str, kind: str, request: dict[str, Any], request_id: str | None,
        ledger: Callable[[str], Record] | None = None,
    ) -> tuple[PrintJob, bool]:
        """Store a job (numbering a receipt); returns (job, True) or (the earlier job, False) for a known request_id.

        `ledger(receipt number)` makes the receipt's ledger record, staged with the job."""
        with self._lock:
            return self._add(printer_id, kind, request, request_id, ledger)

    def _add(self, printer_id: str, kind: str, request: dict[str, Any], request_id: str | None,
             ledger: Callable[[str], Record] | None) -> tuple[PrintJob, bool]:
        if request_id is not None and (earlier := self._by_request(request_id)) is not None:
            return earlier, False
        now = clock.now()
        self._db.execute("BEGIN IMMEDIATE")
        try:
            number = self._next_receipt_number(now.year) if kind == "receipt" else None
            cursor = self._db.execute(
                "INSERT INTO print_job (request_id, printer_id, kind, request, receipt_number, state, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                (request_id, printer_id, kind, json.dumps(request), number, now.isoformat()),
            )
            if number is not None and ledger is not None:
                self.ledger.stage(ledger(number))
            self._db.execute("COMMIT")
        except sqlite3.IntegrityError:
            self._db.execute("ROLLBACK")  # the same request_id, raced in by another client
            return self._by_request(request_id), False
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self.get(cursor.lastrowid), True

    def next_waiting(self, printer_id: str) -> PrintJob | None:
        marks = ",".join("?" * len(WAITING))
        with self._lock:
            row = self._db.execute(
                f"SELECT * FROM print_job WHERE printer_id = ? AND state IN ({marks}) ORDER BY id LIMIT 1",
                (printer_id, *WAITING),
            ).fetchone()
        return _job(row) if row else None

    def waiting(self, printer_id: str) -> list[PrintJob]:
        """Every job still to print on this printer, in order."""
        marks = ",".join("?" * len(WAITING))
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM print_job WHERE printer_id = ? AND state IN ({marks}) ORDER BY id", (printer_id, *WAITING),
            ).fetchall()
        return [_job(row) for row in rows]

    def note_waiting(self, job_id: int, why: str) -> None:
        """Why the job cannot print now; its state stays as it is."""
        with self._lock:
            self._db.execute("UPDATE print_job SET last_error = ? WHERE id = ?", (why, job_id))
            self.changed.notify_all()

    def mark(self, job_id: int, state: str, error: str | None = None) -> None:
        printed = clock.now().isoformat() if state == "printed" else None
        attempt = 1 if state == "sending" else 0
        with self._lock:
            self._db.execute(
                "UPDATE print_job SET state = ?, attempts = attempts + ?, last_error = COALESCE(?, last_error),"
                " printed_at = COALESCE(?, printed_at) WHERE id = ?",
                (state, attempt, error, printed, job_id),
            )
            if state in DONE:
                self._scrub([job_id])
            self.changed.notify_all()

    def fail(self, job_id: int, reason: str) -> None:
        """The job cannot be printed (its document does not render, or it failed again and
        again): it leaves the queue so that the jobs behind it print."""
        with self._lock:
            self._db.execute("UPDATE print_job SET state = 'failed', last_error = ? WHERE id = ?", (reason, job_id))
            self._scrub([job_id])
            self.changed.notify_all()

    def count_fault(self, job_id: int, error: str) -> int:
        """An unexpected fault while printing the job; returns how many it has had."""
        with self._lock:
            self._db.execute("UPDATE print_job SET faults = faults + 1, last_error = ? WHERE id = ?", (error, job_id))
            return self._db.execute("SELECT faults FROM print_job WHERE id = ?", (job_id,)).fetchone()[0]

    def recover(self) -> int:
        """After a crash: half-sent jobs are `uncertain` (voided, then printed again); `sent` ones wait
        for their cut."""
        with self._lock:
            return self._db.execute("UPDATE print_job SET state = 'uncertain' WHERE state = 'sending'").rowcount

    def get(self, job_id: int) -> PrintJob:
        with self._lock:
            return _job(self._db.execute("SELECT * FROM print_job WHERE id = ?", (job_id,)).fetchone())

    def wait_until_done(self, job_id: int, timeout: float) -> PrintJob:
        """The job once printed or failed, or as it is after `timeout` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.get(job_id).state in DONE, timeout)
            return self.get(job_id)

    def close(self) -> None:
        self._db.close()

    # -- personal data (agent/ledger/personal_data.py) ---------------------------------------------

    def forget(self, request_ids: list[str]) -> int:
        """A visitor's erasure: their jobs still waiting are withdrawn (`failed`), and every job of
        theirs loses its personal fields. Returns how many jobs were withdrawn."""
        with self._lock:
            marks = ",".join("?" * len(request_ids))
            rows = self._db.execute(f"SELECT id, state FROM print_job WHERE request_id IN ({marks})",
                                    request_ids).fetchall() if request_ids else []
            waiting = [row["id"] for row in rows if row["state"] in WAITING]
            self._db.executemany("UPDATE print_job SET state = 'failed', last_error = ? WHERE id = ?",
                                 [("withdrawn: the visitor's data was erased", job_id) for job_id in waiting])
            self._scrub([row["id"] for row in rows])
            self.changed.notify_all()
        return len(waiting)

    def scrub_finished(self) -> int:
        """Personal fields out of every finished job (those an earlier version left); returns how many."""
        with self._lock:
            marks = ",".join("?" * len(DONE))
            ids = [row["id"] for row in self._db.execute(
                f"SELECT id FROM print_job WHERE state IN ({marks}) AND kind IN ('badge', 'list')"
                " AND json_extract(request, '$.scrubbed') IS NULL", DONE)]
            return self._scrub(ids)

    def _scrub(self, job_ids: list[int]) -> int:
        scrubbed = 0
        for job_id in job_ids:
            row = self._db.execute("SELECT kind, request FROM print_job WHERE id = ?", (job_id,)).fetchone()
            clean = without_personal_data(row["kind"], json.loads(row["request"])) if row else None
            if clean is not None:
                self._db.execute("UPDATE print_job SET request = ? WHERE id = ?", (json.dumps(clean), job_id))
                scrubbed += 1
        if scrubbed:
            truncate_wal(self._db)
        return scrubbed

    def _by_request(self, request_id: str) -> PrintJob | None:
        row = self._db.execute("SELECT * FROM print_job WHERE request_id = ?", (request_id,)).fetchone()
        return _job(row) if row else None

    def _next_receipt_number(self, year: int) -> str:
        self._db.execute("INSERT OR IGNORE INTO receipt_series (year, last) VALUES (?, 0)", (year,))
        self._db.execute("UPDATE receipt_series SET last = last + 1 WHERE year = ?", (year,))
        (last,) = self._db.execute("SELECT last FROM receipt_series WHERE year = ?", (year,)).fetchone()
        return f"{year}-{last:06d}"


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a print-jobs.db of any earlier version to SCHEMA_VERSION, keeping its jobs and numbers.

    SQLite cannot change a CHECK constraint in place: the table is copied into a new one."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'print_job'").fetchone():
            db.execute("ALTER TABLE print_job RENAME TO print_job_old")
            db.execute("DROP INDEX IF EXISTS print_job_waiting")
            _create(db)
            # Every column the old table has is kept; one it lacks (version 0 had no `faults`) takes its default.
            old = {row[1] for row in db.execute("PRAGMA table_info(print_job_old)")}
            columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(print_job)") if row[1] in old)
            db.execute(f"INSERT INTO print_job ({columns}) SELECT {columns} FROM print_job_old")
            db.execute("DROP TABLE print_job_old")
        else:
            _create(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _create(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


def _job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(row["id"], row["request_id"], row["printer_id"], row["kind"], json.loads(row["request"]),
                    row["receipt_number"], row["state"], row["attempts"], row["last_error"])
