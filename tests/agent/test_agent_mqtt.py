"""The agent over a real Mosquitto, with the printer and scale simulators and the private cupsd
(the `rig` of tests/agent/conftest.py)."""

from __future__ import annotations

import json

import pytest
from testbed import AGENT_PREFIX as PREFIX
from testbed import RIG_DEVICE_POLL as DEVICE_POLL
from ha_schema import check_config, discovery_configs
from testbed import Recorder, RunningAgent, wait_until, watcher_on

def test_availability_and_retained_state_of_every_device(rig):
    watcher, *_ = rig
    watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")
    printer = watcher.state("desk-printer", health="ok")
    assert (printer["kind"], printer["paper"], printer["reasons"]) == ("printer", "ok", [])
    assert watcher.state("mail-scale", health="ok")["unit"] == "g"
    assert watcher.state("copier")["kind"] == "copier"
    weight = json.loads(watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/devices/mail-scale/weight")[1])
    assert weight["grams"] == 85.0 and weight["stable"] is True  # a JSON number, like the ledger's grams


def test_a_printer_fault_and_its_recovery_are_state_and_events(rig):
    watcher, printer_sim, *_ = rig
    watcher.state("desk-printer", health="ok")
    printer_sim.state.paper = "out"
    state = watcher.state("desk-printer", health="error")
    assert state["reasons"] == ["paper_out"]
    event = json.loads(watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"paper_out" in p)[1])
    assert event["event"] == "paper_out" and not watcher.messages[-1][2]
    printer_sim.state.paper = "ok"
    watcher.state("desk-printer", health="ok")
    recovered = json.loads(watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"recovered" in p)[1])
    assert recovered["after"] == ["paper_out"] and recovered["down_seconds"] >= 0


def test_commands_answer_with_their_correlation_data(rig):
    watcher, *_ = rig
    watcher.state("mail-scale", health="ok")
    status = watcher.command("status", {})
    assert status["ok"] and set(status["result"]["devices"]) == {"desk-printer", "mail-scale", "copier", "fax"}
    assert watcher.command("printer_status", {"printer": "desk-printer"})["result"]["health"] == "ok"
    reading = watcher.command("scale_read", {"stable": True})
    assert reading["ok"] and reading["result"]["grams"] == 85.0
    quote = watcher.command("postage_quote", {"weight": "85g", "carrier": "deutschepost"})
    assert quote["result"]["options"][0]["mail_class"] == "large_letter"
    assert watcher.command("scale_tare", {})["ok"]


def test_queue_commands_and_their_state(rig):
    watcher, *_ = rig
    assert watcher.command("queue_pause", {"queue": "copier"})["ok"]
    assert "paused" in watcher.state("copier", health="warning")["reasons"]
    assert watcher.command("queue_resume", {"queue": "copier"})["ok"]
    watcher.state("copier", health="ok")
    assert watcher.command("job_cancel", {"job": 987654})["error"]["code"] == "job_not_found"


@pytest.mark.parametrize("name, payload, code, words", [
    ("printer_status", b"{not json", "invalid_request", "not UTF-8 JSON"),
    ("printer_status", b"[1, 2]", "invalid_request", "must be a JSON object"),
    ("printer_status", b"\xff\xfe", "invalid_request", "not UTF-8 JSON"),
    ("printer_status", {"printr": "x"}, "invalid_request", "printr: Extra inputs are not permitted"),
    ("scale_read", {"timeout": "soon"}, "invalid_request", "timeout"),
    ("job_hold", {"job": -3}, "invalid_request", "job"),
    ("print_everything", {}, "unknown_command", "no command 'print_everything'"),
    ("printer_status", {"printer": "basement"}, "unknown_device", "no printer 'basement'"),
    ("postage_quote", {"weight": "heavy"}, "invalid_weight", "not a weight"),
])
def test_malformed_commands_get_one_error_reply_and_the_agent_goes_on(rig, name, payload, code, words):
    watcher, *_ = rig
    reply = watcher.command(name, payload)
    assert reply["ok"] is False and reply["error"]["code"] == code and words in reply["error"]["message"], reply
    assert watcher.command("status", {})["ok"]


def test_a_broker_restart_gets_availability_and_state_republished(rig, broker):
    watcher, *_ = rig
    watcher.state("desk-printer", health="ok")
    watcher.close()
    broker.stop()
    broker.start()  # no persistence: every retained message is gone
    fresh = watcher_on(broker)
    try:
        fresh.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online", timeout=40)
        assert fresh.state("desk-printer", timeout=40, health="ok")
        assert fresh.state("copier", timeout=40)
    finally:
        fresh.close()


