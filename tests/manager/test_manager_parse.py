"""parse(): which topics the history keeps, and what it refuses (with the reason)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.contract import mqtt as contract
from frontdesk.manager.ingest import parse, subscriptions

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


@pytest.mark.parametrize("retained", [True, False])
def test_a_cleared_device_state_means_the_device_was_removed(retained, caplog):
    message = parse("frontdesk/hq/agent/main/devices/p1/state", b"", retained, NOW)
    assert (message.kind, message.source_id, message.device, message.payload) == ("removed", "main", "p1", {})
    assert message.received_at == NOW and message.retained is retained
    assert caplog.text == ""


@pytest.mark.parametrize("leaf", ["availability", "devices/p1/events", "ledger"])
def test_other_cleared_messages_are_skipped_quietly(leaf, caplog):
    assert parse(f"frontdesk/hq/agent/main/{leaf}", b"", True, NOW) is None
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


VISIT = '"id": "x", "visit": "v1", "at": "2026-01-01T10:00:00Z", "signed_in_at": "2026-01-01T09:00:00Z"'


@pytest.mark.parametrize(("payload", "problem"), [
    ('{"event": "signed_in", %s, "started_at": "2026-01-01T09:00:01Z"}' % VISIT,
     "started_at: Value error, must not be after signed_in_at"),
    ('{"event": "signed_in", %s, "started_at": "2026-01-01T08:59:00"}' % VISIT, "started_at: Input should have timezone"),
    ('{"event": "badge_printed", %s, "waited_seconds": 3600}' % VISIT, "printed_at: Field required"),
    ('{"event": "badge_printed", %s, "printed_at": "2026-01-01T10:00:00Z", "waited_seconds": -1}' % VISIT,
     "waited_seconds: Input should be greater than or equal to 0"),
    ('{"event": "badge_printed", %s, "printed_at": "2026-01-01T10:00:00Z", "waited_seconds": NaN}' % VISIT,
     "waited_seconds: Input should be a finite number"),
    ('{"event": "sign_in_abandoned", "id": "x", "at": "2026-01-01T10:00:00Z", "started_at": "2026-01-01T09:59:00Z",'
     ' "seconds": 20}', "step: Field required"),
    ('{"event": "sign_in_abandoned", "id": "x", "at": "2026-01-01T10:00:00Z", "started_at": "2026-01-01T09:59:00Z",'
     ' "seconds": 20, "step": ""}', "step: String should have at least 1 character"),
    ('{"event": "badge_collected", %s}' % VISIT,
     "'badge_collected' is not one of signed_in, signed_out, badge_printed, sign_in_abandoned"),
])
def test_visit_records_that_break_the_contract(payload, problem, caplog):
    with caplog.at_level(logging.WARNING, logger="frontdesk.manager.ingest"):
        assert parse("frontdesk/hq/kiosk/records-test/visits", payload.encode(), False, NOW) is None
    assert problem in caplog.text and "frontdesk/hq/kiosk/records-test/visits" in caplog.text


def test_a_state_for_another_device_than_its_topic_is_refused(caplog):
    with caplog.at_level(logging.WARNING, logger="frontdesk.manager.ingest"):
        assert parse("frontdesk/hq/agent/main/devices/other/state", STATE, True, NOW) is None
    assert "does not match the topic" in caplog.text


def test_newer_agents_may_add_fields():
    # A sender builds only what the contract has (device_state refuses more); a newer one has more.
    payload = contract.encode({**contract.device_state("p1", "printer", "ok", [], NOW.isoformat()),
                               "brand_new_field": [1]})
    assert parse("frontdesk/hq/agent/main/devices/p1/state", payload, True, NOW).payload["brand_new_field"] == [1]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["availability", "ledger", "devices/d/state", "devices/d/events"]))
def test_any_bytes_at_all_give_a_message_or_none_never_an_exception(payload, leaf):
    parse(f"frontdesk/hq/agent/fuzz/{leaf}", payload, False, NOW)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["event", "id", "at", "visit", "signed_in_at", "duration_seconds", "language",
                                        "started_at", "printed_at", "waited_seconds", "seconds", "step"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=20), st.floats(), st.booleans())))
def test_any_json_object_on_the_visits_topic_is_handled(payload):
    parse("frontdesk/hq/kiosk/fuzz/visits", contract.encode(payload), False, NOW)


def test_subscriptions_never_include_visitor_arrivals():
    filters = subscriptions([])
    assert "frontdesk/+/agent/+/devices/+/state" in filters and not any("#" in f or "visitors" in f for f in filters)
    assert all(f.startswith(("frontdesk/a/", "frontdesk/b/")) for f in subscriptions(["a", "b"]))
