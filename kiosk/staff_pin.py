"""The staff PIN: a salted scrypt hash in the config, and a lock-out that survives restarts.

A four- to eight-digit PIN has few possibilities, so the hash alone does not
protect it: the lock-out after `pin_attempts` failures does. Failures are kept in
SQLite next to the visitor log, so pulling the kiosk's plug does not reset them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from frontdesk.contract import clock
from frontdesk.contract.durable import open_durable
from frontdesk.contract.secret_hash import check_secret_hash, hash_secret, secret_matches

MIN_PIN_LENGTH, MAX_PIN_LENGTH = 4, 12


def check_pin_format(pin: str) -> None:
    """ValueError unless the PIN is 4 to 12 digits (what a touch keypad offers)."""
    if not MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH:
        raise ValueError(f"the PIN must have {MIN_PIN_LENGTH} to {MAX_PIN_LENGTH} digits")
    if not pin.isdigit() or not pin.isascii():
        raise ValueError("the PIN must be digits only")


def hash_pin(pin: str) -> str:
    """The line to paste into `[kiosk] staff_pin_hash` (contract/secret_hash.py)."""
    check_pin_format(pin)
    return hash_secret(pin)


def pin_matches(pin: str, hashed: str) -> bool:
    return secret_matches(pin, hashed)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    attempts_left: int
    locked_until: datetime | None


class StaffLock:
    """Checks PINs and counts failures; `attempts` failures in a row lock it for `lockout`."""

    def __init__(self, db_path: Path, hashed: str | None, attempts: int, lockout: timedelta) -> None:
        if hashed is not None:
            check_secret_hash(hashed, "frontdesk-kiosk set-pin")  # fail now, not at the first staff visit
        self._hashed, self._attempts, self._lockout = hashed, attempts, lockout
        self.enabled = hashed is not None
        self._db = open_durable(Path(db_path), "CREATE TABLE IF NOT EXISTS staff_lock (id INTEGER PRIMARY KEY"
                                " CHECK (id = 1), failures INTEGER NOT NULL, locked_until TEXT);", shared=True)
        self._db.execute("INSERT OR IGNORE INTO staff_lock VALUES (1, 0, NULL)")
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def check(self, pin: str, now: datetime | None = None) -> PinCheck:
        now = now or clock.now()
        with self._lock:
            failures, locked_until = self._load()
            if not self.enabled:
                return PinCheck(False, 0, None)  # no PIN configured: the staff area stays shut
            if locked_until is not None and now < locked_until:
                return PinCheck(False, 0, locked_until)  # the PIN is not even tested
            if locked_until is not None:
                failures, locked_until = 0, None  # the lock-out is over: a fresh set of attempts
            if pin_matches(pin, self._hashed):
                self._store(0, None)
                return PinCheck(True, self._attempts, None)
            failures += 1
            if failures >= self._attempts:
                locked_until = now + self._lockout
                self._store(0, locked_until)
                return PinCheck(False, 0, locked_until)
            self._store(failures, None)
            return PinCheck(False, self._attempts - failures, None)

    def _load(self) -> tuple[int, datetime | None]:
        failures, locked_until = self._db.execute("SELECT failures, locked_until FROM staff_lock").fetchone()
        return failures, datetime.fromisoformat(locked_until) if locked_until else None

    def _store(self, failures: int, locked_until: datetime | None) -> None:
        self._db.execute(
            "UPDATE staff_lock SET failures = ?, locked_until = ?",
            (failures, locked_until.isoformat() if locked_until else None),
        )
