"""Names of the printer profiles in python-escpos' capability database.

Read from the database file itself rather than through `escpos.capabilities`,
which writes a pickle cache to a new temporary directory on import: validating a
config file must not do that.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def known_profiles() -> frozenset[str]:
    return frozenset(_profiles())


def profile_maker(profile: str) -> tuple[str | None, str | None]:
    """(vendor, model) of a profile, for people ("Epson", "TM-T20II"); None for the generic ones."""
    entry = _profiles().get(profile) or {}
    vendor, model = entry.get("vendor"), entry.get("name")
    if vendor in (None, "Generic"):
        return None, None
    return vendor, model


@cache
def _profiles() -> dict:
    database = resources.files("escpos") / "capabilities.json"
    return json.loads(database.read_text(encoding="utf-8"))["profiles"]
