"""The staff area at the real kiosk window: the PIN and its lock-out, no way out without it,
receipts, weighing mail, devices, the evacuation list and the CSV export; and the idle reset."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC

from kiosk_ui import start_kiosk
from tour import STAFF_PIN, enter_pin

ESCAPE = 27


def status(ui, ref: str) -> str:
    return ui.widget(ref)["text"]


def wait_status(ui, ref: str, fragment: str, timeout: float = 20) -> str:
    ui.wait_for(lambda _s: fragment in status(ui, ref), timeout, f"{fragment!r} in {ref}")
    return status(ui, ref)


def test_the_kiosk_cannot_be_left_and_the_pin_locks_after_three_failures(kiosk_ui):
    ui = kiosk_ui
    assert ui.request("close")["refused"]  # the window manager's close button
    ui.key(ESCAPE)
    assert ui.state()["screen"] == "welcome" and ui.process.poll() is None
    ui.tap("welcome.staff")
    for attempts_left in (2, 1):
        enter_pin(ui, "1111")
        assert f"Încercări rămase: {attempts_left}." in status(ui, "pin.message")  # the office speaks Romanian
    enter_pin(ui, "1111")
    assert "blocată până la" in status(ui, "pin.message")
    enter_pin(ui, STAFF_PIN)  # even the right PIN waits for the lock-out to end
    assert ui.state()["screen"] == "pin" and "blocată" in status(ui, "pin.message")


def test_staff_print_a_receipt_weigh_mail_and_look_after_the_devices(scale_rig, xvfb):
    rig = scale_rig
    rig.start_agent()
    ui = start_kiosk(rig, xvfb.display)
    try:
        ui.tap("welcome.staff")
        enter_pin(ui, STAFF_PIN)
        ui.wait_for_screen("staff")

        ui.tap("staff.receipt")
        for item, amount in (("Copii A4", "2,50"), ("Fax", "1")):
            ui.type(item)
            ui.tap("receipt.amount")
            ui.type(amount)
            ui.tap("receipt.add")
        ui.tap("receipt.method.card")
        ui.tap("receipt.print")
        printed = wait_status(ui, "receipt.summary", "a fost tipărită")
        number = printed.split()[1]  # "Chitanța 2026-000001 a fost tipărită."
        [receipt] = [job.text_rendering() for job in rig.printer_sim.jobs if number in job.text_rendering()]
        assert "Copii A4" in receipt and "Fax" in receipt and "3,50" in receipt and "Card" in receipt
        ui.tap("receipt.back")

        ui.tap("staff.mail")
        ui.wait_for(lambda s: "mail.option.large_letter" in s["refs"], what="the postage options for 85 g")
        assert status(ui, "mail.weight") == "85,00 g"  # in the office language, Romanian
        ui.tap("mail.option.large_letter")
        ui.tap("mail.confirm")
        wait_status(ui, "mail.status", "bonul a fost tipărit")
        with sqlite3.connect(rig.root / "agent-data" / "mail-log.db") as db:
            recorded = db.execute("SELECT mail_class, price FROM mail_item").fetchall()
        assert [(mail_class, str(price)) for mail_class, price in recorded] == [("large_letter", "1.80")]
        assert any("Großbrief" in job.text_rendering() for job in rig.printer_sim.jobs)
        ui.tap("mail.back")

        rig.printer_sim.state.paper = "out"
        ui.tap("staff.devices")
        wait_status(ui, "devices.health.badge-printer", "fără hârtie", timeout=20)  # reason in words, Romanian
        rig.printer_sim.state.paper = "ok"
        wait_status(ui, "devices.health.badge-printer", "OK", timeout=20)
        jobs_before = len(rig.printer_sim.jobs)
        ui.tap("devices.action.badge-printer")
        wait_status(ui, "devices.status", "Pagina de test a fost tipărită")
        assert len(rig.printer_sim.jobs) > jobs_before
        ui.tap("devices.action.mail-scale")
        wait_status(ui, "devices.status", "Cântarul a fost adus la zero")
        ui.tap("devices.back")

        ui.tap("staff.evacuation")
        wait_status(ui, "staff.status", "Lista de evacuare a fost tipărită")
        evacuation = [job.text_rendering() for job in rig.printer_sim.jobs if "EVACUARE" in job.text_rendering()]
        assert len(evacuation) == 1 and "TOTAL" not in evacuation[0]  # a plain list, not a receipt
        ui.tap("staff.export")
        written = wait_status(ui, "staff.status", "Vizite scrise: 0")
        exported = rig.config.kiosk.data_dir / "exports"
        assert [path.name for path in exported.iterdir()][0] in written

        assert ui.tap_to_exit("staff.close") == 0  # the one way out: from behind the PIN
    finally:
        ui.close()


def test_an_idle_kiosk_returns_to_the_welcome_screen_and_forgets(kiosk_rig, xvfb, mqtt_recorder):
    from datetime import datetime, timedelta

    from frontdesk.kiosk.visits import VisitorLog

    kiosk_rig.with_kiosk(idle_seconds="10", retention_days="30")
    log = VisitorLog(kiosk_rig.visits_path)
    try:  # a visit from 40 days ago: the kiosk erases it when it starts (retention)
        old = log.sign_in(name="Old Visitor", language="en", now=datetime.now(UTC) - timedelta(days=40))
    finally:
        log.close()
    ui = start_kiosk(kiosk_rig, xvfb.display)
    try:
        log = VisitorLog(kiosk_rig.visits_path)
        try:
            assert log.get(old.id) is None
        finally:
            log.close()
        ui.tap("welcome.language.de")
        ui.tap("welcome.sign_in")
        ui.type("Hans Mül")
        started = time.monotonic()
        state = ui.wait_for(lambda s: s["screen"] == "welcome", 20, "the idle reset")
        assert time.monotonic() - started >= 8  # not before the idle time is up (less a tap's margin)
        assert state["language"] == "ro"
        # The visitor gave up on the name screen: counted for the desk's figures, nothing typed is sent.
        visits_topic = "frontdesk/test/kiosk/lobby/visits"
        _, payload, _ = mqtt_recorder.wait_for(lambda t, p, r: t == visits_topic and b"sign_in_abandoned" in p)
        record = json.loads(payload)
        assert record["step"] == "name" and 0 < record["seconds"] < 60 and b"Hans" not in payload
        assert len(mqtt_recorder.json_on(visits_topic)) == 1  # not a visit: no signed_in
        ui.tap("welcome.sign_in")
        assert ui.widget("name.field")["text"] == ""  # what was typed is forgotten
    finally:
        ui.close()
