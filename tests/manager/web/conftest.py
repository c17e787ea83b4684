"""Fixtures of the dashboard tests: a running manager with its web server, and Chromium."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # web_rig

from web_rig import ManagerRig, chromium, web_config  # noqa: E402


@pytest.fixture
def offline_web(tmp_path):
    """The dashboard with a never-started Ingestor: for what needs no broker (logins)."""
    with ManagerRig(web_config(tmp_path / "manager"), connect=False) as rig:
        yield rig


@pytest.fixture
def live_web(broker, tmp_path):
    """A whole manager on the test broker, dashboard included."""
    config = web_config(tmp_path / "manager", broker.host, broker.port)
    with ManagerRig(config) as rig:
        yield rig


@pytest.fixture(scope="session")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where screenshots go: $FRONTDESK_SCREENSHOTS if set (to look at them), else tmp_path."""
    folder = Path(os.environ.get("FRONTDESK_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def desktop(browser):
    """A fresh browser context (no cookies) at a desk monitor's size."""
    from web_rig import DESKTOP

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems = []  # script errors and CSP violations show up here
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    # A 401 is how a page learns that its session ended; anything else is a fault of the page.
    assert [p for p in problems if "401 (Unauthorized)" not in p] == []


@pytest.fixture
def start_agent(broker, tmp_path):
    """start_agent(devices_toml) -> `frontdesk-agent` as a real process on the broker (id "main", site "hq")."""
    import shutil
    import subprocess

    started = []

    def start(devices: str) -> subprocess.Popen:
        config = tmp_path / "agent.toml"
        config.write_text(
            f'site = "hq"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
            f'[agent]\nid = "main"\ndata_dir = "{tmp_path / "agent-data"}"\nprinter_interval = 0.5\n{devices}'
        )
        script = shutil.which("frontdesk-agent", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-m", "frontdesk.agent.daemon"]
        log = (tmp_path / "agent.log").open("w")
        started.append((subprocess.Popen([*command, "--config", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, "FRONTDESK_CONFIG": ""}), log))
        return started[-1][0]

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def real_agent(start_agent, printer_sim):
    """The agent with the network printer simulator."""
    return start_agent(
        f'[[printer]]\nid = "desk-printer"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        'status_timeout = 0.3\ntimeout = 2.0\n'
    )


@pytest.fixture
def queue_agent(start_agent, cups_lab):
    """The agent with the private cupsd's copier queue."""
    return start_agent(f'[cups]\nserver = "{cups_lab.server}"\n[[queue]]\nid = "copier"\ncups_name = "Copier"\n'
                       'kind = "copier"\n')
