"""Durable print jobs and gapless receipt numbers (SQLite, WAL, synchronous=FULL).

A job is stored before the request is acknowledged, so nothing acknowledged is
lost. Its state says how far it got, which is what a restart needs to know:

    queued -> sending -> sent -> printed
              (body going out) (the printer has the whole body; the cut follows)

A job's cut is sent only after the printer has confirmed the body and `sent` is
on disk, so a crash at any moment leaves exactly one valid printout:
* in `sending`, the paper holds at most an uncut part: the job goes back to
  `queued`, and because it has an attempt behind it, the printer first prints
  "INTERRUPTED - NOT VALID" and cuts (voiding that part), then the whole job;
* in `sent`, the body is on paper: only the cut is sent (a crash after the cut
  but before `printed` costs one blank cut, never a second receipt).
A failed attempt (paper out, printer unplugged mid-job) is handled the same way.
A request_id seen before returns the job it made, so a repeated request prints nothing new.
Receipt numbers are allocated in the same transaction as their job: gapless,
and never reused, even if the printing fails.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract import clock
from contract.durable import open_durable

SCHEMA = """
CREATE TABLE IF NOT EXISTS print_job (
    id              INTEGER PRIMARY KEY,
    request_id      TEXT UNIQUE,
    printer_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    request         TEXT NOT NULL,
    receipt_number  TEXT UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'printed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
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
        self._db = open_durable(path, SCHEMA, shared=True)
        self._lock = threading.RLock()
        self.changed = threading.Condition(self._lock)

    def add(self, printer_id: str, kind: str, request: dict[str, Any], request_id: str | None) -> tuple[PrintJob, bool]:
        """Store a job (numbering a receipt); returns (job, True) or (the earlier job, False) for a known request_id."""
        with self._lock:
            return self._add(printer_id, kind, request, request_id)

    def _add(self, printer_id: str, kind: str, request: dict[str, Any], request_id: str | None) -> tuple[PrintJob, bool]:
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
            self._db.execute("COMMIT")
        except sqlite3.IntegrityError:
            self._db.execute("ROLLBACK")  # the same request_id, raced in by another client
            return self._by_request(request_id), False
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self.get(cursor.lastrowid), True

    def next_waiting(self, printer_id: str) -> PrintJob | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM print_job WHERE printer_id = ? AND state IN ('queued', 'sending', 'sent')"
                " ORDER BY id LIMIT 1",
                (printer_id,),
            ).fetchone()
        return _job(row) if row else None

    def mark(self, job_id: int, state: str, error: str | None = None) -> None:
        printed = clock.now().isoformat() if state == "printed" else None
        attempt = 1 if state == "sending" else 0
        with self._lock:
            self._db.execute(
                "UPDATE print_job SET state = ?, attempts = attempts + ?, last_error = COALESCE(?, last_error),"
                " printed_at = COALESCE(?, printed_at) WHERE id = ?",
                (state, attempt, error, printed, job_id),
            )
            self.changed.notify_all()

    def recover(self) -> int:
        """After a crash: half-sent jobs are sent again; `sent` ones wait for their cut."""
        with self._lock:
            return self._db.execute("UPDATE print_job SET state = 'queued' WHERE state = 'sending'").rowcount

    def get(self, job_id: int) -> PrintJob:
        with self._lock:
            return _job(self._db.execute("SELECT * FROM print_job WHERE id = ?", (job_id,)).fetchone())

    def wait_until_printed(self, job_id: int, timeout: float) -> PrintJob:
        with self.changed:
            self.changed.wait_for(lambda: self.get(job_id).state == "printed", timeout)
            return self.get(job_id)

    def close(self) -> None:
        self._db.close()

    def _by_request(self, request_id: str) -> PrintJob | None:
        row = self._db.execute("SELECT * FROM print_job WHERE request_id = ?", (request_id,)).fetchone()
        return _job(row) if row else None

    def _next_receipt_number(self, year: int) -> str:
        self._db.execute("INSERT OR IGNORE INTO receipt_series (year, last) VALUES (?, 0)", (year,))
        self._db.execute("UPDATE receipt_series SET last = last + 1 WHERE year = ?", (year,))
        (last,) = self._db.execute("SELECT last FROM receipt_series WHERE year = ?", (year,)).fetchone()
        return f"{year}-{last:06d}"


def _job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(row["id"], row["request_id"], row["printer_id"], row["kind"], json.loads(row["request"]),
                    row["receipt_number"], row["state"], row["attempts"], row["last_error"])