def discovery(watcher, since: int = 0) -> dict[str, dict | None]:
    return discovery_configs(watcher, since)


def check_against_home_assistant(topic: str, config: dict, node: str) -> None:
    """The platform's schema (ha_schema), and the agent's devices under the agent's."""
    check_config(topic, config)
    assert config["unique_id"].startswith(node) and topic == f"homeassistant/{topic.split('/')[1]}/{node}/" \
        f"{config['unique_id'].removeprefix(node + '_')}/config", topic
    device = config["device"]
    if device["identifiers"] != [node]:  # a Frontdesk device, under the agent's
        assert device["via_device"] == node and device["identifiers"][0].startswith(node + "_"), topic
        assert config["availability_mode"] == "all", topic
        assert config["availability"][0] == {"topic": f"{PREFIX}/availability", "payload_available": "online",
                                             "payload_not_available": "offline"}, topic


def test_home_assistant_sees_one_device_per_device_with_its_entities(rig):
    watcher, printer_sim, *_ = rig
    watcher.wait_for(lambda t, p, r: "_supply_" in t)  # the copier's toner sensors, once it reported them
    found = discovery(watcher)
    node = "frontdesk_test_main"
    for topic, config in found.items():
        assert config is not None, f"{topic} deleted"
        check_against_home_assistant(topic, config, node)
    unique_ids = [config["unique_id"] for config in found.values()]
    assert len(unique_ids) == len(set(unique_ids))
    devices = {config["device"]["identifiers"][0]: config["device"] for config in found.values()}
    assert {name for name in devices} == {node, *(f"{node}_{d}" for d in ("desk_printer", "mail_scale", "copier", "fax"))}
    assert (devices[f"{node}_desk_printer"]["name"], devices[f"{node}_mail_scale"]["name"]) == ("Desk printer", "Mail scale")
    entities = {topic.split("/")[-2]: config for topic, config in found.items()}
    assert {"copier_state", "copier_jobs_waiting", "copier_jobs_held", "copier_pause", "copier_resume",
            "copier_cancel_all", "fax_events", "mail_scale_zero", "desk_printer_events"} <= set(entities)
    assert entities["copier_state"]["options"] == ["idle", "processing", "stopped"]
    assert "fax_sent" in entities["fax_events"]["event_types"]
    weight = entities["mail_scale_weight"]
    assert (weight["device_class"], weight["unit_of_measurement"]) == ("weight", "g")
    # Pressing the button in Home Assistant publishes payload_press without a response topic.
    button = entities["desk_printer_test_print"]
    jobs = len(printer_sim.jobs)
    watcher.publish(button["command_topic"], button["payload_press"])
    wait_until(lambda: any("TOTAL" in job.text_rendering() for job in printer_sim.jobs[jobs:]), 15,
               "the test print from the button")
    assert watcher.command("queue_cancel_all", {"queue": "copier"})["result"] == {"queue": "copier", "cancelled": 0}


def test_an_agent_restart_changes_no_unique_id_and_deletes_no_config(rig_config, broker):
    # Restarted while CUPS is away, the copier cannot report its supplies: their sensors stay.
    cups_away = rig_config.model_copy(update={"cups": rig_config.cups.model_copy(update={"server": "127.0.0.1:9"})})
    watcher = watcher_on(broker)
    try:
        runs = []
        for config, copier in ((rig_config, b'"supplies":[{'), (cups_away, b'"cups_unavailable"')):
            started = watcher.mark()
            with RunningAgent(config):
                watcher.wait_for(lambda t, p, r, copier=copier: t.endswith("/devices/copier/state") and copier in p,
                                 since=started)
            # The agent's last word: everything it published before has arrived.
            watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"offline", since=started)
            runs.append(discovery(watcher, since=started))
    finally:
        watcher.close()
    first, again = runs
    assert any("_supply_" in topic for topic in first)
    assert [topic for topic, config in again.items() if config is None] == []
    assert {topic: config["unique_id"] for topic, config in again.items()} == \
        {topic: config["unique_id"] for topic, config in first.items()}
    reader = Recorder(broker, "homeassistant/#")  # what Home Assistant finds at the broker now
    try:
        reader.sync()
        assert discovery(reader) == again
    finally:
        reader.close()


def test_discovery_is_republished_when_home_assistant_restarts(rig):
    watcher, *_ = rig
    watcher.state("copier")
    watcher.wait_for(lambda t, p, r: "_supply_" in t)
    before = set(discovery(watcher))
    watcher.clear()
    watcher.publish("homeassistant/status", b"online")
    # Every entity announced again, and the states with them.
    watcher.wait_until(lambda: set(discovery(watcher)) >= before, 15, "every discovery config again")
    watcher.wait_for(lambda t, p, r: t.endswith("/devices/desk-printer/state"))


