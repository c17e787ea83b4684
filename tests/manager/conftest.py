"""The manager's shared fixtures: a real PostgreSQL server, a real SMTP server, a real
webhook receiver, fake agents on the real broker, and manager configs pointing at them.

tests/manager/web/ and tests/manager/report/ have their own conftest.py and may use
every fixture here (`postgres_url`, `database_url`, `smtp_server`, `fake_agent`, ...).
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # pg_lab, mail_lab, fake_agents

import pg_lab  # noqa: E402
from fake_agents import FakeAgent, FakeKiosk  # noqa: E402
from mail_lab import MailLab  # noqa: E402
from manager_rig import manager_config  # noqa: E402


def pytest_configure(config) -> None:
    # aiosmtpd warns on each connection to the TLS-from-the-first-byte server that it offers
    # AUTH without STARTTLS: there every byte is TLS already (mail_lab.py).
    config.addinivalue_line("filterwarnings", "ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="session")
def postgres_server():
    """One private PostgreSQL server for the whole session (stopped and deleted at the end)."""
    if not pg_lab.available():
        pytest.fail("PostgreSQL 15 is not installed (apt-get install postgresql)")
    with pg_lab.PostgresLab() as lab:
        yield lab


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """URL of the session's `frontdesk` database: postgresql://frontdesk@127.0.0.1:PORT/frontdesk."""
    return postgres_server.url()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty history database: SQLite in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def smtp_server(tmp_path):
    """A real SMTP server requiring STARTTLS and AUTH LOGIN; `.wait_for(n)` gives the mails."""
    with MailLab(tmp_path) as lab:
        yield lab


@pytest.fixture
def smtps_server(tmp_path):
    """The same with TLS from the first byte (port-465 style)."""
    with MailLab(tmp_path, security="tls") as lab:
        yield lab


class _Hooks(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server = self.server
        with server.lock:
            server.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        self.send_response(server.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook_server():
    """A real local HTTP server that records JSON POSTs; set `.status` to make it fail."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hooks)
    server.requests, server.status, server.lock = [], 200, threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/frontdesk"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_agent(broker):
    """fake_agent(site, agent, {device: kind}) -> a connected FakeAgent (closed after the test)."""
    made = []

    def make(site: str = "hq", agent: str = "main", devices: dict[str, str] | None = None) -> FakeAgent:
        made.append(FakeAgent(broker, site, agent, devices or {"desk-printer": "printer", "copier": "copier"}))
        return made[-1]

    yield make
    for agent in made:
        agent.close()


@pytest.fixture
def fake_kiosk(broker):
    made = []

    def make(site: str = "hq", kiosk: str = "lobby") -> FakeKiosk:
        made.append(FakeKiosk(broker, site, kiosk))
        return made[-1]

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def running_manager(broker, tmp_path):
    """running_manager(database_url, extra_toml) -> (config, history, ingestor), started and
    connected; stopped after the test. Call it again to "restart" with the same database."""
    from frontdesk.manager.history.store import History
    from frontdesk.manager.ingest import Ingestor

    started = []

    def start(database_url: str, extra: str = "", **settings):
        config = manager_config(broker, database_url, tmp_path / "manager", extra, **settings)
        history = History(database_url)
        ingestor = Ingestor(config, history)
        ingestor.start()
        assert ingestor.subscribed.wait(10), "the manager did not subscribe on the test broker"
        started.append((ingestor, history))
        return config, history, ingestor

    yield start
    for ingestor, history in reversed(started):
        ingestor.stop()
        history.close()


@pytest.fixture
def alerting(broker, tmp_path):
    """alerting(extra_toml, database_url=SQLite) -> (alerter, history, ingestor), all started.
    Call it again to "restart" the manager: the earlier one is stopped first."""
    from frontdesk.manager.alerts import Alerter
    from frontdesk.manager.history.store import History
    from frontdesk.manager.ingest import Ingestor

    started = []

    def start(extra: str, database_url: str | None = None, retry_seconds: float = 60):
        for ingestor, alerter, _ in started:
            ingestor.stop()
            alerter.stop()
        database_url = database_url or f"sqlite:///{tmp_path / 'history.db'}"
        config = manager_config(broker, database_url, tmp_path / "manager", extra)
        history = History(database_url)
        ingestor = Ingestor(config, history)
        alerter = Alerter(config, history, retry_seconds=retry_seconds, tick_seconds=0.1)
        alerter.attach(ingestor)
        alerter.start()
        ingestor.start()
        assert ingestor.subscribed.wait(10)
        started.append((ingestor, alerter, history))
        return alerter, history, ingestor

    yield start
    for ingestor, alerter, history in reversed(started):
        ingestor.stop()
        alerter.stop()
        history.close()


@pytest.fixture
def history(database_url):
    """An opened History on each database (`database_url`), closed after the test."""
    from frontdesk.manager.history.store import History

    opened = History(database_url)
    yield opened
    opened.close()
