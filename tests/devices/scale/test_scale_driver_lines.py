"""The scale drivers on real lines: each serial protocol over a pty, unplugging it, a port that
is not there, and the USB HID scale through a FIFO (with its report parsing).

What the drivers make of the bytes is tested in memory (test_scale_driver.py); these check
that pyserial on a real tty, the symlink that comes and goes, and hidraw reads behave as
the in-memory port does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from scale_wire import follow_an_unplug
from testbed import scale_config

from frontdesk.devices.scale import (
    ScaleGarbled,
    ScaleNoAnswer,
    ScaleOffline,
    ScaleProblem,
    ScaleReading,
    ScaleRefused,
    scale_for,
)
from frontdesk.devices.scale.simulator import HidScaleFeeder, ScaleSimulator

PROTOCOLS = ["mt-sics", "nci"]


@pytest.fixture(params=PROTOCOLS)
def rig(request, tmp_path):
    """A simulated scale on a pty and a driver for it, speaking one protocol."""
    with ScaleSimulator(protocol=request.param, link=tmp_path / "scale") as simulator:
        scale = scale_for(scale_config(request.param, simulator.device_path))
        yield simulator, scale
        scale.close()


def test_a_weight_read_tared_and_streamed_over_a_pty(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("123.45")
    reading = scale.read()
    expected = Decimal("123.45") if simulator.protocol == "mt-sics" else Decimal("123")  # NCI shows whole grams
    assert reading.stable and reading.grams == expected and reading.unit == "g"
    scale.tare()
    assert scale.read().grams == 0
    assert scale.read_stable(timeout=5).grams == 0  # MT-SICS streams with SIR here, NCI asks again and again


def test_unplugged_then_replugged_recovers_by_itself(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("10")
    assert scale.read().grams == 10
    simulator.unplug()
    with pytest.raises(ScaleOffline, match="unplugged|no such device"):
        scale.read()
    simulator.plug()
    assert scale.read().grams == 10


def test_live_readings_survive_an_unplug(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("5")
    seen = follow_an_unplug(simulator, scale)
    problems = [e for e in seen if isinstance(e, ScaleProblem)]
    assert problems[0].reason == "offline" and "unplugged" in problems[0].message
    assert all(isinstance(e, ScaleReading) for e in seen[:3])
    assert isinstance(seen[-1], ScaleReading) and seen[-1].grams == 5


def test_missing_port_is_offline_with_advice(tmp_path):
    scale = scale_for(scale_config("mt-sics", tmp_path / "nothing"))
    with pytest.raises(ScaleOffline, match="no such device; is the scale plugged in"):
        scale.read()


def test_usb_hid_postal_scale(tmp_path):
    with HidScaleFeeder(tmp_path / "hidraw0") as feeder:
        scale = scale_for(scale_config("hid", tmp_path / "hidraw0"))
        feeder.send_weight(Decimal("999"))  # stale: the first report after opening is dropped
        feeder.send_weight(Decimal("123"))
        reading = scale.read()
        assert (reading.grams, reading.stable) == (Decimal("123"), True)
        feeder.send_weight(Decimal("100"), unit="oz")  # 3.5 oz, sent in tenths of an ounce
        reading = scale.read()
        assert reading.unit == "oz" and abs(reading.grams - Decimal("100")) < Decimal("1.5")
        feeder.send_report(status=6, unit=2, exponent=0, raw=0)
        assert scale.read().condition == "overload"
        feeder.send_report(status=3, unit=2, exponent=0, raw=50)
        assert scale.read().stable is False
        feeder.send_report(status=8, unit=2, exponent=0, raw=0)
        with pytest.raises(Exception, match="needs re-zeroing"):
            scale.read()
        with pytest.raises(ScaleRefused, match="press the scale's TARE button"):
            scale.tare()
        scale.close()


def test_hid_scale_that_switched_itself_off(tmp_path):
    with HidScaleFeeder(tmp_path / "hidraw0"):
        scale = scale_for(scale_config("hid", tmp_path / "hidraw0"))
        with pytest.raises(ScaleNoAnswer, match="switch themselves off"):
            scale.read()
        scale.close()


def test_hid_report_parsing_follows_the_usage_page():
    from frontdesk.devices.scale.hid import parse_report

    assert parse_report(bytes([3, 4, 2, 0, 0x7B, 0x00])).grams == 123
    assert parse_report(bytes([3, 4, 11, 0xFF, 0x23, 0x00])).value == Decimal("3.5")  # signed exponent -1
    assert parse_report(bytes([3, 2, 2, 0, 0, 0])).at_zero is True
    assert parse_report(bytes([3, 5, 2, 0, 10, 0])).condition == "underload"
    with pytest.raises(ScaleGarbled):
        parse_report(bytes([1, 2, 3]))
