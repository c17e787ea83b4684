"""The dashboard in headless Chromium: login, live updates pushed from MQTT, actions to a real agent."""

from __future__ import annotations

import pytest
from testbed import wait_until
from web_rig import PHONE, card_id, log_in, measure_card_change

DEVICES = {"desk-printer": "printer", "copier": "copier", "mail-scale": "scale"}


def card(page, device: str, site: str = "hq", agent: str = "main"):
    return page.locator(f'[id="{card_id(site, agent, device)}"]')


@pytest.fixture
def office(live_web, fake_agent, fake_kiosk):
    """One agent with three devices (the copier low on toner) and a kiosk, as the manager sees them."""
    agent = fake_agent("hq", "main", dict(DEVICES))
    agent.all_ok()
    agent.state("copier", "warning", ["toner_low"], jobs_waiting=2,
                supplies=[{"name": "Black toner", "level": 8, "kind": "toner"},
                          {"name": "Drum", "level": 70, "kind": "opc"}])
    kiosk = fake_kiosk("hq", "lobby")
    kiosk.online()
    agent.flush()
    kiosk.flush()
    board = live_web.dashboard.board
    wait_until(lambda: len(board.all_devices()) == 3 and board.device("hq", "main", "copier").health == "warning"
               and "lobby" in board.sites["hq"].kiosks, 15, "the office on the dashboard")
    return agent


