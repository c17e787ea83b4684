"""The agent's own books: postage prices, the mail log, and the devices' history.

These run on the agent's `books` lane: mail records keep their order, and none of
them waits on a device.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.agent.ledger.mail_log import MailItem


def office_zone(commands) -> ZoneInfo:
    return ZoneInfo(commands.office.timezone if commands.office else "UTC")


def office_today(commands) -> date:
    """The rate table in force is the one of the office's date, not the machine's."""
    from frontdesk.contract import clock

    return clock.today(office_zone(commands))


def postage_quote(commands, request, device=None) -> dict[str, Any]:
    from frontdesk.agent.postage import available_classes, quote
    from frontdesk.agent.postage.errors import InvalidWeight, Overweight
    from frontdesk.devices.scale.units import parse_weight

    try:
        grams = parse_weight(request.weight)
    except ValueError as error:
        raise InvalidWeight(str(error)) from None
    carrier, day = request.carrier or commands.postage_carrier, office_today(commands)
    if request.mail_class:
        return quote(grams, request.mail_class, request.destination, carrier, on=day,
                     nonmachinable=request.nonmachinable).as_dict()
    options = available_classes(carrier, request.destination, grams, on=day, nonmachinable=request.nonmachinable)
    if not options:  # as a quote for one class would say: nothing takes it
        raise Overweight(f"no {carrier} mail class takes {request.weight} to {request.destination}"
                         f"{' as nonmachinable' if request.nonmachinable else ''}; price it at the post office counter")
    return {"options": [option.as_dict() for option in options]}


def mail_record(commands, request, device=None) -> dict[str, Any]:
    """Price the item and record it in the mail log; a request_id records it once."""
    priced = postage_quote(commands, request)
    item = MailItem(Decimal(priced["weight_grams"]), priced["mail_class"], priced["destination"],
                    priced["carrier"], Decimal(priced["price"]), priced["currency"], request.staff, request.scale)
    entry = commands.mail_log.record(item, request_id=request.request_id)
    commands.relay(commands.mail_log)
    return {"id": entry.id, "recorded_at": entry.recorded_at.isoformat(), "quote": priced,
            "duplicate": entry.duplicate}


def postage_today(commands, request, device=None) -> dict[str, Any]:
    """The office's day in the mail log: every item, and the totals per currency."""
    zone, day = office_zone(commands), office_today(commands)
    log = commands.mail_log
    items, totals = log.items_on(day, zone), log.totals_on(day, zone)
    return {
        "day": day.isoformat(), "count": totals.count,
        "totals": {currency: str(total) for currency, total in totals.totals.items()},
        "by_class": totals.by_class,
        "items": [{"recorded_at": entry.recorded_at.isoformat(), "weight_grams": str(entry.item.weight_grams),
                   "mail_class": entry.item.mail_class, "destination": entry.item.destination,
                   "carrier": entry.item.carrier, "price": str(entry.item.price), "currency": entry.item.currency,
                   "staff": entry.item.staff} for entry in items],
    }


def device_history(commands, request, device=None) -> dict[str, Any]:
    """Every change of health the agent recorded (its own device history), newest first."""
    changes = commands.history.recent(request.device, request.limit) if commands.history is not None else []
    return {"timezone": office_zone(commands).key,
            "changes": [{"device": c.device, "kind": c.kind, "health": c.health, "reasons": list(c.reasons),
                         "at": c.at.isoformat()} for c in changes]}
