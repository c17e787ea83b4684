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
    database = resources.files("escpos") / "capabilities.json"
    return frozenset(json.loads(database.read_text(encoding="utf-8"))["profiles"])
