"""Staff: a payment receipt (items, amounts, payment method), numbered and printed by the agent."""

from __future__ import annotations

import uuid
from decimal import Decimal

from frontdesk.kiosk.i18n import N_, money
from frontdesk.kiosk.inputs import parse_amount
from frontdesk.kiosk.screens.base import KioskScreen, on_ui_thread
from frontdesk.kiosk.screens.staff import report_print
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import KButton, TextField, row
from frontdesk.kiosk.widgets.keyboard import TouchKeyboard, keyboard_height
from frontdesk.kiosk.widgets.theme import u

PAYMENT_METHODS = {"cash": N_("Cash"), "card": N_("Card"), "transfer": N_("Bank transfer")}
class ReceiptScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "receipt")
        self.items: list[dict] = []
        self.method = "cash"
        self.request_id = uuid.uuid4().hex
        root = self.page()
        root.add_widget(self.header(N_("Payment receipt"), back=lambda: self.go("staff")))
        self.description = TextField(ref="receipt.description", max_length=200, capitalize=True, size_hint_x=0.55)
        self.amount = TextField(ref="receipt.amount", max_length=12, size_hint_x=0.22)
        for field in (self.description, self.amount):
            field.on_activate = self.activate
        self.tr.bind(self.description, "hint_text", N_("Item"))
        self.tr.bind(self.amount, "hint_text", N_("Amount"))
        add = self.button(N_("Add"), self.add_item, ref="receipt.add", style="secondary", size_hint_x=0.23)
        root.add_widget(row(self.description, self.amount, add, height=u(50), padding=[u(10), 0]))
        self.summary = self.label("", ref="receipt.summary", kind="small", padding=[u(4), 0])
        undo = self.button(N_("Remove last"), self.remove_last, ref="receipt.remove", style="secondary",
                           size_hint_x=None, width=u(170), kind="small")
        root.add_widget(row(self.summary, undo, height=u(38), padding=[u(10), 0]))
        self.method_buttons: dict[str, KButton] = {}
        methods = row(height=u(50), padding=[u(10), 0])
        for method, message in PAYMENT_METHODS.items():
            button = self.button(message, lambda m=method: self.choose(m), ref=f"receipt.method.{method}",
                                 style="secondary", kind="small")
            self.method_buttons[method] = button
            methods.add_widget(button)
        self.print_button = self.button(N_("Print receipt"), self.print_receipt, ref="receipt.print",
                                        style="success", size_hint_x=1.3)
        methods.add_widget(self.print_button)
        root.add_widget(methods)
        self.keyboard = TouchKeyboard(on_enter=self.add_item, size_hint_y=None, height=keyboard_height() - u(20),
                                      padding=[u(6), 0])
        root.add_widget(self.keyboard)
        self.activate(self.description)
        self.reset()

    def activate(self, field: TextField) -> None:
        self.active_field = field
        self.keyboard.target = field
        for each in (self.description, self.amount):
            each.background_color = (1, 1, 0.9, 1) if each is field else theme.SURFACE

    def on_enter_key(self) -> None:
        self.add_item()

    def add_item(self) -> None:
        description = " ".join(self.description.text.split())
        amount = parse_amount(self.amount.text)
        if not description:
            self.activate(self.description)
            return self.say(N_("Type what the payment is for."), theme.DANGER)
        if amount is None:
            self.activate(self.amount)
            return self.say(N_("Type the amount, for example 12.50."), theme.DANGER)
        self.items.append({"description": description, "unit_price": str(amount)})
        self.description.text, self.amount.text = "", ""
        self.activate(self.description)
        self.show_items()

    def remove_last(self) -> None:
        if self.items:
            self.items.pop()
        self.show_items()

    def choose(self, method: str) -> None:
        self.method = method
        for name, button in self.method_buttons.items():
            button.background = theme.PRIMARY if name == method else theme.SECONDARY
            button.color = theme.PRIMARY_TEXT if name == method else theme.TEXT

    def show_items(self) -> None:
        total = sum((Decimal(item["unit_price"]) for item in self.items), Decimal(0))
        self.print_button.disabled = not self.items
        if not self.items:
            return self.say(N_("Add the items paid for, choose how, then print."))
        names = ", ".join(item["description"] for item in self.items)
        self.say(N_("Items: {count} · Total: {total} · {names}"), count=len(self.items),
                 total=money(total, self.app.cfg.office.currency, self.tr.language), names=names)

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.summary, "text", message, **params)
        self.summary.color = colour

    def print_receipt(self) -> None:
        if not self.items:
            return
        payload = {"items": self.items, "payment_method": self.method, "language": self.tr.language,
                   "wait": 10, "request_id": self.request_id}  # a second tap cannot print it twice
        self.print_button.disabled = True
        self.say(N_("Printing …"))
        on_ui_thread(self.app.link.command("print_receipt", payload, timeout=15), self._printed)

    def _printed(self, reply: dict) -> None:
        if reply.get("ok"):
            number = reply["result"].get("receipt_number", "")
            self.items, self.request_id = [], uuid.uuid4().hex
            report_print(self, reply, N_("Receipt {number} printed."), number=number)
        else:
            report_print(self, reply, "")
            self.print_button.disabled = False

    def reset(self) -> None:
        self.items, self.request_id = [], uuid.uuid4().hex
        self.description.text, self.amount.text = "", ""
        self.choose("cash")
        self.activate(self.description)
        self.keyboard.reset()
        self.show_items()
