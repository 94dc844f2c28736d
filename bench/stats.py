"""Medians, percentiles and spreads (no numpy needed)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 100]."""
    data = sorted(values)
    if not data:
        return math.nan
    if len(data) == 1:
        return data[0]
    position = (len(data) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (position - low)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def summary(values: Sequence[float]) -> dict:
    """median, p25, p75, min, max and the number of runs."""
    values = list(values)
    return {
        "median": median(values),
        "p25": percentile(values, 25),
        "p75": percentile(values, 75),
        "min": min(values) if values else math.nan,
        "max": max(values) if values else math.nan,
        "runs": len(values),
    }


def fmt(value: float, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def ratio_text(s: dict, digits: int = 2) -> str:
    """``1.05x (p25-p75 1.01-1.09)``."""
    return f"{fmt(s['median'], digits)}x ({fmt(s['p25'], digits)}–{fmt(s['p75'], digits)})"
