"""The payload models: senders build only what the contract has, receivers take what a
newer sender adds, and what the devices and the agent hand over fits the models."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from frontdesk.contract import mqtt as contract
from frontdesk.contract.events import JobCompleted, JobFailed, ReasonEvent, parse_event
from frontdesk.contract.payload import PayloadError, build, parse
from frontdesk.contract.reasons import ERRORS, REASONS, ErrorCode, Reason, error_text, reason_text
from frontdesk.contract.records import MailEntry, parse_ledger, parse_visit
from frontdesk.contract.replies import parse_reply, parse_result
from frontdesk.contract.results import RESULTS, PrinterStatusResult, Quote, QueueJob, QueueStatusResult
from frontdesk.contract.states import PrinterState, QueueDeviceState, Weight, parse_state, parse_weight

NOW = "2026-11-23T09:12:03+00:00"


def test_a_sender_cannot_send_a_field_the_contract_does_not_have():
    with pytest.raises(PayloadError, match="papr is not in the contract"):
        contract.device_state("p1", "printer", "ok", [], NOW, papr="ok")
    with pytest.raises(PayloadError, match="supplies.0.colour is not in the contract"):
        contract.device_state("c1", "copier", "ok", [], NOW, supplies=[{"name": "K", "level": 5, "kind": "toner",
                                                                      "colour": "black"}])
    with pytest.raises(PayloadError, match="health"):
        contract.event("paper_out")  # a reason event says the health it comes with
    with pytest.raises(PayloadError, match="paper: Input should be"):
        contract.device_state("p1", "printer", "ok", [], NOW, paper="plenty")


def test_a_receiver_takes_and_keeps_what_a_newer_sender_adds():
    payload = {**contract.device_state("p1", "printer", "ok", [], NOW, paper="ok"), "toner": "n/a"}
    state = parse_state(json.loads(contract.encode(payload)))
    assert isinstance(state, PrinterState) and state.paper == "ok" and state.model_extra == {"toner": "n/a"}
    robot = parse_state({**payload, "kind": "robot"})  # a kind this version does not know: its common fields
    assert (robot.kind, robot.health) == ("robot", "ok")


def test_times_must_carry_their_zone_and_keep_their_precision_on_the_wire():
    with pytest.raises(PayloadError, match="since: Input should have timezone info"):
        parse_state({**contract.device_state("p1", "printer", "ok", [], NOW), "since": "2026-11-23T09:12:03"})
    event = contract.event("paper_out", health="error")
    assert datetime.fromisoformat(event["at"]).tzinfo is not None and len(event["at"]) == len(contract.now())
    assert contract.device_state("p1", "printer", "ok", [], NOW)["since"] == NOW


@pytest.mark.parametrize("code", ["paper_out", "marker_waste_almost_full", "toner_low:Black Toner",
                                  "waste-toner_low:Waste box", "com.example.tray_jam"])
def test_reason_codes_a_receiver_takes(code):
    assert parse_state(contract.device_state("c1", "copier", "warning", [code], NOW)).reasons == [code]


@pytest.mark.parametrize("code", ["Paper Out", "", "toner-low", "x" * 65, "toner_low:"])
def test_reason_codes_that_are_none(code):
    with pytest.raises(PayloadError, match="reasons.0"):
        contract.device_state("c1", "copier", "warning", [code], NOW)


def test_a_vendor_keyword_of_cups_becomes_a_code_of_the_contract():
    from frontdesk.devices.queues.state import StateReason

    assert StateReason.parse("com.example.Tray-Jam-error").code == "com_example_tray_jam"
    assert StateReason.parse("spool-area-full-warning").code == "spool_area_full"
    assert StateReason.parse("media-empty-error").code == "paper_out"  # one Frontdesk has a name for


def test_the_weight_s_numbers_are_json_numbers_like_the_ledger_s_grams():
    """The weight payload sent grams and value as strings ("85.00") while mail_recorded sends
    grams as a number (85.0): one contract, one type for a weight."""
    from frontdesk.devices.scale.reading import ScaleReading

    weight = json.loads(contract.encode(ScaleReading(Decimal("85.004"), "g", stable=True).as_dict()))
    assert weight["grams"] == 85.0 and weight["value"] == 85.004
    assert type(weight["grams"]) is type(weight["value"]) is float
    mail = json.loads(contract.encode(contract.event(
        "mail_recorded", entry="1", carrier="usps", mail_class="letter", destination="domestic", grams=85.0,
        price="0.73", currency="USD")))
    assert type(mail["grams"]) is type(weight["grams"])
    assert parse_weight(weight) == Weight.model_validate(weight)
    over = ScaleReading(None, "g", stable=False, condition="overload").as_dict()
    assert (over["grams"], over["value"], over["condition"]) == (None, None, "overload")


def test_a_weight_from_an_older_agent_is_read_as_numbers():
    weight = parse_weight({"grams": "85.00", "value": "3.00", "unit": "oz", "stable": True, "condition": "ok",
                           "at": NOW})
    assert (weight.grams, weight.value) == (85.0, 3.0)


def test_money_is_a_string_of_decimals_and_stays_exact():
    record = contract.event("receipt_issued", number="2026-000042", total=Decimal("1234.50"), currency="EUR",
                            payment_method="card", items=3)
    assert record["total"] == "1234.50" and parse_ledger(record).total == Decimal("1234.50")
    with pytest.raises(PayloadError, match="total"):
        contract.event("receipt_issued", number="1", total="1.005", currency="EUR", payment_method="card", items=1)


def test_visit_records_as_the_kiosk_builds_them():
    record = contract.event("signed_in", visit="v1", signed_in_at=NOW, pre_registered=False, language="de",
                            purpose="meeting", started_at="2026-11-23T09:11:21+00:00")
    assert parse_visit(record).sign_in_seconds == 42.0
    with pytest.raises(PayloadError, match="started_at: Value error, must not be after signed_in_at"):
        contract.event("signed_in", visit="v1", signed_in_at=NOW, started_at="2026-11-23T09:13:00+00:00")
    arrival = contract.arrival(name="Ana Pop", company=None, host="Ion", host_email=None, kiosk="lobby",
                               language="ro")
    assert set(arrival) == {"name", "company", "host", "host_email", "at", "kiosk", "language"}


def test_an_unknown_event_name_is_a_reason_the_device_newly_has():
    assert isinstance(parse_event(contract.event("toner_low", health="warning")), ReasonEvent)
    with pytest.raises(PayloadError, match="health"):
        parse_event({"event": "job_retried", "at": NOW, "id": "x"})


# --- every topic, parsed into its parts --------------------------------------------------------


@pytest.mark.parametrize(("topic", "parts"), [
    (contract.agent_availability("hq", "main"), ("agent", "main", "availability", None, None)),
    (contract.device_topic("hq", "main", "p1", "state"), ("agent", "main", "state", "p1", None)),
    (contract.device_topic("hq", "main", "p1", "events"), ("agent", "main", "events", "p1", None)),
    (contract.device_topic("hq", "main", "s1", "weight"), ("agent", "main", "weight", "s1", None)),
    (contract.agent_ledger("hq", "main"), ("agent", "main", "ledger", None, None)),
    (contract.command_topic("hq", "main", "status"), ("agent", "main", "cmd", None, "status")),
    (contract.kiosk_availability("hq", "lobby"), ("kiosk", "lobby", "availability", None, None)),
    (contract.kiosk_visits("hq", "lobby"), ("kiosk", "lobby", "visits", None, None)),
    (contract.kiosk_state("hq", "lobby"), ("kiosk", "lobby", "state", None, None)),
    (contract.kiosk_replies("hq", "lobby") + "/abc", ("kiosk", "lobby", "replies", None, None)),
    (contract.manager_replies("hq", "m") + "/abc", ("manager", "m", "replies", None, None)),
    (contract.cli_replies("hq", "run1") + "/abc", ("cli", "run1", "replies", None, None)),
    (contract.visitor_arrivals("hq"), ("visitors", None, "arrivals", None, None)),
])
def test_every_topic_the_builders_make_is_parsed_into_its_parts(topic, parts):
    parsed = contract.parse_topic(topic)
    assert parsed is not None and parsed.site == "hq"
    assert (parsed.owner, parsed.owner_id, parsed.leaf, parsed.device, parsed.command) == parts


def test_every_shape_of_the_topic_table_has_a_builder_test():
    shapes = {contract.parse_topic(topic).shape for topic, _ in
              test_every_topic_the_builders_make_is_parsed_into_its_parts.pytestmark[0].args[1]}
    assert shapes == set(contract.TOPICS)


@pytest.mark.parametrize("topic", ["frontdesk/hq/agent/main/devices/p1/state/extra", "frontdesk//agent/a/ledger",
                                   "homeassistant/sensor/x/config", "frontdesk/hq/agent/main", "frontdesk/hq",
                                   "frontdesk/hq/agent/+/availability", "frontdesk/hq/robot/r1/availability"])
def test_other_topics_are_none(topic):
    assert contract.parse_topic(topic) is None


# --- codes, words and replies ------------------------------------------------------------------


def test_every_code_has_its_words():
    assert set(REASONS) == set(Reason) and set(ERRORS) == set(ErrorCode)
    assert all(text.endswith(".") and "_" not in text for text in [*REASONS.values(), *ERRORS.values()])
    assert reason_text("marker_waste_almost_full") == "Marker waste almost full."
    assert error_text("queue_error") == ERRORS["queue_error"] and error_text("paper_jam") == "Paper jam."


def test_every_error_a_device_or_the_postage_raises_is_an_error_code():
    """agent/commands.py replies with a device error's reason (device_offline for some)."""
    from frontdesk.agent.commands import OFFLINE_REASONS
    from frontdesk.agent.postage import errors as postage
    from frontdesk.devices import errors

    def subclasses(cls):
        return {cls, *(found for sub in cls.__subclasses__() for found in subclasses(sub))}

    import frontdesk.devices.printer.errors, frontdesk.devices.queues.errors, frontdesk.devices.scale.errors  # noqa: E401, F401 - registers them

    raised = {cls.reason for cls in subclasses(errors.DeviceError) | subclasses(postage.PostageError)}
    assert raised - OFFLINE_REASONS <= set(ErrorCode), raised - OFFLINE_REASONS - set(ErrorCode)
    assert contract.INVALID_REQUEST == "invalid_request" and contract.AGENT_UNAVAILABLE in set(ErrorCode)


