"""Text from people is made safe; letters reach paper or fall back visibly."""

import pytest
from escpos.capabilities import get_profile

from frontdesk.devices.printer.text import Transliterator, sanitize


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Bob\x1dV\x00Smith", "BobVSmith"),  # GS V 0 would cut the paper
        ("Eve\x1bp\x00\x19\xfa", "Evep\x19".replace("\x19", "") + "\xfa"),  # ESC p kicks the drawer
        ("Ann\x10\x04\x01", "Ann"),
        ("Line\nbreak\tand  spaces", "Line break and spaces"),
        ("Zero\u200bwidth\u202eRLO", "ZerowidthRLO"),
        ("\x85\x9bC1 controls", "C1 controls"),
        ("Ștefan Țăranu", "Ștefan Țăranu"),
        ("S\u0326tefan", "Ștefan"),  # decomposed comma below is composed first
    ],
)
def test_sanitize_removes_every_control_and_format_character(raw, clean):
    assert sanitize(raw) == clean
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in sanitize(raw))


@pytest.fixture(scope="module")
def tm_t20():
    return Transliterator(get_profile("TM-T20II").get_code_pages())


def test_comma_below_folds_to_cedilla_when_no_code_page_has_it(tm_t20):
    assert tm_t20.fold("Ștefan Țăranu, ș ț") == "Ştefan Ţăranu, ş ţ"
    assert not tm_t20.unprintable("Ștefan Țăranu")


@pytest.mark.parametrize("name", ["Łucja Żółkiewska", "Jürgen Weiß", "Françoise Lefèvre", "cœur", "12 €"])
def test_other_office_languages_print_as_they_are(tm_t20, name):
    assert tm_t20.fold(name) == name
    assert not tm_t20.unprintable(name)


@pytest.fixture(scope="module")
def cp437_only():
    return Transliterator(get_profile("simple").get_code_pages())


def test_typography_folds_only_where_the_printer_lacks_it(tm_t20, cp437_only):
    assert tm_t20.fold("„Quote” – done…") == "„Quote” – done…"  # CP1252 has them
    assert cp437_only.fold("„Quote” – done…") == '"Quote" - done...'


def test_a_profile_without_the_letters_reports_them(cp437_only):
    assert cp437_only.unprintable("Łucja Żółkiewska") == {"Ł", "Ż", "ł"}
    assert cp437_only.unprintable("Ștefan") == {"Ș"}
    assert cp437_only.unprintable("Plain ASCII") == set()
