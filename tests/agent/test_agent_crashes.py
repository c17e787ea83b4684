"""The agent killed with SIGKILL, and the broker gone: nothing acknowledged is lost or done twice.

What is counted is what a person would count: the cut pieces of paper that came
out of the printer simulator, and the events a subscriber received.
"""

from __future__ import annotations

import concurrent.futures
import getpass
import json
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from testbed import Recorder, wait_until

from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import MqttConfig
from frontdesk.contract.mqtt_client import AgentConnection
from frontdesk.devices.printer.simulator import torn_pieces

RECEIPT_NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
VOID = "INTERRUPTED - NOT VALID"
AVAILABILITY = contract.agent_availability("hq", "main")
EVENTS = "frontdesk/hq/agent/main/devices/desk/events"


@pytest.fixture
def agent_config(tmp_path, broker, printer_sim):
    return write_agent_config(tmp_path, broker, printer_sim)


@pytest.fixture
def persistent_broker(tmp_path):
    """A Mosquitto that keeps sessions and their queued messages across its restarts, as a
    deployed one does (docs/mosquitto/frontdesk.conf)."""
    from frontdesk.agent.local_broker import LocalBroker

    store = tmp_path / "mosquitto-store"
    store.mkdir()
    with LocalBroker(tmp_path, lambda port: persistent_broker_config(port, store, tmp_path / "mosquitto.log")) as running:
        yield running


def persistent_broker_config(port: int, store, log) -> str:
    # Started as root, Mosquitto becomes user `mosquitto`, who may not write the test's own
    # directories: its persistence would fail silently and a restart would forget every session.
    # `user` keeps it as whoever runs the tests (it is ignored when not started as root).
    return (f"listener {port} 127.0.0.1\nallow_anonymous true\nuser {getpass.getuser()}\n"
            f"persistence true\npersistence_location {store}/\nlog_dest file {log}\n")


def write_agent_config(tmp_path, broker, printer_sim):
    path = tmp_path / "frontdesk.toml"
    path.write_text(
        f'site = "hq"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = 0.2\n'
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        "status_timeout = 0.5\n"
    )
    return path


class AgentProcess:
    """`python -m frontdesk.agent.daemon` for site hq, agent main, with a Recorder of its availability that
    has seen every availability message since before the first start."""

    def __init__(self, config_path, broker) -> None:
        self.config_path = config_path
        self.process: subprocess.Popen | None = None
        self.availability = Recorder(broker, AVAILABILITY, prefix="frontdesk/hq/agent/main")

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(self.config_path)],
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
    return ["\n".join(piece) for piece in torn_pieces(printer_sim.jobs)]


def valid_receipts(printer_sim) -> list[str]:
    return [number for piece in pieces(printer_sim) if VOID not in piece
            for number in set(RECEIPT_NUMBER.findall(piece))]


LEDGER = contract.agent_ledger("hq", "main")
RECEIPTS, KILLS, IN_FLIGHT = 60, 3, 6


def request_until_answered(link, agent_up: threading.Event, request: dict) -> dict:
    """What a till does: ask, and when no answer comes (the agent was killed), ask again, with the
    same request_id, once the agent is back."""
    while True:
        reply = link.commands.request("print_receipt", request, timeout=4)
        if reply["ok"]:
            return reply["result"]
        assert reply["error"]["code"] == contract.AGENT_UNAVAILABLE, reply
        assert agent_up.wait(60), "the agent never came back"


class AgentKilled:
    """The fault: SIGKILL, then a new start."""

    def __init__(self, agent, broker) -> None:
        self.agent = agent

    def strike(self) -> None:
        self.agent.kill()
        self.agent.start_and_wait_online()


class BrokerRestarted:
    """The fault: the broker stops and comes back (sessions kept), the agent running all along."""

    def __init__(self, agent, broker) -> None:
        self.agent, self.broker = agent, broker

    def strike(self) -> None:
        self.broker.stop()
        assert (self.broker.root / "mosquitto-store" / "mosquitto.db").exists(), "the broker kept no sessions"
        self.broker.start()
        self.agent.availability.wait_until(
            lambda: any(m.payload == b"online" for m in self.agent.availability.on(AVAILABILITY)[-1:]), 30,
            "the agent back online")


