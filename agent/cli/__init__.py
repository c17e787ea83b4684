"""`frontdesk`: the staff's command line.

Device commands (printer, scale, postage, queues, fax, devices history) are the agent's
MQTT commands, as `lp` is cupsd's: the agent holds the devices all day and writes the
ledgers. `--direct` opens a device itself while the agent is stopped (agent/cli/direct.py).

Every command takes --config FILE (or FRONTDESK_CONFIG), before or after its name.
Mistakes end with one clear line per problem and exit code 2; device trouble, and no
agent answering, with exit code 1; never a traceback. Each group adds its commands from
its own module.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from frontdesk.agent.cli import (
    config_commands,
    demo_commands,
    device_commands,
    fax_commands,
    postage_commands,
    printer_commands,
    queue_commands,
    report_commands,
    scale_commands,
)
from frontdesk.agent.cli.common import EXIT_DEVICE_PROBLEM, EXIT_USAGE
from frontdesk.contract.config import ConfigError
from frontdesk.contract.installed import needs_extra

GROUPS = (config_commands, printer_commands, scale_commands, postage_commands, queue_commands, fax_commands,
          device_commands, report_commands, demo_commands)
CONFIG_HELP = "config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)"


@needs_extra("frontdesk", "pi")
def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "passes_arguments_on", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.unknown = unknown
    try:
        code = _run(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return code
    except BrokenPipeError:
        # `frontdesk queues | head -3`: the reader has gone. Python's advice: point stdout at
        # devnull, so that the flush at exit does not fail again, and stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_DEVICE_PROBLEM


def _run(args: argparse.Namespace) -> int:
    from frontdesk.agent.cli.agent_client import AgentRefused, AgentUnavailable
    from frontdesk.agent.device_lock import DeviceHeld

    try:
        return args.handler(args)
    except ConfigError as error:
        return error.tell("frontdesk")
    except KeyboardInterrupt:
        return 130
    except (AgentUnavailable, AgentRefused) as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return error.exit_code
    except DeviceHeld as error:
        print(f"frontdesk: --direct refused: {error}; {_held_hint(error)}", file=sys.stderr)
        return EXIT_DEVICE_PROBLEM
    except Exception as error:  # noqa: BLE001 - known errors are reported, not traced
        code = _known_problem(error)
        if code is None:
            raise
        print(f"frontdesk: {error}", file=sys.stderr)
        return code


def _held_hint(error) -> str:
    if error.holder.startswith("frontdesk-agent"):
        return "leave out --direct to go through the agent, or stop it first (`sudo systemctl stop frontdesk-agent`)"
    return "try again once it is done"


def _parser() -> argparse.ArgumentParser:
    # --config before the command (frontdesk --config F queues) or after it (frontdesk queues
    # --config F): the copies after it have no default, which would undo the one before.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    parser = argparse.ArgumentParser(prog="frontdesk", description="Frontdesk front-desk system.")
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_commands(commands, common)
    return parser


def _known_problem(error: Exception) -> int | None:
    """The exit code for an error a person can act on; None for a bug."""
    from frontdesk.agent.postage.errors import PostageError
    from frontdesk.devices.printer import PrinterError
    from frontdesk.devices.queues import InvalidJobOptions, QueueError
    from frontdesk.devices.scale import ScaleError

    if isinstance(error, InvalidJobOptions):
        return EXIT_USAGE
    if isinstance(error, (PrinterError, ScaleError, QueueError)):
        return EXIT_DEVICE_PROBLEM
    if isinstance(error, PostageError):
        return EXIT_USAGE  # the item cannot be priced as asked
    return None