RECEIPT = {"items": [{"description": "Copies A4", "unit_price": "0.50", "quantity": "12"},
                     {"description": "Registered letter", "unit_price": "9.75"}],
           "payment_method": "card"}


def printed_receipts(printer_sim) -> list[str]:
    """Receipt numbers of the complete receipts (cut at the end) the printer has printed."""
    from frontdesk.devices.printer.simulator import Cut

    numbers = []
    for job in printer_sim.jobs:
        text = job.text_rendering()
        if job.elements and isinstance(job.elements[-1], Cut) and "Nr. bon" in text:
            numbers += [line.split()[-1] for line in text.splitlines() if line.startswith("Nr. bon")]
    return numbers


def test_receipts_are_numbered_without_gaps_and_printed(rig):
    watcher, printer_sim, *_ = rig
    replies = [watcher.command("print_receipt", {**RECEIPT, "request_id": f"till-{n}"}) for n in range(3)]
    assert all(r["ok"] and r["result"]["state"] == "printed" for r in replies), replies
    numbers = [r["result"]["receipt_number"] for r in replies]
    year = numbers[0][:4]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    assert printed_receipts(printer_sim) == numbers
    event = json.loads(watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"job_completed" in p)[1])
    assert event["kind"] == "receipt"


def test_the_same_request_twice_prints_once(rig):
    watcher, printer_sim, *_ = rig
    first = watcher.command("print_receipt", {**RECEIPT, "request_id": "kiosk-7"})
    again = watcher.command("print_receipt", {**RECEIPT, "request_id": "kiosk-7"})
    assert first["result"]["job"] == again["result"]["job"] and again["result"]["duplicate"] is True
    assert printed_receipts(printer_sim) == [first["result"]["receipt_number"]]


def test_a_job_waits_while_the_paper_is_out_and_prints_once_when_it_is_back(rig):
    watcher, printer_sim, *_ = rig
    watcher.state("desk-printer", health="ok")
    printer_sim.state.paper = "out"
    watcher.state("desk-printer", health="error")
    reply = watcher.command("print_badge", {"visitor_name": "Łucja Żółkiewska", "badge_number": "V-0042",
                                            "request_id": "badge-42", "wait": 1})
    assert reply["ok"] and reply["result"]["state"] == "queued"
    printer_sim.state.paper = "ok"
    watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"job_completed" in p and b"badge-42" in p)
    badges = [job for job in printer_sim.jobs if "Łucja Żółkiewska" in job.text_rendering()]
    assert len(badges) == 1


def test_paper_running_out_mid_receipt_prints_it_again_in_full_once(rig):
    watcher, printer_sim, *_ = rig
    watcher.state("desk-printer", health="ok")
    printer_sim.state.paper_left = 400  # the roll ends part-way through the receipt
    reply = watcher.command("print_receipt", {**RECEIPT, "request_id": "cut-off", "wait": 2})
    # Part of it is on paper, unconfirmed: it is voided and printed again once there is paper.
    assert reply["result"]["state"] == "uncertain" and "out of paper" in reply["result"]["last_error"], reply
    printer_sim.state.paper_left = None
    printer_sim.state.paper = "ok"  # a new roll
    watcher.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"job_completed" in p and b"cut-off" in p)
    assert printed_receipts(printer_sim) == [reply["result"]["receipt_number"]]


def test_print_requests_are_validated(rig):
    watcher, *_ = rig
    reply = watcher.command("print_receipt", {"items": [], "payment_method": "card"})
    assert reply["error"]["code"] == "invalid_request" and "items" in reply["error"]["message"]
    reply = watcher.command("print_receipt", {**RECEIPT, "items": [{"description": "x", "unit_price": "-1"}]})
    assert reply["error"]["code"] == "invalid_request"
    reply = watcher.command("open_drawer", {})
    assert reply["error"]["code"] == "invalid_request" and "no cash drawer" in reply["error"]["message"]


