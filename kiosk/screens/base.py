"""What every kiosk screen shares: the app's services, a header, typing and forgetting.

Screens are built in Python, not kv, because every visible text goes through the
Translator (kiosk/i18n.py) so that a language switch updates it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, Panel, Text, TextField
from frontdesk.kiosk.widgets.keyboard import BACKSPACE
from frontdesk.kiosk.widgets.theme import u


@dataclass
class SignInDraft:
    """What the visitor has told the kiosk so far; forgotten on every return to the welcome screen."""

    name: str = ""
    company: str = ""
    host: str = ""
    purpose: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    invitation_code: str | None = None


def on_ui_thread(future: Future, handle: Callable[[dict], None]) -> None:
    """Calls `handle(reply)` on the UI thread once the agent's reply (or its timeout) is in."""
    future.add_done_callback(lambda done: Clock.schedule_once(lambda _dt: handle(done.result())))


class KioskScreen(Screen):
    """A screen with the app's services at hand (`self.app`: config, tr, visits, link ...)."""

    def __init__(self, app, name: str) -> None:
        super().__init__(name=name)
        self.app = app
        self.tr = app.tr
        self.active_field: TextField | None = None
        self.keyboard = None  # a TouchKeyboard on screens that have one

    def t(self, message: str, **params) -> str:
        return self.tr.text(message, **params)

    def label(self, message: str, kind: str = "body", ref: str = "", **kwargs) -> Text:
        widget = Text(kind=kind, **kwargs)
        widget.ref = ref
        if message:
            self.tr.bind(widget, "text", message)
        return widget

    def button(self, message: str, on_press: Callable[[], None], ref: str, style: str = "primary",
               **kwargs) -> KButton:
        widget = KButton(style=style, ref=ref, **kwargs)
        self.tr.bind(widget, "text", message)
        widget.bind(on_release=lambda *_: on_press())
        return widget

    def header(self, message: str, back: Callable[[], None] | None = None, ref: str = "") -> Panel:
        """The top bar: a Back button (when there is somewhere to go back to) and the title."""
        bar = Panel(orientation="horizontal", size_hint_y=None, height=u(58), padding=[u(8), u(6)], spacing=u(10))
        if back is not None:
            bar.add_widget(self.button(N_("Back"), back, ref=f"{self.name}.back", style="secondary",
                                       size_hint_x=None, width=u(120)))
        self.title_label = self.label(message, kind="heading", ref=ref or f"{self.name}.title")
        bar.add_widget(self.title_label)
        return bar

    def page(self) -> BoxLayout:
        """The screen's root box, on the kiosk's background."""
        root = Panel(colour=theme.BACKGROUND, orientation="vertical", spacing=u(8), padding=[0, 0, 0, u(6)])
        self.add_widget(root)
        return root

    def go(self, name: str) -> None:
        self.app.go(name)

    # Typing from a USB keyboard or barcode scanner arrives here (see KioskApp._typed).
    def on_typed(self, text: str) -> None:
        if self.active_field is not None:
            self.active_field.type_text(text)

    def on_backspace(self) -> None:
        if self.keyboard is not None:
            self.keyboard.press(BACKSPACE)
        elif self.active_field is not None:
            self.active_field.backspace()

    def on_enter_key(self) -> None:
        """Enter on a USB keyboard or at the end of a scan."""

    def reset(self) -> None:
        """Forget everything typed or chosen on this screen (idle reset, new visitor)."""
