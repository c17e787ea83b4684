"""What happened at the desk in a period: visitors (and how long they waited), receipts and postage.

SQLAlchemy Core over `manager.history.schema`, the same statements on SQLite and
PostgreSQL. Sums by payment method and by mail class are grouped in SQL. What is
bucketed by local day or hour is read as rows and bucketed here in Python:
SQLite has no time-zone database, and a fixed UTC offset would put every visit
an hour off for half of the year.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, inspect, select

from frontdesk.manager.history.schema import abandoned_sign_ins, mail, receipts, visits
from frontdesk.manager.report.period import Period

CENT = Decimal("0.01")
NOT_GIVEN = "not given"
LONG_BADGE_WAIT = 60.0  # seconds: longer than this, the printer or the agent was away


def in_sites(table, sites: tuple[str, ...] | None):
    """A WHERE clause for the chosen sites; None means every site."""
    return table.c.site.in_(sites) if sites else True


def money(value) -> Decimal:
    # SQLite sums NUMERIC as REAL; two decimals are exact after rounding to the cent.
    return Decimal(str(value or 0)).quantize(CENT)


@dataclass(frozen=True)
class WaitingFigures:
    """How long visitors waited at the kiosk, from the visits that measured it (newer kiosks)."""

    sign_ins_measured: int
    sign_in_median: float | None  # seconds from leaving the welcome screen to being signed in
    sign_in_p90: float | None  # nearest rank: 9 in 10 visitors signed in within this
    sign_in_median_by_hour: list[float | None]  # by local hour of the sign-in, 0..23
    badges_measured: int
    badge_median: float | None  # seconds from the sign-in to the badge confirmed printed
    badge_longest: float | None
    badges_over_a_minute: int
    badges_not_confirmed: int  # measured sign-ins whose badge was never confirmed printed
    abandoned: int  # sign-ins started and left to the idle reset
    abandoned_by_step: list[tuple[str, int]]  # the screen they were left on, most first

    @property
    def measured(self) -> bool:
        return bool(self.sign_ins_measured or self.badges_measured or self.abandoned)


def nearest_rank(values: list[float], share: float) -> float | None:
    """The smallest measured value that at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def waiting_figures(engine: Engine, period: Period, sites: tuple[str, ...] | None) -> WaitingFigures:
    with engine.connect() as connection:
        if not _has_waiting_columns(connection):
            rows, abandoned = [], []  # a history the manager has not yet upgraded (see add_missing_columns)
        else:
            rows = connection.execute(
                select(visits.c.signed_in_at, visits.c.sign_in_seconds, visits.c.badge_wait_seconds)
                .where(visits.c.signed_in_at >= period.start, visits.c.signed_in_at < period.end,
                       in_sites(visits, sites),
                       (visits.c.sign_in_seconds.is_not(None)) | (visits.c.badge_wait_seconds.is_not(None)))).all()
            abandoned = connection.execute(
                select(abandoned_sign_ins.c.step)
                .where(abandoned_sign_ins.c.started_at >= period.start, abandoned_sign_ins.c.started_at < period.end,
                       in_sites(abandoned_sign_ins, sites))).all()
    sign_ins = [row.sign_in_seconds for row in rows if row.sign_in_seconds is not None]
    badges = [row.badge_wait_seconds for row in rows if row.badge_wait_seconds is not None]
    by_hour: list[list[float]] = [[] for _ in range(24)]
    for row in rows:
        if row.sign_in_seconds is not None:
            by_hour[period.local(row.signed_in_at).hour].append(row.sign_in_seconds)
    return WaitingFigures(
        sign_ins_measured=len(sign_ins),
        sign_in_median=statistics.median(sign_ins) if sign_ins else None,
        sign_in_p90=nearest_rank(sign_ins, 0.9),
        sign_in_median_by_hour=[statistics.median(hour) if hour else None for hour in by_hour],
        badges_measured=len(badges),
        badge_median=statistics.median(badges) if badges else None,
        badge_longest=max(badges) if badges else None,
        badges_over_a_minute=sum(1 for seconds in badges if seconds > LONG_BADGE_WAIT),
        badges_not_confirmed=sum(1 for row in rows if row.sign_in_seconds is not None
                                 and row.badge_wait_seconds is None),
        abandoned=len(abandoned),
        abandoned_by_step=_ranked(row.step for row in abandoned),
    )