@pytest.mark.parametrize("fault", [AgentKilled, BrokerRestarted], ids=["agent_killed", "broker_restarted"])
def test_receipts_asked_for_through_faults_print_once_without_gaps_and_all_reach_the_books(
        fault, tmp_path, persistent_broker, printer_sim):
    """Tills keep asking while the fault strikes at random moments (KILLS times): every receipt
    asked for comes out once, the numbers have no gaps, and every number's ledger record reaches
    the books, a subscriber whose session the broker keeps (a repeat only with the same event id)."""
    broker = persistent_broker
    agent = AgentProcess(write_agent_config(tmp_path, broker, printer_sim), broker)
    strike = fault(agent, broker)
    ledger = Recorder(broker, LEDGER, prefix="frontdesk/hq/agent/main", session="test-books")
    link = AgentConnection(MqttConfig(host=broker.host, port=broker.port), "hq", "main", "test-till",
                           replies=contract.cli_replies("hq", "till"))  # the staff at the till: a role that may print
    link.start()
    agent_up, answered = threading.Event(), threading.Semaphore(0)
    rng = random.Random(6)
    requests = [{"request_id": f"sale-{n}", "items": [{"description": f"Stamps ×{n}", "unit_price": "1.10"}],
                 "payment_method": "cash", "wait": 0} for n in range(RECEIPTS)]

    def till(request):
        result = request_until_answered(link, agent_up, request)
        answered.release()
        return result

    try:
        agent.start_and_wait_online()
        agent_up.set()
        with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as tills:
            results = [tills.submit(till, request) for request in requests]
            for _ in range(KILLS):  # each fault after a share of the answers, at a random moment
                for _ in range(RECEIPTS // (KILLS + 1)):
                    assert answered.acquire(timeout=120), "the tills stopped getting answers"
                time.sleep(rng.uniform(0.0, 0.3))  # deliberate: where in the traffic the kill lands
                agent_up.clear()
                strike.strike()
                agent_up.set()
            numbers = {request["request_id"]: future.result(timeout=180)["receipt_number"]
                       for request, future in zip(requests, results)}
        for request in requests:  # asked once more: the same number, nothing new
            reply = link.commands.request("print_receipt", request, timeout=30)
            assert reply["ok"] and reply["result"]["receipt_number"] == numbers[request["request_id"]]
        wanted = set(numbers.values())
        wait_until(lambda: set(valid_receipts(printer_sim)) >= wanted, 60, "every receipt printed",
                   last=lambda: f"missing {sorted(wanted - set(valid_receipts(printer_sim)))}")
        booked = lambda: {r["number"] for r in ledger.json_on(LEDGER)}  # noqa: E731
        ledger.wait_until(lambda: booked() >= wanted, 60, "every receipt's ledger record",
                          last=lambda: f"missing {sorted(wanted - booked())}; in the agent's outbox "
                                       f"{outbox_size(tmp_path / 'data')}, still staged {staged(tmp_path / 'data')}")
    finally:
        agent.stop()
        link.stop()
        ledger.close()
    printed = valid_receipts(printer_sim)
    assert sorted(printed) == sorted(numbers.values()), "a receipt came out twice or a stranger appeared"
    serials = sorted(int(number.split("-")[1]) for number in numbers.values())
    assert serials == list(range(serials[0], serials[0] + RECEIPTS)), "the numbers have a gap"
    records = ledger.json_on(LEDGER)
    assert {r["number"] for r in records} == set(numbers.values())
    ids_per_number: dict[str, set[str]] = {}
    for record in records:
        ids_per_number.setdefault(record["number"], set()).add(record["id"])
    assert all(len(ids) == 1 for ids in ids_per_number.values()), "a receipt was booked twice as two records"


def staged(data_dir) -> int:
    with sqlite3.connect(data_dir / "print-jobs.db") as db:
        return db.execute("SELECT COUNT(*) FROM ledger_staged").fetchone()[0]


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
                           replies=contract.cli_replies("hq", "till"))  # the staff at the till: a role that may print
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
