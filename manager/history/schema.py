"""The manager's history tables: one schema for SQLite and PostgreSQL (SQLAlchemy 2 Core).

The dashboard and the report query these tables directly. All times are UTC and
come back timezone-aware from both databases (`UtcDateTime`). Amounts of money
are NUMERIC(12, 2) and come back as Decimal. No table holds a visitor's name:
visits are counts and times only.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# SQLite stores NUMERIC as text-ish REAL and SQLAlchemy warns on every Decimal; two decimal
# places of money round-trip exactly through it, which is all we store.
warnings.filterwarnings("ignore", message=r".*does \*not\* support Decimal objects natively",
                        category=sa_exc.SAWarning)


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the zone itself (timestamptz); SQLite has no time zones, so
    values are stored as naive UTC and given their zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the history only stores timezone-aware times")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# 64-bit ids on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(12, 2, asdecimal=True)
Name = String(64)  # site, agent, kiosk and device ids are at most 63 characters

metadata = MetaData()

# One row per change of (health, reasons) of a device; a retained state republished
# after a reconnect that changes neither adds no row. `payload` is the whole state
# message (supplies, jobs_waiting, paper, ...), `since` the device's own "since".
# A device taken out of its agent's config gets a row with health REMOVED (below).
device_states = Table(
    "device_states", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("agent", Name, nullable=False),
    Column("device", Name, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("health", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("since", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_device_states_device", "site", "agent", "device", "id"),
    Index("ix_device_states_since", "since"),
)

# Device events (paper_out, recovered, job_completed, fax_sent, ...). `event_id` is the
# agent's unique hex id: a QoS 1 redelivery of the same event is not stored twice.
device_events = Table(
    "device_events", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("site", Name, nullable=False),
    Column("agent", Name, nullable=False),
    Column("device", Name, nullable=False),
    Column("event", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_device_events_at", "at"),
    Index("ix_device_events_device", "site", "agent", "device", "at"),
)

# Availability of agents and kiosks: one row per change ("online" / "offline").
availability = Table(
    "availability", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("source", String(8), nullable=False),  # "agent" or "kiosk"
    Column("source_id", Name, nullable=False),
    Column("status", String(16), nullable=False),
    Column("at", UtcDateTime, nullable=False),  # when the manager received it
    Index("ix_availability_source", "site", "source", "source_id", "id"),
)

# One row per visit: created by whichever of its records arrives first (`signed_in`, or
# `signed_out` / `badge_printed` when the sign-in was never seen or comes later after an
# outage), completed by the others. Times and counts only, never names.
# `sign_in_seconds`: from leaving the kiosk's welcome screen to the sign-in; `badge_wait_seconds`:
# from the sign-in to the badge confirmed printed. NULL when not measured (older kiosks).
visits = Table(
    "visits", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("kiosk", Name, nullable=False),
    Column("visit", String(64), nullable=False),
    Column("signed_in_at", UtcDateTime, nullable=False),
    Column("signed_out_at", UtcDateTime, nullable=True),
    Column("duration_seconds", Float, nullable=True),
    Column("language", String(8), nullable=True),
    Column("purpose", String(64), nullable=True),
    Column("pre_registered", Boolean, nullable=True),
    Column("sign_in_seconds", Float, nullable=True),
    Column("badge_wait_seconds", Float, nullable=True),
    UniqueConstraint("site", "kiosk", "visit", name="uq_visits_visit"),
    Index("ix_visits_signed_in_at", "signed_in_at"),
)

# A sign-in a visitor started at a kiosk and walked away from (the kiosk's idle reset):
# not a visit, but a visitor the desk lost. `step`: the screen they left it on.
abandoned_sign_ins = Table(
    "abandoned_sign_ins", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("site", Name, nullable=False),
    Column("kiosk", Name, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("step", String(64), nullable=False),
    Index("ix_abandoned_sign_ins_started_at", "started_at"),
)

# Receipts issued by an agent; the receipt number is gapless and never reused per agent.
receipts = Table(
    "receipts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("agent", Name, nullable=False),
    Column("number", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("payment_method", String(32), nullable=False),
    Column("items", Integer, nullable=False),
    UniqueConstraint("site", "agent", "number", name="uq_receipts_number"),
    Index("ix_receipts_at", "at"),
)

# Postage recorded in an agent's mail log; `entry` is the mail log's own id.
mail = Table(
    "mail", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("agent", Name, nullable=False),
    Column("entry", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("carrier", String(32), nullable=False),
    Column("mail_class", String(64), nullable=False),
    Column("destination", String(32), nullable=False),
    Column("grams", Float, nullable=False),
    Column("price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    UniqueConstraint("site", "agent", "entry", name="uq_mail_entry"),
    Index("ix_mail_at", "at"),
)

# An incident: a device out of `ok` (error/offline, or warning), from the first state that
# left ok until it is ok again. `health` is the worst health seen during it, `reasons` every
# reason seen, in order of first appearance. A fault again within hold_down_seconds of the
# recovery reopens the same incident (ended_at back to NULL): flapping is one incident.
# An agent or kiosk that goes offline is its own incident: device NULL, kind "agent" or
# "kiosk", `agent` holding the agent's or kiosk's id, reasons ["agent_offline"] / ["kiosk_offline"].
# `alerted_at`: when the fault message went out (NULL: not yet, e.g. a warning still under
# its threshold); `recovery_alerted_at`: when the recovery message went out.
# `ended_by`: NULL when the device recovered, "removed" when the incident ended because the
# device was taken out of its agent's config (then the message is a removal, not a recovery).
incidents = Table(
    "incidents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site", Name, nullable=False),
    Column("agent", Name, nullable=False),
    Column("device", Name, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("health", String(16), nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("alerted_at", UtcDateTime, nullable=True),
    Column("recovery_alerted_at", UtcDateTime, nullable=True),
    Column("ended_by", String(16), nullable=True),
    Index("ix_incidents_device", "site", "agent", "device", "ended_at"),
    Index("ix_incidents_started_at", "started_at"),
)

HEALTHS = ("ok", "warning", "error", "offline")
# Not a health a device reports: the `health` of the device_states row recording that the
# device left its agent's config (its retained state was cleared), with `since` the moment
# the manager learnt it. A later state of the device is a row of its own again.
REMOVED = "removed"


def add_missing_columns(engine: Engine) -> list[str]:
    """Bring a history made by an older manager up to date; returns the "table.column"s added.

    create_all() makes missing tables but never changes one that exists. Columns added to a
    table in a later version are nullable, so ALTER TABLE ADD COLUMN gives the rows already
    there NULL ("not measured"), which is true of them. ValueError for a missing column that
    may not be NULL: that needs a person, not a guess.
    """
    preparer = engine.dialect.identifier_preparer
    # PostgreSQL: IF NOT EXISTS, in case two managers start on one database at the same moment.
    guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
    added = []
    with engine.begin() as connection:
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable:
                    raise ValueError(f"table {table.name} has no column {column.name}, and it cannot be added "
                                     "to the rows already there")
                connection.execute(text(
                    f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {guard}"
                    f"{preparer.format_column(column)} {column.type.compile(engine.dialect)}"))
                added.append(f"{table.name}.{column.name}")
    return added
