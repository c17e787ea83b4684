"""A printer fault -> its MQTT state at a subscriber, for a printer with Automatic Status Back
(it reports by itself) and one without (the agent asks it every status_poll), and the agent's
CPU while it watches each between jobs. Faults are paper out, cover open and offline in turn.

Run: .venv/bin/python tests/bench/bench_printer_faults.py [--quick]
Prints the figures; asserts nothing about speed. Each printer has its own agent process (the
shipped defaults: printer_interval 30 s, status_poll 0.5 s), so its CPU is its own.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt  # noqa: E402
from figures import cpu_seconds, percentiles, start_agent  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from frontdesk.agent.local_broker import LocalBroker  # noqa: E402
from frontdesk.contract.config import NetworkPrinterConfig  # noqa: E402
from frontdesk.devices.printer.simulator import TcpPrinterSimulator  # noqa: E402

# (state field, fault value, healthy value, the reason the state then gives)
FAULTS = [("paper", "out", "ok", "paper_out"), ("cover_open", True, False, "cover_open"),
          ("online", False, True, "offline")]
STATE_WAIT = 120  # a bound for a stuck run, far beyond any figure printed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few faults only (smoke test)")
    quick = parser.parse_args().quick
    runs, idle = (3, 1.0) if quick else (20, 60.0)
    poll = NetworkPrinterConfig.model_fields["status_poll"].default
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root_name:
        root = Path(root_name)
        (root / "broker").mkdir()
        with LocalBroker(root / "broker") as broker:
            for status_back in (True, False):
                label = ("with Automatic Status Back" if status_back
                         else f"without Automatic Status Back (asked every {poll:g} s)")
                delays, cpu = measure(broker, root / ("asb" if status_back else "polled"), status_back, runs, idle)
                median, p95 = percentiles(delays)
                print(f"printer {label}: fault -> state at a subscriber: median {median * 1000:.0f} ms, "
                      f"p95 {p95 * 1000:.0f} ms over {runs} faults", flush=True)
                print(f"agent watching the printer {label}, idle for {idle:g} s: {cpu:.2%} of a core", flush=True)


def measure(broker, root: Path, status_back: bool, runs: int, idle: float) -> tuple[list[float], float]:
    """(fault -> state delays, share of a core the agent used while idle) for one printer."""
    root.mkdir()
    with TcpPrinterSimulator(status_back=status_back) as printer:
        config = root / "frontdesk.toml"
        config.write_text(
            f'site = "bench"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
            f'[agent]\ndata_dir = "{root / "data"}"\n'
            f'[[printer]]\nid = "printer"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
        )
        states: queue.Queue = queue.Queue()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.on_message = lambda c, u, m: m.payload and states.put((time.monotonic(), json.loads(m.payload)))
        client.connect(broker.host, broker.port)
        client.subscribe("frontdesk/bench/agent/main/devices/printer/state")
        client.loop_start()
        agent = start_agent(config)
        try:
            wait_for_state(states, lambda state: state["health"] == "ok")  # settled: its first state is out
            shuffle = random.Random(14)
            delays = []
            for run in range(runs):
                field, fault, healthy, reason = FAULTS[run % len(FAULTS)]
                # At a random moment, as a roll runs out: not in step with the agent's questions.
                time.sleep(shuffle.uniform(0, 1))
                drain(states)
                start = time.monotonic()
                setattr(printer.state, field, fault)
                delays.append(wait_for_state(states, lambda state, reason=reason: reason in state["reasons"]) - start)
                drain(states)
                setattr(printer.state, field, healthy)
                wait_for_state(states, lambda state: state["health"] == "ok")
            before = cpu_seconds(agent.pid)
            time.sleep(idle)
            return delays, (cpu_seconds(agent.pid) - before) / idle
        finally:
            agent.terminate()
            agent.wait(timeout=30)
            client.loop_stop()
            client.disconnect()


def wait_for_state(states: queue.Queue, predicate) -> float:
    """When the first state for which predicate holds arrived."""
    while True:
        at, state = states.get(timeout=STATE_WAIT)
        if predicate(state):
            return at


def drain(states: queue.Queue) -> None:
    while not states.empty():
        states.get()


if __name__ == "__main__":
    main()
