"""PrintQueue and FaxQueue against a private cupsd with ippeveprinter and a fax backend."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from testbed import queue_configs, wait_until

from frontdesk.devices.queues import (
    CupsClient,
    CupsUnavailable,
    FaxQueue,
    InvalidJobOptions,
    JobNotFound,
    PrintQueue,
    QueueNotFound,
    QueueProblem,
    QueueState,
    QueueWatcher,
    queue_for,
)
from frontdesk.devices.queues.jobs import initials

@pytest.fixture
def client(cups_lab):
    client = CupsClient(cups_lab.server, timeout=10)
    yield client
    client.close()


def ready_queue(queue_id: str, client, cups_lab):
    """The queue as a test needs it, whatever an earlier test left: enabled and accepting."""
    queue = queue_for(queue_configs(cups_lab)[queue_id], client)
    queue.resume()
    queue.accept()
    return queue


@pytest.fixture
def copier(client, cups_lab) -> PrintQueue:
    return ready_queue("copier", client, cups_lab)


@pytest.fixture
def fax(client, cups_lab) -> FaxQueue:
    return ready_queue("fax", client, cups_lab)


@pytest.fixture
def document(tmp_path) -> Path:
    path = tmp_path / "letter.txt"
    path.write_text("Dear visitor,\nŞtefan Ţăranu was here.\n", encoding="utf-8")
    return path


def test_an_idle_copier_is_healthy(copier):
    state = copier.state()
    assert isinstance(state, QueueState)
    assert (state.state, state.accepting, state.health) == ("idle", True, "ok"), state.as_dict()


def test_a_paused_queue_is_stopped_and_says_so(copier):
    copier.pause("Out for service")
    state = copier.state()
    assert state.state == "stopped" and "paused" in state.problems and state.health == "warning"
    assert state.message == "Out for service"
    copier.resume()
    assert copier.state().state == "idle"


def test_rejecting_jobs_is_visible(copier):
    copier.reject("Toner on order")
    assert "not_accepting" in copier.state().problems
    copier.accept()
    assert "not_accepting" not in copier.state().problems


def test_a_held_job_is_visible_and_releasable(copier, document):
    copier.pause()  # keep the job in the queue while we look at it
    job_id = copier.print_file(document, title="Minutes")
    copier.hold(job_id)
    held = {job.id: job for job in copier.jobs()}[job_id]
    assert (held.state, held.title) == ("held", "Minutes")
    copier.release(job_id)
    assert copier.job(job_id).state == "pending"
    copier.resume()
    assert copier.wait_for(job_id, timeout=30).state == "completed"
    assert job_id in [job.id for job in copier.jobs("completed")]


def test_cancel_and_unknown_job(copier, document):
    copier.pause()
    job_id = copier.print_file(document)
    copier.cancel(job_id)
    assert copier.job(job_id).state == "canceled"
    copier.resume()
    with pytest.raises(JobNotFound, match="job 999999"):
        copier.cancel(999999)


def test_options_are_checked_against_the_printer(copier, document):
    with pytest.raises(InvalidJobOptions, match="has no media 'iso_a0"):
        copier.print_file(document, media="iso_a0_841x1189mm")
    with pytest.raises(InvalidJobOptions, match="copies, not 0"):
        copier.print_file(document, copies=0)
    job_id = copier.print_file(document, copies=2, duplex=True)
    assert copier.wait_for(job_id, timeout=30).state == "completed"


def test_a_fax_is_sent_with_its_number_normalised(fax, document, cups_lab):
    job_id, number = fax.send_fax(document, "021 318 2400", region="RO")
    assert number == "+40213182400"
    outcome = fax.outcome(job_id, number, timeout=30)
    assert outcome.outcome == "sent", outcome
    sent = cups_lab.sent_faxes()[-1]
    assert sent["number"] == "+40213182400" and sent["job_id"] == job_id


def test_a_failing_fax_is_reported_with_its_reason(fax, document, cups_lab):
    cups_lab.fail_next_fax("No dial tone")
    job_id, number = fax.send_fax(document, "+49 30 1234567")
    outcome = fax.outcome(job_id, number, timeout=30)
    assert outcome.outcome == "failed" and "No dial tone" in outcome.reason, outcome
    assert outcome.job.state == "aborted"  # retried once by cupsd, then given up


def test_a_bad_fax_number_is_refused_before_anything_is_sent(fax, document):
    with pytest.raises(InvalidJobOptions, match="not a fax number|not a valid phone number"):
        fax.send_fax(document, "12", region="RO")


def test_an_unknown_queue_names_queue_and_server(client, cups_lab):
    from frontdesk.contract.config import QueueConfig

    ghost = PrintQueue(QueueConfig(id="ghost", cups_name="Ghost", kind="copier"), client)
    with pytest.raises(QueueNotFound, match=f"queue 'Ghost' does not exist on CUPS at {cups_lab.server}"):
        ghost.state()


def test_low_toner_is_a_warning_even_while_the_copier_is_idle(copier, cups_lab):
    # CUPS learns supplies only during a job; the queue asks the device itself.
    cups_lab.set_supply_levels({"black": 3})
    try:
        state = copier.state()
        assert (state.health, state.problems) == ("warning", ("toner_low",)), state.as_dict()
        black = next(s for s in state.supplies if s.color == "black")
        assert black.level == 3 and black.kind == "toner"
    finally:
        cups_lab.set_supply_levels({"black": 90})
    assert copier.state().health == "ok"


def test_a_copier_that_is_switched_off_is_offline(copier, cups_lab):
    cups_lab.stop_copier()
    try:
        state = copier.state()
        assert state.health == "offline" and state.problems[0] == "device_unreachable"
    finally:
        cups_lab.start_copier()
    assert copier.state().health == "ok"


def test_severity_suffixes_are_respected(copier, cups_lab, document):
    cups_lab.fail_next_copier_job("media-jam")  # the lab's copier only *reports* it: media-jam-report
    job = copier.wait_for(copier.print_file(document), timeout=30)
    assert job.state in ("canceled", "aborted")
    state = copier.state()
    assert "media-jam-report" in state.as_dict()["printer_state_reasons"]
    assert "jam" not in state.problems and state.health == "ok"
    copier.wait_for(copier.print_file(document), timeout=30)  # a good job clears it
    assert "media-jam-report" not in copier.state().as_dict()["printer_state_reasons"]


class Changes:
    """What a watcher reported, for a test to wait on."""

    def __init__(self) -> None:
        self.seen: list = []
        self._arrived = threading.Condition()

    def record(self, change) -> None:
        with self._arrived:
            self.seen.append(change)
            self._arrived.notify_all()

    def wait_for(self, predicate, timeout: float = 20) -> None:
        wait_until(lambda: any(predicate(c) for c in self.seen), timeout, condition=self._arrived,
                   last=lambda: self.seen[-5:])

    def wait_for_last(self, kind: type, timeout: float = 10) -> None:
        wait_until(lambda: self.seen and isinstance(self.seen[-1], kind), timeout, f"a {kind.__name__} reported last",
                   condition=self._arrived, last=lambda: self.seen[-5:])


def test_watcher_sees_changes_and_survives_a_cupsd_restart(copier, client, cups_lab):
    reported = Changes()
    changes, wait_for = reported.seen, reported.wait_for
    watcher = QueueWatcher([copier], client, reported.record, notify_interval=0.2, poll_interval=1)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    try:
        wait_for(lambda c: isinstance(c, QueueState) and c.state == "idle")
        assert watcher.subscribed
        copier.pause()
        wait_for(lambda c: isinstance(c, QueueState) and c.state == "stopped")
        cups_lab.stop_cupsd()
        wait_for(lambda c: isinstance(c, QueueProblem) and c.reason == "cups_unavailable")
        cups_lab.start_cupsd()
        copier.resume()
        wait_for(lambda c: isinstance(c, QueueState) and c.state == "idle" and changes.index(c) > 2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_cups_down_is_a_clear_error(cups_lab, copier):
    cups_lab.stop_cupsd()
    try:
        with pytest.raises(CupsUnavailable, match=f"CUPS at {cups_lab.server}"):
            copier.state()
    finally:
        cups_lab.start_cupsd()
    assert copier.state().state in ("idle", "processing")


def test_polling_watcher_sees_a_deleted_queue_and_its_return(client, cups_lab):
    from frontdesk.contract.config import QueueConfig

    fax_ppd = str(cups_lab.root / "fax.ppd")
    cups_lab.lpadmin("-p", "Temp", "-E", "-v", "frontdesk-fax-test:/", "-P", fax_ppd)
    temporary = PrintQueue(QueueConfig(id="temp", cups_name="Temp", kind="fax"), client)
    reported = Changes()
    watcher = QueueWatcher([temporary], client, reported.record, poll_interval=0.2, subscribe=False)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    try:
        reported.wait_for_last(QueueState)
        cups_lab.lpadmin("-x", "Temp")
        reported.wait_for_last(QueueProblem)
        problem = reported.seen[-1]
        assert problem.reason == "queue_not_found" and "'Temp' does not exist" in problem.message
        cups_lab.lpadmin("-p", "Temp", "-E", "-v", "frontdesk-fax-test:/", "-P", fax_ppd)
        reported.wait_for_last(QueueState)
        assert not watcher.subscribed
    finally:
        stop.set()
        thread.join(timeout=30)
        cups_lab.lpadmin("-x", "Temp")


def test_an_idle_copier_switched_off_is_offline_within_two_device_polls(copier, client, cups_lab):
    # cupsd sends no event for an idle device: only asking the machine itself notices.
    interval = 0.5
    reported = Changes()
    watcher = QueueWatcher([copier], client, reported.record, device_interval=interval)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,))
    thread.start()
    try:
        reported.wait_for(lambda c: isinstance(c, QueueState) and c.health == "ok")
        cups_lab.stop_copier()
        try:
            reported.wait_for(lambda c: isinstance(c, QueueState) and c.health == "offline", timeout=2 * interval + 0.5)
        finally:
            cups_lab.start_copier()
        reported.wait_for(lambda c: isinstance(c, QueueState) and c.health == "ok" and reported.seen.index(c) > 1)
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_jobs_of_a_queue_are_counted_and_the_active_one_named(copier, document, cups_lab):
    copier.pause()  # keep the jobs in the queue while we look at them
    try:
        waiting, held = copier.print_file(document, title="Minutes"), copier.print_file(document)
        copier.hold(held)
        state = copier.state()
        assert (state.jobs_waiting, state.jobs_held, state.active_job) == (1, 1, None)
        copier.cancel(waiting)
        copier.cancel(held)
    finally:
        copier.resume()
    cups_lab.stop_copier()  # the job stays processing while the copier is off
    try:
        job_id = copier.print_file(document, title="Agenda")
        wait_until(lambda: copier.state().active_job is not None, 20, "the job processing")
        active = copier.state().active_job
        assert (active.id, active.name, active.owner) == (job_id, "Agenda", initials(copier.job(job_id).owner))
        assert active.owner.isupper() and len(active.owner) <= 3
    finally:
        cups_lab.start_copier()
    assert copier.wait_for(job_id, timeout=30).state == "completed"


def test_a_fax_in_a_format_the_queue_cannot_take_is_refused_before_submission(fax, tmp_path, cups_lab):
    sent = len(cups_lab.sent_faxes())
    archive = tmp_path / "minutes.zip"
    archive.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(InvalidJobOptions, match=r"cannot send minutes.zip: its format is application/octet-stream; it accepts .*application/pdf"):
        fax.send_fax(archive, "+40 21 318 2400")
    assert len(cups_lab.sent_faxes()) == sent
