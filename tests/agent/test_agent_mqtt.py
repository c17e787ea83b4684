"""The agent over a real Mosquitto, with the printer and scale simulators and the private cupsd
(the `rig` of tests/agent/conftest.py)."""

from __future__ import annotations

import json

import pytest
from testbed import AGENT_PREFIX as PREFIX
from testbed import wait_until, watcher_on

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


# Keys Home Assistant documents for MQTT discovery of these platforms (abbreviations unused).
COMMON_KEYS = {"name", "unique_id", "object_id", "device", "availability", "entity_category", "icon",
               "enabled_by_default", "qos"}
HA_KEYS = {
    "binary_sensor": COMMON_KEYS | {"state_topic", "value_template", "device_class", "json_attributes_topic",
                                    "payload_on", "payload_off", "expire_after", "force_update", "off_delay"},
    "sensor": COMMON_KEYS | {"state_topic", "value_template", "device_class", "unit_of_measurement",
                             "state_class", "json_attributes_topic", "options", "expire_after", "force_update",
                             "suggested_display_precision"},
    "button": COMMON_KEYS | {"command_topic", "payload_press", "command_template", "device_class", "retain"},
}


def discovery(watcher) -> dict[str, dict]:
    found = {}
    for topic, payload, _retain in watcher.snapshot():
        if topic.startswith("homeassistant/") and topic.endswith("/config"):
            found[topic] = json.loads(payload) if payload else None
    return found


def test_home_assistant_discovery_announces_every_device(rig):
    watcher, printer_sim, *_ = rig
    watcher.state("copier")
    watcher.wait_for(lambda t, p, r: "_supply_" in t)  # the copier's toner sensors, once it reported them
    found = discovery(watcher)
    node = "frontdesk_test_main"
    expected = {
        f"homeassistant/binary_sensor/{node}/desk_printer_problem/config",
        f"homeassistant/button/{node}/desk_printer_test_print/config",
        f"homeassistant/sensor/{node}/mail_scale_weight/config",
        f"homeassistant/button/{node}/mail_scale_tare/config",
        f"homeassistant/binary_sensor/{node}/copier_problem/config",
        f"homeassistant/sensor/{node}/copier_health/config",
    }
    assert expected <= set(found), sorted(found)
    for topic, config in found.items():
        component = topic.split("/")[1]
        assert set(config) <= HA_KEYS[component], (topic, set(config) - HA_KEYS[component])
        assert config["unique_id"].startswith(node) and config["device"]["identifiers"] == [node]
        assert config["availability"][0]["topic"] == f"{PREFIX}/availability"
    weight = found[f"homeassistant/sensor/{node}/mail_scale_weight/config"]
    assert (weight["device_class"], weight["unit_of_measurement"]) == ("weight", "g")
    # Pressing the button in Home Assistant publishes payload_press without a response topic.
    button = found[f"homeassistant/button/{node}/desk_printer_test_print/config"]
    jobs = len(printer_sim.jobs)
    watcher.publish(button["command_topic"], button["payload_press"])
    wait_until(lambda: any("TOTAL" in job.text_rendering() for job in printer_sim.jobs[jobs:]), 15,
               "the test print from the button")


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
    from devices.printer.simulator import Cut

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

    from agent.ledger.mail_log import FILE_NAME, MailLog

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
