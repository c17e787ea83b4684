"""Asking an IPP printer itself, where CUPS does not keep what we need.

CUPS learns an IPP printer's supplies and conditions only while one of its jobs
runs, so an idle copier whose toner ran low looks fine through CUPS. The queue
then asks the device behind it (its `device-uri`) with Get-Printer-Attributes,
through CUPS' own IPP client `ipptool` (package cups-ipp-utils), bounded by a
timeout. (pycups cannot decode `printer-supply`; an IPP library in the agent's
process would cost it ~20 MB of resident memory for a request made now and then.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from frontdesk.devices.queues import supplies
from frontdesk.devices.queues.state import StateReason, Supply

_ASKED = ["printer-state", "printer-state-reasons", "printer-state-message", "printer-supply",
          "printer-supply-description", "marker-names", "marker-levels", "marker-low-levels", "marker-high-levels",
          "marker-types", "marker-colors"]
# printer-state as ipptool -j writes it (an enum shown by name).
_DEVICE_STATES = {"idle": "idle", "processing": "processing", "stopped": "stopped", 3: "idle", 4: "processing",
                  5: "stopped"}

_REQUEST = """{
  OPERATION Get-Printer-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR keyword requested-attributes %s
}
""" % ",".join(_ASKED)


@dataclass(frozen=True)
class DeviceReport:
    state: str | None  # idle, processing, stopped as the device itself says
    reasons: tuple[StateReason, ...]
    message: str
    supplies: tuple[Supply, ...]


class DeviceUnreachable(Exception):
    pass


def asks_device(device_uri: str | None) -> bool:
    return device_uri is not None and device_uri.split(":", 1)[0] in ("ipp", "ipps")


def ask_device(device_uri: str, timeout: float) -> DeviceReport:
    attributes = _get_attributes(device_uri, timeout)
    reasons = attributes.get("printer-state-reasons", [])
    reasons = [reasons] if isinstance(reasons, str) else reasons
    return DeviceReport(
        state=_DEVICE_STATES.get(attributes.get("printer-state")),
        reasons=tuple(StateReason.parse(r) for r in reasons if r != "none"),
        message=attributes.get("printer-state-message", ""),
        supplies=_supplies(attributes),
    )


def _get_attributes(device_uri: str, timeout: float) -> dict:
    program = shutil.which("ipptool") or "/usr/bin/ipptool"
    if not Path(program).exists():
        raise DeviceUnreachable("cannot ask the printer itself: ipptool is missing (apt install cups-ipp-utils)")
    with tempfile.NamedTemporaryFile("w", suffix=".test", prefix="frontdesk-ipp-") as request:
        request.write(_REQUEST)
        request.flush()
        try:
            done = subprocess.run([program, "-j", "-T", f"{timeout:g}", device_uri, request.name],
                                  capture_output=True, text=True, timeout=timeout + 5)
        except subprocess.TimeoutExpired:
            raise DeviceUnreachable(f"the printer at {device_uri} does not answer within {timeout:g} s") from None
    try:
        groups = json.loads(done.stdout) if done.stdout.strip() else []
    except ValueError:
        groups = []
    printer = next((g for g in groups if g.get("group-tag") == "printer-attributes-tag"), None)
    if printer is None:
        problem = (done.stderr or done.stdout).strip().splitlines()
        raise DeviceUnreachable(f"the printer at {device_uri} does not answer ({problem[-1] if problem else 'no reply'})")
    return printer


def _supplies(attributes: dict) -> tuple[Supply, ...]:
    """From `printer-supply` (PWG 5100.13), else the marker-* attributes some devices have instead."""
    entries = attributes.get("printer-supply", [])
    entries = [entries] if isinstance(entries, (str, bytes)) else entries
    names = attributes.get("printer-supply-description", [])
    names = [names] if isinstance(names, str) else names
    return supplies.from_device([_octets(entry) for entry in entries], names) or supplies.from_cups(attributes)


def _octets(entry: str) -> str:
    """ipptool shows an octetString such as `printer-supply` in hexadecimal."""
    try:
        return bytes.fromhex(entry).decode("utf-8", "replace")
    except ValueError:
        return entry
