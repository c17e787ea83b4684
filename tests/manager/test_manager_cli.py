"""`frontdesk-manager` as the office runs it: a real process, real broker, SMTP and database."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from mail_lab import free_port

from frontdesk.manager.history import schema
from frontdesk.manager.passwords import password_matches
from testbed import unit_complaints, wait_until

UNIT = Path(__file__).parents[2] / "systemd" / "frontdesk-manager.service"


def manager(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "frontdesk.manager.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "FRONTDESK_CONFIG": ""}, start_new_session=True)


def test_hash_password_from_standard_input():
    result = manager("hash-password", "--stdin", stdin="lobby-desk-2026\n")
    assert result.returncode == 0, result.stderr
    assert password_matches("lobby-desk-2026", result.stdout.strip())


def test_hash_password_asks_twice(tmp_path):
    # Without a terminal getpass reads the two answers from standard input (and says so on stderr).
    result = manager("hash-password", stdin="lobby-desk-2026\nlobby-desk-2026\n")
    assert result.returncode == 0, result.stderr
    assert password_matches("lobby-desk-2026", result.stdout.strip().splitlines()[-1])
    result = manager("hash-password", stdin="lobby-desk-2026\nlobby-desk-2025\n")
    assert result.returncode == 1 and "the two passwords differ" in result.stderr and result.stdout == ""
    result = manager("hash-password", "--stdin", stdin="short\n")
    assert result.returncode == 1 and "at least 8 characters" in result.stderr


def test_a_config_mistake_is_one_line_and_exit_2(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text('[manager.alerts]\nhold_down = 5\n')
    for args in (("--config", str(config), "run"), ("run", "--config", str(config))):
        result = manager(*args)
        assert result.returncode == 2
        assert result.stderr == "frontdesk-manager: manager.alerts.hold_down: unknown key; did you mean 'hold_down_seconds'?\n"


def test_an_unreachable_database_is_exit_1_for_systemd_to_retry(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'[manager]\ndatabase = "postgresql://frontdesk:pw@127.0.0.1:{free_port()}/history"\n')
    result = manager("--config", str(config), "run")
    assert result.returncode == 1
    assert re.fullmatch(r"frontdesk-manager: cannot open the history database postgresql\+psycopg://frontdesk:\*\*\*@"
                        r"127\.0\.0\.1:\d+/history: .*\n", result.stderr), result.stderr


def test_report_is_delegated_to_the_report_command(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'[manager]\ndatabase = "sqlite:///{tmp_path / "history.db"}"\n')
    result = manager("--config", str(config), "report", "--from", "2026-02-01", "--to", "2026-01-01")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "frontdesk-manager report" in manager("report", "--help").stdout


def test_run_stores_alerts_serves_and_stops_cleanly(broker, smtp_server, fake_agent, tmp_path):
    port = free_port()
    database = tmp_path / "data" / "history.db"
    config = tmp_path / "frontdesk.toml"
    config.write_text(
        f'site = "hq"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[manager]\ndatabase = "sqlite:///{database}"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[manager.dashboard]\nport = {port}\n'
        f'[manager.alerts]\nemail_to = ["manager@example.com"]\n' + smtp_server.toml())
    process = subprocess.Popen([sys.executable, "-m", "frontdesk.manager.cli", "--config", str(config), "run"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "FRONTDESK_CONFIG": ""})
    try:
        def dashboard_answers() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).status == 200
            except OSError:
                return False

        assert wait_until(dashboard_answers, timeout=30), "the dashboard did not answer"
        agent = fake_agent()
        agent.all_ok()  # retained: the manager gets it whenever it subscribes
        agent.flush()
        assert wait_until(lambda: _count(database, schema.device_states) == 2, timeout=30)
        agent.state("desk-printer", "error", ["paper_out"])
        agent.receipt("2026-000001")  # not retained: published once the manager surely listens
        agent.flush()
        (mail,) = smtp_server.wait_for(1, timeout=30)
        assert "desk-printer" in mail["Subject"]
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Traceback" not in output and "stopping" in output
    assert _count(database, schema.receipts) == 1 and _count(database, schema.device_states) == 3


def _count(database: Path, table: sa.Table) -> int:
    if not database.exists():
        return 0
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    except sa.exc.OperationalError:  # the tables are being created
        return 0
    finally:
        engine.dispose()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_file_verifies_apart_from_the_executable_of_the_pi():
    complaints = unit_complaints(UNIT)
    assert complaints and all(re.search(r"Command /opt/frontdesk/bin/frontdesk-manager is not executable", line)
                              for line in complaints), complaints
    text = UNIT.read_text()
    assert "Restart=on-failure" in text and "RestartPreventExitStatus=2" in text and "User=frontdesk-manager" in text
