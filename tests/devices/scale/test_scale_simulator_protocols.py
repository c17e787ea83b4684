"""The scale simulator's protocols through a real pty with pyserial: MT-SICS and NCI byte for byte."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from scale_wire import ask, ask_nci, load, open_port

from devices.scale.simulator import ScaleSimulator


# -- MT-SICS -----------------------------------------------------------------------------


def test_s_and_si_report_the_stable_net_weight(mt):
    load(mt, "123.45")
    assert ask(mt, b"S") == b"S S     123.45 g\r\n"
    assert ask(mt, b"SI") == b"S S     123.45 g\r\n"


@pytest.mark.parametrize("unit, line", [
    ("g", b"S S    1000.00 g\r\n"),
    ("kg", b"S S    1.00000 kg\r\n"),
    ("oz", b"S S     35.274 oz\r\n"),  # 35.27396... oz
    ("lb", b"S S     2.2046 lb\r\n"),  # 2.20462... lb
])
def test_each_unit_has_its_own_decimals(mt, unit, line):
    load(mt, "1000", unit)
    assert ask(mt, b"SI") == line


def test_si_is_dynamic_while_the_load_moves(mt):
    load(mt, "123.45")
    mt.state.motion = True
    assert ask(mt, b"SI") == b"S D     123.45 g\r\n"


def test_s_waits_for_the_load_to_rest():
    with ScaleSimulator() as simulator:  # the real 3 s wait, longer than the settle
        simulator.state.settle(Decimal("250"), 0.4)
        assert ask(simulator, b"S") == b"S S     250.00 g\r\n"
        assert time.monotonic() >= simulator.state.settled_at


def test_s_gives_up_when_the_load_keeps_moving(mt):
    load(mt, "80")
    mt.state.motion = True
    started = time.monotonic()
    assert ask(mt, b"S") == b"S I\r\n"
    assert time.monotonic() - started >= 0.3


def test_negative_net_weight_has_its_minus_inside_the_field(mt):
    load(mt, "50")
    assert ask(mt, b"T") == b"T S      50.00 g\r\n"
    load(mt, "20")
    assert ask(mt, b"SI") == b"S S     -30.00 g\r\n"


def test_overload_and_underload_are_replies_of_their_own(mt):
    load(mt, "5000.01")
    assert ask(mt, b"S") == b"S +\r\n"
    assert ask(mt, b"SI") == b"S +\r\n"
    load(mt, "-100.01")  # net below -2 % of capacity
    assert ask(mt, b"SI") == b"S -\r\n"
    load(mt, "10")
    mt.state.overload = True
    assert ask(mt, b"S") == b"S +\r\n"
    mt.state.overload, mt.state.underload = False, True
    assert ask(mt, b"S") == b"S -\r\n"


def test_sir_repeats_fresh_weights_until_another_command(mt):
    load(mt, "10")
    with open_port(mt) as port:
        port.write(b"SIR\r\n")
        assert port.read_until(b"\r\n") == b"S S      10.00 g\r\n"
        mt.state.grams = Decimal("20")
        port.reset_input_buffer()
        port.read_until(b"\r\n")  # may have been weighed before the change, then waited for the line
        assert port.read_until(b"\r\n") == b"S S      20.00 g\r\n"
        port.write(b"TA\r\n")
        while (line := port.read_until(b"\r\n")).startswith(b"S S"):
            pass
        assert line == b"TA A       0.00 g\r\n"
        port.timeout = 0.3
        assert port.read(100) == b""


def test_reset_stops_sir_and_clears_the_tare(mt):
    load(mt, "42")
    with open_port(mt) as port:
        port.write(b"T\r\nSIR\r\n")
        assert port.read_until(b"\r\n") == b"T S      42.00 g\r\n"
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        port.write(b"@\r\n")
        while (line := port.read_until(b"\r\n")).startswith(b"S S"):
            pass
        assert line == b'I4 A "0123456789"\r\n'
        port.timeout = 0.3
        assert port.read(100) == b""
    assert ask(mt, b"TA") == b"TA A       0.00 g\r\n"


def test_tare_query_and_clear(mt):
    load(mt, "12.5", "g")
    assert ask(mt, b"T") == b"T S      12.50 g\r\n"
    assert ask(mt, b"TA") == b"TA A      12.50 g\r\n"
    assert ask(mt, b"S") == b"S S       0.00 g\r\n"
    assert ask(mt, b"TAC") == b"TAC A\r\n"
    assert ask(mt, b"TA") == b"TA A       0.00 g\r\n"
    assert ask(mt, b"S") == b"S S      12.50 g\r\n"


def test_tare_refused_while_moving_or_overloaded(mt):
    load(mt, "30")
    mt.state.motion = True
    assert ask(mt, b"T") == b"T I\r\n"
    mt.state.motion = False
    mt.state.overload = True
    assert ask(mt, b"T") == b"T +\r\n"
    assert mt.state.tare == 0


def test_zero_within_two_percent_of_capacity(mt):
    load(mt, "100")  # exactly 2 % of 5000 g
    assert ask(mt, b"Z") == b"Z A\r\n"
    assert ask(mt, b"S") == b"S S       0.00 g\r\n"
    load(mt, "200.01")  # 100.01 g above the new zero
    assert ask(mt, b"Z") == b"Z +\r\n"
    load(mt, "-0.01")  # 100.01 g below it: underload too
    assert ask(mt, b"Z") == b"Z -\r\n"
    load(mt, "150")
    mt.state.motion = True
    assert ask(mt, b"Z") == b"Z I\r\n"


def test_resolution_overrides_the_decimals_of_a_unit():
    with ScaleSimulator(resolution={"g": 1}) as simulator:
        assert simulator.protocol == "mt-sics" and simulator.decimals == {"g": 1, "kg": 5, "oz": 3, "lb": 4}
        load(simulator, "123.45")  # rounded half away from zero
        assert ask(simulator, b"SI") == b"S S      123.5 g\r\n"


def test_serial_number():
    with ScaleSimulator(serial_number="B123456789") as simulator:
        assert ask(simulator, b"I4") == b'I4 A "B123456789"\r\n'
        assert ask(simulator, b"@") == b'I4 A "B123456789"\r\n'


@pytest.mark.parametrize("command, reply", [
    (b"XYZ", b"ES\r\n"), (b"s", b"ES\r\n"), (b"", b"ES\r\n"), (b"A" * 100, b"ES\r\n"),
    (b"S\xe9", b"ET\r\n"), (b"S\x01", b"ET\r\n"),
    (b"S 5", b"EL\r\n"), (b"T X", b"EL\r\n"), (b"I4 ", b"EL\r\n"),
])
def test_errors(mt, command, reply):
    assert ask(mt, command) == reply


def test_a_bare_lf_does_not_end_a_command(mt):
    with open_port(mt, timeout=0.3) as port:
        port.write(b"SI\n")
        assert port.read(100) == b""
        port.write(b"\r\n")  # the line is now "SI\n": a control byte in it
        assert port.read_until(b"\r\n") == b"ET\r\n"


# -- NCI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit, field", [
    ("lb", b"   2.20lb"), ("kg", b"  1.000kg"), ("oz", b"   35.3oz"), ("g", b"   1000g "),
])
def test_nci_weight_in_each_unit(nci, unit, field):
    load(nci, "1000", unit)
    assert ask_nci(nci, b"W") == b"\n" + field + b"\r\n00\r\x03"


@pytest.mark.parametrize("condition, grams, status", [
    ("stable", "500", b"00"),
    ("motion", "500", b"10"),
    ("zero", "0.4", b"20"),  # within half a 1 g division
    ("over", "5001", b"02"),
    ("under", "-101", b"01"),
    ("ram_error", "500", b"40"),
    ("calibration_error", "500", b"08"),
])
def test_nci_status_bytes(nci, condition, grams, status):
    load(nci, grams)
    if condition in ("motion", "ram_error", "calibration_error"):
        setattr(nci.state, condition, True)
    assert ask_nci(nci, b"S") == b"\n" + status + b"\r\x03"
    assert ask_nci(nci, b"W").endswith(b"\r\n" + status + b"\r\x03")


def test_nci_over_and_under_fill_the_field(nci):
    load(nci, "6000", "lb")
    assert ask_nci(nci, b"W") == b"\n^^^^^^^lb\r\n02\r\x03"
    load(nci, "-200", "kg")
    assert ask_nci(nci, b"W") == b"\n_______kg\r\n01\r\x03"


def test_nci_zero_and_tare_answer_with_the_status(nci):
    load(nci, "60")
    assert ask_nci(nci, b"Z") == b"\n20\r\x03"
    load(nci, "260")  # 200 g above the new zero: out of zeroing range
    assert ask_nci(nci, b"Z") == b"\n00\r\x03"
    assert ask_nci(nci, b"T") == b"\n20\r\x03"
    load(nci, "230", "lb")
    assert ask_nci(nci, b"W") == b"\n  -0.07lb\r\n00\r\x03"


@pytest.mark.parametrize("command", [b"X", b"w", b"WW", b"", b"\nW"])
def test_nci_unknown_command(nci, command):
    assert ask_nci(nci, command) == b"\n?\r\x03"
