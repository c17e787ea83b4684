"""A long run of mixed front-desk traffic with faults: does anything get lost, doubled or stuck?

Tills ask for receipts, the kiosk for badges, staff record mail, all retrying with the same
request_id when no answer comes, while faults strike at random: the agent SIGKILLed, the broker
restarted, the paper out for a while, the printer's line dropped. At the end it counts what a
person would: the receipts on paper (each once, none missing), the ledger records the books got
(one per number), the mail items booked, and the reply times, memory and CPU of the agent.

Run: .venv/bin/python tests/bench/soak_agent.py [--minutes 30] [--seed 1]
Not part of CI (the suite runs the same faults in tests/agent/test_agent_crashes.py, bounded).
"""

from __future__ import annotations

import argparse
import getpass
import json
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import paho.mqtt.client as mqtt  # noqa: E402
from figures import cpu_seconds, percentiles, start_agent  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

from frontdesk.agent.local_broker import LocalBroker  # noqa: E402
from frontdesk.contract import mqtt as contract  # noqa: E402
from frontdesk.contract.config import MqttConfig  # noqa: E402
from frontdesk.contract.mqtt_client import AgentConnection  # noqa: E402
from frontdesk.devices.printer.simulator import TcpPrinterSimulator, torn_pieces  # noqa: E402

NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
VOID = "INTERRUPTED - NOT VALID"
LEDGER = contract.agent_ledger("soak", "main")
AVAILABILITY = contract.agent_availability("soak", "main")


