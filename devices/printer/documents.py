"""Receipts and visitor badges as documents, laid out in the office's language.

A document knows its content; `blocks()` turns it into printer-independent
blocks. The paper width is applied later by `Composer`, so the same document
prints right on 58 mm and 80 mm paper.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal, format_percent
from PIL import Image

from frontdesk.contract.config import OfficeConfig
from frontdesk.devices.printer.blocks import Block, Columns, Cut, Feed, Picture, QrCode, Rule, Text
from frontdesk.devices.printer.blocks import Barcode as BarcodeBlock
from frontdesk.devices.printer.text import is_blank

CENT = Decimal("0.01")


@cache
def labels(language: str) -> dict[str, str]:
    table = tomllib.loads(resources.files("frontdesk.devices.printer").joinpath("labels.toml").read_text("utf-8"))
    if language not in table:
        raise ValueError(f"no printed labels for language {language!r}; have {', '.join(table)}")
    return table[language]


@dataclass(frozen=True)
class ReceiptItem:
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if is_blank(self.description):
            raise ValueError("a receipt item needs a description")

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Receipt:
    number: str
    items: tuple[ReceiptItem, ...]
    payment_method: str
    issued_at: datetime
    language: str | None = None
    qr_payload: str | None = None
    barcode: bool = False
    logo: Image.Image | None = field(default=None, compare=False)
    reprint: bool = False  # printed again after a voided attempt: says so on the paper

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a receipt needs at least one item")
        if is_blank(self.payment_method):
            raise ValueError("a receipt needs the payment method")
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must carry a time zone")

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))

    def tax(self, rate: Decimal) -> Decimal:
        """The VAT contained in the total (prices include VAT)."""
        return (self.total - self.total / (1 + rate)).quantize(CENT, ROUND_HALF_UP)

    def blocks(self, office: OfficeConfig) -> list[Block]:
        lang = self.language or office.language
        words = labels(lang)

        def money(amount: Decimal) -> str:
            return format_currency(amount, office.currency, locale=lang)

        blocks: list[Block] = [*_letterhead(office, self.logo, words), *_reprint_mark(self.reprint, words), Rule()]
        blocks += [
            Columns(words["receipt_number"], self.number, bold=True),
            Columns(words["date"], _when(self.issued_at, office, lang)),
            Rule(),
        ]
        for item in self.items:
            if item.quantity == 1:
                blocks.append(Columns(item.description, money(item.amount)))
            else:
                blocks.append(Text(item.description))
                count = format_decimal(item.quantity, locale=lang)
                blocks.append(Columns(f"  {count} x {money(item.unit_price)}", money(item.amount)))
        blocks += [Rule(), Columns(words["total"], money(self.total), bold=True, height=2)]
        if office.tax_rate:
            rate = format_percent(office.tax_rate, locale=lang)
            blocks.append(Columns(words["tax"].format(rate=rate), money(self.tax(office.tax_rate))))
        method = words.get(self.payment_method, self.payment_method)
        blocks += [Columns(words["paid_by"], method), Rule()]
        if office.receipt_footer:
            blocks.append(Text(office.receipt_footer, align="center"))
        if self.qr_payload:
            blocks.append(QrCode(self.qr_payload))
        if self.barcode:
            blocks.append(BarcodeBlock(self.number))
        return blocks + [Cut()]  # python-escpos feeds the paper past the cutter first


@dataclass(frozen=True)
class Badge:
    number: str
    visitor_name: str
    signed_in_at: datetime
    company: str | None = None
    host: str | None = None
    language: str | None = None
    # What the kiosk's scanner reads back to sign the visitor out.
    signout_code: str | None = None
    reprint: bool = False

    def __post_init__(self) -> None:
        if is_blank(self.visitor_name):
            raise ValueError("a badge needs the visitor's name")
        if is_blank(self.number):
            raise ValueError("a badge needs its number")
        if self.signed_in_at.tzinfo is None:
            raise ValueError("signed_in_at must carry a time zone")

    def blocks(self, office: OfficeConfig) -> list[Block]:
        lang = self.language or office.language
        words = labels(lang)
        blocks: list[Block] = [
            Text(office.name, align="center", bold=True),
            Text(words["visitor"], align="center", bold=True, width=2, height=2),
            *_reprint_mark(self.reprint, words),
            Rule("="),
            Feed(1),
            Text(self.visitor_name, align="center", bold=True, width=2, height=3),
        ]
        if self.company:
            blocks.append(Text(self.company, align="center", width=1, height=2))
        blocks += [Feed(1), Rule()]
        if self.host:
            blocks.append(Columns(words["host"], self.host))
        # A blank code would print no QR at all; the kiosk signs out by badge number too.
        scanned = self.signout_code if self.signout_code and not is_blank(self.signout_code) else self.number
        blocks += [
            Columns(words["signed_in"], _when(self.signed_in_at, office, lang)),
            Columns(words["badge"], self.number, bold=True),
            Rule(),
            QrCode(scanned, module_size=6),
            Text(words["scan_to_sign_out"], align="center"),
            Cut(),  # python-escpos feeds the paper past the cutter first
        ]
        return blocks


@dataclass(frozen=True)
class Listing:
    """A plain list on paper, such as the evacuation list: a title, the time, one line each."""

    title: str
    lines: tuple[str, ...]
    printed_at: datetime
    footer: str | None = None
    language: str | None = None
    reprint: bool = False

    def __post_init__(self) -> None:
        if is_blank(self.title):
            raise ValueError("a list needs a title")
        if self.printed_at.tzinfo is None:
            raise ValueError("printed_at must carry a time zone")

    def blocks(self, office: OfficeConfig) -> list[Block]:
        lang = self.language or office.language
        words = labels(lang)
        blocks: list[Block] = [
            Text(office.name, align="center", bold=True),
            Text(self.title, align="center", bold=True, width=2, height=2),
            Columns(words["date"], _when(self.printed_at, office, lang)),
            *_reprint_mark(self.reprint, words),
            Rule("="),
        ]
        blocks += [Text(line) for line in self.lines]
        blocks.append(Rule("="))
        if self.footer:
            blocks.append(Text(self.footer, align="center", bold=True))
        return blocks + [Cut()]


def _letterhead(office: OfficeConfig, logo: Image.Image | None, words: dict[str, str]) -> list[Block]:
    blocks: list[Block] = [Picture(logo)] if logo is not None else []
    blocks.append(Text(office.name, align="center", bold=True, width=2, height=2))
    blocks += [Text(line, align="center") for line in office.address]
    if office.phone:
        blocks.append(Text(office.phone, align="center"))
    if office.tax_id:
        blocks.append(Text(f"{words['tax_id']}: {office.tax_id}", align="center"))
    return blocks


def _reprint_mark(reprint: bool, words: dict[str, str]) -> list[Block]:
    return [Text(words["reprint"], align="center", bold=True)] if reprint else []


def _when(moment: datetime, office: OfficeConfig, lang: str) -> str:
    return format_datetime(moment, "short", tzinfo=ZoneInfo(office.timezone), locale=lang)


def interrupted_notice(office: OfficeConfig, language: str | None = None) -> list[Block]:
    """Ends and voids what an interrupted attempt left on the paper, before it is printed again."""
    words = labels(language or office.language)
    return [Feed(1), Rule("*"), Text(words["interrupted"], align="center", bold=True), Rule("*"), Cut()]
