"""`frontdesk-kiosk`: start the kiosk, or look after its visitor log from a shell.

    frontdesk-kiosk [--config FILE] [run] [--windowed] [--size 800x480]
    frontdesk-kiosk config check [FILE]           (the config and the files the kiosk uses)
    frontdesk-kiosk set-pin                       (prints the staff_pin_hash line to paste)
    frontdesk-kiosk invite --name N [--company C] [--host H] [--date YYYY-MM-DD]
    frontdesk-kiosk export --visitor NAME         (everything about one person, JSON)
    frontdesk-kiosk erase --visitor NAME          (right to erasure)
    frontdesk-kiosk export-csv [--from D] [--to D] [FILE]
    frontdesk-kiosk purge                         (erase visits older than retention_days)

Mistakes end with one line per problem and exit code 2; an unusable visitor log
with exit code 1; never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from frontdesk.contract import clock
from frontdesk.contract.config import ConfigError, FrontdeskConfig, config_path, load_config
from frontdesk.contract.config_files import describe_login, load_checked_config
from frontdesk.contract.installed import needs_extra

if TYPE_CHECKING:
    from frontdesk.kiosk.visits import VisitorLog

PROG = "frontdesk-kiosk"
EXIT_PROBLEM, EXIT_USAGE = 1, 2
COMMANDS = ("run", "config", "set-pin", "invite", "export", "erase", "export-csv", "purge")


class CliError(Exception):
    """A problem the person at the shell can fix; carries its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@needs_extra(PROG, "pi")
def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    try:
        return args.handler(args)
    except ConfigError as error:
        return error.tell(PROG)
    except CliError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return error.code
    except sqlite3.Error as error:  # e.g. a full disk or a database another program locked
        print(f"{PROG}: the visitor log failed: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        return 130


def _with_default_command(argv: list[str]) -> list[str]:
    """`frontdesk-kiosk --windowed` means `frontdesk-kiosk run --windowed`."""
    if any(arg in COMMANDS for arg in argv) or any(arg in ("-h", "--help") for arg in argv):
        return argv
    return ["run", *argv]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and 200 <= int(width) <= 8192 and 200 <= int(height) <= 8192):
        raise argparse.ArgumentTypeError(f"{text!r} is not a window size; use WIDTHxHEIGHT such as 800x480")
    return int(width), int(height)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Frontdesk visitor kiosk.")
    parser.add_argument("--config", metavar="FILE",
                        help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")
    # Also accepted after the command; SUPPRESS keeps a --config given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", parents=[common], help="start the kiosk app (the default)")
    run.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    run.add_argument("--size", type=_size, metavar="WxH", help="window size, e.g. 800x480")
    run.set_defaults(handler=_run)
    config = commands.add_parser("config", help="check the configuration").add_subparsers(dest="action", required=True)
    check = config.add_parser("check", parents=[common], help="validate a config file and the kiosk's files")
    check.add_argument("file", nargs="?", help="the file to check (default: --config)")
    check.set_defaults(handler=_check_config)
    commands.add_parser("set-pin", parents=[common], help="hash a new staff PIN").set_defaults(handler=_set_pin)
    invite = commands.add_parser("invite", parents=[common], help="pre-register a visitor; prints the code")
    invite.add_argument("--name", required=True)
    invite.add_argument("--company")
    invite.add_argument("--host")
    invite.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of the visit (default: today)")
    invite.set_defaults(handler=_invite)
    for name, handler, what in (("export", _export, "print everything kept about a visitor as JSON"),
                                ("erase", _erase, "erase every record of a visitor")):
        command = commands.add_parser(name, parents=[common], help=what)
        command.add_argument("--visitor", required=True, metavar="NAME")
        command.set_defaults(handler=handler)
    csv_export = commands.add_parser("export-csv", parents=[common], help="the visitor log as CSV")
    csv_export.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="first day")
    csv_export.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="last day (included)")
    csv_export.add_argument("file", nargs="?", type=Path, help="write here (default: standard output)")
    csv_export.set_defaults(handler=_export_csv)
    commands.add_parser("purge", parents=[common], help="erase visits older than retention_days").set_defaults(
        handler=_purge)
    return parser


# -- commands -----------------------------------------------------------------------------------

def _run(args: argparse.Namespace) -> int:
    # Its files too, before Kivy: a missing logo or an unwritable data_dir is exit 2, not a crash.
    config = load_checked_config(args.config, "kiosk")
    from frontdesk.kiosk.app import run_app  # Kivy is loaded only when the app really starts

    status = run_app(config, windowed=args.windowed, size=args.size)
    return status if isinstance(status, int) else 0


