"""Telling the office manager when a device needs a person: email and an optional webhook.

Rules (docs/manager.md):
* `error` or `offline` is announced at once; `warning` once it has lasted
  `warning_after_minutes` (a toner running low is not worth a mail at 9:00 if it is
  replaced by 9:05).
* Once per incident. A device that recovers and fails again within `hold_down_seconds`
  continues its incident (no new mail), and the recovery is only announced after it stayed
  ok that long, with how long it was down.
* An agent (or kiosk) that goes offline is one incident of its own, not one per device:
  its devices' states are then simply the last it published, and one mail says what is
  wrong. Its devices' own incidents carry on as they were.
* A device taken out of its agent's config (its retained state cleared) ends its incident
  there. If the fault was announced, one message says so and how long the incident lasted,
  in place of the recovery (after the same hold-down: put back at once, it carries on); if
  it never was, nothing is sent.
* A failed send (SMTP or webhook down) is logged and retried every `retry_seconds`; a
  channel that already took the message is not sent it again.

Everything runs on the Alerter's own thread: the ingest only queues messages for it, so
a slow mail server never holds up the history.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from frontdesk.contract import clock
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.states import parse_state
from frontdesk.manager.history.incidents import IncidentBook
from frontdesk.manager.history.schema import REMOVED
from frontdesk.manager.mailer import MailError, send_mail

log = logging.getLogger("frontdesk.manager.alerts")


class DeliveryError(Exception):
    pass


def duration_words(seconds: float) -> str:
    """'2 h 05 min', '5 min 12 s', '42 s': downtime as people say it."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _what(incident: dict) -> str:
    if incident["device"] is None:
        return f"{incident['kind']} {incident['agent']} at {incident['site']}"
    return f"{incident['device']} ({incident['kind']}) on {incident['site']}/{incident['agent']}"


def _reasons(incident: dict) -> str:
    return ", ".join(reason.replace("_", " ") for reason in incident["reasons"]) or "no reason given"


