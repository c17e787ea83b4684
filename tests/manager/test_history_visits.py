"""A visit's records in the history (SQLite and PostgreSQL): signed_in, badge_printed and
signed_out end up on one row in whatever order they arrive; sign-ins given up are kept once;
and a history made by the previous version gets the new columns when the manager starts."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history import schema
from frontdesk.manager.history.store import History, HistoryError
from frontdesk.manager.ingest import parse

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
SIGNED_IN = NOW - timedelta(minutes=30)


def record(event: str, visit: str, **fields) -> dict:
    return {"event": event, "id": f"{event}-{visit}", "visit": visit, "at": NOW.isoformat(),
            "signed_in_at": SIGNED_IN.isoformat(), **fields}


def records_of(visit: str) -> dict[str, dict]:
    return {
        "signed_in": record("signed_in", visit, pre_registered=True, language="de", purpose="interview",
                            started_at=(SIGNED_IN - timedelta(seconds=75.5)).isoformat()),
        "badge_printed": record("badge_printed", visit, printed_at=(SIGNED_IN + timedelta(minutes=12)).isoformat(),
                                waited_seconds=720.0),
        "signed_out": record("signed_out", visit, duration_seconds=1800.0),
    }


def message(payload: dict, kiosk: str = "lobby"):
    parsed = parse(f"frontdesk/hq/kiosk/{kiosk}/visits", contract.encode(payload), False, NOW)
    assert parsed is not None, payload
    return parsed


def visit_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.visits).order_by(schema.visits.c.visit)).all()


def test_a_visits_records_in_any_order_end_up_on_one_row(history):
    orders = list(itertools.permutations(["signed_in", "badge_printed", "signed_out"]))
    for number, order in enumerate(orders):
        records = records_of(f"v{number}")
        assert [history.record(message(records[name])) for name in order] == [True, True, True], order
        # A repeat of any of them (a QoS 1 redelivery, a kiosk's outbox after a crash) adds nothing.
        assert [history.record(message(records[name])) for name in order] == [False, False, False], order
    rows = visit_rows(history.engine)
    assert len(rows) == len(orders)
    for row in rows:
        assert (row.signed_in_at, row.signed_out_at, row.duration_seconds) == (SIGNED_IN, NOW, 1800.0)
        assert (row.language, row.purpose, row.pre_registered) == ("de", "interview", True)
        assert (row.sign_in_seconds, row.badge_wait_seconds) == (75.5, 720.0)


def test_records_of_an_older_kiosk_leave_the_waits_unmeasured(history):
    records = records_of("old")
    del records["signed_in"]["started_at"]
    assert history.record(message(records["signed_in"])) and history.record(message(records["signed_out"]))
    [row] = visit_rows(history.engine)
    assert (row.sign_in_seconds, row.badge_wait_seconds, row.duration_seconds) == (None, None, 1800.0)


def test_the_same_visit_id_at_two_kiosks_is_two_visits(history):
    for kiosk in ("lobby", "side-door"):
        assert history.record(message(records_of("v1")["badge_printed"], kiosk=kiosk))
    assert len(visit_rows(history.engine)) == 2


def test_a_sign_in_given_up_is_stored_once_and_is_not_a_visit(history):
    given_up = {"event": "sign_in_abandoned", "id": "a1", "at": NOW.isoformat(),
                "started_at": (NOW - timedelta(seconds=130)).isoformat(), "seconds": 70.0, "step": "policy"}
    assert history.record(message(given_up)) is True
    assert history.record(message(given_up)) is False
    with history.engine.connect() as conn:
        [row] = conn.execute(sa.select(schema.abandoned_sign_ins)).all()
    assert (row.site, row.kiosk, row.step, row.seconds) == ("hq", "lobby", "policy", 70.0)
    assert row.started_at == NOW - timedelta(seconds=130) and visit_rows(history.engine) == []


# --- a history made by the previous version -----------------------------------------------

def previous_version_schema(engine) -> None:
    """The tables as the previous manager made them: `visits` without the waits, no
    `abandoned_sign_ins`; one visit in it, signed in and out."""
    old = sa.MetaData()
    visits = sa.Table(
        "visits", old,
        sa.Column("id", schema.Id, primary_key=True, autoincrement=True),
        sa.Column("site", schema.Name, nullable=False), sa.Column("kiosk", schema.Name, nullable=False),
        sa.Column("visit", sa.String(64), nullable=False),
        sa.Column("signed_in_at", schema.UtcDateTime, nullable=False),
        sa.Column("signed_out_at", schema.UtcDateTime, nullable=True),
        sa.Column("duration_seconds", sa.Float, nullable=True), sa.Column("language", sa.String(8), nullable=True),
        sa.Column("purpose", sa.String(64), nullable=True), sa.Column("pre_registered", sa.Boolean, nullable=True),
        sa.UniqueConstraint("site", "kiosk", "visit", name="uq_visits_visit"),
    )
    others = [table for table in schema.metadata.sorted_tables if table.name not in ("visits", "abandoned_sign_ins")]
    schema.metadata.create_all(engine, tables=others)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(visits.insert().values(site="hq", kiosk="lobby", visit="before", signed_in_at=SIGNED_IN,
                                            signed_out_at=NOW, duration_seconds=1800.0, language="ro",
                                            pre_registered=False))


def test_a_history_of_the_previous_version_is_upgraded_at_start(database_url, caplog):
    from frontdesk.manager.history.store import open_engine

    engine = open_engine(database_url)
    previous_version_schema(engine)
    engine.dispose()
    with caplog.at_level(logging.INFO, logger="frontdesk.manager.history"):
        history = History(database_url)
    try:
        assert "added visits.sign_in_seconds, visits.badge_wait_seconds" in caplog.text
        columns = {c["name"] for c in sa.inspect(history.engine).get_columns("visits")}
        assert {"sign_in_seconds", "badge_wait_seconds"} <= columns
        [before] = visit_rows(history.engine)
        assert (before.duration_seconds, before.sign_in_seconds, before.badge_wait_seconds) == (1800.0, None, None)
        late_badge = records_of("before")["badge_printed"]  # sent before the upgrade, delivered after it
        assert history.record(message(late_badge)) and history.record(message(records_of("after")["signed_in"]))
        rows = visit_rows(history.engine)
        assert [(r.visit, r.badge_wait_seconds, r.sign_in_seconds) for r in rows] == [
            ("after", None, 75.5), ("before", 720.0, None)]
    finally:
        history.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="frontdesk.manager.history"):
        History(database_url).close()  # up to date: nothing to add, nothing said
    assert "upgraded" not in caplog.text


def test_a_missing_column_that_cannot_be_null_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a `visits` table from something else, without the kiosk column
        conn.execute(sa.text("CREATE TABLE visits (id INTEGER PRIMARY KEY, site VARCHAR(64) NOT NULL)"))
    engine.dispose()
    with pytest.raises(HistoryError) as error:
        History(url)
    assert str(error.value) == (f"cannot upgrade the history database sqlite:///{tmp_path / 'odd.db'}: table visits "
                                "has no column kiosk, and it cannot be added to the rows already there")
