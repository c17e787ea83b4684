"""The CUPS lab itself: real cupsd, ippeveprinter and fax backend, and what each change looks like through cupsd."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from cups_lab import FAX_BACKEND, CupsLab
from testbed import wait_until

cups = pytest.importorskip("cups", reason="pycups is needed to talk to the lab's cupsd")

JOB_TIMEOUT = 30.0
POLL_INTERVAL = 0.05
DONE = (cups.IPP_JOB_CANCELED, cups.IPP_JOB_ABORTED, cups.IPP_JOB_COMPLETED)


@pytest.fixture(scope="module")
def lab():
    # Not under tmp_path: pytest makes its folders 0700, and cupsd runs filters as user lp.
    with tempfile.TemporaryDirectory(prefix="frontdesk-cups-lab-") as root, CupsLab(Path(root)) as lab:
        yield lab


@pytest.fixture
def conn(lab):
    return lab.connection()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    from PIL import Image

    path = tmp_path_factory.mktemp("documents") / "page.pdf"
    Image.new("L", (200, 280), 255).save(path, "PDF")
    return path


def wait_for(check, what: str, timeout: float = JOB_TIMEOUT):
    """testbed.wait_until for cupsd, which notifies nobody: asked every POLL_INTERVAL."""
    return wait_until(check, timeout, what, interval=POLL_INTERVAL)


def job_state(conn, job_id: int) -> int:
    return conn.getJobAttributes(job_id, requested_attributes=["job-state"])["job-state"]


def finished(conn, job_id: int) -> dict:
    """The job's attributes once it has ended (completed, canceled or aborted)."""
    wait_for(lambda: job_state(conn, job_id) in DONE, f"end of job {job_id}")
    return conn.getJobAttributes(job_id)


def printer(conn, queue: str) -> dict:
    return conn.getPrinterAttributes(queue)


def reasons(conn, queue: str) -> list[str]:
    value = printer(conn, queue)["printer-state-reasons"]
    return [value] if isinstance(value, str) else value  # pycups gives one value as a plain str


def copy(conn, pdf: Path) -> dict:
    return finished(conn, conn.printFile(CupsLab.COPIER, str(pdf), "lab copy", {}))


def test_both_queues_are_ready_and_the_fax_queue_is_a_fax(conn, lab):
    assert set(conn.getPrinters()) == {"Copier", "Fax"}
    copier, fax = printer(conn, CupsLab.COPIER), printer(conn, CupsLab.FAX)
    for queue in (copier, fax):
        assert queue["printer-state"] == cups.IPP_PRINTER_IDLE
        assert queue["printer-is-accepting-jobs"] and not queue["printer-is-shared"]
    assert (copier["device-uri"], fax["device-uri"]) == (lab.copier_uri, "frontdesk-fax-test:/")
    assert fax["printer-type"] & cups.CUPS_PRINTER_FAX and not copier["printer-type"] & cups.CUPS_PRINTER_FAX
    assert "two-sided-long-edge" in copier["sides-supported"] and "color" in copier["print-color-mode-supported"]


def test_a_copier_job_completes_and_reaches_the_printer(conn, lab, pdf):
    job = copy(conn, pdf)
    assert job["job-state"] == cups.IPP_JOB_COMPLETED, job
    kept = wait_for(lambda: list((lab.copier_dir / "spool").glob("*.pdf")), "document in the copier's spool")
    assert all(path.read_bytes().startswith(b"%PDF") for path in kept)  # as CUPS' pdftopdf rewrote it


def test_a_fax_reaches_the_backend_with_its_number(conn, lab, pdf):
    job_id = conn.printFile(CupsLab.FAX, str(pdf), "Invoice 17", {"phone": "+40213182400"})
    assert finished(conn, job_id)["job-state"] == cups.IPP_JOB_COMPLETED
    sent = lab.sent_faxes()[-1]
    assert (sent["job_id"], sent["number"], sent["title"], sent["user"]) == (
        job_id,
        "+40213182400",
        "Invoice 17",
        "root",
    )
    assert sent["bytes"] == pdf.stat().st_size and sent["options"]["phone"] == "+40213182400"
    assert (lab.fax_dir / sent["document"]).read_bytes() == pdf.read_bytes()


