"""`frontdesk devices history`: what each device went through, from the agent's own record."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.agent.cli.common import add_agent_options, ask, given
from frontdesk.contract.reasons import reason_text


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("devices", help="the devices' health history on this Pi").add_subparsers(
        dest="action", required=True
    )
    history = group.add_parser("history", parents=[common], help="every change of health, newest first")
    history.add_argument("--device", metavar="ID", help="only this device")
    history.add_argument("--limit", type=int, default=50, help="how many changes (default 50, at most 1000)")
    history.add_argument("--json", action="store_true", help="machine-readable output")
    add_agent_options(history, direct="read the agent's history file")
    history.set_defaults(handler=_history)


def _history(args: argparse.Namespace) -> int:
    found = ask(args, "device_history", given(device=args.device, limit=min(max(1, args.limit), 1000)))
    changes = found.get("changes", [])
    if args.json:
        print(json.dumps(changes, ensure_ascii=False, indent=2))
        return 0
    if not changes:
        print("no changes recorded yet" + (f" for {args.device}" if args.device else ""))
        return 0
    zone = ZoneInfo(found.get("timezone") or "UTC")
    for change in changes:
        when = datetime.fromisoformat(change["at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        words = " ".join(reason_text(reason) for reason in change.get("reasons", [])) or "-"
        print(f"{when}  {change['device']:<16} {change['health']:<8} {words}")
    return 0
