"""The agent with a printer that ignores GS a (no Automatic Status Back): its faults are asked for."""

from __future__ import annotations

import json

import pytest
from testbed import OFFICE_TOML, Recorder, RunningAgent

from frontdesk.contract.config import parse_config
from frontdesk.devices.printer.simulator import PtyPrinterSimulator, TcpPrinterSimulator

# Longer than any wait below: a fault seen in time was found by the printer's status_poll.
CHECK_SECONDS = 120
# A bound for a hung test, not a measure: the default status_poll (0.5 s) finds a fault far sooner.
FAULT_WAIT = 5


@pytest.fixture(params=["network", "serial"])
def polled_agent(request, broker, tmp_path):
    """(Recorder, simulator) with the agent running; its one printer, "till", sends no reports."""
    simulator: TcpPrinterSimulator | PtyPrinterSimulator
    if request.param == "network":
        simulator = TcpPrinterSimulator(status_back=False)
        line = 'connection = "network"\nhost = "127.0.0.1"\nport = {port}\n'
    else:
        simulator = PtyPrinterSimulator(status_back=False)
        line = 'connection = "serial"\ndevice = "{device}"\nbaudrate = 19200\n'
    with simulator:
        address = line.format(port=getattr(simulator, "port", 0), device=getattr(simulator, "device_path", ""))
        config = parse_config(
            OFFICE_TOML
            + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
            + f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = {CHECK_SECONDS}\n'
            + '[[printer]]\nid = "till"\n' + address + "status_timeout = 0.5\n"
        )
        watcher = Recorder(broker, "frontdesk/#")
        try:
            with RunningAgent(config):
                watcher.wait_for(lambda t, p, r: t == f"{watcher.prefix}/availability" and p == b"online")
                yield watcher, simulator
        finally:
            watcher.close()


def state_after(watcher: Recorder, since: int, **expected) -> dict:
    """The printer's state as published after `since` (watcher.mark()) with the `expected` values."""
    topic = f"{watcher.prefix}/devices/till/state"

    def matches(t, payload, retain):
        return t == topic and payload and all(json.loads(payload).get(k) == v for k, v in expected.items())

    return json.loads(watcher.wait_for(matches, FAULT_WAIT, f"{topic} with {expected}", since=since).payload)


def retained_state(broker, topic: str) -> dict:
    """The state a subscriber that comes now is given."""
    late = Recorder(broker, topic)
    try:
        [message] = late.wait_until(late.snapshot, FAULT_WAIT, f"the retained message on {topic}")
        assert message.retain
        return json.loads(message.payload)
    finally:
        late.close()


def test_faults_of_a_printer_without_status_back_reach_the_retained_state(polled_agent, broker):
    watcher, simulator = polled_agent
    watcher.state("till", health="ok")
    for fault, reason, mend in ((("paper", "out"), "paper_out", ("paper", "ok")),
                                (("cover_open", True), "cover_open", ("cover_open", False)),
                                (("online", False), "offline", ("online", True))):
        since = watcher.mark()
        setattr(simulator.state, *fault)
        state_after(watcher, since, health="error", reasons=[reason])
        if reason == "paper_out":  # what a manager connecting now is told
            assert retained_state(broker, f"{watcher.prefix}/devices/till/state")["reasons"] == ["paper_out"]
        since = watcher.mark()
        setattr(simulator.state, *mend)
        state_after(watcher, since, health="ok", reasons=[])


def test_a_job_ends_the_polling_watch_and_polling_goes_on_after_it(polled_agent):
    watcher, simulator = polled_agent
    watcher.state("till", health="ok")
    reply = watcher.command("print_receipt", {"request_id": "polled-1", "payment_method": "cash",
                                              "items": [{"description": "Timbru", "unit_price": "4.50"}]})
    assert reply["ok"] and reply["result"]["state"] in ("printed", "sent"), reply
    since = watcher.mark()
    simulator.state.paper = "out"
    state_after(watcher, since, health="error", reasons=["paper_out"])