def test_a_text_fax_reaches_the_backend_as_pdf_with_faxnumber(conn, lab, tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear visitor,\nwelcome.\n", encoding="utf-8")
    job_id = conn.printFile(CupsLab.FAX, str(letter), "Letter", {"faxnumber": "0213182400"})
    assert finished(conn, job_id)["job-state"] == cups.IPP_JOB_COMPLETED
    sent = lab.sent_faxes()[-1]
    assert (sent["job_id"], sent["number"], sent["content_type"]) == (job_id, "0213182400", "application/pdf")
    assert (lab.fax_dir / sent["document"]).read_bytes().startswith(b"%PDF")


def test_a_failed_fax_attempt_holds_the_job_with_the_reason_then_it_is_sent(conn, lab, pdf):
    lab.fail_next_fax("Line busy", attempts=1)
    job_id = conn.printFile(CupsLab.FAX, str(pdf), "Busy", {"phone": "555"})
    wait_for(lambda: job_state(conn, job_id) == cups.IPP_JOB_HELD, "fax held for a retry")
    job = conn.getJobAttributes(job_id)
    assert job["job-printer-state-message"] == "Line busy" and job["job-state-reasons"] == "resources-are-not-ready"
    assert printer(conn, CupsLab.FAX)["printer-state-message"] == "Line busy"
    conn.setJobHoldUntil(job_id, "no-hold")  # retry now rather than in about 10 s
    assert finished(conn, job_id)["job-state"] == cups.IPP_JOB_COMPLETED
    assert lab.sent_faxes()[-1]["job_id"] == job_id


def test_a_failing_fax_is_held_for_a_retry_then_aborted_with_the_reason(conn, lab, pdf):
    lab.fail_next_fax("No answer")
    job_id = conn.printFile(CupsLab.FAX, str(pdf), "Nobody home", {"phone": "556"})
    wait_for(lambda: job_state(conn, job_id) == cups.IPP_JOB_HELD, "fax held for a retry")
    conn.setJobHoldUntil(job_id, "no-hold")
    job = finished(conn, job_id)
    assert (job["job-state"], job["job-printer-state-message"]) == (cups.IPP_JOB_ABORTED, "No answer")
    assert job_id not in [sent["job_id"] for sent in lab.sent_faxes()]
    assert printer(conn, CupsLab.FAX)["printer-state"] == cups.IPP_PRINTER_IDLE  # a fax queue is not stopped


def test_a_supply_change_shows_on_the_queue_only_after_a_copier_job(conn, lab, pdf):
    lab.set_supply_levels({"waste": 95, "black": 5, "cyan": 0})
    try:
        assert "toner-low-report" not in reasons(conn, CupsLab.COPIER)  # cupsd asks the printer only during jobs
        copy(conn, pdf)
        assert {"marker-waste-almost-full-report", "toner-low-report", "toner-empty-report"} <= set(
            reasons(conn, CupsLab.COPIER)
        )
        queue = printer(conn, CupsLab.COPIER)
        assert queue["marker-levels"] == [95, 5, 0, 33, 67]
        assert queue["marker-names"] == ["Waste Toner", "Black Toner", "Cyan Toner", "Magenta Toner", "Yellow Toner"]
        assert queue["marker-types"] == ["waste-toner", "toner", "toner", "toner", "toner"]
    finally:
        lab.set_supply_levels({"waste": 25, "black": 75, "cyan": 50})
        copy(conn, pdf)
    assert not {"toner-low-report", "toner-empty-report"} & set(reasons(conn, CupsLab.COPIER))
    assert printer(conn, CupsLab.COPIER)["marker-levels"] == [25, 75, 50, 33, 67]


def test_an_empty_tray_keeps_the_copier_job_processing_until_paper_is_loaded(conn, lab, pdf):
    lab.set_media_ready(["iso_a4_210x297mm"], sheets=0)
    try:
        job_id = conn.printFile(CupsLab.COPIER, str(pdf), "No paper", {})
        wait_for(lambda: "media-empty-warning" in reasons(conn, CupsLab.COPIER), "media-empty-warning on the queue")
        assert "media-needed-warning" in reasons(conn, CupsLab.COPIER)
        assert job_state(conn, job_id) == cups.IPP_JOB_PROCESSING
        lab.set_media_ready(["iso_a4_210x297mm"], sheets=10)
        assert finished(conn, job_id)["job-state"] == cups.IPP_JOB_COMPLETED
        assert reasons(conn, CupsLab.COPIER) == ["media-low-report"]
    finally:
        lab.set_media_ready(["iso_a4_210x297mm", "na_index-4x6_4x6in"])
        copy(conn, pdf)
    assert reasons(conn, CupsLab.COPIER) == ["none"]


def test_a_copier_job_failing_at_the_printer_is_canceled_and_leaves_its_reason(conn, lab, pdf):
    lab.fail_next_copier_job("media-jam-error")
    job = copy(conn, pdf)
    assert (job["job-state"], job["job-printer-state-message"]) == (
        cups.IPP_JOB_CANCELED,
        "Print job canceled at printer.",
    )
    assert "media-jam-report" in reasons(conn, CupsLab.COPIER)
    assert copy(conn, pdf)["job-state"] == cups.IPP_JOB_COMPLETED
    assert "media-jam-report" not in reasons(conn, CupsLab.COPIER)


def test_a_copier_job_waits_while_the_copier_is_off(conn, lab, pdf):
    lab.stop_copier()
    try:
        job_id = conn.printFile(CupsLab.COPIER, str(pdf), "Copier off", {})
        message = "The printer may not exist or is unavailable at this time."
        wait_for(lambda: printer(conn, CupsLab.COPIER)["printer-state-message"] == message, "'unavailable' message")
        assert job_state(conn, job_id) == cups.IPP_JOB_PROCESSING
    finally:
        lab.start_copier()
    assert finished(conn, job_id)["job-state"] == cups.IPP_JOB_COMPLETED


def test_restarting_cupsd_keeps_queues_and_job_history(conn, lab, pdf):
    job_id = copy(conn, pdf)["job-id"]
    lab.restart_cupsd()
    conn = lab.connection()
    assert set(conn.getPrinters()) == {"Copier", "Fax"}
    assert job_id in conn.getJobs(which_jobs="completed")
    assert copy(conn, pdf)["job-state"] == cups.IPP_JOB_COMPLETED


def test_a_stopped_cupsd_refuses_connections_until_started(lab):
    lab.stop_cupsd()
    try:
        with pytest.raises(RuntimeError):
            lab.connection()
    finally:
        lab.start_cupsd()
    assert set(lab.connection().getPrinters()) == {"Copier", "Fax"}


def test_wrong_names_are_refused(lab):
    with pytest.raises(ValueError, match="toner-almost-gone"):
        lab.fail_next_copier_job("toner-almost-gone")
    with pytest.raises(ValueError, match="magneta"):
        lab.set_supply_levels({"magneta": 5})
    with pytest.raises(ValueError, match="trays"):
        lab.set_media_ready(["iso_a4_210x297mm"] * 5)


def test_the_backend_announces_itself():
    line = subprocess.run([FAX_BACKEND], capture_output=True, text=True, check=True).stdout
    assert line.startswith('direct frontdesk-fax-test "')


def test_stop_ends_every_process_and_frees_the_port():
    with tempfile.TemporaryDirectory(prefix="frontdesk-cups-lab-") as root:
        with CupsLab(Path(root)) as lab:
            ports = [lab.port, lab.copier_port]
            assert set(lab.connection().getPrinters()) == {"Copier", "Fax"}
        for port in ports:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((lab.host, port), timeout=1)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root's cupsd runs filters as lp")
def test_a_root_that_lp_cannot_enter_is_refused_before_anything_starts(tmp_path):
    with pytest.raises(ValueError, match="TemporaryDirectory"):
        CupsLab(tmp_path / "lab").start()
    assert not (tmp_path / "lab").exists()


def test_a_start_failing_half_way_stops_what_it_started(monkeypatch):
    started = []

    def fail_adding_queues(lab):
        started.extend([lab.port, lab.copier_port])
        raise RuntimeError("lpadmin failed")

    monkeypatch.setattr(CupsLab, "_add_queues", fail_adding_queues)
    with (
        tempfile.TemporaryDirectory(prefix="frontdesk-cups-lab-") as root,
        pytest.raises(RuntimeError, match="lpadmin"),
    ):
        CupsLab(Path(root)).start()
    for port in started:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
