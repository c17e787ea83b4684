"""The kiosk app: its services, its screens, and the visitor's way from one screen to the next.

Everything runs on Kivy's UI thread except MQTT: KioskLink's Futures and listener calls
are brought back to the UI thread with Clock.schedule_once. The visitor log is local SQLite
and answers in milliseconds, so it is used directly.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.screenmanager import NoTransition, ScreenManager

from frontdesk.contract import clock
from frontdesk.kiosk.agent_link import KioskLink
from frontdesk.kiosk.i18n import Translator
from frontdesk.kiosk.screens.base import SignInDraft, on_ui_thread
from frontdesk.kiosk.staff_pin import StaffLock
from frontdesk.kiosk.visits import VisitorLog
from frontdesk.kiosk.widgets import theme

log = logging.getLogger("frontdesk.kiosk")

ENTER_KEYS = (13, 271)  # Return, keypad Enter (a scanner may send either)
BACKSPACE_KEY, ESCAPE_KEY = 8, 27
PURGE_EVERY = 3600  # seconds between retention purges while running
PRINTED_STATES = ("printed", "sent")


class KioskApp(App):
    title = "Frontdesk"

    def __init__(self, config, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cfg = config  # the Frontdesk config (App.config is Kivy's own settings object)
        self.timezone = ZoneInfo(config.office.timezone)
        self.allow_exit = False
        self.draft = SignInDraft()
        self.last_activity = time.monotonic()
        self.current_visit = None
        # When the visitor on the screen left the welcome screen to sign in (monotonic, so a
        # clock set meanwhile does not bend the figure); None when no sign-in is under way.
        self.sign_in_started: float | None = None

    # --- start and stop -----------------------------------------------------------------------
    def build(self):
        kiosk = self.cfg.kiosk
        theme.set_screen_size(*Window.size)
        Window.clearcolor = theme.BACKGROUND
        self.tr = Translator(self.cfg.office.language)
        self.visits = VisitorLog(kiosk.data_dir / "visitors.db", timezone=self.cfg.office.timezone)
        self.lock = StaffLock(kiosk.data_dir / "staff-lock.db", kiosk.staff_pin_hash, kiosk.pin_attempts,
                              timedelta(minutes=kiosk.lockout_minutes))
        self.link = KioskLink(self.cfg, self.visits)
        self.link.add_listener(lambda kind: Clock.schedule_once(lambda _dt: self._link_changed(kind)))
        self.screens = ScreenManager(transition=NoTransition())
        for screen in self._make_screens():
            self.screens.add_widget(screen)
        Window.bind(on_request_close=self._request_close, on_keyboard=self._keyboard,
                    on_textinput=self._typed, on_touch_down=self._touched)
        Clock.schedule_interval(self._check_idle, 1)
        Clock.schedule_interval(lambda _dt: self._purge(), PURGE_EVERY)
        Clock.schedule_once(lambda _dt: self._purge(), 0)
        self.link.start()
        return self.screens

    def _make_screens(self) -> list:
        from frontdesk.kiosk.i18n import N_
        from frontdesk.kiosk.screens.done import DoneScreen
        from frontdesk.kiosk.screens.lookup import InvitationScreen, SignOutScreen
        from frontdesk.kiosk.screens.policy import PolicyScreen
        from frontdesk.kiosk.screens.signin import ExtraFieldScreen, HostScreen, PurposeScreen, TextStepScreen
        from frontdesk.kiosk.screens.staff import staff_screens
        from frontdesk.kiosk.screens.welcome import WelcomeScreen

        screens = [
            WelcomeScreen(self),
            TextStepScreen(self, "name", N_("What is your name?"), required=True, max_length=120),
            TextStepScreen(self, "company", N_("Which company are you from?"), required=False, max_length=120),
            HostScreen(self), PurposeScreen(self),
            *(ExtraFieldScreen(self, field) for field in self.cfg.kiosk.fields),
            PolicyScreen(self), DoneScreen(self), InvitationScreen(self), SignOutScreen(self),
            *staff_screens(self),
        ]
        return screens

    def on_start(self) -> None:
        # systemctl stop (SIGTERM) and Ctrl-C in a terminal end the kiosk cleanly: the link
        # says goodbye on MQTT and the visitor log is closed. A visitor has neither.
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: Clock.schedule_once(lambda _dt: self.close_kiosk()))

    def on_stop(self) -> None:
        self.link.stop()
        self.visits.close()
        self.lock.close()

    def close_kiosk(self) -> None:
        """Staff only (the staff area is behind the PIN): leave the app."""
        self.allow_exit = True
        self.stop()

    def _request_close(self, *args, **kwargs) -> bool:
        return not self.allow_exit  # True keeps the window open: no closing it without the PIN

    # --- input --------------------------------------------------------------------------------
    def _touched(self, window, touch) -> None:
        self.last_activity = time.monotonic()

    def _typed(self, window, text: str) -> None:
        """Characters from a USB keyboard or barcode scanner, for the screen on show."""
        self.last_activity = time.monotonic()
        self.screens.current_screen.on_typed(text)

    def _keyboard(self, window, key: int, scancode=None, codepoint=None, modifiers=None, **kwargs) -> bool:
        self.last_activity = time.monotonic()
        if key in ENTER_KEYS:
            self.screens.current_screen.on_enter_key()
        elif key == BACKSPACE_KEY:
            self.screens.current_screen.on_backspace()
        return key == ESCAPE_KEY  # swallowed: Escape must not leave the kiosk

    # --- navigation ---------------------------------------------------------------------------
    def go(self, name: str) -> None:
        self.last_activity = time.monotonic()
        self.screens.current = name

    def switch_language(self, language: str) -> None:
        self.tr.switch(language)

    def steps(self) -> list[str]:
        fields = [f"field:{field.id}" for field in self.cfg.kiosk.fields]
        if self.draft.invitation_code:
            return ["invitation", *fields, "policy"]
        hosts = ["host"] if self.cfg.kiosk.hosts else []
        return ["name", "company", *hosts, "purpose", *fields, "policy"]

    def start_sign_in(self) -> None:
        self.draft = SignInDraft()
        self.sign_in_started = time.monotonic()
        self.go(self.steps()[0])

    def start_invitation(self) -> None:
        self.sign_in_started = time.monotonic()
        self.go("invitation")

    def _wall_time(self, moment: float, now: datetime | None = None) -> datetime:
        """A time.monotonic() reading of the past, as UTC wall-clock time (`now`: the wall clock now)."""
        return (now or clock.now()) - timedelta(seconds=time.monotonic() - moment)

    def next_step(self, current: str) -> None:
        steps = self.steps()
        self.go(steps[steps.index(current) + 1])

    def previous_step(self, current: str) -> None:
        steps = self.steps()
        index = steps.index(current)
        if index == 0:
            self.reset_to_welcome()
        else:
            self.go(steps[index - 1])

    def reset_to_welcome(self) -> None:
        """Forget the visitor: every screen's input, the draft and the language."""
        self.draft = SignInDraft()
        self.current_visit = None
        self.sign_in_started = None
        for screen in self.screens.screens:
            screen.reset()
        self.tr.switch(self.tr.default)
        self.screens.current = "welcome"

    def _check_idle(self, _dt) -> None:
        idle = time.monotonic() - self.last_activity
        at_rest = self.screens.current == "welcome" and self.tr.language == self.tr.default
        if idle >= self.cfg.kiosk.idle_seconds and not at_rest:
            log.info("idle for %.0f s: back to the welcome screen", idle)
            if self.sign_in_started is not None:  # started signing in, then walked away
                self.link.sign_in_abandoned(self._wall_time(self.sign_in_started),
                                            self._wall_time(self.last_activity), self.screens.current)
            self.reset_to_welcome()
            self.last_activity = time.monotonic()

    # --- visitors -----------------------------------------------------------------------------
    def sign_in_invited(self, invitation) -> None:
        self.draft = SignInDraft(name=invitation.name, company=invitation.company or "",
                                 host=invitation.host or "", invitation_code=invitation.code)
        self.next_step("invitation")

    def complete_sign_in(self, signature_png: bytes) -> None:
        draft, done = self.draft, self.screens.get_screen("done")
        started, self.sign_in_started = self.sign_in_started, None  # done: no longer one to abandon
        now = clock.now()  # one reading for both times, so the start is never after the end
        try:
            visit = self.visits.sign_in(
                name=draft.name, company=draft.company or None, host=draft.host or None, purpose=draft.purpose,
                language=self.tr.language, fields=dict(draft.fields), signature_png=signature_png,
                invitation_code=draft.invitation_code, now=now,
                started_at=self._wall_time(started, now) if started is not None else None)
        except (ValueError, sqlite3.Error) as error:  # refused (an invitation used meanwhile), or a full disk
            log.warning("sign-in refused: %s", error)
            done.show("ask_desk", draft.name)
            self.go("done")
            return
        self.current_visit = visit.id
        done.show("printing" if self.badge_printer_ready() else "ask_desk", visit.name, visit.badge_number)
        self.go("done")
        on_ui_thread(self.link.visitor_signed_in(visit), lambda reply: self._badge_reply(visit, reply))

    def _badge_reply(self, visit, reply: dict) -> None:
        printed = reply.get("ok") and reply.get("result", {}).get("state") in PRINTED_STATES
        if not printed:
            log.warning("badge %s not printed yet: %s", visit.badge_number, reply.get("error") or reply.get("result"))
        if self.current_visit == visit.id and self.screens.current == "done":
            self.screens.get_screen("done").show("printed" if printed else "ask_desk", visit.name,
                                                 visit.badge_number)

    def badge_printer(self) -> str | None:
        if self.cfg.kiosk.printer:
            return self.cfg.kiosk.printer
        printers = [name for name, state in self.link.devices.items() if state.kind == "printer"]
        return printers[0] if printers else None

    def badge_printer_ready(self) -> bool:
        """Whether a badge can print now; if not, the visitor is sent to the desk at once."""
        state = self.link.devices.get(self.badge_printer() or "")
        return bool(self.link.agent_online) and state is not None and state.health in ("ok", "warning")

    def sign_out_by_code(self, code: str) -> bool:
        visit = self.visits.sign_out(code)
        if visit is None:
            current = self.screens.current_screen
            if hasattr(current, "say"):
                from frontdesk.kiosk.screens.done import STATES

                current.say(STATES["unknown_code"][1], theme.DANGER)
            else:
                self.screens.get_screen("done").show("unknown_code")
                self.go("done")
            return False
        self._signed_out(visit)
        return True

    def sign_out_visit(self, visit_id: str) -> None:
        visit = self.visits.sign_out_visit(visit_id)
        if visit is not None:
            self._signed_out(visit)

    def _signed_out(self, visit) -> None:
        self.link.visitor_signed_out(visit)
        self.tr.switch(visit.language if self.screens.current == "welcome" else self.tr.language)
        self.screens.get_screen("done").show("signed_out", visit.name)
        self.go("done")

    # --- housekeeping -------------------------------------------------------------------------
    def _purge(self) -> None:
        erased = self.visits.purge(self.cfg.kiosk.retention_days)
        if erased:
            log.info("erased %d visits older than %d days", erased, self.cfg.kiosk.retention_days)

    def _link_changed(self, kind: str) -> None:
        for screen in self.screens.screens:
            handler = getattr(screen, "on_link", None)
            if handler is not None:
                handler(kind)
