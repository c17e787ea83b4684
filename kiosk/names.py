"""Matching what visitors type against what was stored, and the codes they type back.

Visitors on a touch keyboard (or a scanner set to the wrong layout) often leave out
diacritics, so "stefan" must find "Ștefan" and "lucja" must find "Łucja".
"""

from __future__ import annotations

import re
import secrets
import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})

# Codes people read off a badge or an e-mail: no 0/O, 1/I/L, so a misread does not matter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SIGNOUT_CODE_LENGTH = 10  # 31**10: about 2**50, not guessable at a kiosk
INVITATION_CODE_LENGTH = 8
_NOT_CODE = re.compile(r"[\s\-_.]+")


def fold(text: str) -> str:
    """Case- and diacritic-free form: fold("Ștefan ŢĂRANU") == "stefan taranu"."""
    # NFKD before casefold too: compatibility forms (𝗔, ﬁ) only reveal their case once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.translate(_UNDECOMPOSABLE).split())


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    """What a code was meant to be: case, spaces and dashes ignored (a scanner may add a newline)."""
    return _NOT_CODE.sub("", typed).upper()
