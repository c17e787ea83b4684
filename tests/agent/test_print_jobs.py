"""The durable print queue: what a crash leaves, and what happens to it after a restart."""

from agent.ledger.print_jobs import PrintJobs


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
    assert restarted.get(half.id).state == "queued" and restarted.get(half.id).attempts == 1
    assert restarted.get(whole.id).state == "sent"
    assert restarted.next_waiting("desk").id == half.id
    restarted.mark(half.id, "printed")
    assert restarted.next_waiting("desk").id == whole.id
