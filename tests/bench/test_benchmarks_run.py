"""The benchmarks still run (figures are read by people, not asserted).

Each bench runs with --quick; what it must print is given as (text, how many times).
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent

BENCHES = {
    "bench_printer.py": [("receipt, 20 lines + QR", 2), ("badge + QR", 2), ("median", None),
                         ("receipts printed over TCP", 1)],
    "bench_scale.py": [("readings/s over 9600 baud", 2), ("stable reading in the driver", 2)],
    "bench_queues.py": [("CUPS state change -> watcher report", 1), ("idle watching, CPU per hour", 1),
                        ("device polling, 2 queues every 30 s:", 1)],
    "bench_agent.py": [("fault -> state at a subscriber", 3), ("of a core, resident memory", 1)],
    "bench_commands.py": [("status round trip, printer idle: p50", 1),
                          ("status round trip, a print waiting for paper: p50", 1), ("while a print waits / idle", 1)],
    "bench_printer_faults.py": [("with Automatic Status Back: fault -> state at a subscriber", 1),
                                ("without Automatic Status Back (asked every", 2),
                                ("fault -> state at a subscriber: median", 2), ("of a core", 2)],
    "bench_dashboard.py": [("MQTT state -> dashboard card in Chromium: median", 1), ("p95", None),
                           ("state changes -> every card updated", 1)],
    "bench_manager_ingest.py": [("SQLite: history ingest, store only:", 1),
                                ("SQLite: history ingest, MQTT catch-up after a restart:", 1),
                                ("PostgreSQL: history ingest, store only:", 1),
                                ("PostgreSQL: history ingest, MQTT catch-up after a restart:", 1),
                                ("messages/s", 4)],
    "bench_report.py": [("report for a month,", 2), ("PDF (PNG charts)", None), ("queries", None)],
    "bench_kiosk.py": [("cold start -> welcome screen", 1), ("last tap -> badge's last byte", 1), ("median", 2)],
}


@pytest.mark.parametrize("bench", sorted(BENCHES))
def test_the_benchmark_runs_and_prints_its_figures(bench):
    result = subprocess.run([sys.executable, str(BENCH / bench), "--quick"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for text, times in BENCHES[bench]:
        if times is None:
            assert text in result.stdout, (text, result.stdout)
        else:
            assert result.stdout.count(text) == times, (text, result.stdout)
