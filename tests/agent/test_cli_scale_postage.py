"""`frontdesk scale ...` and `frontdesk postage ...` as staff use them: through the agent, which
has the scale simulator's pty and writes the mail log (and tells the manager)."""

from __future__ import annotations

import json
import signal
import subprocess
from decimal import Decimal

import pytest
from cli_desk import desk, frontdesk, frontdesk_process, one_line

from frontdesk.devices.scale.simulator import ScaleSimulator

PREFIX = "frontdesk/test/agent/main"
WEIGHT, STATE = f"{PREFIX}/devices/mail-scale/weight", f"{PREFIX}/devices/mail-scale/state"


@pytest.fixture(scope="module")
def scale_sim(tmp_path_factory):
    with ScaleSimulator(protocol="mt-sics", link=tmp_path_factory.mktemp("scale") / "scale") as simulator:
        yield simulator


@pytest.fixture(scope="module")
def office(tmp_path_factory, scale_sim):
    devices = (f'[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{scale_sim.device_path}"\n'
               "timeout = 0.5\n")
    with desk(tmp_path_factory.mktemp("desk"), devices, postage='carrier = "deutschepost"') as (config, watcher, _):
        yield config, watcher


@pytest.fixture
def config_file(office):
    return office[0]


@pytest.fixture
def watcher(office):
    return office[1]


def weighs(watcher, grams: str, stable: bool = True, since: int = 0) -> None:
    """Until the agent has published this weight: what `scale read` answers from then on.
    (`grams` is a JSON number or a string there.)"""
    def published(topic, payload, retain):
        weight = json.loads(payload) if topic == WEIGHT else {}
        return weight and Decimal(str(weight["grams"])) == Decimal(grams) and weight["stable"] is stable

    watcher.wait_for(published, since=since, what=f"{grams} g {'stable' if stable else 'moving'} on {WEIGHT}")


def test_scale_read_in_words_units_and_json(config_file, scale_sim, watcher):
    since = watcher.mark()
    scale_sim.state.grams = Decimal("85")  # each test a weight of its own: the agent publishes a change
    weighs(watcher, "85.00", since=since)
    assert frontdesk("scale", "read", config=config_file).stdout == "85.0 g stable\n"
    assert frontdesk("scale", "read", "--unit", "oz", config=config_file).stdout == "3.00 oz stable\n"
    reading = json.loads(frontdesk("scale", "read", "--json", "--scale", "mail-scale", config=config_file).stdout)
    assert (reading["scale"], Decimal(str(reading["grams"])), reading["stable"]) == ("mail-scale", 85, True)


def test_scale_read_stable_waits_for_the_weight_to_settle(config_file, scale_sim, watcher):
    since = watcher.mark()
    scale_sim.settle(Decimal("240"), after=0.5)
    weighs(watcher, "240.00", stable=False, since=since)  # the agent has seen it move
    result = frontdesk("scale", "read", "--stable", config=config_file)
    assert result.stdout == "240.0 g stable\n", result.stderr


def test_scale_tare_and_a_refusal_with_a_reason(config_file, scale_sim):
    scale_sim.state.grams = Decimal("20")
    assert frontdesk("scale", "tare", config=config_file).stdout == "scale 'mail-scale' tared\n"
    scale_sim.state.motion = True
    try:
        result = frontdesk("scale", "tare", config=config_file)
    finally:
        scale_sim.state.motion = False
        scale_sim.state.tare = Decimal(0)  # for the tests after this one
    assert result.returncode == 1 and "cannot tare while the weight is moving" in one_line(result)


def test_scale_watch_streams_readings_until_interrupted(config_file, scale_sim, watcher):
    since = watcher.mark()
    scale_sim.state.grams = Decimal("12")
    weighs(watcher, "12.00", since=since)
    watch = frontdesk_process("scale", "read", "--watch", "--json", "--config", str(config_file),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = json.loads(watch.stdout.readline())
        scale_sim.state.grams = Decimal("30")  # a new weight reaches the watch from the agent's weight topic
        second = json.loads(watch.stdout.readline())
        watch.send_signal(signal.SIGINT)
        _, errors = watch.communicate(timeout=10)
    finally:
        watch.kill()
    assert watch.returncode == 0 and errors == ""
    assert (first["scale"], Decimal(str(first["grams"]))) == ("mail-scale", 12)
    assert Decimal(str(second["grams"])) == 30 and second["stable"] is True


def test_an_unplugged_scale_is_a_clear_error(config_file, scale_sim, watcher):
    scale_sim.unplug()
    try:
        watcher.state("mail-scale", health="offline")
        result = frontdesk("scale", "read", config=config_file)
    finally:
        scale_sim.plug()
    assert result.returncode == 1
    assert one_line(result).startswith("frontdesk: scale 'mail-scale' is offline: ")
    watcher.state("mail-scale", health="ok")


def test_direct_is_refused_while_the_agent_has_the_scale(config_file):
    result = frontdesk("scale", "read", "--direct", config=config_file)
    assert result.returncode == 1
    assert one_line(result).startswith("frontdesk: --direct refused: device 'mail-scale' is in use by process ")


def test_postage_quote_lists_every_class_or_one(config_file):
    every = frontdesk("postage", "quote", "85g", config=config_file)
    assert every.returncode == 0, every.stderr
    assert every.stdout.splitlines()[0] == "Deutsche Post Großbrief to domestic, ≤ 500 g: 1.80 EUR"
    one = json.loads(frontdesk("postage", "quote", "20g", "--class", "letter", "--carrier", "usps", "--json",
                               config=config_file).stdout)
    assert (one["carrier"], one["mail_class"], one["currency"]) == ("usps", "letter", "USD")
    # No device in it: --direct prices it here, agent or not.
    direct = frontdesk("postage", "quote", "85g", "--direct", config=config_file)
    assert direct.stdout == every.stdout


def test_postage_mistakes_are_one_line_each(config_file):
    result = frontdesk("postage", "quote", "eighty", config=config_file)
    assert result.returncode == 2 and one_line(result).startswith("frontdesk: not a weight: 'eighty'")
    result = frontdesk("postage", "quote", "30g", "--class", "parcel", config=config_file)
    assert result.returncode == 2 and "has no mail class 'parcel'; it offers" in one_line(result)


def test_recorded_mail_reaches_the_manager_and_is_totalled_once_per_request(config_file, watcher):
    since = watcher.mark()
    for _ in range(2):
        recorded = frontdesk("postage", "record", "18g", "--class", "standard_letter", "--by", "Ana",
                             "--request-id", "desk-1", config=config_file)
        assert recorded.returncode == 0, recorded.stderr
    assert recorded.stdout.startswith("recorded #") and "(recorded before: not again)" in recorded.stdout
    frontdesk("postage", "record", "400g", "--class", "large_letter", "--by", "Jürgen", config=config_file)
    ledger = f"{PREFIX}/ledger"
    watcher.wait_until(lambda: len(watcher.json_on(ledger, since)) >= 2, what="two mail_recorded records")
    records = watcher.json_on(ledger, since)
    assert [(r["event"], r["mail_class"], r["price"]) for r in records] == [
        ("mail_recorded", "standard_letter", "0.95"), ("mail_recorded", "large_letter", "1.80")]
    today = json.loads(frontdesk("postage", "today", "--json", config=config_file).stdout)
    assert today["count"] == 2 and today["totals"] == {"EUR": "2.75"}
    words = frontdesk("postage", "today", config=config_file).stdout
    assert "(Jürgen)" in words and "2 item(s), postage 2.75 EUR" in words
