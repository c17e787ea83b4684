"""Emailing the report on its schedule: daily, weekly (Mondays) or monthly (on the 1st).

At `[manager.report] send_at`, office time, the report for the last complete day,
week (Monday to Sunday) or calendar month goes to `email_to` as a PDF and an HTML
attachment through `manager.mailer.send_mail`. A small thread sleeps on an Event
until the next sending time (no polling loop), so `stop()` returns at once.

What was sent is remembered in `<data_dir>/report-schedule.json`: a manager
restarted after 07:00 sends that morning's report late instead of never, and
never twice. After a long outage only the latest report is sent, not a backlog.
On its very first start the scheduler sends nothing retroactively.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.contract import clock
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.manager.report.period import Period, previous_period

log = logging.getLogger("frontdesk.manager.report")
RETRY_SECONDS = 15 * 60  # after a failed send (mail server down): try again this much later
LONGEST_SLEEP = 3600  # wake up at least hourly, so a changed system clock is noticed
STATE_FILE = "report-schedule.json"


class ReportScheduler:
    def __init__(self, config: FrontdeskConfig, history, now: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.history = history
        self.settings = config.manager.report
        self.tz = ZoneInfo(config.office.timezone)
        self._now = now or clock.now
        self._state_path = Path(config.manager.data_dir) / STATE_FILE
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_slot: datetime | None = self._load_state()

    @property
    def enabled(self) -> bool:
        return self.settings.schedule != "off" and bool(self.settings.email_to) and self.config.manager.smtp is not None

    # When -----------------------------------------------------------------------------------

    def _is_send_day(self, day: date) -> bool:
        schedule = self.settings.schedule
        return schedule == "daily" or (schedule == "weekly" and day.weekday() == 0) or \
            (schedule == "monthly" and day.day == 1)

    def _send_time(self, day: date) -> datetime:
        hours, minutes = map(int, self.settings.send_at.split(":"))
        return datetime.combine(day, time(hours, minutes), tzinfo=self.tz).astimezone(timezone.utc)

    def latest_slot(self, moment: datetime) -> datetime | None:
        """The last sending time at or before `moment`."""
        today = moment.astimezone(self.tz).date()
        for back in range(0, 40):
            day = today - timedelta(days=back)
            if self._is_send_day(day) and self._send_time(day) <= moment:
                return self._send_time(day)
        return None

    def next_slot(self, moment: datetime) -> datetime:
        """The first sending time after `moment`."""
        today = moment.astimezone(self.tz).date()
        for ahead in range(0, 40):
            day = today + timedelta(days=ahead)
            if self._is_send_day(day) and self._send_time(day) > moment:
                return self._send_time(day)
        raise AssertionError("every schedule sends at least once in 40 days")

    def due(self, now: datetime | None = None) -> Period | None:
        """The period whose report should go out now, or None if it went out already."""
        if self.settings.schedule == "off":
            return None
        now = now or self._now()
        slot = self.latest_slot(now)
        if slot is None or (self._last_slot is not None and slot <= self._last_slot):
            return None
        return previous_period(self.settings.schedule, slot.astimezone(self.tz).date(), self.tz)

    # Sending --------------------------------------------------------------------------------

    def send(self, period: Period, now: datetime | None = None) -> None:
        """Make the report for `period` and mail it (MailError if the server does not take it)."""
        from frontdesk.manager.mailer import send_mail
        from frontdesk.manager.report.build import collect
        from frontdesk.manager.report.render import render_report, report_basename

        now = now or self._now()
        sites = tuple(self.config.manager.sites) or None
        data = collect(self.history.engine, period, sites, now)
        files = render_report(data, self.config.office)
        base = report_basename(data)
        subject, text = summary(data, self.config.office)
        send_mail(self.config.manager.smtp, self.settings.email_to, subject, text,
                  attachments=[(f"{base}.pdf", files["pdf"], "application/pdf"),
                               (f"{base}.html", files["html"], "text/html")])
        log.info("report for %s to %s sent to %s", period.first, period.last, ", ".join(self.settings.email_to))

    def run_pending(self, now: datetime | None = None) -> Period | None:
        """Send the report that is due, if any; returns its period."""
        now = now or self._now()
        period = self.due(now)
        if period is None:
            return None
        self.send(period, now)
        self._remember(self.latest_slot(now))
        return period

    # Thread ---------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.enabled:
            if self.settings.schedule != "off":
                log.warning("report schedule %r, but no email_to or [manager.smtp]: not sending reports",
                            self.settings.schedule)
            return
        if self._last_slot is None:  # first start: nothing retroactive
            self._remember(self.latest_slot(self._now()))
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="report-scheduler", daemon=True)
        self._thread.start()
        log.info("report %s, next at %s", self.settings.schedule, self.next_slot(self._now()).astimezone(self.tz))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            wait = None
            try:
                self.run_pending()
            except Exception as error:  # noqa: BLE001 - a mail server down must not end the schedule
                log.error("could not send the report: %s; trying again in %d min", error, RETRY_SECONDS // 60)
                wait = RETRY_SECONDS
            if wait is None:
                wait = (self.next_slot(self._now()) - self._now()).total_seconds()
            self._stop.wait(max(1.0, min(wait, LONGEST_SLEEP)))

    # State ----------------------------------------------------------------------------------

    def _load_state(self) -> datetime | None:
        try:
            return datetime.fromisoformat(json.loads(self._state_path.read_text("utf-8"))["last_slot"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("ignoring %s (%s)", self._state_path, error)
            return None

    def _remember(self, slot: datetime | None) -> None:
        self._last_slot = slot
        if slot is None:
            return
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            self._state_path.write_text(json.dumps({"last_slot": slot.isoformat()}), "utf-8")
        except OSError as error:  # keep going: at worst one report is sent again after a restart
            log.warning("cannot write %s: %s", self._state_path, error)


def summary(data, office) -> tuple[str, str]:
    """The mail's subject and text: the key figures, the rest is in the attachments."""
    from frontdesk.manager.report.formatting import formats_for
    from frontdesk.manager.report.render import period_label, site_label

    f = formats_for(office)
    period, site = period_label(data, f), site_label(data)
    v, r, p, d = data.visitors, data.receipts, data.postage, data.devices
    down = [device.device for device in d.devices if device.down_at_end]
    lines = [
        f"Front-office report for {site}, {period} ({data.period.tz.key}).", "",
        "No activity was recorded in this period." if data.empty else None,
        f"Visitors: {f.number(v.total)} (average visit {f.duration(v.average_seconds)})",
        _waiting_line(v.waiting, f) if v.waiting.measured else None,
        f"Receipts: {f.number(r.count)}, {f.amounts(r.totals)}",
        f"Mail: {f.number(p.count)} items, {f.amounts(p.totals)} postage",
        f"Device faults: {f.number(sum(row.count for row in d.faults))}; "
        f"mean time to recover {f.duration(d.mttr_seconds)}",
        f"Still out of order: {', '.join(down[:5])}" + (f" and {len(down) - 5} more" if len(down) > 5 else "")
        if down else None,
        "", "The full report is attached: a PDF to print, and the same as HTML to open in a browser.",
    ]
    return f"Front-office report, {site}: {period}", "\n".join(line for line in lines if line is not None) + "\n"


def _waiting_line(waiting, f) -> str:
    return (f"Waiting: half signed in within {f.duration(waiting.sign_in_median)}; badges a median "
            f"{f.duration(waiting.badge_median)} after the sign-in, {f.number(waiting.badges_over_a_minute)} "
            f"waited over a minute; {f.number(waiting.abandoned)} sign-ins given up")
