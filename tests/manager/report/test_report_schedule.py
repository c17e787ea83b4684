"""The report schedule: when it is due (clock injected), and the mail through a real SMTP server."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from report_seed import report_config

from frontdesk.manager.history.store import History
from frontdesk.manager.mailer import MailError
from frontdesk.manager.report.schedule import STATE_FILE, ReportScheduler

TZ = ZoneInfo("Europe/Bucharest")


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ).astimezone(timezone.utc)


# A mail server nobody listens on: the due-time tests never send.
NO_SERVER = '[manager.smtp]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\nsender = "frontdesk@example.com"\n'


def schedule_toml(schedule: str, send_at: str, smtp: str, email_to: str = '"boss@example.com"') -> str:
    return f'{smtp}[manager.report]\nschedule = "{schedule}"\nemail_to = [{email_to}]\nsend_at = "{send_at}"\n'


# The due-time tests never read the history.
NO_HISTORY = SimpleNamespace(engine=None)


def scheduler(tmp_path, schedule: str, now=None, send_at: str = "07:00", url: str = "sqlite:///unused",
              smtp: str = NO_SERVER, history=NO_HISTORY, email_to: str = '"boss@example.com"') -> ReportScheduler:
    config = report_config(url, tmp_path / "data", schedule_toml(schedule, send_at, smtp, email_to))
    return ReportScheduler(config, history, now=now)


def test_daily_is_due_at_send_time_for_the_day_before(tmp_path):
    daily = scheduler(tmp_path, "daily")
    daily._remember(local(2026, 11, 22, 7, 0))  # yesterday's went out
    assert daily.due(local(2026, 11, 23, 6, 59)) is None
    period = daily.due(local(2026, 11, 23, 7, 0))
    assert (period.first, period.last) == (date(2026, 11, 22), date(2026, 11, 22))
    assert daily.next_slot(local(2026, 11, 23, 7, 0)) == local(2026, 11, 24, 7, 0)


def test_weekly_goes_out_on_mondays_for_monday_to_sunday(tmp_path):
    weekly = scheduler(tmp_path, "weekly", send_at="08:30")
    weekly._remember(local(2026, 10, 26, 8, 30))
    assert weekly.due(local(2026, 11, 1, 23, 0)) is None  # Sunday: the week is not over
    period = weekly.due(local(2026, 11, 2, 8, 30))
    assert (period.first, period.last) == (date(2026, 10, 26), date(2026, 11, 1))
    assert weekly.next_slot(local(2026, 11, 2, 8, 30)) == local(2026, 11, 9, 8, 30)


def test_monthly_goes_out_on_the_first_for_the_month_before(tmp_path):
    monthly = scheduler(tmp_path, "monthly")
    monthly._remember(local(2026, 11, 1, 7, 0))
    assert monthly.due(local(2026, 11, 30, 23, 59)) is None
    period = monthly.due(local(2026, 12, 1, 7, 0))
    assert (period.first, period.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert monthly.next_slot(local(2026, 12, 1, 7, 0)) == local(2027, 1, 1, 7, 0)


def test_send_time_follows_the_office_clock_across_summer_time(tmp_path):
    daily = scheduler(tmp_path, "daily")
    # 07:00 in Bucharest is 04:00 UTC in summer time and 05:00 UTC after 25 October.
    assert daily.next_slot(local(2026, 10, 24, 12, 0)) == datetime(2026, 10, 25, 5, 0, tzinfo=timezone.utc)
    assert daily.latest_slot(local(2026, 10, 24, 12, 0)) == datetime(2026, 10, 24, 4, 0, tzinfo=timezone.utc)


def test_what_was_sent_is_remembered_across_restarts(tmp_path):
    first = scheduler(tmp_path, "daily")
    first._remember(local(2026, 11, 23, 7, 0))
    saved = json.loads((tmp_path / "data" / STATE_FILE).read_text())
    assert datetime.fromisoformat(saved["last_slot"]) == local(2026, 11, 23, 7, 0)
    again = scheduler(tmp_path, "daily")
    assert again.due(local(2026, 11, 23, 9, 0)) is None
    assert again.due(local(2026, 11, 24, 7, 0)).first == date(2026, 11, 23)


def test_first_start_sends_nothing_retroactive(tmp_path, smtp_server):
    now = local(2026, 11, 23, 9, 0)
    fresh = scheduler(tmp_path, "daily", now=lambda: now, smtp=smtp_server.toml())
    assert fresh.due(now) is not None  # without a record, this morning's report looks due...
    fresh.start()
    fresh.stop()
    assert fresh.due(now) is None  # ...but the first start records it as handled instead
    assert smtp_server.messages() == []
    assert scheduler(tmp_path, "daily").due(now) is None  # and remembers it


def test_off_or_without_recipients_sends_nothing(tmp_path):
    off = scheduler(tmp_path / "off", "off")
    assert off.due(local(2026, 11, 23, 9, 0)) is None and not off.enabled
    nobody = scheduler(tmp_path / "nobody", "daily", smtp="", email_to="")
    assert not nobody.enabled
    for idle in (off, nobody):
        idle.start()
        assert idle._thread is None
        idle.stop()


@pytest.fixture
def history(sqlite_history):
    opened = History(sqlite_history)
    yield opened
    opened.close()


def test_the_report_is_mailed_with_pdf_and_html_through_smtp(tmp_path, smtp_server, history, sqlite_history):
    monday = local(2026, 11, 2, 7, 0)
    weekly = scheduler(tmp_path, "weekly", now=lambda: monday, url=sqlite_history, smtp=smtp_server.toml(),
                       history=history)
    weekly._remember(local(2026, 10, 26, 7, 0))
    period = weekly.run_pending()
    assert (period.first, period.last) == (date(2026, 10, 26), date(2026, 11, 1))
    [message] = smtp_server.wait_for(1)
    assert smtp_server.deliveries[0]["tls"] and smtp_server.deliveries[0]["to"] == ["boss@example.com"]
    assert message["To"] == "boss@example.com"
    assert message["Subject"] == "Front-office report, all sites: Mon 26 Oct 2026 – Sun 1 Nov 2026"
    text = message.get_body(("plain",)).get_content()
    assert "Visitors: " in text and "RON" in text and "Still out of order: mail-scale" in text
    assert "Waiting: half signed in within " in text and "sign-ins given up" in text
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    base = "frontdesk-report-all-sites-2026-10-26-to-2026-11-01"
    assert set(attachments) == {f"{base}.pdf", f"{base}.html"}
    assert attachments[f"{base}.pdf"].get_content().startswith(b"%PDF-")
    assert "Front-office report" in attachments[f"{base}.html"].get_content()
    assert weekly.run_pending() is None  # sent once, not twice
    assert len(smtp_server.messages()) == 1


def test_a_mail_server_that_is_down_leaves_the_report_due(tmp_path, smtp_server, history, sqlite_history):
    now = local(2025, 6, 3, 7, 30)  # a day without history: a small report, quickly made
    smtp = smtp_server.toml(port=1)  # nothing listens on port 1
    daily = scheduler(tmp_path, "daily", now=lambda: now, url=sqlite_history, smtp=smtp, history=history)
    daily._remember(local(2025, 6, 2, 7, 0))
    with pytest.raises(MailError):
        daily.run_pending()
    assert daily.due(now).first == date(2025, 6, 2)


def test_the_thread_sends_when_due_and_stops_at_once(tmp_path, smtp_server, history, sqlite_history):
    now = local(2026, 10, 27, 7, 30)
    daily = scheduler(tmp_path, "daily", now=lambda: now, url=sqlite_history, smtp=smtp_server.toml(),
                      history=history)
    daily._remember(local(2026, 10, 26, 7, 0))  # the 27th's report has not gone out yet
    daily.start()
    try:
        [message] = smtp_server.wait_for(1, timeout=60)
        assert message["Subject"].endswith("Monday 26 October 2026")
    finally:
        started = time.monotonic()
        daily.stop()
    assert time.monotonic() - started < 5  # it was asleep on an Event, not in a polling loop
    assert daily._thread is None
