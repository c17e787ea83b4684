"""The ingest on the real broker into SQLite and PostgreSQL: everything stored once,
catch-up after a restart, malformed payloads skipped with a log line."""

from __future__ import annotations

import json
import logging
import uuid
from decimal import Decimal

import paho.mqtt.client as mqtt
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import wait_until

from frontdesk.manager.history import schema
from frontdesk.manager.ingest import SESSION_EXPIRY_SECONDS, subscriptions


def count(history, table: sa.Table, *where) -> int:
    with history.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def rows(history, table: sa.Table, *where, order=None) -> list[dict]:
    with history.engine.connect() as conn:
        query = sa.select(table).where(*where).order_by(order if order is not None else table.c.id)
        return [dict(r._mapping) for r in conn.execute(query)]


def test_everything_an_agent_and_a_kiosk_publish_is_stored_once(database_url, running_manager, fake_agent, fake_kiosk):
    _config, history, ingestor = running_manager(database_url)
    agent = fake_agent()
    kiosk = fake_kiosk()
    agent.all_ok()
    kiosk.online()
    fault = agent.state("desk-printer", "error", ["paper_out"], paper="out")
    paper_out = agent.event("desk-printer", "paper_out", health="error")
    agent.receipt("2026-000042", total="12.50")
    agent.mail(entry="m-1", price="0.73")
    agent.weight("desk-printer", 85.0)  # QoS 0 readings are not history
    visit = kiosk.visit(minutes=25, language="ro", purpose="delivery")
    kiosk.arrival("Ana Popescu")  # names: never received, never stored
    for publisher in (agent, kiosk):
        publisher.flush()

    assert wait_until(lambda: count(history, schema.visits, schema.visits.c.signed_out_at.is_not(None)) == 1)
    assert ingestor.drained(10)
    states = rows(history, schema.device_states, schema.device_states.c.device == "desk-printer")
    assert [(s["health"], s["reasons"]) for s in states] == [("ok", []), ("error", ["paper_out"])]
    assert states[1]["payload"]["paper"] == "out" and states[1]["since"].isoformat(timespec="milliseconds") == fault["since"]
    (event,) = rows(history, schema.device_events)
    assert (event["event_id"], event["event"], event["device"]) == (paper_out["id"], "paper_out", "desk-printer")
    (receipt,) = rows(history, schema.receipts)
    assert (receipt["number"], receipt["total"], receipt["payment_method"]) == ("2026-000042", Decimal("12.50"), "card")
    (entry,) = rows(history, schema.mail)
    assert (entry["entry"], entry["price"], entry["currency"], entry["grams"]) == ("m-1", Decimal("0.73"), "USD", 85.0)
    (stored_visit,) = rows(history, schema.visits)
    assert (stored_visit["visit"], stored_visit["duration_seconds"], stored_visit["language"]) == (visit, 1500, "ro")
    assert stored_visit["signed_in_at"].tzinfo is not None
    assert {(a["source"], a["source_id"], a["status"]) for a in rows(history, schema.availability)} == {
        ("agent", "main", "online"), ("kiosk", "lobby", "online")}
    with history.engine.connect() as conn:  # no table holds the visitor's name
        for table in schema.metadata.sorted_tables:
            assert "Popescu" not in repr(conn.execute(sa.select(table)).all())
    current = {s["device"]: s for s in history.current_states()}
    assert current["desk-printer"]["health"] == "error" and current["desk-printer"]["available"] is True
    assert history.recent_events()[0]["event_id"] == paper_out["id"]