def test_mail_is_priced_and_recorded_once_per_request(rig, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from frontdesk.agent.ledger.mail_log import FILE_NAME, MailLog

    watcher, *_ = rig
    request = {"weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost", "staff": "Ana",
               "request_id": "desk-mail-1"}
    first, again = watcher.command("mail_record", request), watcher.command("mail_record", request)
    assert first["ok"] and first["result"]["quote"]["price"] == "1.80", first
    assert again["result"]["id"] == first["result"]["id"]
    zone = ZoneInfo("Europe/Bucharest")
    log = MailLog(tmp_path / "data" / FILE_NAME)
    totals = log.totals_on(datetime.now(zone).date(), zone)
    assert totals.count == 1 and str(totals.totals["EUR"]) == "1.80"
    reply = watcher.command("mail_record", {**request, "request_id": None, "staff": ""})
    assert reply["error"]["code"] == "invalid_request" and "staff" in reply["error"]["message"]


def test_a_fax_sent_over_mqtt_is_followed_to_its_outcome(rig):
    import base64

    watcher, _, _, cups_lab = rig
    document = base64.b64encode(b"Contract, page 1\n").decode()
    reply = watcher.command("fax_send", {"queue": "fax", "number": "+40 21 318 2400", "document": document,
                                         "filename": "contract.txt", "cover_to": "Ana Pop", "request_id": "fx-1"})
    assert reply["ok"] and reply["result"]["number"] == "+40213182400", reply
    sent = json.loads(watcher.wait_for(lambda t, p, r: t.endswith("devices/fax/events") and b"fax_sent" in p)[1])
    assert sent["job"] == reply["result"]["job"]
    assert cups_lab.sent_faxes()[-1]["number"] == "+40213182400"
    assert watcher.command("fax_send", {"queue": "fax", "number": "+40 21 318 2400", "document": document,
                                        "request_id": "fx-1"})["result"]["duplicate"] is True
    cups_lab.fail_next_fax("No dial tone")
    watcher.command("fax_send", {"queue": "fax", "number": "+49 30 1234567", "document": document})
    failed = json.loads(watcher.wait_for(lambda t, p, r: t.endswith("devices/fax/events") and b"fax_failed" in p,
                                         timeout=40)[1])
    assert "No dial tone" in failed["reason"]


def test_fax_requests_are_validated(rig):
    watcher, *_ = rig
    reply = watcher.command("fax_send", {"queue": "fax", "number": "1234", "document": "aGVsbG8="})
    assert reply["error"]["code"] == "invalid_options" and "'1234' is not a fax number" in reply["error"]["message"]
    reply = watcher.command("fax_send", {"queue": "fax", "number": "+40213182400", "document": "****"})
    assert reply["error"]["code"] == "invalid_request" and "base64" in reply["error"]["message"]
    reply = watcher.command("fax_send", {"queue": "copier", "number": "+40213182400", "document": "aGVsbG8="})
    assert reply["error"]["code"] == "invalid_request" and "not a fax" in reply["error"]["message"]


def test_the_machine_behind_an_idle_copier_is_watched_without_any_job(rig):
    watcher, _, _, cups_lab = rig
    watcher.state("copier", health="ok")
    cups_lab.set_supply_levels({"black": 5})
    try:
        low = watcher.state("copier", health="warning", timeout=2 * DEVICE_POLL + 2)
        assert "toner_low" in low["reasons"], low
        names = [supply["name"] for supply in low["supplies"]]
        assert len(names) == len(set(names)) == 5, names  # one entry per cartridge, not one per source
    finally:
        cups_lab.set_supply_levels({"black": 75})
    watcher.state("copier", health="ok", timeout=2 * DEVICE_POLL + 2)


def test_a_job_with_the_waste_tank_almost_full_is_a_warning_not_an_error(rig, tmp_path):
    watcher, _, _, cups_lab = rig
    document = tmp_path / "page.txt"
    document.write_text("A page\n", encoding="utf-8")
    connection = cups_lab.connection()
    watcher.state("copier", health="ok")
    since = watcher.mark()
    cups_lab.set_supply_levels({"waste": 95})
    try:
        # During the job CUPS says `marker-waste-almost-full-warnin` (cut to 31 characters).
        job_id = connection.printFile("Copier", str(document), "Waste", {})
        wait_until(lambda: connection.getJobAttributes(job_id)["job-state"] >= 7, 30, "the job finished")
        warned = watcher.state("copier", health="warning", reasons=["waste_almost_full"], active_job=None)
        assert (warned["jobs_waiting"], warned["jobs_held"]) == (0, 0)
    finally:
        cups_lab.set_supply_levels({"waste": 25})
        job_id = connection.printFile("Copier", str(document), "Clears the reasons", {})
        wait_until(lambda: connection.getJobAttributes(job_id)["job-state"] >= 7, 30, "the job finished")
    watcher.state("copier", health="ok")
    states = watcher.json_on(f"{PREFIX}/devices/copier/state", since)
    events = [event["event"] for event in watcher.json_on(f"{PREFIX}/devices/copier/events", since)]
    assert "error" not in {state["health"] for state in states}, states
    assert not [event for event in events if event.startswith("marker_")], events
