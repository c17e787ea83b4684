"""A device taken out of the agent's config leaves no retained message behind (real Mosquitto).

The agent remembers the state topics it published (agent/remembered.py); on its next start it
clears the state of every device no longer configured, as it already did for Home Assistant's
discovery configs, and forgets a topic only once the broker acknowledged the clearing.
"""

from __future__ import annotations

import json
import logging
import socket
from datetime import datetime, timezone

import pytest
from testbed import OFFICE_TOML, Recorder, RunningAgent, wait_until

from frontdesk.agent.ledger.device_history import FILE_NAME as DEVICE_HISTORY_FILE
from frontdesk.agent.ledger.device_history import DeviceHistory
from frontdesk.agent.runtime import STATES_MEMORY, Agent
from frontdesk.contract.config import parse_config

PREFIX = "frontdesk/test/agent/main"
AVAILABILITY = f"{PREFIX}/availability"
DESK, OLD = f"{PREFIX}/devices/desk-printer/state", f"{PREFIX}/devices/old-printer/state"
HA = "homeassistant/+/frontdesk_test_main/+/config"


def closed_port() -> int:
    """A port nobody listens on: the old printer is simply unreachable (offline)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def agent_config(tmp_path, mqtt_port: int, printer_port: int, old_printer: bool):
    printers = ('[[printer]]\nid = "desk-printer"\nconnection = "network"\nhost = "127.0.0.1"\n'
                f'port = {printer_port}\nstatus_timeout = 0.3\ntimeout = 1.0\n')
    if old_printer:
        printers += ('[[printer]]\nid = "old-printer"\nconnection = "network"\nhost = "127.0.0.1"\n'
                     f'port = {closed_port()}\nstatus_timeout = 0.3\ntimeout = 1.0\n')
    return parse_config(OFFICE_TOML + f'[mqtt]\nhost = "127.0.0.1"\nport = {mqtt_port}\n'
                        f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = 0.3\n' + printers)


def retained_now(broker) -> set[str]:
    """What a fresh subscriber is given: the retained states and discovery configs at the broker
    (the sentinel, Recorder.sync, comes back after all of them)."""
    listener = Recorder(broker, f"{PREFIX}/devices/+/state", HA, AVAILABILITY)
    try:
        listener.sync()
        return listener.topics() - {AVAILABILITY}
    finally:
        listener.close()


def remembered(tmp_path) -> set[str]:
    return set(json.loads((tmp_path / "data" / STATES_MEMORY).read_text()))


def clearing_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "is no longer configured: clearing" in r.getMessage()]


def test_a_removed_device_is_cleared_once_the_broker_can_take_it(broker, printer_sim, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="frontdesk.agent")
    with RunningAgent(agent_config(tmp_path, broker.port, printer_sim.port, old_printer=True)) as agent:
        assert agent.link.connected.wait(15)
        listener = Recorder(broker, f"{PREFIX}/devices/+/state")
        listener.wait_for(lambda topic, payload, retain: topic == OLD and payload, what="the old printer's state")
        listener.close()
    before = retained_now(broker)
    assert {DESK, OLD} <= before and any("old_printer" in topic for topic in before)
    assert remembered(tmp_path) == {DESK, OLD}

    # Restarted without the old printer while the broker cannot be reached: it says what it
    # will clear, but remembers the old printer until the broker has taken the clearing.
    with RunningAgent(agent_config(tmp_path, closed_port(), printer_sim.port, old_printer=False)):
        pass
    assert clearing_lines(caplog) == [f"device old-printer is no longer configured: clearing its retained state ({OLD})"]
    assert remembered(tmp_path) == {DESK, OLD}
    assert OLD in retained_now(broker)

    caplog.clear()
    with RunningAgent(agent_config(tmp_path, broker.port, printer_sim.port, old_printer=False)) as agent:
        assert agent.link.connected.wait(15)
        wait_until(lambda: remembered(tmp_path) == {DESK}, 15, "the clearing acknowledged (and forgotten)",
                   last=lambda: remembered(tmp_path))
    assert len(clearing_lines(caplog)) == 1
    after = retained_now(broker)
    assert OLD not in after and not any("old_printer" in topic for topic in after)
    assert DESK in after and any("desk_printer" in topic for topic in after)  # the others stay
    assert remembered(tmp_path) == {DESK}
    assert not any("old_printer" in topic for topic in json.loads((tmp_path / "data" / "ha-discovery.json").read_text()))

    # Started again: nothing left to clear, so nothing is cleared.
    caplog.clear()
    watching = Recorder(broker, OLD, AVAILABILITY, prefix=PREFIX)
    with RunningAgent(agent_config(tmp_path, broker.port, printer_sim.port, old_printer=False)):
        # `online` comes after the agent subscribed to its commands.
        watching.wait_for(lambda topic, payload, retain: topic == AVAILABILITY and payload == b"online")
        # The sentinel: the agent sends its clearings as it connects, before it can take a command,
        # and its reply leaves the same client after them (Recorder.command).
        assert watching.command("status", {})["ok"]
    watching.close()
    assert clearing_lines(caplog) == [] and [m for m in watching.messages if m[0] == OLD] == []
    assert not [r for r in caplog.records if "removing" in r.getMessage()]


def test_an_agent_upgraded_from_a_version_without_the_memory_starts_from_its_device_history(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="frontdesk.agent")
    history = DeviceHistory(tmp_path / "data" / DEVICE_HISTORY_FILE)
    for device in ("desk-printer", "old-printer"):
        history.record(device, "printer", "ok", (), datetime.now(timezone.utc))
    history.close()
    Agent(agent_config(tmp_path, closed_port(), closed_port(), old_printer=False))  # not run: no broker needed
    assert clearing_lines(caplog) == [f"device old-printer is no longer configured: clearing its retained state ({OLD})"]
    assert remembered(tmp_path) == {DESK, OLD}  # until the broker takes the clearing


@pytest.mark.parametrize("content", ["{not json", '{"a": 1}', "[1, 2]"])
def test_a_damaged_memory_file_is_a_warning_not_a_failure(tmp_path, content, caplog):
    from frontdesk.agent.remembered import RememberedTopics

    path = tmp_path / "memory.json"
    path.write_text(content)
    memory = RememberedTopics(path)
    assert memory.replace(["a/b/state"]) == [] and memory.remembered() == {"a/b/state"}
    assert "starting with nothing remembered" in caplog.text
    assert json.loads(path.read_text()) == ["a/b/state"]


def test_the_memory_forgets_a_topic_only_when_its_clearing_is_acknowledged(tmp_path):
    from frontdesk.agent.remembered import RememberedTopics

    path = tmp_path / "memory.json"
    RememberedTopics(path).replace(["t/a", "t/b"])
    memory = RememberedTopics(path)
    assert memory.replace(["t/a"]) == ["t/b"]
    assert RememberedTopics(path).replace(["t/a"]) == ["t/b"]  # not acknowledged: cleared again
    memory.cleared("t/b")
    memory.cleared("t/unknown")  # someone else's topic: nothing happens
    assert RememberedTopics(path).replace(["t/a"]) == []
    memory.add(["t/c"])
    assert RememberedTopics(path).remembered() == {"t/a", "t/c"}
