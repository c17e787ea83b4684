"""The dashboard as a Starlette app: login, the board, its live stream and the actions.

`create_app(config, history, ingestor)` wires it together and can be tested
without uvicorn; `manager.web.server.serve` runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from pathlib import Path
from typing import Any

from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from frontdesk.contract.config import FrontdeskConfig
from frontdesk.manager.passwords import hash_password, password_matches
from frontdesk.manager.web import actions
from frontdesk.manager.web.auth import (
    AuthGate,
    LoginThrottle,
    Sessions,
    csrf_matches,
    csrf_token,
    session_secret,
)
from frontdesk.manager.web.board import Board
from frontdesk.manager.web.push import Broadcaster
from frontdesk.manager.web.render import Renderer

log = logging.getLogger("frontdesk.manager.web")

STATIC = Path(__file__).parent / "static"
COOKIE = "frontdesk_manager_session"
MAX_NAME, MAX_PASSWORD = 200, 1000
PING_SECONDS = 15  # keeps proxies from closing a quiet stream
RETRY_MS = 1000  # how soon a browser reconnects a dropped stream


def secret_path(config: FrontdeskConfig) -> Path:
    dashboard = config.manager.dashboard
    return dashboard.secret_file or config.manager.data_dir / "session.key"


class Dashboard:
    """The app's state and its request handlers."""

    def __init__(self, config: FrontdeskConfig, history: Any, ingestor: Any, throttle: LoginThrottle,
                 action_timeout: float) -> None:
        dashboard = config.manager.dashboard
        self.ingestor, self.throttle, self.action_timeout = ingestor, throttle, action_timeout
        self.users = {user.name: user.password_hash for user in dashboard.users}
        self.sessions = Sessions(self.users, dashboard.session_hours * 3600)
        self.renderer = Renderer(config.office.timezone)
        self.board = Board()
        self.broadcaster = Broadcaster(lambda targets: self.renderer.updates(self.board, targets))
        # Compared against when the user name is unknown, so a wrong name takes as long as a wrong password.
        self._decoy_hash = hash_password(secrets.token_urlsafe(16))
        ingestor.add_listener(self.on_message)
        self.board.load(history.engine)

    def on_message(self, message: Any) -> None:
        """The Ingestor's listener (its thread): update the board, tell the browsers."""
        self.broadcaster.notify(self.board.apply(message))

    # --- login ---

    async def login_page(self, request: Request) -> Response:
        if self.sessions.user(request.session):
            return RedirectResponse("/", status_code=303)
        return self._login_form(request)

    def _login_form(self, request: Request, error: str = "", status: int = 200, name: str = "") -> Response:
        html = self.renderer.page("login.html", csrf=csrf_token(request.session), error=error, name=name,
                                  no_users=not self.users)
        return HTMLResponse(html, status_code=status)

    async def login(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        name, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
        if not csrf_matches(request.session, form.get("csrf")):
            return self._login_form(request, "The login form had expired. Please try again.", 400, name)
        if not name or not password or len(name) > MAX_NAME or len(password) > MAX_PASSWORD:
            return self._login_form(request, "Enter your user name and password.", 400, name)
        address = request.client.host if request.client else "unknown"
        wait = self.throttle.wait_seconds(address, name)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return self._login_form(request, f"Too many failed attempts. Try again in {minutes} minute"
                                    f"{'s' if minutes != 1 else ''}.", 429, name)
        known = name in self.users
        matches = await run_in_threadpool(password_matches, password, self.users.get(name, self._decoy_hash))
        if not (known and matches):
            self.throttle.failed(address, name)
            log.warning("failed dashboard login for %r from %s", name[:40], address)
            return self._login_form(request, "Wrong user name or password.", 401, name)
        self.throttle.succeeded(address, name)
        self.sessions.start(request.session, name)
        log.info("%s logged in to the dashboard from %s", name, address)
        return RedirectResponse("/", status_code=303)

    async def logout(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        if not csrf_matches(request.session, form.get("csrf")):
            return HTMLResponse("The logout form had expired; go back and try again.", status_code=400)
        self.sessions.end(request.session)
        return RedirectResponse("/login", status_code=303)

    # --- the board ---

    async def page(self, request: Request) -> Response:
        with self.board.lock:
            html = self.renderer.page("dashboard.html", board=self.board, user=self.sessions.user(request.session),
                                      csrf=csrf_token(request.session))
        return HTMLResponse(html)

    async def snapshot(self, request: Request) -> Response:
        with self.board.lock:
            html, seq = self.renderer.board(self.board), self.board.seq
            devices = [{"site": d.site, "agent": d.agent, "device": d.id, "kind": d.kind, "health": d.health,
                        "reasons": d.reasons} for d in self.board.all_devices()]
        return JSONResponse({"seq": seq, "html": html, "devices": devices})

    async def events(self, request: Request) -> Response:
        subscriber = self.broadcaster.subscribe()

        async def stream():
            try:
                yield ServerSentEvent(data="{}", event="hello", retry=RETRY_MS)
                while True:
                    batch = await subscriber.next()
                    if batch is None:
                        return
                    yield ServerSentEvent(data=json.dumps(batch), event="update")
            finally:
                self.broadcaster.unsubscribe(subscriber)

        return EventSourceResponse(stream(), ping=PING_SECONDS, headers={"Cache-Control": "no-store"})

    async def action(self, request: Request) -> Response:
        if not csrf_matches(request.session, request.headers.get("x-csrf-token")):
            return JSONResponse({"ok": False, "message": "The page's security token is stale: reload the page."},
                                status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return JSONResponse({"ok": False, "message": "Send the action as JSON."}, status_code=415)
        try:
            body = json.loads(await request.body())
            action = actions.parse_action(self.board, body)
        except ValueError:
            return JSONResponse({"ok": False, "message": "The request is not valid JSON."}, status_code=400)
        except actions.ActionError as error:
            return JSONResponse({"ok": False, "message": str(error)}, status_code=error.status)
        answer = await actions.perform(self.ingestor, action, self.sessions.user(request.session) or "?",
                                       self.action_timeout)
        return JSONResponse(answer)


def create_app(config: FrontdeskConfig, history: Any, ingestor: Any, *, throttle: LoginThrottle | None = None,
               secret_key: str | None = None, action_timeout: float = actions.REPLY_TIMEOUT) -> Starlette:
    """The dashboard app. The keyword arguments are for tests; by default the key is
    read from (or made in) the configured secret file."""
    dashboard = Dashboard(config, history, ingestor, throttle or LoginThrottle(), action_timeout)
    key = secret_key or session_secret(secret_path(config))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        dashboard.broadcaster.attach(asyncio.get_running_loop())
        yield
        dashboard.broadcaster.close()

    routes = [
        Route("/", dashboard.page),
        Route("/login", dashboard.login_page, methods=["GET"]),
        Route("/login", dashboard.login, methods=["POST"]),
        Route("/logout", dashboard.logout, methods=["POST"]),
        Route("/api/snapshot", dashboard.snapshot),
        Route("/api/action", dashboard.action, methods=["POST"]),
        Route("/events", dashboard.events),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(SessionMiddleware, secret_key=key, session_cookie=COOKIE, same_site="lax",
                   max_age=int(config.manager.dashboard.session_hours * 3600),
                   https_only=config.manager.dashboard.https),
        Middleware(AuthGate, sessions=dashboard.sessions, https=config.manager.dashboard.https),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.dashboard = dashboard
    return app
