"""Ledger records committed with what they record, then handed to the event outbox.

A receipt number and its `receipt_issued` record (a mail item and its `mail_recorded`)
must never exist one without the other. The event outbox is a file of its own
(contract/outbox.py), and SQLite commits one file at a time, so the record is first
written into the store's own file, in the same transaction as the job or the mail
item, and handed on from there:

    store transaction: job + number + staged record  (all or nothing)
    relay:             outbox.put(record), then forget the staged row

A crash before the relay leaves the staged row, which the next start hands on; a
crash between `put` and `forget` hands it on twice, with the same event id, which a
subscriber drops (the manager keys ledger records by it). None is ever lost.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_staged (
    id      INTEGER PRIMARY KEY,
    record  TEXT NOT NULL
);
"""

Record = dict[str, Any]


class StagedLedger:
    """The staged records of one store's SQLite file; `stage` only inside the store's transaction."""

    def __init__(self, db: sqlite3.Connection, db_lock: threading.RLock | threading.Lock) -> None:
        self._db, self._db_lock = db, db_lock
        self._db.executescript(SCHEMA)
        self._relaying = threading.Lock()  # one relay at a time: the same record is handed on once

    def stage(self, record: Record) -> None:
        self._db.execute("INSERT INTO ledger_staged (record) VALUES (?)", (json.dumps(record),))

    def relay(self, hand_on: Callable[[Record], None]) -> int:
        """Hand every staged record on, oldest first (`hand_on` must have stored it when it
        returns); returns how many."""
        with self._relaying:
            with self._db_lock:
                rows = self._db.execute("SELECT id, record FROM ledger_staged ORDER BY id").fetchall()
            for row_id, record in rows:
                hand_on(json.loads(record))
                with self._db_lock:
                    self._db.execute("DELETE FROM ledger_staged WHERE id = ?", (row_id,))
            return len(rows)

    def pending(self) -> int:
        with self._db_lock:
            return self._db.execute("SELECT COUNT(*) FROM ledger_staged").fetchone()[0]
