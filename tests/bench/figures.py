"""How the benchmarks summarise their timings."""

from __future__ import annotations

import statistics


def percentiles(values: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) of the values."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
