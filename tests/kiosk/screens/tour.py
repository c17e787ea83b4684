"""A walk through every screen of the kiosk, taking a screenshot of each (used per language)."""

from __future__ import annotations

from pathlib import Path

from kiosk_ui import KioskUI

STAFF_PIN = "2468"


def enter_pin(ui: KioskUI, pin: str) -> None:
    for digit in pin:
        ui.tap(f"key:{digit}")
    ui.tap("key:enter")


def sign_in(ui: KioskUI, name: str, company: str, host_letters: str, host: str, plate: str = "",
            shots: Path | None = None, tag: str = "") -> None:
    """The whole sign-in, tap by tap; screenshots of each step into `shots` when given."""
    def shot(screen: str) -> None:
        if shots is not None:
            ui.screenshot(shots / f"{screen}-{tag}.png")

    ui.tap("welcome.sign_in")
    ui.wait_for_screen("name")
    ui.type(name)
    shot("02-name")
    ui.tap("name.next")
    ui.wait_for_screen("company")
    ui.type(company)
    shot("03-company")
    ui.tap("company.next")
    ui.wait_for_screen("host")
    ui.type(host_letters)
    shot("04-host")
    ui.tap(f"host.pick.{host}")
    ui.wait_for_screen("purpose")
    shot("05-purpose")
    ui.tap("purpose.meeting")
    ui.wait_for_screen("field:car_plate")
    ui.type(plate)
    shot("06-extra-field")
    ui.tap("field:car_plate.next")
    ui.wait_for_screen("policy")
    ui.draw_signature()
    shot("07-policy")
    ui.tap("policy.agree")
    ui.wait_for_screen("done")


def tour(ui: KioskUI, language: str, shots: Path, name: str, everything: bool = True) -> None:
    """Every screen once, in `language`, leaving the kiosk on the welcome screen; without
    `everything`, only the visitor's sign-in and the staff menu and receipt (larger screens,
    which software rendering draws slowly)."""
    ui.tap(f"welcome.language.{language}")
    ui.screenshot(shots / f"01-welcome-{language}.png")
    sign_in(ui, name, "Exemplu SRL", "ște", "Ștefan Țăranu", "B 123 ABC", shots, language)
    ui.wait_for(lambda s: "done.message.printed" in s["refs"], 25, "the badge printed")
    ui.screenshot(shots / f"08-done-{language}.png")
    ui.tap("done.finish")
    if everything:
        visit_the_other_screens(ui, language, shots, name)
    ui.tap(f"welcome.language.{language}")
    ui.tap("welcome.staff")
    ui.wait_for_screen("pin")
    ui.screenshot(shots / f"11-pin-{language}.png")
    enter_pin(ui, STAFF_PIN)
    ui.wait_for_screen("staff")
    ui.screenshot(shots / f"12-staff-{language}.png")
    ui.tap("staff.receipt")
    ui.type("Copii A4")
    ui.tap("receipt.amount")
    ui.type("2,50")
    ui.tap("receipt.add")
    ui.screenshot(shots / f"13-receipt-{language}.png")
    ui.tap("receipt.back")
    if everything:
        visit_the_staff_screens(ui, language, shots)
    ui.tap("staff.lock")
    ui.wait_for_screen("welcome")


def visit_the_other_screens(ui: KioskUI, language: str, shots: Path, name: str) -> None:
    ui.tap(f"welcome.language.{language}")
    ui.tap("welcome.sign_out")
    ui.type(name.split()[0][:4])
    ui.wait_for(lambda s: any(r.startswith("signout.visit.") for r in s["refs"]), what="the name found")
    ui.screenshot(shots / f"09-signout-{language}.png")
    ui.tap("signout.back")
    ui.tap(f"welcome.language.{language}")
    ui.tap("welcome.invitation")
    ui.type("WRONG123")
    ui.tap("invitation.ok")
    ui.screenshot(shots / f"10-invitation-{language}.png")
    ui.tap("invitation.back")


def visit_the_staff_screens(ui: KioskUI, language: str, shots: Path) -> None:
    ui.tap("staff.mail")
    ui.wait_for(lambda s: any(r.startswith("mail.option.") for r in s["refs"]), what="postage options")
    ui.tap(next(r for r in ui.state()["refs"] if r.startswith("mail.option.")))
    ui.screenshot(shots / f"14-mail-{language}.png")
    ui.tap("mail.back")
    ui.tap("staff.devices")
    ui.screenshot(shots / f"15-devices-{language}.png")
    ui.tap("devices.back")
    ui.tap("staff.visitors")
    ui.screenshot(shots / f"16-visitors-{language}.png")
    ui.tap("visitors.back")
