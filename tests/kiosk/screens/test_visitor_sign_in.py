"""A visitor signs in at the real kiosk window, and the badge comes out of the printer."""

from __future__ import annotations

import json
import sqlite3

from conftest import SCREENSHOTS


def sign_in(ui, name: str, company: str, host_letters: str, host: str, plate: str = "") -> None:
    ui.tap("welcome.sign_in")
    ui.wait_for_screen("name")
    ui.type(name)
    ui.tap("name.next")
    ui.wait_for_screen("company")
    ui.type(company)
    ui.tap("company.next")
    ui.wait_for_screen("host")
    ui.type(host_letters)
    ui.tap(f"host.pick.{host}")
    ui.wait_for_screen("purpose")
    ui.tap("purpose.meeting")
    ui.wait_for_screen("field:car_plate")
    if plate:
        ui.type(plate)
    ui.tap("field:car_plate.next")
    ui.wait_for_screen("policy")
    ui.draw_signature()
    ui.tap("policy.agree")
    ui.wait_for_screen("done")


def test_a_visitor_signs_in_and_gets_a_badge(kiosk_rig, kiosk_ui, mqtt_recorder):
    ui = kiosk_ui
    ui.tap("welcome.language.pl")
    assert ui.state()["language"] == "pl"
    sign_in(ui, "Łucja Żółkiewska", "Ćma Sp. z o.o.", "jur", "Jürgen Weiß", plate="IS 12 ABC")
    ui.wait_for(lambda s: any("drukowany" in t or "printing" in t.lower() for t in s["texts"]), 25, "badge printed")
    ui.screenshot(SCREENSHOTS / "flow-done-pl.png")
    jobs = kiosk_rig.badge_jobs("Żółkiewska")
    assert jobs, [job.text_rendering() for job in kiosk_rig.printer_sim.jobs]
    with sqlite3.connect(kiosk_rig.visits_path) as db:
        row = db.execute("SELECT name, company, host, purpose, language, fields FROM visits").fetchone()
    assert row[:5] == ("Łucja Żółkiewska", "Ćma Sp. z o.o.", "Jürgen Weiß", "meeting", "pl")
    assert json.loads(row[5]) == {"car_plate": "IS 12 ABC"}
