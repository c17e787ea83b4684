"""`frontdesk`: the staff's command line.

Every command takes --config FILE (or FRONTDESK_CONFIG). Mistakes end with one
clear line per problem and exit code 2; device trouble with exit code 1; never
a traceback. Each device group adds its commands from its own module.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from agent.cli import (
    config_commands,
    demo_commands,
    device_commands,
    postage_commands,
    printer_commands,
    queue_commands,
    report_commands,
    scale_commands,
)
from agent.cli.common import EXIT_DEVICE_PROBLEM, EXIT_USAGE
from contract.config import ConfigError

GROUPS = (config_commands, printer_commands, scale_commands, postage_commands, queue_commands, device_commands,
          report_commands, demo_commands)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except ConfigError as error:
        return error.tell("frontdesk")
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - known errors are reported, not traced
        code = _known_problem(error)
        if code is None:
            raise
        print(f"frontdesk: {error}", file=sys.stderr)
        return code


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", metavar="FILE", help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)"
    )
    parser = argparse.ArgumentParser(prog="frontdesk", description="Frontdesk front-desk system.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands, common)
    return parser


def _known_problem(error: Exception) -> int | None:
    """The exit code for an error a person can act on; None for a bug."""
    from agent.postage.errors import PostageError
    from devices.printer import PrinterError
    from devices.queues import InvalidJobOptions, QueueError
    from devices.scale import ScaleError

    if isinstance(error, InvalidJobOptions):
        return EXIT_USAGE
    if isinstance(error, (PrinterError, ScaleError, QueueError)):
        return EXIT_DEVICE_PROBLEM
    if isinstance(error, PostageError):
        return EXIT_USAGE  # the item cannot be priced as asked
    return None
