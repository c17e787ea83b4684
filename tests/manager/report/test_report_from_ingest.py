"""The report over a history written by the manager's own ingest (manager.ingest.parse and
History.record), from MQTT messages shaped as the agent and the kiosk publish them."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from frontdesk.contract import mqtt as topics
from fake_agents import job_fields
from frontdesk.manager.history.store import History
from frontdesk.manager.ingest import parse
from frontdesk.manager.report.build import collect
from frontdesk.manager.report.period import Period

UTC = timezone.utc
DAY = Period(date(2026, 11, 10), date(2026, 11, 10), ZoneInfo("Europe/Bucharest"))  # 09-10 22:00 UTC onwards


def t(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=UTC)


def state(health: str, reasons: list[str], since: datetime, updated: datetime) -> dict:
    return {"device": "desk-printer", "kind": "printer", "health": health, "reasons": reasons,
            "since": since.isoformat(), "updated": updated.isoformat(), "v": 1, "paper": "ok"}


def event(name: str, at: datetime, **fields) -> dict:
    return {"event": name, "at": at.isoformat(), "id": f"{name}-{at:%H%M}", **fields}


@pytest.fixture
def history(tmp_path):
    opened = History(f"sqlite:///{tmp_path / 'history.db'}")
    yield opened
    opened.close()


def feed(history: History, messages: list[tuple[str, object, datetime, bool]]) -> None:
    for topic, payload, received, retained in messages:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        message = parse(topic, body, retained, received)
        assert message is not None, topic
        history.record(message)


def test_a_day_recorded_by_the_ingest_gives_the_expected_report(history):
    printer = topics.device_topic("hq", "desk", "desk-printer", "state")
    events = topics.device_topic("hq", "desk", "desk-printer", "events")
    ledger, visits = topics.agent_ledger("hq", "desk"), topics.kiosk_visits("hq", "lobby")
    feed(history, [
        (topics.agent_availability("hq", "desk"), "online", t(5), True),
        (printer, state("ok", [], t(5), t(5)), t(5), True),
        (printer, state("ok", [], t(5), t(6)), t(6), True),  # a republish that changes nothing
        (printer, state("error", ["paper_out"], t(9), t(9)), t(9), False),
        (events, event("paper_out", t(9), health="error"), t(9), False),
        (printer, state("error", ["paper_out", "cover_open"], t(9), t(9, 4)), t(9, 4), False),
        (events, event("cover_open", t(9, 4), health="error"), t(9, 4), False),
        (events, event("cover_open", t(9, 4), health="error"), t(9, 5), False),  # a QoS 1 redelivery
        (printer, state("ok", [], t(9, 10), t(9, 10)), t(9, 10), False),
        (events, event("recovered", t(9, 10), after=["paper_out", "cover_open"], down_seconds=600.0), t(9, 10), False),
        (events, event("job_completed", t(9, 12), **job_fields(1)), t(9, 12), False),
        (ledger, {"event": "receipt_issued", "id": "r1", "at": t(9, 12).isoformat(), "number": "2026-000001",
                  "total": "12.50", "currency": "RON", "payment_method": "card", "items": 2}, t(9, 12), False),
        (ledger, {"event": "mail_recorded", "id": "m1", "at": t(10).isoformat(), "entry": "e1", "carrier": "posta-romana",
                  "mail_class": "priority", "destination": "domestic", "grams": 85.0, "price": "4.20",
                  "currency": "RON"}, t(10), False),
        (visits, {"event": "signed_in", "id": "s1", "visit": "v1", "at": t(8).isoformat(),
                  "signed_in_at": t(8).isoformat(), "pre_registered": True, "language": "ro", "purpose": "meeting"},
         t(8), False),
        (visits, {"event": "signed_out", "id": "s2", "visit": "v1", "at": t(8, 45).isoformat(),
                  "signed_in_at": t(8).isoformat(), "duration_seconds": 2700.0}, t(8, 45), False),
    ])
    data = collect(history.engine, DAY, ("hq",), t(23))
    assert (data.visitors.total, data.visitors.average_seconds, data.visitors.per_hour[10]) == (1, 2700.0, 1)
    assert data.receipts.totals == {"RON": Decimal("12.50")} and data.postage.by_class[0].grams == 85.0
    [printer_figures] = data.devices.devices
    use = printer_figures.use.seconds
    # The office day runs 9 Nov 22:00 -> 10 Nov 22:00 UTC; the first state came at 05:00 (7 h without
    # data); paper out 09:00-09:10, the cover also open from 09:04.
    assert (use["no_data"], use["error"], use["ok"]) == (7 * 3600, 600.0, 17 * 3600 - 600.0)
    assert printer_figures.use.reason_seconds == {"paper_out": 600.0, "cover_open": 360.0}
    assert [o.seconds for o in printer_figures.recovered] == [600.0]
    assert [(row.reason, row.count) for row in data.devices.faults] == [("paper_out", 1), ("cover_open", 1)]
    assert printer_figures.jobs == {"job_completed": 1}
    assert data.devices.hosts[0].use.availability == 1.0