def test_duplicates_are_not_counted_twice(database_url, running_manager, fake_agent, fake_kiosk):
    _config, history, ingestor = running_manager(database_url)
    agent = fake_agent()
    kiosk = fake_kiosk()
    agent.all_ok()
    kiosk.online()
    jam = agent.event("copier", "jam", health="error")
    agent.resend("copier", jam)  # the same event id twice, as a QoS 1 redelivery brings it
    receipt = agent.receipt("2026-000001")
    agent.publish("frontdesk/hq/agent/main/ledger", json.dumps(receipt).encode())
    agent.mail(entry="m-7")
    agent.mail(entry="m-7")  # the mail log's entry id is the key
    visit = kiosk.visit()
    agent.republish()  # what an agent does after each reconnect: the same retained states again
    agent.republish()
    for publisher in (agent, kiosk):
        publisher.flush()
    assert wait_until(lambda: ingestor.stats["received"] >= 18)
    assert ingestor.drained(10)
    assert count(history, schema.device_events) == 1
    assert count(history, schema.receipts) == 1 and count(history, schema.mail) == 1
    assert count(history, schema.visits, schema.visits.c.visit == visit) == 1
    assert count(history, schema.device_states) == 2  # one ok row per device, republishes add none
    assert count(history, schema.availability) == 2  # agent online, kiosk online


def test_a_restarted_manager_catches_up_without_double_counting(database_url, running_manager, fake_agent, caplog):
    config, history, first = running_manager(database_url)
    agent = fake_agent()
    agent.all_ok()
    before = agent.job_completed("desk-printer", 1)
    agent.flush()
    assert wait_until(lambda: count(history, schema.device_events) == 1)
    first.stop()
    history.close()

    # While the manager is away: QoS 1 events and ledger records wait in its session at the
    # broker; state changes are retained.
    missed = [agent.event("copier", "toner_low", health="warning") for _ in range(3)]
    agent.receipt("2026-000100")
    agent.state("copier", "warning", ["toner_low"])
    agent.state("desk-printer", "error", ["cover_open"])
    agent.flush()

    with caplog.at_level(logging.INFO, logger="frontdesk.manager.ingest"):
        _config, history, second = running_manager(database_url)
        assert wait_until(lambda: count(history, schema.receipts) == 1 and count(history, schema.device_events) == 4)
    assert "resumed session" in caplog.text
    assert second.drained(10)
    assert {e["event_id"] for e in rows(history, schema.device_events)} == {before["id"], *(e["id"] for e in missed)}
    latest = {s["device"]: (s["health"], s["reasons"]) for s in history.current_states()}
    assert latest == {"desk-printer": ("error", ["cover_open"]), "copier": ("warning", ["toner_low"])}
    assert count(history, schema.device_states) == 4  # two ok rows, two changes; retained repeats add none


def test_a_qos1_redelivery_after_a_crash_before_the_ack_is_stored_once(database_url, broker, running_manager,
                                                                        fake_agent, tmp_path):
    """A manager that received messages but died before acknowledging them gets them again
    (the broker redelivers with the DUP flag); the history keeps one copy."""
    from manager_rig import manager_config

    config = manager_config(broker, database_url, tmp_path)
    got = []
    crashed = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"frontdesk-manager-{config.manager.id}",
                          protocol=mqtt.MQTTv5)
    crashed.manual_ack_set(True)  # and never acks: it "dies" right after receiving
    crashed.on_message = lambda c, u, m: got.append(m.topic)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
    crashed.connect(broker.host, broker.port, clean_start=True, properties=properties)
    crashed.subscribe([(topic, 1) for topic in subscriptions([])])
    crashed.loop_start()
    agent = fake_agent()
    events = [agent.job_completed("copier", n + 1) for n in range(5)]
    agent.receipt("2026-000007")
    agent.flush()
    assert wait_until(lambda: len(got) == 6)
    crashed.disconnect()
    crashed.loop_stop()

    _config, history, ingestor = running_manager(database_url)
    assert wait_until(lambda: count(history, schema.device_events) == 5 and count(history, schema.receipts) == 1)
    agent.resend("copier", events[0])
    agent.flush()
    assert wait_until(lambda: ingestor.stats["unchanged"] >= 1)
    assert count(history, schema.device_events) == 5


