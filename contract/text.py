"""The rules for text a person sends to be printed, shared by every process that sends it.

`refused_characters` and `is_blank` are what a print request is checked against where
it enters (contract/commands.py, so a client can check before it sends) and what a
document checks again when it is made (devices/printer/documents.py): one definition,
so an accepted job prints. `sanitize` removes every control and format character, so a
visitor named "Bob\\x1dV\\x00" cannot cut paper, kick the drawer or change settings.
"""

from __future__ import annotations

import unicodedata

_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


# Whitespace a field may carry (typed or pasted); `sanitize` turns it into single spaces.
_WHITESPACE = "\t\r\n"


def refused_characters(text: str) -> list[str]:
    """Characters a request may not carry, in order of first appearance.

    C0/C1 controls (ESC, GS, DLE, CSI, ...) other than tab and line breaks are what a
    printer obeys as commands. `sanitize` would drop them, but a name that carries them
    is a sender's bug or an attack, so it is refused with a reason rather than printed
    silently changed. Lone surrogates (from JSON escapes) are no characters at all.
    Format, private-use and unassigned characters are harmless and just not printed.
    """
    found: dict[str, None] = {}
    for char in text:
        if char not in _WHITESPACE and unicodedata.category(char) in ("Cc", "Cs"):
            found[char] = None
    return list(found)


def is_blank(text: str) -> bool:
    """Whether nothing of the text would reach paper: empty, spaces, or only invisible characters."""
    return not sanitize(text)


def sanitize(text: str) -> str:
    """One printable line: control/format characters gone, whitespace runs single."""
    cleaned = []
    for char in unicodedata.normalize("NFC", str(text)):
        if char in "\t\r\n\v\f":
            cleaned.append(" ")
        elif unicodedata.category(char) not in _UNSAFE_CATEGORIES:
            cleaned.append(char)
    return " ".join("".join(cleaned).split())
