"""The scale simulator's in-memory port: settling, faults, power, unplugging, streams, line speed.

pyserial's calls, answered at once: a read that finds nothing has timed out, as nothing
more can come. The pty gives the same bytes (test_scale_simulator.py).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import serial
from scale_wire import ask, open_port

from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator


def test_settle_moves_then_rests(memory_mt):
    before = time.monotonic()
    memory_mt.settle(Decimal("250"), after=0.2)
    after = time.monotonic()
    assert before + 0.2 <= memory_mt.state.settled_at <= after + 0.2
    assert ask(memory_mt, b"SI") == b"S D     250.00 g\r\n"
    assert memory_mt.state.wait_until_stable(2.0, give_up=threading.Event()) is True
    assert time.monotonic() >= memory_mt.state.settled_at
    assert ask(memory_mt, b"SI") == b"S S     250.00 g\r\n"


@pytest.mark.parametrize("switch_off", ["power", "silent"])
def test_power_off_and_silent_scales_answer_nothing(memory_mt, switch_off):
    with open_port(memory_mt) as port:
        port.write(b"SIR\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        if switch_off == "power":
            memory_mt.powered = False
        else:
            memory_mt.state.silent = True
        assert port.read(100) == b""  # the stream stopped with the scale
        port.write(b"SI\r\n")
        assert port.read(100) == b""
        memory_mt.powered, memory_mt.state.silent = True, False
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        assert port.read(100) == b""  # the stream did not come back


def test_garbage_then_reply_and_half_frame(memory_mt):
    with open_port(memory_mt) as port:
        memory_mt.state.garbage_before_next = 5
        port.write(b"SI\r\n")
        noise = port.read(5)
        assert len(noise) == 5 and all(byte >= 0x80 for byte in noise)
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
        memory_mt.state.half_frame_next = True
        port.write(b"SI\r\n")
        assert port.read(100) == b"S S      "
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"
    assert memory_mt.state.garbage_before_next == 0 and memory_mt.state.half_frame_next is False


def test_injected_bytes_come_after_the_next_write_ahead_of_its_reply(memory_mt):
    with open_port(memory_mt) as port:
        memory_mt.inject(b"stale\r\n")
        port.reset_input_buffer()  # a host that drops old input before asking still gets them
        port.write(b"SI\r\n")
        assert port.read(100) == b"stale\r\nS S       0.00 g\r\n"


def test_a_wrong_baud_rate_gives_garbage(memory_mt):
    with open_port(memory_mt, baudrate=19200) as port:
        port.write(b"SI\r\n")
        garbage = port.read(100)
        assert len(garbage) == 18 and all(byte >= 0x80 for byte in garbage)
        port.baudrate = 9600
        port.write(b"SI\r\n")
        assert port.read_until(b"\r\n") == b"S S       0.00 g\r\n"


def test_a_stream_of_garbage_ends_a_read_after_what_the_line_carries_in_the_timeout(memory_mt):
    with open_port(memory_mt, baudrate=19200, timeout=0.5) as port:  # 960 bytes a second at 19200 baud
        port.write(b"SIR\r\n")
        line = port.read_until(b"\r\n")  # no CR LF ever comes; it returns, as a timed-out read does
    # The first frame came with the SIR answer; then frames of 18 bytes until 960 are made.
    assert 960 <= len(line) < 960 + 2 * 18 and b"\r\n" not in line


def test_unplug_breaks_the_open_port_until_a_new_one_is_opened(memory_mt):
    port = open_port(memory_mt)
    memory_mt.unplug()
    assert not memory_mt.plugged
    for use in (lambda: port.read(1), lambda: port.write(b"SI\r\n"), port.reset_input_buffer):
        with pytest.raises(serial.SerialException, match="Input/output error"):
            use()
    with pytest.raises(serial.SerialException, match="No such file or directory"):
        open_port(memory_mt)
    memory_mt.plug()
    with pytest.raises(serial.SerialException):
        port.read(1)  # the old port stays broken, as a pty that went away does
    assert ask(memory_mt, b"SI") == b"S S       0.00 g\r\n"
    port.close()
    with pytest.raises(serial.PortNotOpenError):
        port.read(1)


def test_unplug_ends_a_wait_for_the_load_to_rest():
    simulator = MemoryScaleSimulator()  # S waits up to 3 s
    simulator.state.motion = True
    port = open_port(simulator)
    answered = threading.Event()

    def ask_for_a_stable_weight():
        port.write(b"S\r\n")
        answered.set()

    asking = threading.Thread(target=ask_for_a_stable_weight)
    asking.start()
    simulator.unplug()
    assert answered.wait(2), "S went on waiting after the unplug"
    asking.join()


def test_a_wrong_device_path_does_not_open():
    simulator = MemoryScaleSimulator(device_path="memory:mail-scale")
    with pytest.raises(serial.SerialException, match="could not open port memory:other"):
        simulator.open_port("memory:other")


def test_every_write_is_recorded_for_a_test_to_wait_on(memory_nci):
    with open_port(memory_nci) as port:
        port.write(b"W\r")
        port.write(b"S\r")
    writes = memory_nci.wait_for_writes(lambda writes: len(writes) == 2, timeout=0)
    assert [write.data for write in writes] == [b"W\r", b"S\r"] and writes[0].at <= writes[1].at
    with pytest.raises(TimeoutError):
        memory_nci.wait_for_writes(lambda writes: len(writes) == 3, timeout=0)


def test_the_simulator_refuses_what_a_scale_cannot_be():
    with pytest.raises(ValueError):
        MemoryScaleSimulator(baudrate=9601)
    with pytest.raises(ValueError):
        MemoryScaleSimulator("ascii")
    with pytest.raises(ValueError):
        MemoryScaleSimulator(resolution={"st": 1})