def test_malformed_payloads_are_skipped_with_one_log_line_each(database_url, running_manager, fake_agent, caplog):
    _config, history, ingestor = running_manager(database_url)
    # A problem is logged once per topic per process: a fresh agent id keeps the runs apart.
    agent = fake_agent(agent=f"bad-{uuid.uuid4().hex[:8]}")
    bad = {
        "devices/desk-printer/state": b"{not json",
        "devices/copier/state": b'{"device": "copier", "kind": "copier", "health": "broken", "reasons": [], "since": "2026-01-01T00:00:00+00:00"}',
        "devices/copier/events": b'{"event": "jam", "at": "yesterday", "id": "x"}',
        "ledger": b'{"event": "receipt_issued", "id": "r", "at": "2026-01-01T00:00:00+00:00", "number": "1", "total": "lots", "currency": "EUR", "payment_method": "card", "items": 1}',
        "availability": b"maybe",
    }
    with caplog.at_level(logging.WARNING, logger="frontdesk.manager.ingest"):
        for leaf, payload in bad.items():
            agent.raw(leaf, payload)
        agent.raw("devices/desk-printer/state", b"\xff\xfe")
        agent.raw("devices/desk-printer/state", b"{not json")  # the same mistake again: not logged again
        agent.state("desk-printer", "ok")  # and the ingest carries on
        agent.flush()
        assert wait_until(lambda: count(history, schema.device_states) == 1)
    assert ingestor.stats["skipped"] == 7
    lines = [r.getMessage() for r in caplog.records if "malformed" in r.getMessage()]
    assert len(lines) == 6
    for leaf in bad:
        assert any(f"frontdesk/hq/agent/{agent.id}/{leaf}:" in line for line in lines), leaf
    assert "Traceback" not in caplog.text
    assert any("health" in line for line in lines) and any("total" in line for line in lines)


def test_only_the_configured_sites_are_followed(database_url, running_manager, fake_agent):
    _config, history, ingestor = running_manager(database_url, sites=["hq"])
    fake_agent("branch", "main").all_ok()
    here = fake_agent("hq", "main")
    here.all_ok()
    here.flush()
    assert wait_until(lambda: count(history, schema.device_states) == 2)
    assert ingestor.drained(5)
    assert {s["site"] for s in history.current_states()} == {"hq"}


def test_a_database_outage_is_logged_and_nothing_is_lost(broker, running_manager, fake_agent, caplog):
    """PostgreSQL restarts under a running manager: what arrives meanwhile waits, then is stored."""
    import pg_lab

    with pg_lab.PostgresLab() as own_server:  # not the session's server: this one gets stopped
        _config, history, ingestor = running_manager(own_server.create_database())
        agent = fake_agent()
        agent.all_ok()
        agent.flush()
        assert wait_until(lambda: count(history, schema.device_states) == 2)
        with caplog.at_level(logging.INFO, logger="frontdesk.manager.ingest"):
            own_server.stop_server()
            receipts = [agent.receipt(f"2026-{n:06d}") for n in range(20)]
            agent.state("copier", "error", ["jam"])
            agent.flush()
            assert wait_until(lambda: "cannot write to the history database" in caplog.text, timeout=20)
            own_server.start_server()
            assert wait_until(lambda: "the history database is back" in caplog.text, timeout=30)
        assert ingestor.drained(10)
        assert count(history, schema.receipts) == len(receipts) and count(history, schema.device_states) == 3
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and "Traceback" not in caplog.text  # one line for the outage, not one per try


def test_stopping_again_returns_at_once_and_reports_nothing_lost(database_url, running_manager, fake_agent, caplog):
    _config, history, ingestor = running_manager(database_url)
    agent = fake_agent()
    agent.all_ok()
    agent.flush()
    assert wait_until(lambda: ingestor.stats["received"] >= 1)
    with caplog.at_level(logging.ERROR, logger="frontdesk.manager.ingest"):
        for _ in range(3):  # teardown code often stops what a test already stopped
            ingestor.stop(timeout=2)
    assert not [r for r in caplog.records if "not stored" in r.getMessage()]
    assert ingestor.drained(0)
