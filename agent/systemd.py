"""Telling systemd how the agent is doing, without libsystemd.

systemd hands a service a unix datagram socket in `$NOTIFY_SOCKET` (a leading
`@` means the abstract namespace) and, when the unit sets `WatchdogSec=`, the
interval in `$WATCHDOG_USEC`. Outside systemd neither is set and everything
here does nothing, so the agent runs the same from a terminal.

* `notify(READY=1, STATUS="...")` sends one datagram of `KEY=value` lines.
* `Watchdog(check, stop).start()` pings `WATCHDOG=1` at half the interval, but
  only while `check()` says the agent is healthy: a hung or broken agent stops
  pinging and systemd restarts it.
* `grace_seconds()` is how long `check()` should forgive a lost broker.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger("frontdesk.agent.systemd")

# How long a lost broker link still counts as healthy. Restarting the agent cannot end a broker
# or network outage; it only helps when our own client is wedged. Short outages (a broker
# restart, a Wi-Fi drop) must never cost a restart, and a long one costs one restart per grace
# period rather than one every WatchdogSec, so devices stay supervised nearly all the time.
BROKER_GRACE = 600.0
GRACE_VARIABLE = "FRONTDESK_WATCHDOG_GRACE"


def notify(**fields: object) -> bool:
    """Send `KEY=value` lines to systemd; False when not under systemd or the send failed."""
    address = _socket_address(os.environ.get("NOTIFY_SOCKET", ""))
    if address is None:
        return False
    message = "\n".join(f"{key}={_one_line(value)}" for key, value in fields.items())
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            # Never block: a reader that stopped reading must not hang the agent (or its shutdown).
            sock.setblocking(False)
            sock.sendto(message.encode("utf-8"), address)
    except OSError as error:
        # Never let a notification take the agent down; systemd's own timeouts will tell.
        log.warning("could not notify systemd at %r: %s", os.environ.get("NOTIFY_SOCKET"), error)
        return False
    return True


def _socket_address(value: str) -> str | None:
    if value.startswith("@"):
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    return None  # unset, or a vsock: address (systemd in a VM), which the agent has no use for


def _one_line(value: object) -> str:
    return str(value).replace("\n", " ")


def watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """systemd's watchdog interval in seconds, or None when it is off or meant for another process."""
    usec, pid = environ.get("WATCHDOG_USEC", ""), environ.get("WATCHDOG_PID", "")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        seconds = int(usec) / 1_000_000
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not a number of microseconds", usec)
        return None
    return seconds if seconds > 0 else None


class Watchdog:
    """Pings systemd's watchdog at half its interval while `check()` returns True, until `stop` is set."""

    def __init__(self, check: Callable[[], bool], stop: threading.Event,
                 environ: Mapping[str, str] | None = None) -> None:
        self._check, self._stop = check, stop
        self.interval = watchdog_interval(os.environ if environ is None else environ)

    def start(self) -> bool:
        """Start pinging in a daemon thread; False when systemd asked for no watchdog."""
        if self.interval is None:
            return False
        threading.Thread(target=self._run, name="watchdog", daemon=True).start()
        return True

    def _run(self) -> None:
        was_healthy = True
        while True:
            healthy = self._healthy()
            if healthy:
                notify(WATCHDOG=1)
            if healthy != was_healthy:
                self._log_change(healthy)
            was_healthy = healthy
            if self._stop.wait(self.interval / 2):
                return

    def _healthy(self) -> bool:
        try:
            return bool(self._check())
        except Exception:  # noqa: BLE001 - a broken check is an unhealthy agent, not a dead watchdog
            log.exception("the health check failed")
            return False

    def _log_change(self, healthy: bool) -> None:
        if healthy:
            log.info("healthy again: watchdog pings resumed")
        else:
            log.error("unhealthy: watchdog pings withheld; systemd restarts the agent within %.0f s", self.interval)


def grace_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The broker grace period: `$FRONTDESK_WATCHDOG_GRACE` seconds, else BROKER_GRACE."""
    value = (os.environ if environ is None else environ).get(GRACE_VARIABLE, "")
    if not value:
        return BROKER_GRACE
    try:
        return max(float(value), 0.0)
    except ValueError:
        log.warning("ignoring %s=%r: not a number of seconds; using %.0f", GRACE_VARIABLE, value, BROKER_GRACE)
        return BROKER_GRACE
