"""The staff PIN: checked against the salted hash, with a lock-out after repeated failures."""

from __future__ import annotations

from kivy.uix.widget import Widget

from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import TextField, column, row
from frontdesk.kiosk.widgets.keyboard import TouchKeyboard
from frontdesk.kiosk.widgets.theme import u


class PinScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "pin")
        root = self.page()
        root.add_widget(self.header(N_("Staff area"), back=app.reset_to_welcome))
        self.field = TextField(ref="pin.field", max_length=12, password=True, halign="center",
                               size_hint_y=None, height=u(56))
        self.active_field = self.field
        self.prompt = self.label(N_("Enter the staff PIN."), ref="pin.message", halign="center", valign="top",
                                 size_hint_y=None, height=u(110))
        left = column(self.field, self.prompt, Widget(), padding=[u(20), u(20)], spacing=u(16), size_hint_x=0.5)
        self.keyboard = TouchKeyboard(on_enter=self.submit, numeric=True, size_hint_x=0.5,
                                      padding=[u(10), u(6), u(20), u(6)])
        self.keyboard.target = self.field
        root.add_widget(row(left, self.keyboard))

    def on_enter_key(self) -> None:
        self.submit()

    def on_typed(self, text: str) -> None:
        self.field.type_text("".join(char for char in text if char.isdigit()))

    def submit(self) -> None:
        pin, self.field.text = self.field.text, ""
        if not pin:
            return
        check = self.app.lock.check(pin)
        if check.ok:
            self.say(N_("Enter the staff PIN."))
            self.go("staff")
        elif check.locked_until is not None:
            until = check.locked_until.astimezone(self.app.timezone).strftime("%H:%M")
            self.say(N_("Too many wrong PINs. The staff area is locked until {time}."), theme.DANGER, time=until)
        else:
            self.say(N_("Wrong PIN. Attempts left: {count}."), theme.DANGER, count=check.attempts_left)

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.prompt, "text", message, **params)
        self.prompt.color = colour

    def reset(self) -> None:
        self.field.text = ""
        self.say(N_("Enter the staff PIN."))
