"""Fixtures of the report tests: a seeded fortnight of history (SQLite, and PostgreSQL on the
session's real server from tests/manager/conftest.py), its config, and one rendered report.

Set FRONTDESK_REPORT_PAGES=/some/dir to keep the rendered report and its pages as PNG
images there, to look at them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # report_seed

import report_seed  # noqa: E402
from report_seed import NOW, report_config  # noqa: E402

from frontdesk.manager.report.period import Period  # noqa: E402


@pytest.fixture(scope="session")
def seed() -> report_seed.Seed:
    return report_seed.generate()


@pytest.fixture(scope="session")
def fortnight() -> Period:
    return Period(report_seed.FIRST, report_seed.LAST, report_seed.TZ)


@pytest.fixture(scope="session")
def sqlite_history(tmp_path_factory, seed) -> str:
    """The URL of a SQLite history holding the seeded fortnight."""
    from frontdesk.manager.history.store import open_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('history') / 'history.db'}"
    engine = open_engine(url)
    report_seed.insert_seed(engine, seed)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_history(request, seed) -> str:
    from frontdesk.manager.history.store import open_engine

    url = request.getfixturevalue("postgres_server").create_database()
    engine = open_engine(url)
    report_seed.insert_seed(engine, seed)
    engine.dispose()
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def seeded_engine(request):
    """An engine on the seeded history, once on SQLite and once on PostgreSQL."""
    from frontdesk.manager.history.store import open_engine

    url = request.getfixturevalue("sqlite_history" if request.param == "sqlite" else "postgres_history")
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, sqlite_history, fortnight):
    """The fortnight's report for site hq, written as HTML and PDF once for the session."""
    from frontdesk.manager.history.store import open_engine
    from frontdesk.manager.report.build import collect
    from frontdesk.manager.report.render import write_report

    out = tmp_path_factory.mktemp("report")
    config = report_config(sqlite_history, out / "data")
    engine = open_engine(sqlite_history)
    data = collect(engine, fortnight, ("hq",), NOW)
    engine.dispose()
    html, pdf = write_report(data, config.office, out)
    keep = os.environ.get("FRONTDESK_REPORT_PAGES")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for path in (html, pdf):
            shutil.copy(path, keep)
    return data, html, pdf
