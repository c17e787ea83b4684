"""`frontdesk printer status|test|drawer`: through the agent, which holds the printer's line."""

from __future__ import annotations

import argparse
import json

from frontdesk.agent.cli.common import EXIT_DEVICE_PROBLEM, add_device_command, ask, given

PRINT_TAKES = 30.0  # seconds a printout may take on top of --timeout (a slow or a long one)
DRAWER_WAIT = 10.0  # how long the agent waits for the drawer kick to be confirmed


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("printer", help="the receipt printer").add_subparsers(dest="action", required=True)
    status = add_device_command(group, common, "status", "show the printer's status", _status, "printer")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    test = add_device_command(group, common, "test", "print a sample receipt, or a badge", _test, "printer")
    test.add_argument("--badge", metavar="NAME", help="print a visitor badge for NAME instead")
    test.add_argument(
        "--language", choices=("en", "ro", "de", "fr", "pl"), help="language of the print (default: the office's)"
    )
    add_device_command(group, common, "drawer", "open the cash drawer", _drawer, "printer")


def _status(args: argparse.Namespace) -> int:
    status = ask(args, "printer_status", given(printer=args.printer), takes=10)
    if args.json:
        print(json.dumps(status, ensure_ascii=False))
    else:
        print(status.get("message") or f"Printer {status.get('printer')!r}: {status.get('health')}")
        print(f"  health: {status.get('health')}; paper: {status.get('paper')}")
    return 0 if status.get("health") in ("ok", "warning") else EXIT_DEVICE_PROBLEM


def _test(args: argparse.Namespace) -> int:
    result = ask(args, "printer_test", given(printer=args.printer, badge=args.badge, language=args.language),
                 takes=PRINT_TAKES)
    what = "badge" if result.get("document") == "badge" or args.badge else "test receipt"
    confirmed = "printed" if result.get("confirmed") else "sent (this printer cannot confirm)"
    print(f"{what} {confirmed} on {result.get('printer')!r}: {result.get('bytes')} bytes, "
          f"{result.get('columns')} columns")
    return 0


def _drawer(args: argparse.Namespace) -> int:
    job = ask(args, "open_drawer", given(printer=args.printer, wait=DRAWER_WAIT), takes=DRAWER_WAIT)
    printer, state = job.get("printer") or args.printer, job.get("state")
    if state in ("printed", "sent"):
        print(f"cash drawer on {printer!r} opened")
        return 0
    why = job.get("last_error") or "the printer is not ready"
    if state == "failed":
        print(f"cash drawer on {printer!r} NOT opened: {why}")
    else:  # still waiting in the agent's queue: it opens when the printer is back
        print(f"cash drawer on {printer!r} not opened yet ({why}); it opens when the printer is back")
    return EXIT_DEVICE_PROBLEM
