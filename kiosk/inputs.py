"""What people type at the kiosk, checked, and what the screens look up for them.

Kept free of Kivy so it can be tested (and reused) without a window.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

from frontdesk.kiosk.names import fold

SHIPPED_POLICIES = Path(__file__).resolve().parent / "policy"
USB_MOUNT_ROOTS = (Path("/media"), Path("/run/media"))  # where Raspberry Pi OS mounts USB sticks
MAX_AMOUNT = Decimal(1000000)
_AMOUNT = re.compile(r"^\d{1,7}(?:[.,]\d{1,2})?$")


def parse_amount(text: str) -> Decimal | None:
    """'12,50', '12.5' or '12' as money; None for anything else (negative, zero, too big,
    more than two decimals, exponents, not a number)."""
    cleaned = text.strip().replace(" ", "")
    if not _AMOUNT.match(cleaned):
        return None
    amount = Decimal(cleaned.replace(",", ".")).quantize(Decimal("0.01"))
    return amount if 0 < amount < MAX_AMOUNT else None


def matching_hosts(hosts: list, typed: str) -> list:
    """Hosts whose name (or a word of it) starts with what was typed, then those containing it;
    case and diacritics do not matter ("stef" finds "Ștefan")."""
    typed = fold(typed)
    if not typed:
        return []
    folded = [(host, fold(host.name)) for host in hosts]
    starts = [host for host, name in folded if name.startswith(typed) or any(w.startswith(typed) for w in name.split())]
    return starts + [host for host, name in folded if host not in starts and typed in name]


def policy_text(language: str, policy_dir: Path | None, retention: str) -> str:
    """The office's own text when `[kiosk] policy_dir` has one for the language, else the shipped one.

    `{days}` in the text becomes `retention` ("30 days", "30 de zile": the configured
    retention in words), so the promise made to the visitor is the one the kiosk keeps.
    """
    for folder in ([Path(policy_dir)] if policy_dir else []) + [SHIPPED_POLICIES]:
        path = folder / f"{language}.txt"
        if path.is_file():
            break
    else:
        path = SHIPPED_POLICIES / "en.txt"
    return path.read_text(encoding="utf-8").strip().replace("{days}", retention)


def usb_stick(roots=USB_MOUNT_ROOTS) -> Path | None:
    """The first writable mounted USB stick (/media/<user>/<label> or /media/<label>), if any."""
    for root in roots:
        if not Path(root).is_dir():
            continue
        for candidate in sorted(Path(root).glob("*")) + sorted(Path(root).glob("*/*")):
            if candidate.is_dir() and os.path.ismount(candidate) and os.access(candidate, os.W_OK):
                return candidate
    return None
