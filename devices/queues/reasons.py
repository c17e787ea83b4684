"""Reading `printer-state-reasons` keywords, including those CUPS cut short.

A keyword carries its severity as a suffix (RFC 8011): `-error`, `-warning`,
`-report`; one without a suffix is an error. CUPS keeps at most 31 characters of
a keyword, so `marker-waste-almost-full-warning` reaches us as
`marker-waste-almost-full-warnin`. Such a keyword is completed against the IPP
registry's list (printer_state_reasons.txt, next to this module); where the cut
took the severity away, it cannot be told, and the reason counts as a warning:
an error would turn the copier red for what is most often a consumable to order.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning", "report"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "report")
# CUPS' limit on a keyword's length: anything this long may have lost its end.
CUPS_KEYWORD_LENGTH = 31
# A person stopped the queue on purpose: worth a warning, not an alarm.
DELIBERATE = frozenset({"paused", "moving-to-paused"})
REGISTRY_FILE = Path(__file__).with_name("printer_state_reasons.txt")


@cache
def registered_keywords() -> frozenset[str]:
    lines = REGISTRY_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def split_reason(raw: str) -> tuple[str, Severity]:
    """(keyword without suffix, severity) of one `printer-state-reasons` value."""
    for severity in SEVERITIES:
        if raw.endswith(f"-{severity}"):
            return raw[: -len(severity) - 1], severity
    if len(raw) >= CUPS_KEYWORD_LENGTH:
        return _complete(raw)
    return raw, "warning" if raw in DELIBERATE else "error"


def _complete(cut: str) -> tuple[str, Severity]:
    """A keyword CUPS may have cut: its registered keyword and severity where they can be told."""
    if cut in registered_keywords():
        return cut, "warning"  # whole keyword, but its suffix is gone
    matches = {(keyword, severity) for keyword in registered_keywords() for severity in SEVERITIES
               if f"{keyword}-{severity}".startswith(cut)}
    lost_suffix = {keyword for keyword in registered_keywords() if keyword.startswith(cut)}
    keywords = {keyword for keyword, _ in matches} | lost_suffix
    if len(keywords) == 1:
        keyword = keywords.pop()
        severities = {severity for _, severity in matches}
        told = len(severities) == 1 and not lost_suffix
        return keyword, severities.pop() if told else "warning"
    return _strip_partial_suffix(cut)


def _strip_partial_suffix(cut: str) -> tuple[str, Severity]:
    """A keyword not in the registry (a vendor's): drop what is left of a cut suffix (`-warn`)."""
    head, dash, tail = cut.rpartition("-")
    if dash and tail:
        severities = [severity for severity in SEVERITIES if severity.startswith(tail)]
        if len(severities) == 1:
            return head, severities[0]
    return cut.rstrip("-"), "warning"
