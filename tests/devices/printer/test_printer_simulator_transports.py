"""The ESC/POS printer simulator's transports: TCP, pty, and the console a person uses.

The same protocol in memory is in test_printer_simulator_memory.py; here the in-memory
printer is also checked to answer byte for byte as the TCP one.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import serial
from escpos.printer import Network
from escpos_samples import DLE_EOT, NAMES, receipt_document

from frontdesk.devices.printer.simulator import MemoryPrinterSimulator, PtyPrinterSimulator, TcpPrinterSimulator
from frontdesk.devices.printer.simulator.console import run_console_command

# -- TCP ------------------------------------------------------------------------------


def connect(simulator: TcpPrinterSimulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", simulator.port), timeout=2)


def test_tcp_job_is_recorded_answered_and_rendered(tmp_path):
    with TcpPrinterSimulator(output_dir=tmp_path) as simulator:
        assert simulator.address == f"127.0.0.1:{simulator.port}"
        client = connect(simulator)
        client.sendall(receipt_document() + DLE_EOT + b"\x04")
        assert client.recv(1) == b"\x12"
        client.close()
        [job] = simulator.wait_for_jobs(1, timeout=2)
    assert job is simulator.last_job()
    assert job.errors == []
    assert [element.text for element in job.elements[:4]] == NAMES
    assert simulator.all_received() == bytes(job.received)
    assert NAMES[0] in (tmp_path / "job-0001.txt").read_text(encoding="utf-8")
    assert (tmp_path / "job-0001.png").stat().st_size > 0


def test_python_escpos_network_printer_reads_status():
    with TcpPrinterSimulator() as simulator:
        printer = Network("127.0.0.1", port=simulator.port, timeout=2, profile="TM-T20II")
        assert printer.paper_status() == 2
        simulator.state.paper = "near_end"
        assert printer.paper_status() == 1
        simulator.state.paper = "out"
        assert printer.paper_status() == 0
        assert printer.is_online() is False
        printer.close()


def assert_connection_cut(client: socket.socket) -> None:
    try:
        assert client.recv(16) == b""
    except ConnectionResetError:
        pass


def test_disconnect_clients_unplugs_every_connection():
    with TcpPrinterSimulator() as simulator:
        first, second = connect(simulator), connect(simulator)
        for client, text in ((first, b"half a li"), (second, b"x")):
            client.sendall(text + DLE_EOT + b"\x01")
            assert client.recv(1) == b"\x12"  # the simulator has the bytes
        simulator.disconnect_clients()
        assert_connection_cut(first)
        assert_connection_cut(second)
        jobs = simulator.wait_for_jobs(2, timeout=2)
    assert sorted(job.pending_text for job in jobs) == ["half a li", "x"]


def test_drops_after_cuts_the_next_connection_mid_job():
    with TcpPrinterSimulator() as simulator:
        simulator.state.drops_after = 10
        client = connect(simulator)
        client.sendall(b"0123456789abcdefghij\n")
        assert_connection_cut(client)
        [job] = simulator.wait_for_jobs(1, timeout=2)
        assert bytes(job.received) == b"0123456789" and job.elements == []
        assert simulator.state.drops_after is None
        follow_up = connect(simulator)
        follow_up.sendall(b"whole\n" + DLE_EOT + b"\x01")
        assert follow_up.recv(1) == b"\x12"


def receive_exactly(client: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count and (chunk := client.recv(count - len(data))):
        data += chunk
    return data


def test_the_memory_printer_answers_byte_for_byte_as_the_tcp_one():
    job = (receipt_document() + b"\x1b\x7fok\n" + b"A" * 50 + b"\n"  # an error and an overflow too
           + b"".join(DLE_EOT + bytes([n]) for n in (1, 2, 3, 4)) + b"\x1dr\x01\x1dr\x02")
    memory = MemoryPrinterSimulator()
    with TcpPrinterSimulator() as tcp:
        for state in (memory.state, tcp.state):
            state.paper, state.drawer_open = "near_end", True
        line, client = memory.connect(), connect(tcp)
        line.send(job)
        in_memory = line.receive(64)
        client.sendall(job)
        assert receive_exactly(client, len(in_memory)) == in_memory == bytes([0x16, 0x12, 0x12, 0x1E, 0x03, 0x01])
        line.send(b"\x1da\x0f")
        client.sendall(b"\x1da\x0f")
        assert receive_exactly(client, 4) == line.receive(16) == bytes([0x14, 0x00, 0x03, 0x00])
        line.close()
        client.close()
        [tcp_job] = tcp.wait_for_jobs(1, timeout=2)
    [memory_job] = memory.jobs
    assert memory_job.elements == tcp_job.elements and memory_job.errors == tcp_job.errors != []
    assert memory_job.overflows == tcp_job.overflows != [] and memory_job.received == tcp_job.received


def test_a_printer_without_status_back_takes_gs_a_and_only_answers_dle_eot():
    """--no-status-back: what many 58 mm printers do. GS a is parsed, not acted on; were a report
    sent (on switching on, or on the change), it would come before the second answer."""
    with TcpPrinterSimulator(status_back=False) as tcp, PtyPrinterSimulator(status_back=False) as pty:
        memory = MemoryPrinterSimulator(status_back=False)
        client, port, line = connect(tcp), serial.Serial(pty.device_path, 19200, timeout=2), memory.connect()
        lines = {"tcp": (tcp, client.sendall, lambda: client.recv(1)), "pty": (pty, port.write, lambda: port.read(1)),
                 "memory": (memory, line.send, lambda: line.receive(1))}
        for name, (simulator, send, receive) in lines.items():
            send(b"\x1da\x0f" + DLE_EOT + b"\x01")
            assert receive() == b"\x12", name
            simulator.state.paper = "out"
            send(DLE_EOT + b"\x04")
            assert receive() == b"\x72", name
        client.close()
        port.close()
        line.close()
        [tcp_job] = tcp.wait_for_jobs(1, timeout=2)
        jobs = {"tcp": tcp_job, "pty": pty.machine, "memory": memory.jobs[0]}
        for name, job in jobs.items():
            assert job.asb_enabled and job.errors == [], name
            assert job.received == b"\x1da\x0f" + DLE_EOT + b"\x01" + DLE_EOT + b"\x04", name


# -- pty ------------------------------------------------------------------------------


def test_pty_serves_pyserial(tmp_path):
    with PtyPrinterSimulator(output_dir=tmp_path) as simulator:
        port = serial.Serial(simulator.device_path, 19200, timeout=1)
        port.write(receipt_document() + DLE_EOT + b"\x01")
        assert port.read(1) == b"\x12"
        simulator.state.cover_open = True
        port.write(DLE_EOT + b"\x02")
        assert port.read(1) == b"\x16"
        port.close()
        assert [element.text for element in simulator.machine.elements[:4]] == NAMES
    assert (tmp_path / "job-0001.txt").exists()


# -- console ----------------------------------------------------------------------------


def test_console_commands_change_the_shared_state():
    simulator = TcpPrinterSimulator()
    for line in ("paper near-end", "cover open", "offline", "error cutter", "silent on"):
        assert run_console_command(simulator, line).startswith("ok")
    state = simulator.state.snapshot()
    assert (state.paper, state.cover_open, state.online, state.error, state.answers_status) == (
        "near_end", True, False, "cutter", False)
    assert run_console_command(simulator, "paper low").startswith("not understood")


def test_the_command_line_simulates_a_printer_without_status_back(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.devices.printer.simulator", "--no-status-back", "--port", "0", "--out", str(tmp_path)],
        input="status\nquit\n", capture_output=True, text=True, timeout=60, check=True)
    started, state = result.stdout.splitlines()[0], result.stdout.splitlines()[2]
    assert "(TM-T20II, no Automatic Status Back) listening on 127.0.0.1:" in started
    assert state.endswith("answers status, no Automatic Status Back"), result.stdout
