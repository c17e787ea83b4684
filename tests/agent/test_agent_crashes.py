"""The agent killed with SIGKILL, and the broker gone: nothing acknowledged is lost or done twice.

What is counted is what a person would count: the cut pieces of paper that came
out of the printer simulator, and the events a subscriber received.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract import mqtt as contract
from contract.config import MqttConfig
from contract.mqtt_client import AgentConnection
from devices.printer.simulator import Cut, TextLine

RECEIPT_NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
VOID = "INTERRUPTED - NOT VALID"


@pytest.fixture
def agent_config(tmp_path, broker, printer_sim):
    path = tmp_path / "frontdesk.toml"
    path.write_text(
        f'site = "hq"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = 0.2\n'
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        "status_timeout = 0.5\n"
    )
    return path


class AgentProcess:
    def __init__(self, config_path) -> None:
        self.config_path = config_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "agent.daemon", "--config", str(self.config_path)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def start_and_wait_online(self, broker) -> None:
        """Commands sent before the agent subscribes reach nobody, as with any MQTT client."""
        seen: list[bytes] = []
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.on_message = lambda c, u, message: seen.append(message.payload)
        client.connect(broker.host, broker.port)
        client.subscribe(contract.agent_availability("hq", "main"), qos=1)
        client.loop_start()
        try:
            wait_until(lambda: seen and seen[-1] == b"offline" or not seen, 5, "no availability")
            self.start()
            wait_until(lambda: seen and seen[-1] == b"online", 20, "the agent did not come online")
        finally:
            client.loop_stop()
            client.disconnect()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


def pieces(printer_sim) -> list[str]:
    """The printout cut into the pieces a person would tear off, as text."""
    result, current = [], []
    for job in printer_sim.jobs:
        for element in job.elements:
            if isinstance(element, Cut):
                result.append("\n".join(current))
                current = []
            elif isinstance(element, TextLine):
                current.append(element.text)
    return result


def valid_receipts(printer_sim) -> list[str]:
    return [number for piece in pieces(printer_sim) if VOID not in piece
            for number in set(RECEIPT_NUMBER.findall(piece))]


def wait_until(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def test_a_burst_of_receipts_survives_sigkills_with_one_valid_printout_each(agent_config, broker, printer_sim):
    agent = AgentProcess(agent_config)
    link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "hq", "main", "test-till",
                           replies=contract.manager_replies("hq", "test"))
    link.start()
    requests = [{"request_id": f"sale-{n}", "items": [{"description": f"Stamps ×{n}", "unit_price": "1.10"}],
                 "payment_method": "cash", "wait": 0} for n in range(24)]
    numbers: dict[str, str] = {}
    rng = random.Random(6)
    try:
        agent.start_and_wait_online(broker)
        for request in requests:  # acknowledged = stored: these must all come out, once
            reply = link.commands.request("print_receipt", request, timeout=30)
            assert reply["ok"], reply
            numbers[request["request_id"]] = reply["result"]["receipt_number"]
        for _ in range(3):  # killed at random moments of the burst, then started again
            time.sleep(rng.uniform(0.05, 0.6))
            agent.kill()
            agent.start_and_wait_online(broker)
        for request in requests:  # the till never heard back, so it asks again: nothing new
            reply = link.commands.request("print_receipt", request, timeout=30)
            assert reply["ok"] and reply["result"]["receipt_number"] == numbers[request["request_id"]]
        wait_until(lambda: set(valid_receipts(printer_sim)) >= set(numbers.values()), 60,
                   f"not every receipt came out: {sorted(set(numbers.values()) - set(valid_receipts(printer_sim)))}")
    finally:
        agent.stop()
        link.stop()
    printed = valid_receipts(printer_sim)
    assert sorted(printed) == sorted(numbers.values()), "a receipt came out twice or a stranger appeared"
    assert len(set(numbers.values())) == len(requests)


class Subscriber:
    def __init__(self, broker, topic: str) -> None:
        self.events: list[dict] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.on_message = lambda c, u, message: self.events.append(json.loads(message.payload))
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def outbox_size(data_dir) -> int:
    path = data_dir / "event-outbox.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def test_events_raised_while_the_broker_is_down_outlive_a_killed_agent(agent_config, broker, printer_sim, tmp_path):
    agent = AgentProcess(agent_config)
    agent.start()
    subscriber = Subscriber(broker, "frontdesk/hq/agent/main/devices/desk/events")
    try:
        wait_until(lambda: printer_sim.wait_for_jobs(1, timeout=10), 10, "the agent never checked the printer")
        broker.stop()
        for paper in ["out", "ok", "out", "ok", "out", "ok"]:
            expected = outbox_size(tmp_path / "data") + 1  # counted first: the event may be quicker than us
            printer_sim.state.paper = paper
            wait_until(lambda: outbox_size(tmp_path / "data") >= expected, 10, f"no event for paper {paper}")
        agent.kill()  # the events exist only on the agent's disk now
        broker.start()
        subscriber.close()
        subscriber = Subscriber(broker, "frontdesk/hq/agent/main/devices/desk/events")
        time.sleep(0.5)  # subscribed before the agent comes back
        agent.start()
        wait_until(lambda: len(subscriber.events) >= 6, 20, f"events lost: {subscriber.events}")
        wait_until(lambda: outbox_size(tmp_path / "data") == 0, 10, "acknowledged events were not forgotten")
    finally:
        agent.stop()
        subscriber.close()
    names = [event["event"] for event in subscriber.events]
    assert names == ["paper_out", "recovered"] * 3, names
    assert len({event["id"] for event in subscriber.events}) == 6
    moments = [event["at"] for event in subscriber.events]
    assert moments == sorted(moments)


def test_ledger_records_go_out_once_per_receipt_and_mail_item(agent_config, broker, printer_sim):
    agent = AgentProcess(agent_config)
    records: list[dict] = []
    ledger = Subscriber(broker, contract.agent_ledger("hq", "main"))
    ledger.events = records
    link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "hq", "main", "test-ledger",
                           replies=contract.manager_replies("hq", "test"))
    link.start()
    try:
        agent.start_and_wait_online(broker)
        sale = {"request_id": "s1", "items": [{"description": "Envelope", "unit_price": "0.45", "quantity": 4},
                                               {"description": "Ștampilă", "unit_price": "3.20"}],
                "payment_method": "card", "wait": 5}
        first = link.commands.request("print_receipt", sale, timeout=30)
        again = link.commands.request("print_receipt", sale, timeout=30)
        assert first["ok"] and again["result"]["duplicate"]
        mail = {"request_id": "m1", "weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost", "staff": "Ana"}
        assert link.commands.request("mail_record", mail, timeout=30)["ok"]
        assert link.commands.request("mail_record", mail, timeout=30)["ok"]
        wait_until(lambda: len(records) >= 2, 10, f"ledger records missing: {records}")
        time.sleep(0.5)  # a duplicate would arrive by now
    finally:
        agent.stop()
        link.stop()
        ledger.close()
    receipt, mail_item = records
    assert (receipt["event"], receipt["number"], receipt["total"], receipt["payment_method"], receipt["items"]) == (
        "receipt_issued", first["result"]["receipt_number"], "5.00", "card", 2)
    assert "Envelope" not in json.dumps(receipt)
    assert mail_item["event"] == "mail_recorded" and mail_item["mail_class"] == "large_letter"
    assert len(records) == 2
