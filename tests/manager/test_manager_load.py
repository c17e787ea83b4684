"""One manager, 200 agents with four devices each, on the real Mosquitto: every state
change and every event is in the history, none lost, none twice; a manager started
afterwards learns all 800 devices from the retained state."""

from __future__ import annotations

import time

import sqlalchemy as sa
from conftest import wait_until
from fake_agents import FakeAgent

from manager.history import schema

AGENTS, SITES = 200, 10
DEVICES = {"desk-printer": "printer", "scale": "scale", "copier": "copier", "fax": "fax"}
# Each device goes through these after its first `ok`; consecutive states always differ.
CHANGES = [("warning", ["toner_low"]), ("error", ["paper_out"]), ("error", ["paper_out", "cover_open"]), ("ok", [])]


def test_two_hundred_agents_with_four_devices_lose_nothing(broker, running_manager, tmp_path):
    _config, history, ingestor = running_manager(f"sqlite:///{tmp_path / 'history.db'}")
    agents = [FakeAgent(broker, f"site-{n % SITES}", f"agent-{n:03d}", DEVICES) for n in range(AGENTS)]
    started = time.monotonic()
    try:
        for agent in agents:
            agent.all_ok()
        for health, reasons in CHANGES:  # every agent changes every device, all at once
            for agent in agents:
                for device in DEVICES:
                    agent.state(device, health, reasons)
                    if health != "ok":
                        agent.event(device, reasons[-1], health=health)
        for agent in agents:
            agent.flush(60)
        published = time.monotonic() - started
        devices = AGENTS * len(DEVICES)
        expected_states = devices * (1 + len(CHANGES))
        expected_events = devices * (len(CHANGES) - 1)

        def stored(table: sa.Table) -> int:
            with history.engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

        assert wait_until(lambda: stored(schema.device_states) >= expected_states and
                          stored(schema.device_events) >= expected_events, timeout=60, interval=0.5)
        assert ingestor.drained(30)
        took = time.monotonic() - started
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

        # A second manager starting from nothing learns every device from the retained state.
        _config, fresh, _ingestor = running_manager(f"sqlite:///{tmp_path / 'fresh.db'}", manager_id="second")
        assert wait_until(lambda: len(fresh.current_states()) == devices, timeout=30, interval=0.2)
        assert len(fresh.current_availability()) == AGENTS
    finally:
        for agent in agents:
            agent.close()
