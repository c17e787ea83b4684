"""The office's visitor policy in the visitor's language, accepted with a drawn signature."""

from __future__ import annotations

from kivy.uix.scrollview import ScrollView

from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.inputs import policy_text
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import Panel, Text, column, row
from frontdesk.kiosk.widgets.signature import SignaturePad
from frontdesk.kiosk.widgets.theme import font, u


class PolicyScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "policy")
        root = self.page()
        root.add_widget(self.header(N_("Please read and sign"), back=lambda: app.previous_step("policy")))
        self.text = Text(kind="small", valign="top", size_hint_y=None, padding=[u(12), u(10)])
        self.text.bind(width=lambda *_: setattr(self.text, "text_size", (self.text.width, None)),
                       texture_size=lambda *_: setattr(self.text, "height", self.text.texture_size[1]))
        self.text.unbind(size=self.text._wrap)
        scroller = ScrollView(do_scroll_x=False, bar_width=u(8), scroll_type=["bars", "content"])
        scroller.add_widget(self.text)
        paper = Panel(size_hint_x=0.55)
        paper.add_widget(scroller)
        self.pad = SignaturePad()
        self.sign_here = self.label(N_("Sign here with your finger"), kind="small", color=theme.MUTED,
                                    ref="policy.sign_here", size_hint_y=None, height=u(26))
        self.agree = self.button(N_("I agree: sign me in"), self.agree_and_sign_in, ref="policy.agree",
                                 style="success", font_size=font("button"))
        clear = self.button(N_("Clear"), self.pad.clear, ref="policy.clear", style="secondary",
                            size_hint_x=0.4)
        signing = column(self.sign_here, self.pad, row(clear, self.agree, height=u(62)), size_hint_x=0.45)
        root.add_widget(row(paper, signing, padding=[u(10), 0], spacing=u(12)))
        self.pad.bind(signed=lambda *_: self._allow())
        self.tr.on_switch(lambda language: self.show_policy())
        self._allow()

    def _allow(self) -> None:
        self.agree.disabled = not self.pad.signed

    def show_policy(self) -> None:
        kiosk = self.app.cfg.kiosk
        retention = self.tr.ngettext("{count} day", "{count} days", kiosk.retention_days)
        self.text.text = policy_text(self.tr.language, kiosk.policy_dir, retention)

    def on_pre_enter(self, *args) -> None:
        self.show_policy()
        self.pad.clear()

    def agree_and_sign_in(self) -> None:
        if self.pad.signed:
            self.agree.disabled = True  # one visit per tap, however fast the finger
            self.app.complete_sign_in(self.pad.png())

    def reset(self) -> None:
        self.pad.clear()
