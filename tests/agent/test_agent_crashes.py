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

import pytest
from testbed import Recorder, wait_until

from contract import mqtt as contract
from contract.config import MqttConfig
from contract.mqtt_client import AgentConnection
from devices.printer.simulator import Cut, TextLine

RECEIPT_NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
VOID = "INTERRUPTED - NOT VALID"
AVAILABILITY = contract.agent_availability("hq", "main")
EVENTS = "frontdesk/hq/agent/main/devices/desk/events"


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
    """`python -m agent.daemon` for site hq, agent main, with a Recorder of its availability that
    has seen every availability message since before the first start."""

    def __init__(self, config_path, broker) -> None:
        self.config_path = config_path
        self.process: subprocess.Popen | None = None
        self.availability = Recorder(broker, AVAILABILITY, prefix="frontdesk/hq/agent/main")

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "agent.daemon", "--config", str(self.config_path)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def start_and_wait_online(self) -> None:
        """Commands sent before the agent subscribes reach nobody, as with any MQTT client: wait
        for the `online` of this start (it subscribes before saying it)."""
        said = self.availability.on(AVAILABILITY)
        if said:
            # A process ran before: the broker has to have said it is gone (its last will, or its
            # goodbye) first, or its retained `online` would pass for the new one's.
            self.availability.wait_until(lambda: self.availability.on(AVAILABILITY)[-1].payload == b"offline", 20,
                                         "the previous agent's offline (last will)")
        since = self.availability.mark()
        self.start()
        self.availability.wait_for(lambda t, p, r: t == AVAILABILITY and p == b"online", 20, "the agent online",
                                   since=since)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.availability.close()


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


def test_a_burst_of_receipts_survives_sigkills_with_one_valid_printout_each(agent_config, broker, printer_sim):
    agent = AgentProcess(agent_config, broker)
    link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "hq", "main", "test-till",
                           replies=contract.manager_replies("hq", "test"))
    link.start()
    requests = [{"request_id": f"sale-{n}", "items": [{"description": f"Stamps ×{n}", "unit_price": "1.10"}],
                 "payment_method": "cash", "wait": 0} for n in range(24)]
    numbers: dict[str, str] = {}
    rng = random.Random(6)
    try:
        agent.start_and_wait_online()
        for request in requests:  # acknowledged = stored: these must all come out, once
            reply = link.commands.request("print_receipt", request, timeout=30)
            assert reply["ok"], reply
            numbers[request["request_id"]] = reply["result"]["receipt_number"]
        for _ in range(3):  # killed at random moments of the burst, then started again
            time.sleep(rng.uniform(0.05, 0.6))  # deliberate: where in the burst the kill lands
            agent.kill()
            agent.start_and_wait_online()
        for request in requests:  # the till never heard back, so it asks again: nothing new
            reply = link.commands.request("print_receipt", request, timeout=30)
            assert reply["ok"] and reply["result"]["receipt_number"] == numbers[request["request_id"]]
        wait_until(lambda: set(valid_receipts(printer_sim)) >= set(numbers.values()), 60, "every receipt printed",
                   last=lambda: f"missing {sorted(set(numbers.values()) - set(valid_receipts(printer_sim)))}")
    finally:
        agent.stop()
        link.stop()
    printed = valid_receipts(printer_sim)
    assert sorted(printed) == sorted(numbers.values()), "a receipt came out twice or a stranger appeared"
    assert len(set(numbers.values())) == len(requests)


def outbox_size(data_dir) -> int:
    path = data_dir / "event-outbox.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def test_events_raised_while_the_broker_is_down_outlive_a_killed_agent(agent_config, broker, printer_sim, tmp_path):
    agent = AgentProcess(agent_config, broker)
    agent.start()
    subscriber = Recorder(broker, EVENTS)
    try:
        printer_sim.wait_for_jobs(1, timeout=10)  # the agent checked the printer
        broker.stop()
        for paper in ["out", "ok", "out", "ok", "out", "ok"]:
            expected = outbox_size(tmp_path / "data") + 1  # counted first: the event may be quicker than us
            printer_sim.state.paper = paper
            wait_until(lambda expected=expected: outbox_size(tmp_path / "data") >= expected, 10,
                       f"an event for paper {paper}")
        agent.kill()  # the events exist only on the agent's disk now
        broker.start()
        subscriber.close()
        subscriber = Recorder(broker, EVENTS)  # subscribed (SUBACK) before the agent comes back
        agent.start()
        subscriber.wait_until(lambda: len(subscriber.json_on(EVENTS)) >= 6, 20, "the six events, none lost")
        wait_until(lambda: outbox_size(tmp_path / "data") == 0, 10, "acknowledged events forgotten",
                   last=lambda: outbox_size(tmp_path / "data"))
    finally:
        agent.stop()
        subscriber.close()
    events = subscriber.json_on(EVENTS)
    names = [event["event"] for event in events]
    assert names == ["paper_out", "recovered"] * 3, names
    assert len({event["id"] for event in events}) == 6
    moments = [event["at"] for event in events]
    assert moments == sorted(moments)


def test_ledger_records_go_out_once_per_receipt_and_mail_item(agent_config, broker, printer_sim):
    agent = AgentProcess(agent_config, broker)
    ledger = Recorder(broker, contract.agent_ledger("hq", "main"))
    link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "hq", "main", "test-ledger",
                           replies=contract.manager_replies("hq", "test"))
    link.start()
    try:
        agent.start_and_wait_online()
        sale = {"request_id": "s1", "items": [{"description": "Envelope", "unit_price": "0.45", "quantity": 4},
                                               {"description": "Ștampilă", "unit_price": "3.20"}],
                "payment_method": "card", "wait": 5}
        first = link.commands.request("print_receipt", sale, timeout=30)
        again = link.commands.request("print_receipt", sale, timeout=30)
        assert first["ok"] and again["result"]["duplicate"]
        mail = {"request_id": "m1", "weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost", "staff": "Ana"}
        assert link.commands.request("mail_record", mail, timeout=30)["ok"]
        assert link.commands.request("mail_record", mail, timeout=30)["ok"]
        # The sentinel: one more mail item. The agent writes a ledger record to its outbox while it
        # handles the command, before it replies, and the outbox sends them in that order, on the
        # same topic from the same client at QoS 1, which MQTT delivers in order: once this record
        # is here, a duplicate of the ones before would be here too.
        sentinel = link.commands.request("mail_record", {**mail, "request_id": "m-sentinel"}, timeout=30)
        entry = str(sentinel["result"]["id"])
        ledger.wait_for(lambda t, p, r: json.loads(p).get("entry") == entry, 20, "the sentinel's ledger record")
    finally:
        agent.stop()
        link.stop()
        ledger.close()
    records = ledger.json_on(contract.agent_ledger("hq", "main"))
    assert [r["event"] for r in records] == ["receipt_issued", "mail_recorded", "mail_recorded"], records
    receipt, mail_item, last = records
    assert last["entry"] == entry and mail_item["entry"] != entry
    assert (receipt["event"], receipt["number"], receipt["total"], receipt["payment_method"], receipt["items"]) == (
        "receipt_issued", first["result"]["receipt_number"], "5.00", "card", 2)
    assert "Envelope" not in json.dumps(receipt)
    assert mail_item["event"] == "mail_recorded" and mail_item["mail_class"] == "large_letter"