def _has_waiting_columns(connection) -> bool:
    inspector = inspect(connection)
    columns = {column["name"] for column in inspector.get_columns(visits.name)}
    return {"sign_in_seconds", "badge_wait_seconds"} <= columns and inspector.has_table(abandoned_sign_ins.name)


@dataclass(frozen=True)
class VisitorFigures:
    total: int
    per_day: dict[date, int]  # every date of the period, days without visitors included
    per_hour: list[int]  # sign-ins by local hour of day, 0..23
    per_weekday: list[int]  # Monday .. Sunday
    busiest_slots: list[tuple[date, int, int]]  # (day, hour, sign-ins), busiest first
    most_on_site: tuple[datetime, int] | None  # local time and number of people at once
    completed: int  # visits with a sign-out
    average_seconds: float | None
    median_seconds: float | None
    longest_seconds: float | None
    not_signed_out: int
    pre_registered: int
    by_purpose: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    waiting: WaitingFigures

    @property
    def busiest_day(self) -> tuple[date, int] | None:
        if not self.total:
            return None
        return max(self.per_day.items(), key=lambda item: (item[1], -item[0].toordinal()))

    @property
    def busiest_hour(self) -> int | None:
        return max(range(24), key=lambda hour: (self.per_hour[hour], -hour)) if self.total else None


