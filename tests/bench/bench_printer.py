"""How long it takes to turn documents into printer bytes.

Run: .venv/bin/python tests/bench/bench_printer.py [--quick]
Prints the median and 95th percentile per document; no thresholds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from figures import percentiles  # noqa: E402

from frontdesk.contract.config import OfficeConfig  # noqa: E402
from frontdesk.devices.printer.compose import Composer  # noqa: E402
from frontdesk.devices.printer.samples import sample_badge, sample_receipt  # noqa: E402

OFFICE = OfficeConfig(
    name="Exemplu Consulting", address=["Strada Ștefan cel Mare 12", "700000 Iași"],
    language="ro", currency="RON", timezone="Europe/Bucharest", tax_rate="0.19",
    receipt_footer="Mulțumim! Thank you!",
)


def measure(label: str, build, runs: int) -> None:
    build()  # warm caches (code page tables, fonts) once, as a running agent would have
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        data = build()
        times.append(time.perf_counter() - start)
    median, p95 = percentiles(times)
    print(f"{label}: {len(data)} bytes, median {median * 1000:.2f} ms, "
          f"p95 {p95 * 1000:.2f} ms over {runs} runs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few runs only (smoke test)")
    runs = 3 if parser.parse_args().quick else 200
    for profile in ("TM-T20II", "POS-5890"):
        composer = Composer(profile)
        receipt = sample_receipt("ro", lines=20)
        badge = sample_badge("Ștefan Țăranu", "ro")
        # Each measured call lays out its document again, as a real print does.
        def warm(composer=composer, document=receipt):
            return composer.compose(document.blocks(OFFICE))

        def badge_print(composer=composer, document=badge):
            return composer.compose(document.blocks(OFFICE))

        def cold(profile=profile, document=receipt):
            return Composer(profile).compose(document.blocks(OFFICE))

        measure(f"{profile} receipt, 20 lines + QR", warm, runs)
        measure(f"{profile} badge + QR", badge_print, runs)
        measure(f"{profile} receipt with a new Composer each time", cold, max(3, runs // 10))
    over_the_wire(max(5, runs // 5))


def over_the_wire(jobs: int) -> None:
    """Whole jobs through ReceiptPrinter.print_bytes to the TCP simulator: connect, status, body,
    confirmation, cut, confirmation. The simulator answers a status query in about a millisecond;
    a real printer takes a few."""
    from frontdesk.contract.config import parse_config
    from frontdesk.devices.printer import ReceiptPrinter
    from frontdesk.devices.printer.simulator import TcpPrinterSimulator

    with TcpPrinterSimulator() as simulator:
        config = parse_config('[[printer]]\nid = "bench"\nconnection = "network"\nhost = "127.0.0.1"\n'
                              f"port = {simulator.port}\n")
        printer = ReceiptPrinter(config.printer[0], OFFICE)
        body, cut = printer.render_parts(sample_receipt("ro", lines=20))
        start = time.perf_counter()
        for _ in range(jobs):
            printer.print_bytes(body, finish=cut)
        elapsed = time.perf_counter() - start
    print(f"receipts printed over TCP (confirmed body and cut): {jobs / elapsed:.1f} receipts/s, "
          f"{elapsed / jobs * 1000:.1f} ms per job, {len(body) + len(cut)} bytes each")


if __name__ == "__main__":
    main()
