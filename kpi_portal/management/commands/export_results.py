"""`export_results --period 2026-10 --format json|xml`: published results, "kpi-results/1.0"."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.models import Evaluation
from kpi_portal.api import exchange
from kpi_portal.db_router import use_replica

FAILED = 2


class Command(BaseCommand):
    help = (
        "Xuất kết quả xếp loại đã công bố của một kỳ theo lược đồ kpi-results/1.0 "
        "(docs/exchange-schema.md) cho cơ sở dữ liệu cán bộ, công chức, viên chức."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Kỳ: 2026-10 (tháng) hoặc 2026-Q3.")
        parser.add_argument("--format", choices=["json", "xml"], default="json")
        parser.add_argument("--output", help="Tệp ghi ra; mặc định in ra màn hình.")

    def handle(self, *args, period: str, format: str, output: str | None, **options):
        try:
            with use_replica():
                rows = exchange.published_results(Evaluation.objects.all(), period)
                document = exchange.results_document(rows, period)
        except exchange.BadPeriod as error:
            raise CommandError(str(error), returncode=FAILED) from None
        if format == "xml":
            data = exchange.to_xml(document)
        else:
            data = json.dumps(document, ensure_ascii=False, indent=2).encode() + b"\n"
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Đã xuất {len(document['results'])} kết quả vào {output}.")
        else:
            self.stdout.write(data.decode(), ending="")
