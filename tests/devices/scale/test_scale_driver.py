"""The serial scale drivers against the simulator's in-memory port, for both protocols.

Readings, conditions, tare and zero, noise, silence, unplugging and the live stream, with
nothing waited for but what the driver itself waits. The same drivers on a real pty, and
the USB HID scale, are in test_scale_driver_lines.py.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from scale_wire import follow_an_unplug, scale_in_memory

from frontdesk.devices.scale import (
    ScaleGarbled,
    ScaleNoAnswer,
    ScaleNotStable,
    ScaleOffline,
    ScaleProblem,
    ScaleProtocolError,
    ScaleReading,
    ScaleRefused,
)
from frontdesk.devices.scale import driver  # its timings, shortened where only the order of events counts
from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator

PROTOCOLS = ["mt-sics", "nci"]


@pytest.fixture(params=PROTOCOLS)
def rig(request):
    """A scale simulated in memory and a driver for it, speaking one protocol."""
    simulator = MemoryScaleSimulator(protocol=request.param)
    scale = scale_in_memory(simulator)
    yield simulator, scale
    scale.close()


def test_a_stable_weight_in_grams(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("123.45")
    reading = scale.read()
    assert isinstance(reading, ScaleReading) and reading.stable and reading.condition == "ok"
    expected = Decimal("123.45") if simulator.protocol == "mt-sics" else Decimal("123")  # NCI shows whole grams
    assert reading.grams == expected and reading.unit == "g"


def test_what_the_driver_sends_for_each_request(rig):
    simulator, scale = rig
    scale.read()
    scale.tare()
    scale.zero()
    sent = [write.data for write in simulator.writes]
    if simulator.protocol == "mt-sics":
        assert sent == [b"SI\r\n", b"T\r\n", b"Z\r\n"]
        assert scale.identify() == "0123456789" and simulator.writes[-1].data == b"I4\r\n"
    else:  # NCI answers Z and T even when it ignored them, so the driver asks for the status first
        assert sent == [b"W\r", b"S\r", b"T\r", b"S\r", b"Z\r"]


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
    simulator.settle(Decimal("250"), after=0.05)
    reading = scale.read_stable(timeout=5)
    assert reading.stable and reading.grams == Decimal("250")
    assert time.monotonic() >= simulator.state.settled_at


def test_read_stable_gives_up_with_the_last_reading(rig):
    simulator, scale = rig
    simulator.state.grams, simulator.state.motion = Decimal("75"), True
    with pytest.raises(ScaleNotStable, match="did not settle within 0.1 s") as caught:
        scale.read_stable(timeout=0.1)
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


def test_a_whole_frame_of_noise_is_skipped_for_the_answer_after_it(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("42")
    simulator.inject(b"\xfe\xff" + scale.reply_end)  # ends like an answer, means nothing
    assert scale.read().grams == 42
    simulator.inject(b"\xfe\xff" + scale.reply_end)
    simulator.state.silent = True  # noise and then nothing: that is what is reported
    with pytest.raises(ScaleGarbled, match="unreadable answer"):
        scale.read()


def test_silence_says_what_to_check(rig):
    simulator, scale = rig
    simulator.state.silent = True
    with pytest.raises(ScaleNoAnswer, match="baud rate|line settings"):
        scale.read()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_wrong_baud_rate_is_a_clear_error_not_a_crash(protocol):
    simulator = MemoryScaleSimulator(protocol, baudrate=9600)
    scale = scale_in_memory(simulator, baudrate=19200)
    with pytest.raises((ScaleGarbled, ScaleNoAnswer), match="baud rate"):
        scale.read()
    scale.close()


def test_unplugged_then_replugged_recovers_by_itself(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("10")
    assert scale.read().grams == 10
    simulator.unplug()
    with pytest.raises(ScaleOffline, match="unplugged or switched off"):
        scale.read()
    with pytest.raises(ScaleOffline, match="no such device; is the scale plugged in"):
        scale.read()
    simulator.plug()
    assert scale.read().grams == 10


def test_live_readings_survive_an_unplug(rig, monkeypatch):
    simulator, scale = rig
    monkeypatch.setattr(driver, "RETRY_FIRST", 0.01)  # the wait before trying a lost scale again
    simulator.state.grams = Decimal("5")
    seen = follow_an_unplug(simulator, scale)
    problems = [e for e in seen if isinstance(e, ScaleProblem)]
    assert len(problems) == 1 and problems[0].reason == "offline" and "unplugged" in problems[0].message
    assert all(isinstance(e, ScaleReading) for e in seen[:3])
    assert isinstance(seen[-1], ScaleReading) and seen[-1].grams == 5


def test_unknown_commands_are_reported_by_the_scale(rig):
    simulator, scale = rig
    with pytest.raises(ScaleProtocolError, match="did not understand"):
        scale._ask(b"XYZ", scale._weight)


def test_powered_off_is_no_answer_and_power_on_recovers(rig):
    simulator, scale = rig
    simulator.state.grams = Decimal("7")
    simulator.powered = False
    with pytest.raises(ScaleNoAnswer, match="check that it is on"):
        scale.read()
    simulator.powered = True
    assert scale.read().grams == 7


@pytest.mark.parametrize("fault, words", [("ram_error", "RAM error"), ("calibration_error", "faulty calibration")])
def test_nci_faults_in_the_status_bytes_are_reported(fault, words):
    simulator = MemoryScaleSimulator(protocol="nci")
    scale = scale_in_memory(simulator)
    setattr(simulator.state, fault, True)
    with pytest.raises(ScaleProtocolError, match=f"reports {words}; it needs service"):
        scale.read()
    scale.close()


class Collected:
    """What scale.readings() yields on a thread of its own, with when each came."""

    def __init__(self, scale, stop: threading.Event, quiet_after: float) -> None:
        self.events: list[tuple[float, ScaleReading | ScaleProblem]] = []
        self.arrived = threading.Condition()
        self.thread = threading.Thread(target=self._collect, args=(scale, stop, quiet_after))
        self.thread.start()

    def _collect(self, scale, stop, quiet_after) -> None:
        for event in scale.readings(stop, quiet_after=quiet_after):
            with self.arrived:
                self.events.append((time.monotonic(), event))
                self.arrived.notify_all()

    def wait_for(self, predicate, timeout: float = 5.0) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: predicate(self.events), timeout), self.events[-3:]


def idle(events, polls: int = 3) -> bool:
    """The last `polls` readings each came a full IDLE_POLL after the one before: asked now and then."""
    times = [at for at, event in events[-polls - 1:] if isinstance(event, ScaleReading)]
    return len(times) == polls + 1 and all(b - a >= driver.IDLE_POLL for a, b in zip(times, times[1:]))


def test_a_quiet_scale_is_asked_now_and_then_and_streams_again_when_the_weight_changes(rig, monkeypatch):
    simulator, scale = rig
    # Shortened, as what counts is the pattern: a burst while the weight moves, then one request
    # per IDLE_POLL. In memory a stream comes as fast as it is read, so a burst is unmistakable.
    monkeypatch.setattr(driver, "IDLE_POLL", 0.05)
    simulator.state.grams = Decimal("40")
    stop = threading.Event()
    readings = Collected(scale, stop, quiet_after=0.05)
    try:
        readings.wait_for(idle)
        simulator.state.grams = Decimal("250")
        readings.wait_for(lambda events: len(moved_to_250(events)) > 10)
        moved = moved_to_250(readings.events)
        assert moved[10] - moved[0] < 10 * driver.IDLE_POLL, "the stream did not resume"
        readings.wait_for(lambda events: idle(events) and events[-1][1].grams == 250)  # quiet again
        simulator.unplug()  # noticed while idle too
        readings.wait_for(lambda events: isinstance(events[-1][1], ScaleProblem))
        assert readings.events[-1][1].reason == "offline"
    finally:
        stop.set()
        readings.thread.join(5)


def moved_to_250(events) -> list[float]:
    return [at for at, event in events if isinstance(event, ScaleReading) and event.grams == 250]
