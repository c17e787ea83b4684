"""`frontdesk printer status|test|drawer`."""

from __future__ import annotations

import argparse
import json

from agent.cli.common import EXIT_DEVICE_PROBLEM, add_device_command
from contract.config import load_config


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


def _printer(args: argparse.Namespace):
    from devices.printer import ReceiptPrinter

    config = load_config(args.config)
    return ReceiptPrinter(config.printer_by_id(args.printer), config.office)


def _status(args: argparse.Namespace) -> int:
    printer = _printer(args)
    status = printer.status()
    if args.json:
        print(json.dumps({"printer": printer.id, **status.as_dict()}, ensure_ascii=False))
    else:
        print(status.describe(f"Printer {printer.id!r} ({printer.config.address})"))
        print(f"  health: {status.health}; paper: {status.paper}")
    return 0 if status.health in ("ok", "warning") else EXIT_DEVICE_PROBLEM


def _test(args: argparse.Namespace) -> int:
    from devices.printer.samples import sample_badge, sample_receipt

    printer = _printer(args)
    document = sample_badge(args.badge, args.language) if args.badge else sample_receipt(args.language)
    result = printer.print_document(document)
    what = "badge" if args.badge else "test receipt"
    confirmed = "printed" if result.confirmed else "sent (this printer cannot confirm)"
    print(f"{what} {confirmed} on {printer.id!r}: {result.bytes_sent} bytes, {printer.columns} columns")
    return 0


def _drawer(args: argparse.Namespace) -> int:
    printer = _printer(args)
    printer.open_drawer()
    print(f"cash drawer on {printer.id!r} opened")
    return 0
