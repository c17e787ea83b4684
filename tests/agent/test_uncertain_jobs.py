"""A slow printer whose line drops, or which falls silent, mid-job: no receipt counts as printed
unless the printer confirmed it, and what a person counts on paper is each receipt exactly once.

A job the printer did not confirm is `uncertain`: at the next chance the paper gets the void
notice and a cut, then the receipt again, marked as a reprint, with the same number.
"""

from __future__ import annotations

import re

import pytest
from testbed import Recorder, RunningAgent, agent_toml

from frontdesk.agent.print_requests import receipt_from
from frontdesk.contract.config import parse_config
from frontdesk.devices.printer.simulator import TcpPrinterSimulator, torn_pieces

PREFIX = "frontdesk/test/agent/main"
EVENTS = f"{PREFIX}/devices/desk/events"
AVAILABILITY = f"{PREFIX}/availability"
RECEIPTS, ITEMS = 10, 40
THROTTLE = 4000  # bytes per second: a receipt takes about a second to print, three status timeouts
VOID, REPRINT = "INTERRUPTED - NOT VALID", "REPRINT"
NUMBER = re.compile(r"\b\d{4}-\d{6}\b")
QUERIES = 12  # DLE EOT 1-4, asked before the body, between the body and the cut, and after the cut
# The fault each of these sales meets on its first attempt, by how far the printer got.
FAULTS = {
    1: "dropped early in the body",
    3: "dropped late in the body",
    5: "dropped once the whole body was on paper",  # complete, total and all, but never confirmed
    7: "fell silent as the body went out",  # switched off without a word: no answer in time
    8: "dropped in the cut",  # the body was confirmed: only the cut is owed
}
VOIDED = {1, 3, 5, 7}


@pytest.fixture
def slow_printer(tmp_path):
    with TcpPrinterSimulator(output_dir=tmp_path / "printouts", throttle=THROTTLE) as simulator:
        yield simulator


@pytest.fixture
def config(broker, slow_printer, tmp_path):
    # bytes_per_second unset: 1,000 assumed
    return parse_config(agent_toml(broker, slow_printer.port, tmp_path / "data", printer_id="desk", interval=0.2))


def sale(n: int) -> dict:
    return {"request_id": f"sale-{n}", "language": "en", "payment_method": "cash", "wait": 0,
            "items": [{"description": f"Item {n}.{i}", "unit_price": "1.10"} for i in range(ITEMS)]}


def pieces(printer) -> list[list[str]]:
    return torn_pieces(printer.jobs)


def is_complete(piece: list[str], n: int) -> bool:
    items = [line for line in piece if line.startswith(f"Item {n}.")]
    return len(items) == ITEMS and any(line.startswith("TOTAL") and "44" in line for line in piece)


def strike_faults(agent, printer) -> None:
    """Makes each sale in FAULTS meet its fault at the exact byte, on its first attempt: the hook is
    the moment its job is marked `sending`, when the printer has answered the query before it."""
    jobs, device = agent.print_jobs, agent.devices.get("printer", "desk").device
    real_mark = jobs.mark

    def mark(job_id: int, state: str, error: str | None = None) -> None:
        job = jobs.get(job_id)
        n = int(job.request_id.split("-")[1])
        if state == "sending" and job.attempts == 0 and n in FAULTS:
            body, _ = device.render_parts(receipt_from(job.request, job.receipt_number))
            fault = FAULTS[n]
            if fault == "fell silent as the body went out":
                printer.state.answers_status = False
            else:
                printer.state.drops_after = {
                    "dropped early in the body": len(body) // 4,  # past the number
                    "dropped late in the body": len(body) * 8 // 10,
                    "dropped once the whole body was on paper": len(body) + 1,  # in the query after it
                    "dropped in the cut": len(body) + QUERIES + 1,
                }[fault]
        if state == "uncertain":
            printer.state.answers_status = True  # switched on again before the agent looks
        real_mark(job_id, state, error)

    jobs.mark = mark


def test_receipts_on_a_slow_printer_cut_off_mid_job_are_each_on_paper_once_complete(config, slow_printer, broker):
    watcher = Recorder(broker, EVENTS, AVAILABILITY)
    running = RunningAgent(config)
    strike_faults(running.agent, slow_printer)
    try:
        with running as agent:
            # A command sent before the agent subscribed would reach nobody.
            watcher.wait_for(lambda t, p, r: t == AVAILABILITY and p == b"online")
            numbers = {}
            for n in range(RECEIPTS):
                reply = watcher.command("print_receipt", sale(n))
                assert reply["ok"], reply
                numbers[n] = reply["result"]["receipt_number"]
            watcher.wait_until(lambda: len(events_named(watcher, "job_completed")) == RECEIPTS, 60,
                               "every receipt confirmed")
            states = {agent.print_jobs.get(event["job"]).state for event in events_named(watcher, "job_completed")}
    finally:
        watcher.close()
    assert states == {"printed"}
    by_number = {number: n for n, number in numbers.items()}
    paper = pieces(slow_printer)
    for n, number in numbers.items():
        mine = [piece for piece in paper if number in " ".join(piece)]
        valid = [piece for piece in mine if VOID not in piece]
        voided = [piece for piece in mine if VOID in piece]
        assert len(valid) == 1 and is_complete(valid[0], n), (n, mine)
        assert len(voided) == (1 if n in VOIDED else 0), (n, mine)
        assert (REPRINT in valid[0]) == (n in VOIDED), (n, valid[0])
        for piece in voided:  # the void notice ends what the unconfirmed attempt left
            assert piece.index(VOID) > max(i for i, line in enumerate(piece) if number in line)
        if FAULTS.get(n) == "dropped once the whole body was on paper":
            assert is_complete(voided[0], n)  # what used to count as printed: complete-looking, voided
    counted = [number for piece in paper if VOID not in piece for number in set(NUMBER.findall(" ".join(piece)))]
    assert sorted(counted) == sorted(numbers.values()), "a receipt came out twice, or not at all"

    uncertain = events_named(watcher, "job_uncertain")
    assert sorted(by_number[e["receipt_number"]] for e in uncertain) == sorted(VOIDED)
    assert all(e["state"] == "uncertain" and e["attempts"] == 1 for e in uncertain), uncertain
    assert {e["reason"] for e in uncertain} == {"unreachable", "no_confirmation"}
    completed = events_named(watcher, "job_completed")
    assert sorted(by_number[e["receipt_number"]] for e in completed) == list(range(RECEIPTS))
    assert all(e["attempts"] == (2 if by_number[e["receipt_number"]] in VOIDED else 1) for e in completed), completed
    waited = [(by_number[e["receipt_number"]], e["state"]) for e in events_named(watcher, "job_waiting")]
    assert waited == [(8, "sent")]  # confirmed body, cut lost: only the cut goes again


def events_named(watcher, name: str) -> list[dict]:
    return [event for event in watcher.json_on(EVENTS) if event["event"] == name]
