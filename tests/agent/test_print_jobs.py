"""The durable print queue: what a crash leaves, and what happens to it after a restart."""

from datetime import datetime, timezone

import pytest

from frontdesk.agent.ledger.print_jobs import SCHEMA_VERSION, PrintJobs
from frontdesk.contract import clock


def test_numbers_are_gapless_and_kept_by_failed_jobs(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    first, _ = jobs.add("desk", "receipt", {"n": 1}, "a")
    badge, _ = jobs.add("desk", "badge", {"n": 2}, "b")
    second, _ = jobs.add("desk", "receipt", {"n": 3}, "c")
    assert first.receipt_number.endswith("-000001") and second.receipt_number.endswith("-000002")
    assert badge.receipt_number is None
    again, new = jobs.add("desk", "receipt", {"n": 1}, "a")
    assert not new and again.id == first.id


def test_after_a_crash_half_sent_jobs_are_sent_again_and_sent_ones_wait_for_their_cut(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    half, _ = jobs.add("desk", "receipt", {}, "half")
    whole, _ = jobs.add("desk", "receipt", {}, "whole")
    jobs.mark(half.id, "sending")
    jobs.mark(whole.id, "sending")
    jobs.mark(whole.id, "sent")
    jobs.close()
    restarted = PrintJobs(tmp_path / "jobs.db")
    assert restarted.recover() == 1
    # Part of it may be on paper: it is voided and printed again (agent/supervision.py).
    assert restarted.get(half.id).state == "uncertain" and restarted.get(half.id).attempts == 1
    assert restarted.get(whole.id).state == "sent"
    assert restarted.next_waiting("desk").id == half.id
    restarted.mark(half.id, "printed")
    assert restarted.next_waiting("desk").id == whole.id


def test_a_receipts_ledger_record_is_staged_with_its_job_and_survives_a_crash_until_relayed(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    job, _ = jobs.add("desk", "receipt", {"n": 1}, "a", ledger=lambda number: {"id": "e1", "number": number})
    jobs.add("desk", "badge", {"n": 2}, "b", ledger=lambda number: {"never": number})  # no number, no record
    jobs.add("desk", "receipt", {"n": 1}, "a", ledger=lambda number: {"id": "again"})  # a repeat: nothing new
    assert jobs.ledger.pending() == 1
    jobs.close()  # the crash: the record was never handed on
    restarted = PrintJobs(tmp_path / "jobs.db")
    handed: list[dict] = []
    assert restarted.ledger.relay(handed.append) == 1
    assert handed == [{"id": "e1", "number": job.receipt_number}]
    assert restarted.ledger.relay(handed.append) == 0


def test_a_record_that_could_not_be_handed_on_stays_staged(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    jobs.add("desk", "receipt", {}, "a", ledger=lambda number: {"number": number})

    def broken(record):
        raise OSError("disk full")

    try:
        jobs.ledger.relay(broken)
    except OSError:
        pass
    assert jobs.ledger.pending() == 1


def test_a_failed_job_leaves_the_queue_with_its_reason(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    poison, _ = jobs.add("desk", "badge", {}, "p")
    after, _ = jobs.add("desk", "receipt", {}, "r")
    assert jobs.count_fault(poison.id, "RuntimeError: x") == 1
    jobs.fail(poison.id, "the document cannot be laid out")
    assert jobs.get(poison.id).state == "failed" and jobs.get(poison.id).last_error.startswith("the document")
    assert jobs.next_waiting("desk").id == after.id
    assert jobs.wait_until_done(poison.id, 0).state == "failed"


def test_a_queue_written_by_the_previous_version_is_kept_and_can_fail_jobs(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "jobs.db")
    old.executescript("""
        CREATE TABLE print_job (
            id INTEGER PRIMARY KEY, request_id TEXT UNIQUE, printer_id TEXT NOT NULL, kind TEXT NOT NULL,
            request TEXT NOT NULL, receipt_number TEXT UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'printed')),
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at TEXT NOT NULL, printed_at TEXT);
        CREATE INDEX print_job_waiting ON print_job (printer_id, state, id);
        CREATE TABLE receipt_series (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
        INSERT INTO receipt_series VALUES (2026, 7);
        INSERT INTO print_job (request_id, printer_id, kind, request, receipt_number, state, attempts, created_at)
            VALUES ('old', 'desk', 'receipt', '{"n": 7}', '2026-000007', 'queued', 1, '2026-12-01T10:00:00+00:00');
    """)
    old.close()
    jobs = PrintJobs(tmp_path / "jobs.db")
    kept = jobs.next_waiting("desk")
    assert (kept.request_id, kept.receipt_number, kept.attempts, kept.request) == ("old", "2026-000007", 1, {"n": 7})
    jobs.fail(kept.id, "unprintable")
    assert jobs.get(kept.id).state == "failed"
    jobs.close()
    again = PrintJobs(tmp_path / "jobs.db")  # migrated once, opened as it is from then on
    assert again.get(kept.id).state == "failed"


V0_TABLE = """CREATE TABLE print_job (
    id INTEGER PRIMARY KEY, request_id TEXT UNIQUE, printer_id TEXT NOT NULL, kind TEXT NOT NULL,
    request TEXT NOT NULL, receipt_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'printed')),
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at TEXT NOT NULL, printed_at TEXT);"""
V1_TABLE = """CREATE TABLE print_job (
    id INTEGER PRIMARY KEY, request_id TEXT UNIQUE, printer_id TEXT NOT NULL, kind TEXT NOT NULL,
    request TEXT NOT NULL, receipt_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'printed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0, faults INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    created_at TEXT NOT NULL, printed_at TEXT);
    PRAGMA user_version = 1;"""


@pytest.mark.parametrize("version, table", [(0, V0_TABLE), (1, V1_TABLE)], ids=["v0", "v1"])
def test_a_queue_written_by_an_earlier_version_is_kept_and_can_hold_uncertain_jobs(tmp_path, version, table):
    import sqlite3

    old = sqlite3.connect(tmp_path / "jobs.db")
    old.executescript(table + """
        CREATE INDEX print_job_waiting ON print_job (printer_id, state, id);
        CREATE TABLE receipt_series (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
        INSERT INTO receipt_series VALUES (2026, 8);
        INSERT INTO print_job (request_id, printer_id, kind, request, receipt_number, state, attempts, created_at,
                               printed_at)
            VALUES ('done', 'desk', 'receipt', '{"n": 7}', '2026-000007', 'printed', 1, '2026-12-01T10:00:00+00:00',
                    '2026-12-01T10:00:02+00:00'),
                   ('cut', 'desk', 'receipt', '{"n": 8}', '2026-000008', 'sent', 1, '2026-12-01T10:01:00+00:00',
                    NULL);
    """)
    if version == 1:
        old.execute("UPDATE print_job SET faults = 2 WHERE request_id = 'cut'")
        old.commit()
    old.close()
    jobs = PrintJobs(tmp_path / "jobs.db")
    done, cut = jobs.get(1), jobs.get(2)
    assert (done.state, done.receipt_number, done.request) == ("printed", "2026-000007", {"n": 7})
    assert (cut.state, cut.receipt_number, cut.attempts) == ("sent", "2026-000008", 1)
    assert jobs.count_fault(cut.id, "x") == (3 if version == 1 else 1)  # v0 had no count: it starts at 0
    jobs.mark(cut.id, "uncertain", "no answer after the body")
    assert jobs.next_waiting("desk").id == cut.id
    assert jobs.wait_until_done(cut.id, 0).state == "uncertain"  # not done: it prints again
    with clock.frozen_at(datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)):
        new, _ = jobs.add("desk", "receipt", {"n": 9}, "new")
    assert new.receipt_number == "2026-000009"  # the series goes on, no number taken twice
    jobs.close()
    again = PrintJobs(tmp_path / "jobs.db")
    assert again.get(cut.id).state == "uncertain"
    assert again._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_finished_badges_an_earlier_version_kept_lose_their_names_once(tmp_path):
    jobs = PrintJobs(tmp_path / "jobs.db")
    badge, _ = jobs.add("desk", "badge", {"visitor_name": "Ana Pop", "company": "Firma", "host": None,
                                          "signout_code": "S1", "badge_number": "V-1"}, "b")
    jobs._db.execute("UPDATE print_job SET state = 'printed' WHERE id = ?", (badge.id,))  # as an old agent left it
    assert jobs.scrub_finished() == 1
    kept = jobs.get(badge.id).request
    assert (kept["visitor_name"], kept["company"], kept["signout_code"], kept["badge_number"]) == (None, None, None,
                                                                                                  "V-1")
    assert jobs.scrub_finished() == 0  # already scrubbed: not read again at the next start
