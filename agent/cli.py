"""`frontdesk`: the staff's command line (config check, printer status and tests, demo).

Every command takes --config FILE (or FRONTDESK_CONFIG). Mistakes end with one
clear line per problem and exit code 2; device trouble with exit code 1; never
a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from contract.config import ConfigError, FrontdeskConfig, config_path, load_config

EXIT_DEVICE_PROBLEM = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as error:
        for problem in error.problems:
            print(f"frontdesk: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - device errors are reported, not traced
        from devices.printer import PrinterError

        if isinstance(error, PrinterError):
            print(f"frontdesk: {error}", file=sys.stderr)
            return EXIT_DEVICE_PROBLEM
        raise


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")

    parser = argparse.ArgumentParser(prog="frontdesk", description="Frontdesk front-desk system.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    config = commands.add_parser("config", help="check the configuration").add_subparsers(dest="action", required=True)
    check = config.add_parser("check", parents=[common], help="validate a config file and say what it found")
    check.add_argument("file", nargs="?", help="the file to check (default: --config)")
    check.set_defaults(handler=_config_check)

    printer = commands.add_parser("printer", help="the receipt printer").add_subparsers(dest="action", required=True)
    status = _printer_command(printer, common, "status", "show the printer's status", _printer_status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    test = _printer_command(printer, common, "test", "print a sample receipt, or a badge", _printer_test)
    test.add_argument("--badge", metavar="NAME", help="print a visitor badge for NAME instead")
    test.add_argument("--language", choices=("en", "ro", "de", "fr", "pl"), help="language of the print (default: the office's)")
    _printer_command(printer, common, "drawer", "open the cash drawer", _printer_drawer)

    demo = commands.add_parser("demo", parents=[common], help="run the system with simulated devices")
    demo.add_argument("--workdir", default="var/demo", help="where the demo keeps its config and printouts")
    demo.add_argument("--once", action="store_true", help="print the demo documents and exit")
    demo.set_defaults(handler=_demo)
    return parser


def _printer_command(
    group: argparse._SubParsersAction, common: argparse.ArgumentParser, name: str, help: str, handler: Callable
) -> argparse.ArgumentParser:
    command = group.add_parser(name, parents=[common], help=help)
    command.add_argument("--printer", metavar="ID", help="which printer (default: the first configured)")
    command.set_defaults(handler=handler)
    return command


def _config_check(args: argparse.Namespace) -> int:
    path = config_path(args.file or args.config)
    config = load_config(path)
    print(f"{path}: OK")
    for line in describe_config(config):
        print(f"  {line}")
    return 0


def describe_config(config: FrontdeskConfig) -> list[str]:
    from devices.printer.compose import Composer

    lines = [f"site {config.site!r}, office {config.office.name!r} ({config.office.language}, {config.office.currency})"]
    lines.append(f"MQTT broker {config.mqtt.host}:{config.mqtt.port}")
    for printer in config.printer:
        columns = Composer(printer.profile).columns
        lines.append(
            f"printer {printer.id!r}: {printer.connection} {printer.address}, "
            f"profile {printer.profile} ({columns} columns)"
        )
    for scale in config.scale:
        lines.append(f"scale {scale.id!r}: {scale.protocol} on {scale.device} at {scale.baudrate} baud")
    for queue in config.queue:
        lines.append(f"{queue.kind} queue {queue.id!r}: CUPS queue {queue.cups_name!r}")
    if not (config.printer or config.scale or config.queue):
        lines.append("no devices configured")
    return lines


def _printer(args: argparse.Namespace):
    from devices.printer import ReceiptPrinter

    config = load_config(args.config)
    return ReceiptPrinter(config.printer_by_id(args.printer), config.office)


def _printer_status(args: argparse.Namespace) -> int:
    printer = _printer(args)
    status = printer.status()
    if args.json:
        print(json.dumps({"printer": printer.id, **status.as_dict()}, ensure_ascii=False))
    else:
        print(status.describe(f"Printer {printer.id!r} ({printer.config.address})"))
        print(f"  health: {status.health}; paper: {status.paper}")
    return 0 if status.health in ("ok", "warning") else EXIT_DEVICE_PROBLEM


def _printer_test(args: argparse.Namespace) -> int:
    from devices.printer.samples import sample_badge, sample_receipt

    printer = _printer(args)
    document = sample_badge(args.badge, args.language) if args.badge else sample_receipt(args.language)
    result = printer.print_document(document)
    what = "badge" if args.badge else "test receipt"
    confirmed = "printed" if result.confirmed else "sent (this printer cannot confirm)"
    print(f"{what} {confirmed} on {printer.id!r}: {result.bytes_sent} bytes, {printer.columns} columns")
    return 0


def _printer_drawer(args: argparse.Namespace) -> int:
    printer = _printer(args)
    printer.open_drawer()
    print(f"cash drawer on {printer.id!r} opened")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from agent.demo import run_demo

    return run_demo(args.workdir, once=args.once)


if __name__ == "__main__":
    sys.exit(main())
