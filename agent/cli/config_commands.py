"""`frontdesk config check`."""

from __future__ import annotations

import argparse

from frontdesk.contract.config import ConfigError, FrontdeskConfig, config_path
from frontdesk.contract.config_files import describe_login, file_problems, load_checked_config


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("config", help="check the configuration").add_subparsers(dest="action", required=True)
    check = group.add_parser("check", parents=[common],
                             help="validate a config file and the agent's files, and say what it found")
    check.add_argument("file", nargs="?", help="the file to check (default: --config)")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    """The agent's part: its sections, and the files and folders it uses, as this user may."""
    from frontdesk.agent.config_check import cross_reference_problems

    path = config_path(args.file or args.config)
    config = load_checked_config(path, "agent")
    problems = cross_reference_problems(config)
    if problems:
        raise ConfigError(*problems)
    print(f"{path}: OK")
    for line in describe_config(config):
        print(f"  {line}")
    # The staff's own login is told, not required: this check usually runs as the agent's user,
    # who is not meant to read the staff's password; `frontdesk` run by staff stops on it (exit 2).
    for problem in file_problems(config, "cli"):
        if problem.startswith("cli."):
            print(f"  note: {problem}")
    return 0


def describe_config(config: FrontdeskConfig) -> list[str]:
    from frontdesk.devices.printer.compose import Composer

    lines = [
        f"site {config.site!r}, office {config.office.name!r} ({config.office.language}, {config.office.currency})",
        f"agent: {describe_login(config, 'agent')}",
        *(f"{program}: {describe_login(config, program)}" for program in ("cli", "kiosk", "manager")
          if config.mqtt_section(program) != "mqtt"),
        f"agent data in {config.agent.data_dir}; postage carrier {config.postage.carrier!r}",
    ]
    for printer in config.printer:
        columns = Composer(printer.profile).columns
        lines.append(
            f"printer {printer.id!r}: {printer.connection} {printer.address}, "
            f"profile {printer.profile} ({columns} columns)"
        )
    for scale in config.scale:
        lines.append(f"scale {scale.id!r}: {scale.protocol} on {scale.address}")
    for queue in config.queue:
        lines.append(f"{queue.kind} queue {queue.id!r}: CUPS queue {queue.cups_name!r}")
    if not (config.printer or config.scale or config.queue):
        lines.append("no devices configured")
    return lines
