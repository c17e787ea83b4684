"""The report's figures, checked against the seeded fortnight on SQLite and on PostgreSQL.

Visitors, receipts and mail are recomputed here from the seed's own records (local
wall-clock times); the device figures are worked out by hand in the comments.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import report_seed
from report_seed import FIRST, LAST, NOW, utc

from frontdesk.manager.report.availability import device_report
from frontdesk.manager.report.build import collect, known_sites
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.queries import postage_figures, receipt_figures, visitor_figures

HQ = ("hq",)
HOUR, MINUTE = 3600, 60
# The fortnight runs from Mon 19 Oct 00:00 EEST (18 Oct 21:00 UTC) to Mon 2 Nov 00:00 EET
# (1 Nov 22:00 UTC): 14 days and the hour given back when summer time ended.
PERIOD_SECONDS = 14 * 24 * HOUR + HOUR


def _inside(records, site="hq"):
    return [r for r in records if r.site == site and FIRST <= (r.signed_in if hasattr(r, "signed_in") else r.at).date() <= LAST]


def test_visitors_per_day_and_hour_in_office_time(seeded_engine, fortnight, seed):
    figures = visitor_figures(seeded_engine, fortnight, HQ)
    visits = _inside(seed.visits)
    assert figures.total == len(visits) > 100
    assert figures.per_day == {day: sum(1 for v in visits if v.signed_in.date() == day) for day in fortnight.dates()}
    assert figures.per_hour == [sum(1 for v in visits if v.signed_in.hour == hour) for hour in range(24)]
    assert figures.per_weekday == [sum(1 for v in visits if v.signed_in.weekday() == d) for d in range(7)]
    # The edges: 00:40 local on the 21st is still the 20th in UTC; the clock-change Sunday has one visit.
    assert figures.per_hour[0] >= 1 and figures.per_day[report_seed.date(2026, 10, 25)] == 1
    slots = Counter((v.signed_in.date(), v.signed_in.hour) for v in visits)
    expected = sorted(slots.items(), key=lambda item: (-item[1], item[0]))[:3]
    assert figures.busiest_slots == [(day, hour, count) for (day, hour), count in expected]


def test_visit_lengths_purposes_and_peak_presence(seeded_engine, fortnight, seed):
    figures = visitor_figures(seeded_engine, fortnight, HQ)
    visits = _inside(seed.visits)
    lengths = [v.seconds for v in visits if v.seconds is not None]
    assert figures.completed == len(lengths)
    assert figures.not_signed_out == len(visits) - len(lengths) > 0
    assert figures.average_seconds == pytest.approx(statistics.fmean(lengths))
    assert figures.median_seconds == pytest.approx(statistics.median(lengths))
    assert figures.longest_seconds == max(lengths)
    assert figures.pre_registered == sum(v.pre_registered for v in visits)
    assert dict(figures.by_purpose) == Counter(v.purpose or "not given" for v in visits)
    assert dict(figures.by_language) == Counter(v.language for v in visits)
    # Most people on site at once, by brute force over every arrival.
    def present(moment):
        return sum(1 for v in visits if v.seconds and v.signed_in <= moment < v.signed_in + timedelta(seconds=v.seconds))
    best = max(present(v.signed_in) for v in visits if v.seconds)
    assert figures.most_on_site[1] == best
    assert present(figures.most_on_site[0]) == best


def test_receipts_by_count_amount_and_payment_method(seeded_engine, fortnight, seed):
    figures = receipt_figures(seeded_engine, fortnight, HQ)
    receipts = [r for r in seed.receipts if r.site == "hq" and FIRST <= r.at.date() <= LAST]
    by_method: dict[str, list[Decimal]] = defaultdict(list)
    for receipt in receipts:
        by_method[receipt.method].append(receipt.total)
    assert figures.count == len(receipts)
    assert figures.items == sum(r.items for r in receipts)
    assert figures.totals == {"RON": sum(r.total for r in receipts)}
    assert {(row.method, row.count, row.amount) for row in figures.by_method} == {
        (method, len(totals), sum(totals)) for method, totals in by_method.items()}
    assert [row.amount for row in figures.by_method] == sorted((row.amount for row in figures.by_method), reverse=True)
    for day in fortnight.dates():
        todays = [r.total for r in receipts if r.at.date() == day]
        assert figures.per_day[day] == (len(todays), {"RON": sum(todays)} if todays else {})
    assert figures.average("RON") == (sum(r.total for r in receipts) / len(receipts)).quantize(Decimal("0.01"))


def test_postage_by_class(seeded_engine, fortnight, seed):
    figures = postage_figures(seeded_engine, fortnight, HQ)
    items = [m for m in seed.mail if m.site == "hq" and FIRST <= m.at.date() <= LAST]
    assert figures.count == len(items)
    assert figures.grams == pytest.approx(sum(m.grams for m in items))
    assert figures.totals == {"RON": sum(m.price for m in items)}
    expected = {}
    for name in {m.mail_class for m in items}:
        mine = [m for m in items if m.mail_class == name]
        expected[name] = (len(mine), pytest.approx(sum(m.grams for m in mine)), sum(m.price for m in mine))
    assert {row.mail_class: (row.count, row.grams, row.amount) for row in figures.by_class} == expected
    assert {row.carrier for row in figures.by_class} == {"posta-romana"}
    assert dict(figures.by_destination) == Counter(m.destination for m in items)


def test_device_availability_from_states_and_agent_availability(seeded_engine, fortnight):
    report = device_report(seeded_engine, fortnight, HQ, NOW)
    devices = {device.device: device for device in report.devices}
    assert set(devices) == {"desk-printer", "mail-scale", "copier", "fax"}
    agent_off = 2 * HOUR  # the agent was offline 24 Oct 01:00-03:00 UTC, counted apart for every device
    # Printer: warning 30 min; error 12 + 5 + 50 min.
    printer = devices["desk-printer"].use.seconds
    assert printer == {"ok": PERIOD_SECONDS - 30 * MINUTE - 67 * MINUTE - agent_off, "warning": 30 * MINUTE,
                       "error": 67 * MINUTE, "offline": 0, "agent_offline": agent_off, "no_data": 0}
    # Scale: offline 2 h on the 23rd, then from 31 Oct 20:00 to the end (1 Nov 22:00 UTC): 26 h.
    scale = devices["mail-scale"].use.seconds
    assert (scale["offline"], scale["ok"]) == (28 * HOUR, PERIOD_SECONDS - 28 * HOUR - agent_off)
    # Copier: toner low from before the start until 26 Oct 11:00 UTC (182 h, 2 h of them agent offline), jam 25 min.
    copier = devices["copier"].use.seconds
    assert (copier["warning"], copier["error"]) == (180 * HOUR, 25 * MINUTE)
    assert copier["ok"] == PERIOD_SECONDS - 182 * HOUR - 25 * MINUTE
    # Fax: unreachable from 18 Oct 20:00 UTC (before the start) until 19 Oct 06:00: 9 h inside the period.
    assert devices["fax"].use.seconds["offline"] == 9 * HOUR
    assert devices["desk-printer"].use.availability == pytest.approx(
        (PERIOD_SECONDS - 67 * MINUTE - agent_off) / PERIOD_SECONDS)
    assert devices["copier"].use.reason_seconds == {"toner_low": 180 * HOUR, "jam": 25 * MINUTE}


def test_outages_and_mean_time_to_recover(seeded_engine, fortnight):
    report = device_report(seeded_engine, fortnight, HQ, NOW)
    devices = {device.device: device for device in report.devices}
    assert [o.seconds for o in devices["desk-printer"].recovered] == [12 * MINUTE, 5 * MINUTE, 50 * MINUTE]
    assert devices["desk-printer"].mttr_seconds == pytest.approx(67 * MINUTE / 3)
    assert devices["desk-printer"].longest_seconds == 50 * MINUTE
    # The fax's outage began before the period and ended in it: its whole 10 h count.
    assert [o.seconds for o in devices["fax"].recovered] == [10 * HOUR]
    assert devices["fax"].outages_started == 0
    # The scale was still offline when the period ended (it recovered on 2 Nov).
    assert devices["mail-scale"].down_at_end.started == utc(2026, 10, 31, 20)
    assert devices["mail-scale"].outages_started == 2 and len(devices["mail-scale"].recovered) == 1
    assert devices["copier"].down_at_end is None
    everything = [12 * MINUTE, 5 * MINUTE, 50 * MINUTE, 2 * HOUR, 25 * MINUTE, 10 * HOUR]
    assert report.mttr_seconds == pytest.approx(sum(everything) / len(everything))


def test_faults_by_reason_and_jobs(seeded_engine, fortnight):
    report = device_report(seeded_engine, fortnight, HQ, NOW)
    rows = [(row.reason, row.health, row.count, row.devices, row.seconds) for row in report.faults]
    assert rows == [
        ("paper_out", "error", 2, 1, 62 * MINUTE),
        ("cover_open", "error", 2, 1, 35 * MINUTE),
        ("no_answer", "offline", 1, 1, 26 * HOUR),
        ("offline", "offline", 1, 1, 2 * HOUR),
        ("paper_near_end", "warning", 1, 1, 30 * MINUTE),
        ("jam", "error", 1, 1, 25 * MINUTE),
        # Active during the period, but they began before it: no new fault, only time.
        ("toner_low", "warning", 0, 1, 180 * HOUR),
        ("device_unreachable", "offline", 0, 1, 9 * HOUR),
    ]
    devices = {device.device: device for device in report.devices}
    assert {name: device.faults for name, device in devices.items()} == {
        "desk-printer": 5, "mail-scale": 2, "copier": 1, "fax": 0}
    assert devices["desk-printer"].jobs == {"job_completed": 23, "job_waiting": 2}
    assert devices["fax"].jobs == {"fax_sent": 3, "fax_failed": 1}  # fax_pending is not counted


def test_agents_and_kiosks_online(seeded_engine, fortnight):
    hosts = {(h.kind, h.device): h for h in device_report(seeded_engine, fortnight, HQ, NOW).hosts}
    assert set(hosts) == {("agent", "desk"), ("kiosk", "lobby")}
    assert hosts[("agent", "desk")].use.seconds["offline"] == 2 * HOUR
    assert hosts[("kiosk", "lobby")].use.seconds["offline"] == 30 * MINUTE
    assert hosts[("kiosk", "lobby")].longest_seconds == 30 * MINUTE
    assert hosts[("agent", "desk")].outages_started == 1


def test_sites_filter_and_every_site(seeded_engine, fortnight):
    branch = collect(seeded_engine, fortnight, ("branch",), NOW)
    assert (branch.visitors.total, branch.receipts.count, branch.postage.count) == (1, 1, 1)
    assert branch.receipts.totals == {"RON": Decimal("99.99")}
    assert [d.device for d in branch.devices.devices] == ["printer"]
    assert branch.devices.devices[0].use.availability == 1.0
    everywhere = collect(seeded_engine, fortnight, None, NOW)
    hq = collect(seeded_engine, fortnight, HQ, NOW)
    assert everywhere.visitors.total == hq.visitors.total + 1
    assert len(everywhere.devices.devices) == 5
    assert known_sites(seeded_engine) == ["branch", "hq"]


def test_a_period_not_over_yet_counts_only_up_to_now(seeded_engine, fortnight):
    now = utc(2026, 10, 20, 10, 30)  # during the printer's paper warning, before paper out
    report = device_report(seeded_engine, fortnight, HQ, now)
    printer = next(d for d in report.devices if d.device == "desk-printer")
    assert sum(printer.use.seconds.values()) == (now - fortnight.start).total_seconds()
    assert printer.use.seconds["warning"] == 30 * MINUTE and printer.use.seconds["error"] == 0


def test_an_empty_period_has_zeroes_not_errors(seeded_engine):
    period = Period(report_seed.date(2025, 3, 1), report_seed.date(2025, 3, 31), report_seed.TZ)
    data = collect(seeded_engine, period, HQ, NOW)
    assert data.empty
    assert data.visitors.total == 0 and data.visitors.average_seconds is None and data.visitors.busiest_day is None
    assert data.receipts.totals == {} and data.postage.by_class == []
    assert data.devices.devices == [] and data.devices.mttr_seconds is None
