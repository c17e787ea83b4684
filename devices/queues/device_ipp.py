"""Asking an IPP printer itself, where CUPS does not keep what we need.

CUPS learns an IPP printer's supplies and conditions only while one of its jobs
runs, so an idle copier whose toner ran low looks fine through CUPS. The queue
then asks the device behind it (its `device-uri`) with pyipp, the IPP client
Home Assistant's ipp integration uses, bounded by a timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from devices.queues.state import StateReason, Supply

_ASKED = ["printer-state-reasons", "printer-state-message", "printer-supply", "printer-supply-description",
          "marker-names", "marker-levels", "marker-low-levels", "marker-types", "marker-colors"]


@dataclass(frozen=True)
class DeviceReport:
    reasons: tuple[StateReason, ...]
    message: str
    supplies: tuple[Supply, ...]


class DeviceUnreachable(Exception):
    pass


def asks_device(device_uri: str | None) -> bool:
    return bool(device_uri) and device_uri.split(":", 1)[0] in ("ipp", "ipps")


def ask_device(device_uri: str, timeout: float) -> DeviceReport:
    try:
        attributes = asyncio.run(asyncio.wait_for(_get_attributes(device_uri, timeout), timeout))
    except Exception as error:  # noqa: BLE001 - aiohttp, pyipp and asyncio all raise their own
        raise DeviceUnreachable(f"the printer at {device_uri} does not answer ({type(error).__name__}: {error})") from None
    reasons = attributes.get("printer-state-reasons", [])
    reasons = [reasons] if isinstance(reasons, str) else reasons
    return DeviceReport(
        reasons=tuple(StateReason.parse(r) for r in reasons if r != "none"),
        message=attributes.get("printer-state-message", ""),
        supplies=_supplies(attributes),
    )


async def _get_attributes(device_uri: str, timeout: float) -> dict:
    from pyipp import IPP
    from pyipp.enums import IppOperation

    async with IPP(device_uri, request_timeout=timeout) as ipp:
        answer = await ipp.execute(
            IppOperation.GET_PRINTER_ATTRIBUTES,
            {"operation-attributes-tag": {"requested-attributes": _ASKED}},
        )
    return answer["printers"][0] if answer.get("printers") else {}


def _supplies(attributes: dict) -> tuple[Supply, ...]:
    """From `printer-supply` (PWG 5100.13 key=value; lists), with their descriptions as names."""
    entries = attributes.get("printer-supply", [])
    entries = [entries] if isinstance(entries, (str, bytes)) else entries
    names = attributes.get("printer-supply-description", [])
    names = [names] if isinstance(names, str) else names
    supplies = []
    for index, entry in enumerate(entries):
        text = entry.decode("utf-8", "replace") if isinstance(entry, bytes) else str(entry)
        fields = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
        level, capacity = _number(fields.get("level")), _number(fields.get("maxcapacity")) or 100
        supplies.append(Supply(
            name=names[index] if index < len(names) else fields.get("type", f"supply {index + 1}"),
            level=None if level is None or level < 0 else round(level * 100 / capacity),
            low_level=None,
            kind=fields.get("type", "supply"),
            color=fields.get("colorantname") if fields.get("colorantname") not in (None, "unknown") else None,
        ))
    return tuple(supplies)


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
