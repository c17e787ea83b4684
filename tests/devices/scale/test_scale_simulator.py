"""The scale simulator on its pty: pacing, unplugging, line speed, its console and the HID FIFO.

What the scale answers (and settling, noise, half frames, power) is tested through the
in-memory port (test_scale_simulator_memory.py, test_scale_simulator_protocols.py); here
the pty is also checked to carry the very bytes the in-memory port gives.
"""

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
from scale_wire import ask, open_port

from frontdesk.devices.scale.simulator import HidScaleFeeder, ScaleSimulator, ScaleState
from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator
from frontdesk.devices.scale.simulator.console import QuitRequested, run_console_command

REPO = Path(__file__).resolve().parents[3]


# -- the same bytes as in memory, paced, unplugged ---------------------------------------


SCRIPTS = {
    # What a host sends, one write at a time, and how each reply ends. Every reply is read
    # whole before the next command, so the pty's pacing cannot change what comes back.
    "mt-sics": (b"\r\n", [b"SI", b"S", b"T", b"SI", b"TA", b"Z", b"TAC", b"I4", b"XYZ", b"S\xe9", b"S 5", b"@"]),
    "nci": (b"\x03", [b"W", b"S", b"Z", b"T", b"W", b"X"]),
}


@pytest.mark.parametrize("protocol", ["mt-sics", "nci"])
def test_the_pty_carries_byte_for_byte_what_the_memory_port_gives(tmp_path, protocol):
    end, commands = SCRIPTS[protocol]
    command_end = b"\r\n" if protocol == "mt-sics" else b"\r"
    memory = MemoryScaleSimulator(protocol)
    with ScaleSimulator(protocol, link=tmp_path / "scale") as pty:
        replies = {}
        for simulator in (memory, pty):
            simulator.state.grams, simulator.state.display_unit = Decimal("453.59237"), "lb"
            with open_port(simulator) as port:
                replies[simulator] = []
                for command in commands:
                    port.write(command + command_end)
                    replies[simulator].append(port.read_until(end))
    assert replies[pty] == replies[memory]
    assert all(reply.endswith(end) for reply in replies[pty])


def test_sir_is_paced_at_the_line_speed(mt):
    frame = b"S S       0.00 g\r\n"
    # 50 frames are 0.94 s of line time: a 1 s read timeout left a loaded machine 60 ms to spare.
    with open_port(mt, timeout=5) as port:
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


def test_wrong_baud_rate_gives_garbage(mt):
    with open_port(mt, baudrate=19200) as port:
        port.write(b"SI\r\n")
        garbage = port.read(18)
        assert len(garbage) == 18 and all(byte >= 0x80 for byte in garbage)
        port.baudrate = 9600
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"


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
            [sys.executable, "-m", "frontdesk.devices.scale.simulator", "--protocol", "nci", "--link", str(link)],
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
