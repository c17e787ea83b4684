"""How long the front-office report takes for a month of history (SQLite).

Run: .venv/bin/python tests/bench/bench_report.py [--quick]
A busy desk's month (November 2026: ~40 visitors, ~25 receipts and ~12 mail items
a working day, four devices changing state every few hours) for one site, and the
same month for 20 sites, as an organisation's manager keeps it. Prints the time of
each step (queries, charts, HTML, PDF); no thresholds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pypdfium2 as pdfium  # noqa: E402
from figures import percentiles  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from frontdesk.contract.config import OfficeConfig  # noqa: E402
from frontdesk.manager.history.schema import availability, device_events, device_states, mail, metadata, receipts, visits  # noqa: E402
from frontdesk.manager.history.store import open_engine  # noqa: E402
from frontdesk.manager.report.build import collect  # noqa: E402
from frontdesk.manager.report.formatting import formats_for  # noqa: E402
from frontdesk.manager.report.period import Period  # noqa: E402
from frontdesk.manager.report.render import build_charts, render_html, render_pdf  # noqa: E402

TZ = ZoneInfo("Europe/Bucharest")
OFFICE = OfficeConfig(name="Exemplu SRL", language="ro", country="RO", currency="RON", timezone="Europe/Bucharest")
MONTH = Period(date(2026, 11, 1), date(2026, 11, 30), TZ)
DEVICES = {"desk-printer": "printer", "mail-scale": "scale", "copier": "copier", "fax": "fax"}
REASONS = {"printer": ["paper_out", "cover_open", "paper_near_end"], "scale": ["offline", "no_answer"],
           "copier": ["jam", "toner_low", "door_open"], "fax": ["device_unreachable", "offline"]}


def month_of_history(engine, sites: int, rng: random.Random) -> int:
    """Insert a month for `sites` sites; returns the number of rows."""
    metadata.create_all(engine)
    rows = {table: [] for table in (visits, receipts, mail, device_states, device_events, availability)}
    for number in range(sites):
        site = f"site{number:02d}"
        for day in MONTH.dates():
            if day.weekday() == 6:
                continue
            scale = 0.3 if day.weekday() == 5 else 1.0
            for index in range(int(rng.randint(30, 50) * scale)):
                start = datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60), tzinfo=TZ)
                seconds = float(rng.randint(300, 7200))
                rows[visits].append({"site": site, "kiosk": "lobby", "visit": f"{day}-{index}", "signed_in_at": start,
                                     "signed_out_at": start + timedelta(seconds=seconds), "duration_seconds": seconds,
                                     "language": rng.choice(("ro", "en")), "purpose": rng.choice(("meeting", "delivery")),
                                     "pre_registered": rng.random() < 0.3})
            for index in range(int(rng.randint(20, 30) * scale)):
                at = datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60), tzinfo=TZ)
                rows[receipts].append({"site": site, "agent": "desk", "number": f"{day}-{index}", "at": at,
                                       "total": Decimal(rng.randint(100, 30000)) / 100, "currency": "RON",
                                       "payment_method": rng.choice(("card", "cash", "transfer")), "items": 2})
            for index in range(int(rng.randint(8, 16) * scale)):
                at = datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.randrange(60), tzinfo=TZ)
                rows[mail].append({"site": site, "agent": "desk", "entry": f"{day}-{index}", "at": at,
                                   "carrier": "posta-romana", "mail_class": rng.choice(("priority", "economy", "parcel")),
                                   "destination": "domestic", "grams": float(rng.randint(20, 2000)),
                                   "price": Decimal(rng.randint(300, 4000)) / 100, "currency": "RON"})
        for device, kind in DEVICES.items():
            moment = MONTH.start - timedelta(days=1)
            while moment < MONTH.end:
                reason = rng.choice(REASONS[kind])
                health = "warning" if reason in ("paper_near_end", "toner_low") else "error"
                for state, reasons, when in (("ok", [], moment), (health, [reason], moment + timedelta(hours=rng.uniform(2, 10)))):
                    rows[device_states].append({"site": site, "agent": "desk", "device": device, "kind": kind,
                                                "health": state, "reasons": reasons, "since": when, "received_at": when,
                                                "payload": {"health": state, "reasons": reasons}})
                    rows[device_events].append({"event_id": uuid.UUID(int=rng.getrandbits(128)).hex, "site": site,
                                                "agent": "desk", "device": device, "at": when,
                                                "event": reason if state != "ok" else "recovered",
                                                "payload": {"health": state} if state != "ok" else {}})
                moment += timedelta(hours=rng.uniform(10, 30))
        rows[availability].append({"site": site, "source": "agent", "source_id": "desk", "status": "online",
                                   "at": MONTH.start - timedelta(days=2)})
    with engine.begin() as connection:
        for table, batch in rows.items():
            connection.execute(insert(table), batch)
    return sum(len(batch) for batch in rows.values())


def measure(label: str, engine, sites, runs: int) -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)
    steps = {"queries": [], "charts": [], "HTML (SVG charts)": [], "PDF (PNG charts)": [], "total": []}
    pages = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        data = collect(engine, MONTH, sites, now)
        t1 = time.perf_counter()
        drawn = build_charts(data, formats_for(OFFICE))
        t2 = time.perf_counter()
        render_html(data, OFFICE, "svg", drawn)
        t3 = time.perf_counter()
        pdf = render_pdf(render_html(data, OFFICE, "png", drawn))
        t4 = time.perf_counter()
        pages = len(pdfium.PdfDocument(pdf))
        for name, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            steps[name].append(value)
    figures = ", ".join(f"{name} {percentiles(values)[0]:.2f} s" for name, values in steps.items())
    print(f"report for a month, {label}: {figures} (median of {runs}; PDF {pages} pages)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one run, a smaller organisation (smoke test)")
    quick = parser.parse_args().quick
    runs, many = (1, 3) if quick else (3, 20)
    with tempfile.TemporaryDirectory() as folder:
        for sites, label in ((1, "one site"), (many, f"{many} sites")):
            engine = open_engine(f"sqlite:///{folder}/history-{sites}.db")
            count = month_of_history(engine, sites, random.Random(sites))
            print(f"history: {count} rows for {sites} site(s)")
            if sites == 1:  # warm up once (fonts, WeasyPrint, matplotlib), as a running manager would be
                render_pdf(render_html(collect(engine, MONTH, None), OFFICE, "png"))
            measure(label, engine, None, runs)
            engine.dispose()


if __name__ == "__main__":
    main()
