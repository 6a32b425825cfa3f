"""Median, percentiles and spread of repeated timings; the result record."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of at least one value."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float], *, unit: str, digits: int = 1) -> dict:
    """Median, p95, min, max, interquartile range and count of the values."""
    if not values:
        raise ValueError("no values to summarise")

    def r(x: float) -> float:
        return round(x, digits)

    result = {
        "value": r(statistics.median(values)),
        "stat": "median",
        "unit": unit,
        "n": len(values),
        "min": r(min(values)),
        "max": r(max(values)),
        "p95": r(percentile(values, 95)),
    }
    if len(values) >= 4:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        result["iqr"] = [r(q1), r(q3)]
    return result


def timed(
    call: Callable[[], Any], *, repeat: int, warmup: int = 0, scale: float = 1.0
) -> list[float]:
    """Wall-clock seconds (times ``scale``) of ``repeat`` calls after ``warmup`` ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * scale)
    return times


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    value = numerator / denominator
    return round(value, 2 if value < 10 else 1)


@dataclass
class Result:
    """One line of the table: what was measured, the figure, its anchor and ratio.

    ``status`` is ``ok``, ``unavailable`` (the code it measures is not in the tree
    yet, ``reason`` says what is missing) or ``error`` (``reason`` holds the error).
    ``ratio`` is explained by ``ratio_means`` (e.g. "figure / anchor").
    """

    group: str
    name: str
    label: str
    database: str
    status: str = "ok"
    reason: str = ""
    figure: dict | None = None
    anchor: dict | None = None
    ratio: float | None = None
    ratio_means: str = ""
    goal: dict | None = None
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def unavailable(
    group: str, name: str, label: str, database: str, reason: str
) -> Result:
    return Result(group, name, label, database, status="unavailable", reason=reason)


def goal(text: str, met: bool | None) -> dict:
    return {"text": text, "met": met}