class Books:
    """The manager's side: a session the broker keeps, recording every ledger record and availability."""

    def __init__(self, broker) -> None:
        self.records: list[dict] = []
        self.online = threading.Event()
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="soak-books", protocol=mqtt.MQTTv5)
        self.client.reconnect_delay_set(0.2, 2)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe([(LEDGER, 1), (AVAILABILITY, 1)])
        self.client.on_message = self._message
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 3600
        self.client.connect(broker.host, broker.port, clean_start=False, properties=properties)
        self.client.loop_start()

    def _message(self, client, userdata, message) -> None:
        if message.topic == AVAILABILITY:
            (self.online.set if message.payload == b"online" else self.online.clear)()
            return
        with self._lock:
            self.records.append(json.loads(message.payload))

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.records)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Traffic:
    """One kind of request, sent over and over; each retried until answered."""

    def __init__(self, link, name: str, make, pause: tuple[float, float], rng: random.Random) -> None:
        self.link, self.name, self.make, self.pause, self.rng = link, name, make, pause, rng
        self.results: dict[str, dict] = {}
        self.latencies: list[float] = []
        self.retries = 0
        self.errors: list[str] = []

    def run(self, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            request_id = f"{self.name}-{n}"
            request = {**self.make(n), "request_id": request_id}
            start = time.monotonic()
            while True:
                reply = self.link.commands.request(self.name, request, timeout=5)
                if reply["ok"]:
                    self.results[request_id] = reply["result"]
                    self.latencies.append(time.monotonic() - start)
                    break
                if reply["error"]["code"] != contract.AGENT_UNAVAILABLE:
                    self.errors.append(f"{request_id}: {reply['error']}")
                    break
                self.retries += 1
            n += 1
            stop.wait(self.rng.uniform(*self.pause))


def pieces(printer) -> list[str]:
    return ["\n".join(piece) for piece in torn_pieces(printer.jobs)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory(prefix="frontdesk-soak-") as root_name:
        root = Path(root_name)
        (root / "store").mkdir()
        def conf(port: int) -> str:  # persistence: the books' session outlives a broker restart
            # `user`: started as root, Mosquitto would become `mosquitto`, who may not write here.
            return (f"listener {port} 127.0.0.1\nallow_anonymous true\nuser {getpass.getuser()}\npersistence true\n"
                    f"persistence_location {root / 'store'}/\nlog_dest file {root / 'mosquitto.log'}\n")

        with LocalBroker(root, conf) as broker, TcpPrinterSimulator() as printer:
            config = root / "frontdesk.toml"
            config.write_text(
                f'site = "soak"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                f'[agent]\ndata_dir = "{root / "data"}"\n[postage]\ncarrier = "usps"\n'
                f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
                "status_timeout = 0.5\n")
            books = Books(broker)
            link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "soak", "main", "soak-desk",
                                   replies=contract.cli_replies("soak", "soak"))
            link.start()
            agent = start_agent(config)
            books.online.wait(60)
            cpu_before, cpu_base = cpu_seconds(agent.pid), 0.0
            traffic = [
                Traffic(link, "print_receipt", lambda n: {
                    "items": [{"description": f"Timbre ×{n}", "unit_price": "1.10"}], "payment_method": "cash",
                    "wait": 0}, (0.2, 1.0), rng),
                Traffic(link, "print_badge", lambda n: {
                    "visitor_name": f"Łucja Żółkiewska {n}", "badge_number": f"V-{n}", "wait": 0}, (1.0, 4.0), rng),
                Traffic(link, "mail_record", lambda n: {
                    "weight": "20g", "mail_class": "letter", "carrier": "usps", "staff": "Ana"}, (1.0, 5.0), rng),
            ]
            stop = threading.Event()
            threads = [threading.Thread(target=t.run, args=(stop,), daemon=True) for t in traffic]
            for thread in threads:
                thread.start()
            faults: dict[str, int] = {}
            deadline = time.monotonic() + arguments.minutes * 60
            while time.monotonic() < deadline:
                time.sleep(rng.uniform(5, 30))  # deliberate: when the next fault strikes
                fault = rng.choice(["agent_killed", "broker_restarted", "paper_out", "line_dropped"])
                faults[fault] = faults.get(fault, 0) + 1
                if fault == "agent_killed":
                    cpu_base += cpu_seconds(agent.pid) - cpu_before
                    agent.kill()
                    agent.wait()
                    agent = start_agent(config)
                    cpu_before = cpu_seconds(agent.pid)
                elif fault == "broker_restarted":
                    broker.stop()
                    broker.start()
                elif fault == "paper_out":
                    printer.state.paper = "out"
                    time.sleep(rng.uniform(1, 8))
                    printer.state.paper = "ok"
                else:
                    printer.disconnect_clients()
            stop.set()
            for thread in threads:
                thread.join(60)
            receipts = {r["receipt_number"] for r in traffic[0].results.values()}
            mail = {str(r["id"]) for r in traffic[2].results.values()}
            settle = time.monotonic() + 120
            while time.monotonic() < settle:  # until everything asked for is on paper and booked
                booked = books.snapshot()
                printed = [n for p in pieces(printer) if VOID not in p for n in set(NUMBER.findall(p))]
                if receipts <= set(printed) and receipts <= {r.get("number") for r in booked} \
                        and mail <= {r.get("entry") for r in booked}:
                    break
                time.sleep(1)
            cpu = cpu_base + cpu_seconds(agent.pid) - cpu_before
            rss = next(int(x.split()[1]) for x in Path(f"/proc/{agent.pid}/status").read_text().splitlines()
                       if x.startswith("VmRSS")) / 1024
            agent.terminate()
            agent.wait(30)
            link.stop()
            books.close()
    report(arguments.minutes, faults, traffic, receipts, mail, printed, booked, cpu, rss)


def report(minutes, faults, traffic, receipts, mail, printed, booked, cpu, rss) -> None:
    print(f"soak: {minutes:g} min, faults: " + ", ".join(f"{k} {v}" for k, v in sorted(faults.items())))
    for t in traffic:
        median, p95 = percentiles(t.latencies) if t.latencies else (0, 0)
        print(f"{t.name}: {len(t.results)} answered, {t.retries} retries, {len(t.errors)} refused, "
              f"reply median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (retries included)")
        for error in t.errors[:5]:
            print(f"  refused: {error}")
    twice = len(printed) - len(set(printed))
    booked_numbers = [r["number"] for r in booked if r.get("event") == "receipt_issued"]
    ids: dict[str, set[str]] = {}
    for record in booked:
        ids.setdefault(record.get("number") or record.get("entry"), set()).add(record["id"])
    print(f"receipts: {len(receipts)} asked for, {len(set(printed) & receipts)} on paper, {twice} printed twice, "
          f"{len(receipts - set(printed))} missing, {len(set(printed) - receipts)} strangers")
    serials = sorted(int(n.split("-")[1]) for n in receipts)
    gaps = (serials[-1] - serials[0] + 1 - len(serials)) if serials else 0
    print(f"ledger: {len(receipts - set(booked_numbers))} receipt records lost, "
          f"{len(mail - {r.get('entry') for r in booked})} mail records lost, {gaps} gaps in the numbers, "
          f"{sum(len(v) > 1 for v in ids.values())} booked twice under two ids, "
          f"{len(booked) - len(ids)} redeliveries (same id)")
    print(f"agent: {cpu / (minutes * 60):.2%} of a core on average, resident memory {rss:.0f} MB at the end")


if __name__ == "__main__":
    main()
