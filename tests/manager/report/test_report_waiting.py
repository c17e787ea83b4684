"""The "Waiting" part of the visitors chapter: time to sign in, waiting for the badge, sign-ins
given up. Known waits fed through the manager's own ingest give exact figures in the HTML;
the seeded fortnight's figures are recomputed from its records on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import math
import random
import statistics
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from report_seed import FIRST, LAST, NOW, report_config

from frontdesk.contract import mqtt as topics
from frontdesk.manager.history.store import History
from frontdesk.manager.ingest import parse
from frontdesk.manager.report.build import collect
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.queries import nearest_rank, waiting_figures
from frontdesk.manager.report.render import render_html

BUCHAREST = ZoneInfo("Europe/Bucharest")
DAY = Period(date(2026, 11, 10), date(2026, 11, 10), BUCHAREST)
VISITS = topics.kiosk_visits("hq", "lobby")
# Eleven visitors at a kiosk that measures; the tenth's badge never printed (no badge_printed).
SIGN_IN_SECONDS = [30, 35, 40, 45, 50, 55, 60, 70, 80, 95, 150]
BADGE_WAITS = [0.4, 0.6, 0.8, 1.2, 1.5, 2.0, 2.5, 45.0, 90.0, None, 1830.0]  # 90 s: paper out; 30 min: agent away
GIVEN_UP = ["policy", "name", "policy"]


def at(hour: int, minute: int = 0, second: float = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=timezone.utc) + timedelta(seconds=second)


def visit_records(number: int, signed_in: datetime, sign_in_seconds: float | None,
                  badge_wait: float | None) -> list[dict]:
    visit = f"v{number}"
    signed_in_record = {"event": "signed_in", "id": f"i{number}", "visit": visit, "at": signed_in.isoformat(),
                        "signed_in_at": signed_in.isoformat(), "pre_registered": False, "language": "ro"}
    if sign_in_seconds is not None:  # an older kiosk sends no started_at
        signed_in_record["started_at"] = (signed_in - timedelta(seconds=sign_in_seconds)).isoformat()
    made = [signed_in_record]
    if badge_wait is not None:
        printed = signed_in + timedelta(seconds=badge_wait)
        made.append({"event": "badge_printed", "id": f"b{number}", "visit": visit, "at": printed.isoformat(),
                     "signed_in_at": signed_in.isoformat(), "printed_at": printed.isoformat(),
                     "waited_seconds": badge_wait})
    return made


def given_up(number: int, started: datetime, step: str) -> dict:
    return {"event": "sign_in_abandoned", "id": f"a{number}", "at": (started + timedelta(minutes=2)).isoformat(),
            "started_at": started.isoformat(), "seconds": 40.0, "step": step}


def store(url: str, records: list[dict]) -> None:
    history = History(url)
    try:
        for payload in records:
            message = parse(VISITS, json.dumps(payload).encode(), False, NOW)
            assert message is not None, payload
            history.record(message)
    finally:
        history.close()


def report_text(url: str, period: Period) -> tuple[str, object]:
    """The report's HTML with its whitespace runs made single spaces, and its data."""
    history = History(url)
    try:
        data = collect(history.engine, period, ("hq",), NOW)
    finally:
        history.close()
    html = render_html(data, report_config(url, Path("/nonexistent")).office)
    return " ".join(html.split()), data