def visitor_figures(engine: Engine, period: Period, sites: tuple[str, ...] | None) -> VisitorFigures:
    query = (
        select(visits.c.signed_in_at, visits.c.signed_out_at, visits.c.duration_seconds,
               visits.c.purpose, visits.c.language, visits.c.pre_registered)
        .where(visits.c.signed_in_at >= period.start, visits.c.signed_in_at < period.end,
               in_sites(visits, sites))
        .order_by(visits.c.signed_in_at)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    per_day = dict.fromkeys(period.dates(), 0)
    per_hour, per_weekday = [0] * 24, [0] * 7
    slots: Counter[tuple[date, int]] = Counter()
    durations: list[float] = []
    for row in rows:
        local = period.local(row.signed_in_at)
        per_day[local.date()] += 1
        per_hour[local.hour] += 1
        per_weekday[local.weekday()] += 1
        slots[(local.date(), local.hour)] += 1
        seconds = _duration(row)
        if seconds is not None:
            durations.append(seconds)
    busiest = sorted(slots.items(), key=lambda item: (-item[1], item[0]))[:3]
    return VisitorFigures(
        total=len(rows), per_day=per_day, per_hour=per_hour, per_weekday=per_weekday,
        busiest_slots=[(day, hour, count) for (day, hour), count in busiest],
        most_on_site=_most_on_site(rows, period),
        completed=len(durations),
        average_seconds=statistics.fmean(durations) if durations else None,
        median_seconds=statistics.median(durations) if durations else None,
        longest_seconds=max(durations) if durations else None,
        not_signed_out=len(rows) - len(durations),
        pre_registered=sum(1 for row in rows if row.pre_registered),
        by_purpose=_ranked(row.purpose for row in rows),
        by_language=_ranked(row.language for row in rows),
        waiting=waiting_figures(engine, period, sites),
    )


def _duration(row) -> float | None:
    if row.duration_seconds is not None:
        return float(row.duration_seconds)
    if row.signed_out_at is not None:
        return (row.signed_out_at - row.signed_in_at).total_seconds()
    return None


def _ranked(values) -> list[tuple[str, int]]:
    counts = Counter((value or NOT_GIVEN) for value in values)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _most_on_site(rows, period: Period) -> tuple[datetime, int] | None:
    """The most visitors signed in at the same moment; visits never signed out are left out
    (a forgotten sign-out would otherwise keep a visitor "on site" for days)."""
    steps = []
    for row in rows:
        seconds = _duration(row)
        if seconds is not None and seconds > 0:
            steps.append((row.signed_in_at, 1))
            steps.append((row.signed_in_at + timedelta(seconds=seconds), -1))
    best: tuple[datetime, int] | None = None
    present = 0
    for moment, step in sorted(steps, key=lambda item: (item[0], item[1])):  # leaving before arriving
        present += step
        if best is None or present > best[1]:
            best = (period.local(moment), present)
    return best


@dataclass(frozen=True)
class MethodRow:
    method: str
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class ReceiptFigures:
    count: int
    items: int
    totals: dict[str, Decimal]  # per currency
    by_method: list[MethodRow]  # largest amount first
    per_day: dict[date, tuple[int, dict[str, Decimal]]]  # count and amounts per currency

    def average(self, currency: str) -> Decimal:
        count = sum(row.count for row in self.by_method if row.currency == currency)
        return (self.totals[currency] / count).quantize(CENT) if count else Decimal(0)


def receipt_figures(engine: Engine, period: Period, sites: tuple[str, ...] | None) -> ReceiptFigures:
    where = (receipts.c.at >= period.start, receipts.c.at < period.end, in_sites(receipts, sites))
    grouped = (
        select(receipts.c.currency, receipts.c.payment_method, func.count().label("n"),
               func.sum(receipts.c.total).label("amount"), func.sum(receipts.c["items"]).label("item_count"))
        .where(*where)
        .group_by(receipts.c.currency, receipts.c.payment_method)
    )
    daily = select(receipts.c.at, receipts.c.total, receipts.c.currency).where(*where)
    with engine.connect() as connection:
        groups = connection.execute(grouped).all()
        rows = connection.execute(daily).all()
    by_method = sorted(
        (MethodRow(group.payment_method, group.currency, group.n, money(group.amount)) for group in groups),
        key=lambda row: (row.currency, -row.amount, row.method),
    )
    totals: dict[str, Decimal] = {}
    for row in by_method:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
    per_day: dict[date, tuple[int, dict[str, Decimal]]] = {day: (0, {}) for day in period.dates()}
    for row in rows:
        day = period.local(row.at).date()
        count, amounts = per_day[day]
        amounts[row.currency] = amounts.get(row.currency, Decimal(0)) + money(row.total)
        per_day[day] = (count + 1, amounts)
    return ReceiptFigures(
        count=sum(group.n for group in groups), items=sum(int(group.item_count or 0) for group in groups),
        totals=totals, by_method=by_method, per_day=per_day,
    )


@dataclass(frozen=True)
class ClassRow:
    carrier: str
    mail_class: str
    currency: str
    count: int
    grams: float
    amount: Decimal


@dataclass(frozen=True)
class PostageFigures:
    count: int
    grams: float
    totals: dict[str, Decimal]
    by_class: list[ClassRow]  # most items first
    per_day: dict[date, int]
    by_destination: list[tuple[str, int]]


def postage_figures(engine: Engine, period: Period, sites: tuple[str, ...] | None) -> PostageFigures:
    where = (mail.c.at >= period.start, mail.c.at < period.end, in_sites(mail, sites))
    grouped = (
        select(mail.c.carrier, mail.c.mail_class, mail.c.currency, func.count().label("n"),
               func.sum(mail.c.grams).label("grams"), func.sum(mail.c.price).label("amount"))
        .where(*where)
        .group_by(mail.c.carrier, mail.c.mail_class, mail.c.currency)
    )
    rows_query = select(mail.c.at, mail.c.destination).where(*where)
    with engine.connect() as connection:
        groups = connection.execute(grouped).all()
        rows = connection.execute(rows_query).all()
    by_class = sorted(
        (ClassRow(group.carrier, group.mail_class, group.currency, group.n, float(group.grams or 0),
                  money(group.amount)) for group in groups),
        key=lambda row: (-row.count, row.carrier, row.mail_class),
    )
    totals: dict[str, Decimal] = {}
    for row in by_class:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
    per_day = dict.fromkeys(period.dates(), 0)
    for row in rows:
        per_day[period.local(row.at).date()] += 1
    return PostageFigures(
        count=len(rows), grams=sum(row.grams for row in by_class), totals=totals, by_class=by_class,
        per_day=per_day, by_destination=_ranked(row.destination for row in rows),
    )