def test_after_login_every_device_shows_its_health_in_words(live_web, office, desktop, browser, screenshots):
    desktop.goto(live_web.url + "/")
    assert "/login" in desktop.url  # not logged in yet: the browser lands on the login page
    log_in(desktop, live_web.url)
    assert desktop.locator(".card").count() == 3
    copier = card(desktop, "copier")
    assert copier.get_attribute("data-health") == "warning"
    assert "Toner is low: order a new cartridge." in copier.inner_text()
    assert copier.locator(".bar-fill.tone-warning").get_attribute("style") == "width: 8%"
    assert "Jobs waiting" in copier.inner_text() and "Warning since" in copier.inner_text()
    assert "Working normally." in card(desktop, "desk-printer").inner_text()
    assert "lobby" in desktop.locator(".kiosks").inner_text()
    assert "Online" in desktop.locator(".agent-head").inner_text()
    desktop.screenshot(path=screenshots / "dashboard-desktop.png", full_page=True)

    phone_context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    log_in(phone, live_web.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing runs off the screen
    box = card(phone, "copier").bounding_box()
    assert box["width"] <= PHONE["width"] and box["x"] >= 0
    phone.screenshot(path=screenshots / "dashboard-phone.png")
    phone.screenshot(path=screenshots / "dashboard-phone-full.png", full_page=True)
    phone_context.close()


def test_a_fault_changes_its_card_in_place_within_a_push(live_web, office, desktop, screenshots):
    log_in(desktop, live_web.url)
    desktop.evaluate("() => { window.__sameWindow = true; }")

    def paper_runs_out():
        office.state("desk-printer", "error", ["paper_out"], paper="out")
        office.event("desk-printer", "paper_out", health="error")
        office.flush()

    delay = measure_card_change(desktop, "hq", "main", "desk-printer", "error", paper_runs_out)
    print(f"MQTT state -> card changed in the browser: {delay * 1000:.0f} ms")
    printer = card(desktop, "desk-printer")
    printer.locator(".card-events li").first.wait_for()
    assert desktop.evaluate("() => window.__sameWindow") is True  # no reload
    assert "Out of paper: load paper." in printer.locator(".reasons").inner_text()
    assert printer.locator(".badge").inner_text().strip().lower() == "error"
    assert desktop.locator(".tile-error .tile-num").inner_text() == "1"
    assert desktop.title() == "(1) Frontdesk · Devices"
    assert "Out of paper: load paper." in desktop.locator(".attention").inner_text()
    assert "Out of paper" in desktop.locator("#events").inner_text()
    desktop.screenshot(path=screenshots / "dashboard-fault.png", full_page=True)

    def paper_loaded():
        office.state("desk-printer", "ok", [], paper="ok")
        office.event("desk-printer", "recovered", after=["paper_out"], down_seconds=312.5)
        office.flush()

    measure_card_change(desktop, "hq", "main", "desk-printer", "ok", paper_loaded)
    desktop.locator("#events li", has_text="Back to normal after 5 min 12 s").wait_for()
    assert desktop.evaluate("() => window.__sameWindow") is True


def test_a_new_device_and_an_agent_going_offline_appear_without_reload(live_web, office, desktop, fake_agent):
    log_in(desktop, live_web.url)
    desktop.evaluate("() => { window.__sameWindow = true; }")
    other = fake_agent("branch", "pi-2", {"printer": "printer"})
    other.all_ok()
    other.flush()
    card(desktop, "printer", "branch", "pi-2").wait_for()
    office.offline()
    office.flush()
    desktop.locator('[id="agent:hq/main"].is-offline').wait_for()
    assert "The agent is offline since" in card(desktop, "copier").inner_text()
    assert desktop.locator(".tile-offline .tile-num").inner_text() == "3"
    assert desktop.evaluate("() => window.__sameWindow") is True


def test_a_dropped_stream_reconnects_and_catches_up_from_a_snapshot(live_web, office, desktop):
    log_in(desktop, live_web.url)
    desktop.evaluate("() => { window.__sameWindow = true; }")
    dashboard = live_web.dashboard
    dashboard.broadcaster.close_threadsafe()  # every stream ends, as when a proxy or Wi-Fi drops it
    desktop.wait_for_selector("#live[data-state=down]")
    office.state("mail-scale", "offline", ["no_answer"])  # while the page has no stream
    office.flush()
    desktop.wait_for_selector("#live[data-state=live]", timeout=15000)
    card(desktop, "mail-scale").and_(desktop.locator("[data-health=offline]")).wait_for()
    assert "The scale does not answer." in card(desktop, "mail-scale").inner_text()
    assert desktop.evaluate("() => window.__sameWindow") is True


def test_a_page_whose_session_ended_goes_back_to_the_login(live_web, office, desktop):
    log_in(desktop, live_web.url)
    live_web.dashboard.users.clear()  # the user was removed (a restart with a new config does this)
    live_web.dashboard.broadcaster.close_threadsafe()
    desktop.wait_for_url(live_web.url + "/login", timeout=15000)


def test_logging_out_from_the_page(live_web, office, desktop):
    log_in(desktop, live_web.url)
    desktop.click(".logout button")
    desktop.wait_for_url(live_web.url + "/login")
    desktop.goto(live_web.url + "/")
    assert desktop.url == live_web.url + "/login"


def test_an_agent_that_does_not_answer_is_explained(broker, tmp_path, fake_agent, desktop):
    """A fake agent publishes its state but runs no commands: the action times out, in words."""
    from web_rig import ManagerRig, web_config

    config = web_config(tmp_path / "manager", broker.host, broker.port)
    with ManagerRig(config, app_options={"action_timeout": 1.0}) as rig:
        silent = fake_agent("hq", "main", {"desk-printer": "printer"})
        silent.all_ok()
        silent.flush()
        wait_until(lambda: rig.dashboard.board.device("hq", "main", "desk-printer") is not None, 15,
                   "the printer on the dashboard")
        log_in(desktop, rig.url)
        printer = card(desktop, "desk-printer")
        printer.locator("button[data-action=printer_test]").click()
        printer.locator(".reply-pending", has_text="waiting for main").wait_for()
        reply = printer.locator(".reply-error")
        reply.wait_for(timeout=10000)
        assert reply.inner_text().startswith("The agent did not answer in time: it may be stopped, or the broker")
