"""The scale simulator through a real pty with pyserial: MT-SICS and NCI byte for byte, faults, HID FIFO."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import serial

from devices.scale.simulator import HidScaleFeeder, ScaleSimulator, ScaleState
from devices.scale.simulator.console import QuitRequested, run_console_command

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def mt():
    with ScaleSimulator("mt-sics", stable_wait=0.3) as simulator:
        yield simulator


@pytest.fixture
def nci():
    with ScaleSimulator("nci") as simulator:
        yield simulator


def open_port(simulator: ScaleSimulator, baudrate: int = 9600, timeout: float = 1) -> serial.Serial:
    return serial.Serial(simulator.device_path, baudrate, timeout=timeout)


def ask(simulator: ScaleSimulator, command: bytes) -> bytes:
    """One MT-SICS command and its reply line."""
    with open_port(simulator) as port:
        port.write(command + b"\r\n")
        return port.read_until(b"\r\n")


def ask_nci(simulator: ScaleSimulator, command: bytes) -> bytes:
    with open_port(simulator) as port:
        port.write(command + b"\r")
        return port.read_until(b"\x03")


def load(simulator: ScaleSimulator, grams: str, unit: str = "g") -> None:
    simulator.state.grams = Decimal(grams)
    simulator.state.display_unit = unit


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


# -- settling, pacing and faults ---------------------------------------------------------


def test_settle_moves_then_rests(mt):
    before = time.monotonic()
    mt.settle(Decimal("250"), after=0.8)
    after = time.monotonic()
    assert before + 0.8 <= mt.state.settled_at <= after + 0.8
    assert ask(mt, b"SI") == b"S D     250.00 g\r\n"
    assert mt.state.wait_until_stable(2.0, give_up=threading.Event()) is True
    assert time.monotonic() >= mt.state.settled_at
    assert ask(mt, b"SI") == b"S S     250.00 g\r\n"


def test_sir_is_paced_at_the_line_speed(mt):
    frame = b"S S       0.00 g\r\n"
    with open_port(mt) as port:
        started = time.monotonic()
        port.write(b"SIR\r\n")
        received = port.read(50 * len(frame))
        elapsed = time.monotonic() - started
        port.write(b"@\r\n")
    assert received == frame * 50
    assert elapsed >= 50 * len(frame) * 10 / 9600


def test_unplug_breaks_the_open_port_and_removes_the_path(mt):
    port = open_port(mt)
    old_pty = mt.pty_path
    mt.unplug()
    assert not os.path.lexists(mt.device_path)
    with pytest.raises(serial.SerialException):
        port.read(1)
    with pytest.raises(serial.SerialException):
        open_port(mt)
    mt.plug()
    assert mt.pty_path != old_pty and os.readlink(mt.device_path) == mt.pty_path
    assert ask(mt, b"SI") == b"S S       0.00 g\r\n"
    port.close()


def reader_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "scale-sim-pty"]


def test_unplug_interrupts_a_long_transmission_and_the_new_line_starts_idle(mt):
    with open_port(mt) as port:
        mt.state.garbage_before_next = 100_000  # about 104 s of line time at 9600 baud
        port.write(b"SI\r\n")
        deadline = time.monotonic() + 2
        while mt.state.garbage_before_next and time.monotonic() < deadline:
            time.sleep(0.005)  # until the reader has taken the noise and waits for the line
        assert mt.state.garbage_before_next == 0 and len(reader_threads()) == 1
        mt.unplug()
        assert reader_threads() == []  # the wait for the line ended with the unplug
    mt.plug()
    assert ask(mt, b"SI") == b"S S       0.00 g\r\n"  # not 104 s later


@pytest.mark.parametrize("switch_off", ["power", "silent"])
def test_power_off_and_silent_scales_answer_nothing(mt, switch_off):
    with open_port(mt, timeout=0.2) as port:
        port.write(b"SIR\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        if switch_off == "power":
            mt.powered = False
        else:
            mt.state.silent = True
        port.reset_input_buffer()
        port.read(1000)  # a frame may have been on its way
        port.write(b"SI\r\n")
        assert port.read(100) == b""
        mt.powered, mt.state.silent = True, False
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        assert port.read(100) == b""  # the stream did not come back


def test_wrong_baud_rate_gives_garbage(mt):
    with open_port(mt, baudrate=19200) as port:
        port.write(b"SI\r\n")
        garbage = port.read(18)
        assert len(garbage) == 18 and all(byte >= 0x80 for byte in garbage)
        port.baudrate = 9600
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"


def test_garbage_then_reply_and_half_frame(mt):
    with open_port(mt, timeout=0.3) as port:
        mt.state.garbage_before_next = 5
        port.write(b"SI\r\n")
        noise = port.read(5)
        assert len(noise) == 5 and all(byte >= 0x80 for byte in noise)
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        mt.state.half_frame_next = True
        port.write(b"SI\r\n")
        assert port.read(100) == b"S S      "
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
    assert mt.state.garbage_before_next == 0 and mt.state.half_frame_next is False


# -- state, console and the command line -------------------------------------------------


def test_state_refuses_values_a_scale_cannot_have():
    state = ScaleState()
    for name, value in (("grams", 1.5), ("display_unit", "st"), ("motion", 1), ("garbage_before_next", -1),
                        ("capacity_grams", Decimal(0))):
        with pytest.raises(ValueError):
            setattr(state, name, value)
    state.grams = 7
    assert state.grams == Decimal(7)
    with pytest.raises(ValueError):
        ScaleSimulator(baudrate=9601)
    with pytest.raises(ValueError):
        ScaleSimulator("ascii")
    with pytest.raises(ValueError):
        ScaleSimulator(resolution={"st": 1})


def test_console_commands(mt):
    assert run_console_command(mt, "weight 123.4").startswith("ok: net 123.4 g")
    assert run_console_command(mt, "unit oz").endswith("reports in oz")
    assert "moving" in run_console_command(mt, "settle 250 5")
    assert run_console_command(mt, "motion off").startswith("ok: net 250 g")
    run_console_command(mt, "over")
    assert mt.state.snapshot().overloaded
    run_console_command(mt, "normal")
    assert run_console_command(mt, "tare").startswith("tare: done; net 0 g")
    run_console_command(mt, "garbage 20")
    run_console_command(mt, "half")
    assert (mt.state.garbage_before_next, mt.state.half_frame_next) == (20, True)
    run_console_command(mt, "unplug")
    assert not mt.plugged and "unplugged" in run_console_command(mt, "status")
    run_console_command(mt, "plug")
    run_console_command(mt, "power off")
    assert mt.plugged and not mt.powered
    assert run_console_command(mt, "weight heavy").startswith("not understood")
    assert run_console_command(mt, "unit st").startswith("not understood")
    with pytest.raises(QuitRequested):
        run_console_command(mt, "quit")


def test_command_line_serves_until_quit_or_sigterm(tmp_path):
    link = tmp_path / "scale"
    for stop in ("quit", "sigterm"):
        process = subprocess.Popen(
            [sys.executable, "-m", "devices.scale.simulator", "--protocol", "nci", "--link", str(link)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert str(link) in process.stdout.readline()
        assert "help" in process.stdout.readline()
        process.stdin.write("weight 453.59237\nunit lb\n")
        process.stdin.flush()
        assert process.stdout.readline().startswith("ok:") and process.stdout.readline().startswith("ok:")
        with serial.Serial(str(link), 9600, timeout=1) as port:
            port.write(b"W\r")
            assert port.read_until(b"\x03") == b"\n   1.00lb\r\n00\r\x03"
        if stop == "quit":
            process.stdin.write("quit\n")
            process.stdin.close()
        else:
            process.stdin.close()  # end of input: it keeps serving
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "simulator stopped" in process.stdout.read() and process.stderr.read() == ""
        process.stdout.close()
        process.stderr.close()
        assert not link.exists()


# -- USB HID ------------------------------------------------------------------------------


def test_hid_reports_come_out_of_the_fifo(tmp_path):
    with HidScaleFeeder(tmp_path / "hidraw0") as feeder:
        reader = os.open(feeder.path, os.O_RDONLY)  # blocking, as a driver opens hidraw
        try:
            feeder.send_weight(Decimal("123"))
            assert os.read(reader, 64) == bytes([3, 4, 2, 0, 123, 0])
            feeder.send_weight(Decimal("100"), unit="oz")  # 3.527 oz -> 35 tenths
            feeder.send_weight(Decimal("0"))
            feeder.send_weight(Decimal("-40"))
            feeder.send_weight(Decimal("300"), stable=False)
            feeder.send_report(6, 11, -1, 0)
            reports = [os.read(reader, 6) for _ in range(5)]
        finally:
            os.close(reader)
    assert reports == [
        bytes([3, 4, 11, 0xFF, 35, 0]),
        bytes([3, 2, 2, 0, 0, 0]),
        bytes([3, 5, 2, 0, 40, 0]),
        bytes([3, 3, 2, 0, 0x2C, 0x01]),
        bytes([3, 6, 11, 0xFF, 0, 0]),
    ]
    assert not (tmp_path / "hidraw0").exists()


def test_hid_feeder_refuses_what_a_report_cannot_hold(tmp_path):
    with HidScaleFeeder(tmp_path / "hidraw0") as feeder:
        with pytest.raises(ValueError):
            feeder.send_report(4, 2, -129, 0)
        with pytest.raises(ValueError):
            feeder.send_weight(Decimal("70000"))
