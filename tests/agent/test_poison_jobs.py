"""A job that can never print leaves the queue, says why, and the receipts behind it print.

The commands refuse such requests at the door (test_command_fuzz.py); these jobs get into the
queue the other ways there are: a queue written by an earlier version that accepted more, and
a fault of the agent's own that repeats on every attempt.
"""

from __future__ import annotations

import json

import pytest
from testbed import Recorder, RunningAgent, agent_toml

from frontdesk.agent import runtime, supervision
from frontdesk.contract.config import parse_config

PREFIX = "frontdesk/test/agent/main"
EVENTS = f"{PREFIX}/devices/desk-printer/events"
RECEIPT = {"items": [{"description": "Timbru", "unit_price": "3.50"}], "payment_method": "cash", "wait": 10}
TAKEN = "2026-12-03T09:00:00+00:00"
# What an earlier version accepted and queued, which no printer can print.
UNPRINTABLE = {
    "receipt": {"items": [], "payment_method": "cash", "language": None, "taken_at": TAKEN},
    "badge": {"visitor_name": " \t\n", "company": None, "host": None, "badge_number": "V-1", "signout_code": None,
              "language": None, "taken_at": TAKEN},
    "list": {"title": " ", "lines": ["Ana"], "footer": None, "language": None, "taken_at": TAKEN},
}


@pytest.fixture
def config(broker, printer_sim, tmp_path):
    return parse_config(agent_toml(broker, printer_sim.port, tmp_path / "data"))


@pytest.fixture
def watcher(broker):
    recorder = Recorder(broker, "frontdesk/#", prefix=PREFIX)
    yield recorder
    recorder.close()


def online(watcher) -> None:
    watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")


def event(watcher, name: str, **fields) -> dict:
    def matches(topic, payload, retain):
        if topic != EVENTS:
            return False
        data = json.loads(payload)
        return data["event"] == name and all(data.get(key) == value for key, value in fields.items())

    return json.loads(watcher.wait_for(matches, 20, f"{name} {fields}")[1])


@pytest.mark.parametrize("kind", sorted(UNPRINTABLE))
def test_an_unprintable_job_fails_at_once_and_the_next_receipt_prints(config, watcher, printer_sim, kind):
    running = RunningAgent(config)
    running.agent.print_jobs.add("desk-printer", kind, UNPRINTABLE[kind], f"poison-{kind}")
    with running:
        online(watcher)
        failed = event(watcher, "job_failed", request_id=f"poison-{kind}")
        reply = watcher.command("print_receipt", {**RECEIPT, "request_id": "next"}, timeout=20)
    assert failed["state"] == "failed" and failed["kind"] == kind
    assert "cannot be laid out" in failed["last_error"], failed
    assert reply["ok"] and reply["result"]["state"] == "printed", reply
    assert sum("Timbru" in job.text_rendering() for job in printer_sim.jobs) == 1
    restarted = [m for m in watcher.on(f"{PREFIX}/devices/desk-printer/state") if b"supervisor_restarting" in m[1]]
    assert restarted == []


def test_a_job_that_keeps_hitting_a_fault_of_the_agent_fails_after_a_few_attempts(config, watcher, printer_sim):
    running = RunningAgent(config)
    printer = running.agent.devices.get("printer", None).device
    real_print_bytes = printer.print_bytes

    def print_bytes(data, *args, **kwargs):
        if b"POISON-ITEM" in data:  # the poison: a bug of ours that hits only this job
            raise RuntimeError("a bug hit by one job")
        return real_print_bytes(data, *args, **kwargs)

    printer.print_bytes = print_bytes
    poison = {**RECEIPT, "items": [{"description": "POISON-ITEM", "unit_price": "1.00"}], "request_id": "poison"}
    with running:
        online(watcher)
        first = watcher.command("print_receipt", {**poison, "wait": 0})
        failed = event(watcher, "job_failed", request_id="poison")
        reply = watcher.command("print_receipt", {**RECEIPT, "request_id": "next"})
    assert first["ok"] and first["result"]["state"] == "queued"
    assert f"failed {supervision.MAX_FAULTS} times" in failed["last_error"] and "a bug hit" in failed["last_error"]
    assert reply["ok"] and reply["result"]["state"] == "printed"
    assert sum("Timbru" in job.text_rendering() for job in printer_sim.jobs) == 1


def test_a_device_loop_that_keeps_crashing_is_a_health_reason_until_it_settles(config, watcher, monkeypatch):
    monkeypatch.setattr(runtime, "RESTART_FIRST", 0.05)
    monkeypatch.setattr(runtime, "RESTART_SETTLED", 0.5)
    running = RunningAgent(config)
    supervisor = running.agent.devices.get("printer", None)
    real_check, crashes = supervisor.check, []

    def check():
        if len(crashes) < 2:
            crashes.append(1)
            raise RuntimeError("the status code has a bug")
        return real_check()

    supervisor.check = check
    with running:
        shown = watcher.state("desk-printer", health="error")
        assert "supervisor_restarting" in shown["reasons"] and "RuntimeError" in shown["message"], shown
        settled = watcher.state("desk-printer", health="ok")
    assert settled["reasons"] == [] and "message" not in settled
