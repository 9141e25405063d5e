"""Build one report in a fresh process and print its time and peak memory as JSON.

`python -m bench.export_probe xlsx <unit_id> <period_id> <viewer_id>` (or `pdf`): the parent
benchmark reads the line; a process of its own keeps the peak memory that of this report alone.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Not `ru_maxrss`: Linux carries it over from the parent through fork and exec, so a probe
    started by a large benchmark process would report that process's size.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    kind, unit_id, period_id, viewer_id = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_portal.settings.test")
    import django

    django.setup()
    from django.utils import translation

    from evaluations.models import Period
    from orgunits.models import OrgUnit, User
    from reports import generators
    from reports.exporters import pdf, xlsx

    scope = generators.Scope(
        viewer=User.objects.get(pk=viewer_id),
        unit=OrgUnit.objects.get(pk=unit_id),
        period=Period.objects.get(pk=period_id),
    )
    if kind == "pdf":
        pdf.render("unit_summary", generators.Table("x", [], []))  # WeasyPrint's own start-up
    baseline = _rss_mb()
    started = time.perf_counter()
    with translation.override("vi"):
        table = generators.unit_summary(scope)
        rows = len(table.rows)
        content = pdf.render("unit_summary", table) if kind == "pdf" else xlsx.render(table)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "rows": rows,
        "bytes": len(content),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": _rss_mb(),
    }
    if kind == "pdf":
        import io

        from pypdf import PdfReader

        result["pages"] = len(PdfReader(io.BytesIO(content)).pages)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
