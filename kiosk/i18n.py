"""The kiosk's languages: gettext catalogues compiled in memory, and labels that follow a switch.

The catalogues are the .po files under kiosk/locale/<lang>/LC_MESSAGES/kiosk.po, written by
people and extracted with Babel (docs/kiosk.md). They are compiled with Babel when the kiosk
starts, so no binary .mo file is kept next to them and they can never be out of date.

Screens never keep a translated string: they bind a widget property to a message id with
`Translator.bind`, and a language switch sets every bound property again.
"""

from __future__ import annotations

import gettext
import io
import weakref
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "ro", "de", "fr", "pl")
# Each language's own name, as a visitor looks for it on the welcome screen.
NATIVE_NAMES = {"en": "English", "ro": "Română", "de": "Deutsch", "fr": "Français", "pl": "Polski"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (tables of labels)."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The language's catalogue, compiled from its .po file in memory."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the kiosk speaks {', '.join(LANGUAGES)}")
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation yet
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


Param = Any  # a value, or a callable giving it when the text is (re)built


class Translator:
    """The language on screen now, and every widget property that shows a message."""

    def __init__(self, language: str) -> None:
        self.default = language
        self.language = language
        self._bound: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._listeners: list[Callable[[str], None]] = []

    def gettext(self, message: str) -> str:
        if not message:
            return ""  # gettext("") is the catalogue's header, never a text to show
        return translations(self.language).gettext(message)

    def text(self, message: str, **params: Param) -> str:
        """The message in the current language with its {placeholders} filled in."""
        values = {key: value() if callable(value) else value for key, value in params.items()}
        return self.gettext(message).format(**values) if values else self.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int, **params: Param) -> str:
        """A message that depends on a number ("1 day", "30 days", Romanian "30 de zile")."""
        return translations(self.language).ngettext(singular, plural, count).format(count=count, **params)

    def bind(self, widget, prop: str, message: str, **params: Param) -> None:
        """Show `message` in `widget.<prop>` now and after every language switch."""
        self._bound.setdefault(widget, {})[prop] = (message, params)
        setattr(widget, prop, self.text(message, **params))

    def unbind(self, widget, prop: str = "text") -> None:
        self._bound.get(widget, {}).pop(prop, None)

    def on_switch(self, callback: Callable[[str], None]) -> None:
        """For texts that are not one message (lists built from data): rebuilt on a switch."""
        self._listeners.append(callback)

    def switch(self, language: str) -> None:
        translations(language)  # an unknown language fails here, before anything changes
        self.language = language
        for widget, props in list(self._bound.items()):
            for prop, (message, params) in props.items():
                setattr(widget, prop, self.text(message, **params))
        for callback in self._listeners:
            callback(language)


def money(amount, currency: str, language: str) -> str:
    """An amount as people of that language write it: "1,80 €", "€1.80", "1,80 zł"."""
    from decimal import Decimal

    from babel.numbers import format_currency

    return format_currency(Decimal(str(amount)), currency, locale=language)


def grams(value, language: str) -> str:
    """A weight as people of that language write it: "85.00 g", "85,00 g"."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    return f"{format_decimal(Decimal(str(value)), format='#,##0.00', locale=language)} g"
