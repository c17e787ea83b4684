"""The benchmarks still run (figures are read by people, not asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent


def test_printer_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_printer.py"), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "receipt, 20 lines + QR" in result.stdout and "badge + QR" in result.stdout
    assert "median" in result.stdout


def test_scale_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_scale.py"), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("readings/s over 9600 baud") == 2
    assert result.stdout.count("stable reading in the driver") == 2


def test_queue_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_queues.py"), "--quick"], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "CUPS state change -> watcher report" in result.stdout and "idle watching, CPU per hour" in result.stdout


def test_agent_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_agent.py"), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("fault -> state at a subscriber") == 3
    assert "of a core, resident memory" in result.stdout


def test_dashboard_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_dashboard.py"), "--quick"], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "MQTT state -> dashboard card in Chromium: median" in result.stdout and "p95" in result.stdout
    assert "state changes -> every card updated" in result.stdout


def test_manager_ingest_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_manager_ingest.py"), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    for database in ("SQLite", "PostgreSQL"):
        assert f"{database}: history ingest, store only:" in result.stdout
        assert f"{database}: history ingest, MQTT catch-up after a restart:" in result.stdout
    assert result.stdout.count("messages/s") == 4


def test_report_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_report.py"), "--quick"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("report for a month,") == 2
    assert "PDF (PNG charts)" in result.stdout and "queries" in result.stdout


def test_kiosk_benchmark_runs_and_prints_its_figures():
    result = subprocess.run(
        [sys.executable, str(BENCH / "bench_kiosk.py"), "--quick"], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "cold start -> welcome screen" in result.stdout and "last tap -> badge's last byte" in result.stdout
    assert result.stdout.count("median") == 2
