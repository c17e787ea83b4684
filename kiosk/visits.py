"""The visitor log: the kiosk's own SQLite database (WAL, synchronous=FULL).

Sign-in must work while the agent or the broker is away, so the visit is written
here first and the badge is printed from it (badges_to_print) when it can be.
Erasing (retention, right to erasure) uses secure_delete and a WAL checkpoint so
names and signatures do not linger in free pages or the journal.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from frontdesk.contract import clock
from frontdesk.contract.config_base import LANGUAGES
from frontdesk.contract.durable import open_durable
from frontdesk.kiosk import visitor_export
from frontdesk.kiosk.names import INVITATION_CODE_LENGTH, SIGNOUT_CODE_LENGTH, fold, new_code, normalise_code

MAX_NAME = 120
MAX_FIELD = 1000  # the config's own max_length (<= 1000) is the UI's to enforce
MAX_SIGNATURE_BYTES = 2_000_000
# A badge not printed within this long is not worth printing any more: the visitor has gone.
BADGE_RELEVANCE = timedelta(hours=12)

SCHEMA = """
CREATE TABLE IF NOT EXISTS visits (
    id TEXT PRIMARY KEY, day TEXT NOT NULL, badge_number TEXT NOT NULL, signout_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, name_key TEXT NOT NULL, company TEXT, host TEXT, purpose TEXT,
    fields TEXT NOT NULL, language TEXT NOT NULL, signed_in_at TEXT NOT NULL, signed_out_at TEXT,
    badge_printed INTEGER NOT NULL DEFAULT 0, invitation_code TEXT, started_at TEXT, badge_printed_at TEXT);
