"""After sign-in or sign-out: what happens now, in the visitor's language.

The badge is printing, or (agent or printer unavailable) the visitor is asked to see the
front desk; the sign-in is recorded either way and the badge prints when the printer is back.
"""

from __future__ import annotations

from kivy.clock import Clock

from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import column, row
from frontdesk.kiosk.widgets.theme import u

RETURN_AFTER = 12  # seconds on this screen before the next visitor's welcome screen

STATES = {
    # state: (title, message, colour)
    "printing": (N_("Welcome, {name}!"), N_("Your badge is being printed …"), theme.TEXT),
    "printed": (N_("Welcome, {name}!"), N_("Your badge is printing. Please take it from the printer."), theme.SUCCESS),
    "ask_desk": (N_("Welcome, {name}!"),
                 N_("You are signed in, but the badge printer is not available right now. "
                    "Please ask at the front desk for your badge."), theme.DANGER),
    "signed_out": (N_("Goodbye, {name}!"), N_("You are signed out. Thank you for your visit."), theme.SUCCESS),
    "unknown_code": (N_("Code not recognised"),
                     N_("We could not find a visitor on site with this code. Please try again or ask at the "
                        "front desk."), theme.DANGER),
}


class DoneScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "done")
        self.state = "printing"
        self.visitor = ""
        root = self.page()
        root.padding = [u(40), u(30)]
        self.title_label = self.label("", kind="huge", ref="done.title", halign="center")
        self.badge = self.label("", kind="title", ref="done.badge", halign="center", color=theme.PRIMARY)
        self.message = self.label("", kind="heading", ref="done.message", halign="center")
        root.add_widget(column(self.title_label, self.badge, self.message, spacing=u(10)))
        finish = self.button(N_("Done"), self.finish, ref="done.finish", size_hint_x=None, width=u(260))
        root.add_widget(row(column(), finish, column(), height=u(76)))
        self._timer = None

    def show(self, state: str, name: str = "", badge_number: str | None = None) -> None:
        self.state, self.visitor = state, name
        title, message, colour = STATES[state]
        self.tr.bind(self.title_label, "text", title, name=name)
        self.tr.bind(self.message, "text", message)
        self.message.color = colour
        self.message.ref = f"done.message.{state}"
        if badge_number:
            self.tr.bind(self.badge, "text", N_("Badge number {number}"), number=badge_number)
        elif state not in ("printing", "printed", "ask_desk"):
            self.tr.unbind(self.badge)
            self.badge.text = ""
        self._restart_timer()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = Clock.schedule_once(lambda _dt: self.finish(), RETURN_AFTER)

    def on_leave(self, *args) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def finish(self) -> None:
        if self.app.screens.current == self.name:
            self.app.reset_to_welcome()

    def on_enter_key(self) -> None:
        self.finish()

    def reset(self) -> None:
        self.visitor = ""
        for label in (self.title_label, self.badge, self.message):
            self.tr.unbind(label)
            label.text = ""
