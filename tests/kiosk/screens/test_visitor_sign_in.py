"""Visitors at the real kiosk window: sign in (badge printed, host told), with the agent down,
and sign out by the badge's code (USB scanner) or by name."""

from __future__ import annotations

import io
import json

from kiosk_ui import start_kiosk
from PIL import Image
from tour import sign_in

from contract import mqtt as topics
from kiosk.visits import VisitorLog

SITE, KIOSK = "test", "lobby"


def visitor_log(rig) -> VisitorLog:
    return VisitorLog(rig.visits_path, timezone=rig.config.office.timezone)


def test_a_visitor_signs_in_and_gets_a_badge(kiosk_rig, kiosk_ui, mqtt_recorder):
    ui = kiosk_ui
    assert ui.widget("welcome.sign_in")["text"] == "Intrare"  # the office's language first
    ui.tap("welcome.language.pl")
    assert ui.state()["language"] == "pl"
    assert ui.widget("welcome.sign_in")["text"] == "Wejście"  # every label follows the switch
    sign_in(ui, "Łucja Żółkiewska", "Ćma Sp. z o.o.", "jur", "Jürgen Weiß", plate="IS 12 ABC")
    ui.wait_for(lambda s: "done.message.printed" in s["refs"], 25, "the badge printed")
    assert any("Łucja Żółkiewska" in text for text in ui.state()["texts"])
    log = visitor_log(kiosk_rig)
    try:
        [visit] = log.on_site()
        signature = log.signature(visit.id)
    finally:
        log.close()
    assert (visit.name, visit.company, visit.host, visit.purpose, visit.language) == (
        "Łucja Żółkiewska", "Ćma Sp. z o.o.", "Jürgen Weiß", "meeting", "pl")
    assert visit.fields == {"car_plate": "IS 12 ABC"} and visit.has_signature
    with Image.open(io.BytesIO(signature)) as drawn:
        assert drawn.convert("L").getextrema()[0] < 100  # ink on the paper, not a blank pad
    [badge] = kiosk_rig.badge_jobs("Żółkiewska")
    assert visit.badge_number in badge and "Jürgen Weiß" in badge
    arrival = mqtt_recorder.wait_for(lambda topic, *_: topic == topics.visitor_arrivals(SITE))
    assert json.loads(arrival[1])["name"] == "Łucja Żółkiewska"
    record = mqtt_recorder.wait_for(lambda topic, *_: topic == topics.kiosk_visits(SITE, KIOSK))
    assert json.loads(record[1])["event"] == "signed_in" and b"\xc5\x81ucja" not in record[1]  # no name
    ui.tap("done.finish")
    state = ui.wait_for_screen("welcome")
    assert state["language"] == "ro"  # the next visitor starts in the office's language


def test_sign_in_while_the_agent_is_down_tells_the_visitor_to_ask_at_the_desk(kiosk_rig, xvfb):
    ui = start_kiosk(kiosk_rig, xvfb.display)  # the agent is not running
    try:
        ui.tap("welcome.language.fr")
        sign_in(ui, "Amélie Dubois", "Ça Va SARL", "ion", "Ion Popescu")
        state = ui.wait_for(lambda s: "done.message.ask_desk" in s["refs"], 10, "ask at the desk")
        assert any("accueil" in text for text in state["texts"])  # in French
        assert kiosk_rig.badge_jobs("Dubois") == []
        log = visitor_log(kiosk_rig)
        try:
            [visit] = log.on_site()
            assert not visit.badge_printed  # recorded, waiting for the printer
        finally:
            log.close()
        kiosk_rig.start_agent()  # the agent comes back: the badge prints without anyone asking
        deadline_state = ui.wait_for(lambda s: bool(kiosk_rig.badge_jobs("Amélie Dubois")), 30, "the late badge")
        assert deadline_state
    finally:
        ui.close()


def test_visitors_sign_out_by_scanning_their_badge_or_by_name(kiosk_rig, kiosk_ui, mqtt_recorder):
    ui = kiosk_ui
    log = visitor_log(kiosk_rig)
    try:
        scanned = log.sign_in(name="Jürgen Weiß", company="Weiß GmbH", language="de")
        by_name = log.sign_in(name="Ștefan Țăranu", language="ro")
    finally:
        log.close()
    ui.scan("NOT-A-CODE")
    ui.wait_for(lambda s: "done.message.unknown_code" in s["refs"], what="the unknown code")
    ui.tap("done.finish")
    ui.scan(scanned.signout_code.lower())  # scanners may send lower case; the code still counts
    state = ui.wait_for(lambda s: "done.message.signed_out" in s["refs"], what="signed out by scan")
    assert state["language"] == "de" and any("Auf Wiedersehen, Jürgen Weiß!" in t for t in state["texts"])
    ui.tap("done.finish")
    ui.tap("welcome.sign_out")
    ui.type("stef")  # no diacritics typed: "Ștefan" is still found
    ui.tap(f"signout.visit.{by_name.id}")
    ui.wait_for(lambda s: "done.message.signed_out" in s["refs"], what="signed out by name")
    log = visitor_log(kiosk_rig)
    try:
        assert log.on_site() == []
        assert log.get(scanned.id).signed_out_at is not None
    finally:
        log.close()
    records = mqtt_recorder.json_on(topics.kiosk_visits(SITE, KIOSK))
    assert sorted(r["visit"] for r in records if r["event"] == "signed_out") == sorted([scanned.id, by_name.id])


def test_an_invited_visitor_signs_in_with_the_code_from_the_invitation(kiosk_rig, kiosk_ui):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    ui = kiosk_ui
    log = visitor_log(kiosk_rig)
    try:
        today = datetime.now(ZoneInfo(kiosk_rig.config.office.timezone)).date()
        invitation = log.add_invitation(name="Hélène Garçon", company="Ça Va SARL", host="Amélie Dubois",
                                        valid_on=today)
    finally:
        log.close()
    ui.tap("welcome.language.fr")
    ui.tap("welcome.invitation")
    ui.type(invitation.code.lower())
    ui.tap("invitation.ok")
    ui.wait_for_screen("field:car_plate")  # the invitation answers name, company and host
    ui.tap("field:car_plate.next")
    ui.wait_for_screen("policy")
    ui.draw_signature()
    ui.tap("policy.agree")
    ui.wait_for(lambda s: "done.message.printed" in s["refs"], 25, "the badge printed")
    log = visitor_log(kiosk_rig)
    try:
        [visit] = log.on_site()
        assert log.invitation(invitation.code, today) is None  # used up
    finally:
        log.close()
    assert (visit.name, visit.host, visit.invitation_code, visit.language) == (
        "Hélène Garçon", "Amélie Dubois", invitation.code, "fr")
    ui.tap("done.finish")
    ui.tap("welcome.invitation")
    ui.type(invitation.code)  # a second time: refused, the visitor stays on the screen
    ui.tap("invitation.ok")
    assert ui.state()["screen"] == "invitation"
    assert "n’est pas valable" not in ui.widget("invitation.message")["text"]  # the office's Romanian
    assert "nu este valabil" in ui.widget("invitation.message")["text"]
