"""Device availability when a device leaves its agent's config: counted until then, not after,
and a device removed before the period is not one of its devices."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history.store import History
from frontdesk.manager.ingest import parse
from frontdesk.manager.report.availability import device_report
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.timeline import (
    Change,
    outages,
    recovered_within,
    removed_throughout,
    still_down,
    time_use,
)

UTC = ZoneInfo("UTC")
DAY = Period(date(2026, 11, 2), date(2026, 11, 2), UTC)  # 2 Nov 2026, 00:00 to 24:00 UTC
T0 = DAY.start


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def state(device: str, health: str, since: datetime, reasons=()):
    """The state message as it reached the manager, received when the device entered it."""
    payload = contract.device_state(device, "printer", health, list(reasons), since.isoformat())
    return parse(f"frontdesk/hq/agent/main/devices/{device}/state", contract.encode(payload), True, since)


def removal(device: str, when: datetime):
    """The agent cleared the device's retained state: the manager learnt it at `when`."""
    return parse(f"frontdesk/hq/agent/main/devices/{device}/state", b"", False, when)


def test_the_timeline_stops_counting_at_the_removal():
    changes = [Change(at(-5), "ok"), Change(at(6), "error", ("paper_out",)), Change(at(12), "removed")]
    use = time_use(changes, [], at(0), at(24))
    assert use.seconds == {"ok": 6 * 3600, "warning": 0, "error": 6 * 3600, "offline": 0,
                           "agent_offline": 0, "no_data": 0}
    assert use.availability == pytest.approx(0.5) and use.reason_seconds == {"paper_out": 6 * 3600}
    found = outages(changes)
    assert [(o.started, o.ended, o.removed) for o in found] == [(at(6), at(12), True)]
    assert recovered_within(found, at(0), at(24)) == []  # never recovered: it left
    assert still_down(found, at(24)) is None and still_down(found, at(10)).started == at(6)


def test_removed_throughout_means_gone_before_the_period_and_not_back_in_it():
    gone = [Change(at(-30), "ok"), Change(at(-2), "removed")]
    assert removed_throughout(gone, at(0), at(24))
    assert not removed_throughout(gone + [Change(at(3), "ok")], at(0), at(24))  # back during the period
    assert not removed_throughout([Change(at(-30), "ok"), Change(at(5), "removed")], at(0), at(24))
    assert not removed_throughout([Change(at(5), "ok")], at(0), at(24))


def test_a_device_back_after_its_removal_counts_again():
    changes = [Change(at(-1), "ok"), Change(at(4), "removed"), Change(at(20), "ok")]
    use = time_use(changes, [], at(0), at(24))
    assert use.seconds["ok"] == 8 * 3600 and use.observed == 8 * 3600 and use.availability == 1.0


def test_the_report_counts_a_removed_device_until_its_removal(database_url):
    history = History(database_url)
    try:
        history.record_batch([
            state("desk-printer", "ok", at(-48)),
            state("old-printer", "ok", at(-48)),
            state("old-printer", "error", at(8), ["paper_out"]),
            removal("old-printer", at(14)),
            state("gone-printer", "offline", at(-30), ["unreachable"]),
            removal("gone-printer", at(-20)),
            removal("gone-printer", at(-10)),  # cleared again by a later restart: no second row
        ])
        report = device_report(history.engine, DAY, None, at(30))
    finally:
        history.close()
    devices = {device.device: device for device in report.devices}
    assert set(devices) == {"desk-printer", "old-printer"}  # gone before the day began: not listed
    old = devices["old-printer"]
    assert old.use.seconds["ok"] == 8 * 3600 and old.use.seconds["error"] == 6 * 3600
    assert old.use.availability == pytest.approx(8 / 14)  # of the 14 hours it was there, not of 24
    assert old.down_at_end is None and old.recovered == [] and old.outages_started == 1
    assert devices["desk-printer"].use.availability == 1.0
    assert [(row.reason, row.seconds) for row in report.faults] == [("paper_out", 6 * 3600)]
