"""Load the carriers' rate tables and pick the one in force on a date.

The shipped tables live in the package's `rates/` folder, one file per carrier
and effective date; they are read on first use, never at import.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from frontdesk.agent.postage.errors import NoTableInForce, RateTableError, UnknownCarrier
from frontdesk.agent.postage.schema import RateTable

__all__ = ["RateTable", "load_rate_file", "load_rate_tables", "table_for"]

RATE_FILE_NAME = re.compile(r"^(?P<carrier>[a-z][a-z0-9_]*)-(?P<effective>\d{4}-\d{2}-\d{2})\.toml$")

Tables = Mapping[str, list[RateTable]]


def load_rate_tables(folder: Path | Traversable | None = None) -> dict[str, list[RateTable]]:
    """Carrier id -> its tables, oldest effective date first."""
    if folder is None:
        return {carrier: list(tables) for carrier, tables in _shipped_tables().items()}
    return _load_folder(folder)


def table_for(carrier: str, on: date, *, tables: Tables | None = None) -> RateTable:
    """The carrier's table in force on `on`: the latest one that took effect by then."""
    tables = load_rate_tables() if tables is None else tables
    candidates = tables.get(carrier)
    if not candidates:
        known = ", ".join(sorted(tables)) or "none"
        raise UnknownCarrier(f"There is no rate table for carrier {carrier!r}; known carriers: {known}.")
    in_force = [table for table in candidates if table.effective_date <= on]
    if not in_force:
        earliest = candidates[0]
        raise NoTableInForce(
            f"{earliest.carrier_name}'s earliest rate table takes effect on "
            f"{earliest.effective_date.isoformat()}, so there is no price for {on.isoformat()}."
        )
    return in_force[-1]


def load_rate_file(entry: Path | Traversable) -> RateTable:
    name = str(entry)
    match = RATE_FILE_NAME.match(entry.name)
    if not match:
        raise RateTableError(
            f"{name}: the file name must look like <carrier>-<YYYY-MM-DD>.toml, e.g. usps-2026-07-12.toml"
        )
    try:
        # Decimal for every TOML float, so prices and weights are exactly what the file says.
        data = tomllib.loads(entry.read_text(encoding="utf-8"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise RateTableError(f"{name}: not valid TOML: {error}") from None
    try:
        table = RateTable.model_validate(data)
    except ValidationError as error:
        raise RateTableError("\n".join(f"{name}: {line}" for line in _describe(error))) from None
    _check_name_matches(name, match, table)
    return table


@cache
def _shipped_tables() -> dict[str, list[RateTable]]:
    return _load_folder(files("frontdesk.agent.postage.rates"))


def _load_folder(folder: Path | Traversable) -> dict[str, list[RateTable]]:
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".toml")), key=lambda e: e.name)
    if not entries:
        raise RateTableError(f"{folder}: no rate tables (<carrier>-<YYYY-MM-DD>.toml files) in this folder")
    tables: dict[str, list[RateTable]] = {}
    for entry in entries:
        table = load_rate_file(entry)
        tables.setdefault(table.carrier, []).append(table)
    for carrier_tables in tables.values():
        carrier_tables.sort(key=lambda table: table.effective_date)
    return tables


def _check_name_matches(name: str, match: re.Match[str], table: RateTable) -> None:
    if table.carrier != match["carrier"]:
        raise RateTableError(f"{name}: carrier: the file says {table.carrier!r} but its name says {match['carrier']!r}")
    if table.effective_date.isoformat() != match["effective"]:
        raise RateTableError(
            f"{name}: effective_date: the file says {table.effective_date.isoformat()} "
            f"but its name says {match['effective']}"
        )


def _describe(error: ValidationError) -> list[str]:
    return [f"{_key_path(entry['loc'])}: {_problem(entry)}" for entry in error.errors(include_url=False)]


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _problem(entry: Mapping[str, Any]) -> str:
    if entry["type"] == "missing":
        return "required, but missing"
    if entry["type"] == "extra_forbidden":
        return "unknown key"
    message = entry["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:]
    given = entry.get("input")
    if isinstance(given, (str, int, Decimal)) and entry["type"] != "value_error":
        message += f" (got {given!r})" if isinstance(given, str) else f" (got {given})"
    return message
