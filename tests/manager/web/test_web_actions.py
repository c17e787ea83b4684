"""Dashboard actions in Chromium, carried out by a real `frontdesk-agent` on real devices:
a test print on the printer simulator, and pausing, holding and cancelling on the private cupsd."""

from __future__ import annotations

from testbed import wait_until
from web_rig import card_id, log_in

from frontdesk.contract import mqtt as contract


def card(page, device: str):
    return page.locator(f'[id="{card_id("hq", "main", device)}"]')


def wait_for_device(rig, process, device: str, timeout: float = 30) -> None:
    board = rig.dashboard.board

    def shown() -> bool:
        assert process.poll() is None, "frontdesk-agent exited"
        return board.device("hq", "main", device) is not None and board.agent("hq", "main").status == contract.ONLINE

    wait_until(shown, timeout, f"{device} on the dashboard, its agent online", interval=0.1)


def test_a_test_print_from_the_dashboard_reaches_the_printer(live_web, real_agent, printer_sim, desktop, screenshots):
    wait_for_device(live_web, real_agent, "desk-printer")
    log_in(desktop, live_web.url)
    printer = card(desktop, "desk-printer")
    assert printer.get_attribute("data-health") == "ok"
    printer.locator("button[data-action=printer_test]").click()
    reply = printer.locator(".reply-ok")
    reply.wait_for(timeout=20000)
    assert reply.inner_text().startswith("Test print sent to desk-printer (")
    printed = [job for job in printer_sim.jobs if "TEST-000001" in job.text_rendering()]
    assert len(printed) == 1 and len(printed[0].received) > 100
    desktop.screenshot(path=screenshots / "dashboard-test-print.png")

    printer_sim.state.paper = "out"
    card(desktop, "desk-printer").and_(desktop.locator("[data-health=error]")).wait_for(timeout=15000)
    assert "Out of paper: load paper." in printer.inner_text()
    assert printer.locator(".reply-ok").count() == 1  # the reply survived the card's redraw
    printer.locator("button[data-action=printer_test]").click()
    refused = printer.locator(".reply-error")
    refused.wait_for(timeout=20000)
    assert refused.inner_text().startswith("Out of paper: load paper. (")  # the agent's paper_out, in words


def test_pause_hold_cancel_and_resume_a_copier_queue(live_web, queue_agent, cups_lab, desktop, tmp_path, screenshots):
    wait_for_device(live_web, queue_agent, "copier")
    log_in(desktop, live_web.url)
    desktop.on("dialog", lambda dialog: dialog.accept())  # "Cancel job N? It will not print."
    copier = card(desktop, "copier")
    copier.locator("button[data-action=queue_pause]").click()
    copier.locator(".reply-ok", has_text="Queue copier paused: new jobs wait.").wait_for(timeout=20000)
    copier.locator("button[data-action=queue_resume]").wait_for(timeout=20000)  # the agent's new state arrived

    document = tmp_path / "agenda.txt"
    document.write_text("Agenda\n")
    job = cups_lab.connection().printFile("Copier", str(document), "Agenda", {})
    copier.locator("button[data-action=queue_status]").click()
    row = copier.locator(f".jobs tr[data-job='{job}']")
    row.wait_for(timeout=20000)
    assert "Agenda" in row.inner_text()
    row.locator("button[data-action=job_hold]").click()
    copier.locator(".reply-ok", has_text=f"Job {job} held").wait_for(timeout=20000)
    row.locator("button[data-action=job_release]").wait_for(timeout=20000)  # the list was read again
    assert "held" in row.inner_text()
    desktop.screenshot(path=screenshots / "dashboard-jobs.png")
    row.locator("button[data-action=job_cancel]").click()
    copier.locator(".reply-ok", has_text=f"Job {job} cancelled.").wait_for(timeout=20000)
    row.wait_for(state="detached", timeout=20000)

    copier.locator("button[data-action=queue_resume]").click()
    copier.locator(".reply-ok", has_text="Queue copier resumed.").wait_for(timeout=20000)
    copier.locator("button[data-action=queue_pause]").wait_for(timeout=20000)
