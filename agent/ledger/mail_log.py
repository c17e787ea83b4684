"""The mail log: every weighed item the staff confirmed, for the day's postage total.

Each item's `mail_recorded` ledger record is staged with it (agent/ledger/staged.py)."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.agent.ledger.staged import StagedLedger
from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract
from frontdesk.contract.durable import open_durable

FILE_NAME = "mail-log.db"  # in [agent] data_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_item (
    id            INTEGER PRIMARY KEY,
    request_id    TEXT UNIQUE,
    recorded_at   TEXT NOT NULL,
    weight_grams  TEXT NOT NULL,
    mail_class    TEXT NOT NULL,
    destination   TEXT NOT NULL,
    carrier       TEXT NOT NULL,
    price         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    staff         TEXT NOT NULL,
    scale_id      TEXT
);
CREATE INDEX IF NOT EXISTS mail_item_recorded_at ON mail_item (recorded_at);
"""


@dataclass(frozen=True)
class MailItem:
    weight_grams: Decimal
    mail_class: str
    destination: str
    carrier: str
    price: Decimal
    currency: str
    staff: str
    scale_id: str | None = None


@dataclass(frozen=True)
class RecordedMail:
    id: int
    recorded_at: datetime
    item: MailItem
    duplicate: bool = False  # the request_id had been recorded before


@dataclass(frozen=True)
class PostageTotals:
    day: date
    count: int
    # Per currency: an office may post with two carriers in two currencies.
    totals: dict[str, Decimal]
    by_class: dict[str, int]


class MailLog:
    def __init__(self, path: Path) -> None:
        self._db = open_durable(path, SCHEMA, shared=True)
        self._lock = threading.Lock()
        self.ledger = StagedLedger(self._db, self._lock)

    def record(self, item: MailItem, request_id: str | None = None, at: datetime | None = None) -> RecordedMail:
        """Store one item; the same request_id twice records it once."""
        if not item.staff.strip():
            raise ValueError("say who posted the item (staff)")
        if item.weight_grams <= 0 or item.price < 0:
            raise ValueError("weight must be positive and price not negative")
        moment = (at or clock.now()).astimezone(timezone.utc)
        values = (request_id, _stamp(moment), str(item.weight_grams), item.mail_class, item.destination,
                  item.carrier, str(item.price), item.currency, item.staff, item.scale_id)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    "INSERT INTO mail_item (request_id, recorded_at, weight_grams, mail_class, destination,"
                    " carrier, price, currency, staff, scale_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                recorded = RecordedMail(cursor.lastrowid, moment, item)
                self.ledger.stage(_ledger_record(recorded))
                self._db.execute("COMMIT")
                return recorded
            except sqlite3.IntegrityError:
                self._db.execute("ROLLBACK")
                row = self._db.execute("SELECT * FROM mail_item WHERE request_id = ?", (request_id,)).fetchone()
                return dataclasses.replace(_recorded(row), duplicate=True)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def items_on(self, day: date, zone: ZoneInfo) -> list[RecordedMail]:
        start = datetime.combine(day, time.min, zone).astimezone(timezone.utc)
        end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(timezone.utc)
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM mail_item WHERE recorded_at >= ? AND recorded_at < ? ORDER BY id",
                (_stamp(start), _stamp(end)),
            ).fetchall()
        return [_recorded(row) for row in rows]

    def totals_on(self, day: date, zone: ZoneInfo) -> PostageTotals:
        items = self.items_on(day, zone)
        totals: dict[str, Decimal] = {}
        by_class: dict[str, int] = {}
        for entry in items:
            totals[entry.item.currency] = totals.get(entry.item.currency, Decimal(0)) + entry.item.price
            by_class[entry.item.mail_class] = by_class.get(entry.item.mail_class, 0) + 1
        return PostageTotals(day, len(items), totals, by_class)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _ledger_record(entry: RecordedMail) -> dict:
    """What the manager learns of a mail item: never who posted it."""
    item = entry.item
    return contract.event("mail_recorded", entry=str(entry.id), carrier=item.carrier, mail_class=item.mail_class,
                          destination=item.destination, grams=float(item.weight_grams), price=str(item.price),
                          currency=item.currency)


def _stamp(moment: datetime) -> str:
    """UTC, always with microseconds, so that the text sorts as the times do."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _recorded(row: sqlite3.Row) -> RecordedMail:
    item = MailItem(
        weight_grams=Decimal(row["weight_grams"]),
        mail_class=row["mail_class"],
        destination=row["destination"],
        carrier=row["carrier"],
        price=Decimal(row["price"]),
        currency=row["currency"],
        staff=row["staff"],
        scale_id=row["scale_id"],
    )
    return RecordedMail(row["id"], datetime.fromisoformat(row["recorded_at"]), item)
