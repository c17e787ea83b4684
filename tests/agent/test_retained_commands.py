"""A command left retained on the broker is never carried out: not at start, not at a reconnect."""

from __future__ import annotations

import uuid

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import Recorder, RunningAgent, agent_toml

from contract.config import parse_config
from devices.printer.simulator.elements import DrawerKick

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
