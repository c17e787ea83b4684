"""`frontdesk demo`: the system on simulated devices, for a first look.

Starts the ESC/POS printer simulator, writes a config that points at it, and
prints a receipt and a visitor badge through the real driver, exactly as the
agent will. The simulator then keeps running so a person can change its state
and try the other commands.
"""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path

from contract.config import load_config

DEMO_PORT = 9100

DEMO_CONFIG = """\
# Written by `frontdesk demo`: the demo's devices are simulators on this machine.
site = "demo"

[office]
name = "Exemplu Consulting"
address = ["Strada Ștefan cel Mare 12", "700000 Iași, România"]
phone = "+40 232 000 000"
tax_id = "RO12345678"
language = "ro"
currency = "RON"
timezone = "Europe/Bucharest"
tax_rate = 0.19
receipt_footer = "Mulțumim! Thank you! Danke! Merci ! Dziękujemy!"

[[printer]]
id = "desk-printer"
connection = "network"
host = "127.0.0.1"
port = {port}
profile = "TM-T20II"
drawer_pin = 2
"""


class _Stop(Exception):
    pass


def run_demo(workdir: str | Path, once: bool = False) -> int:
    from devices.printer.simulator import TcpPrinterSimulator

    workdir = Path(workdir).resolve()
    printouts = workdir / "printer"
    printouts.mkdir(parents=True, exist_ok=True)
    simulator = TcpPrinterSimulator(port=_free_port(DEMO_PORT), output_dir=printouts)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        simulator.start()
        config_file = workdir / "frontdesk.toml"
        config_file.write_text(DEMO_CONFIG.format(port=simulator.port), encoding="utf-8")
        _print_demo_documents(config_file, simulator)
        if not once:
            _interact(simulator, config_file)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        simulator.stop()
    print("demo stopped")
    return 0


def _print_demo_documents(config_file: Path, simulator) -> None:
    from devices.printer import ReceiptPrinter
    from devices.printer.samples import sample_badge, sample_receipt

    config = load_config(config_file)
    printer = ReceiptPrinter(config.printer[0], config.office)
    print(f"printer simulator listening on {simulator.address}; printouts go to {simulator.output_dir}")
    printer.print_document(sample_receipt(number="DEMO-000001"))
    printer.print_document(sample_badge("Ștefan Țăranu", number="V-0001"))
    for number, job in enumerate(simulator.wait_for_jobs(2, timeout=10), start=1):
        print(f"\n--- job {number}: what the paper shows " + "-" * 20)
        print(job.text_rendering())
    print(f"\nPictures of the paper: {', '.join(str(p) for p in sorted(simulator.output_dir.glob('*.png')))}")


def _interact(simulator, config_file: Path) -> None:
    from devices.printer.simulator.console import read_commands

    cli = Path(sys.executable).with_name("frontdesk")
    print(
        "\nThe demo keeps running. Type a command to change the simulated printer "
        "(paper out, paper near-end, cover open, paper ok, status, help, quit).\n"
        "From another terminal, try:\n"
        f"  {cli} printer status --config {config_file}\n"
        f"  {cli} printer test --badge 'Łucja Żółkiewska' --language pl --config {config_file}\n"
        f"  {cli} printer drawer --config {config_file}\n"
        "Ctrl-C stops the demo.",
        flush=True,
    )
    from devices.printer.simulator.console import QuitRequested

    try:
        read_commands(simulator)
    except QuitRequested:
        pass


def _free_port(preferred: int) -> int:
    """The usual printer port when it is free, so the demo looks like the real thing."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return 0
            raise
    return preferred


def _raise_stop(signum, frame) -> None:
    raise _Stop