def test_known_waits_arriving_in_any_order_give_exact_figures_in_the_report(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    records = [record for number, (seconds, wait) in enumerate(zip(SIGN_IN_SECONDS, BADGE_WAITS))
               for record in visit_records(number, at(8 + number % 4, 5 * number), seconds, wait)]
    records += visit_records(99, at(9, 30), None, None)  # from a kiosk that does not measure: left out
    records += [given_up(n, at(10, 10 * n), step) for n, step in enumerate(GIVEN_UP)]
    random.Random(3).shuffle(records)  # a kiosk's backlog after an outage comes in any order
    store(url, records)
    text, data = report_text(url, DAY)
    # Median of the eleven: 55 s; nearest rank of 90 %: the 10th of 11, 95 s. Badge waits: the
    # median of ten is (1.5 + 2.0) / 2, shown as 2 s; over a minute: 90 s and 30 min 30 s.
    assert ("Half of the visitors signed in within 55 s of starting at the kiosk, and 9 in 10 within 1 min 35 s. "
            "Badges were printed a median 2 s after the sign-in; 2 visitors waited over a minute (the printer or "
            "the desk computer was away), the longest 30 min. 3 sign-ins were started and given up.") in text
    for label, value in [("Sign-ins measured", "11"), ("Median", "55 s"), ("9 in 10 within", "1 min 35 s"),
                         ("Given up", "3"), ("Most often left at", "the visitor policy and signature (2)"),
                         ("Badges printed", "10"), ("Median wait", "2 s"), ("Longest wait", "30 min"),
                         ("Over a minute", "2"), ("Never confirmed", "1")]:
        assert f"<tr><th>{label}</th><td>{value}</td></tr>" in text, label
    assert data.visitors.total == 12 and 'alt="Bar chart of the median time visitors took to sign in' in text
    waiting = data.visitors.waiting
    # Sign-ins by local hour (UTC+2 in November): 10:00 has visitors 0, 4, 8 (30, 50, 80 s): median 50 s.
    assert waiting.sign_in_median_by_hour[10] == 50 and waiting.sign_in_median_by_hour[14] is None


def test_quick_badges_and_a_period_without_measurements_say_so_in_words(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store(url, visit_records(1, at(9), 42.0, 0.3) + visit_records(2, at(9, 5), None, None))
    text, _ = report_text(url, DAY)
    assert ("Half of the visitors signed in within 42 s of starting at the kiosk, and 9 in 10 within 42 s. "
            "Badges were printed a median under 1 s after the sign-in; nobody waited over a minute.") in text
    assert "given up." not in text and "<tr><th>Given up</th><td>0</td></tr>" in text
    old_kiosk_only = Period(date(2026, 11, 11), date(2026, 11, 11), BUCHAREST)
    store(url, visit_records(4, datetime(2026, 11, 11, 9, tzinfo=timezone.utc), None, None))
    text, data = report_text(url, old_kiosk_only)
    assert data.visitors.total == 1 and not data.visitors.waiting.measured
    assert ("No waiting time was measured in this period: the kiosks that signed these visitors in do not "
            "report it yet (an older kiosk version).") in text
    assert "Sign-ins measured" not in text and "median time visitors took" not in text
    text, data = report_text(url, Period(date(2026, 12, 1), date(2026, 12, 31), BUCHAREST))
    assert "No waiting time was measured in this period." in text and data.empty


def test_given_up_sign_ins_alone_are_activity(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store(url, [given_up(1, at(9), "field:car_plate")])
    text, data = report_text(url, DAY)
    assert not data.empty and data.visitors.total == 0 and "No visitor signed in during this period." in text
    assert "No time to sign in was measured in this period. No badge printout was confirmed in this period. " \
           "1 sign-in was started and given up." in text
    assert "<td>further question “car_plate” (1)</td>" in text


def test_a_history_not_yet_upgraded_still_gives_a_report(tmp_path):
    """`frontdesk-manager report` on a history the new manager has not opened yet (no waits columns)."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store(url, visit_records(1, at(9), 42.0, 2.0))
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # back to the previous version's tables (SQLite >= 3.35 drops columns)
        for column in ("sign_in_seconds", "badge_wait_seconds"):
            conn.execute(sa.text(f"ALTER TABLE visits DROP COLUMN {column}"))
        conn.execute(sa.text("DROP TABLE abandoned_sign_ins"))
    figures = waiting_figures(engine, DAY, ("hq",))
    engine.dispose()
    assert not figures.measured and figures.sign_in_median is None


def test_nearest_rank():
    assert nearest_rank([], 0.9) is None and nearest_rank([7.0], 0.9) == 7.0
    assert nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([float(n) for n in range(1, 12)], 0.9) == 10.0
    assert nearest_rank([5.0, 1.0, 3.0], 0.5) == 3.0


def test_the_seeded_fortnights_waits(seeded_engine, fortnight, seed):
    figures = waiting_figures(seeded_engine, fortnight, ("hq",))
    visits = [v for v in seed.visits if v.site == "hq" and FIRST <= v.signed_in.date() <= LAST]
    sign_ins = sorted(v.sign_in_seconds for v in visits if v.sign_in_seconds is not None)
    badges = [v.badge_wait_seconds for v in visits if v.badge_wait_seconds is not None]
    assert figures.sign_ins_measured == len(sign_ins) < len(visits)  # the first day was not measured
    assert figures.sign_in_median == pytest.approx(statistics.median(sign_ins))
    assert figures.sign_in_p90 == pytest.approx(sign_ins[math.ceil(len(sign_ins) * 0.9) - 1])
    assert figures.badges_measured == len(badges) and figures.badge_longest == pytest.approx(max(badges))
    assert figures.badge_median == pytest.approx(statistics.median(badges))
    assert figures.badges_over_a_minute == sum(1 for wait in badges if wait > 60) >= 2
    assert figures.badges_not_confirmed == 1
    given_up = [a for a in seed.abandoned if a.site == "hq" and FIRST <= a.started.date() <= LAST]
    assert figures.abandoned == len(given_up) > 0
    assert dict(figures.abandoned_by_step) == {step: sum(1 for a in given_up if a.step == step)
                                               for step in {a.step for a in given_up}}
    for hour in range(24):  # the seed's times are the office's local times, as the report's hours
        in_hour = [v.sign_in_seconds for v in visits if v.sign_in_seconds is not None and v.signed_in.hour == hour]
        assert figures.sign_in_median_by_hour[hour] == (pytest.approx(statistics.median(in_hour)) if in_hour else None)
