"""`report --from DATE --to DATE [--out DIR] [--format html,pdf] [--site S]`.

Wired into `frontdesk-manager report` through
`add_arguments(parser)` and `run(args, config)`. Every mistake the user can make
(a bad date, a period backwards, an unknown site or format, no history yet) is
one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.contract import clock
from frontdesk.contract.config import FrontdeskConfig

USAGE_ERROR = 2
PROG = "report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", required=True, metavar="DATE",
                        help="first day of the period, YYYY-MM-DD (office time)")
    parser.add_argument("--to", dest="last", required=True, metavar="DATE",
                        help="last day of the period, included, YYYY-MM-DD")
    parser.add_argument("--out", default=".", metavar="DIR", help="folder to write the report to (default: here)")
    parser.add_argument("--format", default="html,pdf", metavar="html,pdf", help="html, pdf or both (default)")
    parser.add_argument("--site", default=None, metavar="S",
                        help="only this site (default: the sites in [manager] sites, or every site)")


class UsageError(Exception):
    """A mistake in the command line or a report that cannot be made; one line for the user."""


def run(args: argparse.Namespace, config: FrontdeskConfig, now: datetime | None = None) -> int:
    from frontdesk.manager.report.period import PeriodError, period_from_text

    try:
        period = period_from_text(args.first, args.last, ZoneInfo(config.office.timezone))
        formats = _formats(args.format)
        engine = _open_history(config.manager.database)
        sites = _sites(engine, args.site, config.manager.sites)
        out_dir = _out_dir(args.out)
    except (PeriodError, UsageError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return USAGE_ERROR
    try:
        return _make(engine, period, sites, formats, out_dir, config, now or clock.now())
    finally:
        engine.dispose()


def _make(engine, period, sites, formats, out_dir: Path, config, now: datetime) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.manager.report.build import collect
    from frontdesk.manager.report.render import write_report

    try:
        data = collect(engine, period, sites, now)
    except SQLAlchemyError as error:
        print(f"{PROG}: cannot read the history: {error.__class__.__name__}: {str(error).splitlines()[0]}",
              file=sys.stderr)
        return 1
    try:
        written = write_report(data, config.office, out_dir, formats)
    except OSError as error:
        print(f"{PROG}: cannot write the report to {out_dir}: {error.strerror or error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    if data.empty:
        where = ", ".join(sites) if sites else "any site"
        print(f"{PROG}: nothing was recorded for {where} from {period.first} to {period.last}; "
              f"the report says so", file=sys.stderr)
        return USAGE_ERROR
    return 0


def _formats(text: str) -> tuple[str, ...]:
    from frontdesk.manager.report.render import FORMATS

    chosen = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise UsageError(f"--format {text!r}: choose html, pdf or html,pdf")
    return chosen


def _open_history(url: str):
    """The history's engine, read-only in spirit: a report never creates a database."""
    # Imported here: `frontdesk` builds its parser from add_arguments on every run.
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.manager.history.store import engine_url, open_engine

    parsed = engine_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).is_file():
        raise UsageError(f"no history database at {parsed.database}: is [manager] database right, "
                         f"and has frontdesk-manager run?")
    engine = open_engine(url)
    try:
        if not inspect(engine).has_table("visits"):
            raise UsageError(f"{parsed.render_as_string(hide_password=True)} holds no Frontdesk history yet")
    except SQLAlchemyError as error:
        engine.dispose()
        first_line = str(error.orig if getattr(error, "orig", None) else error).strip().splitlines()[0]
        raise UsageError(f"cannot open the history database "
                         f"{parsed.render_as_string(hide_password=True)}: {first_line}") from None
    return engine


def _sites(engine, site: str | None, configured: list[str]) -> tuple[str, ...] | None:
    if site is None:
        return tuple(configured) or None
    from frontdesk.manager.report.build import known_sites

    known = known_sites(engine)
    if site not in known:
        have = ", ".join(known) if known else "none yet"
        raise UsageError(f"--site {site!r}: the history has no such site (sites: {have})")
    return (site,)


def _out_dir(text: str) -> Path:
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {text!r} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {text!r}: cannot create the folder ({error.strerror or error})") from None
    return path


def main(argv: list[str] | None = None) -> int:
    """`python -m frontdesk.manager.report.cli [--config FILE] --from ... --to ...`, without the manager's CLI."""
    from frontdesk.contract.config import ConfigError, load_config

    parser = argparse.ArgumentParser(prog=PROG, description="The front-office report (HTML and PDF).")
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return USAGE_ERROR
    return run(args, config)


if __name__ == "__main__":
    sys.exit(main())
