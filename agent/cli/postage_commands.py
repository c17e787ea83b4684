"""`frontdesk postage quote|record|today`.

The mail log is the agent's: `record` is its `mail_record` command, so the manager hears
of the item (`mail_recorded` on the agent's ledger topic) the moment it is recorded.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.agent.cli.common import add_agent_options, ask, given
from frontdesk.contract.config import load_config


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("postage", help="postage prices and the mail log").add_subparsers(
        dest="action", required=True
    )
    quote = group.add_parser("quote", parents=[common], help="price an item (every class that takes it, if no --class)")
    _item_arguments(quote, class_required=False)
    quote.add_argument("--json", action="store_true", help="machine-readable output")
    add_agent_options(quote, direct="price it with this machine's rate tables")
    quote.set_defaults(handler=_quote)

    record = group.add_parser("record", parents=[common],
                              help="price an item and record it in the mail log (by the agent, for the manager)")
    _item_arguments(record, class_required=True)
    record.add_argument("--by", required=True, metavar="NAME", help="who posts it")
    record.add_argument("--request-id", help="record it once, however often this is repeated")
    add_agent_options(record, direct=None)  # the ledgers are written by the agent alone
    record.set_defaults(handler=_record)

    today = group.add_parser("today", parents=[common], help="today's mail log and postage total")
    today.add_argument("--json", action="store_true", help="machine-readable output")
    add_agent_options(today, direct="read the agent's mail log file")
    today.set_defaults(handler=_today)


def _item_arguments(command: argparse.ArgumentParser, class_required: bool) -> None:
    command.add_argument("weight", help="the weight, e.g. 85g, 3.5oz, 1.2kg, 2lb")
    command.add_argument("--class", dest="mail_class", required=class_required, help="mail class, e.g. letter")
    command.add_argument("--to", dest="destination", default="domestic", help="destination zone (default: domestic)")
    command.add_argument("--carrier", help="rate table to use (default: [postage] carrier in the config)")
    command.add_argument("--nonmachinable", action="store_true", help="rigid, square or lumpy: add the surcharge")


def _item(args: argparse.Namespace) -> dict:
    # nonmachinable only when asked: an agent from before it knew the field still prices the rest.
    return given(weight=args.weight, mail_class=args.mail_class, destination=args.destination, carrier=args.carrier,
                 nonmachinable=args.nonmachinable or None)


def _quote(args: argparse.Namespace) -> int:
    result = ask(args, "postage_quote", _item(args))
    quotes = result["options"] if "options" in result else [result]
    if args.json:
        print(json.dumps(quotes if not args.mail_class else quotes[0], ensure_ascii=False))
        return 0
    if not quotes:
        print(f"no mail class takes {args.weight} to {args.destination}; price it at the counter")
    for q in quotes:
        print(f"{q['carrier_name']} {q['mail_class_name']} to {q['destination']}, {q['rated_weight']}: "
              f"{q['price']} {q['currency']}")
        for part in q.get("breakdown", []):
            print(f"    {part['label']}: {part['amount']}")
    return 0


def _record(args: argparse.Namespace) -> int:
    entry = ask(args, "mail_record", {**_item(args), **given(staff=args.by, request_id=args.request_id)})
    q = entry["quote"]
    again = " (recorded before: not again)" if entry.get("duplicate") else ""
    print(f"recorded #{entry['id']}: {q['mail_class_name']} to {q['destination']}, {q['price']} {q['currency']}"
          f"{again}")
    return 0


def _today(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    day = ask(args, "postage_today", {}, config=config)
    if args.json:
        print(json.dumps(day, ensure_ascii=False))
        return 0
    zone = ZoneInfo(config.office.timezone)
    for i in day.get("items", []):
        when = datetime.fromisoformat(i["recorded_at"]).astimezone(zone).strftime("%H:%M")
        print(f"{when}  {i['weight_grams']} g  {i['mail_class']} to {i['destination']}  {i['price']} {i['currency']}"
              f"  ({i['staff']})")
    totals = ", ".join(f"{amount} {currency}" for currency, amount in day.get("totals", {}).items()) or "nothing"
    print(f"{day['day']}: {day['count']} item(s), postage {totals}")
    return 0
