"""Time in each health, outages and the report's number formats, without a database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.manager.report.formatting import Formats, office_locale, words
from frontdesk.manager.report.period import Period, PeriodError, period_from_text, previous_period
from frontdesk.manager.report.timeline import BUCKETS, Change, outages, recovered_within, still_down, time_use

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_time_use_splits_by_health_and_counts_agent_offline_apart():
    changes = [Change(at(-30), "ok"), Change(at(10), "error", ("paper_out",)), Change(at(25), "ok"),
               Change(at(40), "warning", ("toner_low",))]
    online = [(at(-100), True), (at(50), False), (at(55), True)]
    use = time_use(changes, online, at(0), at(60))
    assert use.seconds == {"ok": 25 * 60, "warning": 15 * 60, "error": 15 * 60, "offline": 0,
                           "agent_offline": 5 * 60, "no_data": 0}
    assert use.reason_seconds == {"paper_out": 15 * 60, "toner_low": 15 * 60}
    assert use.availability == pytest.approx(40 / 60)


def test_before_the_first_state_there_is_no_data():
    use = time_use([Change(at(30), "ok")], [], at(0), at(60))
    assert use.seconds["no_data"] == 30 * 60 and use.availability == 1.0
    assert time_use([], [], at(0), at(60)).availability is None


def test_an_outage_runs_from_error_until_usable_again():
    changes = [Change(at(0), "ok"), Change(at(5), "warning"), Change(at(10), "error"), Change(at(20), "offline"),
               Change(at(30), "warning"), Change(at(40), "ok"), Change(at(50), "offline")]
    found = outages(changes)
    assert [(o.started, o.ended) for o in found] == [(at(10), at(30)), (at(50), None)]
    assert [o.seconds for o in recovered_within(found, at(0), at(60))] == [20 * 60]
    assert still_down(found, at(60)).started == at(50)
    assert still_down(found, at(25)).started == at(10)
    assert still_down(found, at(45)) is None


health = st.sampled_from(["ok", "warning", "error", "offline"])
moments = st.integers(min_value=-200, max_value=400)


@given(st.lists(st.tuples(moments, health), max_size=30), st.lists(st.tuples(moments, st.booleans()), max_size=10))
def test_every_second_of_the_period_is_in_exactly_one_bucket(points, online):
    changes = [Change(at(minute), state, ("r",) if state != "ok" else ()) for minute, state in points]
    use = time_use(changes, [(at(minute), up) for minute, up in online], at(0), at(240))
    assert set(use.seconds) == set(BUCKETS)
    assert sum(use.seconds.values()) == pytest.approx(240 * 60)
    assert all(value >= 0 for value in use.seconds.values())
    assert use.availability is None or 0 <= use.availability <= 1
    found = outages(changes)
    for earlier, later in zip(found, found[1:]):
        assert earlier.ended is not None and earlier.started < earlier.ended <= later.started


def test_periods_are_local_days_and_know_summer_time():
    tz = ZoneInfo("Europe/Bucharest")
    period = Period(date(2026, 10, 25), date(2026, 10, 25), tz)
    assert (period.end - period.start) == timedelta(hours=25)  # the clocks went back that night
    assert period.start == datetime(2026, 10, 24, 21, tzinfo=timezone.utc)
    assert previous_period("weekly", date(2026, 11, 4), tz).first == date(2026, 10, 26)
    assert previous_period("monthly", date(2026, 3, 1), tz).last == date(2026, 2, 28)
    with pytest.raises(PeriodError, match="starts after it ends"):
        period_from_text("2026-11-02", "2026-11-01", tz)
    with pytest.raises(PeriodError, match="--to '2026-02-30' is not a date"):
        period_from_text("2026-02-01", "2026-02-30", tz)


def test_numbers_and_money_follow_the_office_locale():
    romanian = Formats(office_locale("ro", "RO"), "RON")
    assert romanian.money(Decimal("1234.5")) == "1.234,50\xa0RON"  # a non-breaking space
    assert romanian.percent(0.9734) == "97,3%"
    assert romanian.grams(23680) == "23,68 kg"
    american = Formats(office_locale("en", "US"), "USD")
    assert american.money(Decimal("1234.5")) == "$1,234.50"
    assert american.amounts({"USD": Decimal(3), "EUR": Decimal(2)}) == "€2.00 + $3.00"
    assert Formats(office_locale("de", None), "EUR").number(1234.5, 1) == "1.234,5"


@pytest.mark.parametrize("seconds, text", [
    (None, "–"), (40, "40 s"), (125, "2 min 05 s"), (600, "10 min"), (3900, "1 h 05 min"), (93600, "1 d 2 h"),
])
def test_durations_read_naturally(seconds, text):
    assert Formats(office_locale("en", None), "EUR").duration(seconds) == text


def test_reason_codes_become_words():
    assert words("paper_out") == "paper out" and words("cups_unavailable") == "print server unavailable"
    assert words("media_empty_error") == "media empty error"  # a CUPS keyword we do not know


def test_with_many_devices_the_chart_shows_the_least_available_and_fits_a_page():
    from types import SimpleNamespace

    from frontdesk.manager.report.charts import availability_bars
    from frontdesk.manager.report.timeline import TimeUse

    devices = []
    for index in range(80):
        use = TimeUse()
        use.seconds.update(ok=1000.0 - index, error=float(index))
        devices.append(SimpleNamespace(site=f"site{index % 20}", agent="desk", device=f"printer{index}", use=use))
    chart = availability_bars(devices, Formats(office_locale("en", None), "EUR"))
    axes = chart.figure.axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    assert len(labels) == 20 and labels[0] == "printer79 (site19/desk)"  # the worst first
    assert "20 least available of 80" in axes.get_title(loc="left")
    assert chart.figure.get_size_inches()[1] < 9  # fits on an A4 page with its heading
