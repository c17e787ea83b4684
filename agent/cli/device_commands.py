"""`frontdesk devices history`: what each device went through, from the agent's own record."""

from __future__ import annotations

import argparse
import json
from zoneinfo import ZoneInfo

from contract.config import load_config


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("devices", help="the devices' health history on this Pi").add_subparsers(
        dest="action", required=True
    )
    history = group.add_parser("history", parents=[common], help="every change of health, newest first")
    history.add_argument("--device", metavar="ID", help="only this device")
    history.add_argument("--limit", type=int, default=50, help="how many changes (default 50)")
    history.add_argument("--json", action="store_true", help="machine-readable output")
    history.set_defaults(handler=_history)


def _history(args: argparse.Namespace) -> int:
    from agent.ledger.device_history import FILE_NAME, DeviceHistory

    config = load_config(args.config)
    history = DeviceHistory(config.agent.data_dir / FILE_NAME)
    try:
        changes = history.recent(args.device, max(1, args.limit))
    finally:
        history.close()
    if args.json:
        print(json.dumps([{"device": c.device, "kind": c.kind, "health": c.health, "reasons": list(c.reasons),
                           "at": c.at.isoformat()} for c in changes], ensure_ascii=False, indent=2))
        return 0
    if not changes:
        print("no changes recorded yet" + (f" for {args.device}" if args.device else ""))
        return 0
    zone = ZoneInfo(config.office.timezone)
    for change in changes:
        when = change.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {change.device:<16} {change.health:<8} {', '.join(change.reasons) or '-'}")
    return 0
