"""Everything one report shows, gathered from the history in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select, union

from frontdesk.contract import clock
from frontdesk.manager.history.schema import availability, device_states, mail, receipts, visits
from frontdesk.manager.report.availability import DeviceReport, device_report
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.queries import (
    PostageFigures,
    ReceiptFigures,
    VisitorFigures,
    postage_figures,
    receipt_figures,
    visitor_figures,
)


@dataclass(frozen=True)
class ReportData:
    period: Period
    sites: tuple[str, ...] | None  # None: every site in the history
    generated_at: datetime
    visitors: VisitorFigures
    receipts: ReceiptFigures
    postage: PostageFigures
    devices: DeviceReport

    @property
    def empty(self) -> bool:
        """Nothing was recorded in the period: no visit, receipt, mail, fault or state."""
        return not (self.visitors.total or self.visitors.waiting.abandoned or self.receipts.count or self.postage.count or self.devices.faults
                    or any(device.use.observed for device in self.devices.devices)
                    or any(host.use.observed for host in self.devices.hosts))

    def daily(self) -> list[tuple[date, int, int, dict, int]]:
        """Per day: visitors, receipts, takings per currency, mail items."""
        return [(day, self.visitors.per_day[day], *self.receipts.per_day[day], self.postage.per_day[day])
                for day in self.period.dates()]


def collect(engine: Engine, period: Period, sites: tuple[str, ...] | None, now: datetime | None = None) -> ReportData:
    now = now or clock.now()
    return ReportData(
        period=period, sites=sites, generated_at=now,
        visitors=visitor_figures(engine, period, sites),
        receipts=receipt_figures(engine, period, sites),
        postage=postage_figures(engine, period, sites),
        devices=device_report(engine, period, sites, now),
    )


def known_sites(engine: Engine) -> list[str]:
    """Every site the history has heard of."""
    query = union(*(select(table.c.site) for table in (device_states, availability, visits, receipts, mail)))
    with engine.connect() as connection:
        return sorted(row[0] for row in connection.execute(query))
