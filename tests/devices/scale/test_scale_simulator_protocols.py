"""The scale simulator's protocols, MT-SICS and NCI byte for byte, through its in-memory port.

The pty carries the same replies (test_scale_simulator.py checks it); here nothing waits
except where the protocol itself does (MT-SICS S waits for a moving load to rest).
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from scale_wire import ask, ask_nci, load, open_port

from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator


# -- MT-SICS -----------------------------------------------------------------------------


def test_s_and_si_report_the_stable_net_weight(memory_mt):
    load(memory_mt, "123.45")
    assert ask(memory_mt, b"S") == b"S S     123.45 g\r\n"
    assert ask(memory_mt, b"SI") == b"S S     123.45 g\r\n"


@pytest.mark.parametrize("unit, line", [
    ("g", b"S S    1000.00 g\r\n"),
    ("kg", b"S S    1.00000 kg\r\n"),
    ("oz", b"S S     35.274 oz\r\n"),  # 35.27396... oz
    ("lb", b"S S     2.2046 lb\r\n"),  # 2.20462... lb
])
def test_each_unit_has_its_own_decimals(memory_mt, unit, line):
    load(memory_mt, "1000", unit)
    assert ask(memory_mt, b"SI") == line


def test_si_is_dynamic_while_the_load_moves(memory_mt):
    load(memory_mt, "123.45")
    memory_mt.state.motion = True
    assert ask(memory_mt, b"SI") == b"S D     123.45 g\r\n"


def test_s_waits_for_the_load_to_rest():
    simulator = MemoryScaleSimulator()  # the real 3 s wait, longer than the settle
    simulator.state.settle(Decimal("250"), 0.1)
    assert ask(simulator, b"S") == b"S S     250.00 g\r\n"
    assert time.monotonic() >= simulator.state.settled_at


def test_s_gives_up_when_the_load_keeps_moving(memory_mt):
    load(memory_mt, "80")
    memory_mt.state.motion = True
    started = time.monotonic()
    assert ask(memory_mt, b"S") == b"S I\r\n"
    assert time.monotonic() - started >= 0.05  # memory_mt's stable_wait


def test_negative_net_weight_has_its_minus_inside_the_field(memory_mt):
    load(memory_mt, "50")
    assert ask(memory_mt, b"T") == b"T S      50.00 g\r\n"
    load(memory_mt, "20")
    assert ask(memory_mt, b"SI") == b"S S     -30.00 g\r\n"


def test_overload_and_underload_are_replies_of_their_own(memory_mt):
    load(memory_mt, "5000.01")
    assert ask(memory_mt, b"S") == b"S +\r\n"
    assert ask(memory_mt, b"SI") == b"S +\r\n"
    load(memory_mt, "-100.01")  # net below -2 % of capacity
    assert ask(memory_mt, b"SI") == b"S -\r\n"
    load(memory_mt, "10")
    memory_mt.state.overload = True
    assert ask(memory_mt, b"S") == b"S +\r\n"
    memory_mt.state.overload, memory_mt.state.underload = False, True
    assert ask(memory_mt, b"S") == b"S -\r\n"


def test_sir_repeats_fresh_weights_until_another_command(memory_mt):
    load(memory_mt, "10")
    with open_port(memory_mt) as port:
        port.write(b"SIR\r\n")
        assert port.read_until(b"\r\n") == b"S S      10.00 g\r\n"
        assert port.read_until(b"\r\n") == b"S S      10.00 g\r\n"
        memory_mt.state.grams = Decimal("20")
        assert port.read_until(b"\r\n") == b"S S      20.00 g\r\n"  # each frame weighed as it is read
        port.write(b"TA\r\n")
        assert port.read_until(b"\r\n") == b"TA A       0.00 g\r\n"
        assert port.read(100) == b""


def test_reset_stops_sir_and_clears_the_tare(memory_mt):
    load(memory_mt, "42")
    with open_port(memory_mt) as port:
        port.write(b"T\r\nSIR\r\n")
        assert port.read_until(b"\r\n") == b"T S      42.00 g\r\n"
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        port.write(b"@\r\n")
        assert port.read_until(b"\r\n") == b'I4 A "0123456789"\r\n'
        assert port.read(100) == b""
    assert ask(memory_mt, b"TA") == b"TA A       0.00 g\r\n"


def test_tare_query_and_clear(memory_mt):
    load(memory_mt, "12.5", "g")
    assert ask(memory_mt, b"T") == b"T S      12.50 g\r\n"
    assert ask(memory_mt, b"TA") == b"TA A      12.50 g\r\n"
    assert ask(memory_mt, b"S") == b"S S       0.00 g\r\n"
    assert ask(memory_mt, b"TAC") == b"TAC A\r\n"
    assert ask(memory_mt, b"TA") == b"TA A       0.00 g\r\n"
    assert ask(memory_mt, b"S") == b"S S      12.50 g\r\n"


def test_tare_refused_while_moving_or_overloaded(memory_mt):
    load(memory_mt, "30")
    memory_mt.state.motion = True
    assert ask(memory_mt, b"T") == b"T I\r\n"
    memory_mt.state.motion = False
    memory_mt.state.overload = True
    assert ask(memory_mt, b"T") == b"T +\r\n"
    assert memory_mt.state.tare == 0


def test_zero_within_two_percent_of_capacity(memory_mt):
    load(memory_mt, "100")  # exactly 2 % of 5000 g
    assert ask(memory_mt, b"Z") == b"Z A\r\n"
    assert ask(memory_mt, b"S") == b"S S       0.00 g\r\n"
    load(memory_mt, "200.01")  # 100.01 g above the new zero
    assert ask(memory_mt, b"Z") == b"Z +\r\n"
    load(memory_mt, "-0.01")  # 100.01 g below it: underload too
    assert ask(memory_mt, b"Z") == b"Z -\r\n"
    load(memory_mt, "150")
    memory_mt.state.motion = True
    assert ask(memory_mt, b"Z") == b"Z I\r\n"


def test_resolution_overrides_the_decimals_of_a_unit():
    simulator = MemoryScaleSimulator(resolution={"g": 1})
    assert simulator.protocol == "mt-sics" and simulator.decimals == {"g": 1, "kg": 5, "oz": 3, "lb": 4}
    load(simulator, "123.45")  # rounded half away from zero
    assert ask(simulator, b"SI") == b"S S      123.5 g\r\n"


def test_serial_number():
    simulator = MemoryScaleSimulator(serial_number="B123456789")
    assert ask(simulator, b"I4") == b'I4 A "B123456789"\r\n'
    assert ask(simulator, b"@") == b'I4 A "B123456789"\r\n'


@pytest.mark.parametrize("command, reply", [
    (b"XYZ", b"ES\r\n"), (b"s", b"ES\r\n"), (b"", b"ES\r\n"), (b"A" * 100, b"ES\r\n"),
    (b"S\xe9", b"ET\r\n"), (b"S\x01", b"ET\r\n"),
    (b"S 5", b"EL\r\n"), (b"T X", b"EL\r\n"), (b"I4 ", b"EL\r\n"),
])
def test_errors(memory_mt, command, reply):
    assert ask(memory_mt, command) == reply


def test_a_bare_lf_does_not_end_a_command(memory_mt):
    with open_port(memory_mt) as port:
        port.write(b"SI\n")
        assert port.read(100) == b""
        port.write(b"\r\n")  # the line is now "SI\n": a control byte in it
        assert port.read_until(b"\r\n") == b"ET\r\n"


# -- NCI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit, field", [
    ("lb", b"   2.20lb"), ("kg", b"  1.000kg"), ("oz", b"   35.3oz"), ("g", b"   1000g "),
])
def test_nci_weight_in_each_unit(memory_nci, unit, field):
    load(memory_nci, "1000", unit)
    assert ask_nci(memory_nci, b"W") == b"\n" + field + b"\r\n00\r\x03"


@pytest.mark.parametrize("condition, grams, status", [
    ("stable", "500", b"00"),
    ("motion", "500", b"10"),
    ("zero", "0.4", b"20"),  # within half a 1 g division
    ("over", "5001", b"02"),
    ("under", "-101", b"01"),
    ("ram_error", "500", b"40"),
    ("calibration_error", "500", b"08"),
])
def test_nci_status_bytes(memory_nci, condition, grams, status):
    load(memory_nci, grams)
    if condition in ("motion", "ram_error", "calibration_error"):
        setattr(memory_nci.state, condition, True)
    assert ask_nci(memory_nci, b"S") == b"\n" + status + b"\r\x03"
    assert ask_nci(memory_nci, b"W").endswith(b"\r\n" + status + b"\r\x03")


def test_nci_over_and_under_fill_the_field(memory_nci):
    load(memory_nci, "6000", "lb")
    assert ask_nci(memory_nci, b"W") == b"\n^^^^^^^lb\r\n02\r\x03"
    load(memory_nci, "-200", "kg")
    assert ask_nci(memory_nci, b"W") == b"\n_______kg\r\n01\r\x03"


def test_nci_zero_and_tare_answer_with_the_status(memory_nci):
    load(memory_nci, "60")
    assert ask_nci(memory_nci, b"Z") == b"\n20\r\x03"
    load(memory_nci, "260")  # 200 g above the new zero: out of zeroing range
    assert ask_nci(memory_nci, b"Z") == b"\n00\r\x03"
    assert ask_nci(memory_nci, b"T") == b"\n20\r\x03"
    load(memory_nci, "230", "lb")
    assert ask_nci(memory_nci, b"W") == b"\n  -0.07lb\r\n00\r\x03"


@pytest.mark.parametrize("command", [b"X", b"w", b"WW", b"", b"\nW"])
def test_nci_unknown_command(memory_nci, command):
    assert ask_nci(memory_nci, command) == b"\n?\r\x03"
