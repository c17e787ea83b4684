"""Commands run per device, and answer as docs/mqtt.md says (the `rig` of tests/agent/conftest.py).

A print waiting for paper holds only its own reply: `status`, the scale and the queues
answer meanwhile, and the print's job says why it waits. A device argument left out
means the first device of the kind the command needs.
"""

from __future__ import annotations

import base64
import json
import threading

from testbed import wait_until

RECEIPT = {"items": [{"description": "Plic recomandat", "unit_price": "9.75"}], "payment_method": "card"}


def events(watcher, device: str, name: str) -> list[dict]:
    return [event for event in watcher.json_on(f"frontdesk/test/agent/main/devices/{device}/events")
            if event["event"] == name]


def test_a_print_waiting_for_paper_holds_up_no_other_command_and_says_why_it_waits(rig):
    watcher, printer_sim, *_ = rig
    watcher.state("mail-scale", health="ok")
    printer_sim.state.paper = "out"
    watcher.state("desk-printer", health="error")
    replies: dict[str, dict] = {}
    printing = threading.Thread(target=lambda: replies.update(
        receipt=watcher.command("print_receipt", {**RECEIPT, "request_id": "waits", "wait": 8})))
    printing.start()
    watcher.wait_for(lambda t, p, r: t.endswith("/ledger") and b"receipt_issued" in p)  # the agent has the job
    # Before the fix these waited behind the print, on the agent's one command thread.
    assert watcher.command("status", {}, timeout=3)["ok"]
    assert watcher.command("scale_read", {}, timeout=3)["ok"]
    assert watcher.command("queue_status", {"queue": "copier"}, timeout=3)["ok"]
    assert watcher.command("printer_status", {}, timeout=3)["result"]["paper"] == "out"
    assert "receipt" not in replies  # still waiting for paper
    job = watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b'"job_waiting"' in p)
    waiting = json.loads(job[1])
    assert waiting["reason"] == "paper_out" and "out of paper" in waiting["last_error"], waiting
    printer_sim.state.paper = "ok"
    printing.join(timeout=15)
    receipt = replies["receipt"]["result"]
    # What it last waited for (the printer may say offline for a moment as the roll goes in).
    assert receipt["state"] == "printed" and "printer 'desk-printer'" in receipt["last_error"], receipt
    completed = watcher.wait_for(lambda t, p, r: b'"job_completed"' in p and b'"waits"' in p)
    # The event and the reply tell of the same printout.
    assert json.loads(completed[1])["attempts"] == receipt["attempts"] == 1


def test_a_waiting_job_is_announced_once_per_reason(rig):
    watcher, printer_sim, *_ = rig
    printer_sim.state.paper = "out"
    watcher.state("desk-printer", health="error")
    first = watcher.command("print_badge", {"visitor_name": "Ștefan Țăranu", "badge_number": "V-1", "wait": 0.5})
    assert first["result"]["state"] == "queued" and "out of paper" in (first["result"]["last_error"] or ""), first
    second = watcher.command("print_badge", {"visitor_name": "Anna Müller", "badge_number": "V-2", "wait": 0})
    # The second job wakes the printer's loop, which finds both waiting: only the new one is news.
    # Events leave in order, so once the second's is in, a repeat of the first's would be too.
    watcher.wait_for(lambda t, p, r: b'"job_waiting"' in p and f'"job":{second["result"]["job"]},'.encode() in p)
    waiting = events(watcher, "desk-printer", "job_waiting")
    assert [event["job"] for event in waiting] == [first["result"]["job"], second["result"]["job"]], waiting


def test_a_device_left_out_is_the_first_of_the_kind_the_command_needs(rig):
    watcher, _, _, cups_lab = rig
    document = base64.b64encode(b"Oferta, pagina 1\n").decode()
    # The copier is the first queue in the config: the fax must still go to the fax queue.
    reply = watcher.command("fax_send", {"number": "+40 21 318 2400", "document": document, "filename": "o.txt"})
    assert reply["ok"] and reply["result"]["queue"] == "fax", reply
    watcher.wait_for(lambda t, p, r: t.endswith("devices/fax/events") and b"fax_sent" in p)


