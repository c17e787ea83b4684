"""Scale throughput and time to a stable reading, over a 9600-baud simulated line.

Run: .venv/bin/python tests/bench/bench_scale.py [--quick]
The simulator paces its replies at the line's speed (10 bits a byte), so the
readings per second are what a real 9600-baud scale line would carry.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from figures import percentiles  # noqa: E402

from frontdesk.contract.config import parse_config  # noqa: E402
from frontdesk.devices.scale import ScaleReading, scale_for  # noqa: E402
from frontdesk.devices.scale.simulator import ScaleSimulator  # noqa: E402

BAUD = 9600
FRAME = {"mt-sics": len(b"S S     123.45 g\r\n"), "nci": len(b"\n    123g \r\n00\r\x03")}


def scale_config(protocol: str, device: str):
    text = f'[[scale]]\nid = "bench"\nprotocol = "{protocol}"\ndevice = "{device}"\nbaudrate = {BAUD}\n'
    return parse_config(text).scale[0]


def throughput(protocol: str, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder, ScaleSimulator(protocol, Path(folder) / "scale", BAUD) as sim:
        sim.state.grams = Decimal("123")
        scale = scale_for(scale_config(protocol, sim.device_path))
        stop, count = threading.Event(), 0
        start = time.monotonic()
        for event in scale.readings(stop):
            count += isinstance(event, ScaleReading)
            if time.monotonic() - start >= seconds:
                stop.set()
        elapsed = time.monotonic() - start
        scale.close()
    line_max = BAUD / 10 / FRAME[protocol]
    print(f"{protocol}: {count / elapsed:.1f} readings/s over {BAUD} baud; the line allows at most "
          f"{line_max:.1f}/s for its {FRAME[protocol]}-byte answers ({count / elapsed / line_max:.0%})")


def time_to_stable(protocol: str, runs: int) -> None:
    delays = []
    with tempfile.TemporaryDirectory() as folder, ScaleSimulator(protocol, Path(folder) / "scale", BAUD) as sim:
        scale = scale_for(scale_config(protocol, sim.device_path))
        for run in range(runs):
            sim.settle(Decimal(100 + run), after=0.3)
            reading = scale.read_stable(timeout=5)
            delays.append(time.monotonic() - sim.state.settled_at)
            assert reading.stable
        scale.close()
    median, p95 = percentiles(delays)
    print(f"{protocol}: weight settled -> stable reading in the driver: median {median * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms over {runs} runs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs only (smoke test)")
    quick = parser.parse_args().quick
    for protocol in ("mt-sics", "nci"):
        throughput(protocol, 0.5 if quick else 5)
        time_to_stable(protocol, 2 if quick else 20)


if __name__ == "__main__":
    main()
