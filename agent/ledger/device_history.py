"""Every change of a device's health, kept on the Pi (SQLite, WAL, synchronous=FULL).

The manager keeps the office-wide history; this one lets staff see on the Pi
itself what a device went through (`frontdesk devices history`), even when the
broker or the manager was away. Rows older than KEEP_DAYS are dropped.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from frontdesk.contract import clock
from frontdesk.contract.durable import open_durable

FILE_NAME = "device-history.db"
KEEP_DAYS = 90

_SCHEMA = """
CREATE TABLE IF NOT EXISTS device_change (
    id       INTEGER PRIMARY KEY,
    device   TEXT NOT NULL,
    kind     TEXT NOT NULL,
    health   TEXT NOT NULL,
    reasons  TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS device_change_by_device ON device_change (device, id);
"""


@dataclass(frozen=True)
class DeviceChange:
    device: str
    kind: str
    health: str
    reasons: tuple[str, ...]
    at: datetime


class DeviceHistory:
    def __init__(self, path: Path) -> None:
        self._db = open_durable(path, _SCHEMA, shared=True)
        self._lock = threading.Lock()

    def record(self, device: str, kind: str, health: str, reasons: tuple[str, ...], at: datetime) -> None:
        with self._lock:
            self._db.execute("INSERT INTO device_change (device, kind, health, reasons, at) VALUES (?, ?, ?, ?, ?)",
                             (device, kind, health, json.dumps(list(reasons)), at.isoformat()))

    def recent(self, device: str | None = None, limit: int = 50) -> list[DeviceChange]:
        """The newest changes first."""
        where, args = ("WHERE device = ?", (device, limit)) if device else ("", (limit,))
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM device_change {where} ORDER BY id DESC LIMIT ?", args).fetchall()
        return [DeviceChange(r["device"], r["kind"], r["health"], tuple(json.loads(r["reasons"])),
                             datetime.fromisoformat(r["at"])) for r in rows]

    def devices(self) -> set[str]:
        """Every device with a change still kept, i.e. that published a state lately."""
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT DISTINCT device FROM device_change")}

    def forget_old(self, now: datetime | None = None) -> int:
        cutoff = (now or clock.now()) - timedelta(days=KEEP_DAYS)
        with self._lock:
            return self._db.execute("DELETE FROM device_change WHERE at < ?", (cutoff.isoformat(),)).rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