def test_a_job_command_acts_only_on_the_queue_it_names(rig, tmp_path):
    watcher, _, _, cups_lab = rig
    document = tmp_path / "agenda.txt"
    document.write_text("Agenda\n")
    connection = cups_lab.connection()
    assert watcher.command("queue_pause", {"queue": "copier"})["ok"]  # the job stays in the queue
    job = connection.printFile("Copier", str(document), "Agenda", {"job-hold-until": "indefinite"})
    reply = watcher.command("job_cancel", {"job": job, "queue": "fax"})
    assert reply["error"]["code"] == "job_not_found" and "'fax'" in reply["error"]["message"], reply
    assert connection.getJobAttributes(job)["job-state"] == 4  # still held on the copier
    assert watcher.command("job_release", {"job": job, "queue": "copier"})["result"] == {
        "job": job, "done": "release", "queue": "copier"}
    assert watcher.command("job_cancel", {"job": job})["ok"]  # no queue: the first queue, the copier's
    assert watcher.command("queue_resume", {"queue": "copier"})["ok"]


def test_new_queue_commands_restart_accept_and_reject(rig):
    watcher, *_ = rig
    assert watcher.command("queue_reject", {"queue": "copier"})["result"] == {"queue": "copier", "done": "reject"}
    assert "not_accepting" in watcher.state("copier", health="warning")["reasons"]
    assert watcher.command("queue_accept", {"queue": "copier"})["ok"]
    watcher.state("copier", health="ok")
    assert watcher.command("job_restart", {"job": 987654})["error"]["code"] == "job_not_found"


def test_an_unplugged_scale_is_offline_not_its_last_reading(rig):
    watcher, _, scale_sim, _ = rig
    assert watcher.command("scale_read", {})["ok"]
    scale_sim.unplug()
    watcher.state("mail-scale", health="offline")
    reply = watcher.command("scale_read", {})
    assert reply["error"]["code"] == "device_offline" and "mail-scale" in reply["error"]["message"], reply


def test_postage_without_a_class_that_nothing_takes_is_overweight(rig):
    watcher, *_ = rig
    reply = watcher.command("postage_quote", {"weight": "5kg", "carrier": "deutschepost"})
    assert reply["error"]["code"] == "overweight" and "counter" in reply["error"]["message"], reply
    one_class = watcher.command("postage_quote", {"weight": "5kg", "carrier": "deutschepost", "mail_class": "standard_letter"})
    assert one_class["error"]["code"] == "overweight"


def test_the_books_commands_the_staff_cli_uses(rig):
    watcher, printer_sim, *_ = rig
    request = {"weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost", "staff": "Łucja"}
    assert watcher.command("mail_record", request)["ok"]
    today = watcher.command("postage_today", {})["result"]
    assert (today["count"], today["totals"], today["by_class"]) == (1, {"EUR": "1.80"}, {"large_letter": 1}), today
    assert today["items"][0]["staff"] == "Łucja"
    printer_sim.state.paper = "out"
    watcher.state("desk-printer", health="error")
    history = watcher.command("device_history", {"device": "desk-printer", "limit": 5})["result"]
    assert history["changes"][0]["reasons"] == ["paper_out"] and history["timezone"] == "Europe/Bucharest"


def test_a_test_badge_and_the_printer_status_in_words(rig):
    watcher, printer_sim, *_ = rig
    status = watcher.command("printer_status", {})["result"]
    assert status["printer"] == "desk-printer" and status["message"].endswith("is ready (paper ok).")
    reply = watcher.command("printer_test", {"badge": "Zoë Ångström", "language": "de"})["result"]
    assert reply["document"] == "badge" and reply["confirmed"] is True
    wait_until(lambda: any("Zoë Ångström" in job.text_rendering() for job in printer_sim.jobs), 5, "the badge")
