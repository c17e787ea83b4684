"""`frontdesk report`: the office manager's front-office report, from the manager's history.

The report is the manager's (manager/report/); `frontdesk-manager report` is the
same command. It is offered here too because `frontdesk` is the one command
staff know; the manager's code is loaded only when the command runs.
"""

from __future__ import annotations

import argparse

from frontdesk.contract.config import load_config


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from frontdesk.manager.report.cli import add_arguments

    report = commands.add_parser("report", parents=[common], help="the front-office report (HTML and PDF)")
    add_arguments(report)
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from frontdesk.manager.report.cli import run

    return run(args, load_config(args.config))
