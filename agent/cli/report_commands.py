"""`frontdesk report`: moved to `frontdesk-manager report`, on the manager's machine.

The report reads the manager's history with the manager's libraries (SQLAlchemy, matplotlib,
WeasyPrint), which a Pi does not install (`frontdesk[pi]`): staff who type the old command
are told where it went, with their own arguments.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from frontdesk.agent.cli.common import EXIT_USAGE


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", add_help=False, help="moved: `frontdesk-manager report` on the manager's machine")
    report.set_defaults(handler=_moved, passes_arguments_on=True)  # main() leaves them in args.unknown


def _moved(args: argparse.Namespace) -> int:
    command = shlex.join(["frontdesk-manager", "report", *args.unknown])
    print(f"frontdesk: the report is the manager's now: run `{command}` on the manager's machine", file=sys.stderr)
    return EXIT_USAGE
