"""A queue's supplies: one entry per physical supply, whichever source answered.

Two sources describe the same cartridges in different words. CUPS keeps
`marker-names`/`marker-types`/`marker-colors` ("Black Toner", `toner`,
`#000000`) from the last job; the device itself answers `printer-supply`
(PWG 5100.13: `type=toner;colorantname=black;level=..`) with
`printer-supply-description` ("Black Ink" on some). A supply is identified by
its role (waste or consumable), colour and order among its like, so both
sources merge into one list: the device's live level, CUPS' thresholds, and a
name that stays the same from read to read (CUPS' once it has one: it keeps it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from frontdesk.devices.queues.state import Supply

# CUPS writes colours as sRGB; the device and the staff say them in words.
_COLOUR_NAMES = {
    "#000000": "black", "#00FFFF": "cyan", "#FF00FF": "magenta", "#FFFF00": "yellow", "#FFFFFF": "white",
    "#808080": "gray", "#E0FFFF": "light-cyan", "#FF77FF": "light-magenta", "#FF0000": "red", "#00FF00": "green",
    "#0000FF": "blue",
}
_NO_COLOUR = {"", "none", "unknown", "no-color"}

SupplyKey = tuple[str, str | None, int]  # (waste or supply, colour, order among the same two)


def colour_name(value: str | None) -> str | None:
    if value is None or value.strip().lower() in _NO_COLOUR:
        return None
    text = value.strip()
    return _COLOUR_NAMES.get(text.upper(), text.lower())


def pwg_kind(value: str | None) -> str:
    """A supply type in PWG 5100.13's form: CUPS' `waste-toner` is the device's `wasteToner`."""
    if not value:
        return "supply"
    first, *rest = value.strip().split("-")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def from_cups(attributes: dict) -> tuple[Supply, ...]:
    """From CUPS' marker-* attributes (as of the queue's last job)."""
    names = _as_list(attributes.get("marker-names"))
    columns = [_as_list(attributes.get(key)) for key in ("marker-levels", "marker-low-levels", "marker-high-levels",
                                                         "marker-types", "marker-colors")]
    supplies = []
    for index, name in enumerate(names):
        level, low, high, kind, colour = (column[index] if index < len(column) else None for column in columns)
        supplies.append(Supply(name=name, level=_percent(level), low_level=_percent(low), kind=pwg_kind(kind),
                               color=colour_name(colour), high_level=_percent(high)))
    return tuple(supplies)


def from_device(entries: Iterable[str], descriptions: list[str]) -> tuple[Supply, ...]:
    """From the device's `printer-supply` values (already decoded) and their descriptions."""
    supplies = []
    for index, entry in enumerate(entries):
        fields = dict(part.split("=", 1) for part in entry.split(";") if "=" in part)
        level, capacity = _integer(fields.get("level")), _integer(fields.get("maxcapacity")) or 100
        kind = pwg_kind(fields.get("type"))
        if fields.get("class") == "receptacleThatIsFilled" and not kind.startswith("waste"):
            kind = "waste" + kind[:1].upper() + kind[1:]
        supplies.append(Supply(
            name=descriptions[index] if index < len(descriptions) else f"{kind} {index + 1}",
            level=None if level is None or level < 0 else round(level * 100 / capacity),
            low_level=_percent(_integer(fields.get("lowlevel"))), kind=kind, color=colour_name(fields.get("colorantname")),
        ))
    return tuple(supplies)


def merged(device: tuple[Supply, ...], cups: tuple[Supply, ...]) -> tuple[Supply, ...]:
    """One list in the device's order (CUPS' if the device said nothing), each supply once."""
    known = dict(zip(keys(cups), cups))
    if not device:
        return cups
    result = []
    for key, live in zip(keys(device), device):
        kept = known.get(key)
        if kept is None:
            result.append(live)
            continue
        result.append(Supply(
            name=kept.name, level=live.level if live.level is not None else kept.level,
            low_level=kept.low_level if kept.low_level is not None else live.low_level,
            kind=live.kind, color=live.color or kept.color,
            high_level=kept.high_level if kept.high_level is not None else live.high_level,
        ))
    return tuple(result)


def keys(supplies: tuple[Supply, ...]) -> list[SupplyKey]:
    """Each supply's identity: its role, colour, and place among supplies of both."""
    seen: Counter = Counter()
    found = []
    for supply in supplies:
        role = "waste" if supply.waste else "supply"
        seen[role, supply.color] += 1
        found.append((role, supply.color, seen[role, supply.color]))
    return found


def supply_ids(supplies: tuple[Supply, ...]) -> list[str]:
    """A stable id per supply from its identity (`black`, `cyan`, `waste`, `supply_2`): the same
    whichever source answered, whatever name or kind ("ink", "toner") the source gave it."""
    ids = []
    for role, colour, order in keys(supplies):
        base = "waste" if role == "waste" else (colour or "supply").replace("-", "_").replace(" ", "_")
        ids.append(base if order == 1 else f"{base}_{order}")
    return ids


def _percent(value) -> int | None:
    """IPP says -1 (other), -2 (unknown) and -3 (some left) where it has no number."""
    return value if isinstance(value, int) and value >= 0 else None


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


__all__ = ["colour_name", "from_cups", "from_device", "keys", "merged", "pwg_kind", "supply_ids"]
