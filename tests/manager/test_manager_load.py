"""One manager, 200 agents with four devices each, on the real Mosquitto: every state
change and every event is in the history, none lost, none twice; a manager started
afterwards learns all 800 devices from the retained state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from testbed import wait_until

from frontdesk.manager.history import schema

AGENTS, SITES = 200, 10
DEVICES = {"desk-printer": "printer", "scale": "scale", "copier": "copier", "fax": "fax"}
# Each device goes through these after its first `ok`; consecutive states always differ.
CHANGES = [("warning", ["toner_low"]), ("error", ["paper_out"]), ("error", ["paper_out", "cover_open"]), ("ok", [])]


# Mosquitto keeps at most max_queued_messages (default 1000) for a client that is behind, and
# drops the rest: 200 agents changing every device at the same moment outrun any Python
# subscriber for a few seconds. docs/manager.md asks for this setting on a manager's broker.
BROKER_CONF = "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n"


@pytest.fixture
def broker(tmp_path):
    """A private Mosquitto configured as docs/manager.md recommends for a manager."""
    from frontdesk.agent.local_broker import LocalBroker

    with LocalBroker(tmp_path, lambda port: BROKER_CONF.format(port=port)) as running:
        yield running


@pytest.fixture
def manager_with_alerts(alerting):
    """History, ingest and alerts as `frontdesk-manager run` wires them (no mail or webhook
    configured: the incidents are counted in their table, not sent anywhere)."""
    alerter, history, ingestor = alerting("[manager.alerts]\nhold_down_seconds = 0\n")
    return history, ingestor, alerter


def test_two_hundred_agents_with_four_devices_lose_nothing(broker, manager_with_alerts, running_manager, tmp_path):
    history, ingestor, alerter = manager_with_alerts
    started = time.monotonic()
    # The agents run in a process of their own, as real agents do on their own machines.
    agents = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("fake_agents.py")), broker.host, str(broker.port), str(AGENTS),
         str(SITES), json.dumps(DEVICES), json.dumps(CHANGES)],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert agents.returncode == 0, agents.stderr
    published = time.monotonic() - started
    devices = AGENTS * len(DEVICES)
    expected_states = devices * (1 + len(CHANGES))
    expected_events = devices * (len(CHANGES) - 1)

    def stored(table: sa.Table) -> int:
        with history.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    assert wait_until(lambda: stored(schema.device_states) >= expected_states and
                      stored(schema.device_events) >= expected_events, timeout=60, interval=0.5), (
        ingestor.stats, stored(schema.device_states), stored(schema.device_events))
    assert ingestor.drained(30)
    took = time.monotonic() - started
    assert ingestor.stats["received"] == int(agents.stdout)
    print(f"\n{ingestor.stats['received']} messages from {AGENTS} agents: published in {published:.1f} s, "
          f"stored in {took:.1f} s ({ingestor.stats['received'] / took:.0f} messages/s)")
    assert stored(schema.device_states) == expected_states
    assert stored(schema.device_events) == expected_events
    assert stored(schema.availability) == AGENTS
    with history.engine.connect() as conn:  # per device, the changes in the order they happened
        rows = conn.execute(sa.select(schema.device_states.c.site, schema.device_states.c.agent,
                                      schema.device_states.c.device, schema.device_states.c.health,
                                      schema.device_states.c.reasons).order_by(schema.device_states.c.id)).all()
    sequences: dict[tuple, list] = {}
    for row in rows:
        sequences.setdefault((row.site, row.agent, row.device), []).append((row.health, row.reasons))
    assert len(sequences) == devices
    assert all(seq == [("ok", []), *[(h, r) for h, r in CHANGES]] for seq in sequences.values())
    assert len(history.current_states()) == devices
    assert all(state["health"] == "ok" and state["available"] for state in history.current_states())
    # The alerts kept up too: one incident per device (it went warning -> error -> ok), all ended.
    assert wait_until(lambda: alerter._inbox.empty() and stored(schema.incidents) == devices, timeout=60)
    assert wait_until(lambda: history.open_incidents() == [], timeout=30)

    # A second manager starting from nothing learns every device from the retained state.
    _config, fresh, _ingestor = running_manager(f"sqlite:///{tmp_path / 'fresh.db'}", manager_id="second")
    assert wait_until(lambda: len(fresh.current_states()) == devices, timeout=30, interval=0.2)
    assert len(fresh.current_availability()) == AGENTS
