"""parse(): which topics the history keeps, and what it refuses (with the reason)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract import mqtt as contract
from manager.ingest import parse, subscriptions

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
STATE = contract.encode(contract.device_state("p1", "printer", "ok", [], NOW.isoformat(), paper="ok"))


@pytest.mark.parametrize(("topic", "payload", "kind", "source", "source_id", "device"), [
    ("frontdesk/hq/agent/main/availability", b"online", "availability", "agent", "main", None),
    ("frontdesk/hq/agent/main/devices/p1/state", STATE, "state", "agent", "main", "p1"),
    ("frontdesk/hq/agent/main/devices/p1/events", contract.encode(contract.event("paper_out", health="error")),
     "event", "agent", "main", "p1"),
    ("frontdesk/hq/kiosk/lobby/availability", b"offline", "availability", "kiosk", "lobby", None),
])
def test_topics_the_history_keeps(topic, payload, kind, source, source_id, device):
    message = parse(topic, payload, True, NOW)
    assert (message.kind, message.site, message.source, message.source_id, message.device) == (
        kind, "hq", source, source_id, device)
    assert message.received_at == NOW and message.retained is True


@pytest.mark.parametrize("topic", [
    "frontdesk/hq/agent/main/devices/scale/weight",  # QoS 0 readings
    "frontdesk/hq/visitors/arrivals",  # carries names
    "frontdesk/hq/agent/main/cmd/status",
    "frontdesk/hq/manager/manager/replies/abc",
    "homeassistant/sensor/x/config",
    "frontdesk/hq/agent/main/devices/p1/state/extra",
])
def test_other_topics_are_not_ours_and_not_logged(topic, caplog):
    with caplog.at_level(logging.DEBUG, logger="frontdesk.manager.ingest"):
        assert parse(topic, b'{"name": "Ana"}', False, NOW) is None
    assert caplog.text == ""


def test_a_cleared_retained_message_is_skipped_quietly(caplog):
    assert parse("frontdesk/hq/agent/main/devices/p1/state", b"", True, NOW) is None
    assert caplog.text == ""


@pytest.mark.parametrize(("payload", "problem"), [
    (b"[1, 2]", "expected a JSON object"),
    (b'{"event": "refund_issued", "id": "x", "at": "2026-01-01T00:00:00+00:00"}', "'refund_issued' is not one of"),
    (b'{"event": "receipt_issued", "id": "x", "at": "2026-01-01T00:00:00", "number": "1", "total": "1.00",'
     b' "currency": "EUR", "payment_method": "card", "items": 1}', "at: Input should have timezone info"),
    (b'{"event": "mail_recorded", "id": "x", "at": "2026-01-01T00:00:00Z", "entry": "e", "carrier": "usps",'
     b' "mail_class": "m", "destination": "domestic", "grams": "heavy", "price": "1", "currency": "USD"}', "grams"),
])
def test_ledger_payloads_that_break_the_contract(payload, problem, caplog):
    with caplog.at_level(logging.WARNING, logger="frontdesk.manager.ingest"):
        assert parse("frontdesk/hq/agent/ledger-test/ledger", payload, False, NOW) is None
    assert problem in caplog.text and "frontdesk/hq/agent/ledger-test/ledger" in caplog.text


def test_a_state_for_another_device_than_its_topic_is_refused(caplog):
    with caplog.at_level(logging.WARNING, logger="frontdesk.manager.ingest"):
        assert parse("frontdesk/hq/agent/main/devices/other/state", STATE, True, NOW) is None
    assert "does not match the topic" in caplog.text


def test_newer_agents_may_add_fields():
    payload = contract.encode(contract.device_state("p1", "printer", "ok", [], NOW.isoformat(), brand_new_field=[1]))
    assert parse("frontdesk/hq/agent/main/devices/p1/state", payload, True, NOW).payload["brand_new_field"] == [1]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["availability", "ledger", "devices/d/state", "devices/d/events"]))
def test_any_bytes_at_all_give_a_message_or_none_never_an_exception(payload, leaf):
    parse(f"frontdesk/hq/agent/fuzz/{leaf}", payload, False, NOW)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["event", "id", "at", "visit", "signed_in_at", "duration_seconds", "language"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=20), st.floats(), st.booleans())))
def test_any_json_object_on_the_visits_topic_is_handled(payload):
    parse("frontdesk/hq/kiosk/fuzz/visits", contract.encode(payload), False, NOW)


def test_subscriptions_never_include_visitor_arrivals():
    filters = subscriptions([])
    assert "frontdesk/+/agent/+/devices/+/state" in filters and not any("#" in f or "visitors" in f for f in filters)
    assert all(f.startswith(("frontdesk/a/", "frontdesk/b/")) for f in subscriptions(["a", "b"]))
