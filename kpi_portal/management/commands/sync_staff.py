"""`sync_staff FILE`: a staff list as kpi-staff/1.0 or kpi-results/1.0 (JSON, XML) or Excel."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kpi_portal.api import exchange
from orgunits.imports import import_workbook
from orgunits.spreadsheets import MAX_BYTES, STAFF

FAILED = 2  # as import_org: a rejected file, not a crash


class Command(BaseCommand):
    help = (
        "Đồng bộ danh sách cán bộ từ tệp JSON/XML (lược đồ kpi-staff/1.0 hoặc kpi-results/1.0) "
        "hoặc tệp Excel theo mẫu. Kiểm tra mọi bản ghi trước; có lỗi thì không ghi gì, thoát mã 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Tệp .json, .xml hoặc .xlsx.")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp '{file}'.", returncode=FAILED)
        if file.stat().st_size > MAX_BYTES:
            raise CommandError("Tệp vượt quá 10 MB.", returncode=FAILED)
        data = file.read_bytes()
        suffix = file.suffix.lower()
        if suffix == ".xlsx":
            result = import_workbook(data, by=None, filename=file.name, kind=STAFF)
        else:
            document = self._parse(data, suffix)
            result = exchange.import_staff_document(document, filename=file.name)
        if not result.ok:
            raise CommandError("\n".join(str(i) for i in result.issues), returncode=FAILED)
        self.stdout.write(result.summary())

    def _parse(self, data: bytes, suffix: str):
        try:
            return exchange.from_xml(data) if suffix == ".xml" else json.loads(data)
        except (ValueError, SyntaxError) as error:
            raise CommandError(
                f"Không đọc được tệp ({suffix or 'json'}): {error}", returncode=FAILED
            ) from None
