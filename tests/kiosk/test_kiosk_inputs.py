"""What people type at the kiosk: amounts, host search, the keyboard's letters, policy texts, USB sticks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from frontdesk.contract.kiosk_config import HostEntry
from frontdesk.kiosk.i18n import Translator
from frontdesk.kiosk.inputs import matching_hosts, parse_amount, policy_text, usb_stick
from frontdesk.kiosk.widgets.keys import ACCENT_ROWS, LETTER_ROWS, capital


@pytest.mark.parametrize("typed, amount", [
    ("12,50", Decimal("12.50")), ("12.5", Decimal("12.50")), (" 7 ", Decimal("7.00")), ("0,01", Decimal("0.01")),
])
def test_amounts_as_staff_type_them(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize("typed", ["", "abc", "-5", "0", "0,00", "1e3", "NaN", "12,345", "1.2.3", "10000000"])
def test_anything_else_is_not_an_amount(typed):
    assert parse_amount(typed) is None


HOSTS = [HostEntry(name=name) for name in ("Ștefan Țăranu", "Jürgen Weiß", "Łucja Wąsowska", "Anna Stefańska")]


@pytest.mark.parametrize("typed, found", [
    ("stef", ["Ștefan Țăranu", "Anna Stefańska"]),  # first name first, then a surname's start
    ("ŢĂR", ["Ștefan Țăranu"]),  # cedilla letters from an old keyboard fold the same way
    ("weiß", ["Jürgen Weiß"]), ("lucja", ["Łucja Wąsowska"]),
    ("sow", ["Łucja Wąsowska"]),  # inside a name, after the names that start with it
    ("", []), ("   ", []),
])
def test_the_host_directory_is_searched_as_the_visitor_types(typed, found):
    assert [host.name for host in matching_hosts(HOSTS, typed)] == found


def test_the_keyboard_has_every_letter_of_the_five_languages():
    letters = set("".join(LETTER_ROWS + ACCENT_ROWS))
    needed = set("abcdefghijklmnopqrstuvwxyz" "ăâîșț" "äöüß" "éèêçà" "ąćęłńóśźż")
    assert needed <= letters
    assert {len(row) for row in LETTER_ROWS} == {len(row) for row in ACCENT_ROWS}  # pages of one shape
    assert capital("ß") == "ß" and capital("ș") == "Ș" and capital("ł") == "Ł"


def test_the_policy_is_the_offices_own_when_given_and_promises_the_configured_retention(tmp_path):
    (tmp_path / "de.txt").write_text("Hausordnung: Daten {days}.", encoding="utf-8")
    assert policy_text("de", tmp_path, "14 Tage") == "Hausordnung: Daten 14 Tage."
    french = policy_text("fr", tmp_path, "30 jours")  # no office text in French: the shipped one
    assert "ces données 30 jours" in french and "{days}" not in french


@pytest.mark.parametrize("language, days, words", [
    ("en", 1, "1 day"), ("en", 30, "30 days"), ("ro", 1, "1 zi"), ("ro", 7, "7 zile"), ("ro", 30, "30 de zile"),
    ("de", 30, "30 Tage"), ("fr", 1, "1 jour"), ("pl", 1, "1 dzień"), ("pl", 3, "3 dni"), ("pl", 30, "30 dni"),
])
def test_the_retention_is_said_with_the_right_plural(language, days, words):
    translator = Translator(language)
    assert translator.ngettext("{count} day", "{count} days", days) == words


def test_no_usb_stick_means_none(tmp_path):
    (tmp_path / "media" / "pi").mkdir(parents=True)  # a folder, not a mount point
    assert usb_stick([tmp_path / "media", tmp_path / "absent"]) is None
