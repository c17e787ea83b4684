"""`frontdesk-manager`: the office manager's service (history, alerts, dashboard, scheduled
report), its password hasher and the report command.

    frontdesk-manager [--config FILE] run
    frontdesk-manager [--config FILE] config check [FILE]   # the config and the files the manager uses
    frontdesk-manager hash-password          # asks twice, prints scrypt$... for [[manager.dashboard.users]]
    frontdesk-manager [--config FILE] report --from DATE --to DATE ...

This is the manager's composition root: config -> History -> Ingestor (+ Alerter, report
scheduler, web server). The web and report parts are imported only when used.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from frontdesk.contract.config import ConfigError, FrontdeskConfig, config_path, load_config
from frontdesk.contract.config_files import describe_login, load_checked_config
from frontdesk.contract.installed import needs_extra

log = logging.getLogger("frontdesk.manager")
PROG = "frontdesk-manager"


def _config_option(parser: argparse.ArgumentParser, default=None) -> None:
    parser.add_argument("--config", metavar="FILE", default=default,
                        help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Frontdesk office manager: history, alerts, dashboard, report.")
    _config_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="follow every site: history, alerts, dashboard and scheduled report")
    _config_option(run, argparse.SUPPRESS)  # --config also after the command
    config = commands.add_parser("config", help="check the configuration").add_subparsers(dest="action", required=True)
    check = config.add_parser("check", help="validate a config file and the manager's files")
    _config_option(check, argparse.SUPPRESS)
    check.add_argument("file", nargs="?", help="the file to check (default: --config)")
    hashing = commands.add_parser("hash-password", help="print the hash of a dashboard password for the config")
    hashing.add_argument("--stdin", action="store_true", help="read the password from one line of standard input")
    # The report's own arguments are parsed by report_parser(), so that `run` never imports
    # the report's libraries (matplotlib, weasyprint) just to read its command line.
    commands.add_parser("report", add_help=False, help="produce the front-office report (HTML and PDF)")
    return parser


def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"{PROG} report", description="The front-office report.")
    _config_option(parser, argparse.SUPPRESS)
    importlib.import_module("frontdesk.manager.report.cli").add_arguments(parser)
    return parser


@needs_extra(PROG, "manager")
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "report":
        config_file = args.config
        args = report_parser().parse_args(rest)
        args.config, args.command = getattr(args, "config", config_file), "report"
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "hash-password":
        return hash_password_command(args)
    try:
        if args.command == "report":
            config = load_config(args.config)
        else:  # its files too: a missing CA file or certificate is exit 2 before anything starts
            config = load_checked_config(getattr(args, "file", None) or args.config, "manager")
    except ConfigError as error:
        return error.tell(PROG)
    if args.command == "config":
        return _config_checked(config, args.file or args.config)
    if args.command == "report":
        return importlib.import_module("frontdesk.manager.report.cli").run(args, config)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())  # nothing else in a signal handler
    return run(config, stop)


def _config_checked(config: FrontdeskConfig, explicit: str | None) -> int:
    manager, dashboard = config.manager, config.manager.dashboard
    print(f"{config_path(explicit)}: OK")
    print(f"  manager {manager.id!r}, following {', '.join(manager.sites) or 'every site'}")
    print(f"  {describe_login(config, 'manager')}")
    users = len(dashboard.users)
    print(f"  dashboard on {'https' if dashboard.https else 'http'}://{dashboard.host}:{dashboard.port}/, "
          f"{users} user{'' if users == 1 else 's'}")
    return 0


def hash_password_command(args: argparse.Namespace) -> int:
    from frontdesk.manager.passwords import hash_password

    try:
        if args.stdin:
            first = second = sys.stdin.readline().rstrip("\r\n")
        else:
            first = getpass.getpass("New dashboard password: ")
            second = getpass.getpass("The same again: ")
    except (EOFError, KeyboardInterrupt):
        print(f"{PROG}: no password given", file=sys.stderr)
        return 1
    if first != second:
        print(f"{PROG}: the two passwords differ; nothing printed", file=sys.stderr)
        return 1
    if len(first) < 8:
        print(f"{PROG}: use a password of at least 8 characters", file=sys.stderr)
        return 1
    print(hash_password(first))
    return 0


def run(config: FrontdeskConfig, stop: threading.Event) -> int:
    """Run the manager until `stop` is set. Exit 1 if the database cannot be opened
    (systemd restarts it: a PostgreSQL server that is still starting will be there later)."""
    from frontdesk.manager.alerts import Alerter
    from frontdesk.manager.history.store import History, HistoryError
    from frontdesk.manager.ingest import Ingestor

    try:
        history = History(config.manager.database)
    except HistoryError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    ingestor = Ingestor(config, history)
    alerter = Alerter(config, history)
    alerter.attach(ingestor)
    scheduler = importlib.import_module("frontdesk.manager.report.schedule").ReportScheduler(config, history)
    serve = importlib.import_module("frontdesk.manager.web.server").serve
    log.info("history in %s; %s", history.url, describe_login(config, "manager"))
    alerter.start()
    scheduler.start()
    ingestor.start()
    try:
        serve(config, history, ingestor, stop)  # blocks until stop is set
    except ConfigError as error:  # e.g. the dashboard's port is taken
        return error.tell(PROG)
    finally:
        log.info("stopping")
        ingestor.stop()
        alerter.stop()
        scheduler.stop()
        history.close()
    if not stop.is_set():
        log.error("the dashboard stopped on its own; stopping the manager")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