class Alerter:
    def __init__(self, config: FrontdeskConfig, history, retry_seconds: float = 60, tick_seconds: float = 1) -> None:
        self.config = config
        self.rules = config.manager.alerts
        self.book = IncidentBook(history.engine, self.rules.hold_down_seconds)
        self.retry = timedelta(seconds=retry_seconds)
        self.tick = tick_seconds
        self.zone = ZoneInfo(config.office.timezone)
        self.sent: list[tuple[str, int]] = []  # (what, incident id) for each fully delivered alert
        self._inbox: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._delivered: dict[tuple[str, int], set[str]] = {}  # channels that already took it
        self._next_try: dict[tuple[str, int], datetime] = {}
        # Devices with an open incident: an `ok` state of any other device (nearly every
        # state message) then needs no database work at all.
        self._open = {(i["site"], i["agent"], i["device"]) for i in history.open_incidents()}
        self._thread = threading.Thread(target=self._run, name="manager-alerts", daemon=True)

    def attach(self, ingestor) -> None:
        ingestor.add_listener(self.on_message)

    def on_message(self, message) -> None:
        """Ingest listener: only queues, the work happens on the Alerter's thread."""
        if message.kind in ("state", "removed", "availability"):
            self._inbox.put(message)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._inbox.put(None)
        self._thread.join(timeout=30)

    # --- the Alerter's thread ------------------------------------------------------------

    def _run(self) -> None:
        next_check = time.monotonic()
        while not self._stop.is_set():
            try:
                message = self._inbox.get(timeout=max(0.0, next_check - time.monotonic()))
            except queue.Empty:
                message = None
            try:
                if message is not None:
                    self.apply(message)
                # A burst is taken message by message, but never for longer than a tick
                # without looking at what is due.
                if time.monotonic() >= next_check:
                    self.check(clock.now())
                    next_check = time.monotonic() + self.tick
            except sa.exc.SQLAlchemyError as error:  # the database away for a moment
                log.error("alert check failed, the history database did not answer (%s); trying again",
                          str(getattr(error, "orig", error)).strip().splitlines()[0])
                self._stop.wait(5)
            except Exception:  # a bug: say where, and keep alerting about the rest
                log.exception("alert check failed; trying again")
                self._stop.wait(self.tick)

    def apply(self, message) -> None:
        """Open, continue or end the incident this state, removal or availability message is about."""
        now = message.received_at
        key = (message.site, message.source_id, message.device)
        if message.kind == "removed":
            if key in self._open:
                self.book.removed(*key, now)
                self._open.discard(key)
            return
        if message.kind == "availability":
            healthy = message.payload != "offline"
            kind, health, reasons, since = message.source, "offline", [f"{message.source}_offline"], now
        else:
            state = parse_state(message.payload)
            healthy = state.health == "ok"
            kind, health, reasons, since = state.kind, state.health, list(state.reasons), state.since
        if healthy:
            if key in self._open:
                self.book.ok(*key, since)
                self._open.discard(key)
            return
        self.book.fault(*key, kind, health, reasons, since, now)
        self._open.add(key)

    def check(self, now: datetime) -> None:
        """Send what is due: faults past their threshold, recoveries past the hold-down."""
        warning_after = timedelta(minutes=self.rules.warning_after_minutes)
        for incident in self.book.due_faults(now, warning_after):
            if self._deliver("fault", incident, now):
                self.book.mark(incident["id"], "alerted_at", now)
        for incident in self.book.due_recoveries(now):
            if self._deliver("removed" if incident["ended_by"] == REMOVED else "recovery", incident, now):
                self.book.mark(incident["id"], "recovery_alerted_at", now)

    # --- delivery ------------------------------------------------------------------------

    def _channels(self) -> list[str]:
        channels = []
        if self.rules.email_to and self.config.manager.smtp is not None:
            channels.append("email")
        if self.rules.webhook is not None:
            channels.append("webhook")
        return channels

    def _deliver(self, what: str, incident: dict, now: datetime) -> bool:
        """Send on every channel that has not taken it yet; True once all have."""
        key = (what, incident["id"])
        if self._next_try.get(key, now) > now:
            return False
        done = self._delivered.setdefault(key, set())
        for channel in self._channels():
            if channel in done:
                continue
            try:
                (self._email if channel == "email" else self._webhook)(what, incident)
            except DeliveryError as error:
                log.error("could not send the %s alert for %s by %s: %s; retrying in %s", what, _what(incident),
                          channel, error, duration_words(self.retry.total_seconds()))
                self._next_try[key] = now + self.retry
                return False
            done.add(channel)
        self._delivered.pop(key, None)
        self._next_try.pop(key, None)
        self.sent.append(key)
        log.info("%s alert sent for %s (incident %s)", what, _what(incident), incident["id"])
        return True

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S %Z")

    def compose(self, what: str, incident: dict) -> tuple[str, str]:
        """(subject, text) of the mail."""
        lines = [f"Site: {incident['site']}", f"Agent: {incident['agent']}" if incident["device"] else
                 f"{incident['kind'].capitalize()}: {incident['agent']}"]
        if incident["device"]:
            lines.append(f"Device: {incident['device']} ({incident['kind']})")
        lines += [f"Health: {incident['health']}", f"Reasons: {_reasons(incident)}",
                  f"Since: {self._local(incident['started_at'])}"]
        if what == "fault":
            subject = f"[Frontdesk] {_what(incident)}: {incident['health']} ({_reasons(incident)})"
        elif what == "removed":
            lasted = duration_words((incident["ended_at"] - incident["started_at"]).total_seconds())
            subject = f"[Frontdesk] {_what(incident)} removed from the agent's config; incident closed after {lasted}"
            lines += [f"Removed: {self._local(incident['ended_at'])}", f"Incident lasted: {lasted}"]
        else:
            down = duration_words((incident["ended_at"] - incident["started_at"]).total_seconds())
            subject = f"[Frontdesk] {_what(incident)} recovered after {down}"
            lines += [f"Recovered: {self._local(incident['ended_at'])}", f"Down for: {down}"]
        lines.append(f"Incident: {incident['id']}")
        return subject, "\n".join(lines) + "\n"

    def _email(self, what: str, incident: dict) -> None:
        subject, text = self.compose(what, incident)
        try:
            refused = send_mail(self.config.manager.smtp, self.rules.email_to, subject, text)
        except MailError as error:
            raise DeliveryError(str(error)) from None
        if refused:
            log.warning("the mail server refused %s for the %s alert", ", ".join(refused), what)

    def webhook_body(self, what: str, incident: dict) -> dict:
        ended = incident["ended_at"] if what in ("recovery", "removed") else None
        return {"type": what, "incident": incident["id"], "site": incident["site"], "agent": incident["agent"],
                "device": incident["device"], "kind": incident["kind"], "health": incident["health"],
                "reasons": list(incident["reasons"]), "started_at": incident["started_at"].isoformat(),
                "ended_at": ended.isoformat() if ended else None,
                "down_seconds": (ended - incident["started_at"]).total_seconds() if ended else None,
                "text": self.compose(what, incident)[0].removeprefix("[Frontdesk] ")}

    def _webhook(self, what: str, incident: dict) -> None:
        hook = self.rules.webhook
        body = json.dumps(self.webhook_body(what, incident)).encode("utf-8")
        request = urllib.request.Request(hook.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "frontdesk-manager"})
        try:
            with urllib.request.urlopen(request, timeout=hook.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise DeliveryError(f"{hook.url} answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError) as error:
            raise DeliveryError(f"cannot reach {hook.url}: {getattr(error, 'reason', error)}") from None
