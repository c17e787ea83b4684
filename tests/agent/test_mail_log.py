"""The mail log keeps every confirmed item, once, across crashes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from frontdesk.agent.ledger.mail_log import MailItem, MailLog

BUCHAREST = ZoneInfo("Europe/Bucharest")


def letter(price="0.78", staff="Ana", mail_class="letter", currency="USD") -> MailItem:
    return MailItem(Decimal("20.5"), mail_class, "domestic", "usps", Decimal(price), currency, staff, "mail-scale")


def test_items_and_totals_per_local_day(tmp_path):
    log = MailLog(tmp_path / "ledger.db")
    # 22:30 UTC on the 22nd is already the 23rd in Bucharest (UTC+2).
    log.record(letter("0.78"), at=datetime(2026, 11, 22, 22, 30, tzinfo=timezone.utc))
    log.record(letter("1.63", mail_class="large_envelope"), at=datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc))
    log.record(letter("0.95", currency="EUR"), at=datetime(2026, 11, 23, 21, 59, tzinfo=timezone.utc))
    log.record(letter("9.99"), at=datetime(2026, 11, 23, 22, 0, tzinfo=timezone.utc))  # the 24th locally
    totals = log.totals_on(date(2026, 11, 23), BUCHAREST)
    assert totals.count == 3
    assert totals.totals == {"USD": Decimal("2.41"), "EUR": Decimal("0.95")}
    assert totals.by_class == {"letter": 2, "large_envelope": 1}
    assert [e.item.price for e in log.items_on(date(2026, 11, 24), BUCHAREST)] == [Decimal("9.99")]


def test_the_same_request_twice_is_recorded_once(tmp_path):
    log = MailLog(tmp_path / "ledger.db")
    first = log.record(letter(), request_id="kiosk-1:42")
    again = log.record(letter(), request_id="kiosk-1:42")
    assert first.id == again.id
    assert log.totals_on(first.recorded_at.astimezone(BUCHAREST).date(), BUCHAREST).count == 1


def test_an_item_without_staff_or_weight_is_refused(tmp_path):
    log = MailLog(tmp_path / "ledger.db")
    with pytest.raises(ValueError, match="who posted"):
        log.record(letter(staff=" "))
    with pytest.raises(ValueError, match="weight must be positive"):
        log.record(MailItem(Decimal(0), "letter", "domestic", "usps", Decimal("1"), "USD", "Ana"))


def test_a_recorded_item_survives_the_process_being_killed(tmp_path):
    path = tmp_path / "ledger.db"
    writer = textwrap.dedent(f"""
        import os, signal, sys
        from decimal import Decimal
        from frontdesk.agent.ledger.mail_log import MailItem, MailLog
        log = MailLog(__import__("pathlib").Path({str(path)!r}))
        for n in range(50):
            log.record(MailItem(Decimal("20"), "letter", "domestic", "usps", Decimal("0.78"), "USD", "Ana"),
                       request_id=f"r{{n}}")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", writer], timeout=60)
    assert result.returncode == -9
    log = MailLog(path)
    today = datetime.now(BUCHAREST).date()
    items = log.items_on(today, BUCHAREST) + log.items_on(date.fromordinal(today.toordinal() - 1), BUCHAREST)
    assert len(items) == 50


def test_each_item_stages_one_ledger_record_without_the_staff_name(tmp_path):
    log = MailLog(tmp_path / "ledger.db")
    first = log.record(letter("0.78"), request_id="m1")
    log.record(letter("0.78"), request_id="m1")  # the same request again: no second record
    log.close()
    reopened = MailLog(tmp_path / "ledger.db")  # as after a crash before the relay
    handed: list[dict] = []
    reopened.ledger.relay(handed.append)
    assert [(r["event"], r["entry"], r["price"], r["currency"]) for r in handed] == [
        ("mail_recorded", str(first.id), "0.78", "USD")]
    assert "Ana" not in repr(handed)
