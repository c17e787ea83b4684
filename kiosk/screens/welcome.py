"""The first screen: the office, the language choice, and the ways in and out.

A badge's sign-out code scanned here (a USB scanner types it and presses Enter) signs the
visitor out straight away: the typed characters are caught by an invisible buffer, not
shown, because nobody is looking at a text field while scanning.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from frontdesk.kiosk.i18n import LANGUAGES, N_, NATIVE_NAMES
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, column, row
from frontdesk.kiosk.widgets.theme import font, u

SCAN_LIMIT = 200  # characters; anything longer is not a code


class WelcomeScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "welcome")
        self.scan_buffer = ""
        root = self.page()
        root.padding = [u(24), u(14), u(24), u(10)]
        root.spacing = u(12)
        root.add_widget(self._office())
        greeting = self.label(N_("Welcome!"), kind="huge", ref="welcome.greeting", halign="center")
        hint = self.label(N_("Choose your language, then tap what you would like to do."),
                          ref="welcome.hint", halign="center", color=theme.MUTED)
        root.add_widget(column(greeting, hint, spacing=u(2)))
        root.add_widget(self._languages())
        root.add_widget(row(
            self.button(N_("Sign in"), lambda: self.app.start_sign_in(), ref="welcome.sign_in", kind="heading"),
            self.button(N_("I have an invitation"), lambda: self.app.start_invitation(), ref="welcome.invitation",
                        style="secondary", kind="heading"),
            self.button(N_("Sign out"), lambda: self.go("signout"), ref="welcome.sign_out", style="secondary",
                        kind="heading"),
            height=u(96), spacing=u(14)))
        staff = self.button(N_("Staff"), lambda: self.go("pin"), ref="welcome.staff", style="quiet",
                            kind="small", size_hint_x=None, width=u(110))
        staff.opacity = 1 if app.lock.enabled else 0
        staff.disabled = not app.lock.enabled
        root.add_widget(row(Widget(), staff, height=u(44)))

    def _office(self) -> BoxLayout:
        top = row(height=u(64), spacing=u(14))
        logo = self.app.cfg.kiosk.logo
        if logo is not None and logo.is_file():
            top.add_widget(Image(source=str(logo), size_hint_x=None, width=u(120), fit_mode="contain"))
        office = self.label("", kind="title", ref="welcome.office")
        office.text = self.app.cfg.office.name  # a name, never translated
        top.add_widget(office)
        return top

    def _languages(self) -> BoxLayout:
        self.language_buttons: dict[str, KButton] = {}
        buttons = row(height=u(58), spacing=u(10))
        for language in LANGUAGES:
            button = KButton(style="secondary", ref=f"welcome.language.{language}", text=NATIVE_NAMES[language],
                             font_size=font("button"))
            button.bind(on_release=lambda _, lang=language: self.app.switch_language(lang))
            self.language_buttons[language] = button
            buttons.add_widget(button)
        self.show_language(self.tr.language)
        self.tr.on_switch(self.show_language)
        return buttons

    def show_language(self, language: str) -> None:
        for code, button in self.language_buttons.items():
            chosen = code == language
            button.style = "primary" if chosen else "secondary"
            button.background = theme.PRIMARY if chosen else theme.SECONDARY
            button.color = theme.PRIMARY_TEXT if chosen else theme.TEXT

    def on_pre_enter(self, *args) -> None:
        self.scan_buffer = ""

    def on_typed(self, text: str) -> None:
        self.scan_buffer = (self.scan_buffer + text)[-SCAN_LIMIT:]

    def on_backspace(self) -> None:
        self.scan_buffer = self.scan_buffer[:-1]

    def on_enter_key(self) -> None:
        code, self.scan_buffer = self.scan_buffer.strip(), ""
        if code:
            self.app.sign_out_by_code(code)

    def reset(self) -> None:
        self.scan_buffer = ""
