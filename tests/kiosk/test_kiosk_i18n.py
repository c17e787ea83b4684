"""The kiosk's catalogues: every string the UI code marks is translated in all five languages."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from frontdesk.kiosk.i18n import LANGUAGES, Translator, catalogue_path, translations

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"


def extracted_messages() -> set[str]:
    """What `pybabel extract -F kiosk/babel.cfg` finds in the kiosk's code, now (the singular
    msgid of a plural message)."""
    with (KIOSK / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(KIOSK), method_map, options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def messages() -> set[str]:
    found = extracted_messages()
    assert len(found) > 100  # the extraction itself works (all screens are read)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kiosk_string_is_translated_with_the_same_placeholders(messages, language):
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    problems = []
    for message_id in sorted(messages):
        entry = catalog.get(message_id)
        forms = entry.string if entry is not None and entry.pluralizable else (entry.string,) if entry else ()
        if entry is None or not all(forms) or len(forms) != (catalog.num_plurals if entry.pluralizable else 1):
            problems.append(f"untranslated: {message_id!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif any(placeholders(form) != placeholders(message_id) for form in forms):
            problems.append(f"placeholders differ: {message_id!r} -> {forms!r}")
    assert not problems, f"{language}: " + "; ".join(problems)


def test_romanian_uses_comma_below_not_cedilla():
    for path in [catalogue_path("ro"), KIOSK / "policy" / "ro.txt"]:
        text = path.read_text(encoding="utf-8")
        assert not set(text) & set("şţŞŢ"), f"{path}: cedilla ş/ţ instead of comma-below ș/ț"
        assert "ș" in text and "ț" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_a_visitor_policy_with_the_retention_placeholder(language):
    text = (KIOSK / "policy" / f"{language}.txt").read_text(encoding="utf-8")
    assert "{days}" in text and len(text) > 400


def test_catalogues_compile_in_memory_and_translate():
    assert translations("de").gettext("Sign in") == "Anmelden"
    assert translations("pl").gettext("Who are you visiting?") == "Kogo odwiedzasz?"
    assert not list((KIOSK / "locale").rglob("*.mo"))  # compiled at start-up, never kept


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown language 'es'"):
        translations("es")
    translator = Translator("en")
    with pytest.raises(ValueError):
        translator.switch("xx")
    assert translator.language == "en"


class Widget:
    text = ""


def test_a_language_switch_rewrites_every_bound_text():
    translator = Translator("en")
    title, greeting = Widget(), Widget()
    translator.bind(title, "text", "Sign in")
    translator.bind(greeting, "text", "Welcome, {name}!", name="Ana")
    translator.switch("ro")
    assert (title.text, greeting.text) == ("Intrare", "Bun venit, Ana!")
    translator.switch("fr")
    assert (title.text, greeting.text) == ("Arrivée", "Bienvenue, Ana !")
    translator.unbind(title)
    translator.switch("en")
    assert (title.text, greeting.text) == ("Arrivée", "Welcome, Ana!")


def test_every_character_the_kiosk_shows_has_a_glyph_in_its_font():
    """No tofu boxes: each character of the catalogues, the policies and the keyboard exists in
    Roboto (Kivy's font). A missing one draws like the font's 'missing' glyph, U+FFFF."""
    import kivy
    from PIL import ImageFont

    from frontdesk.kiosk.i18n import NATIVE_NAMES
    from frontdesk.kiosk.widgets.keys import ACCENT_ROWS, DIGITS, LETTER_ROWS, capital

    font = ImageFont.truetype(str(Path(kivy.__file__).parent / "data" / "fonts" / "Roboto-Regular.ttf"), 40)
    missing_glyph = font.getmask("\uffff").getbbox(), bytes(font.getmask("\uffff"))
    shown = set("".join(NATIVE_NAMES.values()) + DIGITS + "".join(LETTER_ROWS + ACCENT_ROWS) + "ăéß")
    shown |= {capital(key) for key in "".join(LETTER_ROWS + ACCENT_ROWS)}
    for language in LANGUAGES:
        with catalogue_path(language).open("rb") as po:
            for entry in read_po(po, locale=language):
                forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
                shown |= set("".join(forms)) if entry.id else set()
        shown |= set((KIOSK / "policy" / f"{language}.txt").read_text(encoding="utf-8"))
    tofu = sorted(char for char in shown - set(" \n")
                  if (font.getmask(char).getbbox(), bytes(font.getmask(char))) == missing_glyph)
    assert not tofu, f"characters Roboto cannot draw: {tofu}"
    assert (font.getmask("→").getbbox(), bytes(font.getmask("→"))) == missing_glyph  # the check can fail
