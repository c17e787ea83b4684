"""How the benchmarks summarise their timings, and what a process has cost."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path


def percentiles(values: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) of the values."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_agent(config: Path) -> subprocess.Popen:
    """`python -m frontdesk.agent.daemon` on that config, its output discarded (the bench prints its own)."""
    return subprocess.Popen([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
