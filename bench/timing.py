"""Latency of one call after another, as the benchmarks report it: p50, p99 and the slowest,
in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Latencies:
    """Milliseconds per call: the median, the 99th percentile (nearest rank) and the most."""

    p50: float
    p99: float
    max: float

    def verdict(self, p99_target: float) -> str:
        return "meets" if self.p99 <= p99_target else "MISSES"


def time_each(items: Iterable[T], call: Callable[[T], R], check: Callable[[R], None]) -> Latencies:
    """Time ``call(item)`` for each item, one by one; ``check`` looks at each answer outside
    the timing."""
    latencies = []
    for item in items:
        begun = time.perf_counter()
        answer = call(item)
        latencies.append((time.perf_counter() - begun) * 1000)
        check(answer)
    latencies.sort()
    return Latencies(
        p50=statistics.median(latencies),
        p99=latencies[int(len(latencies) * 0.99) - 1],
        max=latencies[-1],
    )
