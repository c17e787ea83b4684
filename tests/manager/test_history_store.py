"""The history on SQLite and PostgreSQL: idempotent record(), the queries the dashboard and
the report use, times and money that come back as they went in, and clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history import schema
from frontdesk.manager.history.incidents import IncidentBook
from frontdesk.manager.history.store import History, HistoryError, engine_url
from frontdesk.manager.ingest import parse

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def message(topic: str, payload, retained: bool = False, now: datetime = NOW):
    data = payload.encode() if isinstance(payload, str) else contract.encode(payload)
    parsed = parse(f"frontdesk/{topic}", data, retained, now)
    assert parsed is not None, topic
    return parsed


def state(device: str, health: str, reasons: list[str], since: datetime = NOW, **fields):
    return message(f"hq/agent/main/devices/{device}/state",
                   contract.device_state(device, "copier", health, reasons, since.isoformat(), **fields), True)


def test_record_is_idempotent_for_every_kind(history):
    visit_in = {"event": "signed_in", "id": "e1", "visit": "v1", "at": NOW.isoformat(), "signed_in_at": NOW.isoformat(),
                "pre_registered": True, "language": "de", "purpose": "interview"}
    visit_out = {"event": "signed_out", "id": "e2", "visit": "v1", "at": (NOW + timedelta(minutes=30)).isoformat(),
                 "signed_in_at": NOW.isoformat(), "duration_seconds": 1800}
    messages = [
        message("hq/agent/main/availability", "online", True),
        state("copier", "warning", ["toner_low"], supplies=[{"name": "Black", "level": 4, "kind": "toner"}]),
        message("hq/agent/main/devices/copier/events", contract.event("toner_low", health="warning")),
        message("hq/agent/main/ledger", contract.event("receipt_issued", number="2026-000042", total="1234.56",
                                                         currency="EUR", payment_method="cash", items=3)),
        message("hq/agent/main/ledger", contract.event("mail_recorded", entry="m1", carrier="usps", mail_class="priority",
                                                         destination="domestic", grams=250.5, price="9.85", currency="USD")),
        message("hq/kiosk/lobby/visits", visit_in),
        message("hq/kiosk/lobby/visits", visit_out),
    ]
    assert [history.record(m) for m in messages] == [True] * 7
    assert [history.record(m) for m in messages] == [False] * 7
    assert history.record_batch(messages) == [False] * 7
    with history.engine.connect() as conn:
        (receipt,) = conn.execute(sa.select(schema.receipts)).all()
        (mail,) = conn.execute(sa.select(schema.mail)).all()
        (visit,) = conn.execute(sa.select(schema.visits)).all()
    assert receipt.total == Decimal("1234.56") and receipt.at.tzinfo is not None
    assert mail.price == Decimal("9.85") and mail.grams == 250.5
    assert (visit.signed_in_at, visit.signed_out_at, visit.duration_seconds) == (NOW, NOW + timedelta(minutes=30), 1800)
    assert (visit.language, visit.purpose, visit.pre_registered) == ("de", "interview", True)


def test_a_sign_out_whose_sign_in_was_never_seen_still_counts(history):
    out = {"event": "signed_out", "id": "e9", "visit": "v9", "at": NOW.isoformat(),
           "signed_in_at": (NOW - timedelta(minutes=5)).isoformat(), "duration_seconds": 300}
    assert history.record(message("hq/kiosk/lobby/visits", out)) is True
    assert history.record(message("hq/kiosk/lobby/visits", out)) is False
    with history.engine.connect() as conn:
        (visit,) = conn.execute(sa.select(schema.visits)).all()
    assert visit.signed_in_at == NOW - timedelta(minutes=5) and visit.duration_seconds == 300


def test_states_are_rows_per_change_and_the_dashboard_sees_the_latest_details(history, database_url):
    assert history.record(state("copier", "ok", [], supplies=[{"name": "Black", "level": 50, "kind": "toner"}]))
    assert not history.record(state("copier", "ok", [], supplies=[{"name": "Black", "level": 45, "kind": "toner"}]))
    assert history.record(state("copier", "error", ["jam"]))
    assert history.record(state("copier", "error", ["jam", "door_open"]))  # a reason more is a change
    assert history.record(state("copier", "ok", [], supplies=[{"name": "Black", "level": 40, "kind": "toner"}]))
    assert not history.record(state("copier", "ok", [], supplies=[{"name": "Black", "level": 39, "kind": "toner"}]))
    with history.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.device_states.c.health, schema.device_states.c.reasons)
                            .order_by(schema.device_states.c.id)).all()
    assert [tuple(r) for r in rows] == [("ok", []), ("error", ["jam"]), ("error", ["jam", "door_open"]), ("ok", [])]
    (current,) = history.current_states()
    assert current["payload"]["supplies"][0]["level"] == 39 and current["available"] is None
    assert current["since"] == NOW and current["agent"] == "main" and current["kind"] == "copier"

    reopened = History(database_url)  # after a restart: no duplicate row for the same state
    assert not reopened.record(state("copier", "ok", []))
    assert reopened.record(state("copier", "warning", ["toner_low"]))
    reopened.close()


JOB = {"job": 7, "request_id": None, "printer": "desk-printer", "kind": "receipt", "receipt_number": "2026-000007",
       "state": "printed", "attempts": 1, "last_error": None}


def test_recent_events_newest_first_and_per_site(history):
    for minute, site in [(1, "hq"), (2, "branch"), (3, "hq")]:
        payload = {**contract.event("job_completed", **JOB), "at": (NOW + timedelta(minutes=minute)).isoformat()}
        history.record(message(f"{site}/agent/main/devices/copier/events", payload))
    assert [e["at"].minute for e in history.recent_events()] == [33, 32, 31]
    assert [e["site"] for e in history.recent_events(site="branch")] == ["branch"]
    assert len(history.recent_events(limit=2)) == 2


def test_availability_is_per_change_and_feeds_current_states(history):
    history.record(state("copier", "ok", []))
    for status, new in [("online", True), ("online", False), ("offline", True), ("online", True)]:
        assert history.record(message("hq/agent/main/availability", status, True)) is new
    assert history.current_states()[0]["available"] is True
    history.record(message("hq/agent/main/availability", "offline", True))
    assert history.current_states()[0]["available"] is False
    assert [(a["source"], a["status"]) for a in history.current_availability()] == [("agent", "offline")]


def test_incidents_open_continue_within_the_hold_down_and_close(history):
    book = IncidentBook(history.engine, hold_down_seconds=60)
    first = book.fault("hq", "main", "copier", "copier", "warning", ["toner_low"], NOW, NOW)
    assert book.fault("hq", "main", "copier", "copier", "error", ["jam"], NOW, NOW + timedelta(seconds=5)) == first
    (incident,) = history.open_incidents()
    assert (incident["health"], incident["reasons"]) == ("error", ["toner_low", "jam"])
    book.ok("hq", "main", "copier", NOW + timedelta(seconds=30))
    assert history.open_incidents() == []
    again = NOW + timedelta(seconds=70)  # 40 s after the recovery: within the hold-down
    assert book.fault("hq", "main", "copier", "copier", "error", ["jam"], again, again) == first
    book.ok("hq", "main", "copier", NOW + timedelta(seconds=80))
    later = NOW + timedelta(seconds=200)
    assert book.fault("hq", "main", "copier", "copier", "error", ["jam"], later, later) != first
    assert book.fault("hq", "main", None, "agent", "offline", ["agent_offline"], later, later) not in (first, None)
    assert len(history.open_incidents()) == 2


def test_naive_times_are_refused(history):
    with history.engine.begin() as conn, pytest.raises(sa.exc.StatementError, match="timezone-aware"):
        conn.execute(schema.availability.insert().values(site="hq", source="agent", source_id="main", status="online",
                                                          at=datetime(2026, 1, 1)))


def test_postgresql_urls_go_through_psycopg_3():
    assert engine_url("postgresql://u:pw@db.example/frontdesk").drivername == "postgresql+psycopg"
    assert engine_url("postgres://u@db/x").drivername == "postgresql+psycopg"
    assert engine_url("postgresql+psycopg://u@db/x").drivername == "postgresql+psycopg"
    assert engine_url("sqlite:////var/lib/x.db").drivername == "sqlite"


def test_an_unreachable_database_is_one_clear_line_without_the_password(postgres_server):
    url = f"postgresql://frontdesk:topsecret@127.0.0.1:{postgres_server.port}/no_such_db"
    with pytest.raises(HistoryError) as error:
        History(url)
    text = str(error.value)
    assert text.startswith("cannot open the history database postgresql+psycopg://frontdesk:***@127.0.0.1")
    assert "no_such_db" in text and "topsecret" not in text and "\n" not in text


def test_a_sqlite_file_in_a_folder_that_cannot_exist_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(HistoryError, match=r"cannot create the folder of the history database .*/file: File exists"):
        History(f"sqlite:///{tmp_path / 'file' / 'history.db'}")
