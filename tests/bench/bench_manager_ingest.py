"""The manager's history ingest rate, in messages per second, for SQLite and PostgreSQL.

Two figures per database:
* store only: History.record_batch() on realistic messages (state changes, events,
  receipts, mail, visits), batches of 500 as the ingest makes them;
* MQTT catch-up: the messages published while the manager was stopped (QoS 1, kept in its
  persistent session on a real Mosquitto), from its restart until all are stored.

PostgreSQL is a private server with fsync on (as in production), SQLite a WAL file in /tmp.
Run: .venv/bin/python tests/bench/bench_manager_ingest.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "manager"))

import paho.mqtt.client as mqtt  # noqa: E402
import pg_lab  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from testbed import wait_until  # noqa: E402

from frontdesk.agent.local_broker import LocalBroker  # noqa: E402
from frontdesk.contract import mqtt as contract  # noqa: E402
from frontdesk.contract.config import parse_config  # noqa: E402
from frontdesk.manager.history.store import History  # noqa: E402
from frontdesk.manager.ingest import Ingestor, parse  # noqa: E402

HEALTHS = [("ok", []), ("warning", ["toner_low"]), ("error", ["paper_out"])]


def traffic(count: int) -> list[tuple[str, bytes]]:
    """(topic, payload) like a busy organisation: 50 % state changes, 35 % events,
    10 % receipts and mail, 5 % visits; spread over 50 agents of 4 devices."""
    messages = []
    for n in range(count):
        agent, device, site = f"agent-{n % 50:02d}", f"dev-{n % 4}", f"site-{n % 5}"
        share = n % 20
        if share < 10:
            health, reasons = HEALTHS[(n // 200) % 3]
            payload = contract.device_state(device, "copier", health, reasons, contract.now(), jobs_waiting=n % 7,
                                            supplies=[{"name": "Black Toner", "level": n % 100, "kind": "toner"}])
            messages.append((contract.device_topic(site, agent, device, "state"), contract.encode(payload)))
        elif share < 17:
            payload = contract.event("job_completed", job=n + 1, request_id=None, printer=device, kind="receipt",
                                     receipt_number=None, state="printed", attempts=1, last_error=None)
            messages.append((contract.device_topic(site, agent, device, "events"), contract.encode(payload)))
        elif share < 19:
            payload = contract.event("receipt_issued", number=f"2026-{n:06d}", total="12.50", currency="EUR",
                                     payment_method="card", items=2) if share == 17 else contract.event(
                "mail_recorded", entry=uuid.uuid4().hex, carrier="usps", mail_class="first-class-mail-letter",
                destination="domestic", grams=85.0, price="0.73", currency="USD")
            messages.append((contract.agent_ledger(site, agent), contract.encode(payload)))
        else:
            payload = contract.event("signed_in", visit=uuid.uuid4().hex[:12], signed_in_at=contract.now(),
                                     pre_registered=False, language="en", purpose="meeting")
            messages.append((contract.kiosk_visits(site, "lobby"), contract.encode(payload)))
    return messages


def store_only(url: str, messages: list[tuple[str, bytes]]) -> float:
    history = History(url)
    now = datetime.now(timezone.utc)
    parsed = [parse(topic, payload, False, now) for topic, payload in messages]
    start = time.perf_counter()
    for first in range(0, len(parsed), 500):
        history.record_batch(parsed[first:first + 500])
    took = time.perf_counter() - start
    history.close()
    return len(parsed) / took


def mqtt_catch_up(url: str, broker, messages: list[tuple[str, bytes]], manager_id: str) -> float:
    config = parse_config(f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                          f'[manager]\nid = "{manager_id}"\ndatabase = "{url}"\n')
    history = History(url)
    first = Ingestor(config, history)  # makes the persistent session, then goes away
    first.start()
    first.subscribed.wait(10)
    first.stop()
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    publisher.max_queued_messages_set(0)
    publisher.connect(broker.host, broker.port)
    publisher.loop_start()
    infos = [publisher.publish(topic, payload, qos=1) for topic, payload in messages]
    for info in infos:
        info.wait_for_publish(60)
    publisher.disconnect()
    publisher.loop_stop()
    ingestor = Ingestor(config, history)
    start = time.perf_counter()
    ingestor.start()
    # Polled often: the poll's interval is this measurement's resolution.
    wait_until(lambda: ingestor.stats["received"] >= len(messages), 300, f"all {len(messages)} messages",
               interval=0.01, last=lambda: ingestor.stats["received"])
    ingestor.drained(60)
    took = time.perf_counter() - start
    ingestor.stop()
    history.close()
    return len(messages) / took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    count = 2000 if parser.parse_args().quick else 20000
    messages = traffic(count)
    # The broker must keep every QoS 1 message for the stopped manager: no queue limit.
    broker_conf = lambda port: f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\n"  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root_name, pg_lab.PostgresLab(durable=True) as pg, \
            LocalBroker(Path(root_name), broker_conf) as broker:
        root = Path(root_name)
        for name, make_url in (("SQLite", lambda tag: f"sqlite:///{root / tag}.db"),
                               ("PostgreSQL", lambda tag: pg.create_database(tag))):
            rate = store_only(make_url("store"), messages)
            print(f"{name}: history ingest, store only: {rate:,.0f} messages/s ({count} messages, batches of 500)")
            rate = mqtt_catch_up(make_url("mqtt"), broker, messages, f"bench-{name.lower()}")
            print(f"{name}: history ingest, MQTT catch-up after a restart: {rate:,.0f} messages/s ({count} QoS 1 messages)")


if __name__ == "__main__":
    main()