def _check_config(args: argparse.Namespace) -> int:
    path = config_path(args.file or args.config)
    config = load_checked_config(path, "kiosk")
    kiosk = config.kiosk
    print(f"{path}: OK")
    print(f"  kiosk {kiosk.id!r} of site {config.site!r}, commanding agent {kiosk.agent!r}")
    print(f"  {describe_login(config, 'kiosk')}")
    print(f"  visitor log in {kiosk.data_dir}, visits kept {kiosk.retention_days} days")
    return 0


def _set_pin(args: argparse.Namespace) -> int:
    from frontdesk.kiosk.staff_pin import check_pin_format, hash_pin

    if sys.stdin.isatty():
        pin = getpass.getpass("New staff PIN: ")
        again = getpass.getpass("Once more: ")
    else:  # scripts: the PIN on the first line, optionally the confirmation on the second
        lines = sys.stdin.read().splitlines()
        pin = lines[0] if lines else ""
        again = lines[1] if len(lines) > 1 and lines[1] else pin
    if pin != again:
        raise CliError("the two PINs differ; nothing changed")
    try:
        check_pin_format(pin)
    except ValueError as error:
        raise CliError(str(error)) from None
    print(f'staff_pin_hash = "{hash_pin(pin)}"')
    print("Paste this line into the [kiosk] section of the config file and restart the kiosk.", file=sys.stderr)
    return 0


def _invite(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    day = args.date or clock.today(ZoneInfo(config.office.timezone))
    with _visitor_log(config) as log:
        try:
            invitation = log.add_invitation(name=args.name, company=args.company, host=args.host, valid_on=day)
        except ValueError as error:
            raise CliError(str(error)) from None
    print(invitation.code)
    print(f"Invitation for {invitation.name} on {day.isoformat()}.", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    with _visitor_log(load_config(args.config)) as log:
        records = log.visitor_records(args.visitor)
    json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
    print()
    if not records:
        print(f"No records of {args.visitor!r}.", file=sys.stderr)
    return 0


def _erase(args: argparse.Namespace) -> int:
    from frontdesk.kiosk.erasure import erase_everywhere

    config = load_config(args.config)
    with _visitor_log(config) as log:
        done = erase_everywhere(config, log, args.visitor)
    print(f"Erased {done.records} record{'' if done.records == 1 else 's'} of {args.visitor}.")
    if done.messages:
        print(f"Withdrew {done.messages} arrival notice{'' if done.messages == 1 else 's'} not yet sent.")
    if done.print_jobs:
        print(f"Withdrew {done.print_jobs} badge{'' if done.print_jobs == 1 else 's'} waiting at the printer.")
    if done.print_jobs is None:
        raise CliError(f"the agent did not confirm ({done.agent_error}): a badge of this visitor still waiting "
                       "in its print queue may print and keeps the name until then; run this again once the "
                       "agent is up", EXIT_PROBLEM)
    return 0


def _export_csv(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    zone = ZoneInfo(config.office.timezone)
    start = datetime.combine(args.start, time(), zone) if args.start else None
    end = datetime.combine(args.end + timedelta(days=1), time(), zone) if args.end else None
    if start and end and end <= start:
        raise CliError("--to is before --from")
    with _visitor_log(config) as log:
        if args.file is None:
            count = log.export_csv(sys.stdout, start, end)
        else:
            try:  # with a BOM, so that spreadsheets read the diacritics as UTF-8
                with args.file.open("w", encoding="utf-8-sig", newline="") as out:
                    count = log.export_csv(out, start, end)
            except OSError as error:
                raise CliError(f"cannot write {args.file}: {error.strerror}", EXIT_PROBLEM) from None
    print(f"Exported {count} visit{'' if count == 1 else 's'}.", file=sys.stderr)
    return 0


def _purge(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    with _visitor_log(config) as log:
        erased = log.purge(config.kiosk.retention_days)
    from frontdesk.contract.outbox import FILE_NAME as OUTBOX_FILE
    from frontdesk.contract.outbox import withdraw

    withdraw(config.kiosk.data_dir / OUTBOX_FILE, lambda topic, event: False)  # empties its WAL of sent ones
    print(f"Erased {erased} visit{'' if erased == 1 else 's'} older than {config.kiosk.retention_days} days.")
    return 0


@contextmanager
def _visitor_log(config: FrontdeskConfig) -> Iterator[VisitorLog]:
    """The visitor log of the config, closed afterwards; one that cannot be opened is a CliError."""
    from frontdesk.kiosk.visits import VisitorLog

    path = config.kiosk.data_dir / "visitors.db"
    try:
        log = VisitorLog(path, timezone=config.office.timezone)
    except (OSError, sqlite3.Error) as error:
        raise CliError(f"cannot open the visitor log {path}: {error}", EXIT_PROBLEM) from None
    try:
        yield log
    finally:
        log.close()


if __name__ == "__main__":
    sys.exit(main())