def test_an_error_reply_goes_out_whatever_its_code():
    assert contract.error_reply("queue_error", "CUPS said no") == {
        "ok": False, "error": {"code": "queue_error", "message": "CUPS said no"}}
    assert contract.error_reply("Not A Code", "m")["error"]["code"] == "internal_error"


def test_a_result_built_through_its_command_s_model():
    result = {"scale": "mail-scale", "done": "tare"}
    assert contract.ok_reply(result, command="scale_tare") == {"ok": True, "result": result}
    wrong = contract.ok_reply({**result, "weight": 1}, command="scale_tare")  # a bug: still one reply
    assert wrong["ok"] is False and wrong["error"]["code"] == "internal_error"
    assert "weight is not in the contract" in wrong["error"]["message"]
    assert parse_result("scale_tare", parse_reply({"ok": True, "result": result})).done == "tare"


# --- what the devices and the agent hand over fits the models ----------------------------------


def test_a_print_job_s_fields_are_the_job_events_fields():
    from frontdesk.agent.ledger.print_jobs import PrintJob

    job = PrintJob(7, "v1", "desk-printer", "badge", {}, None, "printed", 1, None)
    assert isinstance(parse_event(contract.event("job_completed", **job.as_dict())), JobCompleted)
    failed = contract.event("job_failed", **{**job.as_dict(), "state": "failed", "reason": "unprintable",
                                             "last_error": "the document cannot be laid out"})
    assert isinstance(parse_event(failed), JobFailed)
    build(RESULTS["print_badge"], **job.as_dict(), duplicate=False)


