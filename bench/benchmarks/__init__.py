"""One module per benchmark, each with `NAME` and `run(ctx) -> list[Figure]`; run in this order."""

from . import (
    aggregation,
    catalog_import,
    dashboards,
    excel_export,
    load,
    pdf_report,
    review_queue,
    staff_import,
    worklog_screen,
)

# The dashboards read the rollups that `aggregation` rebuilds, so they come after it.
BENCHMARKS = [
    worklog_screen,
    review_queue,
    aggregation,
    dashboards,
    excel_export,
    pdf_report,
    staff_import,
    catalog_import,
    load,
]
