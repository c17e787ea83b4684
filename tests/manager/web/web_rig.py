"""A real manager with its dashboard, and Debian's Chromium to look at it.

Shared by tests/manager/web/ and tests/bench/bench_dashboard.py: History on SQLite,
a real Ingestor on a real Mosquitto, the dashboard served by uvicorn on a free
port in a thread, and a headless Chromium driven by Playwright.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from testbed import wait_until

from frontdesk.contract.config import FrontdeskConfig, parse_config

USER, PASSWORD = "anna", "correct horse battery"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

_hash_cache: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    from frontdesk.manager.passwords import hash_password

    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def web_config(data_dir: Path, mqtt_host: str = "127.0.0.1", mqtt_port: int = 1, dashboard: str = "") -> FrontdeskConfig:
    """A manager config with one dashboard user, as the office writes it."""
    return parse_config(
        f'site = "hq"\n[office]\ntimezone = "Europe/Bucharest"\n'
        f'[mqtt]\nhost = "{mqtt_host}"\nport = {mqtt_port}\n'
        f'[manager]\ndatabase = "sqlite:///{data_dir / "history.db"}"\ndata_dir = "{data_dir}"\n'
        f'[manager.dashboard]\nsession_hours = 1\n{dashboard}'
        f'[[manager.dashboard.users]]\nname = "{USER}"\npassword_hash = "{password_hash()}"\n'
    )


class ManagerRig:
    """History + Ingestor + dashboard server. With `connect=False` the Ingestor is never
    started: enough for the login tests, which need no broker."""

    def __init__(self, config: FrontdeskConfig, connect: bool = True, app_options: dict | None = None) -> None:
        from frontdesk.manager.history.store import History
        from frontdesk.manager.ingest import Ingestor
        from frontdesk.manager.web.app import create_app

        self.config, self.connect = config, connect
        self.history = History(config.manager.database)
        self.ingestor = Ingestor(config, self.history)
        self.app = create_app(config, self.history, self.ingestor, **(app_options or {}))
        self.dashboard = self.app.state.dashboard
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ManagerRig:
        from frontdesk.manager.web.server import serve

        if self.connect:
            self.ingestor.start()
            if not self.ingestor.subscribed.wait(10):
                raise RuntimeError("the manager did not subscribe on the test broker")
        self._thread = threading.Thread(target=serve, name="dashboard",
                                        args=(self.config, self.history, self.ingestor, self._stop),
                                        kwargs={"sock": self._sock, "app": self.app})
        self._thread.start()
        wait_until(self._listening, 10, "the dashboard listening", interval=0.02)
        return self

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def __exit__(self, *exc_info) -> None:
        self.stop_server()
        if self.connect:
            self.ingestor.stop()
        self.history.close()

    def stop_server(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
            assert not self._thread.is_alive(), "the dashboard did not stop when asked"


@contextmanager
def chromium():
    """Debian's Chromium, headless (never a browser downloaded by Playwright)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page, url: str, user: str = USER, password: str = PASSWORD) -> None:
    page.goto(url + "/")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")
    page.wait_for_selector("#live[data-state=live]")


def card_id(site: str, agent: str, device: str) -> str:
    return f"device:{site}/{agent}/{device}"


# Resolves window.__changed with Date.now() as soon as the card shows `health`.
WATCH_CARD = """([id, health]) => {
  window.__changed = null;
  const seen = () => { const card = document.getElementById(id);
                       return card && card.dataset.health === health; };
  const observer = new MutationObserver(() => {
    if (!window.__changed && seen()) { window.__changed = Date.now(); observer.disconnect(); }
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def measure_card_change(page, site: str, agent: str, device: str, health: str, publish, timeout_ms: int = 10000) -> float:
    """Seconds from `publish()` (the MQTT message leaving) to the card showing `health` in the page.
    The watcher lives in the page's window: a page reload would lose it, so a result also
    proves the card changed in place."""
    page.evaluate(WATCH_CARD, [card_id(site, agent, device), health])
    started = time.time()
    publish()
    page.wait_for_function("() => window.__changed", timeout=timeout_ms)
    return page.evaluate("() => window.__changed") / 1000 - started