def test_a_queue_s_state_and_jobs_are_the_queue_status_result_and_the_state():
    from frontdesk.devices.queues.jobs import QueueJob as CupsJob
    from frontdesk.devices.queues.state import QueueState, StateReason, Supply

    state = QueueState("copier", "Copier", "copier", "idle", True, (StateReason.parse("door-open-warning"),), "",
                       supplies=(Supply("Black Toner", 5, 10, "toner", "#000000"),))
    job = CupsJob(12, "Copier", "held", "report.pdf", "ana", None, datetime(2026, 11, 23, tzinfo=timezone.utc),
                  None, ("job-hold-until-specified",), "")
    assert set(QueueJob.model_fields) == set(job.as_dict())
    built = build(QueueStatusResult, **state.as_dict(), jobs=[job.as_dict()])
    assert built["reasons"] == ["door_open", "toner_low:Black Toner"]
    supplies = [{"name": s.name, "level": s.level, "kind": s.kind} for s in state.supplies]  # as agent/supervision.py
    assert isinstance(parse_state(contract.device_state(
        "copier", "copier", state.health, list(state.problems), NOW, state=state.state, accepting=state.accepting,
        message=state.message, jobs_waiting=state.stuck_jobs, supplies=supplies)), QueueDeviceState)


def test_a_printer_s_status_and_a_postage_quote_are_their_results():
    from frontdesk.agent.postage import quote
    from frontdesk.devices.printer.status import PrinterStatus

    status = PrinterStatus(reachable=True, answered=True, online=True, paper="ok", cover_open=False)
    build(PrinterStatusResult, **status.as_dict(), printer="desk-printer", address="192.0.2.10:9100", columns=48,
          message=status.describe())
    priced = quote(Decimal("85"), "letter", "domestic", "usps", on=date(2026, 11, 23)).as_dict()
    assert build(Quote, **priced) == priced
    assert contract.ok_reply({"options": [priced]}, command="postage_quote")["result"] == {"options": [priced]}


def test_mail_entries_and_receipts_as_the_agent_makes_them():
    from frontdesk.agent.print_requests import receipt_record

    record = receipt_record({"items": [{"unit_price": "2.50", "quantity": "3"}], "payment_method": "card"},
                            "2026-000042", None)
    assert parse_ledger(contract.event("receipt_issued", **record)).total == Decimal("7.50")
    assert set(MailEntry.model_fields) >= {"grams", "price", "currency"}
    assert parse(MailEntry, contract.event("mail_recorded", entry="17", carrier="usps", mail_class="letter",
                                           destination="domestic", grams=85.0, price="0.73", currency="USD"))
