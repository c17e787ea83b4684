"""Screens that look a visitor up by what they type: the invitation code, and sign-out
(by the badge's code, typed or scanned, or by finding one's own name)."""

from __future__ import annotations

from frontdesk.contract import clock
from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, TextField, row
from frontdesk.kiosk.widgets.keyboard import TouchKeyboard, keyboard_height
from frontdesk.kiosk.widgets.theme import u

MIN_SEARCH = 2  # letters typed before names are shown: nobody browses the visitor list
MAX_MATCHES = 3


class LookupScreen(KioskScreen):
    """A field, a row of results or a message, and the touch keyboard."""

    def __init__(self, app, name: str, title: str, hint: str, capitalize: bool) -> None:
        super().__init__(app, name)
        root = self.page()
        root.add_widget(self.header(title, back=app.reset_to_welcome))
        self.field = TextField(ref=f"{name}.field", max_length=120, capitalize=capitalize)
        self.active_field = self.field
        ok = self.button(N_("OK"), self.submit, ref=f"{name}.ok", size_hint_x=None, width=u(150))
        root.add_widget(row(self.field, ok, height=u(56), padding=[u(10), 0]))
        self.results = row(padding=[u(10), 0])
        self.message = self.label(hint, kind="small", ref=f"{name}.message", color=theme.MUTED)
        self.hint = hint
        self.results.add_widget(self.message)
        root.add_widget(self.results)
        self.keyboard = TouchKeyboard(on_enter=self.submit, size_hint_y=None, height=keyboard_height(),
                                      padding=[u(6), 0])
        self.keyboard.target = self.field
        root.add_widget(self.keyboard)
        self.field.bind(text=lambda *_: self.on_field_changed())

    def say(self, message: str, colour=theme.MUTED) -> None:
        self.tr.bind(self.message, "text", message)
        self.message.color = colour

    def on_enter_key(self) -> None:
        self.submit()

    def on_field_changed(self) -> None:
        """What was typed changed: sign-out searches names as they are typed."""

    def submit(self) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        self.field.text = ""
        self.keyboard.reset()
        self.say(self.hint)

    def on_pre_enter(self, *args) -> None:
        self.reset()


class InvitationScreen(LookupScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "invitation", N_("Sign in with your invitation code"),
                         N_("The code is in your invitation e-mail."), capitalize=False)

    def submit(self) -> None:
        code = self.field.text.strip()
        if not code:
            return
        today = clock.today(self.app.timezone)
        invitation = self.app.visits.invitation(code, today)
        if invitation is None:
            self.say(N_("This code is not valid today. Please check it or ask at the front desk."), theme.DANGER)
            return
        self.app.sign_in_invited(invitation)


class SignOutScreen(LookupScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "signout", N_("Sign out"),
                         N_("Scan the code on your badge, type it, or type your name."), capitalize=True)

    def on_field_changed(self) -> None:
        typed = self.field.text.strip()
        self.results.clear_widgets()
        self.results.add_widget(self.message)
        if len(typed) < MIN_SEARCH:
            self.message.size_hint_x = 1
            return
        matches = self.app.visits.find_on_site(typed)[:MAX_MATCHES]
        self.message.size_hint_x = 0.3 if matches else 1
        for visit in matches:
            who = f"{visit.name} ({visit.company})" if visit.company else visit.name
            button = KButton(style="secondary", ref=f"signout.visit.{visit.id}", text=who, kind="body")
            button.bind(on_release=lambda _, v=visit.id: self.app.sign_out_visit(v))
            self.results.add_widget(button)
        if matches:
            self.say(N_("Tap your name:"))

    def submit(self) -> None:
        code = self.field.text.strip()
        if code:
            self.app.sign_out_by_code(code)
