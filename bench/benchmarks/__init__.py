"""One module per benchmark, each with `NAME` and `run(ctx) -> list[Figure]`; run in this order."""

from . import aggregation, review_queue, staff_import, worklog_screen

BENCHMARKS = [worklog_screen, review_queue, aggregation, staff_import]
