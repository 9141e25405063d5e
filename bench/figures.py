"""What a benchmark reports: figures beside their floors, and the timing helpers they share."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class Figure:
    """One measured value beside the floor it is judged against, both from the same run."""

    benchmark: str
    metric: str
    value: float | None
    unit: str
    floor: float | None = None
    floor_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    detail: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Context:
    """What every benchmark gets: the scale, the day it runs, and a place for EXPLAIN output."""

    scale: int
    months: int
    today: date
    requests: int
    explains: list[tuple[str, str]] = field(default_factory=list)

    def explain(self, title: str, sql: str, params=None) -> str:
        """Run `EXPLAIN (ANALYZE, BUFFERS)` on a query and keep the plan for the results."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params or None)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.explains.append((title, plan))
        return plan


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: with 50 samples p95 is the 48th smallest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(action: Callable[[], object], times: int, cpu: list[float] | None = None) -> list[float]:
    """Milliseconds of each of `times` calls; with `cpu`, this process's CPU milliseconds too.

    On a shared machine wall time swings with everyone else's load; the CPU time the request
    spent in this process does much less, so both are kept.
    """
    samples = []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        samples.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - started_cpu) * 1000)
    return samples


def raw_query_ms(sql: str, params, times: int) -> list[float]:
    """The floor of a screen: its main query alone, executed and fetched without the ORM."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    run()
    return timed(run, times)
