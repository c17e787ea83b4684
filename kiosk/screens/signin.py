"""The sign-in questions, one per screen so the touch keyboard always fits beside them:
name, company, the person visited (search as you type), purpose, and the configured fields."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout

from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.inputs import matching_hosts
from frontdesk.kiosk.screens.base import KioskScreen
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, TextField, row
from frontdesk.kiosk.widgets.keyboard import TouchKeyboard, keyboard_height
from frontdesk.kiosk.widgets.theme import font, u

PURPOSE_LABELS = {
    "meeting": N_("Meeting"),
    "interview": N_("Interview"),
    "delivery": N_("Delivery"),
    "maintenance": N_("Maintenance or repair"),
    "event": N_("Event"),
    "other": N_("Something else"),
}
MAX_SUGGESTIONS = 3


class TextStepScreen(KioskScreen):
    """One question answered with the touch keyboard; `save` stores the answer in the draft."""

    def __init__(self, app, name: str, question: str | None, required: bool, max_length: int = 120,
                 capitalize: bool = True, hint: str | None = None) -> None:
        super().__init__(app, name)
        self.required = required
        root = self.page()
        root.add_widget(self.header(question or "", back=lambda: app.previous_step(name)))
        self.field = TextField(ref=f"{name}.field", max_length=max_length, capitalize=capitalize)
        self.active_field = self.field
        self.next_button = self.button(N_("Next"), self.submit, ref=f"{name}.next", size_hint_x=None, width=u(150))
        root.add_widget(row(self.field, self.next_button, height=u(56), padding=[u(10), 0]))
        self.middle = row(padding=[u(10), 0])
        self.hint = self.label(hint or N_("Optional: tap Next to skip."), kind="small", ref=f"{name}.hint",
                               color=theme.MUTED)
        if required:
            self.tr.bind(self.hint, "text", N_("Required."))
        self.middle.add_widget(self.hint)
        root.add_widget(self.middle)
        self.keyboard = TouchKeyboard(on_enter=self.submit, size_hint_y=None, height=keyboard_height(),
                                      padding=[u(6), 0])
        self.keyboard.target = self.field
        root.add_widget(self.keyboard)
        self.field.bind(text=lambda *_: self.on_field_changed())
        self.on_field_changed()

    def on_field_changed(self) -> None:
        self.next_button.disabled = self.required and not self.field.text.strip()

    def on_enter_key(self) -> None:
        self.submit()

    def on_pre_enter(self, *args) -> None:
        self.field.text = self.load()
        self.keyboard.reset()

    def submit(self) -> None:
        answer = " ".join(self.field.text.split())
        if self.required and not answer:
            return
        self.save(answer)
        self.app.next_step(self.name)

    def load(self) -> str:
        return getattr(self.app.draft, self.name)

    def save(self, answer: str) -> None:
        setattr(self.app.draft, self.name, answer)

    def reset(self) -> None:
        self.field.text = ""
        self.keyboard.reset()


class ExtraFieldScreen(TextStepScreen):
    """A question from `[[kiosk.fields]]`; its label comes from the config, in the visitor's language."""

    def __init__(self, app, visitor_field) -> None:
        self.visitor_field = visitor_field
        super().__init__(app, f"field:{visitor_field.id}", None, visitor_field.required,
                         max_length=visitor_field.max_length, capitalize=False)
        self.tr.unbind(self.title_label)
        self.show_label(self.tr.language)
        self.tr.on_switch(self.show_label)

    def show_label(self, language: str) -> None:
        labels = self.visitor_field.label
        self.title_label.text = labels.get(language) or labels.get("en") or next(iter(labels.values()))

    def load(self) -> str:
        return self.app.draft.fields.get(self.visitor_field.id, "")

    def save(self, answer: str) -> None:
        if answer:
            self.app.draft.fields[self.visitor_field.id] = answer
        else:
            self.app.draft.fields.pop(self.visitor_field.id, None)


class HostScreen(TextStepScreen):
    """Who the visitor comes to see: the host directory, searched as the visitor types."""

    def __init__(self, app) -> None:
        super().__init__(app, "host", N_("Who are you visiting?"), required=False,
                         hint=N_("Type a few letters of their name."))
        self.suggestions = row(padding=[0, u(4)])
        self.middle.add_widget(self.suggestions)
        self.hint.size_hint_x = 0.32

    def on_field_changed(self) -> None:
        super().on_field_changed()
        if not hasattr(self, "suggestions"):
            return
        self.suggestions.clear_widgets()
        for host in matching_hosts(self.app.cfg.kiosk.hosts, self.field.text)[:MAX_SUGGESTIONS]:
            button = KButton(style="secondary", ref=f"host.pick.{host.name}", text=host.name, kind="body")
            button.bind(on_release=lambda _, name=host.name: self.pick(name))
            self.suggestions.add_widget(button)

    def pick(self, name: str) -> None:
        self.field.text = name
        self.submit()


class PurposeScreen(KioskScreen):
    """Why the visitor came: one tap on a big button."""

    def __init__(self, app) -> None:
        super().__init__(app, "purpose")
        root = self.page()
        root.add_widget(self.header(N_("What is the purpose of your visit?"), back=lambda: app.previous_step("purpose")))
        grid = GridLayout(cols=2, spacing=u(14), padding=[u(24), u(16)])
        for purpose in app.cfg.kiosk.purposes:
            grid.add_widget(self.button(PURPOSE_LABELS[purpose], lambda p=purpose: self.choose(p),
                                        ref=f"purpose.{purpose}", style="secondary", font_size=font("heading")))
        root.add_widget(grid)

    def choose(self, purpose: str) -> None:
        self.app.draft.purpose = purpose
        self.app.next_step(self.name)
