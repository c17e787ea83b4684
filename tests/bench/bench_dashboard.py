"""MQTT message -> dashboard update latency, measured in headless Chromium.

A real manager (History on SQLite, Ingestor on a private Mosquitto, the dashboard on
uvicorn) shows many agents' devices; fake agents publish state changes exactly as the
agent does, and the page's own clock records when each card changed (a MutationObserver).

Run: .venv/bin/python tests/bench/bench_dashboard.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "manager"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "manager" / "web"))

from fake_agents import FakeAgent  # noqa: E402
from figures import percentiles  # noqa: E402
from web_rig import (  # noqa: E402
    DESKTOP,
    ManagerRig,
    chromium,
    log_in,
    measure_card_change,
    web_config,
)

from frontdesk.agent.local_broker import LocalBroker  # noqa: E402

DEVICES = {"desk-printer": "printer", "mail-scale": "scale", "copier": "copier", "fax": "fax"}


def wait_for_cards(page, count: int, health: str | None = None, timeout: float = 60) -> float:
    """Seconds until the page shows `count` cards (of this health)."""
    selector = ".card" + (f"[data-health={health}]" if health else "")
    started = time.monotonic()
    page.wait_for_function(f"() => document.querySelectorAll('{selector}').length >= {count}", timeout=timeout * 1000)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    agents, changes = (5, 6) if quick else (50, 20)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root_name:
        root = Path(root_name)
        (root / "broker").mkdir()
        with LocalBroker(root / "broker") as broker, \
                ManagerRig(web_config(root / "manager", broker.host, broker.port)) as rig, chromium() as browser:
            fleet = [FakeAgent(broker, "bench", f"agent-{n:03d}", dict(DEVICES)) for n in range(agents)]
            try:
                for agent in fleet:
                    agent.all_ok()
                for agent in fleet:
                    agent.flush()
                cards = agents * len(DEVICES)
                page = browser.new_context(viewport=DESKTOP).new_page()
                log_in(page, rig.url)
                wait_for_cards(page, cards)

                watched = fleet[0]
                delays = []
                for change in range(changes):
                    health, reasons = ("error", ["paper_out"]) if change % 2 == 0 else ("ok", [])

                    def publish(health=health, reasons=reasons):
                        watched.state("desk-printer", health, reasons)
                        watched.flush()

                    delays.append(measure_card_change(page, "bench", watched.id, "desk-printer", health, publish))
                median, p95 = percentiles(delays)
                print(f"MQTT state -> dashboard card in Chromium: median {median * 1000:.0f} ms, "
                      f"p95 {p95 * 1000:.0f} ms over {changes} changes ({cards} cards on the page)")

                started = time.monotonic()
                for agent in fleet:
                    for device in DEVICES:
                        agent.state(device, "warning", ["supply_low"])
                for agent in fleet:
                    agent.flush()
                wait_for_cards(page, cards, "warning")
                print(f"burst of {cards} state changes -> every card updated: {(time.monotonic() - started) * 1000:.0f} ms")
            finally:
                for agent in fleet:
                    agent.close()


if __name__ == "__main__":
    main()
