"""`status` round trips through the broker to the agent, with its printer idle and while a print
waits for paper: commands run per device, so the second figure should be close to the first.

Run: .venv/bin/python tests/bench/bench_commands.py [--quick]
Prints p50/p95/max of each and their ratio; asserts nothing about speed. (Before commands ran
per device, the first `status` waited for the print's whole `wait`: max, not p50, showed it.) The agent is its own
process (`python -m frontdesk.agent.daemon`) on a private Mosquitto, with the printer simulator.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import percentiles, start_agent

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import MqttConfig
from frontdesk.contract.mqtt_client import AgentConnection
from frontdesk.devices.printer.simulator import TcpPrinterSimulator

RECEIPT = {"items": [{"description": "Timbre", "unit_price": "1.80"}], "payment_method": "cash", "wait": 60}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few requests only (smoke test)")
    requests = 5 if parser.parse_args().quick else 50
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root_name:
        root = Path(root_name)
        (root / "broker").mkdir()
        with LocalBroker(root / "broker") as broker, TcpPrinterSimulator() as printer:
            config = root / "frontdesk.toml"
            config.write_text(
                f'site = "bench"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                f'[agent]\ndata_dir = "{root / "data"}"\n'
                f'[[printer]]\nid = "printer"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n')
            agent = start_agent(config)
            link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "bench", "main", "bench-client",
                                   contract.cli_replies("bench", "bench"))
            link.start()
            try:
                link.connected.wait(30)
                _wait_until_answering(link)
                idle = _status_latencies(link, requests)
                printer.state.paper = "out"
                _wait_until(lambda: _printer_health(link) == "error")
                waiting = link.commands.submit("print_receipt", RECEIPT, timeout=90)
                during = _status_latencies(link, requests)
                still_waiting = not waiting.done()
                printer.state.paper = "ok"
                waiting.result(timeout=90)
            finally:
                link.stop()
                agent.terminate()
                agent.wait(timeout=30)
    for label, figures in (("printer idle", idle), ("a print waiting for paper", during)):
        median, p95 = percentiles(figures)
        print(f"status round trip, {label}: p50 {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
              f"max {max(figures) * 1000:.1f} ms over {requests} requests", flush=True)
    ratio = percentiles(during)[0] / percentiles(idle)[0]
    print(f"status p50 while a print waits / idle: {ratio:.2f}"
          + ("" if still_waiting else " (the print did not wait: the figures are not comparable)"), flush=True)


def _status_latencies(link: AgentConnection, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        reply = link.commands.request("status", {}, timeout=60)
        latencies.append(time.perf_counter() - start)
        if not reply.get("ok"):
            raise SystemExit(f"status failed: {reply}")
    return latencies


def _printer_health(link: AgentConnection) -> str | None:
    # Short: a request sent before the starting agent subscribed is never answered.
    reply = link.commands.request("status", {}, timeout=1)
    return ((reply.get("result") or {}).get("devices") or {}).get("printer", {}).get("health")


def _wait_until_answering(link: AgentConnection) -> None:
    _wait_until(lambda: _printer_health(link) == "ok")


def _wait_until(predicate, timeout: float = 60) -> None:
    """Each try is a round trip to the agent, so this does not spin."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("the agent did not get there in time")


if __name__ == "__main__":
    main()
