"""What the command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Callable

EXIT_DEVICE_PROBLEM = 1
EXIT_USAGE = 2


def add_device_command(
    group: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    help: str,
    handler: Callable,
    device: str,
) -> argparse.ArgumentParser:
    """A sub-command that acts on one device, chosen by --<device> ID."""
    command = group.add_parser(name, parents=[common], help=help)
    command.add_argument(f"--{device}", metavar="ID", help=f"which {device} (default: the first configured)")
    command.set_defaults(handler=handler)
    return command
