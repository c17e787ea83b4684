"""The history: every message the manager keeps, stored once, in SQLite or PostgreSQL.

`record()` is idempotent. Events, receipts, mail entries and visits have unique keys and
are inserted with ON CONFLICT DO NOTHING, so a QoS 1 redelivery or a message seen again
after a restart is not counted twice. Device states and availability are rows per
change: a retained message republished on reconnect that changes nothing adds no row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url

from frontdesk.contract.events import parse_event
from frontdesk.contract.records import BadgePrinted, Receipt, SignedIn, SignInAbandoned, parse_ledger, parse_visit
from frontdesk.contract.states import parse_state
from frontdesk.manager.history.schema import (
    REMOVED,
    abandoned_sign_ins,
    add_missing_columns,
    availability,
    device_events,
    device_states,
    incidents,
    mail,
    metadata,
    receipts,
    visits,
)

log = logging.getLogger("frontdesk.manager.history")

DeviceKey = tuple[str, str, str]  # (site, agent, device)
SourceKey = tuple[str, str, str]  # (site, "agent"|"kiosk", id)


class HistoryError(Exception):
    """The database cannot be opened or written; the message names it (without its password)."""


def engine_url(url: str) -> sa.URL:
    """The SQLAlchemy URL, with PostgreSQL going through psycopg 3 whatever the config says."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL: the dashboard and the report read while the ingest writes. NORMAL is durable
    # across a crash of the manager in WAL mode; a power cut may lose the last moments,
    # which the broker's redelivery of unacknowledged QoS 1 messages covers.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str) -> Engine:
    parsed = engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise HistoryError(f"cannot create the folder of the history database {folder}: "
                                   f"{error.strerror or error}") from None
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


