"""The parts of the login that depend on time and files: throttling, session age, the key file."""

from __future__ import annotations

import stat

import pytest

from frontdesk.contract.config_errors import ConfigError
from frontdesk.manager.web.auth import LoginThrottle, Sessions, session_secret


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_locked_address_is_let_in_again_after_the_lockout():
    clock = Clock()
    throttle = LoginThrottle(limit=3, window=60, lockout=300, clock=clock)
    for _ in range(3):
        assert throttle.wait_seconds("10.0.0.5", "anna") == 0
        throttle.failed("10.0.0.5", "anna")
    assert throttle.wait_seconds("10.0.0.5", "anna") == 300
    assert throttle.wait_seconds("10.0.0.6", "bob") == 0
    clock.now += 299
    assert throttle.wait_seconds("10.0.0.5", "anna") == pytest.approx(1)
    clock.now += 2
    assert throttle.wait_seconds("10.0.0.5", "anna") == 0


def test_failures_spread_beyond_the_window_do_not_lock():
    clock = Clock()
    throttle = LoginThrottle(limit=3, window=60, lockout=300, clock=clock)
    for _ in range(10):
        throttle.failed("10.0.0.5", "anna")
        clock.now += 31  # two failures per window at most
    assert throttle.wait_seconds("10.0.0.5", "anna") == 0


def test_a_success_forgets_the_earlier_failures():
    throttle = LoginThrottle(limit=3, clock=Clock())
    throttle.failed("10.0.0.5", "anna")
    throttle.failed("10.0.0.5", "anna")
    throttle.succeeded("10.0.0.5", "anna")
    throttle.failed("10.0.0.5", "anna")
    assert throttle.wait_seconds("10.0.0.5", "anna") == 0


def test_guessing_one_name_from_many_addresses_locks_the_name():
    throttle = LoginThrottle(limit=5, name_limit=4, clock=Clock())
    for address in range(4):
        throttle.failed(f"10.0.0.{address}", "Anna")
    assert throttle.wait_seconds("10.9.9.9", "anna") > 0  # names compare without case
    assert throttle.wait_seconds("10.9.9.9", "bob") == 0


def test_a_session_ends_after_its_hours_however_busy():
    clock = Clock()
    sessions = Sessions({"anna": "scrypt$..."}, max_age=3600, clock=clock)
    session: dict = {"csrf": "from the login form"}
    sessions.start(session, "anna")
    assert sessions.user(session) == "anna" and session["csrf"] != "from the login form"
    clock.now += 3599
    assert sessions.user(session) == "anna"
    clock.now += 2
    assert sessions.user(session) is None


def test_a_session_for_an_unknown_user_or_with_junk_is_anonymous():
    sessions = Sessions({"anna": "scrypt$..."}, max_age=3600, clock=Clock())
    for junk in ({}, {"user": "bob", "login_at": 1000.0}, {"user": "anna", "login_at": "yesterday"},
                 {"user": ["anna"], "login_at": 1000.0}):
        assert sessions.user(junk) is None


def test_the_session_key_is_made_once_and_private(tmp_path):
    path = tmp_path / "deep" / "session.key"
    key = session_secret(path)
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_secret(path) == key


def test_an_unusable_session_key_file_is_one_clear_error(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("abc\n")
    with pytest.raises(ConfigError, match=r"manager.dashboard.secret_file: .*short.key holds no usable key"):
        session_secret(short)
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    with pytest.raises(ConfigError, match=r"manager.dashboard.secret_file: cannot create"):
        session_secret(blocked / "session.key")


def test_a_busy_port_is_one_clear_error(tmp_path):
    import socket
    import threading

    from web_rig import web_config

    from frontdesk.manager.history.store import History
    from frontdesk.manager.ingest import Ingestor
    from frontdesk.manager.web.server import serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = web_config(tmp_path, dashboard=f"port = {port}\n")
        history = History(config.manager.database)
        with pytest.raises(ConfigError, match=rf"^manager.dashboard.port: cannot listen on 127.0.0.1:{port}: "):
            serve(config, history, Ingestor(config, history), threading.Event())
        history.close()
