"""A realistic fortnight of front-office history, inserted into the manager's schema.

The fortnight is Monday 19 October to Sunday 1 November 2026 in Europe/Bucharest,
so it spans the end of summer time (Sunday 25 October, 04:00 EEST -> 03:00 EET).
Visits, receipts and mail are generated from local wall-clock times and kept here
as plain Python records: the tests compute what the report must show from these
records, independently of the report's own queries. Visitors' waits (time to sign in,
badge wait) are measured by the kiosk from the second day on (it was upgraded then);
a badge signed in during a desk-printer fault waits until the printer is back.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert

from frontdesk.contract.config import FrontdeskConfig, parse_config

from frontdesk.manager.history.schema import (
    abandoned_sign_ins,
    availability,
    device_events,
    device_states,
    mail,
    metadata,
    receipts,
    visits,
)

TZ = ZoneInfo("Europe/Bucharest")
FIRST, LAST = date(2026, 10, 19), date(2026, 11, 1)
SITE, AGENT, KIOSK = "hq", "desk", "lobby"
PURPOSES = ("meeting", "delivery", "interview", "appointment", None)
METHODS = ("card", "cash", "transfer")
CLASSES = (("letter-priority", 0.6), ("letter-economy", 0.3), ("parcel", 0.1))
UTC = timezone.utc
# Well after the fortnight: the whole period is in the past when the report is made.
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


OFFICE = """
site = "hq"
[office]
name = "Exemplu SRL"
language = "ro"
country = "RO"
currency = "RON"
timezone = "Europe/Bucharest"
"""


def report_config(database_url: str, data_dir: Path, extra: str = "") -> FrontdeskConfig:
    return parse_config(OFFICE + f'[manager]\ndatabase = "{database_url}"\ndata_dir = "{data_dir}"\n' + extra)


@dataclass
class Visit:
    site: str
    signed_in: datetime  # local, aware
    seconds: float | None
    purpose: str | None
    language: str
    pre_registered: bool
    sign_in_seconds: float | None = None  # None: not measured (the kiosk before its upgrade)
    badge_wait_seconds: float | None = None  # None: not measured, or never confirmed printed


@dataclass
class Abandoned:
    site: str
    started: datetime  # local
    seconds: float
    step: str


@dataclass
class Receipt:
    site: str
    at: datetime  # local
    total: Decimal
    method: str
    items: int


@dataclass
class MailItem:
    site: str
    at: datetime  # local
    mail_class: str
    destination: str
    grams: float
    price: Decimal


# Each device's history as (from, health, reasons): the state holds until the next entry.
DEVICES = {
    ("printer", "desk-printer"): [
        (utc(2026, 10, 10, 8), "ok", ()),
        (utc(2026, 10, 20, 10), "warning", ("paper_near_end",)),
        (utc(2026, 10, 20, 10, 30), "error", ("paper_out",)),
        (utc(2026, 10, 20, 10, 42), "ok", ()),
        (utc(2026, 10, 22, 14), "error", ("cover_open",)),
        (utc(2026, 10, 22, 14, 5), "ok", ()),
        (utc(2026, 10, 27, 9), "error", ("paper_out",)),
        (utc(2026, 10, 27, 9, 20), "error", ("paper_out", "cover_open")),
        (utc(2026, 10, 27, 9, 50), "ok", ()),
    ],
    ("scale", "mail-scale"): [
        (utc(2026, 10, 1, 6), "ok", ()),
        (utc(2026, 10, 23, 7), "offline", ("offline",)),
        (utc(2026, 10, 23, 9), "ok", ()),
        (utc(2026, 10, 31, 20), "offline", ("no_answer",)),
        (utc(2026, 11, 2, 8), "ok", ()),  # after the fortnight: still down when it ends
    ],
    ("copier", "copier"): [
        (utc(2026, 10, 15, 12), "warning", ("toner_low",)),  # since before the fortnight
        (utc(2026, 10, 26, 11), "ok", ()),
        (utc(2026, 10, 28, 13), "error", ("jam",)),
        (utc(2026, 10, 28, 13, 25), "ok", ()),
    ],
    ("fax", "fax"): [
        (utc(2026, 10, 5, 9), "ok", ()),
        (utc(2026, 10, 18, 20), "offline", ("device_unreachable",)),  # before the fortnight starts
        (utc(2026, 10, 19, 6), "ok", ()),
    ],
}
AGENT_ONLINE = [(utc(2026, 10, 1, 5), True), (utc(2026, 10, 24, 1), False), (utc(2026, 10, 24, 3), True)]
KIOSK_ONLINE = [(utc(2026, 10, 1, 5), True), (utc(2026, 10, 29, 12), False), (utc(2026, 10, 29, 12, 30), True)]
JOBS = {("printer", "desk-printer"): {"job_completed": 23, "job_waiting": 2}, ("fax", "fax"): {"fax_sent": 3, "fax_failed": 1}}


@dataclass
class Seed:
    visits: list[Visit] = field(default_factory=list)
    abandoned: list[Abandoned] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    mail: list[MailItem] = field(default_factory=list)


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def generate(seed: int = 20261019) -> Seed:
    rng = random.Random(seed)
    made = Seed()
    day = FIRST - timedelta(days=1)
    while day <= LAST + timedelta(days=1):
        inside = FIRST <= day <= LAST
        weekday = day.weekday()
        visitors = 0 if weekday == 6 else rng.randint(2, 6) if weekday == 5 else rng.randint(8, 20)
        for _ in range(visitors if inside else 2):
            hour = rng.choices(range(8, 18), weights=(2, 5, 8, 6, 3, 3, 7, 5, 3, 1))[0]
            seconds = None if rng.random() < 0.1 else float(rng.randint(5 * 60, 120 * 60))
            made.visits.append(Visit(SITE, _local(day, hour, rng.randrange(60)), seconds, rng.choice(PURPOSES),
                                     rng.choice(("ro", "ro", "en", "de")), rng.random() < 0.3))
        for _ in range(rng.randint(5, 15) if inside and weekday < 6 else 1):
            made.receipts.append(Receipt(SITE, _local(day, rng.randint(8, 17), rng.randrange(60)),
                                         Decimal(rng.randint(150, 25000)) / 100,
                                         rng.choices(METHODS, weights=(6, 3, 1))[0], rng.randint(1, 5)))
        for _ in range(rng.randint(3, 8) if inside and weekday < 5 else 1):
            mail_class = rng.choices([name for name, _ in CLASSES], weights=[w for _, w in CLASSES])[0]
            grams = float(rng.randint(15, 2500 if mail_class == "parcel" else 500))
            made.mail.append(MailItem(SITE, _local(day, rng.randint(9, 16), rng.randrange(60)), mail_class,
                                      rng.choice(("domestic", "domestic", "international")), grams,
                                      Decimal(rng.randint(300, 4000)) / 100))
        day += timedelta(days=1)
    # The edges of local days: 00:40 local is the previous day in UTC; the DST Sunday has a visit.
    made.visits.append(Visit(SITE, _local(date(2026, 10, 21), 0, 40), 1800.0, "delivery", "en", False))
    made.visits.append(Visit(SITE, _local(date(2026, 10, 25), 10, 30), 600.0, "meeting", "ro", True))
    made.visits.append(Visit(SITE, _local(date(2026, 10, 31), 23, 50), None, None, "ro", False))
    # Another site: left out when the report is for `hq` only.
    made.visits.append(Visit("branch", _local(date(2026, 10, 20), 11, 0), 900.0, "meeting", "en", False))
    made.receipts.append(Receipt("branch", _local(date(2026, 10, 20), 11, 5), Decimal("99.99"), "card", 1))
    made.mail.append(MailItem("branch", _local(date(2026, 10, 20), 11, 10), "parcel", "domestic", 800.0, Decimal("21.00")))
    _add_waits(made, random.Random(seed + 1))  # its own generator: the records above stay as they were
    return made


KIOSK_UPGRADED = datetime(2026, 10, 20, 0, 0, tzinfo=TZ)
STEPS = ("name", "name", "company", "host", "policy", "policy", "policy", "invitation", "field:car_plate")


def _badge_ready(signed_in: datetime) -> datetime:
    """When the desk printer could print a badge asked for at `signed_in` (UTC): at once, or
    when the fault it was in ended (the first state after it that is not an error)."""
    changes = DEVICES[("printer", "desk-printer")]
    current = max((change for change in changes if change[0] <= signed_in), key=lambda change: change[0])
    if current[1] != "error":
        return signed_in
    return min(at for at, health, _ in changes if at > signed_in and health != "error")


def _add_waits(made: Seed, rng: random.Random) -> None:
    # Two visitors who came while the desk printer was out of paper (27 Oct, 11:00-11:50 local).
    made.visits.append(Visit(SITE, _local(date(2026, 10, 27), 11, 5), 1500.0, "meeting", "ro", False))
    made.visits.append(Visit(SITE, _local(date(2026, 10, 27), 11, 30), 2400.0, "interview", "en", True))
    for visit in made.visits:
        if visit.site != SITE or visit.signed_in < KIOSK_UPGRADED:
            continue
        visit.sign_in_seconds = round(rng.lognormvariate(4.0, 0.45), 1)  # about 55 s, a few over 2 min
        ready = _badge_ready(visit.signed_in.astimezone(UTC))
        quick = round(rng.uniform(0.3, 3.0), 1)
        visit.badge_wait_seconds = round((ready - visit.signed_in).total_seconds() + quick, 1)
    # One badge never confirmed: the visitor signed out while the printer had no paper.
    unconfirmed = next(v for v in made.visits if v.sign_in_seconds is not None and v.purpose == "delivery")
    unconfirmed.badge_wait_seconds = None
    for day in range(20, 32):
        for _ in range(rng.randint(0, 2)):
            started = datetime(2026, 10, day, rng.randint(8, 17), rng.randrange(60), tzinfo=TZ)
            made.abandoned.append(Abandoned(SITE, started, float(rng.randint(15, 240)), rng.choice(STEPS)))
    made.abandoned.append(Abandoned("branch", datetime(2026, 10, 20, 11, 30, tzinfo=TZ), 60.0, "name"))


def insert_seed(engine: Engine, made: Seed) -> None:
    metadata.create_all(engine)
    ids = random.Random(7)
    with engine.begin() as connection:
        connection.execute(insert(visits), [
            {"site": v.site, "kiosk": KIOSK, "visit": f"v{index}", "signed_in_at": v.signed_in,
             "signed_out_at": None if v.seconds is None else v.signed_in + timedelta(seconds=v.seconds),
             "duration_seconds": v.seconds, "language": v.language, "purpose": v.purpose,
             "pre_registered": v.pre_registered, "sign_in_seconds": v.sign_in_seconds,
             "badge_wait_seconds": v.badge_wait_seconds}
            for index, v in enumerate(made.visits)])
        connection.execute(insert(abandoned_sign_ins), [
            {"event_id": f"a{index}", "site": a.site, "kiosk": KIOSK, "started_at": a.started, "seconds": a.seconds,
             "step": a.step}
            for index, a in enumerate(made.abandoned)])
        connection.execute(insert(receipts), [
            {"site": r.site, "agent": AGENT, "number": f"2026-{index:06d}", "at": r.at, "total": r.total,
             "currency": "RON", "payment_method": r.method, "items": r.items}
            for index, r in enumerate(made.receipts)])
        connection.execute(insert(mail), [
            {"site": m.site, "agent": AGENT, "entry": f"m{index}", "at": m.at, "carrier": "posta-romana",
             "mail_class": m.mail_class, "destination": m.destination, "grams": m.grams, "price": m.price,
             "currency": "RON"}
            for index, m in enumerate(made.mail)])
        connection.execute(insert(device_states), list(_state_rows()))
        connection.execute(insert(device_events), list(_event_rows(ids)))
        connection.execute(insert(availability), [
            {"site": SITE, "source": source, "source_id": name, "status": "online" if up else "offline", "at": at}
            for source, name, changes in (("agent", AGENT, AGENT_ONLINE), ("kiosk", KIOSK, KIOSK_ONLINE))
            for at, up in changes])


def _state_rows():
    for (kind, device), changes in DEVICES.items():
        since = None
        previous = None
        for at, health, reasons in changes:
            since = at if health != previous else since  # `since` moves only when the health does
            previous = health
            yield {"site": SITE, "agent": AGENT, "device": device, "kind": kind, "health": health,
                   "reasons": list(reasons), "since": since, "received_at": at + timedelta(seconds=1),
                   "payload": {"device": device, "kind": kind, "health": health, "reasons": list(reasons),
                               "since": since.isoformat(), "updated": at.isoformat()}}
    yield {"site": "branch", "agent": "front", "device": "printer", "kind": "printer", "health": "ok", "reasons": [],
           "since": utc(2026, 10, 1), "received_at": utc(2026, 10, 1), "payload": {}}


def _event_rows(ids: random.Random):
    def event(device, name, at, **payload):
        return {"event_id": uuid.UUID(int=ids.getrandbits(128)).hex, "site": SITE, "agent": AGENT,
                "device": device, "event": name, "at": at, "payload": {"event": name, **payload}}

    for (_, device), changes in DEVICES.items():
        reasons_before: tuple[str, ...] = ()
        for at, health, reasons in changes:
            for reason in reasons:
                if reason not in reasons_before:
                    yield event(device, reason, at, health=health)
            if health == "ok" and reasons_before:
                yield event(device, "recovered", at, after=list(reasons_before))
            reasons_before = reasons
    for (_, device), counts in JOBS.items():
        for name, count in counts.items():
            for index in range(count):
                yield event(device, name, utc(2026, 10, 19 + index % 12, 9, index), job=f"j{index}")
    yield event("fax", "fax_pending", utc(2026, 10, 20, 9), reason="busy")  # neither a fault nor a counted job
