"""Who may see the dashboard: login, sessions, CSRF tokens and the gate in front of every route.

Sessions are Starlette's SessionMiddleware: a cookie signed with itsdangerous
using the manager's secret key, so nothing needs to be stored server-side. A
session holds the user, when they logged in (sessions end after
`session_hours`, however busy), a session id (logging out revokes it even if
the cookie was copied) and a CSRF token that every POST must carry.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.contract.config_errors import ConfigError

log = logging.getLogger("frontdesk.manager.web")

# What an anonymous client may fetch: the login page and its stylesheet.
PUBLIC_PATHS = frozenset({"/login", "/static/login.css"})
API_PREFIXES = ("/api/", "/events")

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@dataclass
class Sessions:
    """The rules a session must pass, and the ids of sessions logged out before they expired."""
    users: dict[str, str]  # name -> password hash
    max_age: float  # seconds
    clock: Callable[[], float] = time.time
    _revoked: dict[str, float] = field(default_factory=dict)  # session id -> when it would have expired
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def user(self, session: dict) -> str | None:
        """The logged-in user of this session, or None."""
        name, login_at, sid = session.get("user"), session.get("login_at"), session.get("sid")
        if not isinstance(name, str) or name not in self.users or not isinstance(login_at, (int, float)):
            return None  # a user removed from the config is logged out too
        if self.clock() - login_at > self.max_age or sid in self._revoked:
            return None
        return name

    def start(self, session: dict, name: str) -> None:
        session.clear()  # a fresh session: nothing from before the login carries over
        session.update(user=name, login_at=self.clock(), sid=secrets.token_urlsafe(16),
                       csrf=secrets.token_urlsafe(32))

    def end(self, session: dict) -> None:
        sid = session.get("sid")
        if isinstance(sid, str):
            now = self.clock()
            with self._lock:
                self._revoked = {s: t for s, t in self._revoked.items() if t > now}
                self._revoked[sid] = now + self.max_age
        session.clear()


def csrf_token(session: dict) -> str:
    """The session's CSRF token (an anonymous session gets one for the login form)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_matches(session: dict, supplied: object) -> bool:
    expected = session.get("csrf")
    return isinstance(expected, str) and isinstance(supplied, str) and secrets.compare_digest(expected, supplied)


class LoginThrottle:
    """Failed logins per client address and per user name; too many within `window` locks that key.

    A guessing attacker is slowed to `limit` tries per `lockout` seconds per address. The
    per-name limit is higher, so an attacker elsewhere cannot easily lock a manager out.
    """

    def __init__(self, limit: int = 5, name_limit: int = 20, window: float = 900, lockout: float = 300,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = {"address": limit, "name": name_limit}
        self.window, self.lockout, self.clock = window, lockout, clock
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._locked_until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, address: str, name: str) -> float:
        """How long these keys are still locked out (0: not locked)."""
        now = self.clock()
        with self._lock:
            until = max(self._locked_until.get(key, 0.0) for key in self._keys(address, name))
        return max(0.0, until - now)

    def failed(self, address: str, name: str) -> None:
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            for key in self._keys(address, name):
                recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
                self._failures[key] = recent
                if len(recent) >= self.limits[key[0]]:
                    self._locked_until[key] = now + self.lockout
                    self._failures[key] = []

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            for key in self._keys(address, name):
                self._failures.pop(key, None)

    @staticmethod
    def _keys(address: str, name: str) -> list[tuple[str, str]]:
        return [("address", address), ("name", name.casefold())]

    def _forget_old(self, now: float) -> None:
        """Keep memory bounded whatever an attacker sends."""
        if len(self._failures) + len(self._locked_until) < 10_000:
            return
        self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
        self._locked_until = {k: t for k, t in self._locked_until.items() if t > now}


class AuthGate:
    """Pure ASGI middleware (inside SessionMiddleware): only the login page for anonymous clients.

    Pages redirect to /login; the API and the event stream answer 401, which the
    page's script turns into a redirect. Every response gets the security headers.
    """

    def __init__(self, app: ASGIApp, sessions: Sessions, https: bool = False) -> None:
        self.app, self.sessions = app, sessions
        self.headers = dict(SECURITY_HEADERS)
        if https:  # browsers are told to use nothing else for this host for a year
            self.headers["strict-transport-security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        send = _with_headers(send, self.headers, cacheable=path.startswith("/static/"))
        if path in PUBLIC_PATHS or self.sessions.user(scope["session"]) is not None:
            await self.app(scope, receive, send)
            return
        if path.startswith(API_PREFIXES):
            response = JSONResponse({"ok": False, "message": "Log in first."}, status_code=401)
        else:
            response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)


def _with_headers(send: Send, security: dict[str, str], cacheable: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in security.items():
                headers.setdefault(name, value)
            if not cacheable:
                headers.setdefault("cache-control", "no-store")
        await send(message)
    return sending


def session_secret(path: Path) -> str:
    """The key that signs session cookies: read from `path`, or made there (mode 0600) on first start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise ConfigError(f"manager.dashboard.secret_file: cannot create {path}: {error.strerror}") from None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    except OSError as error:
        raise ConfigError(f"manager.dashboard.secret_file: cannot create {path}: {error.strerror}") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    log.info("made a new session key in %s", path)
    return key


def _read_secret(path: Path) -> str:
    try:
        key = path.read_text(encoding="utf-8").strip()
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"manager.dashboard.secret_file: cannot read {path}: {error}") from None
    if len(key) < 32:
        raise ConfigError(f"manager.dashboard.secret_file: {path} holds no usable key (fewer than 32 characters); "
                          "delete it and a new one is made at the next start")
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users; anyone who reads it can forge a login (chmod 600 it)", path)
    return key