class History:
    def __init__(self, url: str) -> None:
        self.engine = open_engine(url)
        self.url = self.engine.url.render_as_string(hide_password=True)
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        # Built once and executed with parameters: building a statement per row with its values
        # in it cost SQLAlchemy more than the database's own work.
        # RETURNING tells a new row from a conflict on both databases (rowcount does not, on
        # PostgreSQL, once SQLAlchemy adds its own RETURNING for the primary key).
        self._insert_new_row = {table: insert(table).on_conflict_do_nothing().returning(table.c.id)
                                for table in (device_events, receipts, mail, visits, abandoned_sign_ins)}
        try:
            metadata.create_all(self.engine)
            upgraded = add_missing_columns(self.engine)
            with self.engine.connect() as conn:
                self._states = self._load_states(conn)
                self._sources = self._load_sources(conn)
        except sa.exc.SQLAlchemyError as error:
            raise HistoryError(f"cannot open the history database {self.url}: {_reason(error)}") from None
        except ValueError as error:  # a column add_missing_columns cannot add
            raise HistoryError(f"cannot upgrade the history database {self.url}: {error}") from None
        if upgraded:
            log.info("upgraded the history database %s: added %s", self.url, ", ".join(upgraded))
        # The latest state message of every device, also when it changed nothing stored
        # (supply levels, queue lengths): the dashboard shows these.
        self._latest: dict[DeviceKey, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    # --- writing -------------------------------------------------------------------------

    def record(self, message) -> bool:
        """Store one message; False when it was already known (a duplicate or no change)."""
        return self.record_batch([message])[0]

    def record_batch(self, messages: Iterable) -> list[bool]:
        """Store messages in one transaction; for each, whether it added anything."""
        messages = list(messages)
        pending_states: dict[DeviceKey, tuple] = {}
        pending_sources: dict[SourceKey, str] = {}
        try:
            with self.engine.begin() as conn:
                results = [self._record(conn, m, pending_states, pending_sources) for m in messages]
        except sa.exc.SQLAlchemyError as error:
            raise HistoryError(f"cannot write to the history database {self.url}: {_reason(error)}") from None
        # Only after the commit: a rolled-back batch must not leave the caches ahead of the rows.
        self._states.update(pending_states)
        self._sources.update(pending_sources)
        with self._lock:
            for m in messages:
                if m.kind == "state":
                    self._latest[(m.site, m.source_id, m.device)] = {**m.payload, "received_at": m.received_at}
                elif m.kind == "removed":
                    self._latest.pop((m.site, m.source_id, m.device), None)
        return results

    def _record(self, conn: Connection, message, pending_states: dict, pending_sources: dict) -> bool:
        kind = message.kind
        if kind == "availability":
            return self._record_availability(conn, message, pending_sources)
        if kind == "state":
            return self._record_state(conn, message, pending_states)
        if kind == "removed":
            return self._record_removal(conn, message, pending_states)
        if kind == "event":
            return self._record_event(conn, message)
        if kind == "ledger":
            return self._record_ledger(conn, message)
        if kind == "visit":
            return self._record_visit(conn, message)
        raise ValueError(f"unknown message kind {kind!r}")

    def _insert_new(self, conn: Connection, table: sa.Table, **values: Any) -> bool:
        return conn.execute(self._insert_new_row[table], values).first() is not None

    def _record_availability(self, conn: Connection, m, pending: dict) -> bool:
        key = (m.site, m.source, m.source_id)
        if pending.get(key, self._sources.get(key)) == m.payload:
            return False
        conn.execute(availability.insert(), dict(
            site=m.site, source=m.source, source_id=m.source_id, status=m.payload, at=m.received_at))
        pending[key] = m.payload
        return True

    def _record_state(self, conn: Connection, m, pending: dict) -> bool:
        state = parse_state(m.payload)
        key = (m.site, m.source_id, m.device)
        change = (state.health, tuple(state.reasons))
        if pending.get(key, self._states.get(key)) == change:
            return False
        conn.execute(device_states.insert(), dict(
            site=m.site, agent=m.source_id, device=m.device, kind=state.kind, health=state.health,
            reasons=list(state.reasons), since=state.since, received_at=m.received_at, payload=m.payload))
        pending[key] = change
        return True

    def _record_removal(self, conn: Connection, m, pending: dict) -> bool:
        """A device that left its agent's config: a REMOVED row, dated when the manager learnt it
        (an empty message has no time of its own). Nothing for a device never seen or already
        removed (an agent clears again after its restart if the broker had not taken it)."""
        key = (m.site, m.source_id, m.device)
        if pending.get(key, self._states.get(key)) in (None, (REMOVED, ())):
            return False
        kind = conn.execute(sa.select(device_states.c.kind).where(
            device_states.c.site == m.site, device_states.c.agent == m.source_id,
            device_states.c.device == m.device).order_by(device_states.c.id.desc()).limit(1)).scalar_one()
        conn.execute(device_states.insert(), dict(
            site=m.site, agent=m.source_id, device=m.device, kind=kind, health=REMOVED, reasons=[],
            since=m.received_at, received_at=m.received_at, payload={}))
        pending[key] = (REMOVED, ())
        return True

    def _record_event(self, conn: Connection, m) -> bool:
        event = parse_event(m.payload)
        return self._insert_new(conn, device_events, event_id=event.id, site=m.site, agent=m.source_id,
                                device=m.device, event=event.event, at=event.at, payload=m.payload)

    def _record_ledger(self, conn: Connection, m) -> bool:
        entry = parse_ledger(m.payload)
        if isinstance(entry, Receipt):
            return self._insert_new(conn, receipts, site=m.site, agent=m.source_id, number=entry.number,
                                    at=entry.at, total=entry.total, currency=entry.currency,
                                    payment_method=entry.payment_method, items=entry.items)
        return self._insert_new(conn, mail, site=m.site, agent=m.source_id, entry=entry.entry, at=entry.at,
                                carrier=entry.carrier, mail_class=entry.mail_class,
                                destination=entry.destination, grams=entry.grams, price=entry.price,
                                currency=entry.currency)

    def _record_visit(self, conn: Connection, m) -> bool:
        """A visit's records may arrive in any order (a kiosk's backlog after an outage, a sign-in
        sent before the manager's first start): whichever comes first makes the row, the others
        fill in their columns. Each fills only what is still NULL, so a repeat changes nothing."""
        record = parse_visit(m.payload)
        if isinstance(record, SignInAbandoned):
            return self._insert_new(conn, abandoned_sign_ins, event_id=record.id, site=m.site, kiosk=m.source_id,
                                    started_at=record.started_at, seconds=record.seconds, step=record.step)
        if isinstance(record, SignedIn):
            # pre_registered is NULL exactly while the row's sign-in has not been seen.
            return self._upsert_visit(conn, m, record, visits.c.pre_registered, dict(
                language=record.language, purpose=record.purpose, pre_registered=record.pre_registered,
                sign_in_seconds=record.sign_in_seconds))
        if isinstance(record, BadgePrinted):
            return self._upsert_visit(conn, m, record, visits.c.badge_wait_seconds,
                                      dict(badge_wait_seconds=record.waited_seconds))
        return self._upsert_visit(conn, m, record, visits.c.signed_out_at,
                                  dict(signed_out_at=record.at, duration_seconds=record.duration_seconds))

    def _upsert_visit(self, conn: Connection, m, record, unset: sa.Column, values: dict[str, Any]) -> bool:
        """Fill `values` into the visit's row while `unset` is NULL there, or make the row."""
        filled = conn.execute(
            visits.update()
            .where(visits.c.site == m.site, visits.c.kiosk == m.source_id, visits.c.visit == record.visit,
                   unset.is_(None))
            .values(**values))
        if filled.rowcount:
            return True
        # No row yet: make it. A row whose `unset` is filled already: a repeat, the insert does nothing.
        return self._insert_new(conn, visits, site=m.site, kiosk=m.source_id, visit=record.visit,
                                signed_in_at=record.signed_in_at, **values)

    # --- reading -------------------------------------------------------------------------

    def current_states(self) -> list[dict]:
        """The latest state of every device still in its agent's config, with `available`:
        whether its agent is online (None when the manager has not heard from the agent yet)."""
        latest = sa.select(sa.func.max(device_states.c.id)).group_by(
            device_states.c.site, device_states.c.agent, device_states.c.device)
        query = sa.select(device_states).where(device_states.c.id.in_(latest)).order_by(
            device_states.c.site, device_states.c.agent, device_states.c.device)
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query) if row.health != REMOVED]
        agents = {(a["site"], a["source_id"]): a["status"] for a in self.current_availability() if a["source"] == "agent"}
        with self._lock:
            latest_payloads = dict(self._latest)
        for row in rows:
            key = (row["site"], row["agent"], row["device"])
            newer = latest_payloads.get(key)
            if newer is not None:
                row["payload"] = {k: v for k, v in newer.items() if k != "received_at"}
                row["updated_at"] = newer["received_at"]
            else:
                row["updated_at"] = row["received_at"]
            status = agents.get((row["site"], row["agent"]))
            row["available"] = None if status is None else status == "online"
        return rows

    def current_availability(self) -> list[dict]:
        """The latest availability of every agent and kiosk: site, source, source_id, status, at."""
        latest = sa.select(sa.func.max(availability.c.id)).group_by(
            availability.c.site, availability.c.source, availability.c.source_id)
        query = sa.select(availability).where(availability.c.id.in_(latest)).order_by(
            availability.c.site, availability.c.source, availability.c.source_id)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def recent_events(self, limit: int = 50, site: str | None = None) -> list[dict]:
        query = sa.select(device_events).order_by(device_events.c.at.desc(), device_events.c.id.desc()).limit(limit)
        if site is not None:
            query = query.where(device_events.c.site == site)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def open_incidents(self) -> list[dict]:
        query = sa.select(incidents).where(incidents.c.ended_at.is_(None)).order_by(incidents.c.started_at)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # --- start-up ------------------------------------------------------------------------

    @staticmethod
    def _load_states(conn: Connection) -> dict[DeviceKey, tuple]:
        latest = sa.select(sa.func.max(device_states.c.id)).group_by(
            device_states.c.site, device_states.c.agent, device_states.c.device)
        rows = conn.execute(sa.select(device_states.c.site, device_states.c.agent, device_states.c.device,
                                      device_states.c.health, device_states.c.reasons)
                            .where(device_states.c.id.in_(latest)))
        return {(r.site, r.agent, r.device): (r.health, tuple(r.reasons)) for r in rows}

    @staticmethod
    def _load_sources(conn: Connection) -> dict[SourceKey, str]:
        latest = sa.select(sa.func.max(availability.c.id)).group_by(
            availability.c.site, availability.c.source, availability.c.source_id)
        rows = conn.execute(sa.select(availability).where(availability.c.id.in_(latest)))
        return {(r.site, r.source, r.source_id): r.status for r in rows}


def _reason(error: sa.exc.SQLAlchemyError) -> str:
    """The database's own words, first line only (SQLAlchemy appends the SQL and a link)."""
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
