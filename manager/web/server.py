"""Running the dashboard: uvicorn in the calling thread until `stop` is set.

`frontdesk-manager run` calls `serve(config, history, ingestor, stop)`; signals are
the caller's business (it sets `stop`), so uvicorn is told not to install its own
handlers, which would also fail outside the main thread.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any

import uvicorn

from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.config_errors import ConfigError
from frontdesk.contract.config_files import certificate_and_key
from frontdesk.manager.web.app import create_app

log = logging.getLogger("frontdesk.manager.web")

# A stream still open at shutdown is closed by us; this only bounds a stuck request.
GRACEFUL_SECONDS = 3


class _Server(uvicorn.Server):
    """uvicorn's server, stopped by a threading.Event instead of a signal."""

    def __init__(self, config: uvicorn.Config, stop: threading.Event, on_stop) -> None:
        super().__init__(config)
        self._stop, self._on_stop = stop, on_stop

    @contextlib.contextmanager
    def capture_signals(self):
        yield  # the caller owns the signals

    async def on_tick(self, counter: int) -> bool:
        if self._stop.is_set():
            self._on_stop()  # end the event streams, or shutdown would wait for them
            return True
        return await super().on_tick(counter)


def serve(config: FrontdeskConfig, history: Any, ingestor: Any, stop: threading.Event, *,
          sock: socket.socket | None = None, app: Any = None) -> None:
    """Serve the dashboard on [manager.dashboard] host:port; returns once `stop` is set.

    `sock` (an already bound socket) and `app` are for tests that need a free port
    or their own app. A port that cannot be bound, or a TLS certificate or key that cannot
    be used, is a ConfigError naming the key.
    """
    dashboard = config.manager.dashboard
    tls = _tls_files(dashboard)
    if sock is None:
        sock = _bind(dashboard.host, dashboard.port)
    with sock:
        app = app if app is not None else create_app(config, history, ingestor)
        if not dashboard.users:
            log.warning("no [[manager.dashboard.users]] configured: nobody can log in to the dashboard "
                        "(make a password hash with `frontdesk-manager hash-password`)")
        # proxy_headers: behind a reverse proxy on the same machine (TLS), X-Forwarded-For from
        # 127.0.0.1 gives the real client address, which the login throttle counts per address.
        server_config = uvicorn.Config(app, host=dashboard.host, port=dashboard.port, log_config=None,
                                       access_log=False, lifespan="on", proxy_headers=True,
                                       forwarded_allow_ips="127.0.0.1", timeout_graceful_shutdown=GRACEFUL_SECONDS,
                                       **tls)
        server = _Server(server_config, stop, app.state.dashboard.broadcaster.close)
        log.info("dashboard on %s://%s:%s/", "https" if tls else "http", *sock.getsockname()[:2])
        server.run(sockets=[sock])


def _tls_files(dashboard) -> dict[str, str]:
    """uvicorn's TLS settings; the pair is tried first, so a bad file is one line naming the key."""
    if not dashboard.https:
        return {}
    problems = certificate_and_key("manager.dashboard", ("tls_certificate", dashboard.tls_certificate),
                                   ("tls_key", dashboard.tls_key))
    if problems:
        raise ConfigError(*problems)
    return {"ssl_certfile": str(dashboard.tls_certificate), "ssl_keyfile": str(dashboard.tls_key)}


def _bind(host: str, port: int) -> socket.socket:
    """Bind here, so a busy port is one clear line rather than uvicorn's exit()."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        raise ConfigError(f"manager.dashboard.port: cannot listen on {host}:{port}: {error.strerror}") from None
    return sock
