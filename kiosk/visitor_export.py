"""The visitor log as others read it: CSV for the office, JSON records for one visitor.

A CSV opened in a spreadsheet runs any cell that starts with = + - @ as a formula,
and a visitor types their own name, so such cells are defused with a leading
apostrophe (the OWASP advice for CSV injection).
"""

from __future__ import annotations

import base64
import csv
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from frontdesk.kiosk.visits import Invitation, Visit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("badge_number", "name", "company", "host", "purpose", "language", "signed_in", "signed_out",
               "signed_in_utc", "signed_out_utc", "badge_printed", "invitation_code", "signature")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _local(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _utc(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def write_csv(out: TextIO, visits: list[Visit], zone: tzinfo) -> int:
    """One row per visit; the further fields as columns after the fixed ones. Returns the row count."""
    extra = sorted({key for visit in visits for key in visit.fields})
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *extra])
    for visit in visits:
        row = [visit.badge_number, visit.name, visit.company or "", visit.host or "", visit.purpose or "",
               visit.language, _local(visit.signed_in_at, zone), _local(visit.signed_out_at, zone),
               _utc(visit.signed_in_at), _utc(visit.signed_out_at), "yes" if visit.badge_printed else "no",
               visit.invitation_code or "", "yes" if visit.has_signature else "no"]
        row += [visit.fields.get(key, "") for key in extra]
        writer.writerow([neutralise(str(cell)) for cell in row])
    return len(visits)


def visit_record(visit: Visit, signature: bytes | None) -> dict:
    """A visit as JSON-ready data, the signature included (subject access covers it)."""
    return {
        "record": "visit", "id": visit.id, "badge_number": visit.badge_number, "name": visit.name,
        "company": visit.company, "host": visit.host, "purpose": visit.purpose, "fields": visit.fields,
        "language": visit.language, "signed_in_at": _utc(visit.signed_in_at),
        "signed_out_at": _utc(visit.signed_out_at) or None, "badge_printed": visit.badge_printed,
        "started_at": _utc(visit.started_at) or None, "badge_printed_at": _utc(visit.badge_printed_at) or None,
        "invitation_code": visit.invitation_code,
        "signature_png_base64": base64.b64encode(signature).decode("ascii") if signature else None,
    }


def invitation_record(invitation: Invitation) -> dict:
    return {"record": "invitation", "code": invitation.code, "name": invitation.name,
            "company": invitation.company, "host": invitation.host, "valid_on": invitation.valid_on.isoformat(),
            "used_visit": invitation.used_visit}
