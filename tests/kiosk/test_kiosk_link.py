"""KioskLink against a real Mosquitto, the real agent process and the printer simulator."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from ha_schema import check_config, discovery_configs
from testbed import Recorder, wait_until

from frontdesk.contract import clock
from frontdesk.contract import mqtt as topics
from frontdesk.devices.printer.simulator import Qr
from frontdesk.kiosk.agent_link import KioskLink
from frontdesk.kiosk.visits import VisitorLog

ARRIVALS = "frontdesk/test/visitors/arrivals"
VISITS = "frontdesk/test/kiosk/lobby/visits"
KIOSK_AVAILABILITY = "frontdesk/test/kiosk/lobby/availability"
AGENT_AVAILABILITY = "frontdesk/test/agent/main/availability"
PERSONAL = ("Ștefan", "Țăranu", "Firma Vizitatorului")
NOW = "2026-11-23T09:12:03+00:00"


@pytest.fixture
def kiosk(kiosk_rig, mqtt_recorder):
    """(link, visitor log) of a started KioskLink; the agent is not started."""
    visits = VisitorLog(kiosk_rig.visits_path, timezone=kiosk_rig.config.office.timezone)
    link = KioskLink(kiosk_rig.config, visits)
    seen: list[str] = []
    link.add_listener(seen.append)
    link.seen = seen
    link.start()
    mqtt_recorder.wait_for(lambda t, p, r: t == KIOSK_AVAILABILITY and p == b"online")
    try:
        yield link, visits
    finally:
        link.stop()
        visits.close()


def sign_in(visits: VisitorLog, name: str = "Ștefan Țăranu", **extra):
    return visits.sign_in(name=name, company="Firma Vizitatorului", host="Jürgen Weiß", purpose="meeting",
                          language="de", **extra)


def badge_records(recorder, visit_id: str) -> list[dict]:
    return [r for r in recorder.json_on(VISITS) if r["event"] == "badge_printed" and r["visit"] == visit_id]


def printed_badges(rig, name: str) -> list:
    """Jobs at the printer simulator that are complete badges for `name`."""
    printed = name.translate(str.maketrans("ȘșȚț", "ŞşŢţ"))  # code pages have the cedilla look-alikes
    return [job for job in list(rig.printer_sim.jobs)
            if printed in job.text_rendering() and any(isinstance(e, Qr) for e in job.elements)]


def test_a_sign_in_tells_the_host_records_the_visit_and_prints_the_badge(kiosk_rig, kiosk, mqtt_recorder):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online and "badge-printer" in link.devices, what="agent and printer state")
    assert link.devices["badge-printer"].kind == "printer" and "agent" in link.seen and "devices" in link.seen
    now = datetime.now(timezone.utc)
    with clock.frozen_at(now):  # signed in exactly 42 s after starting
        visit = sign_in(visits, started_at=now - timedelta(seconds=42))
    reply = link.visitor_signed_in(visit).result(30)
    assert reply["ok"] and reply["result"]["state"] in ("printed", "sent"), reply
    assert reply["result"]["request_id"] == visit.id
    # The reply's callbacks (the link's among them) run just after result() wakes up.
    wait_until(lambda: visits.get(visit.id).badge_printed, what="the badge marked printed")
    (badge,) = printed_badges(kiosk_rig, "Ștefan Țăranu")
    text = badge.text_rendering()
    assert "Ştefan Ţăranu" in text and "Firma Vizitatorului" in text and "Jürgen Weiß" in text and visit.badge_number in text
    assert [e.payload for e in badge.elements if isinstance(e, Qr)] == [visit.signout_code]

    arrival = json.loads(mqtt_recorder.wait_for(lambda t, p, r: t == ARRIVALS)[1])
    assert arrival | {"at": None} == {"name": "Ștefan Țăranu", "company": "Firma Vizitatorului", "host": "Jürgen Weiß",
                                      "host_email": "host1@example.com", "kiosk": "lobby", "language": "de", "at": None}
    topic, payload, retained = mqtt_recorder.wait_for(lambda t, p, r: t == VISITS)
    record = json.loads(payload)
    assert not retained and set(record) == {"event", "id", "visit", "at", "signed_in_at", "pre_registered",
                                            "language", "purpose", "started_at"}
    assert (record["event"], record["visit"], record["pre_registered"]) == ("signed_in", visit.id, False)
    took = datetime.fromisoformat(record["signed_in_at"]) - datetime.fromisoformat(record["started_at"])
    assert abs(took.total_seconds() - 42) < 0.01  # milliseconds in the record
    assert not any(word.encode() in payload for word in PERSONAL)
    mqtt_recorder.wait_for(lambda t, p, r: t == VISITS and b"badge_printed" in p)
    [badge] = badge_records(mqtt_recorder, visit.id)
    assert set(badge) == {"event", "id", "visit", "at", "signed_in_at", "printed_at", "waited_seconds"}
    assert 0 <= badge["waited_seconds"] < 30 and visits.get(visit.id).badge_printed_at is not None

    gone = visits.sign_out(visit.signout_code)
    link.visitor_signed_out(gone)
    payload = mqtt_recorder.wait_for(lambda t, p, r: t == VISITS and b"signed_out" in p)[1]
    record = json.loads(payload)
    assert record["visit"] == visit.id and record["duration_seconds"] >= 0 and set(record) == {
        "event", "id", "visit", "at", "signed_in_at", "duration_seconds"}
    assert not any(word.encode() in payload for word in PERSONAL)


def test_no_retained_topic_carries_personal_data(kiosk_rig, kiosk, new_recorder):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online)
    assert link.visitor_signed_in(sign_in(visits)).result(30)["ok"]
    late = new_recorder()  # a newcomer gets every retained message there is
    # They come after the SUBACK the recorder waited for: the ones this test knows of are waited
    # for by name, and the sentinel comes back only after every other retained one (Recorder.sync).
    for topic in (KIOSK_AVAILABILITY, AGENT_AVAILABILITY, "frontdesk/test/agent/main/devices/badge-printer/state"):
        late.wait_for(lambda t, p, r, topic=topic: t == topic and r, what=f"the retained {topic}")
    late.sync()
    retained = [(t, p) for t, p, r in late.snapshot() if r]
    assert {t for t, _ in retained} >= {KIOSK_AVAILABILITY, AGENT_AVAILABILITY}
    for topic, payload in retained:
        assert not any(word.encode() in payload for word in PERSONAL), topic


def test_the_kiosk_is_a_home_assistant_device_with_its_visitors_and_badges(kiosk, broker):
    link, visits = kiosk
    link.visitor_signed_in(sign_in(visits))  # the agent is down: the badge waits
    reader = Recorder(broker, "homeassistant/#", "frontdesk/test/kiosk/#")  # what HA finds retained
    try:
        state = reader.wait_for(lambda t, p, r: t == "frontdesk/test/kiosk/lobby/state" and b'"on_site":1' in p)
        assert json.loads(state.payload)["badges_waiting"] == 1
        assert not any(word.encode() in state.payload for word in PERSONAL)
        reader.sync()
        configs = discovery_configs(reader)
        assert {topic.split("/")[-2] for topic in configs} == {"test_online", "test_on_site", "test_badges_waiting"}
        for topic, config in configs.items():
            check_config(topic, config)
            assert topic.split("/")[2] == "frontdesk_kiosk_lobby"  # the node the example ACL grants the kiosk
            assert config["device"]["identifiers"] == ["frontdesk_test_kiosk_lobby"]
    finally:
        reader.close()


def test_a_badge_signed_in_while_the_agent_is_down_prints_once_when_it_is_back(kiosk_rig, kiosk):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online)
    kiosk_rig.kill_agent()  # no goodbye: the broker publishes the agent's last will
    wait_until(lambda: not link.agent_online, what="the agent's last will")
    visit = sign_in(visits)
    reply = link.visitor_signed_in(visit).result(5)
    assert reply["error"]["code"] == "agent_unavailable", reply
    assert [v.id for v in visits.badges_to_print()] == [visit.id] and printed_badges(kiosk_rig, "Ștefan") == []
    kiosk_rig.start_agent()
    wait_until(lambda: visits.get(visit.id).badge_printed, what="the queued badge printing")
    assert len(printed_badges(kiosk_rig, "Ștefan Țăranu")) == 1 and visits.badges_to_print() == []
    kiosk_rig.stop_agent()  # another "online" later must not print it again
    kiosk_rig.start_agent()
    reply = link.command("status", {}).result(20)
    assert reply["ok"], reply
    assert len(printed_badges(kiosk_rig, "Ștefan Țăranu")) == 1


def test_the_same_visit_sent_twice_prints_one_badge(kiosk_rig, kiosk):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online)
    visit = sign_in(visits, name="Łucja Wąsowska")
    first, again = link.visitor_signed_in(visit), link.visitor_signed_in(visit)
    replies = [first.result(30), again.result(30)]
    assert all(r["ok"] for r in replies) and replies[0]["result"]["job"] == replies[1]["result"]["job"]
    # At most one of them made the job (a re-send pass on "online" may have been first).
    assert [r["result"]["duplicate"] for r in replies].count(False) <= 1 and replies[1]["result"]["duplicate"]
    assert len(printed_badges(kiosk_rig, "Łucja Wąsowska")) == 1


def test_a_badge_held_by_a_printer_fault_is_marked_printed_when_it_comes_out(kiosk_rig, kiosk, mqtt_recorder):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: "badge-printer" in link.devices and link.devices["badge-printer"].health == "ok")
    kiosk_rig.printer_sim.state.paper = "out"
    wait_until(lambda: link.devices["badge-printer"].health == "error", what="paper out seen by the agent")
    visit = sign_in(visits, name="Amélie Dubois")
    reply = link.visitor_signed_in(visit).result(30)  # the agent waits `wait` (10 s), then says queued
    assert reply["ok"] and reply["result"]["state"] == "queued" and not visits.get(visit.id).badge_printed
    assert badge_records(mqtt_recorder, visit.id) == []
    kiosk_rig.printer_sim.state.paper = "ok"
    paper_back = datetime.now(timezone.utc)
    wait_until(lambda: visits.get(visit.id).badge_printed, what="job_completed for the badge")
    assert len(printed_badges(kiosk_rig, "Amélie Dubois")) == 1
    [badge] = [json.loads(mqtt_recorder.wait_for(lambda t, p, r: t == VISITS and b"badge_printed" in p)[1])]
    # The wait runs from the sign-in to the printout, the out-of-paper time included.
    assert badge["waited_seconds"] >= (paper_back - visit.signed_in_at).total_seconds() - 0.1
    assert visits.mark_badge_printed(visit.id) is None and len(badge_records(mqtt_recorder, visit.id)) == 1


def test_the_link_comes_back_after_a_broker_restart_and_sends_what_waited(kiosk_rig, kiosk, broker, new_recorder):
    link, visits = kiosk
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online)
    broker.stop()
    wait_until(lambda: not link.agent_online, what="the link noticing the broker is gone")
    visit = sign_in(visits, name="Jürgen Weiß")
    assert link.visitor_signed_in(visit).result(5)["error"]["code"] == "agent_unavailable"
    broker.start()  # same port, no persistence: every retained message is gone
    # The link retries after 1 s at the earliest, so this recorder is subscribed before the
    # arrival that paho kept (QoS 1) is sent.
    after = new_recorder()
    after.wait_for(lambda t, p, r: t == KIOSK_AVAILABILITY and p == b"online", timeout=60)
    arrival = json.loads(after.wait_for(lambda t, p, r: t == ARRIVALS, timeout=60)[1])
    assert arrival["name"] == "Jürgen Weiß"
    wait_until(lambda: visits.get(visit.id).badge_printed, timeout=60, what="the badge after the restart")
    assert len(printed_badges(kiosk_rig, "Jürgen Weiß")) == 1
    assert link.command("status", {}).result(20)["ok"]


def test_records_of_a_kiosk_restarted_while_the_broker_is_away_are_sent_when_it_is_back(kiosk_rig, broker,
                                                                                         new_recorder):
    visits = VisitorLog(kiosk_rig.visits_path, timezone=kiosk_rig.config.office.timezone)
    link = KioskLink(kiosk_rig.config, visits)
    broker.stop()
    try:
        link.start()
        signed_in = [sign_in(visits, name=name) for name in ("Zoë Ångström", "Paweł Zając")]
        for visit in signed_in:
            link.visitor_signed_in(visit)
        link.visitor_signed_out(visits.sign_out(signed_in[0].signout_code))
        assert link.pending_records() == 5  # two arrivals, two signed_in, one signed_out
        link.stop()  # the kiosk restarts (or loses power) before the broker is back
        broker.start()
        after = new_recorder()
        link = KioskLink(kiosk_rig.config, visits)
        link.start()
        wait_until(lambda: len(after.json_on(VISITS)) >= 3 and len(after.json_on(ARRIVALS)) >= 2,
                   what="the records kept on disk")
        wait_until(lambda: link.pending_records() == 0, what="the broker's acknowledgements")
    finally:
        link.stop()
        visits.close()
    records = after.json_on(VISITS)
    assert [(r["event"], r["visit"]) for r in records] == [("signed_in", signed_in[0].id), ("signed_in", signed_in[1].id),
                                                           ("signed_out", signed_in[0].id)]
    assert [a["name"] for a in after.json_on(ARRIVALS)] == ["Zoë Ångström", "Paweł Zając"]


def test_malformed_messages_are_ignored_and_the_link_goes_on(kiosk_rig, kiosk, mqtt_recorder):
    link, visits = kiosk
    link.add_listener(lambda what: 1 / 0)  # a broken listener must not break the others
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online and "badge-printer" in link.devices)
    base = "frontdesk/test/agent/main"
    for topic, payload in [(f"{base}/availability", b"perhaps"), (f"{base}/availability", b"\xff\xfe"),
                           (f"{base}/devices/badge-printer/state", b"{not json"),
                           (f"{base}/devices/badge-printer/state", b"[1, 2]"),
                           (f"{base}/devices/mail-scale/weight", b"\xff"), (f"{base}/devices/mail-scale/weight", b"12"),
                           (f"{base}/devices/badge-printer/events", b'{"event": "job_completed", "request_id": 7}'),
                           (f"{base}/devices/badge-printer/events", b"null"),
                           # not the contract: no `at`; a state without its fields; another device's state
                           (f"{base}/devices/mail-scale/weight", b'{"grams": 85, "stable": true}'),
                           (f"{base}/devices/badge-printer/state", b'{"device": "badge-printer", "kind": "printer"}'),
                           (f"{base}/devices/badge-printer/state",
                            topics.encode(topics.device_state("other", "printer", "error", ["paper_out"], NOW)))]:
        mqtt_recorder.publish(topic, payload)
    # An agent from before the contract models sent grams and value as strings: still read, as numbers.
    mqtt_recorder.publish(f"{base}/devices/mail-scale/weight", b'{"grams": "85.00", "value": "85.0", "unit": "g",'
                          b' "stable": true, "condition": "ok", "at": "2026-11-23T09:12:33.120+00:00"}')
    wait_until(lambda: link.latest_weight is not None, what="the valid weight")
    weight = link.latest_weight
    assert (weight.scale, weight.grams, weight.value, weight.stable) == ("mail-scale", 85.0, 85.0, True)
    assert "weight" in link.seen
    assert link.agent_online and link.devices["badge-printer"].kind == "printer"
    assert link.devices["badge-printer"].health != "error"
    visit = sign_in(visits)
    assert link.visitor_signed_in(visit).result(30)["result"]["state"] in ("printed", "sent")
    # A retained state cleared (empty payload) drops the device.
    mqtt_recorder.publish(f"{base}/devices/old-printer/state", topics.encode(topics.device_state(
        "old-printer", "printer", "ok", [], NOW)), retain=True)
    wait_until(lambda: "old-printer" in link.devices)
    mqtt_recorder.publish(f"{base}/devices/old-printer/state", b"", retain=True)
    wait_until(lambda: "old-printer" not in link.devices)


def test_commands_never_raise(kiosk_rig, kiosk):
    link, _ = kiosk
    reply = link.command("status", {}, timeout=1).result(10)  # no agent running
    assert reply["ok"] is False and reply["error"]["code"] == "agent_unavailable"
    reply = link.command("status", {"when": object()}).result(1)
    assert reply["error"]["code"] == "invalid_request"
    kiosk_rig.start_agent()
    wait_until(lambda: link.agent_online)
    assert link.command("nonsense", {}).result(20)["error"]["code"] == "unknown_command"
    assert set(link.command("status", {}).result(20)["result"]["devices"]) == {"badge-printer"}


def test_stopping_says_offline_and_keeps_it_retained(kiosk_rig, mqtt_recorder, new_recorder):
    visits = VisitorLog(kiosk_rig.visits_path)
    link = KioskLink(kiosk_rig.config, visits)
    link.start()
    try:
        mqtt_recorder.wait_for(lambda t, p, r: t == KIOSK_AVAILABILITY and p == topics.ONLINE.encode())
        link.stop()
        mqtt_recorder.wait_for(lambda t, p, r: t == KIOSK_AVAILABILITY and p == topics.OFFLINE.encode())
    finally:
        visits.close()
    late = new_recorder()
    assert late.wait_for(lambda t, p, r: t == KIOSK_AVAILABILITY)[1:] == (b"offline", True)
    link.stop()  # a second stop does no harm


def test_badges_left_by_a_previous_run_print_when_the_kiosk_starts_again(kiosk_rig):
    visits = VisitorLog(kiosk_rig.visits_path, timezone=kiosk_rig.config.office.timezone)
    visit = sign_in(visits, name="Ion Popescu")  # recorded, then the kiosk lost power before printing
    visits.close()
    kiosk_rig.start_agent()
    visits = VisitorLog(kiosk_rig.visits_path, timezone=kiosk_rig.config.office.timezone)
    link = KioskLink(kiosk_rig.config, visits)
    link.start()
    try:
        wait_until(lambda: visits.get(visit.id).badge_printed, what="the badge from before the restart")
        assert len(printed_badges(kiosk_rig, "Ion Popescu")) == 1
    finally:
        link.stop()
        visits.close()
