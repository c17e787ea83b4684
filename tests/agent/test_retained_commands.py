"""A command left retained on the broker is never carried out: not at start, not at a reconnect."""

from __future__ import annotations

import json
import sqlite3
import uuid

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import Recorder, RunningAgent, agent_toml

from frontdesk.contract.config import parse_config
from frontdesk.devices.printer.simulator.elements import DrawerKick

PREFIX = "frontdesk/test/agent/main"
DRAWER = f"{PREFIX}/cmd/open_drawer"


def kicks(printer_sim) -> int:
    return sum(isinstance(element, DrawerKick) for job in printer_sim.jobs for element in job.elements)


def test_a_retained_open_drawer_kicks_the_drawer_zero_times_across_restarts(broker, printer_sim, tmp_path):
    config = parse_config(agent_toml(broker, printer_sim.port, tmp_path / "data", drawer_pin=2))
    till = Recorder(broker, f"{PREFIX}/availability", f"{PREFIX}/cmd/#")
    try:
        assert not till.publish(DRAWER, b'{"wait": 0}', retain=True).is_failure
        for start in range(3):
            since = till.mark()
            with RunningAgent(config):
                till.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online", since=since)
                # The sentinel: a retained command reaches the agent when it subscribes, before
                # anything sent after its `online`; the agent handles commands in turn.
                assert till.command("status", {})["ok"]
                if start == 0:
                    till.wait_for(lambda t, p, r: t == DRAWER and p == b"", 10, "the retained command cleared")
        assert kicks(printer_sim) == 0

        with RunningAgent(config):
            till.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online", since=till.mark())
            properties = Properties(PacketTypes.PUBLISH)
            properties.ResponseTopic, properties.CorrelationData = till.inbox, uuid.uuid4().bytes
            till.publish(DRAWER, b'{"wait": 0}', retain=True, properties=properties)  # a live retained publish
            till.wait_until(lambda: properties.CorrelationData in till.replies, 10, "the refusal")
            refusal = till.replies[properties.CorrelationData]
            assert till.command("open_drawer", {"wait": 5})["ok"]  # an ordinary one still works
        assert refusal["error"]["code"] == "invalid_request" and "retain" in refusal["error"]["message"]
        assert kicks(printer_sim) == 1
    finally:
        till.close()
    late = Recorder(broker, f"{PREFIX}/cmd/#")  # nothing is left retained for a later subscriber
    try:
        late.sync()
        assert [m for m in late.messages if m.retain] == [], late.messages
    finally:
        late.close()


def test_a_request_naming_a_topic_that_is_no_reply_inbox_is_not_carried_out(broker, printer_sim, tmp_path):
    """The agent replies with its own rights: to its own state, availability or Home Assistant's
    discovery, a reply would overwrite them (seen with a kiosk's login before this check)."""
    config = parse_config(agent_toml(broker, printer_sim.port, tmp_path / "data", drawer_pin=2))
    targets = [f"{PREFIX}/devices/desk-printer/state", f"{PREFIX}/availability", "homeassistant/button/x/config",
               "frontdesk/other-site/kiosk/lobby/replies/1"]
    till = Recorder(broker, f"{PREFIX}/#", "homeassistant/#", "frontdesk/other-site/#")
    try:
        with RunningAgent(config):
            till.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")
            since = till.mark()
            for target in targets:
                properties = Properties(PacketTypes.PUBLISH)
                properties.ResponseTopic, properties.CorrelationData = target, uuid.uuid4().bytes
                till.publish(DRAWER, b'{"wait": 0}', properties=properties)
            # The sentinel: on the printer's lane, after the drawer requests had each been stored.
            assert till.command("printer_status", {})["ok"]
            replies = [m for m in till.snapshot(since) if m.topic in targets and m.payload.startswith(b'{"ok"')]
            assert replies == []
        with sqlite3.connect(tmp_path / "data" / "print-jobs.db") as jobs:
            assert jobs.execute("SELECT count(*) FROM print_job").fetchone()[0] == 0
        assert kicks(printer_sim) == 0
    finally:
        till.close()


def test_a_role_may_send_only_its_own_commands(broker, printer_sim, tmp_path):
    """The reply topic names the client's role: a kiosk may not open the drawer, a button without
    a reply may not print a receipt; the staff CLI may do both (contract/commands.py ROLE_COMMANDS)."""
    config = parse_config(agent_toml(broker, printer_sim.port, tmp_path / "data", drawer_pin=2))
    kiosk_inbox = "frontdesk/test/kiosk/lobby/replies/k1"
    till = Recorder(broker, f"{PREFIX}/availability", kiosk_inbox)
    try:
        with RunningAgent(config):
            till.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")
            properties = Properties(PacketTypes.PUBLISH)
            properties.ResponseTopic, properties.CorrelationData = kiosk_inbox, b"k"
            till.publish(DRAWER, b'{"wait": 0}', properties=properties)
            refusal = json.loads(till.wait_for(lambda t, p, r: t == kiosk_inbox, 10, "the kiosk's refusal")[1])
            assert refusal["error"]["code"] == "permission_denied" and "kiosk" in refusal["error"]["message"]
            till.publish(f"{PREFIX}/cmd/print_receipt", json.dumps(
                {"items": [{"description": "Timbru", "unit_price": "1.80"}], "payment_method": "cash"}))
            assert till.command("printer_status", {})["ok"]  # the sentinel, on the printer's lane
            assert till.command("open_drawer", {"wait": 5})["result"]["state"] == "printed"  # the staff CLI's
        with sqlite3.connect(tmp_path / "data" / "print-jobs.db") as jobs:
            assert [row[0] for row in jobs.execute("SELECT kind FROM print_job")] == ["drawer"]
        assert kicks(printer_sim) == 1
    finally:
        till.close()
