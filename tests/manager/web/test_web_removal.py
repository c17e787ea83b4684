"""A device taken out of its agent's config leaves the dashboard: live in Chromium (no reload),
and still gone after a manager restart, until it reports again."""

from __future__ import annotations

from datetime import datetime, timezone

from testbed import wait_until
from web_rig import DESKTOP, ManagerRig, card_id, log_in, web_config

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history.store import History
from frontdesk.manager.ingest import parse
from frontdesk.manager.web.board import Board

NOW = datetime(2026, 11, 23, 9, 12, tzinfo=timezone.utc)


def remove(agent, device: str) -> None:
    """What the agent does on its start for a device no longer in its config: clear its state."""
    agent.publish(contract.device_topic(agent.site, agent.id, device, "state"), b"", retain=True)


def card(page, device: str):
    return page.locator(f'[id="{card_id("hq", "main", device)}"]')


def test_a_removed_card_goes_live_and_stays_gone_after_a_restart(broker, tmp_path, fake_agent, desktop, browser):
    config = web_config(tmp_path / "manager", broker.host, broker.port)
    agent = fake_agent("hq", "main", {"desk-printer": "printer", "copier": "copier"})
    with ManagerRig(config) as rig:
        board = rig.dashboard.board
        agent.all_ok()
        agent.state("copier", "error", ["jam"])
        agent.flush()
        wait_until(lambda: len(board.all_devices()) == 2 and board.device("hq", "main", "copier").health == "error",
                   15, "the office on the dashboard")
        log_in(desktop, rig.url)
        desktop.evaluate("() => { window.__sameWindow = true; }")
        assert desktop.locator(".card").count() == 2 and desktop.title().startswith("(1) ")

        remove(agent, "copier")
        agent.flush()
        card(desktop, "copier").wait_for(state="detached")
        assert desktop.locator(".card").count() == 1 and card(desktop, "desk-printer").count() == 1
        assert desktop.locator(".tile-error .tile-num").inner_text() == "0"
        assert not desktop.title().startswith("(")  # nothing needs a person any more
        assert desktop.locator(".attention").count() == 0
        # An event the agent sent before the removal, delivered late: history, not a card again.
        agent.event("copier", "jam", health="error")
        agent.flush()
        desktop.locator("#events li", has_text="copier").wait_for()
        assert card(desktop, "copier").count() == 0
        assert desktop.evaluate("() => window.__sameWindow") is True  # all of it without a reload
        desktop.goto("about:blank")  # closes its stream before the manager stops

    with ManagerRig(config) as rig:  # the manager restarted: the board starts from the history
        wait_until(lambda: rig.ingestor.stats["received"] >= 2, 15, "the retained states again")
        assert [device.id for device in rig.dashboard.board.all_devices()] == ["desk-printer"]
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        try:
            log_in(page, rig.url)
            assert page.locator(".card").count() == 1 and card(page, "copier").count() == 0
            page.evaluate("() => { window.__sameWindow = true; }")
            agent.state("copier", "ok")  # put back in the agent's config
            agent.flush()
            card(page, "copier").wait_for()
            assert page.evaluate("() => window.__sameWindow") is True
        finally:
            context.close()


def message(topic: str, payload: bytes):
    parsed = parse(f"frontdesk/hq/{topic}", payload, True, NOW)
    assert parsed is not None, topic
    return parsed


def test_the_board_redraws_the_agent_without_the_removed_device(tmp_path):
    printer = contract.encode(contract.device_state("desk-printer", "printer", "ok", [], NOW.isoformat()))
    removal = message("agent/main/devices/desk-printer/state", b"")
    board = Board()
    board.apply(message("agent/main/availability", b"online"))
    board.apply(message("agent/main/devices/desk-printer/state", printer))
    assert board.apply(removal) == [("agent", "hq", "main"), ("summary",)]
    assert board.apply(removal) == [] and board.all_devices() == []
    late = message("agent/main/devices/desk-printer/events", contract.encode(contract.event("paper_out", health="error")))
    assert board.apply(late) == [("events",)] and board.all_devices() == []
    assert board.apply(message("agent/main/devices/desk-printer/state", printer)) == [("layout",)]  # back

    history = History(f"sqlite:///{tmp_path / 'history.db'}")
    try:
        history.record_batch([message("agent/main/devices/desk-printer/state", printer), removal, late])
        seeded = Board()
        seeded.load(history.engine)
        assert seeded.all_devices() == [] and [e.device for e in seeded.recent] == ["desk-printer"]
    finally:
        history.close()
