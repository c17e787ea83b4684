"""The board the dashboard draws: fed by real parsed MQTT messages and seeded from a real history."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import datetime, timedelta, timezone

from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract
from frontdesk.manager.history.store import History
from frontdesk.manager.ingest import Message, parse
from frontdesk.manager.web import words
from frontdesk.manager.web.board import Board
from frontdesk.manager.web.push import Broadcaster
from frontdesk.manager.web.render import Renderer

NOW = datetime(2026, 11, 23, 9, 12, tzinfo=timezone.utc)


def message(topic: str, payload, retained: bool = False):
    data = payload.encode() if isinstance(payload, str) else contract.encode(payload)
    parsed = parse(f"frontdesk/hq/{topic}", data, retained, NOW)
    assert parsed is not None, topic
    return parsed


def state(device: str, kind: str, health: str = "ok", reasons=(), **fields):
    payload = contract.device_state(device, kind, health, list(reasons), NOW.isoformat(), **fields)
    return message(f"agent/main/devices/{device}/state", payload, retained=True)


def test_changes_name_what_to_redraw():
    board = Board()
    assert board.apply(message("agent/main/availability", "online")) == [("layout",)]
    printer_ok = state("desk-printer", "printer")
    assert board.apply(printer_ok) == [("layout",)]
    assert board.apply(printer_ok) == []  # a retained republish, nothing new
    assert board.apply(state("desk-printer", "printer", "error", ["paper_out"])) == [
        ("device", "hq", "main", "desk-printer"), ("summary",)]
    event = message("agent/main/devices/desk-printer/events", contract.event("paper_out", health="error"))
    assert board.apply(event) == [("device", "hq", "main", "desk-printer"), ("events",)]
    assert board.apply(message("agent/main/availability", "offline")) == [("agent", "hq", "main"), ("summary",)]
    assert board.apply(message("kiosk/lobby/availability", "online")) == [("layout",)]
    assert board.apply(message("kiosk/lobby/availability", "offline")) == [("kiosks", "hq"), ("summary",)]
    visit = message("kiosk/lobby/visits", contract.event("signed_in", visit="v1", signed_in_at=NOW.isoformat(),
                                                          pre_registered=False, language="en", purpose="meeting"))
    assert board.apply(visit) == []
    printer = board.device("hq", "main", "desk-printer")
    assert (printer.health, printer.reasons, printer.since) == ("error", ["paper_out"], NOW)
    assert [e.payload["event"] for e in printer.events] == ["paper_out"]


def test_the_board_starts_from_the_history(tmp_path):
    history = History(f"sqlite:///{tmp_path / 'history.db'}")
    history.record_batch([
        message("agent/main/availability", "online", retained=True),
        state("copier", "copier", "warning", ["toner_low"], supplies=[{"name": "Black", "level": 9, "kind": "toner"}]),
        message("agent/main/devices/copier/events", contract.event("toner_low", health="warning")),
        message("kiosk/lobby/availability", "offline", retained=True),
    ])
    board = Board()
    board.apply(state("desk-printer", "printer", "error", ["cover_open"]))  # came live before the query
    board.load(history.engine)
    copier = board.device("hq", "main", "copier")
    assert (copier.health, copier.reasons, copier.state["supplies"][0]["level"]) == ("warning", ["toner_low"], 9)
    assert [e.payload["event"] for e in board.recent] == ["toner_low"]
    assert board.agent("hq", "main").status == "online" and board.sites["hq"].kiosks["lobby"].status == "offline"
    assert board.device("hq", "main", "desk-printer").reasons == ["cover_open"]
    history.close()


def test_every_reason_in_the_contract_has_a_sentence():
    from frontdesk.contract.reasons import Reason  # docs/mqtt.md lists the same (tests/contract/test_mqtt_doc.py)

    codes = set(Reason)
    assert len(codes) > 25
    for code in codes:
        assert code in words.REASONS, code
        assert words.reason_text(code).endswith(".") and "_" not in words.reason_text(code)
    assert words.reason_text("marker_waste_almost_full") == "Marker waste almost full."


def test_events_and_replies_in_words():
    assert words.event_text({"event": "recovered", "after": ["paper_out"], "down_seconds": 312.5}) == \
        "Back to normal after 5 min 12 s (was: out of paper)."
    assert words.event_text({"event": "job_waiting", "job": 7, "reason": "paper_out"}) == \
        "Job 7 is waiting: out of paper: load paper."
    assert words.event_text({"event": "fax_failed", "job": 3, "number": "+40211234567", "reason": "busy"}) == \
        "Fax 3 to +40211234567 failed: busy."
    assert words.event_text({"event": "job_uncertain", "job": 8, "reason": "no_confirmation"}) == (
        "Job 8 may have come out incomplete (the printer did not confirm the end of a job: it may have been switched"
        " off or cut off): it will be voided on paper and printed again.")
    failed = {"event": "job_failed", "job": 9, "receipt_number": "2026-000042", "last_error": "it failed 3 times"}
    assert words.event_text(failed) == \
        "Job 9 cannot be printed and left the queue (receipt 2026-000042: print it again): it failed 3 times."
    assert words.event_severity(failed) == "error"
    timeout = contract.error_reply(contract.AGENT_UNAVAILABLE, "no answer within 15 s")
    assert words.reply_text("printer_test", "desk-printer", timeout).startswith("The agent did not answer in time")
    gone = contract.error_reply("job_not_found", "job 12 does not exist")
    assert words.reply_text("job_cancel", "copier", gone) == \
        "There is no such job: it may have finished or been cancelled already. (job 12 does not exist)"
    assert words.reply_text("printer_test", "desk-printer", contract.ok_reply({"bytes": 812, "confirmed": True})) == \
        "Test print sent to desk-printer (812 bytes). The printer confirmed it."
    assert words.reply_text("queue_pause", "copier", contract.ok_reply({"done": "pause"})) == \
        "Queue copier paused: new jobs wait."


def test_a_card_is_drawn_with_words_bars_and_actions():
    board, renderer = Board(), Renderer("Europe/Bucharest")
    board.apply(message("agent/main/availability", "online"))
    board.apply(state("copier", "copier", "error", ["jam", "toner_empty"], state="stopped", jobs_waiting=4,
                      supplies=[{"name": "Black <toner>", "level": 3, "kind": "toner"},
                                {"name": "Waste", "level": -2, "kind": "waste"}]))
    batch = renderer.updates(board, [("device", "hq", "main", "copier")])
    html = batch["updates"][0]["html"]
    assert batch["updates"][0]["id"] == "device:hq/main/copier" and batch["seq"] == board.seq
    assert "Paper jam: open the machine and remove the jammed paper." in html
    assert "Toner is empty: replace the cartridge." in html
    assert "Black &lt;toner&gt;" in html and 'style="width: 3%"' in html and "tone-error" in html
    assert "level unknown" in html
    assert 'data-action="queue_resume"' in html and 'data-action="queue_pause"' not in html  # it is stopped
    assert renderer.updates(board, [("layout",)]) == {"resync": True, "seq": board.seq}


def test_a_card_says_since_when_in_the_office_time_zone_with_the_day_once_it_is_not_today():
    board, renderer = Board(), Renderer("Europe/Bucharest")
    board.apply(message("agent/main/availability", "online"))
    board.apply(state("copier", "copier", "error", ["jam"]))

    def since(now: datetime) -> str:
        with clock.frozen_at(now):
            html = renderer.updates(board, [("device", "hq", "main", "copier")])["updates"][0]["html"]
        return re.search(r"Error since ([^<]+?)\s*<", html).group(1)

    assert since(NOW) == "11:12"  # 09:12 UTC is 11:12 in Bucharest
    # 22:30 UTC is already the next day in Bucharest: the card names the day.
    assert since(NOW.replace(hour=22, minute=30)) == "Mon 23 Nov 11:12"
    assert since(NOW + timedelta(days=400)) == "Mon 23 Nov 11:12"


def test_a_burst_is_drawn_once_and_a_slow_browser_is_dropped():
    drawn = []

    async def scenario():
        broadcaster = Broadcaster(lambda targets: drawn.append(list(targets)) or {"seq": len(drawn), "updates": []})
        broadcaster.attach(asyncio.get_running_loop())
        fast, slow = broadcaster.subscribe(), broadcaster.subscribe()
        for _ in range(100):
            broadcaster.notify([("device", "hq", "main", "copier"), ("summary",)])
        await asyncio.sleep(0.05)
        assert await fast.next() == {"seq": 1, "updates": []}
        for _ in range(300):  # nobody reads `slow`
            broadcaster.notify([("events",)])
            await asyncio.sleep(0)
            await fast.next()
        assert broadcaster.connected == 1 and slow.closed
        broadcaster.close()
        assert await fast.next() is None

    # In a thread of its own: a session's Playwright keeps an event loop in the main thread.
    failures = []
    runner = threading.Thread(target=lambda: _run_catching(scenario(), failures))
    runner.start()
    runner.join(30)
    assert not runner.is_alive() and not failures, failures
    assert drawn[0] == [("device", "hq", "main", "copier"), ("summary",)]


def _run_catching(coroutine, failures: list) -> None:
    try:
        asyncio.run(coroutine)
    except BaseException as error:  # noqa: BLE001 - handed to the test's thread
        failures.append(error)


def test_odd_fields_are_drawn_without_failing():
    """The contract lets agents add fields; a card must survive odd values in them."""
    board, renderer = Board(), Renderer("UTC")
    odd = Message("state", "hq", "agent", "main", "copier", {
        "device": "copier", "kind": "copier", "health": "ok", "reasons": [], "since": "not a time",
        "supplies": ["toner", {"name": None, "level": "half"}], "jobs_waiting": "many", "state": 5}, NOW, True)
    board.apply(odd)
    html = renderer.updates(board, [("device", "hq", "main", "copier")])["updates"][0]["html"]
    assert "Working normally." in html and "level unknown" in html
