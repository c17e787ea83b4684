"""Staff: weigh a letter, pick its class and destination, see the price, record it, print a slip.

The weight is the scale's live reading (KioskLink.latest_weight, pushed by the agent). The
price comes from the agent's rate tables (postage_quote); confirming records it in the
agent's mail log (mail_record, once per request_id) and prints a postage slip, which is a
receipt with one line (print_receipt): the agent has no separate slip document.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from kivy.uix.gridlayout import GridLayout

from frontdesk.contract.payload import PayloadError, parse
from frontdesk.contract.results import ScaleReadResult
from frontdesk.contract.states import Weight

from frontdesk.kiosk.i18n import N_, grams, money
from frontdesk.kiosk.screens.base import KioskScreen, on_ui_thread
from frontdesk.kiosk.screens.receipt import PAYMENT_METHODS
from frontdesk.kiosk.screens.staff import report_print
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, column, row
from frontdesk.kiosk.widgets.theme import font, u

DESTINATIONS = {"domestic": N_("Domestic"), "international": N_("International")}


class MailScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "mail")
        self.grams: str | None = None
        self.destination, self.method = "domestic", "cash"
        self.options: list[dict] = []
        self.chosen: dict | None = None
        self.quoted_for: tuple | None = None
        root = self.page()
        bar = self.header(N_("Weigh mail"), back=lambda: self.go("staff"))
        bar.add_widget(self.button(N_("Tare"), self.tare, ref="mail.tare", style="secondary",
                                   size_hint_x=None, width=u(120)))
        root.add_widget(bar)
        self.weight = self.label("", kind="huge", ref="mail.weight", halign="center")
        self.weight.font_size = font("huge") * 1.3
        self.stability = self.label("", ref="mail.stability", halign="center", color=theme.MUTED)
        self.toggles: dict[str, KButton] = {}
        toggles = column(*(self._toggle(key, message, self.choose_destination)
                           for key, message in DESTINATIONS.items()), spacing=u(6), size_hint_x=0.32)
        root.add_widget(row(column(self.weight, self.stability, spacing=0), toggles, height=u(118),
                            padding=[u(14), 0]))
        self.grid = GridLayout(cols=3, spacing=u(8), padding=[u(14), 0])
        root.add_widget(self.grid)
        self.status = self.label("", ref="mail.status", kind="small", size_hint_y=None, height=u(34),
                                 padding=[u(14), 0])
        root.add_widget(self.status)
        methods = [self._toggle(key, message, self.choose_method, kind="small") for key, message in
                   PAYMENT_METHODS.items()]
        self.confirm = self.button(N_("Record and print slip"), self.record, ref="mail.confirm", style="success",
                                   size_hint_x=1.6)
        root.add_widget(row(*methods, self.confirm, height=u(56), padding=[u(14), 0]))
        self.reset()

    def _toggle(self, key: str, message: str, choose, kind: str = "button") -> KButton:
        button = self.button(message, lambda: choose(key), ref=f"mail.{key}", style="secondary", kind=kind)
        self.toggles[key] = button
        return button

    def _highlight(self, keys, chosen: str) -> None:
        for key in keys:
            button = self.toggles[key]
            button.background = theme.PRIMARY if key == chosen else theme.SECONDARY
            button.color = theme.PRIMARY_TEXT if key == chosen else theme.TEXT

    def choose_destination(self, destination: str) -> None:
        self.destination = destination
        self._highlight(DESTINATIONS, destination)
        self.quote()

    def choose_method(self, method: str) -> None:
        self.method = method
        self._highlight(PAYMENT_METHODS, method)

    def on_pre_enter(self, *args) -> None:
        self.show_weight()
        if self.app.link.latest_weight is None:  # no reading pushed yet: ask for one
            on_ui_thread(self.app.link.command("scale_read", {}, timeout=8), self._read)

    def _read(self, reply: dict) -> None:
        if reply.get("ok"):
            try:
                reading = parse(ScaleReadResult, reply["result"])
            except PayloadError as error:
                return self.say(N_("The scale does not answer: {reason}"), theme.DANGER, reason=str(error))
            self.show_weight(reading)
        else:
            self.say(N_("The scale does not answer: {reason}"), theme.DANGER, reason=reply["error"]["message"])

    def on_link(self, kind: str) -> None:
        if kind == "weight" and self.manager and self.manager.current == self.name:
            self.show_weight()

    def show_weight(self, reading: Weight | None = None) -> None:
        reading = reading or self.app.link.latest_weight
        if reading is None or reading.grams is None:
            self.weight.text = "– g"
            self.tr.bind(self.stability, "text", N_("No reading from the scale"))
            return
        # A JSON number (a string from agents before the contract models: the model reads both).
        weighed = f"{Decimal(str(reading.grams)).quantize(Decimal('0.01'))}"
        self.weight.text = grams(weighed, self.tr.language)
        self.tr.bind(self.stability, "text", N_("Stable") if reading.stable else N_("Settling …"))
        if reading.stable and weighed != self.grams:
            self.grams = weighed
            self.quote()

    def quote(self) -> None:
        if self.grams is None or (self.grams, self.destination) == self.quoted_for:
            return
        self.quoted_for = (self.grams, self.destination)
        payload = {"weight": f"{self.grams}g", "destination": self.destination}
        on_ui_thread(self.app.link.command("postage_quote", payload, timeout=10),
                     lambda reply, asked=self.quoted_for: self._quoted(asked, reply))

    def _quoted(self, asked: tuple, reply: dict) -> None:
        if asked != self.quoted_for:
            return  # the letter or the destination changed meanwhile
        self.grid.clear_widgets()
        self.options, self.chosen = [], None
        self.confirm.disabled = True
        if not reply.get("ok"):
            self.quoted_for = None
            return self.say(N_("No price: {reason}"), theme.DANGER, reason=reply["error"]["message"])
        self.options = reply["result"]["options"]
        for index, option in enumerate(self.options[:6]):
            text = f"{option['mail_class_name']}\n{money(option['price'], option['currency'], self.tr.language)}"
            button = KButton(style="secondary", ref=f"mail.option.{option['mail_class']}", text=text,
                             font_size=font("body"))
            button.bind(on_release=lambda _, i=index: self.pick(i))
            self.grid.add_widget(button)
        self.say(N_("Choose the mail class."))

    def pick(self, index: int) -> None:
        self.chosen = self.options[index]
        for button, option in zip(reversed(self.grid.children), self.options):
            chosen = option is self.chosen
            button.background = theme.PRIMARY if chosen else theme.SECONDARY
            button.color = theme.PRIMARY_TEXT if chosen else theme.TEXT
        self.confirm.disabled = False
        self.say(N_("{mail_class}, {weight}: {price}"), mail_class=self.chosen["mail_class_name"],
                 weight=self.chosen["rated_weight"],
                 price=money(self.chosen["price"], self.chosen["currency"], self.tr.language))

    def record(self) -> None:
        option = self.chosen
        if option is None:
            return
        self.confirm.disabled = True
        payload = {"weight": f"{option['weight_grams']}g", "mail_class": option["mail_class"],
                   "destination": option["destination"], "carrier": option["carrier"],
                   "staff": f"kiosk {self.app.cfg.kiosk.id}", "request_id": self.request_id}
        self.say(N_("Recording …"))
        on_ui_thread(self.app.link.command("mail_record", payload, timeout=10),
                     lambda reply: self._recorded(option, reply))

    def _recorded(self, option: dict, reply: dict) -> None:
        if not reply.get("ok"):
            self.confirm.disabled = False
            return self.say(N_("Not recorded: {reason}"), theme.DANGER, reason=reply["error"]["message"])
        slip = f"{option['carrier_name']} {option['mail_class_name']}, {option['weight_grams']} g, "
        slip += self.t(DESTINATIONS.get(option["destination"], option["destination"]))
        payload = {"items": [{"description": slip[:200], "unit_price": option["price"]}],
                   "payment_method": self.method, "language": self.tr.language, "wait": 10,
                   "request_id": f"postage-{self.request_id}"}
        self.request_id = uuid.uuid4().hex  # the next letter is a new record
        on_ui_thread(self.app.link.command("print_receipt", payload, timeout=15),
                     lambda printed: report_print(self, printed, N_("Recorded in the mail log; slip printed.")))

    def tare(self) -> None:
        on_ui_thread(self.app.link.command("scale_tare", {}, timeout=10),
                     lambda reply: self.say(N_("Scale set to zero.")) if reply.get("ok") else
                     self.say(N_("Tare failed: {reason}"), theme.DANGER, reason=reply["error"]["message"]))

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.status, "text", message, **params)
        self.status.color = colour

    def reset(self) -> None:
        self.grams, self.quoted_for, self.chosen, self.options = None, None, None, []
        self.request_id = uuid.uuid4().hex
        self.grid.clear_widgets()
        self.confirm.disabled = True
        self.choose_destination("domestic")
        self.choose_method("cash")
        self.say(N_("Put the letter on the scale."))
