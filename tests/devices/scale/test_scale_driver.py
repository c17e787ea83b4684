"""The scale drivers against the simulator over a real pty, for both serial protocols."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from testbed import scale_config

from devices.scale import (
    ScaleGarbled,
    ScaleNoAnswer,
    ScaleNotStable,
    ScaleOffline,
    ScaleProblem,
    ScaleProtocolError,
    ScaleReading,
    ScaleRefused,
    scale_for,
)
from devices.scale.driver import IDLE_POLL
from devices.scale.simulator import ScaleSimulator

PROTOCOLS = ["mt-sics", "nci"]


@pytest.fixture(params=PROTOCOLS)
def rig(request, tmp_path):
    """A simulated scale and a driver for it, speaking one protocol."""
    with ScaleSimulator(protocol=request.param, link=tmp_path / "scale") as simulator:
        scale = scale_for(scale_config(request.param, simulator.device_path))
        yield simulator, scale
        scale.close()


def test_a_stable_weight_in_grams(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("123.45")
    reading = scale.read()
    assert isinstance(reading, ScaleReading) and reading.stable and reading.condition == "ok"
    expected = Decimal("123.45") if simulator.protocol == "mt-sics" else Decimal("123")  # NCI shows whole grams
    assert reading.grams == expected and reading.unit == "g"


@pytest.mark.parametrize("unit", ["kg", "oz", "lb"])
def test_other_units_convert_exactly(rig, unit):
    simulator, scale = rig
    simulator.state.grams = Decimal("453.59237")  # one pound
    simulator.state.display_unit = unit
    reading = scale.read()
    assert reading.unit == unit
    assert abs(reading.grams - Decimal("453.59237")) <= Decimal("0.5")
    if unit == "lb":
        assert reading.weight_in("oz") == reading.value * 16


def test_moving_weight_is_reported_as_not_stable(rig):
    simulator, scale = rig
    simulator.state.grams, simulator.state.motion = Decimal("50"), True
    assert scale.read().stable is False


def test_read_stable_waits_for_the_scale_to_settle(rig):
    simulator, scale = rig
    simulator.settle(Decimal("250"), after=0.4)
    reading = scale.read_stable(timeout=5)
    assert reading.stable and reading.grams == Decimal("250")


def test_read_stable_gives_up_with_the_last_reading(rig):
    simulator, scale = rig
    simulator.state.grams, simulator.state.motion = Decimal("75"), True
    with pytest.raises(ScaleNotStable, match="did not settle within 0.5 s") as caught:
        scale.read_stable(timeout=0.5)
    assert caught.value.last is not None and not caught.value.last.stable
    simulator.state.motion = False
    assert scale.read().stable  # the line is usable again after the stream


@pytest.mark.parametrize("condition", ["overload", "underload"])
def test_over_and_underload_are_conditions_not_weights(rig, condition):
    simulator, scale = rig
    setattr(simulator.state, condition, True)
    reading = scale.read()
    assert reading.condition == condition and reading.grams is None
    assert "capacity" in reading.describe() or "below zero" in reading.describe()


def test_tare_and_zero(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("30")
    scale.tare()
    assert scale.read().grams == 0
    simulator.state.grams = Decimal("130")
    assert scale.read().grams == 100
    simulator.state.motion = True
    with pytest.raises(ScaleRefused, match="while the weight is moving"):
        scale.tare()


def test_garbage_and_half_frames_are_skipped_to_the_next_good_frame(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("42")
    simulator.state.garbage_before_next = 25
    assert scale.read().grams == 42
    simulator.state.half_frame_next = True
    with pytest.raises(ScaleGarbled, match="unreadable answer"):
        scale.read()
    assert scale.read().grams == 42


def test_silence_says_what_to_check(rig):
    simulator, scale = rig
    simulator.state.silent = True
    with pytest.raises(ScaleNoAnswer, match="baud rate|line settings"):
        scale.read()


def test_wrong_baud_rate_is_a_clear_error_not_a_crash(tmp_path):
    with ScaleSimulator(protocol="mt-sics", link=tmp_path / "scale", baudrate=9600) as simulator:
        scale = scale_for(scale_config("mt-sics", simulator.device_path, baudrate=19200))
        with pytest.raises((ScaleGarbled, ScaleNoAnswer), match="baud rate"):
            scale.read()
        scale.close()


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
    stop = threading.Event()
    seen: list = []
    for event in scale.readings(stop):
        seen.append(event)
        if len(seen) == 3:
            simulator.unplug()
        elif isinstance(event, ScaleProblem):
            simulator.plug()
        elif any(isinstance(e, ScaleProblem) for e in seen):
            stop.set()  # a reading after the outage: recovered
    problems = [e for e in seen if isinstance(e, ScaleProblem)]
    assert problems[0].reason == "offline" and "unplugged" in problems[0].message
    assert all(isinstance(e, ScaleReading) for e in seen[:3])
    assert isinstance(seen[-1], ScaleReading) and seen[-1].grams == 5


def test_unknown_commands_are_reported_by_the_scale(rig):
    simulator, scale = rig
    with pytest.raises(ScaleProtocolError, match="did not understand"):
        scale._ask(b"XYZ", scale._weight)


def test_missing_port_is_offline_with_advice(tmp_path):
    scale = scale_for(scale_config("mt-sics", tmp_path / "nothing"))
    with pytest.raises(ScaleOffline, match="no such device; is the scale plugged in"):
        scale.read()


def test_usb_hid_postal_scale(tmp_path):
    from devices.scale.simulator import HidScaleFeeder

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
    from devices.scale.simulator import HidScaleFeeder

    with HidScaleFeeder(tmp_path / "hidraw0"):
        scale = scale_for(scale_config("hid", tmp_path / "hidraw0"))
        with pytest.raises(ScaleNoAnswer, match="switch themselves off"):
            scale.read()
        scale.close()


def test_hid_report_parsing_follows_the_usage_page():
    from devices.scale.hid import parse_report

    assert parse_report(bytes([3, 4, 2, 0, 0x7B, 0x00])).grams == 123
    assert parse_report(bytes([3, 4, 11, 0xFF, 0x23, 0x00])).value == Decimal("3.5")  # signed exponent -1
    assert parse_report(bytes([3, 2, 2, 0, 0, 0])).at_zero is True
    assert parse_report(bytes([3, 5, 2, 0, 10, 0])).condition == "underload"
    with pytest.raises(ScaleGarbled):
        parse_report(bytes([1, 2, 3]))


def test_powered_off_is_no_answer_and_power_on_recovers(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("7")
    simulator.powered = False
    with pytest.raises(ScaleNoAnswer, match="check that it is on"):
        scale.read()
    simulator.powered = True
    assert scale.read().grams == 7


@pytest.mark.parametrize("fault, words", [("ram_error", "RAM error"), ("calibration_error", "faulty calibration")])
def test_nci_faults_in_the_status_bytes_are_reported(tmp_path, fault, words):
    with ScaleSimulator(protocol="nci", link=tmp_path / "scale") as simulator:
        scale = scale_for(scale_config("nci", simulator.device_path))
        setattr(simulator.state, fault, True)
        with pytest.raises(ScaleProtocolError, match=f"reports {words}; it needs service"):
            scale.read()
        scale.close()


def test_a_quiet_scale_is_asked_now_and_then_and_streams_again_when_the_weight_changes(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("40")
    stop, seen, lock = threading.Event(), [], threading.Lock()

    def collect():
        for event in scale.readings(stop, quiet_after=0.3):
            with lock:
                seen.append((time.monotonic(), event))

    reader = threading.Thread(target=collect)
    reader.start()
    try:
        time.sleep(2.5)  # streams ~0.3 s after the first reading, then idles
        with lock:
            last_second = [e for t, e in seen if t > time.monotonic() - 1.0]
        # Streaming gives ~50 readings a second; idle polling one per IDLE_POLL.
        assert 1 <= len(last_second) <= 1 / IDLE_POLL + 2, len(last_second)
        simulator.state.grams = Decimal("250")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with lock:
                moved = [t for t, e in seen if isinstance(e, ScaleReading) and e.grams == 250]
            if len(moved) > 10:
                break
            time.sleep(0.05)
        assert len(moved) > 10 and moved[10] - moved[0] < 10 * IDLE_POLL, "the stream did not resume"
        simulator.unplug()  # noticed while idle too
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(isinstance(e, ScaleProblem) for _, e in seen):
            time.sleep(0.05)
        assert any(isinstance(e, ScaleProblem) and e.reason == "offline" for _, e in seen)
    finally:
        stop.set()
        reader.join(5)
