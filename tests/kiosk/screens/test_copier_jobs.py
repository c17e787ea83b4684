"""Staff hold, release and cancel a copier job from the kiosk's devices screen (a real cupsd)."""

from __future__ import annotations

import pytest
from kiosk_ui import SCREENSHOTS, start_kiosk
from tour import STAFF_PIN, enter_pin


@pytest.fixture
def copier_rig(kiosk_rig, cups_lab):
    """The rig plus the private cupsd's copier queue, paused so a job stays in it."""
    from frontdesk.contract.config import load_config
    from frontdesk.devices.queues import CupsClient, queue_for

    with kiosk_rig.config_path.open("a", encoding="utf-8") as config:
        config.write(f'\n[cups]\nserver = "{cups_lab.server}"\n'
                     '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n')
    kiosk_rig.config = load_config(kiosk_rig.config_path)
    client = CupsClient(cups_lab.server, timeout=10)
    copier = queue_for(kiosk_rig.config.queue[0], client)
    copier.pause()
    try:
        yield kiosk_rig, copier
    finally:
        copier.resume()  # the lab is shared by the whole session
        copier.accept()
        client.close()


def test_staff_hold_release_and_cancel_a_copier_job(copier_rig, xvfb, tmp_path):
    rig, copier = copier_rig
    letter = tmp_path / "minutes.txt"
    letter.write_text("Minutes of the meeting\n", encoding="utf-8")
    job = copier.print_file(letter, title="Minutes")
    rig.start_agent()
    ui = start_kiosk(rig, xvfb.display)
    try:
        ui.tap("welcome.staff")
        enter_pin(ui, STAFF_PIN)
        ui.tap("staff.devices")
        ui.wait_for(lambda s: "devices.action.copier" in s["refs"], 20, "the copier in the list")
        ui.tap("devices.action.copier")
        ui.wait_for(lambda s: f"devices.job_hold.{job}" in s["refs"], 20, "the copier's job")
        assert any("Minutes" in text and "în așteptare" in text for text in ui.state()["texts"])
        ui.screenshot(SCREENSHOTS / "flows" / "devices-copier-jobs-ro.png")
        ui.tap(f"devices.job_hold.{job}")
        ui.wait_for(lambda s: any("Minutes" in t and "reținut" in t for t in s["texts"]), 20, "held")
        assert copier.job(job).state == "held"
        ui.tap(f"devices.job_release.{job}")
        ui.wait_for(lambda s: any("Minutes" in t and "în așteptare" in t for t in s["texts"]), 20, "released")
        ui.tap(f"devices.job_cancel.{job}")
        ui.wait_for(lambda s: f"devices.job_hold.{job}" not in s["refs"], 20, "the job gone")
        assert copier.job(job).state == "canceled"
    finally:
        ui.close()
