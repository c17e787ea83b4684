"""The visitor log on a real SQLite file: sign-in/out, search, invitations, retention and erasure."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from PIL import Image

from frontdesk.kiosk.visits import InvitationError, VisitorLog

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)  # 11:30 in Bucharest


@pytest.fixture
def log(tmp_path):
    visitor_log = VisitorLog(tmp_path / "kiosk" / "visitors.db", timezone="Europe/Bucharest")
    yield visitor_log
    visitor_log.close()


def signature_png(seed: int = 1) -> bytes:
    """A real PNG with noise in it, so its bytes are unmistakable in a database file."""
    image = Image.frombytes("L", (64, 32), os.urandom(64 * 32) if seed else bytes(64 * 32))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def raw_bytes(tmp_path) -> bytes:
    """Everything SQLite has on disk: the database, its WAL and shared memory."""
    folder = tmp_path / "kiosk"
    return b"".join(path.read_bytes() for path in folder.iterdir())


def test_sign_in_keeps_everything_and_numbers_badges_per_local_day(log, tmp_path):
    first = log.sign_in(name="  Ștefan Țăranu ", company="Exemplu SRL", host="Ion Popescu", purpose="meeting",
                        language="ro", fields={"car_plate": "IS 12 ABC"}, signature_png=signature_png(), now=NOW)
    second = log.sign_in(name="Jürgen Weiß", language="de", now=NOW + timedelta(minutes=5))
    assert (first.badge_number, second.badge_number) == ("001", "002")
    assert first.name == "Ștefan Țăranu" and first.fields == {"car_plate": "IS 12 ABC"} and first.has_signature
    assert first.signed_in_at == NOW and first.signed_out_at is None and not first.badge_printed
    assert len(first.id) == 32 and first.signout_code != second.signout_code and len(first.signout_code) == 10
    # 22:30 UTC is already the next day in Bucharest: the numbers start again.
    next_day = log.sign_in(name="Amélie Dubois", language="fr", now=datetime(2026, 11, 23, 22, 30, tzinfo=timezone.utc))
    assert next_day.badge_number == "001"
    log.close()
    reopened = VisitorLog(tmp_path / "kiosk" / "visitors.db", timezone="Europe/Bucharest")
    assert reopened.get(first.id) == first and reopened.signature(first.id).startswith(b"\x89PNG")
    reopened.close()


def test_sign_out_by_code_ignores_case_spaces_and_dashes(log):
    visit = log.sign_in(name="Łucja Wąsowska", language="pl", now=NOW)
    typed = "-".join([visit.signout_code[:5].lower(), visit.signout_code[5:]]) + "\n"  # a scanner adds Enter
    signed_out = log.sign_out(typed, now=NOW + timedelta(hours=2))
    assert signed_out.id == visit.id and signed_out.signed_out_at == NOW + timedelta(hours=2)
    assert log.sign_out(visit.signout_code, now=NOW + timedelta(hours=3)) is None  # already gone
    assert log.sign_out("ZZZZZZZZZZ", now=NOW) is None and log.sign_out("   ", now=NOW) is None
    assert log.on_site() == []


def test_sign_out_by_todays_badge_number_only(log):
    yesterday = log.sign_in(name="Ion Popescu", language="ro", now=NOW - timedelta(days=1))
    today = [log.sign_in(name=f"Visitor {n}", language="en", now=NOW) for n in range(3)]
    assert log.sign_out("2", now=NOW).id == today[1].id  # "2" and "002" are the same badge
    assert log.sign_out("003", now=NOW).id == today[2].id
    assert log.sign_out("002", now=NOW) is None  # already signed out; yesterday's 002 does not count
    assert [v.id for v in log.on_site()] == [yesterday.id, today[0].id]


def test_search_ignores_case_and_diacritics_and_lists_only_who_is_on_site(log):
    for name in ("Ștefan Țăranu", "Jürgen Weiß", "Łucja Wąsowska", "Amélie Dubois", "Stefania Ionescu"):
        log.sign_in(name=name, language="en", now=NOW)
    assert [v.name for v in log.find_on_site("stefan")] == ["Ștefan Țăranu", "Stefania Ionescu"]
    assert [v.name for v in log.find_on_site("TARANU")] == ["Ștefan Țăranu"]
    assert [v.name for v in log.find_on_site("weiss")] == ["Jürgen Weiß"]
    assert [v.name for v in log.find_on_site("Weiß")] == ["Jürgen Weiß"]
    assert [v.name for v in log.find_on_site("lucja wa")] == ["Łucja Wąsowska"]
    assert [v.name for v in log.find_on_site("amelie")] == ["Amélie Dubois"]
    assert log.find_on_site("") == [] and log.find_on_site("nobody") == []
    log.sign_out_visit(log.find_on_site("amelie")[0].id, now=NOW)
    assert log.find_on_site("amelie") == []
    # The evacuation list is ordered by name as people read it, diacritics or not.
    assert [v.name for v in log.on_site()] == ["Jürgen Weiß", "Łucja Wąsowska", "Ștefan Țăranu", "Stefania Ionescu"]


def test_an_invitation_is_used_once_and_only_on_its_day(log):
    today = date(2026, 11, 23)
    invitation = log.add_invitation(name="Amélie Dubois", company="Société X", host="Jürgen Weiß", valid_on=today)
    assert len(invitation.code) == 8 and invitation.used_visit is None
    assert log.invitation(invitation.code.lower(), today) == invitation
    assert log.invitation(invitation.code, today + timedelta(days=1)) is None
    tomorrow = log.add_invitation(name="Ion Popescu", valid_on=today + timedelta(days=1))
    with pytest.raises(InvitationError):
        log.sign_in(name="Ion Popescu", language="ro", invitation_code=tomorrow.code, now=NOW)
    visit = log.sign_in(name=invitation.name, company=invitation.company, host=invitation.host, language="fr",
                        invitation_code=f" {invitation.code.lower()} ", now=NOW)
    assert visit.invitation_code == invitation.code
    assert log.invitation(invitation.code, today) is None
    with pytest.raises(InvitationError, match="already used"):
        log.sign_in(name="Amélie Dubois", language="fr", invitation_code=invitation.code, now=NOW)
    assert len(log.on_site()) == 1  # the refused sign-ins left nothing behind
    assert log.sign_in(name="Ion Popescu", language="ro", invitation_code=tomorrow.code, now=NOW + timedelta(days=1))


def test_retention_purge_erases_old_visits_and_their_signatures_from_the_file(log, tmp_path):
    old_signature = signature_png()
    old = log.sign_in(name="Ștefan Țăranu", company="Vechi SRL", language="ro", signature_png=old_signature,
                      now=NOW - timedelta(days=31))
    recent = log.sign_in(name="Jürgen Weiß", language="de", signature_png=signature_png(), now=NOW - timedelta(days=29))
    log.add_invitation(name="Ștefan Țăranu", valid_on=(NOW - timedelta(days=40)).date())
    assert old_signature[40:80] in raw_bytes(tmp_path)
    assert log.purge(30, now=NOW) == 1
    assert log.get(old.id) is None and log.signature(old.id) is None
    assert log.get(recent.id) is not None and log.signature(recent.id) is not None
    assert log.visitor_records("Ștefan Țăranu") == []
    on_disk = raw_bytes(tmp_path)
    for trace in ("Ștefan Țăranu".encode(), b"stefan taranu", "Vechi SRL".encode(), old_signature[40:80]):
        assert trace not in on_disk
    assert "Jürgen Weiß".encode() in on_disk
    assert log.purge(30, now=NOW) == 0
    with pytest.raises(ValueError):
        log.purge(0, now=NOW)


def test_one_visitors_records_are_exported_and_erased(log, tmp_path):
    first = log.sign_in(name="Łucja Wąsowska", company="Firma", language="pl", signature_png=signature_png(), now=NOW)
    log.sign_out_visit(first.id, now=NOW + timedelta(hours=1))
    log.sign_in(name="łucja WĄSOWSKA", language="pl", now=NOW + timedelta(days=1))
    log.add_invitation(name="Łucja Wąsowska", valid_on=date(2026, 12, 1))
    other = log.sign_in(name="Amélie Dubois", language="fr", now=NOW)
    records = log.visitor_records("lucja wasowska")
    assert [r["record"] for r in records] == ["visit", "visit", "invitation"]
    assert records[0]["name"] == "Łucja Wąsowska" and records[0]["company"] == "Firma"
    assert records[0]["signed_out_at"] == "2026-11-23T10:30:00+00:00"
    import base64

    assert base64.b64decode(records[0]["signature_png_base64"]).startswith(b"\x89PNG")
    assert records[1]["signature_png_base64"] is None and records[2]["valid_on"] == "2026-12-01"
    assert log.erase_visitor("Łucja Wąsowska") == 3
    assert log.visitor_records("Łucja Wąsowska") == [] and log.get(first.id) is None
    assert log.get(other.id) is not None and "Wąsowska".encode() not in raw_bytes(tmp_path)
    assert log.erase_visitor("Łucja Wąsowska") == 0


def read_csv(log, **window) -> list[dict]:
    out = io.StringIO()
    count = log.export_csv(out, **window)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows)
    return rows


def test_csv_export_keeps_diacritics_and_defuses_formulas(log):
    log.sign_in(name="Ștefan Țăranu", company="=HYPERLINK(\"http://evil\")", host="Jürgen Weiß", purpose="meeting",
                language="ro", fields={"car_plate": "+40 123"}, now=NOW)
    log.sign_in(name="@SUM(A1:A9)", company="-2+3", language="en", fields={"note": " =cmd|' /C calc'!A0"},
                now=NOW + timedelta(hours=1))
    rows = read_csv(log)
    assert rows[0]["name"] == "Ștefan Țăranu" and rows[0]["host"] == "Jürgen Weiß"
    assert rows[0]["company"] == "'=HYPERLINK(\"http://evil\")" and rows[0]["car_plate"] == "'+40 123"
    assert rows[0]["signed_in"] == "2026-11-23 11:30" and rows[0]["signed_in_utc"] == "2026-11-23T09:30:00+00:00"
    assert rows[1]["name"] == "'@SUM(A1:A9)" and rows[1]["company"] == "'-2+3" and rows[1]["note"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["car_plate"] == "" and rows[0]["badge_number"] == "001"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_csv_export_of_a_time_window(log):
    for days in (3, 2, 1):
        log.sign_in(name=f"Visitor {days}", language="en", now=NOW - timedelta(days=days))
    rows = read_csv(log, start=NOW - timedelta(days=2, hours=1), end=NOW - timedelta(hours=23))
    assert [row["name"] for row in rows] == ["Visitor 2", "Visitor 1"]
    assert read_csv(log, start=NOW, end=NOW + timedelta(days=1)) == []
    assert [v.name for v in log.visits_between(NOW - timedelta(days=3), NOW - timedelta(days=2))] == ["Visitor 3"]


def test_badges_to_print_are_the_unprinted_ones_of_people_still_here(log):
    printed = log.sign_in(name="A", language="en", now=NOW)
    waiting = log.sign_in(name="B", language="en", now=NOW)
    gone = log.sign_in(name="C", language="en", now=NOW)
    log.sign_in(name="D", language="en", now=NOW - timedelta(days=1))  # yesterday's: no use any more
    log.mark_badge_printed(printed.id)
    log.sign_out_visit(gone.id, now=NOW)
    assert [v.id for v in log.badges_to_print(now=NOW)] == [waiting.id]
    assert log.get(printed.id).badge_printed


@pytest.mark.parametrize("change, message", [
    ({"name": "   "}, "name must have"),
    ({"name": "x" * 121}, "name must have"),
    ({"language": "es"}, "unknown language 'es'"),
    ({"signature_png": b"GIF89a"}, "must be a PNG"),
    ({"company": "c" * 200}, "the company is longer"),
    ({"fields": {"note": "n" * 1001}}, "further field is longer"),
    ({"now": datetime(2026, 11, 23, 9, 30)}, "time zone"),
])
def test_bad_sign_in_data_is_refused_with_a_clear_error(log, change, message):
    with pytest.raises(ValueError, match=message):
        log.sign_in(**{"name": "Ana", "language": "ro", "now": NOW, **change})
    assert log.on_site() == []


def test_sign_ins_from_several_threads_get_distinct_badge_numbers(log):
    def sign_in_many(thread: int) -> None:
        for n in range(10):
            log.sign_in(name=f"Visitor {thread}-{n}", language="en", now=NOW)

    threads = [threading.Thread(target=sign_in_many, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(v.badge_number for v in log.on_site())
    assert numbers == [f"{n:03d}" for n in range(1, 61)]


def test_a_visitor_log_from_the_first_release_is_upgraded_and_keeps_its_visits(tmp_path, first_release_visitor_log):
    path = tmp_path / "kiosk" / "visitors.db"
    old_id = first_release_visitor_log(path, NOW - timedelta(hours=1))
    log = VisitorLog(path, timezone="Europe/Bucharest")
    try:
        old = log.get(old_id)
        assert (old.name, old.badge_number, old.badge_printed) == ("Ion Popescu", "001", True)
        assert old.started_at is None and old.badge_printed_at is None  # not measured then
        assert log.mark_badge_printed(old_id, NOW) is None  # printed before: not announced again
        new = log.sign_in(name="Ana Pop", language="ro", started_at=NOW - timedelta(seconds=75), now=NOW)
        assert new.badge_number == "002" and new.started_at == NOW - timedelta(seconds=75)
        assert [v.id for v in log.on_site()] == [new.id, old_id]
    finally:
        log.close()
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(visits)")]
    assert columns[-2:] == ["started_at", "badge_printed_at"] and columns.count("started_at") == 1
    VisitorLog(path).close()  # opening an upgraded log again changes nothing


def test_the_badge_is_marked_printed_once_with_its_time(log):
    visit = log.sign_in(name="Ana Pop", language="ro", started_at=NOW - timedelta(seconds=40), now=NOW)
    printed = log.mark_badge_printed(visit.id, NOW + timedelta(minutes=7))
    assert printed.badge_printed and printed.badge_printed_at == NOW + timedelta(minutes=7)
    assert log.mark_badge_printed(visit.id, NOW + timedelta(minutes=8)) is None
    assert log.get(visit.id).badge_printed_at == NOW + timedelta(minutes=7)  # the first time stays
    assert log.mark_badge_printed("no-such-visit") is None
    record = log.visitor_records("Ana Pop")[0]
    assert (record["started_at"], record["badge_printed_at"]) == ("2026-11-23T09:29:20+00:00", "2026-11-23T09:37:00+00:00")


def test_a_start_after_the_sign_in_is_refused(log):
    with pytest.raises(ValueError, match="started_at is after the sign-in"):
        log.sign_in(name="Ana", language="ro", started_at=NOW + timedelta(seconds=1), now=NOW)
    with pytest.raises(ValueError, match="time zone"):
        log.sign_in(name="Ana", language="ro", started_at=datetime(2026, 11, 23, 9), now=NOW)
    assert log.on_site() == []