CREATE INDEX IF NOT EXISTS visits_signed_in ON visits (signed_in_at);
CREATE INDEX IF NOT EXISTS visits_on_site ON visits (signed_out_at);
CREATE TABLE IF NOT EXISTS signatures (visit_id TEXT PRIMARY KEY, png BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS badge_days (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invitations (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL, company TEXT, host TEXT,
    valid_on TEXT NOT NULL, used_visit TEXT, created_at TEXT NOT NULL);
"""

# Columns added after the first release: a visitor log made by an older kiosk gets them when
# it is opened (ALTER TABLE ADD COLUMN); they stay NULL for the visits it already holds.
ADDED_COLUMNS = (("started_at", "TEXT"), ("badge_printed_at", "TEXT"))

VISIT_COLUMNS = ("id, badge_number, signout_code, name, company, host, purpose, fields, language, signed_in_at,"
                 " signed_out_at, badge_printed, invitation_code,"
                 " EXISTS (SELECT 1 FROM signatures WHERE visit_id = visits.id), started_at, badge_printed_at")


class InvitationError(ValueError):
    """The invitation code is unknown, already used, or not valid today."""


@dataclass(frozen=True)
class Visit:
    id: str  # uuid4 hex; also the print_badge request_id
    badge_number: str  # per-day sequence, e.g. "017"
    signout_code: str  # random; printed as a QR code on the badge
    name: str
    company: str | None
    host: str | None
    purpose: str | None
    fields: dict[str, str]
    language: str
    signed_in_at: datetime
    signed_out_at: datetime | None
    badge_printed: bool
    invitation_code: str | None
    has_signature: bool
    started_at: datetime | None = None  # the visitor left the welcome screen to sign in (None: not measured)
    badge_printed_at: datetime | None = None  # the badge was confirmed printed (None: not yet, or before this was kept)


@dataclass(frozen=True)
class Invitation:
    code: str
    name: str
    company: str | None
    host: str | None
    valid_on: date
    used_visit: str | None


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return clock.now()
    if moment.tzinfo is None:
        raise ValueError("times must carry a time zone")
    return moment.astimezone(timezone.utc)


def _stamp(moment: datetime) -> str:
    # One fixed format in UTC, so that text order is time order in SQL.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _optional(text: str | None, what: str) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > MAX_NAME:
        raise ValueError(f"{what} is longer than {MAX_NAME} characters")
    return text.strip()


def _moment(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp) if stamp else None


def _visit(row: tuple) -> Visit:
    (id_, badge, code, name, company, host, purpose, fields, language, signed_in, signed_out, printed,
     invitation, signed, started, badge_printed_at) = row
    return Visit(id_, badge, code, name, company, host, purpose, json.loads(fields), language,
                 datetime.fromisoformat(signed_in), _moment(signed_out), bool(printed), invitation, bool(signed),
                 _moment(started), _moment(badge_printed_at))


def _invitation(row: tuple) -> Invitation:
    code, name, company, host, valid_on, used = row
    return Invitation(code, name, company, host, date.fromisoformat(valid_on), used)


class VisitorLog:
    """Thread-safe (one connection behind a lock); every call is a short local transaction.

    `timezone` is the office's: it decides which day a badge number belongs to.
    """

    def __init__(self, path: Path, timezone: str = "UTC") -> None:
        self._zone = ZoneInfo(timezone)
        self._db = open_durable(Path(path), SCHEMA, shared=True)
        self._db.execute("PRAGMA secure_delete=ON")
        self._lock = threading.RLock()
        self._add_missing_columns()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _add_missing_columns(self) -> None:
        """Upgrade a visitor log made by an older kiosk (see ADDED_COLUMNS)."""
        with self._write() as db:  # checked inside the write lock: another process may be upgrading too
            present = {row[1] for row in db.execute("PRAGMA table_info(visits)")}
            for name, declaration in ADDED_COLUMNS:
                if name not in present:
                    db.execute(f"ALTER TABLE visits ADD COLUMN {name} {declaration}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _select(self, where: str, params: tuple = ()) -> list[Visit]:
        with self._lock:
            rows = self._db.execute(f"SELECT {VISIT_COLUMNS} FROM visits WHERE {where}", params).fetchall()
        return [_visit(row) for row in rows]

    def _day(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).date().isoformat()

    # -- signing in and out ------------------------------------------------------------------

    def sign_in(self, *, name: str, company: str | None = None, host: str | None = None,
                purpose: str | None = None, language: str, fields: dict[str, str] | None = None,
                signature_png: bytes | None = None, invitation_code: str | None = None,
                started_at: datetime | None = None, now: datetime | None = None) -> Visit:
        """Record a visit; ValueError for bad input, InvitationError for an unusable invitation.

        `started_at`: when the visitor left the welcome screen to sign in (for the desk's
        waiting figures); None when not measured."""
        name = (name or "").strip()
        if not name or len(name) > MAX_NAME:
            raise ValueError(f"the visitor's name must have 1 to {MAX_NAME} characters")
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
        if signature_png is not None and not signature_png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("the signature must be a PNG image")
        if signature_png is not None and len(signature_png) > MAX_SIGNATURE_BYTES:
            raise ValueError("the signature image is too large")
        clean_fields = {str(key): str(value).strip() for key, value in (fields or {}).items()}
        if any(len(value) > MAX_FIELD for value in clean_fields.values()):
            raise ValueError(f"a further field is longer than {MAX_FIELD} characters")
        now = _utc(now)
        if started_at is not None and _utc(started_at) > now:
            raise ValueError("started_at is after the sign-in")
        day = self._day(now)
        visit_id = uuid.uuid4().hex
        with self._write() as db:
            code = self._use_invitation(db, invitation_code, visit_id, day) if invitation_code else None
            last = db.execute("SELECT last FROM badge_days WHERE day = ?", (day,)).fetchone()
            number = (last[0] if last else 0) + 1
            db.execute("INSERT OR REPLACE INTO badge_days VALUES (?, ?)", (day, number))
            db.execute(
                "INSERT INTO visits (id, day, badge_number, signout_code, name, name_key, company, host, purpose,"
                " fields, language, signed_in_at, invitation_code, started_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (visit_id, day, f"{number:03d}", new_code(SIGNOUT_CODE_LENGTH), name, fold(name),
                 _optional(company, "the company"), _optional(host, "the host"), _optional(purpose, "the purpose"),
                 json.dumps(clean_fields, ensure_ascii=False), language, _stamp(now), code,
                 _stamp(_utc(started_at)) if started_at is not None else None),
            )
            if signature_png is not None:
                db.execute("INSERT INTO signatures VALUES (?, ?)", (visit_id, signature_png))
        return self.get(visit_id)

    def _use_invitation(self, db: sqlite3.Connection, typed: str, visit_id: str, day: str) -> str:
        code = normalise_code(typed)
        # One UPDATE both checks and claims, so two kiosks cannot use one invitation twice.
        claimed = db.execute(
            "UPDATE invitations SET used_visit = ? WHERE code = ? AND valid_on = ? AND used_visit IS NULL",
            (visit_id, code, day),
        ).rowcount
        if not claimed:
            raise InvitationError(f"invitation {code!r} is unknown, already used or not valid today")
        return code

    def sign_out(self, code: str, now: datetime | None = None) -> Visit | None:
        """Sign out by sign-out code (case and spaces ignored) or by today's badge number."""
        typed = normalise_code(code or "")
        if not typed:
            return None
        now = _utc(now)
        on_site = "signed_out_at IS NULL AND "
        found = self._select(on_site + "signout_code = ?", (typed,))
        if not found and typed.isdigit() and len(typed) <= 6:
            found = self._select(on_site + "day = ? AND badge_number = ?", (self._day(now), f"{int(typed):03d}"))
        return self.sign_out_visit(found[0].id, now) if found else None

    def sign_out_visit(self, visit_id: str, now: datetime | None = None) -> Visit | None:
        """Sign out one visit; None if it is unknown or already signed out."""
        with self._write() as db:
            changed = db.execute(
                "UPDATE visits SET signed_out_at = ? WHERE id = ? AND signed_out_at IS NULL",
                (_stamp(_utc(now)), visit_id),
            ).rowcount
        return self.get(visit_id) if changed else None

    # -- reading --------------------------------------------------------------------------------

    def get(self, visit_id: str) -> Visit | None:
        found = self._select("id = ?", (visit_id,))
        return found[0] if found else None

    def signature(self, visit_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT png FROM signatures WHERE visit_id = ?", (visit_id,)).fetchone()
        return bytes(row[0]) if row else None

    def on_site(self) -> list[Visit]:
        """Who is in the building now, by name: the evacuation list."""
        return sorted(self._select("signed_out_at IS NULL"), key=lambda v: (fold(v.name), v.signed_in_at))

    def find_on_site(self, text: str) -> list[Visit]:
        wanted = fold(text or "")
        if not wanted:
            return []
        return [visit for visit in self.on_site() if wanted in fold(visit.name)]

    def visits_between(self, start: datetime, end: datetime) -> list[Visit]:
        """Visits signed in at start <= t < end, oldest first."""
        return self._select("signed_in_at >= ? AND signed_in_at < ? ORDER BY signed_in_at",
                            (_stamp(_utc(start)), _stamp(_utc(end))))

    # -- badges ---------------------------------------------------------------------------------

    def badges_to_print(self, now: datetime | None = None) -> list[Visit]:
        """Unprinted badges of visitors still on site who signed in within BADGE_RELEVANCE."""
        since = _stamp(_utc(now) - BADGE_RELEVANCE)
        return self._select("badge_printed = 0 AND signed_out_at IS NULL AND signed_in_at >= ?"
                            " ORDER BY signed_in_at", (since,))

    def mark_badge_printed(self, visit_id: str, printed_at: datetime | None = None) -> Visit | None:
        """Record the badge as printed; the visit the first time, None when it already was
        (the kiosk hears of one printout up to three ways, and announces it once)."""
        with self._write() as db:
            changed = db.execute("UPDATE visits SET badge_printed = 1, badge_printed_at = ? WHERE id = ?"
                                 " AND badge_printed = 0", (_stamp(_utc(printed_at)), visit_id)).rowcount
        return self.get(visit_id) if changed else None

    # -- invitations ----------------------------------------------------------------------------

    def add_invitation(self, *, name: str, company: str | None = None, host: str | None = None,
                       valid_on: date) -> Invitation:
        name = (name or "").strip()
        if not name or len(name) > MAX_NAME:
            raise ValueError(f"the visitor's name must have 1 to {MAX_NAME} characters")
        with self._write() as db:
            while True:  # a clash is a 1 in 31**8 event, but a primary key must hold
                code = new_code(INVITATION_CODE_LENGTH)
                if not db.execute("SELECT 1 FROM invitations WHERE code = ?", (code,)).fetchone():
                    break
            db.execute("INSERT INTO invitations VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                       (code, name, fold(name), _optional(company, "the company"), _optional(host, "the host"),
                        valid_on.isoformat(), _stamp(_utc(None))))
        return Invitation(code, name, _optional(company, "the company"), _optional(host, "the host"), valid_on, None)

    def invitation(self, code: str, on: date) -> Invitation | None:
        """The invitation, if it is unused and valid on that day."""
        with self._lock:
            row = self._db.execute(
                "SELECT code, name, company, host, valid_on, used_visit FROM invitations"
                " WHERE code = ? AND valid_on = ? AND used_visit IS NULL", (normalise_code(code or ""), on.isoformat()),
            ).fetchone()
        return _invitation(row) if row else None

    # -- retention and the visitor's rights -----------------------------------------------------

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Erase visits (and their signatures) signed in more than retention_days ago; also
        invitations for days that long past. Returns the number of visits erased."""
        if retention_days < 1:
            raise ValueError("retention_days must be at least 1")
        cutoff = _utc(now) - timedelta(days=retention_days)
        with self._write() as db:
            old = "SELECT id FROM visits WHERE signed_in_at < ?"
            db.execute(f"DELETE FROM signatures WHERE visit_id IN ({old})", (_stamp(cutoff),))
            erased = db.execute("DELETE FROM visits WHERE signed_in_at < ?", (_stamp(cutoff),)).rowcount
            db.execute("DELETE FROM invitations WHERE valid_on < ?", (self._day(cutoff),))
            db.execute("DELETE FROM badge_days WHERE day < ?", (self._day(cutoff),))
        self._checkpoint()
        return erased

    def visitor_records(self, name: str) -> list[dict]:
        """Everything kept about one person (matched by name, case and diacritics ignored)."""
        key = fold(name or "")
        visits = self._select("name_key = ? ORDER BY signed_in_at", (key,))
        with self._lock:
            invitations = self._db.execute(
                "SELECT code, name, company, host, valid_on, used_visit FROM invitations WHERE name_key = ?", (key,)
            ).fetchall()
        return ([visitor_export.visit_record(visit, self.signature(visit.id)) for visit in visits]
                + [visitor_export.invitation_record(_invitation(row)) for row in invitations])

    def erase_visitor(self, name: str) -> int:
        """Right to erasure: every visit, signature and invitation of that person. Returns how many records."""
        key = fold(name or "")
        with self._write() as db:
            db.execute("DELETE FROM signatures WHERE visit_id IN (SELECT id FROM visits WHERE name_key = ?)", (key,))
            erased = db.execute("DELETE FROM visits WHERE name_key = ?", (key,)).rowcount
            erased += db.execute("DELETE FROM invitations WHERE name_key = ?", (key,)).rowcount
        self._checkpoint()
        return erased

    def export_csv(self, out: TextIO, start: datetime | None = None, end: datetime | None = None) -> int:
        """Write the visits signed in between start and end (default: all) as CSV; returns the row count."""
        start = start or datetime(1970, 1, 1, tzinfo=timezone.utc)
        end = end or datetime(9999, 1, 1, tzinfo=timezone.utc)
        return visitor_export.write_csv(out, self.visits_between(start, end), self._zone)

    def _checkpoint(self) -> None:
        # Erased rows must leave the WAL file too, not only the main database.
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
