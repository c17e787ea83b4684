"""`frontdesk postage quote|record|today`."""

from __future__ import annotations

import argparse
import json
from zoneinfo import ZoneInfo

from contract import clock
from contract.config import FrontdeskConfig, load_config


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("postage", help="postage prices and the mail log").add_subparsers(
        dest="action", required=True
    )
    quote = group.add_parser("quote", parents=[common], help="price an item (every class that takes it, if no --class)")
    _item_arguments(quote, class_required=False)
    quote.add_argument("--json", action="store_true", help="machine-readable output")
    quote.set_defaults(handler=_quote)

    record = group.add_parser("record", parents=[common], help="price an item and record it in the mail log")
    _item_arguments(record, class_required=True)
    record.add_argument("--by", required=True, metavar="NAME", help="who posts it")
    record.add_argument("--request-id", help="record it once, however often this is repeated")
    record.set_defaults(handler=_record)

    today = group.add_parser("today", parents=[common], help="today's mail log and postage total")
    today.add_argument("--json", action="store_true", help="machine-readable output")
    today.set_defaults(handler=_today)


def _item_arguments(command: argparse.ArgumentParser, class_required: bool) -> None:
    command.add_argument("weight", help="the weight, e.g. 85g, 3.5oz, 1.2kg, 2lb")
    command.add_argument("--class", dest="mail_class", required=class_required, help="mail class, e.g. letter")
    command.add_argument("--to", dest="destination", default="domestic", help="destination zone (default: domestic)")
    command.add_argument("--carrier", help="rate table to use (default: [postage] carrier in the config)")
    command.add_argument("--nonmachinable", action="store_true", help="rigid, square or lumpy: add the surcharge")


def _weight(text: str):
    from agent.postage.errors import InvalidWeight
    from devices.scale.units import parse_weight

    try:
        return parse_weight(text)
    except ValueError as error:
        raise InvalidWeight(str(error)) from None


def _quotes(args: argparse.Namespace, config: FrontdeskConfig) -> list:
    from agent.postage import available_classes, quote

    grams, carrier = _weight(args.weight), args.carrier or config.postage.carrier
    day = clock.today(ZoneInfo(config.office.timezone))
    if args.mail_class:
        return [quote(grams, args.mail_class, args.destination, carrier, on=day, nonmachinable=args.nonmachinable)]
    return available_classes(carrier, args.destination, grams, on=day, nonmachinable=args.nonmachinable)


def _quote(args: argparse.Namespace) -> int:
    quotes = _quotes(args, load_config(args.config))
    if args.json:
        print(json.dumps([q.as_dict() for q in quotes] if not args.mail_class else quotes[0].as_dict(), ensure_ascii=False))
        return 0
    if not quotes:
        print(f"no mail class takes {args.weight} to {args.destination}; price it at the counter")
    for q in quotes:
        print(f"{q.carrier_name} {q.mail_class_name} to {q.destination}, {q.rated_weight}: {q.price} {q.currency}")
        for label, amount in q.breakdown:
            print(f"    {label}: {amount}")
    return 0


def _record(args: argparse.Namespace) -> int:
    from agent.ledger.mail_log import FILE_NAME, MailItem, MailLog

    config = load_config(args.config)
    (priced,) = _quotes(args, config)
    item = MailItem(priced.weight_grams, priced.mail_class, priced.destination, priced.carrier,
                    priced.price, priced.currency, args.by)
    log = MailLog(config.agent.data_dir / FILE_NAME)
    try:
        entry = log.record(item, request_id=args.request_id)
    finally:
        log.close()
    print(f"recorded #{entry.id}: {priced.mail_class_name} to {priced.destination}, {priced.price} {priced.currency}")
    return 0


def _today(args: argparse.Namespace) -> int:
    from agent.ledger.mail_log import FILE_NAME, MailLog

    config = load_config(args.config)
    zone = ZoneInfo(config.office.timezone)
    log = MailLog(config.agent.data_dir / FILE_NAME)
    try:
        day = clock.today(zone)
        items, totals = log.items_on(day, zone), log.totals_on(day, zone)
    finally:
        log.close()
    if args.json:
        print(json.dumps({"day": day.isoformat(), "count": totals.count,
                          "totals": {c: str(t) for c, t in totals.totals.items()}, "by_class": totals.by_class}))
        return 0
    for entry in items:
        when = entry.recorded_at.astimezone(zone).strftime("%H:%M")
        i = entry.item
        print(f"{when}  {i.weight_grams} g  {i.mail_class} to {i.destination}  {i.price} {i.currency}  ({i.staff})")
    totals_text = ", ".join(f"{t} {c}" for c, t in totals.totals.items()) or "nothing"
    print(f"{day}: {totals.count} item(s), postage {totals_text}")
    return 0
