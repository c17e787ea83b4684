"""Which fields of a stored print request are a person's data, and the request without them.

A badge names its visitor, company and host and carries their sign-out code; an evacuation
list names everyone on site. The queue needs them only until the paper is out: a finished job
(printed or failed) keeps only what says what it was, and a visitor's erasure withdraws their
jobs still waiting (docs/privacy.md). Receipts name goods, not people.
"""

from __future__ import annotations

from typing import Any

PERSONAL_FIELDS = {
    "badge": ("visitor_name", "company", "host", "signout_code"),
    "list": ("lines", "footer"),
}


def without_personal_data(kind: str, request: dict[str, Any]) -> dict[str, Any] | None:
    """The request with its personal fields emptied; None when it holds none."""
    fields = [name for name in PERSONAL_FIELDS.get(kind, ()) if request.get(name)]
    if not fields:
        return None
    return {**request, **{name: [] if name == "lines" else None for name in fields}, "scrubbed": True}
