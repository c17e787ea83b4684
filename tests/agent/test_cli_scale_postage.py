"""`frontdesk scale ...` and `frontdesk postage ...` as staff use them."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from testbed import OFFICE_TOML
from testbed import run_frontdesk as frontdesk

from devices.scale.simulator import ScaleSimulator


@pytest.fixture
def scale_sim(tmp_path):
    with ScaleSimulator(protocol="mt-sics", link=tmp_path / "scale") as simulator:
        yield simulator


@pytest.fixture
def config_file(tmp_path, scale_sim) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(
        OFFICE_TOML
        + f'[agent]\ndata_dir = "{tmp_path / "data"}"\n[postage]\ncarrier = "deutschepost"\n'
        + f'[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{scale_sim.device_path}"\ntimeout = 0.5\n',
        encoding="utf-8",
    )
    return path


def test_scale_read_in_words_units_and_json(config_file, scale_sim):
    scale_sim.state.grams = Decimal("85")
    assert frontdesk("scale", "read", config=config_file).stdout == "85.0 g stable\n"
    assert frontdesk("scale", "read", "--unit", "oz", config=config_file).stdout == "3.00 oz stable\n"
    reading = json.loads(frontdesk("scale", "read", "--json", "--scale", "mail-scale", config=config_file).stdout)
    assert (reading["scale"], reading["grams"], reading["stable"]) == ("mail-scale", "85.00", True)


def test_scale_read_stable_waits_for_the_weight_to_settle(config_file, scale_sim):
    scale_sim.settle(Decimal("240"), after=0.5)
    result = frontdesk("scale", "read", "--stable", config=config_file)
    assert result.stdout == "240.0 g stable\n"


def test_scale_tare_and_a_refusal_with_a_reason(config_file, scale_sim):
    scale_sim.state.grams = Decimal("20")
    assert frontdesk("scale", "tare", config=config_file).stdout == "scale 'mail-scale' tared\n"
    scale_sim.state.motion = True
    result = frontdesk("scale", "tare", config=config_file)
    assert result.returncode == 1 and "cannot tare while the weight is moving" in result.stderr


def test_unplugged_scale_is_a_clear_error(config_file, scale_sim):
    scale_sim.unplug()
    result = frontdesk("scale", "read", config=config_file)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot open the port: no such device; is the scale plugged in?" in result.stderr


def test_scale_watch_shows_live_readings_until_interrupted(config_file, scale_sim):
    scale_sim.state.grams = Decimal("12")
    watch = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "scale", "read", "--watch", "--json", "--config", str(config_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines = [watch.stdout.readline() for _ in range(5)]
    watch.send_signal(signal.SIGINT)
    _, errors = watch.communicate(timeout=10)
    assert watch.returncode == 0 and "Traceback" not in errors
    assert all(json.loads(line)["grams"] == "12.00" for line in lines)


def test_postage_quote_lists_every_class_or_one(config_file):
    every = frontdesk("postage", "quote", "85g", config=config_file)
    assert every.returncode == 0
    assert every.stdout.splitlines()[0] == "Deutsche Post Großbrief to domestic, ≤ 500 g: 1.80 EUR"
    one = json.loads(frontdesk("postage", "quote", "20g", "--class", "letter", "--carrier", "usps", "--json",
                               config=config_file).stdout)
    assert (one["carrier"], one["mail_class"], one["currency"]) == ("usps", "letter", "USD")


def test_postage_mistakes_are_one_line_each(config_file):
    result = frontdesk("postage", "quote", "eighty", config=config_file)
    assert result.returncode == 2 and result.stderr.startswith("frontdesk: not a weight: 'eighty'")
    result = frontdesk("postage", "quote", "30g", "--class", "parcel", config=config_file)
    assert result.returncode == 2 and "has no mail class 'parcel'; it offers" in result.stderr


def test_recorded_mail_is_totalled_for_the_day_once_per_request(config_file):
    for _ in range(2):
        recorded = frontdesk("postage", "record", "18g", "--class", "standard_letter", "--by", "Ana",
                             "--request-id", "desk-1", config=config_file)
        assert recorded.returncode == 0, recorded.stderr
    frontdesk("postage", "record", "400g", "--class", "large_letter", "--by", "Jürgen", config=config_file)
    today = json.loads(frontdesk("postage", "today", "--json", config=config_file).stdout)
    assert today["count"] == 2 and today["totals"] == {"EUR": "2.75"}
    words = frontdesk("postage", "today", config=config_file).stdout
    assert "(Jürgen)" in words and "2 item(s), postage 2.75 EUR" in words
